"""The Kubernetes objects of a workload an operator runs (``engine``): the operator's resources ORION
writes, the Services clients call, and the objects the operator makes itself (planned, never
written, so that nothing else takes their names).

CloudNativePG: a ``Cluster`` named after the database and, with a pooler, a ``Pooler`` for the
primary (``rw``, the pooler's name) and one for the replicas (``ro``, ``<pooler>-read``). The
database keeps the Service name clients call: ``<db>`` selects the read-write pooler's pods (or the
primary), ``<db>-read`` the read-only pooler's (or the replicas). Backups go to Barman Cloud
``ObjectStore`` s through ``ScheduledBackup`` s. RabbitMQ: a ``RabbitmqCluster``, whose Service
``<name>`` the operator makes. Redis (OT redis-operator): a ``RedisReplication``
(``<name>-replication``) and, with replicas, a ``RedisSentinel`` (``<name>``, pods
``<name>-sentinel-0..n``); ORION writes the Service ``<name>``, selecting the pod the operator labels
``redis-role: master``, and the cluster provides the password Secret ``<name>-auth``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from orion_dsl.model import Topology, Workload
from orion_dsl.receivers import receiver_of

from . import names
from .plan import Planned, Ref, Role

#: Makes one plan entry of the Kubernetes target (``kubernetes.entry``).
EntryMaker = Callable[..., Planned]


def alerting(topology: Topology, w: Workload) -> bool:
    """Whether the Prometheus Operator runs the workload as an Alertmanager (the monitoring block's ``alerting``)."""
    return topology.monitoring is not None and topology.monitoring.alerting == w.name


def _made(make: EntryMaker, topology: Topology, w: Workload) -> Iterator[Planned]:
    for kind, name in names.operator_made(w, alerting(topology, w)):
        yield make(Role.OPERATOR_MADE, kind, w.namespace, name, w, part=(kind, name), sources=(w.span,), emitted=False)


def services(make: EntryMaker, topology: Topology, w: Workload) -> Iterator[Planned]:
    """The Services clients call, and the operator's own objects."""
    yield from _made(make, topology, w)
    if w.engine == "prometheus-operator":  # the operator makes only a headless Service: clients call this one
        yield make(Role.SERVICE, "Service", w.namespace, names.service(w), w, sources=(w.span,), selects=names.pod_selector(w))
        return
    if w.engine == "rabbitmq-operator":
        yield make(Role.SERVICE, "Service", w.namespace, names.service(w), w, sources=(w.span,), selects=names.pod_selector(w), emitted=False)
        return
    if w.engine == "redis-operator":
        primary = {names.REDIS_APP_LABEL: names.redis_replication(w), names.REDIS_ROLE_LABEL: "master"}
        yield make(Role.SERVICE, "Service", w.namespace, names.service(w), w, sources=(w.span,), selects=primary)
        return
    if w.pooler_of is not None:
        db = topology.workload(w.pooler_of)
        read = db is not None and db.database is not None and db.database.read_replicas > 0
        for kind in ("rw", "ro") if read else ("rw",):
            name = names.database_pooler(w, kind)
            pods = {names.CNPG_POOLER_LABEL: name}
            yield make(Role.SERVICE, "Service", w.namespace, name, w, part=None if kind == "rw" else kind, sources=(w.span,), selects=pods, emitted=False)
        return
    pooler = topology.pooler_of(w)
    cluster = {names.CNPG_CLUSTER_LABEL: names.database_cluster(w)}
    if pooler is not None:
        primary = {names.CNPG_POOLER_LABEL: names.database_pooler(pooler, "rw")}
        replicas = {names.CNPG_POOLER_LABEL: names.database_pooler(pooler, "ro")}
    else:
        primary = {**cluster, names.CNPG_INSTANCE_ROLE_LABEL: "primary"}
        replicas = {**cluster, names.CNPG_INSTANCE_ROLE_LABEL: "replica"}
    sources = (w.span, pooler.span if pooler else None)
    yield make(Role.SERVICE, "Service", w.namespace, names.service(w), w, sources=sources, selects=primary)
    if w.database is not None and w.database.read_replicas > 0:
        yield make(Role.READ_SERVICE, "Service", w.namespace, names.read_service(w), w, sources=sources, selects=replicas)


def pods(make: EntryMaker, topology: Topology, w: Workload) -> Iterator[Planned]:
    """The operator's resource that makes the pods."""
    if w.engine == "prometheus-operator":
        yield from _monitoring(make, topology, w)
        return
    if w.engine == "rabbitmq-operator":
        yield make(Role.MESSAGE_BROKER, "RabbitmqCluster", w.namespace, names.service(w), w, sources=(w.span,), pods=names.pod_selector(w))
        return
    if w.engine == "redis-operator":
        password = (Ref("Secret", w.namespace, names.redis_password(w), (names.REDIS_PASSWORD_KEY,)),)
        replication = names.redis_replication(w)
        # The labels the operator puts on its pods (its own and the resource's); of the Redis pods, the
        # primary carries ``redis-role: master`` (the replicas ``slave``), the one the Service selects.
        pods = {**names.pod_selector(w), names.REDIS_APP_LABEL: replication, names.REDIS_ROLE_LABEL: "master"}
        yield make(Role.CACHE_REPLICATION, "RedisReplication", w.namespace, replication, w, sources=(w.span,), pods=pods, refs=password)
        if w.replicas > 1:
            refs = (*password, Ref("RedisReplication", w.namespace, replication))
            sentinels = {**names.pod_selector(w), names.REDIS_APP_LABEL: names.redis_sentinel_pods(w)}
            yield make(Role.CACHE_SENTINEL, "RedisSentinel", w.namespace, names.service(w), w, sources=(w.span,), pods=sentinels, refs=refs)
        return
    if w.pooler_of is None:
        stores = tuple(dict.fromkeys(Ref("ObjectStore", w.namespace, names.object_store(b.target)) for b in w.backups if b.continuous))
        yield make(Role.DATABASE_CLUSTER, "Cluster", w.namespace, names.database_cluster(w), w, sources=(w.span,), pods=names.pod_selector(w), refs=stores)
        return
    db = topology.workload(w.pooler_of)
    assert db is not None and db.database is not None
    cluster = (Ref("Cluster", w.namespace, names.database_cluster(db)),)
    for kind in ("rw", "ro") if db.database.read_replicas > 0 else ("rw",):
        name = names.database_pooler(w, kind)
        pods = {**names.pod_selector(w), names.CNPG_POOLER_LABEL: name}  # the labels the operator puts on pooler pods
        yield make(Role.DATABASE_POOLER, "Pooler", w.namespace, name, w, part=kind, sources=(w.span,), pods=pods, refs=cluster)


def backups(make: EntryMaker, topology: Topology, w: Workload) -> Iterator[Planned]:
    """A CloudNativePG database's backups: the ObjectStore of each target WAL goes to, and a
    ScheduledBackup per scheduled backup."""
    for target in dict.fromkeys(b.target for b in w.backups if b.continuous):
        found = next((t for t in topology.recovery.targets if t.name == target), None) if topology.recovery else None
        if found is None:
            continue
        sources = tuple(b.span for b in w.backups if b.target == target)
        credentials = (Ref("Secret", w.namespace, names.backup_credentials(target), names.OBJECT_STORE_KEYS),)
        yield make(Role.OBJECT_STORE, "ObjectStore", w.namespace, names.object_store(target), found, part=w.namespace, sources=sources, refs=credentials)
    cluster = (Ref("Cluster", w.namespace, names.database_cluster(w)),)
    for b in w.backups:
        if b.every is not None:
            yield make(Role.SCHEDULED_BACKUP, "ScheduledBackup", w.namespace, names.scheduled_backup(w, b), w, part=b, sources=(b.span,), refs=cluster)


def _monitoring(make: EntryMaker, topology: Topology, w: Workload) -> Iterator[Planned]:
    """An Alertmanager, or a Prometheus with the ClusterRole and binding its discovery needs (it finds
    the Alertmanager through the operator's ``alertmanager-operated`` Service)."""
    account = Ref("ServiceAccount", w.namespace, names.service_account(w))
    if alerting(topology, w):
        routing = names.alert_routing(w)
        receiver = (Ref("Secret", w.namespace, names.alert_receiver(w), (receiver_of(topology.monitoring).key,)),)
        refs = (account, Ref("AlertmanagerConfig", w.namespace, routing))
        yield make(Role.ALERTMANAGER, "Alertmanager", w.namespace, w.name, w, sources=(w.span,), pods=names.pod_selector(w), refs=refs)
        yield make(Role.ALERT_ROUTING, "AlertmanagerConfig", w.namespace, routing, w, sources=(w.span,), refs=receiver)
        return
    role = names.discovery_role(topology, w)
    yield make(Role.DISCOVERY_ROLE, "ClusterRole", None, role, w, sources=(w.span,))
    yield make(Role.DISCOVERY_BINDING, "ClusterRoleBinding", None, role, w, sources=(w.span,), refs=(Ref("ClusterRole", None, role), account))
    mon = topology.monitoring
    manager = topology.workload(mon.alerting) if mon is not None and mon.alerting else None
    found = (Ref("Alertmanager", manager.namespace, manager.name),) if manager is not None and manager.engine == "prometheus-operator" else ()
    yield make(Role.PROMETHEUS, "Prometheus", w.namespace, w.name, w, sources=(w.span,), pods=names.pod_selector(w), refs=(account, *found))
