"""NetworkPolicy semantics: evaluated with tests/support/netpol.py against the allow-graph.

Pods are built from the generated pod templates (their real labels and named ports), one per
Deployment/StatefulSet (so both colours of a blue-green pair), plus the ingress controller and
a kube-dns pod. Every allowed (src, dst, port, protocol) among them must be an allow-graph edge,
and every edge must be allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orion_dsl.engines import EngineFacts, facts
from orion_dsl.lowering import Role
from orion_dsl.model import Topology, Workload
from tests.support.netpol import Cluster, External, Pod, allowed_pairs
from tests.support.plans import planned

from .helpers import SPECS, load, objects, of_kind

#: Peers outside the cluster's pods: they are checked against outside addresses.
OUTSIDE = ("internet", "external", "object-store", "api-server")
#: The plan's roles of the operators' resources that make pods.
OPERATED = (Role.DATABASE_CLUSTER, Role.DATABASE_POOLER, Role.MESSAGE_BROKER, Role.CACHE_REPLICATION, Role.CACHE_SENTINEL)
INTERNET_IP = "203.0.113.10"  # TEST-NET-3: a public address
#: The Istio agent's status port, where Prometheus scrapes a meshed pod's merged metrics
#: (istio/istio@d5fcb2eeeba8824d16b7ff37f1ad3949acb1c77d pkg/kube/inject/webhook.go applyPrometheusMerge).
AGENT_PORT = 15020
PRIVATE_IP = "10.200.0.7"
METADATA_IP = "169.254.169.254"


def _operator_made(o: dict[str, Any], found: EngineFacts) -> list[Pod]:
    """Two pods an operator makes from one of ORION's resources, with the labels the operator puts on
    them and their ports:

    * CloudNativePG instances and poolers, RabbitMQ nodes (shared/NOTES.md "Operator-made pods";
      cloudnative-pg pkg/specs, pkg/specs/pgbouncer; rabbitmq/cluster-operator internal/metadata);
    * the OT redis-operator's Redis and Sentinel pods: named after their StatefulSets, labelled
      ``app``/``redis_setup_type``/``role`` over the resource's own labels
      (OT-CONTAINER-KIT/redis-operator@5dd04e17 internal/controller/common/labels.go), the primary
      ``redis-role: master`` (common/redis/heal.go); their ports (common/constants.go) under the names
      of the operator's Service ports (internal/k8sutils/services.go).
    """
    name, ns, own = o["metadata"]["name"], o["metadata"]["namespace"], o["metadata"]["labels"]
    ports: dict[str, tuple[int, str]] = {p.name: (p.number, p.protocol) for p in found.ports}
    if o["kind"] == "Cluster":
        labels = {"cnpg.io/cluster": name, "cnpg.io/podRole": "instance"}
    elif o["kind"] == "Pooler":
        labels = {"cnpg.io/poolerName": name, "cnpg.io/cluster": o["spec"]["cluster"]["name"], "cnpg.io/podRole": "pooler"}
        ports = {p.name: (p.number, p.protocol) for p in found.pooler_ports}
    elif o["kind"] == "RabbitmqCluster":
        labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "rabbitmq", "app.kubernetes.io/part-of": "rabbitmq"}
    elif o["kind"] == "RedisReplication":
        labels = {"app": name, "redis_setup_type": "replication", "role": "replication", "redis-role": "master", **own}
        ports = {"redis-client": (6379, "TCP"), "redis-exporter": (9121, "TCP")}
    else:  # RedisSentinel
        name = f"{name}-sentinel"
        labels = {"app": name, "redis_setup_type": "sentinel", "role": "sentinel", **own}
        ports = {"sentinel-client": (26379, "TCP")}
    return [Pod(ns, name + suffix, labels, ports) for suffix in ("-1", "-2")]


class World:
    """Pods, namespaces and policies of one topology, and the expected connections."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        objs = objects(topology)
        self.policies = of_kind(objs, "NetworkPolicy")
        self.namespaces: dict[str, dict[str, str]] = {o["metadata"]["name"]: o["metadata"]["labels"] for o in of_kind(objs, "Namespace")}
        self.namespaces.setdefault("kube-system", {})
        self.pods: list[Pod] = []
        self.owner: dict[str, str] = {}  # pod key -> peer name in the graph
        self.helpers: list[Pod] = []  # ORION's own backup pods: no allow-graph peers, tested on their own
        for o in objs:
            if o["kind"] not in ("Deployment", "StatefulSet"):
                continue
            tpl = o["spec"]["template"]
            if tpl["metadata"]["labels"].get("app.kubernetes.io/component") == "backup":
                self.helpers.append(Pod(o["metadata"]["namespace"], o["metadata"]["name"], tpl["metadata"]["labels"], {}))
                continue
            ports = {p["name"]: (p["containerPort"], p.get("protocol", "TCP")) for c in tpl["spec"]["containers"] for p in c.get("ports", [])}
            # Two replicas of each controller, so traffic between replicas of one workload is checked too.
            for suffix in ("", "-1"):
                pod = Pod(o["metadata"]["namespace"], o["metadata"]["name"] + suffix, tpl["metadata"]["labels"], ports)
                self.pods.append(pod)
                self.owner[pod.key] = tpl["metadata"]["labels"]["app.kubernetes.io/name"]
        self._operated(topology, objs)
        ing = topology.ingress
        if ing is not None:
            pod = Pod(ing.namespace, "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}, {p.name: (p.number, p.protocol) for p in ing.listen})
            self.pods.append(pod)
            self.owner[pod.key] = ing.name
        dns = Pod("kube-system", "kube-dns", {"k8s-app": "kube-dns"}, {"dns": (53, "UDP"), "dns-tcp": (53, "TCP")})
        self.pods.append(dns)
        self.owner[dns.key] = "kube-dns"
        self.candidates = {port for pod in self.pods for port in pod.ports.values()} | {(443, "TCP"), (6443, "TCP"), (80, "TCP"), (22, "TCP"), (53, "UDP")}
        self.candidates |= {(p.number, p.protocol) for e in topology.externals for p in e.ports}
        self.candidates.add((AGENT_PORT, "TCP"))

    def _operated(self, topology: Topology, objs: list[dict[str, Any]]) -> None:
        """The pods the operators make from ORION's resources, with the labels the operators put
        on them (shared/NOTES.md "Operator-made pods"; CloudNativePG pkg/specs, pkg/specs/pgbouncer;
        RabbitMQ cluster-operator internal/metadata) and their ports; and each operator's own pod."""
        plan = planned(topology)
        owners = {(e.id.kind, e.namespace, e.name): e.of(Workload) for e in plan.entries if e.role in OPERATED}
        for o in objs:
            w = owners.get((o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]))
            if w is None or w.engine is None:
                continue
            found = facts(w.engine)
            for pod in _operator_made(o, found):
                self.pods.append(pod)
                self.owner[pod.key] = w.name
            operator = Pod(found.operator_namespace, found.operator, dict(found.operator_pods), {})
            if operator.key not in self.owner:
                self.pods.append(operator)
                self.owner[operator.key] = found.operator
                self.namespaces.setdefault(found.operator_namespace, {})

    def pods_of(self, name: str) -> list[str]:
        return sorted(k for k, v in self.owner.items() if v == name)

    def expected(self) -> set[tuple[str, str, int, str]]:
        """Allow-graph edges between in-cluster peers, per pod; a scrape of a meshed pod goes to its Istio agent."""
        out = set()
        for e in self.topology.allow_graph.edges:
            if e.source.kind == "dns":
                continue
            if e.source.kind in OUTSIDE or e.target.kind in OUTSIDE:
                continue
            target = self.topology.workload(e.target.name) if e.target.kind == "workload" else None
            port = AGENT_PORT if e.rule == "scrape" and target is not None and target.meshed else e.port.number
            for src in self.pods_of(e.source.name):
                for dst in self.pods_of(e.target.name):
                    if src != dst:
                        out.add((src, dst, port, e.port.protocol))
        return out

    def allowed(self, externals: tuple[External, ...] = ()) -> set[tuple[str, str, int, str]]:
        """Allowed connections, leaving out what the namespaces ORION does not manage (kube-system,
        the operators': no policies of ORION's there) let in or out by themselves: their pods as
        sources, and outside addresses reaching them."""
        pairs = allowed_pairs(self.pods, self.namespaces, self.policies, self.candidates, list(externals))
        managed = {ns.name for ns in self.topology.namespaces}

        def unmanaged(key: str) -> bool:
            return "/" in key and key.split("/", 1)[0] not in managed

        def inside(key: str) -> bool:
            return "/" in key and not unmanaged(key)

        # ORION's ingress policies admit an operator's pod; what is left has no end in ORION's namespaces
        return {p for p in pairs if inside(p[0]) or inside(p[1])}

    def via_gateway(self, source: str, external: str) -> bool:
        ext = self.topology.external(external)
        src = self.topology.workload(source)
        mesh = self.topology.mesh
        return bool(ext and ext.via_egress_gateway and src and src.meshed and mesh and mesh.egress_gateway)


