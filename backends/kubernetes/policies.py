"""NetworkPolicies drawn from the allow-graph (``topology.allow_graph``), never re-derived.

* ``default-deny`` in every namespace: all ingress and egress denied (S32);
* for every in-cluster peer (a workload, or the ingress controller) one ``<peer>-ingress``
  policy allowing its incoming edges and one ``<peer>-egress`` policy allowing its outgoing
  edges, each rule naming the other end by ``kubernetes.io/metadata.name`` (namespace) and
  ``app.kubernetes.io/name`` (pod) with numeric ports and protocols;
* DNS edges go to kube-dns (``kube-system``, ``k8s-app: kube-dns``) on 53 UDP and TCP;
* external services: NetworkPolicy cannot match host names, so an external edge opens its
  ports to ``0.0.0.0/0`` minus private, shared and link-local ranges (the cloud metadata
  address included); the host allow-list is enforced by Istio's ServiceEntry and Sidecar
  (I1030). A meshed caller of an external marked ``via egress_gateway`` is allowed to the
  egress gateway pods instead (its sidecar sends the traffic there);
* the internet reaches the ingress controller (``app.kubernetes.io/name: ingress-nginx`` in
  the ingress namespace) on its listen ports.

Beyond the graph, for the platform itself (pods the graph does not model): meshed namespaces
may reach istiod on 15012 (``istio-control-plane``), the ACME HTTP-01 solver pods accept the
ingress controller (``acme-http01-solver``), and backup jobs reach their database, DNS and the
object store (see :mod:`.backups`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import Edge, Peer, Port, Topology

from . import labels as L

PRIVATE_RANGES = ("10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16")
PUBLIC = {"ipBlock": {"cidr": "0.0.0.0/0", "except": list(PRIVATE_RANGES)}}
ANYWHERE = {"ipBlock": {"cidr": "0.0.0.0/0"}}
ACME_SOLVER_PORT = 8089

#: Service port -> pod port of Istio's default egress gateway (NetworkPolicies match pod ports).
EGRESS_GATEWAY_POD_PORTS = {80: 8080, 443: 8443}


def in_namespace(namespace: str, pods: dict[str, str]) -> dict[str, Any]:
    """A peer: pods with these labels in one namespace."""
    return {"namespaceSelector": {"matchLabels": {L.NAMESPACE_NAME: namespace}}, "podSelector": {"matchLabels": dict(pods)}}


def _ports(ports: set[tuple[int, str]]) -> list[dict[str, Any]]:
    return [{"port": n, "protocol": p} for n, p in sorted(ports, key=lambda x: (x[0], x[1]))]


class _Peers:
    """How each kind of peer is named in a NetworkPolicy."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        mesh = topology.mesh
        self.egress_gateway = mesh.egress_gateway.namespace if mesh and mesh.egress_gateway else None

    def select(self, peer: Peer) -> dict[str, Any]:
        """The NetworkPolicy peer that selects a graph peer's pods (or addresses)."""
        if peer.kind == "workload":
            return in_namespace(peer.namespace or "", {L.NAME: peer.name})
        if peer.kind == "ingress":
            return in_namespace(peer.namespace or "", L.INGRESS_CONTROLLER)
        if peer.kind == "dns":
            return in_namespace(peer.namespace or L.KUBE_DNS_NAMESPACE, L.KUBE_DNS)
        if peer.kind == "internet":
            return ANYWHERE
        return PUBLIC

    def egress_target(self, edge: Edge) -> tuple[dict[str, Any], Port]:
        """Where an egress edge really goes, and on which pod port.

        A meshed caller's TLS traffic to an external marked ``via egress_gateway`` goes to the
        egress gateway pods, which listen on the pod port behind the gateway Service's port
        (Istio's default gateway maps 443 to 8443 and 80 to 8080).
        """
        if edge.target.kind == "external" and self.egress_gateway and edge.port.tls:
            ext = self.topology.external(edge.target.name)
            src = self.topology.workload(edge.source.name)
            if ext is not None and ext.via_egress_gateway and src is not None and src.meshed:
                pod_port = EGRESS_GATEWAY_POD_PORTS.get(edge.port.number, edge.port.number)
                return in_namespace(self.egress_gateway, L.EGRESS_GATEWAY), Port(edge.port.name, pod_port, edge.port.protocol)
        return self.select(edge.target), edge.port


def _rules(pairs: list[tuple[dict[str, Any], Port]], key: str) -> list[dict[str, Any]]:
    grouped: dict[str, tuple[dict[str, Any], set[tuple[int, str]]]] = {}
    for peer, port in pairs:
        k = repr(sorted(peer.items()))
        grouped.setdefault(k, (peer, set()))[1].add((port.number, port.protocol))
    return [{key: [peer], "ports": _ports(ports)} for peer, ports in grouped.values()]


