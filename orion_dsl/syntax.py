"""The syntax tree: statements as written, before any keyword means anything.

A spec is a tree of :class:`Statement` s: a keyword, comma-separated groups of
:class:`Arg` s, and an optional block of further statements.
"""

from __future__ import annotations

import enum

import attrs

from orion_dsl.source import Span, span_field


class ArgKind(enum.Enum):
    """What an argument looks like lexically; its meaning depends on the keyword."""

    STRING = "a string"
    NUMBER = "a number"
    QUANTITY = "a quantity"
    PERCENT = "a percentage"
    TIME = "a time of day"
    CIDR = "a CIDR block"
    ADDRESS = "an IP address"
    PORT_PROTOCOL = "a port with protocol"
    WORD = "a name"
    PORT_REF = "a name:port reference"
    RANGE = "a range"
    ARROW = '"->"'


@attrs.frozen
class Arg:
    """One argument. ``text`` is the source text (a string's value, unescaped).

    A range has ``parts == (low, high)``; a port reference ``(target, port)``.
    """

    kind: ArgKind
    text: str
    parts: tuple[Arg, ...] = ()
    span: Span = span_field()


@attrs.frozen
class Statement:
    """``keyword group, group { body }`` — the one construct of the grammar.

    ``quoted`` says the keyword was written as a string (``"example.com/team" "payments"``): only a
    mapping's key may be.
    """

    keyword: str
    groups: tuple[tuple[Arg, ...], ...]
    body: tuple[Statement, ...] | None
    span: Span = span_field()
    keyword_span: Span = span_field()
    quoted: bool = False

    @property
    def args(self) -> tuple[Arg, ...]:
        """All arguments, ignoring how commas grouped them."""
        groups = self.groups
        if len(groups) == 1:  # nearly every statement: its one group is its arguments
            return groups[0]
        return tuple(a for g in groups for a in g)
