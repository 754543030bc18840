"""Whether each workload's backups meet the recovery point objective that covers it.

The check (an error when not met) and the architecture document's objectives table
both read this, so they cannot disagree.
"""

from __future__ import annotations

import attrs

from orion_dsl.model import Backup, Objective, Topology


@attrs.frozen
class RpoCheck:
    """One covered workload: its most frequent backup (continuous first), and whether it meets the RPO."""

    objective: Objective
    workload: str
    backup: Backup | None

    @property
    def met(self) -> bool:
        """A continuous backup, or one at least as frequent as the recovery point objective."""
        b = self.backup
        if b is None:
            return False
        return b.continuous or (b.every is not None and b.every.millis <= self.objective.rpo.millis)


def _most_frequent(backups: tuple[Backup, ...]) -> Backup | None:
    continuous = next((b for b in backups if b.continuous), None)
    if continuous is not None:
        return continuous
    timed = [b for b in backups if b.every is not None]
    return min(timed, key=lambda b: b.every.millis if b.every else 0, default=None)


def rpo_checks(topology: Topology) -> tuple[RpoCheck, ...]:
    """One check per (objective, covered workload), in spec order."""
    recovery = topology.recovery
    if recovery is None:
        return ()
    checks = []
    for objective in recovery.objectives:
        for name in objective.covers:
            w = topology.workload(name)
            checks.append(RpoCheck(objective, name, _most_frequent(w.backups) if w else None))
    return tuple(checks)
