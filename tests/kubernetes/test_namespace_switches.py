"""What ORION adds to a namespace it manages can be turned off (issue 14): its Pod Security level (``restricted``
unless ``pod_security baseline|privileged``, for pods others start there; ORION's own still meet ``restricted``) and its
LimitRange (``limit_range off``). Pod Security labels: kubernetes.io/docs/concepts/security/pod-security-admission
(``pod-security.kubernetes.io/<mode>: <level>``)."""

from __future__ import annotations

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


def test_pod_security_and_limit_range_off_are_the_namespaces_own_choice() -> None:
    objs = objects(topology_of(SPEC.format(switches="pod_security baseline; limit_range off")))
    labels = find(objs, "Namespace", "tools")["metadata"]["labels"]
    assert {labels[f"pod-security.kubernetes.io/{m}"] for m in ("enforce", "audit", "warn")} == {"baseline"}
    assert of_kind(objs, "LimitRange") == []
    pod = find(objs, "Deployment", "web")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True  # ORION's own pods still meet restricted


def test_an_external_namespace_takes_neither_switch() -> None:
    text = SPEC.format(switches="pod_security baseline; limit_range off").replace("namespace tools {", "namespace tools external {")
    assert [d.code for d in analyze_text(text).diagnostics if d.is_error] == ["E0221", "E0221"]
