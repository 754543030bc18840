"""HorizontalPodAutoscalers, VerticalPodAutoscalers and PodDisruptionBudgets.

**HPA** (autoscaling/v2): CPU and memory as ``Utilization`` of requests; ``pods`` metrics as a
per-pod ``AverageValue``; ``object`` metrics as a ``Value`` of the named workload's Service;
``external`` metrics (queue depth) as an ``AverageValue`` per replica. A blue-green HPA scales
the active colour.

**VPA** (autoscaling.k8s.io/v1, ``updateMode`` from ``scaling.vertical``), one per workload.
So it never fights the HPA, a VPA leaves alone every resource its workload's HPA scales on:
with an HPA on CPU only, the VPA controls memory only; with an HPA on CPU *and* memory the
VPA is recommend-only (``updateMode: "Off"``) and ORION says so (I1021). The Istio sidecar
(``istio-proxy``) is sized by annotations, so the VPA leaves it alone.

**PDB** (policy/v1) for every workload that can run more than one replica, from ``budget``;
it selects both colours of a blue-green pair (the disruption controller adds up both
Deployments' scales).
"""

from __future__ import annotations

from typing import Any

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import Metric, Topology, Workload

from . import labels as L
from .workloads import scale_target


def _metric(m: Metric) -> dict[str, Any]:
    if m.source == "pods":
        return {"type": "Pods", "pods": {"metric": {"name": m.name}, "target": {"type": "AverageValue", "averageValue": str(m.target)}}}
    if m.source == "object":
        return {
            "type": "Object",
            "object": {
                "describedObject": {"apiVersion": "v1", "kind": "Service", "name": m.object or m.name},
                "metric": {"name": m.name},
                "target": {"type": "Value", "value": str(m.target)},
            },
        }
    return {"type": "External", "external": {"metric": {"name": m.name}, "target": {"type": "AverageValue", "averageValue": str(m.target)}}}


def hpa(topology: Topology, w: Workload) -> dict[str, Any] | None:
    """The workload's HPA, if it autoscales."""
    a = w.autoscale
    if a is None:
        return None
    metrics: list[dict[str, Any]] = []
    for resource, value in (("cpu", a.cpu), ("memory", a.memory)):
        if value is not None:
            metrics.append({"type": "Resource", "resource": {"name": resource, "target": {"type": "Utilization", "averageUtilization": value}}})
    metrics += [_metric(m) for m in a.metrics]
    kind, name = scale_target(w)
    spec: dict[str, Any] = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
        "minReplicas": a.min,
        "maxReplicas": a.max,
    }
    if metrics:
        spec["metrics"] = metrics
    return L.obj("autoscaling/v2", "HorizontalPodAutoscaler", L.meta(w.name, w.namespace, L.workload_labels(topology, w)), spec=spec)


_MODES = {"off": "Off", "initial": "Initial", "recreate": "Recreate", "auto": "Auto"}


def vpa(topology: Topology, w: Workload) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """The workload's VPA, if ``scaling.vertical`` is set."""
    mode_name = topology.scaling.vertical
    if mode_name is None:
        return None, []
    mode = _MODES[mode_name]
    controlled = ["cpu", "memory"]
    diags: list[Diagnostic] = []
    if w.autoscale is not None:
        taken = [r for r, v in (("cpu", w.autoscale.cpu), ("memory", w.autoscale.memory)) if v is not None]
        left = [r for r in controlled if r not in taken]
        if left:
            controlled = left
        elif mode != "Off":
            mode = "Off"
            diags.append(
                info(
                    "I1021",
                    w.span,
                    f"S25: the VPA of {w.name} only recommends (updateMode Off): its HPA already scales on CPU and memory",
                    "scale the HPA on custom metrics only to let the VPA size CPU and memory",
                )
            )
    kind, name = scale_target(w)
    policies: list[dict[str, Any]] = [{"containerName": "*", "controlledResources": controlled}]
    if w.meshed:
        policies.insert(0, {"containerName": "istio-proxy", "mode": "Off"})
    spec = {
        "targetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
        "updatePolicy": {"updateMode": mode},
        "resourcePolicy": {"containerPolicies": policies},
    }
    return L.obj("autoscaling.k8s.io/v1", "VerticalPodAutoscaler", L.meta(w.name, w.namespace, L.workload_labels(topology, w)), spec=spec), diags


def pdb(topology: Topology, w: Workload) -> dict[str, Any] | None:
    """The workload's PodDisruptionBudget, if it runs (or may scale to) more than one replica."""
    lowest = max(w.replicas, w.autoscale.min if w.autoscale else 0)
    if w.budget is None or lowest <= 1:
        return None
    spec: dict[str, Any] = {"selector": {"matchLabels": L.selector(w)}}
    if w.budget.min_available is not None:
        spec["minAvailable"] = w.budget.min_available
    else:
        spec["maxUnavailable"] = w.budget.max_unavailable if w.budget.max_unavailable is not None else 1
    return L.obj("policy/v1", "PodDisruptionBudget", L.meta(w.name, w.namespace, L.workload_labels(topology, w)), spec=spec)


def objects(topology: Topology) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """HPAs, VPAs and PDBs."""
    out: list[dict[str, Any]] = []
    diags: list[Diagnostic] = []
    for w in topology.workloads:
        h = hpa(topology, w)
        if h is not None:
            out.append(h)
        v, d = vpa(topology, w)
        diags += d
        if v is not None:
            out.append(v)
        p = pdb(topology, w)
        if p is not None:
            out.append(p)
    return out, diags
