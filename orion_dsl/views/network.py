"""View ``network``: the edge, subnets with their CIDRs, pods placed by address, the mesh.

Workloads sit in their subnet's cluster labelled with their address range; arrows are the
allow-graph between workloads (scrapes dotted; same-namespace allowances are left to the
``policies`` view), the controller's routes to its hosts' targets, and the mesh control
plane's dotted "manages" arrows to every meshed workload. Scrape and "manages" arrows that
reach every pod of a subnet are drawn once, to the subnet.
"""

from __future__ import annotations

from orion_dsl.model import Described, Topology
from orion_dsl.views.common import INTERNET_ID, address_text, ingress_id, ingress_title, part_id, peer_id, workload_id, workload_tier
from orion_dsl.views.graph import Builder, Graph

_SUBNET_TIERS = ("ingress", "service", "data", "monitoring", "system")


def _edge(b: Builder, topology: Topology) -> str | None:
    """The edge pieces; returns the node traffic reaches the cluster from."""
    described = topology.edge
    b.node(INTERNET_ID, "End Users", "Internet", cls="external")
    if not described:
        return INTERNET_ID
    with b.cluster("edge", "Edge Network", "edge"):
        for d in described:
            b.node(part_id(d.kind, d.name), *_described_lines(d), cls="edge")
    last = INTERNET_ID
    for kind in ("cdn", "load_balancer"):
        for d in described:
            if d.kind == kind:
                b.link(last, part_id(kind, d.name))
                last = part_id(kind, d.name)
    regions = {d.name for d in described if d.kind == "region"}
    for d in described:
        if d.kind == "geodns":
            b.link(INTERNET_ID, part_id("geodns", d.name), "DNS lookup", style="dotted")
            for r in d.regions:
                if r in regions:
                    b.link(part_id("geodns", d.name), part_id("region", r), "routes", style="dotted")
    balancers = [d for d in described if d.kind == "load_balancer"]
    for d in described:
        if d.kind == "region" and balancers:
            b.link(part_id("region", d.name), part_id("load_balancer", balancers[0].name))
    return last


def _described_lines(d: Described) -> tuple[str, ...]:
    title = {"cdn": f"{d.name} CDN", "load_balancer": f"{d.name} Load Balancer", "geodns": f"{d.name} GeoDNS", "region": f"Region {d.name}"}.get(
        d.kind, f"{d.kind} {d.name}"
    )
    lines = [title, *d.provides]
    if d.regions:
        lines.append("regions: " + ", ".join(d.regions))
    if d.load_balancer:
        lines.append(d.load_balancer)
    if d.description:
        lines.append(d.description)
    return tuple(lines)


def _subnets(b: Builder, topology: Topology) -> dict[str, set[str]]:
    """Draw the subnets; returns each subnet's cluster id and the pods (workloads, ingress controller) drawn in it."""
    ingress = topology.ingress
    drawn: dict[str, set[str]] = {}
    for subnet in topology.subnets:
        members = [w for w in topology.workloads if w.subnet == subnet.name]
        has_ingress = ingress is not None and ingress.subnet == subnet.name
        tiers = [workload_tier(topology, w) for w in members] + (["ingress"] if has_ingress else [])
        tier = min(tiers, key=_SUBNET_TIERS.index) if tiers else "system"
        title = f"Subnet {subnet.name} - {subnet.cidr}" + (f" ({subnet.description})" if subnet.description else "")
        key = part_id("subnet", subnet.name)
        pods = drawn.setdefault(f"sg_{key}", set())
        with b.cluster(key, title, tier):
            if ingress is not None and has_ingress:
                address = str(ingress.address) if ingress.address else "any free address"
                pods.add(b.node(ingress_id(ingress.name), ingress_title(ingress), address, cls="ingress"))
            for w in members:
                pods.add(b.node(workload_id(w.name), f"{w.name} pods", address_text(w), cls=workload_tier(topology, w), group=title, counts="workload"))
            if not tiers:
                b.node(part_id("free", subnet.name), "(unused)", cls="plain")
    loose = [w for w in topology.workloads if w.subnet is None or w.subnet not in {s.name for s in topology.subnets}]
    if loose or (ingress is not None and not b.has(ingress_id(ingress.name))):
        with b.cluster("nosubnet", "No subnet assigned"):
            if ingress is not None and not b.has(ingress_id(ingress.name)):
                b.node(ingress_id(ingress.name), ingress_title(ingress), cls="ingress")
            for w in loose:
                b.node(workload_id(w.name), f"{w.name} pods", address_text(w), cls=workload_tier(topology, w), group="No subnet assigned", counts="workload")
    return drawn


def _links_by_subnet(b: Builder, subnets: dict[str, set[str]], source: str, targets: list[str], label: str = "") -> None:
    """Dotted arrows from ``source``: one to a whole subnet when every node in it is a target
    (and the source is outside it), else one per node — so scrapes and mesh control do not
    wind around every box."""
    rest = set(targets)
    for cluster, nodes in subnets.items():
        if nodes and source not in nodes and nodes <= rest:
            b.link(source, cluster, label, style="dotted")
            rest -= nodes
    for node in targets:
        if node in rest:
            b.link(source, node, label, style="dotted")


def build(topology: Topology) -> Graph:
    """The network topology view."""
    b = Builder("network", f"{topology.name}: network topology")
    entry = _edge(b, topology)
    with b.cluster("cluster", "Kubernetes Cluster Network"):
        subnets = _subnets(b, topology)
    mesh = topology.mesh
    meshed = [w for w in topology.workloads if w.meshed]
    if mesh is not None and meshed:
        with b.cluster("mesh", "Service Mesh - Istio", "control"):
            b.node("istiod", "Istio control plane (istiod)", "traffic management", "security (mTLS)", "observability", cls="control")
    b.node(
        "network_legend",
        "Legend",
        "solid: allowed connection",
        "dotted, unlabelled: Prometheus scrape",
        'dotted "manages": mesh control',
        "an arrow to a subnet: to every pod in it",
        cls="note",
        shape="note",
    )
    ingress = topology.ingress
    if ingress is not None and entry is not None:
        b.link(entry, ingress_id(ingress.name))
    seen: set[tuple[str, str]] = set()
    scrapes: dict[str, list[str]] = {}  # scraper -> the nodes it scrapes, in allow-graph order
    for e in topology.allow_graph.edges:
        if e.rule in ("same-namespace", "dns") or e.source.kind not in ("workload", "ingress") or e.target.kind != "workload":
            continue
        if e.rule == "scrape":
            scraped = scrapes.setdefault(peer_id(e.source), [])
            if peer_id(e.target) not in scraped:
                scraped.append(peer_id(e.target))
            continue
        key = (peer_id(e.source), peer_id(e.target))
        if key not in seen:
            seen.add(key)
            b.link(*key)
    for scraper, scraped in scrapes.items():
        _links_by_subnet(b, subnets, scraper, scraped)
    if mesh is not None and meshed:
        _links_by_subnet(b, subnets, "istiod", [workload_id(w.name) for w in meshed], "manages")
    return b.build()
