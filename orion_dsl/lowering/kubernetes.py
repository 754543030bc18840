"""The Kubernetes objects of a topology: which exist, what they are called, what they select and name.

Objects are planned in the order the Kubernetes backend's files list them; the backend decides
their bodies (and may find nothing to say for a reserved name, e.g. a backup policy when ORION runs
no backup step of its own).
"""

from __future__ import annotations

from collections.abc import Iterator

from orion_dsl import images
from orion_dsl.choices import PathMatch
from orion_dsl.model import Edge, Host, Ingress, Peer, Topology, Version, Volume, Workload, folded_paths
from orion_dsl.source import Span

from . import egress, families, names, operated
from .mounted_files import named_keys
from .plan import Planned, Planner, Ref, Role, Target

TARGET: Target = "kubernetes"

#: apiVersion of each kind the Kubernetes target writes.
API_VERSIONS = {
    "Namespace": "v1",
    "ResourceQuota": "v1",
    "LimitRange": "v1",
    "ServiceAccount": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "PersistentVolumeClaim": "v1",
    "Service": "v1",
    "Role": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1",
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "VerticalPodAutoscaler": "autoscaling.k8s.io/v1",
    "PodDisruptionBudget": "policy/v1",
    "ScaledObject": "keda.sh/v1alpha1",
    "TriggerAuthentication": "keda.sh/v1alpha1",
    "NetworkPolicy": "networking.k8s.io/v1",
    "Ingress": "networking.k8s.io/v1",
    "ClusterIssuer": "cert-manager.io/v1",
    "Certificate": "cert-manager.io/v1",
    "Gateway": "gateway.networking.k8s.io/v1",
    "HTTPRoute": "gateway.networking.k8s.io/v1",
    "ServiceMonitor": "monitoring.coreos.com/v1",
    "PrometheusRule": "monitoring.coreos.com/v1",
    "CronJob": "batch/v1",
    "Schedule": "velero.io/v1",
    "Pod": "v1",
    "Cluster": "postgresql.cnpg.io/v1",
    "Pooler": "postgresql.cnpg.io/v1",
    "ScheduledBackup": "postgresql.cnpg.io/v1",
    "ObjectStore": "barmancloud.cnpg.io/v1",
    "RabbitmqCluster": "rabbitmq.com/v1beta1",
    "Prometheus": "monitoring.coreos.com/v1",
    "Alertmanager": "monitoring.coreos.com/v1",
    "AlertmanagerConfig": "monitoring.coreos.com/v1alpha1",
    "ClusterRole": "rbac.authorization.k8s.io/v1",
    "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
    "RedisReplication": "redis.redis.opstreelabs.in/v1beta2",
    "RedisSentinel": "redis.redis.opstreelabs.in/v1beta2",
    "PodMonitor": "monitoring.coreos.com/v1",
    "BackupStorageLocation": "velero.io/v1",
    "VolumeSnapshotLocation": "velero.io/v1",
    "DaemonSet": "apps/v1",
}


#: Every role the Kubernetes planner gives an emitted object (its backend has one builder each).
ROLES = frozenset(
    {
        Role.NAMESPACE, Role.QUOTA, Role.LIMIT_RANGE, Role.CLUSTER_ISSUER, Role.SERVICE_ACCOUNT, Role.READER_ROLE, Role.READER_BINDING,
        Role.VOLUME_CONFIG, Role.POOLER_CONFIG, Role.ROUTES_CONFIG, Role.SHARED_CONFIG, Role.HBA_CONFIG, Role.CLAIM,
        Role.SERVICE, Role.HEADLESS_SERVICE, Role.PRIMARY_SERVICE, Role.REPLICA_SERVICE, Role.VERSION_SERVICE,
        Role.DEPLOYMENT, Role.STATEFULSET, Role.HPA, Role.QUEUE_SCALER, Role.QUEUE_AUTHENTICATION, Role.VPA, Role.PDB,
        Role.DEFAULT_DENY, Role.CONTROL_PLANE_POLICY, Role.INGRESS_POLICY,
        Role.EGRESS_POLICY, Role.ACME_SOLVER_POLICY, Role.CERTIFICATE, Role.INGRESS,
        Role.GATEWAY, Role.GATEWAY_OPTIONS, Role.HTTP_ROUTE, Role.HTTPS_REDIRECT, Role.SERVICE_MONITOR, Role.ALERT_RULES, Role.CLUSTER_STATE_MONITOR,
        Role.GATEWAY_MONITOR,
        Role.DATABASE_CLUSTER, Role.DATABASE_POOLER, Role.READ_SERVICE, Role.OBJECT_STORE, Role.SCHEDULED_BACKUP, Role.MESSAGE_BROKER, Role.POD_MONITOR,
        Role.CACHE_REPLICATION, Role.CACHE_SENTINEL,
        Role.BACKUP_JOB, Role.ARCHIVER, Role.ARCHIVER_CLAIM, Role.BACKUP_EGRESS_POLICY, Role.FROM_BACKUP_POLICY, Role.CLUSTER_BACKUP,
        Role.BACKUP_STORAGE_LOCATION, Role.VOLUME_SNAPSHOT_LOCATION,
        Role.PROMETHEUS, Role.ALERTMANAGER, Role.ALERT_ROUTING, Role.DISCOVERY_ROLE, Role.DISCOVERY_BINDING, Role.DATASOURCES_CONFIG, Role.LOKI_CONFIG,
        Role.LOG_SHIPPER_NAMESPACE, Role.LOG_SHIPPER_ACCOUNT, Role.LOG_SHIPPER_ROLE, Role.LOG_SHIPPER_BINDING, Role.LOG_SHIPPER_CONFIG,
        Role.LOG_SHIPPER, Role.LOG_SHIPPER_POLICY, Role.FROM_LOG_SHIPPER_POLICY,
    }
)  # fmt: skip


