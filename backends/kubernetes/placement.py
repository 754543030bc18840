"""Where pods run: the pod spec's ``nodeSelector``, ``tolerations``, ``affinity`` and
``topologySpreadConstraints`` from a workload's placement, and the same facts in the fields each
operator's resource takes for them.

``spread nodes`` is pod anti-affinity among the workload's own pods on ``kubernetes.io/hostname``
(``spread zones`` on ``topology.kubernetes.io/zone``), preferred with weight 100 unless ``required``;
zones are node affinity on ``topology.kubernetes.io/zone``; ``topology_spread`` is a topology spread
constraint, ``ScheduleAnyway`` unless ``required`` (``DoNotSchedule``). ``near`` and ``apart`` are pod
affinity and anti-affinity to another workload's pods (its selector labels, and its namespace when it is
not the pod's own: a term without ``namespaces`` looks in the pod's namespace). The well-known labels are
Kubernetes' (kubernetes.io/docs/reference/labels-annotations-taints); the term's fields are core/v1
PodAffinityTerm's (kubernetes/api core/v1 types.go).
"""

from __future__ import annotations

from typing import Any

from orion_dsl.choices import SpreadDomain, TaintEffect
from orion_dsl.lowering import names
from orion_dsl.model import Placement, Topology, WorkloadAffinity

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


#: A pod (anti-)affinity term and whether it is a rule (else a preference of weight 100).
_Term = tuple[dict[str, Any], bool]


def _rules_and_preferences(terms: list[_Term]) -> dict[str, Any] | None:
    """``podAffinity`` / ``podAntiAffinity``: the required terms, then the preferred ones with weight 100."""
    found: dict[str, Any] = {}
    required = [term for term, rule in terms if rule]
    preferred = [{"weight": 100, "podAffinityTerm": term} for term, rule in terms if not rule]
    if required:
        found[_REQUIRED] = required
    if preferred:
        found[_PREFERRED] = preferred
    return found or None


def _own_terms(p: Placement, pods: dict[str, str]) -> list[_Term]:
    return [({"labelSelector": {"matchLabels": dict(pods)}, "topologyKey": TOPOLOGY_KEYS[s.across]}, s.required) for s in p.spread]


def _workload_terms(found: tuple[WorkloadAffinity, ...], topology: Topology, namespace: str) -> list[_Term]:
    terms = []
    for a in found:
        other = topology.workload(a.workload)
        assert other is not None  # the resolver keeps only workloads it found
        term: dict[str, Any] = {"labelSelector": {"matchLabels": names.pod_selector(other)}, "topologyKey": TOPOLOGY_KEYS[a.across]}
        if a.namespace != namespace:
            term["namespaces"] = [a.namespace]
        terms.append((term, a.required))
    return terms


def affinity(p: Placement, pods: dict[str, str], topology: Topology, namespace: str) -> dict[str, Any]:
    """A pod's ``affinity``: node affinity for zones, pod affinity for ``near``, pod anti-affinity for spreading
    and ``apart`` (empty: none of them)."""
    found: dict[str, Any] = {}
    nodes = node_affinity(p)
    if nodes is not None:
        found["nodeAffinity"] = nodes
    near = _rules_and_preferences(_workload_terms(p.near, topology, namespace))
    if near is not None:
        found["podAffinity"] = near
    apart = _rules_and_preferences(_own_terms(p, pods) + _workload_terms(p.apart, topology, namespace))
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


def pod_fields(p: Placement, pods: dict[str, str], topology: Topology, namespace: str) -> dict[str, Any]:
    """The placement fields of a pod spec in ``namespace`` (or of an operator resource that takes the pod spec's
    names: the Prometheus Operator's and the redis-operator's), each left out when it says nothing."""
    found: dict[str, Any] = {}
    if p.node_selector:
        found["nodeSelector"] = dict(p.node_selector)
    if p.tolerations:
        found["tolerations"] = tolerations(p)
    pod_affinity = affinity(p, pods, topology, namespace)
    if pod_affinity:
        found["affinity"] = pod_affinity
    if p.topology_spread:
        found["topologySpreadConstraints"] = topology_spread(p, pods)
    return found


def cloudnative_pg(p: Placement, pods: dict[str, str], topology: Topology, namespace: str) -> dict[str, Any]:
    """A CloudNativePG Cluster's ``affinity`` (cloudnative-pg.io/documentation/current/scheduling/): the
    operator's own anti-affinity among the instances, on the first ``spread``'s topology key (preferred or
    required), turned off (``enablePodAntiAffinity: false``) by ``spread none``; a second ``spread`` and the
    ``apart`` workloads in ``additionalPodAntiAffinity``, the ``near`` ones in ``additionalPodAffinity``; the node
    selector, tolerations and zones in its fields of those names."""
    first, *others = p.spread or (None,)
    found: dict[str, Any] = {"enablePodAntiAffinity": first is not None}
    if first is not None:
        found["topologyKey"] = TOPOLOGY_KEYS[first.across]
        found["podAntiAffinityType"] = "required" if first.required else "preferred"
    near = _rules_and_preferences(_workload_terms(p.near, topology, namespace))
    if near is not None:
        found["additionalPodAffinity"] = near
    more = _rules_and_preferences(_own_terms(Placement(spread=tuple(s for s in others if s is not None)), pods) + _workload_terms(p.apart, topology, namespace))
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
