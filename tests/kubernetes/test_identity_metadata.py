"""Identity and metadata a spec states: ServiceAccount names (shared ones too, with the mTLS principals
that follow them), and labels and annotations on workloads and pods with prefixed, quoted keys."""

from __future__ import annotations

from typing import Any

from orion_dsl.backends import istio, kubernetes
from orion_dsl.pipeline import analyze_text
from tests.support.schemas import NEWEST_K8S, validate_core

from .helpers import find, of_kind

SPEC = """
topology shop { version "1.0.0" }
mesh istio { mtls strict }
namespace web {
  mesh on
  defaults { service_account "shop"; labels { "example.com/team" "payments" } }
  service api {
    image "x/api:1"; port http 8080; calls db:http
    labels { tier "web"; "example.com/team" "checkout" }
    annotations { "example.com/owner" "ops@example.com" }
    pod_annotations { "cluster-autoscaler.kubernetes.io/safe-to-evict" "true" }
  }
  service worker { image "x/worker:1"; port http 8080; calls db:http }
  service db { image "x/db:1"; port http 8080; service_account "db-sa" }
}
"""


def _objects(text: str = SPEC) -> list[dict[str, Any]]:
    analysis = analyze_text(text)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return [*kubernetes.objects(analysis.plan)[0], *istio.objects(analysis.plan)[0]]


def _errors(text: str) -> list[str]:
    return [f"{d.code} {d.summary}" for d in analyze_text(text).diagnostics if d.severity.value == "error"]


def test_workloads_that_name_one_service_account_share_one_object() -> None:
    accounts = sorted(o["metadata"]["name"] for o in of_kind(_objects(), "ServiceAccount"))
    assert accounts == ["db-sa", "shop"]


def test_pods_run_as_the_service_account_the_spec_names() -> None:
    objs = _objects()
    names = {n: find(objs, "Deployment", n)["spec"]["template"]["spec"]["serviceAccountName"] for n in ("api", "worker", "db")}
    assert names == {"api": "shop", "worker": "shop", "db": "db-sa"}


def test_authorization_policies_admit_the_principal_of_the_named_account() -> None:
    policy = find(_objects(), "AuthorizationPolicy", "db-allow")
    principals = [p for rule in policy["spec"]["rules"] for f in rule["from"] for p in f["source"]["principals"]]
    assert principals == ["cluster.local/ns/web/sa/shop"]


def test_labels_go_on_the_workload_and_its_pods_and_the_workload_overrides_the_defaults() -> None:
    deployment = find(_objects(), "Deployment", "api")
    for labels in (deployment["metadata"]["labels"], deployment["spec"]["template"]["metadata"]["labels"]):
        assert labels["example.com/team"] == "checkout" and labels["tier"] == "web"
        assert labels["app.kubernetes.io/name"] == "api"


def test_annotations_go_on_the_workload_and_pod_annotations_on_its_pods() -> None:
    deployment = find(_objects(), "Deployment", "api")
    assert deployment["metadata"]["annotations"] == {"example.com/owner": "ops@example.com"}
    assert deployment["spec"]["template"]["metadata"]["annotations"] == {"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"}


def test_objects_with_the_spec_s_metadata_pass_the_schemas() -> None:
    objs = _objects()
    for o in (find(objs, "Deployment", "api"), find(objs, "ServiceAccount", "shop")):
        assert validate_core(o, NEWEST_K8S) == []


def test_a_label_may_not_set_orion_s_selector_label() -> None:
    spec = SPEC.replace('tier "web"', '"app.kubernetes.io/name" "other"')
    assert any(e.startswith('E0204 `labels` may not set "app.kubernetes.io/name"') for e in _errors(spec))


def test_a_pod_annotation_may_not_decide_sidecar_injection() -> None:
    spec = SPEC.replace('"cluster-autoscaler.kubernetes.io/safe-to-evict" "true"', '"sidecar.istio.io/inject" "false"')
    assert any(e.startswith('E0204 `pod_annotations` may not set "sidecar.istio.io/inject"') for e in _errors(spec))


def test_a_label_key_with_a_prefix_that_is_no_dns_subdomain_is_refused() -> None:
    spec = SPEC.replace('tier "web"', '"Example.com/tier" "web"')
    assert any(e.startswith('E0204 the label key "Example.com/tier"') for e in _errors(spec))


def test_a_label_value_kubernetes_refuses_is_an_error_but_an_annotation_value_is_free_text() -> None:
    assert any("E0204 the value" in e for e in _errors(SPEC.replace('tier "web"', 'tier "two words"')))
    assert _errors(SPEC.replace('"ops@example.com"', '"two words, and more"')) == []


def test_a_quoted_keyword_outside_a_mapping_is_an_unknown_keyword() -> None:
    spec = SPEC.replace('service db { image "x/db:1"', 'service db { "image" "x/db:1"')
    assert any(e.startswith("E0110") for e in _errors(spec))


def test_a_service_account_name_must_be_a_dns_subdomain() -> None:
    assert any(e.startswith('E0204 service account name "DB_SA"') for e in _errors(SPEC.replace('"db-sa"', '"DB_SA"')))


def test_an_operator_decides_the_service_account_of_its_pods() -> None:
    spec = """
topology t { version "1.0.0" }
namespace data {
  statefulset pg { engine cloudnative-pg; image "ghcr.io/cloudnative-pg/postgresql:17"; port sql 5432
    storage data 1Gi at "/var/lib/postgresql/data"; service_account "pg" }
}
"""
    assert any(e.startswith("E0217") and "service_account" in e for e in _errors(spec))


def test_a_shared_account_that_admits_a_workload_the_spec_never_lets_call_is_warned_about() -> None:
    spec = SPEC.replace('service worker { image "x/worker:1"; port http 8080; calls db:http }', 'service worker { image "x/worker:1"; port http 8080 }')
    assert [d.code for d in analyze_text(spec).diagnostics if d.code == "W0309"] == ["W0309"]
    assert not [d for d in analyze_text(SPEC).diagnostics if d.code == "W0309"]