#: Makes this target's plan entries (:class:`~orion_dsl.lowering.plan.Planner`).
entry = Planner(TARGET, API_VERSIONS, ROLES).entry


def plan(topology: Topology) -> Iterator[Planned]:
    """Every Kubernetes object of the topology, then the objects it names that the cluster provides."""
    yield from _namespaces(topology)
    yield from _issuers(topology)
    yield from _service_accounts(topology)
    yield from _shared_access(topology)
    configs = tuple(_config_maps(topology))
    yield from configs
    claims = [c for w in topology.workloads for c in _claims(w)]
    yield from claims
    yield from _template_claims(topology, claims)
    for w in topology.workloads:
        yield from _services(topology, w) if w.engine is None else operated.services(entry, topology, w)
    for w in topology.workloads:
        yield from _pods(w) if w.engine is None else operated.pods(entry, topology, w)
    for w in topology.workloads:
        if w.engine is None:
            yield from _scaling(topology, w)
    yield from _network_policies(topology)
    yield from _edge(topology)
    yield from _monitoring(topology)
    yield from _log_shipper(topology)
    for w in topology.workloads:
        yield from _backups(topology, w) if w.engine != "cloudnative-pg" else operated.backups(entry, topology, w)
    yield from _cluster_backup(topology)
    managed = tuple(_managed(topology))
    yield from managed
    yield from _provided(topology, {e.id.key for e in (*managed, *configs)}, _made_by_operators(topology))


def _made_by_operators(topology: Topology) -> set[tuple[str, str, str]]:
    """(kind, namespace, name) of the objects operators make for the topology's workloads: a workload that reads one
    (CloudNativePG's ``<db>-app`` Secret, say) needs nothing of the cluster for it."""
    return {
        (kind, w.namespace, name)
        for w in topology.workloads
        if w.engine is not None
        for kind, name in names.operator_made(w, operated.alerting(topology, w))
    }


def _namespaces(topology: Topology) -> Iterator[Planned]:
    for ns in topology.namespaces:
        if ns.external:  # the cluster's, managed by others: ORION only places objects in it
            yield entry(Role.PROVIDED_NAMESPACE, "Namespace", None, ns.name, ns, sources=(ns.span,), emitted=False)
            continue
        yield entry(Role.NAMESPACE, "Namespace", None, ns.name, ns, sources=(ns.span,))
        if ns.quota is not None:
            yield entry(Role.QUOTA, "ResourceQuota", ns.name, names.QUOTA, ns, sources=(ns.span,))
        if ns.limit_range:
            yield entry(Role.LIMIT_RANGE, "LimitRange", ns.name, names.LIMIT_RANGE, ns, sources=(ns.span,))


def _service_accounts(topology: Topology) -> Iterator[Planned]:
    """One ServiceAccount per name in a namespace: workloads that name one account (``service_account``)
    share it, and with it their mTLS identity; none for an account the workload's operator makes."""
    users: dict[tuple[str, str], list[Workload]] = {}
    for w in topology.workloads:
        if ("ServiceAccount", names.service_account(w)) not in names.operator_made(w):
            users.setdefault((w.namespace, names.service_account(w)), []).append(w)
    for (namespace, name), (first, *others) in users.items():
        sources = tuple(w.span for w in (first, *others))
        yield entry(Role.SERVICE_ACCOUNT, "ServiceAccount", namespace, name, first, sources=sources, shared_by=tuple(others))


def _issuers(topology: Topology) -> Iterator[Planned]:
    for issuer in topology.issuers:
        token = Ref("Secret", names.CERT_MANAGER_NAMESPACE, names.dns01_token(issuer), (names.DNS01_TOKEN_KEY,))
        refs = (token,) if issuer.dns01 is not None else ()
        yield entry(Role.CLUSTER_ISSUER, "ClusterIssuer", None, issuer.name, issuer, sources=(issuer.span,), refs=refs)


def _shared_access(topology: Topology) -> Iterator[Planned]:
    for ns in topology.namespaces:
        for shared in ns.shared:
            kind = "ConfigMap" if shared.kind == "config" else "Secret"
            name = names.reader(shared)
            yield entry(Role.READER_ROLE, "Role", ns.name, name, shared, part=ns, sources=(shared.span,), refs=(Ref(kind, ns.name, shared.name),))
            readers = tuple(w for w in map(topology.workload, shared.readers) if w is not None)
            refs = (Ref("Role", ns.name, name), *(Ref("ServiceAccount", w.namespace, names.service_account(w)) for w in readers))
            yield entry(Role.READER_BINDING, "RoleBinding", ns.name, name, shared, part=ns, sources=(shared.span,), refs=refs)


def _config_maps(topology: Topology) -> Iterator[Planned]:
    """A connection pooler's pgbouncer.ini, an API gateway's route table and a PostgreSQL's pg_hba.conf
    admitting its backups (content ORION writes), one
    placeholder per other config-map volume source in a namespace, then the shared configs no volume made.
    A placeholder never stands in for a written one: two of those with one name are one object (E0203)."""
    placeholders: set[tuple[str, str]] = set()
    for w in topology.workloads:
        if families.writes_hba(w):
            yield entry(Role.HBA_CONFIG, "ConfigMap", w.namespace, names.hba_config(w), w, sources=(w.span,))
        first = next((v for v in w.volumes if v.kind == "config-map"), None)
        for v in w.volumes:
            if v.kind != "config-map":
                continue
            if w.pooler_of is not None and v.source == names.pooler_config(w.name):
                yield entry(Role.POOLER_CONFIG, "ConfigMap", w.namespace, v.source, w, part=v, sources=(w.span,))
            elif (role := _monitoring_config(topology, w, v)) is not None:
                yield entry(role, "ConfigMap", w.namespace, v.source, w, part=v, sources=(w.span,))
            elif w.routes and v is first:
                yield entry(Role.ROUTES_CONFIG, "ConfigMap", w.namespace, v.source, w, part=v, sources=(w.span,))
            elif (w.namespace, v.source) not in placeholders:
                placeholders.add((w.namespace, v.source))
                yield entry(Role.VOLUME_CONFIG, "ConfigMap", w.namespace, v.source, w, part=v, sources=(w.span,))
    for ns in topology.namespaces:
        for shared in ns.shared:
            if shared.kind == "config" and (ns.name, shared.name) not in placeholders:
                placeholders.add((ns.name, shared.name))
                yield entry(Role.SHARED_CONFIG, "ConfigMap", ns.name, shared.name, shared, part=ns, sources=(shared.span,))


