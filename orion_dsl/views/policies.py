"""View ``policies``: the allow-graph exactly, drawn as few arrows as it can be without loss.

Each arrow carries every port its pairs may use (``http 3001``); scrape-only pairs are
dotted, DNS lookups grey. Peers are grouped by namespace; externals, the internet and
cluster DNS sit apart. Two shorthands keep the picture legible and stay exact:

* DNS from a namespace whose every pod has the same DNS ports is one grey arrow leaving
  the namespace box (a compound edge: it stands for one arrow from each pod in it);
* where a namespace allows same-namespace traffic, an "any other pod" node inside it
  (id ``anypod_<namespace>``) sends one arrow to each pod that every other pod of the
  namespace reaches on the same ports: it stands for one arrow from each *other* pod.

A notes node states the posture (default deny, internet deny or allow, explicit denies).
"""

from __future__ import annotations

from orion_dsl.model import Edge, Peer, Topology
from orion_dsl.views.common import external_id, ingress_title, namespace_tier, part_id, peer_id, port_text, workload_tier, wrap
from orion_dsl.views.graph import Builder, Graph, node_id_part

#: Id prefix of the node that stands for every other pod of a same-namespace namespace.
ANY_POD = "anypod_"

Pair = tuple[Peer, Peer]


def pairs(topology: Topology) -> dict[Pair, list[Edge]]:
    """The allow-graph's edges grouped by (source, target) peer pair, in graph order."""
    grouped: dict[tuple[Peer, Peer], list[Edge]] = {}
    for e in topology.allow_graph.edges:
        grouped.setdefault((e.source, e.target), []).append(e)
    return grouped


def _notes(topology: Topology) -> tuple[str, ...]:
    net = topology.network
    lines = ["Network policy posture"]
    lines.append("Default deny: all ingress and egress")
    if net.internet:
        lines.append("Internet egress open: any public")
        lines.append("  address, any port (internet allow)")
    else:
        lines.append("Direct internet egress denied;")
        lines.append("  only allow-listed externals")
    if net.dns:
        lines.append("DNS :53 UDP+TCP allowed for every pod")
    same = [ns.name for ns in topology.namespaces if ns.same_namespace]
    if same:
        lines += wrap("Same-namespace traffic allowed in: ", same)
    for rule in net.denies:
        port = f" :{rule.port}" if rule.port is not None else ""
        lines.append(f"Denied: {rule.source} -> {rule.target}{port}")
    rules = {e.rule for e in topology.allow_graph.edges}
    if "scrape" in rules:
        lines.append("Dotted arrows: Prometheus scrapes")
    if "dns" in rules:
        lines.append("Grey arrows: DNS lookups; from a namespace")
        lines.append("  box: from every pod in it")
    if any(ns.same_namespace for ns in topology.namespaces):
        lines.append("'any other pod': every other pod")
        lines.append("  of that namespace")
    return tuple(lines)


def _peers(b: Builder, topology: Topology, peers: list[Peer], any_pod: set[str]) -> None:
    ingress = next((p for p in peers if p.kind == "ingress"), None)
    if any(p.kind == "internet" for p in peers):
        b.node(peer_id(next(p for p in peers if p.kind == "internet")), "Internet", cls="external")
    for ns in topology.namespaces:
        members = topology.workloads_in(ns.name)
        holds_ingress = ingress is not None and ingress.namespace == ns.name
        if not members and not holds_ingress:
            continue
        title = f"Namespace {ns.name}"
        with b.cluster(part_id("ns", ns.name), title, namespace_tier(topology, ns.name)):
            if ingress is not None and holds_ingress:
                b.node(peer_id(ingress), ingress_title(topology.ingress) if topology.ingress is not None else ingress.name, cls="ingress")
            for w in members:
                b.node(peer_id(Peer("workload", w.name, w.namespace)), w.name, cls=workload_tier(topology, w), group=title, counts="workload")
            if ns.name in any_pod:
                b.node(f"{ANY_POD}{node_id_part(ns.name)}", "any other pod", f"in {ns.name}", cls="plain", shape="round", group=title)
    for p in peers:
        if p.kind == "ingress" and not b.has(peer_id(p)):
            b.node(peer_id(p), ingress_title(topology.ingress) if topology.ingress is not None else p.name, cls="ingress")
    for p in peers:
        if p.kind == "dns":
            with b.cluster(part_id("dnsns", p.namespace or p.name), f"Namespace {p.namespace}" if p.namespace else "Cluster DNS", "system"):
                b.node(peer_id(p), p.name, "cluster DNS", cls="system")
    for p in peers:
        if p.kind == "operator":
            with b.cluster(part_id("opns", p.namespace or p.name), f"Namespace {p.namespace}", "system"):
                b.node(peer_id(p), p.name, "operator", cls="system")
        elif p.kind == "api-server":
            b.node(peer_id(p), "Kubernetes API server", cls="system")
        elif p.kind == "object-store":
            b.node(peer_id(p), p.name, "object store", cls="external")
    externals = [p for p in peers if p.kind == "external"]
    if externals:
        with b.cluster("externals", "Allow-listed external services", "external"):
            for p in externals:
                ext = topology.external(p.name)
                lines = (*ext.hosts, *((ext.description,) if ext.description else ())) if ext is not None else ()
                b.node(external_id(p.name), p.name, *lines, cls="external")


