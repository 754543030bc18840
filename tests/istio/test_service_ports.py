"""A Service port different from the container port (``port http 80 -> 8080``) in the mesh: a
route's port match is the Service port the caller addresses, an AuthorizationPolicy names the
container port the sidecar sees."""

from __future__ import annotations

import functools
from typing import Any

from orion_dsl.backends.istio import render
from orion_dsl.pipeline import analyze_text
from tests.istio.conftest import documents, find

SPEC = """
topology t { version "1" }
mesh istio { mtls strict }
network { default deny; dns allow; internet deny; subnet apps 10.0.1.0/24 }
namespace web {
  subnet apps
  mesh on
  service gateway {
    image "shop/gateway:1.0"
    port http 8000
    volume config config-map "gateway-config" at "/etc/gateway"
    route "/api/*" -> api:http
  }
  service api { image "shop/api:1.0"; port http 80 -> 8080 }
}
"""


@functools.cache
def _documents() -> tuple[dict[str, Any], ...]:
    analysis = analyze_text(SPEC)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return tuple(documents(render(analysis.plan)))


def test_the_route_matches_the_service_port() -> None:
    http = find(list(_documents()), "VirtualService", "api", "web")["spec"]["http"]
    assert [h["match"][0]["port"] for h in http if "match" in h] == [80]


def test_the_authorization_policy_names_the_container_port() -> None:
    policies = [d for d in _documents() if d["kind"] == "AuthorizationPolicy" and d["metadata"]["name"].startswith("api")]
    ports = {p for d in policies for r in d["spec"].get("rules", []) for t in r.get("to", []) for p in t["operation"].get("ports", [])}
    assert ports == {"8080"}
