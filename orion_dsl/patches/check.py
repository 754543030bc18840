"""Checking patches against the objects they change, at ``orion check`` time: each target is built as its backend builds
it, the patches are applied in order, and the patched object must still be valid for its kind's schema.

Only patched objects are built (one per target), so the check costs nothing for a spec without patches.
Errors: E0233, at the operation that does not apply (a path the generated object does not have, a failed
``test``), at a ``$patch`` directive on a field or list element the object does not have (kubectl would ignore
it), or at the patch that leaves the object invalid (a required field removed, a list element that lacks a
required field).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from orion_dsl.diagnostics import Diagnostic, did_you_mean, error
from orion_dsl.lowering.plan import Plan, Planned
from orion_dsl.patches import schema
from orion_dsl.patches.apply import NothingThere, PatchFailed, apply
from orion_dsl.patches.model import Patch

#: Builds the object of one plan entry, as its backend does (None: the entry has nothing to say).
Build = Callable[[Planned, Plan], dict[str, Any] | None]


def check_patches(patches: Iterable[Patch], plan: Plan, build: Build) -> list[Diagnostic]:
    """What goes wrong applying the patches to the objects ``build(entry, plan)`` makes (a backend's builder)."""
    diags: list[Diagnostic] = []
    entries = {e.id: e for e in plan.entries}
    by_target: dict[object, list[Patch]] = {}
    for p in patches:
        by_target.setdefault(p.target, []).append(p)
    for target, mine in by_target.items():
        entry = entries[mine[0].target]
        obj = build(entry, plan)
        if obj is None:
            for p in mine:
                diags.append(error("E0233", p.span, f"ORION writes nothing for {target} in this spec, so there is nothing to patch", "remove the patch"))
            continue
        root = schema.of_kind(entry.id.api_version, entry.id.kind)
        before = set(schema.problems(obj, root))
        for p in mine:
            try:
                after = apply(obj, p)
            except NothingThere as missing:
                diags.append(error("E0233", p.span, f"the generated {target} has no {missing.where} to {missing.directive}", _nothing_help(missing)))
                continue
            except PatchFailed as failed:
                op = failed.operation
                parent = op.path.rsplit("/", 1)[0]
                help = (
                    f'add the parent first (`add "{parent}" {{ }}`), or write a merge, which makes what is missing'
                    if op.op in ("add", "move", "copy") and failed.missing is not None and not (op.source or "").startswith(failed.missing)
                    else "write a path the generated object has (`orion compile -o -` shows it), or use add"
                )
                summary = failed.reason if failed.missing is None else f"{failed.reason}: cannot {op.op} {op.path}"
                diags.append(error("E0233", op.span, summary, help))
                continue
            new = sorted(set(schema.problems(after, root)) - before)
            if new:
                where, what = new[0]
                diags.append(
                    error("E0233", p.span, f"the patched {target} is not valid for its schema: {where} {what}", "set the field the schema needs, or patch less")
                )
                continue
            obj = after
    return diags


def _nothing_help(missing: NothingThere) -> str:
    """What to write instead of a directive on what the generated object lacks (kubectl would do nothing with it)."""
    if missing.known:
        return did_you_mean(str(missing.name), [str(k) for k in missing.known]) or "the generated object has none: remove the element's block"
    if missing.directive == "replace":
        return 'kubectl would set nothing there: write the block without `"$patch" replace`, which sets it'
    return "the generated object has none: remove the block"
