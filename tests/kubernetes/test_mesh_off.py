"""``mesh off``: a workload of a meshed namespace that runs without a sidecar, and what that means for its calls."""

from __future__ import annotations

from typing import Any

from orion_dsl.backends import istio, kubernetes
from orion_dsl.pipeline import analyze_text

from .helpers import find

SPEC = """
topology t { version "1.0.0" }
mesh istio { mtls strict }
namespace web {
  mesh on
  service api { image "x/api:1"; port http 8080 }
  service legacy { image "x/legacy:1"; port http 8080; mesh off; calls api:http }
}
"""


def _objects(text: str = SPEC) -> list[dict[str, Any]]:
    analysis = analyze_text(text)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return [*kubernetes.objects(analysis.plan)[0], *istio.objects(analysis.plan)[0]]


def _codes(text: str) -> list[str]:
    return [d.code for d in analyze_text(text).diagnostics]


def test_a_workload_with_mesh_off_asks_istio_for_no_sidecar() -> None:
    labels = find(_objects(), "Deployment", "legacy")["spec"]["template"]["metadata"]["labels"]
    assert labels["sidecar.istio.io/inject"] == "false"


def test_the_namespace_s_other_workloads_keep_their_sidecar() -> None:
    labels = find(_objects(), "Deployment", "api")["spec"]["template"]["metadata"]["labels"]
    assert "sidecar.istio.io/inject" not in labels


def test_a_workload_outside_the_mesh_gets_no_istio_policies_of_its_own() -> None:
    names = {(o["kind"], o["metadata"]["name"]) for o in _objects()}
    assert ("PeerAuthentication", "legacy") not in names and ("AuthorizationPolicy", "legacy-allow") not in names


def test_a_caller_outside_the_mesh_of_a_strict_callee_is_warned_about() -> None:
    assert "W0307" in _codes(SPEC)


def test_a_caller_outside_the_mesh_with_a_subnet_is_still_warned_about() -> None:
    """Subnets are an address plan, not a pinning: no policy admits a pod by its subnet."""
    spec = SPEC.replace("topology t {", "network { subnet apps 10.0.1.0/24 }\ntopology t {").replace("mesh off;", "mesh off; subnet apps;")
    assert "W0307" in _codes(spec)


def test_mesh_on_in_a_namespace_outside_the_mesh_is_an_error() -> None:
    assert "E0221" in _codes(SPEC.replace("  mesh on\n", "").replace("mesh off;", "mesh on;"))
