"""Applying patches to generated objects: a strategic merge, then RFC 6902 operations, in the order written.

:func:`patched` is the one place patches are applied: each emitting backend passes its built objects
through it before laying them out. The merge does what the API server does with ``kubectl patch --type
strategic`` for what a patch can write here: a mapping merges field by field, ``null`` removes a field, a
list whose schema names a merge key (containers, env, ports, volumes, volumeMounts ... by ``name`` or
``containerPort``) merges element by element on that key, any other list is replaced. Directives: a
mapping's ``$patch: replace`` sets it to the patch's fields, its ``$patch: delete`` empties it (``{}``); a
keyed element's ``$patch: delete`` removes every element with that key; a list element ``{$patch: replace}``
(written ``FIELD { "$patch" replace }``) makes the list the patch's other elements. A merged list is ordered as
upstream orders it: the patch's elements in the patch's order, the others where they were (so an element the
object lacks comes first). Source: kubernetes/apimachinery@eed236ce pkg/util/strategicpatch/patch.go
(mergeMap, handleDirectiveInMergeMap, mergeSliceWithSpecialElements, deleteMatchingEntries, normalizeElementOrder).

Where upstream does nothing, ORION refuses (:class:`NothingThere`, E0233 at ``orion check``): a directive on a
field or element the generated object lacks (upstream ignores a delete, and sets nothing for a replace).
docs/design/patches.md lists every difference from kubectl.
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


class NothingThere(Exception):
    """A ``$patch`` directive naming what the generated object does not have: ``where`` is its path, ``directive``
    the directive; for a list element, ``name`` is its merge key's value and ``known`` the values the list has."""

    def __init__(self, where: str, directive: str, name: Json = None, known: tuple[Json, ...] = ()) -> None:
        super().__init__(where)
        self.where = where
        self.directive = directive
        self.name = name
        self.known = known


def merge(target: dict[str, Any], patch: dict[str, Json], node: Node, where: str = "") -> None:
    """Strategic-merge ``patch`` into ``target`` (changed in place), reading list merge keys from ``node``;
    ``where`` is the dotted path of ``target`` (for :class:`NothingThere`)."""
    for key, value in patch.items():
        child = node.child(key) or schema.any_node()
        here = f"{where}.{key}" if where else key
        directive = value.get(DIRECTIVE) if isinstance(value, dict) else None
        if value is None:
            target.pop(key, None)
        elif directive is not None:
            if not isinstance(target.get(key), dict):
                raise NothingThere(here, directive)
            target[key] = {} if directive == "delete" else _fresh({k: v for k, v in value.items() if k != DIRECTIVE}, child, here)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value, child, here)
        elif isinstance(value, list) and child.is_array and child.merge_key is not None:
            elements = target[key] if isinstance(target.get(key), list) else []
            target[key] = _merge_list(elements, value, child.item, child.merge_key, here)
        else:
            target[key] = _fresh(value, child, here)


def _fresh(value: Json, node: Node, where: str) -> Json:
    """A value the patch sets whole (a new field, a replaced one): merged into nothing, so its ``null`` fields are
    left out as the API server leaves them out, and a directive in it names nothing (:class:`NothingThere`);
    ``where`` is its path."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        merge(out, value, node, where)
        return out
    if isinstance(value, list):
        return [_fresh(v, node.item if node.is_array else schema.any_node(), f"{where}[]") for v in value]
    return copy.deepcopy(value)


def _merge_list(target: list[Any], patch: list[Json], item: Node, key: str, where: str) -> list[Any]:
    """A keyed list merged as upstream's ``mergeSlice`` merges it: first the directives (``delete`` removes every
    element with that key; a ``replace`` element makes the list the patch's other elements), then each element
    merges into the one with its key or is added, and the result is put in upstream's order."""
    known = tuple(t.get(key) for t in target if isinstance(t, dict))
    original = list(target)
    for element in patch:
        if element.get(DIRECTIVE) == "delete":
            if element[key] not in known:
                raise NothingThere(f"{where}[{key}={element[key]}]", "delete", element[key], known)
            original = [t for t in original if not (isinstance(t, dict) and t.get(key) == element[key])]
    plain = [e for e in patch if DIRECTIVE not in e]
    if any(e.get(DIRECTIVE) == "replace" for e in patch):
        return [_fresh(e, item, f"{where}[{key}={e[key]}]") for e in plain]
    merged = list(original)
    for element in plain:
        at = next((i for i, t in enumerate(merged) if isinstance(t, dict) and t.get(key) == element[key]), None)
        if at is None:
            merged.append(_fresh(element, item, f"{where}[{key}={element[key]}]"))
        else:
            merge(merged[at], element, item, f"{where}[{key}={element[key]}]")
    return _in_order(merged, [e[key] for e in plain], [t.get(key) if isinstance(t, dict) else None for t in original], key)


def _in_order(merged: list[Any], patch_order: list[Json], server_order: list[Json], key: str) -> list[Any]:
    """Upstream's ``normalizeElementOrder``: the elements the patch names, in the patch's order, interleaved with the
    others (in the object's order): an other element goes before a named one only if the object had it before."""
    named = sorted((m for m in merged if m.get(key) in patch_order), key=lambda m: patch_order.index(m.get(key)))
    others = [m for m in merged if m.get(key) not in patch_order]
    out: list[Any] = []
    while named or others:
        if others and named and others[0].get(key) in server_order and named[0].get(key) in server_order:
            first = others if server_order.index(others[0].get(key)) < server_order.index(named[0].get(key)) else named
        else:
            first = named or others
        out.append(first.pop(0))
    return out


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
