"""The Istio objects of a topology: which exist, what they are called and which pods they select.

Workload-level objects (a per-workload PeerAuthentication, the ALLOW policy, the VirtualService)
are names kept for every meshed workload; the Istio backend emits them when it has something to say.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal, get_args

from orion_dsl.model import Edge, Ingress, Mesh, Topology, Workload

from . import names
from .egress import GATEWAY_VIEW, routed_hosts, split_for_gateway
from .kubernetes import edge_versions
from .plan import Planned, Planner, Ref, Role, Target

TARGET: Target = "istio"

#: An ingress setting the Istio gateway applies as an Envoy HTTP filter (:func:`gateway_filters`), in filter order.
GatewayFilter = Literal["rate_limit", "request_buffering", "compression"]
GATEWAY_FILTERS: tuple[GatewayFilter, ...] = get_args(GatewayFilter)
#: The largest request the gateway's buffer filter holds (larger ones get 413): 1 MiB, ingress-nginx's default
#: ``client_max_body_size`` (``proxy-body-size``), where the language's ``request_buffering`` came from.
MAX_REQUEST_BYTES = 1024 * 1024

NETWORKING = "networking.istio.io/v1"
SECURITY = "security.istio.io/v1"
TELEMETRY = "telemetry.istio.io/v1"
#: EnvoyFilter is served only as v1alpha3, WasmPlugin only as v1alpha1 (istio/istio 1.30.3 manifests/charts/base/files/crd-all.gen.yaml).
NETWORKING_ALPHA = "networking.istio.io/v1alpha3"
EXTENSIONS_ALPHA = "extensions.istio.io/v1alpha1"

#: apiVersion of each kind the Istio target writes.
API_VERSIONS = {
    "PeerAuthentication": SECURITY,
    "AuthorizationPolicy": SECURITY,
    "RequestAuthentication": SECURITY,
    "Telemetry": TELEMETRY,
    "Sidecar": NETWORKING,
    "DestinationRule": NETWORKING,
    "VirtualService": NETWORKING,
    "ServiceEntry": NETWORKING,
    "Gateway": NETWORKING,
    "EnvoyFilter": NETWORKING_ALPHA,
    "WasmPlugin": EXTENSIONS_ALPHA,
    "Service": "v1",
}


#: Every role the Istio planner gives an emitted object (its backend has one builder each).
ROLES = frozenset(
    {
        Role.MESH_MTLS, Role.NAMESPACE_MTLS, Role.ALLOW_NOTHING, Role.ALLOW_CALLERS, Role.INGRESS_ACCESS, Role.JWT_AUTHENTICATION,
        Role.REQUIRE_JWT, Role.TELEMETRY, Role.SIDECAR, Role.DESTINATION_RULE, Role.VIRTUAL_SERVICE, Role.INGRESS_BALANCE, Role.SERVICE_ENTRY,
        Role.EGRESS_GATEWAY, Role.EGRESS_SUBSETS, Role.EGRESS_ROUTE, Role.EGRESS_ACCESS, Role.GATEWAY_FILTERS,
        Role.GATEWAY_WAF,
    }
)  # fmt: skip


#: Makes this target's plan entries (:class:`~orion_dsl.lowering.plan.Planner`).
entry = Planner(TARGET, API_VERSIONS, ROLES).entry


def meshed(topology: Topology) -> tuple[Workload, ...]:
    """Workloads with an Envoy sidecar, in spec order."""
    return tuple(w for w in topology.workloads if w.meshed)


def meshed_namespaces(topology: Topology) -> tuple[str, ...]:
    """Namespaces that hold at least one meshed workload, sorted."""
    return tuple(sorted({w.namespace for w in meshed(topology)}))


def meshed_gateway(topology: Topology) -> Ingress | None:
    """The ``istio`` ingress when its Gateway's pods share a meshed namespace with ORION's workloads: the namespace's
    allow-nothing policy (no selector) then covers Istio's gateway pods too, and every sidecar there reads the
    DestinationRules of the namespace first, so the gateway needs its own ALLOW policy and its DestinationRules
    a ``workloadSelector``. None for a gateway in a namespace of its own (the seed's ``orion-ingress``)."""
    ing = topology.istio_gateway
    return ing if ing is not None and ing.namespace in meshed_namespaces(topology) else None


def plan(topology: Topology) -> Iterator[Planned]:
    """Every Istio object of the topology (none without a mesh)."""
    mesh = topology.mesh
    if mesh is None:
        return
    yield from _mtls(topology, mesh)
    if mesh.tracing_sampling is not None or mesh.access_log:  # a Telemetry with neither would say nothing
        yield entry(Role.TELEMETRY, "Telemetry", names.ISTIO_ROOT_NAMESPACE, names.TELEMETRY, mesh, sources=(mesh.span,))
    for namespace in meshed_namespaces(topology):
        ns = topology.namespace(namespace)
        sources = (ns.span if ns else None,)
        yield entry(Role.SIDECAR, "Sidecar", namespace, names.MESH_DEFAULT, namespace, sources=sources, selects=names.namespace_pods(ns))
        isolated = names.isolated_pods(ns)
        yield entry(Role.ALLOW_NOTHING, "AuthorizationPolicy", namespace, names.ALLOW_NOTHING, namespace, sources=sources, selects=isolated)
    gateway = meshed_gateway(topology)
    if gateway is not None:
        pods = names.ingress_controller_pods(gateway)
        name = names.ingress_access(gateway)
        yield entry(Role.INGRESS_ACCESS, "AuthorizationPolicy", gateway.namespace, name, gateway, sources=(gateway.span,), selects=pods)
    for w in meshed(topology):
        yield from _workload(topology, w)
    yield from _ingress_balance(topology)
    yield from _gateway_filters(topology)
    yield from _gateway_waf(topology)
    yield from _jwt(topology, mesh)
    for e in topology.externals:
        yield entry(Role.SERVICE_ENTRY, "ServiceEntry", names.ISTIO_ROOT_NAMESPACE, e.name, e, sources=(e.span,))
        if split_for_gateway(topology, e):
            name = names.gateway_service_entry(e.name)
            yield entry(Role.SERVICE_ENTRY, "ServiceEntry", names.ISTIO_ROOT_NAMESPACE, name, e, part=GATEWAY_VIEW, sources=(e.span,))
    yield from _egress_gateway(topology, mesh)


def _mtls(topology: Topology, mesh: Mesh) -> Iterator[Planned]:
    if mesh.mtls == "strict":
        yield entry(Role.MESH_MTLS, "PeerAuthentication", names.ISTIO_ROOT_NAMESPACE, names.MESH_DEFAULT, mesh, sources=(mesh.span,))
        return
    for namespace in meshed_namespaces(topology):
        ns = topology.namespace(namespace)
        pods = names.namespace_pods(ns)
        yield entry(Role.NAMESPACE_MTLS, "PeerAuthentication", namespace, names.MESH_DEFAULT, namespace, sources=(ns.span if ns else None,), selects=pods)


def _workload(topology: Topology, w: Workload) -> Iterator[Planned]:
    pods = names.pod_selector(w)
    callers = _meshed_callers(topology, topology.allow_graph.incoming(w.name))
    yield entry(Role.ALLOW_CALLERS, "AuthorizationPolicy", w.namespace, names.allow_callers(w), w, sources=(w.span,), selects=pods, refs=callers)
    if not w.ports or topology.pooler_of(w) is not None:
        return  # no Service of its own (none without ports; a pooled database's belongs to its pooler)
    called = topology.workload(w.pooler_of) if w.pooler_of is not None else w  # a pooler answers for its database
    service = (Ref("Service", w.namespace, names.service(called or w)),)
    yield entry(Role.DESTINATION_RULE, "DestinationRule", w.namespace, names.service(w), w, sources=(w.span,), refs=service)
    if _routed(topology, w):
        yield entry(Role.VIRTUAL_SERVICE, "VirtualService", w.namespace, names.service(w), w, sources=(w.span,), refs=service)


def _routed(topology: Topology, w: Workload) -> bool:
    """Whether the workload's VirtualService has something to say: timeout and retries, blue-green, its traffic's
    versions and matches, or a caller's path ``route`` into it (else none is planned, and none is written)."""
    routed = any(edge.rule == "route" for edge in topology.allow_graph.incoming(w.name))
    return w.resilience is not None or w.blue_green is not None or w.traffic is not None or routed


def _ingress_balance(topology: Topology) -> Iterator[Planned]:
    """For an ``istio`` ingress, a DestinationRule per backend workload in the Gateway's namespace:
    Istio looks a proxy's DestinationRule up in its own namespace before the Service's, so the
    ingress's ``balance`` applies to the gateway's traffic only, and each workload's own
    ``load_balancing`` to its mesh callers; one more per Service of a version the gateway's route sends to
    (:func:`~orion_dsl.lowering.kubernetes.edge_versions`). In a namespace the gateway shares with meshed workloads the rules
    select the gateway's pods (:func:`meshed_gateway`): else they would apply to every sidecar there, and merge
    with the backend's own rule for the same host."""
    ing = topology.istio_gateway
    if ing is None:
        return
    pods = names.ingress_controller_pods(ing) if meshed_gateway(topology) is not None else None
    for target in dict.fromkeys(h.target for h in ing.hosts):
        w = topology.workload(target)
        if w is not None:
            service = (Ref("Service", w.namespace, names.service(w)),)
            name = names.ingress_balance(ing, target)
            sources = (ing.span, w.span)
            yield entry(Role.INGRESS_BALANCE, "DestinationRule", ing.namespace, name, w, part=ing.name, sources=sources, selects=pods, refs=service)
            for v in edge_versions(topology, w):  # the route's versions' Services, hosts of their own
                version = names.version_service(w, v)
                refs = (Ref("Service", w.namespace, version),)
                name = names.ingress_balance(ing, version)
                yield entry(Role.INGRESS_BALANCE, "DestinationRule", ing.namespace, name, w, part=(ing.name, v.name), sources=sources, selects=pods, refs=refs)


def gateway_filters(topology: Topology) -> tuple[GatewayFilter, ...]:
    """The HTTP filters the ``istio`` ingress's settings add to its gateway pods, in their order: the rate limit
    first in the chain (a refused request is never checked by the WAF nor buffered), then request buffering and
    compression before the router. Empty
    without a mesh: the EnvoyFilter is an Istio object, planned with the others."""
    ing = topology.istio_gateway
    if ing is None or topology.mesh is None:
        return ()
    wanted = {"rate_limit": ing.rate_limit is not None, "request_buffering": ing.request_buffering, "compression": ing.compression}
    return tuple(f for f in GATEWAY_FILTERS if wanted[f])


def _gateway_filters(topology: Topology) -> Iterator[Planned]:
    """The EnvoyFilter beside the Gateway that adds :func:`gateway_filters` to its pods (none when there are none)."""
    ing = topology.istio_gateway
    if ing is None or not gateway_filters(topology):
        return
    pods = names.ingress_controller_pods(ing)
    yield entry(Role.GATEWAY_FILTERS, "EnvoyFilter", ing.namespace, names.gateway_filters(ing), ing, sources=(ing.span,), selects=pods)


def gateway_waf(topology: Topology) -> Ingress | None:
    """The ``istio`` ingress whose gateway pods run its ``waf`` (a WasmPlugin, an Istio object: none without a mesh)."""
    ing = topology.istio_gateway
    return ing if ing is not None and ing.waf is not None and topology.mesh is not None else None


def _gateway_waf(topology: Topology) -> Iterator[Planned]:
    """The WasmPlugin beside the Gateway that runs the WAF on its pods; it targets the Gateway (no pod selector)."""
    ing = gateway_waf(topology)
    if ing is None:
        return
    gateway = (Ref("Gateway", ing.namespace, ing.name),)
    yield entry(Role.GATEWAY_WAF, "WasmPlugin", ing.namespace, names.gateway_waf(ing), ing, sources=(ing.span,), refs=gateway)


def _meshed_callers(topology: Topology, edges: Iterable[Edge]) -> tuple[Ref, ...]:
    """The ServiceAccounts (mTLS principals) of the meshed callers along these allow-graph edges: meshed
    workloads, and the one Istio makes for an ``istio`` ingress's Gateway."""
    edges = tuple(edges)
    sources = (topology.workload(e.source.name) for e in edges if e.source.kind == "workload")
    refs = [Ref("ServiceAccount", s.namespace, names.service_account(s)) for s in sources if s is not None and s.meshed]
    ing = topology.istio_gateway
    if ing is not None and any(e.source.kind == "ingress" for e in edges):
        refs.append(Ref("ServiceAccount", ing.namespace, names.ingress_controller(ing)))
    return tuple(dict.fromkeys(refs))


def _jwt(topology: Topology, mesh: Mesh) -> Iterator[Planned]:
    w = topology.workload(mesh.jwt.workload) if mesh.jwt is not None else None
    if w is None or not w.meshed:
        return
    pods = names.pod_selector(w)
    yield entry(Role.JWT_AUTHENTICATION, "RequestAuthentication", w.namespace, names.jwt_authentication(w), w, sources=(w.span,), selects=pods)
    yield entry(Role.REQUIRE_JWT, "AuthorizationPolicy", w.namespace, names.require_jwt(w), w, sources=(w.span,), selects=pods)


def _egress_gateway(topology: Topology, mesh: Mesh) -> Iterator[Planned]:
    gateway = mesh.egress_gateway
    routed = routed_hosts(topology)
    if gateway is None:
        return
    home = gateway.namespace
    service = Ref("Service", home, names.EGRESS_GATEWAY_SERVICE)
    here = (gateway.span,)
    yield entry(Role.PROVIDED_SERVICE, "Service", home, names.EGRESS_GATEWAY_SERVICE, gateway, sources=here, emitted=False)
    if not routed:
        return
    pods = dict(names.EGRESS_GATEWAY_PODS)
    yield entry(Role.EGRESS_GATEWAY, "Gateway", home, names.EGRESS_GATEWAY_SERVICE, gateway, sources=here, selects=pods)
    yield entry(Role.EGRESS_SUBSETS, "DestinationRule", home, names.EGRESS_GATEWAY_SERVICE, gateway, sources=here, refs=(service,))
    for external, host in dict.fromkeys(routed):
        route = names.egress_route(host)
        yield entry(Role.EGRESS_ROUTE, "VirtualService", home, route, external, part=host, sources=(external.span, gateway.span), refs=(service,))
    if gateway.tls_origination:
        edges = [e for external in dict.fromkeys(e for e, _ in routed) for e in topology.allow_graph.incoming(external.name)]
        callers = _meshed_callers(topology, edges)
        yield entry(Role.EGRESS_ACCESS, "AuthorizationPolicy", home, names.EGRESS_ACCESS, gateway, sources=here, selects=pods, refs=callers)
