"""The allow-graph: which peer may reach which, on which port, and by which rule.

It is built once from the model; the NetworkPolicies, AuthorizationPolicies, Sidecars,
diagrams and docs are all drawn from it, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator

from orion_dsl import engines, model
from orion_dsl.analysis.exposed import exposed_edges
from orion_dsl.controllers import KEDA, KUBE_STATE_METRICS, KUBE_STATE_METRICS_PORT
from orion_dsl.diagnostics import Diagnostic, warning
from orion_dsl.model import API_SERVER, CLUSTER_DNS, INTERNET, AllowGraph, Edge, EdgeRule, Peer, PolicyRule, Port, Topology

DNS_PORTS = (Port("dns", 53, "UDP"), Port("dns-tcp", 53, "TCP"))
#: The API server listens on 443 (managed clusters) or 6443 (kubeadm); NetworkPolicies see the endpoint's port.
API_SERVER_PORTS = (Port("https", 443), Port("api", 6443))
HTTPS = Port("https", 443)
#: The port a meshed pod, or an Istio gateway pod, is scraped on: the Istio agent's status port, which serves the merged
#: (application + Envoy) metrics at /stats/prometheus outside mTLS. The injector rewrites the pod's
#: prometheus.io/port to it and keeps the application's endpoint in ISTIO_PROMETHEUS_ANNOTATIONS
#: (istio/istio@d5fcb2eeeba8824d16b7ff37f1ad3949acb1c77d pkg/kube/inject/webhook.go applyPrometheusMerge),
#: and excludes it from inbound capture (same file, excludeInboundPort), so no sidecar policy applies. Istio's
#: gateway pods declare it (``metrics``, kube-gateway.yaml) and serve the same endpoint.
MERGED_METRICS = Port("http-merged-metrics", 15020, "TCP")


def _peer(topology: Topology, name: str) -> Peer:
    w = topology.workload(name)
    if w is not None:
        return Peer("workload", w.name, w.namespace)
    return Peer("external", name)


def _pooled(topology: Topology, target: str, port: Port) -> tuple[str, Port, str | None]:
    """A call to a database with a connection pooler goes to the pooler (same port name)."""
    w = topology.workload(target)
    pooler = topology.pooler_of(w) if w is not None else None
    pooled = pooler.port(port.name) if pooler is not None else None
    if pooler is None or pooled is None:
        return target, port, None
    return pooler.name, pooled, target


def _declared(topology: Topology) -> Iterator[Edge]:
    """Edges the spec declares: calls, routes, ingress hosts, node-port and load-balancer Services."""
    for w in topology.workloads:
        src = Peer("workload", w.name, w.namespace)
        for route in w.routes:
            if route.target != w.name:
                target, port, via = _pooled(topology, route.target, route.port)
                yield Edge(src, _peer(topology, target), port, "route", via, span=route.span)
        if w.kubernetes_api:
            for port in API_SERVER_PORTS:
                yield Edge(src, API_SERVER, port, "call", span=w.span)
        for call in w.calls:
            if call.target == w.name:
                continue
            rule: EdgeRule = "pooler" if w.pooler_of == call.target else "call"
            target, port, via = (call.target, call.port, None) if rule == "pooler" else _pooled(topology, call.target, call.port)
            yield Edge(src, _peer(topology, target), port, rule, via, span=call.span)
    ingress = topology.ingress
    if ingress is not None:
        controller = Peer("ingress", ingress.name, ingress.namespace)
        for port in ingress.listen:
            yield Edge(INTERNET, controller, port, "internet")
        for host in ingress.hosts:
            yield Edge(controller, _peer(topology, host.target), host.port, "ingress", span=host.span)
    yield from exposed_edges(topology)


def _operated(topology: Topology) -> Iterator[Edge]:
    """Edges an operator needs: it reaches the pods it runs on its ports; CloudNativePG's pods reach the
    API server (the instance manager and the poolers watch their resources) and, with WAL archiving,
    the object store (the Barman Cloud sidecar uploads over HTTPS); a Prometheus reaches the API server
    to discover its targets."""
    for w in topology.workloads:
        if w.engine is None:
            continue
        found = engines.of(w, topology.monitoring)
        me = Peer("workload", w.name, w.namespace)
        operator = Peer("operator", found.operator, found.operator_namespace)
        if w.pooler_of is None:
            for port in w.ports:
                if port.number in found.operator_ports:
                    yield Edge(operator, me, port, "operator")
        if found.api_server:
            for port in API_SERVER_PORTS:
                yield Edge(me, API_SERVER, port, "operator")
        if w.engine == "cloudnative-pg":
            for target in dict.fromkeys(b.target for b in w.backups if b.continuous or b.every is not None):
                yield Edge(me, Peer("object-store", target), HTTPS, "operator")


def _keda_readers(topology: Topology) -> Iterator[Edge]:
    """KEDA's operator reads the depth of every queue a workload scales on, from its broker's AMQP port, and
    the ``pods`` metrics of a workload it scales on them, from the Prometheus's query port."""
    keda = Peer("operator", KEDA.name, KEDA.namespace)
    for w in topology.workloads:
        scraper = topology.pods_metrics_scraper(w)
        if scraper is not None and topology.monitoring is not None:
            yield Edge(keda, Peer("workload", scraper.name, scraper.namespace), engines.query_port(scraper, topology.monitoring), "operator", span=w.span)
        for q in w.autoscale.queues if w.autoscale is not None else ():
            broker = topology.workload(q.broker)
            if broker is not None:
                yield Edge(keda, Peer("workload", broker.name, broker.namespace), engines.amqp_port(broker), "operator", span=q.span)


