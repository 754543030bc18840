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


def test_one_host_and_path_twice_names_the_host_and_the_path_it_routes_twice() -> None:
    hosts = 'host "a.example.com" -> details:http prefix "/x"\n  host "a.example.com" -> productpage:http prefix "/x"'
    diagnostics = analyze_text(SPEC.format(hosts=hosts, controller="")).diagnostics
    (twice,) = [d for d in diagnostics if d.is_error]
    assert twice.summary == 'ingress host "a.example.com" routes prefix /x twice'
    assert twice.span.line == 11 and twice.related[0].span.line == 10


def _matches(route: dict[str, Any]) -> list[tuple[str, str]]:
    (rule,) = route["spec"]["rules"]
    return [(m["path"]["type"], m["path"]["value"]) for m in rule["matches"]]


def test_lines_of_one_host_to_one_port_fold_into_the_matches_of_one_route() -> None:
    objs = _objects('host "a.example.com" -> details:http prefix "/details"\n  host "a.example.com" -> details:http exact "/health"')
    routes = [o for o in objs if o["kind"] == "HTTPRoute"]
    assert [r["metadata"]["name"] for r in routes] == ["edge-details-http"]
    assert _matches(routes[0]) == [("PathPrefix", "/details"), ("Exact", "/health")]
    assert routes[0]["spec"]["hostnames"] == ["a.example.com"]


def test_a_line_of_every_path_folds_the_hosts_other_lines_to_that_port_into_the_prefix_slash() -> None:
    objs = _objects('host "a.example.com" -> details:http prefix "/details"\n  host "a.example.com" -> details:http\n  host "b.example.com" -> details:http')
    (route,) = [o for o in objs if o["kind"] == "HTTPRoute"]
    assert _matches(route) == [("PathPrefix", "/")]
    assert route["spec"]["hostnames"] == ["a.example.com", "b.example.com"]


def test_hosts_of_one_port_with_other_paths_get_one_route_each_so_no_host_gets_the_others_paths() -> None:
    """A route's matches serve all its hostnames (HTTPRouteSpec, Gateway API v1.5.1): hosts of other paths to one
    port cannot share one, and one per set of paths keeps each host to its own."""
    hosts = "\n  ".join(
        (
            'host "a.example.com" -> details:http prefix "/details"',
            'host "b.example.com" -> details:http',
            'host "c.example.com" -> details:http prefix "/details"',
        )
    )
    routes = {o["metadata"]["name"]: o for o in _objects(hosts) if o["kind"] == "HTTPRoute"}
    assert list(routes) == ["edge-details-http", "edge-details-http-2"]
    assert routes["edge-details-http"]["spec"]["hostnames"] == ["a.example.com", "c.example.com"]
    assert _matches(routes["edge-details-http"]) == [("PathPrefix", "/details")]
    assert routes["edge-details-http-2"]["spec"]["hostnames"] == ["b.example.com"]
    assert _matches(routes["edge-details-http-2"]) == [("PathPrefix", "/")]
    assert all(validate_crd(r) == [] for r in routes.values())
    assert _errors(hosts, "controller ingress-nginx") == []


def test_more_than_64_paths_of_one_host_to_one_port_are_an_error_though_written_on_two_lines() -> None:
    first = ", ".join(f'"/a{i}"' for i in range(40))
    second = ", ".join(f'"/b{i}"' for i in range(30))
    assert _errors(f'host "a.example.com" -> details:http prefix {first}\n  host "a.example.com" -> details:http prefix {second}') == ["E0216"]
    assert _errors(f'host "a.example.com" -> details:http prefix {first}\n  host "b.example.com" -> details:http prefix {second}') == []


def test_a_path_the_gateway_api_refuses_is_an_error() -> None:
    for path in ("api", "/a//b", "/a/../b", "/a/.", "/a%2Fb", "/a b", "/a?b"):
        assert _errors(f'host "a.example.com" -> details:http prefix "{path}"') == ["E0216"], path


def test_a_path_longer_than_an_httproute_takes_is_an_error() -> None:
    """HTTPPathMatch.value has ``maxLength: 1024`` (tests/schemas/crds httproute_v1.json, gateway-api v1.5.1)."""
    assert _errors(f'host "a.example.com" -> details:http prefix "/{"a" * 1023}"') == []
    assert _errors(f'host "a.example.com" -> details:http prefix "/{"a" * 1024}"') == ["E0216"]


def test_ingress_nginx_refuses_exact_and_prefix_paths_of_other_characters_than_its_strict_set() -> None:
    """ingress-nginx's admission webhook admits an Exact or Prefix path of letters, digits, "/", "_" and "-" alone
    (``strict-validate-path-type``, default true: kubernetes/ingress-nginx internal/ingress/controller/config/config.go;
    https://kubernetes.github.io/ingress-nginx/faq/#validation-of-path). The Gateway API takes them."""
    nginx = "controller ingress-nginx"
    for path in ("/v1.0", "/static/app.js", "/a~b", "/a:b", "/%41"):
        assert _errors(f'host "a.example.com" -> details:http exact "{path}"', nginx) == ["E0216"], path
        assert _errors(f'host "a.example.com" -> details:http exact "{path}"') == [], path
    assert _errors('host "a.example.com" -> details:http prefix "/api_v1/some-thing/X9"', nginx) == []
    diagnostics = analyze_text(SPEC.format(hosts='host "a.example.com" -> details:http prefix "/v1.0"', controller=nginx)).diagnostics
    (refused,) = [d for d in diagnostics if d.is_error]
    assert "ingress-nginx" in refused.summary and '"."' in refused.summary and refused.help
