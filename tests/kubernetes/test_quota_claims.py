"""Each namespace's ResourceQuota admits every PersistentVolumeClaim its objects and operators make,
with one pod's claims spare per claiming set (orion_dsl/lowering/claims.py).

The claims are counted here from the written objects, as the controllers will make them:
- PersistentVolumeClaim: one each; StatefulSet: replicas (its autoscaler's maximum) x claim templates.
- CloudNativePG Cluster: ``instances`` x (1 + ``walStorage``) (cloudnative-pg/cloudnative-pg
  pkg/specs/persistentvolumeclaim, docs/src/storage.md).
- RabbitmqCluster: ``replicas`` (rabbitmq/cluster-operator internal/resource/statefulset.go, persistence).
- RedisReplication: ``clusterSize`` with ``storage``; RedisSentinel has no storage field (its CRD).
- Prometheus and Alertmanager: ``replicas`` with ``storage.volumeClaimTemplate``
  (prometheus-operator pkg/prometheus/statefulset.go, pkg/alertmanager/statefulset.go).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orion_dsl.lowering import claims
from orion_dsl.model import Topology
from tests.conftest import SEED_SPEC
from tests.kubernetes.helpers import SPECS, find, load, objects, of_kind, rendered
from tests.support.plans import planned


def _claims(o: dict[str, Any], objs: list[dict[str, Any]]) -> tuple[int, int]:
    """(claims made, claims of one pod) of one written object."""
    spec = o.get("spec", {})
    kind = o["kind"]
    if kind == "PersistentVolumeClaim":
        return 1, 0
    if kind == "StatefulSet":
        per_pod = len(spec.get("volumeClaimTemplates", []))
        scalers = [
            h
            for h in of_kind(objs, "HorizontalPodAutoscaler")
            if h["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": o["metadata"]["name"]}
        ]
        return per_pod * max([spec.get("replicas", 1), *(h["spec"]["maxReplicas"] for h in scalers)]), per_pod
    if kind == "Cluster" and o["apiVersion"].startswith("postgresql.cnpg.io/"):
        per_pod = 1 + ("walStorage" in spec)
        return per_pod * spec["instances"], per_pod
    if kind == "RabbitmqCluster":
        return spec.get("replicas", 1), 1
    if kind == "RedisReplication" and "storage" in spec:
        return spec["clusterSize"], 1
    if kind in ("Prometheus", "Alertmanager") and "volumeClaimTemplate" in spec.get("storage", {}):
        return spec.get("replicas", 1), 1
    return 0, 0


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_quota_admits_the_claims_of_its_namespace_with_a_spare_pod_per_set(path: Path) -> None:
    topology: Topology = load(path)
    objs = objects(topology)
    for quota in of_kind(objs, "ResourceQuota"):
        hard = quota["spec"]["hard"]
        if "persistentvolumeclaims" not in hard:
            continue
        ns = quota["metadata"]["namespace"]
        made_by = [_claims(o, objs) for o in objs if o["metadata"].get("namespace") == ns]
        count = sum(n for n, _ in made_by)
        spare = sum(per_pod for _, per_pod in made_by)
        assert int(hard["persistentvolumeclaims"]) >= count + spare, (ns, hard, count, spare)


def test_the_seeds_data_quota_is_raised_over_its_stated_ten_with_i1084() -> None:
    topology = load(SEED_SPEC)
    quota = find(objects(topology), "ResourceQuota", "quota", "orion-data")
    # 3 PostgreSQL instances, 3 Redis replicas, 3 RabbitMQ replicas: 9 claims, 3 spare
    assert quota["spec"]["hard"]["persistentvolumeclaims"] == "12"
    notes = [d for d in rendered(topology).diagnostics if d.code == "I1084"]
    assert [("orion-data" in d.summary, "admits 12" in d.summary) for d in notes] == [(True, True)]


def test_a_quota_above_the_claims_is_kept_as_stated() -> None:
    plan = planned(load(SEED_SPEC))
    assert claims.quota_claims(plan, "orion-data", 40) == 40
    assert claims.quota_claims(plan, "orion-gateway", 10) == 10
