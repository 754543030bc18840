"""A Sidecar per meshed namespace: egress limited to the allow-graph, unknown hosts blocked (S37).

The Sidecar's egress hosts are what the allow-graph lets the namespace's workloads reach:
the Services of the workloads they call (a pooled database's own Service, ``edge.via``),
cluster DNS, the hosts of the externals they call (their ServiceEntries live in the root
namespace) and, for externals routed through the egress gateway, the gateway's Service and
the routing VirtualService's host in the gateway's namespace. ``istio-system/*`` stays
imported because the telemetry providers the proxies report to (tracing collectors) must be
visible to them; what the root namespace shares is limited by each object's ``exportTo``.
With ``REGISTRY_ONLY`` any other host is unknown to the sidecar and refused.
"""

from __future__ import annotations

from orion_dsl.backends.istio.names import NETWORKING, ROOT_NAMESPACE, Obj, egress_host, meshed_namespaces, obj, service_host
from orion_dsl.model import Edge, Topology


def _hosts_of(topology: Topology, edge: Edge) -> set[str]:
    """``<namespace>/<host>`` entries one allow-graph edge needs in its caller's Sidecar."""
    target = edge.target
    if target.kind == "workload":
        return {f"{target.namespace}/{service_host(edge.via or target.name, target.namespace or '')}"}
    if target.kind == "dns":
        return {f"{target.namespace}/{service_host(target.name, target.namespace or '')}"}
    external = topology.external(target.name) if target.kind == "external" else None
    if external is None:
        return set()
    hosts = {f"{ROOT_NAMESPACE}/{h}" for h in external.hosts}
    gateway = topology.mesh.egress_gateway if topology.mesh else None
    if external.via_egress_gateway and gateway is not None:
        hosts.update(f"{gateway.namespace}/{h}" for h in external.hosts)
        hosts.add(f"{gateway.namespace}/{egress_host(gateway.namespace)}")
    return hosts


def sidecar_hosts(topology: Topology, namespace: str) -> list[str]:
    """Everything the allow-graph lets the namespace's workloads reach, plus the root namespace, sorted."""
    hosts = {f"{ROOT_NAMESPACE}/*"}
    for edge in topology.allow_graph.edges:
        if edge.source.kind == "workload" and edge.source.namespace == namespace:
            hosts |= _hosts_of(topology, edge)
    return sorted(hosts)


def sidecars(topology: Topology) -> list[Obj]:
    """One Sidecar per meshed namespace with ``outboundTrafficPolicy: REGISTRY_ONLY``."""
    return [
        obj(
            NETWORKING,
            "Sidecar",
            "default",
            ns,
            {"egress": [{"hosts": sidecar_hosts(topology, ns)}], "outboundTrafficPolicy": {"mode": "REGISTRY_ONLY"}},
        )
        for ns in meshed_namespaces(topology)
    ]
