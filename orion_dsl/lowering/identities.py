"""Checks on the plan's identities: no two objects share one (E0203), every name and selector fits (E0204).

Both are reported at the spec lines that made the objects, so ``orion check`` catches what a
writer (two files with one path) or the API server (a 64-character Service name) would refuse.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from orion_dsl.diagnostics import Diagnostic, Related, error
from orion_dsl.model import ClusterBackup, EgressGateway, External, Ingress, Issuer, Mesh, Monitoring, Namespace, Peer, Shared, Workload
from orion_dsl.source import Span

from .names import NAME_LABEL
from .plan import Planned, Role

#: What each role's object is, for messages ("the egress policy of workload "db"").
ROLE_NAMES: dict[Role, str] = {
    Role.NAMESPACE: "the namespace",
    Role.QUOTA: "the resource quota",
    Role.LIMIT_RANGE: "the limit range",
    Role.SERVICE_ACCOUNT: "the service account",
    Role.READER_ROLE: "the reader Role",
    Role.READER_BINDING: "the reader RoleBinding",
    Role.VOLUME_CONFIG: "a ConfigMap mounted by",
    Role.POOLER_CONFIG: "the pgbouncer.ini ConfigMap",
    Role.ROUTES_CONFIG: "the route table ConfigMap",
    Role.SHARED_CONFIG: "the shared ConfigMap",
    Role.HBA_CONFIG: "the pg_hba.conf ConfigMap",
    Role.CLAIM: "a storage claim",
    Role.SERVICE: "the Service",
    Role.HEADLESS_SERVICE: "the headless Service",
    Role.PRIMARY_SERVICE: "the primary's Service",
    Role.REPLICA_SERVICE: "a read replica's Service",
    Role.VERSION_SERVICE: "a version's Service for the ingress",
    Role.DEPLOYMENT: "the Deployment",
    Role.STATEFULSET: "the StatefulSet",
    Role.HPA: "the HorizontalPodAutoscaler",
    Role.VPA: "the VerticalPodAutoscaler",
    Role.PDB: "the PodDisruptionBudget",
    Role.QUEUE_SCALER: "the KEDA ScaledObject",
    Role.QUEUE_AUTHENTICATION: "the KEDA TriggerAuthentication for a broker",
    Role.DEFAULT_DENY: "the default-deny policy",
    Role.CONTROL_PLANE_POLICY: "the control-plane policy",
    Role.INGRESS_POLICY: "the ingress NetworkPolicy",
    Role.EGRESS_POLICY: "the egress NetworkPolicy",
    Role.ACME_SOLVER_POLICY: "the ACME solver policy",
    Role.BACKUP_EGRESS_POLICY: "the backup pods' egress NetworkPolicy",
    Role.FROM_BACKUP_POLICY: "the NetworkPolicy admitting the backup pods",
    Role.CLUSTER_ISSUER: "the ClusterIssuer",
    Role.CERTIFICATE: "a Certificate",
    Role.INGRESS: "an Ingress",
    Role.GATEWAY: "the Gateway",
    Role.GATEWAY_OPTIONS: "the Gateway's options ConfigMap",
    Role.HTTP_ROUTE: "an HTTPRoute",
    Role.HTTPS_REDIRECT: "the HTTPS redirect HTTPRoute",
    Role.SERVICE_MONITOR: "the ServiceMonitor",
    Role.ALERT_RULES: "the alert rules",
    Role.CLUSTER_STATE_MONITOR: "the ServiceMonitor of kube-state-metrics",
    Role.GATEWAY_MONITOR: "the PodMonitor of the ingress gateway",
    Role.BACKUP_JOB: "a backup CronJob",
    Role.ARCHIVER: "a continuous backup's Deployment",
    Role.ARCHIVER_CLAIM: "a continuous backup's spool claim",
    Role.CLUSTER_BACKUP: "the Velero Schedule",
    Role.BACKUP_STORAGE_LOCATION: "the Velero BackupStorageLocation",
    Role.VOLUME_SNAPSHOT_LOCATION: "the Velero VolumeSnapshotLocation",
    Role.MESH_MTLS: "the mesh-wide PeerAuthentication",
    Role.NAMESPACE_MTLS: "the namespace's PeerAuthentication",
    Role.ALLOW_NOTHING: "the allow-nothing policy",
    Role.ALLOW_CALLERS: "the AuthorizationPolicy",
    Role.INGRESS_ACCESS: "the ingress gateway's AuthorizationPolicy",
    Role.JWT_AUTHENTICATION: "the RequestAuthentication",
    Role.REQUIRE_JWT: "the token-requiring AuthorizationPolicy",
    Role.TELEMETRY: "the mesh Telemetry",
    Role.SIDECAR: "the Sidecar",
    Role.DESTINATION_RULE: "the DestinationRule",
    Role.VIRTUAL_SERVICE: "the VirtualService",
    Role.INGRESS_BALANCE: "the ingress gateway's DestinationRule for a host's backend",
    Role.GATEWAY_FILTERS: "the ingress gateway's EnvoyFilter (rate limit, request buffering, compression)",
    Role.GATEWAY_WAF: "the ingress gateway's WasmPlugin (the WAF: Coraza with the OWASP core rules)",
    Role.SERVICE_ENTRY: "the ServiceEntry",
    Role.EGRESS_GATEWAY: "the egress Gateway",
    Role.EGRESS_SUBSETS: "the egress gateway's DestinationRule",
    Role.EGRESS_ROUTE: "the egress gateway's VirtualService",
    Role.EGRESS_ACCESS: "the egress gateway's AuthorizationPolicy",
    Role.PROVIDED_SECRET: "a Secret the cluster provides",
    Role.PROVIDED_CONFIG: "a ConfigMap the cluster provides, read by the environment",
    Role.PROVIDED_STORAGE_LOCATION: "the BackupStorageLocation Velero provides",
    Role.PROVIDED_SERVICE: "the Service Istio installs",
    Role.PROVIDED_PODS: "the pods of the ingress controller (Istio's, made from the Gateway; or installed separately)",
    Role.PROVIDED_NAMESPACE: "the Namespace object (external: the cluster has it)",
    Role.MANAGED_SECRET: "a Secret cert-manager makes",
    Role.TEMPLATE_CLAIM: "a claim the StatefulSet controller makes for a pod",
    Role.OPERATOR_MADE: "an object its operator makes",
    Role.DATABASE_CLUSTER: "the CloudNativePG Cluster",
    Role.DATABASE_POOLER: "the CloudNativePG Pooler",
    Role.READ_SERVICE: "the read replicas' Service",
    Role.OBJECT_STORE: "the Barman Cloud ObjectStore",
    Role.SCHEDULED_BACKUP: "the CloudNativePG ScheduledBackup",
    Role.MESSAGE_BROKER: "the RabbitmqCluster",
    Role.CACHE_REPLICATION: "the RedisReplication",
    Role.CACHE_SENTINEL: "the RedisSentinel",
    Role.POD_MONITOR: "the PodMonitor",
    Role.PROMETHEUS: "the Prometheus",
    Role.ALERTMANAGER: "the Alertmanager",
    Role.ALERT_ROUTING: "the Alertmanager's AlertmanagerConfig (its route and receiver)",
    Role.DISCOVERY_ROLE: "the ClusterRole of Prometheus's service discovery",
    Role.DISCOVERY_BINDING: "the ClusterRoleBinding of Prometheus's service discovery",
    Role.DATASOURCES_CONFIG: "Grafana's data sources ConfigMap",
    Role.LOKI_CONFIG: "Loki's configuration ConfigMap",
    Role.LOG_SHIPPER_NAMESPACE: "the log shipper's namespace",
    Role.LOG_SHIPPER_ACCOUNT: "the log shipper's service account",
    Role.LOG_SHIPPER_ROLE: "the ClusterRole of the log shipper's pod discovery",
    Role.LOG_SHIPPER_BINDING: "the ClusterRoleBinding of the log shipper's pod discovery",
    Role.LOG_SHIPPER_CONFIG: "the log shipper's configuration ConfigMap",
    Role.LOG_SHIPPER: "the log shipper's DaemonSet",
    Role.LOG_SHIPPER_POLICY: "the log shipper's NetworkPolicy",
    Role.FROM_LOG_SHIPPER_POLICY: "the NetworkPolicy admitting the log shipper",
}

#: Longest name of a kind where it is shorter than a DNS subdomain's 253: Services are DNS labels;
#: a CronJob's Jobs and a StatefulSet's pods get labels made of the name and an 11-character suffix.
NAME_LIMITS = {"Service": 63, "CronJob": 52, "StatefulSet": 52, "Namespace": 63}
SUBDOMAIN_LIMIT = 253
#: A file name holds at most 255 bytes, and each object is written as ``<kind>-<name>.yaml``.
FILE_NAME_LIMIT = 255
LABEL_VALUE_LIMIT = 63


_WHAT: dict[type, str] = {Workload: "workload", External: "external", Shared: "shared object", Issuer: "issuer", Ingress: "ingress", Namespace: "namespace"}


#: Facts with a name the user may change; the others (the mesh, the egress gateway...) are named by ORION or Istio.
_RENAMABLE = (Workload, External, Shared, Issuer, Ingress, Namespace, Peer)
_BLOCKS: tuple[tuple[type, str], ...] = (
    (EgressGateway, "the egress gateway"),
    (Mesh, "the mesh"),
    (ClusterBackup, "the cluster backup"),
    (Monitoring, "monitoring"),
)


def owner(entry: Planned) -> str:
    """The spec fact an entry is made for, as a message names it."""
    subject = entry.subject
    if isinstance(subject, (Workload, External, Shared, Issuer, Ingress, Namespace)):
        return f'{_WHAT[type(subject)]} "{subject.name}"'
    if isinstance(subject, Peer):
        return f'workload "{subject.name}"' if subject.kind == "workload" else "the ingress controller"
    if isinstance(subject, str):
        return f'namespace "{subject}"'
    for cls, what in _BLOCKS:
        if isinstance(subject, cls):
            return what
    return "the spec"


def describe(entry: Planned) -> str:
    """``the egress NetworkPolicy of workload "db-backup"``, ``the blue Deployment of workload "api"``."""
    what = ROLE_NAMES[entry.role]
    if entry.part in ("blue", "green"):
        what = what.replace("the ", f"the {entry.part} ", 1)
    elif isinstance(entry.part, int):
        what = f"read replica {entry.part}'s Service"
    elif entry.role is Role.EGRESS_ROUTE:
        what = f'{what} for host "{entry.part}"'
    return f"{what} of {owner(entry)}"


@functools.cache  # a few dozen kinds, asked once per plan entry
def name_limit(kind: str) -> int:
    """The longest name an object of a kind may have (its API limit, and its file name's)."""
    return min(NAME_LIMITS.get(kind, SUBDOMAIN_LIMIT), FILE_NAME_LIMIT - len(f"{kind.lower()}-.yaml"))


def collisions(entries: Iterable[Planned]) -> list[Diagnostic]:
    """E0203 for every identity two facts would give to two objects, at the later one with the first related."""
    first: dict[tuple[str, str, str, str], Planned] = {}
    out: list[Diagnostic] = []
    for entry in entries:
        taken = first.setdefault(entry.id.key, entry)
        if taken is entry:
            continue
        here = entry.sources[0] if entry.sources else (taken.sources[0] if taken.sources else None)
        related = (Related(taken.sources[0], f"{describe(taken)} comes from here"),) if taken.sources and taken.sources[0] is not here else ()
        out.append(
            error(
                "E0203",
                here,
                f"{describe(entry)} and {describe(taken)} would be one object: {entry.id}",
                _hint(entry, taken),
                related,
            )
        )
    return out


def shared_pods(entries: Iterable[Planned]) -> list[Diagnostic]:
    """E0203 when the pods of two facts would carry one ``app.kubernetes.io/name`` in a namespace: every
    Service, budget and policy of one would select the other's pods too (a workload ``db-backup``
    beside ``db``'s backup pods, a workload ``ingress-nginx`` beside the ingress controller)."""
    first: dict[tuple[str, str], Planned] = {}
    out: list[Diagnostic] = []
    for entry in entries:
        value = dict(entry.pods or ()).get(NAME_LABEL)
        if value is None:
            continue
        key = (entry.id.namespace or "", value)
        taken = first.setdefault(key, entry)
        if taken.subject is entry.subject:
            continue
        here = entry.sources[0] if entry.sources else None
        related = (Related(taken.sources[0], f"{describe(taken)} comes from here"),) if taken.sources else ()
        out.append(
            error(
                "E0203",
                here,
                f"the pods of {describe(entry)} and of {describe(taken)} would both be {NAME_LABEL}={value} in {key[0]}: "
                "each one's Services, budgets and policies would select the other's pods",
                _hint(entry, taken),
                related,
            )
        )
        first[key] = entry  # report each further fact once
    return out


def dangling(entries: Iterable[Planned]) -> list[Diagnostic]:
    """E0201 for an object that names one nothing in the spec makes and the cluster does not provide
    (an HPA ``object`` metric describing a Service that is not there)."""
    planned = {(e.id.kind, e.id.namespace or "", e.name) for e in entries}
    return [
        error(
            "E0201",
            entry.sources[0] if entry.sources else None,
            f'{describe(entry)} names {ref}, which the spec does not make in namespace "{ref.namespace}"',
            f"name a workload of namespace {ref.namespace} that has a port, or remove the reference",
        )
        for entry in entries
        if entry.emitted
        for ref in entry.refs
        if (ref.kind, ref.namespace or "", ref.name) not in planned
    ]


def _hint(entry: Planned, taken: Planned) -> str:
    """How to make two colliding identities two: rename a fact (an egress host cannot be renamed)."""
    if entry.role is Role.EGRESS_ROUTE and taken.role is Role.EGRESS_ROUTE:
        return "route each host through the egress gateway once, with hosts that differ in more than '.', '-' and '*'"
    renamable = [owner(e) for e in (entry, taken) if isinstance(e.subject, _RENAMABLE)]
    if not renamable:
        return "rename one of the facts that make them: ORION names these objects after the workload, host or namespace they are made for"
    return f"rename {' or '.join(dict.fromkeys(renamable))}: ORION names these objects after the workload, host or namespace they are made for"


def lengths(entries: Iterable[Planned]) -> list[Diagnostic]:
    """E0204 for every emitted name longer than its kind allows, and every pod or selector label value
    over 63 characters: one per fact, for the name that overflows most, saying how short the fact's name must be."""
    worst: dict[tuple[int, Span | None], tuple[int, Planned, str, str]] = {}
    for entry in entries:
        if not entry.emitted:
            continue
        limit = name_limit(entry.id.kind)
        over, label = len(entry.name) - limit, None  # the name, else the first label that overflows most
        for pair in (*(entry.selects.labels if entry.selects is not None else ()), *(entry.pods or ())):
            if len(pair[1]) - LABEL_VALUE_LIMIT > over:
                over, label = len(pair[1]) - LABEL_VALUE_LIMIT, pair
        if over <= 0:  # nearly every entry: no message made
            continue
        key = (id(entry.subject), entry.sources[0] if entry.sources else None)
        if key not in worst or over > worst[key][0]:
            if label is None:
                what, rule = f'would be named "{entry.name}"', f"a {entry.id.kind} name has at most {limit} characters"
            else:
                what, rule = f'would label pods {label[0]}: "{label[1]}"', f"a label value has at most {LABEL_VALUE_LIMIT} characters"
            worst[key] = (over, entry, what, rule)
    return [
        error("E0204", entry.sources[0] if entry.sources else None, f"{describe(entry)} {what}: {rule}", _shorten(entry, over))
        for over, entry, what, rule in worst.values()
    ]


def _shorten(entry: Planned, over: int) -> str:
    """How to fit: the fact's own name, shorter by what overflows."""
    subject = entry.subject
    if isinstance(subject, (Workload, External, Shared, Issuer, Ingress, Namespace)) and len(subject.name) > over:
        return f"shorten {owner(entry)} to at most {len(subject.name) - over} characters"
    return f"shorten the name by {over} character{'s' if over > 1 else ''}"
