"""W0313: a patch of what the allow-graph computed (policies, Service ports and selectors, pod labels and mesh
annotations, container ports, routes) is warned about, since the diagrams and the document still draw the graph
the spec states; a patch of anything else is not."""

from __future__ import annotations

import pytest

from orion_dsl.pipeline import analyze_text

from .helpers import BASE, MESHED

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
