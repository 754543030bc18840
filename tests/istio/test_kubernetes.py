"""The Istio objects refer only to what the Kubernetes output creates (issue 4's reference bar).

Both backends are rendered from the same topology and the Istio objects are checked against
the Kubernetes *output*, not the model: ServiceAccounts behind every principal, Services (or
ServiceEntries) behind every host, Service ports behind every route port, pods behind every
selector and subset, container ports behind every PeerAuthentication/AuthorizationPolicy port.
The egress gateway is installed with Istio, so its host and pod label are one exception; the other is the pods Istio
makes for each Gateway of class ``istio`` in the Kubernetes output: labelled with the Gateway's name, Envoy binding each
listener port itself (istio/istio 1.30.3 manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest

import orion_dsl.backends.kubernetes
from orion_dsl.backends.istio import render
from orion_dsl.lowering.names import GATEWAY_NAME_LABEL, ISTIO_GATEWAY_CLASS
from orion_dsl.model import Topology
from tests.conftest import EXAMPLES, SEED_SPEC, load_topology
from tests.istio.conftest import documents, of_kind
from tests.support.plans import planned

Objects = list[dict[str, Any]]
SPECS = [SEED_SPEC, *EXAMPLES]
EGRESS_HOST = "istio-egressgateway.istio-system.svc.cluster.local"
EGRESS_LABELS = {"istio": "egressgateway"}


@functools.cache
def _both(index: int) -> tuple[Topology, tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    topology = load_topology(SPECS[index])
    return topology, tuple(documents(render(planned(topology)))), tuple(documents(orion_dsl.backends.kubernetes.render(planned(topology))))


@pytest.fixture(params=range(len(SPECS)), ids=[p.stem for p in SPECS])
def both(request: pytest.FixtureRequest) -> tuple[Topology, Objects, Objects]:
    """(topology, Istio objects, Kubernetes objects) of the seed and of each example."""
    topology, istio, kubernetes = _both(request.param)
    return topology, list(istio), list(kubernetes)


def _services(kubernetes: Objects) -> dict[str, dict[str, Any]]:
    return {f"{s['metadata']['name']}.{s['metadata']['namespace']}.svc.cluster.local": s for s in of_kind(kubernetes, "Service")}


def _pods(kubernetes: Objects) -> Iterator[tuple[str, dict[str, str], list[dict[str, Any]]]]:
    """(namespace, pod labels, containers) of every pod template, and of the pods Istio makes for each Gateway."""
    for o in kubernetes:
        if o["kind"] in ("Deployment", "StatefulSet"):
            template = o["spec"]["template"]
            yield o["metadata"]["namespace"], template["metadata"]["labels"], template["spec"]["containers"]
        if o["kind"] == "Gateway" and o["spec"]["gatewayClassName"] == ISTIO_GATEWAY_CLASS:
            envoy = {"ports": [{"containerPort": listener["port"]} for listener in o["spec"]["listeners"]]}
            yield o["metadata"]["namespace"], {GATEWAY_NAME_LABEL: o["metadata"]["name"]}, [envoy]


def _selected(kubernetes: Objects, namespace: str, labels: dict[str, str]) -> list[list[dict[str, Any]]]:
    """The containers of every pod template in the namespace whose labels include ``labels``."""
    return [c for ns, pod, c in _pods(kubernetes) if ns == namespace and labels.items() <= pod.items()]


def _route_destinations(vs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in ("http", "tls", "tcp"):
        for entry in vs["spec"].get(section, []):
            yield from (r["destination"] for r in entry["route"])


def _workload_selectors(istio: Objects) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    """(object, matchLabels) of every policy (and DestinationRule) that selects workloads, except the egress gateway's."""
    for o in istio:
        selector = o["spec"].get("workloadSelector" if o["kind"] == "DestinationRule" else "selector", {})
        labels = selector.get("matchLabels") if o["kind"] != "Gateway" else None
        if labels and labels != EGRESS_LABELS:
            yield o, labels


def test_s52_every_principal_is_a_kubernetes_service_account(both: tuple[Topology, Objects, Objects]) -> None:
    _, istio, kubernetes = both
    accounts = {f"cluster.local/ns/{a['metadata']['namespace']}/sa/{a['metadata']['name']}" for a in of_kind(kubernetes, "ServiceAccount")}
    # Istio makes the ServiceAccount of each Gateway of class istio: <gateway>-istio (deploymentcontroller.go, 1.30.3)
    accounts |= {f"cluster.local/ns/{g['metadata']['namespace']}/sa/{g['metadata']['name']}-istio" for g in of_kind(kubernetes, "Gateway")}
    named = {
        p
        for policy in of_kind(istio, "AuthorizationPolicy")
        for rule in policy["spec"].get("rules", [])
        for entry in rule.get("from", [])
        for p in entry["source"].get("principals", [])
    }
    assert named <= accounts


