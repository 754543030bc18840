"""Declarations: the spec as written, one class per construct, names unresolved.

Each class is also the vocabulary of its block: its fields say which keywords may
stand there, with which values and, once, which default (see :mod:`orion_dsl.decode`);
the words of closed sets come from :mod:`orion_dsl.choices`. docs/LANGUAGE.md
describes the same constructs for users.
"""

from __future__ import annotations

import ipaddress

import attrs

from orion_dsl import choices as c
from orion_dsl import values as v
from orion_dsl.decode import Decl, L, child, mapping, option, positional, tree
from orion_dsl.syntax import Statement

# ------------------------------------------------------------------ shared pieces

PORT_OR_NAME = v.any_of(v.NAME, v.PORT)


@attrs.frozen
class ResourcesDecl(Decl):
    """``resources { cpu 500m..1000m; memory 512Mi..1Gi }`` — request..limit; ``resources none``: none written."""

    none: L[c.Nothing] | None = positional("none", v.enum(*c.NOTHING), optional=True)
    cpu: L[v.Range[v.Quantity]] | None = option("cpu", v.range_of(v.CPU), default=v.Range(v.Quantity(100, "100m"), v.Quantity(500, "500m")))
    memory: L[v.Range[v.Quantity]] | None = option(
        "memory", v.range_of(v.BYTES), default=v.Range(v.Quantity(128 * 2**20, "128Mi"), v.Quantity(512 * 2**20, "512Mi"))
    )


@attrs.frozen
class HeaderDecl(Decl):
    """``header "X-Probe" "orion"`` — a header an HTTP check sends with its request."""

    name: L[str] | None = positional("name", v.FILLED)
    value: L[str] | None = positional("value", v.TEXT)


@attrs.frozen
class CheckDecl(Decl):
    """``liveness http "/health" on http`` / ``tcp redis`` / ``grpc grpc service "emoji"`` / ``exec "pg_isready", "-U", "x"``;
    a timing written on the check (``startup http "/healthy" interval 10s failure_threshold 30``) is its own, else the
    block's; an HTTP check's ``{ header "NAME" "VALUE" }`` are sent with its request."""

    kind: L[c.CheckKind] | None = positional("kind", v.enum(*c.CHECK_KINDS))
    target: tuple[L[object], ...] = positional("target", v.any_of(v.FIELD_TEXT, v.NAME, v.PORT), many=True)
    on: L[object] | None = option("on", PORT_OR_NAME)
    service: L[str] | None = option("service", v.FILLED)  # a gRPC check's service name in the health protocol
    headers: tuple[HeaderDecl, ...] = child("header", HeaderDecl, many=True)
    interval: L[v.Duration] | None = option("interval", v.DURATION)
    timeout: L[v.Duration] | None = option("timeout", v.DURATION)
    initial_delay: L[v.Duration] | None = option("initial_delay", v.DURATION)
    failure_threshold: L[int] | None = option("failure_threshold", v.INT)


@attrs.frozen
class ProbesDecl(Decl):
    """Health checks and their timing, shared by liveness and readiness; ``probes none``: no checks at all."""

    none: L[c.Nothing] | None = positional("none", v.enum(*c.NOTHING), optional=True)
    liveness: CheckDecl | None = child("liveness", CheckDecl)
    readiness: CheckDecl | None = child("readiness", CheckDecl)
    startup: CheckDecl | None = child("startup", CheckDecl)
    interval: L[v.Duration] | None = option("interval", v.DURATION, default=v.Duration(10_000, "10s"))
    timeout: L[v.Duration] | None = option("timeout", v.DURATION, default=v.Duration(1_000, "1s"))
    initial_delay: L[v.Duration] | None = option("initial_delay", v.DURATION)
    failure_threshold: L[int] | None = option("failure_threshold", v.INT, default=3)
    success_threshold: L[int] | None = option("success_threshold", v.INT, default=1)


@attrs.frozen
class PortDecl(Decl):
    """``port http 3000``, ``port dns 53/udp``, or ``port http 80 -> 8080`` (Service port 80, container port 8080)."""

    name: L[str] | None = positional("name", v.NAME)
    number: L[v.PortNumber] | None = positional("number", v.PORT)
    target: L[v.PortNumber] | None = positional("target", v.PORT, optional=True, arrow=True)
    node_port: L[int] | None = option("node_port", v.INT)


@attrs.frozen
class VolumeFileDecl(Decl):
    """``file "publickey" key "jwtRS256.key.pub"`` — one key of a ``config-map`` or ``secret`` volume, as the file of that path."""

    path: L[str] | None = positional("path", v.FILLED)
    key: L[str] | None = option("key", v.FILLED, required=True)


@attrs.frozen
class VolumeDecl(Decl):
    """``volume logs empty-dir at "/var/log/x"``; ``volume cfg config-map "name" at "/etc/x"``;
    ``volume keys secret "jwt" at "/keys" { file "publickey" key "jwt.pub" }`` (only those keys, under those names);
    ``volume config none``: the defaults' volume of that name is not mounted."""

    name: L[str] | None = positional("name", v.NAME)
    kind: L[c.VolumeKind | c.Nothing] | None = positional("kind", v.enum(*c.VOLUME_KINDS, *c.NOTHING))
    source: L[str] | None = positional("source", v.TEXT, optional=True)
    at: L[str] | None = option("at", v.FILLED)  # required but for `none` (reported by the workload)
    read_only: L[bool] | None = option("read_only", v.SWITCH)
    files: tuple[VolumeFileDecl, ...] = child("file", VolumeFileDecl, many=True)


@attrs.frozen
class StorageDecl(Decl):
    """``storage data 100Gi class ssd access read-write-once at "/data"`` — a persistent volume."""

    name: L[str] | None = positional("name", v.NAME)
    size: L[v.Quantity] | None = positional("size", v.BYTES)
    storage_class: L[str] | None = option("class", v.NAME)
    access: L[c.AccessMode] | None = option("access", v.enum(*c.ACCESS_MODES), default="read-write-once")
    at: L[str] | None = option("at", v.FILLED, required=True)


