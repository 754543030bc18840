"""``pods`` metrics need no custom metrics adapter (issue 13): a workload whose custom metrics are all
``pods`` ones, scraped by the monitoring block's Prometheus, is scaled by a KEDA ScaledObject with one
``prometheus`` trigger per metric, and KEDA's operator may reach the Prometheus.

The trigger's fields are the Prometheus scaler's (kedacore/keda-docs content/docs/2.18/scalers/prometheus.md:
``serverAddress``, ``query``, ``threshold``; ``metricType`` is the trigger's, validated against the vendored
CRD tests/schemas/crds/keda.sh/scaledobject_v1alpha1.json). The query selects by the ``namespace`` and ``pod``
labels the Prometheus Operator puts on every ServiceMonitor target (prometheus-operator pkg/prometheus/promcfg.go
generateServiceMonitorConfig: ``__meta_kubernetes_namespace`` and ``__meta_kubernetes_pod_name`` relabelled).
"""

from __future__ import annotations

import re
from typing import Any

from orion_dsl.controllers import KEDA
from orion_dsl.lowering.prerequisites import prerequisites
from orion_dsl.model import Peer, Topology
from orion_dsl.pipeline import analyze_text
from tests.support.plans import planned
from tests.support.schemas import validate_crd

from .helpers import find, objects, of_kind

MONITORED = """topology t { version "1.0.0" }
namespace apps {
  service api { image "a/api:1"; port http 8080; port metrics 9100; autoscale 2..6 { cpu 70%; pods requests_per_second 40 { select { route "orders" } } } }
  service web { image "a/web:1"; port http 8080; port metrics 9100; blue_green { blue "1"; green "2"; active green }; autoscale 2..4 { pods sessions 10 } }
MIXED}
namespace mon {
  statefulset prometheus { engine prometheus-operator; image "quay.io/prometheus/prometheus:v3.13.2"; port web 9090; storage data 1Gi at "/prometheus" }
}
monitoring { scraper prometheus; path "/metrics"; port metrics; scrape all }
"""
#: A workload that also scales on an object metric keeps its HPA (KEDA has no trigger for it).
MIXED = """  service both { image "a/both:1"; port http 8080; port metrics 9100; autoscale 1..3 { pods sessions 10; object requests 100 object api } }
"""
MONITORED = MONITORED.replace("MIXED", MIXED)

UNMONITORED = """topology t { version "1.0.0" }
namespace apps {
  service api { image "a/api:1"; port http 8080; autoscale 2..6 { pods requests_per_second 40 } }
}
"""


def _topology(text: str) -> Topology:
    analysis = analyze_text(text, "t.orion")
    assert analysis.topology is not None, analysis.diagnostics
    return analysis.topology


def _triggers(objs: list[dict[str, Any]], name: str) -> dict[str, dict[str, Any]]:
    return {t["type"]: t for t in find(objs, "ScaledObject", name, "apps")["spec"]["triggers"]}


def test_a_workload_scaled_on_pods_metrics_gets_a_scaled_object_reading_prometheus() -> None:
    objs = objects(_topology(MONITORED))
    assert {o["metadata"]["name"] for o in of_kind(objs, "HorizontalPodAutoscaler")} == {"both"}
    scaled = find(objs, "ScaledObject", "api", "apps")
    assert validate_crd(scaled) == []
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (2, 6)
    triggers = _triggers(objs, "api")
    assert triggers["cpu"] == {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "70"}}
    assert triggers["prometheus"] == {
        "type": "prometheus",
        "metricType": "AverageValue",
        "metadata": {
            "serverAddress": "http://prometheus.mon.svc.cluster.local:9090",
            "query": 'sum(requests_per_second{namespace="apps",pod=~"api-[a-z0-9]+-[a-z0-9]+",route="orders"})',
            "threshold": "40",
        },
    }


