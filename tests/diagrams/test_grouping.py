"""Big topologies are drawn one box per namespace (or subnet), with counted, capped arrows, and say so."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from orion_dsl.views import VIEWS, build_view
from orion_dsl.views.graph import Builder, Graph
from orion_dsl.views.grouping import DETAIL_LIMIT, MAX_LINKS, ROW, collapse

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from generate import generate  # noqa: E402  (bench/ is not a package)

NOTE = ("drawn by group",)


def _box(graph: Graph, title: str) -> str:
    """The id of the box titled ``title``."""
    return next(n.id for n in graph.nodes() if n.lines[0] == title)


@pytest.fixture(scope="module")
def big() -> Topology:
    """300 services in 15 namespaces (plus data and monitoring): well above the threshold."""
    topology = analyze_text(generate(300), "big.orion").topology
    assert topology is not None
    return topology


def _two_namespaces() -> Graph:
    b = Builder("t", "t")
    for ns in ("a", "b"):
        with b.cluster(f"ns_{ns}", f"Namespace {ns}"):
            for i in range(3):
                b.node(f"wl_{ns}{i}", f"{ns}{i}", cls="service", group=f"Namespace {ns}", counts="pod")
    b.node("outside", "outside", cls="external")
    for i in range(3):
        b.link(f"wl_a{i}", f"wl_b{i}", "http")
        b.link(f"wl_a{i}", f"wl_a{(i + 1) % 3}")
    b.link("outside", "wl_b0")
    return b.build()


def test_a_cluster_of_one_group_becomes_one_box_counting_its_nodes() -> None:
    graph = collapse(_two_namespaces(), NOTE)
    assert [n.lines for n in graph.nodes() if n.lines[0] == "Namespace a"] == [("Namespace a", "3 pods")]
    assert not graph.clusters()


def test_arrows_between_two_boxes_become_one_counted_arrow_and_arrows_inside_a_box_vanish() -> None:
    graph = collapse(_two_namespaces(), NOTE)
    links = {(link.source, link.target): link.label for link in graph.links}
    a, b = _box(graph, "Namespace a"), _box(graph, "Namespace b")
    assert links == {(a, b): "http x3", ("outside", b): ""}


def test_a_grouped_graph_carries_the_note() -> None:
    assert collapse(_two_namespaces(), NOTE).nodes()[0].lines == NOTE


def test_only_the_heaviest_arrows_are_drawn_and_the_note_says_how_many_were_left_out() -> None:
    b = Builder("t", "t")
    count = MAX_LINKS + 5
    for i in range(count + 1):
        b.node(f"n{i}", str(i), cls="service")
    for i in range(count):
        b.link(f"n{i}", f"n{i + 1}")
    b.link("n0", "n1")  # the pair drawn twice is the heaviest: it must be kept
    graph = collapse(b.build(), NOTE)
    drawn = [link for link in graph.links if link.style != "invisible"]
    assert len(drawn) == MAX_LINKS and ("n0", "n1") in {(link.source, link.target) for link in drawn}
    assert graph.nodes()[0].lines[-1] == f"{MAX_LINKS} of {count} arrows drawn: those standing for the most connections"


def test_many_boxes_are_stacked_in_rows() -> None:
    b = Builder("t", "t")
    for i in range(ROW * 2):
        b.node(f"n{i}", str(i), cls="service", group=f"g{i}")
    graph = collapse(b.build(), NOTE)
    rows = [link for link in graph.links if link.style == "invisible"]
    assert [(link.source, link.target) for link in rows][:1] == [(_box(graph, "g0"), _box(graph, f"g{ROW}"))]
    assert len(rows) == ROW


def test_a_small_topology_is_drawn_one_by_one(seed: Topology) -> None:
    assert len(seed.workloads) <= DETAIL_LIMIT
    assert all("grouping_note" not in {n.id for n in build_view(seed, v).nodes()} for v in VIEWS)


@pytest.mark.parametrize("view", ["topology", "network", "policies", "mesh", "scaling"])
def test_a_big_topology_draws_one_box_per_namespace_or_subnet(big: Topology, view: str) -> None:
    graph = build_view(big, view)
    assert graph.nodes()[0].id == "grouping_note" and f"{len(big.workloads):,} workloads" in graph.nodes()[0].lines[0]
    assert len(graph.nodes()) < 3 * len(big.namespaces)


@pytest.mark.parametrize("view", VIEWS)
def test_a_big_topology_draws_at_most_the_cap_of_arrows(big: Topology, view: str) -> None:
    assert len([link for link in build_view(big, view).links if link.style != "invisible"]) <= MAX_LINKS
