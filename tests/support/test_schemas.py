"""Unit tests for the schema oracle (tests/support/schemas.py) on hand-written objects.

Each check is shown to accept a correct object and to REJECT a wrong one, and the
core-object verdicts are cross-checked against kubernetes-validate's own
``validate`` function so the cached engine cannot silently drift from it.
"""

from __future__ import annotations

import copy
import json
import re
import time
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import kubernetes_validate  # type: ignore[import-untyped,unused-ignore]
import pytest

from .schemas import (
    CORE_GROUPS,
    CRD_DIR,
    NEWEST_K8S,
    SUPPORTED_K8S,
    check_metadata,
    core_cache_info,
    is_core,
    validate_any,
    validate_core,
    validate_crd,
)

VERSIONS = ["1.28.0", NEWEST_K8S]

# ----------------------------------------------------------------- fixtures


def deployment() -> dict[str, Any]:
    """A minimal valid apps/v1 Deployment."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "shop",
            "labels": {"app.kubernetes.io/name": "web"},
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "ports": [
                                {
                                    "name": "http",
                                    "containerPort": 8080,
                                    "protocol": "TCP",
                                }
                            ],
                        }
                    ]
                },
            },
        },
    }


def service(name: str = "web") -> dict[str, Any]:
    """A minimal valid v1 Service."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
        },
    }