_worlds: dict[Path, World] = {}


def world(path: Path) -> World:
    if path not in _worlds:
        _worlds[path] = World(load(path))
    return _worlds[path]


@pytest.fixture(params=SPECS, ids=[p.stem for p in SPECS])
def w(request: pytest.FixtureRequest) -> World:
    """The seed's and every example's world."""
    return world(request.param)


@pytest.fixture()
def seed_world(seed: Topology) -> World:
    from tests.conftest import SEED_SPEC

    return world(SEED_SPEC)


def test_in_cluster_connections_equal_the_allow_graph(w: World) -> None:
    assert w.allowed() == w.expected()


def test_outside_connections_equal_the_allow_graph(w: World) -> None:
    outside = (External(INTERNET_IP), External(PRIVATE_IP), External(METADATA_IP))
    got = {p for p in w.allowed(outside) if INTERNET_IP in p[:2] or PRIVATE_IP in p[:2] or METADATA_IP in p[:2]}
    expected = set()
    for e in w.topology.allow_graph.edges:
        if e.source.kind == "internet":
            # 0.0.0.0/0: behind a load balancer, clients may arrive from node (private) addresses
            for dst in w.pods_of(e.target.name):
                expected |= {(ip.ip, dst, e.port.number, e.port.protocol) for ip in outside}
        if e.target.kind == "external" and not w.via_gateway(e.source.name, e.target.name):
            for src in w.pods_of(e.source.name):
                expected.add((src, INTERNET_IP, e.port.number, e.port.protocol))
        if e.target.kind in ("object-store", "api-server"):
            # an object store is public; the API server's address is any but link-local (its
            # endpoints carry no labels, so the policy names no pods)
            reachable = (INTERNET_IP,) if e.target.kind == "object-store" else (INTERNET_IP, PRIVATE_IP)
            expected |= {(src, ip, e.port.number, e.port.protocol) for src in w.pods_of(e.source.name) for ip in reachable}
    assert got == expected


