"""Spec strings cannot inject into the document: each context, parsed by markdown-it, with adversarial text.

For every place a spec string lands (words in a paragraph, a list item, a heading, link text,
a table cell, a code span) the parsed Markdown has no raw HTML, no block the layout did not
make (heading, list, quote, table row, code block), no markup from the string (emphasis,
link, image, autolink), and reads as the string (line breaks as spaces, control characters
as U+FFFD, outer white space dropped).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from orion_dsl.backends.docs import render, table
from orion_dsl.backends.docs.context.text import Table
from orion_dsl.backends.docs.markdown import Md, cell, code, text
from orion_dsl.pipeline import analyze_text
from orion_dsl.secrets import MASK

from .markdown import parser

ADVERSARIAL = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- comment -->",
    "line one\n# Injected heading\n| a | b |\n|---|---|\n| c | d |",
    "a | b | c",
    "# heading",
    "## two",
    "text #",
    "> quote",
    "- item",
    "+ item",
    "* item",
    "1. first",
    "2) second",
    "---",
    "===",
    "    indented code",
    "\tindented by tab",
    "```\nfenced\n```",
    "~~~",
    "*em* **strong** _em_ __strong__ ~~strike~~",
    "[link](javascript:alert(1))",
    "![image](x.png)",
    "<https://example.com>",
    "<javascript:alert(1)>",
    "[ref]: https://example.com",
    "&lt;script&gt; &#60; &amp;",
    "back\\slash\\",
    "trailing  ",
    "`code` ``double`` `",
    "`",
    " `padded` ",
    "x\r\ny\u2028z\u2029w\x85v\x0bu\x0ct",
    "nul\x00bell\x07esc\x1bdel\x7f",
    "café \u202e bidi",
    "",
)

#: Line breaks read as spaces, control characters as U+FFFD (CommonMark's own rule for NUL).
_BREAKS = re.compile("\r\n|[\n\r\v\f\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MARKUP = {"html_inline", "html_block", "em_open", "strong_open", "s_open", "link_open", "image", "code_block", "fence", "blockquote_open", "hr"}


def _shown(value: str) -> str:
    """What a spec string should read as."""
    return _CONTROLS.sub("\ufffd", _BREAKS.sub(" ", value))


def _tokens(markdown: str) -> list[Token]:
    return parser().parse(markdown)


def _flat(tokens: list[Token]) -> list[Token]:
    return [t for tok in tokens for t in (tok, *(tok.children or []))]


def _inline_text(token: Token) -> str:
    return "".join(c.content if c.type in ("text", "code_inline") else " " for c in token.children or [] if c.type in ("text", "code_inline", "softbreak"))


def _no_markup(tokens: list[Token]) -> None:
    found = sorted({t.type for t in _flat(tokens)} & _MARKUP)
    assert found == [], found


def _blocks(tokens: list[Token]) -> list[str]:
    return [t.type for t in tokens if t.type != "inline"]


@pytest.mark.parametrize("value", ADVERSARIAL)
def test_words_in_a_paragraph_stay_one_paragraph_of_the_text(value: str) -> None:
    tokens = _tokens(f"before\n\n{text(value)}\n\nafter\n")
    _no_markup(tokens)
    expected = ["paragraph_open", "paragraph_close"] * (3 if _shown(value).strip() else 2)
    assert _blocks(tokens) == expected
    if _shown(value).strip():
        assert _inline_text(tokens[4]) == _shown(value).strip()


@pytest.mark.parametrize("value", ADVERSARIAL)
def test_words_in_a_list_item_stay_one_item(value: str) -> None:
    tokens = _tokens(f"- {text(value)}\n- last\n")
    _no_markup(tokens)
    assert [t.type for t in tokens].count("list_item_open") == 2
    items = [_inline_text(t) for t in tokens if t.type == "inline"]
    assert items == [_shown(value).strip(), "last"] if _shown(value).strip() else ["last"]


@pytest.mark.parametrize("value", ADVERSARIAL)
def test_words_in_a_heading_stay_that_heading(value: str) -> None:
    tokens = _tokens(f"## Layer 1: {text(value)}\n\nbody\n")
    _no_markup(tokens)
    assert _blocks(tokens) == ["heading_open", "heading_close", "paragraph_open", "paragraph_close"]
    assert _inline_text(tokens[1]) == f"Layer 1: {_shown(value).strip()}".strip()


@pytest.mark.parametrize("value", ADVERSARIAL)
def test_words_as_link_text_stay_one_link(value: str) -> None:
    tokens = _tokens(f"- [{text(value)} x](#anchor)\n")
    kinds = [t.type for t in _flat(tokens)]
    assert kinds.count("link_open") == 1
    assert sorted(set(kinds) & (_MARKUP - {"link_open"})) == []
    link = next(t for t in _flat(tokens) if t.type == "link_open")
    assert link.attrs["href"] == "#anchor"


@pytest.mark.parametrize("value", ADVERSARIAL)
def test_a_table_cell_stays_one_cell_of_one_row(value: str) -> None:
    markdown = table(Table(("Name", "Code", "Last"), ((value, code(value), "end"),)))
    tokens = _tokens(f"{markdown}\n")
    _no_markup(tokens)
    rows = [t for t in tokens if t.type == "tr_open"]
    cells = [t for t in tokens if t.type == "inline"]
    assert len(rows) == 2 and len(cells) == 6
    assert _inline_text(cells[3]) == _shown(value).strip()
    code_spans = [c.content for c in cells[4].children or [] if c.type == "code_inline"]
    assert code_spans == ([_shown(value)] if value else [])
    assert cells[5].content == "end"


def test_a_table_escapes_each_cell_as_if_alone() -> None:
    """Cells are escaped once per distinct text and table; the same text as :class:`Md` stays as it is."""
    rows = (("a_b", "a|b"), (Md("a_b"), "a_b"), ("a|b", Md("*x*")), ("a_b", "a|b"))
    markdown = table(Table(("h_1", "h|2"), rows))
    expected = ["| " + " | ".join(cell(c) for c in row) + " |" for row in (("h_1", "h|2"), *rows)]
    assert markdown.split("\n") == [expected[0], "|---|---|", *expected[1:]]
    assert expected[1:] == ["| a\\_b | a\\|b |", "| a_b | a\\_b |", "| a\\|b | *x* |", "| a\\_b | a\\|b |"]


@pytest.mark.parametrize("value", ADVERSARIAL)
def test_a_code_span_holds_the_text_exactly(value: str) -> None:
    tokens = _tokens(f"x {code(value)} y\n")
    _no_markup(tokens)
    spans = [t.content for t in _flat(tokens) if t.type == "code_inline"]
    assert spans == ([_shown(value)] if value else [])


_markdown_text = st.text(alphabet=st.sampled_from(list("<>&#|`*_~[]()!\\-+=.:1 \t\n\r\u2028x/;'\"")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(_markdown_text, st.text(max_size=30)))
def test_any_text_in_a_cell_and_a_paragraph_reads_back(value: str) -> None:
    shown = _shown(value).strip()
    tokens = _tokens(f"{text(value)}\n\n{table(Table(('a', 'b'), ((value, code(value)),)))}\n")
    _no_markup(tokens)
    cells = [t for t in tokens if t.type == "inline"]
    assert [t.type for t in tokens].count("tr_open") == 2
    assert _inline_text(cells[-2]) == shown
    assert [c.content for c in cells[-1].children or [] if c.type == "code_inline"] == ([_shown(value)] if value else [])
    if shown:
        assert _inline_text(cells[0]) == shown


SPEC = """
topology shop {{
  version "{0}"
  description "{1}"
  domain "{2}"
  kubernetes "1.28"
}}
network {{
  default deny
  dns allow
  subnet apps 10.1.0.0/24 {{ description "{3}" }}
}}
edge {{ cdn front {{ provides "{4}"; description "{5}" }} }}
security {{ layer perimeter {{ measure "{6}" }} }}
namespace shop {{
  subnet apps
  description "{7}"
  service api {{
    image "shop/api:1.0"
    description "{8}"
    port http 8080
    env GREETING "{9}"
    env DB_PASSWORD "{10}"
  }}
  service prometheus {{ image "prom/prometheus:v2.53.0"; port http 9090 }}
}}
monitoring {{
  scraper prometheus
  port http
  alert Broken {{ expr "up == 0"; for 5m; severity warning; summary "{11}" }}
}}
recovery {{
  target s3 {{ kind s3; region us-east-1; bucket "b"; encrypted on }}
  config_in_git "{12}"
}}
"""
FIELDS = 13


def _escaped(value: str) -> str:
    """A value as a spec string literal's content."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def _document(values: list[str]) -> str:
    analysis = analyze_text(SPEC.format(*(_escaped(v) for v in values)))
    assert analysis.topology is not None, [d.summary for d in analysis.diagnostics if d.is_error]
    return render(analysis.plan).stream


