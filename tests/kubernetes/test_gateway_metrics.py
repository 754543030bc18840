"""Istio's gateway pods of the ingress are scraped (mesh review D9): a PodMonitor beside Prometheus selects
them at their agent's merged metrics, and the allow-graph's scrape edge admits Prometheus on that port.

Istio's kube-gateway template (istio/istio 1.30.3, manifests/charts/istio-control/istio-discovery/files/
kube-gateway.yaml) declares the istio-proxy container's ``containerPort: 15020, name: metrics`` and
annotates the pods ``prometheus.io/port: "15020"``, ``prometheus.io/path: /stats/prometheus``.
"""

from __future__ import annotations

from typing import Any

import pytest

from orion_dsl.model import Peer, Topology
from tests.conftest import topology_of
from tests.support.netpol import Cluster, Pod
from tests.support.schemas import validate_crd

from .helpers import find, objects, of_kind
from .test_gateway_api import HTTP01_SPEC

GATEWAY_PODS = {"gateway.networking.k8s.io/gateway-name": "edge"}
#: Istio's gateway pod as kube-gateway.yaml declares its ports (15090: Envoy's own, unmerged, stats).
GATEWAY_POD = Pod("orion-ingress", "edge-istio-0", GATEWAY_PODS, {"metrics": (15020, "TCP"), "http-envoy-prom": (15090, "TCP")})


@pytest.fixture(scope="module")
def seed_objs(seed: Topology) -> list[dict[str, Any]]:
    """The seed's Kubernetes objects."""
    return objects(seed)


def _prometheus_pod(objs: list[dict[str, Any]]) -> Pod:
    """The seed's Prometheus pod, labelled as the operator labels it (makeSelectorLabels)."""
    (cr,) = of_kind(objs, "Prometheus")
    name = cr["metadata"]["name"]
    own = {"app.kubernetes.io/name": "prometheus", "app.kubernetes.io/managed-by": "prometheus-operator", "app.kubernetes.io/instance": name}
    return Pod(cr["metadata"]["namespace"], f"prometheus-{name}-0", {**cr["spec"]["podMetadata"]["labels"], **own}, {"web": (9090, "TCP")})


def _cluster(objs: list[dict[str, Any]], *pods: Pod) -> Cluster:
    namespaces = {o["metadata"]["name"]: o["metadata"]["labels"] for o in of_kind(objs, "Namespace")}
    return Cluster(pods, namespaces, of_kind(objs, "NetworkPolicy"))


def test_a_podmonitor_beside_prometheus_scrapes_the_gateway_pods_merged_metrics(seed_objs: list[dict[str, Any]]) -> None:
    monitor = find(seed_objs, "PodMonitor", "edge-istio", "orion-monitoring")
    assert validate_crd(monitor) == []
    spec = monitor["spec"]
    assert spec["selector"] == {"matchLabels": GATEWAY_PODS}
    assert spec["namespaceSelector"] == {"matchNames": ["orion-ingress"]}
    assert spec["podMetricsEndpoints"] == [{"portNumber": 15020, "path": "/stats/prometheus", "scheme": "http"}]


def test_prometheus_reaches_the_gateway_pod_on_its_agents_port_only(seed_objs: list[dict[str, Any]]) -> None:
    prometheus = _prometheus_pod(seed_objs)
    cluster = _cluster(seed_objs, prometheus, GATEWAY_POD)
    assert cluster.allowed(prometheus, GATEWAY_POD, 15020)
    assert not cluster.allowed(prometheus, GATEWAY_POD, 15090)


def test_the_allow_graph_holds_the_gateway_scrape_so_diagrams_and_docs_show_it(seed: Topology) -> None:
    scrapes = {(e.source.name, e.port.number) for e in seed.allow_graph.edges if e.rule == "scrape" and e.target == Peer("ingress", "edge", "orion-ingress")}
    assert scrapes == {("prometheus", 15020)}


def test_without_monitoring_the_gateway_is_neither_monitored_nor_opened_on_15020() -> None:
    objs = objects(topology_of(HTTP01_SPEC))
    assert of_kind(objs, "PodMonitor") == []
    inbound = find(objs, "NetworkPolicy", "edge-istio-ingress", "shop-edge")["spec"]
    assert 15020 not in {p["port"] for rule in inbound["ingress"] for p in rule["ports"]}
