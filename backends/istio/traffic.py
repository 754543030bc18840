"""DestinationRule and VirtualService per meshed workload (S28, S42, S48, S49).

A DestinationRule sets load balancing, circuit breaking (connection pool, outlier detection
with an explicit interval and ejection cap), mutual TLS and the blue/green subsets, or one subset per
version of a service with several. A VirtualService sets timeout and retries, switches
blue-green traffic by subset weight (active 100, idle 0), splits a service's traffic between its
versions by weight, sends requests with a header or cookie value to one version (with that match's
own timeout, retries, faults and mirroring), mirrors and faults the rest, and carries the API gateway's
path routes: on the *target's* VirtualService, each route is an ``http`` entry matching the
gateway's pods (``sourceLabels``), the Service port and the path, so the routing stays the
gateway's own call (its principal is what the target's AuthorizationPolicy admits) rather than
Istio sending other callers around the gateway. Routes a gateway makes to itself
(``/health``, ``/metrics``) need no mesh routing.

Retries are split by safety: a request whose method is idempotent (RFC 9110 section 9.2.2: GET,
HEAD, OPTIONS, TRACE, PUT, DELETE) is retried on every condition the spec names; any other
request (POST, PATCH: a retry may repeat its effect) only on the conditions where it never
reached the workload (``connect-failure``, ``refused-stream``, ``reset-before-request``), and not at all if the spec names
none of those.

A route's ``port`` match is the Service port the gateway addresses (``port http 80 -> 8080``: 80);
AuthorizationPolicies (:mod:`.security`) name container ports, which the sidecar sees.
"""

from __future__ import annotations

from orion_dsl.backends.formats.cookie import cookie_regex
from orion_dsl.backends.istio.names import Obj, duration, host, obj
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role
from orion_dsl.lowering.istio import meshed
from orion_dsl.lowering.names import COLOURS, VERSION_LABEL, idempotent_route_name, match_route_name, pod_selector, route_name, version_pods
from orion_dsl.model import Resilience, Route, RouteRules, SessionAffinity, Topology, TrafficMatch, Workload

_SIMPLE_LB = {"least-connection": "LEAST_REQUEST", "round-robin": "ROUND_ROBIN", "random": "RANDOM"}

#: Methods a server may receive twice with the effect of once (RFC 9110 section 9.2.2).
IDEMPOTENT_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE")
#: Retry conditions under which the request never reached the workload (Envoy router filter,
#: x-envoy-retry-on): safe for any method.
BEFORE_REQUEST = ("connect-failure", "refused-stream", "reset-before-request")
#: What Istio retries on when ``retryOn`` is not set (istio.io networking API, HTTPRetry.retry_on).
DEFAULT_RETRY_ON = ("connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes")
#: Istio's outlier-detection interval when the spec names none, written out so the output says it.
OUTLIER_INTERVAL_MS = 10_000
#: At most this share of a service's pods is ejected at once (Envoy's default of 10% would eject
#: one pod of three, but always at least one); half keeps capacity while failing pods are out.
MAX_EJECTION_PERCENT = 50


def called_host(plan: Plan, workload: Workload) -> str:
    """The host clients call a workload by: its Service's, or for a connection pooler its database's Service (which selects the pooler)."""
    database = plan.topology.workload(workload.pooler_of) if workload.pooler_of is not None else None
    return host(plan.get(Role.SERVICE, database or workload))


def load_balancer(algorithm: str) -> Obj:
    """Istio's loadBalancer for an ORION algorithm (ip-hash = consistent hash on the source IP)."""
    if algorithm == "ip-hash":
        return {"consistentHash": {"useSourceIp": True}}
    return {"simple": _SIMPLE_LB[algorithm]}


def sticky(affinity: SessionAffinity) -> Obj:
    """A consistent hash on the affinity's cookie or header. Istio's HTTPCookie: with a ttl the sidecar
    generates the cookie when a request has none (a ttl of 0s makes it a session cookie), so the
    first call of a client picks its pod and the cookie keeps it there
    (istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-ConsistentHashLB-HTTPCookie)."""
    if affinity.key == "header":
        return {"consistentHash": {"httpHeaderName": affinity.name}}
    return {"consistentHash": {"httpCookie": {"name": affinity.name, "path": "/", "ttl": duration(affinity.ttl.millis)}}}


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
    outlier: Obj = {
        "consecutive5xxErrors": breaker.consecutive_errors,
        "interval": duration(breaker.interval.millis if breaker.interval is not None else OUTLIER_INTERVAL_MS),
    }
    if breaker.ejection is not None:
        outlier["baseEjectionTime"] = duration(breaker.ejection.millis)
    outlier["maxEjectionPercent"] = breaker.max_ejected if breaker.max_ejected is not None else MAX_EJECTION_PERCENT
    out["outlierDetection"] = outlier
    return out


