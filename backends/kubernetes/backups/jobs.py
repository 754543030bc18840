"""A scheduled backup as a CronJob (UTC, no overlapping runs).

Without an ``image`` on the backup, its pod has two steps sharing an ``emptyDir``: *dump* (init
container, the workload's own image, so the client tools match the server; see :mod:`.steps`)
and *upload* (``amazon/aws-cli``), which copies the dump to ``s3://<bucket>/<namespace>/<workload>/
<kind>/<timestamp>/`` and ``.../latest/``, server-side encrypted when the target is ``encrypted``.
An incremental backup first fetches the last manifest. With an ``image``, that image runs alone
and reads the ``BACKUP_*`` variables.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.lowering import Plan, Planned, names
from orion_dsl.model import Backup, Workload

from .. import meta
from ..meta import Obj
from ..units import cron
from . import pods
from .steps import OUT, dump, main_port


def no_builtin_step(w: Workload, b: Backup) -> str:
    """The dump script of a backup ORION has no command for: it fails, saying what to set."""
    return f"echo 'orion has no built-in {b.kind} backup for {w.container.image}: set `image` on the backup' >&2; exit 1"


def cron_job(entry: Planned, plan: Plan) -> Obj:
    """The CronJob of one scheduled backup."""
    w = entry.of(Workload)
    b = entry.part_of(Backup)
    assert b.every is not None
    schedule, _ = cron(b.every, b.at)
    target = pods.target(plan.topology, b)
    labels = meta.recommended(plan.topology, names.backup_pods(w), "backup", w.version, instance=entry.name)
    volumes, (scratch, tmp, creds) = pods.volumes(b, {"emptyDir": {}})
    found = dump(w, b)
    port = found[1] if found else main_port(w)
    env = pods.env(plan, w, b, port)
    store = [*env, *pods.store_env(plan, b)]  # for the steps that mount the target's credentials
    init: list[dict[str, Any]] = []
    if b.image is not None:
        containers = [pods.step(w, "backup", b.image, None, store, [scratch, tmp, creds], pods.SMALL)]
    else:
        dump_mounts = [scratch, tmp, *pods.workload_secret(w, volumes)]
        script = found[0] if found else no_builtin_step(w, b)
        if b.kind == "incremental":
            fetch = f'mkdir -p {OUT}/previous && aws s3 cp "s3://$BACKUP_BUCKET/{w.namespace}/{w.name}/latest/backup_manifest" {OUT}/previous/backup_manifest'
            init.append(pods.step(w, "fetch-manifest", pods.UPLOAD_IMAGE, fetch, store, [scratch, tmp, creds], pods.SMALL))
        init.append(pods.step(w, "dump", w.container.image, script, env, dump_mounts, pods.resources(("250m", "1000m"), ("256Mi", "1Gi"))))
        sse = " --sse AES256" if target and target.encrypted else ""
        upload = (
            'stamp="$(date -u +%Y%m%dT%H%M%SZ)"; '
            f'aws s3 cp --recursive{sse} {OUT}/out "s3://$BACKUP_BUCKET/$BACKUP_PREFIX/$stamp/" && '
            f'aws s3 cp --recursive{sse} {OUT}/out "s3://$BACKUP_BUCKET/{w.namespace}/{w.name}/latest/"'
        )
        containers = [pods.step(w, "upload", pods.UPLOAD_IMAGE, upload, store, [scratch, tmp, creds], pods.SMALL)]
    template = pods.pod_template(plan, w, labels, containers, volumes, restartPolicy="OnFailure", **({"initContainers": init} if init else {}))
    spec = {
        "schedule": schedule,
        "timeZone": "Etc/UTC",
        "concurrencyPolicy": "Forbid",
        "startingDeadlineSeconds": 600,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 3,
        "jobTemplate": {"metadata": {"labels": labels}, "spec": {"backoffLimit": 2, "ttlSecondsAfterFinished": 86400, "template": template}},
    }
    return meta.build(entry, labels, spec=spec)
