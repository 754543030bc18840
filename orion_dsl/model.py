"""The resolved topology, in ORION's own words (no Kubernetes or Istio fields).

Defaults are applied, names resolved, and every value typed. Backends read only this
(and :mod:`orion_dsl.analysis`). All classes are frozen; spans never take part in equality.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import attrs

from orion_dsl.choices import (
    AccessMode,
    AffinityKey,
    AlertReceiver,
    BackupKind,
    CheckKind,
    ClusterBackupTool,
    Colour,
    DenyScope,
    DescribedKind,
    DnsProvider,
    Engine,
    EnvSource,
    IngressController,
    LbAlgorithm,
    MatchKey,
    MetricSource,
    MtlsMode,
    PathMatch,
    PodSecurityLevel,
    PoolMode,
    PullPolicy,
    RatePer,
    Replication,
    RolloutStrategy,
    ServiceType,
    Severity,
    SharedKind,
    SpreadDomain,
    StoreKind,
    TaintEffect,
    VolumeKind,
    VpaMode,
    Waf,
    WafMode,
)
from orion_dsl.source import Span, span_field
from orion_dsl.values import Duration, OciModule, Protocol, Quantity, TimeOfDay

if TYPE_CHECKING:
    from orion_dsl.patches.model import Patch

IPv4 = ipaddress.IPv4Address

#: What a workload becomes: a Deployment (``service``) or a StatefulSet (``statefulset``).
WorkloadKind = Literal["deployment", "statefulset"]
#: What one end of an allowed connection is.
PeerKind = Literal["workload", "external", "internet", "dns", "ingress", "operator", "api-server", "object-store", "egress-gateway"]
#: Why a connection is allowed (see :class:`Edge`).
EdgeRule = Literal["call", "route", "ingress", "internet", "scrape", "dns", "same-namespace", "pooler", "peer", "operator", "allow", "alerting", "exposed"]

_NOT_IN_LABEL = re.compile(r"[^A-Za-z0-9._-]")
#: A kube-state-metrics metric name in a PromQL expression (``kube_`` not inside another name).
_KUBE_METRIC = re.compile(r"(?<![A-Za-z0-9_:])kube_[A-Za-z0-9_:]")


def label_value(text: str) -> str:
    """A version (or any text) as a Kubernetes label value, the same in every backend.

    Label values are at most 63 characters of ``[A-Za-z0-9._-]``, alphanumeric at both ends:
    other characters become ``_`` (``1.0+build`` -> ``1.0_build``, as Helm charts do), the
    value is cut at 63 and stripped of punctuation at its ends (a 64-digit digest fits).
    """
    return _NOT_IN_LABEL.sub("_", text)[:63].strip("._-")


@attrs.frozen
class Port:
    """A named port of a container or external service.

    ``number`` is the port the container listens on (pod to pod: NetworkPolicies, probes,
    AuthorizationPolicies); ``service_port`` the port of the workload's Service, which callers
    address through it (``port http 80 -> 8080``: Service port 80, container port 8080).
    """

    name: str
    number: int
    protocol: Protocol = "TCP"
    #: The Service's port when it is not the container port (``port http 80 -> 8080``); None: the same.
    service_number: int | None = None
    #: The port every node opens for it (``node_port``, a ``node-port`` or ``load-balancer`` Service); None: Kubernetes picks one.
    node_port: int | None = None

    @property
    def service_port(self) -> int:
        """The port of the workload's Service that forwards to this one."""
        return self.number if self.service_number is None else self.service_number

    @property
    def numbers(self) -> str:
        """``8080``, or ``80 -> 8080`` (as written) for a Service port mapped to another container port."""
        return str(self.number) if self.service_number is None else f"{self.service_number} -> {self.number}"

    def known_as(self, ref: str | int) -> bool:
        """Whether a reference (``auth:http``, ``auth:8080``, ``auth:80``) names this port: by name, container or Service port."""
        return ref in (self.name, self.number, self.service_port)

    @property
    def tls(self) -> bool:
        """Whether the port carries TLS from its first byte (443, 465, 636, 993, 995, 8443, or named https/tls/smtps).

        Such traffic can be routed by SNI, e.g. through an egress gateway.
        """
        return self.protocol == "TCP" and (self.number in (443, 465, 636, 993, 995, 8443) or self.name in ("https", "tls", "smtps"))


@attrs.frozen
class Resources:
    """Requests and limits: CPU in millicores, memory in bytes, each with its text as written."""

    cpu_request: Quantity
    cpu_limit: Quantity
    memory_request: Quantity
    memory_limit: Quantity
    #: ``resources none``: the container states none (the figures are then the namespace LimitRange's,
    #: which the API server gives it, and what quotas count).
    none: bool = False


@attrs.frozen
class CheckTiming:
    """What of its timing a check states itself; None: its workload's shared timing (:class:`Probes`)."""

    interval: Duration | None = None
    timeout: Duration | None = None
    initial_delay: Duration | None = None
    failure_threshold: int | None = None