@attrs.frozen
class RolloutDecl(Decl):
    """``rollout rolling { surge 1; unavailable 0; grace 30s }``."""

    strategy: L[c.RolloutStrategy] | None = positional("strategy", v.enum(*c.ROLLOUT_STRATEGIES), default="rolling")
    surge: L[int] | None = option("surge", v.INT, default=1)
    unavailable: L[int] | None = option("unavailable", v.INT, default=0)
    grace: L[v.Duration] | None = option("grace", v.DURATION, default=v.Duration(30_000, "30s"))


@attrs.frozen
class ColourDecl(Decl):
    """``blue "1.0"`` or ``blue "1.0" image "shop/catalog:1.0"``: a colour's version and, if written, the image it runs."""

    version: L[str] | None = positional("version", v.VERSION)
    image: L[str] | None = option("image", v.FIELD_TEXT)


@attrs.frozen
class BlueGreenDecl(Decl):
    """``blue_green { blue "1.0"; green "1.1" image "shop/catalog-next:1.1"; active blue }``."""

    blue: ColourDecl | None = child("blue", ColourDecl, required=True)
    green: ColourDecl | None = child("green", ColourDecl, required=True)
    active: L[c.Colour] | None = option("active", v.enum(*c.COLOURS), required=True)


@attrs.frozen
class BudgetDecl(Decl):
    """``disruption_budget max_unavailable 1`` (or ``min_available 2``)."""

    max_unavailable: L[int] | None = option("max_unavailable", v.INT)
    min_available: L[int] | None = option("min_available", v.INT)


@attrs.frozen
class SecurityContextDecl(Decl):
    """``security { user 10001; read_only_root true }`` — the restricted profile is always on."""

    user: L[int] | None = option("user", v.INT, default=10001)
    group: L[int] | None = option("group", v.INT)
    read_only_root: L[bool] | None = option("read_only_root", v.SWITCH, default=True)
    service_account_token: L[bool] | None = option("service_account_token", v.SWITCH, default=False)


@attrs.frozen
class MetricDecl(Decl):
    """A custom autoscaling metric: ``pods http_requests_per_second 100``, ``external queue_depth 30 { select { queue "jobs" } }``."""

    name: L[str] | None = positional("name", v.NAME)
    target: L[int] | None = positional("target", v.INT)
    object: L[str] | None = option("object", v.NAME)
    select: tuple[L[tuple[str, str]], ...] = mapping("select")


@attrs.frozen
class QueueDecl(Decl):
    """``queue "notifications" 100 on rabbitmq`` — scale on a RabbitMQ queue's depth (KEDA)."""

    name: L[str] | None = positional("name", v.FILLED)
    target: L[int] | None = positional("target", v.INT)
    on: L[str] | None = option("on", v.NAME, required=True)


@attrs.frozen
class AutoscaleDecl(Decl):
    """``autoscale 3..10 { cpu 70%; memory 80%; pods requests 100; external queue 30 }``."""

    replicas: L[v.Range[int]] | None = positional("replicas", v.range_of(v.INT))
    cpu: L[int] | None = option("cpu", v.PERCENT)
    memory: L[int] | None = option("memory", v.PERCENT)
    pods: tuple[MetricDecl, ...] = child("pods", MetricDecl, many=True)
    object: tuple[MetricDecl, ...] = child("object", MetricDecl, many=True)
    external: tuple[MetricDecl, ...] = child("external", MetricDecl, many=True)
    queue: tuple[QueueDecl, ...] = child("queue", QueueDecl, many=True)


@attrs.frozen
class RetriesDecl(Decl):
    """``retries 3 per_try 2s on "5xx,reset"``."""

    attempts: L[int] | None = positional("attempts", v.INT)
    per_try: L[v.Duration] | None = option("per_try", v.DURATION)
    on: L[str] | None = option("on", v.FIELD_TEXT)


@attrs.frozen
class CircuitBreakerDecl(Decl):
    """``circuit_breaker { consecutive_errors 5; ejection 30s; max_connections 1000 }``."""

    consecutive_errors: L[int] | None = option("consecutive_errors", v.INT, default=5)
    interval: L[v.Duration] | None = option("interval", v.DURATION)
    ejection: L[v.Duration] | None = option("ejection", v.DURATION)
    max_ejected: L[int] | None = option("max_ejected", v.PERCENT)
    max_connections: L[int] | None = option("max_connections", v.INT)
    max_pending: L[int] | None = option("max_pending", v.INT)


@attrs.frozen
class ResilienceDecl(Decl):
    """Timeouts, retries and circuit breaking for calls *to* a service."""

    timeout: L[v.Duration] | None = option("timeout", v.DURATION)
    retries: RetriesDecl | None = child("retries", RetriesDecl)
    circuit_breaker: CircuitBreakerDecl | None = child("circuit_breaker", CircuitBreakerDecl)


@attrs.frozen
class SessionAffinityDecl(Decl):
    """``session_affinity cookie "orion-session" ttl 1h`` or ``session_affinity header "x-user-id"``."""

    key: L[c.AffinityKey] | None = positional("key", v.enum(*c.AFFINITY_KEYS))
    name: L[str] | None = positional("name", v.FILLED)
    ttl: L[v.Duration] | None = option("ttl", v.DURATION)


@attrs.frozen
class RouteDecl(Decl):
    """``route "/api/auth/*" -> auth:http`` — a path the API gateway forwards."""

    path: L[str] | None = positional("path", v.FILLED)
    target: L[v.PortRef] | None = positional("target", v.PORT_REF, arrow=True)


@attrs.frozen
class DelayDecl(Decl):
    """``delay 5s 10%`` — hold this share of the requests this long before forwarding them (fault injection)."""

    duration: L[v.Duration] | None = positional("duration", v.DURATION)
    percent: L[int] | None = positional("percent", v.PERCENT, optional=True, default=100)


