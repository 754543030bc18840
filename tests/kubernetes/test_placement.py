"""Where pods run: node selectors, tolerations, spreading (pod anti-affinity), zones (node affinity),
topology spread constraints and other workloads' pods (``near``: pod affinity, ``apart``: anti-affinity), in
the pod spec and in each operator's resource; replicated data stores spread over nodes unless the spec says
``spread none``."""

from __future__ import annotations

from typing import Any

from orion_dsl.backends import kubernetes
from orion_dsl.pipeline import analyze_text
from tests.support.schemas import NEWEST_K8S, validate_core, validate_crd

from .helpers import find

SPEC = """
topology t { version "1.0.0" }
namespace data {
  defaults { placement { toleration "dedicated" "data" effect no-schedule } }
  statefulset cache { image "redis:7.2-alpine"; port redis 6379; replicas 3 }
  statefulset pg {
    engine cloudnative-pg; image "ghcr.io/cloudnative-pg/postgresql:17-standard-trixie"; port sql 5432; replicas 3
    storage data 1Gi at "/var/lib/postgresql/data"
    placement { spread nodes required; spread zones; topology_spread zones; node_selector { "example.com/disk" "ssd" }; near web }
  }
  statefulset mq {
    engine rabbitmq-operator; image "rabbitmq:4.2-management"; port amqp 5672; replicas 3
    placement { topology_spread zones max_skew 1 required; prefer_zones "eu-west-1a", "eu-west-1b"; node_selector { disk "ssd" } }
  }
  statefulset rd { engine redis-operator; image "quay.io/opstree/redis:v7.2.7"; port redis 6379; replicas 3; storage data 1Gi at "/data" }
  service web {
    image "x/web:1"; port http 8080; replicas 2
    placement { require_zones "eu-west-1a"; toleration "spot"; near cache; apart single across zones }
  }
  statefulset single { image "x/single:1"; port http 8080 }
  statefulset together { image "x/together:1"; port http 8080; replicas 2; placement { spread none } }
}
namespace front {
  service api { image "x/api:1"; port http 8080; placement { near web required } }
}
"""

HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"


def _objects(text: str = SPEC) -> list[dict[str, Any]]:
    analysis = analyze_text(text)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return list(kubernetes.objects(analysis.plan)[0])


