"""The architecture document's context: every fact of the topology, formatted for people.

Templates only lay out what this module builds; every number is formatted here, in one
style: ranges with an en dash (``3–10``, ``512Mi–1Gi``; one value when both ends are equal),
percentages with a space (``70 %``), durations as written in the spec (``30s``, ``6h``),
times of day on a 24-hour clock (``02:00``), TCP ports as bare numbers and other protocols
with a suffix (``123/UDP``), switches as ``on``/``off``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

import orion_dsl
from orion_dsl.analysis.recovery import rpo_checks
from orion_dsl.model import (
    Check,
    Edge,
    External,
    Metric,
    Objective,
    Peer,
    Port,
    Probes,
    Resources,
    Topology,
    Workload,
)
from orion_dsl.values import Duration, Quantity, TimeOfDay

DASH = "–"
NONE = "—"

#: What istiod does in Istio 1.20+ (Pilot, Citadel and Galley are one binary; Mixer is gone).
ISTIOD_ROLES = (
    ("Traffic management", "pushes routes, load balancing, retries, timeouts and circuit breakers to every Envoy sidecar (formerly Pilot)"),
    ("Certificates", "issues and rotates the workload certificates behind mTLS (formerly Citadel)"),
    ("Configuration validation", "validates Istio resources when they are applied (formerly Galley)"),
    ("Telemetry", "configures sidecar metrics, access logs and tracing through the Telemetry API (formerly Mixer)"),
)

#: The restricted Pod Security profile every workload runs under, whatever the spec says.
RESTRICTED = ("runs as non-root", "no privilege escalation", "all capabilities dropped", "seccomp RuntimeDefault")

_ALGORITHMS = {
    "round-robin": "Round robin",
    "least-connection": "Least connection",
    "ip-hash": "IP hash",
    "random": "Random",
}


@attrs.frozen
class Table:
    """A Markdown table: a header and rows of already formatted cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __attrs_post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"row {row!r} has {len(row)} cells; the header has {len(self.header)}")


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    """A table from any sequences of cells."""
    return Table(tuple(header), tuple(tuple(r) for r in rows))


# --------------------------------------------------------------------------- formatting


def span(low: object, high: object) -> str:
    """``low–high``, or one value when both ends are the same."""
    return str(low) if str(low) == str(high) else f"{low}{DASH}{high}"


def pct(value: int | None) -> str:
    """A percentage, ``70 %``; a dash when unset."""
    return NONE if value is None else f"{value} %"


def onoff(value: bool) -> str:
    """A switch."""
    return "on" if value else "off"


def dur(value: Duration | None) -> str:
    """A duration as written in the spec; a dash when unset."""
    return NONE if value is None else value.text


def clock(value: TimeOfDay) -> str:
    """A time of day, ``02:00``."""
    return f"{value.hour:02d}:{value.minute:02d}"


def rate(value: tuple[int, str] | None) -> str:
    """A rate limit, ``100 per second``."""
    return NONE if value is None else f"{value[0]} per {value[1]}"


def port_number(port: Port) -> str:
    """A port number, with its protocol when it is not TCP (``123/UDP``)."""
    return str(port.number) if port.protocol == "TCP" else f"{port.number}/{port.protocol}"


def port_named(port: Port) -> str:
    """A port with its name, ``http 3000``."""
    return f"{port.name} {port_number(port)}"


def ports(items: Iterable[Port]) -> str:
    """Named ports, comma-separated."""
    return ", ".join(port_named(p) for p in items) or NONE


def cores(value: Quantity) -> str:
    """CPU as cores (``20 cores``) for whole cores, else as written (``500m``)."""
    if value.amount % 1000 == 0:
        n = value.amount // 1000
        return f"{n} core" if n == 1 else f"{n} cores"
    return value.text


def cpu(resources: Resources) -> str:
    """CPU request–limit."""
    return span(resources.cpu_request.text, resources.cpu_limit.text)


def memory(resources: Resources) -> str:
    """Memory request–limit."""
    return span(resources.memory_request.text, resources.memory_limit.text)


