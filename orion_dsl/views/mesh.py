"""View ``mesh``: istiod, the meshed pods by namespace with their traffic policy, mTLS, egress.

istiod (Istio 1.20+ folds Pilot, Citadel and Galley into it) is one box; it pushes
configuration and certificates to every sidecar of a meshed namespace, drawn as ONE
dotted arrow to the namespace (not one per pod: those drowned the picture). Each meshed
pod is one box: its app's ports, its Envoy sidecar and its traffic policy (load
balancing, versions with what reaches each, faults, timeout, retries, circuit breaker); sidecars talk mTLS along the allow-graph
(solid arrows, the mode said once, in the legend). JWT validation and the egress gateway
hang off the pods they concern. Laid out top to bottom, so it grows down, not sideways.
"""

from __future__ import annotations

from orion_dsl.lowering import egress
from orion_dsl.model import Mesh, Topology, Workload
from orion_dsl.views.common import SIDECAR_HOP, external_id, part_id, rate_text
from orion_dsl.views.graph import Builder, Graph
from orion_dsl.views.numbers import percent, value_range


def _pod_lines(w: Workload) -> list[str]:
    ports = ", ".join(f":{p.number}" for p in w.container.ports)
    lines = [f"{w.name} pod", f"app {ports} + Envoy sidecar" if ports else "app + Envoy sidecar"]
    sticky = w.session_affinity
    lines.append(f"LB: {f'hash on {sticky.text}' if sticky else w.load_balancing or 'default (round-robin)'}")
    traffic = w.traffic
    for v in w.versions:
        said = traffic.to(v.name) if traffic is not None else ()
        lines.append(f"{v.name} x{v.replicas}" + (f": {', '.join(said)}" if said else ""))
    lines += [f"fault {fault}" for fault in (traffic.faults() if traffic is not None else ())]
    r = w.resilience
    if r is not None:
        if r.timeout is not None:
            lines.append(f"timeout {r.timeout.text}")
        if r.retries is not None:
            per_try = f" x {r.retries.per_try.text}" if r.retries.per_try else ""
            lines.append(f"retries {r.retries.attempts}{per_try}")
            if r.retries.on:
                lines.append(f"  on {r.retries.on}")
        cb = r.circuit_breaker
        if cb is not None:
            eject = f", eject {cb.ejection.text}" if cb.ejection else ""
            lines.append(f"circuit breaker: {cb.consecutive_errors} errors{eject}")
            if cb.max_connections is not None:
                lines.append(f"  max {cb.max_connections} connections")
            if cb.max_pending is not None:
                lines.append(f"  max {cb.max_pending} pending")
    return lines


def _istiod(b: Builder, topology: Topology, mesh: Mesh) -> None:
    lines = [f"istiod (Istio {topology.istio})", "traffic management: routes, retries, LB"]
    lines += [f"certificates: mTLS {mesh.mtls.upper()}", "config validation webhook"]
    tracing = [f"tracing {percent(mesh.tracing_sampling)} sampled"] if mesh.tracing_sampling is not None else []
    telemetry = [*tracing, *(["access log on"] if mesh.access_log else [])]
    if telemetry:
        lines.append("telemetry: " + ", ".join(telemetry))
    with b.cluster("control", "Control plane", "control"):
        b.node("istiod", *lines, cls="control")


def _sidecar_lines(mesh: Mesh) -> tuple[str, ...]:
    """What every sidecar is, said once in the legend instead of in every pod."""
    res = mesh.sidecar_resources
    sizes = () if res is None else (f"  CPU {value_range(res.cpu_request, res.cpu_limit)}, memory {value_range(res.memory_request, res.memory_limit)}",)
    return ("every meshed pod: app + Envoy sidecar", "  (istio/proxyv2)", *sizes)


def build(topology: Topology) -> Graph:
    """The service mesh view."""
    b = Builder("mesh", f"{topology.name}: service mesh")
    mesh = topology.mesh
    meshed = [w for w in topology.workloads if w.meshed]
    if mesh is None or not meshed:
        b.node("nomesh", "No service mesh in this topology", cls="note", shape="note")
        return b.build()
    _istiod(b, topology, mesh)
    namespaces = list(dict.fromkeys(w.namespace for w in meshed))
    with b.cluster("dataplane", "Data plane - Envoy sidecars", "service"):
        for ns in namespaces:
            title = f"Namespace {ns}"
            with b.cluster(part_id("meshns", ns), title, "service"):
                for w in meshed:
                    if w.namespace == ns:
                        b.node(part_id("envoy", w.name), *_pod_lines(w), cls="service", group=title, counts="meshed pod")
    jwt = mesh.jwt
    if jwt is not None and jwt.workload in {w.name for w in meshed}:
        b.node("jwt", "JWT validation", f"issuer {jwt.issuer}", *(f"protects {p}" for p in jwt.protect), cls="feature")
    callers = _egress(b, topology, mesh)
    b.node(
        "mesh_legend",
        "Legend",
        f"solid: mTLS {mesh.mtls.upper()} call between sidecars",
        "dotted to a namespace: istiod sends config and",
        "  certificates to every sidecar in it",
        *_sidecar_lines(mesh),
        cls="note",
        shape="note",
    )
    for ns in namespaces:
        b.link("istiod", f"sg_{part_id('meshns', ns)}", "config, certs", style="dotted")
    meshed_names = {w.name for w in meshed}
    seen: set[tuple[str, str]] = set()
    for e in topology.allow_graph.between_workloads():
        pair = (e.source.name, e.target.name)
        if e.source.name in meshed_names and e.target.name in meshed_names and e.source.name != e.target.name and pair not in seen:
            seen.add(pair)
            b.link(part_id("envoy", e.source.name), part_id("envoy", e.target.name))
    if jwt is not None and b.has("jwt"):
        b.link("jwt", part_id("envoy", jwt.workload), "RequestAuthentication", style="dotted")
    for caller in callers:
        b.link(part_id("envoy", caller), "egressgw")
    return b.build()


def _egress(b: Builder, topology: Topology, mesh: Mesh) -> list[str]:
    """The egress gateway and the externals routed through it; returns the calling workloads."""
    gw = mesh.egress_gateway
    routed = [x for x in topology.externals if egress.gateway_ports(topology, x)]
    if gw is None or not routed:
        return []
    lines = ["Istio egress gateway", f"namespace {gw.namespace}"]
    if gw.tls_origination:
        lines.append(SIDECAR_HOP)
    if gw.sni_routing:
        lines.append("SNI routing")
    if mesh.egress_rate_limit is not None:
        lines.append(f"rate limit {rate_text(mesh.egress_rate_limit)} (not applied)")  # no Istio resource (I0708)
    with b.cluster("egress", "Egress", "egress"):
        b.node("egressgw", *lines, cls="egress")
        for x in routed:
            b.node(external_id(x.name), x.name, *x.hosts, cls="external")
    for x in routed:
        b.link("egressgw", external_id(x.name), ", ".join(f"{p.number}" for p in egress.gateway_ports(topology, x)))
    names = {x.name for x in routed}
    meshed = {w.name for w in topology.workloads if w.meshed}
    callers = [e.source.name for e in topology.allow_graph.edges if e.target.kind == "external" and e.target.name in names]
    return [c for c in dict.fromkeys(callers) if c in meshed]
