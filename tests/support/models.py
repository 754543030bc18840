"""Model fixtures: small factories that build the frozen model (:mod:`orion_dsl.model`) directly.

Backend and lowering tests state the few facts a behaviour depends on instead of parsing a whole
spec: ``workload("api", namespace="web", ports=[port("http", 8080)])``, then
``topology(workloads=[...])``. Every factory has the decoder's defaults for what a test leaves
out and takes the rest as keyword overrides. Spans are one fixed :data:`SPAN` (spans never take
part in equality).

The allow-graph comes one of two ways: ``topology(...)`` builds it from the model's calls, routes
and settings with :func:`orion_dsl.analysis.allow_graph.build_allow_graph`, as the compiler does;
``topology(..., edges=[edge(a, b, port)])`` states the edges directly, so a test of a backend
can give it exactly the graph it reads.

The objects a topology holds are the very ones passed in, so a test may look up the plan entries
of its own fixtures (``plan.get(Role.SERVICE, api)``: the plan finds subjects by identity).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import attrs

from orion_dsl.analysis.allow_graph import build_allow_graph
from orion_dsl.choices import (
    AccessMode,
    BackupKind,
    CheckKind,
    Colour,
    DnsProvider,
    IngressController,
    MtlsMode,
    PoolMode,
    Replication,
    RolloutStrategy,
    SharedKind,
    VolumeKind,
    VpaMode,
)
from orion_dsl.model import (
    AllowGraph,
    Autoscale,
    Backup,
    BlueGreen,
    Budget,
    Call,
    Check,
    Container,
    Database,
    Edge,
    EdgeRule,
    EgressGateway,
    EnvVar,
    External,
    Host,
    Ingress,
    Issuer,
    Jwt,
    Mesh,
    Metric,
    Namespace,
    Network,
    Peer,
    PodSecurity,
    PolicyRule,
    Port,
    Probes,
    Resources,
    Rollout,
    Route,
    Scaling,
    Shared,
    Storage,
    Subnet,
    Topology,
    Volume,
    Workload,
    WorkloadKind,
)
from orion_dsl.source import Span
from orion_dsl.values import Duration, Protocol, Quantity

#: The span every fixture carries: model facts need one, and spans never take part in equality.
SPAN = Span("models.orion", 1, 1, 1, 2)

#: The image a workload runs unless a test names one (its tag is the workload's version).
IMAGE = "registry.example/app:1.0"

#: The decoder's default requests and limits.
CPU_REQUEST = Quantity(100, "100m")
CPU_LIMIT = Quantity(500, "500m")
MEMORY_REQUEST = Quantity(128 * 2**20, "128Mi")
MEMORY_LIMIT = Quantity(512 * 2**20, "512Mi")
DEFAULT_RESOURCES = Resources(CPU_REQUEST, CPU_LIMIT, MEMORY_REQUEST, MEMORY_LIMIT)


def seconds(n: int) -> Duration:
    """A duration of whole seconds, written as ``<n>s``."""
    return Duration(n * 1000, f"{n}s")


#: The decoder's default probe period and timeout, and a pod's grace period.
PROBE_INTERVAL = seconds(10)
PROBE_TIMEOUT = seconds(5)
GRACE = seconds(30)


def gibibytes(n: int) -> Quantity:
    """A storage size of ``n`` GiB, written as ``<n>Gi``."""
    return Quantity(n * 2**30, f"{n}Gi")


def port(name: str, number: int, protocol: Protocol = "TCP") -> Port:
    """A named port (TCP unless told)."""
    return Port(name, number, protocol)


def resources(
    cpu_request: Quantity = CPU_REQUEST,
    cpu_limit: Quantity = CPU_LIMIT,
    memory_request: Quantity = MEMORY_REQUEST,
    memory_limit: Quantity = MEMORY_LIMIT,
) -> Resources:
    """Requests and limits, the decoder's defaults unless told."""
    return Resources(cpu_request, cpu_limit, memory_request, memory_limit)


def container(name: str, *, image: str = IMAGE, ports: Iterable[Port] = (), resources: Resources = DEFAULT_RESOURCES, command: Iterable[str] = ()) -> Container:
    """A container (the main one of a workload, or a sidecar)."""
    return Container(name, image, tuple(ports), resources, tuple(command))