def _monitoring_config(topology: Topology, w: Workload, v: Volume) -> Role | None:
    """The role of a ConfigMap whose content ORION writes for the monitoring block: Grafana's data
    sources (``dashboards``) and Loki's configuration (``logging``), where their images read them."""
    mon = topology.monitoring
    if mon is None:
        return None
    if w.name == mon.dashboards and v.mount_path == images.GRAFANA.config_dir:
        return Role.DATASOURCES_CONFIG
    if w.name == mon.logging and v.mount_path == images.LOKI.config_dir:
        return Role.LOKI_CONFIG
    return None


def _claims(w: Workload) -> Iterator[Planned]:
    if w.kind == "deployment":
        for s in w.storage:
            yield entry(Role.CLAIM, "PersistentVolumeClaim", w.namespace, names.claim(w, s), w, part=s.name, sources=(w.span,))


def _template_claims(topology: Topology, claims: list[Planned]) -> Iterator[Planned]:
    """The claims the StatefulSet controller makes from claim templates (``<template>-<set>-<index>``) that
    another planned claim would take: only those, as a set may run up to 2^31 pods."""
    taken = {(c.namespace, c.name) for c in claims}
    for w in topology.workloads:
        if w.kind != "statefulset" or w.engine is not None:
            continue
        for s in w.storage:
            prefix = names.template_claim(w, s, 0)[:-1]
            for namespace, name in sorted(taken):
                index = name.removeprefix(prefix)
                if namespace == w.namespace and name.startswith(prefix) and index.isdigit() and str(int(index)) == index and int(index) < w.max_replicas:
                    yield entry(Role.TEMPLATE_CLAIM, "PersistentVolumeClaim", w.namespace, name, w, part=(s.name, int(index)), sources=(w.span,), emitted=False)


def _services(topology: Topology, w: Workload) -> Iterator[Planned]:
    pooler = topology.pooler_of(w)
    own = names.pod_selector(w)
    if pooler is not None:
        yield entry(Role.SERVICE, "Service", w.namespace, names.service(w), w, sources=(w.span, pooler.span), selects=names.pod_selector(pooler))
        yield entry(Role.PRIMARY_SERVICE, "Service", w.namespace, names.primary_service(w), w, sources=(w.span,), selects={**own, names.POD_INDEX_LABEL: "0"})
        assert w.database is not None
        first = max(1, w.database.primary)
        for number in range(1, w.database.read_replicas + 1):
            index = str(first + number - 1)
            yield entry(
                Role.REPLICA_SERVICE,
                "Service",
                w.namespace,
                names.replica_service(w, number),
                w,
                part=number,
                sources=(w.span,),
                selects={**own, names.POD_INDEX_LABEL: index},
            )
    elif w.ports:  # a ClusterIP Service must have a port: a workload without one gets none
        selector = dict(own)
        if w.blue_green is not None:
            selector[names.VERSION_LABEL] = w.blue_green.version_label(w.blue_green.active)
        yield entry(Role.SERVICE, "Service", w.namespace, names.service(w), w, sources=(w.span,), selects=selector)
        for v in edge_versions(topology, w):
            pods = names.version_pods(w, v)
            yield entry(Role.VERSION_SERVICE, "Service", w.namespace, names.version_service(w, v), w, part=v.name, sources=(w.span, v.span), selects=pods)
    if w.kind == "statefulset" or pooler is not None:
        yield entry(Role.HEADLESS_SERVICE, "Service", w.namespace, names.headless_service(w), w, sources=(w.span,), selects=own)


def env_sources(w: Workload, version: Version | None = None) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(kind, name, keys) of each Secret and ConfigMap the environment of a workload's containers reads (in one
    version's pods, else in any of its pods), once per object with every key it names (no keys: ``env_from``, every key)."""
    found: dict[tuple[str, str], list[str]] = {}
    main = version.environment(w.container.env) if version is not None else (*w.container.env, *(e for v in w.versions for e in v.env))
    for var in (*main, *(e for c in w.init_containers for e in c.env)):
        if var.source_kind is not None and var.source is not None and var.key is not None:
            found.setdefault((_KINDS[var.source_kind], var.source), []).append(var.key)
    for e in w.env_from:
        found.setdefault((_KINDS[e.kind], e.source), [])
    for (kind, name), keys in found.items():
        yield kind, name, tuple(dict.fromkeys(keys))


#: The object kind of each source of environment variables.
_KINDS = {"secret": "Secret", "config-map": "ConfigMap"}


def _volume_refs(w: Workload, version: Version | None = None) -> tuple[Ref, ...]:
    """The ServiceAccount, ConfigMaps, Secrets and claims a workload's pods (or one version's) use (mounted, or read by their environment)."""
    refs = [Ref("ServiceAccount", w.namespace, names.service_account(w))]
    for v in w.volumes:
        keys = tuple(f.key for f in v.files)
        if v.kind == "config-map":
            refs.append(Ref("ConfigMap", w.namespace, v.source, keys))
        elif v.kind == "secret":
            refs.append(Ref("Secret", w.namespace, v.source, keys, () if keys else named_keys(w, v)))
    refs += [Ref(kind, w.namespace, name, keys) for kind, name, keys in env_sources(w, version)]
    if families.writes_hba(w):
        refs.append(Ref("ConfigMap", w.namespace, names.hba_config(w), (families.HBA_FILE,)))
    if w.kind == "deployment":
        refs += [Ref("PersistentVolumeClaim", w.namespace, names.claim(w, s)) for s in w.storage]
    else:
        refs.append(Ref("Service", w.namespace, names.headless_service(w)))
    return tuple(refs)


