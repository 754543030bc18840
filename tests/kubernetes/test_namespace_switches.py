"""What ORION adds to a namespace it manages can be turned off (issue 14): its Pod Security level (``restricted``
unless ``pod_security baseline|privileged``, for pods others start there; ORION's own still meet ``restricted``) and its
LimitRange (``limit_range off``). Pod Security labels: kubernetes.io/docs/concepts/security/pod-security-admission
(``pod-security.kubernetes.io/<mode>: <level>``)."""

from __future__ import annotations

from orion_dsl.backends.kubernetes.notes import meshed_pod_security
from orion_dsl.lowering.prerequisites import CNI_NAMESPACE_LEVEL, prerequisites
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of

from .helpers import find, objects, of_kind

SPEC = """
topology t {{ version "1.0.0" }}
network {{ default deny; subnet apps 10.0.1.0/24 }}
namespace tools {{
  subnet apps
  {switches}
  service web {{ image "shop/web:1.0"; port http 8080 }}
}}
"""


def test_a_namespace_enforces_restricted_and_gets_its_limit_range_unless_it_says_otherwise() -> None:
    objs = objects(topology_of(SPEC.format(switches="")))
    labels = find(objs, "Namespace", "tools")["metadata"]["labels"]
    assert {labels[f"pod-security.kubernetes.io/{m}"] for m in ("enforce", "audit", "warn")} == {"restricted"}
    assert [r["metadata"]["name"] for r in of_kind(objs, "LimitRange")] == ["defaults"]


def test_pod_security_and_limit_range_off_are_the_namespaces_own_choice_and_it_still_audits_and_warns_at_restricted() -> None:
    """A lowered ``enforce`` admits pods that fall short of ``restricted``; ``audit`` and ``warn`` stay at ``restricted``
    so ``kubectl apply`` still warns and the audit log still says which (each mode takes its own level:
    kubernetes.io/docs/concepts/security/pod-security-admission, "Pod Security Admission labels for namespaces")."""
    objs = objects(topology_of(SPEC.format(switches="pod_security baseline; limit_range off")))
    labels = find(objs, "Namespace", "tools")["metadata"]["labels"]
    assert {m: labels[f"pod-security.kubernetes.io/{m}"] for m in ("enforce", "audit", "warn")} == {
        "enforce": "baseline",
        "audit": "restricted",
        "warn": "restricted",
    }
    assert of_kind(objs, "LimitRange") == []
    pod = find(objs, "Deployment", "web")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True  # ORION's own pods still meet restricted


def test_an_external_namespace_takes_neither_switch() -> None:
    text = SPEC.format(switches="pod_security baseline; limit_range off").replace("namespace tools {", "namespace tools external {")
    assert [d.code for d in analyze_text(text).diagnostics if d.is_error] == ["E0221", "E0221"]


QUOTA = """
topology t {{ version "1.0.0" }}
network {{ default deny; subnet apps 10.0.1.0/24 }}
{defaults}
namespace tools {{
  subnet apps
  {switches}
  defaults {{ quota {{ {quota} }} }}
  service web {{ image "shop/web:1.0"; port http 8080; {resources} }}
}}
"""


def _codes(switches: str = "limit_range off", resources: str = "resources none", quota: str = "cpu 4; memory 8Gi", defaults: str = "") -> list[str]:
    text = QUOTA.format(switches=switches, resources=resources, quota=quota, defaults=defaults)
    return sorted(d.code for d in analyze_text(text).diagnostics if d.code in ("E0221", "W0308", "W0317"))