def subsets(workload: Workload) -> list[Obj]:
    """A subset per version of a service with several, or the blue and green subsets of a blue-green workload, by version label."""
    if workload.versions:
        return [{"name": v.name, "labels": version_pods(workload, v)} for v in workload.versions]
    bg = workload.blue_green
    if bg is None:
        return []
    return [{"name": colour, "labels": {**pod_selector(workload), VERSION_LABEL: bg.version_label(colour)}} for colour in COLOURS]


def destination_rule(entry: Planned, plan: Plan) -> Obj:
    """Load balancing, circuit breaking, ISTIO_MUTUAL and subsets for calls to a meshed workload."""
    workload = entry.of(Workload)
    policy: Obj = {"tls": {"mode": "ISTIO_MUTUAL"}}
    if workload.session_affinity is not None:
        policy["loadBalancer"] = sticky(workload.session_affinity)
    elif workload.load_balancing is not None:
        policy["loadBalancer"] = load_balancer(workload.load_balancing)
    policy.update(circuit_breaking(workload.resilience))
    spec: Obj = {"host": called_host(plan, workload), "trafficPolicy": policy}
    found = subsets(workload)
    if found:
        spec["subsets"] = found
    return obj(entry, spec)


def ingress_balance(entry: Planned, plan: Plan) -> Obj:
    """How the ingress gateway's pods balance one backend: the ingress's ``balance`` (a backend's
    session affinity still pins clients), the backend's circuit breaking, and no TLS setting, so
    Istio's auto mTLS uses ISTIO_MUTUAL exactly where the backend has a sidecar. Visible only in
    the Gateway's namespace (``exportTo: ["."]``), where Istio looks first for the gateway's pods (a rule per Service of a
    version the gateway's HTTPRoute sends to, as well: each is a host of its own); when meshed workloads
    share that namespace, only to the gateway's pods (``workloadSelector``, which the plan's entry selects), so the
    namespace's sidecars keep the backend's own rule."""
    workload = entry.of(Workload)
    ing = plan.topology.ingress
    assert ing is not None, "planned for an ingress only"
    policy: Obj = {"loadBalancer": sticky(workload.session_affinity) if workload.session_affinity is not None else load_balancer(ing.balance)}
    policy.update(circuit_breaking(workload.resilience))
    version = entry.part[1] if isinstance(entry.part, tuple) else None  # a version's Service the route sends to
    target = host(plan.get(Role.VERSION_SERVICE, workload, version)) if version is not None else called_host(plan, workload)
    spec: Obj = {"host": target, "exportTo": ["."], "trafficPolicy": policy}
    if entry.selects is not None:
        spec["workloadSelector"] = {"matchLabels": entry.selector}
    return obj(entry, spec)


def destinations(workload: Workload, host: str) -> list[Obj]:
    """Where a route sends traffic: the versions by the traffic's split, both colours weighted 100/0 by
    the active one, or the host (every pod the Service selects, all versions alike)."""
    split = workload.traffic.split if workload.traffic is not None else ()
    if split:
        return [{"destination": {"host": host, "subset": version}, "weight": weight} for version, weight in split]
    bg = workload.blue_green
    if bg is None:
        return [{"destination": {"host": host}}]
    return [{"destination": {"host": host, "subset": colour}, "weight": 100 if bg.active == colour else 0} for colour in COLOURS]