def _policy(topology: Topology, name: str, namespace: str, pods: dict[str, str], direction: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": {"matchLabels": dict(pods)} if pods else {}, "policyTypes": [direction], direction.lower(): rules}
    return L.obj("networking.k8s.io/v1", "NetworkPolicy", L.meta(name, namespace, L.recommended(topology, name, "network-policy")), spec=spec)


def _peer_pods(peer: Peer) -> dict[str, str] | None:
    if peer.kind == "workload":
        return {L.NAME: peer.name}
    if peer.kind == "ingress":
        return dict(L.INGRESS_CONTROLLER)
    return None


def _peer_name(topology: Topology, peer: Peer) -> str:
    return topology.ingress.controller_name if peer.kind == "ingress" and topology.ingress is not None else peer.name


def from_graph(topology: Topology) -> list[dict[str, Any]]:
    """The ingress and egress policy of every in-cluster peer, from the allow-graph."""
    peers = _Peers(topology)
    incoming: dict[Peer, list[tuple[dict[str, Any], Port]]] = defaultdict(list)
    outgoing: dict[Peer, list[tuple[dict[str, Any], Port]]] = defaultdict(list)
    order: list[Peer] = []
    for edge in topology.allow_graph.edges:
        for p in (edge.source, edge.target):
            if _peer_pods(p) is not None and p not in order:
                order.append(p)
        if _peer_pods(edge.target) is not None:
            incoming[edge.target].append((peers.select(edge.source), edge.port))
        if _peer_pods(edge.source) is not None:
            outgoing[edge.source].append(peers.egress_target(edge))
    out = []
    for peer in order:
        pods = _peer_pods(peer)
        assert pods is not None and peer.namespace is not None
        name = _peer_name(topology, peer)
        if incoming[peer]:
            out.append(_policy(topology, f"{name}-ingress", peer.namespace, pods, "Ingress", _rules(incoming[peer], "from")))
        if outgoing[peer]:
            out.append(_policy(topology, f"{name}-egress", peer.namespace, pods, "Egress", _rules(outgoing[peer], "to")))
    return out


def default_deny(topology: Topology, namespace: str) -> dict[str, Any]:
    """Deny all ingress and egress of every pod in a namespace."""
    spec = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    return L.obj(
        "networking.k8s.io/v1", "NetworkPolicy", L.meta("default-deny", namespace, L.recommended(topology, "default-deny", "network-policy")), spec=spec
    )


def istio_control_plane(topology: Topology, namespace: str) -> dict[str, Any]:
    """Sidecars of a meshed namespace fetch configuration and certificates from istiod."""
    rules = [{"to": [in_namespace(L.ISTIO_NAMESPACE, L.ISTIOD)], "ports": [{"port": L.ISTIOD_PORT, "protocol": "TCP"}]}]
    return _policy(topology, "istio-control-plane", namespace, {}, "Egress", rules)


def acme_solver(topology: Topology, namespace: str, ingress_namespace: str) -> dict[str, Any]:
    """cert-manager's HTTP-01 solver pods accept the ingress controller."""
    rules = [{"from": [in_namespace(ingress_namespace, L.INGRESS_CONTROLLER)], "ports": [{"port": ACME_SOLVER_PORT, "protocol": "TCP"}]}]
    return _policy(topology, "acme-http01-solver", namespace, {"acme.cert-manager.io/http01-solver": "true"}, "Ingress", rules)


def objects(topology: Topology, certificate_namespaces: list[str]) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """Every NetworkPolicy, and what they cannot express."""
    diags: list[Diagnostic] = []
    out: list[dict[str, Any]] = []
    for ns in topology.namespaces:
        out.append(default_deny(topology, ns.name))
        if ns.mesh:
            out.append(istio_control_plane(topology, ns.name))
    out += from_graph(topology)
    if topology.ingress is not None:
        out += [acme_solver(topology, ns, topology.ingress.namespace) for ns in certificate_namespaces]
    externals = sorted({e.target.name for e in topology.allow_graph.edges if e.target.kind == "external"})
    if externals:
        hosts = ", ".join(h for name in externals for ext in [topology.external(name)] if ext for h in ext.hosts)
        diags.append(
            info(
                "I1030",
                None,
                f"NetworkPolicy cannot match host names: egress to {len(externals)} "
                "external services is opened to public addresses on their ports only",
                f"the host allow-list ({hosts}) is enforced by the Istio ServiceEntry and Sidecar resources (see the istio target)",
            )
        )
    if topology.ingress is not None:
        diags.append(
            info(
                "I1032",
                None,
                f"the ingress controller in {topology.ingress.namespace} is not generated; "
                "its pods must carry app.kubernetes.io/name=ingress-nginx for these NetworkPolicies",
                "its egress to the Kubernetes API server (and cert-manager's to the API server and the ACME "
                "server) is not in the allow-graph: add a NetworkPolicy with your API server's address",
            )
        )
    return out, diags
