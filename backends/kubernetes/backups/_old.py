"""Backup CronJobs for workload data and a Velero Schedule for the whole cluster.

Each scheduled ``backup`` becomes a CronJob ``<workload>-backup-<kind>`` (UTC, no overlapping
runs). Without an ``image`` on the backup, its pod has two steps sharing an ``emptyDir``:

1. *dump* (init container, the workload's own image, so the client tools match the server):
   ``pg_basebackup`` (full; ``--incremental`` against the last manifest for incremental, which
   needs PostgreSQL 17), ``redis-cli --rdb`` (snapshot) or ``rabbitmqadmin export``
   (definitions, through the management port 15672); the database password is read from the
   workload's secret volume (key ``password``, and ``username`` for RabbitMQ), never put in
   the manifest;
2. *upload* (``amazon/aws-cli``): copies the dump to ``s3://<bucket>/<namespace>/<workload>/
   <kind>/<timestamp>/`` and ``.../latest/``, server-side encrypted when the target is
   ``encrypted``; credentials come from the Secret ``<target>-credentials`` (key
   ``credentials``, an AWS shared credentials file), mounted as a file.

With an ``image`` on the backup, that image runs alone and reads the ``BACKUP_*`` variables.
A ``continuous`` backup is a Deployment ``<workload>-<kind>-archive`` with a claimed spool
(``<workload>-<kind>-archive``, 10Gi): for PostgreSQL WAL, ``pg_receivewal`` streams from the
primary through a replication slot into the spool and an aws-cli container syncs finished
segments to ``s3://<bucket>/<namespace>/<workload>/wal/`` every minute (I1055); with an
``image`` that image runs alone; otherwise nothing is generated (I1050).
Backup pods get their own NetworkPolicies: to the workload's port, DNS and HTTPS. They run
without an Istio sidecar, so backing up a meshed workload is reported (I1056).
"""

from __future__ import annotations

import re
from typing import Any

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import Backup, BackupTarget, Topology, Workload

from . import labels as L
from .config import backup_credentials, primary_service
from .policies import PUBLIC, in_namespace
from .units import cron, go_duration
from .workloads import container_security, pod_security

UPLOAD_IMAGE = "amazon/aws-cli:2.17.0"
RABBITMQ_MANAGEMENT = 15672
OUT = "/backup"
#: The claimed spool a continuous backup keeps between receiving data and uploading it.
WAL_SPOOL_SIZE = "10Gi"
WAL_UPLOAD_SECONDS = 60
#: Uploaded segments kept in the spool (pg_receivewal resumes after the newest one).
WAL_KEPT_SEGMENTS = 8


def _family(w: Workload) -> str:
    base = w.container.image.rsplit("/", 1)[-1].split(":", 1)[0]
    for family in ("postgres", "redis", "rabbitmq"):
        if base.startswith(family):
            return family
    return base


def backup_app(w: Workload) -> str:
    """The ``app.kubernetes.io/name`` of a workload's backup pods, which their NetworkPolicies select."""
    return w.derived_name("backup")


def _main_port(w: Workload) -> int:
    """The workload's first port (0 if it has none): where a backup connects unless its step says otherwise."""
    return w.container.ports[0].number if w.container.ports else 0