def _pods(w: Workload) -> Iterator[Planned]:
    """The Deployment (a colour's each) or StatefulSet, with the labels its pods carry that selectors use
    (``app.kubernetes.io/managed-by: orion`` too: an ``external`` namespace's policies select ORION's pods by it)."""
    refs = _volume_refs(w)
    own = {**names.pod_selector(w), **names.ORION_PODS}
    if w.kind == "statefulset":
        yield entry(Role.STATEFULSET, "StatefulSet", w.namespace, names.service(w), w, sources=(w.span,), pods=own, refs=refs)
        return
    for version in w.versions:
        pods = names.version_pods(w, version)
        name = names.version_deployment(w, version)
        yield entry(Role.DEPLOYMENT, "Deployment", w.namespace, name, w, part=version, sources=(version.span,), pods=pods, refs=_volume_refs(w, version))
    if w.versions:
        return
    if w.blue_green is None:
        yield entry(Role.DEPLOYMENT, "Deployment", w.namespace, names.service(w), w, sources=(w.span,), pods=own, refs=refs)
        return
    for colour in names.COLOURS:
        pods = {**names.pod_selector(w, colour), **names.ORION_PODS, names.VERSION_LABEL: w.blue_green.version_label(colour)}
        yield entry(Role.DEPLOYMENT, "Deployment", w.namespace, names.colour_deployment(w, colour), w, part=colour, sources=(w.span,), pods=pods, refs=refs)


def scale_target(w: Workload) -> Ref:
    """The object an autoscaler scales: the StatefulSet, the Deployment, or a blue-green pair's active colour."""
    if w.kind == "statefulset":
        return Ref("StatefulSet", w.namespace, names.service(w))
    if w.blue_green is not None:
        return Ref("Deployment", w.namespace, names.colour_deployment(w, w.blue_green.active))
    return Ref("Deployment", w.namespace, names.service(w))


def _scaling(topology: Topology, w: Workload) -> Iterator[Planned]:
    target = (scale_target(w),)
    if w.autoscale is not None and (w.autoscale.queues or topology.pods_metrics_scraper(w) is not None):
        yield from _keda_scaling(w, target)
    elif w.autoscale is not None:
        described = tuple(Ref("Service", w.namespace, m.object or m.name) for m in w.autoscale.metrics if m.source == "object")
        yield entry(Role.HPA, "HorizontalPodAutoscaler", w.namespace, names.service(w), w, sources=(w.span,), refs=target + described)
    if topology.scaling.vertical is not None and not w.versions:
        yield entry(Role.VPA, "VerticalPodAutoscaler", w.namespace, names.service(w), w, sources=(w.span,), refs=target)
    yield from _version_scaling(topology, w)
    if w.max_replicas <= 1 or w.versions:
        return
    if w.blue_green is None:
        yield entry(Role.PDB, "PodDisruptionBudget", w.namespace, names.service(w), w, sources=(w.span,), selects=names.pod_selector(w))
        return
    for colour in names.COLOURS:
        name = names.colour_deployment(w, colour)
        yield entry(Role.PDB, "PodDisruptionBudget", w.namespace, name, w, part=colour, sources=(w.span,), selects=names.pod_selector(w, colour))


def _version_scaling(topology: Topology, w: Workload) -> Iterator[Planned]:
    """Per version of a service with several: a VPA (``scaling.vertical``) and, for a version that runs more
    than one replica, a disruption budget, each named and selecting as the version's Deployment."""
    for version in w.versions:
        name = names.version_deployment(w, version)
        here = (version.span,)
        if topology.scaling.vertical is not None:
            yield entry(Role.VPA, "VerticalPodAutoscaler", w.namespace, name, w, part=version, sources=here, refs=(Ref("Deployment", w.namespace, name),))
        if version.replicas > 1:
            yield entry(Role.PDB, "PodDisruptionBudget", w.namespace, name, w, part=version, sources=here, selects=names.version_pods(w, version))


def _keda_scaling(w: Workload, target: tuple[Ref, ...]) -> Iterator[Planned]:
    """KEDA scales a workload with queue depths or ``pods`` metrics Prometheus scrapes: a ScaledObject (KEDA
    makes its HPA, ``keda-hpa-<name>``, and serves its metrics: no custom metrics adapter) and, per broker,
    a TriggerAuthentication reading the broker's default user from a Secret of the
    workload's namespace."""
    assert w.autoscale is not None
    brokers = tuple(dict.fromkeys(q.broker for q in w.autoscale.queues))
    auths = tuple(Ref("TriggerAuthentication", w.namespace, names.queue_authentication(w, b)) for b in brokers)
    yield entry(Role.QUEUE_SCALER, "ScaledObject", w.namespace, names.service(w), w, sources=(w.span,), refs=target + auths)
    for broker, auth in zip(brokers, auths, strict=True):
        secret = Ref("Secret", w.namespace, names.broker_credentials(broker), names.BROKER_USER_KEYS)
        yield entry(Role.QUEUE_AUTHENTICATION, "TriggerAuthentication", w.namespace, auth.name, w, part=broker, sources=(w.span,), refs=(secret,))


