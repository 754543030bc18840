"""View ``mesh``: istiod, each meshed pod as app + Envoy sidecar, per-service traffic policy.

istiod (Istio 1.20+ folds Pilot, Citadel and Galley into it) pushes configuration and
certificates to every sidecar (dotted); sidecars talk mTLS along the allow-graph; each
service's node lists its load-balancing algorithm, timeout, retries and circuit breaker.
JWT validation and the egress gateway hang off the workloads they concern.
"""

from __future__ import annotations

from orion_dsl.model import Mesh, Topology, Workload
from orion_dsl.views.common import external_id, part_id, rate_text
from orion_dsl.views.graph import Builder, Graph


def _policy_lines(w: Workload) -> list[str]:
    lines = [f"{w.name} traffic policy"]
    lines.append(f"LB: {w.load_balancing or 'default (round-robin)'}")
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


def _control_plane(b: Builder, topology: Topology, mesh: Mesh) -> None:
    with b.cluster("control", f"Control Plane - istiod (Istio {topology.istio})", "control"):
        b.node("istiod_traffic", "Traffic management", "routes, retries, LB -> Envoy", cls="control")
        b.node("istiod_ca", "Certificates", f"mTLS {mesh.mtls.upper()}", cls="control")
        b.node("istiod_validation", "Config validation", "webhook", cls="control")
        telemetry = ["Telemetry"]
        if mesh.tracing_sampling is not None:
            telemetry.append(f"tracing {mesh.tracing_sampling}% sampled")
        if mesh.access_log:
            telemetry.append("access log on")
        b.node("istiod_telemetry", *telemetry, cls="control")


def _sidecar_lines(mesh: Mesh) -> list[str]:
    lines = ["Envoy sidecar", "istio/proxyv2"]
    res = mesh.sidecar_resources
    if res is not None:
        lines.append(f"CPU {res.cpu_request.text}-{res.cpu_limit.text}")
        lines.append(f"memory {res.memory_request.text}-{res.memory_limit.text}")
    return lines


def build(topology: Topology) -> Graph:
    """The service mesh view."""
    b = Builder("mesh", f"{topology.name}: service mesh")
    mesh = topology.mesh
    meshed = [w for w in topology.workloads if w.meshed]
    if mesh is None or not meshed:
        b.node("nomesh", "No service mesh in this topology", cls="note", shape="note")
        return b.build()
    _control_plane(b, topology, mesh)
    with b.cluster("dataplane", "Data Plane - Envoy proxies", "service"):
        for w in meshed:
            with b.cluster(part_id("pod", w.name), f"{w.name} pod", "service"):
                ports = ", ".join(f":{p.number}" for p in w.container.ports)
                b.node(part_id("app", w.name), f"{w.name} app", ports, cls="service")
                b.node(part_id("envoy", w.name), *_sidecar_lines(mesh), cls="service")
                b.node(part_id("policy", w.name), *_policy_lines(w), cls="feature")
    jwt = mesh.jwt
    if jwt is not None and jwt.workload in {w.name for w in meshed}:
        b.node("jwt", "JWT validation", f"issuer {jwt.issuer}", *(f"protects {p}" for p in jwt.protect), cls="feature")
    callers = _egress(b, topology, mesh)
    for w in meshed:
        b.link("istiod_traffic", part_id("envoy", w.name), "config", style="dotted")
        b.link("istiod_ca", part_id("envoy", w.name), "certs", style="dotted")
        b.link(part_id("app", w.name), part_id("envoy", w.name), both=True)
        b.link(part_id("envoy", w.name), part_id("policy", w.name), style="dotted")
    meshed_names = {w.name for w in meshed}
    seen: set[tuple[str, str]] = set()
    for e in topology.allow_graph.between_workloads():
        pair = (e.source.name, e.target.name)
        if e.source.name in meshed_names and e.target.name in meshed_names and e.source.name != e.target.name and pair not in seen:
            seen.add(pair)
            b.link(part_id("envoy", e.source.name), part_id("envoy", e.target.name), f"mTLS {mesh.mtls.upper()}")
    if jwt is not None and b.has("jwt"):
        b.link("jwt", part_id("envoy", jwt.workload), "RequestAuthentication", style="dotted")
    for caller in callers:
        b.link(part_id("envoy", caller), "egressgw")
    return b.build()


def _egress(b: Builder, topology: Topology, mesh: Mesh) -> list[str]:
    """The egress gateway and the externals routed through it; returns the calling workloads."""
    gw = mesh.egress_gateway
    routed = [x for x in topology.externals if x.via_egress_gateway]
    if gw is None or not routed:
        return []
    lines = ["Istio egress gateway", f"namespace {gw.namespace}"]
    if gw.tls_origination:
        lines.append("TLS origination")
    if gw.sni_routing:
        lines.append("SNI routing")
    if mesh.egress_rate_limit is not None:
        lines.append(f"rate limit {rate_text(mesh.egress_rate_limit)}")
    with b.cluster("egress", "Egress", "egress"):
        b.node("egressgw", *lines, cls="egress")
        for x in routed:
            b.node(external_id(x.name), x.name, *x.hosts, cls="external")
    for x in routed:
        b.link("egressgw", external_id(x.name), ", ".join(f"{p.number}" for p in x.ports))
    names = {x.name for x in routed}
    meshed = {w.name for w in topology.workloads if w.meshed}
    callers = [e.source.name for e in topology.allow_graph.edges if e.target.kind == "external" and e.target.name in names]
    return [c for c in dict.fromkeys(callers) if c in meshed]
