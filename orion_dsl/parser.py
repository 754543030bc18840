"""Parsing with Lark (the grammar in :mod:`orion_dsl.grammar_file`); Lark's errors become diagnostics."""

from __future__ import annotations

import functools
import os
import re
import stat
import sys

import lark
from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import Token

from orion_dsl.diagnostics import Diagnostic, Related, error, sort_key
from orion_dsl.grammar_file import grammar_path
from orion_dsl.source import SourceFile, Span
from orion_dsl.syntax import Statement
from orion_dsl.syntax_builder import MAX_DEPTH, SyntaxBuilder, TooDeep

#: How users call the grammar's terminals in an error message.
TOKEN_WORDS: dict[str, str] = {
    "WORD": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "QUANTITY": "a quantity such as 512Mi or 10s",
    "PERCENT": "a percentage",
    "TIME": "a time such as 02:00",
    "CIDR": "a CIDR block",
    "IP": "an IP address",
    "PORT_PROTOCOL": "a port such as 53/udp",
    "LBRACE": '"{"',
    "RBRACE": '"}"',
    "COMMA": '","',
    "COLON": '":"',
    "ARROW": '"->"',
    "_SEP": "a line break",
    "$END": "the end of the file",
    "<END-OF-FILE>": "the end of the file",
    "__ANON_0": '".."',
}


@functools.cache
def _grammar() -> str:
    return grammar_path().read_text(encoding="utf-8")


def _parser(builder: SyntaxBuilder) -> Lark:
    # A cache keeps construction well under a millisecond (0.13 s without); the builder is per file.
    return Lark(_grammar(), parser="lalr", lexer="contextual", transformer=builder, maybe_placeholders=False, cache=_cache_file())


@functools.cache
def _cache_file() -> str | bool:
    """Where Lark keeps the compiled grammar: a folder only this user can write, or no cache at all.

    Lark's own ``cache=True`` file is a pickle at a predictable name in the shared temporary folder
    (``/tmp/.lark_cache_<user>_<hash>_<python>.tmp``): another local user could leave one there,
    and loading it would run their code as whoever runs orion. So the cache lives in the user's
    cache folder (``$XDG_CACHE_HOME/orion``, else ``~/.cache/orion``), made private, and is used
    only if that folder is a real folder this user owns that nobody else can write. Lark checks
    the grammar's hash in the file, so an ORION with another grammar rebuilds it.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "orion")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        found = os.lstat(folder)
    except OSError:
        return False
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.geteuid() or found.st_mode & 0o022:
        return False
    return os.path.join(folder, f"lark-{lark.__version__}-py{sys.version_info[0]}.{sys.version_info[1]}.pickle")


#: Syntax errors reported from one file at the most; the rest are usually consequences.
MAX_SYNTAX_ERRORS = 20


def parse(source: SourceFile) -> tuple[tuple[Statement, ...], list[Diagnostic]]:
    """Parse a spec into statements, or report its syntax errors in the user's words.

    After an error the parser skips the offending token and goes on, so one run reports
    the errors of every line (one per line: the rest of a broken line is noise).
    """
    diags: list[Diagnostic] = []
    builder = SyntaxBuilder(source.name)

    def record(exc: UnexpectedInput) -> None:
        """Keep a syntax error, one per line (the rest of a broken line is noise); the tree is no longer needed."""
        builder.broken = True
        d = _syntax_error(exc, source)
        if not diags or (d.span and diags[-1].span and d.span.line != diags[-1].span.line):
            diags.append(d)

    def recover(exc: UnexpectedInput) -> bool:
        """Lark's error hook: record the error and go on, unless the input ended."""
        if isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
            return False
        record(exc)
        return len(diags) < MAX_SYNTAX_ERRORS

    try:
        statements: tuple[Statement, ...] = _parser(builder).parse(source.text, on_error=recover)  # type: ignore[assignment]
    except UnexpectedInput as exc:
        at_end = isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END")
        if not diags or not at_end:  # an unexpected end after an error is that error's echo
            record(exc)
        statements = ()
    except TooDeep as exc:
        return (), [error("E0104", exc.span, f"blocks are nested more than {MAX_DEPTH} deep", 'no ORION construct nests this deep; is a "}" missing?')]
    found = sorted([*diags, *builder.diagnostics], key=sort_key)[:MAX_SYNTAX_ERRORS]
    return (statements, found) if not found else ((), found)


def _describe(names: set[str]) -> str:
    words = sorted({TOKEN_WORDS.get(n, f'"{n.lower()}"') for n in names if not n.startswith("__ANON") or n in TOKEN_WORDS})
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _found(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    if token.type == "_SEP":
        return "a line break"
    return f'"{token}"'


#: What can hold a brace without opening or closing a block: a string (to its closing quote, or the line's end) or a comment.
_BRACES = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[{}]')


def _unclosed(source: SourceFile) -> Span | None:
    """The ``{`` of the innermost block the text never closes (strings and comments skipped), if any."""
    opened: list[int] = []
    for found in _BRACES.finditer(source.text):
        brace = found.group()
        if brace == "{":
            opened.append(found.start())
        elif brace == "}" and opened:
            opened.pop()
    if not opened:
        return None
    line, column = source.position(opened[-1])
    return Span(source.name, line, column, line, column + 1)


def _unexpected_end(source: SourceFile, expected: set[str]) -> Diagnostic:
    """E0103, pointing also at the block left open when there is one."""
    block = _unclosed(source)
    if block is None:
        return error("E0103", source.end_span(), "unexpected end of file", f'expected {_describe(expected)}; is a "}}" missing?')
    help = f'expected {_describe(expected)}: the block opened at line {block.line} is never closed; add its "}}"'
    return error("E0103", source.end_span(), "unexpected end of file", help, (Related(block, "this block is never closed"),))


def _syntax_error(exc: UnexpectedInput, source: SourceFile) -> Diagnostic:
    line = max(1, getattr(exc, "line", 1) or 1)
    column = max(1, getattr(exc, "column", 1) or 1)
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        char = source.text[pos] if pos < len(source.text) else ""
        span = Span(source.name, line, column, line, column + 1)
        if char == '"':
            return error("E0102", span, "unterminated string", 'close the string with " on the same line')
        shown = repr(char)[1:-1] if char.isprintable() else f"U+{ord(char):04X}" if char else "end of file"
        help = "names use letters, digits, '_' and '-'; text goes in double quotes; comments start with #"
        if char == ".":
            help = 'a version or any text with dots goes in double quotes, e.g. version "1.0.0"'
        return error("E0101", span, f'unexpected character "{shown}"', help)
    if isinstance(exc, UnexpectedEOF):
        return _unexpected_end(source, set(exc.expected))
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    if token.type == "$END":
        return _unexpected_end(source, exc.expected)
    end_col = (token.end_column or column + 1) if token.end_line == token.line else column + 1
    span = Span(source.name, line, column, line, max(end_col, column + 1))
    help = f"expected {_describe(exc.expected)}"
    if token.type == "RBRACE" and not _inside_block(exc):
        help = 'this "}" closes no block: remove it, or add the "{" it was meant to close'
    elif token.type == "LBRACE":
        help += "; a block opens on the line of its keyword: `service api {`"
    return error("E0100", span, f"unexpected {_found(token)}", help)


def _inside_block(exc: UnexpectedToken) -> bool:
    """Whether the parser had a ``{`` open when the error struck (its value stack holds it)."""
    values = getattr(exc.state, "value_stack", None) or ()
    return any(isinstance(v, Token) and v.type == "LBRACE" for v in values)