def peer_pods(topology: Topology, peer: Peer) -> tuple[str, dict[str, str]] | None:
    """(name, pod labels) of an in-cluster peer that gets NetworkPolicies: a workload, the ingress controller, or the egress gateway."""
    if peer.kind == "egress-gateway":
        return peer.name, dict(names.EGRESS_GATEWAY_PODS)
    if peer.kind == "workload":
        w = topology.workload(peer.name)
        return (peer.name, names.pod_selector(w)) if w is not None else None
    if peer.kind == "ingress" and topology.ingress is not None:
        return names.ingress_controller(topology.ingress), names.ingress_controller_pods(topology.ingress)
    return None


def _peer_sources(topology: Topology, peer: Peer) -> tuple[Span | None, ...]:
    found = egress.gateway(topology)
    if peer.kind == "egress-gateway" and found is not None:
        return (found.span,)
    w = topology.workload(peer.name) if peer.kind == "workload" else None
    if w is not None:
        return (w.span,)
    return (topology.ingress.span,) if topology.ingress is not None else ()


def _gateway_ends(topology: Topology, edge: Edge, incoming: set[Peer], outgoing: set[Peer]) -> tuple[tuple[Peer, set[Peer]], ...]:
    """An edge through the egress gateway also enters the gateway's pods and leaves them (see :mod:`.egress`)."""
    found = egress.gateway(topology)
    if found is None or not egress.through_gateway(topology, edge):
        return ()
    peer = egress.gateway_peer(found)
    return ((peer, incoming), (peer, outgoing))


def _network_policies(topology: Topology) -> Iterator[Planned]:
    for ns in topology.namespaces:
        pods = names.isolated_pods(ns)
        yield entry(Role.DEFAULT_DENY, "NetworkPolicy", ns.name, names.DEFAULT_DENY, ns, sources=(ns.span,), selects=pods)
        if ns.mesh:
            yield entry(Role.CONTROL_PLANE_POLICY, "NetworkPolicy", ns.name, names.CONTROL_PLANE_POLICY, ns, sources=(ns.span,), selects=pods)
    incoming: set[Peer] = set()
    outgoing: set[Peer] = set()
    order: dict[Peer, tuple[str, dict[str, str]]] = {}  # first seen first: a list's `in` made this quadratic
    for edge in topology.allow_graph.edges:
        for peer, ends in ((edge.target, incoming), (edge.source, outgoing), *_gateway_ends(topology, edge, incoming, outgoing)):
            if peer in order:
                ends.add(peer)
            elif (found := peer_pods(topology, peer)) is not None:
                ends.add(peer)
                order[peer] = found
    if topology.network.internet:  # `internet allow`: every workload's egress policy opens public addresses
        for w in topology.workloads:
            peer = Peer("workload", w.name, w.namespace)
            if peer not in order and (found := peer_pods(topology, peer)) is not None:
                order[peer] = found
            outgoing.add(peer)
    for peer, (name, pods) in order.items():
        assert peer.namespace is not None
        sources = _peer_sources(topology, peer)
        if peer in incoming:
            yield entry(Role.INGRESS_POLICY, "NetworkPolicy", peer.namespace, names.ingress_policy(name), peer, sources=sources, selects=pods)
        if peer in outgoing:
            yield entry(Role.EGRESS_POLICY, "NetworkPolicy", peer.namespace, names.egress_policy(name), peer, sources=sources, selects=pods)
    if topology.ingress is not None:
        for namespace in certificate_namespaces(topology):
            home = topology.namespace(namespace)
            yield entry(
                Role.ACME_SOLVER_POLICY,
                "NetworkPolicy",
                namespace,
                names.ACME_SOLVER_POLICY,
                topology.ingress,
                part=namespace,
                sources=(topology.ingress.span, home.span if home else None),
                selects=names.ACME_SOLVER_PODS,
            )


def host_groups(ingress: Ingress, topology: Topology) -> dict[str, list[Host]]:
    """Ingress hosts grouped by their target's namespace, in spec order (an Ingress lives beside its Services)."""
    groups: dict[str, list[Host]] = {}
    for host in ingress.hosts:
        w = topology.workload(host.target)
        if w is not None:
            groups.setdefault(w.namespace, []).append(host)
    return groups


def certificate_namespaces(topology: Topology) -> list[str]:
    """Namespaces that get HTTP-01 solver pods: those with a Certificate from an HTTP-01 issuer."""
    ing = topology.ingress
    issuer = next((i for i in topology.issuers if ing is not None and i.name == ing.tls_issuer), None)
    if ing is None or issuer is None or issuer.dns01 is not None:
        return []
    return list(tls_groups(ing, topology))


def tls_groups(ing: Ingress, topology: Topology) -> dict[str, list[Host]]:
    """The hosts of each Certificate by its namespace: one per target namespace beside its Ingress
    (ingress-nginx reads the Secret there), or one for every host beside the Gateway (Istio reads a
    listener's Secret in the Gateway's namespace)."""
    if ing.controller == "istio":
        return {ing.namespace: list(ing.hosts)} if ing.hosts else {}
    return host_groups(ing, topology)


#: An HTTPRoute's place: its namespace, Service, port name, and its number among the routes of that port.
RouteKey = tuple[str, str, str, int]


def route_groups(ing: Ingress, topology: Topology) -> dict[RouteKey, list[Host]]:
    """The host lines of each HTTPRoute. A route lives beside its Service, and a route's hostnames and matches
    are not paired (each match serves every hostname), so the hosts that reach one Service port share a route
    when they match the same paths: the lines of one host fold into its paths, and hosts of other paths get a
    route of their own (numbered from 1 in spec order). Per request the Gateway API still picks the route of the
    most specific hostname, then of the exact path, then of the longest prefix."""
    by_port: dict[tuple[str, str, str], dict[str, list[Host]]] = {}
    for host in ing.hosts:
        w = topology.workload(host.target)
        if w is not None:
            by_port.setdefault((w.namespace, host.target, host.port.name), {}).setdefault(host.host, []).append(host)
    groups: dict[RouteKey, list[Host]] = {}
    for (namespace, target, port), lines in by_port.items():
        alike: dict[frozenset[tuple[PathMatch, str]], list[Host]] = {}
        for same_host in lines.values():
            alike.setdefault(frozenset(folded_paths(same_host)), []).extend(same_host)
        for number, hosts in enumerate(alike.values(), 1):
            groups[(namespace, target, port, number)] = hosts
    return groups


