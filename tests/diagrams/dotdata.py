"""Read laid-out DOT (``dot -Tjson``): the text each node shows, and edges with their attributes."""

from __future__ import annotations

import functools
from typing import Any

from tests.support.renderers import dot_json


@functools.lru_cache(maxsize=64)
def _layout(dot_text: str) -> dict[str, Any]:
    return dot_json(dot_text)


def _objects(dot_text: str) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = _layout(dot_text).get("objects", [])
    return objects


def _shown(obj: dict[str, Any]) -> str:
    """The lines Graphviz drew for an object's label, joined by newlines."""
    return "\n".join(op["text"] for op in obj.get("_ldraw_", []) if op.get("op") == "T")


def node_text(dot_text: str) -> dict[str, str]:
    """Node name -> the text drawn in it."""
    doc = _layout(dot_text)
    count = int(doc.get("_subgraph_cnt", 0))
    return {str(o["name"]): _shown(o) for o in _objects(dot_text)[count:]}


def cluster_text(dot_text: str) -> dict[str, str]:
    """Cluster name (``cluster_sg_...``) -> its drawn title."""
    doc = _layout(dot_text)
    count = int(doc.get("_subgraph_cnt", 0))
    return {str(o["name"]): _shown(o) for o in _objects(dot_text)[:count] if str(o["name"]).startswith("cluster_")}


def edges(dot_text: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(tail, head) -> the attributes of each edge between them (``label``, ``style``...)."""
    doc = _layout(dot_text)
    count = int(doc.get("_subgraph_cnt", 0))
    names = {int(o["_gvid"]): str(o["name"]) for o in _objects(dot_text)[count:]}
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in doc.get("edges", []):
        out.setdefault((names[int(e["tail"])], names[int(e["head"])]), []).append(e)
    return out


def edge_text(dot_text: str) -> dict[tuple[str, str], list[str]]:
    """(tail, head) -> the label text Graphviz drew on each edge between them."""
    return {pair: [_shown(e) for e in drawn] for pair, drawn in edges(dot_text).items()}


def all_text(dot_text: str) -> str:
    """Every node's and cluster's drawn text, one block."""
    return "\n".join([*node_text(dot_text).values(), *cluster_text(dot_text).values()])


def cluster_members(dot_text: str) -> dict[str, set[str]]:
    """Cluster name -> the names of every node inside it (nested clusters included; ``rank=same`` groups are no clusters)."""
    doc = _layout(dot_text)
    count = int(doc.get("_subgraph_cnt", 0))
    names = {int(o["_gvid"]): str(o["name"]) for o in _objects(dot_text)[count:]}
    clusters = [o for o in _objects(dot_text)[:count] if str(o["name"]).startswith("cluster_")]
    return {str(o["name"]): {names[int(i)] for i in o.get("nodes", [])} for o in clusters}


def expanded_edges(dot_text: str, any_pod: str) -> set[tuple[str, str, frozenset[str]]]:
    """Every drawn arrow as (tail, head, ports) with the policies view's shorthands undone.

    An edge with ``ltail`` (leaving a cluster) stands for one edge from each node of that
    cluster but the ``any_pod`` nodes (they stand for pods, they are none); an edge from a node whose name starts with ``any_pod`` stands for one edge from
    each other node of its innermost cluster. Ports are the comma-separated label parts.
    """
    members = cluster_members(dot_text)
    out: set[tuple[str, str, frozenset[str]]] = set()
    for (tail, head), drawn in edges(dot_text).items():
        for e in drawn:
            ports = frozenset(p.strip() for p in str(e.get("label", "")).split(",") if p.strip())
            if "ltail" in e:
                tails = {n for n in members[str(e["ltail"])] if not n.startswith(any_pod)}
            elif tail.startswith(any_pod):
                home = min((m for m in members.values() if tail in m), key=len)
                tails = home - {tail, head}
            else:
                tails = {tail}
            out |= {(t, head, ports) for t in tails}
    return out
