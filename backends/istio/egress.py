"""Egress: a ServiceEntry per external and the egress gateway's routing (S37, S43, S44).

* Every external gets a ServiceEntry in the root namespace (``MESH_EXTERNAL``), exported only
  to the namespaces whose meshed workloads the allow-graph lets call it (and ``.``, where the
  egress gateway runs). With each namespace's Sidecar (:mod:`.sidecar`) this is the allow-list.
* Resolution is ``DNS``, except for the *opaque* TCP ports (neither TLS nor HTTP, e.g. SMTP 587
  with STARTTLS) that another allow-listed host also uses: without ``addresses`` Istio tells such
  traffic apart by port alone (istioctl IST0134), so with DNS every connection on that port would
  go to one of the hosts. Such an external's entry uses ``NONE`` (the connection goes to the
  address the application resolved); I0711 reports each such host: on that port any host is
  reachable. If the egress gateway routes its other ports (SMTPS 465), the gateway gets an entry
  of its own (``<name>-gateway``, those ports, ``DNS``: with ``NONE`` it would send the connection
  to its original destination, itself), and the two are exported apart, to the callers' namespaces
  and to the gateway's (:func:`orion_dsl.lowering.egress.split_for_gateway`).
  UDP (NTP) is not proxied at all (I0706).
* With an egress gateway, every host is routed sidecar -> egress gateway -> external on the
  ports :mod:`orion_dsl.lowering.egress` says the gateway carries (TLS ports by SNI, unshared
  opaque TCP ports by port), as in Istio's "Egress Gateways" task
  (https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/): the
  ServiceEntry, a Gateway server per host and port, a VirtualService per host with the ``mesh``
  hop (to the gateway's subset) and the gateway hop (to the host), and the gateway's
  DestinationRule. The Kubernetes target locks the pods to the gateway with NetworkPolicies
  (that task's "Apply Kubernetes network policies"). With ``tls_origination`` the sidecar
  originates Istio mutual TLS to the gateway (DestinationRule subset with ``ISTIO_MUTUAL`` and
  the host as ``sni``; Gateway server ``ISTIO_MUTUAL``), the gateway forwards the application's
  own bytes (its TLS, or SMTP) to the external (``tcp`` route), and an AuthorizationPolicy on the
  gateway admits only the allow-graph's callers of each host (``connection.sni``; no ``ports``:
  at a gateway they are the pod's ports, 8443 for the Service's 443). Without it the gateway
  passes TLS through (``PASSTHROUGH``, routing on SNI; opaque TCP by port) and sees no caller
  identity (I0712). Ports other than 80 and 443 must be added to the gateway's Service (I0705).
* Nothing originates TLS *to the external*: externals are declared on their TLS port, so the
  application already speaks TLS and originating it again would encrypt twice (Istio's "Egress
  Gateways with TLS Origination" expects plain HTTP from the application). ``tls_origination``
  is the sidecar-to-gateway mutual TLS; I0707 says so.
"""

from __future__ import annotations

from orion_dsl.backends.istio.names import Obj, host, obj, port_protocol, principal
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role
from orion_dsl.lowering.egress import GATEWAY_VIEW, gateway, gateway_ports, missing_service_ports, routed_hosts, shared_opaque_ports, split_for_gateway
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
    found = gateway(topology)
    seen = {w.namespace for w in callers(topology, external)}
    if found is not None and gateway_ports(topology, external):
        seen.add(found.namespace)
    return [".", *sorted(seen - {home})]