def check(kind: CheckKind, port: Port | None = None, path: str | None = None, command: Iterable[str] = ()) -> Check:
    """One health check."""
    return Check(kind, port, path, tuple(command))


def probes(
    *,
    liveness: Check | None = None,
    readiness: Check | None = None,
    startup: Check | None = None,
    interval: Duration = PROBE_INTERVAL,
    timeout: Duration = PROBE_TIMEOUT,
    initial_delay: Duration | None = None,
    failure_threshold: int = 3,
    success_threshold: int = 1,
) -> Probes:
    """Health checks with their shared timing."""
    return Probes(liveness, readiness, startup, interval, timeout, initial_delay, failure_threshold, success_threshold)


def rollout(strategy: RolloutStrategy = "rolling", surge: int = 1, unavailable: int = 0, grace: Duration = GRACE) -> Rollout:
    """How new versions replace old ones (rolling, one surge pod, unless told)."""
    return Rollout(strategy, surge, unavailable, grace)


def pod_security(user: int = 10001, group: int = 10001, *, read_only_root: bool = True, service_account_token: bool = False) -> PodSecurity:
    """The pod's user, group and hardening, the decoder's defaults unless told."""
    return PodSecurity(user, group, read_only_root, service_account_token)


#: The decoder's default rollout and pod security.
ROLLING = rollout()
DEFAULT_SECURITY = pod_security()


def blue_green(blue: str = "1.0", green: str = "1.1", active: Colour = "blue") -> BlueGreen:
    """Two versions side by side, ``active`` taking the traffic."""
    return BlueGreen(blue, green, active)


def budget(max_unavailable: int | None = 1, min_available: int | None = None) -> Budget:
    """A disruption budget."""
    return Budget(max_unavailable, min_available)


def autoscale(min: int = 2, max: int = 5, *, cpu: int | None = 70, memory: int | None = None, metrics: Iterable[Metric] = ()) -> Autoscale:
    """Horizontal autoscaling bounds (on CPU unless told)."""
    return Autoscale(min, max, cpu, memory, tuple(metrics))


def storage(
    name: str = "data", *, size: Quantity | None = None, mount_path: str = "/data", storage_class: str | None = None, access: AccessMode = "read-write-once"
) -> Storage:
    """A persistent volume claimed per replica (10Gi unless told)."""
    return Storage(name, size or gibibytes(10), storage_class, access, mount_path)


def volume(name: str, kind: VolumeKind, source: str = "", mount_path: str = "/config", *, read_only: bool = True) -> Volume:
    """A pod volume: a ConfigMap or Secret by name, or a scratch directory."""
    return Volume(name, kind, source, mount_path, read_only)


def call(target: str, port: Port) -> Call:
    """A declared call of ``target`` on ``port``."""
    return Call(target, port, span=SPAN)


def route(path: str, target: str, port: Port) -> Route:
    """A path a gateway forwards to ``target``'s port."""
    return Route(path, target, port, span=SPAN)


def backup(
    target: str = "store",
    kind: BackupKind = "full",
    *,
    every: Duration | None = None,
    continuous: bool = False,
    image: str | None = None,
) -> Backup:
    """A backup of a workload's data (scheduled every 24h unless told ``continuous``)."""
    scheduled = every if every is not None or continuous else seconds(24 * 3600)
    return Backup(kind, scheduled, None, continuous, target, image, span=SPAN)


def database(
    *,
    pooler: str | None = None,
    pool_mode: PoolMode | None = None,
    primary: int = 1,
    read_replicas: int = 0,
    read_weights: Iterable[int] = (),
    replication: Replication = "asynchronous",
) -> Database:
    """A replicated database (one primary, no read replicas, unless told)."""
    return Database(pooler, pool_mode, primary, read_replicas, tuple(read_weights), replication)


