"""The ``orion`` command: parse arguments, run the pipeline, write files, map to exit codes.

Exit codes: 0 ok; 1 spec errors (or warnings with --strict) or drift with --check;
2 usage errors; 70 an internal error (a bug in orion: please report it).
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from orion_dsl import __version__
from orion_dsl.codes import Code
from orion_dsl.collector import collector_paused
from orion_dsl.diagnostics import Diagnostic, Severity, render_json
from orion_dsl.source import SourceFile, UnreadableSpec
from orion_dsl.terminal import COLOR_MODES, DEFAULT_MAX_ERRORS, ColorMode, Console, StdoutUnwritable, write_stdout

if TYPE_CHECKING:
    from orion_dsl.pipeline import Analysis

EXIT_OK = 0
EXIT_SPEC_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


F = TypeVar("F", bound=Callable[..., Any])


def _summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    return f"{errors:,} error{'s' * (errors != 1)}, {warnings:,} warning{'s' * (warnings != 1)}"


def _read(spec: Path) -> SourceFile:
    """The spec a command names: a file, or standard input for ``-`` (reported as ``<stdin>``)."""
    try:
        return SourceFile.from_stream(sys.stdin.buffer) if str(spec) == "-" else SourceFile.read(spec)
    except UnreadableSpec as exc:
        raise click.BadParameter(str(exc), param_hint="SPEC") from None


def _analyze(spec: Path, console: Console) -> Analysis:
    """Read and analyse a spec, naming each stage on the console's progress line."""
    return _analyze_source(_read(spec), console)


def _analyze_source(source: SourceFile, console: Console) -> Analysis:
    """Analyse a spec already read, naming each stage on the console's progress line.

    The pipeline is imported here, not with this module: a re-compile whose stamp holds
    (:mod:`orion_dsl.up_to_date`) and ``orion explain CODE`` never load it.
    """
    from orion_dsl.pipeline import analyze_source

    return analyze_source(source, lambda stage: console.step(f"{source.name}: {stage}"))


def _console_options(command: F) -> F:
    """The options of every command that prints diagnostics: the error limit and colour."""
    command = click.option(
        "--max-errors",
        type=click.IntRange(min=0),
        default=DEFAULT_MAX_ERRORS,
        show_default=True,
        metavar="N",
        help="Print at most N errors, then count the rest (0: all). JSON output always has all.",
    )(command)
    return click.option(
        "--color",
        "color",
        type=click.Choice(COLOR_MODES),
        default="auto",
        show_default=True,
        help="Colour diagnostics: auto (when stderr is a terminal and NO_COLOR is not set), always or never.",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="orion", message="%(prog)s %(version)s")
def cli() -> None:
    """ORION: one declarative spec for microservices on Kubernetes and Istio.

    \b
    Example:
      orion check specs/orion.orion
      orion compile specs/orion.orion -o out
    """


@cli.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: every diagnostic of every spec as one JSON array on stdout.",
)
@_console_options
def check(specs: tuple[Path, ...], strict: bool, fmt: str, max_errors: int, color: ColorMode) -> None:
    """Check specs; report every problem with file:line:col and a fix.

    A SPEC of - is read from standard input and reported as <stdin>.

    \b
    Examples:
      orion check --strict specs/orion.orion examples/*.orion
      orion check --format json specs/orion.orion    # for editors and CI annotations
      generate-spec | orion check -                  # the spec from standard input
    """
    if sum(str(spec) == "-" for spec in specs) > 1:
        raise click.BadParameter("standard input can be read once: give - once", param_hint="SPECS")
    console = Console.for_stderr(max_errors, color)
    failed = False
    everything: list[Diagnostic] = []
    for spec in specs:
        analysis = _analyze(spec, console)
        everything.extend(analysis.diagnostics)
        has_warnings = any(d.severity is Severity.WARNING for d in analysis.diagnostics)
        failed = failed or not analysis.ok or (strict and has_warnings)
        if fmt == "text":
            console.diagnostics(analysis.diagnostics, analysis.source)
            ok = analysis.ok and not (strict and has_warnings)
            console.summary(f"{analysis.source.name}: {'ok (' if ok else ''}{_summary(analysis.diagnostics)}{')' if ok else ''}")
    if fmt == "json":
        console.done()
        write_stdout(render_json(everything))
    sys.exit(EXIT_SPEC_ERROR if failed else EXIT_OK)


def _written(folder: Path, files: int, added: int = 0, changed: int = 0, removed: int = 0) -> str:
    """A compile's line for one target folder; an unchanged re-compile prints it with nothing added, changed or removed."""
    return f"{folder}: {files} files ({added} added, {changed} changed, {removed} removed)"


