"""Ingress hosts are DNS names the API server accepts: a wildcard only as a leading ``*.`` label.

``host "*"`` is refused by the API server (an Ingress rule's ``host`` is a DNS-1123 subdomain,
optionally after ``*.``); ``orion check`` reports it as E0216 at the host, with how to write it.
"""

from __future__ import annotations

import pytest

from orion_dsl.pipeline import analyze_text

SPEC = """topology shop {{ version "1.0.0" }}
namespace shop {{ service api {{ image "shop/api:1.0"; port http 8080 }} }}
ingress nginx {{ namespace shop; host "{host}" -> api:http }}
"""


def _host_errors(host: str) -> list[str]:
    """The E0216 summaries `check` reports for an ingress with this one host."""
    analysis = analyze_text(SPEC.format(host=host), "shop.orion")
    return [d.summary for d in analysis.diagnostics if d.code == "E0216"]


@pytest.mark.parametrize("host", ["*", "*.", "api.*.example.com", "**.example.com", "api..example.com", "-api.example.com", "api.example.com."])
def test_host_that_is_not_a_dns_name_is_e0216(host: str) -> None:
    assert _host_errors(host) == [f'ingress host "{host}" is not a DNS name Kubernetes accepts']


@pytest.mark.parametrize("host", ["api.example.com", "*.example.com", "localhost"])
def test_dns_name_or_leading_wildcard_label_is_accepted(host: str) -> None:
    analysis = analyze_text(SPEC.format(host=host), "shop.orion")
    assert analysis.ok, [(d.code, d.summary) for d in analysis.diagnostics]


def test_bare_wildcard_host_error_points_at_the_host_and_says_how_to_fix() -> None:
    analysis = analyze_text(SPEC.format(host="*"), "shop.orion")
    (found,) = [d for d in analysis.diagnostics if d.code == "E0216"]
    assert found.span is not None and (found.span.line, found.span.column) == (3, 38)
    assert '"*."' in found.help and "api.example.com" in found.help
