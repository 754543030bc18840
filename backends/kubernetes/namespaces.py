"""Namespace, ResourceQuota and LimitRange for each namespace of the topology.

Every namespace enforces the ``restricted`` Pod Security Standard; a meshed namespace also
carries ``istio-injection: enabled``. The quota caps requests and limits alike (the model has
one figure per resource); the LimitRange gives ad-hoc containers (``kubectl run``, debug pods)
modest defaults so the quota never rejects them for lacking resources.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.model import Namespace, Topology

from . import labels as L


def namespace(topology: Topology, ns: Namespace) -> dict[str, Any]:
    """The Namespace object."""
    lab = L.recommended(topology, ns.name, "namespace")
    lab.update(dict(ns.labels))
    lab["pod-security.kubernetes.io/enforce"] = "restricted"
    lab["pod-security.kubernetes.io/audit"] = "restricted"
    lab["pod-security.kubernetes.io/warn"] = "restricted"
    if ns.mesh:
        lab["istio-injection"] = "enabled"
    annotations = {"orion.dev/subnet": ns.subnet} if ns.subnet else None
    if ns.description:
        annotations = {**(annotations or {}), "orion.dev/description": ns.description}
    return L.obj("v1", "Namespace", L.meta(ns.name, None, lab, annotations))


def resource_quota(topology: Topology, ns: Namespace) -> dict[str, Any] | None:
    """The namespace's ResourceQuota, if the model sets one."""
    q = ns.quota
    if q is None:
        return None
    hard: dict[str, str] = {}
    if q.cpu is not None:
        hard["requests.cpu"] = hard["limits.cpu"] = q.cpu.text
    if q.memory is not None:
        hard["requests.memory"] = hard["limits.memory"] = q.memory.text
    if q.pods is not None:
        hard["pods"] = str(q.pods)
    if q.volume_claims is not None:
        hard["persistentvolumeclaims"] = str(q.volume_claims)
    if not hard:
        return None
    return L.obj("v1", "ResourceQuota", L.meta("quota", ns.name, L.recommended(topology, "quota", "namespace")), spec={"hard": hard})


def limit_range(topology: Topology, ns: Namespace) -> dict[str, Any]:
    """Defaults for containers that state no resources."""
    spec = {
        "limits": [
            {
                "type": "Container",
                "default": {"cpu": "500m", "memory": "512Mi"},
                "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
            }
        ]
    }
    return L.obj("v1", "LimitRange", L.meta("defaults", ns.name, L.recommended(topology, "defaults", "namespace")), spec=spec)


def objects(topology: Topology) -> list[dict[str, Any]]:
    """Namespaces, quotas and limit ranges."""
    out: list[dict[str, Any]] = []
    for ns in topology.namespaces:
        out.append(namespace(topology, ns))
        quota = resource_quota(topology, ns)
        if quota is not None:
            out.append(quota)
        out.append(limit_range(topology, ns))
    return out