def algorithm(name: str | None) -> str:
    """A load-balancing algorithm by its common name."""
    if name is None:
        return NONE
    return _ALGORITHMS.get(name, name)


def code(text: str) -> str:
    """Inline code, with a fence longer than any backtick run inside."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def prose(text: str) -> str:
    """Free text from the spec, with the characters Markdown would read as markup escaped."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def schedule(every: Duration | None, at: TimeOfDay | None = None, continuous: bool = False) -> str:
    """When a backup runs: ``continuous``, ``hourly``, ``daily at 02:00``, ``every 6h``."""
    if continuous:
        return "continuous"
    if every is None:
        when = "scheduled"
    else:
        when = {3_600_000: "hourly", 86_400_000: "daily", 604_800_000: "weekly"}.get(every.millis, f"every {every.text}")
    return f"{when} at {clock(at)}" if at is not None else when


def check(item: Check | None, workload: Workload) -> str:
    """One health check in words."""
    if item is None:
        return NONE
    if item.kind == "http":
        port = item.port or (workload.container.ports[0] if workload.container.ports else None)
        where = f" on {port_named(port)}" if port else ""
        return f"HTTP GET {code(item.path or '/')}{where}"
    if item.kind == "tcp":
        return f"TCP connect to {port_named(item.port)}" if item.port else "TCP connect"
    return f"exec {code(' '.join(item.command))}"


def timing(probes: Probes) -> str:
    """The shared timing of a workload's probes."""
    parts = [f"every {probes.interval.text}", f"timeout {probes.timeout.text}"]
    if probes.initial_delay is not None:
        parts.append(f"initial delay {probes.initial_delay.text}")
    parts += [f"failure threshold {probes.failure_threshold}", f"success threshold {probes.success_threshold}"]
    return ", ".join(parts)


# --------------------------------------------------------------------------- sections


def _kind(w: Workload) -> str:
    return "StatefulSet" if w.kind == "statefulset" else "Deployment"


def _service(w: Workload) -> str:
    return "headless + ClusterIP" if w.kind == "statefulset" else "ClusterIP"


def _replicas(w: Workload) -> str:
    if w.autoscale is not None:
        return f"{w.replicas} (autoscaled {span(w.autoscale.min, w.autoscale.max)})"
    return str(w.replicas)


