"""ServiceMonitors (Prometheus Operator) for scraped workloads and a PrometheusRule of alerts.

A ServiceMonitor selects the one Service labelled ``orion.dev/scrape: <workload>`` (the
workload's Service, or ``<db>-headless`` for a pooled database whose ``<db>`` Service points at
the pooler) and scrapes the monitoring port by name at the monitoring path. Pods also carry
``prometheus.io/*`` annotations for a Prometheus without the operator.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.model import Topology

from . import labels as L
from .units import prom_duration


def service_monitors(topology: Topology) -> list[dict[str, Any]]:
    """One ServiceMonitor per scraped workload that has the monitoring port."""
    mon = topology.monitoring
    if mon is None:
        return []
    out = []
    for w in topology.workloads:
        if not w.scraped or w.port(mon.port) is None:
            continue
        endpoint: dict[str, Any] = {"port": mon.port, "path": mon.path, "scheme": "http"}
        if mon.interval is not None:
            endpoint["interval"] = prom_duration(mon.interval)
        spec = {
            "selector": {"matchLabels": {L.SCRAPE: w.name}},
            "namespaceSelector": {"matchNames": [w.namespace]},
            "endpoints": [endpoint],
        }
        out.append(L.obj("monitoring.coreos.com/v1", "ServiceMonitor", L.meta(w.name, w.namespace, L.workload_labels(topology, w)), spec=spec))
    return out


def prometheus_rules(topology: Topology) -> list[dict[str, Any]]:
    """One PrometheusRule holding every alert, beside the scraper."""
    mon = topology.monitoring
    if mon is None or not mon.alerts:
        return []
    scraper = topology.workload(mon.scraper)
    namespace = scraper.namespace if scraper else topology.namespaces[0].name
    rules = []
    for a in mon.alerts:
        rule: dict[str, Any] = {"alert": a.name, "expr": a.expr, "labels": {"severity": a.severity}}
        if a.for_ is not None:
            rule["for"] = prom_duration(a.for_)
        rule["annotations"] = {"summary": a.summary or a.name}
        rules.append(rule)
    name = f"{topology.name}-alerts"
    spec = {"groups": [{"name": topology.name, "rules": rules}]}
    return [L.obj("monitoring.coreos.com/v1", "PrometheusRule", L.meta(name, namespace, L.recommended(topology, name, "monitoring")), spec=spec)]
