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
    """Every declaration under ``node`` (itself included) with the workload it belongs to.

    The owner is the workload's name, :data:`EVERY_WORKLOAD` inside ``defaults``, else None.
    """
    if isinstance(node, decl.DefaultsDecl):
        owner = EVERY_WORKLOAD
    elif isinstance(node, decl.WorkloadDecl) and node.name is not None:
        owner = node.name.value
    yield node, owner
    for name, field in specs(type(node)):
        if field.role == "child":
            value = getattr(node, name)
            for child in value if isinstance(value, tuple) else (value,):
                if child is not None:
                    yield from declarations(child, owner)


def strings(spec: decl.SpecDecl) -> Iterator[tuple[str, Span]]:
    """Every string written in the spec (names, texts, both sides of a label) with where it was written."""
    for found, _ in declarations(spec):
        for name, field in specs(type(found)):
            if field.role == "child":
                continue
            value = getattr(found, name)
            for item in value if isinstance(value, tuple) else (value,):
                if item is None:
                    continue
                texts = item.value if isinstance(item.value, tuple) else (item.value,)
                yield from ((t, item.span) for t in texts if isinstance(t, str))
