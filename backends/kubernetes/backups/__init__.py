"""Backups: a CronJob per scheduled backup, an archiver per continuous one, and Velero for the cluster.

* :mod:`.steps` — the built-in commands per database image (dump, receive);
* :mod:`.pods` — what every backup pod shares (service account, ``BACKUP_*`` variables, volumes);
* :mod:`.jobs` — scheduled backups as CronJobs; :mod:`.archivers` — continuous ones as Deployments;
* :mod:`.policies` — the backup pods' NetworkPolicies; :mod:`.velero` — the cluster's Schedule;
* :mod:`.locations` — the Schedule's storage and snapshot locations (an S3 target's);
* :mod:`.notes` — what is worth knowing about them (I1050–I1056).

Names (``<workload>-backup-<kind>``, ``<workload>-<kind>-archive``, ``<workload>-backup-egress``...)
come from the plan. Backup pods run without an Istio sidecar.
"""

from __future__ import annotations

from orion_dsl.lowering import Role

from ..meta import Builder
from . import archivers, jobs, locations, policies, velero
from .notes import diagnostics

__all__ = ["BUILDERS", "diagnostics"]

BUILDERS: dict[Role, Builder] = {
    Role.BACKUP_JOB: jobs.cron_job,
    Role.ARCHIVER_CLAIM: archivers.spool_claim,
    Role.ARCHIVER: archivers.archiver,
    Role.BACKUP_EGRESS_POLICY: policies.backup_egress,
    Role.FROM_BACKUP_POLICY: policies.from_backup,
    Role.BACKUP_STORAGE_LOCATION: locations.storage_location,
    Role.VOLUME_SNAPSHOT_LOCATION: locations.snapshot_location,
    Role.CLUSTER_BACKUP: velero.schedule,
}
