"""What the views contain, checked on the laid-out DOT and on the Mermaid text."""

from __future__ import annotations

import re

import pytest

from orion_dsl.backends.diagrams import VIEWS, render
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from orion_dsl.views import build_view
from orion_dsl.views.common import part_id, peer_id, port_text, workload_id
from orion_dsl.views.policies import ANY_POD
from tests.conftest import PORTLESS_SPEC
from tests.diagrams.dotdata import cluster_text, edges, expanded_edges
from tests.support.artifacts import by_path
from tests.support.plans import planned
from tests.support.renderers import dot_nodes

#: Every seed namespace whose pods may look up DNS (all but the ingress controller's).
_SEED_APP_NAMESPACES = ("orion-gateway", "orion-auth", "orion-user", "orion-notification", "orion-data", "orion-monitoring", "orion-system")

_MMD_NODE = re.compile(r"^\s+(\w+)(?:\[|\()", re.MULTILINE)
_MMD_LINK = re.compile(r"^\s+(\w+) (?:<?-->|<?-\.->|~~~)(?:\|\"[^\"]*\"\|)? (\w+)$", re.MULTILINE)


def _allow_graph(topology: Topology) -> set[tuple[str, str, frozenset[str]]]:
    """(source id, target id, ports) for every peer pair of the allow-graph."""
    ports: dict[tuple[str, str], set[str]] = {}
    for e in topology.allow_graph.edges:
        ports.setdefault((peer_id(e.source), peer_id(e.target)), set()).add(port_text(e.port))
    return {(s, t, frozenset(p)) for (s, t), p in ports.items()}


def _drawn_allow_graph(dot_text: str) -> set[tuple[str, str, frozenset[str]]]:
    drawn = expanded_edges(dot_text, ANY_POD)
    pairs = [(s, t) for s, t, _ in drawn]
    assert len(pairs) == len(set(pairs)), "a peer pair is drawn twice"
    return drawn


def _dot_links(dot_text: str) -> set[tuple[str, str]]:
    """(tail, head) of every DOT edge; an edge leaving or reaching a cluster names the cluster (as Mermaid does)."""
    out = set()
    for (tail, head), drawn in edges(dot_text).items():
        for e in drawn:
            source = str(e["ltail"]).removeprefix("cluster_") if "ltail" in e else tail
            out.add((source, str(e["lhead"]).removeprefix("cluster_") if "lhead" in e else head))
    return out


def test_topology_view_has_every_workload(seed: Topology, seed_files: dict[str, str]) -> None:
    nodes = dot_nodes(seed_files["diagrams/topology.dot"])
    assert {workload_id(w.name) for w in seed.workloads} <= nodes


def test_topology_view_has_every_namespace(seed: Topology, seed_files: dict[str, str]) -> None:
    clusters = cluster_text(seed_files["diagrams/topology.dot"])
    assert {f"cluster_sg_{part_id('ns', ns.name)}" for ns in seed.namespaces} <= set(clusters)


def test_policies_edges_with_ports_are_exactly_the_allow_graph(seed: Topology, seed_files: dict[str, str]) -> None:
    assert _drawn_allow_graph(seed_files["diagrams/policies.dot"]) == _allow_graph(seed)


def test_policies_edges_of_the_hostile_topology(nasty: Topology, nasty_files: dict[str, str]) -> None:
    assert _drawn_allow_graph(nasty_files["diagrams/policies.dot"]) == _allow_graph(nasty)


def test_example_policies_are_the_allow_graph(example: Topology) -> None:
    files = by_path(render(planned(example)).artifacts)
    assert _drawn_allow_graph(files["diagrams/policies.dot"]) == _allow_graph(example)


def test_policies_view_draws_dns_once_per_namespace(seed_files: dict[str, str]) -> None:
    dns = [(t, h) for t, h in _dot_links(seed_files["diagrams/policies.dot"]) if h == "dns_kube_dns"]
    assert sorted(dns) == sorted((f"sg_{part_id('ns', ns)}", "dns_kube_dns") for ns in _SEED_APP_NAMESPACES)


def test_policies_view_draws_same_namespace_traffic_from_one_any_pod_node(seed_files: dict[str, str]) -> None:
    links = _dot_links(seed_files["diagrams/policies.dot"])
    data = {"wl_redis", "wl_postgres", "wl_rabbitmq", "wl_pgbouncer"}
    assert {(f"{ANY_POD}orion_data", w) for w in data} <= links
    assert not {(s, t) for s, t in links if s in data and t in data and s != t}


def test_policies_view_is_legible_in_size(seed_files: dict[str, str]) -> None:
    """The allow-graph has 93 peer pairs (the operators' edges among them, KEDA's to the broker and to Prometheus, Headlamp's
    to the API server, the Alertmanager's to PagerDuty, Prometheus's to kube-state-metrics and to the edge gateway); the
    shorthands draw it with at most 77 arrows."""
    assert len(_dot_links(seed_files["diagrams/policies.dot"])) <= 77


@pytest.mark.parametrize("view", VIEWS)
def test_mermaid_and_dot_have_the_same_nodes(seed_files: dict[str, str], view: str) -> None:
    mmd = seed_files[f"diagrams/{view}.mmd"]
    assert set(_MMD_NODE.findall(mmd)) == dot_nodes(seed_files[f"diagrams/{view}.dot"])


@pytest.mark.parametrize("view", VIEWS)
def test_mermaid_and_dot_have_the_same_links(seed_files: dict[str, str], view: str) -> None:
    mmd = seed_files[f"diagrams/{view}.mmd"]
    assert set(_MMD_LINK.findall(mmd)) == _dot_links(seed_files[f"diagrams/{view}.dot"])


def test_mermaid_ids_are_plain_identifiers(seed_files: dict[str, str]) -> None:
    ids = {i for v in VIEWS for i in _MMD_NODE.findall(seed_files[f"diagrams/{v}.mmd"])}
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", i) for i in ids)


def test_a_workload_without_ports_has_no_service_box() -> None:
    analysis = analyze_text(PORTLESS_SPEC)
    assert analysis.topology is not None, analysis.diagnostics
    graph = build_view(analysis.topology, "topology")
    ids = {n.id for n in graph.nodes()}
    assert part_id("svc", "api") in ids and part_id("svc", "w") not in ids
    assert workload_id("w") in ids
