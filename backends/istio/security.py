"""PeerAuthentication, AuthorizationPolicy and RequestAuthentication from the allow-graph (S34, S35, S47, S51, S52).

Who may call a meshed workload is read from the allow-graph's edges into it, never re-derived.

Scrapes are not among them: Prometheus reads a meshed pod's merged metrics from the Istio agent's
status port (15020), which the sidecar does not capture, so neither PeerAuthentication nor
AuthorizationPolicy applies to it and no scrape port is opened to plaintext (the NetworkPolicy
admits Prometheus on 15020, see ``backends/kubernetes/policies.py`` MERGED_METRICS).

Istio's ingress gateway (``ingress ... { controller istio }``) is in the mesh: its pods present the
identity of the ServiceAccount Istio makes for the Gateway (``<gateway>-istio``), so they are
admitted by that principal like any meshed caller.

Callers outside the mesh (ingress-nginx, a workload in a namespace without ``mesh on``) have no
sidecar, so they present no mTLS identity: under STRICT mTLS their connections are refused, and
``principals``/``namespaces`` (both mTLS-derived) can never match them. Pod addresses are not
pinned (nothing assigns the spec's ``addresses``; they document the address plan), so admitting
them by ``ipBlocks`` would name addresses no pod has, and opening their ports to plaintext
(``portLevelMtls: PERMISSIVE``) would accept plaintext from anyone: neither is done. Their edges
are not allowed, and an info diagnostic (I0702) says so (fail closed) with the fix (mesh the
caller's namespace, or use ``controller istio`` for the ingress). No port of a meshed workload
accepts plaintext.
"""

from __future__ import annotations

from collections import defaultdict

from orion_dsl.backends.istio.names import Obj, obj, principal
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned
from orion_dsl.lowering import names as lowering_names
from orion_dsl.lowering.istio import meshed
from orion_dsl.model import Edge, Ingress, Jwt, Port, Topology, Workload


def _meshed_caller(topology: Topology, edge: Edge) -> Workload | Ingress | None:
    """The edge's source when it presents an mTLS identity: a meshed workload, or Istio's ingress gateway."""
    if edge.source.kind == "ingress":
        return topology.istio_gateway
    source = topology.workload(edge.source.name) if edge.source.kind == "workload" else None
    return source if source is not None and source.meshed else None


def _principal(plan: Plan, caller: Workload | Ingress) -> str:
    """A meshed caller's principal: its planned ServiceAccount's, or the one Istio makes for the ingress Gateway."""
    if isinstance(caller, Ingress):
        return lowering_names.principal(lowering_names.ingress_controller(caller), caller.namespace)
    return principal(plan, caller)


def incoming(topology: Topology, workload: Workload) -> tuple[Edge, ...]:
    """Allow-graph edges into a workload that its sidecar sees (scrapes go to the agent), in a stable order."""
    edges = [e for e in topology.allow_graph.incoming(workload.name) if e.target.kind == "workload" and e.rule != "scrape"]
    return tuple(sorted(edges, key=lambda e: (e.port.number, e.port.protocol, e.source.kind, e.source.name)))


def _selector(entry: Planned) -> Obj:
    """The ``selector`` of a workload-level policy: the pods its plan entry selects."""
    return {"matchLabels": entry.selector}


def mesh_mtls(entry: Planned, plan: Plan) -> Obj:
    """STRICT mutual TLS for the whole mesh (root namespace)."""
    return obj(entry, {"mtls": {"mode": "STRICT"}})


def namespace_mtls(entry: Planned, plan: Plan) -> Obj:
    """PERMISSIVE mutual TLS in one meshed namespace (the mesh is not ``strict``; ORION's pods only, in an
    ``external`` namespace)."""
    return obj(entry, {**({"selector": _selector(entry)} if entry.selector else {}), "mtls": {"mode": "PERMISSIVE"}})


def allow_nothing(entry: Planned, plan: Plan) -> Obj:
    """The namespace's deny-by-default: an ALLOW policy without rules matches nothing (ORION's pods only, in
    an ``external`` namespace)."""
    return obj(entry, {"selector": _selector(entry)} if entry.selector else {})


def allow_callers(entry: Planned, plan: Plan) -> Obj | None:
    """The ALLOW policy of one meshed workload: one rule per port, from the principals of the allow-graph's meshed callers
    on that port; None without them. The ingress gateway's rule leaves out the workload's internal paths (:func:`internal_paths`)."""
    topology = plan.topology
    w = entry.of(Workload)
    principals: dict[int, set[str]] = defaultdict(set)
    edge_only: dict[int, tuple[str, list[str]]] = {}
    for edge in incoming(topology, w):
        caller = _meshed_caller(topology, edge)
        if caller is None:
            continue
        hidden = internal_paths(w, edge.port) if isinstance(caller, Ingress) else []
        if hidden:
            edge_only[edge.port.number] = (_principal(plan, caller), hidden)
        else:
            principals[edge.port.number].add(_principal(plan, caller))
    if not principals and not edge_only:
        return None
    rules: list[Obj] = []
    for port in sorted({*principals, *edge_only}):
        if principals.get(port):
            rules.append({"from": [{"source": {"principals": sorted(principals[port])}}], "to": [{"operation": {"ports": [str(port)]}}]})
        if port in edge_only:
            who, hidden = edge_only[port]
            rules.append({"from": [{"source": {"principals": [who]}}], "to": [{"operation": {"ports": [str(port)], "notPaths": hidden}}]})
    return obj(entry, {"selector": _selector(entry), "action": "ALLOW", "rules": rules})


