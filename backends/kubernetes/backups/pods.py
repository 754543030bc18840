"""What every backup pod shares: the workload's ServiceAccount without its token, restricted
security, no sidecar, the ``BACKUP_*`` environment, a scratch volume, /tmp and the target's credentials.

Credentials come from the Secret the plan names for the backup target (key ``credentials``, an
AWS shared credentials file), mounted as a file.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.lowering import Plan, Role, families, names
from orion_dsl.model import Backup, BackupTarget, Topology, Workload, default_pull_policy

from ..units import PULL_POLICIES
from ..workloads import container_security, pod_security
from .steps import OUT

UPLOAD_IMAGE = "amazon/aws-cli:2.17.0"
CREDENTIALS_DIR = "/var/run/secrets/backup"


def pod_template(
    plan: Plan, w: Workload, labels: dict[str, str], containers: list[dict[str, Any]], volumes: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """A backup pod: the workload's service account without its token, restricted security, no sidecar."""
    pod = {
        "serviceAccountName": plan.get(Role.SERVICE_ACCOUNT, w).name,
        "automountServiceAccountToken": False,
        **extra,
        "securityContext": pod_security(w),
        "containers": containers,
        "volumes": volumes,
    }
    return {"metadata": {"labels": labels, "annotations": {names.INJECT_KEY: "false"}}, "spec": pod}


def backup_host(plan: Plan, w: Workload, port: int) -> str:
    """The DNS name (relative to ``<namespace>.svc.cluster.local``) a backup step connects to.

    The primary's Service for a pooled database; otherwise pod 0 of a StatefulSet through its
    headless Service (whose pod records need no port) for a database (pod 0 is its primary), a
    port that is no Service port (RabbitMQ's management port 15672) or several pods (independent
    servers without an engine, W0318: every step reaches the same one, so a WAL stream finds its slot
    and an incremental its manifest's server); else the workload's Service.
    """
    primary = plan.find(Role.PRIMARY_SERVICE, w)
    if primary is not None:
        return primary.name
    independent = w.engine is None and families.family(w) is not None and w.max_replicas > 1
    if w.kind == "statefulset" and (w.database is not None or w.port(port) is None or independent):
        return names.pod_host(w, 0)
    return names.service(w)


def target(topology: Topology, b: Backup) -> BackupTarget | None:
    """The recovery target a backup writes to, if the spec declares it."""
    return next((t for t in (topology.recovery.targets if topology.recovery else ()) if t.name == b.target), None)


def env(plan: Plan, w: Workload, b: Backup, port: int) -> list[dict[str, Any]]:
    """The ``BACKUP_*`` variables every step of a backup reads; ``BACKUP_USER`` is the database's user
    where ORION's steps log in as one (PostgreSQL's), else the topology's name."""
    found = target(plan.topology, b)
    host = backup_host(plan, w, port)
    addressed = w.port(port)  # through a Service, the Service's port (``port sql 5433 -> 5432``); a pod's own name, the container's
    service_port = addressed.service_port if addressed is not None and host != names.pod_host(w, 0) else port
    values = {
        "BACKUP_KIND": b.kind,
        "BACKUP_TARGET": b.target,
        "BACKUP_BUCKET": found.bucket if found else b.target,
        "BACKUP_PREFIX": f"{w.namespace}/{w.name}/{b.kind}",
        "BACKUP_HOST": names.service_host(host, w.namespace),
        "BACKUP_PORT": str(service_port),
        "BACKUP_USER": plan.topology.name,
        "BACKUP_ENCRYPTED": str(bool(found and found.encrypted)).lower(),
        "HOME": "/tmp",
    }
    user = _user(w) if b.image is None else None
    if b.image is None and families.user_key(w) is not None:
        del values["BACKUP_USER"]  # read from the user's file by the step's login (steps.login)
    return [user if user is not None and k == "BACKUP_USER" else {"name": k, "value": v} for k, v in values.items()]


def _user(w: Workload) -> dict[str, Any] | None:
    """``BACKUP_USER`` of a built-in step that logs in as the database's user: as the workload's own variable gives it (a value or a key)."""
    given = families.store_user(w)
    if given is None or given.name == families.USER_FILE:
        return None
    if given.source_kind is not None:
        ref = "secretKeyRef" if given.source_kind == "secret" else "configMapKeyRef"
        return {"name": "BACKUP_USER", "valueFrom": {ref: {"name": given.source, "key": given.key, "optional": False}}}
    return {"name": "BACKUP_USER", "value": given.value or families.POSTGRES_SUPERUSER}


def store_env(plan: Plan, b: Backup) -> list[dict[str, str]]:
    """The AWS variables of a step that talks to the backup target: its region, and the credentials
    file, which only the steps that mount the target's credentials (at :data:`CREDENTIALS_DIR`) get."""
    found = target(plan.topology, b)
    values = {"AWS_REGION": found.region} if found and found.region else {}
    values["AWS_SHARED_CREDENTIALS_FILE"] = f"{CREDENTIALS_DIR}/{names.BACKUP_CREDENTIALS_KEY}"
    return [{"name": k, "value": v} for k, v in values.items()]


def resources(cpu: tuple[str, str], memory: tuple[str, str]) -> dict[str, Any]:
    """Requests and limits from (request, limit) pairs."""
    return {"requests": {"cpu": cpu[0], "memory": memory[0]}, "limits": {"cpu": cpu[1], "memory": memory[1]}}


SMALL = resources(("100m", "500m"), ("128Mi", "512Mi"))


def step(
    w: Workload, name: str, image: str, script: str | None, env_: list[dict[str, str]], mounts: list[dict[str, Any]], res: dict[str, Any]
) -> dict[str, Any]:
    """One container of a backup pod, with the workload's restricted security context."""
    c: dict[str, Any] = {"name": name, "image": image, "imagePullPolicy": PULL_POLICIES[default_pull_policy(image)]}
    if script is not None:
        c["command"] = ["/bin/sh", "-ec", script]
    c.update({"env": env_, "resources": res, "securityContext": container_security(w), "volumeMounts": mounts})
    return c


def volumes(b: Backup, scratch_source: dict[str, Any]) -> tuple[list[dict[str, Any]], tuple[dict[str, Any], ...]]:
    """A backup pod's volumes (the scratch space from ``scratch_source``, /tmp, the target's
    credentials) and their mounts (scratch, tmp, credentials)."""
    found = [
        {"name": "backup", **scratch_source},
        {"name": "tmp", "emptyDir": {}},
        {"name": "credentials", "secret": {"secretName": names.backup_credentials(b.target), "optional": False}},
    ]
    mounts = (
        {"name": "backup", "mountPath": OUT},
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "credentials", "mountPath": CREDENTIALS_DIR, "readOnly": True},
    )
    return found, mounts


#: The backup pod's name for the volume of the store's own credentials: never the name of the
#: target's ``credentials`` volume (the workload may call its secret volume anything).
STORE_CREDENTIALS = "store-credentials"


def workload_secret(w: Workload, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the workload's secret volume (its database password) to ``found``; return its mount."""
    secret = names.credentials_volume(w)
    if secret is None:
        return []
    found.append({"name": STORE_CREDENTIALS, "secret": {"secretName": secret.source, "optional": False}})
    return [{"name": STORE_CREDENTIALS, "mountPath": secret.mount_path, "readOnly": True}]
