"""The edge reaches what the mesh reaches: a blue-green pair's active colour alone, a version split by its weights,
matches and mirrors to a Service per version, and W0319 for the faults it cannot inject.

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
from orion_dsl.lowering.names import GATEWAY_NAME_LABEL
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of
from tests.support.authz import Request, decide
from tests.support.cookies import HOLDING, NOT_HOLDING, matches
from tests.support.netpol import Pod, allowed_pairs
from tests.support.plans import planned
from tests.support.schemas import NEWEST_K8S, validate_any

from .helpers import SPECS, find, objects, of_kind
from .test_gateway_api import STANDARD_FILTERS, STANDARD_ROUTE_RULE

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


def _versioned(traffic: str) -> str:
    """The versioned spec with the host to reviews and the traffic block given."""
    return VERSIONED.replace("TARGET", "reviews").replace("split v1 90%, v2 10%", traffic)


def _route(text: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    objs = objects(topology_of(text))
    return objs, find(objs, "HTTPRoute", "edge-reviews-http", "shop")


def _reached_by_ref(objs: list[dict[str, Any]], ref: dict[str, Any]) -> set[str]:
    """The Deployments whose pods one backendRef's Service selects."""
    return _reached_by_route(objs, {"metadata": {"namespace": "shop"}, "spec": {"rules": [{"backendRefs": [ref]}]}})


def test_the_route_sends_90_and_10_percent_to_the_services_of_the_two_versions() -> None:
    """Gateway API v1.5.1 (kubernetes-sigs/gateway-api@e7677b70 apis/v1/httproute_types.go): a rule's backendRefs are
    weighted ("Support for weight: Core") and name Services, no subsets; Istio turns each into a destination of the
    Service's host with that weight (istio/istio@56df41f pilot/pkg/config/kube/gateway/conversion.go ``buildHTTPDestination``)."""
    text = _versioned("split v1 90%, v2 10%")
    objs, route = _route(text)
    [rule] = route["spec"]["rules"]
    assert [(r["name"], r["weight"]) for r in rule["backendRefs"]] == [("reviews-v1", 90), ("reviews-v2", 10)]
    assert [_reached_by_ref(objs, r) for r in rule["backendRefs"]] == [{"reviews-v1"}, {"reviews-v2"}]
    assert _reached_by_route(objs, route) == _reached_by_mesh(objs, istio.objects(planned(topology_of(text)))[0], "reviews", "shop")


