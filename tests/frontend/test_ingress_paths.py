"""An ingress host's ``paths``: which of its paths reach the target (Istio's Bookinfo gateway routes five).

A path is exact, or ends in ``/*`` for it and every path below it, by segment: the Gateway API's
``Exact`` and ``PathPrefix`` (gateway.networking.k8s.io/v1 HTTPPathMatch), an Ingress's ``Exact`` and
``Prefix`` (networking.k8s.io/v1 HTTPIngressPath). The HTTPRoute CRD's validation refuses a path with
``//``, ``/./``, ``/../``, ``#`` or an encoded ``/``, and takes at most 64 matches per rule: E0216. Hosts
that reach one Service port share its HTTPRoute, whose ``hostnames`` hold for all its rules, so under
Istio's gateway they route the same paths (E0221).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from orion_dsl.backends import kubernetes
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of
from tests.support.plans import planned

SPEC = """topology shop {{ version "1.0.0" }}
namespace shop {{ service api {{ image "shop/api:1.0"; port http 8080; port admin 9000 }} }}
ingress edge {{
  namespace shop
  controller {controller}
  listen 80
  {hosts}
}}
"""


def _route(controller: str, hosts: str) -> dict[str, Any]:
    text = SPEC.format(controller=controller, hosts=hosts)
    (route,) = [o for o in yaml.safe_load_all(kubernetes.render(planned(topology_of(text))).stream) if o and o["kind"] in {"HTTPRoute", "Ingress"}]
    return route


def _errors(hosts: str) -> list[tuple[str, str]]:
    return [(d.code, d.summary) for d in analyze_text(SPEC.format(controller="istio", hosts=hosts), "shop.orion").diagnostics if d.is_error]


def test_the_gateway_route_matches_each_path_exactly_or_below_it_in_the_order_written() -> None:
    route = _route("istio", 'host "shop.example.com" -> api:http { paths "/login", "/static/*", "/*" }')
    (rule,) = route["spec"]["rules"]
    assert [m["path"] for m in rule["matches"]] == [
        {"type": "Exact", "value": "/login"},
        {"type": "PathPrefix", "value": "/static"},
        {"type": "PathPrefix", "value": "/"},
    ]


def test_a_host_without_paths_routes_every_path() -> None:
    (rule,) = _route("istio", 'host "shop.example.com" -> api:http')["spec"]["rules"]
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}}]


def test_an_ingress_nginx_rule_lists_the_paths_of_its_host_with_their_types() -> None:
    route = _route("ingress-nginx", 'host "shop.example.com" -> api:http paths "/login", "/api/*"')
    (rule,) = route["spec"]["rules"]
    assert [(p["path"], p["pathType"]) for p in rule["http"]["paths"]] == [("/login", "Exact"), ("/api", "Prefix")]


@pytest.mark.parametrize("path", ["login", "/a//b", "/a/./b", "/a/../b", "/a#b", "/a%2Fb", "/a*", "/*/b", "/a b", "/a/.."])
def test_a_path_the_gateway_cannot_match_is_e0216(path: str) -> None:
    assert _errors(f'host "shop.example.com" -> api:http {{ paths "{path}" }}') == [("E0216", f'the ingress path "{path}" is not a path the gateway can match')]


def test_more_paths_than_a_route_rule_matches_is_e0216() -> None:
    paths = ", ".join(f'"/p{i}"' for i in range(65))
    assert _errors(f'host "shop.example.com" -> api:http {{ paths {paths} }}') == [("E0216", "65 paths: the Gateway API matches at most 64 per route rule")]


def test_hosts_of_one_port_with_other_paths_are_e0221_and_of_other_ports_are_not() -> None:
    same_port = 'host "a.example.com" -> api:http { paths "/a" }\n  host "b.example.com" -> api:http'
    (found,) = _errors(same_port)
    assert found[0] == "E0221" and '"b.example.com"' in found[1]
    assert _errors('host "a.example.com" -> api:http { paths "/a" }\n  host "b.example.com" -> api:admin') == []