def test_a_container_without_resources_in_a_namespace_of_a_quota_without_its_limit_range_is_an_error() -> None:
    """A ResourceQuota of CPU or memory makes the API server refuse a pod any of whose containers states no request
    or limit of it (kubernetes.io/docs/concepts/policy/resource-quotas: "the quota system may reject pod creation");
    the LimitRange would fill them in at admission."""
    assert _codes() == ["E0221", "W0317"]
    assert _codes(quota="memory 8Gi") == ["E0221", "W0317"]
    assert _codes(defaults="defaults { resources none }", resources="") == ["E0221", "W0317"]
    text = QUOTA.format(switches="limit_range off", resources="resources none", quota="cpu 4", defaults="")
    (refused,) = [d for d in analyze_text(text).diagnostics if d.code == "E0221"]
    assert refused.span is not None and refused.span.line == 9 and refused.related[0].span.line == 7
    assert "refuses" in refused.summary and "`limit_range off`" in refused.help


def test_a_quota_beside_the_limit_range_or_of_pods_alone_admits_a_container_without_resources() -> None:
    assert _codes(switches="") == ["W0308"]
    assert _codes(quota="pods 20") == ["W0308"]
    assert _codes(resources="") == ["W0317"]  # ORION's own containers state theirs; others' pods may not


def test_w0308_says_what_a_container_without_resources_gets_in_its_namespace() -> None:
    def help_of(switches: str, external: bool = False) -> str:
        text = QUOTA.format(switches=switches, resources="resources none", quota="pods 20", defaults="")
        if external:
            text = text.replace("namespace tools {", "namespace tools external {").replace("defaults { quota { pods 20 } }", "")
        (found,) = [d for d in analyze_text(text).diagnostics if d.code == "W0308"]
        return found.help

    assert "LimitRange gives it 100m..500m CPU" in help_of("")
    assert "runs without any" in help_of("limit_range off")
    assert "external namespace" in help_of("", external=True)


MESHED = """
topology t {{ version "1.0.0"; istio "1.30" }}
network {{ default deny; subnet apps 10.0.1.0/24 }}
mesh istio {{ mtls strict }}
namespace shop {{ subnet apps; mesh on; service web {{ image "shop/web:1.0"; port http 8080 }} }}
namespace tools {{ subnet apps; mesh on; pod_security {level}; service tool {{ image "shop/tool:1.0"; port http 8080 }} }}
"""


def _cni(level: str) -> tuple[list[str], list[str]]:
    """The istio-cni rows of PREREQUISITES (lowering) and the I1070 notes of the kubernetes target for a spec."""
    analysis = analyze_text(MESHED.format(level=level))
    assert analysis.plan is not None
    rows = [f.why for f in prerequisites(analysis.plan).features if "istio-cni" in f.name]
    note = meshed_pod_security(analysis.plan.topology)
    notes = [] if note is None else [note.summary]
    return rows, notes


def test_the_istio_cni_row_names_the_level_each_meshed_namespace_enforces_and_a_privileged_one_needs_none() -> None:
    """istio-init adds NET_ADMIN and NET_RAW, which Baseline forbids as Restricted does; Privileged admits them
    (kubernetes.io/docs/concepts/security/pod-security-standards, Baseline "Capabilities")."""
    refuses = "which refuses the istio-init container (NET_ADMIN, NET_RAW)"
    rows, notes = _cni("baseline")
    assert notes == [f"meshed namespaces enforce Pod Security restricted (shop) and baseline (tools), {refuses}"]
    assert rows == [f"{notes[0]}; {CNI_NAMESPACE_LEVEL}"]
    rows, notes = _cni("privileged")
    assert notes == [f"meshed namespaces enforce Pod Security restricted (shop), {refuses}"]
    assert rows == [f"{notes[0]}; {CNI_NAMESPACE_LEVEL}"]
    alone = MESHED.replace("namespace shop {{ subnet apps; mesh on;", "namespace shop {{ subnet apps; mesh off;")
    analysis = analyze_text(alone.format(level="privileged"))
    assert analysis.plan is not None
    assert not [f for f in prerequisites(analysis.plan).features if "istio-cni" in f.name]


def test_a_pod_security_label_on_a_namespace_points_to_pod_security() -> None:
    text = SPEC.format(switches='labels { "pod-security.kubernetes.io/enforce" "baseline" }')
    (found,) = [d for d in analyze_text(text).diagnostics if d.code == "E0204"]
    assert "`pod_security baseline`" in found.help
