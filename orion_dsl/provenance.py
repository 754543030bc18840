"""Which spec lines made a generated object: ``orion explain OBJECT SPEC`` reads it from the plan.

An object is named by its file (``kubernetes/orion-data/service-postgres.yaml``) or by
``Kind/namespace/name`` (``Kind/name`` when cluster-scoped), the kind in any case.
"""

from __future__ import annotations

from orion_dsl.lowering import Plan, Planned
from orion_dsl.lowering.identities import describe
from orion_dsl.patches.model import Patch
from orion_dsl.source import SourceFile


def _names(entry: Planned) -> tuple[str, ...]:
    """Every way a user may name an entry's object (lower-cased)."""
    kind = entry.id.kind.lower()
    where = f"{entry.id.namespace}/" if entry.id.namespace else ""
    return (entry.id.path.lower(), f"{kind}/{where}{entry.name}", f"{kind} {where}{entry.name}")


def find(plan: Plan, subject: str) -> Planned | None:
    """The planned object a user names, if any (written objects first, then those the cluster provides)."""
    wanted = subject.strip().removeprefix("./").lower()
    return next((e for e in sorted(plan.entries, key=lambda e: not e.emitted) if wanted in _names(e)), None)


def known(plan: Plan, subject: str) -> list[str]:
    """Every planned object, named the way ``subject`` names one (its file, or ``kind/namespace/name``, lower-case),
    those in the same folder or of the same kind first, for did-you-mean."""
    wanted = subject.strip().lower()
    if wanted.endswith(".yaml"):
        found = [e.id.path.lower() for e in plan.entries if e.emitted]
    else:
        found = [f"{e.id.kind}/{e.id.namespace}/{e.name}".lower() if e.id.namespace else f"{e.id.kind}/{e.name}".lower() for e in plan.entries]
    for cut in (wanted.rpartition("/")[0], wanted.partition("/")[0]):  # the same folder, else the same kind (or target)
        near = [k for k in found if cut and k.startswith(cut + "/")]
        if near:
            return near
    return found


def explanation(entry: Planned, source: SourceFile, written: bool, patches: tuple[Patch, ...] = ()) -> str:
    """What ``orion explain OBJECT`` prints: the object, why it exists, whether this spec writes it,
    the spec lines that made it, the patches that change it, what it selects and names."""
    lines = [entry.id.path if written else f"{entry.id} (not written by orion)", f"  {entry.id} ({entry.id.api_version})", f"  {describe(entry)}"]
    if not entry.emitted:
        lines.append("  the cluster (or a controller) must provide it: orion only names it")
    elif not written:
        lines.append("  orion keeps this name for it, and writes it when the spec gives it something to say")
    if entry.sources:
        lines += ["", "made by:"]
        for span in entry.sources:
            text = source.text.splitlines()[span.line - 1].strip() if span.file == source.name and span.line <= source.text.count("\n") + 1 else ""
            lines.append(f"  {span}  {text}".rstrip())
    mine = [p for p in patches if p.target == entry.id]
    if mine:
        lines += ["", "patched by (applied last, in this order):"]
        lines += [f"  {p.span}  {p.strategy}: {', '.join(p.paths)}" for p in mine]
    if entry.selects is not None:
        pods = ", ".join(f"{k}={v}" for k, v in entry.selects.labels) or "every pod"
        lines += ["", f"selects: {pods} in {entry.selects.namespace}"]
    if entry.refs:
        lines += ["", "names:", *(f"  {ref}" for ref in entry.refs)]
    return "\n".join(lines) + "\n"
