"""Applying patches to generated objects: a strategic merge, then RFC 6902 operations, in the order written.

:func:`patched` is the one place patches are applied: each emitting backend passes its built objects
through it before laying them out. The strategy follows Kubernetes' strategic merge patch for what a
patch can write here: a mapping merges field by field, ``null`` removes a field, a list whose schema
names a merge key (containers, env, ports, volumes, volumeMounts ... by ``name`` or ``containerPort``)
merges element by element on that key (a new key is appended), any other list is replaced. The
``$patch`` directive of a mapping or of a keyed list element is ``delete`` (it is removed) or
``replace`` (it is the patch's, not merged); ``$retainKeys`` and the list directives are not supported.
Source: kubernetes/community@5a685b8c contributors/devel/sig-api-machinery/strategic-merge-patch.md.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

from orion_dsl.lowering.plan import ObjectId
from orion_dsl.patches import schema
from orion_dsl.patches.model import DIRECTIVE, Json, Operation, Patch
from orion_dsl.patches.schema import Node


class PatchFailed(Exception):
    """A JSON patch operation that does not apply to the object (a path it does not have, a failed ``test``)."""

    def __init__(self, operation: Operation, reason: str, missing: str | None = None) -> None:
        super().__init__(reason)
        self.operation = operation
        self.reason = reason
        self.missing = missing


class NothingToDelete(Exception):
    """A ``$patch delete`` of a list element the generated object does not have: ``where`` is the element's path,
    ``name`` its merge key's value, ``known`` the values the list has."""

    def __init__(self, where: str, name: Json, known: list[Json]) -> None:
        super().__init__(where)
        self.where = where
        self.name = name
        self.known = known


def merge(target: dict[str, Any], patch: dict[str, Json], node: Node, where: str = "") -> None:
    """Strategic-merge ``patch`` into ``target`` (changed in place), reading list merge keys from ``node``;
    ``where`` is the dotted path of ``target`` (for :class:`NothingToDelete`)."""
    for key, value in patch.items():
        child = node.child(key) or schema.any_node()
        here = f"{where}.{key}" if where else key
        directive = value.get(DIRECTIVE) if isinstance(value, dict) else None
        if value is None or directive == "delete":
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict) and directive != "replace":
            merge(target[key], value, child, here)
        elif isinstance(value, list) and child.is_array and child.merge_key is not None:
            elements = target[key] if isinstance(target.get(key), list) else []
            _merge_list(elements, value, child.item, child.merge_key, here)
            target[key] = elements
        else:
            target[key] = _fresh(value, child)


def _fresh(value: Json, node: Node) -> Json:
    """A value the patch sets whole (a new field, a replaced one): merged into nothing, so its ``null`` fields and
    directives are left out as they would be from a merge."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        merge(out, {k: v for k, v in value.items() if k != DIRECTIVE}, node)
        return out
    if isinstance(value, list):
        return [_fresh(v, node.item if node.is_array else schema.any_node()) for v in value]
    return copy.deepcopy(value)


def _merge_list(target: list[Any], patch: list[Json], item: Node, key: str, where: str) -> None:
    """Merge elements by their merge key: a known key merges into its element (``$patch replace``: is replaced by it,
    ``$patch delete``: is removed), a new one is appended."""
    for element in patch:
        at = next((i for i, t in enumerate(target) if isinstance(t, dict) and t.get(key) == element[key]), None)
        directive = element.get(DIRECTIVE)
        if directive == "delete":
            if at is None:
                raise NothingToDelete(f"{where}[{key}={element[key]}]", element[key], [t.get(key) for t in target if isinstance(t, dict)])
            del target[at]
        elif at is None:
            target.append(_fresh(element, item))
        elif directive == "replace":
            target[at] = _fresh(element, item)
        else:
            merge(target[at], element, item, f"{where}[{key}={element[key]}]")


def _segments(pointer: str) -> list[str]:
    return [schema.unescape(s) for s in pointer[1:].split("/")]


def _parent(document: Any, operation: Operation, pointer: str) -> tuple[Any, str]:
    """The container a pointer's last segment is in, and that segment; PatchFailed when a step is missing."""
    *steps, last = _segments(pointer)
    here = document
    walked = ""
    for step in steps:
        walked += "/" + schema.escape(step)
        here = _step(here, step, operation, walked)
    return here, last


