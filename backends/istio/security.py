"""PeerAuthentication, AuthorizationPolicy and RequestAuthentication from the allow-graph (S34, S35, S47, S51, S52).

Who may call a meshed workload is read from the allow-graph's edges into it, never re-derived.

Scrapes are not among them: Prometheus reads a meshed pod's merged metrics from the Istio agent's
status port (15020), which the sidecar does not capture, so neither PeerAuthentication nor
AuthorizationPolicy applies to it and no scrape port is opened to plaintext (the NetworkPolicy
admits Prometheus on 15020, see ``backends/kubernetes/policies.py`` MERGED_METRICS).

Callers outside the mesh (the ingress controller, Prometheus, an unmeshed admin UI) have
no sidecar, so they cannot present an mTLS identity: under STRICT mTLS their connections
would be refused, and ``principals``/``namespaces`` (both mTLS-derived) can never match them.
The choice made here:

* the *ports* such callers use on a meshed workload are opened to plaintext with a
  workload-level PeerAuthentication (``portLevelMtls: PERMISSIVE``); every other port stays STRICT;
* the ALLOW rule for them names their pods' address blocks (``ipBlocks``: the workload's
  ``addresses`` range, else its subnet; the ingress controller's subnet) AND
  ``notPrincipals: ["*"]``, so only plaintext from those addresses matches and a meshed
  workload sharing the block gains nothing;
* a caller with neither addresses nor subnet cannot be identified: its edge is not allowed
  and an info diagnostic (I0702) says so (fail closed).
"""

from __future__ import annotations

from collections import defaultdict

from orion_dsl.backends.istio.names import Obj, ip_blocks, obj, principal
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned
from orion_dsl.lowering.istio import meshed
from orion_dsl.model import Edge, Jwt, Topology, Workload


def _meshed_caller(topology: Topology, edge: Edge) -> Workload | None:
    """The edge's source when it is a meshed workload (it presents an mTLS identity)."""
    source = topology.workload(edge.source.name) if edge.source.kind == "workload" else None
    return source if source is not None and source.meshed else None


def incoming(topology: Topology, workload: Workload) -> tuple[Edge, ...]:
    """Allow-graph edges into a workload that its sidecar sees (scrapes go to the agent), in a stable order."""
    edges = [e for e in topology.allow_graph.incoming(workload.name) if e.target.kind == "workload" and e.rule != "scrape"]
    return tuple(sorted(edges, key=lambda e: (e.port.number, e.port.protocol, e.source.kind, e.source.name)))


def plaintext_ports(topology: Topology, workload: Workload) -> tuple[int, ...]:
    """Ports of a meshed workload that identifiable callers outside the mesh use."""
    return tuple(
        sorted(
            {e.port.number for e in incoming(topology, workload) if _meshed_caller(topology, e) is None and ip_blocks(topology, e.source.kind, e.source.name)}
        )
    )


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


def workload_mtls(entry: Planned, plan: Plan) -> Obj | None:
    """The ports of a meshed workload opened to plaintext for identifiable callers outside the mesh; None when there are none."""
    ports = plaintext_ports(plan.topology, entry.of(Workload))
    if not ports:
        return None
    spec = {
        "selector": _selector(entry),
        "mtls": {"mode": "STRICT"},
        "portLevelMtls": {str(p): {"mode": "PERMISSIVE"} for p in ports},
    }
    return obj(entry, spec)


def allow_nothing(entry: Planned, plan: Plan) -> Obj:
    """The namespace's deny-by-default: an ALLOW policy without rules matches nothing (ORION's pods only, in
    an ``external`` namespace)."""
    return obj(entry, {"selector": _selector(entry)} if entry.selector else {})


def _rule(port: int, principals: set[str], blocks: set[str]) -> Obj:
    sources: list[Obj] = []
    if principals:
        sources.append({"source": {"principals": sorted(principals)}})
    if blocks:
        sources.append({"source": {"ipBlocks": sorted(blocks), "notPrincipals": ["*"]}})
    return {"from": sources, "to": [{"operation": {"ports": [str(port)]}}]}


def allow_callers(entry: Planned, plan: Plan) -> Obj | None:
    """The ALLOW policy of one meshed workload: one rule per port, from the allow-graph's callers on that port; None without callers."""
    topology = plan.topology
    principals: dict[int, set[str]] = defaultdict(set)
    blocks: dict[int, set[str]] = defaultdict(set)
    for edge in incoming(topology, entry.of(Workload)):
        caller = _meshed_caller(topology, edge)
        found = ip_blocks(topology, edge.source.kind, edge.source.name) if caller is None else ()
        if caller is not None:
            principals[edge.port.number].add(principal(plan, caller))
        elif found:
            blocks[edge.port.number].update(found)
    ports = sorted({*principals, *blocks})
    if not ports:
        return None
    return obj(entry, {"selector": _selector(entry), "action": "ALLOW", "rules": [_rule(p, principals[p], blocks[p]) for p in ports]})


def unidentified_callers(topology: Topology, workload: Workload) -> list[Diagnostic]:
    """I0702 for each caller outside the mesh with neither addresses nor a subnet: Istio cannot tell its traffic apart, so it is refused."""
    return [
        info(
            "I0702",
            edge.span or workload.span,
            f"{edge.source.name} -> {workload.name}:{edge.port.number} is not allowed by Istio: the caller is outside the mesh",
            f"give {edge.source.name} `addresses` or a subnet, or put it in a meshed namespace, so its traffic can be identified",
        )
        for edge in incoming(topology, workload)
        if _meshed_caller(topology, edge) is None and not ip_blocks(topology, edge.source.kind, edge.source.name)
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
