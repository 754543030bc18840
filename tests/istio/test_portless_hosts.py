"""A meshed workload without ports has no Service, so no DestinationRule or VirtualService names its host."""

from __future__ import annotations

from orion_dsl.backends.istio import render
from orion_dsl.pipeline import analyze_text
from tests.istio.conftest import documents

SPEC = """
topology t { version "1" }
mesh istio { mtls strict }
namespace a {
  mesh on
  service w { image "x:1"; load_balancing ip-hash; resilience { timeout 2s } }
  statefulset s { image "x:1" }
  service api { image "x:1"; port http 8080 }
}
"""


def test_no_traffic_object_routes_to_a_workload_without_ports() -> None:
    analysis = analyze_text(SPEC)
    assert analysis.topology is not None, [d.summary for d in analysis.diagnostics]
    traffic = [o for o in documents(render(analysis.plan)) if o["kind"] in ("DestinationRule", "VirtualService")]
    assert {(o["kind"], o["metadata"]["name"]) for o in traffic} == {("DestinationRule", "api")}
