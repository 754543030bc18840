"""Redis on the OT redis-operator (``engine redis-operator``): what ORION writes, held to the operator's
code at OT-CONTAINER-KIT/redis-operator@5dd04e17 (v0.26.0 is ef33adb7):

* internal/controller/common/constants.go — Redis 6379, Sentinel 26379, exporter 9121 (port name
  ``redis-exporter``), pod label ``redis-role`` = ``master``/``slave``;
* internal/controller/common/labels.go — pods carry ``app: <resource name>`` and the resource's labels;
* internal/controller/common/redis/heal.go — the operator connects to each Redis pod on 6379 and
  each Sentinel on 26379;
* api/common/v1beta2/common_types.go — ``kubernetesConfig.redisSecret`` {name, key},
  ``redisSentinelConfig.redisReplicationName``/``redisReplicationPassword``/``quorum`` (a string);
* docs/content/en/docs/Installation — the operator runs in ``ot-operators``; its chart's pods carry
  ``name: redis-operator`` (charts/redis-operator/templates/_helpers.tpl).
"""

from __future__ import annotations

from typing import Any

import pytest

from orion_dsl.pipeline import analyze_text
from tests.support.schemas import validate_crd

from .helpers import find, objects

SPEC = """
topology t { version "1.0.0" }
network { default deny; dns allow }
namespace apps {
  service api { image "shop/api:1.0"; port http 8080; calls cache:redis }
}
namespace data {
  statefulset cache {
    engine redis-operator
    image "quay.io/opstree/redis:v7.0.15"
    replicas %d
    port redis 6379
    storage data 10Gi class ssd at "/data"
    backup snapshot every 1h to s3
  }
  statefulset prometheus { image "prom/prometheus:v3.5.0"; port metrics 9090; storage data 5Gi at "/prometheus" }
}
monitoring { scraper prometheus; scrape all }
recovery { target s3 { kind s3; region eu-central-1; bucket "b" } }
"""


def _objects(replicas: int = 3) -> list[dict[str, Any]]:
    analysis = analyze_text(SPEC % replicas, "redis.orion")
    assert analysis.topology is not None, analysis.diagnostics
    return list(objects(analysis.topology))


@pytest.fixture(scope="module")
def objs() -> list[dict[str, Any]]:
    return _objects()


def test_the_replication_has_a_pod_per_replica_each_with_its_own_claim(objs: list[dict[str, Any]]) -> None:
    spec = find(objs, "RedisReplication", "cache-replication", "data")["spec"]
    assert spec["clusterSize"] == 3
    claim = spec["storage"]["volumeClaimTemplate"]["spec"]
    assert claim == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}, "storageClassName": "ssd"}


def test_the_redis_and_sentinel_pods_require_the_password_secret(objs: list[dict[str, Any]]) -> None:
    password = {"name": "cache-auth", "key": "password"}
    replication = find(objs, "RedisReplication", "cache-replication", "data")["spec"]
    sentinel = find(objs, "RedisSentinel", "cache", "data")["spec"]
    assert replication["kubernetesConfig"]["redisSecret"] == password
    assert sentinel["kubernetesConfig"]["redisSecret"] == password
    assert sentinel["redisSentinelConfig"]["redisReplicationPassword"] == {"secretKeyRef": password}


def test_the_exporter_listens_where_the_pod_monitor_scrapes(objs: list[dict[str, Any]]) -> None:
    exporter = find(objs, "RedisReplication", "cache-replication", "data")["spec"]["redisExporter"]
    assert (exporter["enabled"], exporter["port"]) == (True, 9121)
    monitor = find(objs, "PodMonitor", "cache", "data")["spec"]
    assert monitor["podMetricsEndpoints"] == [{"port": "redis-exporter", "path": "/metrics"}]


