"""ServiceMonitors (Prometheus Operator) for scraped workloads and a PrometheusRule of alerts.

A ServiceMonitor selects the one Service labelled ``orion.dev/scrape: <workload>`` (the
workload's Service, or ``<db>-headless`` for a pooled database whose ``<db>`` Service points at
the pooler) and scrapes the monitoring port by name at the monitoring path. Pods also carry
``prometheus.io/*`` annotations for a Prometheus without the operator.

A meshed workload is scraped at its Istio agent instead (Istio metrics merging): the target's
address is relabelled to the agent's status port and the path to ``/stats/prometheus``, where the
agent serves the application's metrics (read from the annotations' port and path, which the
injector keeps in ISTIO_PROMETHEUS_ANNOTATIONS) merged with Envoy's, in plaintext outside mTLS
(istio/istio@d5fcb2eeeba8824d16b7ff37f1ad3949acb1c77d pkg/kube/inject/webhook.go applyPrometheusMerge).
The agent's port is not a container port, so it cannot be named (``port``/``targetPort`` need one):
relabelling ``__address__`` is how prometheus-operator's PodMonitor reference says to reach an
undeclared port (monitoring.coreos.com/v1 ``portNumber``). No port is left PERMISSIVE for it.

Istio's gateway pods of an ``istio`` ingress declare that port (``metrics``), so their PodMonitor, beside
the scraper, names it by number (:func:`gateway_monitor`).
"""

from __future__ import annotations

from typing import Any

from orion_dsl.analysis.allow_graph import MERGED_METRICS
from orion_dsl.controllers import KUBE_STATE_METRICS, KUBE_STATE_METRICS_PORT
from orion_dsl.lowering import Plan, Planned, Role
from orion_dsl.model import Monitoring, Workload

from . import meta
from .meta import Builder, Obj
from .units import prom_duration

#: Where the Istio agent serves the merged metrics.
MERGED_METRICS_PATH = "/stats/prometheus"


def service_monitor(entry: Planned, plan: Plan) -> Obj:
    """Scrape the monitoring port of the one Service labelled for the workload."""
    w = entry.of(Workload)
    mon = plan.topology.monitoring
    assert mon is not None
    endpoint: dict[str, Any] = {"port": mon.port, "path": mon.path, "scheme": "http"}
    if w.meshed:  # the agent's merged metrics, outside mTLS
        endpoint["path"] = MERGED_METRICS_PATH
        agent = f"$1:{MERGED_METRICS.number}"
        to_agent = {"sourceLabels": ["__address__"], "regex": r"(.+):\d+", "targetLabel": "__address__", "replacement": agent, "action": "replace"}
        endpoint["relabelings"] = [to_agent]
    if mon.interval is not None:
        endpoint["interval"] = prom_duration(mon.interval)
    spec = {
        "selector": {"matchLabels": {meta.SCRAPE: w.name}},
        "namespaceSelector": {"matchNames": [w.namespace]},
        "endpoints": [endpoint],
    }
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=spec)


def gateway_monitor(entry: Planned, plan: Plan) -> Obj:
    """Scrape Istio's gateway pods of the ingress (Istio makes them from the Gateway, in its namespace)
    at their agent's merged metrics, the port they declare (kube-gateway.yaml: ``metrics``, 15020,
    with ``prometheus.io/path: /stats/prometheus``). The PodMonitor is beside the scraper, whose
    Prometheus admits its namespace whether or not the ingress's namespace is the topology's."""
    mon = plan.topology.monitoring
    assert mon is not None and entry.selects is not None
    endpoint: dict[str, Any] = {"portNumber": MERGED_METRICS.number, "path": MERGED_METRICS_PATH, "scheme": "http"}
    if mon.interval is not None:
        endpoint["interval"] = prom_duration(mon.interval)
    spec = {
        "selector": {"matchLabels": dict(entry.selector)},
        "namespaceSelector": {"matchNames": [entry.selects.namespace]},
        "podMetricsEndpoints": [endpoint],
    }
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "monitoring"), spec=spec)


def cluster_state_monitor(entry: Planned, plan: Plan) -> Obj:
    """Scrape kube-state-metrics where its standard manifests install it (the Service in kube-system,
    port http-metrics), keeping the ``namespace`` and ``pod`` labels of its series (``honorLabels``:
    they name the object a metric is about, not the exporter's pod)."""
    mon = entry.of(Monitoring)
    endpoint: dict[str, Any] = {"port": KUBE_STATE_METRICS_PORT.name, "path": "/metrics", "scheme": "http", "honorLabels": True}
    if mon.interval is not None:
        endpoint["interval"] = prom_duration(mon.interval)
    spec = {
        "selector": {"matchLabels": dict(KUBE_STATE_METRICS.pods)},
        "namespaceSelector": {"matchNames": [KUBE_STATE_METRICS.namespace]},
        "endpoints": [endpoint],
    }
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "monitoring"), spec=spec)


def alert_rules(entry: Planned, plan: Plan) -> Obj:
    """One PrometheusRule holding every alert, beside the scraper."""
    mon = entry.of(Monitoring)
    rules = []
    for a in mon.alerts:
        rule: dict[str, Any] = {"alert": a.name, "expr": a.expr, "labels": {"severity": a.severity}}
        if a.for_ is not None:
            rule["for"] = prom_duration(a.for_)
        rule["annotations"] = {"summary": a.summary or a.name}
        rules.append(rule)
    spec = {"groups": [{"name": plan.topology.name, "rules": rules}]}
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "monitoring"), spec=spec)


BUILDERS: dict[Role, Builder] = {
    Role.SERVICE_MONITOR: service_monitor,
    Role.ALERT_RULES: alert_rules,
    Role.CLUSTER_STATE_MONITOR: cluster_state_monitor,
    Role.GATEWAY_MONITOR: gateway_monitor,
}
