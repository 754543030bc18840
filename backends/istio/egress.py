"""Egress: a ServiceEntry per external and the egress gateway's routing (S37, S43, S44).

* Every external gets a ServiceEntry in the root namespace (``MESH_EXTERNAL``), exported only
  to the namespaces whose meshed workloads the allow-graph lets call it (and ``.``, where the
  egress gateway runs). With each namespace's Sidecar (:mod:`.sidecar`) this is the allow-list.
* Resolution is ``DNS``, except for an external with an *opaque* TCP port (neither TLS nor
  HTTP, e.g. SMTP 587 with STARTTLS) that another allow-listed host also uses: without
  ``addresses`` Istio tells such traffic apart by port alone (istioctl IST0134), so with DNS
  every connection on that port would go to one of the hosts. Those entries use ``NONE`` (the
  connection goes to the address the application resolved); I0711 says the port is then
  limited by port, not host.
* An external ``via egress_gateway`` is routed sidecar -> egress gateway -> external, per host
  and TLS port, by SNI, as in Istio's egress-gateway tasks. With ``tls_origination`` the
  sidecar originates Istio mutual TLS to the gateway (DestinationRule subset with
  ``ISTIO_MUTUAL`` and the host as ``sni``; Gateway server ``ISTIO_MUTUAL``), the gateway
  forwards the application's own TLS to the external (``tcp`` route), and an
  AuthorizationPolicy on the gateway admits only the allow-graph's callers of each host
  (``connection.sni``; no ``ports``: at a gateway they are the pod's ports, 8443 for the
  Service's 443). Without it the gateway passes TLS through (``PASSTHROUGH``, routing on SNI)
  and sees no caller identity (I0712).
  Externals are declared on their TLS port (443), so the application already speaks TLS:
  originating TLS *to the external* would encrypt twice; I0707 says so.
"""

from __future__ import annotations

from collections import defaultdict

from orion_dsl.backends.istio.names import (
    EGRESS_SELECTOR,
    EGRESS_SERVICE,
    NETWORKING,
    ROOT_NAMESPACE,
    SECURITY,
    Obj,
    egress_host,
    obj,
    port_protocol,
    principal,
    slug,
)
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import EgressGateway, External, Port, Topology

#: A port the egress gateway routes: (external, host, port).
Routed = tuple[External, str, Port]


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


def shared_opaque_ports(topology: Topology) -> dict[int, list[str]]:
    """Opaque TCP port numbers that more than one external host uses, with those hosts (sorted)."""
    hosts: dict[int, set[str]] = defaultdict(set)
    for e in topology.externals:
        for p in e.ports:
            if port_protocol(p) == "TCP":
                hosts[p.number].update(e.hosts)
    return {number: sorted(found) for number, found in sorted(hosts.items()) if len(found) > 1}


def service_entry(topology: Topology, external: External, shared: dict[int, list[str]]) -> Obj:
    """The allow-listed external service: hosts, ports with Istio protocols, resolution (none for a
    wildcard host or a TCP port other externals share), outside the mesh."""
    ports = [{"number": p.number, "name": p.name, "protocol": port_protocol(p)} for p in external.ports]
    ambiguous = any(port_protocol(p) == "TCP" and p.number in shared for p in external.ports)
    wildcard = any(h.startswith("*") for h in external.hosts)  # Istio resolves only whole names by DNS
    spec = {
        "hosts": list(external.hosts),
        "ports": ports,
        "resolution": "NONE" if ambiguous or wildcard else "DNS",
        "location": "MESH_EXTERNAL",
        "exportTo": export_to(topology, external, ROOT_NAMESPACE),
    }
    return obj(NETWORKING, "ServiceEntry", external.name, ROOT_NAMESPACE, spec)


def service_entries(topology: Topology) -> tuple[list[Obj], list[Diagnostic]]:
    """Every external's ServiceEntry; UDP ports and opaque ports shared by several hosts are reported."""
    shared = shared_opaque_ports(topology)
    diagnostics = [
        info(
            "I0711",
            None,
            f"port {number} is opaque TCP for {', '.join(hosts)}: Istio tells them apart by port only, so their ServiceEntries resolve NONE",
            "connections on this port go to the address the application resolved; the host is not checked by the sidecar",
        )
        for number, hosts in shared.items()
    ]
    diagnostics += [
        info(
            "I0706",
            None,
            f"{e.name}:{p.number}/udp bypasses the sidecar: Istio proxies TCP only",
            "the NetworkPolicy egress rule enforces it",
        )
        for e in topology.externals
        for p in e.ports
        if p.protocol == "UDP"
    ]
    return [service_entry(topology, e, shared) for e in topology.externals], diagnostics


def routed_ports(external: External) -> tuple[Port, ...]:
    """The ports of an external that the egress gateway can route by SNI."""
    return tuple(p for p in external.ports if p.tls)


def egress_gateway(gateway: EgressGateway, routed: list[Routed]) -> Obj:
    """The egress gateway's listeners: one server per routed host and port."""
    mode = "ISTIO_MUTUAL" if gateway.tls_origination else "PASSTHROUGH"
    servers = [
        {"port": {"number": p.number, "name": f"tls-{slug(host)}-{p.number}", "protocol": "TLS"}, "hosts": [host], "tls": {"mode": mode}}
        for _, host, p in routed
    ]
    return obj(NETWORKING, "Gateway", EGRESS_SERVICE, gateway.namespace, {"selector": dict(EGRESS_SELECTOR), "servers": servers})


