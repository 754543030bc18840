"""NetworkPolicies drawn from the allow-graph (``topology.allow_graph``), never re-derived.

* ``default-deny`` in every namespace: all ingress and egress denied (S32);
* for every in-cluster peer (a workload, or the ingress controller) one ``<peer>-ingress``
  policy allowing its incoming edges and one ``<peer>-egress`` policy allowing its outgoing
  edges, each rule naming the other end by ``kubernetes.io/metadata.name`` (namespace) and
  ``app.kubernetes.io/name`` (pod) with numeric ports and protocols;
* DNS edges go to kube-dns (``kube-system``, ``k8s-app: kube-dns``) on 53 UDP and TCP;
* API-server edges go to ``network { api_server ... }``'s addresses, else to any address but
  link-local (I1088: its endpoints carry no labels);
* external services: NetworkPolicy cannot match host names, so an external edge opens its
  ports to the external's ``addresses`` when it states them (less the private, shared and link-local ranges
  inside them: :func:`blocks`), else to ``0.0.0.0/0`` minus private,
  shared and link-local ranges (the cloud metadata address included; I1089 names the callers
  outside the mesh it leaves open); Istio's ServiceEntry and Sidecar hold meshed callers to the allow-listed
  hosts, except where :func:`orion_dsl.lowering.egress.allow_list_gaps` says (I1030). With an
  egress gateway, an edge it carries (:mod:`orion_dsl.lowering.egress`: a meshed caller, a TLS
  port or an unshared opaque TCP port) goes to the gateway's pods on their pod port instead,
  and only the gateway's own policies (``istio-egressgateway-ingress`` and ``-egress`` in its
  namespace) open the external ports to its addresses (or public ones), as Istio's
  "Egress Gateways" task asks (https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/,
  "Apply Kubernetes network policies"); the gateway also reaches kube-dns and istiod. What the
  gateway cannot carry (UDP, an opaque port several hosts share) still opens to public addresses;
* the internet reaches the ingress controller on its listen ports: Istio's gateway pods
  (``gateway.networking.k8s.io/gateway-name: <gateway>``; Envoy binds the listener ports
  themselves), or ingress-nginx's (``app.kubernetes.io/name: ingress-nginx``), in the ingress
  namespace. Istio's gateway pods also reach kube-dns and istiod (their configuration and
  certificates), like the egress gateway's, and, when they run the ingress's ``waf``, the registry its
  Wasm module comes from (their istio-agent pulls it, not through Envoy): ghcr.io, whose blobs redirect
  to GitHub's content hosts, on 443 of public addresses (I1087 under ``internet deny``), or the spec's
  mirror on its port at any address but link-local. ingress-nginx's pods reach kube-dns and the API
  server (they watch Ingresses, Services, EndpointSlices and Secrets) and take the API server's calls to
  their admission webhook (8443). Either controller reaches cert-manager's HTTP-01 solver pods on 8089
  where an HTTP-01 issuer signs the ingress's certificate (the challenge goes through the controller).

Beyond the graph, for the platform itself (pods the graph does not model): meshed namespaces
may reach istiod on 15012 (``istio-control-plane``), the ACME HTTP-01 solver pods accept the
ingress controller (``acme-http01-solver``), and backup jobs reach their database, DNS and the
object store (see :mod:`.backups`).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from orion_dsl import controllers
from orion_dsl.analysis.allow_graph import API_SERVER_PORTS, DNS_PORTS, MERGED_METRICS
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.engines import run_by
from orion_dsl.lowering import Plan, Planned, Role, address_ranges, egress, names, waf
from orion_dsl.lowering.istio import gateway_waf
from orion_dsl.lowering.kubernetes import certificate_namespaces, peer_pods
from orion_dsl.lowering.prerequisites import api_server_callers
from orion_dsl.model import Edge, Peer, Port, Topology

from . import meta
from .meta import Builder, Obj

PRIVATE_RANGES = tuple(str(r) for r in address_ranges.PRIVATE_RANGES)
PUBLIC = {"ipBlock": {"cidr": "0.0.0.0/0", "except": list(PRIVATE_RANGES)}}
ANYWHERE = {"ipBlock": {"cidr": "0.0.0.0/0"}}
#: The Kubernetes API server when the spec does not state its addresses: its endpoints carry no labels and its
#: address differs per cluster (private or public), so any address but link-local, where the cloud metadata service is.
API_SERVER = {"ipBlock": {"cidr": "0.0.0.0/0", "except": [str(address_ranges.LINK_LOCAL)]}}
#: A registry mirror the spec names (``waf ... { module "oci://..." }``): its address is not known, and a mirror is
#: usually inside the network, so any address but link-local, on the registry's port.
MIRROR = API_SERVER
ACME_SOLVER_PORT = 8089
#: ingress-nginx's validating admission webhook: the controller container's ``webhook`` port, which the chart's
#: ``<release>-controller-admission`` Service (port 443) targets and the API server calls on every Ingress
#: change (kubernetes/ingress-nginx charts/ingress-nginx values.yaml ``controller.admissionWebhooks.port``).
INGRESS_NGINX_WEBHOOK = Port("webhook", 8443)

#: The readiness endpoint of an Istio gateway pod (/healthz/ready), a port of the Service Istio makes
#: for a Gateway (kube-gateway.yaml, istio/istio 1.30.3): load balancers inside the network
#: health-check it (through node ports, so from node addresses the cluster does not label), so it
#: is open to private addresses only; kubelet probes from the pod's own node are always allowed.
ISTIO_GATEWAY_STATUS = Port("status-port", 15021, "TCP")
HEALTH_CHECKERS = tuple({"ipBlock": {"cidr": cidr}} for cidr in PRIVATE_RANGES if cidr != str(address_ranges.LINK_LOCAL))


#: The NetworkPolicy peers (``from``/``to`` entries) one allow-graph peer stands for.
NetPeers = tuple[dict[str, Any], ...]


def blocks(ranges: Iterable[ipaddress.IPv4Network], otherwise: dict[str, Any]) -> NetPeers:
    """The NetworkPolicy peers of stated address ranges, one ``ipBlock`` each; ``otherwise`` when none is stated.

    A stated range narrows ``otherwise``, so it leaves out what ``otherwise`` leaves out inside it
    (:func:`orion_dsl.lowering.address_ranges.left_out`): ``0.0.0.0/0`` or a supernet of private ranges stated
    for an external opens no pod, node or metadata address the rule to every public address keeps closed."""
    excluded = [ipaddress.IPv4Network(c) for c in otherwise["ipBlock"].get("except", ())]
    found = tuple(_block(r, address_ranges.left_out(r, excluded)) for r in dict.fromkeys(ranges))
    return found or (otherwise,)


def _block(cidr: ipaddress.IPv4Network, left_out: tuple[ipaddress.IPv4Network, ...]) -> dict[str, Any]:
    block: dict[str, Any] = {"cidr": str(cidr)}
    if left_out:
        block["except"] = [str(x) for x in left_out]
    return {"ipBlock": block}


def api_server(topology: Topology) -> NetPeers:
    """The API server's addresses as NetworkPolicy peers: ``network { api_server ... }``, the ``kubernetes``
    EndpointSlice's endpoints (kube-proxy and Cilium translate the Service's address to them before the
    policy sees the packet; Kubernetes leaves it to the plugin: kubernetes.io/docs/concepts/services-networking/network-policies,
    "Behavior of ipBlock selectors"), else any address but link-local."""
    return blocks(topology.network.api_server, API_SERVER)


def object_store(topology: Topology, targets: Iterable[str]) -> NetPeers:
    """Where the recovery targets of these names are reached: their ``addresses``, or every public address
    if one of them states none."""
    found = {t.name: t for t in topology.recovery.targets} if topology.recovery is not None else {}
    stated = [found[name].addresses if name in found else () for name in dict.fromkeys(targets)]
    if not stated or not all(stated):
        return (PUBLIC,)
    return blocks((r for ranges in stated for r in ranges), PUBLIC)


def in_namespace(namespace: str, pods: dict[str, str]) -> dict[str, Any]:
    """A peer: pods with these labels in one namespace."""
    return {"namespaceSelector": {"matchLabels": {meta.NAMESPACE_NAME: namespace}}, "podSelector": {"matchLabels": dict(pods)}}


def _ports(ports: set[tuple[int, str]]) -> list[dict[str, Any]]:
    return [{"port": n, "protocol": p} for n, p in sorted(ports, key=lambda x: (x[0], x[1]))]


class _Peers:
    """How each kind of peer is named in a NetworkPolicy."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        gateway = egress.gateway(topology)
        self.egress_gateway = gateway.namespace if gateway is not None else None
        self.selected: dict[Peer, NetPeers] = {}

    def select(self, peer: Peer) -> NetPeers:
        """The NetworkPolicy peers that select a graph peer's pods (or addresses): one set per peer, shared by its edges
        (a plan keeps the rules of every edge, and nothing changes a peer once made)."""
        found = self.selected.get(peer)
        if found is None:
            found = self.selected[peer] = self._select(peer)
        return found

    def _select(self, peer: Peer) -> NetPeers:
        if peer.kind == "workload":
            w = self.topology.workload(peer.name)
            return (in_namespace(peer.namespace or "", names.pod_selector(w) if w is not None else {meta.NAME: peer.name}),)
        if peer.kind == "ingress" and self.topology.ingress is not None:
            return (in_namespace(peer.namespace or "", names.ingress_controller_pods(self.topology.ingress)),)
        if peer.kind == "dns":
            return (in_namespace(peer.namespace or meta.KUBE_DNS_NAMESPACE, meta.KUBE_DNS),)
        if peer.kind == "operator" and (controller := controllers.BY_NAME.get(peer.name)) is not None:
            return (in_namespace(controller.namespace or "", dict(controller.pods)),)
        if peer.kind == "operator":
            operator = run_by(peer.name)
            return (in_namespace(operator.operator_namespace, dict(operator.operator_pods)),)
        if peer.kind == "internet":
            return (ANYWHERE,)
        if peer.kind == "api-server":
            return api_server(self.topology)
        if peer.kind == "object-store":
            return object_store(self.topology, (peer.name,))
        external = self.topology.external(peer.name)
        return blocks(external.addresses if external is not None else (), PUBLIC)

    def sources(self, edge: Edge) -> NetPeers:
        """The NetworkPolicy peers an edge's traffic comes from: the internet reaches the ingress through
        the proxy in front when it states its ranges (so no client can skip the proxy and forge the
        X-Forwarded-For the gateway trusts); an exposed workload's own Service, and the rest, as selected."""
        ranges = self.topology.front_ranges()
        if edge.source.kind == "internet" and edge.target.kind == "ingress" and ranges:
            return blocks(ranges, ANYWHERE)
        return self.select(edge.source)

    def egress_target(self, edge: Edge) -> tuple[NetPeers, Port]:
        """Where an egress edge really goes, and on which pod port: an edge through the egress
        gateway (:mod:`orion_dsl.lowering.egress`) goes to the gateway's pods, on the pod port
        behind the gateway Service's port (Istio's chart maps 443 to 8443 and 80 to 8080)."""
        if egress.through_gateway(self.topology, edge):
            return (in_namespace(self.egress_gateway or "", meta.EGRESS_GATEWAY),), egress.gateway_pod_port(edge.port)
        return self.select(edge.target), pod_port(self.topology, edge)


