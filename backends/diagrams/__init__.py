"""The diagrams backend: eight views of the topology as Mermaid, Graphviz DOT and SVG.

Each view is built once as a neutral graph (:mod:`orion_dsl.views`, shared with the docs)
and written by two emitters, so the Mermaid and DOT files of a view say the same thing.
SVG (and PNG on request) come from Graphviz laying out the DOT text.
"""

from __future__ import annotations

from orion_dsl.artifacts import Artifact, Rendered
from orion_dsl.backends.diagrams import dot
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import Topology
from orion_dsl.views import VIEWS, build_view, mermaid

#: The formats :func:`render_view` writes.
FORMATS: tuple[str, ...] = ("mermaid", "dot", "svg", "png")

__all__ = ["FORMATS", "VIEWS", "build_view", "render", "render_view"]


def render_view(topology: Topology, view: str, fmt: str) -> str | bytes:
    """One view in one format: ``mermaid``, ``dot``, ``svg`` (text) or ``png`` (bytes).

    Raises KeyError for an unknown view, ValueError for an unknown format, and
    :class:`~orion_dsl.backends.diagrams.dot.DotError` when Graphviz is missing or fails (svg, png).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown diagram format {fmt!r}; expected one of {', '.join(FORMATS)}")
    graph = build_view(topology, view)
    if fmt == "mermaid":
        return mermaid.emit(graph)
    text = dot.emit(graph)
    if fmt == "dot":
        return text
    if fmt == "svg":
        return dot.to_svg(text)
    return dot.run_dot(text, "png")


def render(topology: Topology) -> Rendered:
    """Every view as ``diagrams/<view>.mmd``, ``.dot`` and ``.svg``; the stream is all the Mermaid."""
    artifacts: list[Artifact] = []
    stream: list[str] = []
    diagnostics: list[Diagnostic] = []
    for view in VIEWS:
        graph = build_view(topology, view)
        mmd = mermaid.emit(graph)
        dot_text = dot.emit(graph)
        artifacts.append(Artifact(f"diagrams/{view}.mmd", mmd))
        artifacts.append(Artifact(f"diagrams/{view}.dot", dot_text))
        try:
            artifacts.append(Artifact(f"diagrams/{view}.svg", dot.to_svg(dot_text)))
        except dot.DotMissing as exc:
            diagnostics.append(info("I0601", None, f"diagrams/{view}.svg not written: {exc}", "install Graphviz to get SVG diagrams"))
        stream.append(f"%% view: {view}\n{mmd}")
    return Rendered(tuple(artifacts), "\n".join(stream), tuple(diagnostics))
