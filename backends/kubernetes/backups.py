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
A ``continuous`` backup (WAL archiving) is not a CronJob; it is reported (I1050).
Backup pods get their own NetworkPolicies: to the workload's port, DNS and HTTPS.
"""

from __future__ import annotations

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


def _family(w: Workload) -> str:
    base = w.container.image.rsplit("/", 1)[-1].split(":", 1)[0]
    for family in ("postgres", "redis", "rabbitmq"):
        if base.startswith(family):
            return family
    return base


def _secret_dir(w: Workload) -> str | None:
    return next((v.mount_path for v in w.volumes if v.kind == "secret"), None)


def _dump(w: Workload, b: Backup) -> tuple[str, int] | None:
    """The shell script of the dump step and the port it connects to, for known (image, kind)."""
    family = _family(w)
    secrets = _secret_dir(w) or "/etc/secrets"
    port = w.container.ports[0].number if w.container.ports else 0
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
        return f"{w.name}-0.{w.name}-headless"
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
                f"S57/S58: cron cannot say `every {b.every.text}` exactly for {w.name}; scheduled as `{schedule}`",
                "use an interval that divides an hour or a day",
            )
        )
    target = next((t for t in (topology.recovery.targets if topology.recovery else ()) if t.name == b.target), None)
    name = job_name(w, b)
    labels = L.recommended(topology, f"{w.name}-backup", "backup", w.version, instance=name)
    scratch: dict[str, Any] = {"name": "backup", "mountPath": OUT}
    tmp: dict[str, Any] = {"name": "tmp", "mountPath": "/tmp"}
    creds: dict[str, Any] = {"name": "credentials", "mountPath": "/var/run/secrets/backup", "readOnly": True}
    volumes: list[dict[str, Any]] = [
        {"name": "backup", "emptyDir": {}},
        {"name": "tmp", "emptyDir": {}},
        {"name": "credentials", "secret": {"secretName": backup_credentials(b.target), "optional": False}},
    ]
    dump = _dump(w, b)
    port = dump[1] if dump else (w.container.ports[0].number if w.container.ports else 0)
    env = _env(topology, w, b, target, port)
    small = _resources(("100m", "500m"), ("128Mi", "512Mi"))
    init: list[dict[str, Any]] = []
    if b.image is not None:
        containers = [_step(w, "backup", b.image, None, env, [scratch, tmp, creds], small)]
    else:
        secret_vol = next((v for v in w.volumes if v.kind == "secret"), None)
        dump_mounts = [scratch, tmp]
        if secret_vol is not None:
            volumes.append({"name": secret_vol.name, "secret": {"secretName": secret_vol.source, "optional": False}})
            dump_mounts.append({"name": secret_vol.name, "mountPath": secret_vol.mount_path, "readOnly": True})
        if dump is None:
            script = f"echo 'orion has no built-in {b.kind} backup for {w.container.image}: set `image` on the backup' >&2; exit 1"
            diags.append(
                info(
                    "I1052",
                    b.span,
                    f"S57/S58: no built-in command backs up `{b.kind}` of {w.container.image}; the CronJob {name} fails until the backup names an `image`",
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
    pod: dict[str, Any] = {
        "serviceAccountName": w.name,
        "automountServiceAccountToken": False,
        "restartPolicy": "OnFailure",
        "securityContext": pod_security(w),
        "containers": containers,
        "volumes": volumes,
    }
    if init:
        pod["initContainers"] = init
    template = {"metadata": {"labels": labels, "annotations": {"sidecar.istio.io/inject": "false"}}, "spec": pod}
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


def backup_policies(topology: Topology, w: Workload) -> list[dict[str, Any]]:
    """Backup pods may reach the workload, DNS and HTTPS; the workload accepts them."""
    jobs = [b for b in w.backups if not b.continuous and b.image is None]
    if not jobs:
        return []
    ports = sorted({(_dump(w, b) or ("", w.container.ports[0].number if w.container.ports else 0))[1] for b in jobs} - {0})
    pods = {L.NAME: f"{w.name}-backup"}
    labels = L.recommended(topology, f"{w.name}-backup", "network-policy")
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


def objects(topology: Topology) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Diagnostic]]:
    """(backup objects, backup NetworkPolicies, diagnostics)."""
    out: list[dict[str, Any]] = []
    pols: list[dict[str, Any]] = []
    diags: list[Diagnostic] = []
    for w in topology.workloads:
        for b in w.backups:
            if b.continuous:
                diags.append(
                    info(
                        "I1050",
                        b.span,
                        f"S57: continuous `{b.kind}` backup of {w.name} to {b.target} is not a CronJob; WAL archiving "
                        "(archive_command, a wal-g/pgBackRest sidecar or an operator) is out of scope of the kubernetes target",
                        "configure archive_command in postgresql.conf or run PostgreSQL under an operator such as CloudNativePG",
                    )
                )
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
                            f"S57: incremental backups of {w.name} use pg_basebackup --incremental, which needs PostgreSQL 17 (image {w.container.image})",
                            "upgrade PostgreSQL, or give the backup an image (e.g. pgBackRest) that does incremental backups",
                        )
                    )
        pols += backup_policies(topology, w)
    sched = velero_schedule(topology)
    if sched is not None:
        out.append(sched)
        cb = topology.recovery.cluster_backup if topology.recovery else None
        assert cb is not None
        diags.append(
            info(
                "I1054",
                None,
                f"S58: the Velero Schedule writes to the BackupStorageLocation `{cb.target}`, which Velero's installation must define",
                "create the BackupStorageLocation (bucket, region, credentials) when installing Velero in namespace velero",
            )
        )
    return out, pols, diags
