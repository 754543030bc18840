"""The controllers that serve the API groups ORION writes outside core Kubernetes, and the releases
ORION's output is written for.

A manifest of a non-core group is only read by the controller that installs its CRD; the
prerequisites document (:mod:`orion_dsl.lowering.prerequisites`) names, for every such group
written, the controller from this table. Engines (``engine cloudnative-pg``) name their operator's
version in :data:`orion_dsl.engines.FACTS`; this table holds the rest. A version is the first
release that serves the apiVersion ORION writes, where its project states one (source next to it);
``None`` where ORION states no floor beyond "serves this apiVersion".
"""

from __future__ import annotations

import attrs

from orion_dsl.model import Port
from orion_dsl.semantic.fields import ISTIO_GATEWAY_FLOORS, PLATFORM_FLOORS


@attrs.frozen
class Controller:
    """A controller or operator: its name, the release ORION writes for and where it runs."""

    name: str
    #: The first release serving what ORION writes (None: any release serving the apiVersion).
    version: str | None
    #: The namespace its installation uses (None when ORION assumes none).
    namespace: str | None = None
    #: What it needs in turn, as its project states it.
    requires: tuple[str, ...] = ()
    #: The labels of its pods, where ORION's NetworkPolicies admit them.
    pods: tuple[tuple[str, str], ...] = ()


#: API groups Kubernetes serves itself: no CRD, no controller to install.
BUILT_IN_GROUPS = frozenset(
    {
        "",
        "apps",
        "autoscaling",
        "batch",
        "policy",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "snapshot.storage.k8s.io",
    }
)

#: KEDA: 2.18 is the first release whose RabbitMQ scaler documents the ``username``/``password``
#: parameters of a TriggerAuthentication (kedacore/keda-docs@0352aa6 content/docs/2.18/scalers/rabbitmq-queue.md);
#: its operator pods are ``app: keda-operator`` (kedacore/keda@12476ee config/manager/manager.yaml) and read the queues.
KEDA = Controller("KEDA", "2.18", "keda", pods=(("app", "keda-operator"),))

#: kube-state-metrics as its standard manifests install it: the Service kube-state-metrics in kube-system,
#: its port http-metrics 8080, pods labelled app.kubernetes.io/name: kube-state-metrics
#: (kubernetes/kube-state-metrics@02efa65cb19aeb0339094963af9cf2c02f1ac398 examples/standard/service.yaml, deployment.yaml).
KUBE_STATE_METRICS = Controller("kube-state-metrics", None, "kube-system", pods=(("app.kubernetes.io/name", "kube-state-metrics"),))
KUBE_STATE_METRICS_PORT = Port("http-metrics", 8080, "TCP")

#: The controllers ORION's NetworkPolicies admit by their pods' labels (an allow-graph ``operator`` peer that no engine runs).
BY_NAME: dict[str, Controller] = {c.name: c for c in (KEDA, KUBE_STATE_METRICS)}

ISTIO = Controller("Istio", ".".join(map(str, PLATFORM_FLOORS["istio"][0])), "istio-system")

#: cert-manager releases and the Kubernetes minors each supports, oldest to newest (the supported-releases table,
#: cert-manager.io/docs/releases: cert-manager/website#1712 for 1.17 and 1.18, cert-manager/website#2007 for 1.19 and 1.20;
#: 1.21 supports Kubernetes 1.33 and later; cert-manager/website#1636 for 1.15).
CERT_MANAGER_RELEASES: dict[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]] = {
    (1, 15): ((1, 25), (1, 32)),
    (1, 17): ((1, 29), (1, 32)),
    (1, 18): ((1, 30), (1, 33)),
    (1, 19): ((1, 31), (1, 35)),
    (1, 20): ((1, 32), (1, 35)),
}


def cert_manager_release(kubernetes: tuple[int, int]) -> str | None:
    """The newest cert-manager release that supports a Kubernetes minor: the release to state beside that floor
    (cert-manager.io/v1, all ORION writes, is served from 1.0; what limits the release is the cluster's version).
    None for a Kubernetes minor the table does not reach."""
    found = [r for r, (low, high) in CERT_MANAGER_RELEASES.items() if low <= kubernetes <= high]
    return ".".join(map(str, max(found))) if found else None


#: cert-manager: its release is the one supporting the Kubernetes floor of the output (:func:`cert_manager_release`).
CERT_MANAGER = Controller("cert-manager", None, "cert-manager")


#: The controller serving each non-core API group ORION may write.
BY_GROUP: dict[str, Controller] = {
    "cert-manager.io": CERT_MANAGER,
    "monitoring.coreos.com": Controller("Prometheus Operator", None),  # the name engines.FACTS gives it
    "velero.io": Controller("Velero", None, "velero"),
    "autoscaling.k8s.io": Controller("Vertical Pod Autoscaler", None, "kube-system"),
    # The plugin needs CloudNativePG 1.26 or later
    # (github.com/cloudnative-pg/plugin-barman-cloud web/docs/intro.md, "Requirements").
    "barmancloud.cnpg.io": Controller(
        "Barman Cloud plugin for CloudNativePG",
        None,
        "cnpg-system",
        ("CloudNativePG 1.26 or later", "cert-manager (the recommended way to secure the plugin's TLS to the operator)"),
    ),
    "keda.sh": KEDA,
    # Istio's Gateway API implementation serves the ingress's Gateway and HTTPRoutes; it builds against
    # Gateway API v1.5.1 from 1.30 (ISTIO_GATEWAY_FLOORS), and does not install the CRDs.
    "gateway.networking.k8s.io": Controller(
        "Istio's Gateway API implementation (gatewayClassName istio)",
        ".".join(map(str, ISTIO_GATEWAY_FLOORS["istio"][0])),
        "istio-system",
        ("the Gateway API v1.5.1 Standard CRDs (kubernetes-sigs/gateway-api config/crd/standard; installed separately)",),
    ),
    # Istio serves networking, security and telemetry v1 from 1.22 (PLATFORM_FLOORS); a WasmPlugin's targetRefs to a
    # Gateway API Gateway too (istio/api extensions/v1alpha1/wasm.proto).
    "extensions.istio.io": ISTIO,
    "networking.istio.io": ISTIO,
    "security.istio.io": ISTIO,
    "telemetry.istio.io": ISTIO,
}


#: The provider of the Velero locations ORION writes for an S3 target, and the plugin that serves it
#: (github.com/vmware-tanzu/velero-plugin-for-aws README: ``velero install --provider aws --plugins
#: velero/velero-plugin-for-aws``); Velero reads a provider name without a ``/`` as ``velero.io/<name>``.
VELERO_PROVIDER = "aws"
VELERO_PLUGIN = "velero-plugin-for-aws"


def is_built_in(group: str) -> bool:
    """Whether Kubernetes serves an API group itself (no CRD to install)."""
    return group in BUILT_IN_GROUPS


def for_group(group: str) -> Controller | None:
    """The controller serving a non-core API group, if ORION knows it (an engine's is in FACTS)."""
    return BY_GROUP.get(group)
