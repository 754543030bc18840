"""The lowering plan: every object ORION will emit, its identity, where it comes from and what it names.

The plan is made once from the validated topology (:func:`orion_dsl.lowering.lower`) and read by
every backend. An entry fixes the object's identity (target, apiVersion, kind, namespace, name),
its :class:`Role` (which builder turns it into an object), the model fact it is made for, the
spans of the spec lines that made it, the pods it selects and the objects it names. A backend
never makes a name: it builds the body of each entry of its target, and
:func:`orion_dsl.lowering.envelope` puts the identity on it.

An entry is a name ORION *keeps*: a backend may find it has nothing to say for it (an
AuthorizationPolicy with no caller, a VirtualService without routes) and emit nothing, but never
emits an object without an entry, so identities are checked for collisions before any backend
runs (E0203).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from orion_dsl.model import Topology
from orion_dsl.source import Span

if TYPE_CHECKING:
    from orion_dsl.patches.model import Patch

#: The targets whose objects the plan holds (diagrams and docs read the model and the plan).
Target = Literal["kubernetes", "istio"]

T = TypeVar("T")

#: Pod labels as a sorted tuple of pairs, so selectors compare and hash.
Labels = tuple[tuple[str, str], ...]


def labels_of(mapping: Mapping[str, str]) -> Labels:
    """Pod labels in the plan's (sorted, hashable) form."""
    return tuple(sorted(mapping.items()))


