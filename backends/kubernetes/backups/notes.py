"""What the backup objects cannot do, or do in a way worth knowing (I1050–I1056)."""

from __future__ import annotations

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.engines import is_volume_snapshot, through_barman_plugin
from orion_dsl.lowering import Plan, Role, names
from orion_dsl.model import Backup, Topology, Workload

from ..units import cron
from .archivers import WAL_UPLOAD_SECONDS
from .steps import archived, builtin_port


def continuous(plan: Plan, w: Workload, b: Backup) -> list[Diagnostic]:
    """I1050 when ORION runs nothing for a continuous backup; I1055 for its own WAL archiver."""
    if not archived(w, b):
        return [
            info(
                "I1050",
                b.span,
                f"ORION has no built-in continuous `{b.kind}` backup for {w.container.image}; nothing is generated for it",
                "give the backup an image that streams the data and reads the BACKUP_* variables",
            )
        ]
    if b.image is not None:
        return []
    return [
        info(
            "I1055",
            b.span,
            f"{plan.get(Role.ARCHIVER, w, b).name} streams {w.name}'s WAL through the replication slot {names.replication_slot(w)}, "
            f"uploading finished segments to {b.target} every {WAL_UPLOAD_SECONDS} s; while it is down the primary keeps the WAL it has not received",
            "set max_slot_wal_keep_size in postgresql.conf so a stopped archiver cannot fill the primary's disk",
        )
    ]


def scheduled(plan: Plan, w: Workload, b: Backup) -> list[Diagnostic]:
    """I1051 (cron cannot say the interval); a backup without a built-in step is `check`'s W0325, an incremental
    backup on PostgreSQL before 17 its W0316."""
    assert b.every is not None
    out = []
    schedule, exact = cron(b.every, b.at)
    if not exact:
        out.append(
            info(
                "I1051",
                b.span,
                f"cron cannot say `every {b.every.text}` exactly for {w.name}; scheduled as `{schedule}`",
                "use an interval that divides an hour or a day",
            )
        )
    return out


def meshed_target(topology: Topology, w: Workload) -> list[Diagnostic]:
    """I1056: backup pods run without a sidecar (a Job's sidecar would never exit), so a meshed
    workload's AuthorizationPolicy and mTLS refuse them."""
    if not w.meshed or topology.mesh is None or not any(builtin_port(w, b) for b in w.backups):
        return []
    return [
        info(
            "I1056",
            w.span,
            f"the backup pods of {w.name} run without an Istio sidecar and {w.name} is in the mesh, "
            "so its AuthorizationPolicy (and mTLS) will refuse them",
            f"keep {w.name} in a namespace with `mesh off`, as databases usually are, or give its backups an image that joins the mesh",
        )
    ]


def storage_location(plan: Plan) -> list[Diagnostic]:
    """I1054: the Velero Schedule's BackupStorageLocation is Velero's installation's to define."""
    return [
        info(
            "I1054",
            None,
            f"the Velero Schedule writes to the BackupStorageLocation `{e.name}`, which Velero's installation must define",
            f"create the BackupStorageLocation (bucket, region, credentials) when installing Velero in namespace {e.namespace}",
        )
        for e in plan.of_role(Role.PROVIDED_STORAGE_LOCATION)
    ]


def operated(w: Workload) -> list[Diagnostic]:
    """I1057: CloudNativePG's object-store backups are always full, so an incremental one is a volume snapshot."""
    data = w.storage[0].storage_class if w.storage else None
    return [
        info(
            "I1057",
            b.span,
            f"the incremental backup of {w.name} is a CSI volume snapshot (incremental where the storage driver makes it so), "
            f"kept by the storage provider, not in {b.target}: CloudNativePG's object-store backups are always full",
            f"install a VolumeSnapshotClass named {data!r} for the snapshots" if data else "give the data storage a `class` whose driver takes snapshots",
        )
        for b in w.backups
        if is_volume_snapshot(w, b)
    ]


def unenforced_retention(w: Workload) -> list[Diagnostic]:
    """I1082: a backup's ``retention`` that nothing in the output enforces. Only the Barman Cloud
    plugin deletes old backups (a CloudNativePG base backup or WAL, the ObjectStore's
    ``retentionPolicy``); ORION's own jobs upload and never delete, and CloudNativePG keeps every
    volume snapshot."""
    return [
        info(
            "I1082",
            b.span,
            f"the {b.kind} backups of {w.name} are kept until someone deletes them: nothing in the output enforces `retention {b.retention.text}`",
            f"add a lifecycle rule expiring {w.namespace}/{w.name}/{b.kind}/ in {b.target}'s bucket after {b.retention.text}"
            if b.kind != "incremental"
            else "prune the volume snapshots with the storage provider's snapshot policy",
        )
        for b in w.backups
        if b.retention is not None and not through_barman_plugin(w, b)
    ]


def open_stores(topology: Topology) -> list[Diagnostic]:
    """I1090: a recovery target without ``addresses`` that ORION's backup pods or CloudNativePG's pods (the Barman
    Cloud plugin) upload to: NetworkPolicy cannot match the store's name, so their 443 is open to every public address."""
    uploaders: dict[str, list[str]] = {}
    for w in topology.workloads:
        for b in w.backups:
            if builtin_port(w, b) or (w.engine == "cloudnative-pg" and (b.continuous or b.every is not None)):
                uploaders.setdefault(b.target, [])
                if w.name not in uploaders[b.target]:
                    uploaders[b.target].append(w.name)
    targets = topology.recovery.targets if topology.recovery is not None else ()
    return [
        info(
            "I1090",
            None,
            f"the backups of {', '.join(uploaders[t.name])} reach {t.name} at any public address on 443: NetworkPolicy cannot match its endpoint's name",
            f"state the ranges {t.name}'s endpoint lies in (`addresses CIDR, ...` in `target {t.name}`): the backup pods' egress then goes there only",
        )
        for t in targets
        if t.name in uploaders and not t.addresses
    ]


def diagnostics(plan: Plan) -> list[Diagnostic]:
    """Every backup note, workload by workload, then the cluster backup's."""
    out: list[Diagnostic] = []
    for w in plan.topology.workloads:
        out += unenforced_retention(w)
        if w.engine == "cloudnative-pg":
            out += operated(w)
            continue
        for b in w.backups:
            if b.continuous:
                out += continuous(plan, w, b)
            elif b.every is not None:
                out += scheduled(plan, w, b)
        out += meshed_target(plan.topology, w)
    return out + storage_location(plan) + open_stores(plan.topology)