def _targets(value: str | None) -> list[str]:
    from orion_dsl.backends import BACKENDS, UnknownTarget, known

    if value is None:
        return list(BACKENDS)
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise click.BadParameter(f"names no target; give one or more of {', '.join(BACKENDS)}", param_hint="--target")
    for name in names:
        try:
            known(name)
        except UnknownTarget as exc:
            raise click.BadParameter(str(exc), param_hint="--target") from exc
    return list(dict.fromkeys(names))


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path, allow_dash=True))
@click.option("-o", "--output", "output", required=True, help="Output folder, or - to print one target to stdout.")
@click.option("-t", "--target", "target", default=None, metavar="NAME[,NAME...]", help="Targets to build (default: all): kubernetes, istio, diagrams, docs.")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if OUT differs from what would be generated.")
@click.option("-v", "--verbose", is_flag=True, help="Also print facts a target cannot express (info).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--rebuild", is_flag=True, help="Compile in full even when OUT's stamp says nothing has changed since the last compile.")
@_console_options
@collector_paused()  # front end, back ends and writing: the collector would rescan the whole model many times
def compile(
    spec: Path, output: str, target: str | None, check_only: bool, verbose: bool, strict: bool, rebuild: bool, max_errors: int, color: ColorMode
) -> None:
    """Compile a spec into OUT/<target>/ for each target; nothing is written if anything fails.

    A SPEC of - is read from standard input and reported as <stdin>.

    When nothing the output depends on has changed since the compile that wrote OUT (the
    spec, the options, orion itself, the targets' files), the compile prints what that one
    printed and renders nothing: its stamp is kept in OUT/.orion/ (see --rebuild).

    \b
    Examples:
      orion compile specs/orion.orion -o out
      orion compile specs/orion.orion --target kubernetes -o - | kubectl apply -f -
      orion compile specs/orion.orion -o out --check     # CI drift check
    """
    from orion_dsl.output import OutputError, check_targets, write_targets
    from orion_dsl.up_to_date import compile_key, record, still_current

    targets = _targets(target)
    if not output:
        raise click.BadParameter("is empty: name an output folder, or - for stdout", param_hint="-o/--output")
    if output == "-" and len(targets) != 1:
        raise click.UsageError("-o - prints one target: name it with --target")
    if output == "-" and check_only:
        raise click.UsageError("--check compares an output folder: give -o OUT, not -o -")
    if output != "-" and Path(output).exists() and not Path(output).is_dir():
        raise click.BadParameter(f"{output} is not a folder", param_hint="-o/--output")
    console = Console.for_stderr(max_errors, color)
    source = _read(spec)
    out = Path(output)
    key = ""
    if output != "-" and not check_only:
        options = {"strict": strict, "verbose": verbose, "color": console.color, "max_errors": max_errors}
        key = compile_key(source, targets, options)
        stamp = None if rebuild else still_current(out, key)
        if stamp is not None:
            if stamp.transcript:
                console.say(stamp.transcript, nl=False)
            for name, count in stamp.files.items():
                console.say(_written(out / name, count))
            return
    from orion_dsl.backends import lookup  # past the stamp: what only a full compile needs
    from orion_dsl.backends.diagrams import renderer_dependent
    from orion_dsl.lowering.prerequisites import prerequisites

    analysis = _analyze_source(source, console)
    plan = analysis.plan
    warned = strict and any(d.severity is Severity.WARNING for d in analysis.diagnostics)
    if plan is None or warned:
        console.diagnostics(analysis.diagnostics, analysis.source)
        console.summary(f"{analysis.source.name}: {_summary(analysis.diagnostics)}; nothing written")
        sys.exit(EXIT_SPEC_ERROR)
    rendered = {}
    for number, name in enumerate(targets, 1):
        console.step(f"rendering {name} ({number}/{len(targets)})")
        rendered[name] = lookup(name)(plan)
    console.done()
    transcript = console.diagnostics_text([*analysis.diagnostics, *(d for r in rendered.values() for d in r.diagnostics)], analysis.source, verbose)
    if verbose:
        transcript += f"{prerequisites(plan).summary()}\n"
    if transcript:
        console.say(transcript, nl=False)
    if output == "-":
        write_stdout(next(iter(rendered.values())).stream)
        return
    files = {name: {a.path.removeprefix(f"{name}/"): a.text for a in r.artifacts} for name, r in rendered.items()}
    # Graphviz missing or failing (R06xx) may be this moment's trouble (a timeout, a broken font cache): no stamp, so the next compile draws again
    renderer_trouble = any(d.code.startswith("R06") for r in rendered.values() for d in r.diagnostics)
    if check_only:
        try:
            report = check_targets(out, files, ignored=renderer_dependent)
        except OutputError as exc:
            console.say(f"orion: cannot read {out}: {exc}")
            sys.exit(EXIT_USAGE)
        for name, d in report.drifts.items():
            for label, paths in (("missing", d.added), ("stale", d.removed), ("differs", d.changed)):
                for p in paths:
                    console.say(f"{label}: {out / name / p}")
        for leftover in report.interrupted:
            console.say(f"interrupted: {out / leftover} (a compile was stopped while writing; the next compile finishes its work)")
        for leftover in report.retired:
            console.say(f"note: orion could not delete {out / leftover} (trees it no longer needs); the next compile tries again")
        images = sum(len(d.not_compared) for d in report.drifts.values())
        if images:
            console.say(f"{images} rendered images not compared: they depend on the local Graphviz (their .dot files are compared)")
        console.say(f"{out}: {'up to date' if report.clean else 'out of date'}")
        sys.exit(EXIT_OK if report.clean else EXIT_SPEC_ERROR)
    try:
        changes = write_targets(
            out,
            files,
            on_wait=lambda: console.say(f"orion: waiting for another orion writing {out}"),
            on_warning=lambda message: console.say(f"orion: {message}"),
            on_written=lambda root: None if renderer_trouble else record(root, key, {name: len(f) for name, f in files.items()}, transcript),
        )
    except OutputError as exc:
        console.say(f"orion: cannot write {out}: {exc}")
        sys.exit(EXIT_USAGE)
    for name, change in changes.items():
        console.say(_written(out / name, len(files[name]), len(change.added), len(change.changed), len(change.removed)))