def _implied(topology: Topology) -> Iterator[Edge]:
    """Edges that follow from settings: peers of a stateful set, scraping, DNS, same-namespace, explicit allows.
    Same-namespace opens each workload's client ports to the others (an operator's pods keep their
    replication, clustering and metrics ports to their own peers, their operator and Prometheus)."""
    yield from _operated(topology)
    yield from _keda_readers(topology)
    for w in topology.workloads:
        if w.kind == "statefulset" and w.max_replicas > 1 and (w.engine is None or engines.of(w, topology.monitoring).peers):
            me = Peer("workload", w.name, w.namespace)
            for port in w.ports:
                yield Edge(me, me, port, "peer")
    mon = topology.monitoring
    scraper = topology.workload(mon.scraper) if mon else None
    if mon is not None and scraper is not None:
        src = Peer("workload", scraper.name, scraper.namespace)
        alerting = topology.workload(mon.alerting) if mon.alerting else None
        if alerting is not None:
            for port in alerting.ports:
                if port.number == engines.ALERTMANAGER.metrics:  # alerts to Alertmanager's web port (first: the same port is scraped too)
                    yield Edge(src, Peer("workload", alerting.name, alerting.namespace), port, "alerting")
        for w in topology.workloads:
            if w.scraped and w.name != scraper.name:
                for port in w.ports:
                    if port.name == mon.port:
                        yield Edge(src, Peer("workload", w.name, w.namespace), port, "scrape")
        if mon.cluster_state_alerts:  # the exporter of the kube_* metrics the alerts read (a prerequisite)
            yield Edge(src, Peer("operator", KUBE_STATE_METRICS.name, KUBE_STATE_METRICS.namespace), KUBE_STATE_METRICS_PORT, "scrape")
        ing = topology.istio_gateway
        if ing is not None:  # Istio's gateway pods: their agent's metrics (the PodMonitor beside the scraper)
            yield Edge(src, Peer("ingress", ing.name, ing.namespace), MERGED_METRICS, "scrape", span=ing.span)
    for ns in topology.namespaces:
        if ns.same_namespace:
            members = topology.workloads_in(ns.name)
            for a in members:
                for b in members:
                    if a is not b:
                        for port in (p for p in b.ports if engines.serves_clients(b, topology.monitoring, p)):
                            yield Edge(Peer("workload", a.name, a.namespace), Peer("workload", b.name, b.namespace), port, "same-namespace")
    for rule in topology.network.allows:
        for src in _members(topology, rule.source):
            for dst in _members(topology, rule.target):
                for port in _ports(topology, dst.name):
                    if rule.port is None or port.known_as(rule.port):
                        yield Edge(src, dst, port, "allow", span=rule.span)
    if topology.network.dns:
        for w in topology.workloads:
            for port in DNS_PORTS:
                yield Edge(Peer("workload", w.name, w.namespace), CLUSTER_DNS, port, "dns")


