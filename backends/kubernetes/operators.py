"""The resources of data stores an operator runs (``engine``): CloudNativePG's Cluster, Pooler,
ScheduledBackup and the Barman Cloud plugin's ObjectStore; the RabbitMQ Cluster Operator's
RabbitmqCluster; the OT redis-operator's RedisReplication and RedisSentinel; a PodMonitor for each one's pods.

Field names and values follow the operators' API references (orion_dsl/engines.py cites them):

* CloudNativePG 1.30 — ``Cluster.spec.postgresql.synchronous`` (``method any``, ``number``,
  ``dataDurability required``) for synchronous replication; the operator makes the pods, their
  PodDisruptionBudgets, the ``<cluster>-rw/-ro/-r`` Services and the ``<cluster>-app`` Secret.
  ``enablePodMonitor`` is deprecated, so ORION writes the PodMonitor itself.
* plugin-barman-cloud 0.14 — WAL archiving and base backups through ``spec.plugins`` naming an
  ObjectStore; ScheduledBackup ``method: plugin``; schedules are six-field cron (seconds first).
  Object-store backups are always full: an ``incremental`` backup is a volume snapshot.
* RabbitMQ Cluster Operator 2.22 — management, Prometheus and Kubernetes peer discovery plugins are
  always on; the Service ``<name>`` (5672, 15672, 15692), ``<name>-nodes`` and the Secret
  ``<name>-default-user`` are the operator's.

Their pods stay outside the mesh (``sidecar.istio.io/inject: "false"``): CloudNativePG documents
sidecars breaking its bootstrap jobs (troubleshooting.md) and the Barman Cloud plugin fails in an
injected namespace (plugin-barman-cloud#517); PostgreSQL's own TLS protects its connections.
"""

from __future__ import annotations

from typing import Any

from orion_dsl import engines
from orion_dsl.lowering import Plan, Planned, Role, names
from orion_dsl.model import Backup, BackupTarget, Placement, Spread, Topology, Workload
from orion_dsl.values import DAY_MS

from . import meta, placement
from .meta import Builder, Obj
from .units import ACCESS_MODES, cron
from .workloads import resources

#: The Barman Cloud plugin's name, as the Cluster and ScheduledBackups name it.
BARMAN_CLOUD = "barman-cloud.cloudnative-pg.io"
#: Keeps the mesh's sidecar out of operator-made pods.
NO_SIDECAR = {names.INJECT_KEY: "false"}


def _storage(w: Workload) -> dict[str, Any]:
    """The data volume (a CloudNativePG workload has exactly one: E0217 otherwise)."""
    data = w.storage[0]
    found: dict[str, Any] = {"size": data.size.text}
    if data.storage_class is not None:
        found["storageClass"] = data.storage_class
    return found


def _pod_labels(plan: Plan) -> dict[str, str]:
    """Labels ORION adds to an operator's pods: out of the mesh, and part of the topology. The
    ``app.kubernetes.io/name`` and ``instance`` labels are the operator's own (CloudNativePG sets
    ``postgresql``), so ORION does not fight them."""
    return {meta.PART_OF: plan.topology.name, **NO_SIDECAR}


def database_cluster(entry: Planned, plan: Plan) -> Obj:
    """A CloudNativePG Cluster: instances, replication, storage, resources, WAL archiving."""
    w = entry.of(Workload)
    spec: dict[str, Any] = {
        "instances": w.replicas,
        "imageName": w.container.image,
        "primaryUpdateStrategy": "unsupervised",
        "primaryUpdateMethod": "switchover",  # a replica takes over before the old primary restarts
        "storage": _storage(w),
        "resources": resources(w.container),
        "affinity": placement.cloudnative_pg(w.placement, names.pod_selector(w), plan.topology, w.namespace),
        "inheritedMetadata": {"labels": _pod_labels(plan)},
    }
    if w.placement.topology_spread:
        spec["topologySpreadConstraints"] = placement.topology_spread(w.placement, names.pod_selector(w))
    if w.database is not None and w.database.replication == "synchronous" and w.replicas > 1:
        spec["postgresql"] = {"synchronous": {"method": "any", "number": 1, "dataDurability": "required"}}
    store = next((r for r in entry.refs if r.kind == "ObjectStore"), None)
    if store is not None:
        spec["plugins"] = [{"name": BARMAN_CLOUD, "isWALArchiver": True, "parameters": {"barmanObjectName": store.name}}]
    snapshots = names.volume_snapshot_class(w)
    if snapshots is not None:
        spec["backup"] = {"volumeSnapshot": {"className": snapshots, "online": True}}
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=spec)


