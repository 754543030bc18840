"""The spec as written: every declaration with the workload it belongs to, and every string with its span.

Checks that judge text as the author wrote it (a secret in an ``env`` value, a URL with a
password anywhere) walk the declarations rather than the model, which merges defaults and
drops the places things were written.
"""

from __future__ import annotations

from collections.abc import Iterator

from orion_dsl import declarations as decl
from orion_dsl.decode import Decl, specs
from orion_dsl.source import Span

#: What a declaration in ``defaults`` belongs to: every workload it applies to.
EVERY_WORKLOAD = "{service}"


def declarations(node: Decl, owner: str | None = None) -> Iterator[tuple[Decl, str | None]]:
    """Every declaration under ``node`` (itself included) with the workload it belongs to, depth first.

    The owner is the workload's name, :data:`EVERY_WORKLOAD` inside ``defaults``, else None.
    """
    found: list[tuple[Decl, str | None]] = []
    _collect(node, owner, found)
    return iter(found)


def _collect(node: Decl, owner: str | None, found: list[tuple[Decl, str | None]]) -> None:
    """Append ``node`` and the declarations under it to ``found``, in the order :func:`declarations` gives them.

    One recursive call per declaration, into one list: nested generators passed every declaration up
    through each level above it (18,000 declarations at 1,000 services, 95,000 generator steps).
    """
    if isinstance(node, decl.DefaultsDecl):
        owner = EVERY_WORKLOAD
    elif isinstance(node, decl.WorkloadDecl) and node.name is not None:
        owner = node.name.value
    found.append((node, owner))
    for name in _split(type(node))[0]:
        value = getattr(node, name)
        for child in value if isinstance(value, tuple) else (value,):
            if child is not None:
                _collect(child, owner, found)


_SPLIT: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _split(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A declaration class's fields by attribute name: those that hold declarations (``child``), and the rest; read once per class."""
    found = _SPLIT.get(cls)
    if found is None:
        fields = specs(cls)
        found = _SPLIT[cls] = tuple(n for n, f in fields if f.role == "child"), tuple(n for n, f in fields if f.role != "child")
    return found


def strings(spec: decl.SpecDecl) -> Iterator[tuple[str, Span]]:
    """Every string written in the spec (names, texts, both sides of a label) with where it was written."""
    for found, _ in declarations(spec):
        for name in _split(type(found))[1]:
            value = getattr(found, name)
            for item in value if isinstance(value, tuple) else (value,):
                if item is None:
                    continue
                written = item.value
                if isinstance(written, str):
                    yield written, item.span
                elif isinstance(written, tuple):
                    for text in written:
                        if isinstance(text, str):
                            yield text, item.span
