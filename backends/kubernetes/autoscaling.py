"""HorizontalPodAutoscalers, VerticalPodAutoscalers and PodDisruptionBudgets.

**HPA** (autoscaling/v2): CPU and memory as ``Utilization`` of requests; ``pods`` metrics as a
per-pod ``AverageValue``; ``object`` metrics as a ``Value`` of the named workload's Service;
``external`` metrics as an ``AverageValue`` per replica (they need an external metrics adapter,
a stated prerequisite). A blue-green HPA scales the active colour.

**KEDA** (keda.sh/v1alpha1) for a workload with ``queue`` depths or Prometheus-scraped ``pods`` metrics: a ScaledObject instead of the
HPA (KEDA makes the HPA, ``keda-hpa-<name>``, and serves its external metrics itself), with
``cpu``/``memory`` triggers (``metricType: Utilization``) and one ``rabbitmq`` trigger per queue
(``protocol: amqp``, ``mode: QueueLength``, ``value`` ready messages per replica), and per broker a
TriggerAuthentication giving the trigger the broker's default user (``username``/``password``).
The host in the trigger names no credentials: the parameters of the TriggerAuthentication
override them (kedacore/keda-docs@0352aa6 content/docs/2.18/scalers/rabbitmq-queue.md).
A workload whose custom metrics are all ``pods`` ones, scraped by the monitoring block's Prometheus,
gets a ScaledObject too, so no custom metrics adapter is needed: one ``prometheus`` trigger per metric
(``serverAddress`` the Prometheus's Service, ``query`` the metric summed over the pods of the
Deployment scaled — a ``*_total`` counter's ``rate`` —, ``threshold`` the per-pod target, ``metricType: AverageValue``: KEDA divides the
sum by the replicas; keda.sh/docs 2.18 scalers/prometheus).

**VPA** (autoscaling.k8s.io/v1), one per workload, its ``updateMode`` and controlled resources
from :func:`orion_dsl.lowering.vertical.vertical` (``scaling.vertical``, except where it would fight
the HPA or evict a StatefulSet's or a single pod; I1021, I1081). The
Istio sidecar (``istio-proxy``) is sized by annotations, so the VPA leaves it alone.

**PDB** (policy/v1) for every workload that can run more than one replica, from ``budget``
(``maxUnavailable: 1`` when the spec states none: S29 asks for disruption safety of every
replicated workload). A blue-green pair gets one PDB per colour (``<name>-blue``,
``<name>-green``): a single PDB over both colours would count the idle colour's pods, so a
``minAvailable`` budget could let every pod of the active colour be evicted at once. A budget
that allows no eviction at the lowest replica count (``minAvailable`` >= replicas, or
``maxUnavailable: 0``) is written as stated but reported (I1022): it blocks node drains.
"""

from __future__ import annotations

from typing import Any

from orion_dsl import engines
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role, names
from orion_dsl.lowering.vertical import EVICTING, MODES, lowest_replicas, never_evicted, vertical
from orion_dsl.model import Budget, Metric, Workload
from orion_dsl.values import Duration, duration_text

from . import grafana, meta
from .meta import Builder, Obj


def _metric(m: Metric) -> dict[str, Any]:
    identifier: dict[str, Any] = {"name": m.name}
    if m.selector:
        identifier["selector"] = {"matchLabels": dict(m.selector)}
    if m.source == "pods":
        return {"type": "Pods", "pods": {"metric": identifier, "target": {"type": "AverageValue", "averageValue": str(m.target)}}}
    if m.source == "object":
        return {
            "type": "Object",
            "object": {
                "describedObject": {"apiVersion": "v1", "kind": "Service", "name": m.object or m.name},
                "metric": identifier,
                "target": {"type": "Value", "value": str(m.target)},
            },
        }
    return {"type": "External", "external": {"metric": identifier, "target": {"type": "AverageValue", "averageValue": str(m.target)}}}


def queue_host(plan: Plan, broker: Workload) -> str:
    """The AMQP address KEDA reads a broker's queues at: the Service the operator makes, on its AMQP
    port (:func:`orion_dsl.engines.amqp_port`), default vhost (the trailing ``/`` the scaler needs
    when the address names no vhost)."""
    port = engines.amqp_port(broker).number
    return f"amqp://{names.service_host(plan.get(Role.SERVICE, broker).name, broker.namespace)}:{port}/"


