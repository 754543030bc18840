"""A resolved patch: the object it changes (an identity of the plan) and what it sets, checked against the kind's schema."""

from __future__ import annotations

import json
from typing import Any

import attrs

from orion_dsl.choices import JsonOp
from orion_dsl.lowering.plan import ObjectId
from orion_dsl.source import Span, span_field

#: A JSON value as a patch writes it: a string, number, boolean, null, list or mapping.
Json = Any

#: The key of a strategic merge directive in a mapping or keyed list element (its values: ``choices.MERGE_DIRECTIVES``).
DIRECTIVE = "$patch"


def frozen_json(value: Json) -> str:
    """A JSON value as text, in the order written: the model is frozen and hashable, and a value is read back with
    :func:`json.loads` where it is applied."""
    return json.dumps(value, separators=(",", ":"))


@attrs.frozen
class Operation:
    """One RFC 6902 operation: ``path`` (a JSON pointer, as written), its value (add, replace, test; as JSON text)
    or ``source`` (move, copy)."""

    op: JsonOp
    path: str
    value_text: str = "null"
    source: str | None = None
    span: Span = span_field()

    @property
    def value(self) -> Json:
        """The operation's value (a new copy each time)."""
        return json.loads(self.value_text)


@attrs.frozen
class Patch:
    """A ``patch`` statement, resolved: the target's identity, its strategic merge (as JSON text; None: none) and JSON
    operations, and the field paths it sets (for the architecture document), in the order written."""

    target: ObjectId
    merge_text: str | None
    operations: tuple[Operation, ...]
    paths: tuple[str, ...]
    span: Span = span_field()

    @property
    def merge(self) -> Json:
        """The strategic merge patch (None: none), a new copy each time."""
        return None if self.merge_text is None else json.loads(self.merge_text)

    @property
    def strategy(self) -> str:
        """How the patch is written: ``merge``, ``json`` or both, for readers."""
        return " + ".join(name for name, used in (("strategic merge", self.merge is not None), ("JSON patch", bool(self.operations))) if used)
