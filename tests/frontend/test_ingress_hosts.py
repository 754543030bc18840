"""Ingress hosts are DNS names the API server accepts, a wildcard only as a leading ``*.`` label, or the catch-all ``"*"``.

An Ingress rule's ``host`` and an HTTPRoute's ``hostnames`` are DNS-1123 subdomains, optionally after
``*.``; anything else is E0216 at the host, with how to write it. The catch-all ``host "*"`` (Istio's
Bookinfo gateway) is written as no host at all: a rule without ``host``, a route without
``hostnames``, each of which takes every name (networking.k8s.io/v1 IngressRule.host;
gateway.networking.k8s.io/v1 HTTPRouteSpec.hostnames). A certificate names its hosts, so the
catch-all with `tls` is E0221.
"""

from __future__ import annotations

import pytest
import yaml

from orion_dsl.backends import kubernetes
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of
from tests.support.plans import planned

SPEC = """topology shop {{ version "1.0.0" }}
namespace shop {{ service api {{ image "shop/api:1.0"; port http 8080 }} }}
ingress nginx {{ namespace shop; host "{host}" -> api:http }}
"""


def _host_errors(host: str) -> list[str]:
    """The E0216 summaries `check` reports for an ingress with this one host."""
    analysis = analyze_text(SPEC.format(host=host), "shop.orion")
    return [d.summary for d in analysis.diagnostics if d.code == "E0216"]


@pytest.mark.parametrize("host", ["**", "*.", "api.*.example.com", "**.example.com", "api..example.com", "-api.example.com", "api.example.com."])
def test_host_that_is_not_a_dns_name_is_e0216(host: str) -> None:
    assert _host_errors(host) == [f'ingress host "{host}" is not a DNS name Kubernetes accepts']


@pytest.mark.parametrize("host", ["api.example.com", "*.example.com", "localhost", "*"])
def test_dns_name_or_leading_wildcard_label_is_accepted(host: str) -> None:
    analysis = analyze_text(SPEC.format(host=host), "shop.orion")
    assert analysis.ok, [(d.code, d.summary) for d in analysis.diagnostics]


def test_bare_wildcard_label_error_points_at_the_host_and_says_how_to_fix() -> None:
    analysis = analyze_text(SPEC.format(host="*."), "shop.orion")
    (found,) = [d for d in analysis.diagnostics if d.code == "E0216"]
    assert found.span is not None and (found.span.line, found.span.column) == (3, 38)
    assert '"*."' in found.help and "api.example.com" in found.help


@pytest.mark.parametrize("controller", ["istio", "ingress-nginx"])
def test_the_catch_all_host_is_written_as_no_host_so_every_name_reaches_its_target(controller: str) -> None:
    text = SPEC.format(host="*").replace("namespace shop;", f"namespace shop; controller {controller}; listen 80;")
    objects = [o for o in yaml.safe_load_all(kubernetes.render(planned(topology_of(text))).stream) if o]
    (route,) = [o for o in objects if o["kind"] in {"HTTPRoute", "Ingress"}]
    if route["kind"] == "HTTPRoute":
        assert "hostnames" not in route["spec"] and route["spec"]["rules"][0]["backendRefs"] == [{"name": "api", "port": 8080}]
    else:
        assert [rule.get("host") for rule in route["spec"]["rules"]] == [None]


def test_the_catch_all_host_with_tls_is_e0221_at_the_host() -> None:
    text = SPEC.format(host="*").replace("namespace shop;", "namespace shop; listen 80, 443; tls { issuer le };") + (
        'certificates { issuer le { acme "https://acme-v02.api.letsencrypt.org/directory"; email "ops@example.com" } }\n'
    )
    (found,) = [d for d in analyze_text(text, "shop.orion").diagnostics if d.is_error]
    assert found.code == "E0221" and found.span is not None and found.span.line == 3 and "*" in found.summary