@cli.command()
@click.argument("spec", required=False, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--view", default="topology", show_default=True, help="The view to draw (see --list).")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "svg", "png"]), default="mermaid", show_default=True)
@click.option("-o", "--output", "output", default="-", help="File to write, or - for stdout.")
@click.option("--list", "list_views", is_flag=True, help="Name the views and exit.")
@_console_options
def diagram(spec: Path | None, view: str, fmt: str, output: str, list_views: bool, max_errors: int, color: ColorMode) -> None:
    """Draw one view of a spec as Mermaid, DOT, SVG or PNG.

    A SPEC of - is read from standard input and reported as <stdin>.

    \b
    Examples:
      orion diagram --list
      orion diagram specs/orion.orion --view policies --format svg -o policies.svg
    """
    from orion_dsl.backends.diagrams import render_view
    from orion_dsl.backends.diagrams.dot import DotMissing
    from orion_dsl.diagnostics import did_you_mean
    from orion_dsl.views import VIEWS

    if list_views:
        click.echo("\n".join(VIEWS))
        return
    if spec is None:
        raise click.UsageError("give a SPEC (or --list)")
    if view not in VIEWS:
        raise click.BadParameter(f'unknown view "{view}"; {did_you_mean(view, VIEWS)}', param_hint="--view")
    console = Console.for_stderr(max_errors, color)
    analysis = _analyze(spec, console)
    console.diagnostics(analysis.diagnostics, analysis.source)
    if analysis.topology is None:
        sys.exit(EXIT_SPEC_ERROR)
    console.step(f"drawing {view}")
    warned: list[str] = []
    try:
        data = render_view(analysis.topology, view, fmt, warned.append)
    except DotMissing as exc:
        console.say(f"orion: cannot draw {fmt}: {exc}; --format mermaid and --format dot need no Graphviz")
        sys.exit(EXIT_USAGE)
    console.done()
    for text in warned:
        console.say(f"orion: warning: {text}")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if output == "-":
        write_stdout(raw)
        return
    try:
        Path(output).write_bytes(raw)
    except OSError as exc:
        console.say(f"orion: cannot write {output}: {exc.strerror or exc}")
        sys.exit(EXIT_USAGE)


@cli.command()
@click.argument("subject", required=False, metavar="CODE|OBJECT")
@click.argument("spec", required=False, type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--list", "list_codes", is_flag=True, help="List every diagnostic code with what it means, and exit.")
@_console_options
def explain(subject: str | None, spec: Path | None, list_codes: bool, max_errors: int, color: ColorMode) -> None:
    """Explain a diagnostic code, or which spec lines made a generated object.

    A CODE is a letter (E, W, R or I) and four digits, in any case. An OBJECT is a generated
    file (kubernetes/orion-data/service-postgres.yaml) or Kind/namespace/name, read from SPEC.

    \b
    Examples:
      orion explain E0201
      orion explain --list
      orion explain kubernetes/orion-data/networkpolicy-postgres-egress.yaml specs/orion.orion
      orion explain Service/orion-data/postgres-primary specs/orion.orion
    """
    from orion_dsl.codes import CODE_PATTERN, CODES, REGISTRY
    from orion_dsl.diagnostics import did_you_mean

    if list_codes:
        if subject is not None:
            raise click.UsageError("give a CODE or --list, not both")
        width = max(len(c.severity.value) for c in CODES)
        write_stdout("".join(f"{c.name}  {c.severity.value:<{width}}  {c.meaning}\n" for c in CODES))
        return
    if subject is None:
        raise click.UsageError("give a diagnostic CODE such as E0201 (or --list), or a generated OBJECT and its SPEC")
    name = subject.strip().upper()
    if not CODE_PATTERN.fullmatch(name):
        if spec is None:
            accepted = "a diagnostic code: E, W, R or I and four digits, such as E0201 (orion explain --list shows them all)"
            raise click.BadParameter(
                f'"{subject}" is not a diagnostic code; orion explain takes {accepted}, or a generated object and the spec that makes it',
                param_hint="CODE|OBJECT",
            )
        _explain_object(subject, spec, Console.for_stderr(max_errors, color))
        return
    if spec is not None:
        raise click.UsageError("a diagnostic CODE takes no SPEC")
    code = REGISTRY.get(name)
    if code is None:
        hint = did_you_mean(name, [known for known in REGISTRY if known[0] == name[0]])
        raise click.BadParameter(f'no diagnostic has the code "{name}"; {hint} (orion explain --list shows them all)', param_hint="CODE")
    write_stdout(_explanation(code))


def _explain_object(subject: str, spec: Path, console: Console) -> None:
    """Print which spec lines made a generated object (exit 1 when the spec has errors, 2 for an unknown object)."""
    from orion_dsl import provenance
    from orion_dsl.backends import lookup
    from orion_dsl.diagnostics import did_you_mean

    analysis = _analyze(spec, console)
    console.done()
    if analysis.plan is None:
        console.diagnostics(analysis.diagnostics, analysis.source)
        console.summary(f"{analysis.source.name}: {_summary(analysis.diagnostics)}")
        sys.exit(EXIT_SPEC_ERROR)
    entry = provenance.find(analysis.plan, subject)
    if entry is None:
        hint = did_you_mean(subject.strip().lower(), provenance.known(analysis.plan, subject))
        raise click.BadParameter(f'{analysis.source.name} makes no object "{subject}"; {hint}', param_hint="OBJECT")
    written = entry.emitted and any(a.path == entry.id.path for a in lookup(entry.id.target)(analysis.plan).artifacts)
    write_stdout(provenance.explanation(entry, analysis.source, written, analysis.plan.patches))


#: ``orion explain`` wraps its paragraphs to this many columns.
EXPLAIN_WIDTH = 100


def _explanation(code: Code) -> str:
    """What ``orion explain CODE`` prints: the code, its severity and family, its meaning, why, the fix, where to read more."""
    paragraphs = [code.meaning, code.explanation, f"How to fix: {code.fix}" if code.fix else ""]
    lines = [f"{code.name} ({code.severity.value}): {code.family.title}"]
    for paragraph in filter(None, paragraphs):
        lines += ["", textwrap.fill(paragraph, EXPLAIN_WIDTH, break_long_words=False, break_on_hyphens=False)]
    lines += ["", "Read more:", *(f"  {place}" for place in code.family.read_more)]
    return "\n".join(lines) + "\n"


def _issues_url() -> str:
    """Where to report a bug: the ``Issues`` project URL of the installed distribution.

    importlib.metadata is imported here, on a crash only: importing it costs every command about 20 ms.
    """
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("orion-dsl").get_all("Project-URL") or []
    except PackageNotFoundError:
        return "the project's issue tracker"
    found = [url.split(",", 1)[1].strip() for url in urls if url.split(",", 1)[0].strip().lower() == "issues"]
    return found[0] if found else "the project's issue tracker"


def run() -> None:
    """The ``orion`` command and ``python -m orion_dsl``: :func:`main`, then the process ends without tearing down the interpreter.

    Tearing down frees the spec's model object by object: about 30 ms of ``orion check`` at 1,000 services
    (docs/PERFORMANCE.md, fifth pass), memory the operating system takes back at once. Nothing of ORION's
    waits for the interpreter's exit (no atexit handler, thread or temporary folder): the two output
    streams are flushed, and if that fails, or the exit status is not a number, the ordinary exit reports it.
    """
    try:
        main()
        status = EXIT_OK
    except SystemExit as exc:
        if exc.code is not None and not isinstance(exc.code, int):
            raise
        status = exc.code or EXIT_OK
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None when the stream was closed before orion started
                stream.flush()
    except (OSError, ValueError):
        sys.exit(status)
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI; an unexpected exception is a bug, reported in one line (exit 70)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="orion", standalone_mode=True)
    except SystemExit:
        raise
    except StdoutUnwritable as exc:
        click.echo(f"orion: cannot write standard output: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - the one place a bug becomes exit 70
        click.echo(
            f"orion: internal error ({type(exc).__name__}: {exc}); this is a bug in orion, please report it with the spec that caused it at {_issues_url()}",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
