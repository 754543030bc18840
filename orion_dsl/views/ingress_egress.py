"""View ``ingress-egress``: hosts to services with TLS, the gateway's path routes, and egress.

Inbound: internet -> CDN -> TLS termination -> controller (with its features) -> host
rules -> services -> path routes -> services, and internet -> the Services of workloads exposed
on a node port or load balancer. Outbound: services -> egress gateway or
straight out -> allow-listed externals, grouped by the ports they are reached on; DNS and
the internet-deny rule as nodes.
"""

from __future__ import annotations

from orion_dsl.lowering import egress, istio
from orion_dsl.model import External, Ingress, Topology
from orion_dsl.views.common import (
    INTERNET_ID,
    SIDECAR_HOP,
    exposed_workloads,
    exposure_text,
    external_id,
    ingress_id,
    ingress_title,
    kind_name,
    part_id,
    port_text,
    rate_text,
    workload_tier,
)
from orion_dsl.views.graph import Builder, Graph


def _controller_lines(topology: Topology, ingress: Ingress) -> list[str]:
    lines = [ingress_title(ingress), f"replicas {ingress.replicas}, {ingress.balance}"]
    lines.append("listen " + ", ".join(port_text(p) for p in ingress.listen))
    if ingress.cors_origins:
        lines.append("CORS " + ", ".join(ingress.cors_origins))
    if ingress.cors_methods:
        lines.append("  " + ", ".join(ingress.cors_methods))
    per_pod = " per client per pod" if ingress.controller == "istio" else ""  # Envoy's local buckets (EnvoyFilter)
    stated = {
        "rate_limit": f"rate limit {rate_text(ingress.rate_limit)}{per_pod}" if ingress.rate_limit is not None else None,
        "request_buffering": "request buffering" if ingress.request_buffering else None,
        "compression": "compression" if ingress.compression else None,
        "waf": f"WAF {ingress.waf} (OWASP core rules{', detect only' if ingress.waf_mode == 'detect' else ''})" if ingress.waf else None,
    }
    waf = {"waf"} if istio.gateway_waf(topology) is not None else set()  # the WasmPlugin (Coraza)
    applied = {*istio.gateway_filters(topology), *waf} if ingress.controller == "istio" else set(stated)
    lines += [text for setting, text in stated.items() if text is not None and setting in applied]
    unapplied = [text for setting, text in stated.items() if text is not None and setting not in applied]
    if unapplied:  # without a mesh Istio's gateway gets neither the EnvoyFilter nor the WasmPlugin (I1046, I1047)
        lines += ["not applied (the CDN's):", *(f"  {u}" for u in unapplied)]
    return lines


def _tls_lines(topology: Topology, ingress: Ingress) -> list[str]:
    lines = ["TLS termination"]
    if ingress.tls_minimum:
        lines.append(f"minimum TLS {ingress.tls_minimum}")
    issuer = next((i for i in topology.issuers if i.name == ingress.tls_issuer), None)
    if ingress.tls_issuer:
        lines.append(f"issuer {ingress.tls_issuer} (cert-manager)")
    if issuer is not None:
        lines.append(f"ACME {issuer.acme}")
        if issuer.renew_before is not None:
            lines.append(f"auto-renew {issuer.renew_before.text} before expiry")
    return lines


def _inbound(b: Builder, topology: Topology, ingress: Ingress) -> None:
    with b.cluster("external", "External Traffic", "external"):
        b.node(INTERNET_ID, "Internet", cls="external")
        last = INTERNET_ID
        for d in topology.edge:
            if d.kind == "cdn":
                b.node(part_id("cdn", d.name), f"{d.name} CDN", *d.provides, cls="external")
                b.link(last, part_id("cdn", d.name))
                last = part_id("cdn", d.name)
    with b.cluster("ingress", f"Ingress Layer - {ingress.namespace}", "ingress"):
        if ingress.tls_minimum or ingress.tls_issuer:
            b.node("tls", *_tls_lines(topology, ingress), cls="ingress")
            b.link(last, "tls")
            last = "tls"
        b.node(ingress_id(ingress.name), *_controller_lines(topology, ingress), cls="ingress")
        b.link(last, ingress_id(ingress.name))
        if ingress.hosts:
            with b.cluster("hosts", "Ingress rules (hosts)", "service"):
                for i, host in enumerate(ingress.hosts, 1):
                    paths = (host.path_text,) if host.paths else ()  # a host that sends some paths elsewhere says which
                    b.node(f"host_{i}", host.host, *paths, cls="service", group="Ingress rules (hosts)", counts="host")
                    b.link(ingress_id(ingress.name), f"host_{i}")


def _entry_services(topology: Topology, ingress: Ingress | None) -> list[str]:
    """Workloads the hosts point at, and workloads that route (API gateways)."""
    names = [h.target for h in ingress.hosts] if ingress else []
    names += [w.name for w in topology.workloads if w.routes]
    return list(dict.fromkeys(names))


def _backend_services(topology: Topology, entry: list[str]) -> list[str]:
    """Workloads routed to, and workloads calling externals, not already entry services."""
    names = [r.target for w in topology.workloads for r in w.routes]
    names += [e.source.name for e in topology.allow_graph.edges if e.target.kind == "external" and e.source.kind == "workload"]
    return [n for n in dict.fromkeys(names) if n not in entry]


def _service_nodes(b: Builder, topology: Topology, key: str, title: str, names: list[str]) -> None:
    nodes = [w for w in (topology.workload(n) for n in names) if w is not None]
    if not nodes:
        return
    with b.cluster(key, title, "service"):
        for w in nodes:
            # a workload without a port has no Service: its box is the workload itself
            port = f" :{w.container.ports[0].service_port}" if w.container.ports else ""
            label = f"{w.name} Service{port}" if w.ports else f"{w.name} {kind_name(topology, w)}"
            b.node(part_id("svc", w.name), label, cls=workload_tier(topology, w), group=f"Namespace {w.namespace}", counts="Service" if w.ports else "workload")