def internal_paths(w: Workload, port: Port) -> list[str]:
    """The paths an API gateway routes to itself on another port than the one the internet reaches it on (``route
    "/metrics" -> gateway:metrics``): its own endpoints, which the edge must not serve to the internet whatever the
    application answers on its public port (Istio paths: a trailing ``*`` is a prefix)."""
    return sorted({r.path for r in w.routes if r.target == w.name and r.port.number != port.number})


def ingress_access(entry: Planned, plan: Plan) -> Obj:
    """The ALLOW policy of Istio's gateway pods in a meshed namespace, whose allow-nothing policy covers them too
    (a policy without a selector "applies to all workloads in namespace": istio.io, reference/config/security/
    authorization-policy): clients on the listener ports (the allow-graph's internet edges). Behind a proxy that states
    its ``ranges`` only from those, like the pods' NetworkPolicy: ``ipBlocks`` is the connection's peer, the proxy
    (``externalTrafficPolicy: Local`` keeps it); ``remoteIpBlocks`` would be the client from X-Forwarded-For, which
    numTrustedProxies makes the end user's own address, so it cannot name the proxy."""
    ing = entry.of(Ingress)
    topology = plan.topology
    edges = topology.allow_graph.incoming(ing.name)
    ports = sorted({e.port.number for e in edges if e.source.kind == "internet" and e.target.kind == "ingress"})
    rule: Obj = {"to": [{"operation": {"ports": [str(p) for p in ports]}}]}
    ranges = topology.front_ranges()
    if ranges:
        rule = {"from": [{"source": {"ipBlocks": [str(r) for r in ranges]}}], **rule}
    return obj(entry, {"selector": _selector(entry), "action": "ALLOW", "rules": [rule]})


def unidentified_callers(topology: Topology, workload: Workload) -> list[Diagnostic]:
    """I0702 for each caller outside the mesh: it presents no mTLS identity, so Istio refuses its traffic."""
    return [
        info(
            "I0702",
            edge.span or workload.span,
            f"{edge.source.name} -> {workload.name}:{edge.port.number} is not allowed by Istio: the caller is outside the mesh",
            f"put {edge.source.name} in a namespace with `mesh on`" + (" (or give the ingress `controller istio`)" if edge.source.kind == "ingress" else ""),
        )
        for edge in incoming(topology, workload)
        if _meshed_caller(topology, edge) is None
    ]


def health_paths(workload: Workload) -> tuple[str, ...]:
    """HTTP paths of the workload's probes: they stay reachable without a token."""
    probes = workload.probes
    checks = (probes.liveness, probes.readiness, probes.startup) if probes else ()
    return tuple(sorted({c.path for c in checks if c is not None and c.kind == "http" and c.path}))


def _jwt(plan: Plan) -> Jwt:
    mesh = plan.topology.mesh
    assert mesh is not None and mesh.jwt is not None, "JWT entries are planned only for a mesh with jwt"
    return mesh.jwt


def jwt_authentication(entry: Planned, plan: Plan) -> Obj:
    """RequestAuthentication at the JWT workload; ``forwardOriginalToken`` keeps the token for the workload, which passes the user's identity on."""
    jwt = _jwt(plan)
    rule: Obj = {"issuer": jwt.issuer, "jwksUri": jwt.jwks, "forwardOriginalToken": True}
    if jwt.audiences:  # else any token the issuer signs passes, whoever it was minted for
        rule["audiences"] = list(jwt.audiences)
    return obj(entry, {"selector": _selector(entry), "jwtRules": [rule]})


def require_jwt(entry: Planned, plan: Plan) -> Obj:
    """A DENY policy for requests without a valid token on protected paths.

    ALLOW policies add up, so "a token is required" must be a DENY rule
    (``notRequestPrincipals: ["*"]``); it is limited to the ports API callers use (scrapes go to
    the agent, which the sidecar never sees) and leaves the probe paths and the spec's ``public``
    paths (login, registration, OAuth callbacks: where a token is obtained) through.
    """
    workload = entry.of(Workload)
    ports = sorted({e.port.number for e in incoming(plan.topology, workload)})
    operation: Obj = {"paths": list(_jwt(plan).protect)}
    if ports:
        operation["ports"] = [str(p) for p in ports]
    open_paths = sorted({*health_paths(workload), *_jwt(plan).public})
    if open_paths:
        operation["notPaths"] = open_paths
    spec = {
        "selector": _selector(entry),
        "action": "DENY",
        "rules": [{"from": [{"source": {"notRequestPrincipals": ["*"]}}], "to": [{"operation": operation}]}],
    }
    return obj(entry, spec)


def diagnostics(topology: Topology) -> list[Diagnostic]:
    """What the policies cannot express: callers outside the mesh that cannot be identified (I0702), JWT validation without a sidecar (I0703)."""
    found = [d for w in meshed(topology) for d in unidentified_callers(topology, w)]
    jwt = topology.mesh.jwt if topology.mesh else None
    workload = topology.workload(jwt.workload) if jwt is not None else None
    if jwt is not None and (workload is None or not workload.meshed):
        found.append(
            info(
                "I0703",
                workload.span if workload else None,
                f"JWT validation at {jwt.workload} needs an Envoy sidecar",
                "put it in a meshed namespace",
            )
        )
    return found
