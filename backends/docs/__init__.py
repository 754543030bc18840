"""The docs backend: the Markdown architecture document, ``docs/architecture.md``, and the
prerequisites of the output, ``docs/PREREQUISITES.md`` (:mod:`.prerequisites`).

The document is the kind the seed architecture is (topology, namespaces, network,
security, policies, load balancing, ingress and egress, containers, scaling, rollout,
mesh, data, monitoring, edge, disaster recovery), always true to the spec: every table is
built from the model and every diagram is the shared Mermaid view of that section. A pure
function of the plan: no clock, no file system.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

import jinja2

from orion_dsl import views
from orion_dsl.artifacts import Artifact, Rendered
from orion_dsl.backends.docs import context, prerequisites
from orion_dsl.backends.docs.context.text import Table
from orion_dsl.backends.docs.markdown import Md, cell, code, fence, md, text
from orion_dsl.backends.formats import mermaid
from orion_dsl.lowering import Plan
from orion_dsl.lowering.prerequisites import DOCUMENT, Prerequisites
from orion_dsl.lowering.prerequisites import prerequisites as prerequisites_of
from orion_dsl.model import Topology

PATH = "docs/architecture.md"

#: The Mermaid views the document embeds, each in its own section.
VIEWS = views.VIEWS

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_TOC_DEPTH = 3


def table(t: Table, empty: str = "None declared.") -> Md:
    """A Markdown table of a :class:`Table` (every cell escaped for a cell), or the empty note in italics."""
    if not t.rows:
        return md("_{}_", empty)
    return Md("\n".join([_row(t.header), "|" + "---|" * len(t.header), *map(_row, t.rows)]))


def _row(cells: tuple[str, ...]) -> str:
    """One table row, each cell as :func:`cell` makes it: a cell of plain spec text through :data:`_escaped`."""
    escaped = (_escaped[c] if type(c) is str else cell(c) for c in cells)
    return f"| {' | '.join(escaped)} |"


#: Remembered cells are forgotten past this many, so a long-lived process does not grow without bound.
_MEMORY = 200_000


class _Remembered(dict[str, Md]):
    """What ``make`` (:func:`cell`, :func:`text`) gives each distinct spec text, made once and remembered (it
    depends on the text alone).

    A document repeats a few texts thousands of times (a dash, a port, a column name) and a
    policy matrix a million times. Only plain :class:`str` is looked up here: :class:`Md`
    equals the same text as spec text but is printed as it is, so any other type goes to
    ``make`` directly.
    """

    def __init__(self, make: Callable[[object], Md]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, value: str) -> Md:
        if len(self) >= _MEMORY:
            self.clear()
        found = self[value] = self.make(value)
        return found


_escaped = _Remembered(cell)
_shown = _Remembered(text)


def _finalize(value: object) -> Md:
    """What a template prints for a value: :func:`text` (plain spec text through :data:`_shown`)."""
    return _shown[value] if type(value) is str else text(value)


#: Templates print Markdown: a value that is not :class:`Md` is spec text, escaped (``finalize``).
_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("orion_dsl.backends.docs", "templates"),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=_finalize,
)


@jinja2.pass_context
def diagram(values: jinja2.runtime.Context, view: str) -> Md:
    """A section's Mermaid view as a fenced block, when the document has it."""
    diagrams: dict[str, str] = values["diagrams"]
    return fence("mermaid", diagrams[view]) if view in diagrams else Md("")


def heading_anchor(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    kept = "".join(ch for ch in text if ch in "-_ " or unicodedata.category(ch)[0] in "LNM")
    return kept.replace(" ", "-")


def headings(markdown: str) -> list[tuple[int, str]]:
    """The ATX headings of a Markdown text outside fenced blocks, as (level, text)."""
    found: list[tuple[int, str]] = []
    fence: str | None = None
    for line in markdown.splitlines():
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) and not line.strip().strip(fence[0]):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        match = _HEADING.match(line)
        if match:
            found.append((len(match.group(1)), match.group(2)))
    return found


def anchors(items: Iterable[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """(level, text, anchor) per heading, with GitHub's ``-1``, ``-2`` suffixes for repeats."""
    seen: dict[str, int] = {}
    out = []
    for level, heading in items:
        base = heading_anchor(heading)
        anchor = base
        if base in seen:
            seen[base] += 1
            anchor = f"{base}-{seen[base]}"
            while anchor in seen:
                seen[base] += 1
                anchor = f"{base}-{seen[base]}"
        seen.setdefault(anchor, 0)
        out.append((level, heading, anchor))
    return out


def _applicable(topology: Topology) -> tuple[str, ...]:
    """The views that have something to show for this topology."""
    skip = set()
    if topology.mesh is None:
        skip.add("mesh")
    if topology.recovery is None:
        skip.add("disaster-recovery")
    if topology.ingress is None and not topology.externals:
        skip.add("ingress-egress")
    scaling = topology.scaling
    if not any(w.autoscale for w in topology.workloads) and scaling.cluster is None and scaling.vertical is None:
        skip.add("scaling")
    return tuple(v for v in VIEWS if v not in skip)


def _mermaid(plan: Plan, view: str) -> str:
    """A view's Mermaid text (its labels are already masked by the view builder)."""
    return mermaid.emit(views.planned_view(plan, view)).strip("\n")


def _tidy(text: str) -> str:
    """At most one blank line in a row, and exactly one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def document(plan: Plan, diagrams: dict[str, str], needs: Prerequisites) -> str:
    """The architecture document, from the plan, the Mermaid text of each view and the prerequisites it links to."""
    topology = plan.topology
    values = {**context.build(plan, diagrams), "prerequisites": "; ".join(needs.counts()), "prerequisites_file": PurePosixPath(DOCUMENT).name}
    body = _environment.get_template("body.md.j2").render(values)
    title = f"{topology.name} deployment architecture"
    contents_title = "Contents"
    marked = anchors([(1, title), (2, contents_title), *headings(body)])
    toc = [Md(f"{'  ' * (level - 2)}- [{heading}](#{anchor})") for level, heading, anchor in marked[2:] if level <= _TOC_DEPTH]
    page = _environment.get_template("architecture.md.j2").render(values, title=title, contents_title=contents_title, toc=toc, body=Md(body))
    return _tidy(page)


def prerequisites_document(topology: Topology, needs: Prerequisites) -> str:
    """The prerequisites document: what the cluster must provide for the output."""
    values = prerequisites.context(needs)
    page = _environment.get_template("prerequisites.md.j2").render(values, title=f"{topology.name} prerequisites", name=topology.name, version=topology.version)
    return _tidy(page)


def render(plan: Plan) -> Rendered:
    """The docs target: ``docs/architecture.md`` and ``docs/PREREQUISITES.md``; the stream is the architecture document."""
    topology = plan.topology
    diagrams = {view: _mermaid(plan, view) for view in _applicable(topology)}
    needs = prerequisites_of(plan)
    text = document(plan, diagrams, needs)
    return Rendered((Artifact(PATH, text), Artifact(DOCUMENT, prerequisites_document(topology, needs))), lambda: text)


_environment.filters["cell"] = cell
_environment.filters["code"] = code
_environment.globals["table"] = table
_environment.globals["diagram"] = diagram