def network_policy() -> dict[str, Any]:
    """A valid networking.k8s.io/v1 NetworkPolicy."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "allow-web", "namespace": "shop"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "web"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {}}],
                    "ports": [{"port": 8080, "endPort": 8090}],
                }
            ],
        },
    }


def core_objects() -> list[dict[str, Any]]:
    """Several valid core kinds in several API groups."""
    return [
        deployment(),
        service(),
        network_policy(),
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cfg", "namespace": "shop"},
            "data": {"a": "b"},
        },
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "web", "namespace": "shop"},
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}},
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {
                "scaleTargetRef": {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "web",
                },
                "minReplicas": 2,
                "maxReplicas": 5,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 70},
                        },
                    }
                ],
            },
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "system:reader", "namespace": "shop"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
        },
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "backup", "namespace": "shop"},
            "spec": {
                "schedule": "0 3 * * *",
                "jobTemplate": {
                    "spec": {
                        "template": {
                            "spec": {
                                "restartPolicy": "OnFailure",
                                "containers": [{"name": "b", "image": "busybox"}],
                            }
                        }
                    }
                },
            },
        },
    ]


def bad_core_objects() -> list[tuple[str, dict[str, Any]]]:
    """(expected error fragment, object) pairs the schemas must reject."""
    unknown_top = deployment()
    unknown_top["spec"]["replica"] = 2
    unknown_nested = deployment()
    unknown_nested["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    wrong_type = deployment()
    wrong_type["spec"]["replicas"] = "two"
    missing_required = deployment()
    del missing_required["spec"]["template"]["spec"]["containers"][0]["name"]
    not_a_list = network_policy()
    not_a_list["spec"]["policyTypes"] = "Ingress"
    wrong_api = service()
    wrong_api["apiVersion"] = "apps/v1"
    return [
        ("'replica' was unexpected", unknown_top),
        ("'imagePullPolicyy' was unexpected", unknown_nested),
        ("'two' is not of type 'integer'", wrong_type),
        ("'name' is a required property", missing_required),
        ("'Ingress' is not of type 'array'", not_a_list),
        ("schema not found", wrong_api),
    ]


def crd_objects() -> list[dict[str, Any]]:
    """Valid custom resources of every schema group ORION may emit."""
    meta = {"name": "web", "namespace": "shop"}
    return [
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": dict(meta),
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "action": "ALLOW",
                "rules": [
                    {
                        "from": [{"source": {"principals": ["cluster.local/ns/shop/sa/api"]}}],
                        "to": [{"operation": {"ports": ["8080"], "methods": ["GET"]}}],
                    }
                ],
            },
        },
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": {"name": "allow-nothing", "namespace": "shop"},
            "spec": {},
        },
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": dict(meta),
            "spec": {"mtls": {"mode": "STRICT"}},
        },
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "DestinationRule",
            "metadata": dict(meta),
            "spec": {
                "host": "web.shop.svc.cluster.local",
                "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}},
            },
        },
        {
            "apiVersion": "networking.istio.io/v1beta1",
            "kind": "VirtualService",
            "metadata": dict(meta),
            "spec": {
                "hosts": ["web"],
                "http": [
                    {
                        "route": [{"destination": {"host": "web", "port": {"number": 80}}}],
                        "retries": {"attempts": 3, "perTryTimeout": "2s"},
                    }
                ],
            },
        },
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": dict(meta),
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "endpoints": [{"port": "metrics", "interval": "30s"}],
            },
        },
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": dict(meta),
            "spec": {
                "groups": [
                    {
                        "name": "web",
                        "partial_response_strategy": "warn",
                        "rules": [{"alert": "WebDown", "expr": "up == 0", "for": "5m"}],
                    }
                ]
            },
        },
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Certificate",
            "metadata": dict(meta),
            "spec": {
                "secretName": "web-tls",
                "dnsNames": ["web.example.com"],
                "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"},
            },
        },
        {
            "apiVersion": "autoscaling.k8s.io/v1",
            "kind": "VerticalPodAutoscaler",
            "metadata": dict(meta),
            "spec": {
                "targetRef": {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "web",
                },
                "updatePolicy": {"updateMode": "Off"},
            },
        },
        {
            "apiVersion": "velero.io/v1",
            "kind": "Schedule",
            "metadata": {"name": "daily", "namespace": "velero"},
            "spec": {
                "schedule": "0 1 * * *",
                "template": {"includedNamespaces": ["shop"], "ttl": "720h0m0s"},
            },
        },
    ]


# ------------------------------------------------------------- version handling


def test_newest_version_is_computed_from_the_shipped_folders() -> None:
    folder = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    strict = [p.name for p in folder.iterdir() if p.name.endswith("-local-strict")]
    assert f"v{NEWEST_K8S}-local-strict" in strict
    assert kubernetes_validate.utils.latest_version() == NEWEST_K8S
    assert "1.28.0" in SUPPORTED_K8S
    assert list(SUPPORTED_K8S) == sorted(SUPPORTED_K8S, key=lambda v: tuple(int(x) for x in v.split(".")))


def test_unsupported_kubernetes_version_is_a_setup_error() -> None:
    with pytest.raises(ValueError, match="no schemas"):
        validate_core(deployment(), "1.99.0")
    with pytest.raises(ValueError, match="no schemas"):
        validate_core(deployment(), "1.2.0")


def test_patch_versions_and_v_prefix_map_to_the_minor_folder() -> None:
    assert validate_core(deployment(), "v1.28.7") == []


# ------------------------------------------------------------------ core kinds


@pytest.mark.parametrize("version", VERSIONS)
def test_valid_core_objects_pass(version: str) -> None:
    for obj in core_objects():
        assert validate_core(obj, version) == [], obj["kind"]
        assert validate_any(obj, version) == [], obj["kind"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("fragment", "obj"), bad_core_objects(), ids=lambda v: str(v)[:30])
def test_invalid_core_objects_are_rejected(version: str, fragment: str, obj: dict[str, Any]) -> None:
    errors = validate_core(obj, version)
    assert errors, "oracle accepted a wrong object"
    assert any(fragment in e for e in errors), errors


def test_known_gap_core_schemas_have_no_value_enums() -> None:
    """kubernetes-validate's schemas carry enums only for apiVersion/kind, so a bad
    policyTypes value or Service type passes.  Pinned here so the gap stays visible."""
    obj = network_policy()
    obj["spec"]["policyTypes"] = ["Sideways"]
    assert validate_core(obj, NEWEST_K8S) == []
    svc = service()
    svc["spec"]["type"] = "Balloon"
    assert validate_core(svc, NEWEST_K8S) == []


def test_all_errors_are_reported_with_paths() -> None:
    obj = deployment()
    obj["spec"]["replicas"] = "two"
    obj["spec"]["bogus"] = True
    errors = validate_core(obj, NEWEST_K8S)
    assert len(errors) == 2
    assert any("$.spec.replicas" in e for e in errors)
    assert all(e.startswith("Deployment/shop/web: ") for e in errors)


def test_unknown_kind_is_a_failure_not_a_warning() -> None:
    obj = {"apiVersion": "apps/v1", "kind": "Deploymint", "metadata": {"name": "x"}}
    assert any("schema not found" in e for e in validate_core(obj, NEWEST_K8S))


def test_kind_missing_in_older_version_fails_there_only() -> None:
    """ValidatingAdmissionPolicy went GA (admissionregistration.k8s.io/v1) in 1.30."""
    vap = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": "demo"},
        "spec": {"validations": [{"expression": "object.spec.replicas <= 5"}]},
    }
    assert any("schema not found" in e for e in validate_core(vap, "1.28.0"))
    assert validate_core(vap, NEWEST_K8S) == []
    hpa_old = {
        "apiVersion": "autoscaling/v2beta2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "x"},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "x"},
            "maxReplicas": 2,
        },
    }
    assert any("schema not found" in e for e in validate_core(hpa_old, "1.28.0"))


def test_malformed_objects_are_rejected() -> None:
    assert validate_core({"kind": "Service"}, NEWEST_K8S)
    assert validate_core({"apiVersion": "v1"}, NEWEST_K8S)
    assert validate_any({"apiVersion": 1, "kind": "Service"}, NEWEST_K8S)


def test_validate_core_refuses_custom_resources() -> None:
    errors = validate_core(crd_objects()[0], NEWEST_K8S)
    assert errors and "not a built-in" in errors[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_verdicts_agree_with_kubernetes_validate(version: str) -> None:
    """The cached engine must say exactly what the package's own validate() says."""
    cases = [(obj, True) for obj in core_objects()] + [(obj, False) for _, obj in bad_core_objects()]
    for obj, expected_valid in cases:
        try:
            kubernetes_validate.validate(copy.deepcopy(obj), version, strict=True)
            package_valid = True
        except (
            kubernetes_validate.ValidationError,
            kubernetes_validate.SchemaNotFoundError,
        ):
            package_valid = False
        assert package_valid is expected_valid, obj
        assert (validate_core(obj, version) == []) is expected_valid, obj


