"""An ingress host may send only some paths to its target (issue 14): Istio's bookinfo sends `/productpage`, `/login`,
`/logout` (Exact) and `/static`, `/api/v1/products` (PathPrefix) to productpage (istio/istio
samples/bookinfo/gateway-api/bookinfo-gateway.yaml). The Gateway API's HTTPRoute matches them (HTTPPathMatch of
gateway-api v1.5.1: Exact or PathPrefix, and per request the route of the exact path, else of the longest prefix,
wins); ingress-nginx's Ingress lists them with their pathType."""

from __future__ import annotations

from typing import Any

from orion_dsl.pipeline import analyze_text
from tests.support.schemas import NEWEST_K8S, validate_core, validate_crd

from .helpers import find, objects

SPEC = """
topology bookinfo {{ version "1.0.0"; kubernetes "1.32"; istio "1.30" }}
network {{ default deny; dns allow; internet deny; subnet apps 10.0.1.0/24; subnet edge 10.0.2.0/24 }}
mesh istio {{ mtls strict }}
ingress edge {{
  {controller}
  namespace bookinfo-ingress
  subnet edge
  listen 80
  {hosts}
}}
namespace bookinfo-ingress {{ subnet edge; mesh on }}
namespace bookinfo {{
  subnet apps
  mesh on
  service productpage {{ image "docker.io/istio/examples-bookinfo-productpage-v1:1.20.3"; port http 9080 }}
  service details {{ image "docker.io/istio/examples-bookinfo-details-v1:1.20.3"; port http 9080; port admin 9090 }}
}}
"""
BOOKINFO = """host "bookinfo.example.com" -> productpage:http exact "/productpage", "/login", "/logout" prefix "/static", "/api/v1/products"
  host "bookinfo.example.com" -> details:http"""


def _objects(hosts: str = BOOKINFO, controller: str = "") -> list[dict[str, Any]]:
    analysis = analyze_text(SPEC.format(hosts=hosts, controller=controller))
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics if d.is_error]
    return objects(analysis.plan.topology)


def _errors(hosts: str, controller: str = "") -> list[str]:
    return [d.code for d in analyze_text(SPEC.format(hosts=hosts, controller=controller)).diagnostics if d.is_error]


def test_a_hosts_paths_are_its_routes_matches_and_a_host_without_paths_keeps_every_path() -> None:
    objs = _objects()
    productpage = find(objs, "HTTPRoute", "edge-productpage-http")
    (rule,) = productpage["spec"]["rules"]
    assert [(m["path"]["type"], m["path"]["value"]) for m in rule["matches"]] == [
        ("PathPrefix", "/static"),
        ("PathPrefix", "/api/v1/products"),
        ("Exact", "/productpage"),
        ("Exact", "/login"),
        ("Exact", "/logout"),
    ]
    (details,) = find(objs, "HTTPRoute", "edge-details-http")["spec"]["rules"]
    assert details["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}}]
    assert validate_crd(productpage) == []


def test_ingress_nginx_lists_each_hosts_paths_with_their_path_type_under_one_rule_per_host() -> None:
    ingress = find(_objects(controller="controller ingress-nginx"), "Ingress", "edge-bookinfo")
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "bookinfo.example.com"
    assert [(p["pathType"], p["path"], p["backend"]["service"]["name"]) for p in rule["http"]["paths"]] == [
        ("Prefix", "/static", "productpage"),
        ("Prefix", "/api/v1/products", "productpage"),
        ("Exact", "/productpage", "productpage"),
        ("Exact", "/login", "productpage"),
        ("Exact", "/logout", "productpage"),
        ("Prefix", "/", "details"),
    ]
    assert validate_core(ingress, NEWEST_K8S) == []


def test_one_host_and_path_twice_is_refused_as_is_one_host_twice_without_paths() -> None:
    assert _errors('host "a.example.com" -> details:http prefix "/x"\n  host "a.example.com" -> productpage:http prefix "/x"') == ["E0203"]
    assert _errors('host "a.example.com" -> details:http\n  host "a.example.com" -> productpage:http') == ["E0203"]


def test_hosts_of_one_route_that_state_other_paths_are_refused_since_a_routes_matches_serve_every_hostname() -> None:
    hosts = 'host "a.example.com" -> details:http prefix "/details"\n  host "b.example.com" -> details:http'
    assert _errors(hosts) == ["E0221"]
    assert _errors(hosts, "controller ingress-nginx") == []
    assert _errors('host "a.example.com" -> details:http prefix "/details"\n  host "b.example.com" -> details:admin') == []


def test_a_path_the_gateway_api_refuses_is_an_error() -> None:
    for path in ("api", "/a//b", "/a/../b", "/a/.", "/a%2Fb", "/a b", "/a?b"):
        assert _errors(f'host "a.example.com" -> details:http prefix "{path}"') == ["E0216"], path