def pod_port(topology: Topology, edge: Edge) -> Port:
    """The pod port an in-cluster edge reaches: the Istio agent's merged metrics for a scrape of a meshed workload, else the edge's port."""
    target = topology.workload(edge.target.name) if edge.target.kind == "workload" else None
    return MERGED_METRICS if edge.rule == "scrape" and target is not None and target.meshed else edge.port


def _rules(pairs: list[tuple[NetPeers, Port]], key: str) -> list[dict[str, Any]]:
    grouped: dict[str, tuple[NetPeers, set[tuple[int, str]]]] = {}
    for peers, port in pairs:
        k = repr([sorted(peer.items()) for peer in peers])
        grouped.setdefault(k, (peers, set()))[1].add((port.number, port.protocol))
    return [{key: list(peers), "ports": _ports(ports)} for peers, ports in grouped.values()]


def _block_covers(wide: dict[str, Any], narrow: dict[str, Any]) -> bool:
    """Whether every address of one ``ipBlock`` is in another: inside its ``cidr`` and in none of its ``except``."""
    cidr = ipaddress.IPv4Network(narrow["cidr"])
    if not cidr.subnet_of(ipaddress.IPv4Network(wide["cidr"])):
        return False
    left_out = [ipaddress.IPv4Network(x) for x in narrow.get("except", ())]
    for x in map(ipaddress.IPv4Network, wide.get("except", ())):
        if x.overlaps(cidr) and (cidr.subnet_of(x) or not any(x.subnet_of(y) for y in left_out)):
            return False
    return True