@attrs.frozen
class Check:
    """One health check: an HTTP GET of ``path`` on ``port`` (sending ``headers``), a TCP connect, a call of the gRPC
    health protocol (for ``service``; None: the server's overall health), or a command."""

    kind: CheckKind
    port: Port | None = None
    path: str | None = None
    command: tuple[str, ...] = ()
    timing: CheckTiming = CheckTiming()
    headers: tuple[tuple[str, str], ...] = ()
    service: str | None = None


@attrs.frozen
class Probes:
    """Liveness, readiness and startup checks with their shared timing."""

    liveness: Check | None
    readiness: Check | None
    startup: Check | None
    interval: Duration
    timeout: Duration
    initial_delay: Duration | None
    failure_threshold: int
    success_threshold: int
    #: ``probes none``: no health checks at all, not even ORION's TCP checks (of the sidecars' ports too).
    none: bool = False

    def timing_of(self, check: Check) -> tuple[Duration, Duration, Duration | None, int]:
        """The check's interval, timeout, initial delay and failure threshold: what it states itself, else the shared ones."""
        own = check.timing
        threshold = own.failure_threshold if own.failure_threshold is not None else self.failure_threshold
        return own.interval or self.interval, own.timeout or self.timeout, own.initial_delay or self.initial_delay, threshold


@attrs.frozen
class VolumeFile:
    """One key of a ConfigMap or Secret volume, mounted as the file ``path`` (relative to the mount)."""

    key: str
    path: str


@attrs.frozen
class Volume:
    """A pod volume: a ConfigMap or Secret by name (``source``), or a scratch directory.
    ``files``: only these keys of the source, under these paths (none: every key, under its own name)."""

    name: str
    kind: VolumeKind
    source: str
    mount_path: str
    read_only: bool
    files: tuple[VolumeFile, ...] = ()


@attrs.frozen
class Storage:
    """A persistent volume claimed per replica."""

    name: str
    size: Quantity
    storage_class: str | None
    access: AccessMode
    mount_path: str


@attrs.frozen
class EnvVar:
    """An environment variable: a literal ``value``, a key of a Secret or ConfigMap (``source`` of
    ``source_kind``), or the Service address of a workload's port (``address``, ``host:port``)."""

    name: str
    value: str | None = None
    source_kind: EnvSource | None = None
    source: str | None = None
    key: str | None = None
    #: The workload and port whose Service address the value is (the backend spells the host).
    address: tuple[str, Port] | None = None

    @property
    def text(self) -> str:
        """Where the value comes from, as the spec says it (for the document): ``secret db key password``,
        ``address catalog:grpc``; a literal value is the value."""
        if self.address is not None:
            return f"address {self.address[0]}:{self.address[1].name}"
        if self.source_kind is not None:
            return f"{self.source_kind} {self.source} key {self.key}"
        return self.value or ""


@attrs.frozen
class EnvFrom:
    """Every key of a Secret or ConfigMap as an environment variable (``env_from``)."""

    kind: EnvSource
    source: str


def default_pull_policy(image: str) -> PullPolicy:
    """``if-not-present`` for an image pinned by digest (the same bytes on every pull), else ``always``:
    a tag may be moved to another image, and every start then runs the one the registry has now.

    >>> default_pull_policy("nginx:1.27"), default_pull_policy("nginx@sha256:" + "0" * 64)
    ('always', 'if-not-present')
    """
    return "if-not-present" if "@" in image else "always"


@attrs.frozen
class Container:
    """A container of a pod: the main one, a sidecar or an init container (which runs to completion first)."""

    name: str
    image: str
    ports: tuple[Port, ...]
    resources: Resources
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    #: None: :func:`default_pull_policy` of the image.
    pull_policy: PullPolicy | None = None
    #: Variables of this container (the main container's are the workload's ``env``).
    env: tuple[EnvVar, ...] = ()


@attrs.frozen
class Rollout:
    """How new versions replace old ones."""

    strategy: RolloutStrategy
    surge: int
    unavailable: int
    grace: Duration


@attrs.frozen
class BlueGreen:
    """Two versions side by side; the Service selects the active colour."""

    blue: str
    green: str
    active: Colour
    #: The image each colour runs when the spec names it; None: the workload's image with the colour's version as its tag.
    blue_image: str | None = None
    green_image: str | None = None

    @property
    def active_version(self) -> str:
        """The version traffic goes to."""
        return self.blue if self.active == "blue" else self.green

    def version(self, colour: Colour) -> str:
        """The version a colour runs."""
        return self.blue if colour == "blue" else self.green

    def image(self, colour: Colour, workload_image: str) -> str:
        """The image a colour runs: the one the spec names for it, exactly as written, else the
        workload's image with the colour's version as its tag (``shop/catalog:2.1`` with green
        ``"2.2"`` runs ``shop/catalog:2.2``)."""
        named = self.blue_image if colour == "blue" else self.green_image
        return named if named is not None else image_with_tag(workload_image, self.version(colour))

    def version_label(self, colour: Colour) -> str:
        """A colour's version as the label value its pods carry, so that every selector (the
        Service's, Istio's subsets) matches them without deriving the value again."""
        return label_value(self.version(colour))


