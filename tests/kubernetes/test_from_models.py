"""The Kubernetes builders, each fed a topology of the few model facts its behaviour depends on (tests/support/models.py)."""

from __future__ import annotations

from typing import Any

import pytest

from orion_dsl.backends.kubernetes import objects
from orion_dsl.choices import Colour
from orion_dsl.lowering import Role
from orion_dsl.model import Topology, Workload
from tests.support.models import autoscale, blue_green, edge, port, storage, topology, workload
from tests.support.plans import planned

Obj = dict[str, Any]

HTTP = port("http", 8080)
GRPC = port("grpc", 9090)
ADMIN = port("admin", 7000)


def _built(t: Topology) -> list[Obj]:
    return objects(planned(t))[0]


def _of_kind(objs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def _named(objs: list[Obj], kind: str, name: str) -> Obj:
    (found,) = [o for o in _of_kind(objs, kind) if o["metadata"]["name"] == name]
    return found


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    """Whether a ``matchLabels`` selector picks pods with these labels."""
    return selector.items() <= labels.items()


def _pod_labels(o: Obj) -> dict[str, str]:
    labels: dict[str, str] = o["spec"]["template"]["metadata"]["labels"]
    return labels


def test_a_workload_without_ports_gets_no_service() -> None:
    t = topology(workloads=[workload("worker"), workload("api", ports=[HTTP])])
    assert [o["metadata"]["name"] for o in _of_kind(_built(t), "Service")] == ["api"]


def test_each_colour_of_a_blue_green_workload_is_a_deployment_selecting_only_its_own_pods() -> None:
    t = topology(workloads=[workload("api", ports=[HTTP], blue_green=blue_green())])
    deployments = _of_kind(_built(t), "Deployment")
    assert sorted(d["metadata"]["name"] for d in deployments) == ["api-blue", "api-green"]
    for d in deployments:
        picked = [other["metadata"]["name"] for other in deployments if _selects(d["spec"]["selector"]["matchLabels"], _pod_labels(other))]
        assert picked == [d["metadata"]["name"]]


def test_each_colour_of_a_blue_green_workload_has_a_disruption_budget_selecting_only_that_colours_pods() -> None:
    t = topology(workloads=[workload("api", ports=[HTTP], replicas=2, blue_green=blue_green())])
    built = _built(t)
    deployments = _of_kind(built, "Deployment")
    budgets = _of_kind(built, "PodDisruptionBudget")
    assert len(budgets) == 2
    for pdb in budgets:
        picked = [d for d in deployments if _selects(pdb["spec"]["selector"]["matchLabels"], _pod_labels(d))]
        assert len(picked) == 1
        assert _pod_labels(picked[0])["orion.dev/colour"] == pdb["metadata"]["labels"]["orion.dev/colour"]


def test_the_service_of_a_blue_green_workload_selects_only_the_active_colours_pods() -> None:
    t = topology(workloads=[workload("api", ports=[HTTP], blue_green=blue_green(active="green"))])
    built = _built(t)
    selector = _named(built, "Service", "api")["spec"]["selector"]
    picked = [d["metadata"]["name"] for d in _of_kind(built, "Deployment") if _selects(selector, _pod_labels(d))]
    assert picked == ["api-green"]


@pytest.mark.parametrize("active", ["blue", "green"])
def test_the_autoscaler_of_a_blue_green_workload_scales_the_active_colours_deployment(active: Colour) -> None:
    t = topology(workloads=[workload("api", ports=[HTTP], blue_green=blue_green(active=active), autoscale=autoscale())])
    built = _built(t)
    (hpa,) = _of_kind(built, "HorizontalPodAutoscaler")
    (target,) = [d for d in _of_kind(built, "Deployment") if d["metadata"]["annotations"]["orion.dev/active"] == "true"]
    assert _pod_labels(target)["orion.dev/colour"] == active
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": target["metadata"]["name"]}


@pytest.mark.parametrize("active", ["blue", "green"])
def test_the_hpa_owns_the_active_colours_replicas_and_the_idle_colour_keeps_its_count(active: Colour) -> None:
    t = topology(workloads=[workload("api", ports=[HTTP], replicas=3, blue_green=blue_green(active=active), autoscale=autoscale(min=3))])
    counts = {d["metadata"]["labels"]["orion.dev/colour"]: d["spec"].get("replicas") for d in _of_kind(_built(t), "Deployment")}
    idle = "green" if active == "blue" else "blue"
    assert counts == {active: None, idle: 3}


def test_a_statefulset_is_served_by_the_headless_service_its_plan_names() -> None:
    db = workload("db", kind="statefulset", ports=[port("sql", 5432)])
    plan = planned(topology(workloads=[db]))
    built = objects(plan)[0]
    headless = plan.get(Role.HEADLESS_SERVICE, db).name
    statefulset = _named(built, "StatefulSet", "db")
    service = _named(built, "Service", headless)
    assert statefulset["spec"]["serviceName"] == headless
    assert service["spec"]["clusterIP"] == "None"
    assert _selects(service["spec"]["selector"], _pod_labels(statefulset))


def _callers() -> Topology:
    """web calls api on two of api's three ports, stated as the allow-graph's only edges."""
    web = workload("web", namespace="front", ports=[HTTP])
    api = workload("api", namespace="back", ports=[HTTP, GRPC, ADMIN])
    return topology(workloads=[web, api], edges=[edge(web, api, HTTP), edge(web, api, GRPC)])


def _rule_ports(rule: Obj) -> list[int]:
    return [p["port"] for p in rule["ports"]]


def test_a_peers_ingress_policy_admits_its_caller_on_exactly_the_ports_of_the_edges_into_it() -> None:
    policy = _named(_built(_callers()), "NetworkPolicy", "api-ingress")
    (rule,) = policy["spec"]["ingress"]
    assert rule["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "front"}}, "podSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}
    ]
    assert _rule_ports(rule) == [8080, 9090]