def covered(peers: NetPeers, by: NetPeers) -> bool:
    """Whether peers of addresses alone (ipBlocks) lie in the ipBlocks of other peers, each in one of them."""
    wide = [p["ipBlock"] for p in by if "ipBlock" in p]
    return all("ipBlock" in p and any(_block_covers(w, p["ipBlock"]) for w in wide) for p in peers)


def open_to_public(peers: NetPeers) -> bool:
    """Whether peers hold every public address (:data:`PUBLIC`, or a wider rule such as the API server's default)."""
    return covered((PUBLIC,), peers)


def unshadowed(pairs: list[tuple[NetPeers, Port]]) -> list[tuple[NetPeers, Port]]:
    """Egress pairs less the narrowed ones (stated ranges) that a pair on the same port to every public address already
    allows. NetworkPolicy rules add up, so a narrowed external's ranges beside another external without ``addresses``,
    or beside the API server's any-address rule, allow nothing more: the rule is left out rather than written dead.
    Rules to every public address are kept as they are."""
    wide: dict[tuple[int, str], list[NetPeers]] = defaultdict(list)
    for peers, port in pairs:
        if open_to_public(peers):
            wide[(port.number, port.protocol)].append(peers)
    return [(peers, port) for peers, port in pairs if open_to_public(peers) or not any(covered(peers, w) for w in wide[(port.number, port.protocol)])]


