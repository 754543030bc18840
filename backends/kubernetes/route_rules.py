"""The rules of an HTTPRoute to a workload: its ``traffic`` block as the Gateway API states it, and its timeout.

The mesh applies a ``traffic`` block in the workload's VirtualService, which binds to the sidecars alone; Istio's
gateway applies the HTTPRoute (istio/istio@56df41f, 1.30.3, pilot/pkg/config/kube/gateway/conversion.go
``convertHTTPRoute``), so the route says what the Gateway API can (kubernetes-sigs/gateway-api@e7677b70, v1.5.1,
apis/v1/httproute_types.go, every field below in the Standard channel):

* ``split``: the default rule's ``backendRefs``, the Service of each version (``<service>-<version>``, the HTTPRoute
  has no subsets) with its weight ("Support for weight: Core");
* ``match``: a rule before the default one per match, each path of the route with the match's header (``Exact``,
  Core) or, for a cookie, the ``Cookie`` header by the regular expression the VirtualService uses
  (``RegularExpression``, implementation-specific: Istio makes it the route's RE2 ``regex``, ``createHeadersMatch``),
  to its version's Service. Of two rules of one path the Gateway API picks the one with more header matches, then
  the first listed, so matches win over the default rule and keep their order, as in the VirtualService;
* ``mirror``: the rule's ``RequestMirror`` filter (Extended) to the version's Service with ``percent``, which Istio
  makes the route's mirror ``percentage`` (``createMirrorFilter``);
* the timeout (the match's, else the service's ``resilience``): ``timeouts.request`` (Extended), Istio's route ``timeout``.

Not stated: retries (``rules[].retry`` is experimental, GEP-1731, not in the Standard CRDs ORION targets) and faults
(no Gateway API field; W0319 says so, ``orion_dsl/semantic/edge_traffic.py``).
"""

from __future__ import annotations

from orion_dsl.backends.formats.cookie import cookie_regex
from orion_dsl.lowering import Plan, Role
from orion_dsl.model import Resilience, RouteRules, TrafficMatch, Workload

from .meta import Obj

#: Milliseconds in each unit of a Gateway API duration (GEP-2257), largest first.
_DURATION_UNITS = (("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1))


def gateway_duration(millis: int) -> str:
    """A Gateway API duration (GEP-2257: ``<number><unit>`` parts, units h, m, s, ms), which the schema checks.

    >>> gateway_duration(15_000), gateway_duration(1500), gateway_duration(86_400_000 + 60_000)
    ('15s', '1s500ms', '24h1m')
    """
    parts = []
    for unit, size in _DURATION_UNITS:
        amount, millis = divmod(millis, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"


def _header(match: TrafficMatch) -> Obj:
    """The header a traffic match compares: exactly, or for a cookie the ``Cookie`` header by :func:`cookie_regex`."""
    if match.key == "header":
        return {"type": "Exact", "name": match.name, "value": match.value}
    return {"type": "RegularExpression", "name": "Cookie", "value": cookie_regex(match.name, match.value)}


def _rule(matches: list[Obj], filters: list[Obj], backends: list[Obj], resilience: Resilience | None) -> Obj:
    rule: Obj = {"matches": matches}
    if filters:
        rule["filters"] = filters
    rule["backendRefs"] = backends
    if resilience is not None and resilience.timeout is not None:
        rule["timeouts"] = {"request": gateway_duration(resilience.timeout.millis)}
    return rule


def route_rules(plan: Plan, w: Workload, paths: list[Obj], filters: list[Obj], port: int) -> list[Obj]:
    """The rules of a route to one Service port of a workload: one per ``match`` of its ``traffic`` block, then the
    default rule (the ``split``, else the workload's Service); each with the route's ``paths`` and ``filters``
    (CORS), its mirror and its timeout."""
    service = plan.get(Role.SERVICE, w).name

    def to(version: str) -> Obj:
        """A version's Service; with one version (none planned) the workload's, which selects its pods alone."""
        found = plan.find(Role.VERSION_SERVICE, w, version)
        return {"name": found.name if found is not None else service, "port": port}

    def mirrored(rules: RouteRules) -> list[Obj]:
        if rules.mirror is None:
            return []
        version, percent = rules.mirror
        return [{"type": "RequestMirror", "requestMirror": {"backendRef": to(version), "percent": percent}}]

    traffic = w.traffic
    if traffic is None:
        return [_rule(paths, filters, [{"name": service, "port": port}], w.resilience)]
    out = [_rule([{**path, "headers": [_header(m)]} for path in paths], [*filters, *mirrored(m.rules)], [to(m.version)], m.resilience) for m in traffic.matches]
    split = [{**to(version), "weight": weight} for version, weight in traffic.split] or [{"name": service, "port": port}]
    out.append(_rule(paths, [*filters, *mirrored(traffic.rules)], split, w.resilience))
    return out
