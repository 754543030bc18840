"""View ``disaster-recovery``: backup sources -> schedules -> destinations, replication, objectives.

Sources are the workloads with backups, the cluster (when a cluster backup is set) and
the configuration repository; each backup job shows its schedule; destinations show
their region; RTO/RPO objectives point (dotted) at the sources they cover.
"""

from __future__ import annotations

from orion_dsl.engines import is_volume_snapshot
from orion_dsl.model import Recovery, Topology
from orion_dsl.views.common import backup_schedule, kind_name, objective_text, part_id, schedule_text
from orion_dsl.views.graph import Builder, Graph
from orion_dsl.views.grouping import DETAIL_LIMIT

#: The node of the volume snapshots some backups are (kept by the storage provider, not in a target).
SNAPSHOTS = part_id("target", "volume-snapshots")


def _snapshots(topology: Topology) -> bool:
    return any(is_volume_snapshot(w, bk) for w in topology.workloads for bk in w.backups)


def _targets(b: Builder, topology: Topology, recovery: Recovery) -> None:
    with b.cluster("targets", "Storage locations", "target"):
        if _snapshots(topology):
            b.node(SNAPSHOTS, "CSI volume snapshots", "kept by the storage provider", cls="target", shape="cylinder")
        for t in recovery.targets:
            region = f"{t.kind} {t.region}" if t.region else t.kind
            lines = [t.name, region, f"bucket {t.bucket}"] + (["encrypted"] if t.encrypted else [])
            b.node(part_id("target", t.name), *lines, cls="target", shape="cylinder")
        if recovery.archive is not None:
            name, after = recovery.archive
            b.node(part_id("archive", name), f"{name} archive", f"after {after.text}", cls="target", shape="cylinder")
        if recovery.config_in_git:
            b.node("git_repo", "Git repository", recovery.config_in_git, cls="target", shape="cylinder")


def _sources(b: Builder, topology: Topology, recovery: Recovery) -> None:
    with b.cluster("sources", "Backup sources", "source"):
        many = sum(bool(w.backups) for w in topology.workloads) > DETAIL_LIMIT
        for w in topology.workloads:
            if w.backups:
                group = f"Namespace {w.namespace}" if many else ""
                b.node(part_id("src", w.name), w.name, kind_name(topology, w), cls="source", group=group, counts="workload")
        if recovery.cluster_backup is not None:
            b.node("src_cluster", "Cluster state", "objects and persistent volumes", cls="source")
        if recovery.config_in_git:
            b.node("src_config", "Configuration", "ConfigMaps, manifests, spec", cls="source")
    with b.cluster("methods", "Backup schedules", "backup"):
        for w in topology.workloads:
            if not w.backups:
                continue
            with b.cluster(part_id("jobs", w.name), f"{w.name} backups", "backup"):
                for i, bk in enumerate(w.backups, 1):
                    group = f"{bk.kind} backups ({backup_schedule(bk)})" if many else ""
                    b.node(part_id("job", f"{w.name}-{i}"), f"{bk.kind} backup", backup_schedule(bk), cls="backup", group=group, counts="backup")
        cb = recovery.cluster_backup
        if cb is not None:
            lines = [f"{cb.tool} cluster backup", schedule_text(cb.every, cb.at)]
            if cb.retention is not None:
                lines.append(f"kept {cb.retention.text}")
            b.node("job_cluster", *lines, cls="backup")
        if recovery.config_in_git:
            b.node("job_git", "config in git", "on every change", cls="backup")


def build(topology: Topology) -> Graph:
    """The backup and disaster recovery view."""
    b = Builder("disaster-recovery", f"{topology.name}: backup and disaster recovery", "LR")
    recovery = topology.recovery
    if recovery is None:
        b.node("norecovery", "No recovery section in this topology", cls="note", shape="note")
        return b.build()
    _sources(b, topology, recovery)
    _targets(b, topology, recovery)
    if recovery.objectives:
        with b.cluster("objectives", "Recovery objectives", "objective"):
            for o in recovery.objectives:
                b.node(part_id("objective", o.name), f"{o.name}", f"RTO {objective_text(o.rto)}", f"RPO {objective_text(o.rpo)}", cls="objective")
    targets = {t.name for t in recovery.targets}
    for w in topology.workloads:
        for i, bk in enumerate(w.backups, 1):
            job = part_id("job", f"{w.name}-{i}")
            b.link(part_id("src", w.name), job)
            if is_volume_snapshot(w, bk):
                b.link(job, SNAPSHOTS)
            elif bk.target in targets:
                b.link(job, part_id("target", bk.target))
    cb = recovery.cluster_backup
    if cb is not None:
        b.link("src_cluster", "job_cluster")
        if cb.target in targets:
            b.link("job_cluster", part_id("target", cb.target))
    if recovery.config_in_git:
        b.link("src_config", "job_git")
        b.link("job_git", "git_repo")
    for src, dst in recovery.replications:
        if src in targets and dst in targets:
            b.link(part_id("target", src), part_id("target", dst), "replicate")
    if recovery.archive is not None and recovery.targets:
        b.link(part_id("target", recovery.targets[0].name), part_id("archive", recovery.archive[0]), f"archive after {recovery.archive[1].text}")
    for o in recovery.objectives:
        for name in o.covers:
            if b.has(part_id("src", name)):
                b.link(part_id("objective", o.name), part_id("src", name), "covers", style="dotted", annotates=True)
    return b.build()
