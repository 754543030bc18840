"""The backend's public surface: views, render_view, artifacts, stream (determinism: tests/test_determinism.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.diagrams import VIEWS, dot, render, render_view, renderer_dependent
from orion_dsl.diagnostics import Severity
from orion_dsl.model import Topology
from tests.support.plans import planned

EXPECTED_VIEWS = ("topology", "namespaces", "network", "policies", "mesh", "ingress-egress", "scaling", "disaster-recovery")


def test_views_are_the_eight_in_order() -> None:
    assert VIEWS == EXPECTED_VIEWS


def test_artifacts_are_mmd_dot_svg_per_view(seed_out: Rendered) -> None:
    expected = [f"diagrams/{v}.{ext}" for v in VIEWS for ext in ("mmd", "dot", "svg")]
    assert [a.path for a in seed_out.artifacts] == expected


def test_seed_renders_without_diagnostics(seed_out: Rendered) -> None:
    assert seed_out.diagnostics == ()


def test_svg_carries_no_graphviz_version(seed_files: dict[str, str]) -> None:
    svgs = [text for path, text in seed_files.items() if path.endswith(".svg")]
    assert svgs and all("<svg" in s and "graphviz version" not in s for s in svgs)


def test_stream_is_every_mermaid_view_under_a_header(seed_out: Rendered, seed_files: dict[str, str]) -> None:
    expected = "\n".join(f"%% view: {v}\n{seed_files[f'diagrams/{v}.mmd']}" for v in VIEWS)
    assert seed_out.stream == expected


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "svg"])
def test_render_view_matches_the_artifact(seed: Topology, seed_files: dict[str, str], fmt: str) -> None:
    ext = {"mermaid": "mmd", "dot": "dot", "svg": "svg"}[fmt]
    assert render_view(seed, "network", fmt) == seed_files[f"diagrams/network.{ext}"]


def test_render_view_png_is_a_png(seed: Topology) -> None:
    png = render_view(seed, "scaling", "png")
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG\r\n\x1a\n")


def test_render_view_unknown_view_raises_key_error(seed: Topology) -> None:
    with pytest.raises(KeyError, match="topolgy"):
        render_view(seed, "topolgy", "dot")


def test_render_view_unknown_format_raises_value_error(seed: Topology) -> None:
    with pytest.raises(ValueError, match="jpeg"):
        render_view(seed, "topology", "jpeg")


def _no_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("orion_dsl.backends.diagrams.dot.shutil.which", lambda name: None)


def test_without_graphviz_svgs_are_skipped_and_the_rest_written(seed: Topology, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_graphviz(monkeypatch)
    paths = [a.path for a in render(planned(seed)).artifacts]
    assert paths == [f"diagrams/{v}.{ext}" for v in VIEWS for ext in ("mmd", "dot")]


def test_without_graphviz_one_warning_names_every_skipped_svg_and_the_install(seed: Topology, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_graphviz(monkeypatch)
    (diagnostic,) = render(planned(seed)).diagnostics
    assert (diagnostic.code, diagnostic.severity) == ("R0601", Severity.WARNING)
    assert all(f"diagrams/{v}.svg" in diagnostic.summary for v in VIEWS)
    assert "apt-get install graphviz" in diagnostic.help


def test_without_graphviz_render_view_svg_raises_dot_missing_with_the_install(seed: Topology, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_graphviz(monkeypatch)
    with pytest.raises(dot.DotMissing, match="apt-get install graphviz"):
        render_view(seed, "topology", "svg")


def _fake_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, script: str) -> None:
    """Put a ``dot`` on PATH that runs ``script`` (a POSIX shell body) instead of Graphviz."""
    fake = tmp_path / "dot"
    fake.write_text(f"#!/bin/sh\ncat > /dev/null\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")


def test_a_graphviz_warning_keeps_the_svg_and_becomes_a_warning(seed: Topology, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_dot(monkeypatch, tmp_path, "echo '<svg/>'; echo 'Warning: something odd' >&2")
    out = render(planned(seed))
    assert len([a for a in out.artifacts if a.path.endswith(".svg")]) == len(VIEWS)
    assert {d.code for d in out.diagnostics} == {"R0603"} and all("something odd" in d.summary for d in out.diagnostics)


def test_a_graphviz_failure_skips_that_svg_with_a_warning(seed: Topology, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_dot(monkeypatch, tmp_path, "echo 'Error: trouble in init_rank' >&2; exit 1")
    out = render(planned(seed))
    assert not [a for a in out.artifacts if a.path.endswith(".svg")]
    assert [d.code for d in out.diagnostics] == ["R0602"] * len(VIEWS)
    assert all(d.severity is Severity.WARNING and "trouble in init_rank" in d.summary for d in out.diagnostics)


def test_render_view_reports_a_graphviz_warning_and_returns_the_picture(seed: Topology, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_dot(monkeypatch, tmp_path, "echo '<svg/>'; echo 'Warning: odd' >&2")
    said: list[str] = []
    assert render_view(seed, "mesh", "svg", said.append) == "<svg/>\n"
    assert said == ["Graphviz warned while drawing the mesh view: Warning: odd"]


def test_only_images_depend_on_the_renderer() -> None:
    assert [p for p in ("mesh.svg", "mesh.png", "mesh.dot", "mesh.mmd", "architecture.md") if renderer_dependent(p)] == ["mesh.svg", "mesh.png"]