class Role(enum.Enum):
    """Why an object exists: one value per way ORION makes an object, and one builder each."""

    # kubernetes: namespaces and access
    NAMESPACE = "namespace"
    QUOTA = "quota"
    LIMIT_RANGE = "limit-range"
    SERVICE_ACCOUNT = "service-account"
    READER_ROLE = "reader-role"
    READER_BINDING = "reader-binding"
    # kubernetes: configuration and storage
    VOLUME_CONFIG = "volume-config"
    POOLER_CONFIG = "pooler-config"
    ROUTES_CONFIG = "routes-config"
    SHARED_CONFIG = "shared-config"
    HBA_CONFIG = "hba-config"
    CLAIM = "claim"
    # kubernetes: Services
    SERVICE = "service"
    HEADLESS_SERVICE = "headless-service"
    PRIMARY_SERVICE = "primary-service"
    REPLICA_SERVICE = "replica-service"
    VERSION_SERVICE = "version-service"
    # kubernetes: pods and their scaling
    DEPLOYMENT = "deployment"
    STATEFULSET = "statefulset"
    HPA = "hpa"
    VPA = "vpa"
    PDB = "pdb"
    QUEUE_SCALER = "queue-scaler"
    QUEUE_AUTHENTICATION = "queue-authentication"
    # kubernetes: NetworkPolicies
    DEFAULT_DENY = "default-deny"
    CONTROL_PLANE_POLICY = "control-plane-policy"
    INGRESS_POLICY = "ingress-policy"
    EGRESS_POLICY = "egress-policy"
    ACME_SOLVER_POLICY = "acme-solver-policy"
    BACKUP_EGRESS_POLICY = "backup-egress-policy"
    FROM_BACKUP_POLICY = "from-backup-policy"
    # kubernetes: the edge
    CLUSTER_ISSUER = "cluster-issuer"
    CERTIFICATE = "certificate"
    INGRESS = "ingress"
    GATEWAY = "gateway"
    GATEWAY_OPTIONS = "gateway-options"
    HTTP_ROUTE = "http-route"
    HTTPS_REDIRECT = "https-redirect"
    # kubernetes: monitoring
    SERVICE_MONITOR = "service-monitor"
    ALERT_RULES = "alert-rules"
    CLUSTER_STATE_MONITOR = "cluster-state-monitor"
    GATEWAY_MONITOR = "gateway-monitor"
    # kubernetes: backups
    BACKUP_JOB = "backup-job"
    ARCHIVER = "archiver"
    ARCHIVER_CLAIM = "archiver-claim"
    CLUSTER_BACKUP = "cluster-backup"
    BACKUP_STORAGE_LOCATION = "backup-storage-location"
    VOLUME_SNAPSHOT_LOCATION = "volume-snapshot-location"
    # kubernetes: data stores an operator runs (``engine``)
    DATABASE_CLUSTER = "database-cluster"
    DATABASE_POOLER = "database-pooler"
    READ_SERVICE = "read-service"
    OBJECT_STORE = "object-store"
    SCHEDULED_BACKUP = "scheduled-backup"
    MESSAGE_BROKER = "message-broker"
    CACHE_REPLICATION = "cache-replication"
    CACHE_SENTINEL = "cache-sentinel"
    POD_MONITOR = "pod-monitor"
    # kubernetes: monitoring the Prometheus Operator runs, and its Grafana and Loki
    PROMETHEUS = "prometheus"
    ALERTMANAGER = "alertmanager"
    ALERT_ROUTING = "alert-routing"
    DISCOVERY_ROLE = "discovery-role"
    DISCOVERY_BINDING = "discovery-binding"
    DATASOURCES_CONFIG = "datasources-config"
    LOKI_CONFIG = "loki-config"
    # kubernetes: the log shipper feeding Loki (Grafana Alloy, in its own namespace)
    LOG_SHIPPER_NAMESPACE = "log-shipper-namespace"
    LOG_SHIPPER_ACCOUNT = "log-shipper-account"
    LOG_SHIPPER_ROLE = "log-shipper-role"
    LOG_SHIPPER_BINDING = "log-shipper-binding"
    LOG_SHIPPER_CONFIG = "log-shipper-config"
    LOG_SHIPPER = "log-shipper"
    LOG_SHIPPER_POLICY = "log-shipper-policy"
    FROM_LOG_SHIPPER_POLICY = "from-log-shipper-policy"
    # istio: security
    MESH_MTLS = "mesh-mtls"
    NAMESPACE_MTLS = "namespace-mtls"
    ALLOW_NOTHING = "allow-nothing"
    ALLOW_CALLERS = "allow-callers"
    INGRESS_ACCESS = "ingress-access"
    JWT_AUTHENTICATION = "jwt-authentication"
    REQUIRE_JWT = "require-jwt"
    # istio: traffic and scope
    TELEMETRY = "telemetry"
    SIDECAR = "sidecar"
    DESTINATION_RULE = "destination-rule"
    VIRTUAL_SERVICE = "virtual-service"
    INGRESS_BALANCE = "ingress-balance"
    GATEWAY_FILTERS = "gateway-filters"
    GATEWAY_WAF = "gateway-waf"
    # istio: egress
    SERVICE_ENTRY = "service-entry"
    EGRESS_GATEWAY = "egress-gateway"
    EGRESS_SUBSETS = "egress-subsets"
    EGRESS_ROUTE = "egress-route"
    EGRESS_ACCESS = "egress-access"
    # objects ORION names but the cluster provides (never emitted)
    PROVIDED_SECRET = "provided-secret"
    PROVIDED_CONFIG = "provided-config"
    PROVIDED_STORAGE_LOCATION = "provided-storage-location"
    PROVIDED_SERVICE = "provided-service"
    PROVIDED_PODS = "provided-pods"
    PROVIDED_NAMESPACE = "provided-namespace"
    # objects a controller makes from ORION's (never emitted by ORION)
    MANAGED_SECRET = "managed-secret"
    TEMPLATE_CLAIM = "template-claim"
    OPERATOR_MADE = "operator-made"

    #: A role is its own identity (members are singletons, equal only to themselves): hashed by identity in C,
    #: not by :class:`enum.Enum`'s ``hash(self._name_)`` in Python; a plan looks roles up about 40 times per service.
    __hash__ = object.__hash__


#: The folder of cluster-scoped objects in a target's output.
CLUSTER_FOLDER = "_cluster"


def file_path(target: str, kind: str, namespace: str | None, name: str) -> str:
    """Where a target writes an object: ``<target>/<namespace>/<kind>-<name>.yaml``, lower-case kind,
    cluster-scoped objects in ``<target>/_cluster/``. Every target's layout and ``orion explain`` use it."""
    return f"{target}/{namespace or CLUSTER_FOLDER}/{kind.lower()}-{name}.yaml"


