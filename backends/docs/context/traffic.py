"""Sections about traffic: the network policy matrix and per-source list, load balancing, ingress, egress."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orion_dsl.backends.docs.context.text import (
    NONE,
    Table,
    algorithm,
    check,
    count,
    onoff,
    pct,
    port_named,
    port_number,
    ports,
    rate,
    replica_words,
    table,
    timing,
)
from orion_dsl.backends.docs.markdown import Md, code, join, md, text
from orion_dsl.lowering import egress as egress_routes
from orion_dsl.lowering import names, waf
from orion_dsl.lowering.istio import MAX_REQUEST_BYTES, GatewayFilter, gateway_filters, gateway_waf
from orion_dsl.model import Edge, External, Host, Ingress, Peer, Topology, Workload
from orion_dsl.values import Duration

_PLATFORM_KINDS = ("operator", "api-server", "object-store")


def _peer_label(edge_end: Peer) -> str:
    if edge_end.kind == "ingress":
        return f"{edge_end.name} (ingress controller)"
    if edge_end.kind == "operator":  # "CloudNativePG operator", but not "RabbitMQ Cluster Operator operator"
        return edge_end.name if edge_end.name.lower().endswith("operator") else f"{edge_end.name} operator"
    if edge_end.kind == "api-server":
        return "Kubernetes API server"
    if edge_end.kind == "object-store":
        return f"{edge_end.name} (object store)"
    return str(edge_end.name)


def _matrix(t: Topology) -> Table:
    """Source × destination between the internet, the ingress controller and the workloads."""
    inside = {"workload", "ingress", "internet"}
    edges = [e for e in t.allow_graph.edges if e.source.kind in inside and e.target.kind in inside]
    order: list[str] = []
    if t.ingress is not None:
        order.append(t.ingress.name)
    order += [w.name for w in t.workloads]
    reached, reaching = {e.target.name for e in edges}, {e.source.name for e in edges}
    targets = [n for n in order if n in reached]
    sources = [n for n in ["internet", *order] if n in reaching]
    labels = {e.target.name: _peer_label(e.target) for e in edges} | {e.source.name: _peer_label(e.source) for e in edges}
    cells: dict[str, dict[str, list[str]]] = {}
    for e in edges:
        text = port_number(e.port) + (f" (for {e.via})" if e.via else "")
        cells.setdefault(e.source.name, {}).setdefault(e.target.name, []).append(text)
    columns: dict[str, list[int]] = {}
    for i, d in enumerate(targets):
        columns.setdefault(d, []).append(i)
    rows = []
    for s in sources:  # a row is mostly dashes: fill in only the destinations the source reaches
        row = [NONE] * len(targets)
        for d, texts in cells[s].items():
            for i in columns.get(d, ()):
                row[i] = ", ".join(texts) or NONE
        rows.append((labels[s], *row))
    return table(("Source ↓ / destination →", *(labels[d] for d in targets)), rows)


_RULE_WORDS = {
    "call": "declared call",
    "route": "gateway route",
    "ingress": "ingress host",
    "internet": "public listener",
    "scrape": "metrics scrape",
    "alerting": "alert delivery",
    "same-namespace": "same-namespace allowance",
    "pooler": "connection pooler",
    "operator": "operator",
    "allow": "explicit allow rule",
    "exposed": "node-port or load-balancer Service",
}


def _peer_order(t: Topology) -> list[str]:
    """Peers in reading order: the internet, the ingress controller, workloads, externals, then the
    operators, the API server and object stores."""
    order = ["internet"] + ([t.ingress.name] if t.ingress is not None else [])
    platform = [p.name for e in t.allow_graph.edges for p in (e.source, e.target) if p.kind in _PLATFORM_KINDS]
    return order + [w.name for w in t.workloads] + [x.name for x in t.externals] + list(dict.fromkeys(platform))


def _by_source(t: Topology) -> list[dict[str, Any]]:
    """Per source, in matrix order: each destination it may reach, with ports and the rule behind them.

    DNS is left out (one sentence covers it). Destinations come in the matrix's column order,
    then the external services; each reads ``http 3001 (gateway route)``.
    """
    order = _peer_order(t)
    reasons: dict[str, dict[str, dict[str, list[str]]]] = {}
    labels: dict[str, str] = {}
    for e in t.allow_graph.edges:
        if e.target.kind == "dns":
            continue
        labels |= {e.source.name: _peer_label(e.source), e.target.name: _peer_label(e.target)}
        why = _RULE_WORDS.get(e.rule, e.rule) + (f" to {e.via}" if e.via else "")
        ports_of = reasons.setdefault(e.source.name, {}).setdefault(e.target.name, {}).setdefault(why, [])
        ports_of.append(port_named(e.port))
    out: list[dict[str, Any]] = []
    for source in sorted(reasons, key=order.index):
        reached = []
        for target in sorted(reasons[source], key=order.index):
            kind = " (external)" if t.external(target) is not None else ""
            why = "; ".join(f"{', '.join(dict.fromkeys(p))} ({r})" for r, p in reasons[source][target].items())
            reached.append({"target": labels[target] + kind, "why": why})
        out.append({"source": labels[source], "reaches": reached})
    return out


def _route(through: Sequence[str], direct: Sequence[str]) -> str:
    """How ports reach an external: all through the egress gateway, all direct, or which go which way."""
    if not direct:
        return "egress gateway"
    if not through:
        return "direct"
    return f"egress gateway ({', '.join(through)}); direct ({', '.join(direct)})"


def _egress_rows(t: Topology, edges: Sequence[Edge]) -> list[tuple[str, ...]]:
    grouped: dict[tuple[str, str], list[Edge]] = {}
    for e in edges:
        grouped.setdefault((e.source.name, e.target.name), []).append(e)
    rows: list[tuple[str, ...]] = []
    for (source, target), found in grouped.items():
        ext = t.external(target)
        hosts = ", ".join(ext.hosts) if ext else NONE
        numbers = list(dict.fromkeys(port_number(e.port) for e in found))
        through = list(dict.fromkeys(port_number(e.port) for e in found if egress_routes.through_gateway(t, e)))
        rows.append((source, target, hosts, ", ".join(numbers), _route(through, [n for n in numbers if n not in through])))
    return rows


def _api_server(t: Topology) -> Md | None:
    """Where the API server's callers may go on 443 and 6443: its stated addresses, or any address but link-local
    (its endpoints carry no labels; I1088). None when nothing in the allow-graph calls it."""
    callers = list(dict.fromkeys(e.source.name for e in t.allow_graph.edges if e.target.kind == "api-server"))
    if not callers:
        return None
    stated = t.network.api_server
    where = f"at {', '.join(str(a) for a in stated)} only (`network {{ api_server }}`)" if stated else (
        "at any address but link-local, the internet included: its endpoints carry no labels, and the spec states no `api_server` addresses"
    )
    verb = "reaches" if len(callers) == 1 else "reach"
    return text(f"{', '.join(callers)} {verb} the Kubernetes API server on 443 and 6443 {where}")


def policies(t: Topology) -> dict[str, Any]:
    """The policy matrix, per-source list, egress and DNS, from the allow-graph."""
    external = [e for e in t.allow_graph.edges if e.target.kind == "external"]
    dns = [e for e in t.allow_graph.edges if e.target.kind == "dns"]
    dns_sources = sorted({e.source.name for e in dns}, key=[w.name for w in t.workloads].index)
    dns_ports = " and ".join(sorted({f"{e.port.number}/{e.port.protocol}" for e in dns}, reverse=True))
    dns_target = f"{dns[0].target.name} ({dns[0].target.namespace})" if dns else NONE
    everyone = len(dns_sources) == len(t.workloads)
    n = t.network
    return {
        "matrix": _matrix(t),
        "by_source": _by_source(t),
        "egress": table(("Source", "External service", "Hosts", "Ports", "Route"), _egress_rows(t, external)),
        "dns": {
            "allowed": bool(dns),
            "target": dns_target,
            "ports": dns_ports,
            "sources": f"every workload ({len(dns_sources)})" if everyone else ", ".join(dns_sources),
        },
        "internet": text(egress_routes.allow_list_held(t)) if external else None,
        "api_server": _api_server(t),
        "same_namespace": [ns.name for ns in t.namespaces if ns.same_namespace],
        "denies": [f"{r.source} → {r.target}" + (f" on {r.port}" if r.port is not None else "") for r in n.denies],
        "allows": [f"{r.source} → {r.target}" + (f" on {r.port}" if r.port is not None else "") for r in n.allows],
    }


def _health(w: Workload) -> str:
    p = w.probes
    if p is None or p.readiness is None:
        return NONE
    return md("{}; {}", check(p.readiness, w), timing(p))


def load_balancing(t: Topology) -> dict[str, Any]:
    """Per-service load balancing and health checks."""
    rows = []
    if t.ingress is not None:
        rows.append((f"{t.ingress.name} (ingress controller)", algorithm(t.ingress.balance), "none", count(t.ingress.replicas, "replica"), NONE))
    for w in t.workloads:
        if w.session_affinity is not None:
            rows.append((w.name, "Consistent hash", f"{w.session_affinity.text} (sticky sessions)", replica_words(w), _health(w)))
            continue
        if w.load_balancing is None:
            continue
        affinity = "client IP (sticky sessions)" if w.load_balancing == "ip-hash" else "none"
        rows.append((w.name, algorithm(w.load_balancing), affinity, replica_words(w), _health(w)))
    for w in t.workloads:
        db = w.database
        if db is None:
            continue
        weights = ", ".join(f"replica {i}: {pct(x)}" for i, x in enumerate(db.read_weights, start=1)) or "even"
        via = f" via {db.pooler}" if db.pooler else ""
        rows.append((f"{w.name} reads{via}", f"Weighted ({weights})", "none", count(db.read_replicas, "read replica"), _health(w)))
        rows.append(
            (
                f"{w.name} writes{via}",
                "Primary only",
                "none",
                count(db.primary, "primary") if db.primary == 1 else f"{db.primary} primaries",
                _health(w),
            )
        )
    return {"table": table(("Service", "Algorithm", "Session affinity", "Backends", "Health check"), rows)}


def _filtered_text(i: Ingress, setting: GatewayFilter) -> Md:
    """How the gateway's EnvoyFilter applies one setting (backends/istio/gateway_filters.py), the object's name a code span."""
    where = md("Envoy filter on the gateway's pods (EnvoyFilter {})", code(names.gateway_filters(i)))
    if setting == "rate_limit":
        template = (
            "per client address (X-Forwarded-For past the proxies in front), one bucket per gateway pod: "
            "with {} replicas a client may get up to {} times the rate; {}"
        )
        return md(template, str(i.replicas), str(i.replicas), where)
    if setting == "request_buffering":
        return md("whole requests up to {} MiB (larger ones get 413); {}", str(MAX_REQUEST_BYTES // 1024 // 1024), where)
    return md("gzip for clients that accept it; {}", where)


def _waf_text(t: Topology, i: Ingress) -> Md | str:
    """The WAF as it runs: Coraza's module on the Istio gateway's pods (backends/istio/gateway_waf.py) in its mode, or
    ingress-nginx's annotations, whose engine only detects unless the controller turns it on (I1086)."""
    if i.waf is None:
        return "off"
    stated = "ModSecurity (OWASP core rules)"
    blocks = i.waf_mode == "block"
    if i.controller == "ingress-nginx":
        nginx = "requests matched are refused once the controller's ConfigMap sets `SecRuleEngine On` (I1086)" if blocks else "matches logged, nothing refused"
        return f"{stated} — ingress-nginx's ModSecurity annotations; {nginx}"
    if gateway_waf(t) is None:
        return f"{stated} — not applied by the Istio gateway without the mesh (apply it at the CDN in front)"
    effect = "requests it matches are refused with 403" if blocks else "matches logged, nothing refused (mode detect)"
    where = md("Coraza on the gateway's pods (WasmPlugin {}, module {})", code(names.gateway_waf(i)), code(waf.module(i).url))
    return md("{} — {}; {}", stated, effect, where)