def test_schemas_are_loaded_once_and_validation_is_fast() -> None:
    validate_core(deployment(), NEWEST_K8S)
    before = core_cache_info()
    start = time.perf_counter()
    for _ in range(1000):
        assert validate_core(deployment(), NEWEST_K8S) == []
    elapsed = time.perf_counter() - start
    after = core_cache_info()
    assert after["files"].misses == before["files"].misses
    assert after["validators"].misses == before["validators"].misses
    assert elapsed < 10.0, f"1000 cached validations took {elapsed:.2f}s"


# ------------------------------------------------------------------- is_core


def test_is_core_groups() -> None:
    for api_version in [
        "v1",
        "apps/v1",
        "batch/v1",
        "autoscaling/v2",
        "policy/v1",
        "networking.k8s.io/v1",
        "rbac.authorization.k8s.io/v1",
        "storage.k8s.io/v1",
    ]:
        assert is_core({"apiVersion": api_version}), api_version
    for api_version in [
        "autoscaling.k8s.io/v1",
        "security.istio.io/v1",
        "networking.istio.io/v1",
        "monitoring.coreos.com/v1",
        "cert-manager.io/v1",
        "velero.io/v1",
        "apps.example.com/v1",
    ]:
        assert not is_core({"apiVersion": api_version}), api_version
    assert not is_core({})
    assert not is_core({"apiVersion": 3})


def test_core_groups_cover_every_group_the_package_ships() -> None:
    folder = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{NEWEST_K8S}-local-strict"
    shipped: set[str] = set()
    for path in folder.glob("*.json"):
        if path.name.startswith("_") or path.name == "all.json":
            continue
        for gvk in json.loads(path.read_text()).get("x-kubernetes-group-version-kind", []):
            shipped.add(gvk["group"])
    assert shipped <= CORE_GROUPS, shipped - CORE_GROUPS


# ---------------------------------------------------------------------- CRDs


def test_crd_folder_is_inside_the_repository() -> None:
    assert CRD_DIR.is_relative_to(Path(__file__).resolve().parents[2])
    assert (CRD_DIR / "README.md").is_file()
    assert (CRD_DIR / "LICENSE-datreeio-CRDs-catalog").is_file()


@pytest.mark.parametrize("obj", crd_objects(), ids=lambda o: f"{o['kind']}")
def test_valid_custom_resources_pass(obj: dict[str, Any]) -> None:
    assert validate_crd(obj) == []
    assert validate_any(obj, "1.28.0") == []


def _ap(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "AuthorizationPolicy",
        "metadata": {"name": "p", "namespace": "shop"},
        "spec": spec,
    }


@pytest.mark.parametrize(
    ("fragment", "obj"),
    [
        ("'actions' was unexpected", _ap(actions="ALLOW")),
        ("'PERMIT' is not one of", _ap(action="PERMIT")),
        (
            "is not of type 'string'",
            _ap(rules=[{"to": [{"operation": {"ports": [8080]}}]}]),
        ),
        (
            "'principal' was unexpected",
            _ap(rules=[{"from": [{"source": {"principal": ["a"]}}]}]),
        ),
        ("'key' is a required property", _ap(rules=[{"when": [{"values": ["x"]}]}])),
        ("schema not found", {**_ap(), "kind": "AuthorisationPolicy"}),
        ("schema not found", {**_ap(), "apiVersion": "security.istio.io/v1alpha9"}),
        (
            "unknown top-level field 'sepc'",
            {
                "apiVersion": "security.istio.io/v1",
                "kind": "AuthorizationPolicy",
                "metadata": {"name": "p"},
                "sepc": {},
            },
        ),
        (
            "$.metadata: unknown field 'label'",
            {**_ap(), "metadata": {"name": "p", "label": {}}},
        ),
        ("must be a DNS-1123 subdomain", {**_ap(), "metadata": {"name": "Allow_All"}}),
        (
            "must be a DNS-1123 label",
            {**_ap(), "metadata": {"name": "p", "namespace": "my.ns"}},
        ),
        ("metadata.name is required", {**_ap(), "metadata": {"namespace": "shop"}}),
        ("is a built-in Kubernetes group", service()),
    ],
    ids=lambda v: str(v)[:40],
)
def test_invalid_custom_resources_are_rejected(fragment: str, obj: dict[str, Any]) -> None:
    errors = validate_crd(obj)
    assert errors, "oracle accepted a wrong object"
    assert any(fragment in e for e in errors), errors