@attrs.frozen
class AbortDecl(Decl):
    """``abort 503 10%`` — answer this share of the requests with this HTTP status instead (fault injection)."""

    status: L[int] | None = positional("status", v.INT)
    percent: L[int] | None = positional("percent", v.PERCENT, optional=True, default=100)


@attrs.frozen
class MirrorDecl(Decl):
    """``mirror v2 10%`` — send a copy of this share of the requests to a version too, not waiting for its answers."""

    version: L[str] | None = positional("version", v.NAME)
    percent: L[int] | None = positional("percent", v.PERCENT, optional=True, default=100)


@attrs.frozen
class RouteRulesDecl(Decl):
    """What a traffic route does beside choosing versions: mirroring and faults."""

    mirror: MirrorDecl | None = child("mirror", MirrorDecl)
    delay: DelayDecl | None = child("delay", DelayDecl)
    abort: AbortDecl | None = child("abort", AbortDecl)


@attrs.frozen
class MatchDecl(RouteRulesDecl):
    """``match header "end-user" "jason" -> v2 { timeout 2s; retries 2 }`` — requests that carry a value go to one version."""

    key: L[c.MatchKey] | None = positional("key", v.enum(*c.MATCH_KEYS))
    name: L[str] | None = positional("name", v.FILLED)
    value: L[str] | None = positional("value", v.FILLED)
    target: L[str] | None = positional("target", v.NAME, arrow=True)
    timeout: L[v.Duration] | None = option("timeout", v.DURATION)
    retries: RetriesDecl | None = child("retries", RetriesDecl)


@attrs.frozen
class TrafficDecl(RouteRulesDecl):
    """``traffic { split v1 90%, v2 10%; match header "end-user" "jason" -> v2; mirror v3 5% }`` — calls to a service, by version."""

    split: tuple[L[object], ...] = option("split", v.any_of(v.NAME, v.PERCENT), listed=True)
    matches: tuple[MatchDecl, ...] = child("match", MatchDecl, many=True)


@attrs.frozen
class BackupDecl(Decl):
    """``backup full every 24h at 02:00 to s3-primary`` or ``backup wal continuous to s3``."""

    kind: L[c.BackupKind] | None = positional("kind", v.enum(*c.BACKUP_KINDS))
    every: L[v.Duration] | None = option("every", v.DURATION)
    at: L[v.TimeOfDay] | None = option("at", v.TIME)
    continuous: L[bool] | None = option("continuous", v.SWITCH, flag=True, default=False)
    to: L[str] | None = option("to", v.NAME, required=True)
    image: L[str] | None = option("image", v.FIELD_TEXT)
    retention: L[v.Duration] | None = option("retention", v.DURATION)


@attrs.frozen
class PoolerDecl(Decl):
    """``pooler pgbouncer { image "..."; replicas 2; mode transaction }``."""

    name: L[str] | None = positional("name", v.NAME)
    image: L[str] | None = option("image", v.FIELD_TEXT)  # required unless the database's engine brings one
    replicas: L[int] | None = option("replicas", v.INT, default=2)
    mode: L[c.PoolMode] | None = option("mode", v.enum(*c.POOL_MODES), default="transaction")


@attrs.frozen
class ReadReplicasDecl(Decl):
    """``read_replicas 2 { weights 50%, 50% }``."""

    count: L[int] | None = positional("count", v.INT)
    weights: tuple[L[int], ...] = option("weights", v.PERCENT, listed=True)


@attrs.frozen
class DatabaseDecl(Decl):
    """The data tier's roles: pooler, one primary, read replicas, replication."""

    pooler: PoolerDecl | None = child("pooler", PoolerDecl)
    primary: L[int] | None = option("primary", v.INT, default=1)
    read_replicas: ReadReplicasDecl | None = child("read_replicas", ReadReplicasDecl)
    replication: L[c.Replication] | None = option("replication", v.enum(*c.REPLICATIONS), default="asynchronous")


@attrs.frozen
class SidecarDecl(Decl):
    """A second container in the pod: ``sidecar exporter { image "..."; port metrics 9090 }``."""

    name: L[str] | None = positional("name", v.NAME)
    image: L[str] | None = option("image", v.FIELD_TEXT, required=True)
    resources: ResourcesDecl | None = child("resources", ResourcesDecl)
    ports: tuple[PortDecl, ...] = child("port", PortDecl, many=True)
    command: tuple[L[str], ...] = option("command", v.FIELD_TEXT, listed=True)
    args: tuple[L[str], ...] = option("args", v.FIELD_TEXT, listed=True)
    image_pull_policy: L[c.PullPolicy] | None = option("image_pull_policy", v.enum(*c.PULL_POLICIES))


@attrs.frozen
class EnvDecl(Decl):
    """``env LOG_LEVEL "info"``; ``env DB_PASSWORD secret "db" key "password"`` (or ``config-map``);
    ``env CATALOG_ADDR address catalog:grpc`` (the Service's host and port, and a call to it)."""

    name: L[str] | None = positional("name", v.NAME)
    value: L[str] | None = positional("value", v.TEXT, optional=True)
    secret: L[str] | None = option("secret", v.FILLED)
    config_map: L[str] | None = option("config-map", v.FILLED)
    key: L[str] | None = option("key", v.FILLED)
    address: L[v.PortRef] | None = option("address", v.PORT_REF)


@attrs.frozen
class EnvFromDecl(Decl):
    """``env_from secret "db-credentials"`` / ``env_from config-map "settings"`` — every key as a variable."""

    kind: L[c.EnvSource] | None = positional("kind", v.enum(*c.ENV_SOURCES))
    source: L[str] | None = positional("source", v.FILLED)