def database_pooler(entry: Planned, plan: Plan) -> Obj:
    """A CloudNativePG Pooler (PgBouncer) for the primary (``rw``) or the replicas (``ro``)."""
    pooler = entry.of(Workload)
    kind = entry.part
    assert kind in ("rw", "ro") and pooler.pooler_of is not None
    db = plan.topology.workload(pooler.pooler_of)
    assert db is not None and db.database is not None
    template: dict[str, Any] = {
        "metadata": {"labels": _pod_labels(plan)},
        "spec": {
            "containers": [{"name": "pgbouncer", "image": pooler.container.image, "resources": resources(pooler.container)}] if pooler.container.image else [],
            "affinity": _spread({"cnpg.io/poolerName": entry.name}, plan.topology, pooler.namespace),
        },
    }
    spec = {
        "cluster": {"name": names.database_cluster(db)},
        "instances": pooler.replicas,
        "type": kind,
        "pgbouncer": {"poolMode": db.database.pool_mode or "transaction"},
        "template": template,
    }
    return meta.build(entry, meta.workload_labels(plan.topology, pooler), spec=spec)


def _spread(pods: dict[str, str], topology: Topology, namespace: str) -> dict[str, Any]:
    """Prefer one pod per node (CloudNativePG spreads instances itself, not poolers)."""
    return placement.affinity(Placement(spread=(Spread("nodes", required=False),)), pods, topology, namespace)


def object_store(entry: Planned, plan: Plan) -> Obj:
    """Where the Barman Cloud plugin puts base backups and WAL: the recovery target's bucket."""
    target = entry.of(BackupTarget)
    (credentials,) = (r for r in entry.refs if r.kind == "Secret")
    access_key, secret_key = credentials.keys
    s3: dict[str, Any] = {
        "accessKeyId": {"name": credentials.name, "key": access_key},
        "secretAccessKey": {"name": credentials.name, "key": secret_key},
    }
    configuration: dict[str, Any] = {
        "destinationPath": f"s3://{target.bucket}/{entry.namespace}",
        "s3Credentials": s3,
        "wal": {"compression": "gzip"},
        "data": {"compression": "gzip"},
    }
    if target.region is not None:
        configuration["endpointURL"] = f"https://s3.{target.region}.amazonaws.com"
    if target.encrypted:
        configuration["wal"]["encryption"] = configuration["data"]["encryption"] = "AES256"
    spec: dict[str, Any] = {"configuration": configuration}
    kept = retention_days(plan, entry.namespace, target.name)
    if kept is not None:
        spec["retentionPolicy"] = f"{kept}d"
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "backup"), spec=spec)


def retention_days(plan: Plan, namespace: str, target: str) -> int | None:
    """The store's retention in whole days (rounded up): the longest ``retention`` of the
    CloudNativePG backups of the namespace to the target. The plugin applies one policy to every
    base backup and WAL file of the store (plugin-barman-cloud api/v1 ObjectStoreSpec.RetentionPolicy,
    ``^[1-9][0-9]*[dwm]$``); without a retention it deletes nothing."""
    kept = [
        b.retention.millis
        for w in plan.topology.workloads_in(namespace)
        for b in w.backups
        if b.target == target and b.retention is not None and engines.through_barman_plugin(w, b)
    ]
    return -(-max(kept) // DAY_MS) if kept else None


def scheduled_backup(entry: Planned, plan: Plan) -> Obj:
    """A backup on the backup's schedule: a base backup through the plugin, or (incremental) a volume snapshot."""
    w, b = entry.of(Workload), entry.part
    assert isinstance(b, Backup) and b.every is not None
    when, _ = cron(b.every, b.at)
    spec: dict[str, Any] = {"schedule": f"0 {when}", "cluster": {"name": names.database_cluster(w)}, "backupOwnerReference": "self", "immediate": False}
    if engines.is_volume_snapshot(w, b):
        spec["method"] = "volumeSnapshot"
    else:
        spec["method"] = "plugin"
        spec["pluginConfiguration"] = {"name": BARMAN_CLOUD}
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=spec)