def route_rules(rules: RouteRules | None, host: str) -> Obj:
    """A route's mirroring (``mirror`` and ``mirrorPercentage``) and faults (``fault.delay``, ``fault.abort``)
    (istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute and #HTTPFaultInjection)."""
    if rules is None:
        return {}
    out: Obj = {}
    if rules.mirror is not None:
        version, percent = rules.mirror
        out["mirror"] = {"host": host, "subset": version}
        out["mirrorPercentage"] = {"value": percent}
    fault: Obj = {}
    if rules.delay is not None:
        delay, percent = rules.delay
        fault["delay"] = {"fixedDelay": duration(delay.millis), "percentage": {"value": percent}}
    if rules.abort is not None:
        status, percent = rules.abort
        fault["abort"] = {"httpStatus": status, "percentage": {"value": percent}}
    if fault:
        out["fault"] = fault
    return out


def request_match(match: TrafficMatch) -> Obj:
    """The header a traffic match compares: exactly, or for a cookie, the ``Cookie`` header by :func:`cookie_regex`
    (header names are lower-case, Istio's HTTPMatchRequest.headers)."""
    if match.key == "header":
        return {"headers": {match.name: {"exact": match.value}}}
    return {"headers": {"cookie": {"regex": cookie_regex(match.name, match.value)}}}


def _resilience(resilience: Resilience | None, safe_only: bool = False) -> Obj:
    """Timeout and retries of a route; with ``safe_only``, for requests that are not idempotent:
    retried only on the spec's conditions where the request never reached the workload."""
    if resilience is None:
        return {}
    out: Obj = {}
    if resilience.timeout is not None:
        out["timeout"] = duration(resilience.timeout.millis)
    retries = resilience.retries
    if retries is None:
        return out
    conditions = retries.on.split(",") if retries.on else list(DEFAULT_RETRY_ON)
    if safe_only:
        conditions = [c for c in conditions if c in BEFORE_REQUEST]
        if not conditions:
            return {**out, "retries": {"attempts": 0}}
    policy: Obj = {"attempts": retries.attempts}
    if retries.per_try is not None:
        policy["perTryTimeout"] = duration(retries.per_try.millis)
    if retries.on or safe_only:
        policy["retryOn"] = ",".join(conditions)
    return {**out, "retries": policy}


def _unsafe_retries(resilience: Resilience | None) -> bool:
    """Whether the spec's retries include a condition a non-idempotent request must not be retried on."""
    retries = resilience.retries if resilience else None
    conditions = (retries.on.split(",") if retries.on else DEFAULT_RETRY_ON) if retries else ()
    return any(c not in BEFORE_REQUEST for c in conditions)


def _http(name: str, match: Obj | None, route: list[Obj], resilience: Resilience | None, rules: Obj | None = None) -> list[Obj]:
    """The ``http`` entries of one route: idempotent methods with the spec's retries, then the
    rest with safe retries only (one entry when every retry condition is safe anyway); each with
    the route's mirroring and faults."""
    base: Obj = dict(match or {})
    extra: Obj = dict(rules or {})
    if not _unsafe_retries(resilience):
        entry: Obj = {"name": name, **({"match": [base]} if base else {}), "route": route, **extra, **_resilience(resilience)}
        return [entry]
    methods = {"regex": "|".join(IDEMPOTENT_METHODS)}
    return [
        {"name": idempotent_route_name(name), "match": [{**base, "method": methods}], "route": route, **extra, **_resilience(resilience)},
        {"name": name, **({"match": [base]} if base else {}), "route": route, **extra, **_resilience(resilience, safe_only=True)},
    ]


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


def virtual_service(entry: Planned, plan: Plan) -> Obj:
    """Timeout, retries, blue-green and version weights, the traffic's matches, mirroring and faults, and the
    gateway's path routes (the plan has one only where there is something to say). Istio takes the first route
    that matches: the traffic's matches come first, then the gateway's paths, then the default route."""
    workload = entry.of(Workload)
    routes = routes_into(plan.topology, workload)
    traffic = workload.traffic
    target = called_host(plan, workload)
    rules = route_rules(traffic.rules if traffic else None, target)
    http: list[Obj] = []
    for match in traffic.matches if traffic else ():
        to = [{"destination": {"host": target, "subset": match.version}}]
        http += _http(match_route_name(match), request_match(match), to, match.resilience, route_rules(match.rules, target))
    for caller, route in routes:
        match_ = {"uri": uri_match(route.path), "port": route.port.service_port, "sourceLabels": pod_selector(caller)}
        http += _http(route_name(caller.name, route.path), match_, destinations(workload, target), workload.resilience, rules)
    http += _http("default", None, destinations(workload, target), workload.resilience, rules)
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
