"""What backends return: files as (path, text); objects become YAML in :mod:`orion_dsl.yaml_text` (``to_yaml``, re-exported here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from orion_dsl.diagnostics import Diagnostic
from orion_dsl.yaml_text import to_yaml as to_yaml


@attrs.frozen
class Artifact:
    """One output file, relative to the output folder (``kubernetes/orion-auth/service-auth.yaml``)."""

    path: str
    text: str


@attrs.frozen
class Rendered:
    """A backend's result.

    ``artifacts`` are the files of ``OUT/<target>/`` (paths start with the target name);
    ``spell_stream`` spells what ``-o -`` prints (for manifests: every object in apply order),
    only when asked: a compile into a folder never needs it, and it is as large as the files;
    ``diagnostics`` name facts the target cannot express (info), never dropped silently.
    """

    artifacts: tuple[Artifact, ...]
    spell_stream: Callable[[], str] = attrs.field(repr=False)
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def stream(self) -> str:
        """What ``-o -`` prints, spelled now (each call spells it again)."""
        return self.spell_stream()


def yaml_stream(documents: Iterable[str]) -> str:
    """YAML documents made by :func:`to_yaml` as one multi-document stream, for ``kubectl apply -f -``.

    It takes the documents' text, not the objects, so that a backend dumps each object once
    for its file and its place in the stream alike.
    """
    return "".join(f"---\n{text}" for text in documents)