def test_a_header_match_is_a_rule_before_the_default_rule_to_its_versions_service() -> None:
    """Of two rules of one path the Gateway API picks the one with more header matches, then the first listed
    (httproute_types.go, HTTPRouteRule precedence), as the VirtualService takes its matches before the default route.
    A cookie is the ``Cookie`` header by the VirtualService's regular expression (``RegularExpression``, which Istio makes an
    RE2 ``regex``: conversion.go ``createHeadersMatch``)."""
    text = _versioned('split v1 100%; match header "end-user" "jason" -> v2 { timeout 2s }; match cookie "canary" "yes" -> v2')
    objs, route = _route(text)
    jason, canary, default = route["spec"]["rules"]
    assert jason["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}, "headers": [{"type": "Exact", "name": "end-user", "value": "jason"}]}]
    assert canary["matches"][0]["headers"] == [{"type": "RegularExpression", "name": "Cookie", "value": r"^(.*?;\s*)?(canary=yes)(;.*)?$"}]
    assert [r["backendRefs"] for r in (jason, canary)] == [[{"name": "reviews-v2", "port": 8080}]] * 2
    assert jason["timeouts"] == {"request": "2s"} and "timeouts" not in default
    assert default["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}}]
    assert default["backendRefs"] == [{"name": "reviews-v1", "port": 8080, "weight": 100}]


def test_the_cookie_rule_matches_the_pair_anywhere_in_a_browsers_cookie_header_and_nothing_like_it() -> None:
    """Istio makes the ``RegularExpression`` header match an RE2 ``safe_regex`` (a full match); browsers put ``"; "``
    between pairs (RFC 6265 section 4.2.1), so the pair is matched after a semicolon and white space too."""
    _, route = _route(_versioned('split v1 100%; match cookie "canary" "yes" -> v2'))
    [header] = route["spec"]["rules"][0]["matches"][0]["headers"]
    assert [h for h in HOLDING if not matches(header["value"], h)] == []
    assert [h for h in NOT_HOLDING if matches(header["value"], h)] == []


def test_a_mirror_is_the_rules_request_mirror_filter_to_the_versions_service() -> None:
    """``RequestMirror`` (Extended) with ``percent``, Standard in v1.5.1 (config/crd/standard/..._httproutes.yaml), which
    Istio makes the route's mirror ``percentage`` (conversion.go ``createMirrorFilter``)."""
    objs, route = _route(_versioned("split v1 100%; mirror v2 20%"))
    [rule] = route["spec"]["rules"]
    [mirror] = rule["filters"]
    assert mirror == {"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "reviews-v2", "port": 8080}, "percent": 20}}
    assert _reached_by_ref(objs, mirror["requestMirror"]["backendRef"]) == {"reviews-v2"}


def test_without_a_split_the_default_rule_goes_to_the_service_of_every_version() -> None:
    """As the VirtualService's default route without subsets: every pod the Service selects."""
    _, route = _route(_versioned('match header "end-user" "jason" -> v2'))
    assert route["spec"]["rules"][-1]["backendRefs"] == [{"name": "reviews", "port": 8080}]


@pytest.mark.parametrize(
    "traffic",
    ["split v1 90%, v2 10%", 'split v1 100%; match header "end-user" "jason" -> v2', "split v1 100%; mirror v2 20%"],
    ids=["split", "match", "mirror"],
)
def test_what_the_route_applies_is_not_warned(traffic: str) -> None:
    assert _edge_warnings(_versioned(traffic)) == []


def test_a_fault_is_w0319_at_the_host_naming_it() -> None:
    """The Gateway API has no fault injection: the one thing of the block the edge leaves out."""
    text = _versioned('split v1 90%, v2 10%; match header "end-user" "jason" -> v2 { delay 7s }')
    host_line = text.splitlines().index('ingress edge { namespace shop-edge; host "shop.example.com" -> reviews:http }') + 1
    [warning] = _edge_warnings(text)
    assert warning == (
        f'{host_line}: host "shop.example.com" reaches "reviews" without the faults of its `traffic` block '
        "(delay 7s (100%) for header end-user = jason): the Gateway API has no fault injection, so only the mesh's sidecars inject them"
    )


def test_behind_ingress_nginx_the_whole_block_is_w0319() -> None:
    """ingress-nginx sends to the target's Service, which selects every version's pods."""
    text = _versioned("split v1 90%, v2 10%").replace("ingress edge { namespace shop-edge;", "ingress edge { namespace shop-edge; controller ingress-nginx;")
    [warning] = _edge_warnings(text)
    assert "past its `traffic` block: ingress-nginx sends requests to every version's pods" in warning
    assert not [o for o in objects(topology_of(text)) if o["kind"] == "Service" and o["metadata"]["name"].startswith("reviews-")]


@pytest.mark.parametrize(("count", "refused"), [(15, False), (16, True)])
def test_a_route_of_more_rules_than_an_httproute_holds_is_e0216(count: int, refused: bool) -> None:
    """HTTPRouteSpec.rules has ``MaxItems=16`` (gateway-api@e7677b70 apis/v1/httproute_types.go): the matches and the default rule."""
    matches = "; ".join(f'match header "x-user" "u{i}" -> v2' for i in range(count))
    analysis = analyze_text(_versioned(f"split v1 90%, v2 10%; {matches}"), "versions.orion")
    found = [d.summary for d in analysis.diagnostics if d.code == "E0216"]
    summary = f'host "shop.example.com" reaches "reviews", whose `traffic` block has {count} matches: its HTTPRoute takes at most 15 and the default rule'
    assert found == ([summary] if refused else [])
    if not refused:
        assert analysis.topology is not None
        assert len(find(objects(analysis.topology), "HTTPRoute", "edge-reviews-http", "shop")["spec"]["rules"]) == 16


@pytest.mark.parametrize(("count", "refused"), [(7, False), (8, True)])
def test_a_route_of_more_matches_than_an_httproute_holds_is_e0216(count: int, refused: bool) -> None:
    """The Standard CRD's CEL on ``spec.rules`` (gateway-api@e7677b70 config/crd/standard/
    gateway.networking.k8s.io_httproutes.yaml; tests/schemas/crds/gateway.networking.k8s.io/httproute_v1.json):
    "the total number of matches across all rules in a route must be less than 128", as ``... <= 128``. Each rule
    repeats the 16 paths: 7 matches and the default rule are 128 matches, 8 are 144. The JSON schema has no CEL, so
    the total is counted here on the route ORION writes."""
    prefixes = ", ".join(f'"/p{i}"' for i in range(16))
    matches = "; ".join(f'match header "x-user" "u{i}" -> v2' for i in range(count))
    text = _versioned(f"split v1 90%, v2 10%; {matches}").replace("-> reviews:http }", f"-> reviews:http prefix {prefixes} }}")
    analysis = analyze_text(text, "versions.orion")
    found = [d.summary for d in analysis.diagnostics if d.code == "E0216"]
    summary = (
        f'host "shop.example.com" reaches "reviews" at 16 paths, and its `traffic` block has {count} matches: its HTTPRoute '
        f"would hold {(count + 1) * 16} matches (each of its {count + 1} rules repeats every path), and a route takes at most 128"
    )
    assert found == ([summary] if refused else [])
    if not refused:
        assert analysis.topology is not None
        rules = find(objects(analysis.topology), "HTTPRoute", "edge-reviews-http", "shop")["spec"]["rules"]
        assert sum(len(r["matches"]) for r in rules) == 128


def test_the_gateway_balances_every_service_its_route_sends_to() -> None:
    """Each version Service is a host of its own, so the ingress's ``balance`` (the gateway's DestinationRule beside it)
    covers each host a backendRef or mirror of the route names."""
    topology = topology_of(EVERYTHING)
    route = find(objects(topology), "HTTPRoute", "edge-reviews-http", "shop")
    named = {ref["name"] for rule in route["spec"]["rules"] for ref in rule["backendRefs"]}
    named |= {f["requestMirror"]["backendRef"]["name"] for rule in route["spec"]["rules"] for f in rule.get("filters", [])}
    rules = [o for o in istio.objects(planned(topology))[0] if o["kind"] == "DestinationRule" and o["metadata"]["namespace"] == "shop-edge"]
    balanced = {r["spec"]["host"] for r in rules if r["spec"]["trafficPolicy"]["loadBalancer"] == {"simple": "ROUND_ROBIN"}}
    assert {f"{name}.shop.svc.cluster.local" for name in named} <= balanced


@pytest.mark.parametrize(
    ("match", "refused"),
    [('header "x-user" "a b"', False), ('header "x-user" "a  b"', True), ('header "x user" "ab"', True), ('cookie "user" "j\u00e4son"', True)],
)
def test_a_match_the_route_cannot_carry_is_e0216_at_the_match(match: str, refused: bool) -> None:
    """HTTPHeaderMatch (gateway-api@e7677b70 apis/v1/httproute_types.go): the name is an RFC 7230 token, the value printable
    US-ASCII with single spaces or tabs between; a cookie's name and value are escaped into a regular expression."""
    analysis = analyze_text(_versioned(f"split v1 100%; match {match} -> v2"), "versions.orion")
    assert [d.code for d in analysis.diagnostics if d.code.startswith("E")] == (["E0216"] if refused else [])


def _version_services(text: str) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objects(topology_of(text)) if o["kind"] == "Service" and o["metadata"]["name"].startswith("reviews-"))


def test_version_services_are_made_only_for_the_versions_a_host_route_names() -> None:
    v2 = '    version v2 { image "shop/reviews:2.0" }\n'
    three = VERSIONED.replace(v2, v2 + '    version v3 { image "shop/reviews:3.0" }\n')
    assert _version_services(three.replace("TARGET", "reviews")) == ["reviews-v1", "reviews-v2"]  # v3 gets no share
    assert _version_services(VERSIONED.replace("TARGET", "front")) == []  # no host reaches reviews: the mesh routes it
    assert _version_services(_one_version("split v1 100%; mirror v1 10%")) == []  # one version: its Service selects it alone


def test_the_gateway_reaches_every_versions_pods_through_the_policies() -> None:
    """The version Services select the workload's pods on the same ports, so its NetworkPolicy (tests/support/netpol.py) and
    AuthorizationPolicy (tests/support/authz.py) admit Istio's gateway pods (``gateway.networking.k8s.io/gateway-name``,
    ServiceAccount ``<gateway>-istio``) to every pod a backendRef or mirror names. Istio gives a gateway every Service
    exported to its namespace, without a Sidecar's egress list (istio/istio@56df41f pilot/pkg/model/sidecar.go
    ``DefaultSidecarScopeForGateway``), so the version Services need no import."""
    topology = topology_of(_versioned("split v1 90%, v2 10%; mirror v2 5%"))
    objs = objects(topology)
    route = find(objs, "HTTPRoute", "edge-reviews-http", "shop")
    [rule] = route["spec"]["rules"]
    refs = [*rule["backendRefs"], *(f["requestMirror"]["backendRef"] for f in rule["filters"])]
    reached = set().union(*(_reached_by_ref(objs, r) for r in refs))
    assert reached == {"reviews-v1", "reviews-v2"}
    gateway = Pod("shop-edge", "edge-istio", {GATEWAY_NAME_LABEL: "edge"}, {})
    deployments = of_kind(objs, "Deployment")
    pods = [gateway, *(Pod("shop", d["metadata"]["name"], d["spec"]["template"]["metadata"]["labels"], {"http": (8080, "TCP")}) for d in deployments)]
    policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
    admitted = {dst for src, dst, port, _ in allowed_pairs(pods, {}, policies) if src == "shop-edge/edge-istio" and port == 8080}
    assert admitted >= {f"shop/{name}" for name in reached}
    mesh = istio.objects(planned(topology))[0]
    for d in of_kind(objs, "Deployment"):
        if d["metadata"]["name"] in reached:
            request = Request("cluster.local/ns/shop-edge/sa/edge-istio", None, "shop", d["spec"]["template"]["metadata"]["labels"], 8080)
            assert decide(mesh, request), d["metadata"]["name"]


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


#: Every part of a traffic block the route states, with a timeout of the service's and one of a match's own.
EVERYTHING = _versioned(
    'split v1 90%, v2 10%; mirror v2 20%; match header "end-user" "jason" -> v2 { timeout 1500ms; delay 1s }; match cookie "canary" "yes" -> v1'
).replace("    port http 8080\n    version v1", "    port http 8080\n    resilience { timeout 3s }\n    version v1")


@pytest.mark.parametrize(
    "text",
    [SWITCHED.replace("ACTIVE", "green").replace("MESH", "mesh on"), VERSIONED.replace("TARGET", "reviews"), EVERYTHING],
    ids=["green", "split", "traffic"],
)
def test_the_objects_of_these_specs_validate_against_their_schemas(text: str) -> None:
    """The routes, Services, Deployments and the mesh's objects of the specs above, against the Kubernetes and CRD schemas;
    the routes' rules and filters are Standard ones (the vendored HTTPRoute schema is the experimental channel's)."""
    topology = topology_of(text)
    every = [*objects(topology), *istio.objects(planned(topology))[0]]
    assert {o["kind"] for o in every} >= {"HTTPRoute", "Service", "Deployment", "VirtualService", "DestinationRule"}
    assert [(o["kind"], o["metadata"]["name"], e) for o in every for e in validate_any(o, NEWEST_K8S)] == []
    rules = [r for o in every if o["kind"] == "HTTPRoute" for r in o["spec"]["rules"]]
    assert all(set(r) <= STANDARD_ROUTE_RULE and {f["type"] for f in r.get("filters", [])} <= STANDARD_FILTERS for r in rules)


def test_the_timeouts_are_the_matchs_own_and_else_the_services() -> None:
    """``timeouts.request`` (Extended; Istio's route ``timeout``, conversion.go ``convertHTTPRoute``) in Gateway API
    duration form (GEP-2257: ``1s500ms``)."""
    _, route = _route(EVERYTHING)
    assert [r["timeouts"] for r in route["spec"]["rules"]] == [{"request": "1s500ms"}, {"request": "3s"}, {"request": "3s"}]
