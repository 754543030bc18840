"""View ``scaling``: HPAs with bounds and targets, VPA, the cluster autoscaler, rollouts.

Metric sources feed the HPAs (Metrics Server for CPU and memory, Prometheus for custom
metrics, KEDA for queue depths and Prometheus-scraped pods metrics: it makes the HPA of such a
workload); HPAs needing more pods than fit trigger the cluster autoscaler. Rollout strategies are
grouped: one node per distinct rolling setting, one per blue-green service.
"""

from __future__ import annotations

from orion_dsl.model import Metric, Topology, Workload
from orion_dsl.views.common import part_id, wrap
from orion_dsl.views.graph import Builder, Graph
from orion_dsl.views.grouping import is_grouped
from orion_dsl.views.numbers import percent, value_range


def _metric_text(m: Metric) -> str:
    where = f" of {m.object}" if m.object else ""
    labels = f" ({', '.join(f'{k}={v}' for k, v in m.selector)})" if m.selector else ""
    return f"{m.source} {m.name}{where}{labels}: {m.target}"


def _hpa_lines(topology: Topology, w: Workload) -> list[str]:
    a = w.autoscale
    if a is None:
        return []
    keda = a.queues or topology.pods_metrics_scraper(w) is not None  # KEDA makes its HPA
    lines = [f"{w.name} HPA" + (" (KEDA)" if keda else ""), f"replicas {value_range(a.min, a.max)}"]
    if a.cpu is not None:
        lines.append(f"CPU {percent(a.cpu)}")
    if a.memory is not None:
        lines.append(f"memory {percent(a.memory)}")
    lines += [_metric_text(m) for m in a.metrics]
    lines += [q.text for q in a.queues]
    return lines


def _rollouts(b: Builder, topology: Topology) -> None:
    groups: dict[str, list[str]] = {}
    for w in topology.workloads:
        if w.blue_green is not None:
            continue
        r = w.rollout
        if r.strategy == "rolling":
            key = f"Rolling update: surge {r.surge}, unavailable {r.unavailable}, grace {r.grace.text}"
        else:
            key = f"Recreate, grace {r.grace.text}"
        groups.setdefault(key, []).append(w.name)
    with b.cluster("rollout", "Rollout strategies", "rollout"):
        for i, (key, names) in enumerate(groups.items(), 1):
            listed = wrap("", names) if not is_grouped(topology) else [f"{len(names):,} workloads"]
            b.node(f"rollout_{i}", key, *listed, cls="rollout")
        for w in topology.workloads:
            bg = w.blue_green
            if bg is None:
                continue
            active = {"blue": " (active)" if bg.active == "blue" else "", "green": " (active)" if bg.active == "green" else ""}
            b.node(
                part_id("bluegreen", w.name),
                f"{w.name} blue-green",
                f"blue v{bg.blue}{active['blue']}",
                f"green v{bg.green}{active['green']}",
                "Service selects the active version",
                cls="rollout",
                group="Blue-green services",
                counts="blue-green service",
            )


def build(topology: Topology) -> Graph:
    """The autoscaling and rollout view."""
    b = Builder("scaling", f"{topology.name}: scaling and rollouts")
    scaled = [w for w in topology.workloads if w.autoscale is not None]
    prometheus = topology.monitoring.scraper if topology.monitoring else None
    custom = [w for w in scaled if w.autoscale is not None and w.autoscale.metrics]
    queued = [w.autoscale for w in scaled if w.autoscale is not None and w.autoscale.queues]
    with b.cluster("sources", "Metrics sources", "metrics"):
        b.node("metrics_server", "Metrics Server", "CPU and memory usage", cls="metrics")
        if prometheus and custom:
            b.node("metrics_custom", f"{prometheus} (custom metrics)", "application and queue metrics", cls="metrics")
        if queued:
            b.node("metrics_queues", "KEDA", "queue depths from " + ", ".join(dict.fromkeys(q.broker for a in queued for q in a.queues)), cls="metrics")
    if scaled:
        with b.cluster("hpa", "Horizontal Pod Autoscaling", "hpa"):
            for w in scaled:
                b.node(part_id("hpa", w.name), *_hpa_lines(topology, w), cls="hpa", group=f"Namespace {w.namespace}", counts="HPA")
    vertical = topology.scaling.vertical
    if vertical:
        with b.cluster("vpa", "Vertical Pod Autoscaling", "vpa"):
            b.node("vpa", "VPA", f"update mode {vertical.capitalize()}", cls="vpa")
        b.link("metrics_server", "vpa")
    ca = topology.scaling.cluster
    if ca is not None:
        with b.cluster("ca", "Cluster Autoscaling", "autoscaler"):
            lines = ["Cluster Autoscaler", f"nodes {value_range(ca.min_nodes, ca.max_nodes)}", "scale up: pending pods"]
            if ca.scale_down_below is not None:
                lines.append(f"scale down: utilisation < {percent(ca.scale_down_below)}")
            b.node("cluster_autoscaler", *lines, cls="autoscaler")
    _rollouts(b, topology)
    for w in scaled:
        b.link("metrics_server", part_id("hpa", w.name))
        if w.autoscale is not None and w.autoscale.metrics and b.has("metrics_custom"):  # w in custom, without comparing workloads
            b.link("metrics_custom", part_id("hpa", w.name), style="dotted")
        if w.autoscale is not None and w.autoscale.queues:
            b.link("metrics_queues", part_id("hpa", w.name), style="dotted")
        if ca is not None:
            b.link(part_id("hpa", w.name), "cluster_autoscaler")
    return b.build()
