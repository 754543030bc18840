"""Egress: ServiceEntry per external, the egress gateway's routing, and a Sidecar per meshed namespace (S37, S43, S44).

* Every external gets a ServiceEntry in the root namespace (``MESH_EXTERNAL``, ``DNS``),
  exported only to the namespaces whose meshed workloads the allow-graph lets call it (and
  ``.``, where the egress gateway runs). Together with each namespace's Sidecar
  (``REGISTRY_ONLY``, egress hosts = what the allow-graph lets its workloads reach) this is
  the allow-list: any other host is unknown to the sidecar and blocked.
* An external ``via egress_gateway`` is routed sidecar -> egress gateway -> external, per host
  and TLS port, by SNI. With ``tls_origination`` the sidecar originates Istio mutual TLS to
  the gateway (DestinationRule subset with ``ISTIO_MUTUAL`` and the host as ``sni``; Gateway
  server ``ISTIO_MUTUAL``), the gateway forwards the application's own TLS to the external, and
  an AuthorizationPolicy on the gateway admits only the allow-graph's callers of each host
  (``connection.sni``). Without it the gateway passes TLS through (``PASSTHROUGH``), routing on SNI.
  Externals are declared on their TLS port (443), so the application already speaks TLS:
  originating TLS *to the external* would encrypt twice; I0707 says so.
"""

from __future__ import annotations

from backends.istio.names import (
    EGRESS_SELECTOR,
    EGRESS_SERVICE,
    NETWORKING,
    ROOT_NAMESPACE,
    SECURITY,
    Obj,
    egress_host,
    is_tls,
    meshed_namespaces,
    obj,
    port_protocol,
    principal,
    service_host,
    slug,
)
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import EgressGateway, External, Port, Topology


def callers(topology: Topology, external: External) -> list[tuple[str, str]]:
    """(workload, namespace) of every meshed workload the allow-graph lets call the external, sorted."""
    found = set()
    for edge in topology.allow_graph.incoming(external.name):
        source = topology.workload(edge.source.name) if edge.source.kind == "workload" else None
        if edge.target.kind == "external" and source is not None and source.meshed:
            found.add((source.name, source.namespace))
    return sorted(found)


def export_to(topology: Topology, external: External, home: str) -> list[str]:
    """Where an external's configuration (kept in ``home``) is visible: there, its callers' namespaces and the egress gateway's."""
    gateway = topology.mesh.egress_gateway if topology.mesh else None
    seen = {ns for _, ns in callers(topology, external)}
    if external.via_egress_gateway and gateway is not None:
        seen.add(gateway.namespace)
    return [".", *sorted(seen - {home})]


def service_entry(topology: Topology, external: External) -> Obj:
    """The allow-listed external service: hosts, ports with Istio protocols, DNS resolution, outside the mesh."""
    ports = [{"number": p.number, "name": p.name, "protocol": port_protocol(p)} for p in external.ports]
    spec = {
        "hosts": list(external.hosts),
        "ports": ports,
        "resolution": "DNS",
        "location": "MESH_EXTERNAL",
        "exportTo": export_to(topology, external, ROOT_NAMESPACE),
    }
    return obj(NETWORKING, "ServiceEntry", external.name, ROOT_NAMESPACE, spec)


def routed_ports(external: External) -> tuple[Port, ...]:
    """The ports of an external that the egress gateway can route by SNI."""
    return tuple(p for p in external.ports if is_tls(p))


def _gateway_name() -> str:
    return EGRESS_SERVICE


def egress_gateway(gateway: EgressGateway, routed: list[tuple[External, str, Port]]) -> Obj:
    """The egress gateway's listeners: one server per routed host and port."""
    mode = "ISTIO_MUTUAL" if gateway.tls_origination else "PASSTHROUGH"
    servers = [
        {"port": {"number": p.number, "name": f"tls-{slug(host)}-{p.number}", "protocol": "TLS"}, "hosts": [host], "tls": {"mode": mode}}
        for _, host, p in routed
    ]
    return obj(NETWORKING, "Gateway", _gateway_name(), gateway.namespace, {"selector": dict(EGRESS_SELECTOR), "servers": servers})


def _subset(host: str, port: Port) -> str:
    return f"{slug(host)}-{port.number}"


def egress_virtual_service(topology: Topology, gateway: EgressGateway, external: External, host: str, ports: tuple[Port, ...]) -> Obj:
    """Sidecar -> egress gateway (SNI match in the mesh) and egress gateway -> external, for one host."""
    gw_host = egress_host(gateway.namespace)
    tls: list[Obj] = []
    tcp: list[Obj] = []
    for p in ports:
        to_gateway: Obj = {"host": gw_host, "port": {"number": p.number}}
        if gateway.tls_origination:
            to_gateway["subset"] = _subset(host, p)
        tls.append({"match": [{"gateways": ["mesh"], "port": p.number, "sniHosts": [host]}], "route": [{"destination": to_gateway, "weight": 100}]})
        onward = [{"destination": {"host": host, "port": {"number": p.number}}, "weight": 100}]
        if gateway.tls_origination:
            tcp.append({"match": [{"gateways": [_gateway_name()], "port": p.number}], "route": onward})
        else:
            tls.append({"match": [{"gateways": [_gateway_name()], "port": p.number, "sniHosts": [host]}], "route": onward})
    spec: Obj = {
        "hosts": [host],
        "gateways": ["mesh", _gateway_name()],
        "exportTo": export_to(topology, external, gateway.namespace),
        "tls": tls,
    }
    if tcp:
        spec["tcp"] = tcp
    return obj(NETWORKING, "VirtualService", f"egress-{slug(host)}", gateway.namespace, spec)