def _order(pair_keys: list[tuple[Peer, Peer]]) -> list[Peer]:
    """Every peer, in the order the allow-graph first names it."""
    seen: dict[Peer, None] = {}
    for src, dst in pair_keys:
        seen.setdefault(src)
        seen.setdefault(dst)
    return list(seen)


def _label(edges: list[Edge]) -> str:
    return ", ".join(dict.fromkeys(port_text(e.port) for e in edges))


def _members(topology: Topology, namespace: str) -> list[Peer]:
    return [Peer("workload", w.name, w.namespace) for w in topology.workloads_in(namespace)]


def _dns_from_namespaces(b: Builder, topology: Topology, grouped: dict[Pair, list[Edge]]) -> set[Pair]:
    """One grey arrow per namespace whose every pod has the same DNS ports; the pairs it covers."""
    covered: set[Pair] = set()
    lookups = [(src, dst) for (src, dst) in grouped if dst.kind == "dns"]
    for ns in topology.namespaces:
        members = _members(topology, ns.name)
        holds_ingress = topology.ingress is not None and topology.ingress.namespace == ns.name
        if not members or holds_ingress:
            continue
        inside = set(members)
        targets = {dst for (src, dst) in lookups if src in inside}
        for dns in sorted(targets, key=lambda p: p.name):
            labels = {_label(grouped[(m, dns)]) if (m, dns) in grouped else None for m in members}
            if len(labels) == 1 and None not in labels:
                b.link(f"sg_{part_id('ns', ns.name)}", peer_id(dns), labels.pop() or "", faint=True)
                covered |= {(m, dns) for m in members}
    return covered


def _any_pod_targets(topology: Topology, grouped: dict[Pair, list[Edge]]) -> dict[str, list[Peer]]:
    """Per same-namespace namespace (3+ pods): the pods every other pod of it reaches on the same ports."""
    plan: dict[str, list[Peer]] = {}
    for ns in topology.namespaces:
        members = _members(topology, ns.name)
        if not ns.same_namespace or len(members) < 3:
            continue
        for target in members:
            labels = {_label(grouped[(m, target)]) if (m, target) in grouped else None for m in members if m != target}
            if len(labels) == 1 and None not in labels:
                plan.setdefault(ns.name, []).append(target)
    return plan


def _any_pod_links(b: Builder, topology: Topology, grouped: dict[Pair, list[Edge]], plan: dict[str, list[Peer]]) -> set[Pair]:
    """One arrow from each "any other pod" node to each planned target; the pairs they cover."""
    covered: set[Pair] = set()
    for ns, targets in plan.items():
        members = _members(topology, ns)
        for target in targets:
            sources = [(m, target) for m in members if m != target]
            scrape_only = all(e.rule == "scrape" for p in sources for e in grouped[p])
            b.link(f"{ANY_POD}{node_id_part(ns)}", peer_id(target), _label(grouped[sources[0]]), style="dotted" if scrape_only else "solid")
            covered |= set(sources)
    return covered


def build(topology: Topology) -> Graph:
    """The network policy view: exactly the allow-graph."""
    b = Builder("policies", f"{topology.name}: allowed connections (network policies)", "LR")
    grouped = pairs(topology)
    plan = _any_pod_targets(topology, grouped)
    _peers(b, topology, _order(list(grouped)), set(plan))
    b.node("policy_notes", *_notes(topology), cls="note", shape="note")
    covered = _dns_from_namespaces(b, topology, grouped) | _any_pod_links(b, topology, grouped, plan)
    for (src, dst), edges in grouped.items():
        if (src, dst) in covered:
            continue
        scrape_only = all(e.rule == "scrape" for e in edges)
        b.link(peer_id(src), peer_id(dst), _label(edges), style="dotted" if scrape_only else "solid", faint=dst.kind == "dns")
    return b.build()
