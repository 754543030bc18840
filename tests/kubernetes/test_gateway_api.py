"""The edge on Istio's Gateway API implementation (``ingress NAME { controller istio }``, the default).

Held to the sources docs/design/edge-gateway-api.md cites: Istio 1.30.3 names a Gateway's
Deployment, Service and ServiceAccount ``<gateway>-istio`` and labels its pods
``gateway.networking.k8s.io/gateway-name``; its ``parametersRef`` ConfigMap takes only the overlay
keys ``deployment``, ``service``, ``serviceAccount``, ``horizontalPodAutoscaler`` and
``podDisruptionBudget``; the fields ORION writes are in Gateway API v1.5.1's Standard channel (the
vendored schemas are v1.6's experimental channel, so a Standard allow-list is tested here).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from orion_dsl.backends import istio
from orion_dsl.lowering.prerequisites import prerequisites
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of
from tests.support.netpol import Cluster, External, Pod
from tests.support.plans import planned

from .helpers import find, objects, of_kind, rendered

#: Istio's overlay keys (pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go at 1.30.3).
OVERLAY_KEYS = {"deployment", "service", "serviceAccount", "horizontalPodAutoscaler", "podDisruptionBudget"}
#: Gateway API v1.5.1 Standard fields ORION may write (config/crd/standard at v1.5.1).
STANDARD_GATEWAY_SPEC = {"gatewayClassName", "addresses", "infrastructure", "listeners", "allowedListeners", "tls"}
STANDARD_LISTENER = {"name", "hostname", "port", "protocol", "tls", "allowedRoutes"}
STANDARD_INFRASTRUCTURE = {"labels", "annotations", "parametersRef"}
STANDARD_ROUTE_RULE = {"name", "matches", "filters", "backendRefs", "timeouts"}
STANDARD_FILTERS = {"RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "RequestRedirect", "URLRewrite", "ExtensionRef", "CORS"}

HTTP01_SPEC = """
topology shop { version "1.0.0" }
network { default deny; dns allow; internet deny; subnet apps 10.0.1.0/24 }
ingress edge {
  namespace shop-edge
  listen 80, 443
  tls { issuer le }
  host "shop.example.com" -> web:http
  host "api.example.com" -> api:http
}
certificates { issuer le { acme "https://acme.example/directory"; email "ops@example.com" } }
mesh istio { mtls strict }
namespace shop-edge { subnet apps }
namespace shop {
  subnet apps
  mesh on
  service web { image "shop/web:1.0"; port http 80 -> 8080 }
  service api { image "shop/api:1.0"; port http 8080 }
}
"""


@pytest.fixture(scope="module")
def http01() -> list[dict[str, Any]]:
    """The objects of a spec whose ingress listens on 80 and 443 with an HTTP-01 issuer."""
    return objects(topology_of(HTTP01_SPEC))


def test_the_seed_ingress_is_an_istio_gateway_with_one_https_listener(seed: Topology) -> None:
    gateway = find(objects(seed), "Gateway", "edge", "orion-ingress")
    spec = gateway["spec"]
    assert spec["gatewayClassName"] == "istio"
    assert "addresses" not in spec  # behind the load balancer "public" (AWS ELB), which assigns it: review-13 F1
    [listener] = spec["listeners"]
    assert (listener["name"], listener["protocol"], listener["port"]) == ("https", "HTTPS", 443)
    assert listener["tls"] == {"mode": "Terminate", "certificateRefs": [{"group": "", "kind": "Secret", "name": "edge-tls"}]}


def test_no_ingress_nginx_object_is_written_for_the_seed(seed: Topology) -> None:
    assert of_kind(objects(seed), "Ingress") == []


def test_the_gateway_options_are_an_istio_overlay_with_the_replicas_and_seccomp(seed: Topology) -> None:
    objs = objects(seed)
    ref = find(objs, "Gateway", "edge")["spec"]["infrastructure"]["parametersRef"]
    assert ref == {"group": "", "kind": "ConfigMap", "name": "edge-options"}
    options = find(objs, "ConfigMap", "edge-options", "orion-ingress")
    assert set(options["data"]) <= OVERLAY_KEYS
    deployment = yaml.safe_load(options["data"]["deployment"])
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["template"]["spec"]["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}


def test_each_service_port_the_hosts_reach_gets_an_http_route_beside_its_service(seed: Topology) -> None:
    routes = {(r["metadata"]["namespace"], r["metadata"]["name"]): r["spec"] for r in of_kind(objects(seed), "HTTPRoute")}
    assert set(routes) == {
        ("orion-gateway", "edge-gateway-http"),
        ("orion-system", "edge-admin-ui-http"),
        ("orion-monitoring", "edge-grafana-metrics"),
    }
    gateway = routes[("orion-gateway", "edge-gateway-http")]
    assert gateway["hostnames"] == ["*.orion.com", "api.orion.com"]
    assert gateway["parentRefs"] == [
        {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "orion-ingress", "name": "edge", "sectionName": "https"}
    ]
    assert gateway["rules"][0]["backendRefs"] == [{"name": "gateway", "port": 3000}]


def test_a_route_names_the_service_port_not_the_container_port(http01: list[dict[str, Any]]) -> None:
    route = find(http01, "HTTPRoute", "edge-web-http", "shop")
    assert route["spec"]["rules"][0]["backendRefs"] == [{"name": "web", "port": 80}]


def test_the_listener_admits_routes_only_from_the_namespaces_of_the_hosts(seed: Topology) -> None:
    [listener] = find(objects(seed), "Gateway", "edge")["spec"]["listeners"]
    [expression] = listener["allowedRoutes"]["namespaces"]["selector"]["matchExpressions"]
    assert expression == {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["orion-gateway", "orion-monitoring", "orion-system"]}


def test_cors_is_the_routes_cors_filter(seed: Topology) -> None:
    route = find(objects(seed), "HTTPRoute", "edge-gateway-http")
    [cors] = route["spec"]["rules"][0]["filters"]
    assert cors["type"] == "CORS"
    assert cors["cors"]["allowOrigins"] == ["https://*.orion.com"]
    assert "OPTIONS" in cors["cors"]["allowMethods"]


def test_one_certificate_holds_every_host_beside_the_gateway(seed: Topology) -> None:
    objs = objects(seed)
    [certificate] = of_kind(objs, "Certificate")
    assert (certificate["metadata"]["namespace"], certificate["spec"]["secretName"]) == ("orion-ingress", "edge-tls")
    assert certificate["spec"]["dnsNames"] == ["*.orion.com", "api.orion.com", "admin.orion.com", "grafana.orion.com"]
    assert not any("cert-manager.io/cluster-issuer" in o["metadata"].get("annotations", {}) for o in objs)


def test_plain_http_beside_https_only_redirects(http01: list[dict[str, Any]]) -> None:
    listeners = {x["name"]: x for x in find(http01, "Gateway", "edge")["spec"]["listeners"]}
    assert listeners["http"]["allowedRoutes"] == {"namespaces": {"from": "Same"}}
    redirect = find(http01, "HTTPRoute", "edge-https-redirect", "shop-edge")["spec"]
    assert redirect["parentRefs"][0]["sectionName"] == "http"
    assert redirect["rules"] == [{"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}]


def test_http01_challenges_are_answered_through_the_gateway(http01: list[dict[str, Any]]) -> None:
    [solver] = find(http01, "ClusterIssuer", "le")["spec"]["acme"]["solvers"]
    parent = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "edge", "namespace": "shop-edge", "sectionName": "http"}
    assert solver == {"http01": {"gatewayHTTPRoute": {"parentRefs": [parent]}}}


def test_the_gateway_objects_use_only_standard_channel_fields(seed: Topology) -> None:
    objs = [*objects(seed), *objects(topology_of(HTTP01_SPEC))]
    for gateway in of_kind(objs, "Gateway"):
        assert set(gateway["spec"]) <= STANDARD_GATEWAY_SPEC
        assert all(set(x) <= STANDARD_LISTENER for x in gateway["spec"]["listeners"])
        assert set(gateway["spec"]["infrastructure"]) <= STANDARD_INFRASTRUCTURE
    for route in of_kind(objs, "HTTPRoute"):
        for rule in route["spec"]["rules"]:
            assert set(rule) <= STANDARD_ROUTE_RULE
            assert {f["type"] for f in rule.get("filters", [])} <= STANDARD_FILTERS


def test_the_gateway_pods_are_admitted_by_their_principal(seed: Topology) -> None:
    objs = istio.objects(planned(seed))[0]
    policy = next(o for o in objs if o["kind"] == "AuthorizationPolicy" and o["metadata"]["name"] == "gateway-allow")
    principals = {p for rule in policy["spec"]["rules"] for source in rule["from"] for p in source["source"].get("principals", [])}
    assert "cluster.local/ns/orion-ingress/sa/edge-istio" in principals


def test_the_ingress_balance_applies_to_the_gateways_traffic_only(seed: Topology) -> None:
    objs = istio.objects(planned(seed))[0]
    rule = next(o for o in objs if o["kind"] == "DestinationRule" and o["metadata"]["name"] == "edge-gateway")
    assert rule["metadata"]["namespace"] == "orion-ingress"
    assert rule["spec"]["exportTo"] == ["."]
    assert rule["spec"]["host"] == "gateway.orion-gateway.svc.cluster.local"
    assert rule["spec"]["trafficPolicy"]["loadBalancer"] == {"simple": "ROUND_ROBIN"}
    own = next(o for o in objs if o["kind"] == "DestinationRule" and o["metadata"]["name"] == "gateway")
    assert own["spec"]["trafficPolicy"]["loadBalancer"] == {"simple": "LEAST_REQUEST"}  # S48: the mesh's callers


def test_no_port_of_a_meshed_workload_accepts_plaintext_or_names_pod_addresses(seed: Topology) -> None:
    text = yaml.safe_dump_all(istio.objects(planned(seed))[0])
    assert "PERMISSIVE" not in text
    assert "ipBlocks" not in text


def test_the_gateway_pods_reach_istiod_and_dns_and_take_traffic_on_443(seed: Topology) -> None:
    objs = objects(seed)
    pods = {"gateway.networking.k8s.io/gateway-name": "edge"}
    inbound = find(objs, "NetworkPolicy", "edge-istio-ingress", "orion-ingress")["spec"]
    assert inbound["podSelector"] == {"matchLabels": pods}
    assert {p["port"] for rule in inbound["ingress"] for p in rule["ports"]} == {443, 15020, 15021}  # 15020: Prometheus (test_gateway_metrics.py)
    outbound = find(objs, "NetworkPolicy", "edge-istio-egress", "orion-ingress")["spec"]
    reached = {
        (peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"], p["port"])
        for rule in outbound["egress"]
        for peer in rule["to"]
        if "namespaceSelector" in peer  # the WAF's registry is an ipBlock (tests/istio/test_gateway_waf.py)
        for p in rule["ports"]
    }
    assert {("istio-system", 15012), ("kube-system", 53), ("orion-gateway", 3000), ("orion-system", 3004)} <= reached


def test_the_gateway_pods_reach_the_http01_solver_and_nothing_else_of_its_namespace(http01: list[dict[str, Any]]) -> None:
    """Let's Encrypt's challenge reaches cert-manager's solver pod through the gateway (review-13 F9).

    The solver listens on 8089 (cert-manager's acmesolver ``--listen-port``) and carries the label
    ``acme.cert-manager.io/http01-solver: "true"`` (pkg/issuer/acme/http/pod.go).
    """
    namespaces = {o["metadata"]["name"]: o["metadata"]["labels"] for o in of_kind(http01, "Namespace")}
    gateway = Pod("shop-edge", "edge-istio-0", {"gateway.networking.k8s.io/gateway-name": "edge"}, {})
    solver = Pod("shop-edge", "cm-acme-http-solver-x", {"acme.cert-manager.io/http01-solver": "true"}, {"http": (8089, "TCP")})
    bystander = Pod("shop-edge", "other", {"app": "other"}, {"http": (8089, "TCP")})
    cluster = Cluster((gateway, solver, bystander), namespaces, of_kind(http01, "NetworkPolicy"))
    assert cluster.allowed(gateway, solver, 8089)
    assert not cluster.allowed(gateway, bystander, 8089)
    assert not cluster.allowed(gateway, solver, 8080)


def test_what_the_gateway_cannot_apply_is_reported(seed: Topology) -> None:
    found = {d.code: d for d in rendered(seed).diagnostics}
    assert "TLSV1_3" in found["I1045"].help
    assert "I1046" not in found  # the rate limit, buffering and compression are the gateway's EnvoyFilter
    assert "I1047" not in found  # the WAF is the gateway's WasmPlugin


def test_ingress_nginx_is_warned_as_retired() -> None:
    analysis = analyze_text(HTTP01_SPEC.replace("namespace shop-edge\n", "controller ingress-nginx\n  namespace shop-edge\n", 1), "shop.orion")
    [warning] = [d for d in analysis.diagnostics if d.code == "W0310"]
    assert warning.span is not None and (warning.span.line, warning.span.column) == (5, 14)
    assert analysis.topology is not None
    assert [o["metadata"]["name"] for o in of_kind(objects(analysis.topology), "Ingress")] == ["edge-shop"]


def test_ingress_nginx_runs_under_orions_network_policies() -> None:
    """The controller resolves names, watches the API server (Ingresses, Services, EndpointSlices, Secrets; 443 or
    6443 at the endpoint) and answers the API server's calls to its admission webhook on 8443 (review-13 F8)."""
    analysis = analyze_text(HTTP01_SPEC.replace("namespace shop-edge\n", "controller ingress-nginx\n  namespace shop-edge\n", 1), "shop.orion")
    assert analysis.topology is not None
    objs = objects(analysis.topology)
    namespaces = {"kube-system": {}, **{o["metadata"]["name"]: o["metadata"]["labels"] for o in of_kind(objs, "Namespace")}}
    controller = Pod("shop-edge", "ingress-nginx-controller-0", {"app.kubernetes.io/name": "ingress-nginx"}, {"webhook": (8443, "TCP")})
    dns = Pod("kube-system", "coredns-0", {"k8s-app": "kube-dns"}, {"dns": (53, "UDP"), "dns-tcp": (53, "TCP")})
    cluster = Cluster((controller, dns), namespaces, of_kind(objs, "NetworkPolicy"))
    api_server, metadata = External("172.20.0.10"), External("169.254.169.254")
    assert cluster.allowed(controller, dns, 53, "UDP") and cluster.allowed(controller, dns, 53)
    assert cluster.allowed(controller, api_server, 443) and cluster.allowed(controller, api_server, 6443)
    assert cluster.allowed(api_server, controller, 8443)
    assert not cluster.allowed(controller, metadata, 443) and not cluster.allowed(metadata, controller, 8443)


BEHIND = HTTP01_SPEC.replace("ingress edge {\n", "edge { cdn front { ranges 198.51.100.0/24, 203.0.113.0/25 } }\ningress edge {\n  behind front\n", 1)


def test_behind_a_cdn_the_gateway_pods_take_the_client_address_past_its_hop(seed: Topology) -> None:
    """Istio copies the infrastructure annotations to the gateway's pods, whose agent applies
    proxy.istio.io/config last (istio pilot/cmd/pilot-agent/config/config.go getMeshConfig): one
    proxy in front, one trusted X-Forwarded-For hop."""
    annotations = find(objects(seed), "Gateway", "edge")["spec"]["infrastructure"]["annotations"]
    assert json.loads(annotations["proxy.istio.io/config"]) == {"gatewayTopology": {"numTrustedProxies": 1}}


def test_behind_a_cdn_the_gateway_service_keeps_client_addresses_and_admits_only_the_cdn() -> None:
    objs = objects(topology_of(BEHIND))
    service = yaml.safe_load(find(objs, "ConfigMap", "edge-options", "shop-edge")["data"]["service"])
    assert service == {"spec": {"externalTrafficPolicy": "Local", "loadBalancerSourceRanges": ["198.51.100.0/24", "203.0.113.0/25"]}}
    inbound = find(objs, "NetworkPolicy", "edge-istio-ingress", "shop-edge")["spec"]["ingress"]
    listeners = [rule for rule in inbound if {p["port"] for p in rule["ports"]} & {80, 443}]
    assert [peer["ipBlock"]["cidr"] for rule in listeners for peer in rule["from"]] == ["198.51.100.0/24", "203.0.113.0/25"]


def test_an_ingress_behind_nothing_trusts_no_forwarded_for(http01: list[dict[str, Any]]) -> None:
    assert "annotations" not in find(http01, "Gateway", "edge")["spec"]["infrastructure"]
    assert set(find(http01, "ConfigMap", "edge-options")["data"]) == {"deployment"}


def test_a_proxy_in_front_without_ranges_is_warned() -> None:
    analysis = analyze_text(BEHIND.replace(" { ranges 198.51.100.0/24, 203.0.113.0/25 }", ""), "shop.orion")
    [warning] = [d for d in analysis.diagnostics if d.code == "W0311"]
    assert warning.span is not None and (warning.span.line, warning.span.column) == (6, 10)
    assert "https://www.cloudflare.com/ips/" in warning.help


def test_behind_an_unknown_proxy_is_an_error_with_did_you_mean() -> None:
    analysis = analyze_text(BEHIND.replace("behind front", "behind frnt"), "shop.orion")
    [error] = [d for d in analysis.diagnostics if d.code == "E0201"]
    assert "frnt" in error.summary and "front" in error.help


def test_behind_a_cdn_and_a_layer_7_load_balancer_the_gateway_trusts_two_hops() -> None:
    """An HTTP load balancer (AWS ALB, GCP's external Application LB) appends the address it was reached from, as
    the CDN does: Envoy skips one X-Forwarded-For entry per such proxy (xff_num_trusted_hops); the innermost
    proxy's ranges are those admitted."""
    text = BEHIND.replace("203.0.113.0/25 }", "203.0.113.0/25 }; load_balancer alb { layer 7; ranges 10.0.1.0/28 }", 1)
    objs = objects(topology_of(text.replace("behind front", "behind front, alb", 1)))
    annotations = find(objs, "Gateway", "edge")["spec"]["infrastructure"]["annotations"]
    assert json.loads(annotations["proxy.istio.io/config"]) == {"gatewayTopology": {"numTrustedProxies": 2}}
    service = yaml.safe_load(find(objs, "ConfigMap", "edge-options", "shop-edge")["data"]["service"])
    assert service["spec"]["loadBalancerSourceRanges"] == ["10.0.1.0/28"]


def test_a_layer_4_load_balancer_behind_the_cdn_is_no_trusted_hop() -> None:
    """A pass-through (layer-4) load balancer, the default, adds no X-Forwarded-For entry: counting it as a hop
    would make Envoy take an entry the client wrote as the client's address. The CDN's ranges stay those
    admitted (the load balancer passes its connections through), and PREREQUISITES.md names the load balancer."""
    text = BEHIND.replace("edge { cdn front", 'edge { load_balancer nlb { description "cloud NLB" }; cdn front', 1)
    topology = topology_of(text.replace("behind front", "behind front, nlb", 1))
    objs = objects(topology)
    annotations = find(objs, "Gateway", "edge")["spec"]["infrastructure"]["annotations"]
    assert json.loads(annotations["proxy.istio.io/config"]) == {"gatewayTopology": {"numTrustedProxies": 1}}
    service = yaml.safe_load(find(objs, "ConfigMap", "edge-options", "shop-edge")["data"]["service"])
    assert service["spec"]["loadBalancerSourceRanges"] == ["198.51.100.0/24", "203.0.113.0/25"]
    features = [f.name for f in prerequisites(planned(topology)).features]
    assert "the load balancer nlb, passing connections through (layer 4), between front and the gateway's Service" in features


def test_a_load_balancer_s_layer_is_4_or_7() -> None:
    text = BEHIND.replace("edge { cdn front", "edge { load_balancer nlb { layer 5 }; cdn front", 1)
    [error] = [d for d in analyze_text(text, "shop.orion").diagnostics if d.code == "E0120"]
    assert "layer 5 is neither 4" in error.summary


def test_behind_only_a_layer_4_load_balancer_the_gateway_trusts_no_forwarded_for() -> None:
    text = BEHIND.replace("edge { cdn front", 'edge { load_balancer nlb { layer 4 }; cdn front', 1)
    analysis = analyze_text(text.replace("behind front", "behind nlb", 1), "shop.orion")
    assert analysis.topology is not None and not [d for d in analysis.diagnostics if d.code == "W0311"]
    objs = objects(analysis.topology)
    assert "annotations" not in find(objs, "Gateway", "edge")["spec"]["infrastructure"]
    assert set(find(objs, "ConfigMap", "edge-options")["data"]) == {"deployment"}


def test_a_cdn_in_front_of_a_private_gateway_address_is_warned_unless_a_load_balancer_is_named_between() -> None:
    """A CDN reaches its origin over the internet: 10.0.1.10 is out of its reach without a public load balancer
    forwarding to it (the seed's Cloudflare -> public LB -> 10.0.1.10)."""
    private = BEHIND.replace("namespace shop-edge\n", "namespace shop-edge\n  address 10.0.1.10\n", 1)
    [warning] = [d for d in analyze_text(private, "shop.orion").diagnostics if d.code == "W0314"]
    assert "10.0.1.10" in warning.summary and "`behind front, public`" in warning.help
    assert warning.span is not None and (warning.span.line, warning.span.column) == (8, 11)
    through = private.replace("edge { cdn front", "edge { load_balancer public { layer 4 }; cdn front", 1).replace("behind front", "behind front, public")
    public = private.replace("10.0.1.10", "93.184.216.34")  # a public address: the CDN connects to it
    for text in (through, public):
        assert not [d.code for d in analyze_text(text, "shop.orion").diagnostics if d.code == "W0314"]


def test_ingress_nginx_behind_a_cdn_reports_its_controller_settings() -> None:
    analysis = analyze_text(BEHIND.replace("namespace shop-edge\n", "controller ingress-nginx\n  namespace shop-edge\n", 1), "shop.orion")
    assert analysis.topology is not None
    [note] = [d for d in rendered(analysis.topology).diagnostics if d.code == "I1049"]
    assert "proxy-real-ip-cidr" in note.help and "198.51.100.0/24,203.0.113.0/25" in note.help


def test_behind_a_cdn_an_exposed_workloads_own_service_still_admits_anyone() -> None:
    """Only the gateway's listeners are narrowed to the CDN: a workload outside the mesh behind its own
    node port is reached from anywhere, as its Service forwards whatever reaches a node."""
    kiosk = 'namespace legacy { subnet apps; service kiosk { image "shop/kiosk:1.0"; port http 8080; service_type node-port } }'
    text = BEHIND.replace("namespace shop {", f"{kiosk}\nnamespace shop {{", 1)
    inbound = find(objects(topology_of(text)), "NetworkPolicy", "kiosk-ingress", "legacy")["spec"]["ingress"]
    assert [rule["from"] for rule in inbound] == [[{"ipBlock": {"cidr": "0.0.0.0/0"}}]]