def _policy(entry: Planned, plan: Plan, direction: str, rules: list[dict[str, Any]]) -> Obj:
    """A NetworkPolicy of one direction for the pods its plan entry selects."""
    pods = entry.selector
    spec: dict[str, Any] = {"podSelector": {"matchLabels": pods} if pods else {}, "policyTypes": [direction], direction.lower(): rules}
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "network-policy"), spec=spec)


#: (incoming, outgoing) rules of each in-cluster peer: (the other end as a NetworkPolicy peer, port).
PeerRules = dict[Peer, tuple[list[tuple[NetPeers, Port]], list[tuple[NetPeers, Port]]]]


def peer_rules(plan: Plan) -> PeerRules:
    """Every in-cluster peer's incoming and outgoing edges of the allow-graph, read once per plan (:func:`rules_of`)."""
    return rules_of(plan.topology)


def rules_of(topology: Topology) -> PeerRules:
    """Every in-cluster peer's incoming and outgoing edges of the allow-graph.

    An edge through the egress gateway leaves its source for the gateway's pods, enters them from
    the source, and leaves them for the external's addresses (or public ones) on its port.
    """
    peers = _Peers(topology)
    found: PeerRules = defaultdict(lambda: ([], []))
    gateway = egress.gateway(topology)
    for edge in topology.allow_graph.edges:
        if peer_pods(topology, edge.target) is not None:
            found[edge.target][0].append((peers.sources(edge), pod_port(topology, edge)))
        if peer_pods(topology, edge.source) is not None:
            found[edge.source][1].append(peers.egress_target(edge))
        if gateway is not None and egress.through_gateway(topology, edge):
            rules = found[egress.gateway_peer(gateway)]
            rules[0].append((peers.select(edge.source), egress.gateway_pod_port(edge.port)))
            rules[1].append((peers.select(edge.target), edge.port))
    if gateway is not None and egress.gateway_peer(gateway) in found:
        found[egress.gateway_peer(gateway)][1].extend(_gateway_platform())
    ing = topology.istio_gateway
    controller = Peer("ingress", ing.name, ing.namespace) if ing is not None else None
    if controller is not None and controller in found:
        found[controller][0].append((HEALTH_CHECKERS, ISTIO_GATEWAY_STATUS))
        found[controller][1].extend(_gateway_platform())
        if ing is not None and gateway_waf(topology) is not None:
            registry = MIRROR if ing.waf_module is not None else PUBLIC
            found[controller][1].append(((registry,), Port("wasm-registry", waf.module(ing).port, "TCP")))
        found[controller][1].extend(_acme_solvers(topology))
    nginx = topology.ingress if topology.ingress is not None and topology.ingress.controller == "ingress-nginx" else None
    if nginx is not None and (peer := Peer("ingress", nginx.name, nginx.namespace)) in found:
        found[peer][0].append((api_server(topology), INGRESS_NGINX_WEBHOOK))
        found[peer][1].extend([*_dns(), *((api_server(topology), port) for port in API_SERVER_PORTS), *_acme_solvers(topology)])
    return found


