"""Mermaid flowchart text of a :class:`~orion_dsl.views.graph.Graph`.

Every label is quoted (``id["..."]``) and every character Mermaid could read as syntax
is written as a Mermaid entity (``#quot;``, ``#35;``...), so any name or description is
shown as written.
"""

from __future__ import annotations

from orion_dsl.backends.formats.style import CLASSES, FAINT_LINK
from orion_dsl.views.graph import Cluster, Graph, Link, Node

#: Characters written as Mermaid entities (``#code;``) inside a quoted label.
_ENTITIES = {
    '"': "#quot;",
    "#": "#35;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "|": "#124;",
    "%": "#37;",
    "\\": "#92;",
}

_SHAPES = {"box": ('["', '"]'), "round": ('("', '")'), "cylinder": ('[("', '")]'), "note": ('["', '"]')}

_INDENT = "    "
#: Mermaid wraps label lines wider than 200 px by default; ORION breaks its own lines.
_CONFIG = '%%{init: {"flowchart": {"wrappingWidth": 480}}}%%'


#: Line separators (NEL, U+2028, U+2029) and the byte order mark: editors and Markdown
#: renderers break a line at them or drop them, so they are written as spaces, like line breaks.
_BREAKS = frozenset("\u0085\u2028\u2029\ufeff")


def escape(text: str) -> str:
    """Text as the inside of a quoted Mermaid label: entities for syntax, spaces for line breaks.

    Never empty: Mermaid rejects an empty quoted label (``[""]``), so empty text is one space.
    """
    out = []
    for ch in text:
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in _BREAKS:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out) or " "


def label(lines: tuple[str, ...]) -> str:
    """Label lines joined by ``<br/>``, each escaped."""
    return "<br/>".join(escape(line) for line in lines)


def _node(node: Node) -> str:
    left, right = _SHAPES[node.shape]
    return f"{node.id}{left}{label(node.lines)}{right}"


def _items(items: tuple[Node | Cluster, ...], depth: int, direction: str) -> list[str]:
    pad = _INDENT * depth
    out: list[str] = []
    for item in items:
        if isinstance(item, Node):
            out.append(pad + _node(item))
            continue
        out.append(f'{pad}subgraph {item.id}["{escape(item.title)}"]')
        # Without it, Mermaid lays out a subgraph with no outside links across its parent's direction.
        out.append(f"{pad}{_INDENT}direction {direction}")
        out.extend(_items(item.items, depth + 1, direction))
        out.append(f"{pad}end")
    return out


def _arrow(link: Link) -> str:
    if link.style == "invisible":
        return f"{link.source} ~~~ {link.target}"
    body = "-.->" if link.style == "dotted" else "-->"
    if link.both:
        body = "<" + body
    text = f'|"{escape(link.label)}"|' if link.label else ""
    return f"{link.source} {body}{text} {link.target}"


def _styles(graph: Graph) -> list[str]:
    out: list[str] = []
    for name in graph.classes():
        c = CLASSES[name]
        out.append(f"{_INDENT}classDef {name} fill:{c.fill},stroke:{c.stroke},color:{c.text}")
    for name in graph.classes():
        members = ",".join(n.id for n in graph.nodes() if n.cls == name)
        out.append(f"{_INDENT}class {members} {name}")
    for cluster in graph.clusters():
        c = CLASSES[cluster.cls] if cluster.cls else CLASSES["plain"]
        out.append(f"{_INDENT}style {cluster.id} fill:{c.pale},stroke:{c.stroke},color:#000000")
    faint = [str(i) for i, link in enumerate(graph.links) if link.faint]
    if faint:
        out.append(f"{_INDENT}linkStyle {','.join(faint)} stroke:{FAINT_LINK[0]},color:{FAINT_LINK[1]}")
    return out


def emit(graph: Graph) -> str:
    """The whole ``.mmd`` text of one view."""
    lines = [
        f"%% ORION {graph.view} view (generated; do not edit)",
        _CONFIG,
        f"flowchart {graph.direction}",
        f"{_INDENT}accTitle: {escape(graph.title)}",
    ]
    lines.extend(_items(graph.items, 1, graph.direction))
    lines.append("")
    lines.extend(_INDENT + _arrow(link) for link in graph.links)
    lines.append("")
    lines.extend(_styles(graph))
    return "\n".join(lines) + "\n"
