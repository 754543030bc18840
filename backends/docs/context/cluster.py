"""Sections about the cluster's shape: topology, namespaces, network and addresses, security layers, edge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orion_dsl.backends.docs.context.text import NONE, cores, count, image_text, onoff, ports, replica_text, service_kind, table
from orion_dsl.backends.docs.markdown import code, join, md, text
from orion_dsl.model import Topology
from orion_dsl.views.common import kind_name
from orion_dsl.views.numbers import value_range


def topology(t: Topology) -> dict[str, Any]:
    """The document's title, description and version facts."""
    rows = [
        (w.name, kind_name(t, w), w.namespace, replica_text(w), image_text(w), ports(w.ports), service_kind(w), text(w.description) or NONE)
        for w in t.workloads
    ]
    return {
        "workloads": table(("Workload", "Kind", "Namespace", "Replicas", "Image", "Ports", "Service", "Description"), rows),
        "count": count(len(t.workloads), "workload"),
    }


def namespaces(t: Topology, claims: Mapping[str, int]) -> dict[str, Any]:
    """Namespaces with what they hold, quotas (``claims``: each quota's volume claims as its
    ResourceQuota admits them) and shared objects."""
    rows = []
    for ns in t.namespaces:
        names = ", ".join(w.name for w in t.workloads_in(ns.name)) or NONE
        if t.ingress is not None and t.ingress.namespace == ns.name:
            names = f"{t.ingress.name} ingress controller" if names == NONE else f"{names}, {t.ingress.name} ingress controller"
        labels = join(", ", (code(f"{k}={v}") for k, v in ns.labels)) or NONE
        rows.append(
            (
                ns.name,
                onoff(ns.mesh),
                ns.subnet or NONE,
                labels,
                "allowed" if ns.same_namespace else "denied",
                names,
                text(ns.description) or NONE,
            )
        )
    quotas = []
    for ns in t.namespaces:
        q = ns.quota
        if q is not None:
            quotas.append(
                (
                    ns.name,
                    cores(q.cpu) if q.cpu else NONE,
                    q.memory.text if q.memory else NONE,
                    str(q.pods) if q.pods is not None else NONE,
                    str(claims[ns.name]) if q.volume_claims is not None else NONE,
                )
            )
    shared = [(ns.name, s.name, "ConfigMap" if s.kind == "config" else "Secret", ", ".join(s.readers) or NONE) for ns in t.namespaces for s in ns.shared]
    return {
        "table": table(("Namespace", "Mesh injection", "Subnet", "Labels", "Same-namespace traffic", "Workloads", "Description"), rows),
        "quotas": table(("Namespace", "CPU", "Memory", "Pods", "Volume claims"), quotas),
        "shared": table(("Namespace", "Name", "Kind", "Readers (read access by RBAC)"), shared),
    }


def network(t: Topology) -> dict[str, Any]:
    """Subnets and the address plan."""
    rows = []
    for subnet in t.subnets:
        members = 0
        if t.ingress is not None and t.ingress.subnet == subnet.name:
            members += 1
            # The controller's address is its load balancer's, not a pool its pods draw from.
            fronting = t.fronting_load_balancer()
            role = f"the ingress's address behind the load balancer {fronting}" if fronting else "load-balancer address"
            address = f"{t.ingress.address} ({role})" if t.ingress.address else "any (subnet pool)"
            rows.append((subnet.name, str(subnet.cidr), f"{t.ingress.name} (ingress controller)", address, NONE, str(t.ingress.replicas)))
        for w in t.workloads:
            if w.subnet != subnet.name:
                continue
            members += 1
            if w.addresses is None:
                rows.append((subnet.name, str(subnet.cidr), w.name, "any (subnet pool)", NONE, str(w.max_replicas)))
            else:
                low, high = w.addresses
                size = int(high) - int(low) + 1
                rows.append((subnet.name, str(subnet.cidr), w.name, value_range(low, high), str(size), str(w.max_replicas)))
        if members == 0:
            rows.append((subnet.name, str(subnet.cidr), NONE, NONE, NONE, NONE))
    subnets = [(s.name, str(s.cidr), str(s.cidr.num_addresses), text(s.description) or NONE) for s in t.subnets]
    return {
        "subnets": table(("Subnet", "CIDR", "Addresses", "Description"), subnets),
        "addresses": table(("Subnet", "CIDR", "Workload", "Address range", "Pool size", "Max replicas"), rows),
    }


def security(t: Topology) -> dict[str, Any]:
    """The six security layers and their measures."""
    layers = [
        {"number": i, "name": layer.name.capitalize(), "measures": tuple(text(m) for m in layer.measures)} for i, layer in enumerate(t.security_layers, start=1)
    ]
    return {"layers": layers}


def edge(t: Topology) -> dict[str, Any]:
    """The described-only pieces in front of the cluster."""
    names = {"cdn": "CDN", "load_balancer": "Load balancer", "geodns": "GeoDNS", "region": "Region"}
    rows = []
    for d in t.edge:
        detail: list[str] = [text(d.description)] if d.description else []
        if d.provides:
            detail.append(md("provides {}", ", ".join(d.provides)))
        if d.regions:
            detail.append("routes to regions " + ", ".join(d.regions))
        if d.load_balancer:
            detail.append(md("regional load balancer {}", d.load_balancer))
        rows.append((names.get(d.kind, d.kind), d.name, join("; ", detail) or NONE))
    return {"table": table(("Component", "Name", "Details"), rows)}
