"""The backup pods' NetworkPolicies: they may reach the workload's port, DNS and HTTPS (the object
store: its recovery target's ``addresses``, else every public address); the workload accepts them. None when ORION runs no backup step of its own."""

from __future__ import annotations

from typing import Any

from orion_dsl.lowering import Plan, Planned, Role
from orion_dsl.model import Workload

from .. import meta
from ..meta import Obj
from ..policies import in_namespace, object_store
from .steps import builtin_port


def _ports(w: Workload) -> list[dict[str, Any]]:
    used = {builtin_port(w, b) for b in w.backups} - {0}
    return [{"port": p, "protocol": "TCP"} for p in sorted(used)]


def _backup_pods(plan: Plan, w: Workload) -> dict[str, str]:
    return plan.get(Role.BACKUP_EGRESS_POLICY, w).selector


def backup_egress(entry: Planned, plan: Plan) -> Obj | None:
    """Backup pods may reach the workload on the ports their steps use, DNS and HTTPS."""
    w = entry.of(Workload)
    ports = _ports(w)
    if not ports:
        return None
    egress = [
        {"to": [in_namespace(w.namespace, plan.get(Role.FROM_BACKUP_POLICY, w).selector)], "ports": ports},
        {"to": [in_namespace(meta.KUBE_DNS_NAMESPACE, meta.KUBE_DNS)], "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
        {"to": list(object_store(plan.topology, (b.target for b in w.backups if builtin_port(w, b)))), "ports": [{"port": 443, "protocol": "TCP"}]},
    ]
    spec = {"podSelector": {"matchLabels": entry.selector}, "policyTypes": ["Egress"], "egress": egress}
    return meta.build(entry, _labels(plan, w), spec=spec)


def from_backup(entry: Planned, plan: Plan) -> Obj | None:
    """The workload accepts its backup pods on those ports."""
    w = entry.of(Workload)
    ports = _ports(w)
    if not ports:
        return None
    spec = {
        "podSelector": {"matchLabels": entry.selector},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [in_namespace(w.namespace, _backup_pods(plan, w))], "ports": ports}],
    }
    return meta.build(entry, _labels(plan, w), spec=spec)


def _labels(plan: Plan, w: Workload) -> dict[str, str]:
    return meta.recommended(plan.topology, _backup_pods(plan, w)[meta.NAME], "network-policy")
