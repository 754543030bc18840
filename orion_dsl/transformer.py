"""Lark tree -> syntax tree (:mod:`orion_dsl.syntax`). Builds; never checks meaning."""

from __future__ import annotations

from typing import Any

import attrs

from lark import Token, Transformer, Tree, v_args
from lark.tree import Meta

from orion_dsl.diagnostics import Diagnostic, error
from orion_dsl.source import SourceFile, Span
from orion_dsl.syntax import Arg, ArgKind, Statement

#: Blocks nested deeper than this are refused before the (recursive) transform runs.
MAX_DEPTH = 32

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unescape(literal: str) -> str:
    r"""The value of a string literal: quotes removed, ``\n \t \" \\`` and ``\uXXXX`` decoded."""
    body = literal[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and i + 6 <= len(body):
                try:
                    out.append(chr(int(body[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                except ValueError:
                    pass
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@attrs.frozen
class _Group:
    args: tuple[Arg, ...]


@attrs.frozen
class _Block:
    statements: tuple[Statement, ...]


class _ToSyntax(Transformer[Token, Any]):
    def __init__(self, source: SourceFile) -> None:
        super().__init__()
        self.file = source.name

    def _span(self, meta: Meta) -> Span:
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _token_span(self, token: Token) -> Span:
        line = token.line or 1
        column = token.column or 1
        return Span(self.file, line, column, token.end_line or line, token.end_column or column + 1)

    def _leaf(self, kind: ArgKind, children: list[Token]) -> Arg:
        token = children[0]
        text = unescape(str(token)) if kind is ArgKind.STRING else str(token)
        return Arg(kind, text, span=self._token_span(token))

    def string(self, c: list[Token]) -> Arg:
        return self._leaf(ArgKind.STRING, c)

    def number(self, c: list[Token]) -> Arg:
        return self._leaf(ArgKind.NUMBER, c)

    def quantity(self, c: list[Token]) -> Arg:
        return self._leaf(ArgKind.QUANTITY, c)

    def percent(self, c: list[Token]) -> Arg:
        return self._leaf(ArgKind.PERCENT, c)

    def time(self, c: list[Token]) -> Arg:
        return self._leaf(ArgKind.TIME, c)

    def cidr(self, c: list[Token]) -> Arg:
        return self._leaf(ArgKind.CIDR, c)

    def address(self, c: list[Token]) -> Arg:
        return self._leaf(ArgKind.ADDRESS, c)

    def port_protocol(self, c: list[Token]) -> Arg:
        return self._leaf(ArgKind.PORT_PROTOCOL, c)

    def word(self, c: list[Token]) -> Arg:
        return self._leaf(ArgKind.WORD, c)

    def port_ref(self, c: list[Token]) -> Arg:
        target, port = c
        kind = ArgKind.NUMBER if port.type == "NUMBER" else ArgKind.WORD
        parts = (Arg(ArgKind.WORD, str(target), span=self._token_span(target)), Arg(kind, str(port), span=self._token_span(port)))
        span = parts[0].span.to(parts[1].span)
        return Arg(ArgKind.PORT_REF, f"{target}:{port}", span=span, parts=parts)

    @v_args(meta=True)
    def range(self, meta: Meta, c: list[Arg]) -> Arg:
        low, high = c
        return Arg(ArgKind.RANGE, f"{low.text}..{high.text}", span=self._span(meta), parts=(low, high))

    @v_args(meta=True)
    def arrow(self, meta: Meta, c: list[Token]) -> Arg:
        return Arg(ArgKind.ARROW, "->", span=self._span(meta))

    def group(self, c: list[Arg]) -> _Group:
        return _Group(tuple(c))

    def block(self, c: list[Statement]) -> _Block:
        return _Block(tuple(c))

    @v_args(meta=True)
    def statement(self, meta: Meta, c: list[Any]) -> Statement:
        keyword: Token = c[0]
        groups = tuple(x.args for x in c[1:] if isinstance(x, _Group))
        body = next((x.statements for x in c[1:] if isinstance(x, _Block)), None)
        return Statement(str(keyword), groups, body, span=self._span(meta), keyword_span=self._token_span(keyword))

    def start(self, c: list[Statement]) -> tuple[Statement, ...]:
        return tuple(c)


def _too_deep(tree: Tree[Token], source: SourceFile) -> Diagnostic | None:
    stack: list[tuple[Tree[Token], int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data == "block":
            depth += 1
            if depth > MAX_DEPTH:
                meta = node.meta
                span = Span(source.name, meta.line, meta.column, meta.line, meta.column + 1)
                return error("E0104", span, f"blocks are nested more than {MAX_DEPTH} deep", "no ORION construct nests this deep; is a \"}\" missing?")
        stack.extend((child, depth) for child in node.children if isinstance(child, Tree))
    return None


def to_syntax(tree: Tree[Token], source: SourceFile) -> tuple[tuple[Statement, ...], list[Diagnostic]]:
    """Turn a parse tree into statements; refuses absurd nesting instead of recursing."""
    deep = _too_deep(tree, source)
    if deep is not None:
        return (), [deep]
    result: tuple[Statement, ...] = _ToSyntax(source).transform(tree)
    return result, []