def _pod_template(w: Workload, labels: dict[str, str], containers: list[dict[str, Any]], volumes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A backup pod: the workload's service account without its token, restricted security, no sidecar."""
    pod = {
        "serviceAccountName": w.name,
        "automountServiceAccountToken": False,
        **extra,
        "securityContext": pod_security(w),
        "containers": containers,
        "volumes": volumes,
    }
    return {"metadata": {"labels": labels, "annotations": {"sidecar.istio.io/inject": "false"}}, "spec": pod}


def _secret_dir(w: Workload) -> str | None:
    return next((v.mount_path for v in w.volumes if v.kind == "secret"), None)


def _dump(w: Workload, b: Backup) -> tuple[str, int] | None:
    """The shell script of the dump step and the port it connects to, for known (image, kind)."""
    family = _family(w)
    secrets = _secret_dir(w) or "/etc/secrets"
    port = _main_port(w)
    if family == "postgres" and b.kind in ("full", "incremental"):
        inc = f" --incremental={OUT}/previous/backup_manifest" if b.kind == "incremental" else ""
        script = (
            f'export PGPASSWORD="$(cat {secrets}/password)"; pg_basebackup -h "$BACKUP_HOST" -p '
            f'"$BACKUP_PORT" -U "$BACKUP_USER" -D {OUT}/out -Ft -z -Xs --checkpoint=fast{inc}'
        )
        return script, port
    if family == "redis" and b.kind in ("snapshot", "full"):
        return (
            f'export REDISCLI_AUTH="$(cat {secrets}/password)"; mkdir -p {OUT}/out && redis-cli -h "$BACKUP_HOST" -p "$BACKUP_PORT" --rdb {OUT}/out/dump.rdb',
            port,
        )
    if family == "rabbitmq" and b.kind == "definitions":
        return (
            f'mkdir -p {OUT}/out && rabbitmqadmin -H "$BACKUP_HOST" -P "$BACKUP_PORT" -u "$(cat '
            f'{secrets}/username)" -p "$(cat {secrets}/password)" export {OUT}/out/definitions.json',
            RABBITMQ_MANAGEMENT,
        )
    return None


def backup_host(w: Workload, port: int) -> str:
    """The DNS name (relative to ``<namespace>.svc.cluster.local``) the dump step connects to.

    The primary's Service for a database; the workload's Service when it exposes ``port``;
    otherwise (RabbitMQ's management port 15672 is no Service port) pod 0 of a StatefulSet
    through its headless Service, whose pod records need no port.
    """
    if w.database is not None:
        return primary_service(w)
    if w.port(port) is None and w.kind == "statefulset":
        return f"{w.name}-0.{w.derived_name('headless')}"
    return w.name


def job_name(w: Workload, b: Backup) -> str:
    """The CronJob's name."""
    return f"{w.name}-backup-{b.kind}"


def _env(topology: Topology, w: Workload, b: Backup, target: BackupTarget | None, port: int) -> list[dict[str, str]]:
    bucket = target.bucket if target else b.target
    env = {
        "BACKUP_KIND": b.kind,
        "BACKUP_TARGET": b.target,
        "BACKUP_BUCKET": bucket,
        "BACKUP_PREFIX": f"{w.namespace}/{w.name}/{b.kind}",
        "BACKUP_HOST": f"{backup_host(w, port)}.{w.namespace}.svc.cluster.local",
        "BACKUP_PORT": str(port),
        "BACKUP_USER": topology.name,
        "BACKUP_ENCRYPTED": str(bool(target and target.encrypted)).lower(),
        "HOME": "/tmp",
    }
    if target and target.region:
        env["AWS_REGION"] = target.region
    env["AWS_SHARED_CREDENTIALS_FILE"] = "/var/run/secrets/backup/credentials"
    return [{"name": k, "value": v} for k, v in env.items()]


def _resources(cpu: tuple[str, str], memory: tuple[str, str]) -> dict[str, Any]:
    return {"requests": {"cpu": cpu[0], "memory": memory[0]}, "limits": {"cpu": cpu[1], "memory": memory[1]}}


def _step(
    w: Workload, name: str, image: str, script: str | None, env: list[dict[str, str]], mounts: list[dict[str, Any]], res: dict[str, Any]
) -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "image": image, "imagePullPolicy": "Always"}
    if script is not None:
        c["command"] = ["/bin/sh", "-ec", script]
    c.update({"env": env, "resources": res, "securityContext": container_security(w), "volumeMounts": mounts})
    return c


