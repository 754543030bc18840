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

from orion_dsl.backends.istio.names import Obj, host, obj, sidecar_import
from orion_dsl.lowering import Plan, Planned, Role, egress
from orion_dsl.lowering.names import ISTIO_ROOT_NAMESPACE, service_host
from orion_dsl.model import Edge

#: The Service in front of the Kubernetes API server (every cluster has it: ``kubernetes.default.svc``).
KUBERNETES_SERVICE = "kubernetes"
KUBERNETES_SERVICE_NAMESPACE = "default"


def _hosts_of(plan: Plan, edge: Edge) -> set[str]:
    """``<namespace>/<host>`` entries one allow-graph edge needs in its caller's Sidecar."""
    topology = plan.topology
    target = edge.target
    called = topology.workload(edge.via or target.name) if target.kind == "workload" else None
    if called is not None:
        service = plan.get(Role.SERVICE, called)
        return {sidecar_import(service.namespace, host(service))}
    if target.kind == "api-server":  # the `kubernetes` Service, which Istio's registry holds like any other
        return {sidecar_import(KUBERNETES_SERVICE_NAMESPACE, service_host(KUBERNETES_SERVICE, KUBERNETES_SERVICE_NAMESPACE))}
    if target.kind == "dns":
        namespace = target.namespace or ""
        return {sidecar_import(namespace, service_host(target.name, namespace))}
    external = topology.external(target.name) if target.kind == "external" else None
    if external is None:
        return set()
    entry = plan.get(Role.SERVICE_ENTRY, external)
    hosts = {sidecar_import(entry.namespace, h) for h in external.hosts}
    gateway = egress.gateway(topology)
    if gateway is not None and egress.gateway_ports(topology, external):
        service = plan.get(Role.PROVIDED_SERVICE, gateway)
        hosts.update(sidecar_import(service.namespace, h) for h in external.hosts)
        hosts.add(sidecar_import(service.namespace, host(service)))
    return hosts


def _edges_by_caller_namespace(plan: Plan) -> dict[str | None, list[Edge]]:
    """The allow-graph's edges from workloads, by the caller's namespace, in graph order: one scan per plan, not one per Sidecar."""
    edges: dict[str | None, list[Edge]] = {}
    for edge in plan.topology.allow_graph.edges:
        if edge.source.kind == "workload":
            edges.setdefault(edge.source.namespace, []).append(edge)
    return edges


def sidecar_hosts(plan: Plan, namespace: str) -> list[str]:
    """Everything the allow-graph lets the namespace's workloads reach, plus the root namespace, sorted."""
    hosts = {sidecar_import(ISTIO_ROOT_NAMESPACE, "*")}
    for edge in plan.index(_edges_by_caller_namespace).get(namespace, ()):
        hosts |= _hosts_of(plan, edge)
    return sorted(hosts)


def sidecar(entry: Planned, plan: Plan) -> Obj:
    """A meshed namespace's Sidecar with ``outboundTrafficPolicy: REGISTRY_ONLY``."""
    hosts = sidecar_hosts(plan, entry.of(str))
    selector = {"workloadSelector": {"labels": entry.selector}} if entry.selector else {}  # an `external` namespace: ORION's pods
    # `internet allow`: hosts outside the registry pass through the sidecar (its PassthroughCluster)
    mode = "ALLOW_ANY" if plan.topology.network.internet else "REGISTRY_ONLY"
    return obj(entry, {**selector, "egress": [{"hosts": hosts}], "outboundTrafficPolicy": {"mode": mode}})
