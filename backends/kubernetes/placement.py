"""Where pods run: the pod spec's ``nodeSelector``, ``tolerations``, ``affinity`` and
``topologySpreadConstraints`` from a workload's placement, and the same facts in the fields each
operator's resource takes for them.

``spread nodes`` is pod anti-affinity among the workload's own pods on ``kubernetes.io/hostname``
(``spread zones`` on ``topology.kubernetes.io/zone``), preferred with weight 100 unless ``required``;
zones are node affinity on ``topology.kubernetes.io/zone``; ``topology_spread`` is a topology spread
constraint, ``ScheduleAnyway`` unless ``required`` (``DoNotSchedule``). The well-known labels are
Kubernetes' (kubernetes.io/docs/reference/labels-annotations-taints).
"""

from __future__ import annotations

from typing import Any

from orion_dsl.choices import SpreadDomain, TaintEffect
from orion_dsl.model import Placement

HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"
TOPOLOGY_KEYS: dict[SpreadDomain, str] = {"nodes": HOSTNAME, "zones": ZONE}
EFFECTS: dict[TaintEffect, str] = {"no-schedule": "NoSchedule", "prefer-no-schedule": "PreferNoSchedule", "no-execute": "NoExecute"}
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"
_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"


def tolerations(p: Placement) -> list[dict[str, Any]]:
    """The taints the pods tolerate: ``Equal`` to a value, else ``Exists``; of one effect, else of all."""
    out = []
    for t in p.tolerations:
        found: dict[str, Any] = {"key": t.key, "operator": "Equal" if t.value is not None else "Exists"}
        if t.value is not None:
            found["value"] = t.value
        if t.effect is not None:
            found["effect"] = EFFECTS[t.effect]
        out.append(found)
    return out


def node_affinity(p: Placement) -> dict[str, Any] | None:
    """The zones the pods need (``require_zones``) or prefer (``prefer_zones``), as node affinity."""
    if not p.zones:
        return None
    term = {"matchExpressions": [{"key": ZONE, "operator": "In", "values": list(p.zones)}]}
    if p.zones_required:
        return {_REQUIRED: {"nodeSelectorTerms": [term]}}
    return {_PREFERRED: [{"weight": 100, "preference": term}]}


def pod_anti_affinity(p: Placement, pods: dict[str, str]) -> dict[str, Any] | None:
    """The workload's pods keep apart: one per node (or zone), as a preference or a rule."""
    required = [{"labelSelector": {"matchLabels": dict(pods)}, "topologyKey": TOPOLOGY_KEYS[s.across]} for s in p.spread if s.required]
    preferred = [
        {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": dict(pods)}, "topologyKey": TOPOLOGY_KEYS[s.across]}}
        for s in p.spread
        if not s.required
    ]
    found: dict[str, Any] = {}
    if required:
        found[_REQUIRED] = required
    if preferred:
        found[_PREFERRED] = preferred
    return found or None


def affinity(p: Placement, pods: dict[str, str]) -> dict[str, Any]:
    """A pod's ``affinity``: node affinity for zones, pod anti-affinity for spreading (empty: neither)."""
    found: dict[str, Any] = {}
    nodes = node_affinity(p)
    if nodes is not None:
        found["nodeAffinity"] = nodes
    apart = pod_anti_affinity(p, pods)
    if apart is not None:
        found["podAntiAffinity"] = apart
    return found


def topology_spread(p: Placement, pods: dict[str, str]) -> list[dict[str, Any]]:
    """The topology spread constraints of the workload's pods."""
    return [
        {
            "maxSkew": t.max_skew,
            "topologyKey": TOPOLOGY_KEYS[t.across],
            "whenUnsatisfiable": "DoNotSchedule" if t.required else "ScheduleAnyway",
            "labelSelector": {"matchLabels": dict(pods)},
        }
        for t in p.topology_spread
    ]


def pod_fields(p: Placement, pods: dict[str, str]) -> dict[str, Any]:
    """The placement fields of a pod spec (or of an operator resource that takes the pod spec's names:
    the Prometheus Operator's and the redis-operator's), each left out when it says nothing."""
    found: dict[str, Any] = {}
    if p.node_selector:
        found["nodeSelector"] = dict(p.node_selector)
    if p.tolerations:
        found["tolerations"] = tolerations(p)
    pod_affinity = affinity(p, pods)
    if pod_affinity:
        found["affinity"] = pod_affinity
    if p.topology_spread:
        found["topologySpreadConstraints"] = topology_spread(p, pods)
    return found


def cloudnative_pg(p: Placement, pods: dict[str, str]) -> dict[str, Any]:
    """A CloudNativePG Cluster's ``affinity`` (cloudnative-pg.io/documentation/current/scheduling/): the
    operator's own anti-affinity among the instances, on the first ``spread``'s topology key (preferred or
    required), turned off (``enablePodAntiAffinity: false``) by ``spread none``; a second ``spread`` in
    ``additionalPodAntiAffinity``; the node selector, tolerations and zones in its fields of those names."""
    first, *others = p.spread or (None,)
    found: dict[str, Any] = {"enablePodAntiAffinity": first is not None}
    if first is not None:
        found["topologyKey"] = TOPOLOGY_KEYS[first.across]
        found["podAntiAffinityType"] = "required" if first.required else "preferred"
    more = pod_anti_affinity(Placement(spread=tuple(s for s in others if s is not None)), pods)
    if more is not None:
        found["additionalPodAntiAffinity"] = more
    if p.node_selector:
        found["nodeSelector"] = dict(p.node_selector)
    if p.tolerations:
        found["tolerations"] = tolerations(p)
    nodes = node_affinity(p)
    if nodes is not None:
        found["nodeAffinity"] = nodes
    return found
