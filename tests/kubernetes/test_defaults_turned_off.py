"""``probes none`` and ``resources none``: what ORION adds on its own, turned off where the spec says so, with a warning."""

from __future__ import annotations

from typing import Any

from orion_dsl.backends import kubernetes
from orion_dsl.pipeline import analyze_text
from tests.support.schemas import NEWEST_K8S, validate_core

from .helpers import find

SPEC = """
topology t { version "1.0.0" }
defaults { probes none }
namespace web {
  service api { image "x/api:1"; port http 8080; resources none; sidecar agent { image "x/agent:1"; port admin 9090 } }
  service checked { image "x/checked:1"; port http 8080; probes { liveness http "/healthz" } }
}
"""


def _deployment(name: str, text: str = SPEC) -> dict[str, Any]:
    analysis = analyze_text(text)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return find(list(kubernetes.objects(analysis.plan)[0]), "Deployment", name)


def _containers(name: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in _deployment(name)["spec"]["template"]["spec"]["containers"]}


def test_probes_none_writes_no_probe_on_any_container_sidecars_included() -> None:
    for container in _containers("api").values():
        assert not {k for k in container if k.endswith("Probe")}


def test_resources_none_writes_no_requests_or_limits_on_that_container_only() -> None:
    containers = _containers("api")
    assert "resources" not in containers["api"] and "resources" in containers["agent"]


def test_a_workload_s_own_probes_replace_the_defaults_probes_none() -> None:
    assert "livenessProbe" in _containers("checked")["checked"]


def test_turning_a_default_off_is_a_warning() -> None:
    warnings = [d.summary for d in analyze_text(SPEC).diagnostics if d.code == "W0308"]
    assert any("no health checks" in w for w in warnings) and any("no requests or limits" in w for w in warnings)


def test_a_deployment_without_probes_or_resources_passes_the_schema() -> None:
    assert validate_core(_deployment("api"), NEWEST_K8S) == []
