"""The built-in commands of a backup, per database image: dump (scheduled) and receive (continuous).

ORION knows three images by name: ``postgres`` (``pg_basebackup``, full or incremental against
the last manifest, which needs PostgreSQL 17; ``pg_receivewal`` for continuous WAL), ``redis``
(``redis-cli --rdb``) and ``rabbitmq`` (``rabbitmqadmin definitions export`` of the definitions through the
management port 15672). Passwords are read from the workload's credentials volume, when it has one
(the keys of :data:`orion_dsl.lowering.families.CREDENTIALS`), never put in the manifest.
"""

from __future__ import annotations

from orion_dsl.lowering import names
from orion_dsl.lowering.families import CREDENTIALS, built_in_backup, family, user_key
from orion_dsl.model import Backup, Workload

#: Where a backup pod keeps what it dumps or receives.
OUT = "/backup"
RABBITMQ_MANAGEMENT = 15672

def main_port(w: Workload) -> int:
    """The workload's first port (0 if it has none): where a backup connects unless its step says otherwise."""
    return w.container.ports[0].number if w.container.ports else 0


def secret_dir(w: Workload) -> str | None:
    """Where the workload's backups mount its credentials (its database password)."""
    found = names.credentials_volume(w)
    return found.mount_path if found is not None else None


def login(w: Workload) -> str:
    """The script's ``export`` of its client's credentials, read from the workload's credentials volume;
    nothing without one (a server without a password, such as a bare Redis: a file outside every
    mount would fail the read, and an empty REDISCLI_AUTH fails redis-cli's AUTH)."""
    where, found = secret_dir(w), family(w)
    if where is None or found is None:
        return ""
    exported = {variable: f"{where}/{key}" for key, variable in CREDENTIALS[found].items()}
    user = user_key(w)
    if user is not None:  # POSTGRES_USER_FILE: the user is read from the same file the server's entrypoint reads (pods.env sets none)
        exported["BACKUP_USER"] = f"{where}/{user}"
    return "export " + " ".join(f'{variable}="$(cat {path})"' for variable, path in exported.items()) + "; "


def dump(w: Workload, b: Backup) -> tuple[str, int] | None:
    """The shell script of the dump step and the port it connects to, for known (image, kind)."""
    if not built_in_backup(w, b.kind):
        return None
    found = family(w)
    port = main_port(w)
    if found == "postgres" and b.kind in ("full", "incremental"):
        inc = f" --incremental={OUT}/previous/backup_manifest" if b.kind == "incremental" else ""
        script = f'{login(w)}pg_basebackup -h "$BACKUP_HOST" -p "$BACKUP_PORT" -U "$BACKUP_USER" -D {OUT}/out -Ft -z -Xs --checkpoint=fast{inc}'
        return script, port
    if found == "redis" and b.kind in ("snapshot", "full"):
        return (
            f'{login(w)}mkdir -p {OUT}/out && redis-cli -h "$BACKUP_HOST" -p "$BACKUP_PORT" --rdb {OUT}/out/dump.rdb',
            port,
        )
    if found == "rabbitmq" and b.kind == "definitions":
        # rabbitmqadmin 2 (rabbitmqadmin-ng), which every maintained rabbitmq:*-management image
        # ships (docker-library/rabbitmq@9193c1de 4.*/ubuntu/management/Dockerfile): credentials
        # from its RABBITMQADMIN_* environment, never on the command line
        # (rabbitmq/rabbitmqadmin-ng@6f67c49d src/cli/mod.rs, README "Export Definitions").
        return (
            f'{login(w)}mkdir -p {OUT}/out && rabbitmqadmin -H "$BACKUP_HOST" -P "$BACKUP_PORT" definitions export --file {OUT}/out/definitions.json',
            RABBITMQ_MANAGEMENT,
        )
    return None


def receive(w: Workload, b: Backup) -> tuple[str, int] | None:
    """The receiving step of a continuous backup and the port it connects to, for known (image, kind)."""
    if family(w) != "postgres" or b.kind != "wal":
        return None
    slot = names.replication_slot(w)
    # TCP keepalives: a silently dropped connection is noticed in about a minute and retried.
    conn = "host=$BACKUP_HOST port=$BACKUP_PORT user=$BACKUP_USER keepalives_idle=30 keepalives_interval=10 keepalives_count=3"
    script = (
        f'{login(w)}mkdir -p {OUT}/wal; '
        f'pg_receivewal -d "{conn}" --slot={slot} --create-slot --if-not-exists; '
        f'exec pg_receivewal -d "{conn}" -D {OUT}/wal --slot={slot} --status-interval=10'
    )
    return script, main_port(w)


def builtin_port(w: Workload, b: Backup) -> int:
    """The workload port a backup's built-in step connects to; 0 when ORION runs no step of its own
    (the backup names an image, or it is continuous and ORION has no receiver for it)."""
    if b.image is not None:
        return 0
    step = receive(w, b) if b.continuous else dump(w, b)
    if step is None and b.continuous:
        return 0
    return step[1] if step else main_port(w)


def archived(w: Workload, b: Backup) -> bool:
    """Whether ORION runs a continuous backup: it names an image, or ORION has a receiver for it."""
    return b.image is not None or receive(w, b) is not None
