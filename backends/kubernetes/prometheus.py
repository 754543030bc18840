"""Monitoring the Prometheus Operator runs (``engine prometheus-operator``): the scraper's
``Prometheus``, the alerting workload's ``Alertmanager``, and the ClusterRole and binding
Prometheus's service discovery needs.

Facts from github.com/prometheus-operator/prometheus-operator@6adcebc5076c34f4f55f8f5f7b1e528929373ac7
(v0.93.0):

* The selectors match the objects ORION writes: every ServiceMonitor, PodMonitor and PrometheusRule
  carries ``app.kubernetes.io/part-of: <topology>``, in one of the topology's namespaces
  (``kubernetes.io/metadata.name``, the label Kubernetes puts on every Namespace). A nil selector
  would select nothing (``serviceMonitorSelector`` in the CRD's reference).
* ``alerting.alertmanagers`` names the headless Service the operator makes for every Alertmanager,
  ``alertmanager-operated`` (pkg/alertmanager/statefulset.go ``defaultOperatedServiceName``), on its
  port ``web`` (``defaultPortName``).
* Discovery RBAC as example/rbac/prometheus/prometheus-cluster-role.yaml: get/list/watch nodes,
  services, endpoints, pods and endpointslices, get configmaps, get ``/metrics``.
* The images run as ``nobody`` (65534) and the operator mounts the claim at /prometheus
  (/alertmanager): Documentation/platform/storage.md sets that user and ``fsGroup``. The operator
  makes every container's root read-only itself (pkg/prometheus/server/statefulset.go).
* An Alertmanager's configuration is the ``AlertmanagerConfig`` its ``spec.alertmanagerConfiguration``
  names (Documentation/developer/alerting.md, "Using AlertmanagerConfig for global configuration"):
  the operator makes ``alertmanager.yaml`` from it without the namespace matcher it puts on selected
  AlertmanagerConfigs, so every alert the Prometheus sends reaches the receiver
  (pkg/alertmanager/amcfg.go ``initializeFromAlertmanagerConfig``). Its one receiver is a webhook
  whose URL the operator reads from the Secret key ``urlSecret`` names (the cluster provides the
  Secret), so no URL or token is in ORION's output; the operator refuses the configuration while
  the Secret is absent (``checkAlertmanagerConfigResource``). A raw ``alertmanager.yaml`` cannot
  do this: Alertmanager v0.25 (Debian's amtool) has no ``url_file`` for webhooks.
"""

from __future__ import annotations

from typing import Any

from orion_dsl import engines
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role, names
from orion_dsl.model import Storage, Topology, Workload
from orion_dsl.receivers import receiver_of

from . import meta, placement
from .meta import Builder, Obj
from .operators import NO_SIDECAR
from .units import ACCESS_MODES, prom_duration
from .workloads import resources

#: The user the prom/prometheus and prom/alertmanager images run as (``nobody``).
NOBODY = 65534
#: The port name the operator gives Prometheus's and Alertmanager's web port.
WEB_PORT = "web"


def _claim(s: Storage) -> dict[str, Any]:
    """The claim template of the data volume (one per pod)."""
    spec: dict[str, Any] = {"accessModes": [ACCESS_MODES[s.access]], "resources": {"requests": {"storage": s.size.text}}}
    if s.storage_class is not None:
        spec["storageClassName"] = s.storage_class
    return {"volumeClaimTemplate": {"spec": spec}}


def _version(w: Workload) -> str | None:
    """The version the operator configures its flags for: the image tag, when it is one (``v3.5.0``)."""
    tag = w.version
    return tag if tag.startswith("v") and tag[1:2].isdigit() else None


def _common(plan: Plan, w: Workload) -> dict[str, Any]:
    """What a Prometheus and an Alertmanager share: replicas, image, resources, storage, the pods'
    user, labels and ServiceAccount."""
    spec: dict[str, Any] = {"replicas": w.replicas, "image": w.container.image}
    version = _version(w)
    if version is not None:
        spec["version"] = version
    spec["serviceAccountName"] = plan.get(Role.SERVICE_ACCOUNT, w).name
    spec["resources"] = resources(w.container)
    if w.storage:
        spec["storage"] = _claim(w.storage[0])
    spec["securityContext"] = {
        "runAsNonRoot": True,
        "runAsUser": NOBODY,
        "runAsGroup": NOBODY,
        "fsGroup": NOBODY,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    spec["podMetadata"] = {"labels": {meta.PART_OF: plan.topology.name, **NO_SIDECAR}}
    spec.update(placement.pod_fields(w.placement, names.pod_selector(w), plan.topology, w.namespace))
    return spec


def _written_here(plan: Plan) -> dict[str, Any]:
    """Selects the monitoring objects ORION writes: by the topology's part-of label, in its namespaces."""
    return {"matchLabels": {meta.PART_OF: plan.topology.name}}


def _namespaces(plan: Plan) -> dict[str, Any]:
    """Selects the topology's namespaces (the monitors and rules ORION writes are in them)."""
    spaces = [ns.name for ns in plan.topology.namespaces]
    return {"matchExpressions": [{"key": names.NAMESPACE_NAME_LABEL, "operator": "In", "values": spaces}]}


def prometheus(entry: Planned, plan: Plan) -> Obj:
    """A Prometheus that reads the ServiceMonitors, PodMonitors and PrometheusRules ORION writes and
    sends alerts to the Alertmanager the plan names."""
    w = entry.of(Workload)
    mon = plan.topology.monitoring
    assert mon is not None
    spec = _common(plan, w)
    spec["automountServiceAccountToken"] = True  # service discovery reads the API
    for kind in ("serviceMonitor", "podMonitor", "rule"):
        spec[f"{kind}Selector"] = _written_here(plan)
        spec[f"{kind}NamespaceSelector"] = _namespaces(plan)
    if mon.interval is not None:
        spec["scrapeInterval"] = prom_duration(mon.interval)
    if mon.retention is not None:
        spec["retention"] = prom_duration(mon.retention)
    alertmanagers = [
        {"namespace": ref.namespace, "name": names.operated_service(alerting=True), "port": WEB_PORT, "apiVersion": "v2"}
        for ref in entry.refs
        if ref.kind == "Alertmanager"
    ]
    if alertmanagers:
        spec["alerting"] = {"alertmanagers": alertmanagers}
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=spec)