def workload(
    name: str,
    *,
    namespace: str = "apps",
    kind: WorkloadKind = "deployment",
    image: str = IMAGE,
    ports: Iterable[Port] = (),
    replicas: int = 1,
    sidecars: Iterable[Container] = (),
    env: Iterable[tuple[str, str]] = (),
    probes: Probes | None = None,
    volumes: Iterable[Volume] = (),
    storage: Iterable[Storage] = (),
    rollout: Rollout = ROLLING,
    blue_green: BlueGreen | None = None,
    budget: Budget | None = None,
    security: PodSecurity = DEFAULT_SECURITY,
    subnet: str | None = None,
    addresses: tuple[str, str] | None = None,
    calls: Iterable[Call] = (),
    routes: Iterable[Route] = (),
    autoscale: Autoscale | None = None,
    database: Database | None = None,
    backups: Iterable[Backup] = (),
    meshed: bool = False,
    scraped: bool = False,
    pooler_of: str | None = None,
    description: str = "",
) -> Workload:
    """A service (``kind="deployment"``) or stateful set; its main container is named after it.

    ``meshed`` is the workload's own flag: put a meshed workload in a namespace with ``mesh=True``
    (``topology`` does so for the namespaces it makes).
    """
    first, last = addresses if addresses is not None else (None, None)
    return Workload(
        name=name,
        namespace=namespace,
        kind=kind,
        description=description,
        replicas=replicas,
        container=attrs.evolve(container(name, image=image, ports=ports), env=tuple(EnvVar(k, v) for k, v in env)),
        sidecars=tuple(sidecars),
        probes=probes,
        volumes=tuple(volumes),
        storage=tuple(storage),
        rollout=rollout,
        blue_green=blue_green,
        budget=budget,
        security=security,
        subnet=subnet,
        addresses=(ipaddress.IPv4Address(first), ipaddress.IPv4Address(last)) if first and last else None,
        calls=tuple(calls),
        routes=tuple(routes),
        autoscale=autoscale,
        load_balancing=None,
        session_affinity=None,
        resilience=None,
        database=database,
        encryption_at_rest=False,
        backups=tuple(backups),
        meshed=meshed,
        scraped=scraped,
        pooler_of=pooler_of,
        span=SPAN,
    )


def shared(name: str, kind: SharedKind = "config", readers: Iterable[str] = ()) -> Shared:
    """A shared ConfigMap or Secret and the workloads that may read it."""
    return Shared(name, kind, tuple(readers), span=SPAN)


def namespace(
    name: str,
    *,
    mesh: bool = False,
    subnet: str | None = None,
    labels: Iterable[tuple[str, str]] = (),
    same_namespace: bool = False,
    shared: Iterable[Shared] = (),
    description: str = "",
) -> Namespace:
    """A namespace (unmeshed, no quota, unless told)."""
    return Namespace(name, description, mesh, subnet, tuple(labels), same_namespace, None, tuple(shared), span=SPAN)


def subnet(name: str, cidr: str) -> Subnet:
    """A named address block."""
    return Subnet(name, ipaddress.IPv4Network(cidr), "", span=SPAN)


def external(name: str, hosts: Iterable[str], ports: Iterable[Port], *, via_egress_gateway: bool = False) -> External:
    """An allow-listed service outside the cluster."""
    return External(name, tuple(hosts), tuple(ports), via_egress_gateway, "", span=SPAN)


def rule(source: str, target: str, port: str | int | None = None) -> PolicyRule:
    """An ``allow`` or ``deny`` rule between workloads or namespaces."""
    return PolicyRule(source, target, port, span=SPAN)


def network(*, dns: bool = True, allows: Iterable[PolicyRule] = (), denies: Iterable[PolicyRule] = ()) -> Network:
    """The network's posture (DNS open unless told) and explicit rules."""
    return Network(dns, tuple(allows), tuple(denies))


def egress_gateway(namespace: str = "istio-system", *, tls_origination: bool = False, sni_routing: bool = True) -> EgressGateway:
    """The mesh's egress gateway."""
    return EgressGateway(namespace, tls_origination, sni_routing, span=SPAN)


def mesh(mtls: MtlsMode = "strict", *, egress_gateway: EgressGateway | None = None, jwt: Jwt | None = None) -> Mesh:
    """An Istio mesh (strict mTLS unless told)."""
    return Mesh(mtls, None, None, False, jwt, egress_gateway, None, False, span=SPAN)


def scaling(vertical: VpaMode | None = None) -> Scaling:
    """Scaling beyond one workload (no VPA unless told)."""
    return Scaling(vertical, None)


