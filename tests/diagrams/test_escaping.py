"""Names and descriptions with characters special to Mermaid or DOT are shown as written."""

from __future__ import annotations

import re

import pytest

from orion_dsl.backends.diagrams import VIEWS, dot
from orion_dsl.views import mermaid
from tests.diagrams.conftest import NASTY
from tests.diagrams.dotdata import all_text, node_text


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
