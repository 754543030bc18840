"""Where the cluster backup writes: a Velero BackupStorageLocation and VolumeSnapshotLocation for an S3 target.

Fields follow the AWS plugin's samples (github.com/vmware-tanzu/velero-plugin-for-aws,
backupstoragelocation.md and volumesnapshotlocation.md) and the vendored CRD schemas
(tests/schemas/crds/velero.io/{backupstoragelocation,volumesnapshotlocation}_v1.json):
``objectStorage.bucket`` and ``provider`` (the AWS plugin's, :data:`orion_dsl.controllers.VELERO_PROVIDER`)
are required; ``config.region`` is the bucket's region (optional, queried from S3 when left out) and the
volumes' region (required for snapshots).
"""

from __future__ import annotations

from typing import Any

from orion_dsl.controllers import VELERO_PROVIDER
from orion_dsl.lowering import Plan, Planned
from orion_dsl.model import BackupTarget

from .. import meta
from ..meta import Obj


def _credential(entry: Planned) -> dict[str, str]:
    """The credentials Secret the plan names for the location (``{name, key}``, in Velero's namespace)."""
    (secret,) = entry.refs
    (key,) = secret.keys  # an AWS shared credentials file, as the backup pods read it (:mod:`.pods`)
    return {"name": secret.name, "key": key}


def _config(target: BackupTarget) -> dict[str, dict[str, str]]:
    """The provider config: the target's region, when the spec gives one."""
    return {"config": {"region": target.region}} if target.region is not None else {}


#: The folder of the bucket Velero owns. The bucket also holds the other backups (``<namespace>/``
#: prefixes), and Velero marks a location whose root holds folders it does not know Unavailable
#: (vmware-tanzu/velero pkg/persistence/object_store.go, ``IsValid``: "Backup store contains invalid
#: top-level directories"), so Velero keeps to a prefix of its own.
VELERO_PREFIX = "velero"


def storage_location(entry: Planned, plan: Plan) -> Obj:
    """The target's bucket (under :data:`VELERO_PREFIX`) as Velero's object store, read with the target's credentials."""
    target = entry.of(BackupTarget)
    store = {"bucket": target.bucket, "prefix": VELERO_PREFIX}
    spec: dict[str, Any] = {"provider": VELERO_PROVIDER, "objectStorage": store, **_config(target), "credential": _credential(entry)}
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "backup"), spec=spec)


def snapshot_location(entry: Planned, plan: Plan) -> Obj:
    """Where the volumes' EBS snapshots are taken: the target's region, with its credentials."""
    target = entry.of(BackupTarget)
    spec: dict[str, Any] = {"provider": VELERO_PROVIDER, **_config(target), "credential": _credential(entry)}
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "backup"), spec=spec)
