"""Defaults: a declaration written once, overridden field by field where a workload says more."""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

from orion_dsl.decode import specs

D = TypeVar("D")


def _name(item: Any) -> Any:
    named = getattr(item, "name", None)
    return named.value if named is not None else None


def _none(block: Any) -> bool:
    """Whether a block is written ``KEYWORD none`` (``probes none``, ``resources none``)."""
    return getattr(block, "none", None) is not None


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
    for name, spec in specs(type(over)):
        mine, theirs = getattr(over, name), getattr(base, name)
        if spec.role == "child" and not spec.many and mine is not None and (_none(mine) or _none(theirs)):
            changes[name] = mine  # `probes none` replaces the defaults' block, and a written block the defaults' `none`
        elif spec.role == "child" and not spec.many:
            changes[name] = merge(theirs, mine)
        elif spec.role == "child" and spec.many and mine and _name(mine[0]) is not None:
            names = {_name(m) for m in mine}
            changes[name] = tuple(mine) + tuple(t for t in theirs if _name(t) not in names)
        elif spec.role == "mapping":  # key "value" pairs merge by key, the overriding pairs first
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
