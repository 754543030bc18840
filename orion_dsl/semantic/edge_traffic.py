"""W0319: an ingress host that reaches a service whose ``traffic`` block the edge cannot apply in full.

Istio's Gateway API gateway applies the HTTPRoute, not the workload's VirtualService, which binds to the mesh's
sidecars only (it has no ``gateways`` field, and the VirtualService reference says it then applies to ``mesh``
alone). The route states the block's weights, matches, mirrors and timeouts against a Service per version
(``backends/kubernetes/route_rules.py``); faults have no Gateway API field, so the edge injects none of them.
ingress-nginx applies none of the block: it sends to the target's Service, which selects every version's pods.

A blue-green pair needs no such warning: its Service selects the active colour's pods alone
(``orion_dsl/lowering/kubernetes.py`` ``_services``), so the edge reaches only them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from orion_dsl.diagnostics import Diagnostic, error, warning
from orion_dsl.model import Host, Traffic, Workload, folded_paths

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


def _routes_between_versions(w: Workload, traffic: Traffic) -> bool:
    """Whether the block sends a request anywhere but where the workload's Service does: between several versions,
    or with a mirror or a fault (a service of one version and a plain split gets every request on its one version)."""
    rules = [traffic.rules, *(m.rules for m in traffic.matches)]
    return len(w.versions) > 1 or any(r.mirror is not None or r.delay is not None or r.abort is not None for r in rules)


def _unapplied(host: Host, w: Workload, traffic: Traffic, gateway_api: bool) -> Diagnostic | None:
    """W0319 for what the edge leaves out of the block: its faults on Istio's Gateway API gateway, all of it on ingress-nginx."""
    where = f'host "{host.host}" reaches "{w.name}"'
    if gateway_api:
        faults = traffic.faults()
        if not faults:
            return None
        return warning(
            "W0319",
            host.span,
            f"{where} without the faults of its `traffic` block ({'; '.join(faults)}): the Gateway API has no fault "
            "injection, so only the mesh's sidecars inject them",
            f'test faults from a service in the mesh that calls "{w.name}", or send the host to such a service',
        )
    if not _routes_between_versions(w, traffic):
        return None
    return warning(
        "W0319",
        host.span,
        f"{where} past its `traffic` block: ingress-nginx sends requests to every version's pods by their share of them, "
        "without the split, matches, mirroring or faults (the mesh's sidecars apply those alone)",
        f'use `controller istio` (its HTTPRoute applies the split, matches and mirroring), or send the host to an unversioned service that calls "{w.name}"',
    )


#: An HTTPRoute holds at most 16 rules (HTTPRouteSpec.rules ``MaxItems=16``, Gateway API v1.5.1): a rule per ``match``
#: and the default rule.
MAX_MATCHES = 15
#: And at most 128 matches over all its rules: the Standard CRD's CEL rule on ``spec.rules`` (kubernetes-sigs/gateway-api
#: @e7677b70 config/crd/standard/gateway.networking.k8s.io_httproutes.yaml, vendored as
#: tests/schemas/crds/gateway.networking.k8s.io/httproute_v1.json: "... the total number of matches across all rules in a
#: route must be less than 128", checked as ``<= 128``). Each rule repeats every path of the route.
MAX_ROUTE_MATCHES = 128


def _too_many_rules(lines: list[Host], w: Workload, traffic: Traffic) -> Diagnostic | None:
    """E0216 where the route of one host's lines to a workload would need more rules, or more matches over its rules,
    than an HTTPRoute takes (the API server refuses it): a rule per ``match`` and the default rule, each with every
    path of the lines."""
    host = lines[-1]
    paths = len(folded_paths(lines))
    total = (len(traffic.matches) + 1) * paths
    if len(traffic.matches) > MAX_MATCHES:
        return error(
            "E0216",
            host.span,
            f'host "{host.host}" reaches "{w.name}", whose `traffic` block has {len(traffic.matches)} matches: '
            f"its HTTPRoute takes at most {MAX_MATCHES} and the default rule",
            f'match at most {MAX_MATCHES} headers or cookies in "{w.name}"\'s `traffic` block',
        )
    if total <= MAX_ROUTE_MATCHES:
        return None
    return error(
        "E0216",
        host.span,
        f'host "{host.host}" reaches "{w.name}" at {paths} paths, and its `traffic` block has {len(traffic.matches)} matches: '
        f"its HTTPRoute would hold {total} matches (each of its {len(traffic.matches) + 1} rules repeats every path), "
        f"and a route takes at most {MAX_ROUTE_MATCHES}",
        f'match at most {max(MAX_ROUTE_MATCHES // paths - 1, 0)} headers or cookies in "{w.name}"\'s `traffic` block at {paths} paths, '
        "or route fewer, broader prefixes",
    )


#: What an HTTPRoute's header match takes (HTTPHeaderMatch, Gateway API v1.5.1): a name of token characters (RFC 7230),
#: a value of printable US-ASCII characters, single tabs or spaces between them.
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~]+")
_HEADER_VALUE = re.compile(r"[!-~]+([\t ]?[!-~]+)*")
#: A cookie is matched by a regular expression that escapes its name and value: any printable US-ASCII fits then.
_COOKIE_TEXT = re.compile(r"[ -~]+")


def _refused_matches(host: Host, w: Workload, traffic: Traffic) -> list[Diagnostic]:
    """E0216 for each ``match`` whose header or cookie the host's HTTPRoute cannot carry (the API server refuses the route)."""
    out = []
    for m in traffic.matches:
        fits = _HEADER_NAME.fullmatch(m.name) and _HEADER_VALUE.fullmatch(m.value) if m.key == "header" else _COOKIE_TEXT.fullmatch(m.name + m.value)
        if not fits:
            out.append(
                error(
                    "E0216",
                    m.span,
                    f'the {m.key} match "{m.name}" "{m.value}" of "{w.name}" is not one the HTTPRoute of host "{host.host}" can carry',
                    "write a header name of letters, digits and !#$%&'*+-.^_`|~, and a value of printable ASCII characters with single spaces between them",
                )
            )
    return out


def edge_honours_the_traffic_split(ctx: Context) -> list[Diagnostic]:
    """W0319 at each ingress host whose target's ``traffic`` block the edge does not apply in full; E0216 where
    Istio's gateway route would need more rules or matches than an HTTPRoute holds, or a match it cannot carry."""
    ing = ctx.topology.ingress
    if ing is None:
        return []
    out = []
    gateway_api = ing.controller == "istio"
    routed: dict[tuple[str, str, str], list[Host]] = {}
    for host in ing.hosts:
        w = ctx.topology.workload(host.target)
        if w is None or w.traffic is None:
            continue
        routed.setdefault((host.host, host.target, host.port.name), []).append(host)
        found = _unapplied(host, w, w.traffic, gateway_api)
        out += [found] if found is not None else []
        out += _refused_matches(host, w, w.traffic) if gateway_api else []
    for lines in routed.values() if gateway_api else ():
        w = ctx.topology.workload(lines[0].target)
        too_many = _too_many_rules(lines, w, w.traffic) if w is not None and w.traffic is not None else None
        out += [too_many] if too_many is not None else []
    return out