#: The names of a scaled object's pods after ``<name>-``: a Deployment's ``<template hash>-<suffix>``,
#: a StatefulSet's ordinal.
_POD_SUFFIX = {"Deployment": "[a-z0-9]+-[a-z0-9]+", "StatefulSet": "[0-9]+"}


#: The shortest range a counter's ``rate`` reads: four scrapes at the Prometheus Operator's default 30s
#: interval (``rate`` needs two samples in the range; four ride out a missed scrape).
_RATE_WINDOW = 120_000


def rate_window(interval: Duration | None) -> str:
    """The range of a counter's ``rate``: 2m, or four scrape intervals when the monitoring block scrapes less
    often (a range holding fewer than two samples gives ``rate`` nothing, and KEDA no value).

    >>> rate_window(None), rate_window(Duration(60_000, "1m"))
    ('2m', '4m')
    """
    return duration_text(max(_RATE_WINDOW, 4 * interval.millis if interval is not None else 0))


def pods_query(m: Metric, namespace: str, target: dict[str, str], interval: Duration | None) -> str:
    """The PromQL sum of a ``pods`` metric over the pods of the object scaled (PromQL anchors the regex: no
    other workload's pods match), by the ``namespace`` and ``pod`` labels the Prometheus Operator's
    ServiceMonitors put on every target; KEDA divides it by the replicas (``AverageValue``), as the HPA's
    ``Pods`` metric averaged it. A counter (a name ending in ``_total``, Prometheus's naming convention for
    an accumulating count: prometheus.io/docs/practices/naming) is summed as its per-second ``rate``
    over :func:`rate_window`: its own sum only grows, so it would scale the workload up and never down."""
    pods = f"{target['name']}-{_POD_SUFFIX[target['kind']]}"
    labels = [f'namespace="{namespace}"', f'pod=~"{pods}"', *(f'{k}="{v}"' for k, v in m.selector)]
    series = f"{m.name}{{{','.join(labels)}}}"
    if m.name.endswith("_total"):
        series = f"rate({series}[{rate_window(interval)}])"
    return f"sum({series})"


def scaled_object(entry: Planned, plan: Plan) -> Obj:
    """The workload's KEDA ScaledObject: its CPU and memory targets, its ``pods`` metrics read from
    Prometheus, and its queues."""
    w = entry.of(Workload)
    a = w.autoscale
    assert a is not None
    triggers: list[dict[str, Any]] = [
        {"type": resource, "metricType": "Utilization", "metadata": {"value": str(value)}}
        for resource, value in (("cpu", a.cpu), ("memory", a.memory))
        if value is not None
    ]
    scraper = plan.topology.pods_metrics_scraper(w)
    if scraper is not None:
        address = grafana.prometheus_url(plan, scraper)
        target = _target(entry)
        interval = plan.topology.monitoring.interval if plan.topology.monitoring is not None else None
        for m in a.metrics:
            metadata = {"serverAddress": address, "query": pods_query(m, w.namespace, target, interval), "threshold": str(m.target)}
            triggers.append({"type": "prometheus", "metricType": "AverageValue", "metadata": metadata})
    for q in a.queues:
        broker = plan.topology.workload(q.broker)
        assert broker is not None
        metadata = {"protocol": "amqp", "host": queue_host(plan, broker), "queueName": q.queue, "mode": "QueueLength", "value": str(q.depth)}
        auth = names.queue_authentication(w, q.broker)
        triggers.append({"type": "rabbitmq", "metadata": metadata, "authenticationRef": {"name": auth}})
    spec = {"scaleTargetRef": _target(entry), "minReplicaCount": a.min, "maxReplicaCount": a.max, "triggers": triggers}
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=spec)


def trigger_authentication(entry: Planned, plan: Plan) -> Obj:
    """The broker's default user for the workload's rabbitmq triggers, from the Secret the entry names."""
    w = entry.of(Workload)
    secret = entry.refs[0]
    params = [{"parameter": key, "name": secret.name, "key": key} for key in secret.keys]
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec={"secretTargetRef": params})


def _target(entry: Planned) -> dict[str, str]:
    """The scaleTargetRef/targetRef of an autoscaler: the first object its plan entry names."""
    ref = entry.refs[0]
    return {"apiVersion": "apps/v1", "kind": ref.kind, "name": ref.name}


