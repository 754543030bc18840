"""``internet allow``: every workload may reach any public address on any port (never the cluster's private
ranges), and Istio's sidecars pass unknown hosts through; ``internet deny``, the default, keeps egress closed."""

from __future__ import annotations

from typing import Any

from orion_dsl.backends import istio, kubernetes
from orion_dsl.pipeline import analyze_text
from tests.support.schemas import NEWEST_K8S, validate_core

from .helpers import find

SPEC = """
topology t { version "1.0.0" }
network { default deny; dns deny; internet allow }
mesh istio { mtls strict }
namespace web { mesh on; service api { image "x/api:1"; port http 8080 } }
"""
OPEN = {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"]}}]}


def _objects(text: str = SPEC) -> list[dict[str, Any]]:
    analysis = analyze_text(text)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return [*kubernetes.objects(analysis.plan)[0], *istio.objects(analysis.plan)[0]]


def test_internet_allow_opens_public_addresses_on_every_port_even_to_a_workload_that_calls_nothing() -> None:
    policy = find(_objects(), "NetworkPolicy", "api-egress")
    assert policy["spec"]["egress"] == [OPEN] and validate_core(policy, NEWEST_K8S) == []


def test_internet_allow_keeps_the_namespace_default_deny() -> None:
    assert find(_objects(), "NetworkPolicy", "default-deny")["spec"]["policyTypes"] == ["Ingress", "Egress"]


def test_internet_allow_lets_sidecars_pass_hosts_outside_the_registry() -> None:
    assert find(_objects(), "Sidecar", "default")["spec"]["outboundTrafficPolicy"] == {"mode": "ALLOW_ANY"}


def test_internet_deny_writes_no_open_egress_and_keeps_sidecars_to_the_registry() -> None:
    objs = _objects(SPEC.replace("internet allow", "internet deny").replace("dns deny", "dns allow"))
    assert OPEN not in find(objs, "NetworkPolicy", "api-egress")["spec"]["egress"]
    assert find(objs, "Sidecar", "default")["spec"]["outboundTrafficPolicy"] == {"mode": "REGISTRY_ONLY"}