def _members(topology: Topology, scope: str) -> tuple[Peer, ...]:
    """The peers a rule's scope names: one workload, one external, or every workload of a namespace."""
    w = topology.workload(scope)
    if w is not None:
        return (Peer("workload", w.name, w.namespace),)
    if topology.external(scope) is not None:
        return (Peer("external", scope),)
    return tuple(Peer("workload", x.name, x.namespace) for x in topology.workloads_in(scope))


def _in_scope(peer: Peer, scope: str) -> bool:
    return scope in (peer.name, peer.namespace)


def build_allow_graph(topology: Topology) -> tuple[AllowGraph, list[Diagnostic]]:
    """Compute the allow-graph, and warn of calls a deny rule blocks and allows with no caller."""
    diags: list[Diagnostic] = []
    edges: dict[tuple[Peer, Peer, int, str], Edge] = {}
    declared = list(_declared(topology))
    for edge in [*declared, *_implied(topology)]:
        denial = _denial(topology, edge)
        if denial is None:
            edges.setdefault((edge.source, edge.target, edge.port.number, edge.port.protocol), edge)
        elif edge.rule in ("call", "route", "ingress", "allow"):
            diags.append(
                warning(
                    "W0301",
                    edge.span,
                    f"{edge.source} calls {edge.via or edge.target}:{edge.port.name}, but no policy allows it: "
                    f"`deny {denial.source} -> {denial.target}` blocks it",
                    "remove the call, or narrow the deny rule",
                )
            )
    diags += _unused_allows(topology, declared)
    return AllowGraph(tuple(sorted(edges.values(), key=_drawing_order))), diags


def _denial(topology: Topology, edge: Edge) -> PolicyRule | None:
    """The first deny rule that removes the edge, if any."""
    return next(
        (
            d
            for d in topology.network.denies
            if _in_scope(edge.source, d.source) and _in_scope(edge.target, d.target) and (d.port is None or edge.port.known_as(d.port))
        ),
        None,
    )


def _unused_allows(topology: Topology, declared: list[Edge]) -> list[Diagnostic]:
    """W0302 for each allow rule that opens no path a call, route or ingress host declares."""
    callers = {(e.source.name, e.via or e.target.name, e.port.number) for e in declared}
    diags = []
    for rule in topology.network.allows:
        pairs = [(s.name, d.name) for s in _members(topology, rule.source) for d in _members(topology, rule.target)]
        used = any((s, d, p.number) in callers for s, d in pairs for p in _ports(topology, d) if rule.port is None or p.known_as(rule.port))
        if not used:
            diags.append(
                warning(
                    "W0302",
                    rule.span,
                    f"`allow {rule.source} -> {rule.target}{'' if rule.port is None else f':{rule.port}'}` opens a path nothing calls",
                    "remove the rule, or declare the call with `calls`",
                )
            )
    return diags


def _drawing_order(e: Edge) -> tuple[bool, str, str, str, str, int, str]:
    """Edges from the internet first, then by source, target and port."""
    return (
        e.source.kind != "internet",
        e.source.namespace or "",
        e.source.name,
        e.target.namespace or "",
        e.target.name,
        e.port.number,
        e.port.protocol,
    )


def _ports(topology: Topology, name: str) -> tuple[model.Port, ...]:
    """The ports of a workload or external (none for anything else)."""
    w = topology.workload(name)
    if w is not None:
        return w.ports
    e = topology.external(name)
    return e.ports if e else ()
