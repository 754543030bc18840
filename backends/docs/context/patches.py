"""The "Patches" section: every ``patch`` of the spec, so reviewers see what was set beside the language."""

from __future__ import annotations

from orion_dsl.backends.docs.context.text import NONE, Table, table
from orion_dsl.backends.docs.markdown import code, join
from orion_dsl.lowering import Plan
from orion_dsl.patches.graph import graph_fields


def patches(plan: Plan) -> Table:
    """One row per patch, in the order written (and applied): its target and file, how it is written, the paths it sets,
    and what of the allow-graph's it changes (W0313), which the diagrams and the other sections do not show."""
    rows = (
        (str(n), code(str(p.target)), code(p.target.path), p.strategy, join(", ", (code(path) for path in p.paths)), join("; ", graph_fields(p)) or NONE)
        for n, p in enumerate(plan.patches, 1)
    )
    return table(("Order", "Object", "File", "Patch", "Paths", "Changes the allow-graph (not in the diagrams)"), rows)