def test_the_query_matches_only_the_pods_of_the_deployment_scaled() -> None:
    query = _triggers(objects(_topology(MONITORED)), "api")["prometheus"]["metadata"]["query"]
    pattern = re.search(r'pod=~"([^"]+)"', query)
    assert pattern is not None
    matches = [pod for pod in ("api-7d4b9c8f6-x2k9p", "api-admin-7d4b9c8f6-x2k9p", "api") if re.fullmatch(pattern.group(1), pod)]
    assert matches == ["api-7d4b9c8f6-x2k9p"]  # PromQL anchors the regex: another Deployment's pods do not match


def test_a_statefulsets_query_matches_its_ordinal_pods() -> None:
    text = MONITORED.replace(MIXED, MIXED + '  statefulset store { image "a/s:1"; port http 8080; port metrics 9100; autoscale 1..3 { pods queue_items 5 } }\n')
    objs = objects(_topology(text))
    assert find(objs, "ScaledObject", "store", "apps")["spec"]["scaleTargetRef"]["kind"] == "StatefulSet"
    assert 'pod=~"store-[0-9]+"' in _triggers(objs, "store")["prometheus"]["metadata"]["query"]


def test_a_blue_green_scaled_object_scales_and_sums_the_active_colour() -> None:
    objs = objects(_topology(MONITORED))
    spec = find(objs, "ScaledObject", "web", "apps")["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web-green"}
    assert 'pod=~"web-green-' in _triggers(objs, "web")["prometheus"]["metadata"]["query"]


def test_a_counters_query_sums_its_rate_and_a_gauges_its_value() -> None:
    """A ``*_total`` metric is a counter (prometheus/docs content/docs/practices/naming.md: "an accumulating
    count has ``total`` as a suffix"): its sum only grows, so the trigger sums its per-second rate."""
    text = MONITORED.replace("pods requests_per_second 40 {", "pods http_requests_total 40 {")
    query = _triggers(objects(_topology(text)), "api")["prometheus"]["metadata"]["query"]
    assert query == 'sum(rate(http_requests_total{namespace="apps",pod=~"api-[a-z0-9]+-[a-z0-9]+",route="orders"}[2m]))'
    gauge = _triggers(objects(_topology(MONITORED)), "web")["prometheus"]["metadata"]["query"]
    assert gauge.startswith("sum(sessions{") and "rate(" not in gauge


def test_a_counters_rate_spans_four_scrapes_of_a_slow_scrape_interval() -> None:
    text = MONITORED.replace("pods requests_per_second 40 {", "pods http_requests_total 40 {").replace("scrape all }", "scrape all; interval 1m }")
    query = _triggers(objects(_topology(text)), "api")["prometheus"]["metadata"]["query"]
    assert query.endswith("[4m]))")


def test_keda_reaches_the_prometheus_on_its_query_port() -> None:
    keda = Peer("operator", KEDA.name, KEDA.namespace)
    edges = {(e.target.name, e.port.number) for e in _topology(MONITORED).allow_graph.edges if e.source == keda}
    assert edges == {("prometheus", 9090)}
    rules = find(objects(_topology(MONITORED)), "NetworkPolicy", "prometheus-ingress", "mon")["spec"]["ingress"]
    admitted = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keda"}}, "podSelector": {"matchLabels": {"app": "keda-operator"}}}
    assert {"from": [admitted], "ports": [{"port": 9090, "protocol": "TCP"}]} in rules


def _adapter(text: str) -> list[str]:
    return [f.why for f in prerequisites(planned(_topology(text))).features if "custom metrics" in f.name]


def test_the_custom_metrics_adapter_is_a_prerequisite_only_of_an_hpa_reading_it() -> None:
    assert _adapter(MONITORED.replace(MIXED, "")) == []
    assert _adapter(MONITORED) == ["HorizontalPodAutoscalers scale on pod or object metrics: requests, sessions"]  # both's HPA, not KEDA's
    assert _adapter(UNMONITORED) == ["HorizontalPodAutoscalers scale on pod or object metrics: requests_per_second"]


def test_without_a_prometheus_scraping_it_a_pods_metric_stays_an_hpa_metric() -> None:
    objs = objects(_topology(UNMONITORED))
    assert not of_kind(objs, "ScaledObject")
    (hpa,) = of_kind(objs, "HorizontalPodAutoscaler")
    assert [m["type"] for m in hpa["spec"]["metrics"]] == ["Pods"]
