"""DestinationRule and VirtualService per meshed workload (S28, S42, S48, S49).

A DestinationRule sets load balancing, circuit breaking (connection pool, outlier detection),
mutual TLS and the blue/green subsets. A VirtualService sets timeout and retries, switches
blue-green traffic by subset weight (active 100, idle 0) and carries the API gateway's
path routes: on the *target's* VirtualService, each route is an ``http`` entry matching the
gateway's pods (``sourceLabels``), the Service port and the path, so the routing stays the
gateway's own call (its principal is what the target's AuthorizationPolicy admits) rather than
Istio sending other callers around the gateway. Routes a gateway makes to itself
(``/health``, ``/metrics``) need no mesh routing.

Service ports are the container ports (convention with the Kubernetes backend).
"""

from __future__ import annotations

from orion_dsl.backends.istio.names import Obj, duration, host, obj
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role
from orion_dsl.lowering.istio import meshed
from orion_dsl.lowering.names import COLOURS, VERSION_LABEL, pod_selector, route_name
from orion_dsl.model import Resilience, Route, Topology, Workload

_SIMPLE_LB = {"least-connection": "LEAST_REQUEST", "round-robin": "ROUND_ROBIN", "random": "RANDOM"}


def called_host(plan: Plan, workload: Workload) -> str:
    """The host clients call a workload by: its Service's, or for a connection pooler its database's Service (which selects the pooler)."""
    database = plan.topology.workload(workload.pooler_of) if workload.pooler_of is not None else None
    return host(plan.get(Role.SERVICE, database or workload))


def load_balancer(algorithm: str) -> Obj:
    """Istio's loadBalancer for an ORION algorithm (ip-hash = consistent hash on the source IP)."""
    if algorithm == "ip-hash":
        return {"consistentHash": {"useSourceIp": True}}
    return {"simple": _SIMPLE_LB[algorithm]}


def circuit_breaking(resilience: Resilience | None) -> Obj:
    """connectionPool and outlierDetection from the circuit breaker (empty when there is none)."""
    breaker = resilience.circuit_breaker if resilience else None
    if breaker is None:
        return {}
    out: Obj = {}
    pool: Obj = {}
    if breaker.max_connections is not None:
        pool["tcp"] = {"maxConnections": breaker.max_connections}
    if breaker.max_pending is not None:
        pool["http"] = {"http1MaxPendingRequests": breaker.max_pending}
    if pool:
        out["connectionPool"] = pool
    outlier: Obj = {"consecutive5xxErrors": breaker.consecutive_errors}
    if breaker.interval is not None:
        outlier["interval"] = duration(breaker.interval.millis)
    if breaker.ejection is not None:
        outlier["baseEjectionTime"] = duration(breaker.ejection.millis)
    if breaker.max_ejected is not None:
        outlier["maxEjectionPercent"] = breaker.max_ejected
    out["outlierDetection"] = outlier
    return out


def subsets(workload: Workload) -> list[Obj]:
    """The blue and green subsets of a blue-green workload, by version label."""
    bg = workload.blue_green
    if bg is None:
        return []
    return [{"name": colour, "labels": {**pod_selector(workload), VERSION_LABEL: bg.version_label(colour)}} for colour in COLOURS]


def destination_rule(entry: Planned, plan: Plan) -> Obj:
    """Load balancing, circuit breaking, ISTIO_MUTUAL and subsets for calls to a meshed workload."""
    workload = entry.of(Workload)
    policy: Obj = {"tls": {"mode": "ISTIO_MUTUAL"}}
    if workload.load_balancing is not None:
        policy["loadBalancer"] = load_balancer(workload.load_balancing)
    policy.update(circuit_breaking(workload.resilience))
    spec: Obj = {"host": called_host(plan, workload), "trafficPolicy": policy}
    found = subsets(workload)
    if found:
        spec["subsets"] = found
    return obj(entry, spec)


def destinations(workload: Workload, host: str) -> list[Obj]:
    """Where a route sends traffic: the host, or both colours weighted 100/0 by the active one."""
    bg = workload.blue_green
    if bg is None:
        return [{"destination": {"host": host}}]
    return [{"destination": {"host": host, "subset": colour}, "weight": 100 if bg.active == colour else 0} for colour in COLOURS]


def _resilience(resilience: Resilience | None) -> Obj:
    if resilience is None:
        return {}
    out: Obj = {}
    if resilience.timeout is not None:
        out["timeout"] = duration(resilience.timeout.millis)
    retries = resilience.retries
    if retries is not None:
        policy: Obj = {"attempts": retries.attempts}
        if retries.per_try is not None:
            policy["perTryTimeout"] = duration(retries.per_try.millis)
        if retries.on:
            policy["retryOn"] = retries.on
        out["retries"] = policy
    return out


def uri_match(path: str) -> Obj:
    """``/api/auth/*`` -> prefix ``/api/auth/``; a path without ``*`` matches exactly.

    >>> uri_match("/api/auth/*"), uri_match("/health")
    ({'prefix': '/api/auth/'}, {'exact': '/health'})
    """
    return {"prefix": path[:-1]} if path.endswith("*") else {"exact": path}


def routes_into(topology: Topology, workload: Workload) -> list[tuple[Workload, Route]]:
    """(caller, route) for every allow-graph ``route`` edge into the workload, with the path the caller declared."""
    found: list[tuple[Workload, Route]] = []
    for edge in topology.allow_graph.incoming(workload.name):
        caller = topology.workload(edge.source.name) if edge.rule == "route" else None
        if caller is None:
            continue
        addressed = edge.via or edge.target.name
        found += [(caller, r) for r in caller.routes if r.target == addressed and r.port.name == edge.port.name]
    return sorted(found, key=lambda item: (item[0].name, item[1].path))


def virtual_service(entry: Planned, plan: Plan) -> Obj | None:
    """Timeout, retries, blue-green weights and the gateway's path routes; None when there is nothing to say."""
    workload = entry.of(Workload)
    routes = routes_into(plan.topology, workload)
    if workload.resilience is None and workload.blue_green is None and not routes:
        return None
    target = called_host(plan, workload)
    policy = _resilience(workload.resilience)
    http: list[Obj] = []
    for caller, route in routes:
        match = {"uri": uri_match(route.path), "port": route.port.number, "sourceLabels": pod_selector(caller)}
        http.append({"name": route_name(caller.name, route.path), "match": [match], "route": destinations(workload, target), **policy})
    http.append({"name": "default", "route": destinations(workload, target), **policy})
    return obj(entry, {"hosts": [target], "http": http})


def diagnostics(topology: Topology) -> list[Diagnostic]:
    """I0710 for each meshed pooled database: its Service belongs to its pooler, so its traffic settings go there."""
    return [
        info(
            "I0710",
            w.span,
            f"no DestinationRule or VirtualService for {w.name}: its Service belongs to its connection pooler",
            "set load balancing and resilience on the pooler",
        )
        for w in meshed(topology)
        if w.ports and topology.pooler_of(w) is not None
    ]