def _step(here: Any, step: str, operation: Operation, walked: str) -> Any:
    if isinstance(here, dict) and step in here:
        return here[step]
    if isinstance(here, list) and step.isdigit() and int(step) < len(here):
        return here[int(step)]
    raise PatchFailed(operation, f"the generated object has no {walked}", walked)


def _get(document: Any, operation: Operation, pointer: str) -> Any:
    container, last = _parent(document, operation, pointer)
    return _step(container, last, operation, pointer)


def _remove(document: Any, operation: Operation, pointer: str) -> Any:
    container, last = _parent(document, operation, pointer)
    _step(container, last, operation, pointer)
    return container.pop(int(last) if isinstance(container, list) else last)


def _add(document: Any, operation: Operation, pointer: str, value: Json) -> None:
    container, last = _parent(document, operation, pointer)
    if isinstance(container, dict):
        container[last] = value
    elif isinstance(container, list) and (last == "-" or (last.isdigit() and int(last) <= len(container))):
        container.insert(len(container) if last == "-" else int(last), value)
    else:
        raise PatchFailed(operation, f"the generated object has no place {pointer}", pointer)


def operate(document: dict[str, Any], operation: Operation) -> None:
    """Apply one RFC 6902 operation to ``document`` in place; PatchFailed when it does not apply."""
    op, path = operation.op, operation.path
    if op == "add":
        _add(document, operation, path, operation.value)
    elif op == "remove":
        _remove(document, operation, path)
    elif op == "replace":
        container, last = _parent(document, operation, path)
        _step(container, last, operation, path)
        container[int(last) if isinstance(container, list) else last] = operation.value
    elif op == "test":
        if _get(document, operation, path) != operation.value:
            raise PatchFailed(operation, f"the test of {path} failed: the generated object has {_get(document, operation, path)!r} there")
    else:
        assert operation.source is not None
        value = _remove(document, operation, operation.source) if op == "move" else copy.deepcopy(_get(document, operation, operation.source))
        _add(document, operation, path, value)


def apply(obj: dict[str, Any], patch: Patch) -> dict[str, Any]:
    """The object with one patch applied (a copy): its merge, then its operations in order."""
    out = copy.deepcopy(obj)
    changes = patch.merge
    if changes is not None:
        merge(out, changes, schema.of_kind(patch.target.api_version, patch.target.kind))
    for operation in patch.operations:
        operate(out, operation)
    return out


def key_of(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    """What identifies a built object as :attr:`ObjectId.key` does: group, kind, namespace and name."""
    meta = obj["metadata"]
    return (obj["apiVersion"].rpartition("/")[0], obj["kind"], meta.get("namespace", ""), meta["name"])


def patched(patches: Iterable[Patch], objects: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The objects with every patch applied to its target, in the order written; the one place patches are applied.

    One object at a time, as they come: a backend can spell each object and let it go before the
    next is built. ``orion check`` applied the same patches to the same objects already (:mod:`.check`),
    so none fails here.
    """
    by_key: dict[tuple[str, str, str, str], list[Patch]] = {}
    for p in patches:
        by_key.setdefault(p.target.key, []).append(p)
    for obj in objects:
        for p in by_key.get(key_of(obj), ()):
            obj = apply(obj, p)
        yield obj


def targets(patches: Iterable[Patch]) -> tuple[ObjectId, ...]:
    """The objects some patch changes, each once, in the order first patched."""
    return tuple(dict.fromkeys(p.target for p in patches))
