"""W0304: a secret written in plain text into the spec, and so into the manifests and the document.

A literal value for an environment variable named like a secret (``env DB_PASSWORD "..."``),
and any string of a well-known secret shape (``https://user:pass@host``, ``ghp_...``,
``AKIA...``, a private key). ORION has no construct that carries a Secret's value, by design:
values live in Secrets created out of band, which a ``secret`` volume mounts as files.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from orion_dsl import declarations as decl
from orion_dsl.decode import L
from orion_dsl.diagnostics import Diagnostic, warning
from orion_dsl.secrets import literal_secret, secret_shape
from orion_dsl.semantic.written import EVERY_WORKLOAD, declarations, strings

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


def _env_help(name: str, owner: str | None) -> str:
    workload = owner or EVERY_WORKLOAD
    folder = f"/etc/{workload}/secrets"
    key = name.lower().replace("_", "-")
    return (
        f'keep the value out of the spec: store it as a key of the Secret "{workload}-secrets" (created out of band) and read it '
        f'with `env {name} secret "{workload}-secrets" key "{key}"`, or mount the Secret by '
        f'`volume secrets secret "{{service}}-secrets" at "/etc/{{service}}/secrets"` (in defaults or the workload) and point the '
        f'program at the file, e.g. `env {name}_FILE "{folder}/{key}"`'
    )


def _literal_secrets(spec: decl.SpecDecl) -> Iterator[tuple[L[str], L[str], str | None]]:
    """(name, value, owner) of every ``env`` whose value is a literal secret."""
    for found, owner in declarations(spec):
        if isinstance(found, decl.EnvDecl) and found.name is not None and found.value is not None and literal_secret(found.name.value, found.value.value):
            yield found.name, found.value, owner


def env_secrets_are_not_literal(ctx: Context) -> list[Diagnostic]:
    """An ``env`` value is a literal secret when the variable's name says it holds one."""
    return [
        warning("W0304", value.span, f'"{name.value}" is given its secret in plain text', _env_help(name.value, owner))
        for name, value, owner in _literal_secrets(ctx.spec)
    ]


def _shape(text: str, shapes: dict[str, str | None]) -> str | None:
    if text not in shapes:
        shapes[text] = secret_shape(text)
    return shapes[text]


def strings_hold_no_secret(ctx: Context) -> list[Diagnostic]:
    """No string holds credentials in a URL, a token or a private key (an ``env`` value warned about above aside)."""
    shapes: dict[str, str | None] = {}  # a spec writes the same text many times (ports, paths, images): search each once
    found = [(what, span) for text, span in strings(ctx.spec) if (what := _shape(text, shapes)) is not None]
    if not found:
        return []
    flagged = {value.span for _, value, _ in _literal_secrets(ctx.spec)}
    out = []
    for what, span in found:
        if span in flagged:
            continue
        help = (
            "write the URL without them (https://host/path) and give the credentials to the workload through a Secret volume"
            if what == "credentials in a URL"
            else 'remove it from the spec: keep it in a Secret created out of band and mount it with `volume NAME secret "SECRET" at "/path"`'
        )
        out.append(warning("W0304", span, f"this string holds {what} in plain text", help))
    return out