#: The ingress features the security layers section restates: what the generated ingress applies of the
#: perimeter's measures (the spec's layers are its own words, e.g. "Rate limiting (nginx)").
EDGE_CONTROLS = ("Rate limit", "Request buffering", "Compression", "WAF")


def ingress(t: Topology) -> dict[str, Any] | None:
    """Hosts, TLS, routes and controller features."""
    i = t.ingress
    if i is None:
        return None
    issuer = next((x for x in t.issuers if x.name == i.tls_issuer), None)
    istio = i.controller == "istio"

    filters = set(gateway_filters(t))

    def unapplied(setting: str, stated: bool, filtered: str | None = None) -> str:
        """A setting as stated, and where the Istio gateway does not apply it (I1046), that it is not applied;
        one its EnvoyFilter applies (``filtered``, a :data:`~orion_dsl.lowering.istio.GatewayFilter`) says how."""
        if not (istio and stated):
            return setting
        if filtered in filters:
            return md("{} — {}", setting, _filtered_text(i, filtered))
        return f"{setting} — not applied by the Istio gateway (apply it at the CDN in front)"

    features = [
        ("Controller", "Istio's Gateway API implementation (Gateway, HTTPRoutes)" if istio else "ingress-nginx (retired March 2026; Ingress objects)"),
        ("Replicas", str(i.replicas)),
        ("Balancing", algorithm(i.balance)),
        ("Address", f"{i.address} ({i.subnet} subnet)" if i.address else (f"{i.subnet} subnet" if i.subnet else NONE)),
        ("Listens on", ports(i.listen)),
        ("Rate limit", unapplied(rate(i.rate_limit), i.rate_limit is not None, "rate_limit")),
        ("Request buffering", unapplied(onoff(i.request_buffering), i.request_buffering, "request_buffering")),
        ("Compression", unapplied(onoff(i.compression), i.compression, "compression")),
        ("CORS origins", join(", ", (code(o) for o in i.cors_origins)) or NONE),
        ("CORS methods", ", ".join(i.cors_methods) or NONE),
        ("WAF", _waf_text(t, i)),
        ("TLS minimum version", (f"TLS {i.tls_minimum}" + (" (mesh-wide: Istio's meshConfig.tlsDefaults)" if istio else "")) if i.tls_minimum else NONE),
        ("TLS issuer", f"{i.tls_issuer} (cert-manager)" if i.tls_issuer else NONE),
    ]
    if i.behind:
        features.insert(5, ("Behind", _behind(t)))
    issuers = [(x.name, code(x.acme), x.email, f"DNS-01 ({x.dns01})" if x.dns01 else "HTTP-01", _renewal(x.renew_before)) for x in t.issuers]
    hosts = [(_host_cell(h), h.target, port_named(h.port)) for h in i.hosts]
    routes = [(w.name, code(r.path), r.target, port_named(r.port)) for w in t.workloads for r in w.routes]
    return {
        "name": i.name,
        "what": "Istio gateway" if istio else "ingress-nginx controller",
        "namespace": i.namespace,
        "features": table(("Feature", "Setting"), features),
        "controls": [(name, setting) for name, setting in features if name in EDGE_CONTROLS],
        "issuers": table(("Issuer", "ACME directory", "Account e-mail", "Challenge", "Renewal"), issuers),
        "issuer": issuer.name if issuer else None,
        "hosts": table(("Host", "Workload", "Port"), hosts),
        "routes": table(("Router", "Path", "Workload", "Port"), routes),
    }