def edge_versions(topology: Topology, w: Workload) -> tuple[Version, ...]:
    """The versions an ``istio`` ingress sends a share of a host's requests to by their own Service
    (:func:`~orion_dsl.lowering.names.version_service`): those the target's ``traffic`` block names (``split``,
    ``match``, ``mirror``), when it has several versions. An HTTPRoute's backend is a Service, with no subsets, so
    the route weights, matches and mirrors to these; with one version the workload's Service selects its pods alone."""
    ing = topology.istio_gateway
    traffic = w.traffic
    if ing is None or traffic is None or len(w.versions) < 2 or not any(h.target == w.name for h in ing.hosts):
        return ()
    mirrors = [r.mirror[0] for r in (traffic.rules, *(m.rules for m in traffic.matches)) if r.mirror is not None]
    named = {*(name for name, _ in traffic.split), *(m.version for m in traffic.matches), *mirrors}
    return tuple(v for v in w.versions if v.name in named)


def serves_tls(ing: Ingress) -> bool:
    """Whether the ingress terminates TLS: it has an issuer and listens on 443."""
    return ing.tls_issuer is not None and any(p.number == 443 for p in ing.listen)


def _certificates(ing: Ingress, topology: Topology, issuer_name: str) -> Iterator[Planned]:
    issuer = (Ref("ClusterIssuer", None, issuer_name),)
    for namespace, hosts in tls_groups(ing, topology).items():
        sources = (ing.span, *(h.span for h in hosts))
        yield entry(Role.CERTIFICATE, "Certificate", namespace, names.certificate(ing, namespace), ing, part=namespace, sources=sources, refs=issuer)


def _tls_refs(ing: Ingress, namespace: str) -> tuple[Ref, ...]:
    """The Certificate of a namespace and the Secret cert-manager makes from it."""
    if ing.tls_issuer is None:
        return ()
    certificate = names.certificate(ing, namespace)
    return (Ref("Certificate", namespace, certificate), Ref("Secret", namespace, certificate))


def _edge(topology: Topology) -> Iterator[Planned]:
    ing = topology.ingress
    if ing is None:
        return
    if ing.tls_issuer is not None:
        yield from _certificates(ing, topology, ing.tls_issuer)
    if ing.controller == "istio":
        yield from _gateway(ing, topology)
        return
    for namespace, hosts in host_groups(ing, topology).items():
        sources = (ing.span, *(h.span for h in hosts))
        refs = (*dict.fromkeys(Ref("Service", namespace, h.target) for h in hosts), *_tls_refs(ing, namespace))
        yield entry(Role.INGRESS, "Ingress", namespace, names.ingress(ing, namespace), ing, part=namespace, sources=sources, refs=refs)


def _gateway(ing: Ingress, topology: Topology) -> Iterator[Planned]:
    """The Gateway Istio runs, the ConfigMap of its Deployment's overlays, one HTTPRoute per Service
    port the hosts reach, and the HTTPS redirect when it also listens on 80."""
    options = names.gateway_options(ing)
    refs = (Ref("ConfigMap", ing.namespace, options), *_tls_refs(ing, ing.namespace))
    yield entry(Role.GATEWAY_OPTIONS, "ConfigMap", ing.namespace, options, ing, sources=(ing.span,))
    yield entry(Role.GATEWAY, "Gateway", ing.namespace, ing.name, ing, sources=(ing.span,), refs=refs)
    parent = (Ref("Gateway", ing.namespace, ing.name),)
    for (namespace, target, port, number), hosts in route_groups(ing, topology).items():
        sources = (ing.span, *(h.span for h in hosts))
        name = names.http_route(ing, target, port, number)
        w = topology.workload(target)
        assert w is not None, "routes are planned for workload targets"
        versions = tuple(Ref("Service", namespace, names.version_service(w, v)) for v in edge_versions(topology, w))
        split = versions and w.traffic is not None and w.traffic.split  # the default rule weights the versions' Services
        refs = (*parent, *(() if split else (Ref("Service", namespace, target),)), *versions)
        yield entry(Role.HTTP_ROUTE, "HTTPRoute", namespace, name, ing, part=(target, port, number), sources=sources, refs=refs)
    if serves_tls(ing) and any(p.number == 80 for p in ing.listen):
        yield entry(Role.HTTPS_REDIRECT, "HTTPRoute", ing.namespace, names.https_redirect(ing), ing, sources=(ing.span,), refs=parent)


def scraped_service(topology: Topology, w: Workload) -> str:
    """The Service a ServiceMonitor scrapes for a workload: its own, or a pooled database's headless one
    (its own Service points at the pooler)."""
    return names.headless_service(w) if topology.pooler_of(w) is not None else names.service(w)


