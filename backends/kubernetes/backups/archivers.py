"""A continuous backup: a Deployment that streams into a claimed spool and uploads it every minute.

With a built-in receiver (PostgreSQL WAL: ``pg_receivewal`` on a replication slot, so no segment
is lost while the archiver is down) a second container syncs the finished segments to
``s3://<bucket>/<namespace>/<workload>/wal/`` and keeps the newest few locally; with an ``image``
on the backup, that image runs alone. Without either, nothing is emitted for the plan's names
(I1050 says so).
"""

from __future__ import annotations

from typing import Any

from orion_dsl.lowering import Plan, Planned, Role, names
from orion_dsl.model import Backup, Workload

from .. import meta
from ..meta import Obj
from . import pods
from .steps import OUT, archived, main_port, receive

#: The claimed spool a continuous backup keeps between receiving data and uploading it.
WAL_SPOOL_SIZE = "10Gi"
WAL_UPLOAD_SECONDS = 60
#: Uploaded segments kept in the spool (pg_receivewal resumes after the newest one).
WAL_KEPT_SEGMENTS = 8
UPLOADED = "/tmp/uploaded"


def _labels(plan: Plan, w: Workload, name: str) -> dict[str, str]:
    return meta.recommended(plan.topology, names.backup_pods(w), "backup", w.version, instance=name)


def spool_claim(entry: Planned, plan: Plan) -> Obj | None:
    """The archiver's spool: ReadWriteOnce, of the workload's storage class."""
    w = entry.of(Workload)
    if not archived(w, entry.part_of(Backup)):
        return None
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": WAL_SPOOL_SIZE}}}
    storage_class = next((s.storage_class for s in w.storage if s.storage_class), None)
    if storage_class:
        spec["storageClassName"] = storage_class
    return meta.build(entry, _labels(plan, w, entry.name), spec=spec)


def _probe(command: str, *, initial: int, period: int, failures: int) -> dict[str, Any]:
    return {"exec": {"command": ["/bin/sh", "-c", command]}, "initialDelaySeconds": initial, "periodSeconds": period, "failureThreshold": failures}


def uploader_script(sse: str) -> str:
    """Sync finished segments (not ``.partial``) every minute; after a good sync keep the newest few."""
    return (
        "while true; do "
        f'if aws s3 sync{sse} --exclude "*.partial" {OUT}/wal "s3://$BACKUP_BUCKET/$BACKUP_PREFIX/"; then '
        f"touch {UPLOADED}; n=0; for f in $(ls -1t {OUT}/wal); do case $f in *.partial) ;; "
        f'*) n=$((n + 1)); if [ $n -gt {WAL_KEPT_SEGMENTS} ]; then rm -f "{OUT}/wal/$f"; fi ;; esac; done; fi; '
        f"sleep {WAL_UPLOAD_SECONDS}; done"
    )


def archiver(entry: Planned, plan: Plan) -> Obj | None:
    """The archiver Deployment (one replica, Recreate: one writer of the spool and the slot at a time)."""
    w = entry.of(Workload)
    b = entry.part_of(Backup)
    if not archived(w, b):
        return None
    labels = _labels(plan, w, entry.name)
    claim = plan.get(Role.ARCHIVER_CLAIM, w, b)
    volumes, (spool, tmp, creds) = pods.volumes(b, {"persistentVolumeClaim": {"claimName": claim.name}})
    target = pods.target(plan.topology, b)
    received = receive(w, b)
    env = pods.env(plan, w, b, received[1] if received else main_port(w))
    store = [*env, *pods.store_env(plan, b)]  # for the steps that mount the target's credentials
    # Ready once a segment is streaming or an upload succeeded; restarted when that stops for minutes.
    streaming = f"ls {OUT}/wal/*.partial >/dev/null 2>&1"
    recent_upload = f"test -f {UPLOADED} && test $(( $(date +%s) - $(stat -c %Y {UPLOADED}) )) -lt 600"
    if b.image is not None:
        containers = [pods.step(w, "archive", b.image, None, store, [spool, tmp, creds], pods.SMALL)]
    else:
        assert received is not None, "archived() holds: an image or a built-in receiver"
        receiver = pods.step(w, "receive", w.container.image, received[0], env, [spool, tmp, *pods.workload_secret(w, volumes)], pods.SMALL)
        receiver["readinessProbe"] = _probe(streaming, initial=10, period=10, failures=3)
        receiver["livenessProbe"] = _probe(streaming, initial=120, period=30, failures=10)
        sse = " --sse AES256" if target and target.encrypted else ""
        uploader = pods.step(w, "upload", pods.UPLOAD_IMAGE, uploader_script(sse), store, [spool, tmp, creds], pods.SMALL)
        uploader["readinessProbe"] = _probe(f"test -f {UPLOADED}", initial=10, period=10, failures=3)
        uploader["livenessProbe"] = _probe(recent_upload, initial=600, period=60, failures=3)
        containers = [receiver, uploader]
    spec = {
        "replicas": 1,
        "strategy": {"type": "Recreate"},
        "selector": {"matchLabels": {meta.NAME: labels[meta.NAME], meta.INSTANCE: entry.name}},
        "template": pods.pod_template(plan, w, labels, containers, volumes),
    }
    return meta.build(entry, labels, spec=spec)