def test_prometheus_scrapes_every_meshed_workload_at_its_istio_agent(seed_world: World) -> None:
    allowed = seed_world.allowed()
    scraped = {e.target.name for e in seed_world.topology.allow_graph.edges if e.rule == "scrape" and e.source.name == "prometheus"}
    meshed = [w for w in seed_world.topology.workloads if w.meshed and w.name in scraped]
    assert {"gateway", "auth", "user", "notification"} <= {w.name for w in meshed}
    for w in meshed:
        for prometheus in seed_world.pods_of("prometheus"):
            for pod in seed_world.pods_of(w.name):
                assert (prometheus, pod, AGENT_PORT, "TCP") in allowed, (w.name, pod)


def test_every_namespace_denies_by_default(w: World) -> None:
    for ns in w.topology.namespaces:
        deny = [p for p in w.policies if p["metadata"]["namespace"] == ns.name and p["metadata"]["name"] == "default-deny"]
        assert len(deny) == 1
        assert deny[0]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_meshed_pods_reach_istiod_and_egress_gateway(seed_world: World) -> None:
    istiod = Pod("istio-system", "istiod", {"app": "istiod"}, {"grpc-xds": (15012, "TCP")})
    # Istio's default egress gateway Service maps 443 to the pods' 8443; policies match pod ports.
    egw = Pod("istio-system", "istio-egressgateway", {"istio": "egressgateway"}, {"https": (8443, "TCP")})
    namespaces = {**seed_world.namespaces, "istio-system": {}}
    cluster = Cluster([*seed_world.pods, istiod, egw], namespaces, seed_world.policies)
    notification = next(p for p in seed_world.pods if p.name == "notification")
    postgres = next(p for p in seed_world.pods if seed_world.owner[p.key] == "postgres")
    assert cluster.allowed(notification, istiod, 15012, "TCP")
    assert not cluster.allowed(postgres, istiod, 15012, "TCP")  # orion-data is not meshed
    assert cluster.allowed(notification, egw, 8443, "TCP")  # twilio goes through the egress gateway
    assert not cluster.allowed(notification, egw, 443, "TCP")
    assert not cluster.allowed(notification, External(INTERNET_IP), 443, "TCP") or seed_world.topology.allow_graph.reach("notification", "sentry", 443)


