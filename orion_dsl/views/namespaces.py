"""View ``namespaces``: what each namespace holds, and which namespaces may reach which.

One node per namespace lists its kinds of objects by name; arrows are the allow-graph
folded to namespaces (A -> B when any peer of A may reach one of B), scrapes dotted.
"""

from __future__ import annotations

from collections import Counter

from orion_dsl.lowering import Plan, claims, lower
from orion_dsl.model import Namespace, Topology
from orion_dsl.views.common import ingress_title, kind_name, namespace_tier, part_id, wrap
from orion_dsl.views.graph import Builder, Graph
from orion_dsl.views.grouping import is_grouped

_TITLES = {
    "ingress": "Ingress resources",
    "service": "Application services",
    "data": "Data services",
    "monitoring": "Monitoring stack",
    "system": "System components",
}


def _names(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _plural(kind: str) -> str:
    """A kind's plural as Kubernetes spells its resource (``Deployments``, ``Prometheuses``)."""
    return kind + ("es" if kind.endswith("s") else "s")


def _holdings(plan: Plan, ns: Namespace) -> list[str]:
    topology = plan.topology
    workloads = topology.workloads_in(ns.name)
    lines: list[str] = []
    for kind in dict.fromkeys(kind_name(topology, w) for w in workloads):  # Deployment, StatefulSet, an operator's resource
        lines += wrap(f"- {_plural(kind)}: ", [w.name for w in workloads if kind_name(topology, w) == kind])
    if workloads:
        lines += wrap("- Services: ", [w.name for w in workloads])
        lines.append("- ServiceAccount per workload" if all(w.engine is None for w in workloads) else "- ServiceAccount per workload (the operators' own)")
    hpas = [w.name for w in workloads if w.autoscale is not None]
    if hpas:
        lines += wrap("- HPAs: ", hpas)
    configs = _names([v.source for w in workloads for v in w.volumes if v.kind == "config-map"] + [s.name for s in ns.shared if s.kind == "config"])
    secrets = _names([v.source for w in workloads for v in w.volumes if v.kind == "secret"] + [s.name for s in ns.shared if s.kind == "secret"])
    if configs:
        lines += wrap("- ConfigMaps: ", configs)
    if secrets:
        lines += wrap("- Secrets: ", secrets)
    readers = _names([r for s in ns.shared for r in s.readers])
    if readers:
        lines.append("- RBAC: Role + RoleBinding per shared object")
        lines += wrap("  readers: ", readers)
    claims = [f"{w.name} {s.size.text}" for w in workloads for s in w.storage]
    if claims:
        lines += wrap("- PVCs: ", claims)
    lines += _ingress_holdings(topology, ns)
    lines += _policy_lines(plan, ns)
    return lines


def _ingress_holdings(topology: Topology, ns: Namespace) -> list[str]:
    ingress = topology.ingress
    if ingress is None or ingress.namespace != ns.name:
        return []
    lines = [f"- {ingress_title(ingress)} x{ingress.replicas}"]
    if topology.issuers:
        lines += wrap("- cert-manager issuers: ", [i.name for i in topology.issuers])
        lines.append("- TLS Certificates")
    lines += wrap("- Ingress rules: ", list(dict.fromkeys(h.host for h in ingress.hosts)))
    return lines


def _policy_lines(plan: Plan, ns: Namespace) -> list[str]:
    policies = ["default deny", *(["same-namespace allowed"] if ns.same_namespace else [])]
    lines = ["- NetworkPolicies: " + ", ".join(policies)]
    if ns.mesh:
        lines.append("- Istio sidecar injection")
    q = ns.quota
    if q is not None:
        parts = [
            f"cpu {q.cpu.text}" if q.cpu else "",
            f"memory {q.memory.text}" if q.memory else "",
            f"pods {q.pods}" if q.pods is not None else "",
            f"PVCs {claims.quotas(plan)[ns.name]}" if q.volume_claims is not None else "",  # as the ResourceQuota says
        ]
        lines += wrap("- ResourceQuota: ", [p for p in parts if p])
    return lines


def _compact(plan: Plan, ns: Namespace) -> tuple[str, ...]:
    """A namespace in a grouped drawing: its name, what it is for, and how much it holds (the claims
    its objects make, counted from the plan as its quota counts them)."""
    topology = plan.topology
    workloads = topology.workloads_in(ns.name)
    tier = namespace_tier(topology, ns.name)
    hpas = sum(w.autoscale is not None for w in workloads)
    counts = f"{len(workloads):,} workloads, {hpas:,} HPAs, {claims.made(plan, ns.name):,} PVCs"
    return (ns.name, ns.description or _TITLES[tier], counts)


def build(topology: Topology, plan: Plan | None = None) -> Graph:
    """The namespace organisation view (one box per namespace; in a grouped drawing, without their
    lists). Claim counts are the lowering plan's (:mod:`orion_dsl.lowering.claims`), as the manifests':
    ``plan`` is the topology's when the caller has it (a compile), else the topology is lowered here."""
    if plan is None:
        plan, _ = lower(topology)
    b = Builder("namespaces", f"{topology.name}: namespaces and what they hold")
    known = {ns.name for ns in topology.namespaces}
    grouped = is_grouped(topology)
    with b.cluster("cluster", "Kubernetes Cluster"):
        for ns in topology.namespaces:
            tier = namespace_tier(topology, ns.name)
            if grouped:
                b.node(part_id("ns", ns.name), *_compact(plan, ns), cls=tier)
                continue
            with b.cluster(part_id("ns", ns.name), ns.name, tier):
                title = ns.description or _TITLES[tier]
                b.node(part_id("ns", ns.name), title, *_holdings(plan, ns), cls=tier)
    reach: dict[tuple[str, str], Counter[str]] = {}
    for e in topology.allow_graph.edges:
        src, dst = e.source.namespace, e.target.namespace
        if src is None or dst is None or src == dst or src not in known or dst not in known:
            continue
        reach.setdefault((src, dst), Counter())["scrape" if e.rule == "scrape" else "reach"] += 1
    order = {ns.name: i for i, ns in enumerate(topology.namespaces)}
    for (src, dst), kinds in sorted(reach.items(), key=lambda item: (order[item[0][0]], order[item[0][1]])):
        if kinds["reach"]:
            b.link(part_id("ns", src), part_id("ns", dst), weight=kinds["reach"])
        if kinds["scrape"]:
            b.link(part_id("ns", src), part_id("ns", dst), "scrapes", style="dotted", weight=kinds["scrape"])
    return b.build()
