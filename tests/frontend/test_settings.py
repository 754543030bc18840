"""The vocabulary as the one source of defaults and closed sets.

:class:`~orion_dsl.decode.Settings` reads a block with the defaults its declaration class
declares, :func:`~orion_dsl.decode.written` a value without one; each ``Literal`` of
:mod:`orion_dsl.choices` that types a field is exactly the words its keyword accepts.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any, Literal

import pytest

from orion_dsl import declarations as decl
from orion_dsl.decode import Decl, L, Settings, specs, written
from orion_dsl.pipeline import decode_spec, parse_statements
from orion_dsl.source import SourceFile, Span
from orion_dsl.syntax import Arg, ArgKind
from orion_dsl.values import BadValue, Duration, PortNumber, ValueType


def decoded(text: str) -> decl.SpecDecl:
    """A spec parsed and decoded by the real front end, which must find nothing wrong."""
    source = SourceFile("shop.orion", 'topology shop { version "1.0.0" }\n' + text)
    statements, syntax_errors = parse_statements(source)
    assert not syntax_errors, syntax_errors
    spec, decode_errors = decode_spec(source, statements)
    assert not decode_errors, decode_errors
    assert isinstance(spec, decl.SpecDecl)
    return spec


def rollout(text: str) -> decl.RolloutDecl:
    """The rollout block of the one service of a spec."""
    spec = decoded('namespace a { service s { image "x:1"; ' + text + " } }")
    block = spec.namespaces[0].services[0].rollout
    assert block is not None
    return block


def test_a_field_left_out_reads_its_declared_default() -> None:
    settings = Settings(decl.RolloutDecl, rollout("rollout rolling { surge 2 }"))
    assert settings.unavailable == 0
    assert settings.grace == Duration(30_000, "30s")


def test_a_written_value_wins_over_the_default() -> None:
    assert Settings(decl.RolloutDecl, rollout("rollout recreate { surge 2 }")).surge == 2
    assert Settings(decl.RolloutDecl, rollout("rollout recreate { surge 2 }")).strategy == "recreate"


def test_a_block_left_out_reads_every_default() -> None:
    settings = Settings(decl.RolloutDecl, None)
    assert (settings.strategy, settings.surge, settings.unavailable) == ("rolling", 1, 0)


def test_a_field_without_a_default_reads_none() -> None:
    assert Settings(decl.ProbesDecl, None).initial_delay is None


def test_a_list_left_out_reads_its_default_list() -> None:
    assert Settings(decl.IngressDecl, None).listen == (PortNumber(443),)


def test_a_list_written_replaces_the_default_list() -> None:
    spec = decoded("namespace web {}\ningress nginx { namespace web; listen 80, 8443 }")
    assert Settings(decl.IngressDecl, spec.ingress).listen == (PortNumber(80), PortNumber(8443))


def test_a_name_that_is_no_field_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = Settings(decl.RolloutDecl, None).surges


def test_written_gives_the_fallback_only_for_a_value_left_out() -> None:
    spec = decoded('namespace a { description "" }')
    assert written(spec.namespaces[0].description, "fallback") == ""
    assert written(spec.namespaces[0].subnet, "fallback") == "fallback"
    assert written(spec.namespaces[0].subnet) is None


def _closed_set_fields() -> list[tuple[str, str, tuple[str, ...], ValueType[Any]]]:
    """(class, attribute, the words of its Literal type, its value type) of every field typed by a closed set of
    words (a union of Literals, such as a volume's kinds or ``none``, is one set; a set of numbers is no words)."""
    found: list[tuple[str, str, tuple[str, ...], ValueType[Any]]] = []
    for cls in (c for _, c in inspect.getmembers(decl, inspect.isclass) if issubclass(c, Decl) and c.__module__ == decl.__name__):
        hints = typing.get_type_hints(cls)
        for name, spec in specs(cls):
            words = tuple(w for a in _inner_types(hints[name]) if typing.get_origin(a) is Literal for w in typing.get_args(a))
            if words and all(isinstance(w, str) for w in words):
                found.append((cls.__name__, name, words, spec.type))
    return found


def _inner_types(hint: Any) -> list[Any]:
    """The types inside ``L[X] | None`` or ``tuple[L[X], ...]``: X."""
    inner: list[Any] = []
    for arg in typing.get_args(hint) or (hint,):
        if typing.get_origin(arg) is L:
            for found in typing.get_args(arg):  # L[A | B]: both
                inner.extend(typing.get_args(found) if typing.get_origin(found) is typing.Union else (found,))
        elif typing.get_origin(arg) is tuple:
            inner.extend(_inner_types(arg))
    return inner


CLOSED = _closed_set_fields()


def _word(text: str) -> Arg:
    return Arg(ArgKind.WORD, text, span=Span("test.orion", 1, 1, 1, 1 + len(text)))


def test_the_closed_sets_are_found() -> None:
    assert len(CLOSED) >= 25


@pytest.mark.parametrize(("cls", "name", "words", "vtype"), CLOSED, ids=[f"{c}.{n}" for c, n, _, _ in CLOSED])
def test_a_keyword_accepts_exactly_the_words_of_its_type(cls: str, name: str, words: tuple[str, ...], vtype: ValueType[Any]) -> None:
    assert vtype.description == (words[0] if len(words) == 1 else "one of " + ", ".join(words))
    assert [vtype.convert(_word(w)) for w in words] == list(words)
    with pytest.raises(BadValue):
        vtype.convert(_word("not-a-" + words[0]))
