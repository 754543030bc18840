"""NetworkPolicy semantics: evaluated with tests/support/netpol.py against the allow-graph.

Pods are built from the generated pod templates (their real labels and named ports), one per
Deployment/StatefulSet (so both colours of a blue-green pair), plus the ingress controller and
a kube-dns pod. Every allowed (src, dst, port, protocol) among them must be an allow-graph edge,
and every edge must be allowed.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest

from orion_dsl.controllers import KUBE_STATE_METRICS, KUBE_STATE_METRICS_PORT
from orion_dsl.engines import EngineFacts, facts
from orion_dsl.lowering import Role, egress, istio, names, waf
from orion_dsl.model import Topology, Workload
from tests.support import models as m
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
            ports = {p.name: (p.number, p.protocol) for p in ing.listen}
            if ing.controller == "istio":  # Istio's gateway pods also serve their readiness on 15021
                ports["status-port"] = (15021, "TCP")
            pod = Pod(ing.namespace, names.ingress_controller(ing), names.ingress_controller_pods(ing), ports)
            self.pods.append(pod)
            self.owner[pod.key] = ing.name
        self._egress_gateway(topology)
        dns = Pod("kube-system", "kube-dns", {"k8s-app": "kube-dns"}, {"dns": (53, "UDP"), "dns-tcp": (53, "TCP")})
        self.pods.append(dns)
        self.owner[dns.key] = "kube-dns"
        if topology.monitoring is not None and topology.monitoring.cluster_state_alerts:  # kube-state-metrics, as its standard manifests run it
            ksm = KUBE_STATE_METRICS
            pod = Pod(ksm.namespace or "", ksm.name, dict(ksm.pods), {KUBE_STATE_METRICS_PORT.name: (KUBE_STATE_METRICS_PORT.number, "TCP")})
            self.pods.append(pod)
            self.owner[pod.key] = ksm.name
        self.candidates = {port for pod in self.pods for port in pod.ports.values()} | {(443, "TCP"), (6443, "TCP"), (80, "TCP"), (22, "TCP"), (53, "UDP")}
        self.candidates |= {(p.number, p.protocol) for e in topology.externals for p in e.ports}
        self.candidates.add((AGENT_PORT, "TCP"))

    def _egress_gateway(self, topology: Topology) -> None:
        """Istio's egress gateway pod, with the labels and pod ports of Istio's chart (443 -> 8443;
        istio/istio@00466c1d manifests/charts/gateways/istio-egress/values.yaml), when the mesh has one."""
        found = egress.gateway(topology)
        if found is None:
            self.gateway = None
            return
        ports = {f"p{p.number}": (p.number, p.protocol) for e in topology.externals for p in map(egress.gateway_pod_port, egress.gateway_ports(topology, e))}
        self.gateway = Pod(found.namespace, "istio-egressgateway", {"istio": "egressgateway"}, ports)
        self.pods.append(self.gateway)
        self.owner[self.gateway.key] = "istio-egressgateway"
        self.namespaces.setdefault(found.namespace, {})

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
        """Allow-graph edges between in-cluster peers, per pod; an edge through the egress gateway goes to
        the gateway's pods on their pod port, and the gateway resolves DNS; a scrape of a meshed pod goes
        to its Istio agent."""
        out = set()
        gateway = [] if self.gateway is None else [self.gateway.key]
        for e in self.topology.allow_graph.edges:
            if e.source.kind == "dns":
                continue
            if egress.through_gateway(self.topology, e):
                pod_port = egress.gateway_pod_port(e.port)
                out |= {(src, dst, pod_port.number, pod_port.protocol) for src in self.pods_of(e.source.name) for dst in gateway}
                out |= {(dst, "kube-system/kube-dns", 53, protocol) for dst in gateway for protocol in ("UDP", "TCP")}
            if e.source.kind in OUTSIDE or e.target.kind in OUTSIDE:
                continue
            if e.source.kind == "ingress" and self.topology.ingress is not None and self.topology.ingress.controller == "istio":
                # Istio's gateway pods resolve istiod and the backends, like the egress gateway's
                out |= {(src, "kube-system/kube-dns", 53, protocol) for src in self.pods_of(e.source.name) for protocol in ("UDP", "TCP")}
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
        managed = {ns.name for ns in self.topology.namespaces} | ({self.gateway.namespace} if self.gateway else set())

        def unmanaged(key: str) -> bool:
            return "/" in key and key.split("/", 1)[0] not in managed

        def inside(key: str) -> bool:
            return "/" in key and not unmanaged(key)

        # ORION's ingress policies admit an operator's pod; what is left has no end in ORION's namespaces
        return {p for p in pairs if inside(p[0]) or inside(p[1])}


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
    got, expected = outside_connections(w)
    assert got == expected


def outside_connections(w: World) -> tuple[set[tuple[str, str, int, str]], set[tuple[str, str, int, str]]]:
    """The connections to and from outside test addresses the policies allow, and those the allow-graph expects."""
    # behind a proxy that states its ranges (the seed's Cloudflare), an address inside them
    ranges = w.topology.front_ranges()
    front = (External(str(next(ranges[0].hosts()))),) if ranges else ()
    outside = (External(INTERNET_IP), External(PRIVATE_IP), External(METADATA_IP), *front)
    # what the outside addresses reach, and what reaches them (the proxy's address only as a source)
    got = {p for p in w.allowed(outside) if p[0] in {ip.ip for ip in outside} or p[1] in (INTERNET_IP, PRIVATE_IP, METADATA_IP)}
    expected = set()
    for e in w.topology.allow_graph.edges:
        if e.source.kind == "internet":
            # behind the proxy, its ranges alone; else 0.0.0.0/0 (behind a load balancer, clients may
            # arrive from node, private, addresses)
            for dst in w.pods_of(e.target.name):
                sources = front if e.target.kind == "ingress" and front else outside
                expected |= {(ip.ip, dst, e.port.number, e.port.protocol) for ip in sources}
        if e.target.kind == "external":
            # through the egress gateway, the gateway's pods go out; else the caller's; to the external's addresses if stated
            sources = w.pods_of("istio-egressgateway") if egress.through_gateway(w.topology, e) else w.pods_of(e.source.name)
            external = w.topology.external(e.target.name)
            reached = _within(external.addresses if external else (), (INTERNET_IP,))
            expected |= {(src, ip, e.port.number, e.port.protocol) for src in sources for ip in reached}
        if e.source.kind == "internet" and e.target.kind == "ingress" and w.topology.ingress is not None and w.topology.ingress.controller == "istio":
            # load balancers health-check Istio's gateway pods on 15021 from private addresses only
            expected |= {(PRIVATE_IP, dst, 15021, "TCP") for dst in w.pods_of(e.target.name)}
        if e.target.kind in ("object-store", "api-server"):
            # an object store is public; the API server's address is any but link-local (its
            # endpoints carry no labels, so the policy names no pods); either at its stated addresses
            if e.target.kind == "object-store":
                targets = {t.name: t.addresses for t in w.topology.recovery.targets} if w.topology.recovery else {}
                reachable = _within(targets.get(e.target.name, ()), (INTERNET_IP,))
            else:
                reachable = _within(w.topology.network.api_server, (INTERNET_IP, PRIVATE_IP))
            expected |= {(src, ip, e.port.number, e.port.protocol) for src in w.pods_of(e.source.name) for ip in reachable}
    pulling = istio.gateway_waf(w.topology)
    if pulling is not None:  # the gateway pods' istio-agent pulls the WAF's module: a mirror may be private (test_gateway_waf.py)
        registry = (INTERNET_IP,) if pulling.waf_module is None else (INTERNET_IP, PRIVATE_IP)
        expected |= {(src, ip, waf.module(pulling).port, "TCP") for src in w.pods_of(pulling.name) for ip in registry}
    if w.topology.network.internet:  # `internet allow`: every workload's pods reach public addresses on every port
        expected |= {(src, INTERNET_IP, *port) for wl in w.topology.workloads for src in w.pods_of(wl.name) for port in w.candidates}
    return got, expected


def _within(ranges: tuple[ipaddress.IPv4Network, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    """The outside test addresses a rule reaches: those inside the stated ranges, or ``default`` when none is stated."""
    if not ranges:
        return default
    return tuple(ip for ip in (INTERNET_IP, PRIVATE_IP, METADATA_IP) if any(ipaddress.ip_address(ip) in r for r in ranges))


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
        # an external namespace's other pods are not ORION's to deny: it selects ORION's own
        pods = {"matchLabels": {"app.kubernetes.io/managed-by": "orion"}} if ns.external else {}
        assert deny[0]["spec"] == {"podSelector": pods, "policyTypes": ["Ingress", "Egress"]}


def test_meshed_pods_reach_istiod_and_the_egress_gateway_on_its_pod_ports(seed_world: World) -> None:
    istiod = Pod("istio-system", "istiod", {"app": "istiod"}, {"grpc-xds": (15012, "TCP")})
    cluster = Cluster([*seed_world.pods, istiod], seed_world.namespaces, seed_world.policies)
    notification = next(p for p in seed_world.pods if p.name == "notification")
    postgres = next(p for p in seed_world.pods if seed_world.owner[p.key] == "postgres")
    assert seed_world.gateway is not None
    assert cluster.allowed(notification, istiod, 15012, "TCP")
    assert not cluster.allowed(postgres, istiod, 15012, "TCP")  # orion-data is not meshed
    # Istio's egress gateway Service maps 443 to the pods' 8443 (465 is the same on both); policies match pod ports.
    assert cluster.allowed(notification, seed_world.gateway, 8443, "TCP")
    assert cluster.allowed(notification, seed_world.gateway, 465, "TCP")
    assert not cluster.allowed(notification, seed_world.gateway, 443, "TCP")
    assert cluster.allowed(seed_world.gateway, istiod, 15012, "TCP")
    assert not cluster.allowed(postgres, seed_world.gateway, 8443, "TCP")


def _to_the_internet(w: World) -> set[tuple[str, int, str]]:
    """(peer, port, protocol) of every pod the policies let reach a public address."""
    return {(w.owner[src], port, protocol) for src, dst, port, protocol in w.allowed((External(INTERNET_IP),)) if dst == INTERNET_IP}


def _mail_and_payments(gateway: bool = True) -> World:
    """mailer calls sendgrid on SMTP 587 (opaque TCP no other host uses) and 465, payer calls stripe on 443; none says ``via egress_gateway``."""
    sendgrid = m.external("sendgrid", ["smtp.sendgrid.net"], [m.port("smtp", 587), m.port("smtps", 465)])
    stripe = m.external("stripe", ["api.stripe.com"], [m.port("https", 443)])
    mailer = m.workload("mailer", namespace="mail", ports=[m.port("http", 8080)], meshed=True, calls=[m.call("sendgrid", p) for p in sendgrid.ports])
    payer = m.workload("payer", namespace="pay", ports=[m.port("http", 8080)], meshed=True, calls=[m.call("stripe", stripe.ports[0])])
    return World(m.topology(workloads=[mailer, payer], externals=[sendgrid, stripe], mesh=m.mesh(egress_gateway=m.egress_gateway() if gateway else None)))


def test_an_app_pod_cannot_reach_the_internet_except_through_the_egress_gateway() -> None:
    w = _mail_and_payments()
    assert w.gateway is not None
    assert _to_the_internet(w) == {("istio-egressgateway", n, "TCP") for n in (443, 465, 587)}
    reached = {(w.owner[src], w.owner[dst], port) for src, dst, port, _ in w.allowed((External(INTERNET_IP),)) if w.owner.get(src) in ("mailer", "payer")}
    # the gateway's Service maps 443 to its pods' 8443; 465 and 587 are the same on both
    gateway = {("mailer", "istio-egressgateway", 465), ("mailer", "istio-egressgateway", 587), ("payer", "istio-egressgateway", 8443)}
    assert reached == gateway | {(app, "kube-dns", 53) for app in ("mailer", "payer")}


def test_without_an_egress_gateway_app_pods_reach_their_externals_ports_directly() -> None:
    direct = _mail_and_payments(gateway=False)
    assert direct.gateway is None
    assert _to_the_internet(direct) == {("mailer", 587, "TCP"), ("mailer", 465, "TCP"), ("payer", 443, "TCP")}


def test_the_seeds_meshed_pods_reach_the_internet_only_where_the_gateway_cannot_tell_hosts_apart(seed_world: World) -> None:
    """SMTP 587 is opaque and shared by sendgrid and mailgun (I0711), NTP is UDP (I0706): every other external is reached
    through the gateway. (The unmeshed CloudNativePG pods, and Headlamp with `kubernetes_api on`, reach the API server
    at any address on 443 and 6443: no external.)"""
    meshed = {w.name for w in seed_world.topology.workloads if w.meshed}
    api = {w.name for w in seed_world.topology.workloads if w.kubernetes_api}
    opened = {(n, protocol) for peer, n, protocol in _to_the_internet(seed_world) if peer in meshed and not (peer in api and n in (443, 6443))}
    assert opened == {(587, "TCP"), (123, "UDP")}


def test_the_seeds_egress_gateway_reaches_the_internet_on_the_tls_ports_it_carries(seed_world: World) -> None:
    assert {(n, protocol) for peer, n, protocol in _to_the_internet(seed_world) if peer == "istio-egressgateway"} == {(443, "TCP"), (465, "TCP")}


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
    """Whether every pod of ``src`` reaches every other pod of ``dst`` on the port."""
    pairs = world_.allowed()
    return all((s, d, port, protocol) in pairs for s in world_.pods_of(src) for d in world_.pods_of(dst) if s != d)


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


def test_s33_internet_reaches_only_the_ingress_controller_on_443_through_cloudflare(seed_world: World) -> None:
    """The seed's ingress is `behind cloudflare`: Cloudflare's addresses reach the gateway's 443, no other
    public address reaches anything (a client skipping Cloudflare could forge the X-Forwarded-For the gateway trusts)."""
    cloudflare = "104.16.0.1"  # in 104.16.0.0/13, https://www.cloudflare.com/ips-v4
    pairs = seed_world.allowed((External(INTERNET_IP), External(cloudflare)))
    assert {(d, port, proto) for s, d, port, proto in pairs if s == cloudflare} == {("orion-ingress/edge-istio", 443, "TCP")}
    assert not [p for p in pairs if p[0] == INTERNET_IP]


def test_s33_ingress_controller_reaches_gateway_on_3000(seed_world: World) -> None:
    assert reach(seed_world, "edge", "gateway", 3000)
    assert not reach(seed_world, "edge", "auth", 3001)


def test_s37_no_private_or_metadata_egress(seed_world: World) -> None:
    pairs = seed_world.allowed((External(PRIVATE_IP), External(METADATA_IP)))
    assert not [p for p in pairs if p[1] == METADATA_IP]
    # only CloudNativePG's pods and Headlamp (`kubernetes_api on`) reach a private address: the API server's, on its ports
    private = {(seed_world.owner[src], port) for src, dst, port, _ in pairs if dst == PRIVATE_IP}
    assert private == {(name, port) for name in ("postgres", "pgbouncer", "dashboard") for port in (443, 6443)}


def test_s37_smtp_leaves_from_notification_on_587_and_from_the_egress_gateway_on_465(seed_world: World) -> None:
    """587 (STARTTLS, opaque, shared by two providers) cannot go through the gateway; 465 (implicit TLS) is routed by SNI."""
    smtp = {(peer, n) for peer, n, _ in _to_the_internet(seed_world) if n in (587, 465)}
    assert smtp == {("notification", 587), ("istio-egressgateway", 465)}


def _policy(objs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(o for o in objs if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == name)


def test_same_namespace_opens_an_operated_stores_client_port_to_other_engines_not_its_internal_ports(seed_world: World) -> None:
    # allow same-namespace (S32) lets orion-data's pods be each other's clients: PostgreSQL 5432 (replication
    # on it is refused by CloudNativePG's pg_hba to all but streaming_replica's TLS certificate), AMQP 5672,
    # Redis 6379; every engine's internal ports stay among its own pods (the allow-graph's peer edges).
    assert reach(seed_world, "rabbitmq", "postgres", 5432)
    assert not reach(seed_world, "rabbitmq", "postgres", 8000)  # the instance manager's status
    assert not reach(seed_world, "rabbitmq", "postgres", 9187)
    assert reach(seed_world, "redis", "rabbitmq", 5672)
    for internal in (4369, 25672, 15672, 15692):  # epmd, Erlang distribution, management, metrics
        assert not reach(seed_world, "redis", "rabbitmq", internal)
    assert not reach(seed_world, "postgres", "redis", 26379)  # Sentinel
    assert reach(seed_world, "rabbitmq", "rabbitmq", 25672)  # the nodes cluster among themselves
    assert reach(seed_world, "redis", "redis", 26379)  # Sentinels reach each other
