"""Rule callbacks that build the syntax tree (:mod:`orion_dsl.syntax`) while LALR parses.

The callbacks run inside the parser (no intermediate Lark tree): it is several times
faster, and deep nesting cannot recurse. They build; they never check meaning.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
from lark import Token, Transformer

from orion_dsl.diagnostics import Diagnostic, error
from orion_dsl.source import Span
from orion_dsl.syntax import Arg, ArgKind, Statement

#: Blocks nested deeper than this are refused; no ORION construct nests more than a few levels.
MAX_DEPTH = 32

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|(.))", re.DOTALL)

#: The longest string literal read, in characters (64 KiB): ten thousand words of description.
MAX_STRING_CHARS = 65_536
#: The longest name, number or other token read, in characters; every name has a far lower limit.
MAX_TOKEN_CHARS = 1_024

_KINDS = {
    "STRING": ArgKind.STRING,
    "NUMBER": ArgKind.NUMBER,
    "QUANTITY": ArgKind.QUANTITY,
    "PERCENT": ArgKind.PERCENT,
    "TIME": ArgKind.TIME,
    "CIDR": ArgKind.CIDR,
    "IP": ArgKind.ADDRESS,
    "PORT_PROTOCOL": ArgKind.PORT_PROTOCOL,
    "WORD": ArgKind.WORD,
    "ARROW": ArgKind.ARROW,
}


def _decode_escape(match: re.Match[str]) -> str:
    code, char = match.groups()
    if code is not None:
        return chr(int(code, 16))
    return _ESCAPES.get(char, "\\" + char)


def unescape(literal: str) -> str:
    r"""The value of a string literal: quotes removed, ``\n \t \" \\`` and ``\uXXXX`` decoded.

    Any other backslash stays as it is written. One regular-expression pass, so a long
    string costs time and memory in proportion to its length.
    """
    body = literal[1:-1]
    return _ESCAPE.sub(_decode_escape, body) if "\\" in body else body


def too_long(token: Token, span: Span) -> Diagnostic | None:
    """E0106 for a token longer than orion reads, else None; such a token is a mistake, not a value."""
    is_string = token.type == "STRING"
    limit = MAX_STRING_CHARS if is_string else MAX_TOKEN_CHARS
    length = len(token) - 2 if is_string else len(token)  # a string's quotes do not count
    if length <= limit:
        return None
    what = "string" if is_string else "name" if token.type == "WORD" else "value"
    help = (
        "shorten it: text this long belongs in a document of its own, not in the spec"
        if is_string
        else f"names and values are at most {limit:,} characters; is a separator missing?"
    )
    return error("E0106", span, f"this {what} is {length:,} characters long; the longest {what} orion reads is {limit:,}", help)


class TooDeep(Exception):
    """Raised by the block callback when blocks nest deeper than :data:`MAX_DEPTH`."""

    def __init__(self, span: Span) -> None:
        super().__init__(span)
        self.span = span


@attrs.frozen
class _Block:
    statements: tuple[Statement, ...]
    end: Span
    depth: int


#: What the callbacks return once a file is known to be broken (see :attr:`SyntaxBuilder.broken`).
_NO_SPAN = Span("", 1, 1, 1, 1)
_NO_ARG = Arg(ArgKind.WORD, "", span=_NO_SPAN)
_NO_STATEMENT = Statement("", (), None, span=_NO_SPAN, keyword_span=_NO_SPAN)
_NO_BLOCK = _Block((), _NO_SPAN, 0)


class SyntaxBuilder(Transformer[Token, Any]):
    """The callbacks for one file: every span it builds names that file.

    Tokens too long to read are collected in :attr:`diagnostics` (the parse goes on).
    Once :attr:`broken` is set (the parser found a syntax error, so the tree will be
    thrown away) the callbacks build nothing more: the parse goes on only to find the
    next syntax errors, in memory that does not grow with the rest of the file.
    """

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file
        self.depths: dict[int, int] = {}
        self.diagnostics: list[Diagnostic] = []
        self.broken = False

    def _span(self, token: Token) -> Span:
        line = token.line or 1
        column = token.column or 1
        return Span(self.file, line, column, token.end_line or line, token.end_column or column + 1)

    def _text(self, token: Token) -> str:
        """A token's text (a string literal's decoded value), or '' after reporting it too long."""
        if len(token) > MAX_TOKEN_CHARS:  # no token within every limit is longer: only these need a span to judge
            problem = too_long(token, self._span(token))
            if problem is not None:
                self.diagnostics.append(problem)
                return ""
        return unescape(str(token)) if token.type == "STRING" else str(token)

    def _to_arg(self, item: Token | Arg) -> Arg:
        """A token as an argument (a range or port reference is one already).

        The hot path of the parse (one call per argument): the span and the text are made
        here rather than by :meth:`_span` and :meth:`_text`, which cost two calls more each.
        """
        if item.__class__ is Arg:
            return item
        token: Token = item  # type: ignore[assignment]
        if len(token) > MAX_TOKEN_CHARS:
            text = self._text(token)
        else:
            text = unescape(token.value) if token.type == "STRING" else token.value
        line = token.line or 1
        column = token.column or 1
        return Arg(_KINDS[token.type], text, span=Span(self.file, line, column, token.end_line or line, token.end_column or column + 1))

    def port_ref(self, c: list[Token]) -> Arg:
        """``target:port`` as one argument."""
        if self.broken:
            return _NO_ARG
        target, port = c
        kind = ArgKind.NUMBER if port.type == "NUMBER" else ArgKind.WORD
        parts = (Arg(ArgKind.WORD, self._text(target), span=self._span(target)), Arg(kind, self._text(port), span=self._span(port)))
        return Arg(ArgKind.PORT_REF, f"{parts[0].text}:{parts[1].text}", span=parts[0].span.to(parts[1].span), parts=parts)

    def range(self, c: list[Token]) -> Arg:
        """``low..high`` as one argument."""
        if self.broken:
            return _NO_ARG
        low, high = (self._to_arg(t) for t in c)
        return Arg(ArgKind.RANGE, f"{low.text}..{high.text}", span=low.span.to(high.span), parts=(low, high))

    def args(self, c: list[Any]) -> list[list[Arg]]:
        """Grow the comma-separated groups of a statement's arguments by one argument."""
        if self.broken:
            return []
        if len(c) == 1:
            return [[self._to_arg(c[0])]]
        groups: list[list[Arg]] = c[0]
        if len(c) == 3:  # args "," arg: the argument opens a new group
            groups.append([self._to_arg(c[2])])
        else:
            groups[-1].append(self._to_arg(c[1]))
        return groups

    def statements(self, c: list[Any]) -> list[Statement]:
        """Grow a list of statements by one."""
        if self.broken:
            return []
        if len(c) == 1:
            return [c[0]]
        statements: list[Statement] = c[0]
        statements.append(c[1])
        return statements

    def block(self, c: list[Any]) -> _Block:
        """A ``{ ... }`` block; refuses nesting deeper than MAX_DEPTH."""
        if self.broken:
            return _NO_BLOCK
        statements = tuple(c[1]) if len(c) == 3 else ()
        depth = 1 + max((self.depths.pop(id(s)) for s in statements if s.body is not None), default=0)  # only blocks have a depth
        if depth > MAX_DEPTH:
            raise TooDeep(self._span(c[0]))
        return _Block(statements, self._span(c[-1]), depth)

    def statement(self, c: list[Any]) -> Statement:
        """``keyword groups { block }`` with its span."""
        if self.broken:
            return _NO_STATEMENT
        keyword: Token = c[0]
        block: _Block | None = c[-1] if c[-1].__class__ is _Block else None
        written = len(c) - (block is not None)  # the keyword, and the groups if any
        groups: tuple[tuple[Arg, ...], ...] = tuple(map(tuple, c[1])) if written == 2 else ()
        start = self._span(keyword)
        if block is not None:
            end = block.end
        elif groups:
            end = groups[-1][-1].span
        else:
            end = start
        body = block.statements if block else None
        span = Span(start.file, start.line, start.column, end.end_line, end.end_column)  # start.to(end), a call fewer
        stmt = Statement(self._text(keyword), groups, body, span=span, keyword_span=start, quoted=keyword.type == "STRING")
        if block is not None:
            self.depths[id(stmt)] = block.depth
        return stmt

    def start(self, c: list[Any]) -> tuple[Statement, ...]:
        """The file's top-level statements."""
        return tuple(c[0]) if c and not self.broken else ()