def message_broker(entry: Planned, plan: Plan) -> Obj:
    """A RabbitmqCluster: replicas, image, persistence, resources (management and metrics are always on)."""
    w = entry.of(Workload)
    data = w.storage[0] if w.storage else None
    persistence: dict[str, Any] = {"storage": data.size.text if data else "10Gi"}
    if data is not None and data.storage_class is not None:
        persistence["storageClassName"] = data.storage_class
    spec: dict[str, Any] = {
        "replicas": w.replicas,
        "image": w.container.image,
        "resources": resources(w.container),
        "persistence": persistence,
    }
    pods = names.pod_selector(w)
    template: dict[str, Any] = {"metadata": {"labels": NO_SIDECAR}}
    # spec.affinity and spec.tolerations are the RabbitmqCluster's own; a node selector and topology spread go
    # through the StatefulSet override, whose pod spec needs its containers (rabbitmq/cluster-operator
    # docs/examples/production-ready/rabbitmq.yaml writes `containers: []` beside topologySpreadConstraints)
    found = placement.pod_fields(w.placement, pods, plan.topology, w.namespace)
    spec.update({key: found.pop(key) for key in ("affinity", "tolerations") if key in found})
    if found:
        template["spec"] = {"containers": [], **found}
    spec["override"] = {"statefulSet": {"spec": {"template": template}}}
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=spec)


#: The user and group of the operator's Redis images (OT-CONTAINER-KIT/redis@02ac488e Dockerfile: ``USER
#: 1000``, group 1000; the operator's examples set the same podSecurityContext).
REDIS_OPERATOR_USER = 1000
#: The Sentinel's and the exporter's requests and limits (the chart's examples: 100m, 128Mi).
SMALL = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "100m", "memory": "128Mi"}}


#: How fast the Sentinels fail over, written out rather than left to the CRD's defaults, which changed under
#: the same field names: OT-CONTAINER-KIT/redis-operator@653320ad (v0.23.0) moved them from 30000/180000 to
#: 5000/10000 (api/common/v1beta2/common_types.go ``SentinelConfig``), and the API server applies the
#: defaults of whichever CRD is installed. ORION writes the values of the version it targets (v0.26.0,
#: ef33adb7): a primary that has not answered for 5 s is down (``down-after-milliseconds``; Redis's own
#: 30 s leaves writes failing half a minute), a failover that has not finished in 10 s is retried after
#: twice that (``failover-timeout``), and one replica at a time resynchronises with the new primary while
#: the others keep serving reads (``parallel-syncs``). The operator passes them to the Sentinel pods as
#: DOWN_AFTER_MILLISECONDS, FAILOVER_TIMEOUT and PARALLEL_SYNCS (internal/k8sutils/redis-sentinel.go
#: getSentinelEnvVariable), its agent writes them as ``sentinel down-after-milliseconds <group> <ms>`` etc.
#: (internal/agent/bootstrap/sentinel/config.go; the image's entrypoint-sentinel.sh, OT-CONTAINER-KIT/redis@066d6228,
#: does the same) and its controller sets them again with ``SENTINEL SET`` (internal/controller/common/redis/heal.go
#: SentinelSet). tests/kubernetes/test_redis_failover.py runs redis-sentinel with them.
SENTINEL_TIMINGS = {"downAfterMilliseconds": "5000", "failoverTimeout": "10000", "parallelSyncs": "1"}


#: The redis-operator's PodDisruptionBudget (``pdb``, internal/k8sutils/poddisruption.go): one pod evicted at a time.
ONE_AT_A_TIME = {"enabled": True, "maxUnavailable": 1}


def _redis_security() -> tuple[dict[str, Any], dict[str, Any]]:
    """The pod and container security contexts of the operator's Redis and Sentinel pods: restricted, but
    with a writable root, because the image's entrypoint appends the password, persistence and mode to
    /etc/redis/redis.conf at start (OT-CONTAINER-KIT/redis@19453bbd entrypoint.sh)."""
    pod = {"runAsNonRoot": True, "runAsUser": REDIS_OPERATOR_USER, "runAsGroup": REDIS_OPERATOR_USER, "fsGroup": REDIS_OPERATOR_USER}
    container = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    return {**pod, "seccompProfile": {"type": "RuntimeDefault"}}, container


def _password(entry: Planned) -> dict[str, str]:
    """The password Secret of a Redis (key ``password``), as ``redisSecret`` and ``secretKeyRef`` name it."""
    (secret,) = (r for r in entry.refs if r.kind == "Secret")
    (key,) = secret.keys
    return {"name": secret.name, "key": key}


def _kubernetes_config(image: str | None, resources: dict[str, Any], entry: Planned) -> dict[str, Any]:
    """The pods' image and resources, and the password Secret they require of every client."""
    return {"image": image, "imagePullPolicy": "IfNotPresent", "resources": resources, "redisSecret": _password(entry)}