def _volumes(b: Backup, scratch_source: dict[str, Any]) -> tuple[list[dict[str, Any]], tuple[dict[str, Any], ...]]:
    """A backup pod's volumes (the scratch space from ``scratch_source``, /tmp, the target's
    credentials) and their mounts (scratch, tmp, credentials)."""
    volumes = [
        {"name": "backup", **scratch_source},
        {"name": "tmp", "emptyDir": {}},
        {"name": "credentials", "secret": {"secretName": backup_credentials(b.target), "optional": False}},
    ]
    mounts = (
        {"name": "backup", "mountPath": OUT},
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "credentials", "mountPath": "/var/run/secrets/backup", "readOnly": True},
    )
    return volumes, mounts


def _workload_secret(w: Workload, volumes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the workload's secret volume (its database password) to ``volumes``; return its mount."""
    secret = next((v for v in w.volumes if v.kind == "secret"), None)
    if secret is None:
        return []
    volumes.append({"name": secret.name, "secret": {"secretName": secret.source, "optional": False}})
    return [{"name": secret.name, "mountPath": secret.mount_path, "readOnly": True}]


def _target(topology: Topology, b: Backup) -> BackupTarget | None:
    return next((t for t in (topology.recovery.targets if topology.recovery else ()) if t.name == b.target), None)


def cron_job(topology: Topology, w: Workload, b: Backup) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The CronJob of one scheduled backup."""
    assert b.every is not None
    diags: list[Diagnostic] = []
    schedule, exact = cron(b.every, b.at)
    if not exact:
        diags.append(
            info(
                "I1051",
                b.span,
                f"cron cannot say `every {b.every.text}` exactly for {w.name}; scheduled as `{schedule}`",
                "use an interval that divides an hour or a day",
            )
        )
    target = _target(topology, b)
    name = job_name(w, b)
    labels = L.recommended(topology, backup_app(w), "backup", w.version, instance=name)
    volumes, (scratch, tmp, creds) = _volumes(b, {"emptyDir": {}})
    dump = _dump(w, b)
    port = dump[1] if dump else _main_port(w)
    env = _env(topology, w, b, target, port)
    small = _resources(("100m", "500m"), ("128Mi", "512Mi"))
    init: list[dict[str, Any]] = []
    if b.image is not None:
        containers = [_step(w, "backup", b.image, None, env, [scratch, tmp, creds], small)]
    else:
        dump_mounts = [scratch, tmp, *_workload_secret(w, volumes)]
        if dump is None:
            script = f"echo 'orion has no built-in {b.kind} backup for {w.container.image}: set `image` on the backup' >&2; exit 1"
            diags.append(
                info(
                    "I1052",
                    b.span,
                    f"no built-in command backs up `{b.kind}` of {w.container.image}; the CronJob {name} fails until the backup names an `image`",
                    "give the backup an image that reads the BACKUP_* variables",
                )
            )
        else:
            script = dump[0]
        if b.kind == "incremental":
            fetch = f'mkdir -p {OUT}/previous && aws s3 cp "s3://$BACKUP_BUCKET/{w.namespace}/{w.name}/latest/backup_manifest" {OUT}/previous/backup_manifest'
            init.append(_step(w, "fetch-manifest", UPLOAD_IMAGE, fetch, env, [scratch, tmp, creds], small))
        init.append(_step(w, "dump", w.container.image, script, env, dump_mounts, _resources(("250m", "1000m"), ("256Mi", "1Gi"))))
        sse = " --sse AES256" if target and target.encrypted else ""
        upload = (
            'stamp="$(date -u +%Y%m%dT%H%M%SZ)"; '
            f'aws s3 cp --recursive{sse} {OUT}/out "s3://$BACKUP_BUCKET/$BACKUP_PREFIX/$stamp/" && '
            f'aws s3 cp --recursive{sse} {OUT}/out "s3://$BACKUP_BUCKET/{w.namespace}/{w.name}/latest/"'
        )
        containers = [_step(w, "upload", UPLOAD_IMAGE, upload, env, [scratch, tmp, creds], small)]
    template = _pod_template(w, labels, containers, volumes, restartPolicy="OnFailure", **({"initContainers": init} if init else {}))
    spec = {
        "schedule": schedule,
        "timeZone": "Etc/UTC",
        "concurrencyPolicy": "Forbid",
        "startingDeadlineSeconds": 600,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 3,
        "jobTemplate": {"metadata": {"labels": labels}, "spec": {"backoffLimit": 2, "ttlSecondsAfterFinished": 86400, "template": template}},
    }
    return L.obj("batch/v1", "CronJob", L.meta(name, w.namespace, labels), spec=spec), diags


def archiver_name(w: Workload, b: Backup) -> str:
    """The Deployment (and claim) of a continuous backup."""
    return w.derived_name(f"{b.kind}-archive")


def _slot(w: Workload) -> str:
    """The replication slot the WAL archiver holds on the primary (letters, digits and ``_`` only)."""
    return re.sub(r"[^a-z0-9_]", "_", f"{w.name}_wal_archive")


def _receive(w: Workload, b: Backup) -> tuple[str, int] | None:
    """The receiving step of a continuous backup and the port it connects to, for known (image, kind)."""
    if _family(w) != "postgres" or b.kind != "wal":
        return None
    secrets = _secret_dir(w) or "/etc/secrets"
    slot = _slot(w)
    # TCP keepalives: a silently dropped connection is noticed in about a minute and retried.
    conn = "host=$BACKUP_HOST port=$BACKUP_PORT user=$BACKUP_USER keepalives_idle=30 keepalives_interval=10 keepalives_count=3"
    script = (
        f'export PGPASSWORD="$(cat {secrets}/password)"; mkdir -p {OUT}/wal; '
        f'pg_receivewal -d "{conn}" --slot={slot} --create-slot --if-not-exists; '
        f'exec pg_receivewal -d "{conn}" -D {OUT}/wal --slot={slot} --status-interval=10'
    )
    return script, _main_port(w)


def _probe(command: str, *, initial: int, period: int, failures: int) -> dict[str, Any]:
    return {"exec": {"command": ["/bin/sh", "-c", command]}, "initialDelaySeconds": initial, "periodSeconds": period, "failureThreshold": failures}


def archiver(topology: Topology, w: Workload, b: Backup) -> list[dict[str, Any]]:
    """A continuous backup: a Deployment that streams into a claimed spool and uploads it every minute.

    With a built-in receiver (PostgreSQL WAL: ``pg_receivewal`` on a replication slot, so no
    segment is lost while the archiver is down) a second container syncs the finished segments
    to the target; with an ``image`` on the backup, that image runs alone.
    """
    name = archiver_name(w, b)
    labels = L.recommended(topology, backup_app(w), "backup", w.version, instance=name)
    claim_spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": WAL_SPOOL_SIZE}}}
    storage_class = next((s.storage_class for s in w.storage if s.storage_class), None)
    if storage_class:
        claim_spec["storageClassName"] = storage_class
    claim = L.obj("v1", "PersistentVolumeClaim", L.meta(name, w.namespace, labels), spec=claim_spec)
    volumes, (spool, tmp, creds) = _volumes(b, {"persistentVolumeClaim": {"claimName": name}})
    target = _target(topology, b)
    receive = _receive(w, b)
    port = receive[1] if receive else _main_port(w)
    env = _env(topology, w, b, target, port)
    small = _resources(("100m", "500m"), ("128Mi", "512Mi"))
    uploaded = "/tmp/uploaded"
    # Ready once a segment is streaming or an upload succeeded; restarted when that stops for minutes.
    streaming = f"ls {OUT}/wal/*.partial >/dev/null 2>&1"
    recent_upload = f"test -f {uploaded} && test $(( $(date +%s) - $(stat -c %Y {uploaded}) )) -lt 600"
    if b.image is not None:
        containers = [_step(w, "archive", b.image, None, env, [spool, tmp, creds], small)]
    else:
        assert receive is not None, "objects() builds archivers only for an image or a built-in receiver"
        receiver = _step(w, "receive", w.container.image, receive[0], env, [spool, tmp, *_workload_secret(w, volumes)], small)
        receiver["readinessProbe"] = _probe(streaming, initial=10, period=10, failures=3)
        receiver["livenessProbe"] = _probe(streaming, initial=120, period=30, failures=10)
        sse = " --sse AES256" if target and target.encrypted else ""
        upload = (
            "while true; do "
            f'if aws s3 sync{sse} --exclude "*.partial" {OUT}/wal "s3://$BACKUP_BUCKET/$BACKUP_PREFIX/"; then '
            f"touch {uploaded}; n=0; for f in $(ls -1t {OUT}/wal); do case $f in *.partial) ;; "
            f'*) n=$((n + 1)); if [ $n -gt {WAL_KEPT_SEGMENTS} ]; then rm -f "{OUT}/wal/$f"; fi ;; esac; done; fi; '
            f"sleep {WAL_UPLOAD_SECONDS}; done"
        )
        uploader = _step(w, "upload", UPLOAD_IMAGE, upload, env, [spool, tmp, creds], small)
        uploader["readinessProbe"] = _probe(f"test -f {uploaded}", initial=10, period=10, failures=3)
        uploader["livenessProbe"] = _probe(recent_upload, initial=600, period=60, failures=3)
        containers = [receiver, uploader]
    spec = {
        "replicas": 1,
        "strategy": {"type": "Recreate"},  # one writer of the spool and of the slot at a time
        "selector": {"matchLabels": {L.NAME: labels[L.NAME], L.INSTANCE: name}},
        "template": _pod_template(w, labels, containers, volumes),
    }
    return [claim, L.obj("apps/v1", "Deployment", L.meta(name, w.namespace, labels), spec=spec)]


def _builtin_port(w: Workload, b: Backup) -> int:
    """The workload port a backup's built-in step connects to; 0 when ORION runs no step of its own
    (the backup names an image, or it is continuous and ORION has no receiver for it)."""
    if b.image is not None:
        return 0
    step = _receive(w, b) if b.continuous else _dump(w, b)
    if step is None and b.continuous:
        return 0
    return step[1] if step else _main_port(w)


def backup_policies(topology: Topology, w: Workload) -> list[dict[str, Any]]:
    """Backup pods may reach the workload, DNS and HTTPS; the workload accepts them."""
    ports = sorted({p for b in w.backups if (p := _builtin_port(w, b))})
    if not ports:
        return []
    pods = {L.NAME: backup_app(w)}
    labels = L.recommended(topology, backup_app(w), "network-policy")
    port_list = [{"port": p, "protocol": "TCP"} for p in ports]
    egress = [
        {"to": [in_namespace(w.namespace, L.selector(w))], "ports": port_list},
        {"to": [in_namespace(L.KUBE_DNS_NAMESPACE, L.KUBE_DNS)], "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
        {"to": [PUBLIC], "ports": [{"port": 443, "protocol": "TCP"}]},
    ]
    out = [
        L.obj(
            "networking.k8s.io/v1",
            "NetworkPolicy",
            L.meta(f"{w.name}-backup-egress", w.namespace, labels),
            spec={"podSelector": {"matchLabels": pods}, "policyTypes": ["Egress"], "egress": egress},
        ),
        L.obj(
            "networking.k8s.io/v1",
            "NetworkPolicy",
            L.meta(f"{w.name}-from-backup", w.namespace, labels),
            spec={
                "podSelector": {"matchLabels": L.selector(w)},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": [in_namespace(w.namespace, pods)], "ports": port_list}],
            },
        ),
    ]
    return out


def velero_schedule(topology: Topology) -> dict[str, Any] | None:
    """The cluster backup as a Velero Schedule (in Velero's namespace, ``velero``)."""
    rec = topology.recovery
    if rec is None or rec.cluster_backup is None:
        return None
    cb = rec.cluster_backup
    schedule, _ = cron(cb.every, cb.at)
    template: dict[str, Any] = {"includedNamespaces": [ns.name for ns in topology.namespaces], "storageLocation": cb.target, "snapshotVolumes": True}
    if cb.retention is not None:
        template["ttl"] = go_duration(cb.retention)
    name = f"{topology.name}-cluster"
    return L.obj(
        "velero.io/v1",
        "Schedule",
        L.meta(name, "velero", L.recommended(topology, name, "backup")),
        spec={"schedule": schedule, "useOwnerReferencesInBackup": False, "template": template},
    )


def _continuous(topology: Topology, w: Workload, b: Backup) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """The archiver of a continuous backup, or why there is none."""
    if b.image is None and _receive(w, b) is None:
        return [], [
            info(
                "I1050",
                b.span,
                f"ORION has no built-in continuous `{b.kind}` backup for {w.container.image}; nothing is generated for it",
                "give the backup an image that streams the data and reads the BACKUP_* variables",
            )
        ]
    notes = []
    if b.image is None:
        notes.append(
            info(
                "I1055",
                b.span,
                f"{archiver_name(w, b)} streams {w.name}'s WAL through the replication slot {_slot(w)}, "
                f"uploading finished segments to {b.target} every {WAL_UPLOAD_SECONDS} s; while it is down the primary keeps the WAL it has not received",
                "set max_slot_wal_keep_size in postgresql.conf so a stopped archiver cannot fill the primary's disk",
            )
        )
    return archiver(topology, w, b), notes


def _meshed_target(topology: Topology, w: Workload) -> list[Diagnostic]:
    """Backup pods run without a sidecar (a Job's sidecar would never exit), so a meshed
    workload's AuthorizationPolicy and mTLS refuse them: say so."""
    if not w.meshed or topology.mesh is None or not any(_builtin_port(w, b) for b in w.backups):
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


def objects(topology: Topology) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Diagnostic]]:
    """(backup objects, backup NetworkPolicies, diagnostics)."""
    out: list[dict[str, Any]] = []
    pols: list[dict[str, Any]] = []
    diags: list[Diagnostic] = []
    for w in topology.workloads:
        for b in w.backups:
            if b.continuous:
                out_, d = _continuous(topology, w, b)
                out += out_
                diags += d
                continue
            if b.every is None:
                continue
            job, d = cron_job(topology, w, b)
            out.append(job)
            diags += d
            if b.kind == "incremental" and _family(w) == "postgres":
                tag = w.version.split("-", 1)[0].split(".", 1)[0]
                if tag.isdigit() and int(tag) < 17:
                    diags.append(
                        info(
                            "I1053",
                            b.span,
                            f"incremental backups of {w.name} use pg_basebackup --incremental, which needs PostgreSQL 17 (image {w.container.image})",
                            "upgrade PostgreSQL, or give the backup an image (e.g. pgBackRest) that does incremental backups",
                        )
                    )
        pols += backup_policies(topology, w)
        diags += _meshed_target(topology, w)
    sched = velero_schedule(topology)
    if sched is not None:
        out.append(sched)
        cb = topology.recovery.cluster_backup if topology.recovery else None
        assert cb is not None
        diags.append(
            info(
                "I1054",
                None,
                f"the Velero Schedule writes to the BackupStorageLocation `{cb.target}`, which Velero's installation must define",
                "create the BackupStorageLocation (bucket, region, credentials) when installing Velero in namespace velero",
            )
        )
    return out, pols, diags
