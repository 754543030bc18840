"""The edge reaches what the mesh reaches: a blue-green pair's active colour alone, and W0319 where it cannot.

An HTTPRoute's ``backendRefs`` Service becomes a destination of the Service's host with no subset
(istio/istio@86c9f01 pilot/pkg/config/kube/gateway/conversion.go ``buildDestination``, the Service
case), so Istio's Gateway API gateway sends to that Service's endpoints: the pods its selector
matches. The workload's VirtualService has no ``gateways`` field and binds to the sidecars alone
(Istio's VirtualService reference: ``gateways`` defaults to ``mesh``). These tests evaluate the
route the way the cluster does: backendRef -> Service -> selector -> pod templates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orion_dsl.backends import istio
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of
from tests.support.plans import planned
from tests.support.schemas import NEWEST_K8S, validate_any

from .helpers import SPECS, find, objects, of_kind

PODS = ("Deployment", "StatefulSet")


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def _reached_by_route(objs: list[dict[str, Any]], route: dict[str, Any]) -> set[str]:
    """The Deployments and StatefulSets whose pods a route's backends select (a backendRef without a namespace is the route's)."""
    namespace = route["metadata"]["namespace"]
    reached: set[str] = set()
    for rule in route["spec"]["rules"]:
        for ref in rule.get("backendRefs", []):
            service = find(objs, "Service", ref["name"], ref.get("namespace", namespace))
            selector = service["spec"]["selector"]
            for kind in PODS:
                for o in of_kind(objs, kind):
                    if o["metadata"]["namespace"] == service["metadata"]["namespace"] and _matches(selector, o["spec"]["template"]["metadata"]["labels"]):
                        reached.add(o["metadata"]["name"])
    return reached


def _reached_by_mesh(objs: list[dict[str, Any]], mesh: list[dict[str, Any]], service: str, namespace: str) -> set[str]:
    """The Deployments the VirtualService's default route sends a share to (weight above 0), through its DestinationRule's subsets."""
    virtual = next(o for o in mesh if o["kind"] == "VirtualService" and o["metadata"]["name"] == service and o["metadata"]["namespace"] == namespace)
    rule = next(o for o in mesh if o["kind"] == "DestinationRule" and o["metadata"]["name"] == service and o["metadata"]["namespace"] == namespace)
    subsets = {s["name"]: s["labels"] for s in rule["spec"]["subsets"]}
    [default] = [r for r in virtual["spec"]["http"] if r["name"] == "default"]
    chosen = [subsets[d["destination"]["subset"]] for d in default["route"] if d.get("weight", 100) > 0]
    return {o["metadata"]["name"] for o in of_kind(objs, "Deployment") if any(_matches(s, o["spec"]["template"]["metadata"]["labels"]) for s in chosen)}


def test_the_seed_gateway_route_reaches_only_the_active_colours_pods(seed: Topology) -> None:
    """The seed's gateway is blue-green, `active blue`: the public route and the sidecars both reach gateway-blue alone."""
    objs = objects(seed)
    route = find(objs, "HTTPRoute", "edge-gateway-http", "orion-gateway")
    assert _reached_by_route(objs, route) == {"gateway-blue"}
    assert _reached_by_mesh(objs, istio.objects(planned(seed))[0], "gateway", "orion-gateway") == {"gateway-blue"}


SWITCHED = """
topology shop { version "1.0.0" }
network { default deny; dns allow; internet deny; subnet apps 10.0.1.0/24 }
ingress edge { namespace shop-edge; host "shop.example.com" -> web:http }
mesh istio { mtls strict }
namespace shop-edge { subnet apps }
namespace shop {
  subnet apps
  MESH
  service web {
    image "shop/web:1.0"
    port http 8080
    blue_green { blue "1.0"; green "1.1"; active ACTIVE }
  }
}
"""


