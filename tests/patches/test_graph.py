"""W0313: a patch of what the allow-graph computed (policies, Service ports and selectors, pod labels and mesh
annotations, container ports, routes) is warned about, since the diagrams and the document still draw the graph
the spec states; a patch of anything else is not."""

from __future__ import annotations

import pytest

from orion_dsl.pipeline import analyze_text

from .helpers import BASE, MESHED, ROOT

BOOKINFO = (ROOT / "examples" / "bookinfo.orion").read_text(encoding="utf-8")
_GATEWAY = 'patch Gateway bookinfo-gateway api "gateway.networking.k8s.io/v1" { %s }'

_SPEC = "patch Deployment payments { merge { spec { template { %s } } } }"


def _warned(patches: str, base: str = BASE) -> list[str]:
    return [d.summary for d in analyze_text(base + patches, "patches.orion").diagnostics if d.code == "W0313"]


@pytest.mark.parametrize(
    ("patch", "changes"),
    [
        ("patch Service payments { merge { spec { ports 8080 { port 80 } } } }", "the Service ports"),
        ('patch Service payments { json { replace "/spec/type" "NodePort" } }', "the Service type"),
        ('patch Service payments { json { add "/spec/selector/tier" "gold" } }', "the pods the Service selects"),
        (_SPEC % 'metadata { labels { "app.kubernetes.io/name" "other" } }', "the pod labels"),
        (_SPEC % 'metadata { annotations { "sidecar.istio.io/inject" "false" } }', "the mesh's interception"),
        (_SPEC % 'spec { containers payments { ports 9090 { name "admin" } } }', "the container ports"),
        (_SPEC % 'spec { containers payments { "$patch" delete } }', "the container ports"),
        ('patch Deployment payments { json { remove "/spec/template/spec/containers/0" } }', "the container ports"),
        ('patch NetworkPolicy payments-egress { json { remove "/spec/egress" } }', "the policy"),
        (_SPEC % 'spec { serviceAccountName "other" }', "the service account (the mTLS principal"),
        ('patch Deployment payments { json { add "/spec/template/spec/serviceAccountName" "other" } }', "the mTLS principal"),
    ],
)
def test_a_patch_of_what_the_allow_graph_computed_is_warned_about_naming_it(patch: str, changes: str) -> None:
    (summary,) = _warned(patch)
    assert changes in summary and "the diagrams and the document do not show it" in summary


@pytest.mark.parametrize(
    "patch",
    [
        _SPEC % 'spec { containers payments { workingDir "/srv"; env LOG_LEVEL { value "debug" } } }',
        _SPEC % 'metadata { annotations { "cluster-autoscaler.kubernetes.io/safe-to-evict" "true" } }',
        'patch Deployment payments { json { add "/spec/template/spec/containers/-" { name "log"; image "busybox:1.37" } } }',
        'patch Service payments { json { test "/spec/type" "ClusterIP"; add "/spec/sessionAffinity" "ClientIP" } }',
    ],
)
def test_a_patch_beside_the_allow_graph_is_not_warned_about(patch: str) -> None:
    assert _warned(patch) == []


def test_an_authorization_policy_patch_of_a_meshed_spec_is_warned_about() -> None:
    found = _warned('\npatch AuthorizationPolicy orders-allow { json { remove "/spec/rules" } }\n', MESHED)
    assert len(found) == 1 and "the policy" in found[0]


@pytest.mark.parametrize(
    ("patch", "changes"),
    [
        ('patch DestinationRule orders { merge { spec { trafficPolicy { tls { mode "DISABLE" } } } } }', "the TLS the callers' sidecars use"),
        ('patch DestinationRule orders { json { add "/spec/subsets" { name "v9"; labels { version "v9" } } } }', "the subsets the routes name"),
        ('patch RequestAuthentication gateway-jwt { json { remove "/spec/jwtRules/0" } }', "the JSON Web Tokens the workload takes"),
        ('patch Deployment orders { merge { spec { template { spec { serviceAccountName "default" } } } } }', "the mTLS principal the ALLOW policies name"),
    ],
)
def test_a_patch_of_what_the_mesh_policies_rely_on_is_warned_about(patch: str, changes: str) -> None:
    """A workload's service account is the principal (spiffe://.../sa/NAME) its callers' ALLOW rules name; a
    DestinationRule's TLS and subsets decide whether callers' sidecars present it and where routes go."""
    (summary,) = _warned("\n" + patch + "\n", MESHED)
    assert changes in summary


@pytest.mark.parametrize(
    ("patch", "changes"),
    [
        (_GATEWAY % 'json { add "/spec/addresses" { value "10.0.0.9" } }', "the gateway's addresses"),
        (_GATEWAY % 'merge { spec { infrastructure { annotations { "proxy.istio.io/config" "{}" } } } }', "the gateway's infrastructure"),
    ],
)
def test_a_patch_of_a_gateways_addresses_or_infrastructure_is_warned_about(patch: str, changes: str) -> None:
    (summary,) = _warned("\n" + patch + "\n", BOOKINFO)
    assert changes in summary


def test_a_destination_rule_patch_beside_tls_and_subsets_is_not_warned_about() -> None:
    assert _warned("\npatch DestinationRule orders { merge { spec { trafficPolicy { connectionPool { tcp { maxConnections 10 } } } } } }\n", MESHED) == []