@attrs.frozen
class ObjectId:
    """Who an object is: target, apiVersion, kind, namespace (None when cluster-scoped) and name."""

    target: Target
    api_version: str
    kind: str
    namespace: str | None
    name: str

    @property
    def group(self) -> str:
        """The API group (empty for the core group): identities compare by group, not version."""
        return self.api_version.rpartition("/")[0]

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What the API server tells objects apart by: group, kind, namespace and name."""
        return (self.group, self.kind, self.namespace or "", self.name)

    @property
    def path(self) -> str:
        """The file the object is written to, relative to the output folder."""
        return file_path(self.target, self.kind, self.namespace, self.name)

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


@attrs.frozen
class Ref:
    """An object an entry names by (kind, namespace, name): a claim, ConfigMap, Secret, Service,
    ServiceAccount, Role, ClusterIssuer or scale target; ``Host`` and ``Principal`` name a Service's
    DNS name and a ServiceAccount's mTLS identity. ``keys`` are the keys of a Secret (or ConfigMap)
    the object reads, where ORION knows them (empty: every key, the files or variables the application reads);
    ``named``, of one mounted whole (no ``keys``), the keys its containers name by path (``*_FILE`` variables,
    arguments: :func:`~orion_dsl.lowering.mounted_files.named_keys`), which must be there."""

    kind: str
    namespace: str | None
    name: str
    keys: tuple[str, ...] = ()
    named: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


@attrs.frozen
class Selects:
    """Pods an entry selects: labels in a namespace."""

    namespace: str
    labels: Labels

    @property
    def match_labels(self) -> dict[str, str]:
        """The selector as a ``matchLabels`` mapping."""
        return dict(self.labels)


@attrs.frozen
class Planned:
    """One object ORION will emit (or keeps the name of): identity, purpose, origin and relations."""

    id: ObjectId
    role: Role
    #: The model fact the object is made for (a Workload, Namespace, External, ...).
    subject: object
    #: The variant of the subject, when it makes several objects of one role (a colour, a
    #: replica index, a Backup, a host, a graph peer).
    part: object = None
    #: The spec lines that made the object.
    sources: tuple[Span, ...] = ()
    #: Labels of the pods this object runs (Deployments, StatefulSets, CronJobs).
    pods: Labels | None = None
    #: The pods this object selects.
    selects: Selects | None = None
    #: The objects this object names.
    refs: tuple[Ref, ...] = ()
    #: False for an object ORION names but the cluster provides (a Secret, Istio's egress gateway).
    emitted: bool = True
    #: Further facts the one object is made for (the other workloads that run as one ServiceAccount):
    #: the entry is found for each of them too.
    shared_by: tuple[object, ...] = ()

    @property
    def name(self) -> str:
        """The object's name."""
        return self.id.name

    @property
    def namespace(self) -> str:
        """The object's namespace (namespaced objects only)."""
        assert self.id.namespace is not None, f"{self.id} is cluster-scoped"
        return self.id.namespace

    def of(self, cls: type[T]) -> T:
        """The subject, as the type its role guarantees."""
        assert isinstance(self.subject, cls), (self.role, type(self.subject))
        return self.subject

    def part_of(self, cls: type[T]) -> T:
        """The part, as the type its role guarantees."""
        assert isinstance(self.part, cls), (self.role, type(self.part))
        return self.part

    @property
    def selector(self) -> dict[str, str]:
        """The ``matchLabels`` of the pods this entry selects."""
        assert self.selects is not None, f"{self.id} selects no pods"
        return self.selects.match_labels