def test_backup_pods_reach_their_store_dns_and_https_only(seed_world: World) -> None:
    """The definitions backup of RabbitMQ (a CronJob's pod): its management API, DNS and the object
    store; nothing else, and nothing else reaches the management API because of it."""
    backup = Pod("orion-data", "rabbitmq-backup", {"app.kubernetes.io/name": "rabbitmq-backup"}, {})
    cluster = Cluster([*seed_world.pods, backup], seed_world.namespaces, seed_world.policies)
    pods = {seed_world.owner[p.key]: p for p in seed_world.pods}
    assert cluster.allowed(backup, pods["rabbitmq"], 15672, "TCP")
    assert cluster.allowed(backup, pods["kube-dns"], 53, "UDP")
    assert cluster.allowed(backup, External(INTERNET_IP), 443, "TCP")
    assert not cluster.allowed(backup, pods["rabbitmq"], 5672, "TCP")
    assert not cluster.allowed(backup, pods["redis"], 6379, "TCP")
    assert not cluster.allowed(backup, pods["postgres"], 5432, "TCP")
    assert not cluster.allowed(backup, pods["user"], 3002, "TCP")
    assert not cluster.allowed(pods["auth"], pods["rabbitmq"], 15672, "TCP")


# ---------------------------------------------------------------- seed-specific facts


def reach(world_: World, src: str, dst: str, port: int, protocol: str = "TCP") -> bool:
    pairs = world_.allowed()
    return all((s, d, port, protocol) in pairs for s in world_.pods_of(src) for d in world_.pods_of(dst))


def test_s34_gateway_reaches_auth_user_notification(seed_world: World) -> None:
    for name, port in (("auth", 3001), ("user", 3002), ("notification", 3003)):
        assert reach(seed_world, "gateway", name, port)


def test_s35_auth_reaches_postgres_through_pgbouncer_and_redis_not_rabbitmq(seed_world: World, seed: Topology) -> None:
    assert reach(seed_world, "auth", "pgbouncer", 5432)
    assert not reach(seed_world, "auth", "postgres", 5432)
    assert reach(seed_world, "auth", "redis", 6379)
    assert not reach(seed_world, "auth", "rabbitmq", 5672)
    svc = next(o for o in objects(seed) if o["kind"] == "Service" and o["metadata"]["name"] == "postgres")
    assert svc["spec"]["selector"] == {"cnpg.io/poolerName": "pgbouncer"}  # the read-write Pooler's pods


def test_s35_gateway_cannot_reach_the_data_tier(seed_world: World) -> None:
    pairs = seed_world.allowed()
    gateway = set(seed_world.pods_of("gateway"))
    assert not [p for p in pairs if p[0] in gateway and p[1].startswith("orion-data/")]


def test_s36_prometheus_reaches_every_scraped_metrics_port(seed_world: World, seed: Topology) -> None:
    for wl in seed.workloads:
        port = wl.port("metrics")
        if wl.scraped and wl.name != "prometheus" and port is not None:
            assert reach(seed_world, "prometheus", wl.name, port.number), wl.name


def test_s37_every_pod_resolves_dns(seed_world: World, seed: Topology) -> None:
    for wl in seed.workloads:
        assert reach(seed_world, wl.name, "kube-dns", 53, "UDP")
        assert reach(seed_world, wl.name, "kube-dns", 53, "TCP")


def test_s33_internet_reaches_only_the_ingress_controller_on_443(seed_world: World) -> None:
    pairs = seed_world.allowed((External(INTERNET_IP),))
    from_internet = {(d, port, proto) for s, d, port, proto in pairs if s == INTERNET_IP}
    assert from_internet == {("orion-ingress/ingress-nginx", 443, "TCP")}


def test_s33_ingress_controller_reaches_gateway_on_3000(seed_world: World) -> None:
    assert reach(seed_world, "nginx", "gateway", 3000)
    assert not reach(seed_world, "nginx", "auth", 3001)


def test_s37_no_private_or_metadata_egress(seed_world: World) -> None:
    pairs = seed_world.allowed((External(PRIVATE_IP), External(METADATA_IP)))
    assert not [p for p in pairs if p[1] == METADATA_IP]
    # only CloudNativePG's pods reach a private address: the API server's, on its ports
    private = {(seed_world.owner[src], port) for src, dst, port, _ in pairs if dst == PRIVATE_IP}
    assert private == {(name, port) for name in ("postgres", "pgbouncer") for port in (443, 6443)}


def test_s37_smtp_egress_only_for_notification(seed_world: World) -> None:
    pairs = seed_world.allowed((External(INTERNET_IP),))
    smtp = {(seed_world.owner[s], port) for s, d, port, _ in pairs if d == INTERNET_IP and port in (587, 465)}
    assert smtp == {("notification", 587), ("notification", 465)}


def _policy(objs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(o for o in objs if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == name)