def egress_destination_rule(gateway: EgressGateway, routed: list[tuple[External, str, Port]]) -> Obj:
    """Subsets of the egress gateway, one per host and port: the sidecar originates ISTIO_MUTUAL with the host as SNI."""
    found = [
        {
            "name": _subset(host, p),
            "trafficPolicy": {"portLevelSettings": [{"port": {"number": p.number}, "tls": {"mode": "ISTIO_MUTUAL", "sni": host}}]},
        }
        for _, host, p in routed
    ]
    return obj(NETWORKING, "DestinationRule", _gateway_name(), gateway.namespace, {"host": egress_host(gateway.namespace), "subsets": found})


def egress_access_control(topology: Topology, gateway: EgressGateway, routed: list[tuple[External, str, Port]]) -> Obj:
    """The egress gateway admits, per SNI host and port, only the allow-graph's meshed callers of that external."""
    rules = []
    for external, host, p in routed:
        principals = sorted(principal(name, ns) for name, ns in callers(topology, external))
        if principals:
            rules.append(
                {
                    "from": [{"source": {"principals": principals}}],
                    "to": [{"operation": {"ports": [str(p.number)]}}],
                    "when": [{"key": "connection.sni", "values": [host]}],
                }
            )
    spec = {"selector": {"matchLabels": dict(EGRESS_SELECTOR)}, "action": "ALLOW", "rules": rules}
    return obj(SECURITY, "AuthorizationPolicy", "egress-access-control", gateway.namespace, spec)


def egress(topology: Topology) -> tuple[list[Obj], list[Diagnostic]]:
    """ServiceEntries for every external and the egress gateway's Gateway, VirtualServices, DestinationRule and policy."""
    mesh = topology.mesh
    assert mesh is not None
    gateway = mesh.egress_gateway
    objects = [service_entry(topology, e) for e in topology.externals]
    diagnostics: list[Diagnostic] = []
    routed: list[tuple[External, str, Port]] = []
    for e in topology.externals:
        for p in e.ports:
            if p.protocol == "UDP":
                diagnostics.append(
                    info(
                        "I0706",
                        None,
                        f"{e.name}:{p.number}/udp bypasses the sidecar: Istio proxies TCP only",
                        "the NetworkPolicy egress rule enforces it",
                    )
                )
        if not e.via_egress_gateway:
            continue
        if gateway is None:
            diagnostics.append(info("I0704", None, f"{e.name} is routed via an egress gateway, but the mesh has none", "add `egress_gateway` to the mesh"))
            continue
        for p in e.ports:
            if not is_tls(p):
                diagnostics.append(
                    info(
                        "I0705",
                        None,
                        f"{e.name}:{p.number} is not TLS, so the egress gateway cannot route it by SNI",
                        "it goes out directly",
                    )
                )
        routed += [(e, host, p) for host in e.hosts for p in routed_ports(e)]
    if gateway is None or not routed:
        return objects, diagnostics
    objects.append(egress_gateway(gateway, routed))
    for e in topology.externals:
        if e.via_egress_gateway:
            for host in e.hosts:
                ports = routed_ports(e)
                if ports:
                    objects.append(egress_virtual_service(topology, gateway, e, host, ports))
    if gateway.tls_origination:
        objects.append(egress_destination_rule(gateway, routed))
        objects.append(egress_access_control(topology, gateway, routed))
        diagnostics.append(
            info(
                "I0707",
                None,
                "TLS origination: sidecars originate mutual TLS to the egress gateway; the application's TLS to the external is passed on",
                "externals are declared on their TLS port, so the application already encrypts; Istio does not encrypt twice",
            )
        )
    return objects, diagnostics


def sidecar_hosts(topology: Topology, namespace: str) -> list[str]:
    """``<namespace>/<host>`` of everything the allow-graph lets the namespace's workloads reach, plus the root namespace."""
    hosts = {f"{ROOT_NAMESPACE}/*"}
    gateway = topology.mesh.egress_gateway if topology.mesh else None
    for edge in topology.allow_graph.edges:
        if edge.source.kind != "workload" or edge.source.namespace != namespace:
            continue
        target = edge.target
        if target.kind == "workload":
            hosts.add(f"{target.namespace}/{service_host(edge.via or target.name, target.namespace or '')}")
        elif target.kind == "dns":
            hosts.add(f"{target.namespace}/{service_host(target.name, target.namespace or '')}")
        elif target.kind == "external":
            external = topology.external(target.name)
            if external is not None:
                hosts.update(f"{ROOT_NAMESPACE}/{h}" for h in external.hosts)
                if external.via_egress_gateway and gateway is not None:
                    hosts.update(f"{gateway.namespace}/{h}" for h in external.hosts)
                    hosts.add(f"{gateway.namespace}/{egress_host(gateway.namespace)}")
    return sorted(hosts)


def sidecars(topology: Topology) -> list[Obj]:
    """One Sidecar per meshed namespace: egress limited to the allow-graph, unknown hosts blocked (REGISTRY_ONLY)."""
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