@pytest.mark.parametrize(("replicas", "sentinels", "quorum"), [(2, 3, "2"), (3, 3, "2"), (4, 5, "3"), (5, 5, "3")])
def test_a_majority_of_an_odd_number_of_sentinels_decides_a_failover(replicas: int, sentinels: int, quorum: str) -> None:
    spec = find(_objects(replicas), "RedisSentinel", "cache", "data")["spec"]
    assert (spec["clusterSize"], spec["redisSentinelConfig"]["quorum"]) == (sentinels, quorum)
    assert spec["redisSentinelConfig"]["redisReplicationName"] == "cache-replication"


def test_the_sentinels_fail_over_on_the_targeted_operators_timings_not_the_installed_crds_defaults(objs: list[dict[str, Any]]) -> None:
    """v0.26.0's defaults (common_types.go SentinelConfig, 653320ad on): 5 s down, 10 s failover, one resync at a time."""
    config = find(objs, "RedisSentinel", "cache", "data")["spec"]["redisSentinelConfig"]
    timings = {k: config[k] for k in ("downAfterMilliseconds", "failoverTimeout", "parallelSyncs")}
    assert timings == {"downAfterMilliseconds": "5000", "failoverTimeout": "10000", "parallelSyncs": "1"}


def test_a_single_redis_has_no_sentinel_and_no_budget() -> None:
    objs = _objects(1)
    assert not [o for o in objs if o["kind"] == "RedisSentinel"]
    assert "pdb" not in find(objs, "RedisReplication", "cache-replication", "data")["spec"]


def test_the_operator_evicts_one_pod_at_a_time(objs: list[dict[str, Any]]) -> None:
    for kind, name in (("RedisReplication", "cache-replication"), ("RedisSentinel", "cache")):
        assert find(objs, kind, name, "data")["spec"]["pdb"] == {"enabled": True, "maxUnavailable": 1}


def test_the_service_clients_call_selects_the_primary(objs: list[dict[str, Any]]) -> None:
    spec = find(objs, "Service", "cache", "data")["spec"]
    assert spec["selector"] == {"app": "cache-replication", "redis-role": "master"}
    assert [(p["port"], p["targetPort"]) for p in spec["ports"]] == [(6379, 6379)]


def test_no_object_takes_a_name_the_operator_gives_its_own(objs: list[dict[str, Any]]) -> None:
    taken = {"cache-replication", "cache-replication-master", "cache-replication-headless", "cache-sentinel"}
    assert not [o for o in objs if o["kind"] in ("Service", "StatefulSet") and o["metadata"]["name"] in taken]


def _peer(namespace: str, pods: dict[str, str]) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}, "podSelector": {"matchLabels": pods}}


def test_the_operator_reaches_the_redis_and_sentinel_ports(objs: list[dict[str, Any]]) -> None:
    ingress = find(objs, "NetworkPolicy", "cache-ingress", "data")["spec"]
    operator = _peer("ot-operators", {"name": "redis-operator"})
    (rule,) = [r for r in ingress["ingress"] if operator in r["from"]]
    assert sorted(p["port"] for p in rule["ports"]) == [6379, 26379]


def test_prometheus_reaches_the_exporter(objs: list[dict[str, Any]]) -> None:
    ingress = find(objs, "NetworkPolicy", "cache-ingress", "data")["spec"]
    scraper = _peer("data", {"app.kubernetes.io/name": "prometheus"})
    (rule,) = [r for r in ingress["ingress"] if scraper in r["from"]]
    assert [p["port"] for p in rule["ports"]] == [9121]


def test_the_snapshot_is_taken_from_the_primary_with_the_password(objs: list[dict[str, Any]]) -> None:
    pod = find(objs, "CronJob", "cache-backup-snapshot", "data")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (dump,) = pod["initContainers"]
    assert {"name": "BACKUP_HOST", "value": "cache.data.svc.cluster.local"} in dump["env"]
    assert "--rdb" in dump["command"][-1]
    assert {"name": "store-credentials", "secret": {"secretName": "cache-auth", "optional": False}} in pod["volumes"]


def test_the_operators_resources_validate_against_their_schemas(objs: list[dict[str, Any]]) -> None:
    resources = [o for o in objs if o["kind"] in ("RedisReplication", "RedisSentinel")]
    assert len(resources) == 2
    assert [e for o in resources for e in validate_crd(o)] == []