def _every_pod(entry: Planned) -> dict[str, str]:
    """The labels every pod of a RedisReplication or RedisSentinel carries (the planned pods' labels but the
    role, which only the primary has)."""
    return {k: v for k, v in entry.pods or () if k != names.REDIS_ROLE_LABEL}


def cache_replication(entry: Planned, plan: Plan) -> Obj:
    """A RedisReplication: one primary and ``replicas - 1`` replicas, each pod with its own claim, the
    password from the Secret, the exporter on 9121."""
    w = entry.of(Workload)
    assert w.engine is not None
    found = engines.facts(w.engine)
    pod, container = _redis_security()
    spec: dict[str, Any] = {
        "clusterSize": w.replicas,
        "kubernetesConfig": _kubernetes_config(w.container.image, resources(w.container), entry),
        "redisExporter": {"enabled": True, "image": found.exporter_image, "port": found.metrics, "resources": SMALL, "securityContext": container},
        "podSecurityContext": pod,
        "securityContext": container,
        **placement.pod_fields(w.placement, _every_pod(entry), plan.topology, w.namespace),
    }
    if w.replicas > 1:
        spec["pdb"] = ONE_AT_A_TIME
    if w.storage:
        data = w.storage[0]
        claim: dict[str, Any] = {"accessModes": [ACCESS_MODES[data.access]], "resources": {"requests": {"storage": data.size.text}}}
        if data.storage_class is not None:
            claim["storageClassName"] = data.storage_class
        spec["storage"] = {"volumeClaimTemplate": {"spec": claim}}
    return meta.build(entry, {**meta.workload_labels(plan.topology, w), **NO_SIDECAR}, spec=spec)


def cache_sentinel(entry: Planned, plan: Plan) -> Obj:
    """A RedisSentinel watching the RedisReplication: a majority of its Sentinels (at least three, an odd
    number) must agree that the primary is down before one promotes a replica, on the timings of
    SENTINEL_TIMINGS."""
    w = entry.of(Workload)
    assert w.engine is not None
    found = engines.facts(w.engine)
    (replication,) = (r for r in entry.refs if r.kind == "RedisReplication")
    size = max(3, w.replicas | 1)
    pod, container = _redis_security()
    config = {
        "redisReplicationName": replication.name,
        "masterGroupName": w.name,
        "quorum": str(size // 2 + 1),
        "redisReplicationPassword": {"secretKeyRef": _password(entry)},
        **SENTINEL_TIMINGS,
    }
    spec: dict[str, Any] = {
        "clusterSize": size,
        "kubernetesConfig": _kubernetes_config(found.sentinel_image, SMALL, entry),
        "redisSentinelConfig": config,
        "podSecurityContext": pod,
        "securityContext": container,
        "pdb": ONE_AT_A_TIME,
        # the Sentinels (only of a Redis with replicas, a replicated store) are placed like its Redis pods
        **placement.pod_fields(w.placement, _every_pod(entry), plan.topology, w.namespace),
    }
    return meta.build(entry, {**meta.workload_labels(plan.topology, w), **NO_SIDECAR}, spec=spec)


def pod_monitor(entry: Planned, plan: Plan) -> Obj:
    """Scrape an operator's pods on their metrics port (by the operator's port name)."""
    w = entry.of(Workload)
    mon = plan.topology.monitoring
    assert mon is not None and w.engine is not None
    found = engines.of(w, mon)
    ports = found.pooler_ports if w.pooler_of is not None else found.ports
    metrics = found.pooler_metrics if w.pooler_of is not None else found.metrics
    port = next(p.name for p in ports if p.number == metrics)
    spec = {
        "selector": {"matchLabels": dict(entry.selector)},
        "namespaceSelector": {"matchNames": [w.namespace]},
        "podMetricsEndpoints": [{"port": port, "path": "/metrics"}],
    }
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=spec)


BUILDERS: dict[Role, Builder] = {
    Role.DATABASE_CLUSTER: database_cluster,
    Role.DATABASE_POOLER: database_pooler,
    Role.OBJECT_STORE: object_store,
    Role.SCHEDULED_BACKUP: scheduled_backup,
    Role.MESSAGE_BROKER: message_broker,
    Role.CACHE_REPLICATION: cache_replication,
    Role.CACHE_SENTINEL: cache_sentinel,
    Role.POD_MONITOR: pod_monitor,
}
