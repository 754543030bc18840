"""What the views contain, checked on the laid-out DOT and on the Mermaid text."""

from __future__ import annotations

import re

import pytest

from backends.diagrams import VIEWS, render
from orion_dsl.model import Topology
from orion_dsl.views.common import part_id, peer_id, workload_id
from tests.diagrams.dotdata import cluster_text
from tests.support.renderers import dot_edges, dot_nodes

_MMD_NODE = re.compile(r"^\s+(\w+)(?:\[|\()", re.MULTILINE)
_MMD_LINK = re.compile(r"^\s+(\w+) (?:<?-->|<?-\.->|~~~)(?:\|\"[^\"]*\"\|)? (\w+)$", re.MULTILINE)


def _allow_pairs(topology: Topology) -> set[tuple[str, str]]:
    return {(peer_id(e.source), peer_id(e.target)) for e in topology.allow_graph.edges}


def test_topology_view_has_every_workload(seed: Topology, seed_files: dict[str, str]) -> None:
    nodes = dot_nodes(seed_files["diagrams/topology.dot"])
    assert {workload_id(w.name) for w in seed.workloads} <= nodes


def test_topology_view_has_every_namespace(seed: Topology, seed_files: dict[str, str]) -> None:
    clusters = cluster_text(seed_files["diagrams/topology.dot"])
    assert {f"cluster_sg_{part_id('ns', ns.name)}" for ns in seed.namespaces} <= set(clusters)


def test_policies_edges_are_exactly_the_allow_graph(seed: Topology, seed_files: dict[str, str]) -> None:
    assert dot_edges(seed_files["diagrams/policies.dot"]) == _allow_pairs(seed)


def test_policies_edges_of_the_hostile_topology(nasty: Topology, nasty_files: dict[str, str]) -> None:
    assert dot_edges(nasty_files["diagrams/policies.dot"]) == _allow_pairs(nasty)


def test_example_policies_are_the_allow_graph(example: Topology) -> None:
    files = {a.path: a.text for a in render(example).artifacts}
    assert dot_edges(files["diagrams/policies.dot"]) == _allow_pairs(example)


@pytest.mark.parametrize("view", VIEWS)
def test_mermaid_and_dot_have_the_same_nodes(seed_files: dict[str, str], view: str) -> None:
    mmd = seed_files[f"diagrams/{view}.mmd"]
    assert set(_MMD_NODE.findall(mmd)) == dot_nodes(seed_files[f"diagrams/{view}.dot"])


@pytest.mark.parametrize("view", VIEWS)
def test_mermaid_and_dot_have_the_same_links(seed_files: dict[str, str], view: str) -> None:
    mmd = seed_files[f"diagrams/{view}.mmd"]
    assert set(_MMD_LINK.findall(mmd)) == dot_edges(seed_files[f"diagrams/{view}.dot"])


def test_mermaid_ids_are_plain_identifiers(seed_files: dict[str, str]) -> None:
    ids = {i for v in VIEWS for i in _MMD_NODE.findall(seed_files[f"diagrams/{v}.mmd"])}
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", i) for i in ids)
