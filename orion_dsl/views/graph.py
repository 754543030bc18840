"""The neutral diagram structure every view builds once and every output format reads.

A :class:`Graph` is a tree of :class:`Cluster` and :class:`Node` items plus a flat list of
:class:`Link` between node ids. Views build one through :class:`Builder`, which checks
the structure (unique ids, links between known nodes, known style classes) so an emitter
(Mermaid in ``backends/formats``, DOT in the diagrams backend) never has to. A node's style
class says what it is (a tier or a role); its colours are the formats' business.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, get_args

import attrs

from orion_dsl.secrets import redact

#: What a node or cluster is drawn as: a tier (``service``, ``data``...) or a role (``hpa``, ``backup``...).
StyleClass = Literal[
    "external",
    "ingress",
    "service",
    "data",
    "monitoring",
    "storage",
    "system",
    "edge",
    "control",
    "feature",
    "policy",
    "egress",
    "hpa",
    "vpa",
    "autoscaler",
    "metrics",
    "rollout",
    "source",
    "backup",
    "target",
    "objective",
    "note",
    "plain",
]
STYLE_CLASSES: frozenset[str] = frozenset(get_args(StyleClass))

Shape = Literal["box", "round", "cylinder", "note"]
LinkStyle = Literal["solid", "dotted", "invisible"]
Direction = Literal["TB", "LR"]


@attrs.frozen
class Node:
    """A box: a stable id, label lines (the first is the title) and a style class.

    ``group`` names what the node belongs to when a big topology is drawn coarser
    (``Namespace shop``, ``Subnet apps - 10.0.1.0/24``): every node of one group is then
    drawn as one box (:mod:`orion_dsl.views.grouping`), which counts it as one ``counts``
    (a singular noun, ``pod``; empty: not counted).
    """

    id: str
    lines: tuple[str, ...]
    cls: StyleClass
    shape: Shape = "box"
    group: str = ""
    counts: str = ""


@attrs.frozen
class Cluster:
    """A titled group of nodes and nested clusters (a Mermaid subgraph, a DOT ``cluster_``)."""

    id: str
    title: str
    items: tuple[Node | Cluster, ...]
    cls: StyleClass | None = None

    def nodes(self) -> tuple[Node, ...]:
        """Every node inside, nested clusters included, in drawing order."""
        return tuple(_walk_nodes(self.items))


@attrs.frozen
class Link:
    """An arrow between two node ids; dotted for scrapes, certificates and control traffic.

    The source may be a cluster id (``sg_...``): the arrow then stands for one arrow from
    every node in that cluster (Graphviz ``ltail``, a Mermaid link from a subgraph); so may
    the target, for one arrow to every node in it (``lhead``, a link to a subgraph).
    ``faint`` draws it light grey: for links every node has (DNS) that would drown the rest.
    ``invisible`` links are not drawn: they only keep a layout in order (Mermaid ``~~~``).
    ``annotates`` links point at what their source is about (an objective at what it covers):
    they do not put their ends in layout order (Graphviz ``constraint=false``).
    ``weight`` is how many connections the arrow stands for; only a grouped drawing
    (:mod:`orion_dsl.views.grouping`) shows it, and keeps the heaviest arrows.
    """

    source: str
    target: str
    label: str = ""
    style: LinkStyle = "solid"
    both: bool = False
    faint: bool = False
    annotates: bool = False
    weight: int = 1


@attrs.frozen
class Graph:
    """One view: its name, title, layout direction, items and links."""

    view: str
    title: str
    direction: Direction
    items: tuple[Node | Cluster, ...]
    links: tuple[Link, ...]

    def nodes(self) -> tuple[Node, ...]:
        """Every node, depth first in declaration order."""
        return tuple(_walk_nodes(self.items))

    def clusters(self) -> tuple[Cluster, ...]:
        """Every cluster, depth first in declaration order."""
        return tuple(_walk_clusters(self.items))

    def members(self, cluster_id: str) -> tuple[Node, ...]:
        """Every node inside a cluster (nested clusters included); KeyError for an unknown id."""
        for cluster in self.clusters():
            if cluster.id == cluster_id:
                return cluster.nodes()
        raise KeyError(cluster_id)

    def classes(self) -> tuple[StyleClass, ...]:
        """The style classes the nodes use, in first-use order."""
        return tuple(dict.fromkeys(n.cls for n in self.nodes()))


def _walk_nodes(items: tuple[Node | Cluster, ...]) -> Iterator[Node]:
    for item in items:
        if isinstance(item, Node):
            yield item
        else:
            yield from _walk_nodes(item.items)


def _walk_clusters(items: tuple[Node | Cluster, ...]) -> Iterator[Cluster]:
    for item in items:
        if isinstance(item, Cluster):
            yield item
            yield from _walk_clusters(item.items)


#: ``word-word``: ASCII letters and digits joined by single dashes (what ``isascii() and isalnum()`` accept).
_DASHED_WORDS = re.compile("[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def node_id_part(name: str) -> str:
    """A name as the part of a node id after its prefix (``wl_``...): ``[A-Za-z0-9_]``, distinct for distinct names.

    Names of the form ``word-word`` (letters and digits joined by single dashes) map to
    ``word_word``; any other name is mangled the same way and gets its CRC-32 appended,
    so ``a_b`` and ``a-b`` never share an id.
    """
    if _DASHED_WORDS.fullmatch(name):  # nearly every name: the loop below would give the same
        return name.replace("-", "_")
    parts: list[str] = []
    for ch in name:
        ok = ch.isascii() and ch.isalnum()
        if ok:
            parts.append(ch)
        elif not parts or parts[-1] != "_":
            parts.append("_")
    text = "".join(parts).strip("_") or "x"
    words = name.split("-")
    if all(w and w.isascii() and w.isalnum() for w in words):
        return text
    return f"{text}_{zlib.crc32(name.encode('utf-8')):08x}"


class Builder:
    """Collects a view's clusters, nodes and links, then checks and freezes them.

    Every text a view shows passes through :func:`~orion_dsl.secrets.redact` here, so no
    diagram (Mermaid, DOT, SVG, or the document's embedded views) prints a credential or a
    token of a well-known shape that W0304 warns about.
    """

    def __init__(self, view: str, title: str, direction: Direction = "TB") -> None:
        self._view = view
        self._title = title
        self._direction = direction
        self._stack: list[tuple[str, str, StyleClass | None, list[Node | Cluster]]] = [("", "", None, [])]
        self._links: list[Link] = []
        self._ids: set[str] = set()

    def has(self, node_id: str) -> bool:
        """Whether a node with this id was added."""
        return node_id in self._ids

    def node(self, node_id: str, *lines: str, cls: StyleClass, shape: Shape = "box", group: str = "", counts: str = "") -> str:
        """Add a node to the innermost open cluster; returns its id (``group``, ``counts``: see :class:`Node`)."""
        if node_id in self._ids:
            raise ValueError(f"{self._view}: duplicate node id {node_id!r}")
        if node_id.startswith("sg_") or not node_id.replace("_", "").isalnum() or not node_id.isascii():
            raise ValueError(f"{self._view}: bad node id {node_id!r}")
        if cls not in STYLE_CLASSES:
            raise ValueError(f"{self._view}: unknown style class {cls!r}")
        if not lines:
            raise ValueError(f"{self._view}: node {node_id!r} has no label")
        self._ids.add(node_id)
        self._stack[-1][3].append(Node(node_id, tuple(redact(line) for line in lines), cls, shape, redact(group), counts))
        return node_id

    @contextmanager
    def cluster(self, key: str, title: str, cls: StyleClass | None = None) -> Iterator[None]:
        """Open a cluster; nodes added inside the ``with`` block belong to it (one left empty is dropped)."""
        if cls is not None and cls not in STYLE_CLASSES:
            raise ValueError(f"{self._view}: unknown style class {cls!r}")
        cluster_id = f"sg_{key}"
        if cluster_id in self._ids:
            raise ValueError(f"{self._view}: duplicate cluster id {cluster_id!r}")
        self._ids.add(cluster_id)
        self._stack.append((cluster_id, redact(title), cls, []))
        try:
            yield
        finally:
            done_id, done_title, done_cls, items = self._stack.pop()
            if items:  # a cluster left empty (no namespaces, no backups) is not drawn
                self._stack[-1][3].append(Cluster(done_id, done_title, tuple(items), done_cls))

    def link(
        self,
        source: str,
        target: str,
        label: str = "",
        style: LinkStyle = "solid",
        both: bool = False,
        faint: bool = False,
        annotates: bool = False,
        weight: int = 1,
    ) -> None:
        """Add an arrow between two nodes (added before or after this call); ``faint``, ``annotates``: see :class:`Link`.

        ``source`` may name a cluster: the arrow then leaves every node in it; ``target`` may
        name one too: the arrow then reaches every node in it.
        """
        self._links.append(Link(source, target, redact(label), style, both, faint, annotates, weight))

    def build(self) -> Graph:
        """The finished graph; every link joins two nodes or clusters, and a link from or to a
        cluster has its other end outside it (Graphviz cannot draw it otherwise)."""
        if len(self._stack) != 1:
            raise ValueError(f"{self._view}: a cluster is still open")
        graph = Graph(self._view, self._title, self._direction, tuple(self._stack[0][3]), tuple(self._links))
        nodes = {n.id: {n.id} for n in graph.nodes()}
        ends = nodes | {c.id: {n.id for n in c.nodes()} for c in graph.clusters()}  # graph.members(c.id), without a search per cluster
        for link in self._links:
            missing = next((end for end in (link.source, link.target) if end not in ends), None)
            if missing is not None:
                raise ValueError(f"{self._view}: link {link.source} -> {link.target} names no node {missing!r}")
            if link.source != link.target and (ends[link.source] & ends[link.target]):
                raise ValueError(f"{self._view}: link {link.source} -> {link.target} ends inside the cluster it joins")
        return graph
