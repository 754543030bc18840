"""parse -> build syntax -> decode -> resolve -> check -> allow-graph -> lower, each callable on its own.

User errors are collected, never raised: :func:`analyze_source` returns the topology and its
lowering plan (``None`` when any error was found) with every diagnostic, in source order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import attrs

from orion_dsl import declarations as decl
from orion_dsl.analysis.allow_graph import build_allow_graph
from orion_dsl.collector import collector_paused
from orion_dsl.decode import decode_file
from orion_dsl.diagnostics import Diagnostic, error, sort_key
from orion_dsl.lowering import Plan, lower
from orion_dsl.model import Topology
from orion_dsl.parser import parse
from orion_dsl.semantic.checks import Context, run_checks
from orion_dsl.semantic.resolve import resolve
from orion_dsl.source import SourceFile, Span
from orion_dsl.syntax import Statement

#: The stages of the front end, in order, as :func:`analyze_source` announces them.
Stage = Literal["parsing", "decoding", "resolving", "planning"]


@attrs.frozen
class Analysis:
    """The outcome of analysing one spec: the topology and its plan if it is sound, and every diagnostic."""

    source: SourceFile
    plan: Plan | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def topology(self) -> Topology | None:
        """The resolved topology (None when an error was found)."""
        return self.plan.topology if self.plan is not None else None

    @property
    def ok(self) -> bool:
        """Whether no error was found (warnings allowed)."""
        return self.plan is not None


def parse_statements(source: SourceFile) -> tuple[tuple[Statement, ...], list[Diagnostic]]:
    """Text -> syntax tree (empty when there is a syntax error), and the syntax errors."""
    return parse(source)


def decode_spec(source: SourceFile, statements: tuple[Statement, ...]) -> tuple[decl.SpecDecl, list[Diagnostic]]:
    """Syntax tree -> declarations, with unknown keywords and bad values reported."""
    diags: list[Diagnostic] = []
    span = statements[0].span if statements else Span(source.name, 1, 1, 1, 1)
    return decode_file(decl.SpecDecl, statements, span, diags), diags


def analyze_decls(spec: decl.SpecDecl) -> tuple[Topology, list[Diagnostic]]:
    """Declarations -> resolved, checked topology with its allow-graph, and every finding."""
    topology, spans, diags = resolve(spec)
    graph, graph_diags = build_allow_graph(topology)
    topology = attrs.evolve(topology, allow_graph=graph)
    return topology, [*diags, *run_checks(Context(topology, spans, spec)), *graph_diags]


def patch_plan(plan: Plan, patches: tuple[decl.PatchDecl, ...]) -> tuple[Plan, list[Diagnostic]]:
    """The plan with the spec's patches resolved, and what is wrong with them: a target, field or value the
    schemas refuse, or an operation the generated object refuses (each target is built to find out); and
    W0313 for a patch of what the allow-graph computed."""
    from orion_dsl.backends import build
    from orion_dsl.patches.check import check_patches  # a spec without patches (and `orion check` of one) never loads these
    from orion_dsl.patches.graph import graph_warnings
    from orion_dsl.patches.read import read_patches

    resolved, diags = read_patches(patches, plan)
    if diags:
        return plan, diags
    patched = Plan(attrs.evolve(plan.topology, patches=resolved), plan.entries)
    return patched, [*check_patches(resolved, patched, build), *graph_warnings(resolved)]


def _quiet(stage: Stage) -> None:
    """The default stage callback: say nothing."""


@collector_paused()
def analyze_source(source: SourceFile, on_stage: Callable[[Stage], None] = _quiet) -> Analysis:
    """Run the whole front end on one spec; ``on_stage`` hears each stage as it starts (a progress line).

    The cyclic garbage collector is paused meanwhile (:func:`collector_paused`).
    """
    return _analyze(source, on_stage)


def _analyze(source: SourceFile, on_stage: Callable[[Stage], None]) -> Analysis:
    if "\x00" in source.text:
        line, column = source.position(source.text.index("\x00"))
        span = Span(source.name, line, column, line, column + 1)
        return Analysis(source, None, (error("E0105", span, "the file contains NUL bytes; it is not a text spec", "give orion a UTF-8 text file"),))
    if source.undecodable is not None:
        line, column = source.position(source.undecodable)
        span = Span(source.name, line, column, line, column + 1)
        hint = "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8), or write the character as an escape such as \\u00e9"
        return Analysis(source, None, (error("E0105", span, "the file is not UTF-8 text: these bytes are not UTF-8", hint),))
    on_stage("parsing")
    statements, diags = parse_statements(source)
    if diags:
        return Analysis(source, None, tuple(sorted(diags, key=sort_key)))
    on_stage("decoding")
    spec, decode_diags = decode_spec(source, statements)
    del statements  # the syntax tree is as large as the declarations: never hold both past decoding
    on_stage("resolving")
    topology, semantic = analyze_decls(spec)
    patches = spec.patches
    del spec  # nor the declarations past the checks, beside the model and its plan
    # A fault in shared defaults is found once per workload that inherits it: report it once.
    found = [*decode_diags, *semantic]
    plan = None
    if not any(d.is_error for d in found):
        on_stage("planning")
        plan, planning = lower(topology)
        found += planning
        if patches and not any(d.is_error for d in planning):
            plan, patching = patch_plan(plan, patches)
            found += patching
    everything = sorted(dict.fromkeys(found), key=sort_key)
    failed = any(d.is_error for d in everything)
    return Analysis(source, None if failed else plan, tuple(everything))


def analyze_text(text: str, name: str = "<string>") -> Analysis:
    """Analyse spec text given directly (tests, stdin)."""
    return analyze_source(SourceFile(name, text))


def analyze_file(path: Path) -> Analysis:
    """Analyse a spec file."""
    return analyze_source(SourceFile.read(path))
