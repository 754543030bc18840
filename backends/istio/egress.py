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

from orion_dsl.backends.istio.names import Obj, host, obj, port_protocol, principal
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role
from orion_dsl.lowering.istio import routed_hosts
from orion_dsl.lowering.names import egress_server_port, egress_subset
from orion_dsl.model import EgressGateway, External, Port, Topology, Workload

#: A port the egress gateway routes: (external, host, port).
Routed = tuple[External, str, Port]


def callers(topology: Topology, external: External) -> list[Workload]:
    """Every meshed workload the allow-graph lets call the external, by name and namespace."""
    found: dict[tuple[str, str], Workload] = {}
    for edge in topology.allow_graph.incoming(external.name):
        source = topology.workload(edge.source.name) if edge.source.kind == "workload" else None
        if edge.target.kind == "external" and source is not None and source.meshed:
            found[(source.name, source.namespace)] = source
    return [found[key] for key in sorted(found)]


def export_to(topology: Topology, external: External, home: str) -> list[str]:
    """Where an external's configuration (kept in ``home``) is visible: there, its callers' namespaces and the egress gateway's."""
    gateway = topology.mesh.egress_gateway if topology.mesh else None
    seen = {w.namespace for w in callers(topology, external)}
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


def service_entry(entry: Planned, plan: Plan) -> Obj:
    """The allow-listed external service: hosts, ports with Istio protocols, resolution (none for a
    wildcard host or a TCP port other externals share), outside the mesh."""
    external = entry.of(External)
    shared = shared_opaque_ports(plan.topology)
    ports = [{"number": p.number, "name": p.name, "protocol": port_protocol(p)} for p in external.ports]
    ambiguous = any(port_protocol(p) == "TCP" and p.number in shared for p in external.ports)
    wildcard = any(h.startswith("*") for h in external.hosts)  # Istio resolves only whole names by DNS
    spec = {
        "hosts": list(external.hosts),
        "ports": ports,
        "resolution": "NONE" if ambiguous or wildcard else "DNS",
        "location": "MESH_EXTERNAL",
        "exportTo": export_to(plan.topology, external, entry.namespace),
    }
    return obj(entry, spec)


def routed_ports(external: External) -> tuple[Port, ...]:
    """The ports of an external that the egress gateway can route by SNI."""
    return tuple(p for p in external.ports if p.tls)


def routed(topology: Topology) -> list[Routed]:
    """Every host and port the egress gateway routes, in spec order."""
    return [(e, h, p) for e, h in routed_hosts(topology) for p in routed_ports(e)]


def egress_gateway(entry: Planned, plan: Plan) -> Obj:
    """The egress gateway's listeners: one server per routed host and port."""
    mode = "ISTIO_MUTUAL" if entry.of(EgressGateway).tls_origination else "PASSTHROUGH"
    servers = [
        {"port": {"number": p.number, "name": egress_server_port(h, p.number), "protocol": "TLS"}, "hosts": [h], "tls": {"mode": mode}}
        for _, h, p in routed(plan.topology)
    ]
    return obj(entry, {"selector": entry.selector, "servers": servers})


def egress_virtual_service(entry: Planned, plan: Plan) -> Obj:
    """Sidecar -> egress gateway (SNI match in the mesh) and egress gateway -> external, for one host."""
    external = entry.of(External)
    routed_host = entry.part_of(str)
    mesh = plan.topology.mesh
    gateway = mesh.egress_gateway if mesh else None
    assert gateway is not None, "egress routes are planned only with an egress gateway"
    gateway_host = host(plan.get(Role.PROVIDED_SERVICE, gateway))
    listener = plan.get(Role.EGRESS_GATEWAY, gateway).name
    tls: list[Obj] = []
    tcp: list[Obj] = []
    for p in routed_ports(external):
        to_gateway = {"host": gateway_host, "port": {"number": p.number}, "subset": egress_subset(routed_host, p.number)}
        tls.append({"match": [{"gateways": ["mesh"], "port": p.number, "sniHosts": [routed_host]}], "route": [{"destination": to_gateway, "weight": 100}]})
        onward = [{"destination": {"host": routed_host, "port": {"number": p.number}}, "weight": 100}]
        if gateway.tls_origination:
            tcp.append({"match": [{"gateways": [listener], "port": p.number}], "route": onward})
        else:
            tls.append({"match": [{"gateways": [listener], "port": p.number, "sniHosts": [routed_host]}], "route": onward})
    spec: Obj = {
        "hosts": [routed_host],
        "gateways": ["mesh", listener],
        "exportTo": export_to(plan.topology, external, entry.namespace),
        "tls": tls,
    }
    if tcp:
        spec["tcp"] = tcp
    return obj(entry, spec)