#: The decoder's default network (DNS open, no rules) and scaling (none beyond workloads).
OPEN_DNS = network()
NO_SCALING = scaling()


def host(name: str, target: str, port: Port) -> Host:
    """An ingress host and the workload port it goes to."""
    return Host(name, target, port, span=SPAN)


def ingress(
    name: str = "edge",
    *,
    namespace: str = "ingress",
    hosts: Iterable[Host] = (),
    listen: Iterable[Port] = (Port("https", 443),),
    subnet: str | None = None,
    tls_issuer: str | None = None,
    controller: IngressController = "istio",
) -> Ingress:
    """The ingress controller and its hosts (Istio's gateway on 443, no TLS issuer, unless told)."""
    return Ingress(
        name=name,
        controller=controller,
        namespace=namespace,
        subnet=subnet,
        address=None,
        replicas=2,
        balance="round-robin",
        listen=tuple(listen),
        rate_limit=None,
        request_buffering=False,
        compression=False,
        cors_origins=(),
        cors_methods=(),
        waf=None,
        tls_minimum=None,
        tls_issuer=tls_issuer,
        hosts=tuple(hosts),
        span=SPAN,
    )


def issuer(name: str = "letsencrypt", *, dns01: DnsProvider | None = None) -> Issuer:
    """A cert-manager ACME issuer (HTTP-01 unless told ``dns01``)."""
    return Issuer(name, "https://acme.example/directory", "ops@example.com", None, dns01, span=SPAN)


def peer(end: Workload | External | Peer) -> Peer:
    """The allow-graph peer of a workload or external (a peer as it is)."""
    if isinstance(end, Workload):
        return Peer("workload", end.name, end.namespace)
    if isinstance(end, External):
        return Peer("external", end.name)
    return end


def edge(source: Workload | External | Peer, target: Workload | External | Peer, port: Port, rule: EdgeRule = "call") -> Edge:
    """An allow-graph edge from ``source`` to ``target`` on ``port`` (a declared call unless told)."""
    return Edge(peer(source), peer(target), port, rule, span=SPAN)


def namespaces_of(workloads: Iterable[Workload], ingress: Ingress | None = None) -> tuple[Namespace, ...]:
    """One namespace per namespace the workloads (then the ingress controller) name, in order of first use;
    meshed when one of its workloads is."""
    found: dict[str, bool] = {}
    for w in workloads:
        found[w.namespace] = found.get(w.namespace, False) or w.meshed
    if ingress is not None:
        found.setdefault(ingress.namespace, False)
    return tuple(namespace(name, mesh=meshed) for name, meshed in found.items())


def topology(
    *,
    workloads: Iterable[Workload] = (),
    namespaces: Iterable[Namespace] | None = None,
    externals: Iterable[External] = (),
    edges: Iterable[Edge] | None = None,
    network: Network = OPEN_DNS,
    mesh: Mesh | None = None,
    scaling: Scaling = NO_SCALING,
    subnets: Iterable[Subnet] = (),
    ingress: Ingress | None = None,
    issuers: Iterable[Issuer] = (),
    name: str = "shop",
    version: str = "1.0.0",
) -> Topology:
    """A topology of these facts; its namespaces are the workloads' and the ingress controller's (:func:`namespaces_of`) unless given.

    Without ``edges`` the allow-graph is built from the model as the compiler builds it (its
    warnings are dropped: a fixture states facts, not a spec to check); with ``edges`` it is
    exactly those.
    """
    found = tuple(workloads)
    made = Topology(
        name=name,
        version=version,
        description="",
        kubernetes="1.28",
        istio="1.22",
        domain="",
        namespaces=tuple(namespaces) if namespaces is not None else namespaces_of(found, ingress),
        workloads=found,
        subnets=tuple(subnets),
        externals=tuple(externals),
        network=network,
        edge=(),
        ingress=ingress,
        issuers=tuple(issuers),
        mesh=mesh,
        scaling=scaling,
        monitoring=None,
        security_layers=(),
        recovery=None,
    )
    graph = AllowGraph(tuple(edges)) if edges is not None else build_allow_graph(made)[0]
    return attrs.evolve(made, allow_graph=graph)