def _monitoring(topology: Topology) -> Iterator[Planned]:
    mon = topology.monitoring
    if mon is None:
        return
    for w in topology.workloads:
        if w.scraped and w.port(mon.port) is not None and w.engine is not None:
            yield entry(Role.POD_MONITOR, "PodMonitor", w.namespace, names.service(w), w, sources=(w.span,), selects=names.pod_selector(w))
        elif w.scraped and w.port(mon.port) is not None:
            refs = (Ref("Service", w.namespace, scraped_service(topology, w)),)
            yield entry(Role.SERVICE_MONITOR, "ServiceMonitor", w.namespace, names.service(w), w, sources=(w.span,), refs=refs)
    scraper = topology.workload(mon.scraper)
    if mon.alerts:
        namespace = scraper.namespace if scraper else topology.namespaces[0].name
        yield entry(Role.ALERT_RULES, "PrometheusRule", namespace, names.alert_rules(topology), mon, sources=(scraper.span if scraper else None,))
        if mon.cluster_state_alerts:
            where = (scraper.span if scraper else None,)
            yield entry(Role.CLUSTER_STATE_MONITOR, "ServiceMonitor", namespace, names.cluster_state_monitor(), mon, sources=where)
    ing = topology.istio_gateway
    if ing is not None and scraper is not None:  # in the scraper's namespace, which its Prometheus admits
        pods, name = names.ingress_controller_pods(ing), names.gateway_monitor(ing)
        yield entry(Role.GATEWAY_MONITOR, "PodMonitor", scraper.namespace, name, ing, sources=(ing.span,), selects=pods, selects_in=ing.namespace)


def _log_shipper(topology: Topology) -> Iterator[Planned]:
    """With a ``logging`` workload (Loki): Grafana Alloy as a DaemonSet in its own namespace, reading
    every node's /var/log/pods and pushing to Loki, with the ClusterRole its pod discovery needs, its
    configuration, its NetworkPolicy, and the one in Loki's namespace that admits it."""
    mon = topology.monitoring
    loki = topology.workload(mon.logging) if mon is not None and mon.logging else None
    if mon is None or loki is None:
        return
    ns, name, here = names.LOG_SHIPPER_NAMESPACE, names.LOG_SHIPPER, (loki.span,)
    account = Ref("ServiceAccount", ns, name)
    yield entry(Role.LOG_SHIPPER_NAMESPACE, "Namespace", None, ns, mon, sources=here)
    yield entry(Role.LOG_SHIPPER_ACCOUNT, "ServiceAccount", ns, name, mon, sources=here)
    yield entry(Role.LOG_SHIPPER_ROLE, "ClusterRole", None, name, mon, sources=here)
    yield entry(Role.LOG_SHIPPER_BINDING, "ClusterRoleBinding", None, name, mon, sources=here, refs=(Ref("ClusterRole", None, name), account))
    yield entry(Role.LOG_SHIPPER_CONFIG, "ConfigMap", ns, name, loki, sources=here, refs=(Ref("Service", loki.namespace, names.service(loki)),))
    refs = (account, Ref("ConfigMap", ns, name))
    yield entry(Role.LOG_SHIPPER, "DaemonSet", ns, name, loki, sources=here, pods=names.LOG_SHIPPER_PODS, refs=refs)
    yield entry(Role.LOG_SHIPPER_POLICY, "NetworkPolicy", ns, name, loki, sources=here, selects=names.LOG_SHIPPER_PODS)
    policy = names.from_log_shipper_policy(loki)
    yield entry(Role.FROM_LOG_SHIPPER_POLICY, "NetworkPolicy", loki.namespace, policy, loki, sources=here, selects=names.pod_selector(loki))


def _backups(topology: Topology, w: Workload) -> Iterator[Planned]:
    """Every backup's CronJob or archiver (with its spool claim), and the backup pods' policies."""
    for b in w.backups:
        credentials = Ref("Secret", w.namespace, names.backup_credentials(b.target), (names.BACKUP_CREDENTIALS_KEY,))
        keys = families.credential_keys(w) if b.image is None else ()
        secrets = tuple(Ref("Secret", w.namespace, v.source, keys) for v in (names.credentials_volume(w),) if v is not None)
        secrets += _user_source(w) if b.image is None else ()
        account = Ref("ServiceAccount", w.namespace, names.service_account(w))
        pods = {names.NAME_LABEL: names.backup_pods(w)}
        if b.continuous:
            name = names.archiver(w, b)
            yield entry(Role.ARCHIVER_CLAIM, "PersistentVolumeClaim", w.namespace, name, w, part=b, sources=(b.span,))
            refs = (account, credentials, *secrets, Ref("PersistentVolumeClaim", w.namespace, name))
            yield entry(Role.ARCHIVER, "Deployment", w.namespace, name, w, part=b, sources=(b.span,), pods={**pods, names.INSTANCE_LABEL: name}, refs=refs)
        elif b.every is not None:
            refs = (account, credentials, *secrets)
            yield entry(Role.BACKUP_JOB, "CronJob", w.namespace, names.backup_job(w, b), w, part=b, sources=(b.span,), pods=pods, refs=refs)
    if w.backups:
        sources = tuple(b.span for b in w.backups)
        pods = {names.NAME_LABEL: names.backup_pods(w)}
        yield entry(Role.BACKUP_EGRESS_POLICY, "NetworkPolicy", w.namespace, names.backup_egress_policy(w), w, sources=sources, selects=pods)
        yield entry(Role.FROM_BACKUP_POLICY, "NetworkPolicy", w.namespace, names.from_backup_policy(w), w, sources=sources, selects=names.pod_selector(w))


def _user_source(w: Workload) -> tuple[Ref, ...]:
    """The Secret or ConfigMap key a built-in backup step reads its database user from (``BACKUP_USER``), when the
    workload's own variable reads it from one (``env POSTGRES_USER secret "pg-user" key "name"``)."""
    user = families.store_user(w)
    if user is None or user.source_kind is None or user.source is None or user.key is None:
        return ()
    return (Ref(_KINDS[user.source_kind], w.namespace, user.source, (user.key,)),)