def _acme_solvers(topology: Topology) -> list[tuple[NetPeers, Port]]:
    """The ingress controller forwards Let's Encrypt's HTTP-01 challenges to cert-manager's solver pods
    (beside each Certificate of an HTTP-01 issuer), which ``acme-http01-solver`` admits: without this
    egress the challenge gets a 503 and the Certificate is never issued."""
    return [((in_namespace(ns, names.ACME_SOLVER_PODS),), Port("acme-http01", ACME_SOLVER_PORT)) for ns in certificate_namespaces(topology)]


def _gateway_platform() -> list[tuple[NetPeers, Port]]:
    """What Istio's gateway pods need besides their traffic: kube-dns (the egress gateway resolves the
    ServiceEntry hosts, resolution DNS; the agent resolves istiod) and istiod (the proxy's
    configuration and certificates)."""
    return [*_dns(), ((in_namespace(meta.ISTIO_NAMESPACE, meta.ISTIOD),), Port("grpc-xds", meta.ISTIOD_PORT))]


def _dns() -> list[tuple[NetPeers, Port]]:
    """kube-dns, on each of its ports."""
    return [((in_namespace(meta.KUBE_DNS_NAMESPACE, meta.KUBE_DNS),), port) for port in DNS_PORTS]


def ingress_policy(entry: Planned, plan: Plan) -> Obj:
    """What may reach a peer's pods: its incoming allow-graph edges."""
    incoming = plan.index(peer_rules)[entry.of(Peer)][0]
    return _policy(entry, plan, "Ingress", _rules(incoming, "from"))


def egress_policy(entry: Planned, plan: Plan) -> Obj:
    """Where a peer's pods may go: its outgoing allow-graph edges; with ``internet allow``, a workload's also
    every public address on every port (a rule without ``ports``)."""
    peer = entry.of(Peer)
    rules = _rules(unshadowed(plan.index(peer_rules)[peer][1]), "to")
    if plan.topology.network.internet and peer.kind == "workload":
        rules.append({"to": [PUBLIC]})
    return _policy(entry, plan, "Egress", rules)


def default_deny(entry: Planned, plan: Plan) -> Obj:
    """Deny all ingress and egress of every pod in a namespace (of ORION's pods in an ``external`` one)."""
    pods = entry.selector
    spec = {"podSelector": {"matchLabels": pods} if pods else {}, "policyTypes": ["Ingress", "Egress"]}
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "network-policy"), spec=spec)


def istio_control_plane(entry: Planned, plan: Plan) -> Obj:
    """Sidecars of a meshed namespace fetch configuration and certificates from istiod."""
    rules = [{"to": [in_namespace(meta.ISTIO_NAMESPACE, meta.ISTIOD)], "ports": [{"port": meta.ISTIOD_PORT, "protocol": "TCP"}]}]
    return _policy(entry, plan, "Egress", rules)


def acme_solver(entry: Planned, plan: Plan) -> Obj:
    """cert-manager's HTTP-01 solver pods accept the ingress controller."""
    ing = plan.topology.ingress
    assert ing is not None
    rules = [{"from": [in_namespace(ing.namespace, names.ingress_controller_pods(ing))], "ports": [{"port": ACME_SOLVER_PORT, "protocol": "TCP"}]}]
    return _policy(entry, plan, "Ingress", rules)


def _open_to_public(topology: Topology, rules: PeerRules, external: str) -> bool:
    """Whether a port of an external, on some pods that reach it, is open to every public address anyway: another
    rule of those pods on that port (an external without ``addresses``, the API server's any-address rule) allows it,
    or ``internet allow`` opens every port of a workload's pods."""
    gateway = egress.gateway(topology)
    for edge in topology.allow_graph.edges:
        if edge.target.kind != "external" or edge.target.name != external:
            continue
        pods = egress.gateway_peer(gateway) if gateway is not None and egress.through_gateway(topology, edge) else edge.source
        if pods.kind == "workload" and topology.network.internet:
            return True
        same_port = [peers for peers, port in rules[pods][1] if (port.number, port.protocol) == (edge.port.number, edge.port.protocol)]
        if any(open_to_public(peers) for peers in same_port):
            return True
    return False


def _stated(topology: Topology, externals: list[str]) -> str:
    """For I1030: which of the called externals are reached at their stated ``addresses`` instead, and which state
    addresses that narrow nothing, since every public address stays open on one of their ports for the same pods."""
    stated = [name for name in externals if (ext := topology.external(name)) is not None and ext.addresses]
    if not stated:
        return ""
    rules = rules_of(topology)
    wide = [name for name in stated if _open_to_public(topology, rules, name)]
    narrowed = [name for name in stated if name not in wide]
    found = [f"at their stated addresses: {', '.join(narrowed)}"] if narrowed else []
    if wide:
        found.append(f"stated, yet open to every public address on the same pods and port: {', '.join(wide)}")
    return f" ({'; '.join(found)})"


