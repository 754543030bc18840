"""``kubernetes_api on``: a workload that talks to the Kubernetes API server itself (a cluster UI such
as the seed's Headlamp, a controller). Its allow-graph edges reach the API server on 443 and 6443
(the ``kubernetes`` Service's port and the usual endpoint port, any address but link-local: the
endpoints carry no labels), the namespace's Sidecar imports the ``kubernetes`` Service (under
REGISTRY_ONLY an unknown host is refused), and its pods mount their ServiceAccount token, which
client-go's in-cluster configuration reads (rest.InClusterConfig), unless the spec turns it off.
"""

from __future__ import annotations

from typing import Any

import pytest

from orion_dsl.backends import istio
from orion_dsl.model import API_SERVER, Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of
from tests.support.plans import planned

from .helpers import find, objects

SPEC = """
topology ops { version "1.0.0" }
network { default deny; dns allow; internet deny; subnet apps 10.0.1.0/24 }
mesh istio { mtls strict }
namespace ops {
  subnet apps
  mesh on
  service ui { image "ops/ui:1.0"; port http 8080; kubernetes_api on }
  service web { image "ops/web:1.0"; port http 8080 }
}
"""


@pytest.fixture(scope="module")
def ops() -> Topology:
    return topology_of(SPEC)


def test_the_workload_reaches_the_api_server_on_its_ports(ops: Topology) -> None:
    ports = {e.port.number for e in ops.allow_graph.edges if e.source.name == "ui" and e.target == API_SERVER}
    assert ports == {443, 6443}
    assert not [e for e in ops.allow_graph.edges if e.source.name == "web" and e.target == API_SERVER]


def test_its_network_policy_opens_the_api_server_ports_to_any_address_but_link_local(ops: Topology) -> None:
    egress = find(objects(ops), "NetworkPolicy", "ui-egress", "ops")["spec"]["egress"]
    rule: dict[str, Any] = next(r for r in egress if {p["port"] for p in r["ports"]} == {443, 6443})
    assert rule["to"] == [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.0.0/16"]}}]


def test_the_namespace_sidecar_imports_the_kubernetes_service(ops: Topology) -> None:
    [sidecar] = [o for o in istio.objects(planned(ops))[0] if o["kind"] == "Sidecar"]
    assert "default/kubernetes.default.svc.cluster.local" in sidecar["spec"]["egress"][0]["hosts"]


def test_its_pods_mount_the_service_account_token_and_others_do_not(ops: Topology) -> None:
    objs = objects(ops)
    assert find(objs, "Deployment", "ui", "ops")["spec"]["template"]["spec"]["automountServiceAccountToken"] is True
    assert find(objs, "Deployment", "web", "ops")["spec"]["template"]["spec"]["automountServiceAccountToken"] is False


def test_a_token_turned_off_stays_off() -> None:
    topology = topology_of(SPEC.replace("kubernetes_api on", "kubernetes_api on; security { service_account_token off }"))
    spec = find(objects(topology), "Deployment", "ui", "ops")["spec"]["template"]["spec"]
    assert spec["automountServiceAccountToken"] is False


def test_an_operator_decides_its_own_api_access() -> None:
    text = SPEC.replace(
        'service web { image "ops/web:1.0"; port http 8080 }',
        'statefulset db { engine cloudnative-pg; image "ghcr.io/cloudnative-pg/postgresql:17"; port sql 5432; '
        'storage data 1Gi at "/var/lib/postgresql/data"; kubernetes_api on }',
    )
    analysis = analyze_text(text, "ops.orion")
    assert [d.code for d in analysis.diagnostics if "kubernetes_api" in d.summary] == ["E0217"]