def image_with_tag(image: str, tag: str) -> str:
    """The image with its tag replaced (or added); an image pinned by digest is refused earlier (E0216).

    >>> image_with_tag("orion/gateway:1.0", "1.1")
    'orion/gateway:1.1'
    >>> image_with_tag("registry:5000/gateway", "2")
    'registry:5000/gateway:2'
    """
    head, _, tail = image.rpartition("/")
    name = tail.split(":", 1)[0]
    return f"{head}/{name}:{tag}" if head else f"{name}:{tag}"


@attrs.frozen
class Budget:
    """How many replicas may be down at once during voluntary disruptions."""

    max_unavailable: int | None
    min_available: int | None


@attrs.frozen
class PodSecurity:
    """Settings beyond the always-on restricted profile."""

    user: int
    group: int
    read_only_root: bool
    service_account_token: bool


@attrs.frozen
class Metric:
    """A custom autoscaling metric: per pod, of an object, or external (such as queue depth)."""

    source: MetricSource
    name: str
    target: int
    object: str | None = None
    #: The labels the metric's series must have (``metric.selector.matchLabels``).
    selector: tuple[tuple[str, str], ...] = ()
    span: Span = span_field()


@attrs.frozen
class QueueDepth:
    """Scaling on the depth of a RabbitMQ queue: ``depth`` ready messages per replica, read by KEDA
    from the ``broker`` workload (an ``engine rabbitmq-operator`` cluster)."""

    queue: str
    depth: int
    broker: str
    span: Span = span_field()

    @property
    def text(self) -> str:
        """In words, for the document and the diagrams: ``queue notifications on rabbitmq: 100 per replica``."""
        return f"queue {self.queue} on {self.broker}: {self.depth} per replica"


@attrs.frozen
class Autoscale:
    """Horizontal autoscaling bounds and targets. With queue depths, or ``pods`` metrics the monitoring
    block's Prometheus scrapes, KEDA scales the workload (a ScaledObject, whose HPA KEDA makes): ORION
    writes no HPA of its own then."""

    min: int
    max: int
    cpu: int | None
    memory: int | None
    metrics: tuple[Metric, ...]
    queues: tuple[QueueDepth, ...] = ()


@attrs.frozen
class Retries:
    """Automatic retries of calls to a service."""

    attempts: int
    per_try: Duration | None
    on: str | None


@attrs.frozen
class CircuitBreaker:
    """Outlier ejection and connection limits for calls to a service."""

    consecutive_errors: int
    interval: Duration | None
    ejection: Duration | None
    max_ejected: int | None
    max_connections: int | None
    max_pending: int | None


@attrs.frozen
class SessionAffinity:
    """What pins a client's calls to one pod: a cookie (generated by the sidecar when absent) or a header."""

    key: AffinityKey
    name: str
    #: The generated cookie's lifetime; zero makes it a session cookie.
    ttl: Duration

    @property
    def text(self) -> str:
        """In words, for the document and the diagrams: ``cookie orion-session (1h)``, ``header x-user-id``."""
        if self.key == "header":
            return f"header {self.name}"
        return f"cookie {self.name} ({self.ttl.text if self.ttl.millis else 'session'})"


@attrs.frozen
class Resilience:
    """Timeout, retries and circuit breaking for calls to a service."""

    timeout: Duration | None
    retries: Retries | None
    circuit_breaker: CircuitBreaker | None


@attrs.frozen
class Version:
    """One version of a service beside the others behind its one Service: its own Deployment
    (``<service>-<name>``), image and replica count, its pods labelled with the version's name."""

    name: str
    image: str
    replicas: int
    #: The version's own variables: each replaces the service's of the same name, the others are added after them.
    env: tuple[EnvVar, ...] = ()
    #: The main container's arguments in this version (the service's ``args`` replaced); None: the service's.
    args: tuple[str, ...] | None = None
    span: Span = span_field()

    def environment(self, service: tuple[EnvVar, ...]) -> tuple[EnvVar, ...]:
        """The main container's variables in this version: the service's, each replaced in place by the version's
        of the same name, then the version's others in the order written.

        >>> v = Version("v2", "reviews:2", 1, env=(EnvVar("STAR_COLOR", "black"), EnvVar("ENABLE_RATINGS", "true")), span=None)
        >>> [(e.name, e.value) for e in v.environment((EnvVar("LOG_DIR", "/tmp/logs"), EnvVar("STAR_COLOR", "red")))]
        [('LOG_DIR', '/tmp/logs'), ('STAR_COLOR', 'black'), ('ENABLE_RATINGS', 'true')]
        """
        own = {e.name: e for e in self.env}
        return tuple(own.pop(e.name, e) for e in service) + tuple(own.values())


@attrs.frozen
class RouteRules:
    """What a traffic route does beside choosing versions: a share mirrored to a version, faults injected."""

    #: (version, percent of the requests) copied to the version, whose answers are dropped.
    mirror: tuple[str, int] | None = None
    #: (delay, percent of the requests) held that long.
    delay: tuple[Duration, int] | None = None
    #: (HTTP status, percent of the requests) answered with it instead.
    abort: tuple[int, int] | None = None


