"""What backends return: files as (path, text), and the one place objects become YAML."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import yaml

from orion_dsl.diagnostics import Diagnostic

#: Keys written first, in this order; every other key follows alphabetically.
_FIRST_KEYS = ("apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec", "data", "stringData", "type")


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


class _Dumper(yaml.CSafeDumper):
    """The C dumper, never writing anchors or aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never write anchors: every object is spelled out where it is used."""
        return True


def _ordered(value: Any) -> Any:
    if isinstance(value, Mapping):
        first = [k for k in _FIRST_KEYS if k in value]
        rest = sorted(k for k in value if k not in _FIRST_KEYS)
        return {k: _ordered(value[k]) for k in (*first, *rest)}
    if isinstance(value, (list, tuple)):
        return [_ordered(v) for v in value]
    return value


def _represent_dict(dumper: _Dumper, data: dict[Any, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


#: Plain scalars some YAML reader takes for a number, boolean or null although PyYAML (YAML 1.1
#: as PyYAML reads it) takes them for strings: YAML 1.1's ``y``/``n`` and ``1_000``, ``1:20``,
#: ``0b101``; YAML 1.2's ``0o17``, ``1e3``, ``.inf``; Go's (``sigs.k8s.io/yaml``, kustomize)
#: ``strconv`` forms (``0x1p4``, ``+1``). Conservative: anything shaped like a number (a sign,
#: digits and dots or colons, then digits with the letters and signs of number syntax), every
#: case of a boolean or null word, ``.inf``/``.nan`` with any sign and case, and dates
#: (YAML 1.1 timestamps; Go also reads ``2026-1-2`` as one).
_NOT_PLAIN = re.compile(
    r"[-+]?[0-9._:]*[0-9][0-9a-fopx_.:+-]*|[-+]?\.(inf|nan)|y|n|yes|no|on|off|true|false|null|~"
    # a date, with short fields as Go's reader takes them (2026-1-2), perhaps followed by a time
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt \t].*)?",
    re.IGNORECASE | re.DOTALL,
)

#: Characters some reader breaks a line at, or drops, inside a plain or block scalar (NEL,
#: U+2028, U+2029, carriage return, byte order mark) and the other control characters: such
#: a string is written double-quoted, where PyYAML escapes them (``\N``, ``\L``, ``\ufeff``...).
_ESCAPE_ONLY = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _style(data: str) -> str | None:
    """How a string is written so that every YAML reader reads it back as the same string.

    Quoted when a plain scalar could read as anything but a string; double-quoted when it
    holds a character only an escape keeps; a block literal when it has line breaks; else
    plain where PyYAML allows it (PyYAML itself quotes what its own resolver would misread).
    """
    if _ESCAPE_ONLY.search(data):
        return '"'
    if "\n" in data:
        return "|"
    return "'" if _NOT_PLAIN.fullmatch(data) else None


def _represent_str(dumper: _Dumper, data: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=_style(data))


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(str, _represent_str)


def to_yaml(obj: Mapping[str, Any]) -> str:
    """One object as a YAML document, keys in a fixed order (apiVersion, kind, metadata, spec...)."""
    return yaml.dump(_ordered(obj), Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096)


def yaml_stream(documents: Iterable[str]) -> str:
    """YAML documents made by :func:`to_yaml` as one multi-document stream, for ``kubectl apply -f -``.

    It takes the documents' text, not the objects, so that a backend dumps each object once
    for its file and its place in the stream alike.
    """
    return "".join(f"---\n{text}" for text in documents)