@attrs.frozen
class VersionDecl(Decl):
    """``version v2 { image "shop/reviews-v2:1.0"; replicas 2; env STAR_COLOR "black"; args "--canary" }`` — one version
    of a service, beside the others behind its one Service; its ``env`` overrides the service's variables of the same
    name, its ``args`` (when written) the service's arguments."""

    name: L[str] | None = positional("name", v.NAME)
    image: L[str] | None = option("image", v.FIELD_TEXT, required=True)
    replicas: L[int] | None = option("replicas", v.INT)  # the service's replicas when left out
    env: tuple[EnvDecl, ...] = child("env", EnvDecl, many=True)
    args: tuple[L[str], ...] = option("args", v.FIELD_TEXT, listed=True)


@attrs.frozen
class InitDecl(Decl):
    """``init migrate { image "..."; command "..."; args "..."; env ... }`` — runs to completion before the containers start."""

    name: L[str] | None = positional("name", v.NAME)
    image: L[str] | None = option("image", v.FIELD_TEXT, required=True)
    resources: ResourcesDecl | None = child("resources", ResourcesDecl)
    command: tuple[L[str], ...] = option("command", v.FIELD_TEXT, listed=True)
    args: tuple[L[str], ...] = option("args", v.FIELD_TEXT, listed=True)
    image_pull_policy: L[c.PullPolicy] | None = option("image_pull_policy", v.enum(*c.PULL_POLICIES))
    env: tuple[EnvDecl, ...] = child("env", EnvDecl, many=True)


@attrs.frozen
class TolerationDecl(Decl):
    """``toleration "dedicated" "payments" effect no-schedule`` — the pods may run on nodes with that taint."""

    key: L[str] | None = positional("key", v.FILLED)
    value: L[str] | None = positional("value", v.TEXT, optional=True)
    effect: L[c.TaintEffect] | None = option("effect", v.enum(*c.TAINT_EFFECTS))


@attrs.frozen
class SpreadDecl(Decl):
    """``spread nodes`` (at most one pod per node, preferably), ``spread zones required``, ``spread none``."""

    across: L[c.SpreadChoice] | None = positional("across", v.enum(*c.SPREAD_CHOICES))
    required: L[bool] | None = option("required", v.SWITCH, flag=True, default=False)


@attrs.frozen
class TopologySpreadDecl(Decl):
    """``topology_spread zones max_skew 1 required`` — pods spread evenly over zones (or nodes)."""

    across: L[c.SpreadDomain] | None = positional("across", v.enum(*c.SPREAD_DOMAINS))
    max_skew: L[int] | None = option("max_skew", v.INT, default=1)
    required: L[bool] | None = option("required", v.SWITCH, flag=True, default=False)


@attrs.frozen
class AffinityDecl(Decl):
    """``near cache across zones required`` (or ``apart batch``) — the pods run beside (away from) another workload's."""

    workload: L[str] | None = positional("workload", v.NAME)
    across: L[c.SpreadDomain] | None = option("across", v.enum(*c.SPREAD_DOMAINS), default="nodes")
    required: L[bool] | None = option("required", v.SWITCH, flag=True, default=False)


@attrs.frozen
class PlacementDecl(Decl):
    """Where a workload's pods run: node labels, taints they tolerate, spreading, zones, other workloads' pods."""

    node_selector: tuple[L[tuple[str, str]], ...] = mapping("node_selector")
    tolerations: tuple[TolerationDecl, ...] = child("toleration", TolerationDecl, many=True)
    spread: tuple[SpreadDecl, ...] = child("spread", SpreadDecl, many=True)
    topology_spread: tuple[TopologySpreadDecl, ...] = child("topology_spread", TopologySpreadDecl, many=True)
    prefer_zones: tuple[L[str], ...] = option("prefer_zones", v.FILLED, many=True, listed=True)
    require_zones: tuple[L[str], ...] = option("require_zones", v.FILLED, many=True, listed=True)
    near: tuple[AffinityDecl, ...] = child("near", AffinityDecl, many=True)
    apart: tuple[AffinityDecl, ...] = child("apart", AffinityDecl, many=True)