def _pod(o: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = o["spec"]["template"]["spec"]
    return spec


def _errors(text: str) -> list[str]:
    return [f"{d.code} {d.summary}" for d in analyze_text(text).diagnostics if d.severity.value == "error"]


def test_a_replicated_statefulset_prefers_one_pod_per_node_by_default() -> None:
    apart = _pod(find(_objects(), "StatefulSet", "cache"))["affinity"]["podAntiAffinity"]
    (term,) = apart["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term["podAffinityTerm"] == {"labelSelector": {"matchLabels": {"app.kubernetes.io/name": "cache"}}, "topologyKey": HOSTNAME}


def test_a_statefulset_of_one_replica_and_one_that_says_spread_none_are_not_spread() -> None:
    objs = _objects()
    assert "affinity" not in _pod(find(objs, "StatefulSet", "single"))
    assert "affinity" not in _pod(find(objs, "StatefulSet", "together"))


def test_tolerations_from_defaults_reach_every_pod_the_namespace_writes() -> None:
    expected = {"key": "dedicated", "operator": "Equal", "value": "data", "effect": "NoSchedule"}
    assert _pod(find(_objects(), "StatefulSet", "cache"))["tolerations"] == [expected]


def test_a_toleration_without_a_value_or_effect_tolerates_every_taint_of_its_key() -> None:
    assert {"key": "spot", "operator": "Exists"} in _pod(find(_objects(), "Deployment", "web"))["tolerations"]


def test_required_zones_are_required_node_affinity() -> None:
    nodes = _pod(find(_objects(), "Deployment", "web"))["affinity"]["nodeAffinity"]
    (term,) = nodes["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term == {"matchExpressions": [{"key": ZONE, "operator": "In", "values": ["eu-west-1a"]}]}


def test_cloudnative_pg_spreads_its_instances_through_its_own_affinity_fields() -> None:
    cluster = find(_objects(), "Cluster", "pg")
    affinity = cluster["spec"]["affinity"]
    assert (affinity["enablePodAntiAffinity"], affinity["topologyKey"], affinity["podAntiAffinityType"]) == (True, HOSTNAME, "required")
    (zones,) = affinity["additionalPodAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert zones["podAffinityTerm"]["topologyKey"] == ZONE
    assert affinity["nodeSelector"] == {"example.com/disk": "ssd"} and affinity["tolerations"][0]["key"] == "dedicated"
    assert cluster["spec"]["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "ScheduleAnyway"


def test_spread_none_turns_cloudnative_pg_s_own_anti_affinity_off() -> None:
    spec = SPEC.replace("spread nodes required; spread zones; ", "spread none; ")
    assert find(_objects(spec), "Cluster", "pg")["spec"]["affinity"]["enablePodAntiAffinity"] is False


def test_a_rabbitmq_cluster_spreads_by_default_and_takes_node_selector_and_topology_spread_through_its_override() -> None:
    spec = find(_objects(), "RabbitmqCluster", "mq")["spec"]
    assert spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]["topologyKey"] == HOSTNAME
    assert "nodeAffinity" in spec["affinity"] and spec["tolerations"][0]["key"] == "dedicated"
    pod = spec["override"]["statefulSet"]["spec"]["template"]["spec"]
    assert pod["containers"] == [] and pod["nodeSelector"] == {"disk": "ssd"}
    assert pod["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "DoNotSchedule"


def test_redis_and_its_sentinels_each_spread_over_nodes() -> None:
    objs = _objects()
    for kind, name, app in (("RedisReplication", "rd-replication", "rd-replication"), ("RedisSentinel", "rd", "rd-sentinel")):
        (term,) = find(objs, kind, name)["spec"]["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
        assert term["podAffinityTerm"]["labelSelector"]["matchLabels"]["app"] == app


def test_placed_objects_pass_their_schemas() -> None:
    for o in _objects():
        if o["kind"] in ("StatefulSet", "Deployment"):
            assert validate_core(o, NEWEST_K8S) == [], o["metadata"]["name"]
        elif o["kind"] in ("Cluster", "RabbitmqCluster", "RedisReplication", "RedisSentinel"):
            assert validate_crd(o) == [], o["metadata"]["name"]


def test_spread_none_beside_another_spread_is_an_error() -> None:
    spec = SPEC.replace("placement { spread none }", "placement { spread none; spread nodes }")
    assert any(e.startswith("E0221 `spread none`") for e in _errors(spec))


def test_preferring_and_requiring_zones_at_once_is_an_error() -> None:
    spec = SPEC.replace('require_zones "eu-west-1a"', 'require_zones "eu-west-1a"; prefer_zones "eu-west-1b"')
    assert any(e.startswith("E0221 a workload prefers zones or requires them") for e in _errors(spec))


def test_a_taint_key_kubernetes_refuses_is_an_error() -> None:
    assert any(e.startswith('E0204 the taint key "Spot!"') for e in _errors(SPEC.replace('toleration "spot"', 'toleration "Spot!"')))


def test_near_is_preferred_pod_affinity_to_the_other_workload_s_pods_on_one_node() -> None:
    near = _pod(find(_objects(), "Deployment", "web"))["affinity"]["podAffinity"]
    (term,) = near["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term == {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app.kubernetes.io/name": "cache"}}, "topologyKey": HOSTNAME}}


def test_apart_is_pod_anti_affinity_to_the_other_workload_s_pods_over_the_topology_it_names() -> None:
    apart = _pod(find(_objects(), "Deployment", "web"))["affinity"]["podAntiAffinity"]
    (term,) = apart["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term["podAffinityTerm"] == {"labelSelector": {"matchLabels": {"app.kubernetes.io/name": "single"}}, "topologyKey": ZONE}


def test_a_required_near_in_another_namespace_is_a_rule_that_names_that_namespace() -> None:
    near = _pod(find(_objects(), "Deployment", "api"))["affinity"]["podAffinity"]
    (term,) = near["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term == {"labelSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}}, "namespaces": ["data"], "topologyKey": HOSTNAME}


def test_cloudnative_pg_takes_near_in_its_additional_pod_affinity() -> None:
    affinity = find(_objects(), "Cluster", "pg")["spec"]["affinity"]
    (term,) = affinity["additionalPodAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term["podAffinityTerm"]["labelSelector"] == {"matchLabels": {"app.kubernetes.io/name": "web"}}


def test_near_or_apart_naming_no_workload_is_an_error_with_a_did_you_mean() -> None:
    assert any(e.startswith('E0201 `near` names "cach"') for e in _errors(SPEC.replace("near cache", "near cach")))


def test_a_workload_placed_near_or_apart_from_itself_is_an_error() -> None:
    assert any(e.startswith("E0221 `apart web` names the workload itself") for e in _errors(SPEC.replace("apart single", "apart web")))
