"""``env NAME address WORKLOAD:PORT`` declares the call its value names: in the mesh, the target's
AuthorizationPolicy admits the caller's identity on that port, and no other port."""

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
  service front { image "shop/front:1.0"; port http 8080; env CATALOG_ADDR address catalog:grpc }
  service catalog { image "shop/catalog:1.0"; port grpc 80 -> 3550; port admin 9000 }
}
"""


@functools.cache
def _documents() -> tuple[dict[str, Any], ...]:
    analysis = analyze_text(SPEC)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return tuple(documents(render(analysis.plan)))


def test_the_address_target_admits_the_caller_on_the_addressed_port_only() -> None:
    rules = find(list(_documents()), "AuthorizationPolicy", "catalog-allow", "web")["spec"]["rules"]
    admitted = {(p, port) for r in rules for f in r["from"] for p in f["source"]["principals"] for t in r["to"] for port in t["operation"]["ports"]}
    assert admitted == {("cluster.local/ns/web/sa/front", "3550")}
