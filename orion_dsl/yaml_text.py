"""The one place objects become YAML text: PyYAML's C dumper as the reference, and a faster writer that spells the same bytes.

:func:`reference_yaml` is how ORION has always written a document: PyYAML's C emitter, whose
representer runs in Python and took about half of a Kubernetes compile (bench/profile_compile.py).
:func:`to_yaml`, which every backend uses, writes the structure (block mappings and sequences,
two-space indentation, the fixed key order) itself and asks the reference for the spelling of
each distinct scalar once, remembered: a scalar's spelling does not depend on where it
stands, for the scalars it accepts. Anything else — a float, a string the reference spells
over several lines other than as a block literal, a key it writes as a complex ``?`` key, a
line near the reference's width, a type it does not know — makes :func:`to_yaml` hand the
whole document to the reference, so the output is the reference's byte for byte
(tests/test_yaml_text.py proves it on generated documents and on every spec and example).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

#: Keys written first, in this order; every other key follows alphabetically.
FIRST_KEYS = ("apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec", "data", "stringData", "type")

_FIRST = frozenset(FIRST_KEYS)

#: The reference's line width: longer lines are folded, so the writer stays well under it.
_WIDTH = 4096
_SAFE_WIDTH = _WIDTH - 96


class _Dumper(yaml.CSafeDumper):
    """The C dumper, never writing anchors or aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never write anchors: every object is spelled out where it is used."""
        return True


def _ordered(value: Any) -> Any:
    if isinstance(value, Mapping):
        first = [k for k in FIRST_KEYS if k in value]
        rest = sorted(k for k in value if k not in FIRST_KEYS)
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


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=_WIDTH)


def reference_yaml(obj: Mapping[str, Any]) -> str:
    """One object as a YAML document by PyYAML's C dumper, keys in :data:`FIRST_KEYS` order then sorted: the spelling :func:`to_yaml` keeps."""
    return _dump(_ordered(obj))


class _Unsupported(Exception):
    """The writer cannot prove it spells this document as the reference does: the reference writes it."""


#: A scalar value's spelling: one line, or a block scalar's header and its lines (unindented).
_Spelling = str | tuple[str, tuple[str, ...]]

#: The scalar types the writer spells (a float is left to the reference: 0.0 and -0.0 are equal keys).
_SCALARS = (str, int, bool, type(None))
#: Remembered spellings are forgotten past this many, so a long-lived process does not grow without bound.
_MEMORY = 200_000
#: Spellings by the scalar itself (a string) or by its type and value (1, True and 1.0 are equal keys).
_values: dict[Any, _Spelling] = {}
_keys: dict[Any, str] = {}


#: Strings the reference writes plain and as they are, read without asking it: ASCII letters, digits and
#: ``._/-``, starting with a letter or ``/``. No character the emitter must quote or escape, no space or
#: line break; of the resolver's implicit types (numbers, dates, ``=``, ``<<``, booleans, null) only the
#: boolean and null words start with a letter, and :data:`_NOT_PLAIN` quotes those. Most of a manifest's
#: scalars are of this shape (names, labels, images, paths), and each distinct one used to cost a dump.
_PLAIN_AS_WRITTEN = re.compile(r"[A-Za-z/][A-Za-z0-9._/-]*")


def _value_spelling(value: Any) -> _Spelling:
    """How the reference spells a scalar as a sequence item (the same as a mapping value), or ``_Unsupported``."""
    if type(value) is str and _PLAIN_AS_WRITTEN.fullmatch(value) and not _NOT_PLAIN.fullmatch(value):
        return value
    text = _dump([value])
    if not text.startswith("- ") or text.endswith("\n...\n"):
        raise _Unsupported
    lines = text[2:-1].split("\n")
    if len(lines) == 1:
        return lines[0]
    header, body = lines[0], lines[1:]
    if not header.startswith("|") or "+" in header or not all(line == "" or line.startswith("  ") for line in body):
        raise _Unsupported  # folded over lines, or a block the document's end would change
    return header, tuple(line[2:] for line in body)


def _key_spelling(key: Any) -> str:
    """How the reference spells a simple mapping key, or ``_Unsupported`` (a complex ``?`` key)."""
    text = _dump({key: 0})
    if text.startswith("? ") or not text.endswith(": 0\n") or text.count("\n") != 1:
        raise _Unsupported
    return text[:-4]


def _spelt(book: dict[Any, Any], value: Any, spell: Any) -> Any:
    """``value``'s spelling from ``book``, asking ``spell`` (and remembering) the first time; ``_Unsupported`` for a type not in :data:`_SCALARS`."""
    entry = value if type(value) is str else (type(value), value)
    found = book.get(entry)
    if found is None:
        if type(value) not in _SCALARS:
            raise _Unsupported
        if len(book) >= _MEMORY:
            book.clear()
        found = book[entry] = spell(value)
    return found


