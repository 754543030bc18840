"""A node-port or load-balancer Service admits the internet on its workload's container ports when the
workload is outside the mesh (the ``exposed`` edge of the allow-graph, evaluated through the generated
NetworkPolicies with tests/support/netpol.py, and drawn from the internet in the topology and ingress-egress
views); on a meshed workload it is E0221, since Istio refuses clients without an mTLS identity, and the help
points at the ingress."""

from __future__ import annotations

from typing import Any

import yaml

from orion_dsl.backends import kubernetes
from orion_dsl.pipeline import analyze_text
from orion_dsl.views import ingress_egress as ingress_egress_view
from orion_dsl.views import topology as topology_view
from orion_dsl.views.common import INTERNET_ID
from tests.conftest import NETWORK
from tests.support.netpol import External, Pod, allowed_pairs
from tests.support.plans import planned

OUTSIDE = External("203.0.113.10")  # TEST-NET-3: a client on the internet
SPEC = (
    NETWORK
    + """namespace shop {
  subnet apps
  service front { image "shop/front:1.0"; port http 80 -> 8080 node_port 30080; service_type node-port; calls api:http }
  service edge { image "shop/edge:1.0"; port http 8443; port admin 9000; service_type load-balancer }
  service api { image "shop/api:1.0"; port http 8080 }
}
"""
)
MESHED = SPEC.replace("namespace shop {", "mesh istio { mtls strict }\nnamespace shop {\n  mesh on", 1)


def _objects(text: str) -> list[dict[str, Any]]:
    analysis = analyze_text(text)
    assert analysis.topology is not None, [d.summary for d in analysis.diagnostics]
    return [d for d in yaml.safe_load_all(kubernetes.render(planned(analysis.topology)).stream) if d]


def _pods(objects: list[dict[str, Any]]) -> list[Pod]:
    return [
        Pod(
            o["metadata"]["namespace"],
            o["metadata"]["name"],
            o["spec"]["template"]["metadata"]["labels"],
            {p["name"]: (p["containerPort"], p["protocol"]) for c in o["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])},
        )
        for o in objects
        if o["kind"] == "Deployment"
    ]


def _from_outside(objects: list[dict[str, Any]]) -> set[tuple[str, int]]:
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    pairs = allowed_pairs(_pods(objects), {}, policies, candidate_ports=[(80, "TCP"), (30080, "TCP")], externals=[OUTSIDE])
    return {(dst.split("/")[1], port) for src, dst, port, _ in pairs if src == OUTSIDE.ip}


def test_outside_the_mesh_the_internet_reaches_node_port_and_load_balancer_workloads_on_their_container_ports_only() -> None:
    assert _from_outside(_objects(SPEC)) == {("front", 8080), ("edge", 8443), ("edge", 9000)}


def test_the_allow_graph_draws_the_exposed_edges_from_the_internet() -> None:
    analysis = analyze_text(SPEC)
    assert analysis.topology is not None
    edges = {(e.source.kind, e.target.name, e.port.number) for e in analysis.topology.allow_graph.edges if e.rule == "exposed"}
    assert edges == {("internet", "front", 8080), ("internet", "edge", 8443), ("internet", "edge", 9000)}


def test_a_workload_taken_out_of_a_meshed_namespace_is_exposed_and_nothing_is_reported() -> None:
    text = MESHED.replace("service_type load-balancer }", "service_type load-balancer; mesh off }").replace(
        " node_port 30080; service_type node-port; calls api:http", "; calls api:http"
    )
    analysis = analyze_text(text)
    assert [d.code for d in analysis.diagnostics if d.code.startswith(("E", "W"))] == []
    assert _from_outside(_objects(text)) == {("edge", 8443), ("edge", 9000)}


def test_a_meshed_node_port_or_load_balancer_service_is_an_error_that_points_at_the_ingress() -> None:
    errors = [d for d in analyze_text(MESHED).diagnostics if d.code == "E0221"]
    assert [d.summary.split(" is in the mesh")[0] for d in errors] == ["front", "edge"]
    assert all("`ingress`" in d.help and "`mesh off`" in d.help for d in errors)


def test_the_topology_and_ingress_egress_views_draw_the_internet_reaching_the_exposed_services() -> None:
    analysis = analyze_text(SPEC)
    assert analysis.topology is not None
    for view in (topology_view, ingress_egress_view):
        links = {(link.source, link.target, link.label) for link in view.build(analysis.topology).links if link.source == INTERNET_ID}
        assert links == {(INTERNET_ID, "svc_front", "NodePort :80 (node 30080)"), (INTERNET_ID, "svc_edge", "LoadBalancer :8443, :9000")}, view.__name__
