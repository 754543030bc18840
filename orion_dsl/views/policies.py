"""View ``policies``: the allow-graph exactly, one arrow per (source, target) peer pair.

Each arrow carries every port the pair may use (``http 3001``); scrape-only pairs are
dotted. Peers are grouped by namespace; externals, the internet and cluster DNS sit
apart. A notes node states the posture (default deny, internet deny, explicit denies).
"""

from __future__ import annotations

from orion_dsl.model import Edge, Peer, Topology
from orion_dsl.views.common import external_id, namespace_tier, part_id, peer_id, port_text, workload_tier, wrap
from orion_dsl.views.graph import Builder, Graph


def pairs(topology: Topology) -> dict[tuple[Peer, Peer], list[Edge]]:
    """The allow-graph's edges grouped by (source, target) peer pair, in graph order."""
    grouped: dict[tuple[Peer, Peer], list[Edge]] = {}
    for e in topology.allow_graph.edges:
        grouped.setdefault((e.source, e.target), []).append(e)
    return grouped


def _notes(topology: Topology) -> tuple[str, ...]:
    net = topology.network
    lines = ["Network policy posture"]
    lines.append("Default deny: all ingress and egress" if net.default_deny else "No default deny")
    if net.internet_deny:
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
        lines.append("Grey arrows: DNS lookups")
    return tuple(lines)


def _peers(b: Builder, topology: Topology, peers: list[Peer]) -> None:
    ingress = next((p for p in peers if p.kind == "ingress"), None)
    if any(p.kind == "internet" for p in peers):
        b.node(peer_id(next(p for p in peers if p.kind == "internet")), "Internet", cls="external")
    for ns in topology.namespaces:
        members = topology.workloads_in(ns.name)
        holds_ingress = ingress is not None and ingress.namespace == ns.name
        if not members and not holds_ingress:
            continue
        with b.cluster(part_id("ns", ns.name), f"Namespace {ns.name}", namespace_tier(topology, ns.name)):
            if ingress is not None and holds_ingress:
                b.node(peer_id(ingress), f"{ingress.name} Ingress Controller", cls="ingress")
            for w in members:
                b.node(peer_id(Peer("workload", w.name, w.namespace)), w.name, cls=workload_tier(topology, w))
    for p in peers:
        if p.kind == "ingress" and not b.has(peer_id(p)):
            b.node(peer_id(p), f"{p.name} Ingress Controller", cls="ingress")
    for p in peers:
        if p.kind == "dns":
            with b.cluster(part_id("dnsns", p.namespace or p.name), f"Namespace {p.namespace}" if p.namespace else "Cluster DNS", "system"):
                b.node(peer_id(p), p.name, "cluster DNS", cls="system")
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


def build(topology: Topology) -> Graph:
    """The network policy view: exactly the allow-graph."""
    b = Builder("policies", f"{topology.name}: allowed connections (network policies)", "LR")
    grouped = pairs(topology)
    _peers(b, topology, _order(list(grouped)))
    b.node("policy_notes", *_notes(topology), cls="note", shape="note")
    for (src, dst), edges in grouped.items():
        scrape_only = all(e.rule == "scrape" for e in edges)
        label = ", ".join(dict.fromkeys(port_text(e.port) for e in edges))
        b.link(peer_id(src), peer_id(dst), label, style="dotted" if scrape_only else "solid", faint=dst.kind == "dns")
    return b.build()
