"""A reader for the generated document: headings, tables, links and Mermaid blocks from markdown-it's token stream.

Independent of the backend: the slugs follow GitHub's rules, cells are read as rendered text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PIPE = re.compile(r"(?<!\\)\|")


def parser() -> MarkdownIt:
    """CommonMark with GitHub tables, as the brief fixes it."""
    return MarkdownIt("commonmark").enable("table")


def github_slug(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation except ``-`` and ``_`` removed, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def inline_text(token: Token) -> str:
    """What an inline token reads as: text and code spans, breaks as spaces, markup dropped."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def raw_cells(line: str) -> list[str]:
    """The cells of one source table row, split on unescaped pipes."""
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    return _PIPE.split(stripped)


@dataclass
class Table:
    """A table: the headings it sits under, its header, its rows (rendered text), its source lines."""

    headings: tuple[str, ...]
    header: list[str]
    rows: list[list[str]]
    source_rows: list[int] = field(default_factory=list)

    def records(self) -> list[dict[str, str]]:
        """Rows as header -> cell."""
        return [dict(zip(self.header, row, strict=True)) for row in self.rows]

    def row(self, **match: str) -> dict[str, str]:
        """The one row whose cells equal ``match`` (column names with spaces as underscores)."""
        wanted = {k.replace("_", " "): v for k, v in match.items()}
        found = [r for r in self.records() if all(r.get(k) == v for k, v in wanted.items())]
        assert len(found) == 1, f"{len(found)} rows match {wanted} in table {self.header} under {self.headings}"
        return found[0]

    def column(self, name: str) -> list[str]:
        """Every cell of one column."""
        index = self.header.index(name)
        return [r[index] for r in self.rows]

    def keyed(self) -> dict[str, dict[str, str]]:
        """Rows by their first cell."""
        return {r[self.header[0]]: r for r in self.records()}


@dataclass
class Section:
    """A heading and what follows it up to the next heading of the same or a higher level."""

    title: str
    level: int
    tables: list[Table]
    text: str


class Document:
    """A parsed Markdown document."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        self.tokens = parser().parse(text)
        self.headings: list[tuple[int, str]] = []
        self.tables: list[Table] = []
        self.fences: list[tuple[str, str]] = []
        self.links: list[str] = []
        self._blocks: list[tuple[int, str, object]] = []  # (heading index, kind, payload)
        self._read()

    def _read(self) -> None:
        path: list[tuple[int, str]] = []
        tokens = self.tokens
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open":
                level = int(tok.tag[1])
                title = inline_text(tokens[i + 1])
                self.headings.append((level, title))
                path = [p for p in path if p[0] < level] + [(level, title)]
                i += 3  # heading_open, inline, heading_close: the title is not body text
                continue
            elif tok.type == "table_open":
                i = self._table(i, tuple(t for _, t in path))
                continue
            elif tok.type == "fence":
                self.fences.append((tok.info.strip(), tok.content))
            elif tok.type == "inline":
                self._blocks.append((len(self.headings) - 1, "text", inline_text(tok)))
                for child in tok.children or []:
                    if child.type == "link_open":
                        self.links.append(str(child.attrs.get("href", "")))
            i += 1

    def _table(self, start: int, headings: tuple[str, ...]) -> int:
        header: list[str] = []
        rows: list[list[str]] = []
        source_rows: list[int] = []
        current: list[str] | None = None
        i = start
        while self.tokens[i].type != "table_close":
            tok = self.tokens[i]
            if tok.type == "tr_open":
                current = []
                assert tok.map is not None
                source_rows.append(tok.map[0])
            elif tok.type in ("th_open", "td_open"):
                assert current is not None
                current.append(inline_text(self.tokens[i + 1]))
            elif tok.type == "tr_close":
                assert current is not None
                if header:
                    rows.append(current)
                else:
                    header = current
            i += 1
        table = Table(headings, header, rows, source_rows)
        self.tables.append(table)
        self._blocks.append((len(self.headings) - 1, "table", table))
        return i + 1

    def section(self, title: str, level: int | None = None) -> Section:
        """The one section with this heading (at this level, if given)."""
        found = [n for n, (lv, t) in enumerate(self.headings) if t == title and (level is None or lv == level)]
        assert len(found) == 1, f"{len(found)} headings read {title!r}"
        start = found[0]
        own = self.headings[start][0]
        end = next((n for n in range(start + 1, len(self.headings)) if self.headings[n][0] <= own), len(self.headings))
        blocks = [(kind, payload) for index, kind, payload in self._blocks if start <= index < end]
        tables = [p for k, p in blocks if k == "table" and isinstance(p, Table)]
        text = "\n".join(p for k, p in blocks if k == "text" and isinstance(p, str))
        return Section(title, own, tables, text)

    def table(self, title: str, *, level: int | None = None, index: int = 0) -> Table:
        """A table of a section (the first, unless ``index`` says otherwise)."""
        return self.section(title, level).tables[index]

    def anchors(self) -> list[str]:
        """Every heading's anchor, with GitHub's ``-1``, ``-2`` for repeats."""
        seen: dict[str, int] = {}
        out = []
        for _, title in self.headings:
            base = github_slug(title)
            anchor = base if base not in seen else f"{base}-{seen[base]}"
            seen[base] = seen.get(base, 0) + 1
            out.append(anchor)
        return out

    def mermaid(self) -> list[str]:
        """The Mermaid blocks."""
        return [content for info, content in self.fences if info == "mermaid"]


def pipe_lines(text: str) -> list[int]:
    """Source lines (0-based) outside fenced blocks that start with a pipe: each must belong to a table."""
    out = []
    fence = False
    for n, line in enumerate(text.splitlines()):
        if line.startswith("```"):
            fence = not fence
            continue
        if not fence and line.lstrip().startswith("|"):
            out.append(n)
    return out


def cells_per_row(doc: Document, table: Table) -> Sequence[int]:
    """How many cells each source row of a table has, header included."""
    return [len(raw_cells(doc.lines[n])) for n in table.source_rows]