@attrs.frozen
class WorkloadDecl(Decl):
    """``service NAME { ... }`` (a Deployment) or ``statefulset NAME { ... }``."""

    name: L[str] | None = positional("name", v.NAME)
    description: L[str] | None = option("description", v.TEXT, default="")
    image: L[str] | None = option("image", v.FIELD_TEXT)
    container: L[str] | None = option("container", v.NAME)
    command: tuple[L[str], ...] = option("command", v.FIELD_TEXT, listed=True)
    args: tuple[L[str], ...] = option("args", v.FIELD_TEXT, listed=True)
    image_pull_policy: L[c.PullPolicy] | None = option("image_pull_policy", v.enum(*c.PULL_POLICIES))
    engine: L[c.Engine] | None = option("engine", v.enum(*c.ENGINES))
    replicas: L[int] | None = option("replicas", v.INT, default=1)  # without autoscaling
    ports: tuple[PortDecl, ...] = child("port", PortDecl, many=True)
    service_type: L[c.ServiceType] | None = option("service_type", v.enum(*c.SERVICE_TYPES), default="cluster-ip")
    headless: L[bool] | None = option("headless", v.SWITCH, default=False)
    resources: ResourcesDecl | None = child("resources", ResourcesDecl)
    probes: ProbesDecl | None = child("probes", ProbesDecl)
    volumes: tuple[VolumeDecl, ...] = child("volume", VolumeDecl, many=True)
    storage: tuple[StorageDecl, ...] = child("storage", StorageDecl, many=True)
    sidecars: tuple[SidecarDecl, ...] = child("sidecar", SidecarDecl, many=True)
    init: tuple[InitDecl, ...] = child("init", InitDecl, many=True)
    env: tuple[EnvDecl, ...] = child("env", EnvDecl, many=True)
    env_from: tuple[EnvFromDecl, ...] = child("env_from", EnvFromDecl, many=True)
    rollout: RolloutDecl | None = child("rollout", RolloutDecl)
    blue_green: BlueGreenDecl | None = child("blue_green", BlueGreenDecl)
    versions: tuple[VersionDecl, ...] = child("version", VersionDecl, many=True)
    disruption_budget: BudgetDecl | None = child("disruption_budget", BudgetDecl)
    security: SecurityContextDecl | None = child("security", SecurityContextDecl)
    subnet: L[str] | None = option("subnet", v.NAME)
    addresses: L[v.Range[ipaddress.IPv4Address]] | None = option("addresses", v.range_of(v.ADDRESS))
    calls: tuple[L[object], ...] = option("calls", v.any_of(v.PORT_REF, v.NAME), many=True, listed=True)
    #: The workload talks to the Kubernetes API server itself (a cluster UI, a controller).
    kubernetes_api: L[bool] | None = option("kubernetes_api", v.SWITCH, default=False)
    routes: tuple[RouteDecl, ...] = child("route", RouteDecl, many=True)
    autoscale: AutoscaleDecl | None = child("autoscale", AutoscaleDecl)
    load_balancing: L[c.LbAlgorithm] | None = option("load_balancing", v.enum(*c.LB_ALGORITHMS))
    session_affinity: SessionAffinityDecl | None = child("session_affinity", SessionAffinityDecl)
    resilience: ResilienceDecl | None = child("resilience", ResilienceDecl)
    traffic: TrafficDecl | None = child("traffic", TrafficDecl)
    database: DatabaseDecl | None = child("database", DatabaseDecl)
    encryption_at_rest: L[bool] | None = option("encryption_at_rest", v.SWITCH, default=False)
    backups: tuple[BackupDecl, ...] = child("backup", BackupDecl, many=True)
    scrape: L[bool] | None = option("scrape", v.SWITCH)
    service_account: L[str] | None = option("service_account", v.FILLED)
    labels: tuple[L[tuple[str, str]], ...] = mapping("labels")
    annotations: tuple[L[tuple[str, str]], ...] = mapping("annotations")
    pod_annotations: tuple[L[tuple[str, str]], ...] = mapping("pod_annotations")
    placement: PlacementDecl | None = child("placement", PlacementDecl)
    mesh: L[bool] | None = option("mesh", v.SWITCH)  # off: outside its namespace's mesh


@attrs.frozen
class QuotaDecl(Decl):
    """``quota { cpu 20; memory 40Gi; pods 50; volume_claims 10 }``."""

    cpu: L[v.Quantity] | None = option("cpu", v.CPU)
    memory: L[v.Quantity] | None = option("memory", v.BYTES)
    pods: L[int] | None = option("pods", v.INT)
    volume_claims: L[int] | None = option("volume_claims", v.INT)


@attrs.frozen
class DefaultsDecl(WorkloadDecl):
    """``defaults { ... }`` — workload settings written once; also the namespace quota."""

    name: L[str] | None = attrs.field(default=None, kw_only=True)

    quota: QuotaDecl | None = child("quota", QuotaDecl)


@attrs.frozen
class SharedDecl(Decl):
    """``shared_config NAME { readers a, b }`` — a shared ConfigMap/Secret and who may read it."""

    name: L[str] | None = positional("name", v.NAME)
    readers: tuple[L[str], ...] = option("readers", v.NAME, many=True, listed=True)


@attrs.frozen
class NamespaceDecl(Decl):
    """``namespace NAME { mesh on; subnet x; service ... }``."""

    name: L[str] | None = positional("name", v.NAME)
    external: L[bool] | None = option("external", v.SWITCH, flag=True, default=False)
    description: L[str] | None = option("description", v.TEXT, default="")
    mesh: L[bool] | None = option("mesh", v.SWITCH, default=False)
    pod_security: L[c.PodSecurityLevel] | None = option("pod_security", v.enum(*c.POD_SECURITY_LEVELS), default="restricted")
    limit_range: L[bool] | None = option("limit_range", v.SWITCH, default=True)
    default_deny: L[c.DenyScope] | None = option("default_deny", v.enum(*c.DENY_SCOPES), default="all")
    subnet: L[str] | None = option("subnet", v.NAME)
    labels: tuple[L[tuple[str, str]], ...] = mapping("labels")
    allow: tuple[L[c.NamespaceAllowance], ...] = option("allow", v.enum(*c.NAMESPACE_ALLOWANCES), many=True)
    defaults: DefaultsDecl | None = child("defaults", DefaultsDecl)
    services: tuple[WorkloadDecl, ...] = child("service", WorkloadDecl, many=True)
    statefulsets: tuple[WorkloadDecl, ...] = child("statefulset", WorkloadDecl, many=True)
    shared_configs: tuple[SharedDecl, ...] = child("shared_config", SharedDecl, many=True)
    shared_secrets: tuple[SharedDecl, ...] = child("shared_secret", SharedDecl, many=True)


@attrs.frozen
class TopologyDecl(Decl):
    """``topology NAME { version ...; kubernetes ...; istio ...; domain ... }``."""

    name: L[str] | None = positional("name", v.NAME)
    version: L[str] | None = option("version", v.VERSION, default="0.0.0")
    description: L[str] | None = option("description", v.TEXT, default="")
    kubernetes: L[str] | None = option("kubernetes", v.VERSION, default="1.28")
    istio: L[str] | None = option("istio", v.VERSION, default="1.22")
    domain: L[str] | None = option("domain", v.TEXT, default="")


@attrs.frozen
class SubnetDecl(Decl):
    """``subnet application 10.0.10.0/24``."""

    name: L[str] | None = positional("name", v.NAME)
    cidr: L[ipaddress.IPv4Network] | None = positional("cidr", v.CIDR)
    description: L[str] | None = option("description", v.TEXT, default="")


@attrs.frozen
class PolicyRuleDecl(Decl):
    """``allow a -> b:port`` / ``deny orion-gateway -> orion-data``."""

    source: L[str] | None = positional("source", v.NAME)
    target: L[object] | None = positional("target", v.any_of(v.PORT_REF, v.NAME), arrow=True)


