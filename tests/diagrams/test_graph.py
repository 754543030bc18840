"""The neutral graph: ids and the builder's checks."""

from __future__ import annotations

import re

import pytest

from orion_dsl.backends.diagrams import dot
from orion_dsl.backends.formats.style import CLASSES
from orion_dsl.views.graph import STYLE_CLASSES, Builder, node_id_part


def test_node_id_part_keeps_dashed_names_readable() -> None:
    assert node_id_part("orion-gateway") == "orion_gateway"


@pytest.mark.parametrize("names", [("a-b", "a_b"), ("x.y", "x-y"), ("*.orion.com", "orion-com")])
def test_node_id_part_keeps_distinct_names_distinct(names: tuple[str, str]) -> None:
    assert node_id_part(names[0]) != node_id_part(names[1])


@pytest.mark.parametrize("name", ["*.orion.com", "é字", "a b", "", "--"])
def test_node_id_part_is_a_mermaid_identifier(name: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9_]+", node_id_part(name))


def test_builder_rejects_duplicate_node_ids() -> None:
    b = Builder("v", "t")
    b.node("n_a", "A", cls="service")
    with pytest.raises(ValueError, match="duplicate"):
        b.node("n_a", "A again", cls="service")


def test_builder_rejects_links_to_unknown_nodes() -> None:
    b = Builder("v", "t")
    b.node("n_a", "A", cls="service")
    b.link("n_a", "n_b")
    with pytest.raises(ValueError, match="n_b"):
        b.build()


def test_builder_rejects_unknown_style_classes() -> None:
    with pytest.raises(ValueError, match="style class"):
        Builder("v", "t").node("n_a", "A", cls="sparkly")


def test_builder_nests_clusters() -> None:
    b = Builder("v", "t")
    with b.cluster("outer", "Outer"), b.cluster("inner", "Inner"):
        b.node("n_a", "A", cls="service")
    graph = b.build()
    assert [c.id for c in graph.clusters()] == ["sg_outer", "sg_inner"]


def test_builder_accepts_a_link_leaving_a_cluster() -> None:
    b = Builder("v", "t")
    with b.cluster("ns", "NS"):
        b.node("n_a", "A", cls="service")
        b.node("n_b", "B", cls="service")
    b.node("n_c", "C", cls="service")
    b.link("sg_ns", "n_c")
    graph = b.build()
    assert [n.id for n in graph.members("sg_ns")] == ["n_a", "n_b"]


def test_builder_rejects_a_link_from_a_cluster_to_a_node_inside_it() -> None:
    b = Builder("v", "t")
    with b.cluster("ns", "NS"):
        b.node("n_a", "A", cls="service")
    b.link("sg_ns", "n_a")
    with pytest.raises(ValueError, match="inside the cluster"):
        b.build()


def test_dot_draws_a_link_leaving_a_cluster_as_a_compound_edge() -> None:
    b = Builder("v", "t")
    with b.cluster("ns", "NS"):
        b.node("n_a", "A", cls="service")
    b.node("n_c", "C", cls="service")
    b.link("sg_ns", "n_c")
    assert '"n_a" -> "n_c" [ltail="cluster_sg_ns"];' in dot.emit(b.build())


def test_the_palette_colours_every_style_class() -> None:
    assert set(CLASSES) == STYLE_CLASSES
