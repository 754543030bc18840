"""Every alert reads metrics something emits (issue 12): each metric an alert's expression names has
a known emitter, and that emitter is in the output (an object serving the metric, with a monitor that
scrapes it) or is a prerequisite the generated document states. A metric of no known emitter fails:
an alert on a metric nothing emits never fires (the seed's ``BackupMissing`` once read
``orion_backup_last_success_timestamp_seconds``, which nothing emitted).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from orion_dsl.lowering.prerequisites import Prerequisites, prerequisites
from orion_dsl.model import Topology
from tests.kubernetes.helpers import SPECS, load, objects, of_kind
from tests.support.plans import planned

#: The Barman Cloud plugin's name, which prefixes its metrics with ``.`` and ``-`` made ``_``.
BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io"


def _barman_plugin_scraped(objs: list[dict[str, Any]], _: Prerequisites) -> bool:
    """A CloudNativePG Cluster archiving through the plugin, whose instances a PodMonitor scrapes on
    their metrics port (the instance manager serves the plugin's metrics there)."""
    clusters = [
        (o["metadata"]["namespace"], o["metadata"]["name"])
        for o in of_kind(objs, "Cluster")
        if any(p.get("name") == BARMAN_PLUGIN for p in o["spec"].get("plugins", []))
    ]
    monitors = {
        (m["metadata"]["namespace"], m["spec"]["selector"]["matchLabels"].get("cnpg.io/cluster"))
        for m in of_kind(objs, "PodMonitor")
        if m["spec"]["selector"].get("matchLabels", {}).get("cnpg.io/podRole") == "instance"
        and any(e.get("port") == "metrics" for e in m["spec"]["podMetricsEndpoints"])
    }
    return any(c in monitors for c in clusters)


def _kube_state_metrics_scraped(objs: list[dict[str, Any]], found: Prerequisites) -> bool:
    """kube-state-metrics is the cluster's: the prerequisites state it, and a ServiceMonitor scrapes
    its Service where its standard manifests install it (kube-system, port http-metrics)."""
    monitors = [
        m["spec"]
        for m in of_kind(objs, "ServiceMonitor")
        if m["spec"]["selector"].get("matchLabels") == {"app.kubernetes.io/name": "kube-state-metrics"}
        and m["spec"]["namespaceSelector"].get("matchNames") == ["kube-system"]
        and [e["port"] for e in m["spec"]["endpoints"]] == ["http-metrics"]
    ]
    return bool(monitors) and any(f.name == "kube-state-metrics" for f in found.features)


def _scraped_pods(objs: list[dict[str, Any]]) -> list[tuple[str, dict[str, str]]]:
    """The (namespace, pod labels) selectors the monitors scrape: a PodMonitor's own, a ServiceMonitor's Services'."""
    found = [(m["metadata"]["namespace"], m["spec"]["selector"].get("matchLabels", {})) for m in of_kind(objs, "PodMonitor")]
    for m in of_kind(objs, "ServiceMonitor"):
        spaces = m["spec"].get("namespaceSelector", {}).get("matchNames", [m["metadata"]["namespace"]])
        wanted = m["spec"]["selector"].get("matchLabels", {}).items()
        found += [
            (svc["metadata"]["namespace"], svc["spec"].get("selector", {}))
            for svc in of_kind(objs, "Service")
            if svc["metadata"]["namespace"] in spaces and wanted <= svc["metadata"].get("labels", {}).items()
        ]
    return found


def _application_scraped(objs: list[dict[str, Any]], _: Prerequisites) -> bool:
    """An application ORION writes the Deployment of, whose pods a ServiceMonitor or PodMonitor scrapes."""
    scraped = _scraped_pods(objs)
    return any(
        ns == d["metadata"]["namespace"] and labels and labels.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        for d in of_kind(objs, "Deployment")
        for ns, labels in scraped
    )


@attrs.frozen
class Emitter:
    """Who serves the metrics whose names start with ``prefix``, and how the output has it."""

    prefix: str
    who: str
    present: Callable[[list[dict[str, Any]], Prerequisites], bool]
    source: str


EMITTERS = (
    Emitter(
        "barman_cloud_cloudnative_pg_io_",
        "the Barman Cloud plugin, through CloudNativePG's instances",
        _barman_plugin_scraped,
        "cloudnative-pg/plugin-barman-cloud@1be34fe13e830a219d0d8d68423caf2d3c55a49b internal/cnpgi/instance/metrics.go "
        "(metricsDomain: the plugin's name with . and - as _; last_available_backup_timestamp, 0 before the first backup)",
    ),
    Emitter(
        "kube_",
        "kube-state-metrics",
        _kube_state_metrics_scraped,
        "kubernetes/kube-state-metrics docs/metrics/workload/pod-metrics.md (kube_pod_container_status_restarts_total), no commit checked; "
        "kubernetes/kube-state-metrics@02efa65cb19aeb0339094963af9cf2c02f1ac398 examples/standard/service.yaml (kube-system, "
        "app.kubernetes.io/name: kube-state-metrics, port http-metrics 8080)",
    ),
    Emitter(
        "http_requests_",
        "the application's own HTTP server metrics (the Prometheus client libraries' convention)",
        _application_scraped,
        "prometheus/client_golang prometheus/promhttp instrument_server.go (InstrumentHandlerCounter: a counter by code and method), no commit checked",
    ),
)

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_MATCHERS = re.compile(r"\{[^}]*\}|\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_NAME = re.compile(r"(?<![A-Za-z0-9_:.])([A-Za-z_:][A-Za-z0-9_:]*)(?![A-Za-z0-9_:])(?!\s*\()")
_KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"})


def metric_names(expr: str) -> list[str]:
    """The metric names a PromQL expression selects (not its functions, labels, keywords or numbers)."""
    bare = _GROUPING.sub(" ", _MATCHERS.sub(" ", _STRINGS.sub(" ", expr)))
    return list(dict.fromkeys(n for n in _NAME.findall(bare) if n.lower() not in _KEYWORDS))


def unemitted(objs: list[dict[str, Any]], found: Prerequisites) -> list[str]:
    """Each metric an alert of the output reads that no emitter in the output or the prerequisites serves."""
    bad = []
    for rule in (r for o in of_kind(objs, "PrometheusRule") for g in o["spec"]["groups"] for r in g["rules"]):
        for metric in metric_names(rule["expr"]):
            emitter = next((e for e in EMITTERS if metric.startswith(e.prefix)), None)
            if emitter is None:
                bad.append(f"{rule['alert']}: no emitter is known of {metric}")
            elif not emitter.present(objs, found):
                bad.append(f"{rule['alert']}: {metric} comes from {emitter.who}, which neither the output nor the prerequisites have")
    return bad


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_alert_reads_metrics_something_in_the_output_or_the_prerequisites_emits(path: Path) -> None:
    assert unemitted(objects(load(path)), prerequisites(planned(load(path)))) == []


def test_the_metric_names_of_an_expression_leave_out_functions_labels_and_keywords() -> None:
    expr = 'time() - max by (namespace) (last_backup{job="a-b"}) > 93600 or absent(last_backup) or sum(rate(x_total{code=~"5.."}[5m])) by (service) > 1'
    assert metric_names(expr) == ["last_backup", "x_total"]


def _rule(name: str, expr: str) -> dict[str, Any]:
    return {"kind": "PrometheusRule", "spec": {"groups": [{"rules": [{"alert": name, "expr": expr}]}]}}


def test_an_alert_on_a_metric_nothing_emits_or_an_emitter_left_out_is_found(seed: Topology) -> None:
    found = prerequisites(planned(seed))
    objs = [o for o in objects(seed) if o["kind"] != "PrometheusRule"]
    assert unemitted([*objs, _rule("Gone", "orion_backup_last_success_timestamp_seconds < 1")], found) == [
        "Gone: no emitter is known of orion_backup_last_success_timestamp_seconds"
    ]
    backup = _rule("Late", "time() - barman_cloud_cloudnative_pg_io_last_available_backup_timestamp > 90000")
    assert unemitted([*objs, backup], found) == []
    assert unemitted([*(o for o in objs if o["kind"] != "Cluster"), backup], found) == [
        "Late: barman_cloud_cloudnative_pg_io_last_available_backup_timestamp comes from the Barman Cloud plugin, through "
        "CloudNativePG's instances, which neither the output nor the prerequisites have"
    ]
