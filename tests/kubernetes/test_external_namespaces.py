"""Namespaces ORION does not manage (``namespace NAME external``): referenced, never created or labelled,
and its namespace-wide policies there select only ORION's pods; the namespaces Kubernetes and Istio own are
never written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orion_dsl.backends import istio, kubernetes
from orion_dsl.lowering import Role
from orion_dsl.pipeline import analyze_file, analyze_text
from orion_dsl.semantic.owned import OWNED_NAMESPACES

from .helpers import SPECS, find

SPEC = """
topology t { version "1.0.0" }
mesh istio { mtls permissive }
namespace default external {
  mesh on
  service api { image "x/api:1"; port http 8080 }
}
namespace payments external { service pay { image "x/pay:1"; port http 8080; calls api:http } }
"""
ORION_PODS = {"matchLabels": {"app.kubernetes.io/managed-by": "orion"}}


def _objects(text: str = SPEC) -> list[dict[str, Any]]:
    analysis = analyze_text(text)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return [*kubernetes.objects(analysis.plan)[0], *istio.objects(analysis.plan)[0]]


def _errors(text: str) -> list[str]:
    return [f"{d.code} {d.summary}" for d in analyze_text(text).diagnostics if d.severity.value == "error"]


def test_an_external_namespace_gets_no_namespace_quota_or_limit_range() -> None:
    kinds = {o["kind"] for o in _objects()}
    assert not kinds & {"Namespace", "ResourceQuota", "LimitRange"}


def test_an_external_namespace_is_listed_as_one_the_cluster_provides() -> None:
    plan = analyze_text(SPEC).plan
    assert plan is not None
    assert sorted(e.name for e in plan.of_role(Role.PROVIDED_NAMESPACE)) == ["default", "payments"]


def test_the_default_deny_of_an_external_namespace_selects_only_orion_s_pods() -> None:
    assert find(_objects(), "NetworkPolicy", "default-deny", "payments")["spec"]["podSelector"] == ORION_PODS


def test_the_mesh_wide_objects_of_an_external_namespace_select_only_orion_s_pods() -> None:
    objs = _objects()
    assert find(objs, "AuthorizationPolicy", "allow-nothing", "default")["spec"]["selector"] == ORION_PODS
    assert find(objs, "PeerAuthentication", "default", "default")["spec"]["selector"] == ORION_PODS
    assert find(objs, "Sidecar", "default", "default")["spec"]["workloadSelector"] == {"labels": ORION_PODS["matchLabels"]}


def test_meshed_pods_of_an_external_namespace_ask_for_their_sidecar_themselves() -> None:
    labels = find(_objects(), "Deployment", "api")["spec"]["template"]["metadata"]["labels"]
    assert labels["sidecar.istio.io/inject"] == "true"


def test_labels_or_a_quota_on_an_external_namespace_are_errors() -> None:
    labelled = SPEC.replace("namespace payments external {", 'namespace payments external { labels { team "x" };')
    assert any(e.startswith("E0221 namespace payments is external") for e in _errors(labelled))
    quota = SPEC.replace("namespace payments external {", "namespace payments external { defaults { quota { pods 5 } };")
    assert any(e.startswith("E0221 namespace payments is external") for e in _errors(quota))


def test_a_namespace_kubernetes_owns_may_be_declared_only_as_external() -> None:
    assert any(e.startswith('E0204 namespace "default"') for e in _errors(SPEC.replace("namespace default external", "namespace default")))


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_orion_never_writes_or_labels_a_namespace_kubernetes_or_istio_owns(path: Path) -> None:
    plan = analyze_file(path).plan
    assert plan is not None
    written = {o["metadata"]["name"] for o in kubernetes.objects(plan)[0] if o["kind"] == "Namespace"}
    assert not written & OWNED_NAMESPACES and not any(n.startswith("kube-") for n in written)