def _routes(b: Builder, topology: Topology) -> None:
    for w in topology.workloads:
        if not w.routes:
            continue
        title = f"Path-based routing at {w.name}"
        with b.cluster(part_id("routes", w.name), title, "service"):
            for i, r in enumerate(w.routes, 1):
                target = f"{r.target} :{r.port.service_port}" + (" (itself)" if r.target == w.name else "")
                b.node(part_id("route", f"{w.name}-{i}"), f"{r.path} -> {target}", cls="service", group=title, counts="route")
        for i, r in enumerate(w.routes, 1):
            rid = part_id("route", f"{w.name}-{i}")
            b.link(part_id("svc", w.name), rid)
            if r.target != w.name:
                b.link(rid, part_id("svc", r.target), f":{r.port.service_port}")


def _port_group(topology: Topology, x: External) -> str:
    """The external's ports, saying which the egress gateway carries (:mod:`orion_dsl.lowering.egress`) and which go direct."""
    carried = egress.gateway_ports(topology, x)
    direct = [p for p in x.ports if p not in carried]
    if not carried:
        return ", ".join(port_text(p) for p in x.ports) or "no ports"
    through = f"{', '.join(port_text(p) for p in carried)} via egress gateway"
    return f"{through}; {', '.join(port_text(p) for p in direct)} direct" if direct else through


def _gateway_lines(topology: Topology) -> list[str]:
    mesh = topology.mesh
    gw = mesh.egress_gateway if mesh is not None else None
    if mesh is None or gw is None or not any(egress.gateway_ports(topology, x) for x in topology.externals):
        return []
    lines = ["Istio egress gateway", f"namespace {gw.namespace}"]
    lines += [t for t, on in ((SIDECAR_HOP, gw.tls_origination), ("SNI routing", gw.sni_routing)) if on]
    if mesh.egress_rate_limit is not None:
        lines.append(f"rate limit {rate_text(mesh.egress_rate_limit)} (not applied)")  # no Istio resource (I0708)
    lines += [t for t, on in (("logs all outbound", mesh.access_log), ("cost tracking", mesh.cost_tracking)) if on]
    return lines


def _policy_lines(topology: Topology) -> list[str]:
    net = topology.network
    lines = ["Egress policy"]
    if net.dns:
        lines.append("DNS 53/udp + 53/tcp to kube-dns from every pod")
    if net.internet:
        lines.append("any public address, any port (internet allow)")
    else:
        if topology.externals:
            lines.append("allow-listed external hosts only")
        lines.append("deny all other internet egress")
    return lines


def _outbound(b: Builder, topology: Topology) -> None:
    gateway = _gateway_lines(topology)
    if not topology.externals and len(_policy_lines(topology)) == 1:
        return
    with b.cluster("egress", "Egress", "egress"):
        if gateway:
            b.node("egressgw", *gateway, cls="egress")
        groups: dict[str, list[External]] = {}
        for x in topology.externals:
            groups.setdefault(_port_group(topology, x), []).append(x)
        for key, members in groups.items():
            with b.cluster(part_id("ports", key), f"Allowed: {key}", "external"):
                for x in members:
                    about = (x.description,) if x.description else ()
                    b.node(external_id(x.name), x.name, *x.hosts, *about, cls="external", group=f"Allowed: {key}", counts="external service")
        b.node("egress_policy", *_policy_lines(topology), cls="policy")
    if gateway:
        b.link("egressgw", "egress_policy", style="invisible")


def build(topology: Topology) -> Graph:
    """The ingress and egress view."""
    b = Builder("ingress-egress", f"{topology.name}: ingress and egress")
    ingress = topology.ingress
    if ingress is not None:
        _inbound(b, topology, ingress)
    exposed = exposed_workloads(topology)
    if exposed and ingress is None:
        with b.cluster("external", "External Traffic", "external"):
            b.node(INTERNET_ID, "Internet", cls="external")
    entry = list(dict.fromkeys([*_entry_services(topology, ingress), *(w.name for w in exposed)]))
    _service_nodes(b, topology, "entry", "Entry services", entry)
    if ingress is not None:
        for i, host in enumerate(ingress.hosts, 1):
            b.link(f"host_{i}", part_id("svc", host.target), f":{host.port.service_port}")
    for w in exposed:
        b.link(INTERNET_ID, part_id("svc", w.name), exposure_text(w))
    _routes(b, topology)
    _service_nodes(b, topology, "backends", "Backend services", _backend_services(topology, entry))
    _outbound(b, topology)
    _egress_links(b, topology)
    return b.build()


def _egress_links(b: Builder, topology: Topology) -> None:
    via_gateway: list[str] = []
    routed: list[str] = []
    seen: set[tuple[str, str]] = set()
    for e in topology.allow_graph.edges:
        if e.source.kind != "workload" or e.target.kind != "external":
            continue
        x = topology.external(e.target.name)
        if x is not None and b.has("egressgw") and egress.through_gateway(topology, e):
            via_gateway.append(e.source.name)
            routed.append(x.name)
        elif (e.source.name, e.target.name) not in seen:
            seen.add((e.source.name, e.target.name))
            b.link(part_id("svc", e.source.name), external_id(e.target.name))
    for name in dict.fromkeys(via_gateway):
        b.link(part_id("svc", name), "egressgw")
    for name in dict.fromkeys(routed):
        b.link("egressgw", external_id(name))