def test_invalid_nested_fields_in_other_crds_are_rejected() -> None:
    dr = crd_objects()[3]
    dr["spec"]["trafficPolicy"]["tls"]["mode"] = "MUTUALISH"
    assert validate_crd(dr)
    cert = crd_objects()[7]
    del cert["spec"]["secretName"]
    assert any("'secretName' is a required property" in e for e in validate_crd(cert))
    sm = crd_objects()[5]
    sm["spec"]["endpoints"][0]["intervall"] = "30s"
    assert validate_crd(sm)


def _alertmanagerconfig(months: str) -> dict[str, Any]:
    interval = {"name": "quiet", "timeIntervals": [{"months": [months]}]}
    spec = {"route": {"receiver": "r"}, "receivers": [{"name": "r"}], "muteTimeIntervals": [interval]}
    return {"apiVersion": "monitoring.coreos.com/v1alpha1", "kind": "AlertmanagerConfig", "metadata": {"name": "a", "namespace": "n"}, "spec": spec}


def test_alertmanagerconfig_group_flags_keep_their_scope_after_the_patch() -> None:
    """``^((?i)january|...)`` is case-insensitive inside its group only, as in RE2."""
    assert validate_crd(_alertmanagerconfig("JANUARY:march")) == []
    assert validate_crd(_alertmanagerconfig("smarch")) != []


def test_prometheusrule_pattern_is_patched_in_memory() -> None:
    """The raw file is broken for Python's re; after the in-memory patch it works."""
    raw = json.loads((CRD_DIR / "monitoring.coreos.com" / "prometheusrule_v1.json").read_text())
    with pytest.raises(jsonschema.SchemaError):
        jsonschema.Draft7Validator.check_schema(raw)
    with pytest.raises(re.error):
        list(jsonschema.Draft7Validator(raw).iter_errors(crd_objects()[6]))
    for ok in ["warn", "WARN", "abort", ""]:
        obj = crd_objects()[6]
        obj["spec"]["groups"][0]["partial_response_strategy"] = ok
        assert validate_crd(obj) == [], ok
    obj = crd_objects()[6]
    obj["spec"]["groups"][0]["partial_response_strategy"] = "bogus"
    assert any("partial_response_strategy" in e for e in validate_crd(obj))
    obj = crd_objects()[6]
    obj["spec"]["groups"][0]["rules"][0]["for"] = "5 minutes"
    assert validate_crd(obj)


# ------------------------------------------------------------------ metadata


def test_service_names_must_be_dns1035_labels() -> None:
    for bad in ["1web", "web.api", "Web", "-web", "w" * 64]:
        assert validate_core(service(bad), NEWEST_K8S) == [], "the schema alone does not check names"
        assert validate_any(service(bad), NEWEST_K8S), bad
    assert validate_any(service("web-1"), NEWEST_K8S) == []


def test_metadata_checks() -> None:
    dep = deployment()
    assert check_metadata(dep) == []
    dep["metadata"]["name"] = "web.v1"
    assert check_metadata(dep) == []  # DNS-1123 subdomain is fine for Deployments
    for bad_name in ["Web", "web_1", "web.", "a" * 254]:
        dep["metadata"]["name"] = bad_name
        assert check_metadata(dep), bad_name
    dep = deployment()
    dep["metadata"]["labels"] = {"app": "x" * 64}
    assert any("not a valid label value" in e for e in check_metadata(dep))
    dep["metadata"]["labels"] = {"bad key!": "x"}
    assert check_metadata(dep)
    dep["metadata"]["labels"] = {"Example.com/x": "y"}
    assert check_metadata(dep)
    dep["metadata"]["labels"] = {
        "example.com/x": "",
        "app.kubernetes.io/part-of": "shop",
    }
    assert check_metadata(dep) == []
    dep["metadata"]["annotations"] = {"/x": "anything goes"}
    assert check_metadata(dep)
    dep["metadata"]["annotations"] = {"sidecar.istio.io/inject": "true"}
    assert check_metadata(dep) == []
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}}
    assert check_metadata(namespace)
    role = core_objects()[8]
    assert check_metadata(role) == []  # RBAC names may contain ':'
    role["metadata"]["name"] = "a/b"
    assert check_metadata(role)
