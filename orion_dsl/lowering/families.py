"""The database images ORION runs built-in backup steps for, and the keys of the credentials Secret
(:func:`.names.credentials_volume`) those steps read: the plan names them, so the prerequisites list
them, and the backend's steps (``backends/kubernetes/backups/steps.py``) read them.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

from orion_dsl.choices import BackupKind
from orion_dsl.lowering import names
from orion_dsl.model import EnvVar, Workload

#: The images ORION has built-in backup commands for.
Family = Literal["postgres", "redis", "rabbitmq"]
FAMILIES: tuple[Family, ...] = ("postgres", "redis", "rabbitmq")

#: The kinds of scheduled backup each family's built-in steps take (``backends/kubernetes/backups/steps.py``):
#: a backup of another kind, or of another image, has a step only when it names an ``image`` (W0325).
BUILT_IN_BACKUPS: dict[Family, tuple[BackupKind, ...]] = {"postgres": ("full", "incremental"), "redis": ("snapshot", "full"), "rabbitmq": ("definitions",)}

#: The first RabbitMQ release whose ``-management`` images ship rabbitmqadmin 2, which the definitions backup runs
#: (docker-library/rabbitmq@9193c1de 4.*/ubuntu/management/Dockerfile; 3.x images ship the Python rabbitmqadmin 1,
#: whose commands differ: W0326).
RABBITMQADMIN_2_SINCE = 4


def built_in_backup(w: Workload, kind: BackupKind) -> bool:
    """Whether ORION has a built-in step for a scheduled backup of this kind of this workload's image."""
    found = family(w)
    return found is not None and kind in BUILT_IN_BACKUPS[found]


#: The credential files each family's steps read (key -> the client's variable it is exported to):
#: the password (libpq's PGPASSWORD, redis-cli's REDISCLI_AUTH), and RabbitMQ's management API also
#: takes the user's name (rabbitmq/rabbitmqadmin-ng@6f67c49d src/cli/mod.rs, RABBITMQADMIN_*).
CREDENTIALS: dict[Family, dict[str, str]] = {
    "postgres": {"password": "PGPASSWORD"},
    "redis": {"password": "REDISCLI_AUTH"},
    "rabbitmq": {"username": "RABBITMQADMIN_USERNAME", "password": "RABBITMQADMIN_PASSWORD"},
}


def family(w: Workload) -> Family | None:
    """Which known database image the workload runs, if any (by the image's base name)."""
    base = w.container.image.rsplit("/", 1)[-1].split(":", 1)[0]
    return next((f for f in FAMILIES if base.startswith(f)), None)


def credential_keys(w: Workload) -> tuple[str, ...]:
    """The keys of the workload's credentials Secret its built-in backup steps read (none for an image ORION has no steps for):
    its family's, and the user's file (:func:`user_key`)."""
    found = family(w)
    user = user_key(w)
    return tuple(dict.fromkeys((*CREDENTIALS[found], *((user,) if user is not None else ())))) if found is not None else ()


#: The superuser the PostgreSQL image makes (with REPLICATION, which pg_basebackup and pg_receivewal
#: need) unless POSTGRES_USER names another: docker-library/postgres@042d8d043fed77e0e09b6fcda0991bca9e8664e3
#: 16/alpine3.20/docker-entrypoint.sh (docker_setup_env: file_env 'POSTGRES_USER' 'postgres').
POSTGRES_SUPERUSER = "postgres"


#: The variable naming a file the PostgreSQL image reads its superuser's name from (same entrypoint:
#: ``file_env 'POSTGRES_USER' 'postgres'`` reads ``$POSTGRES_USER_FILE`` when it is set).
USER_FILE = "POSTGRES_USER_FILE"


def store_user(w: Workload) -> EnvVar | None:
    """The user a PostgreSQL workload's built-in backup steps connect as: its POSTGRES_USER (a value or
    the key it is read from), else its POSTGRES_USER_FILE (the variable itself: the steps read the file,
    :func:`user_file`), else the image's superuser; None for the other images (RabbitMQ's steps read the
    user from the credentials volume, Redis's authenticate with the password alone)."""
    if family(w) != "postgres":
        return None
    given = next((e for e in w.env if e.name == "POSTGRES_USER" and e.address is None), None)
    if given is None and user_file(w) is not None:
        return next(e for e in w.env if e.name == USER_FILE)
    return given if given is not None else EnvVar("POSTGRES_USER", POSTGRES_SUPERUSER)


def user_file(w: Workload) -> str | None:
    """The file a PostgreSQL workload's POSTGRES_USER_FILE names (a literal path), which its entrypoint reads the user from."""
    found = next((e.value for e in w.env if e.name == USER_FILE and e.source_kind is None and e.address is None), None)
    return found if family(w) == "postgres" and found else None


def user_key(w: Workload) -> str | None:
    """The key of the credentials Secret (:func:`.names.credentials_volume`) the user file is, if it lies in that volume
    (the backup pods mount it where the workload does); None without a user file or when it lies elsewhere (E0221)."""
    path, volume = user_file(w), names.credentials_volume(w)
    if path is None or volume is None:
        return None
    rest = PurePosixPath(path).relative_to(volume.mount_path).parts if PurePosixPath(path).is_relative_to(volume.mount_path) else ()
    return rest[0] if len(rest) == 1 else None


#: ORION's backup steps of PostgreSQL that connect with the replication protocol (pg_basebackup, pg_receivewal).
REPLICATING_KINDS = frozenset({"full", "incremental", "wal"})
#: Where ORION mounts the pg_hba.conf it writes, and its file: the server reads it through ``-c hba_file``.
HBA_DIR = "/etc/postgresql/hba"
HBA_FILE = "pg_hba.conf"


def writes_hba(w: Workload) -> bool:
    """Whether ORION gives a PostgreSQL workload it runs itself (no engine) a pg_hba.conf of its own: when
    built-in backup steps connect to it with the replication protocol, which the image's pg_hba.conf admits
    from loopback only (its entrypoint appends ``host all all all``, and ``all`` never matches a physical
    replication connection: postgresql.org/docs/16/auth-pg-hba-conf.html). Not when the workload runs a
    command of its own or names its own ``hba_file``: then the server's configuration is the spec's."""
    container = w.container
    own = bool(container.command) or any("hba_file" in a for a in container.args)
    return w.engine is None and family(w) == "postgres" and not own and any(b.image is None and b.kind in REPLICATING_KINDS for b in w.backups)


#: The first PostgreSQL with incremental base backups (``pg_basebackup --incremental``).
INCREMENTAL_SINCE = 17


def major(w: Workload) -> int:
    """The major version of the image's tag (PostgreSQL's ``16-alpine`` -> 16, RabbitMQ's ``4.2-management`` -> 4); a tag
    that names none (``latest``, ``management``) counts as the newest."""
    tag = w.version.split("-", 1)[0].split(".", 1)[0]
    return int(tag) if tag.isdigit() else 10**6