def test_s52_every_principal_runs_pods_of_the_kubernetes_output(both: tuple[Topology, Objects, Objects]) -> None:
    _, _, kubernetes = both
    pods = [o for o in kubernetes if o["kind"] in ("Deployment", "StatefulSet")]
    used = {(o["metadata"]["namespace"], o["spec"]["template"]["spec"].get("serviceAccountName")) for o in pods}
    accounts = {(a["metadata"]["namespace"], a["metadata"]["name"]) for a in of_kind(kubernetes, "ServiceAccount")}
    assert used <= accounts


def test_every_host_is_a_kubernetes_service_or_a_service_entry(both: tuple[Topology, Objects, Objects]) -> None:
    _, istio, kubernetes = both
    known = set(_services(kubernetes)) | {h for se in of_kind(istio, "ServiceEntry") for h in se["spec"]["hosts"]} | {EGRESS_HOST}
    used = {dr["spec"]["host"] for dr in of_kind(istio, "DestinationRule")}
    for vs in of_kind(istio, "VirtualService"):
        used.update(vs["spec"]["hosts"])
        used.update(d["host"] for d in _route_destinations(vs))
    assert used <= known


def test_every_mesh_route_port_is_a_port_of_its_kubernetes_service(both: tuple[Topology, Objects, Objects]) -> None:
    _, istio, kubernetes = both
    services = _services(kubernetes)
    missing = []
    for vs in of_kind(istio, "VirtualService"):
        for host in (h for h in vs["spec"]["hosts"] if h in services):
            ports = {p["port"] for p in services[host]["spec"]["ports"]}
            matched = {m["port"] for entry in vs["spec"].get("http", []) for m in entry.get("match", []) if "port" in m}
            missing += [(host, p) for p in matched - ports]
    assert missing == []


def test_s28_every_route_subset_is_defined_and_selects_kubernetes_pods(both: tuple[Topology, Objects, Objects]) -> None:
    _, istio, kubernetes = both
    # the service's own rules (an ingress gateway's rule, exported only to its namespace, has no subsets)
    rules = {dr["spec"]["host"]: dr for dr in of_kind(istio, "DestinationRule") if dr["spec"].get("exportTo") != ["."]}
    for vs in of_kind(istio, "VirtualService"):
        for destination in (d for d in _route_destinations(vs) if "subset" in d):
            subsets = {s["name"]: s for s in rules[destination["host"]]["spec"]["subsets"]}
            subset = subsets[destination["subset"]]
            if destination["host"] != EGRESS_HOST:
                assert _selected(kubernetes, rules[destination["host"]]["metadata"]["namespace"], subset["labels"]), subset


def test_every_workload_selector_selects_kubernetes_pods(both: tuple[Topology, Objects, Objects]) -> None:
    _, istio, kubernetes = both
    empty = [(o["kind"], o["metadata"]["name"]) for o, labels in _workload_selectors(istio) if not _selected(kubernetes, o["metadata"]["namespace"], labels)]
    assert empty == []


def _container_ports(kubernetes: Objects, namespace: str, labels: dict[str, str]) -> set[str]:
    return {str(p["containerPort"]) for containers in _selected(kubernetes, namespace, labels) for c in containers for p in c.get("ports", [])}


def test_s47_port_level_mtls_keys_are_container_ports(both: tuple[Topology, Objects, Objects]) -> None:
    _, istio, kubernetes = both
    for o, labels in _workload_selectors(istio):
        if o["kind"] == "PeerAuthentication":
            assert set(o["spec"].get("portLevelMtls", {})) <= _container_ports(kubernetes, o["metadata"]["namespace"], labels)


def test_s52_authorization_ports_are_container_ports(both: tuple[Topology, Objects, Objects]) -> None:
    _, istio, kubernetes = both
    for o, labels in _workload_selectors(istio):
        if o["kind"] == "AuthorizationPolicy":
            ports = {p for rule in o["spec"]["rules"] for to in rule.get("to", []) for p in to["operation"].get("ports", [])}
            assert ports <= _container_ports(kubernetes, o["metadata"]["namespace"], labels)