@attrs.frozen
class TrafficMatch:
    """Requests whose header (or cookie) has a value go to one version, with their own faults,
    mirroring, timeout and retries (the workload's resilience where the match states none)."""

    key: MatchKey
    name: str
    value: str
    version: str
    rules: RouteRules
    resilience: Resilience | None
    span: Span = span_field()


@attrs.frozen
class Traffic:
    """Calls to a service with versions: the weights of the other requests (none: every version's
    pods alike, as the Service spreads them), the matches before them, and their mirroring and faults."""

    split: tuple[tuple[str, int], ...]
    matches: tuple[TrafficMatch, ...]
    rules: RouteRules
    span: Span = span_field()

    def to(self, version: str) -> tuple[str, ...]:
        """What reaches a version, in words, for the document and the diagrams: ``90%`` (without a split, ``its share of the pods``),
        ``header end-user = jason``, ``mirror 10%``."""
        found = [f"{weight}%" for name, weight in self.split if name == version] if self.split else ["its share of the pods"]
        found += [f"{m.key} {m.name} = {m.value}" for m in self.matches if m.version == version]
        mirrors = [self.rules.mirror, *(m.rules.mirror for m in self.matches)]
        found += [f"mirror {mirror[1]}%" for mirror in mirrors if mirror is not None and mirror[0] == version]
        return tuple(found)

    def faults(self) -> tuple[str, ...]:
        """The faults injected, in words: ``delay 7s (100%) for header end-user = jason``, ``abort 503 (5%)``."""
        routes = [(self.rules, ""), *((m.rules, f" for {m.key} {m.name} = {m.value}") for m in self.matches)]
        found = [f"delay {r.delay[0].text} ({r.delay[1]}%){where}" for r, where in routes if r.delay is not None]
        found += [f"abort {r.abort[0]} ({r.abort[1]}%){where}" for r, where in routes if r.abort is not None]
        return tuple(found)


@attrs.frozen
class Call:
    """A declared dependency: this workload calls ``target`` on ``port``."""

    target: str
    port: Port
    span: Span = span_field()


@attrs.frozen
class Route:
    """A path the workload (an API gateway) forwards to another workload's port."""

    path: str
    target: str
    port: Port
    span: Span = span_field()


@attrs.frozen
class Backup:
    """A scheduled (or continuous) backup of a workload's data to a destination."""

    kind: BackupKind
    every: Duration | None
    at: TimeOfDay | None
    continuous: bool
    target: str
    image: str | None
    #: How long the backups are kept (None: the store keeps them until someone deletes them).
    retention: Duration | None = None
    span: Span = span_field()


@attrs.frozen
class Database:
    """A replicated database: pooler, one primary, read replicas with weights."""

    pooler: str | None
    pool_mode: PoolMode | None
    primary: int
    read_replicas: int
    read_weights: tuple[int, ...]
    replication: Replication


@attrs.frozen
class Toleration:
    """A taint the pods tolerate: of ``key`` (with ``value``, else any value), of one effect or of all."""

    key: str
    value: str | None
    effect: TaintEffect | None


@attrs.frozen
class Spread:
    """Pod anti-affinity among a workload's own pods: at most one per node (or zone), preferably or as a rule."""

    across: SpreadDomain
    required: bool


@attrs.frozen
class TopologySpread:
    """A topology spread constraint: pod counts over nodes (or zones) differ by at most ``max_skew``."""

    across: SpreadDomain
    max_skew: int
    required: bool


@attrs.frozen
class WorkloadAffinity:
    """Pod affinity (``near``) or anti-affinity (``apart``) to another workload's pods: on one node (zone) with
    them, or never, as a preference or a rule. ``namespace`` is the other workload's (set when calls are linked)."""

    workload: str
    across: SpreadDomain
    required: bool
    namespace: str = ""
    span: Span = span_field()