def count(n: int, noun: str) -> str:
    """``1 replica``, ``3 replicas``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _replica_words(w: Workload) -> str:
    words = count(w.replicas, "replica")
    if w.autoscale is not None:
        words += f", autoscaled {span(w.autoscale.min, w.autoscale.max)}"
    return words


def _topology(t: Topology) -> dict[str, Any]:
    rows = [
        (w.name, _kind(w), w.namespace, _replicas(w), code(w.container.image), ports(w.ports), _service(w), prose(w.description) or NONE) for w in t.workloads
    ]
    return {
        "workloads": table(("Workload", "Kind", "Namespace", "Replicas", "Image", "Ports", "Service", "Description"), rows),
        "count": count(len(t.workloads), "workload"),
    }


def _namespaces(t: Topology) -> dict[str, Any]:
    rows = []
    for ns in t.namespaces:
        names = ", ".join(w.name for w in t.workloads_in(ns.name)) or NONE
        if t.ingress is not None and t.ingress.namespace == ns.name:
            names = f"{t.ingress.name} ingress controller" if names == NONE else f"{names}, {t.ingress.name} ingress controller"
        labels = ", ".join(f"{code(f'{k}={v}')}" for k, v in ns.labels) or NONE
        rows.append(
            (
                ns.name,
                onoff(ns.mesh),
                ns.subnet or NONE,
                labels,
                "allowed" if ns.same_namespace else "denied",
                names,
                prose(ns.description) or NONE,
            )
        )
    quotas = []
    for ns in t.namespaces:
        q = ns.quota
        if q is not None:
            quotas.append(
                (
                    ns.name,
                    cores(q.cpu) if q.cpu else NONE,
                    q.memory.text if q.memory else NONE,
                    str(q.pods) if q.pods is not None else NONE,
                    str(q.volume_claims) if q.volume_claims is not None else NONE,
                )
            )
    shared = [(ns.name, s.name, "ConfigMap" if s.kind == "config" else "Secret", ", ".join(s.readers) or NONE) for ns in t.namespaces for s in ns.shared]
    return {
        "table": table(("Namespace", "Mesh injection", "Subnet", "Labels", "Same-namespace traffic", "Workloads", "Description"), rows),
        "quotas": table(("Namespace", "CPU", "Memory", "Pods", "Volume claims"), quotas),
        "shared": table(("Namespace", "Name", "Kind", "Readers (read access by RBAC)"), shared),
    }


def _network(t: Topology) -> dict[str, Any]:
    rows = []
    for subnet in t.subnets:
        members = 0
        if t.ingress is not None and t.ingress.subnet == subnet.name:
            members += 1
            address = str(t.ingress.address) if t.ingress.address else "any (subnet pool)"
            rows.append(
                (
                    subnet.name,
                    str(subnet.cidr),
                    f"{t.ingress.name} (ingress controller)",
                    address,
                    "1" if t.ingress.address else NONE,
                    str(t.ingress.replicas),
                )
            )
        for w in t.workloads:
            if w.subnet != subnet.name:
                continue
            members += 1
            if w.addresses is None:
                rows.append((subnet.name, str(subnet.cidr), w.name, "any (subnet pool)", NONE, str(w.max_replicas)))
            else:
                low, high = w.addresses
                size = int(high) - int(low) + 1
                rows.append((subnet.name, str(subnet.cidr), w.name, span(low, high), str(size), str(w.max_replicas)))
        if members == 0:
            rows.append((subnet.name, str(subnet.cidr), NONE, NONE, NONE, NONE))
    subnets = [(s.name, str(s.cidr), str(s.cidr.num_addresses), prose(s.description) or NONE) for s in t.subnets]
    return {
        "subnets": table(("Subnet", "CIDR", "Addresses", "Description"), subnets),
        "addresses": table(("Subnet", "CIDR", "Workload", "Address range", "Pool size", "Max replicas"), rows),
    }


def _security(t: Topology) -> dict[str, Any]:
    layers = [
        {"number": i, "name": layer.name.capitalize(), "measures": tuple(prose(m) for m in layer.measures)}
        for i, layer in enumerate(t.security_layers, start=1)
    ]
    return {"layers": layers}


def _peer_label(edge_end: Peer) -> str:
    if edge_end.kind == "ingress":
        return f"{edge_end.name} (ingress controller)"
    return str(edge_end.name)


def _matrix(t: Topology) -> Table:
    """Source × destination between the internet, the ingress controller and the workloads."""
    inside = {"workload", "ingress", "internet"}
    edges = [e for e in t.allow_graph.edges if e.source.kind in inside and e.target.kind in inside]
    order: list[str] = []
    if t.ingress is not None:
        order.append(t.ingress.name)
    order += [w.name for w in t.workloads]
    targets = [n for n in order if any(e.target.name == n for e in edges)]
    sources = [n for n in ["internet", *order] if any(e.source.name == n for e in edges)]
    labels = {e.target.name: _peer_label(e.target) for e in edges} | {e.source.name: _peer_label(e.source) for e in edges}
    cells: dict[tuple[str, str], list[str]] = {}
    for e in edges:
        text = port_number(e.port) + (f" (for {e.via})" if e.via else "")
        cells.setdefault((e.source.name, e.target.name), []).append(text)
    rows = [(labels[s], *(", ".join(cells.get((s, d), [])) or NONE for d in targets)) for s in sources]
    return table(("Source ↓ / destination →", *(labels[d] for d in targets)), rows)


def _rules(t: Topology) -> Table:
    """Why each workload-to-workload connection is allowed."""
    words = {
        "call": "declared call",
        "route": "gateway route",
        "ingress": "ingress host",
        "internet": "public listener",
        "scrape": "metrics scrape",
        "same-namespace": "same-namespace allowance",
        "pooler": "connection pooler",
        "allow": "explicit allow rule",
    }
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for e in t.allow_graph.edges:
        if e.target.kind in ("external", "dns"):
            continue
        key = (_peer_label(e.source), _peer_label(e.target), words.get(e.rule, e.rule) + (f" to {e.via}" if e.via else ""))
        grouped.setdefault(key, []).append(port_number(e.port))
    return table(("Source", "Destination", "Ports", "Allowed by"), ((s, d, ", ".join(p), r) for (s, d, r), p in grouped.items()))


def _egress_rows(t: Topology, edges: Sequence[Edge]) -> list[tuple[str, ...]]:
    grouped: dict[tuple[str, str], list[str]] = {}
    for e in edges:
        grouped.setdefault((e.source.name, e.target.name), []).append(port_number(e.port))
    rows: list[tuple[str, ...]] = []
    for (source, target), numbers in grouped.items():
        ext = t.external(target)
        hosts = ", ".join(ext.hosts) if ext else NONE
        gateway = "egress gateway" if ext is not None and ext.via_egress_gateway else "direct"
        rows.append((source, target, hosts, ", ".join(sorted(set(numbers), key=numbers.index)), gateway))
    return rows


def _policies(t: Topology) -> dict[str, Any]:
    external = [e for e in t.allow_graph.edges if e.target.kind == "external"]
    dns = [e for e in t.allow_graph.edges if e.target.kind == "dns"]
    dns_sources = sorted({e.source.name for e in dns}, key=[w.name for w in t.workloads].index)
    dns_ports = " and ".join(sorted({f"{e.port.number}/{e.port.protocol}" for e in dns}, reverse=True))
    dns_target = f"{dns[0].target.name} ({dns[0].target.namespace})" if dns else NONE
    everyone = len(dns_sources) == len(t.workloads)
    n = t.network
    return {
        "matrix": _matrix(t),
        "rules": _rules(t),
        "egress": table(("Source", "External service", "Hosts", "Ports", "Route"), _egress_rows(t, external)),
        "dns": {
            "allowed": bool(dns),
            "target": dns_target,
            "ports": dns_ports,
            "sources": f"every workload ({len(dns_sources)})" if everyone else ", ".join(dns_sources),
        },
        "default_deny": n.default_deny,
        "internet_deny": n.internet_deny,
        "same_namespace": [ns.name for ns in t.namespaces if ns.same_namespace],
        "denies": [f"{r.source} → {r.target}" + (f" on {r.port}" if r.port is not None else "") for r in n.denies],
        "allows": [f"{r.source} → {r.target}" + (f" on {r.port}" if r.port is not None else "") for r in n.allows],
    }


def _health(w: Workload) -> str:
    p = w.probes
    if p is None or p.readiness is None:
        return NONE
    return f"{check(p.readiness, w)}; {timing(p)}"


def _load_balancing(t: Topology) -> dict[str, Any]:
    rows = []
    if t.ingress is not None:
        rows.append((f"{t.ingress.name} (ingress controller)", algorithm(t.ingress.balance), "none", count(t.ingress.replicas, "replica"), NONE))
    for w in t.workloads:
        if w.load_balancing is None:
            continue
        affinity = "client IP (sticky sessions)" if w.load_balancing == "ip-hash" else "none"
        rows.append((w.name, algorithm(w.load_balancing), affinity, _replica_words(w), _health(w)))
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


def _ingress(t: Topology) -> dict[str, Any] | None:
    i = t.ingress
    if i is None:
        return None
    issuer = next((x for x in t.issuers if x.name == i.tls_issuer), None)
    features = [
        ("Replicas", str(i.replicas)),
        ("Balancing", algorithm(i.balance)),
        ("Address", f"{i.address} ({i.subnet} subnet)" if i.address else (f"{i.subnet} subnet" if i.subnet else NONE)),
        ("Listens on", ports(i.listen)),
        ("Rate limit", rate(i.rate_limit)),
        ("Request buffering", onoff(i.request_buffering)),
        ("Compression", onoff(i.compression)),
        ("CORS origins", ", ".join(code(o) for o in i.cors_origins) or NONE),
        ("CORS methods", ", ".join(i.cors_methods) or NONE),
        ("WAF", "ModSecurity (OWASP core rules)" if i.waf == "modsecurity" else (i.waf or "off")),
        ("TLS minimum version", f"TLS {i.tls_minimum}" if i.tls_minimum else NONE),
        ("TLS issuer", f"{i.tls_issuer} (cert-manager)" if i.tls_issuer else NONE),
    ]
    issuers = [(x.name, code(x.acme), x.email, f"{x.renew_before.text} before expiry" if x.renew_before else "cert-manager default") for x in t.issuers]
    hosts = [(code(h.host), h.target, port_named(h.port)) for h in i.hosts]
    routes = [(w.name, code(r.path), r.target, port_named(r.port)) for w in t.workloads for r in w.routes]
    return {
        "name": i.name,
        "namespace": i.namespace,
        "features": table(("Feature", "Setting"), features),
        "issuers": table(("Issuer", "ACME directory", "Account e-mail", "Renewal"), issuers),
        "issuer": issuer.name if issuer else None,
        "hosts": table(("Host", "Workload", "Port"), hosts),
        "routes": table(("Router", "Path", "Workload", "Port"), routes),
    }


def _callers(t: Topology, ext: External) -> str:
    names = dict.fromkeys(e.source.name for e in t.allow_graph.incoming(ext.name))
    return ", ".join(names) or NONE


def _egress(t: Topology) -> dict[str, Any]:
    rows = [
        (
            ext.name,
            ", ".join(code(h) for h in ext.hosts),
            ports(ext.ports),
            "egress gateway" if ext.via_egress_gateway else "direct",
            _callers(t, ext),
            prose(ext.description) or NONE,
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
                    ("TLS origination", onoff(g.tls_origination)),
                    ("SNI routing", onoff(g.sni_routing)),
                    ("Access control", "only the allow-listed hosts below; every other destination is refused"),
                ],
            )
        monitoring = table(
            ("Measure", "Setting"),
            [
                ("Access log of every outbound request", onoff(mesh.access_log)),
                ("Egress rate limit", rate(mesh.egress_rate_limit)),
                ("Cost tracking", onoff(mesh.cost_tracking)),
            ],
        )
    return {
        "allow_list": table(("External service", "Hosts", "Ports", "Route", "Called by", "Description"), rows),
        "gateway": gateway,
        "monitoring": monitoring,
    }


def _security_context(w: Workload) -> str:
    s = w.security
    parts = [f"user {s.user}", f"group {s.group}", *RESTRICTED]
    parts.append("read-only root filesystem" if s.read_only_root else "writable root filesystem")
    parts.append("service account token mounted" if s.service_account_token else "no service account token")
    return ", ".join(parts)


def _container_rows(t: Topology, w: Workload) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        (
            f"{w.container.name} (main)",
            code(w.container.image),
            ports(w.container.ports),
            cpu(w.container.resources),
            memory(w.container.resources),
        )
    ]
    rows += [(f"{s.name} (sidecar)", code(s.image), ports(s.ports), cpu(s.resources), memory(s.resources)) for s in w.sidecars]
    if w.meshed and t.mesh is not None:
        r = t.mesh.sidecar_resources
        rows.append(
            (
                "istio-proxy (injected)",
                f"{code('istio/proxyv2')} (Istio {t.istio})",
                NONE,
                cpu(r) if r else "Istio default",
                memory(r) if r else "Istio default",
            )
        )
    return rows


def _containers(t: Topology) -> list[dict[str, Any]]:
    out = []
    for w in t.workloads:
        p = w.probes
        probes = None
        if p is not None:
            probes = table(
                ("Probe", "Check"),
                [
                    ("Liveness", check(p.liveness, w)),
                    ("Readiness", check(p.readiness, w)),
                    ("Startup", check(p.startup, w)),
                    ("Timing", timing(p)),
                ],
            )
        volumes = [
            (
                v.name,
                {"config-map": "ConfigMap", "secret": "Secret", "empty-dir": "emptyDir"}.get(v.kind, v.kind),
                v.source or NONE,
                code(v.mount_path),
                "yes" if v.read_only else "no",
            )
            for v in w.volumes
        ]
        storage = [(s.name, s.size.text, s.storage_class or "cluster default", s.access, code(s.mount_path)) for s in w.storage]
        out.append(
            {
                "name": w.name,
                "summary": f"{_kind(w)} in {w.namespace}, {_replica_words(w)}" + (f", {w.subnet} subnet" if w.subnet else "") + ".",
                "containers": table(("Container", "Image", "Ports", "CPU", "Memory"), _container_rows(t, w)),
                "probes": probes,
                "volumes": table(("Volume", "Kind", "Source", "Mount", "Read-only"), volumes),
                "storage": table(("Claim", "Size", "Storage class", "Access", "Mount"), storage),
                "security": _security_context(w),
                "env": table(("Variable", "Value"), [(k, code(v)) for k, v in w.env]),
            }
        )
    return out


def _metric(m: Metric) -> str:
    kind = {"pods": "per pod", "object": f"of {m.object}", "external": "external"}.get(m.source, m.source)
    return f"{code(m.name)} {kind}, target {m.target}"


def _scaling(t: Topology) -> dict[str, Any]:
    rows = [
        (
            w.name,
            span(w.autoscale.min, w.autoscale.max),
            pct(w.autoscale.cpu),
            pct(w.autoscale.memory),
            "; ".join(_metric(m) for m in w.autoscale.metrics) or NONE,
        )
        for w in t.workloads
        if w.autoscale is not None
    ]
    cluster = t.scaling.cluster
    return {
        "hpa": table(("Workload", "Replicas", "CPU target", "Memory target", "Custom metrics"), rows),
        "vpa": t.scaling.vertical.capitalize() if t.scaling.vertical else None,
        "cluster": table(
            ("Setting", "Value"),
            [
                ("Nodes", span(cluster.min_nodes, cluster.max_nodes)),
                ("Scale down below", pct(cluster.scale_down_below)),
                ("Scale up", "when pods are pending"),
            ],
        )
        if cluster is not None
        else None,
    }


def _budget(w: Workload) -> str:
    b = w.budget
    if b is None:
        return NONE
    if b.max_unavailable is not None:
        return f"max {b.max_unavailable} unavailable"
    return f"min {b.min_available} available"


def _strategies(t: Topology) -> dict[str, Any]:
    rows = [(w.name, w.rollout.strategy, str(w.rollout.surge), str(w.rollout.unavailable), w.rollout.grace.text, _budget(w)) for w in t.workloads]
    blue_green = [
        (w.name, w.blue_green.blue, w.blue_green.green, f"{w.blue_green.active} ({w.blue_green.active_version})")
        for w in t.workloads
        if w.blue_green is not None
    ]
    return {
        "rolling": table(("Workload", "Strategy", "Max surge", "Max unavailable", "Graceful shutdown", "Disruption budget"), rows),
        "blue_green": table(("Workload", "Blue version", "Green version", "Active"), blue_green),
    }


def _mesh(t: Topology) -> dict[str, Any] | None:
    m = t.mesh
    if m is None:
        return None
    meshed = [w.name for w in t.workloads if w.meshed]
    rows = []
    for w in t.workloads:
        if not (w.meshed or w.resilience or w.load_balancing):
            continue
        r = w.resilience
        retries = cb = timeout = NONE
        if r is not None:
            timeout = dur(r.timeout)
            if r.retries is not None:
                retries = (
                    f"{r.retries.attempts} attempts"
                    + (f", {r.retries.per_try.text} per try" if r.retries.per_try else "")
                    + (f", on {code(r.retries.on)}" if r.retries.on else "")
                )
            if r.circuit_breaker is not None:
                c = r.circuit_breaker
                parts = [f"eject after {c.consecutive_errors} consecutive errors"]
                if c.interval is not None:
                    parts.append(f"checked every {c.interval.text}")
                if c.ejection is not None:
                    parts.append(f"for {c.ejection.text}")
                if c.max_ejected is not None:
                    parts.append(f"at most {pct(c.max_ejected)} ejected")
                if c.max_connections is not None:
                    parts.append(f"max {c.max_connections} connections")
                if c.max_pending is not None:
                    parts.append(f"max {c.max_pending} pending requests")
                cb = ", ".join(parts)
        rows.append((w.name, "yes" if w.meshed else "no", algorithm(w.load_balancing), timeout, retries, cb))
    jwt = None
    if m.jwt is not None:
        jwt = table(
            ("Setting", "Value"),
            [
                ("Issuer", code(m.jwt.issuer)),
                ("JWKS", code(m.jwt.jwks)),
                ("Validated at", m.jwt.workload),
                ("Protected paths", ", ".join(code(p) for p in m.jwt.protect) or "every path"),
            ],
        )
    sidecar = f"CPU {cpu(m.sidecar_resources)}, memory {memory(m.sidecar_resources)}" if m.sidecar_resources else "Istio defaults"
    return {
        "roles": table(("istiod role", "What it does"), ISTIOD_ROLES),
        "mtls": m.mtls.upper(),
        "meshed": meshed,
        "sidecar": sidecar,
        "tracing": pct(m.tracing_sampling) if m.tracing_sampling is not None else None,
        "access_log": onoff(m.access_log),
        "services": table(("Service", "Sidecar", "Load balancing", "Timeout", "Retries", "Circuit breaking"), rows),
        "jwt": jwt,
    }


def _data(t: Topology) -> dict[str, Any]:
    stores = [
        (
            w.name,
            _kind(w),
            str(w.replicas),
            ports(w.ports),
            ", ".join(f"{s.size.text} {s.storage_class or ''}".strip() for s in w.storage) or NONE,
            onoff(w.encryption_at_rest),
        )
        for w in t.workloads
        if w.storage or w.database or w.pooler_of
    ]
    databases = []
    for w in t.workloads:
        db = w.database
        if db is None:
            continue
        pooler = t.workload(db.pooler) if db.pooler else None
        weights = ", ".join(f"replica {i}: {pct(x)}" for i, x in enumerate(db.read_weights, start=1)) or "even"
        databases.append(
            {
                "name": w.name,
                "table": table(
                    ("Setting", "Value"),
                    [
                        (
                            "Connection pooler",
                            f"{pooler.name} ({code(pooler.container.image)}, {count(pooler.replicas, 'replica')})" if pooler else (db.pooler or "none"),
                        ),
                        ("Pool mode", db.pool_mode or NONE),
                        ("Primary", f"{db.primary} (takes every write)"),
                        ("Read replicas", str(db.read_replicas)),
                        ("Read weights", weights),
                        ("Replication", db.replication),
                        ("Encryption at rest", onoff(w.encryption_at_rest)),
                    ],
                ),
            }
        )
    return {"stores": table(("Workload", "Kind", "Replicas", "Ports", "Storage", "Encryption at rest"), stores), "databases": databases}


def _monitoring(t: Topology) -> dict[str, Any] | None:
    m = t.monitoring
    if m is None:
        return None
    scraped = [w.name for w in t.workloads if w.scraped]
    port = next((p for w in t.workloads for p in w.ports if p.name == m.port), None)
    alerts = [(a.name, code(a.expr), dur(a.for_), a.severity, prose(a.summary) or NONE) for a in m.alerts]
    return {
        "settings": table(
            ("Setting", "Value"),
            [
                ("Scraper", m.scraper),
                ("Scrape path", code(m.path)),
                ("Scrape port", port_named(port) if port else m.port),
                ("Scrape interval", dur(m.interval) if m.interval else "Prometheus default"),
                ("Scraped workloads", ", ".join(scraped) or NONE),
                ("Logging", m.logging or NONE),
                ("Alerting", m.alerting or NONE),
                ("Dashboards", m.dashboards or NONE),
            ],
        ),
        "alerts": table(("Alert", "Expression", "For", "Severity", "Summary"), alerts),
    }


def _edge(t: Topology) -> dict[str, Any]:
    names = {"cdn": "CDN", "load_balancer": "Load balancer", "geodns": "GeoDNS", "region": "Region"}
    rows = []
    for d in t.edge:
        detail = [prose(d.description)] if d.description else []
        if d.provides:
            detail.append("provides " + prose(", ".join(d.provides)))
        if d.regions:
            detail.append("routes to regions " + ", ".join(d.regions))
        if d.load_balancer:
            detail.append(f"regional load balancer {prose(d.load_balancer)}")
        rows.append((names.get(d.kind, d.kind), d.name, "; ".join(detail) or NONE))
    return {"table": table(("Component", "Name", "Details"), rows)}


def _objective_check(t: Topology, objective: Objective) -> str:
    checks = [c for c in rpo_checks(t) if c.objective is objective]
    if not checks:
        return "not checked: covers no workload"
    results = []
    for c in checks:
        mark = "✓" if c.met else "✗"
        b = c.backup
        if b is None:
            results.append(f"{mark} {c.workload}: no backup")
        elif b.continuous:
            results.append(f"{mark} {c.workload}: continuous {b.kind} backup")
        else:
            every = b.every.text if b.every else "?"
            results.append(f"{mark} {c.workload}: {b.kind} backup every {every}, RPO {c.objective.rpo.text}")
    return "; ".join(results)


def _recovery(t: Topology) -> dict[str, Any] | None:
    r = t.recovery
    if r is None:
        return None
    targets = {x.name: x for x in r.targets}

    def where(name: str) -> str:
        x = targets.get(name)
        return f"{name} ({x.kind}, {x.region})" if x and x.region else name

    backups = [(w.name, b.kind, schedule(b.every, b.at, b.continuous), where(b.target)) for w in t.workloads for b in w.backups]
    cb = r.cluster_backup
    if cb is not None:
        backups.append(("whole cluster", f"{cb.tool} backup", schedule(cb.every, cb.at), where(cb.target)))
    objectives = [
        (
            o.name,
            ", ".join(o.covers) or NONE,
            o.rto.text,
            "real-time" if o.rpo.millis == 0 else o.rpo.text,
            _objective_check(t, o),
        )
        for o in r.objectives
    ]
    return {
        "backups": table(("Source", "Kind", "Schedule", "Destination"), backups),
        "targets": table(
            ("Target", "Kind", "Region", "Bucket", "Encrypted"),
            [(x.name, x.kind, x.region or NONE, code(x.bucket), "yes" if x.encrypted else "no") for x in r.targets],
        ),
        "replications": [f"{a} → {b}" for a, b in r.replications],
        "archive": f"{r.archive[0]} after {r.archive[1].text}" if r.archive else None,
        "cluster_backup": (f"{cb.tool}, {schedule(cb.every, cb.at)}, to {cb.target}" + (f", kept {cb.retention.text}" if cb.retention else "")) if cb else None,
        "config_in_git": r.config_in_git,
        "objectives": table(("Objective", "Covers", "RTO", "RPO", "Check (most frequent backup ≤ RPO)"), objectives),
    }


def build(topology: Topology, diagrams: dict[str, str]) -> dict[str, Any]:
    """The template context of the architecture document.

    ``diagrams`` maps a view name to its Mermaid text; a section embeds its view when present.
    """
    t = topology
    return {
        "name": t.name,
        "version": t.version,
        "description": prose(t.description),
        "domain": t.domain,
        "kubernetes": t.kubernetes,
        "istio": t.istio,
        "generator": orion_dsl.__version__,
        "diagrams": diagrams,
        "topology": _topology(t),
        "namespaces": _namespaces(t),
        "network": _network(t),
        "security": _security(t),
        "policies": _policies(t),
        "load_balancing": _load_balancing(t),
        "ingress": _ingress(t),
        "egress": _egress(t),
        "containers": _containers(t),
        "scaling": _scaling(t),
        "strategies": _strategies(t),
        "mesh": _mesh(t),
        "data": _data(t),
        "monitoring": _monitoring(t),
        "edge": _edge(t),
        "recovery": _recovery(t),
    }