def egress_destination_rule(entry: Planned, plan: Plan) -> Obj:
    """Subsets of the egress gateway, one per host and port; with TLS origination the sidecar originates ISTIO_MUTUAL with the host as SNI."""
    gateway = entry.of(EgressGateway)
    found: list[Obj] = []
    for _, h, p in routed(plan.topology):
        subset: Obj = {"name": egress_subset(h, p.number)}
        if gateway.tls_origination:
            subset["trafficPolicy"] = {"portLevelSettings": [{"port": {"number": p.number}, "tls": {"mode": "ISTIO_MUTUAL", "sni": h}}]}
        found.append(subset)
    return obj(entry, {"host": host(plan.get(Role.PROVIDED_SERVICE, gateway)), "subsets": found})


def egress_access_control(entry: Planned, plan: Plan) -> Obj:
    """The egress gateway admits, per SNI host, only the allow-graph's meshed callers of that external."""
    rules = []
    for external, h in dict.fromkeys((e, h) for e, h, _ in routed(plan.topology)):
        principals = sorted(principal(plan, w) for w in callers(plan.topology, external))
        if principals:
            rules.append({"from": [{"source": {"principals": principals}}], "when": [{"key": "connection.sni", "values": [h]}]})
    return obj(entry, {"selector": {"matchLabels": entry.selector}, "action": "ALLOW", "rules": rules})


def _service_entry_diagnostics(topology: Topology) -> list[Diagnostic]:
    """Opaque ports shared by several hosts (I0711) and UDP ports, which bypass the sidecar (I0706)."""
    found = [
        info(
            "I0711",
            None,
            f"port {number} is opaque TCP for {', '.join(hosts)}: Istio tells them apart by port only, so their ServiceEntries resolve NONE",
            "connections on this port go to the address the application resolved; the host is not checked by the sidecar",
        )
        for number, hosts in shared_opaque_ports(topology).items()
    ]
    found += [
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
    return found


def _unroutable(topology: Topology, gateway: EgressGateway | None) -> list[Diagnostic]:
    """Externals sent to the egress gateway that it cannot route: there is none (I0704), or a port is not TLS (I0705)."""
    found: list[Diagnostic] = []
    for e in (e for e in topology.externals if e.via_egress_gateway):
        if gateway is None:
            found.append(info("I0704", None, f"{e.name} is routed via an egress gateway, but the mesh has none", "add `egress_gateway` to the mesh"))
            continue
        found += [
            info("I0705", None, f"{e.name}:{p.number} is not TLS, so the egress gateway cannot route it by SNI", "it goes out directly")
            for p in e.ports
            if not p.tls
        ]
    return found


def diagnostics(topology: Topology) -> list[Diagnostic]:
    """What egress cannot express: shared opaque and UDP ports, unroutable externals, and what the gateway checks (I0707 or I0712)."""
    mesh = topology.mesh
    assert mesh is not None
    gateway = mesh.egress_gateway
    found = _service_entry_diagnostics(topology) + _unroutable(topology, gateway)
    if gateway is None or not routed(topology):
        return found
    if gateway.tls_origination:
        found.append(
            info(
                "I0707",
                None,
                "TLS origination: sidecars originate mutual TLS to the egress gateway; the application's TLS to the external is passed on",
                "externals are declared on their TLS port, so the application already encrypts; Istio does not encrypt twice",
            )
        )
    else:
        found.append(
            info(
                "I0712",
                None,
                "without TLS origination the egress gateway passes TLS through and cannot see which workload calls: it admits any caller",
                "turn `tls_origination` on for access control at the gateway; the NetworkPolicies still limit who reaches it",
            )
        )
    return found