def alertmanager(entry: Planned, plan: Plan) -> Obj:
    """An Alertmanager configured by the AlertmanagerConfig the plan names (:func:`alert_routing`)."""
    w = entry.of(Workload)
    spec = _common(plan, w)
    spec["automountServiceAccountToken"] = False  # Alertmanager never calls the API
    (routing,) = (r for r in entry.refs if r.kind == "AlertmanagerConfig")
    spec["alertmanagerConfiguration"] = {"name": routing.name}
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=spec)


#: The one receiver of an Alertmanager's route.
RECEIVER = "default"
#: How alerts are grouped and repeated (Alertmanager's defaults but for ``group_by`` and a shorter
#: ``repeat_interval``): one notification per alert name and namespace, every 4 hours while firing.
ROUTE_TIMING = {"groupWait": "30s", "groupInterval": "5m", "repeatInterval": "4h"}


def alert_routing(entry: Planned, plan: Plan) -> Obj:
    """The AlertmanagerConfig of an Alertmanager: every alert, grouped by name and namespace, to the
    monitoring block's receiver, whose URL or key is the key of the receiver Secret the plan names
    (resolved alerts too)."""
    (secret,) = (r for r in entry.refs if r.kind == "Secret")
    (key,) = secret.keys
    receiver = receiver_of(plan.topology.monitoring)
    config = {receiver.secret_field: {"name": secret.name, "key": key}, "sendResolved": True}
    spec = {
        "route": {"receiver": RECEIVER, "groupBy": ["alertname", "namespace"], **ROUTE_TIMING},
        "receivers": [{"name": RECEIVER, receiver.configs: [config]}],
    }
    return meta.build(entry, meta.workload_labels(plan.topology, entry.of(Workload)), spec=spec)


#: What Prometheus's Kubernetes service discovery reads (example/rbac/prometheus/prometheus-cluster-role.yaml).
DISCOVERY_RULES = (
    {"apiGroups": [""], "resources": ["nodes", "nodes/metrics", "services", "endpoints", "pods"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"]},
    {"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
)


def discovery_role(entry: Planned, plan: Plan) -> Obj:
    """Read access to the objects Prometheus discovers its targets from, in every namespace."""
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "rbac"), rules=[dict(r) for r in DISCOVERY_RULES])


def discovery_binding(entry: Planned, plan: Plan) -> Obj:
    """The discovery ClusterRole bound to Prometheus's ServiceAccount."""
    (role,) = (r for r in entry.refs if r.kind == "ClusterRole")
    (account,) = (r for r in entry.refs if r.kind == "ServiceAccount")
    return meta.build(
        entry,
        meta.recommended(plan.topology, entry.name, "rbac"),
        roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role.name},
        subjects=[{"kind": "ServiceAccount", "name": account.name, "namespace": account.namespace}],
    )


def prerequisites(topology: Topology) -> list[Diagnostic]:
    """I1080: what the monitoring block's stack needs that ORION does not write (the operator, the
    exporter of ``kube_*`` metrics its alerts read, alert receivers); the log shipper is ORION's (:mod:`.logs`)."""
    mon = topology.monitoring
    if mon is None:
        return []
    needs = []
    run = ", ".join(w.name for w in topology.workloads if w.engine == "prometheus-operator")
    if run:
        needs.append(f"the Prometheus Operator {engines.facts('prometheus-operator').version} and its monitoring.coreos.com CRDs (for {run})")
    kube = mon.cluster_state_alerts
    if kube:
        needs.append(f"kube-state-metrics, whose kube_* metrics {', '.join(kube)} read{'s' if len(kube) == 1 else ''}")
    alerting = topology.workload(mon.alerting) if mon.alerting else None
    if alerting is not None and alerting.engine == "prometheus-operator":
        secret = f"{alerting.namespace}/{names.alert_receiver(alerting)}"
        receiver = receiver_of(mon)
        needs.append(f"the {receiver.kind} receiver of {alerting.name}: the Secret {secret} with key {receiver.key}, {receiver.holds}")
    if not needs:
        return []
    summary = "the monitoring stack needs from the cluster: " + "; ".join(needs)
    return [info("I1080", None, summary, "install them beside the manifests (docs/LANGUAGE.md, monitoring)")]


BUILDERS: dict[Role, Builder] = {
    Role.PROMETHEUS: prometheus,
    Role.ALERTMANAGER: alertmanager,
    Role.ALERT_ROUTING: alert_routing,
    Role.DISCOVERY_ROLE: discovery_role,
    Role.DISCOVERY_BINDING: discovery_binding,
}
