"""The diagrams backend: eight views of the topology as Mermaid, Graphviz DOT and SVG.

Each view is built once as a neutral graph (:mod:`orion_dsl.views`, shared with the docs)
and written by two emitters, Mermaid (:mod:`orion_dsl.backends.formats.mermaid`, shared with
the docs) and DOT (:mod:`.dot`), so the Mermaid and DOT files of a view say the same thing.
SVG (and PNG on request) come from Graphviz laying out the DOT text.

The ``.svg`` files depend on the local Graphviz (2.43 and 12.x place the same graph
differently), the ``.mmd`` and ``.dot`` files only on the spec: :func:`renderer_dependent`
names the former, so a drift check can leave them out. Without Graphviz a compile still
writes every ``.mmd`` and ``.dot`` and says, in one warning, which SVGs it skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import PurePosixPath

import attrs

from orion_dsl.artifacts import Artifact, Rendered
from orion_dsl.backends.diagrams import dot
from orion_dsl.backends.formats import mermaid
from orion_dsl.diagnostics import Diagnostic, warning
from orion_dsl.lowering import Plan
from orion_dsl.model import Topology
from orion_dsl.views import VIEWS, build_view, planned_view

#: The formats :func:`render_view` writes.
FORMATS: tuple[str, ...] = ("mermaid", "dot", "svg", "png")

#: Suffixes of the files Graphviz draws (their bytes depend on its version).
RENDERED_SUFFIXES: tuple[str, ...] = (".svg", ".png")

#: Graphviz layouts run at once while compiling (``dot`` is single-threaded).
_PARALLEL_LAYOUTS = 4

__all__ = ["FORMATS", "RENDERED_SUFFIXES", "VIEWS", "build_view", "render", "render_view", "renderer_dependent"]


def renderer_dependent(path: str) -> bool:
    """Whether a generated file is drawn by the local renderer (an image), not derived from the spec alone."""
    return PurePosixPath(path).suffix in RENDERED_SUFFIXES


def render_view(topology: Topology, view: str, fmt: str, on_warning: Callable[[str], None] | None = None) -> str | bytes:
    """One view in one format: ``mermaid``, ``dot``, ``svg`` (text) or ``png`` (bytes).

    Raises KeyError for an unknown view, ValueError for an unknown format, and
    :class:`~orion_dsl.backends.diagrams.dot.DotMissing` or ``DotFailed`` when Graphviz is
    missing or fails (svg, png). A Graphviz warning goes to ``on_warning`` (the picture is drawn).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown diagram format {fmt!r}; expected one of {', '.join(FORMATS)}")
    graph = build_view(topology, view)
    if fmt == "mermaid":
        return mermaid.emit(graph)
    text = dot.emit(graph)
    if fmt == "dot":
        return text
    layout = dot.run_dot(text, "svg" if fmt == "svg" else "png")
    if layout.warnings and on_warning is not None:
        on_warning(f"Graphviz warned while drawing the {view} view: {layout.warnings}")
    return dot.svg_text(layout) if fmt == "svg" else layout.output


@attrs.frozen
class _Drawn:
    """One view's SVG, or why there is none (Graphviz missing or failing), and any Graphviz warning."""

    path: str
    svg: str | None
    error: dot.DotError | None = None
    warnings: str = ""


def _draw(path: str, dot_text: str) -> _Drawn:
    try:
        layout = dot.run_dot(dot_text, "svg")
    except dot.DotError as exc:
        return _Drawn(path, None, exc)
    return _Drawn(path, dot.svg_text(layout), None, layout.warnings)


def _problems(drawn: list[_Drawn]) -> list[Diagnostic]:
    """What went wrong drawing the SVGs: one warning for a missing Graphviz, one per failed or warned view."""
    out: list[Diagnostic] = []
    missing = [d.path for d in drawn if isinstance(d.error, dot.DotMissing)]
    if missing:
        summary = f"Graphviz `dot` is not installed: {len(missing)} SVG diagrams not written ({', '.join(missing)})"
        out.append(warning("R0601", None, summary, f"the .mmd and .dot files are written; {dot.INSTALL_HINT}; then compile again"))
    for d in drawn:
        if d.error is not None and not isinstance(d.error, dot.DotMissing):
            summary = f"Graphviz could not draw {d.path} (not written): {d.error}"
            out.append(warning("R0602", None, summary, "the .dot file is written; please report this with the spec"))
        elif d.warnings:
            out.append(warning("R0603", None, f"Graphviz warned while drawing {d.path} (written): {d.warnings}", "please report this with the spec"))
    return out


def _stream(mermaid_texts: list[str]) -> str:
    """All the Mermaid, each view headed by its name: what ``-o -`` prints."""
    return "\n".join(f"%% view: {view}\n{mmd}" for view, mmd in zip(VIEWS, mermaid_texts, strict=True))


def render(plan: Plan) -> Rendered:
    """Every view as ``diagrams/<view>.mmd``, ``.dot`` and ``.svg``; the stream is all the Mermaid.

    A view Graphviz cannot draw (missing, failing) has no ``.svg`` and a warning says so:
    a renderer's trouble never stops the other files.
    """
    graphs = [planned_view(plan, view) for view in VIEWS]
    texts = [(mermaid.emit(g), dot.emit(g)) for g in graphs]
    with ThreadPoolExecutor(max_workers=_PARALLEL_LAYOUTS) as pool:
        drawn = list(pool.map(_draw, [f"diagrams/{v}.svg" for v in VIEWS], [d for _, d in texts]))
    artifacts: list[Artifact] = []
    for view, (mmd, dot_text), svg in zip(VIEWS, texts, drawn, strict=True):
        artifacts.append(Artifact(f"diagrams/{view}.mmd", mmd))
        artifacts.append(Artifact(f"diagrams/{view}.dot", dot_text))
        if svg.svg is not None:
            artifacts.append(Artifact(svg.path, svg.svg))
    mermaid_texts = [mmd for mmd, _ in texts]
    return Rendered(tuple(artifacts), lambda: _stream(mermaid_texts), tuple(_problems(drawn)))