@attrs.frozen
class NetworkDecl(Decl):
    """Segmentation and the posture of the network.

    ORION always denies by default; ``default deny`` states that intent in the spec. Internet egress
    is denied (but to declared externals) unless ``internet allow`` opens it to every public address.
    ``dns`` is allowed unless ``dns deny``.
    """

    default: L[c.Deny] | None = option("default", v.enum(*c.DENY))
    dns: L[c.AllowOrDeny] | None = option("dns", v.enum(*c.ALLOW_OR_DENY), default="allow")
    internet: L[c.AllowOrDeny] | None = option("internet", v.enum(*c.ALLOW_OR_DENY), default="deny")
    subnets: tuple[SubnetDecl, ...] = child("subnet", SubnetDecl, many=True)
    allows: tuple[PolicyRuleDecl, ...] = child("allow", PolicyRuleDecl, many=True)
    denies: tuple[PolicyRuleDecl, ...] = child("deny", PolicyRuleDecl, many=True)
    #: The Kubernetes API server's endpoint addresses (the ``kubernetes`` EndpointSlice's): its callers' egress goes there only.
    api_server: tuple[L[ipaddress.IPv4Network], ...] = option("api_server", v.CIDR, many=True, listed=True)


@attrs.frozen
class DescribedDecl(Decl):
    """A described-only piece: ``cdn cloudflare { provides "DDoS", "WAF" }``."""

    name: L[str] | None = positional("name", v.NAME)
    description: L[str] | None = option("description", v.TEXT, default="")
    provides: tuple[L[str], ...] = option("provides", v.TEXT, many=True, listed=True)
    regions: tuple[L[str], ...] = option("regions", v.NAME, many=True, listed=True)
    load_balancer: L[str] | None = option("load_balancer", v.TEXT, default="")
    #: The addresses the piece connects to the cluster from (a CDN's published ranges): an ingress
    #: ``behind`` it admits these only.
    ranges: tuple[L[ipaddress.IPv4Network], ...] = option("ranges", v.CIDR, many=True, listed=True)


@attrs.frozen
class LoadBalancerDecl(DescribedDecl):
    """``load_balancer alb { description "AWS ALB"; layer 7 }``: a load balancer in front of the cluster."""

    #: 4 passes connections through; 7 forwards HTTP, appending the client's address to X-Forwarded-For.
    layer: L[c.Layer] | None = option("layer", v.LAYER, default=4)


@attrs.frozen
class EdgeDecl(Decl):
    """Pieces in front of the cluster, described for diagrams and docs."""

    cdn: tuple[DescribedDecl, ...] = child("cdn", DescribedDecl, many=True)
    load_balancers: tuple[LoadBalancerDecl, ...] = child("load_balancer", LoadBalancerDecl, many=True)
    geodns: tuple[DescribedDecl, ...] = child("geodns", DescribedDecl, many=True)
    regions: tuple[DescribedDecl, ...] = child("region", DescribedDecl, many=True)


@attrs.frozen
class RateDecl(Decl):
    """``100 per second``."""

    amount: L[int] | None = positional("amount", v.INT)
    per: L[c.RatePer] | None = option("per", v.enum(*c.RATE_UNITS), default="second")


@attrs.frozen
class CorsDecl(Decl):
    """``cors { origins "https://*.x.com"; methods "GET", "POST" }``."""

    origins: tuple[L[str], ...] = option("origins", v.FIELD_TEXT, listed=True)
    methods: tuple[L[str], ...] = option("methods", v.FIELD_TEXT, listed=True)


@attrs.frozen
class WafDecl(Decl):
    """``waf modsecurity``; ``waf modsecurity { mode detect; module "oci://mirror.example.com/coraza-proxy-wasm:0.6.0" }``:
    the OWASP core rules, refusing what they match (or only logging it), from the pinned Wasm module or a mirror's."""

    engine: L[c.Waf] | None = positional("engine", v.enum(*c.WAFS))
    mode: L[c.WafMode] | None = option("mode", v.enum(*c.WAF_MODES), default="block")
    module: L[v.OciModule] | None = option("module", v.OCI_MODULE)


@attrs.frozen
class TlsDecl(Decl):
    """``tls { minimum 1.3; issuer letsencrypt }``."""

    minimum: L[str] | None = option("minimum", v.VERSION)
    issuer: L[str] | None = option("issuer", v.NAME)


@attrs.frozen
class HostDecl(Decl):
    """``host "api.orion.com" -> gateway:http``; ``host "shop.example.com" -> api:http prefix "/api" exact "/login"``:
    only requests for those paths (a path and what lies below it; that path alone) go to the target."""

    host: L[str] | None = positional("host", v.FILLED)
    target: L[v.PortRef] | None = positional("target", v.PORT_REF, arrow=True)
    prefix: tuple[L[str], ...] = option("prefix", v.FILLED, listed=True)
    exact: tuple[L[str], ...] = option("exact", v.FILLED, listed=True)


@attrs.frozen
class IngressDecl(Decl):
    """The ingress controller, its features, TLS and hosts."""

    name: L[str] | None = positional("name", v.NAME)
    controller: L[c.IngressController] | None = option("controller", v.enum(*c.INGRESS_CONTROLLERS), default="istio")
    namespace: L[str] | None = option("namespace", v.NAME, required=True)
    subnet: L[str] | None = option("subnet", v.NAME)
    address: L[ipaddress.IPv4Address] | None = option("address", v.ADDRESS)
    replicas: L[int] | None = option("replicas", v.INT, default=1)
    balance: L[c.LbAlgorithm] | None = option("balance", v.enum(*c.LB_ALGORITHMS), default="round-robin")
    listen: tuple[L[v.PortNumber], ...] = option("listen", v.PORT, listed=True, default=(v.PortNumber(443),))
    #: The HTTP proxies in front (a CDN, a layer-7 load balancer), outermost first: each appends the address it
    #: was reached from to X-Forwarded-For.
    behind: tuple[L[str], ...] = option("behind", v.NAME, listed=True)
    rate_limit: RateDecl | None = child("rate_limit", RateDecl)
    request_buffering: L[bool] | None = option("request_buffering", v.SWITCH, default=False)
    compression: L[bool] | None = option("compression", v.SWITCH, default=False)
    cors: CorsDecl | None = child("cors", CorsDecl)
    waf: WafDecl | None = child("waf", WafDecl)
    tls: TlsDecl | None = child("tls", TlsDecl)
    hosts: tuple[HostDecl, ...] = child("host", HostDecl, many=True)