def _cluster_backup(topology: Topology) -> Iterator[Planned]:
    """The Velero Schedule and, for an S3 target, the storage location it writes to and (with a region)
    the snapshot location of its volumes, both reading the target's credentials Secret. Another kind of
    target's location stays Velero's installation's to define (:func:`_provided`)."""
    rec = topology.recovery
    if rec is None or rec.cluster_backup is None:
        return
    cb = rec.cluster_backup
    target = next((t for t in rec.targets if t.name == cb.target and t.kind == "s3"), None)
    location = names.backup_storage_location(cb.target)
    refs: tuple[Ref, ...] = (Ref("BackupStorageLocation", names.VELERO_NAMESPACE, location),)
    if target is not None:
        velero, here = names.VELERO_NAMESPACE, (cb.span,)
        credentials = (Ref("Secret", velero, names.backup_credentials(target.name), (names.BACKUP_CREDENTIALS_KEY,)),)
        yield entry(Role.BACKUP_STORAGE_LOCATION, "BackupStorageLocation", velero, location, target, sources=here, refs=credentials)
        if target.region is not None:  # the AWS plugin requires a snapshot location's region
            name = names.volume_snapshot_location(target.name)
            yield entry(Role.VOLUME_SNAPSHOT_LOCATION, "VolumeSnapshotLocation", velero, name, target, sources=here, refs=credentials)
            refs = (*refs, Ref("VolumeSnapshotLocation", velero, name))
    yield entry(Role.CLUSTER_BACKUP, "Schedule", names.VELERO_NAMESPACE, names.cluster_backup(topology), cb, sources=(cb.span,), refs=refs)


def _managed(topology: Topology) -> Iterator[Planned]:
    """Secrets cert-manager makes from ORION's objects: each Certificate's TLS Secret and each ACME
    account's key (in cert-manager's namespace); a workload may mount them, but not make another."""
    for issuer in topology.issuers:
        yield entry(Role.MANAGED_SECRET, "Secret", names.CERT_MANAGER_NAMESPACE, names.account_key(issuer), issuer, sources=(issuer.span,), emitted=False)
    ing = topology.ingress
    if ing is not None and ing.tls_issuer is not None:
        for namespace in tls_groups(ing, topology):
            yield entry(Role.MANAGED_SECRET, "Secret", namespace, names.certificate(ing, namespace), ing, part=namespace, sources=(ing.span,), emitted=False)
    if ing is not None:
        controller, pods = names.ingress_controller(ing), names.ingress_controller_pods(ing)
        yield entry(Role.PROVIDED_PODS, "Pod", ing.namespace, controller, ing, sources=(ing.span,), pods=pods, emitted=False)
    gateway = topology.istio_gateway
    if gateway is not None:  # Istio's gateway controller makes them from the Gateway
        for kind in ("Deployment", "Service", "ServiceAccount"):
            made = names.ingress_controller(gateway)
            yield entry(Role.OPERATOR_MADE, kind, gateway.namespace, made, gateway, part=kind, sources=(gateway.span,), emitted=False)


def _provided(topology: Topology, managed: set[tuple[str, str, str, str]], made: set[tuple[str, str, str]]) -> Iterator[Planned]:
    """Objects the manifests name that the cluster must provide (none an operator makes): Secrets (never written, among them the
    credentials of the cluster backup's S3 target), the ConfigMaps environment variables read that ORION
    does not write, and the BackupStorageLocation of a cluster backup to
    another kind of target; each once, at the first fact that names it."""
    found: dict[tuple[str, str, str], tuple[Role, object, tuple[Span | None, ...]]] = {}
    for w in topology.workloads:
        for v in w.volumes:
            if v.kind == "secret":
                found.setdefault(("Secret", w.namespace, v.source), (Role.PROVIDED_SECRET, w, (w.span,)))
        for kind, name, _ in env_sources(w):
            found.setdefault((kind, w.namespace, name), (Role.PROVIDED_SECRET if kind == "Secret" else Role.PROVIDED_CONFIG, w, (w.span,)))
        if w.engine == "redis-operator":
            found.setdefault(("Secret", w.namespace, names.redis_password(w)), (Role.PROVIDED_SECRET, w, (w.span,)))
        if w.engine == "prometheus-operator" and operated.alerting(topology, w):
            found.setdefault(("Secret", w.namespace, names.alert_receiver(w)), (Role.PROVIDED_SECRET, w, (w.span,)))
        for q in w.autoscale.queues if w.autoscale is not None else ():
            broker = topology.workload(q.broker)
            if broker is not None and broker.namespace != w.namespace:  # in its own namespace, the operator's Secret
                found.setdefault(("Secret", w.namespace, names.broker_credentials(q.broker)), (Role.PROVIDED_SECRET, w, (q.span,)))
        for b in w.backups:
            if b.continuous or b.every is not None:
                found.setdefault(("Secret", w.namespace, names.backup_credentials(b.target)), (Role.PROVIDED_SECRET, w, (b.span,)))
    for ns in topology.namespaces:
        for shared in ns.shared:
            if shared.kind == "secret":
                found.setdefault(("Secret", ns.name, shared.name), (Role.PROVIDED_SECRET, shared, (shared.span,)))
    for issuer in topology.issuers:
        if issuer.dns01 is not None:
            found.setdefault(("Secret", names.CERT_MANAGER_NAMESPACE, names.dns01_token(issuer)), (Role.PROVIDED_SECRET, issuer, (issuer.span,)))
    rec = topology.recovery
    if rec is not None and rec.cluster_backup is not None:
        cb = rec.cluster_backup
        if any(t.name == cb.target and t.kind == "s3" for t in rec.targets):
            found.setdefault(("Secret", names.VELERO_NAMESPACE, names.backup_credentials(cb.target)), (Role.PROVIDED_SECRET, cb, (cb.span,)))
        else:
            key = ("BackupStorageLocation", names.VELERO_NAMESPACE, names.backup_storage_location(cb.target))
            found.setdefault(key, (Role.PROVIDED_STORAGE_LOCATION, cb, (cb.span,)))
    for (kind, namespace, name), (role, subject, sources) in found.items():
        if (kind, namespace, name) in made:
            continue
        planned = entry(role, kind, namespace, name, subject, sources=sources, emitted=False)
        if planned.id.key not in managed:  # a workload may mount the TLS Secret cert-manager makes
            yield planned
