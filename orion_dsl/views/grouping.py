"""Big topologies drawn coarser: one box per namespace (or subnet), arrows counted and capped.

Graphviz needs minutes, and a reader gives up, long before a view of hundreds of services
is drawn node by node. Above :data:`DETAIL_LIMIT` workloads every view is drawn one zoom
level out, as Structurizr and LikeC4 draw C4 containers: the nodes of one group (their
:attr:`~orion_dsl.views.graph.Node.group`) become one box that counts what it stands for
(``20 pods, 20 HPAs``); the arrows between two boxes become one arrow labelled with how
many it stands for; at most :data:`MAX_LINKS` arrows are drawn, the heaviest, and a note
in the view says all of this. Small topologies are drawn exactly as before.
"""

from __future__ import annotations

from collections import Counter

from orion_dsl.model import Topology
from orion_dsl.views.graph import Cluster, Graph, Link, LinkStyle, Node, StyleClass

#: The most workloads a view draws one by one; above it, views draw groups.
DETAIL_LIMIT = 40
#: The most arrows a grouped view draws (the ones standing for the most connections).
MAX_LINKS = 80
#: Boxes side by side in one row before the next row starts (hundreds of namespaces would
#: otherwise stand in one rank, tens of thousands of pixels wide).
ROW = 12

_GROUP_PREFIX = "grp_"

#: What arrows must share to be drawn as one: their ends, style, direction, faintness, role.
_LinkKey = tuple[str, str, LinkStyle, bool, bool, bool]


def is_grouped(topology: Topology) -> bool:
    """Whether the views of this topology are drawn by group (it has more than :data:`DETAIL_LIMIT` workloads)."""
    return len(topology.workloads) > DETAIL_LIMIT


def _plural(noun: str, count: int) -> str:
    return f"{count:,} {noun}" + ("s" if count != 1 else "")


def _summary(members: list[Node]) -> str:
    counts = Counter(n.counts for n in members if n.counts)
    return ", ".join(_plural(noun, count) for noun, count in counts.items()) or _plural("item", len(members))


class _Collapse:
    """One pass over a graph's tree: each group's nodes become one box, placed where the group first appears."""

    def __init__(self, graph: Graph) -> None:
        self.members: dict[str, list[Node]] = {}
        for node in graph.nodes():
            if node.group:
                self.members.setdefault(node.group, []).append(node)
        #: The box of each group: numbered in order of first appearance (short ids keep big
        #: Mermaid files under its 50,000-character limit).
        self.ids = {group: f"{_GROUP_PREFIX}{i}" for i, group in enumerate(self.members, 1)}
        self.placed: set[str] = set()
        #: Cluster id -> the group box that replaced it (the cluster held that group only).
        self.replaced: dict[str, str] = {}

    def _box(self, group: str, title: str, cls: StyleClass) -> Node:
        self.placed.add(group)
        return Node(self.ids[group], (title, _summary(self.members[group])), cls)

    def items(self, items: tuple[Node | Cluster, ...]) -> tuple[Node | Cluster, ...]:
        out: list[Node | Cluster] = []
        for item in items:
            if isinstance(item, Node):
                if not item.group:
                    out.append(item)
                elif item.group not in self.placed:
                    out.append(self._box(item.group, item.group, item.cls))
                continue
            inside = item.nodes()
            groups = {n.group for n in inside}
            only = next(iter(groups)) if len(groups) == 1 else ""
            if only and only not in self.placed:
                self.replaced[item.id] = self.ids[only]
                out.append(self._box(only, item.title, item.cls or inside[0].cls))
                continue
            kept = self.items(item.items)
            if kept:
                out.append(Cluster(item.id, item.title, kept, item.cls))
            elif only:
                self.replaced[item.id] = self.ids[only]
        return tuple(out)



def _label(links: list[Link]) -> str:
    """One arrow's label for several: their common label with the count, or the count of connections."""
    weight = sum(link.weight for link in links)
    labels = {link.label for link in links}
    if weight == 1:
        return links[0].label
    common = labels.pop() if len(labels) == 1 else ""
    return f"{common} x{weight:,}" if common else f"x{weight:,}"


def collapse(graph: Graph, note: tuple[str, ...]) -> Graph:
    """The graph one zoom level out: a box per group, one counted arrow per pair of ends, a note saying so."""
    pass_ = _Collapse(graph)
    if not pass_.members and len(graph.links) <= MAX_LINKS:
        return graph
    items = pass_.items(graph.items)
    groups = {n.id: n.group for n in graph.nodes()}
    contents = _contents(items)

    def end(node_id: str) -> str:
        if node_id in pass_.replaced:
            return pass_.replaced[node_id]
        group = groups.get(node_id, "")
        return pass_.ids[group] if group else node_id

    merged: dict[_LinkKey, list[Link]] = {}
    for link in graph.links:
        source, target = end(link.source), end(link.target)
        # An arrow inside one box, or between a cluster and a box inside it, is not drawn.
        if source in contents and target in contents and not (contents[source] & contents[target]):
            merged.setdefault((source, target, link.style, link.both, link.faint, link.annotates), []).append(link)
    ranked = sorted(merged, key=lambda key: -sum(link.weight for link in merged[key]))  # stable: ties keep graph order
    top = set(ranked[:MAX_LINKS])
    links = tuple(_merged(key, merged[key]) for key in merged if key in top)
    lines = list(note)
    if len(merged) > MAX_LINKS:
        lines.append(f"{MAX_LINKS} of {len(merged):,} arrows drawn: those standing for the most connections")
    box = Node("grouping_note", tuple(lines), "note", "note")
    return Graph(graph.view, graph.title, graph.direction, (box, *items), links + _rows(items))


def _merged(key: _LinkKey, links: list[Link]) -> Link:
    """The one arrow that stands for several with the same ends and look."""
    source, target, style, both, faint, annotates = key
    return Link(source, target, _label(links), style, both, faint, annotates, sum(link.weight for link in links))


def _contents(items: tuple[Node | Cluster, ...]) -> dict[str, set[str]]:
    """Every node id and cluster id of a tree -> the node ids it is or holds."""
    out: dict[str, set[str]] = {}
    for item in items:
        if isinstance(item, Node):
            out[item.id] = {item.id}
            continue
        inner = _contents(item.items)
        out.update(inner)
        out[item.id] = {n.id for n in item.nodes()}
    return out


def _rows(items: tuple[Node | Cluster, ...]) -> tuple[Link, ...]:
    """Invisible links that stack the items of one cluster (boxes, or clusters by their first box) in rows of :data:`ROW`."""
    anchors = [item.id if isinstance(item, Node) else item.nodes()[0].id for item in items]
    out = [Link(anchors[i], anchors[i + ROW], style="invisible") for i in range(len(anchors) - ROW)]
    for item in items:
        if isinstance(item, Cluster):
            out.extend(_rows(item.items))
    return tuple(out)
