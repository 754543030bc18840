"""The field tree of every kind ORION emits (``fields.json``, made by tools/patch_schemas.py): what a patch may set.

A :class:`Node` is one field's schema, reduced to what a patch needs: its type, an object's
fields and required fields, a map's values, an array's items and strategic-merge key, a
string's allowed values. :func:`problems` checks a JSON value against a node, so a patched
object is checked as the API server would check its fields' names, types and required fields.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import attrs

#: A field's scalar types, as the schemas spell them.
SCALAR_TYPES = ("string", "integer", "number", "boolean")

_A = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false", "object": "a { ... } block",
      "map": "a { key value } block", "array": "a list", "any": "any value"}  # fmt: skip


@functools.cache
def _tree() -> dict[str, Any]:
    """The vendored field tree, read once."""
    loaded: dict[str, Any] = json.loads(resources.files(__package__).joinpath("fields.json").read_text(encoding="utf-8"))
    return loaded


@attrs.frozen
class Node:
    """One field's schema in the tree (by index)."""

    index: int

    @property
    def _raw(self) -> dict[str, Any]:
        raw: dict[str, Any] = _tree()["nodes"][self.index]
        return raw

    @property
    def types(self) -> tuple[str, ...]:
        """The types a value may have: one of object, map, array, any, or one or more scalar types."""
        t = self._raw["t"]
        return tuple(t) if isinstance(t, list) else (t,)

    @property
    def is_object(self) -> bool:
        """Whether the field holds named fields (an object or a map)."""
        return self.types[0] in ("object", "map", "any")

    @property
    def is_array(self) -> bool:
        """Whether the field is a list."""
        return self.types == ("array",)

    @property
    def fields(self) -> dict[str, Node]:
        """An object's fields by name (empty for anything else)."""
        return {name: Node(i) for name, i in self._raw.get("f", {}).items()}

    @property
    def required(self) -> tuple[str, ...]:
        """The fields an object must have."""
        return tuple(self._raw.get("r", ()))

    @property
    def open(self) -> bool:
        """Whether the field takes any key: a map, an untyped value, or an object keeping unknown fields."""
        return self.types[0] in ("map", "any") or bool(self._raw.get("open"))

    @property
    def item(self) -> Node:
        """An array's items."""
        return Node(self._raw["i"])

    @property
    def merge_key(self) -> str | None:
        """The field a strategic merge matches an array's elements by (``name`` for containers), if any."""
        key: str | None = self._raw.get("k")
        return key

    @property
    def allowed(self) -> tuple[str, ...]:
        """A string's allowed values (empty: any string)."""
        return tuple(self._raw.get("e", ()))

    def child(self, key: str) -> Node | None:
        """The node of a field or map value; None for a field the object does not have."""
        if self.types[0] == "map":
            return Node(self._raw["v"])
        found = self._raw.get("f", {}).get(key)
        if found is not None:
            return Node(found)
        return any_node() if self.open else None

    @property
    def description(self) -> str:
        """What a value of this field is, in words (``a whole number or a string``)."""
        return " or ".join(_A[t] for t in self.types)


def any_node() -> Node:
    """The node of a value of any type (an open object's unknown fields)."""
    return Node(_tree()["any"])


def kinds() -> tuple[tuple[str, str], ...]:
    """Every (apiVersion, kind) the tree describes."""
    return tuple((k.split(" ")[0], k.split(" ")[1]) for k in _tree()["kinds"])


def of_kind(api_version: str, kind: str) -> Node:
    """The root node of a kind ORION emits."""
    return Node(_tree()["kinds"][f"{api_version} {kind}"])


def scalar_fits(value: object, node: Node) -> bool:
    """Whether a scalar (string, number, boolean) is of one of the field's types."""
    types = node.types
    if "any" in types:
        return True
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return "integer" in types or "number" in types
    if isinstance(value, float):
        return "number" in types
    return isinstance(value, str) and "string" in types


def problems(value: object, node: Node, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (JSON pointer, problem) of a value against a field: unknown fields, wrong types, missing required fields,
    strings outside their allowed values. ``null`` is accepted anywhere (the API server reads it as unset)."""
    types = node.types
    if value is None or "any" in types:
        return
    if isinstance(value, dict):
        if types[0] not in ("object", "map"):
            yield path or "/", f"is {node.description}, not a block"
            return
        for key, inner in value.items():
            child = node.child(key)
            where = f"{path}/{escape(key)}"
            if child is None:
                yield where, "is not a field of this object"
            else:
                yield from problems(inner, child, where)
        for key in node.required:
            if key not in value:
                yield f"{path}/{escape(key)}", "is required"
        return
    if isinstance(value, list):
        if not node.is_array:
            yield path or "/", f"is {node.description}, not a list"
            return
        for i, inner in enumerate(value):
            yield from problems(inner, node.item, f"{path}/{i}")
        return
    if not scalar_fits(value, node):
        yield path, f"is {node.description}, not {_what(value)}"
    elif isinstance(value, str) and node.allowed and value not in node.allowed:
        yield path, f'takes one of {", ".join(node.allowed)}, not "{value}"'


def _what(value: object) -> str:
    """A JSON value's kind, in words."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    return "a string"


def escape(key: str) -> str:
    """A key as a JSON pointer segment (RFC 6901: ``~`` is ``~0``, ``/`` is ``~1``)."""
    return key.replace("~", "~0").replace("/", "~1")


def unescape(segment: str) -> str:
    """A JSON pointer segment as a key."""
    return segment.replace("~1", "/").replace("~0", "~")
