"""Every apiVersion ORION writes is served by the Kubernetes and Istio floors it states (PLATFORM_FLOORS).

The table is written by hand from the projects' release notes: Kubernetes' API reference
("available since") and Istio 1.22's promotion of networking, security and telemetry to v1.
Resources of operators and controllers (cert-manager, prometheus-operator, Velero, the VPA,
CloudNativePG and its Barman Cloud plugin, the RabbitMQ Cluster Operator, KEDA) are
served by those, named in the prerequisites, not by the platform floors.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orion_dsl.backends import istio, kubernetes
from orion_dsl.pipeline import analyze_file
from orion_dsl.semantic.fields import ISTIO_GATEWAY_FLOORS, PLATFORM_FLOORS
from tests.conftest import EXAMPLES, SEED_SPEC

#: (apiVersion, kind) -> the first Kubernetes ("k8s") or Istio release that serves it GA.
SERVED_SINCE: dict[tuple[str, str], tuple[str, tuple[int, int]]] = {
    ("v1", "Namespace"): ("k8s", (1, 0)),
    ("v1", "ResourceQuota"): ("k8s", (1, 0)),
    ("v1", "LimitRange"): ("k8s", (1, 0)),
    ("v1", "ServiceAccount"): ("k8s", (1, 0)),
    ("v1", "ConfigMap"): ("k8s", (1, 2)),
    ("v1", "PersistentVolumeClaim"): ("k8s", (1, 0)),
    ("v1", "Service"): ("k8s", (1, 0)),
    ("rbac.authorization.k8s.io/v1", "Role"): ("k8s", (1, 8)),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): ("k8s", (1, 8)),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): ("k8s", (1, 8)),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): ("k8s", (1, 8)),
    ("apps/v1", "Deployment"): ("k8s", (1, 9)),
    ("apps/v1", "StatefulSet"): ("k8s", (1, 9)),
    ("apps/v1", "DaemonSet"): ("k8s", (1, 9)),
    ("autoscaling/v2", "HorizontalPodAutoscaler"): ("k8s", (1, 23)),
    ("policy/v1", "PodDisruptionBudget"): ("k8s", (1, 21)),
    ("networking.k8s.io/v1", "NetworkPolicy"): ("k8s", (1, 7)),
    ("networking.k8s.io/v1", "Ingress"): ("k8s", (1, 19)),
    ("batch/v1", "CronJob"): ("k8s", (1, 27)),  # spec.timeZone is GA in 1.27
    ("networking.istio.io/v1", "DestinationRule"): ("istio", (1, 22)),
    ("networking.istio.io/v1", "VirtualService"): ("istio", (1, 22)),
    ("networking.istio.io/v1", "ServiceEntry"): ("istio", (1, 22)),
    ("networking.istio.io/v1", "Gateway"): ("istio", (1, 22)),
    ("networking.istio.io/v1", "Sidecar"): ("istio", (1, 22)),
    # EnvoyFilter never left v1alpha3: istio/istio 1.30.3 crd-all.gen.yaml serves it (vendored beside the others)
    ("networking.istio.io/v1alpha3", "EnvoyFilter"): ("istio", (1, 0)),
    # WasmPlugin is v1alpha1 alone (crd-all.gen.yaml at 1.30.3); its targetRefs to a Gateway API Gateway are 1.22's
    ("extensions.istio.io/v1alpha1", "WasmPlugin"): ("istio", (1, 22)),
    ("security.istio.io/v1", "PeerAuthentication"): ("istio", (1, 22)),
    ("security.istio.io/v1", "AuthorizationPolicy"): ("istio", (1, 22)),
    ("security.istio.io/v1", "RequestAuthentication"): ("istio", (1, 22)),
    ("telemetry.istio.io/v1", "Telemetry"): ("istio", (1, 22)),
    # Istio's Gateway API implementation; the CRDs are Gateway API v1.5.1's (ISTIO_GATEWAY_FLOORS)
    ("gateway.networking.k8s.io/v1", "Gateway"): ("istio-gateway", (1, 30)),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): ("istio-gateway", (1, 30)),
}
#: Served by an operator or controller the prerequisites name, not by the platform.
OPERATOR_GROUPS = {
    *("cert-manager.io", "monitoring.coreos.com", "velero.io", "autoscaling.k8s.io"),
    *("postgresql.cnpg.io", "barmancloud.cnpg.io", "rabbitmq.com", "redis.redis.opstreelabs.in", "keda.sh"),
}

SPECS = [SEED_SPEC, *EXAMPLES]


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_api_written_is_served_by_the_stated_floors(path: Path) -> None:
    plan = analyze_file(path).plan
    assert plan is not None
    floors = {"k8s": PLATFORM_FLOORS["kubernetes"][0], "istio": PLATFORM_FLOORS["istio"][0], "istio-gateway": ISTIO_GATEWAY_FLOORS["istio"][0]}
    for o in (*kubernetes.objects(plan)[0], *istio.objects(plan)[0]):
        if o["apiVersion"].partition("/")[0] in OPERATOR_GROUPS:
            continue
        platform, since = SERVED_SINCE[(o["apiVersion"], o["kind"])]
        assert since <= floors[platform], f"{o['kind']} {o['apiVersion']} needs {platform} {since}, above the floor"


def test_a_spec_with_an_istio_ingress_states_the_gateway_floors() -> None:
    spec = SEED_SPEC.read_text(encoding="utf-8")
    assert 'kubernetes "1.32"' in spec and 'istio "1.30"' in spec
    assert {"kubernetes": ((1, 32), ISTIO_GATEWAY_FLOORS["kubernetes"][1]), "istio": ((1, 30), ISTIO_GATEWAY_FLOORS["istio"][1])} == ISTIO_GATEWAY_FLOORS


def test_the_istio_floor_is_the_first_release_serving_v1() -> None:
    assert PLATFORM_FLOORS["istio"][0] == (1, 22)