def test_a_peers_egress_policy_allows_exactly_the_ports_of_the_edges_out_of_it() -> None:
    policy = _named(_built(_callers()), "NetworkPolicy", "web-egress")
    (rule,) = policy["spec"]["egress"]
    assert rule["to"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "back"}}, "podSelector": {"matchLabels": {"app.kubernetes.io/name": "api"}}}
    ]
    assert _rule_ports(rule) == [8080, 9090]


def test_a_peer_gets_a_network_policy_for_each_direction_it_has_edges_in_and_no_other() -> None:
    found = {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in _of_kind(_built(_callers()), "NetworkPolicy")}
    assert found == {("front", "default-deny"), ("back", "default-deny"), ("back", "api-ingress"), ("front", "web-egress")}


def test_a_udp_edge_is_admitted_on_udp_only() -> None:
    syslog = port("syslog", 514, "UDP")
    app = workload("app", ports=[HTTP])
    collector = workload("collector", ports=[syslog])
    policy = _named(_built(topology(workloads=[app, collector], edges=[edge(app, collector, syslog)])), "NetworkPolicy", "collector-ingress")
    (rule,) = policy["spec"]["ingress"]
    assert rule["ports"] == [{"port": 514, "protocol": "UDP"}]


def _claim_notes(w: Workload) -> list[str]:
    """The I1069 notes (replicas sharing one ReadWriteOnce claim) of a topology of one workload."""
    return [d.code for d in objects(planned(topology(workloads=[w])))[1] if d.code == "I1069"]


def test_a_deployments_replicas_sharing_a_read_write_once_claim_are_reported() -> None:
    assert _claim_notes(workload("api", ports=[HTTP], replicas=2, storage=[storage()])) == ["I1069"]


def test_an_autoscaled_deployments_pods_sharing_a_read_write_once_claim_are_reported() -> None:
    assert _claim_notes(workload("api", ports=[HTTP], autoscale=autoscale(min=1, max=3), storage=[storage()])) == ["I1069"]


def test_a_blue_green_pair_sharing_a_read_write_once_claim_is_reported() -> None:
    assert _claim_notes(workload("api", ports=[HTTP], blue_green=blue_green(), storage=[storage()])) == ["I1069"]
