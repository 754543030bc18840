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

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import Budget, Metric, Topology, Workload

from . import labels as L
from .workloads import deployment_names, scale_target


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
                    f"the VPA of {w.name} only recommends (updateMode Off): its HPA already scales on CPU and memory",
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


def _lowest(w: Workload) -> int:
    """The fewest replicas the workload runs: the HPA minimum, else ``replicas``."""
    return w.autoscale.min if w.autoscale is not None else w.replicas


def pdbs(topology: Topology, w: Workload) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """The workload's PodDisruptionBudgets (one per blue-green colour), if it may run more than one replica."""
    if w.max_replicas <= 1:
        return [], []
    budget = w.budget or Budget(max_unavailable=1, min_available=None)
    if budget.min_available is not None:
        limit = {"minAvailable": budget.min_available}
    else:
        limit = {"maxUnavailable": budget.max_unavailable if budget.max_unavailable is not None else 1}
    out = []
    for name, version, colour in deployment_names(w):
        spec = {"selector": {"matchLabels": L.selector(w, colour)}, **limit}
        out.append(L.obj("policy/v1", "PodDisruptionBudget", L.meta(name, w.namespace, L.workload_labels(topology, w, version, colour)), spec=spec))
    blocked = limit.get("maxUnavailable") == 0 or limit.get("minAvailable", 0) >= _lowest(w)
    if not blocked:
        return out, []
    return out, [
        info(
            "I1022",
            w.span,
            f"the disruption budget of {w.name} ({', '.join(f'{k} {v}' for k, v in limit.items())}) allows no eviction at {_lowest(w)} replicas",
            "node drains and cluster autoscaler scale-down wait forever: keep min_available below the lowest replica count, or max_unavailable at 1 or more",
        )
    ]


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
        p, d = pdbs(topology, w)
        out += p
        diags += d
    return out, diags
