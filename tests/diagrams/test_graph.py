"""The neutral graph: ids and the builder's checks."""

from __future__ import annotations

import re

import pytest

from orion_dsl.views.graph import Builder, slug


def test_slug_keeps_dashed_names_readable() -> None:
    assert slug("orion-gateway") == "orion_gateway"


@pytest.mark.parametrize("names", [("a-b", "a_b"), ("x.y", "x-y"), ("*.orion.com", "orion-com")])
def test_slug_keeps_distinct_names_distinct(names: tuple[str, str]) -> None:
    assert slug(names[0]) != slug(names[1])


@pytest.mark.parametrize("name", ["*.orion.com", "é字", "a b", "", "--"])
def test_slug_is_a_mermaid_identifier(name: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9_]+", slug(name))


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
