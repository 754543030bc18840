"""Which traffic to allow-listed externals the egress gateway carries, for every target.

Istio's "Egress Gateways" task (https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/)
sends a host through the gateway with a ServiceEntry, a Gateway, a VirtualService with a
``mesh`` hop and a gateway hop, and a DestinationRule for the gateway; its section "Apply
Kubernetes network policies" then locks the application pods to the gateway, since otherwise
they can bypass it. ORION does both when the mesh declares an ``egress_gateway``: every
allow-graph edge from a meshed workload to an external on a port the gateway can tell apart
goes through the gateway, whether or not the external says ``via egress_gateway`` (the gateway
gets a listener and a route only for ports meshed workloads call; a workload outside the mesh
has no sidecar to send it there, and its NetworkPolicy lets it out directly):

* a TLS port (443, 465, ...): the gateway routes by SNI, the host the application names;
* an opaque TCP port (SMTP 587 with STARTTLS) that no other allow-listed host uses: the
  gateway routes it by port to the one host it belongs to, resolved by the gateway itself, so
  whatever address the application dialled it reaches only that host.

What stays outside the gateway, and is reported: an opaque TCP port several hosts share
(without ``addresses`` Istio tells them apart by port alone, and STARTTLS sends no SNI, so
neither the sidecar nor the gateway can know which host was meant), and UDP (NTP), which
Istio does not proxy at all. Those go out directly, opened by NetworkPolicy to public addresses
on the port.

The Kubernetes backend (NetworkPolicies) and the Istio backend (routing) both read this
module, so the pods' policies and the mesh's routes cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from orion_dsl.model import Edge, EgressGateway, External, Peer, Port, Topology

from . import names

#: The Istio protocol of an external's port (ServiceEntry ``ports[].protocol``).
IstioProtocol = Literal["HTTPS", "TLS", "TCP", "UDP"]

#: Service port -> pod port of Istio's egress gateway: the chart's ``istio-egressgateway`` Service
#: maps 80 to 8080 and 443 to 8443; other ports are the same on both
#: (istio/istio@00466c1d208933adfca5682a6307f784e8a7f0b4 manifests/charts/gateways/istio-egress/values.yaml).
GATEWAY_POD_PORTS = {80: 8080, 443: 8443}
#: The ports that Service has: any other port the gateway routes must be added to it.
GATEWAY_SERVICE_PORTS = (80, 443, 15443)


def port_protocol(port: Port) -> IstioProtocol:
    """The Istio protocol of an external port: HTTPS for 443, TLS for other TLS ports, UDP as is, else TCP."""
    if port.protocol == "UDP":
        return "UDP"
    if port.number == 443 or port.name == "https":
        return "HTTPS"
    if port.tls:
        return "TLS"
    return "TCP"


def shared_opaque_ports(topology: Topology) -> dict[int, list[str]]:
    """Opaque TCP port numbers that more than one external host uses, with those hosts (sorted)."""
    hosts: dict[int, set[str]] = defaultdict(set)
    for e in topology.externals:
        for p in e.ports:
            if port_protocol(p) == "TCP":
                hosts[p.number].update(e.hosts)
    return {number: sorted(found) for number, found in sorted(hosts.items()) if len(found) > 1}


#: The plan part of an external's second ServiceEntry: the egress gateway's own view of its routed ports.
GATEWAY_VIEW = "gateway-view"


def split_for_gateway(topology: Topology, external: External) -> bool:
    """Whether an external needs two ServiceEntries that no proxy sees both of: one for its callers' sidecars with
    every port and resolution ``NONE`` (it has an opaque TCP port other hosts share, which only the address the
    application resolved tells apart), and one for the egress gateway alone with the ports it routes and ``DNS``.

    At the gateway a ``NONE`` host becomes an original-destination cluster, and the original destination of a
    connection a sidecar sent to the gateway is the gateway itself: Istio's "Egress Gateways" task, "If the
    resolution is NONE, the gateway will direct the traffic to itself in an infinite loop" (quoted in
    istio/istio#50075). The two entries are exported apart because Istio drops one of two ServiceEntries of the
    same host a proxy sees when their resolutions differ (istio/istio#54988; the fix, istio/istio#59566, was closed)."""
    shared = shared_opaque_ports(topology)
    has_shared = any(port_protocol(p) == "TCP" and p.number in shared for p in external.ports)
    return has_shared and bool(gateway_ports(topology, external))


def gateway(topology: Topology) -> EgressGateway | None:
    """The mesh's egress gateway, if one is declared."""
    return topology.mesh.egress_gateway if topology.mesh is not None else None


def gateway_ports(topology: Topology, external: External) -> tuple[Port, ...]:
    """The ports of an external the egress gateway carries: none without a gateway; else those of its TLS
    ports and opaque TCP ports no other host shares that a meshed workload calls. A port only workloads
    outside the mesh call gets no listener or route at the gateway: their connections go out directly
    (no sidecar sends them to it), as their NetworkPolicies say."""
    if gateway(topology) is None:
        return ()
    shared = shared_opaque_ports(topology)
    called = {edge.port for edge in topology.allow_graph.incoming(external.name) if _meshed_source(topology, edge)}
    return tuple(p for p in external.ports if p in called and (p.tls or (port_protocol(p) == "TCP" and p.number not in shared)))


def _meshed_source(topology: Topology, edge: Edge) -> bool:
    """Whether an allow-graph edge starts at a meshed workload (whose sidecar can send it to the gateway)."""
    source = topology.workload(edge.source.name) if edge.source.kind == "workload" else None
    return source is not None and source.meshed


def routed_hosts(topology: Topology) -> tuple[tuple[External, str], ...]:
    """(external, host) the egress gateway routes: every host of an external with a port it carries."""
    return tuple((e, h) for e in topology.externals if gateway_ports(topology, e) for h in e.hosts)


def missing_service_ports(topology: Topology) -> list[int]:
    """The ports the egress gateway routes that the istio-egressgateway Service of Istio's chart lacks (SMTPS 465):
    they must be added to it at install, port and targetPort alike (I0705, PREREQUISITES)."""
    if gateway(topology) is None:
        return []
    return sorted({p.number for e, _ in routed_hosts(topology) for p in gateway_ports(topology, e)} - set(GATEWAY_SERVICE_PORTS))


def unaddressed_hosts(topology: Topology, port: int) -> list[str]:
    """The hosts on an opaque TCP port several hosts share whose external states no ``addresses``: a sidecar
    matches them by port alone (the ServiceEntry resolves NONE, with no address to match), so there any host is
    reachable (I0711). An external with addresses is matched by destination address, and its NetworkPolicy opens
    those ranges only."""
    shared = set(shared_opaque_ports(topology).get(port, ()))
    return [h for e in topology.externals if not e.addresses for h in e.hosts if h in shared]


def outside_callers(topology: Topology, external: External) -> list[str]:
    """The workloads outside the mesh the allow-graph lets call an external: no sidecar checks their host."""
    edges = topology.allow_graph.incoming(external.name)
    return list(dict.fromkeys(e.source.name for e in edges if e.target.kind == "external" and e.source.kind == "workload" and not _meshed_source(topology, e)))


def allow_list_gaps(topology: Topology) -> list[str]:
    """Where nothing holds external traffic to the allow-listed hosts, each as a phrase: the opaque TCP ports
    several hosts share (I0711), UDP ports (I0706; Istio proxies TCP only) and callers outside the mesh (no
    sidecar checks their host; their NetworkPolicy opens the port to every public address), each unless the
    externals concerned state their ``addresses`` (then the NetworkPolicy opens those ranges only). The
    NetworkPolicies cannot match host names (I1030), so on these any public host is reachable. Docs and I1030 say the same."""
    gaps = [f"on {n}/TCP, which {', '.join(hosts)} share" for n, hosts in shared_opaque_ports(topology).items() if unaddressed_hosts(topology, n)]
    udp: dict[int, list[str]] = defaultdict(list)
    for e in topology.externals:
        for p in e.ports:
            if p.protocol == "UDP" and not e.addresses:
                udp[p.number].extend(e.hosts)
    gaps += [f"on {n}/UDP ({', '.join(hosts)}), which Istio does not proxy" for n, hosts in sorted(udp.items())]
    outside = dict.fromkeys(w for e in topology.externals if not e.addresses for w in outside_callers(topology, e))
    if outside:
        gaps.append(f"for callers outside the mesh ({', '.join(outside)}), which no sidecar checks")
    return gaps


def allow_list_held(topology: Topology) -> str:
    """Who holds egress to the allow-listed hosts, and where nothing does (:func:`allow_list_gaps`)."""
    gaps = allow_list_gaps(topology)
    if topology.mesh is None:
        return "no host name is checked: any public address is reachable on the external services' ports"
    held = "the Istio ServiceEntry and Sidecar resources (the istio target) hold meshed callers to the allow-listed hosts"
    return f"{held}, except {'; '.join(gaps)}: there any public address is reachable on the port" if gaps else held


def through_gateway(topology: Topology, edge: Edge) -> bool:
    """Whether an allow-graph edge goes through the egress gateway: a meshed workload's to an external, on a port the gateway carries."""
    external = topology.external(edge.target.name) if edge.target.kind == "external" else None
    return external is not None and _meshed_source(topology, edge) and edge.port in gateway_ports(topology, external)


def gateway_peer(found: EgressGateway) -> Peer:
    """The egress gateway's pods as a NetworkPolicy subject (not an allow-graph peer: its edges are the routed ones)."""
    return Peer("egress-gateway", names.EGRESS_GATEWAY_SERVICE, found.namespace)


def gateway_pod_port(port: Port) -> Port:
    """The port the egress gateway's pods listen on for a Service port (NetworkPolicies match pod ports)."""
    return Port(port.name, GATEWAY_POD_PORTS.get(port.number, port.number), port.protocol)
