"""Names and descriptions with characters special to Mermaid or DOT are shown as written."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orion_dsl.backends.diagrams import VIEWS, dot, render
from orion_dsl.backends.formats import mermaid
from orion_dsl.pipeline import analyze_text
from tests.conftest import ROOT
from tests.diagrams.conftest import HOSTILE, NASTY, hostile_graph
from tests.diagrams.dotdata import all_text, cluster_text, edge_text, node_text
from tests.support.renderers import mermaid_parse, render_dot

_ENTITY = re.compile(r"#(quot|amp|lt|gt|\d+);")
_NAMED = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}


def _unescape_mermaid(text: str) -> str:
    """What Mermaid shows for an escaped label: its entities decoded."""
    return _ENTITY.sub(lambda m: _NAMED.get(m.group(1)) or chr(int(m.group(1))), text)


@pytest.mark.parametrize("char", ['"', "#", "<", ">", "&", "`", "|", "%", "\\"])
def test_mermaid_escape_writes_syntax_characters_as_entities(char: str) -> None:
    assert re.fullmatch(r"a#\w+;b", mermaid.escape(f"a{char}b"))


def test_mermaid_escape_keeps_unicode_and_brackets() -> None:
    assert mermaid.escape("[x] {y} ; é 字") == "[x] {y} ; é 字"


def test_mermaid_escape_turns_line_breaks_into_spaces() -> None:
    assert mermaid.escape("a\nb\tc") == "a b c"


def test_dot_quote_escapes_quotes_backslashes_and_ampersands() -> None:
    assert dot.quote('say "hi" \\N &') == '"say \\"hi\\" \\\\N &amp;"'


def test_dot_shows_a_hostile_workload_description_as_written(nasty_files: dict[str, str]) -> None:
    shown = node_text(nasty_files["diagrams/topology.dot"])["wl_end"]
    assert shown.split("\n") == ["end Deployment", NASTY, "Replicas: 1"]


def test_dot_shows_graphviz_escapes_literally(nasty_files: dict[str, str]) -> None:
    shown = node_text(nasty_files["diagrams/namespaces.dot"])["ns_end_ns"]
    assert shown.split("\n")[0] == f"{NASTY} <br/> \\N `tick` &amp; %%{{init}}%%"


def test_dot_shows_a_hostile_subnet_description_in_its_cluster(nasty_files: dict[str, str]) -> None:
    assert f"({NASTY} %% end)" in all_text(nasty_files["diagrams/network.dot"])


def test_mermaid_label_carries_no_raw_quote(nasty_files: dict[str, str]) -> None:
    for view in VIEWS:
        for line in nasty_files[f"diagrams/{view}.mmd"].splitlines():
            if "[" in line and "quoted" in line:
                inside = line.split('["', 1)[1].rsplit('"]', 1)[0]
                assert '"' not in inside


@given(st.text())
def test_mermaid_escape_is_one_quoted_line_that_decodes_to_the_text(text: str) -> None:
    escaped = mermaid.escape(text)
    assert escaped and '"' not in escaped and not any(ch in escaped for ch in "\r\n\u2028\u2029\x85")
    shown = "".join(" " if ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029\ufeff" else ch for ch in text) or " "
    assert _unescape_mermaid(escaped) == shown


def test_mermaid_escape_of_nothing_is_a_space_mermaid_accepts() -> None:
    assert mermaid.escape("") == " "


def test_hostile_graph_parses_with_the_real_mermaid_parser(mmd_paths: dict[str, Path]) -> None:
    mermaid_parse([mmd_paths["hostile-graph"]])


def test_hostile_graph_renders_through_dot_without_warnings() -> None:
    assert render_dot(dot.emit(hostile_graph())).startswith(b"<?xml")


@pytest.mark.parametrize("index", range(len(HOSTILE)), ids=[repr(h)[:24] for h in HOSTILE])
def test_dot_shows_a_hostile_string_as_written_in_a_node_a_cluster_and_an_arrow(index: int) -> None:
    text = dot.emit(hostile_graph())
    written = HOSTILE[index].replace("\t", " ")
    assert node_text(text)[f"n{index}"] == (f"{written}\n{written}" if written else "")
    assert cluster_text(text)[f"cluster_sg_c{index}"] == written
    if index:
        assert edge_text(text)[(f"n{index - 1}", f"n{index}")] == [written]


def test_mermaid_cli_shows_hostile_markup_as_text(mermaid_svgs: dict[str, str]) -> None:
    svg = mermaid_svgs["hostile-graph"]
    assert "<script>" not in svg
    assert html.escape("<script>alert(1)</script>", quote=False) in svg


def test_no_view_prints_credentials_of_a_git_url() -> None:
    spec = (ROOT / "examples" / "disaster-recovery.orion").read_text(encoding="utf-8")
    secret = spec.replace('config_in_git "https://git.example.com/shop/config"', 'config_in_git "https://deploy:s3cret@git.example.com/shop/config"')
    assert secret != spec
    analysis = analyze_text(secret)
    assert analysis.topology is not None
    rendered = render(analysis.plan)
    texts = {a.path: a.text for a in rendered.artifacts if a.path.endswith((".mmd", ".dot"))}
    assert any("git.example.com/shop/config" in text for text in texts.values())
    assert not [path for path, text in texts.items() if "s3cret" in text]
