"""A workload without a port gets no ClusterIP Service (the API server refuses one without
ports); a StatefulSet keeps its headless Service, which may have none."""

from __future__ import annotations

from orion_dsl.pipeline import analyze_text
from tests.conftest import PORTLESS_SPEC as SPEC
from tests.support.schemas import NEWEST_K8S, validate_core

from .helpers import objects, of_kind


def _services() -> dict[str, dict[str, object]]:
    analysis = analyze_text(SPEC)
    assert analysis.topology is not None, [d.summary for d in analysis.diagnostics]
    return {o["metadata"]["name"]: o for o in of_kind(objects(analysis.topology), "Service")}


def test_a_workload_without_ports_gets_no_cluster_ip_service() -> None:
    services = _services()
    assert "w" not in services and "s" not in services
    assert services["api"]["spec"]["ports"]  # type: ignore[index]


def test_a_statefulset_without_ports_keeps_a_valid_headless_service() -> None:
    headless = _services()["s-headless"]
    spec = headless["spec"]
    assert spec["clusterIP"] == "None" and spec["ports"] == []  # type: ignore[index]
    assert validate_core(headless, NEWEST_K8S) == []