@attrs.frozen
class Placement:
    """Where a workload's pods may and should run.

    ``spread`` is what applies: the spec's, else ORION's default for a replicated data store
    (``spread nodes``, preferred); ``spread none`` leaves it empty.
    """

    node_selector: tuple[tuple[str, str], ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    spread: tuple[Spread, ...] = ()
    topology_spread: tuple[TopologySpread, ...] = ()
    zones: tuple[str, ...] = ()
    zones_required: bool = False
    near: tuple[WorkloadAffinity, ...] = ()
    apart: tuple[WorkloadAffinity, ...] = ()


@attrs.frozen
class Workload:
    """A service or stateful set: its pod, scaling, placement, calls and mesh settings."""

    name: str
    namespace: str
    kind: WorkloadKind
    description: str
    replicas: int
    container: Container
    sidecars: tuple[Container, ...]
    probes: Probes | None
    volumes: tuple[Volume, ...]
    storage: tuple[Storage, ...]
    rollout: Rollout
    blue_green: BlueGreen | None
    budget: Budget | None
    security: PodSecurity
    subnet: str | None
    addresses: tuple[IPv4, IPv4] | None
    calls: tuple[Call, ...]
    routes: tuple[Route, ...]
    autoscale: Autoscale | None
    load_balancing: LbAlgorithm | None
    session_affinity: SessionAffinity | None
    resilience: Resilience | None
    database: Database | None
    encryption_at_rest: bool
    backups: tuple[Backup, ...]
    meshed: bool
    scraped: bool
    pooler_of: str | None = None
    #: The operator that runs the pods (``engine``); None when ORION writes the pods itself.
    engine: Engine | None = None
    #: Containers that run to completion, in order, before the main container and the sidecars start.
    init_containers: tuple[Container, ...] = ()
    env_from: tuple[EnvFrom, ...] = ()
    service_type: ServiceType = "cluster-ip"
    #: The Service has no cluster IP: its DNS name resolves to the ready pods' addresses.
    headless: bool = False
    #: The versions that run side by side behind the one Service (none: one Deployment).
    versions: tuple[Version, ...] = ()
    #: How calls are routed to the versions, mirrored and faulted (Istio); None: as the Service spreads them.
    traffic: Traffic | None = None
    #: The ServiceAccount its pods run as (``service_account``); None: one of its own, named after it.
    service_account: str | None = None
    #: The spec's labels of the workload's objects and pods, and annotations of the objects and of the pods.
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    pod_annotations: tuple[tuple[str, str], ...] = ()
    placement: Placement = Placement()
    #: It talks to the Kubernetes API server (``kubernetes_api on``): egress to it, its token mounted.
    kubernetes_api: bool = False
    span: Span = span_field()

    @property
    def env(self) -> tuple[EnvVar, ...]:
        """The main container's environment variables."""
        return self.container.env

    @property
    def ports(self) -> tuple[Port, ...]:
        """Every port of the pod: the main container's, then the sidecars'."""
        return self.container.ports + tuple(p for s in self.sidecars for p in s.ports)

    def port(self, ref: str | int) -> Port | None:
        """A port of the pod by name or number."""
        return next((p for p in self.ports if p.known_as(ref)), None)

    @property
    def version(self) -> str:
        """The image tag; else its digest (``sha256:...``) for an image pinned by digest only; else ``latest``."""
        tail = self.container.image.rsplit("/", 1)[-1]
        reference, _, digest = tail.partition("@")
        if ":" in reference:
            return reference.split(":", 1)[1]
        return digest or "latest"

    @property
    def max_replicas(self) -> int:
        """The most replicas this workload may run (autoscaler maximum, else replicas; every version's together)."""
        if self.versions:
            return sum(v.replicas for v in self.versions)
        return max(self.replicas, self.autoscale.max if self.autoscale else 0)

    def version_named(self, name: str) -> Version | None:
        """One of the workload's versions by name."""
        return next((v for v in self.versions if v.name == name), None)

    @property
    def containers(self) -> tuple[Container, ...]:
        """The main container, then the sidecars."""
        return (self.container, *self.sidecars)


@attrs.frozen
class Quota:
    """A namespace's resource quota."""

    cpu: Quantity | None
    memory: Quantity | None
    pods: int | None
    volume_claims: int | None


@attrs.frozen
class Shared:
    """A shared ConfigMap or Secret in a namespace and the workloads allowed to read it."""

    name: str
    kind: SharedKind
    readers: tuple[str, ...]
    span: Span = span_field()


@attrs.frozen
class Namespace:
    """A namespace: labels, mesh membership, subnet, quota, same-namespace allowance."""

    name: str
    description: str
    mesh: bool
    subnet: str | None
    labels: tuple[tuple[str, str], ...]
    same_namespace: bool
    quota: Quota | None
    shared: tuple[Shared, ...]
    #: ``external``: the cluster has it and others manage it; ORION writes no Namespace, quota or limits, and its
    #: namespace-wide policies there select only ORION's pods.
    external: bool = False
    #: The Pod Security level it enforces; it audits and warns at ``restricted`` (ORION's own pods meet ``restricted`` anyway).
    pod_security: PodSecurityLevel = "restricted"
    #: Whether ORION writes its LimitRange (defaults for containers started by hand).
    limit_range: bool = True
    #: The pods its default-deny policies isolate: ``all``, or ``orion`` (only ORION's; pods others start there
    #: are not isolated). An ``external`` namespace is always ``orion``.
    default_deny: DenyScope = "all"
    span: Span = span_field()


@attrs.frozen
class Subnet:
    """A named address block."""

    name: str
    cidr: ipaddress.IPv4Network
    description: str
    span: Span = span_field()


@attrs.frozen
class External:
    """An allow-listed service outside the cluster."""

    name: str
    hosts: tuple[str, ...]
    ports: tuple[Port, ...]
    via_egress_gateway: bool
    description: str
    span: Span = span_field()
    #: ``addresses``: the ranges its hosts' addresses lie in; empty: any public address.
    addresses: tuple[ipaddress.IPv4Network, ...] = ()

    def port(self, ref: str | int) -> Port | None:
        """A port by name or number."""
        return next((p for p in self.ports if p.known_as(ref)), None)


@attrs.frozen
class PolicyRule:
    """``allow``/``deny`` between workloads or namespaces (port optional)."""

    source: str
    target: str
    port: str | int | None
    span: Span = span_field()


@attrs.frozen
class Network:
    """The network's posture and explicit rules."""

    dns: bool
    allows: tuple[PolicyRule, ...]
    denies: tuple[PolicyRule, ...]
    #: ``internet allow``: every workload's pods may reach any public address, on any port.
    internet: bool = False
    #: ``api_server``: the Kubernetes API server's endpoint addresses; empty: unknown (any address but link-local).
    api_server: tuple[ipaddress.IPv4Network, ...] = ()


@attrs.frozen
class Described:
    """A piece the spec only describes (CDN, load balancer, GeoDNS, region)."""

    kind: DescribedKind
    name: str
    description: str
    provides: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    load_balancer: str = ""
    #: The addresses it connects to the cluster from.
    ranges: tuple[ipaddress.IPv4Network, ...] = ()


#: The ingress host that answers requests for any name (the Gateway API's and an Ingress rule's host left out).
ANY_HOST = "*"


#: The paths of an ingress host line that states none: the prefix ``/``, below which every path lies.
EVERY_PATH: tuple[tuple[PathMatch, str], ...] = (("prefix", "/"),)


def catch_all(host: str) -> bool:
    """Whether an ingress host is the catch-all ``"*"``: requests for any name, written with no host at all."""
    return host == ANY_HOST


@attrs.frozen
class Host:
    """An ingress host and the workload port it goes to (``"*"`` is every host name, a catch-all): every path, or the
    ``paths`` matched (a ``prefix`` matches the path and what lies below it by whole segments, ``exact`` that path alone)."""

    host: str
    target: str
    port: Port
    paths: tuple[tuple[PathMatch, str], ...] = ()
    span: Span = span_field()

    @property
    def path_text(self) -> str:
        """The paths as the spec writes them (``prefix /api, exact /login``), or ``all paths``."""
        return ", ".join(f"{kind} {path}" for kind, path in self.paths) or "all paths"

    @property
    def matched(self) -> tuple[tuple[PathMatch, str], ...]:
        """The paths the line matches: those it states, else every path (the prefix ``/``)."""
        return self.paths or EVERY_PATH

    @property
    def every_name(self) -> bool:
        """Whether the host is the catch-all ``"*"`` (:func:`catch_all`)."""
        return catch_all(self.host)


def folded_paths(lines: list[Host]) -> tuple[tuple[PathMatch, str], ...]:
    """The paths of host lines (one host's lines to one port: one route's matches) folded together, in spec order;
    every path (the prefix ``/``) alone when one of them matches every path, since the rest lies below it."""
    found = tuple(dict.fromkeys(match for line in lines for match in line.matched))
    return EVERY_PATH if set(EVERY_PATH) <= set(found) else found


@attrs.frozen
class Ingress:
    """The ingress controller, its features, TLS and hosts."""

    name: str
    controller: IngressController
    namespace: str
    subnet: str | None
    address: IPv4 | None
    replicas: int
    balance: LbAlgorithm
    listen: tuple[Port, ...]
    rate_limit: tuple[int, RatePer] | None
    request_buffering: bool
    compression: bool
    cors_origins: tuple[str, ...]
    cors_methods: tuple[str, ...]
    waf: Waf | None
    tls_minimum: str | None
    tls_issuer: str | None
    hosts: tuple[Host, ...]
    #: The pieces in front of it (edge CDNs and load balancers), outermost first.
    behind: tuple[str, ...] = ()
    #: Those of ``behind`` that forward HTTP (CDNs, ``layer 7`` load balancers), outermost first: each appends
    #: the address it was reached from to X-Forwarded-For, one trusted hop; a layer-4 one passes connections through.
    forwarded_by: tuple[str, ...] = ()
    #: What the ``waf`` does with a request the OWASP core rules match: refuse it, or only log it.
    waf_mode: WafMode = "block"
    #: The ``waf``'s Wasm module from a mirror; None: the released Coraza module ORION pins.
    waf_module: OciModule | None = None
    span: Span = span_field()


@attrs.frozen
class Issuer:
    """A cert-manager ACME issuer; ``dns01`` names the DNS provider for DNS-01 challenges (else HTTP-01)."""

    name: str
    acme: str
    email: str
    renew_before: Duration | None
    dns01: DnsProvider | None = None
    span: Span = span_field()


@attrs.frozen
class Jwt:
    """JWT validation at a workload."""

    issuer: str
    jwks: str
    workload: str
    protect: tuple[str, ...]
    #: The ``aud`` values a token must carry one of (empty: any audience of the issuer).
    audiences: tuple[str, ...] = ()
    #: Paths inside ``protect`` that stay open without a token (login, registration, OAuth callbacks).
    public: tuple[str, ...] = ()


@attrs.frozen
class EgressGateway:
    """The mesh's egress gateway."""

    namespace: str
    tls_origination: bool
    sni_routing: bool
    span: Span = span_field()


@attrs.frozen
class Mesh:
    """The service mesh (Istio 1.22+: one istiod)."""

    mtls: MtlsMode
    sidecar_resources: Resources | None
    tracing_sampling: int | None
    access_log: bool
    jwt: Jwt | None
    egress_gateway: EgressGateway | None
    egress_rate_limit: tuple[int, RatePer] | None
    cost_tracking: bool
    span: Span = span_field()


@attrs.frozen
class ClusterScaling:
    """The cluster autoscaler's bounds."""

    min_nodes: int
    max_nodes: int
    scale_down_below: int | None


@attrs.frozen
class Scaling:
    """Scaling beyond one workload."""

    vertical: VpaMode | None
    cluster: ClusterScaling | None


@attrs.frozen
class Alert:
    """A Prometheus alert rule."""

    name: str
    expr: str
    for_: Duration | None
    severity: Severity
    summary: str


@attrs.frozen
class Monitoring:
    """Scraping, alerting and the workloads that do it."""

    scraper: str
    port: str
    path: str
    interval: Duration | None
    alerts: tuple[Alert, ...]
    logging: str | None
    alerting: str | None
    dashboards: str | None
    #: How long the scraper keeps samples (``retention``); None: its operator's default.
    retention: Duration | None = None
    #: What the alerting workload sends alerts to (``receiver``).
    receiver: AlertReceiver = "webhook"

    @property
    def cluster_state_alerts(self) -> tuple[str, ...]:
        """The alerts that read kube-state-metrics' ``kube_*`` metrics: the cluster's exporter serves
        them, not an object ORION writes, so the prerequisites state it."""
        return tuple(a.name for a in self.alerts if _KUBE_METRIC.search(a.expr))


@attrs.frozen
class SecurityLayer:
    """One layer of defence in depth and its measures."""

    name: str
    measures: tuple[str, ...]


@attrs.frozen
class BackupTarget:
    """Where backups go."""

    name: str
    kind: StoreKind
    region: str | None
    bucket: str
    encrypted: bool
    #: ``addresses``: the ranges the store's endpoint lies in; empty: any public address.
    addresses: tuple[ipaddress.IPv4Network, ...] = ()


@attrs.frozen
class ClusterBackup:
    """A whole-cluster backup (Velero)."""

    tool: ClusterBackupTool
    every: Duration
    at: TimeOfDay | None
    target: str
    retention: Duration | None
    span: Span = span_field()


@attrs.frozen
class Objective:
    """Recovery time and point objectives, and the workloads they cover."""

    name: str
    rto: Duration
    rpo: Duration
    covers: tuple[str, ...]


@attrs.frozen
class Recovery:
    """Disaster recovery: destinations, replication, archive, cluster backup, objectives."""

    targets: tuple[BackupTarget, ...]
    replications: tuple[tuple[str, str], ...]
    archive: tuple[str, Duration] | None
    cluster_backup: ClusterBackup | None
    config_in_git: str | None
    objectives: tuple[Objective, ...]


@attrs.frozen
class Topology:
    """The whole resolved, validated system."""

    name: str
    version: str
    description: str
    kubernetes: str
    istio: str
    domain: str
    namespaces: tuple[Namespace, ...]
    workloads: tuple[Workload, ...]
    subnets: tuple[Subnet, ...]
    externals: tuple[External, ...]
    network: Network
    edge: tuple[Described, ...]
    ingress: Ingress | None
    issuers: tuple[Issuer, ...]
    mesh: Mesh | None
    scaling: Scaling
    monitoring: Monitoring | None
    security_layers: tuple[SecurityLayer, ...]
    recovery: Recovery | None
    allow_graph: AllowGraph = attrs.field(factory=lambda: AllowGraph(()))
    #: The ``patch`` statements, resolved against the lowering plan (:mod:`orion_dsl.patches`), in the order written.
    patches: tuple[Patch, ...] = ()

    _by_name: dict[str, Workload] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _by_namespace: dict[str, tuple[Workload, ...]] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        by_name: dict[str, Workload] = {}
        by_namespace: dict[str, list[Workload]] = {}
        for w in self.workloads:
            by_name.setdefault(w.name, w)
            by_namespace.setdefault(w.namespace, []).append(w)
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_namespace", {k: tuple(v) for k, v in by_namespace.items()})

    @property
    def istio_gateway(self) -> Ingress | None:
        """The ingress when Istio's Gateway API implementation serves it (``controller istio``): Istio
        makes its pods from ORION's Gateway, and they are in the mesh (an mTLS identity)."""
        return self.ingress if self.ingress is not None and self.ingress.controller == "istio" else None

    def front_ranges(self) -> tuple[ipaddress.IPv4Network, ...]:
        """The addresses the ingress is reached from when it is ``behind`` an HTTP proxy that states its
        ``ranges`` (the innermost one connects to it, through any layer-4 load balancer); empty: from anywhere."""
        if self.ingress is None or not self.ingress.forwarded_by:
            return ()
        innermost = self.ingress.forwarded_by[-1]
        return next((d.ranges for d in self.edge if d.name == innermost), ())

    def fronting_load_balancer(self) -> str | None:
        """The load balancer the spec puts in front of the ingress (``behind ..., LB``), if any.

        Then the Service's load balancer is that one and gets its own address from its provider (AWS refuses a
        Service that asks for one: "LoadBalancerIP cannot be specified for AWS ELB"), so the ingress's ``address``
        is the documented address behind it, never requested (I1048).
        """
        if self.ingress is None:
            return None
        balancers = {d.name for d in self.edge if d.kind == "load_balancer"}
        return next((name for name in self.ingress.behind if name in balancers), None)

    def workload(self, name: str) -> Workload | None:
        """A workload by name."""
        return self._by_name.get(name)

    def pooler_of(self, database: Workload) -> Workload | None:
        """The connection pooler in front of a database, if it has one (clients reach the database through it)."""
        if database.database is None or database.database.pooler is None:
            return None
        return self.workload(database.database.pooler)

    def pods_metrics_scraper(self, w: Workload) -> Workload | None:
        """The Prometheus KEDA reads a workload's ``pods`` metrics from (a ``prometheus`` trigger each, so no
        custom metrics adapter is needed): the monitoring block's scraper, when it scrapes the workload and
        every custom metric of its autoscale is a ``pods`` one (``object`` and ``external`` ones stay an HPA's)."""
        a = w.autoscale
        if a is None or not a.metrics or any(m.source != "pods" for m in a.metrics) or not w.scraped or self.monitoring is None:
            return None
        return self.workload(self.monitoring.scraper)

    def namespace(self, name: str) -> Namespace | None:
        """A namespace by name."""
        return next((n for n in self.namespaces if n.name == name), None)

    def external(self, name: str) -> External | None:
        """An external service by name."""
        return next((e for e in self.externals if e.name == name), None)

    def workloads_in(self, namespace: str) -> tuple[Workload, ...]:
        """The workloads of one namespace, in spec order."""
        return self._by_namespace.get(namespace, ())


@attrs.frozen
class Peer:
    """One end of an allowed connection: a workload, an external, the internet, DNS or the ingress controller."""

    kind: PeerKind
    name: str
    namespace: str | None = None

    def __str__(self) -> str:
        return self.name


INTERNET = Peer("internet", "internet")
CLUSTER_DNS = Peer("dns", "kube-dns", "kube-system")
#: The Kubernetes API server, which operator-made pods talk to (CloudNativePG's instance manager, its poolers).
API_SERVER = Peer("api-server", "kubernetes-api")


@attrs.frozen
class Edge:
    """An allowed connection and the rule that allows it.

    Rules: ``call`` and ``route`` (declared by the caller), ``ingress`` (a host sends to
    it), ``internet`` (to the ingress controller), ``scrape`` (monitoring), ``dns``,
    ``same-namespace``, ``pooler`` (a connection pooler to its database), ``peer`` (the
    replicas of a stateful set reach each other: replication, clustering), ``operator`` (an
    operator reaches the pods it runs, and they reach the API server or their object store) and
    ``allow`` (an explicit rule), ``alerting`` (the scraper sends alerts to the monitoring block's
    alerting workload), ``exposed`` (the internet reaches a workload outside the mesh through its
    node-port or load-balancer Service, on the container ports). ``via`` names the workload a pooled call was addressed to.
    """

    source: Peer
    target: Peer
    port: Port
    rule: EdgeRule
    via: str | None = None
    span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class AllowGraph:
    """Who may reach whom, on which port and protocol, and why. Shared by every backend."""

    edges: tuple[Edge, ...]
    #: Edges by source and by target name, in graph order: ``outgoing``/``incoming`` are asked
    #: once per workload by several backends, and a scan each time is quadratic in services.
    _by_source: Mapping[str, tuple[Edge, ...]] = attrs.field(init=False, eq=False, repr=False)
    _by_target: Mapping[str, tuple[Edge, ...]] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_source: dict[str, list[Edge]] = {}
        by_target: dict[str, list[Edge]] = {}
        for edge in self.edges:
            by_source.setdefault(edge.source.name, []).append(edge)
            by_target.setdefault(edge.target.name, []).append(edge)
        object.__setattr__(self, "_by_source", {name: tuple(edges) for name, edges in by_source.items()})
        object.__setattr__(self, "_by_target", {name: tuple(edges) for name, edges in by_target.items()})

    def reach(self, source: str, target: str, port: int | str, protocol: Protocol = "TCP") -> Edge | None:
        """The edge that lets ``source`` reach ``target`` on ``port`` (name or number), if any."""
        for edge in self.edges:
            ends = (edge.source.name, edge.target.name, edge.port.protocol) == (source, target, protocol)
            if ends and edge.port.known_as(port):
                return edge
        return None

    def outgoing(self, source: str) -> tuple[Edge, ...]:
        """Every edge from a peer."""
        return self._by_source.get(source, ())

    def incoming(self, target: str) -> tuple[Edge, ...]:
        """Every edge into a peer."""
        return self._by_target.get(target, ())

    def between_workloads(self) -> tuple[Edge, ...]:
        """Edges whose both ends are workloads of the topology."""
        return tuple(e for e in self.edges if e.source.kind == "workload" and e.target.kind == "workload")
