"""No input, however broken, makes orion raise: every failure is a diagnostic with a valid position."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orion_dsl.pipeline import Analysis, analyze_source, analyze_text
from orion_dsl.source import SourceFile

SEED_TEXT = (Path(__file__).resolve().parents[2] / "specs" / "orion.orion").read_text()
SEED_LINES = SEED_TEXT.splitlines(keepends=True)


def assert_positions_valid(analysis: Analysis) -> None:
    """Every diagnostic points inside the text it was given."""
    lines = analysis.source.text.split("\n")
    for d in analysis.diagnostics:
        assert d.span is not None, d
        assert 1 <= d.span.line <= len(lines), d
        assert 1 <= d.span.column <= len(lines[d.span.line - 1]) + 1, d


def test_empty_file_says_topology_is_missing() -> None:
    analysis = analyze_text("", "empty.orion")
    assert [d.code for d in analysis.diagnostics] == ["E0115"]
    assert_positions_valid(analysis)


def test_binary_bytes_are_reported_not_raised() -> None:
    data = bytes(range(256)) * 4
    analysis = analyze_source(SourceFile("blob.orion", data.decode("utf-8", errors="replace")))
    assert not analysis.ok
    assert_positions_valid(analysis)


def test_non_utf8_text_is_reported_at_its_position() -> None:
    source = SourceFile.decode('topology x {\n  version "caf\xe9"\n}\n'.encode("latin-1"), "latin1.orion")
    analysis = analyze_source(source)
    assert [(d.code, d.span.line, d.span.column) for d in analysis.diagnostics] == [("E0105", 2, 15)]
    assert not analysis.ok and "not UTF-8" in analysis.diagnostics[0].summary
    assert_positions_valid(analysis)


def test_a_replacement_character_written_in_utf8_is_text() -> None:
    source = SourceFile.decode('topology x {\n  version "caf\ufffd"\n}\n'.encode(), "fffd.orion")
    assert source.undecodable is None and "E0105" not in [d.code for d in analyze_source(source).diagnostics]


def test_ten_thousand_nested_braces_are_refused_with_a_diagnostic() -> None:
    analysis = analyze_text("a " + "{ b " * 10_000 + "}" * 10_000 + "\n", "deep.orion")
    assert [d.code for d in analysis.diagnostics] == ["E0104"]


def test_ten_megabyte_file_is_analysed_without_error() -> None:
    body = "".join(f'external e{i} {{ host "h{i}.example.com"; port https 443 }}\n' for i in range(200_000))
    text = 'topology big { version "1" }\n' + body
    assert len(text) > 10_000_000
    analysis = analyze_text(text, "big.orion")
    assert analysis.ok


def test_every_truncation_of_the_seed_yields_diagnostics_not_exceptions() -> None:
    for cut in range(0, len(SEED_TEXT), 997):
        assert_positions_valid(analyze_text(SEED_TEXT[:cut], "cut.orion"))


def test_unknown_keywords_everywhere_are_all_reported_in_one_run() -> None:
    text = 'topology x { versoin "1" }\nnamespace a { servise b { } }\nfoo bar\n'
    analysis = analyze_text(text, "typos.orion")
    assert [d.code for d in analysis.diagnostics] == ["E0110", "E0110", "E0110"]


_mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(SEED_LINES) - 1)),
    st.tuples(st.just("duplicate"), st.integers(0, len(SEED_LINES) - 1)),
    st.tuples(st.just("swap"), st.integers(0, len(SEED_LINES) - 1), st.integers(0, len(SEED_LINES) - 1)),
    st.tuples(st.just("truncate"), st.integers(0, len(SEED_TEXT))),
    st.tuples(st.just("insert"), st.integers(0, len(SEED_TEXT)), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("token"), st.integers(0, len(SEED_LINES) - 1), st.integers(0, 12), st.integers(0, 12)),
)


def _apply(text_lines: list[str], mutation: tuple[object, ...]) -> str:
    """Apply one mutation; positions wrap around so they stay valid as the text shrinks."""
    kind = mutation[0]
    lines = list(text_lines)
    n = len(lines)
    if kind == "delete":
        del lines[int(mutation[1]) % n]  # type: ignore[call-overload]
    elif kind == "duplicate":
        i = int(mutation[1]) % n  # type: ignore[call-overload]
        lines.insert(i, lines[i])
    elif kind == "swap":
        i, j = int(mutation[1]) % n, int(mutation[2]) % n  # type: ignore[call-overload]
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "token":
        i = int(mutation[1]) % n  # type: ignore[call-overload]
        words = lines[i].split(" ")
        a, b = int(mutation[2]) % len(words), int(mutation[3]) % len(words)  # type: ignore[call-overload]
        words[a], words[b] = words[b], words[a]
        lines[i] = " ".join(words)
    text = "".join(lines)
    if kind == "truncate":
        text = text[: int(mutation[1])]  # type: ignore[call-overload]
    elif kind == "insert":
        at = int(mutation[1])  # type: ignore[call-overload]
        junk = bytes(mutation[2]).decode("utf-8", errors="replace")  # type: ignore[call-overload]
        text = text[:at] + junk + text[at:]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_mutation, min_size=1, max_size=3))
def test_mutated_seed_never_escapes_and_every_diagnostic_has_a_position(mutations: list[tuple[object, ...]]) -> None:
    text = SEED_TEXT
    for m in mutations:
        text = _apply(text.splitlines(keepends=True) or [""], m)
    analysis = analyze_text(text, "mutant.orion")
    assert_positions_valid(analysis)
    if not analysis.ok:
        assert any(d.is_error for d in analysis.diagnostics)


def test_windows_line_endings_and_a_byte_order_mark_are_accepted(tmp_path: Path) -> None:
    from orion_dsl.pipeline import analyze_file

    path = tmp_path / "windows.orion"
    path.write_bytes(b'\xef\xbb\xbftopology t { version "1" }\r\nnamespace a {\r\n  service b { image "x:1"; port http 80 }\r\n}\r\n')
    assert analyze_file(path).diagnostics == ()


def test_a_list_option_written_twice_inline_is_reported() -> None:
    database = "replicas 3; database { read_replicas 2 weights 50% weights 50% }"
    text = f'topology t {{ version "1" }}\nnamespace a {{ statefulset db {{ image "p:1"; port sql 5432; {database} }} }}\n'
    assert [d.code for d in analyze_text(text).diagnostics] == ["E0114"]


def test_namespace_label_values_follow_kubernetes_rules() -> None:
    text = 'topology t { version "1" }\nnamespace a { labels { team "a b!"; tier "edge" } }\n'
    assert [(d.code, d.span.line if d.span else 0) for d in analyze_text(text).diagnostics] == [("E0204", 2)]


def test_a_fault_in_shared_defaults_is_reported_once() -> None:
    text = (
        'topology t { version "1" }\ndefaults { resources { cpu 900m..100m } }\n'
        'namespace a { service one { image "x:1"; port http 80 }\n  service two { image "x:1"; port http 80 } }\n'
    )
    assert [d.code for d in analyze_text(text).diagnostics] == ["E0205"]


def test_a_required_option_with_a_bad_value_is_not_also_missing() -> None:
    text = 'topology t { version "1" }\nnamespace a { service one { image "x:1"; port http 80; volume logs empty-dir at 5 } }\n'
    assert [d.code for d in analyze_text(text).diagnostics] == ["E0111"]


def test_the_snippet_line_is_the_parser_line_whatever_the_unicode_separators() -> None:
    text = 'topology t { version "1" }\n# a\u2028comment\nnamespace a {\n  service one { image "x:1"; port http 80; calls nowhere }\n}\n'
    from orion_dsl.diagnostics import render_text

    analysis = analyze_text(text, "u.orion")
    assert "4 |   service one" in render_text(analysis.diagnostics, {"u.orion": analysis.source})


def test_a_backup_kind_written_twice_for_one_workload_is_reported() -> None:
    text = (
        'topology t { version "1" }\nnamespace a { service r { image "redis:7"; port redis 6379\n'
        "  backup snapshot every 1h to s3\n  backup snapshot every 2h to s3 } }\n"
        "recovery { target s3 { kind s3; bucket \"b\" } }\n"
    )
    diagnostics = analyze_text(text).diagnostics
    assert [(d.code, d.span.line if d.span else 0) for d in diagnostics] == [("E0203", 4)]
    assert diagnostics[0].related and diagnostics[0].related[0].span.line == 3


def test_a_workload_named_like_an_object_orion_makes_for_another_is_reported() -> None:
    text = (
        'topology t { version "1" }\nnamespace a {\n'
        '  service gateway { image "x:1"; port http 80; blue_green { blue "1"; green "2"; active blue } }\n'
        '  service gateway-blue { image "x:1"; port http 80 }\n'
        '  service other-blue { image "x:1"; port http 80 }\n}\n'
        'namespace b { service gateway-green { image "x:1"; port http 80 } }\n'  # another namespace: no clash
    )
    diagnostics = analyze_text(text).diagnostics
    assert [(d.code, d.span.line if d.span else 0) for d in diagnostics] == [("E0203", 4)]
    assert diagnostics[0].related and diagnostics[0].related[0].span.line == 3