_PRINTABLE = [v for v in ADVERSARIAL if v and not _CONTROLS.search(v) and "\x85" not in v and "\r" not in v and "\v" not in v and "\f" not in v]


@pytest.mark.parametrize("value", _PRINTABLE)
def test_the_document_of_a_hostile_spec_has_the_layout_of_a_benign_one(value: str) -> None:
    benign = _tokens(_document([f"benign {i}" for i in range(FIELDS)]))
    hostile_text = _document([value] * FIELDS)
    hostile = _tokens(hostile_text)
    assert [t.type for t in hostile if t.type != "inline"] == [t.type for t in benign if t.type != "inline"]
    assert sorted({t.type for t in _flat(hostile)} & {"html_inline", "html_block"}) == []
    assert sum(t.type == "link_open" for t in _flat(hostile)) == sum(t.type == "link_open" for t in _flat(benign))
    visible = " ".join(_inline_text(t) for t in hostile if t.type == "inline")
    assert _shown(value).strip() in visible


def test_the_document_never_prints_a_literal_secret_or_url_credentials() -> None:
    values = [f"benign {i}" for i in range(FIELDS)]
    values[9] = "see https://deploy:s3cret@git.example.com/x.git"
    values[10] = "hunter2"
    values[12] = "https://deploy:s3cret@git.example.com/config.git"
    document = _document(values)
    assert "s3cret" not in document and "hunter2" not in document
    assert f"https://deploy:{MASK}@git.example.com/config.git" in document
