"""The cluster backup as a Velero Schedule, in Velero's namespace, writing to the storage (and snapshot) locations the plan names."""

from __future__ import annotations

from typing import Any

from orion_dsl.lowering import Plan, Planned
from orion_dsl.model import ClusterBackup

from .. import meta
from ..meta import Obj
from ..units import cron, go_duration


def schedule(entry: Planned, plan: Plan) -> Obj:
    """Every namespace of the topology, volumes snapshotted, kept for the retention."""
    cb = entry.of(ClusterBackup)
    when, _ = cron(cb.every, cb.at)
    location, *snapshots = entry.refs
    template: dict[str, Any] = {"includedNamespaces": [ns.name for ns in plan.topology.namespaces], "storageLocation": location.name, "snapshotVolumes": True}
    if snapshots:
        template["volumeSnapshotLocations"] = [s.name for s in snapshots]
    if cb.retention is not None:
        template["ttl"] = go_duration(cb.retention)
    return meta.build(
        entry,
        meta.recommended(plan.topology, entry.name, "backup"),
        spec={"schedule": when, "useOwnerReferencesInBackup": False, "template": template},
    )