@attrs.frozen
class IssuerDecl(Decl):
    """``issuer letsencrypt { acme "https://..."; email "..."; renew_before 720h; dns01 cloudflare }``.

    ACME challenges are answered over HTTP (HTTP-01, through the ingress) unless ``dns01``
    names the DNS provider; wildcard hosts need DNS-01.
    """

    name: L[str] | None = positional("name", v.NAME)
    acme: L[str] | None = option("acme", v.FILLED, required=True)
    email: L[str] | None = option("email", v.FILLED, required=True)
    renew_before: L[v.Duration] | None = option("renew_before", v.DURATION)
    dns01: L[c.DnsProvider] | None = option("dns01", v.enum(*c.DNS_PROVIDERS))


@attrs.frozen
class CertificatesDecl(Decl):
    """cert-manager issuers."""

    issuers: tuple[IssuerDecl, ...] = child("issuer", IssuerDecl, many=True)


@attrs.frozen
class TracingDecl(Decl):
    """``tracing { sampling 10% }``."""

    sampling: L[int] | None = option("sampling", v.PERCENT)


@attrs.frozen
class JwtDecl(Decl):
    """JWT validation at a workload: issuer, JWKS, where, which paths."""

    issuer: L[str] | None = option("issuer", v.FILLED, required=True)
    jwks: L[str] | None = option("jwks", v.FILLED, required=True)
    at: L[str] | None = option("at", v.NAME, required=True)
    protect: tuple[L[str], ...] = option("protect", v.FILLED, many=True, listed=True)
    audiences: tuple[L[str], ...] = option("audiences", v.FILLED, many=True, listed=True)
    public: tuple[L[str], ...] = option("public", v.FILLED, many=True, listed=True)


@attrs.frozen
class EgressGatewayDecl(Decl):
    """``egress_gateway { namespace istio-system; tls_origination on; sni_routing on }``."""

    namespace: L[str] | None = option("namespace", v.NAME, default="istio-system")
    tls_origination: L[bool] | None = option("tls_origination", v.SWITCH, default=False)
    sni_routing: L[bool] | None = option("sni_routing", v.SWITCH, default=False)


@attrs.frozen
class MeshDecl(Decl):
    """``mesh istio { mtls strict; ... }``."""

    name: L[c.MeshKind] | None = positional("name", v.enum(*c.MESH_KINDS))
    mtls: L[c.MtlsMode] | None = option("mtls", v.enum(*c.MTLS_MODES), default="strict")
    sidecar_resources: ResourcesDecl | None = child("sidecar_resources", ResourcesDecl)
    tracing: TracingDecl | None = child("tracing", TracingDecl)
    access_log: L[bool] | None = option("access_log", v.SWITCH, default=False)
    jwt: JwtDecl | None = child("jwt", JwtDecl)
    egress_gateway: EgressGatewayDecl | None = child("egress_gateway", EgressGatewayDecl)
    egress_rate_limit: RateDecl | None = child("egress_rate_limit", RateDecl)
    cost_tracking: L[bool] | None = option("cost_tracking", v.SWITCH, default=False)


@attrs.frozen
class ExternalDecl(Decl):
    """``external stripe { host "api.stripe.com"; port https 443; via egress_gateway }``."""

    name: L[str] | None = positional("name", v.NAME)
    hosts: tuple[L[str], ...] = option("host", v.FILLED, many=True, listed=True)
    ports: tuple[PortDecl, ...] = child("port", PortDecl, many=True)
    via: L[c.ExternalRoute] | None = option("via", v.enum(*c.EXTERNAL_ROUTES))
    description: L[str] | None = option("description", v.TEXT, default="")
    #: The ranges its hosts' addresses lie in: its egress rules go there instead of every public address.
    addresses: tuple[L[ipaddress.IPv4Network], ...] = option("addresses", v.CIDR, many=True, listed=True)


@attrs.frozen
class ClusterScalingDecl(Decl):
    """``cluster { nodes 3..20; scale_down_below 50% }``."""

    nodes: L[v.Range[int]] | None = option("nodes", v.range_of(v.INT))
    scale_down_below: L[int] | None = option("scale_down_below", v.PERCENT)


@attrs.frozen
class ScalingDecl(Decl):
    """Scaling that is not one workload's: vertical autoscaling mode, the cluster autoscaler."""

    vertical: L[c.VpaMode] | None = option("vertical", v.enum(*c.VPA_MODES))
    cluster: ClusterScalingDecl | None = child("cluster", ClusterScalingDecl)


@attrs.frozen
class AlertDecl(Decl):
    """``alert Name { expr "..."; for 5m; severity critical }``."""

    name: L[str] | None = positional("name", v.NAME)
    expr: L[str] | None = option("expr", v.FILLED, required=True)
    for_: L[v.Duration] | None = option("for", v.DURATION)
    severity: L[c.Severity] | None = option("severity", v.enum(*c.SEVERITIES), default="warning")
    summary: L[str] | None = option("summary", v.TEXT, default="")