def _subset(host: str, port: Port) -> str:
    return f"{slug(host)}-{port.number}"


def egress_virtual_service(topology: Topology, gateway: EgressGateway, external: External, host: str, ports: tuple[Port, ...]) -> Obj:
    """Sidecar -> egress gateway (SNI match in the mesh) and egress gateway -> external, for one host."""
    tls: list[Obj] = []
    tcp: list[Obj] = []
    for p in ports:
        to_gateway = {"host": egress_host(gateway.namespace), "port": {"number": p.number}, "subset": _subset(host, p)}
        tls.append({"match": [{"gateways": ["mesh"], "port": p.number, "sniHosts": [host]}], "route": [{"destination": to_gateway, "weight": 100}]})
        onward = [{"destination": {"host": host, "port": {"number": p.number}}, "weight": 100}]
        if gateway.tls_origination:
            tcp.append({"match": [{"gateways": [EGRESS_SERVICE], "port": p.number}], "route": onward})
        else:
            tls.append({"match": [{"gateways": [EGRESS_SERVICE], "port": p.number, "sniHosts": [host]}], "route": onward})
    spec: Obj = {
        "hosts": [host],
        "gateways": ["mesh", EGRESS_SERVICE],
        "exportTo": export_to(topology, external, gateway.namespace),
        "tls": tls,
    }
    if tcp:
        spec["tcp"] = tcp
    return obj(NETWORKING, "VirtualService", gateway.virtual_service(host), gateway.namespace, spec)


def egress_destination_rule(gateway: EgressGateway, routed: list[Routed]) -> Obj:
    """Subsets of the egress gateway, one per host and port; with TLS origination the sidecar originates ISTIO_MUTUAL with the host as SNI."""
    found: list[Obj] = []
    for _, host, p in routed:
        subset: Obj = {"name": _subset(host, p)}
        if gateway.tls_origination:
            subset["trafficPolicy"] = {"portLevelSettings": [{"port": {"number": p.number}, "tls": {"mode": "ISTIO_MUTUAL", "sni": host}}]}
        found.append(subset)
    return obj(NETWORKING, "DestinationRule", EGRESS_SERVICE, gateway.namespace, {"host": egress_host(gateway.namespace), "subsets": found})


def egress_access_control(topology: Topology, gateway: EgressGateway, routed: list[Routed]) -> Obj:
    """The egress gateway admits, per SNI host, only the allow-graph's meshed callers of that external."""
    rules = []
    for external, host in dict.fromkeys((e, h) for e, h, _ in routed):
        principals = sorted(principal(name, ns) for name, ns in callers(topology, external))
        if principals:
            rules.append({"from": [{"source": {"principals": principals}}], "when": [{"key": "connection.sni", "values": [host]}]})
    spec = {"selector": {"matchLabels": dict(EGRESS_SELECTOR)}, "action": "ALLOW", "rules": rules}
    return obj(SECURITY, "AuthorizationPolicy", "egress-access-control", gateway.namespace, spec)


def _routed(topology: Topology, gateway: EgressGateway | None) -> tuple[list[Routed], list[Diagnostic]]:
    """What the egress gateway routes, and the externals sent to it that it cannot route."""
    routed: list[Routed] = []
    diagnostics: list[Diagnostic] = []
    for e in (e for e in topology.externals if e.via_egress_gateway):
        if gateway is None:
            diagnostics.append(info("I0704", None, f"{e.name} is routed via an egress gateway, but the mesh has none", "add `egress_gateway` to the mesh"))
            continue
        diagnostics += [
            info("I0705", None, f"{e.name}:{p.number} is not TLS, so the egress gateway cannot route it by SNI", "it goes out directly")
            for p in e.ports
            if not p.tls
        ]
        routed += [(e, host, p) for host in e.hosts for p in routed_ports(e)]
    return routed, diagnostics


def egress(topology: Topology) -> tuple[list[Obj], list[Diagnostic]]:
    """ServiceEntries for every external and the egress gateway's Gateway, VirtualServices, DestinationRule and policy."""
    mesh = topology.mesh
    assert mesh is not None
    gateway = mesh.egress_gateway
    objects, diagnostics = service_entries(topology)
    routed, reported = _routed(topology, gateway)
    diagnostics += reported
    if gateway is None or not routed:
        return objects, diagnostics
    objects += [egress_gateway(gateway, routed), egress_destination_rule(gateway, routed)]
    for external, host in dict.fromkeys((e, h) for e, h, _ in routed):
        objects.append(egress_virtual_service(topology, gateway, external, host, routed_ports(external)))
    if gateway.tls_origination:
        objects.append(egress_access_control(topology, gateway, routed))
        diagnostics.append(
            info(
                "I0707",
                None,
                "TLS origination: sidecars originate mutual TLS to the egress gateway; the application's TLS to the external is passed on",
                "externals are declared on their TLS port, so the application already encrypts; Istio does not encrypt twice",
            )
        )
    else:
        diagnostics.append(
            info(
                "I0712",
                None,
                "without TLS origination the egress gateway passes TLS through and cannot see which workload calls: it admits any caller",
                "turn `tls_origination` on for access control at the gateway; the NetworkPolicies still limit who reaches it",
            )
        )
    return objects, diagnostics