def _scalar(value: Any, head: str, indent: int, out: list[str]) -> None:
    """Write a scalar after ``head`` (``key:`` or ``-``) on its line; a block's lines at ``indent``."""
    spelling = _values.get(value) if type(value) is str else None  # the common case, without a call
    if spelling is None:
        spelling = _spelt(_values, value, _value_spelling)
    if isinstance(spelling, str):
        if len(head) + len(spelling) > _SAFE_WIDTH:
            raise _Unsupported
        out.append(f"{head} {spelling}\n")
        return
    header, body = spelling
    pad = " " * indent
    out.append(f"{head} {header}\n")
    out.extend(f"{pad}{line}\n" if line else "\n" for line in body)


#: A mapping's keys in the order they are written, each with its spelling and ``:``, by the keys as they
#: were inserted (the builders make their dictionaries the same way each time: 149 key tuples over the
#: 195,000 mappings of 1,000 services' Kubernetes and Istio objects).
_shapes: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}


def _shape(data: Mapping[Any, Any]) -> tuple[tuple[Any, str], ...]:
    """``data``'s keys in :data:`FIRST_KEYS` order then sorted, each with its spelling and ``:``; remembered when every key is a ``str``."""
    first = [k for k in FIRST_KEYS if k in data] if not _FIRST.isdisjoint(data) else None
    keys = (*first, *sorted(k for k in data if k not in _FIRST)) if first else sorted(data)
    shape = tuple((key, f"{_spelt(_keys, key, _key_spelling)}:") for key in keys)
    if all(type(key) is str for key in data):  # 1 and True are equal keys: only strings are told apart by value alone
        if len(_shapes) >= _MEMORY:
            _shapes.clear()
        _shapes[tuple(data)] = shape
    return shape


def _mapping(data: Mapping[Any, Any], lead: str, indent: int, out: list[str]) -> None:
    """Write a non-empty block mapping whose keys stand at column ``indent``; the first line starts with ``lead``.

    ``lead`` is ``indent`` characters long. A string, a nested mapping or sequence is written here, without
    a call per value (most of a document); anything else goes through :func:`_node`.
    """
    if indent > _SAFE_WIDTH // 2:
        raise _Unsupported
    shape = _shapes.get(tuple(data))
    if shape is None:
        shape = _shape(data)
    pad = " " * indent
    room = _SAFE_WIDTH - indent
    for key, spelt in shape:
        value = data[key]
        kind = type(value)
        if kind is str or kind is int or kind is bool:
            spelling = _values.get(value) if kind is str else _values.get((kind, value))
            if spelling is None:
                spelling = _spelt(_values, value, _value_spelling)
            if type(spelling) is str and len(spelt) + len(spelling) <= room:
                out.append(f"{lead}{spelt} {spelling}\n")
            else:
                _scalar(value, f"{lead}{spelt}", indent + 2, out)
        elif kind is dict and value:
            out.append(f"{lead}{spelt}\n")
            _mapping(value, pad + "  ", indent + 2, out)
        elif kind is list and value:
            out.append(f"{lead}{spelt}\n")
            _sequence(value, pad, indent, out)
        else:
            _node(value, f"{lead}{spelt}", False, indent, out)
        lead = pad


def _sequence(items: list[Any] | tuple[Any, ...], lead: str, indent: int, out: list[str]) -> None:
    """Write a non-empty block sequence whose dashes stand at column ``indent``; the first line starts with ``lead``.

    A non-empty mapping item (most items) is written here, without a call to :func:`_node`.
    """
    pad = " " * indent
    for item in items:
        if type(item) is dict and item:
            _mapping(item, f"{lead}- ", indent + 2, out)
        else:
            _node(item, f"{lead}-", True, indent, out)
        lead = pad


def _node(value: Any, head: str, item: bool, indent: int, out: list[str]) -> None:
    """Write ``value`` after ``head``: a sequence item's ``-`` at column ``indent``, or (not ``item``) the ``key:`` of a mapping at ``indent``.

    What follows stands at ``indent + 2``, except a mapping's sequence: PyYAML writes it unindented.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        _scalar(value, head, indent + 2, out)
    elif kind is dict or (kind is not list and kind is not tuple and isinstance(value, Mapping)):
        if not value:
            out.append(f"{head} {{}}\n")
        elif item:
            _mapping(value, f"{head} ", indent + 2, out)
        else:
            out.append(f"{head}\n")
            _mapping(value, " " * (indent + 2), indent + 2, out)
    elif kind is list or kind is tuple:
        if not value:
            out.append(f"{head} []\n")
        elif item:
            _sequence(value, f"{head} ", indent + 2, out)
        else:
            out.append(f"{head}\n")
            _sequence(value, " " * indent, indent, out)
    else:
        _scalar(value, head, indent + 2, out)  # a type the reference alone knows: _Unsupported


def to_yaml(obj: Mapping[str, Any]) -> str:
    """One object as a YAML document, keys in a fixed order (apiVersion, kind, metadata, spec...): exactly :func:`reference_yaml`'s bytes, faster."""
    if not isinstance(obj, Mapping) or not obj:
        return reference_yaml(obj)
    out: list[str] = []
    try:
        _mapping(obj, "", 0, out)
    except (_Unsupported, TypeError):  # TypeError: an unhashable scalar or unsortable keys, which the reference reports
        return reference_yaml(obj)
    return "".join(out)