@attrs.frozen
class MonitoringDecl(Decl):
    """Who scrapes what, alert rules, and the logging/alerting/dashboard workloads."""

    scraper: L[str] | None = option("scraper", v.NAME, required=True)
    port: L[str] | None = option("port", v.NAME, default="metrics")
    path: L[str] | None = option("path", v.FILLED, default="/metrics")
    interval: L[v.Duration] | None = option("interval", v.DURATION)
    scrape: L[c.ScrapeMode] | None = option("scrape", v.enum(*c.SCRAPE_MODES), default="all")
    alerts: tuple[AlertDecl, ...] = child("alert", AlertDecl, many=True)
    logging: L[str] | None = option("logging", v.NAME)
    alerting: L[str] | None = option("alerting", v.NAME)
    receiver: L[c.AlertReceiver] | None = option("receiver", v.enum(*c.ALERT_RECEIVERS), default="webhook")
    dashboards: L[str] | None = option("dashboards", v.NAME)
    retention: L[v.Duration] | None = option("retention", v.DURATION)


@attrs.frozen
class LayerDecl(Decl):
    """``layer application { measure "Input validation" }`` — defence in depth, described."""

    name: L[str] | None = positional("name", v.NAME)
    measures: tuple[L[str], ...] = option("measure", v.TEXT, many=True, listed=True)


@attrs.frozen
class SecurityDecl(Decl):
    """The security layers."""

    layers: tuple[LayerDecl, ...] = child("layer", LayerDecl, many=True)


@attrs.frozen
class TargetDecl(Decl):
    """``target s3-primary { kind s3; region us-east-1; bucket "..."; encrypted on }``."""

    name: L[str] | None = positional("name", v.NAME)
    kind: L[c.StoreKind] | None = option("kind", v.enum(*c.STORE_KINDS), default="s3")
    region: L[str] | None = option("region", v.NAME)
    bucket: L[str] | None = option("bucket", v.FILLED, required=True)
    encrypted: L[bool] | None = option("encrypted", v.SWITCH, default=False)
    #: The ranges the store's endpoint lies in: the backup pods' egress to it goes there instead of every public address.
    addresses: tuple[L[ipaddress.IPv4Network], ...] = option("addresses", v.CIDR, many=True, listed=True)


@attrs.frozen
class ReplicateDecl(Decl):
    """``replicate s3-primary -> s3-dr``."""

    source: L[str] | None = positional("source", v.NAME)
    target: L[str] | None = positional("target", v.NAME, arrow=True)


@attrs.frozen
class ArchiveDecl(Decl):
    """``archive glacier after 90d``."""

    tier: L[str] | None = positional("tier", v.NAME)
    after: L[v.Duration] | None = option("after", v.DURATION, required=True)


@attrs.frozen
class ClusterBackupDecl(Decl):
    """``cluster_backup velero every 24h at 01:00 to s3-primary``."""

    tool: L[c.ClusterBackupTool] | None = positional("tool", v.enum(*c.CLUSTER_BACKUP_TOOLS))
    every: L[v.Duration] | None = option("every", v.DURATION, required=True)
    at: L[v.TimeOfDay] | None = option("at", v.TIME)
    to: L[str] | None = option("to", v.NAME, required=True)
    retention: L[v.Duration] | None = option("retention", v.DURATION)


@attrs.frozen
class ObjectiveDecl(Decl):
    """``objective database { rto 1h; rpo 6h; covers postgres }``."""

    name: L[str] | None = positional("name", v.NAME)
    rto: L[v.Duration] | None = option("rto", v.DURATION, required=True)
    rpo: L[v.Duration] | None = option("rpo", v.DURATION, required=True)
    covers: tuple[L[str], ...] = option("covers", v.NAME, many=True, listed=True)


@attrs.frozen
class RecoveryDecl(Decl):
    """Backup destinations, replication, archiving, cluster backup and objectives."""

    targets: tuple[TargetDecl, ...] = child("target", TargetDecl, many=True)
    replicate: tuple[ReplicateDecl, ...] = child("replicate", ReplicateDecl, many=True)
    archive: ArchiveDecl | None = child("archive", ArchiveDecl)
    cluster_backup: ClusterBackupDecl | None = child("cluster_backup", ClusterBackupDecl)
    config_in_git: L[str] | None = option("config_in_git", v.TEXT)
    objectives: tuple[ObjectiveDecl, ...] = child("objective", ObjectiveDecl, many=True)


@attrs.frozen
class PatchDecl(Decl):
    """``patch Deployment payments in shop { merge { spec { ... } } }`` / ``{ json { replace "/spec/type" "NodePort" } }``:
    fields ORION does not state, set on one object it generates, after everything else; checked against the kind's schema."""

    kind: L[str] | None = positional("kind", v.NAME)
    name: L[str] | None = positional("name", v.any_of(v.NAME, v.FILLED))
    namespace: L[str] | None = option("in", v.NAME)
    api: L[str] | None = option("api", v.FILLED)
    merge: L[Statement] | None = tree("merge")
    json: L[Statement] | None = tree("json")


@attrs.frozen
class SpecDecl(Decl):
    """A whole ``.orion`` file."""

    topology: TopologyDecl | None = child("topology", TopologyDecl, required=True)
    defaults: DefaultsDecl | None = child("defaults", DefaultsDecl)
    network: NetworkDecl | None = child("network", NetworkDecl)
    edge: EdgeDecl | None = child("edge", EdgeDecl)
    ingress: IngressDecl | None = child("ingress", IngressDecl)
    certificates: CertificatesDecl | None = child("certificates", CertificatesDecl)
    mesh: MeshDecl | None = child("mesh", MeshDecl)
    externals: tuple[ExternalDecl, ...] = child("external", ExternalDecl, many=True)
    namespaces: tuple[NamespaceDecl, ...] = child("namespace", NamespaceDecl, many=True)
    scaling: ScalingDecl | None = child("scaling", ScalingDecl)
    monitoring: MonitoringDecl | None = child("monitoring", MonitoringDecl)
    security: SecurityDecl | None = child("security", SecurityDecl)
    recovery: RecoveryDecl | None = child("recovery", RecoveryDecl)
    patches: tuple[PatchDecl, ...] = child("patch", PatchDecl, many=True)
