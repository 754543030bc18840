"""Sections about workloads: container specifications, autoscaling, deployment strategies."""

from __future__ import annotations

from typing import Any

from orion_dsl.backends.docs.context.text import NONE, Table, check, cpu, memory, pct, ports, replica_words, table, timing
from orion_dsl.backends.docs.markdown import code, join, md
from orion_dsl.engines import facts
from orion_dsl.lowering import Plan, Role
from orion_dsl.lowering.vertical import vertical
from orion_dsl.model import Metric, Topology, Workload
from orion_dsl.secrets import shown_env
from orion_dsl.views.common import kind_name
from orion_dsl.views.numbers import value_range

RESTRICTED = ("runs as non-root", "no privilege escalation", "all capabilities dropped", "seccomp RuntimeDefault")


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
    rows += [(f"{i.name} (init)", code(i.image), ports(()), cpu(i.resources), memory(i.resources)) for i in w.init_containers]
    if w.meshed and t.mesh is not None:
        r = t.mesh.sidecar_resources
        rows.append(
            (
                "istio-proxy (injected)",
                md("{} (Istio {})", code("istio/proxyv2"), t.istio),
                NONE,
                cpu(r) if r else "Istio default",
                memory(r) if r else "Istio default",
            )
        )
    return rows


def containers(t: Topology) -> list[dict[str, Any]]:
    """Per-workload container specifications."""
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
                "summary": f"{kind_name(t, w)} in {w.namespace}, {replica_words(w)}" + (f", {w.subnet} subnet" if w.subnet else "") + ".",
                "containers": table(("Container", "Image", "Ports", "CPU", "Memory"), _container_rows(t, w)),
                "probes": probes,
                "volumes": table(("Volume", "Kind", "Source", "Mount", "Read-only"), volumes),
                "storage": table(("Claim", "Size", "Storage class", "Access", "Mount"), storage),
                "security": _security_context(w),
                "operator": facts(w.engine).operator if w.engine is not None else None,
                "env": table(("Variable", "Value"), _env_rows(w)),
            }
        )
    return out


def _env_rows(w: Workload) -> list[tuple[str, str]]:
    """The main container's variables, then each version's own (``STAR_COLOR (version v2)``), which replace the service's."""
    rows = [(e.name, e) for e in w.env] + [(f"{e.name} (version {v.name})", e) for v in w.versions for e in v.env]
    return [(name, code(shown_env(e.name, e.value) if e.value is not None else e.text)) for name, e in rows]


def _metric(m: Metric, scraper: Workload | None) -> str:
    """A custom metric in words; ``(KEDA, from <scraper>)`` when KEDA reads it from the Prometheus scraping the workload."""
    kind = {"pods": "per pod", "object": f"of {m.object}", "external": "external"}.get(m.source, m.source)
    if m.selector:
        text = md("{} {} ({}), target {}", code(m.name), kind, ", ".join(f"{k}={v}" for k, v in m.selector), m.target)
    else:
        text = md("{} {}, target {}", code(m.name), kind, m.target)
    return md("{} (KEDA, from {})", text, scraper.name) if scraper is not None else text


def _vertical(plan: Plan) -> Table | None:
    """Each VPA's update mode and what it sizes, with why a mode differs from the spec's (None: no VPA)."""
    t = plan.topology
    rows = []
    for w in t.workloads:
        if plan.find(Role.VPA, w) is not None:
            chosen = vertical(t, w)
            rows.append((w.name, chosen.mode, ", ".join(chosen.controlled), chosen.why or "as the spec states"))
    return table(("Workload", "Update mode", "Resources", "Why"), rows) if rows else None


def scaling(plan: Plan) -> dict[str, Any]:
    """Horizontal, vertical and cluster autoscaling."""
    t = plan.topology
    rows = [
        (
            w.name,
            value_range(w.autoscale.min, w.autoscale.max),
            pct(w.autoscale.cpu),
            pct(w.autoscale.memory),
            join("; ", [*(_metric(m, t.pods_metrics_scraper(w)) for m in w.autoscale.metrics), *(md("{} (KEDA)", q.text) for q in w.autoscale.queues)]) or NONE,
        )
        for w in t.workloads
        if w.autoscale is not None
    ]
    cluster = t.scaling.cluster
    return {
        "hpa": table(("Workload", "Replicas", "CPU target", "Memory target", "Custom metrics"), rows),
        "vpa": _vertical(plan),
        "vertical": t.scaling.vertical,
        "cluster": table(
            ("Setting", "Value"),
            [
                ("Nodes", value_range(cluster.min_nodes, cluster.max_nodes)),
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


def _rolling(w: Workload) -> tuple[str, ...]:
    """A workload's row of the rolling-update table; an operator updates its own pods."""
    if w.engine is not None:
        theirs = f"{facts(w.engine).operator}'s"
        return (w.name, theirs, NONE, NONE, NONE, theirs)
    return (w.name, w.rollout.strategy, str(w.rollout.surge), str(w.rollout.unavailable), w.rollout.grace.text, _budget(w))


def strategies(t: Topology) -> dict[str, Any]:
    """Rolling updates, blue-green deployments and services with versions."""
    rows = [_rolling(w) for w in t.workloads]
    blue_green = [
        (w.name, w.blue_green.blue, w.blue_green.green, f"{w.blue_green.active} ({w.blue_green.active_version})")
        for w in t.workloads
        if w.blue_green is not None
    ]
    versions = [(w.name, v.name, code(v.image), str(v.replicas), _reaches(w, v.name)) for w in t.workloads for v in w.versions]
    return {
        "rolling": table(("Workload", "Strategy", "Max surge", "Max unavailable", "Graceful shutdown", "Disruption budget"), rows),
        "blue_green": table(("Workload", "Blue version", "Green version", "Active"), blue_green),
        "versions": table(("Service", "Version", "Image", "Replicas", "Traffic"), versions),
        #: Which edge the versions' paragraph describes: Istio's HTTPRoutes apply the traffic blocks, ingress-nginx does not.
        "edge": t.ingress.controller if t.ingress is not None else None,
    }


def _reaches(w: Workload, version: str) -> str:
    """The traffic that reaches one version of a service: its weight, matches and mirroring; else its share of the pods."""
    said = w.traffic.to(version) if w.traffic is not None else ("its share of the pods",)
    return ", ".join(said) or "none"
