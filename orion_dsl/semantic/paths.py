"""Spec strings that become file names: each must be a safe Kubernetes name, never a path.

Object names become file names (``kubernetes/<namespace>/<kind>-<name>.yaml``). Every name
ORION writes is a checked name (E0204) except a volume's source, a string: the ConfigMap it
names gets a file of its own, so ``"/../../x/PWNED"`` would write outside the output folder.
A source must be what Kubernetes accepts for a ConfigMap or Secret name anyway, a DNS-1123
subdomain, and short enough for its file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from orion_dsl import declarations as decl
from orion_dsl.diagnostics import Diagnostic, error
from orion_dsl.model import Workload
from orion_dsl.semantic.resolver_base import DNS_1123_SUBDOMAIN
from orion_dsl.source import Span

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context

#: ``configmap-<name>.yaml`` within the 255 bytes a file name may have.
SOURCE_LIMIT = 255 - len("configmap-.yaml")
#: What stands for the workload's name in a source written in ``defaults``.
SERVICE = "{service}"


def _written(spec: decl.SpecDecl, w: Workload) -> Iterator[decl.VolumeDecl]:
    """The volume declarations a workload's volumes come from: its own, then its namespace's and the top-level defaults."""
    ns = next((n for n in spec.namespaces if n.name is not None and n.name.value == w.namespace), None)
    own = next((d for d in (*ns.services, *ns.statefulsets) if d.name is not None and d.name.value == w.name), None) if ns else None
    for found in (own, ns.defaults if ns else None, spec.defaults):
        if found is not None:
            yield from found.volumes


def _written_source(spec: decl.SpecDecl, w: Workload, source: str) -> tuple[str, Span]:
    """The source as written (``{service}`` standing for the workload's name) and where; else as used, at the workload."""
    for found in _written(spec, w):
        if found.source is not None and found.source.value.replace(SERVICE, w.name) == source:
            return found.source.value, found.source.span
    return source, w.span


def _suggestion(written: str) -> str:
    """A name like the one written, ``{service}`` kept."""
    pieces = (re.sub(r"[^a-z0-9.]+", "-", piece.lower()).replace("..", ".") for piece in written.split(SERVICE))
    return SERVICE.join(pieces).strip("-.")[:SOURCE_LIMIT] or "a-name"


def volume_sources_are_names(ctx: Context) -> list[Diagnostic]:
    """A volume's ConfigMap or Secret name is a DNS-1123 subdomain of at most :data:`SOURCE_LIMIT` characters.

    A source written in ``defaults`` is reported once, as written, not once per workload.
    """
    out = []
    for w in ctx.topology.workloads:
        for v in w.volumes:
            if v.kind == "empty-dir" or not v.source:
                continue
            if len(v.source) <= SOURCE_LIMIT and DNS_1123_SUBDOMAIN.fullmatch(v.source):
                continue
            written, span = _written_source(ctx.spec, w, v.source)
            kind = "ConfigMap" if v.kind == "config-map" else "Secret"
            out.append(
                error(
                    "E0204",
                    span,
                    f'volume "{v.name}" names its {kind} "{written}", which cannot become a Kubernetes name',
                    f"use at most {SOURCE_LIMIT} lower-case letters, digits, '-' and '.', starting and ending with a letter or digit "
                    f'(no "/", no ".."), e.g. "{_suggestion(written)}"',
                )
            )
    return out
