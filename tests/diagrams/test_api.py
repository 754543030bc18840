"""The backend's public surface: views, render_view, artifacts, stream, determinism."""

from __future__ import annotations

import pytest

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.diagrams import VIEWS, render, render_view
from orion_dsl.model import Topology

EXPECTED_VIEWS = ("topology", "namespaces", "network", "policies", "mesh", "ingress-egress", "scaling", "disaster-recovery")


def test_views_are_the_eight_in_order() -> None:
    assert VIEWS == EXPECTED_VIEWS


def test_artifacts_are_mmd_dot_svg_per_view(seed_out: Rendered) -> None:
    expected = [f"diagrams/{v}.{ext}" for v in VIEWS for ext in ("mmd", "dot", "svg")]
    assert [a.path for a in seed_out.artifacts] == expected


def test_seed_renders_without_diagnostics(seed_out: Rendered) -> None:
    assert seed_out.diagnostics == ()


def test_render_is_deterministic(seed: Topology, seed_out: Rendered) -> None:
    assert render(seed) == seed_out


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


def test_without_graphviz_svgs_are_skipped_with_a_note(seed: Topology, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("orion_dsl.backends.diagrams.dot.shutil.which", lambda name: None)
    out = render(seed)
    assert not [a for a in out.artifacts if a.path.endswith(".svg")]
    assert [d.code for d in out.diagnostics] == ["I0601"] * len(VIEWS)
