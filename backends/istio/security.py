"""PeerAuthentication, AuthorizationPolicy and RequestAuthentication from the allow-graph (S34, S35, S47, S51, S52).

Who may call a meshed workload is read from the allow-graph's edges into it, never re-derived.

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

from orion_dsl.backends.istio.names import (
    ROOT_NAMESPACE,
    SECURITY,
    Obj,
    ip_blocks,
    meshed,
    meshed_namespaces,
    obj,
    principal,
    selector,
)
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import Edge, Topology, Workload


def _meshed_source(topology: Topology, edge: Edge) -> bool:
    source = topology.workload(edge.source.name) if edge.source.kind == "workload" else None
    return source is not None and source.meshed


def incoming(topology: Topology, workload: Workload) -> tuple[Edge, ...]:
    """Allow-graph edges into a workload, in a stable order."""
    edges = [e for e in topology.allow_graph.incoming(workload.name) if e.target.kind == "workload"]
    return tuple(sorted(edges, key=lambda e: (e.port.number, e.port.protocol, e.source.kind, e.source.name)))


def plaintext_ports(topology: Topology, workload: Workload) -> tuple[int, ...]:
    """Ports of a meshed workload that identifiable callers outside the mesh use."""
    return tuple(
        sorted({e.port.number for e in incoming(topology, workload) if not _meshed_source(topology, e) and ip_blocks(topology, e.source.kind, e.source.name)})
    )


def peer_authentications(topology: Topology) -> list[Obj]:
    """STRICT mTLS mesh-wide (``strict``) or PERMISSIVE per meshed namespace, plus plaintext ports for outside callers."""
    assert topology.mesh is not None
    if topology.mesh.mtls != "strict":
        return [obj(SECURITY, "PeerAuthentication", "default", ns, {"mtls": {"mode": "PERMISSIVE"}}) for ns in meshed_namespaces(topology)]
    out = [obj(SECURITY, "PeerAuthentication", "default", ROOT_NAMESPACE, {"mtls": {"mode": "STRICT"}})]
    for w in meshed(topology):
        ports = plaintext_ports(topology, w)
        if ports:
            spec = {
                "selector": selector(w),
                "mtls": {"mode": "STRICT"},
                "portLevelMtls": {str(p): {"mode": "PERMISSIVE"} for p in ports},
            }
            out.append(obj(SECURITY, "PeerAuthentication", w.name, w.namespace, spec))
    return out


def allow_nothing(namespace: str) -> Obj:
    """The namespace's deny-by-default: an ALLOW policy without rules matches nothing."""
    return obj(SECURITY, "AuthorizationPolicy", "allow-nothing", namespace, {})


def _rule(port: int, principals: set[str], blocks: set[str]) -> Obj:
    sources: list[Obj] = []
    if principals:
        sources.append({"source": {"principals": sorted(principals)}})
    if blocks:
        sources.append({"source": {"ipBlocks": sorted(blocks), "notPrincipals": ["*"]}})
    return {"from": sources, "to": [{"operation": {"ports": [str(port)]}}]}


def allow_policy(topology: Topology, workload: Workload) -> tuple[Obj | None, list[Diagnostic]]:
    """The ALLOW policy of one meshed workload: one rule per port, from the allow-graph's callers on that port."""
    principals: dict[int, set[str]] = defaultdict(set)
    blocks: dict[int, set[str]] = defaultdict(set)
    diagnostics: list[Diagnostic] = []
    for edge in incoming(topology, workload):
        if _meshed_source(topology, edge):
            principals[edge.port.number].add(principal(edge.source.name, edge.source.namespace or ""))
            continue
        found = ip_blocks(topology, edge.source.kind, edge.source.name)
        if found:
            blocks[edge.port.number].update(found)
        else:
            diagnostics.append(
                info(
                    "I0702",
                    edge.span or workload.span,
                    f"{edge.source.name} -> {workload.name}:{edge.port.number} is not allowed by Istio: the caller is outside the mesh",
                    f"give {edge.source.name} `addresses` or a subnet, or put it in a meshed namespace, so its traffic can be identified",
                ),
            )
    ports = sorted(set(principals) | set(blocks))
    if not ports:
        return None, diagnostics
    spec = {"selector": selector(workload), "action": "ALLOW", "rules": [_rule(p, principals[p], blocks[p]) for p in ports]}
    return obj(SECURITY, "AuthorizationPolicy", f"{workload.name}-allow", workload.namespace, spec), diagnostics


def health_paths(workload: Workload) -> tuple[str, ...]:
    """HTTP paths of the workload's probes: they stay reachable without a token."""
    probes = workload.probes
    checks = (probes.liveness, probes.readiness, probes.startup) if probes else ()
    return tuple(sorted({c.path for c in checks if c is not None and c.kind == "http" and c.path}))


def jwt_policies(topology: Topology) -> tuple[list[Obj], list[Diagnostic]]:
    """RequestAuthentication at the JWT workload and a DENY policy for requests without a valid token on protected paths.

    ALLOW policies add up, so "a token is required" must be a DENY rule
    (``notRequestPrincipals: ["*"]``); it is limited to the ports API callers use (not the
    scrape port) and leaves the probe paths through. ``forwardOriginalToken`` keeps the
    token for the workload, which passes the user's identity on.
    """
    mesh = topology.mesh
    jwt = mesh.jwt if mesh else None
    if jwt is None:
        return [], []
    workload = topology.workload(jwt.workload)
    if workload is None or not workload.meshed:
        return [], [
            info(
                "I0703",
                workload.span if workload else None,
                f"JWT validation at {jwt.workload} needs an Envoy sidecar",
                "put it in a meshed namespace",
            )
        ]
    rule = {"issuer": jwt.issuer, "jwksUri": jwt.jwks, "forwardOriginalToken": True}
    request_auth = obj(SECURITY, "RequestAuthentication", f"{workload.name}-jwt", workload.namespace, {"selector": selector(workload), "jwtRules": [rule]})
    ports = sorted({e.port.number for e in incoming(topology, workload) if e.rule != "scrape"})
    operation: Obj = {"paths": list(jwt.protect)}
    if ports:
        operation["ports"] = [str(p) for p in ports]
    health = health_paths(workload)
    if health:
        operation["notPaths"] = list(health)
    spec = {
        "selector": selector(workload),
        "action": "DENY",
        "rules": [{"from": [{"source": {"notRequestPrincipals": ["*"]}}], "to": [{"operation": operation}]}],
    }
    return [request_auth, obj(SECURITY, "AuthorizationPolicy", f"{workload.name}-require-jwt", workload.namespace, spec)], []


def authorization(topology: Topology) -> tuple[list[Obj], list[Diagnostic]]:
    """Every AuthorizationPolicy and RequestAuthentication of the mesh's workloads."""
    objects = [allow_nothing(ns) for ns in meshed_namespaces(topology)]
    diagnostics: list[Diagnostic] = []
    for w in meshed(topology):
        policy, found = allow_policy(topology, w)
        diagnostics += found
        if policy is not None:
            objects.append(policy)
    jwt_objects, jwt_diagnostics = jwt_policies(topology)
    return objects + jwt_objects, diagnostics + jwt_diagnostics
