"""``default_deny orion`` (issue 14): a namespace shared with pods others start (a Helm chart beside ORION's
workloads) isolates only ORION's pods — its NetworkPolicy ``default-deny``, the ``istio-control-plane`` egress
beside it and the mesh's ``allow-nothing`` AuthorizationPolicy select ``app.kubernetes.io/managed-by: orion``
instead of every pod (``podSelector: {}``); ORION's own workloads stay denied by default. A NetworkPolicy
isolates exactly the pods its ``podSelector`` selects (kubernetes.io/docs/concepts/services-networking/
network-policies, "isolated and non-isolated pods"); an AuthorizationPolicy's ``selector`` likewise (istio.io/
latest/docs/reference/config/security/authorization-policy)."""

from __future__ import annotations

from orion_dsl.backends import istio
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of
from tests.support.plans import planned

from .helpers import find, objects

SPEC = """
topology t {{ version "1.0.0" }}
network {{ default deny; subnet apps 10.0.1.0/24 }}
mesh istio {{ mtls strict }}
namespace tools {{
  subnet apps
  mesh on
  {switches}
  service web {{ image "shop/web:1.0"; port http 8080 }}
}}
"""
ORION_PODS = {"matchLabels": {"app.kubernetes.io/managed-by": "orion"}}


def _istio(text: str) -> list[dict[str, object]]:
    return list(istio.objects(planned(topology_of(text)))[0])


def test_a_namespace_s_default_deny_isolates_every_pod_by_default() -> None:
    objs = objects(topology_of(SPEC.format(switches="")))
    assert find(objs, "NetworkPolicy", "default-deny")["spec"]["podSelector"] == {}
    assert "selector" not in find(_istio(SPEC.format(switches="")), "AuthorizationPolicy", "allow-nothing")["spec"]


def test_default_deny_orion_isolates_only_orion_s_pods() -> None:
    text = SPEC.format(switches="default_deny orion")
    objs = objects(topology_of(text))
    assert find(objs, "NetworkPolicy", "default-deny")["spec"]["podSelector"] == ORION_PODS
    assert find(objs, "NetworkPolicy", "istio-control-plane")["spec"]["podSelector"] == ORION_PODS
    assert find(_istio(text), "AuthorizationPolicy", "allow-nothing")["spec"]["selector"] == ORION_PODS


def test_orion_s_own_pods_carry_the_label_the_narrowed_policies_select() -> None:
    pod = find(objects(topology_of(SPEC.format(switches="default_deny orion"))), "Deployment", "web")["spec"]["template"]
    assert pod["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "orion"


def test_an_external_namespace_cannot_isolate_every_pod() -> None:
    text = SPEC.format(switches="default_deny all").replace("namespace tools {", "namespace tools external {").replace("  mesh on\n", "")
    assert [d.code for d in analyze_text(text).diagnostics if d.is_error] == ["E0221"]