def _host_cell(h: Host) -> str:
    """An ingress host, with the paths it matches when it does not send every path (``shop.example.com`` prefix ``/api``)."""
    if not h.paths:
        return code(h.host)
    return md("{} {}", code(h.host), join(", ", (md("{} {}", kind, code(path)) for kind, path in h.paths)))


def _callers(t: Topology, ext: External) -> str:
    names = dict.fromkeys(e.source.name for e in t.allow_graph.incoming(ext.name))
    return ", ".join(names) or NONE


def egress(t: Topology) -> dict[str, Any]:
    """The allow-list, egress gateway and egress monitoring."""
    rows = [
        (
            ext.name,
            join(", ", (code(h) for h in ext.hosts)),
            ports(ext.ports),
            _route(
                [port_number(p) for p in egress_routes.gateway_ports(t, ext)],
                [port_number(p) for p in ext.ports if p not in egress_routes.gateway_ports(t, ext)],
            ),
            _callers(t, ext),
            text(ext.description) or NONE,
        )
        for ext in t.externals
    ]
    mesh = t.mesh
    gateway = None
    monitoring = None
    if mesh is not None:
        if mesh.egress_gateway is not None:
            g = mesh.egress_gateway
            gateway = table(
                ("Setting", "Value"),
                [
                    ("Namespace", g.namespace),
                    ("Sidecar to gateway", _sidecar_hop(g.tls_origination)),
                    ("Gateway to external", "the application's own TLS (or SMTP) bytes, forwarded unchanged: nothing originates TLS to the external"),
                    ("SNI routing", onoff(g.sni_routing)),
                    ("Access control", _gateway_access(t, g.tls_origination)),
                ],
            )
        monitoring = table(
            ("Measure", "Setting"),
            [
                ("Access log of every outbound request", onoff(mesh.access_log)),
                ("Egress rate limit", rate(mesh.egress_rate_limit) + (f" — {NOT_APPLIED}" if mesh.egress_rate_limit is not None else "")),
                ("Cost tracking", onoff(mesh.cost_tracking) + (f" — {NOT_APPLIED}; the access log records outbound requests" if mesh.cost_tracking else "")),
            ],
        )
    return {
        "allow_list": table(("External service", "Hosts", "Ports", "Route", "Called by", "Description"), rows),
        "gateway": gateway,
        "monitoring": monitoring,
    }


