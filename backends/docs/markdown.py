"""Spec text into Markdown, escaped for where it lands: the one place the document escapes.

Everything the templates print is Markdown: a value of type :class:`Md` is printed as it
is, anything else is spec text and goes through :func:`text` (the environment's
``finalize``), and so does every table cell that is not :class:`Md`. Markdown is made only
here: :func:`text` for words (paragraphs, list items, headings, link text), :func:`code` for
code spans, :func:`cell` for table cells, :func:`fence` for fenced blocks and :func:`md` to
put fragments together. Every spec string is also shown with the secrets of a well-known
shape masked (:func:`orion_dsl.secrets.redact`).

Whatever the spec says, the document gets no raw HTML, no heading, list, quote, table row
or code block it did not lay out itself, and shows the text as written (line breaks as
spaces, control characters as U+FFFD).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from orion_dsl.secrets import redact


class Md(str):
    """Text that is already Markdown: printed as it is."""

    __slots__ = ()


#: Line breaks of any kind (CommonMark's, and those other readers break at) become spaces.
_BREAKS = re.compile("\r\n|[\n\r\v\f\x85\u2028\u2029]")
#: Other control characters cannot be shown; they become the replacement character.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
#: Characters that start inline markup anywhere: escapes, code, emphasis, strike-through,
#: links and images, raw HTML and autolinks, ATX heading closers.
_INLINE = re.compile(r"([\\`*_~\[\]<>#])")
#: An entity or character reference (``&lt;``, ``&#60;``), which would render as another character.
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
#: What starts a block when it opens a line: a list item (``- x``, ``+ x``, ``1. x``, ``1) x``),
#: a thematic break or setext underline (``---``, ``===``). (``*``, ``_``, ``#``, ``>`` are always escaped.)
_BLOCK_START = re.compile(r"[-+](?=[ \t]|$)|\d{1,9}(?=[.)](?:[ \t]|$))|=+[ \t]*$|-[- \t]*$")

#: A character :data:`_BREAKS` or :data:`_CONTROLS` would change; most text has none, and is kept without running them.
_UNSHOWN = re.compile("[\n\r\v\f\x85\u2028\u2029\x00-\x08\x0e-\x1f\x7f-\x9f]")
#: A character :data:`_INLINE` or :data:`_ENTITY` would escape; likewise.
_MARKUP = re.compile(r"[\\`*_~\[\]<>#&]")

REPLACEMENT = "\ufffd"


def _one_line(value: object) -> str:
    """Spec text on one line, control characters replaced, secrets masked."""
    shown = redact(str(value))
    return shown if _UNSHOWN.search(shown) is None else _CONTROLS.sub(REPLACEMENT, _BREAKS.sub(" ", shown))


def _words(value: object) -> str:
    """Spec text with inline markup escaped (:class:`Md` kept as it is)."""
    if isinstance(value, Md):
        return value
    shown = _one_line(value)
    return shown if _MARKUP.search(shown) is None else _ENTITY.sub("\\&", _INLINE.sub(r"\\\1", shown))


def _line(markdown: str) -> Md:
    """Markdown safe at the start of a line: no leading or trailing white space, a leading block marker escaped."""
    stripped = markdown.strip()
    match = _BLOCK_START.match(stripped)
    if match is None:
        return Md(stripped)
    if stripped[0].isdigit():
        return Md(stripped[: match.end()] + "\\" + stripped[match.end() :])
    return Md("\\" + stripped)


def text(value: object) -> Md:
    """Spec text as Markdown words, safe in a paragraph, list item, heading, link text or table cell.

    Inline markup characters are backslash-escaped; a leading list or underline marker too
    (``1.`` keeps its number: ``1\\.``); leading and trailing white space, which Markdown
    would drop or read as indentation, is dropped. :class:`Md` is kept as it is.
    """
    return value if isinstance(value, Md) else _line(_words(value))


def code(value: object) -> Md:
    """Spec text as an inline code span, with a fence longer than any backtick run inside.

    Padded with a space when it starts or ends with a backtick, or starts and ends with a
    space (CommonMark strips one from each end then); empty text gives no span at all.
    """
    content = _one_line(value)
    if not content:
        return Md("")
    longest = max((len(m) for m in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content[0] == "`" or content[-1] == "`" or (content[0] == " " and content[-1] == " " and content.strip(" ")) else ""
    return Md(f"{fence}{pad}{content}{pad}{fence}")


def cell(value: object) -> Md:
    """A table cell: Markdown (spec text escaped first) with every ``|`` escaped, code spans included (GFM)."""
    return Md(text(value).replace("|", "\\|"))


def fence(info: str, content: str) -> Md:
    """A fenced code block around generated content, its fence longer than any backtick run inside."""
    longest = max((len(m) for m in re.findall(r"`+", content)), default=0)
    marks = "`" * max(3, longest + 1)
    return Md(f"{marks}{info}\n{content}\n{marks}")


def md(template: str, *parts: object) -> Md:
    """Markdown from a template of ours and parts: spec text parts are escaped, :class:`Md` parts kept.

    >>> md("{} ({})", "a_b", code("x"))
    'a\\\\_b (`x`)'
    """
    return _line(template.format(*(_words(p) for p in parts)))


def join(separator: str, parts: Iterable[object]) -> Md:
    """Parts joined by a separator of ours, each escaped as :func:`md` does."""
    return _line(separator.join(_words(p) for p in parts))
