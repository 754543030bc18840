"""View ``namespaces``: what each namespace holds, and which namespaces may reach which.

One node per namespace lists its kinds of objects by name; arrows are the allow-graph
folded to namespaces (A -> B when any peer of A may reach one of B), scrapes dotted.
"""

from __future__ import annotations

from orion_dsl.model import Namespace, Topology
from orion_dsl.views.common import namespace_tier, part_id, wrap
from orion_dsl.views.graph import Builder, Graph
from orion_dsl.views.grouping import is_grouped

_TITLES = {
    "ingress": "Ingress resources",
    "service": "Application services",
    "data": "Data services",
    "monitoring": "Monitoring stack",
    "system": "System components",
}


def _counted(prefix: str, names: list[str]) -> list[str]:
    """How many names a list holds, for a topology too big to name them all (see :mod:`~orion_dsl.views.grouping`)."""
    return [f"{prefix}{len(names):,}"]


def _names(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _holdings(topology: Topology, ns: Namespace) -> list[str]:
    workloads = topology.workloads_in(ns.name)
    listed = _counted if is_grouped(topology) else wrap
    lines: list[str] = []
    for kind, title in (("deployment", "Deployments"), ("statefulset", "StatefulSets")):
        names = [w.name for w in workloads if w.kind == kind]
        if names:
            lines += listed(f"- {title}: ", names)
    if workloads:
        lines += listed("- Services: ", [w.name for w in workloads])
        lines.append("- ServiceAccount per workload")
    hpas = [w.name for w in workloads if w.autoscale is not None]
    if hpas:
        lines += listed("- HPAs: ", hpas)
    configs = _names([v.source for w in workloads for v in w.volumes if v.kind == "config-map"] + [s.name for s in ns.shared if s.kind == "config"])
    secrets = _names([v.source for w in workloads for v in w.volumes if v.kind == "secret"] + [s.name for s in ns.shared if s.kind == "secret"])
    if configs:
        lines += listed("- ConfigMaps: ", configs)
    if secrets:
        lines += listed("- Secrets: ", secrets)
    readers = _names([r for s in ns.shared for r in s.readers])
    if readers:
        lines.append("- RBAC: Role + RoleBinding per shared object")
        lines += listed("  readers: ", readers)
    claims = [f"{w.name} {s.size.text}" for w in workloads for s in w.storage]
    if claims:
        lines += listed("- PVCs: ", claims)
    lines += _ingress_holdings(topology, ns)
    lines += _policy_lines(topology, ns)
    return lines


def _ingress_holdings(topology: Topology, ns: Namespace) -> list[str]:
    ingress = topology.ingress
    if ingress is None or ingress.namespace != ns.name:
        return []
    lines = [f"- {ingress.name} Ingress Controller x{ingress.replicas}"]
    if topology.issuers:
        lines += wrap("- cert-manager issuers: ", [i.name for i in topology.issuers])
        lines.append("- TLS Certificates")
    lines += wrap("- Ingress rules: ", [h.host for h in ingress.hosts])
    return lines


def _policy_lines(topology: Topology, ns: Namespace) -> list[str]:
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
            f"PVCs {q.volume_claims}" if q.volume_claims is not None else "",
        ]
        lines += wrap("- ResourceQuota: ", [p for p in parts if p])
    return lines


def build(topology: Topology) -> Graph:
    """The namespace organisation view."""
    b = Builder("namespaces", f"{topology.name}: namespaces and what they hold")
    known = {ns.name for ns in topology.namespaces}
    with b.cluster("cluster", "Kubernetes Cluster"):
        for ns in topology.namespaces:
            tier = namespace_tier(topology, ns.name)
            with b.cluster(part_id("ns", ns.name), ns.name, tier):
                title = ns.description or _TITLES[tier]
                b.node(part_id("ns", ns.name), title, *_holdings(topology, ns), cls=tier)
    reach: dict[tuple[str, str], set[str]] = {}
    for e in topology.allow_graph.edges:
        src, dst = e.source.namespace, e.target.namespace
        if src is None or dst is None or src == dst or src not in known or dst not in known:
            continue
        reach.setdefault((src, dst), set()).add("scrape" if e.rule == "scrape" else "reach")
    order = [ns.name for ns in topology.namespaces]
    for (src, dst), kinds in sorted(reach.items(), key=lambda item: (order.index(item[0][0]), order.index(item[0][1]))):
        if "reach" in kinds:
            b.link(part_id("ns", src), part_id("ns", dst))
        if "scrape" in kinds:
            b.link(part_id("ns", src), part_id("ns", dst), "scrapes", style="dotted")
    return b.build()