#: What the egress monitoring table says of a setting no Istio resource expresses (I0708, I0709).
NOT_APPLIED = "not applied: no Istio resource expresses it"


def _sidecar_hop(tls_origination: bool) -> str:
    """What ``tls_origination`` really makes of the sidecar-to-gateway hop (I0707, I0712)."""
    if tls_origination:
        return "Istio mutual TLS naming the external host as SNI (`tls_origination on`)"
    return "the application's TLS, passed through by SNI (`tls_origination off`)"


def _gateway_access(t: Topology, tls_origination: bool) -> str:
    """Who the gateway admits: per host, only the allow-graph's callers, or (passthrough) any caller the NetworkPolicies let in;
    and where traffic does not go through it at all (:func:`~orion_dsl.lowering.egress.allow_list_gaps`)."""
    gaps = egress_routes.allow_list_gaps(t)
    bypass = f"; not through the gateway {'; '.join(gaps)}: there any public address is reachable on the port" if gaps else ""
    if tls_origination:
        refused = "every other destination is refused" if not gaps else "every other destination through it is refused"
        return f"only the allow-listed hosts below, each for its callers only; {refused}{bypass}"
    return f"only the allow-listed hosts below, for any caller that reaches the gateway (no caller identity under passthrough){bypass}"


def _behind(t: Topology) -> str:
    """The proxies in front of the ingress, how the client's address is found, and who is admitted."""
    i = t.ingress
    assert i is not None
    if not i.forwarded_by:
        return f"{', '.join(i.behind)} — layer-4 load balancing only: the connecting address is the client's"
    admitted = f"only {i.forwarded_by[-1]}'s {len(t.front_ranges())} ranges admitted" if t.front_ranges() else "any address admitted (W0311)"
    return f"{', '.join(i.behind)} — client address from X-Forwarded-For past {len(i.forwarded_by)} trusted hop(s); {admitted}"


def _renewal(before: Duration | None) -> str:
    return f"{before.text} before expiry" if before else "cert-manager default"