def service_entry(entry: Planned, plan: Plan) -> Obj:
    """The allow-listed external service: hosts, ports with Istio protocols, resolution (none for a
    wildcard host or a TCP port other externals share), outside the mesh. With resolution NONE the
    external's ``addresses`` go in ``addresses``: a sidecar then takes a connection for this entry only if
    its destination lies in them, instead of any connection on the port (ServiceEntry reference, ``addresses``);
    Istio accepts CIDR addresses with NONE or STATIC resolution only (istio/istio@86c9f01fd735fb01d8192f5bcaf0d424afb7f14c
    pkg/config/validation/validation.go, ValidateServiceEntry), so a DNS entry gets none. Split for the egress gateway
    (:func:`orion_dsl.lowering.egress.split_for_gateway`): the callers' entry (every port, none) is exported to
    their namespaces only, and the gateway's (the ports it routes, DNS) to the gateway's namespace only."""
    topology = plan.topology
    external = entry.of(External)
    own_view = entry.part == GATEWAY_VIEW
    chosen = gateway_ports(topology, external) if own_view else external.ports
    ports = [{"number": p.number, "name": p.name, "protocol": port_protocol(p)} for p in chosen]
    shared = shared_opaque_ports(topology)
    ambiguous = any(port_protocol(p) == "TCP" and p.number in shared for p in chosen)
    wildcard = any(h.startswith("*") for h in external.hosts)  # Istio resolves only whole names by DNS
    exported = export_to(topology, external, entry.namespace)
    found = gateway(topology)
    if own_view and found is not None:
        exported = ["." if found.namespace == entry.namespace else found.namespace]
    elif split_for_gateway(topology, external):
        exported = sorted({w.namespace for w in callers(topology, external)})
    resolution = "NONE" if ambiguous or wildcard else "DNS"
    spec: Obj = {"hosts": list(external.hosts)}
    if resolution == "NONE" and external.addresses:  # matched by destination address, not by port alone
        spec["addresses"] = [str(a) for a in external.addresses]
    spec |= {"ports": ports, "resolution": resolution, "location": "MESH_EXTERNAL", "exportTo": exported}
    return obj(entry, spec)


def routed(topology: Topology) -> list[Routed]:
    """Every host and port the egress gateway routes, in spec order."""
    return [(e, h, p) for e, h in routed_hosts(topology) for p in gateway_ports(topology, e)]


def _server(host_name: str, port: Port, tls_origination: bool) -> Obj:
    """The gateway's listener for one host and port: Istio mutual TLS from the sidecars (the host as
    SNI), else the application's TLS passed through by SNI, or opaque TCP by port."""
    server: Obj = {"port": {"number": port.number, "name": egress_server_port(host_name, port.number), "protocol": "TLS"}, "hosts": [host_name]}
    if tls_origination:
        server["tls"] = {"mode": "ISTIO_MUTUAL"}
    elif port.tls:
        server["tls"] = {"mode": "PASSTHROUGH"}
    else:
        server["port"]["protocol"] = "TCP"
    return server


def egress_gateway(entry: Planned, plan: Plan) -> Obj:
    """The egress gateway's listeners: one server per routed host and port."""
    tls_origination = entry.of(EgressGateway).tls_origination
    servers = [_server(h, p, tls_origination) for _, h, p in routed(plan.topology)]
    return obj(entry, {"selector": entry.selector, "servers": servers})


def egress_virtual_service(entry: Planned, plan: Plan) -> Obj:
    """Sidecar -> egress gateway (in the mesh: by SNI on a TLS port, by port on an opaque one) and
    egress gateway -> external, for one host."""
    external = entry.of(External)
    routed_host = entry.part_of(str)
    mesh = plan.topology.mesh
    gateway = mesh.egress_gateway if mesh else None
    assert gateway is not None, "egress routes are planned only with an egress gateway"
    gateway_host = host(plan.get(Role.PROVIDED_SERVICE, gateway))
    listener = plan.get(Role.EGRESS_GATEWAY, gateway).name
    tls: list[Obj] = []
    tcp: list[Obj] = []
    for p in gateway_ports(plan.topology, external):
        to_gateway = [{"destination": {"host": gateway_host, "port": {"number": p.number}, "subset": egress_subset(routed_host, p.number)}, "weight": 100}]
        onward = [{"destination": {"host": routed_host, "port": {"number": p.number}}, "weight": 100}]
        if p.tls:
            tls.append({"match": [{"gateways": ["mesh"], "port": p.number, "sniHosts": [routed_host]}], "route": to_gateway})
        else:
            tcp.append({"match": [{"gateways": ["mesh"], "port": p.number}], "route": to_gateway})
        if gateway.tls_origination or not p.tls:
            tcp.append({"match": [{"gateways": [listener], "port": p.number}], "route": onward})
        else:
            tls.append({"match": [{"gateways": [listener], "port": p.number, "sniHosts": [routed_host]}], "route": onward})
    spec: Obj = {"hosts": [routed_host], "gateways": ["mesh", listener], "exportTo": export_to(plan.topology, external, entry.namespace)}
    if tls:
        spec["tls"] = tls
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


