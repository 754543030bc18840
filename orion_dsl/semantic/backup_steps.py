"""A scheduled backup must have something that can run it (W0325, W0326, E0239).

ORION's built-in steps back up what it knows of three images (``orion_dsl.lowering.families``):
PostgreSQL's base backups, Redis's RDB snapshot, RabbitMQ's definitions. A backup of another kind or
image, with no ``image`` of its own, gets a CronJob whose step can only fail, every night, while the
recovery objectives still count it; so ``check`` warns, and ``--strict`` refuses it. RabbitMQ's step
runs rabbitmqadmin 2 in the broker's own image, which its 4.x ``-management`` images ship; a 3.x image
(the Python rabbitmqadmin 1, other commands) or one without the management plugin has none.

A CloudNativePG database's base backups go through the Barman Cloud plugin into its target's ObjectStore,
which ORION writes beside the WAL archive to that target (the Cluster's ``plugins`` entry names it): a
``backup full`` to a target without ``backup wal continuous`` to it would have neither, so every
ScheduledBackup would fail; and a base backup without its WAL cannot be restored consistently
(cloudnative-pg.io/docs, "Backup": WAL archiving is required for base backups).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orion_dsl.diagnostics import Diagnostic, error, warning
from orion_dsl.lowering.families import BUILT_IN_BACKUPS, RABBITMQADMIN_2_SINCE, built_in_backup, family, major

if TYPE_CHECKING:
    from orion_dsl.model import Workload
    from orion_dsl.semantic.checks import Context


def scheduled_backups_have_a_step(ctx: Context) -> list[Diagnostic]:
    """W0325 for a scheduled backup with neither a built-in step nor an ``image``; W0326 for RabbitMQ's definitions
    backup of an image that has no rabbitmqadmin 2."""
    out = []
    for w in ctx.topology.workloads:
        if w.engine == "cloudnative-pg":  # the operator backs it up
            continue
        for b in w.backups:
            if b.every is None or b.image is not None:
                continue
            image = w.container.image
            if not built_in_backup(w, b.kind):
                found = family(w)
                known = f"; ORION backs up {', '.join(f'`{k}`' for k in BUILT_IN_BACKUPS[found])} of {found} itself" if found else ""
                out.append(
                    warning(
                        "W0325",
                        b.span,
                        f"no built-in command backs up `{b.kind}` of {image}: the backup's CronJob would fail every run",
                        f"give the backup an `image` that reads the BACKUP_* variables{known}",
                    )
                )
            elif family(w) == "rabbitmq" and not w.version.startswith("sha256:") and not _has_rabbitmqadmin_2(w):  # a digest tells nothing
                out.append(
                    warning(
                        "W0326",
                        b.span,
                        f"the definitions backup runs rabbitmqadmin 2 in {image}, which does not ship it: only RabbitMQ "
                        f"{RABBITMQADMIN_2_SINCE}.x `-management` images do",
                        f'run a {RABBITMQADMIN_2_SINCE}.x management image (`image "rabbitmq:4.2-management"`), or give the backup an `image` of its own',
                    )
                )
    return out


def _has_rabbitmqadmin_2(w: Workload) -> bool:
    """Whether a rabbitmq image is a management image of 4.x or later (``4.2-management``; ``management`` is the newest)."""
    return "management" in w.version and major(w) >= RABBITMQADMIN_2_SINCE


def base_backups_have_their_wal(ctx: Context) -> list[Diagnostic]:
    """E0239 for a CloudNativePG ``backup full`` to a target that no ``backup wal continuous`` of the database archives to."""
    out = []
    for w in ctx.topology.workloads:
        if w.engine != "cloudnative-pg":
            continue
        archived = {b.target for b in w.backups if b.kind == "wal"}
        for b in w.backups:
            if b.kind == "full" and b.target not in archived:
                out.append(
                    error(
                        "E0239",
                        b.span,
                        f"the base backup of {w.name} goes to {b.target}, where no WAL of it is archived: CloudNativePG writes "
                        "the target's ObjectStore for the WAL archive, so every ScheduledBackup would fail",
                        f"add `backup wal continuous to {b.target}` to {w.name}",
                    )
                )
    return out
