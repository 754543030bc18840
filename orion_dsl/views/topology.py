"""View ``topology``: external access -> ingress -> namespaces (workloads, services, HPAs) -> storage.

The seed's first figure: each workload as its Deployment/StatefulSet, its Service and its
autoscaler; calls and routes from the allow-graph as arrows from a workload to the
Service it reaches; cert-manager's certificates as a dotted arrow to the controller; the internet's
arrow to the Service of a workload exposed on a node port or load balancer.
"""

from __future__ import annotations

from orion_dsl.engines import has_headless_service
from orion_dsl.model import Topology, Workload
from orion_dsl.views.common import (
    INTERNET_ID,
    SERVICE_TYPES,
    exposed_workloads,
    exposure_text,
    ingress_id,
    ingress_title,
    kind_name,
    namespace_tier,
    part_id,
    peer_id,
    workload_id,
    workload_tier,
)
from orion_dsl.views.graph import Builder, Graph

_REACH_RULES = ("call", "route", "pooler", "allow")


def _service_lines(w: Workload) -> tuple[str, ...]:
    kind = "Headless + ClusterIP" if has_headless_service(w) else SERVICE_TYPES[w.service_type]
    return (f"{w.name} Service", f"{kind} :{w.container.ports[0].service_port}" if w.container.ports else kind)


def _workload(b: Builder, topology: Topology, w: Workload) -> None:
    tier = workload_tier(topology, w)
    about = (w.description,) if w.description else ()
    group = _group(w)
    replicas = ", ".join(f"{v.name} x{v.replicas}" for v in w.versions) if w.versions else str(w.replicas)
    b.node(workload_id(w.name), f"{w.name} {kind_name(topology, w)}", *about, f"Replicas: {replicas}", cls=tier, group=group, counts="workload")
    if w.ports:  # a workload without a port has no ClusterIP Service
        b.node(part_id("svc", w.name), *_service_lines(w), cls=tier, group=group, counts="Service")
    if w.autoscale is not None:
        b.node(part_id("hpa", w.name), f"{w.name} HPA", f"Min: {w.autoscale.min}, Max: {w.autoscale.max}", cls="hpa", group=group, counts="HPA")


def _entry(topology: Topology, name: str) -> str:
    """The box traffic to a workload arrives at: its Service, or the workload when it has none."""
    w = topology.workload(name)
    return part_id("svc", name) if w is None or w.ports else workload_id(name)


def _group(w: Workload) -> str:
    """The group of a workload's boxes when the view is drawn by group: its namespace."""
    return f"Namespace: {w.namespace}"


def _external(b: Builder, topology: Topology) -> str:
    with b.cluster("external", "External Access", "external"):
        b.node(INTERNET_ID, "Internet", cls="external")
        last = INTERNET_ID
        for d in topology.edge:
            if d.kind == "cdn":
                cdn = b.node(part_id("cdn", d.name), f"{d.name} CDN", *d.provides, cls="external")
                b.link(last, cdn)
                last = cdn
    return last


def build(topology: Topology) -> Graph:
    """The deployment topology view."""
    b = Builder("topology", f"{topology.name}: Kubernetes deployment topology")
    entry = _external(b, topology)
    ingress = topology.ingress
    with b.cluster("cluster", "Kubernetes Cluster"):
        for ns in topology.namespaces:
            is_ingress = ingress is not None and ingress.namespace == ns.name
            title = f"Ingress Layer: {ns.name}" if is_ingress else f"Namespace: {ns.name}"
            with b.cluster(part_id("ns", ns.name), title, namespace_tier(topology, ns.name)):
                if ingress is not None and is_ingress:
                    b.node(ingress_id(ingress.name), ingress_title(ingress), f"Replicas: {ingress.replicas}", cls="ingress")
                    if topology.issuers:
                        b.node("certmgr", "cert-manager", *(f"issuer {i.name}" for i in topology.issuers), cls="ingress")
                for w in topology.workloads_in(ns.name):
                    _workload(b, topology, w)
                if not topology.workloads_in(ns.name) and not is_ingress:
                    b.node(part_id("empty", ns.name), "(no workloads)", cls="plain")
        claims = [(w, s) for w in topology.workloads for s in w.storage]
        if claims:
            with b.cluster("storage", "Storage", "storage"):
                for w, s in claims:
                    size = f"{s.size.text} {s.storage_class}" if s.storage_class else s.size.text
                    b.node(
                        part_id("pvc", f"{w.name}-{s.name}"),
                        "PersistentVolumeClaim",
                        f"{w.name} {s.name}",
                        size,
                        cls="storage",
                        shape="cylinder",
                        group=_group(w),
                        counts="PVC",
                    )
    _links(b, topology, entry)
    return b.build()


def _links(b: Builder, topology: Topology, entry: str) -> None:
    ingress = topology.ingress
    if ingress is not None:
        b.link(entry, ingress_id(ingress.name))
        targets: dict[str, list[str]] = {}
        for host in ingress.hosts:
            targets.setdefault(host.target, []).append(host.host)
        for target, hosts in targets.items():
            b.link(ingress_id(ingress.name), _entry(topology, target), ", ".join(dict.fromkeys(hosts)))
        if topology.issuers:
            b.link("certmgr", ingress_id(ingress.name), "TLS certs", style="dotted")
    for w in topology.workloads:
        if w.ports:
            b.link(part_id("svc", w.name), workload_id(w.name))
        if w.autoscale is not None:
            b.link(part_id("hpa", w.name), workload_id(w.name), "scales", style="dotted")
    for exposed in exposed_workloads(topology):
        b.link(entry, part_id("svc", exposed.name), exposure_text(exposed))
    seen: set[tuple[str, str]] = set()
    for e in topology.allow_graph.between_workloads():
        pair = (e.source.name, e.target.name)
        if e.rule in _REACH_RULES and e.source.name != e.target.name and pair not in seen:
            seen.add(pair)
            b.link(peer_id(e.source), _entry(topology, e.target.name))
    for w in topology.workloads:
        for s in w.storage:
            b.link(workload_id(w.name), part_id("pvc", f"{w.name}-{s.name}"))