def hpa(entry: Planned, plan: Plan) -> Obj:
    """The workload's HPA."""
    w = entry.of(Workload)
    a = w.autoscale
    assert a is not None
    metrics: list[dict[str, Any]] = []
    for resource, value in (("cpu", a.cpu), ("memory", a.memory)):
        if value is not None:
            metrics.append({"type": "Resource", "resource": {"name": resource, "target": {"type": "Utilization", "averageUtilization": value}}})
    metrics += [_metric(m) for m in a.metrics]
    spec: dict[str, Any] = {"scaleTargetRef": _target(entry), "minReplicas": a.min, "maxReplicas": a.max}
    if metrics:
        spec["metrics"] = metrics
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=spec)


def vpa(entry: Planned, plan: Plan) -> Obj:
    """The workload's VPA (``scaling.vertical``)."""
    w = entry.of(Workload)
    chosen = vertical(plan.topology, w)
    policies: list[dict[str, Any]] = [{"containerName": "*", "controlledResources": list(chosen.controlled)}]
    if w.meshed:
        policies.insert(0, {"containerName": "istio-proxy", "mode": "Off"})
    spec = {"targetRef": _target(entry), "updatePolicy": {"updateMode": chosen.mode}, "resourcePolicy": {"containerPolicies": policies}}
    return meta.build(entry, meta.workload_labels(plan.topology, w, entry.part), spec=spec)


def _limit(w: Workload) -> dict[str, int]:
    """minAvailable or maxUnavailable from the budget (``maxUnavailable: 1`` when none is stated)."""
    budget = w.budget or Budget(max_unavailable=1, min_available=None)
    if budget.min_available is not None:
        return {"minAvailable": budget.min_available}
    return {"maxUnavailable": budget.max_unavailable if budget.max_unavailable is not None else 1}


def pdb(entry: Planned, plan: Plan) -> Obj:
    """A PodDisruptionBudget of the workload (one per blue-green colour, one per version)."""
    w = entry.of(Workload)
    spec = {"selector": {"matchLabels": entry.selector}, **_limit(w)}
    return meta.build(entry, meta.workload_labels(plan.topology, w, entry.part), spec=spec)


def diagnostics(plan: Plan) -> list[Diagnostic]:
    """I1021 (a VPA that only recommends) and I1022 (a budget that blocks every eviction), per workload."""
    out: list[Diagnostic] = []
    stated = plan.topology.scaling.vertical
    for w in plan.topology.workloads:
        chosen = vertical(plan.topology, w) if stated is not None else None
        why = never_evicted(w)
        if stated is not None and chosen is not None and plan.find(Role.VPA, w) is not None and MODES[stated] in EVICTING and chosen.mode == "Initial" and why:
            out.append(
                info(
                    "I1081",
                    w.span,
                    f"the VPA of {w.name} sizes its pods only when they are created (updateMode Initial): {why}",
                    f"roll {w.name} at a time you choose to apply the VPA's recommendations",
                )
            )
        if stated is not None and stated != "off" and chosen is not None and chosen.mode == "Off":
            out.append(
                info(
                    "I1021",
                    w.span,
                    f"the VPA of {w.name} only recommends (updateMode Off): its HPA already scales on CPU and memory",
                    "scale the HPA on custom metrics only to let the VPA size CPU and memory",
                )
            )
        out += budget_diagnostics(w)
    return out


def budget_diagnostics(w: Workload) -> list[Diagnostic]:
    """I1022: a budget that allows no eviction at the workload's lowest replica count."""
    if w.max_replicas <= 1 or lowest_replicas(w) == 0:  # a consumer scaled to zero has no pod to evict
        return []
    limit = _limit(w)
    if not (limit.get("maxUnavailable") == 0 or limit.get("minAvailable", 0) >= lowest_replicas(w)):
        return []
    return [
        info(
            "I1022",
            w.span,
            f"the disruption budget of {w.name} ({', '.join(f'{k} {v}' for k, v in limit.items())}) allows no eviction at {lowest_replicas(w)} replicas",
            "node drains and cluster autoscaler scale-down wait forever: keep min_available below the lowest replica count, or max_unavailable at 1 or more",
        )
    ]


BUILDERS: dict[Role, Builder] = {
    Role.HPA: hpa,
    Role.QUEUE_SCALER: scaled_object,
    Role.QUEUE_AUTHENTICATION: trigger_authentication,
    Role.VPA: vpa,
    Role.PDB: pdb,
}
