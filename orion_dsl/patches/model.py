"""A resolved patch: the object it changes (an identity of the plan) and what it sets, checked against the kind's schema."""

from __future__ import annotations

from typing import Any

import attrs

from orion_dsl.choices import JsonOp
from orion_dsl.lowering.plan import ObjectId
from orion_dsl.source import Span, span_field

#: A JSON value as a patch writes it: a string, number, boolean, null, list or mapping.
Json = Any


@attrs.frozen
class Operation:
    """One RFC 6902 operation: ``path`` (a JSON pointer, as written), its value (add, replace, test) or ``source`` (move, copy)."""

    op: JsonOp
    path: str
    value: Json = None
    source: str | None = None
    span: Span = span_field()


@attrs.frozen(eq=False)
class Patch:
    """A ``patch`` statement, resolved: the target's identity, its strategic merge (None: none) and JSON operations,
    and the field paths it sets (for the architecture document), in the order written."""

    target: ObjectId
    merge: Json
    operations: tuple[Operation, ...]
    paths: tuple[str, ...]
    span: Span

    @property
    def strategy(self) -> str:
        """How the patch is written: ``merge``, ``json`` or both, for readers."""
        return " + ".join(name for name, used in (("strategic merge", self.merge is not None), ("JSON patch", bool(self.operations))) if used)