@attrs.frozen(eq=False)
class Plan:
    """Every planned object of a topology, in the order they were planned, with lookups.

    Plans compare by identity: a backend's derived tables are kept per plan (:meth:`index`).
    """

    topology: Topology
    entries: tuple[Planned, ...]
    _indexes: dict[Callable[[Plan], Any], Any] = attrs.field(init=False, repr=False, factory=dict)

    # The two lookups are built on first use: `orion check` plans for the diagnostics only and never looks up an
    # entry (about 20 ms of 13,000 entries at 1,000 services, docs/PERFORMANCE.md, fifth pass).
    @functools.cached_property
    def _by_role(self) -> Mapping[Role, tuple[Planned, ...]]:
        by_role: dict[Role, list[Planned]] = {}
        for entry in self.entries:
            by_role.setdefault(entry.role, []).append(entry)
        return {role: tuple(found) for role, found in by_role.items()}

    @functools.cached_property
    def _by_subject(self) -> Mapping[tuple[Role, object, object], Planned]:
        by_subject: dict[tuple[Role, object, object], Planned] = {}
        for entry in self.entries:
            for subject in (entry.subject, *entry.shared_by):
                by_subject.setdefault((entry.role, _subject_key(subject), _part_key(entry.part)), entry)
        return by_subject

    @property
    def patches(self) -> tuple[Patch, ...]:
        """The spec's ``patch`` statements, resolved against this plan (:mod:`orion_dsl.patches`), in the order written."""
        return self.topology.patches

    def index(self, build: Callable[[Plan], T]) -> T:
        """``build(plan)``, made once per plan: a table every builder of a backend reads (edges by peer)."""
        if build not in self._indexes:
            self._indexes[build] = build(self)
        found: T = self._indexes[build]
        return found

    def of_role(self, role: Role) -> tuple[Planned, ...]:
        """Every entry of one role, in plan order."""
        return self._by_role.get(role, ())

    def for_target(self, target: Target) -> Iterator[Planned]:
        """Every entry of one target that ORION emits, in plan order."""
        return (e for e in self.entries if e.id.target == target and e.emitted)

    def provided(self) -> Iterator[Planned]:
        """Every object the plan names that the cluster must provide."""
        return (e for e in self.entries if not e.emitted)

    def find(self, role: Role, subject: object, part: object = None) -> Planned | None:
        """The entry of a role made for a subject (and part), if planned."""
        return self._by_subject.get((role, _subject_key(subject), _part_key(part)))

    def get(self, role: Role, subject: object, part: object = None) -> Planned:
        """The entry of a role made for a subject (and part); it must be planned."""
        found = self.find(role, subject, part)
        assert found is not None, (role, subject, part)
        return found


@attrs.frozen
class Planner:
    """Makes one target's entries: its apiVersion per kind, and the roles it may give an emitted object."""

    target: Target
    api_versions: Mapping[str, str]
    roles: frozenset[Role]

    def entry(
        self,
        role: Role,
        kind: str,
        namespace: str | None,
        name: str,
        subject: object,
        *,
        part: object = None,
        sources: tuple[Span | None, ...] = (),
        pods: Mapping[str, str] | None = None,
        selects: Mapping[str, str] | None = None,
        selects_in: str | None = None,
        refs: tuple[Ref, ...] = (),
        emitted: bool = True,
        shared_by: tuple[object, ...] = (),
    ) -> Planned:
        """A plan entry of this target; its pods are read in ``namespace``, its selector there too unless
        ``selects_in`` names another (a monitor beside its scraper selecting pods elsewhere)."""
        assert role in self.roles or not emitted, role
        return Planned(
            ObjectId(self.target, self.api_versions[kind], kind, namespace, name),
            role,
            subject,
            part,
            tuple(filter(None, sources)),  # the spans given (a span is never false)
            labels_of(pods) if pods is not None else None,
            Selects(selects_in or namespace or "", labels_of(selects)) if selects is not None else None,
            refs,
            emitted,
            shared_by,
        )


def _subject_key(subject: object) -> object:
    """Subjects are the model's own objects, found by identity (two equal workloads are two facts);
    a namespace named by its name (a Sidecar's subject) is found by that name."""
    return subject if isinstance(subject, str) else id(subject)


def _part_key(part: object) -> object:
    """Parts are looked up by value when hashable (colours, indexes, hosts), else by identity."""
    try:
        hash(part)
    except TypeError:
        return id(part)
    return part
