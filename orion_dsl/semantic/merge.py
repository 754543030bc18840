"""Defaults: a declaration written once, overridden field by field where a workload says more."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

import attrs

from orion_dsl.decode import FieldSpec, specs

D = TypeVar("D")


def _name(item: Any) -> Any:
    named = getattr(item, "name", None)
    return named.value if named is not None else None


def _none(block: Any) -> bool:
    """Whether a block is written ``KEYWORD none`` (``probes none``, ``resources none``)."""
    return getattr(block, "none", None) is not None


#: How :func:`merge` treats a field: a block (merged), named entries (merged by name), key "value" pairs (by key), or a value.
How = Literal["block", "named", "pairs", "value"]

_HOW: dict[type, tuple[tuple[str, How], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, How], ...]:
    """A declaration class's vocabulary fields, each with how :func:`merge` treats it; read once per class."""
    found = _HOW.get(cls)
    if found is None:
        found = _HOW[cls] = tuple((name, _how(spec)) for name, spec in specs(cls))
    return found


def _how(spec: FieldSpec) -> How:
    if spec.role == "child":
        return "named" if spec.many else "block"
    return "pairs" if spec.role == "mapping" else "value"


def merge(base: D | None, over: D | None) -> D | None:
    """``over`` where it says something, else ``base``; nested blocks merge the same way.

    Repeated named entries (ports, volumes, sidecars) and mappings (labels) merge by name or
    key, the overriding entries first; other lists are replaced whole. A block written ``none``
    (``probes none``) is not merged: the more specific block, ``none`` or not, replaces the other.
    """
    if base is None:
        return over
    if over is None:
        return base
    changes: dict[str, Any] = {}
    for name, how in _fields(type(over)):
        mine, theirs = getattr(over, name), getattr(base, name)
        if how == "block":
            if mine is not None and (_none(mine) or _none(theirs)):
                changes[name] = mine  # `probes none` replaces the defaults' block, and a written block the defaults' `none`
            else:
                changes[name] = merge(theirs, mine)
        elif how == "named" and mine and _name(mine[0]) is not None:
            names = {_name(m) for m in mine}
            changes[name] = tuple(mine) + tuple(t for t in theirs if _name(t) not in names)
        elif how == "pairs":  # key "value" pairs merge by key, the overriding pairs first
            keys = {pair.value[0] for pair in mine}
            changes[name] = tuple(mine) + tuple(pair for pair in theirs if pair.value[0] not in keys)
        elif isinstance(mine, tuple):
            changes[name] = mine or theirs
        else:
            changes[name] = theirs if mine is None else mine
    return attrs.evolve(over, **changes)  # type: ignore[misc]


def as_type(cls: type[D], decl: Any) -> D | None:
    """Re-type a declaration as a subclass-compatible one (defaults -> workload) by its shared fields."""
    if decl is None:
        return None
    names = {f.name for f in attrs.fields(cls)}  # type: ignore[arg-type]
    kwargs = {f.name: getattr(decl, f.name) for f in attrs.fields(type(decl)) if f.name in names}
    return cls(**kwargs)
