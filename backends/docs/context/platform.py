"""Sections about the platform: service mesh, data tier, monitoring, disaster recovery."""

from __future__ import annotations

from typing import Any

from orion_dsl.analysis.recovery import rpo_checks
from orion_dsl.backends.docs.context.text import NONE, algorithm, count, cpu, dur, image_text, memory, onoff, pct, port_named, ports, table
from orion_dsl.backends.docs.markdown import code, join, md, text
from orion_dsl.model import Objective, Topology
from orion_dsl.views.common import kind_name, objective_text, schedule_text

ISTIOD_ROLES = (
    ("Traffic management", "pushes routes, load balancing, retries, timeouts and circuit breakers to every Envoy sidecar (formerly Pilot)"),
    ("Certificates", "issues and rotates the workload certificates behind mTLS (formerly Citadel)"),
    ("Configuration validation", "validates Istio resources when they are applied (formerly Galley)"),
    ("Telemetry", "configures sidecar metrics, access logs and tracing through the Telemetry API (formerly Mixer)"),
)


def mesh(t: Topology) -> dict[str, Any] | None:
    """The mesh: istiod roles, mTLS, per-service traffic policy, JWT, tracing."""
    m = t.mesh
    if m is None:
        return None
    meshed = [w.name for w in t.workloads if w.meshed]
    rows = []
    for w in t.workloads:
        if not (w.meshed or w.resilience or w.load_balancing or w.session_affinity):
            continue
        r = w.resilience
        retries = cb = timeout = NONE
        if r is not None:
            timeout = dur(r.timeout)
            if r.retries is not None:
                retries = md(
                    "{}{}{}",
                    f"{r.retries.attempts} attempts",
                    f", {r.retries.per_try.text} per try" if r.retries.per_try else "",
                    md(", on {}", code(r.retries.on)) if r.retries.on else "",
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
        balancing = "Consistent hash" if w.session_affinity else algorithm(w.load_balancing)
        rows.append((w.name, "yes" if w.meshed else "no", balancing, timeout, retries, cb))
    jwt = None
    if m.jwt is not None:
        jwt = table(
            ("Setting", "Value"),
            [
                ("Issuer", code(m.jwt.issuer)),
                ("JWKS", code(m.jwt.jwks)),
                ("Validated at", m.jwt.workload),
                ("Protected paths", join(", ", (code(p) for p in m.jwt.protect)) or "every path"),
                ("Open without a token", join(", ", (code(p) for p in m.jwt.public)) or NONE),
                ("Audiences", join(", ", (code(a) for a in m.jwt.audiences)) or "any audience of the issuer"),
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


def data(t: Topology) -> dict[str, Any]:
    """The data tier: pooler, primary, replicas, read weights, replication."""
    stores = [
        (
            w.name,
            kind_name(t, w),
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
        pooler = t.pooler_of(w)
        weights = ", ".join(f"replica {i}: {pct(x)}" for i, x in enumerate(db.read_weights, start=1)) or "even"
        databases.append(
            {
                "name": w.name,
                "table": table(
                    ("Setting", "Value"),
                    [
                        (
                            "Connection pooler",
                            md("{} ({}, {})", pooler.name, image_text(pooler), count(pooler.replicas, "replica"))
                            if pooler
                            else (db.pooler or "none"),
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


def monitoring(t: Topology) -> dict[str, Any] | None:
    """Scraping and alert rules."""
    m = t.monitoring
    if m is None:
        return None
    scraped = [w.name for w in t.workloads if w.scraped]
    port = next((p for w in t.workloads for p in w.ports if p.name == m.port), None)
    alerts = [(a.name, code(a.expr), dur(a.for_), a.severity, text(a.summary) or NONE) for a in m.alerts]
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


def recovery(t: Topology) -> dict[str, Any] | None:
    """Backups, targets, replication, archive, cluster backup and objectives."""
    r = t.recovery
    if r is None:
        return None
    targets = {x.name: x for x in r.targets}

    def where(name: str) -> str:
        """Where a backup goes, in words."""
        x = targets.get(name)
        return f"{name} ({x.kind}, {x.region})" if x and x.region else name

    backups: list[tuple[str, str, str, str]]  # a backup's kind, or the cluster backup's tool
    backups = [(w.name, b.kind, schedule_text(b.every, b.at, b.continuous), where(b.target)) for w in t.workloads for b in w.backups]
    cb = r.cluster_backup
    if cb is not None:
        backups.append(("whole cluster", f"{cb.tool} backup", schedule_text(cb.every, cb.at), where(cb.target)))
    objectives = [
        (
            o.name,
            ", ".join(o.covers) or NONE,
            objective_text(o.rto),
            objective_text(o.rpo),
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
        "cluster_backup": (f"{cb.tool}, {schedule_text(cb.every, cb.at)}, to {cb.target}" + (f", kept {cb.retention.text}" if cb.retention else ""))
        if cb
        else None,
        "config_in_git": code(r.config_in_git) if r.config_in_git else None,
        "objectives": table(("Objective", "Covers", "RTO", "RPO", "Check (most frequent backup ≤ RPO)"), objectives),
    }