def _unenforced(topology: Topology) -> list[Diagnostic]:
    """What no generated object holds to the allow-list: each host on an opaque TCP port other hosts
    share whose external states no ``addresses`` (I0711), and each UDP port (I0706): the NetworkPolicy
    opens them to every public address (or the external's addresses)."""
    shared = shared_opaque_ports(topology)
    found = [
        info(
            "I0711",
            e.span,
            f"{h}:{p.number} is opaque TCP, and {', '.join(x for x in shared[p.number] if x != h)} uses port {p.number} too: "
            f"neither the sidecar nor the egress gateway can tell them apart, so any host on {p.number} is reachable",
            f"without `addresses` Istio matches opaque TCP by port alone, and STARTTLS sends no SNI: state the ranges {e.name}'s "
            "hosts lie in (`addresses CIDR, ...`), call the host on its implicit-TLS port (SMTP 465), which is routed by SNI, "
            "or give each host its own port",
        )
        for e in topology.externals
        if not e.addresses
        for p in e.ports
        if port_protocol(p) == "TCP" and p.number in shared
        for h in e.hosts
    ]
    found += [
        info(
            "I0706",
            e.span,
            f"{e.name}:{p.number}/udp bypasses the sidecar and the egress gateway: Istio proxies TCP only",
            f"the NetworkPolicy opens {p.number}/udp to {_reached(e)}; {', '.join(e.hosts)} is not checked",
        )
        for e in topology.externals
        for p in e.ports
        if p.protocol == "UDP"
    ]
    return found


def _reached(external: External) -> str:
    """Where the NetworkPolicy lets an external's port out: its addresses, or every public address."""
    return f"{', '.join(str(a) for a in external.addresses)} only" if external.addresses else "every public address"


def _gateway_service(topology: Topology) -> list[Diagnostic]:
    """The routed ports Istio's egress gateway Service does not have (I0705): they must be added to it."""
    missing = missing_service_ports(topology)
    found = gateway(topology)
    if not missing or found is None:
        return []
    ports = ", ".join(str(n) for n in missing)
    return [
        info(
            "I0705",
            found.span,
            f"the egress gateway routes port{'s' if len(missing) > 1 else ''} {ports}, "
            "which the istio-egressgateway Service of Istio's chart does not have (80, 443, 15443)",
            f"add {ports} to the Service in {found.namespace} (port and targetPort alike, TCP)",
        )
    ]


def diagnostics(topology: Topology) -> list[Diagnostic]:
    """What egress cannot enforce (I0711, I0706), an external sent to a gateway the mesh lacks (I0704),
    the ports the gateway's Service needs (I0705), and what the gateway checks (I0707 or I0712)."""
    found_gateway = gateway(topology)
    found = _unenforced(topology)
    if found_gateway is None:
        found += [
            info("I0704", e.span, f"{e.name} is routed via an egress gateway, but the mesh has none", "add `egress_gateway` to the mesh")
            for e in topology.externals
            if e.via_egress_gateway
        ]
    if found_gateway is None or not routed(topology):
        return found
    found += _gateway_service(topology)
    if found_gateway.tls_origination:
        found.append(
            info(
                "I0707",
                found_gateway.span,
                "sidecars reach the egress gateway over Istio mutual TLS naming the host as SNI; the gateway forwards "
                "the application's own TLS (or TCP) unchanged: nothing originates TLS to the external",
                "externals are declared on their TLS port, so the application already encrypts; `tls_origination` secures the sidecar-to-gateway hop",
            )
        )
    else:
        found.append(
            info(
                "I0712",
                found_gateway.span,
                "without `tls_origination` the egress gateway passes TLS through and cannot see which workload calls: it admits any caller",
                "turn `tls_origination` on for access control at the gateway; the NetworkPolicies still limit who reaches it",
            )
        )
    return found
