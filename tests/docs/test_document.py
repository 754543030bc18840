"""The document as a whole: one artifact, valid Markdown, working links, rendering diagrams, stable text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

import orion_dsl
from orion_dsl.artifacts import Rendered
from orion_dsl.backends import lookup
from orion_dsl.backends.docs import PATH, VIEWS, render
from orion_dsl.lowering.prerequisites import DOCUMENT
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.support.plans import planned
from tests.support.renderers import mermaid_render
from tests.support.snapshots import MarkdownSnapshot

from .markdown import Document, cells_per_row, pipe_lines

#: The smallest sound spec: no ingress, mesh, monitoring, recovery or scaling.
MINIMAL = """
topology bare {
  version "0.0.1"
  kubernetes "1.28"
  istio "1.22"
  domain "bare.example"
}
namespace apps {
  service web { image "nginx:1.27"; replicas 1; port http 8080 }
}
"""


def _tables_intact(text: str) -> None:
    doc = Document(text)
    assert doc.tables, "the document has no table"
    in_tables = {n for t in doc.tables for n in t.source_rows} | {t.source_rows[0] + 1 for t in doc.tables}
    stray = [doc.lines[n] for n in pipe_lines(text) if n not in in_tables]
    assert not stray, f"lines that look like table rows but are not in a table: {stray[:3]}"
    for table in doc.tables:
        assert all(len(r) == len(table.header) for r in table.rows)
        counts = cells_per_row(doc, table)
        assert set(counts) == {len(table.header)}, f"table {table.header} under {table.headings}: cells per row {counts}"


def _links_resolve(text: str) -> None:
    doc = Document(text)
    anchors = set(doc.anchors())
    internal = [link[1:] for link in doc.links if link.startswith("#")]
    assert internal, "the document has no internal link"
    assert [a for a in internal if a not in anchors] == []


def test_render_is_the_docs_target() -> None:
    assert lookup("docs") is render


def test_two_artifacts_the_architecture_and_the_prerequisites(seed_rendered: Rendered) -> None:
    assert [a.path for a in seed_rendered.artifacts] == [PATH, DOCUMENT] == ["docs/architecture.md", "docs/PREREQUISITES.md"]


def test_stream_is_the_document(seed_rendered: Rendered) -> None:
    assert seed_rendered.stream == seed_rendered.artifacts[0].text


def test_renders_without_diagnostics(seed_rendered: Rendered) -> None:
    assert seed_rendered.diagnostics == ()


def test_seed_tables_are_intact(seed_text: str) -> None:
    _tables_intact(seed_text)


def test_seed_internal_links_resolve(seed_text: str) -> None:
    _links_resolve(seed_text)


def test_contents_lists_every_section(doc: Document) -> None:
    sections = [f"#{a}" for (level, _), a in zip(doc.headings, doc.anchors(), strict=True) if level == 2 and a != "contents"]
    contents = [link for link in doc.links if link.startswith("#")]
    assert [s for s in sections if s not in contents] == []


def test_seed_embeds_every_view_once(doc: Document) -> None:
    assert len(doc.mermaid()) == len(VIEWS) == 8


def test_seed_mermaid_blocks_render_in_one_batch(seed_text: str, tmp_path: Path) -> None:
    source = tmp_path / "architecture.md"
    source.write_text(seed_text, encoding="utf-8")
    svgs = mermaid_render([source], tmp_path / "out")
    assert len(svgs) == len(VIEWS)


def test_seed_snapshot(seed_text: str, snapshot: SnapshotAssertion) -> None:
    assert seed_text == snapshot(extension_class=MarkdownSnapshot)


def test_two_renders_are_identical(seed: Topology, seed_text: str) -> None:
    assert render(planned(seed)).stream == seed_text


def test_version_section_has_no_timestamp(doc: Document) -> None:
    text = doc.section("Version").text + " ".join(" ".join(r) for t in doc.section("Version").tables for r in t.rows)
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}", text)


def test_generator_version_is_stated(doc: Document) -> None:
    assert doc.table("Version").keyed()["Generator"]["Value"] == f"orion_dsl {orion_dsl.__version__}"


def test_ends_with_one_newline(seed_text: str) -> None:
    assert seed_text.endswith("\n") and not seed_text.endswith("\n\n")


def test_no_run_of_blank_lines(seed_text: str) -> None:
    assert "\n\n\n" not in seed_text


@pytest.fixture(scope="module")
def bare() -> Topology:
    """A topology with every optional part left out."""
    analysis = analyze_text(MINIMAL, "bare.orion")
    assert analysis.topology is not None, analysis.diagnostics
    return analysis.topology


def test_bare_topology_renders_sound_markdown(bare: Topology) -> None:
    text = render(planned(bare)).stream
    _tables_intact(text)
    _links_resolve(text)


def test_bare_topology_says_what_is_absent(bare: Topology) -> None:
    doc = Document(render(planned(bare)).stream)
    assert doc.section("Service mesh").text == "No service mesh is declared."


def test_bare_topology_embeds_only_applicable_views(bare: Topology) -> None:
    assert len(Document(render(planned(bare)).stream).mermaid()) == 4


def test_example_tables_are_intact(example: Topology) -> None:
    _tables_intact(render(planned(example)).stream)


def test_example_internal_links_resolve(example: Topology) -> None:
    _links_resolve(render(planned(example)).stream)


def test_the_policy_section_says_where_the_api_servers_callers_may_go() -> None:
    """Unstated, any address but link-local (I1088); stated, those addresses only."""
    spec = MINIMAL.replace("}\n", "}\nnetwork { default deny }\n", 1)
    spec += 'namespace ops { service panel { image "x/panel:1"; port http 8080; kubernetes_api on } }\n'
    cases = (("network { default deny }", "at any address but link-local"), ("network { default deny; api_server 10.0.0.1/32 }", "at 10.0.0.1/32 only"))
    for network, where in cases:
        analysis = analyze_text(spec.replace("network { default deny }", network), "api.orion")
        assert analysis.topology is not None, [d.summary for d in analysis.diagnostics]
        text = render(planned(analysis.topology)).stream
        assert f"**Kubernetes API server:** panel reaches the Kubernetes API server on 443 and 6443 {where}" in text