def _open_api_server(topology: Topology, written: list[Planned]) -> list[Diagnostic]:
    """I1088: without ``network { api_server ... }`` the API server's callers may reach any address but
    link-local on 443 and 6443 (the internet included), since its endpoints carry no labels to select."""
    callers = api_server_callers(topology, written)
    if topology.network.api_server or not callers:
        return []
    return [
        info(
            "I1088",
            None,
            f"{', '.join(callers)} may reach any address but link-local on 443 and 6443, the internet included: "
            "the API server's endpoints carry no labels, and the spec states no address for them",
            "state the endpoints `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes` lists "
            "as `network { api_server CIDR, ... }`, and every API-server egress rule goes there only",
        )
    ]


def _open_externals(topology: Topology) -> list[Diagnostic]:
    """I1089: an external without ``addresses`` called from outside the mesh: no sidecar checks the host, and the
    callers' NetworkPolicy opens its ports to every public address."""
    found = []
    for ext in topology.externals:
        callers = egress.outside_callers(topology, ext)
        if callers and not ext.addresses:
            ports = ", ".join(f"{p.number}/{p.protocol.lower()}" for p in ext.ports)
            found.append(
                info(
                    "I1089",
                    ext.span,
                    f"{', '.join(callers)} call{'s' if len(callers) == 1 else ''} {ext.name} from outside the mesh: no sidecar checks the host, "
                    f"so any public address is reachable on {ports}",
                    f"state the ranges {ext.name}'s hosts lie in (`addresses CIDR, ...`): the NetworkPolicy then opens those only",
                )
            )
    return found


def diagnostics(topology: Topology, written: list[Planned]) -> list[Diagnostic]:
    """What the NetworkPolicies cannot express, and where they stay open to any address."""
    diags: list[Diagnostic] = [*_open_api_server(topology, written), *_open_externals(topology)]
    externals = sorted({e.target.name for e in topology.allow_graph.edges if e.target.kind == "external"})
    if externals:
        hosts = ", ".join(h for name in externals for ext in [topology.external(name)] if ext for h in ext.hosts)
        gateway = egress.gateway(topology)
        where = "the callers' pods" if gateway is None else f"the egress gateway's pods in {gateway.namespace} (callers reach the gateway)"
        diags.append(
            info(
                "I1030",
                None,
                f"NetworkPolicy cannot match host names: egress to {len(externals)} "
                f"external services is opened from {where} to public addresses{_stated(topology, externals)} on their ports only",
                f"the host allow-list ({hosts}): {egress.allow_list_held(topology)}",
            )
        )
    ing = gateway_waf(topology)
    if ing is not None and ing.waf_module is None and not topology.network.internet:
        diags.append(
            info(
                "I1087",
                ing.span,
                f"beside `internet deny`, the pods of gateway {ing.name} reach public addresses on 443: their istio-agent pulls "
                f"the WAF's module from {waf.CORAZA_MODULE.registry}",
                'mirror the module in a registry inside the network and name it: `waf modsecurity { module "oci://REGISTRY/coraza-proxy-wasm:0.6.0" }`',
            )
        )
    if topology.ingress is not None and topology.ingress.controller == "ingress-nginx":
        diags.append(
            info(
                "I1032",
                None,
                f"the ingress controller in {topology.ingress.namespace} is not generated; "
                "its pods must carry app.kubernetes.io/name=ingress-nginx for these NetworkPolicies",
                "they open its egress to kube-dns and the API server (443, 6443; `network { api_server }` narrows it) and admit the "
                f"API server to its admission webhook on {INGRESS_NGINX_WEBHOOK.number}; cert-manager's own egress (API server, "
                "ACME server) is its installation's",
            )
        )
    return diags


BUILDERS: dict[Role, Builder] = {
    Role.DEFAULT_DENY: default_deny,
    Role.CONTROL_PLANE_POLICY: istio_control_plane,
    Role.INGRESS_POLICY: ingress_policy,
    Role.EGRESS_POLICY: egress_policy,
    Role.ACME_SOLVER_POLICY: acme_solver,
}