@pytest.mark.parametrize(("active", "mesh"), [("blue", "mesh on"), ("green", "mesh on"), ("green", "")])
def test_a_switch_moves_the_public_route_to_the_new_active_colour(active: str, mesh: str) -> None:
    objs = objects(topology_of(SWITCHED.replace("ACTIVE", active).replace("MESH", mesh)))
    assert _reached_by_route(objs, find(objs, "HTTPRoute", "edge-web-http", "shop")) == {f"web-{active}"}


VERSIONED = """
topology shop { version "1.0.0" }
network { default deny; dns allow; internet deny; subnet apps 10.0.1.0/24 }
ingress edge { namespace shop-edge; host "shop.example.com" -> TARGET:http }
mesh istio { mtls strict }
namespace shop-edge { subnet apps }
namespace shop {
  subnet apps
  mesh on
  service front { image "shop/front:1.0"; port http 8080; calls reviews:http }
  service reviews {
    image "shop/reviews:1.0"
    port http 8080
    version v1 { image "shop/reviews:1.0" }
    version v2 { image "shop/reviews:2.0" }
    traffic { split v1 90%, v2 10% }
  }
}
"""


def _edge_warnings(text: str) -> list[str]:
    analysis = analyze_text(text, "versions.orion")
    return [f"{d.span.line if d.span else None}: {d.summary}" for d in analysis.diagnostics if d.code == "W0319"]


def test_a_host_to_a_service_that_splits_between_versions_is_w0319_at_the_host() -> None:
    """The split lives in the VirtualService alone: the route reaches both versions' pods, which W0319 says."""
    text = VERSIONED.replace("TARGET", "reviews")
    objs = objects(topology_of(text))
    assert _reached_by_route(objs, find(objs, "HTTPRoute", "edge-reviews-http", "shop")) == {"reviews-v1", "reviews-v2"}
    host_line = text.splitlines().index('ingress edge { namespace shop-edge; host "shop.example.com" -> reviews:http }') + 1
    [warning] = _edge_warnings(text)
    assert warning.startswith(f'{host_line}: host "shop.example.com" reaches "reviews" past its `traffic` block')


def test_a_host_to_an_unversioned_caller_of_the_split_service_is_not_warned() -> None:
    assert _edge_warnings(VERSIONED.replace("TARGET", "front")) == []


def _one_version(traffic: str) -> str:
    """The versioned spec with reviews reduced to v1 and the traffic block given."""
    one = VERSIONED.replace("TARGET", "reviews").replace('    version v2 { image "shop/reviews:2.0" }\n', "")
    return one.replace("split v1 90%, v2 10%", traffic)


def test_a_host_to_a_service_of_one_version_pinned_by_its_split_is_not_warned() -> None:
    """Bookinfo's productpage: one version, `split v1 100%`: every request reaches v1 either way."""
    assert _edge_warnings(_one_version("split v1 100%")) == []


def test_a_fault_of_a_one_version_service_behind_a_host_is_w0319() -> None:
    """The edge injects no fault the block states, even with one version."""
    assert len(_edge_warnings(_one_version("split v1 100%; abort 503 5%"))) == 1


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_the_seed_and_the_examples_have_no_host_past_a_traffic_block(path: Path) -> None:
    """Bookinfo's host goes to productpage (one version), the seed's to blue-green pairs: no W0319 anywhere."""
    assert _edge_warnings(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "text", [SWITCHED.replace("ACTIVE", "green").replace("MESH", "mesh on"), VERSIONED.replace("TARGET", "reviews")], ids=["green", "split"]
)
def test_the_objects_of_these_specs_validate_against_their_schemas(text: str) -> None:
    """The routes, Services, Deployments and the mesh's objects of the specs above, against the Kubernetes and CRD schemas."""
    topology = topology_of(text)
    every = [*objects(topology), *istio.objects(planned(topology))[0]]
    assert {o["kind"] for o in every} >= {"HTTPRoute", "Service", "Deployment", "VirtualService", "DestinationRule"}
    assert [(o["kind"], o["metadata"]["name"], e) for o in every for e in validate_any(o, NEWEST_K8S)] == []
