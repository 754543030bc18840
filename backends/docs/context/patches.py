"""The "Patches" section: every ``patch`` of the spec, so reviewers see what was set beside the language."""

from __future__ import annotations

from orion_dsl.backends.docs.context.text import Table, table
from orion_dsl.backends.docs.markdown import code, join
from orion_dsl.lowering import Plan


def patches(plan: Plan) -> Table:
    """One row per patch, in the order written (and applied): its target and file, how it is written, the paths it sets."""
    return table(
        ("Order", "Object", "File", "Patch", "Paths"),
        ((str(n), code(str(p.target)), code(p.target.path), p.strategy, join(", ", (code(path) for path in p.paths))) for n, p in enumerate(plan.patches, 1)),
    )
