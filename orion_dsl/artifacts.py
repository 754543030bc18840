"""What backends return: files as (path, text), and the one place objects become YAML."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    ``stream`` is what ``-o -`` prints (for manifests: every object in apply order);
    ``diagnostics`` name facts the target cannot express (info), never dropped silently.
    """

    artifacts: tuple[Artifact, ...]
    stream: str
    diagnostics: tuple[Diagnostic, ...] = ()


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


def _represent_str(dumper: _Dumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(str, _represent_str)


def to_yaml(obj: Mapping[str, Any]) -> str:
    """One object as a YAML document, keys in a fixed order (apiVersion, kind, metadata, spec...)."""
    return yaml.dump(_ordered(obj), Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096)


def to_yaml_stream(objects: Iterable[Mapping[str, Any]]) -> str:
    """Several objects as one multi-document stream, for ``kubectl apply -f -``."""
    return "".join(f"---\n{to_yaml(o)}" for o in objects)


def by_path(artifacts: Sequence[Artifact]) -> dict[str, str]:
    """Artifacts as a path -> text mapping."""
    return {a.path: a.text for a in artifacts}
