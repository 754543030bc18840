"""Helpers that run external renderers and scanners on generated artefacts.

Each helper calls the real tool (Graphviz ``dot``, the pinned Mermaid tooling
under ``node_modules/``, Checkov in ``.venv-checkov/``) and turns a failure into
an ``AssertionError`` carrying the tool's own output.

A missing tool makes the calling test *fail* when the environment variable
``CI`` is set (CI must never go green by skipping a renderer), and *skip*
otherwise, so a developer without Chromium can still run the rest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = REPO_ROOT / "tools"
NODE_MODULES = REPO_ROOT / "node_modules"
MERMAID_PARSE_SCRIPT = TOOLS_DIR / "mermaid-parse.mjs"
PUPPETEER_CONFIG = TOOLS_DIR / "puppeteer-config.json"
MMDC = NODE_MODULES / ".bin" / "mmdc"
CHECKOV_VENV_BIN = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"

DOT_TIMEOUT_S = 60
MERMAID_TIMEOUT_S = 600
CHECKOV_TIMEOUT_S = 600
MMDC_JOBS = max(1, min(4, os.cpu_count() or 1))

# The expression mermaid-cli (and tools/mermaid-parse.mjs) uses to find diagrams
# in Markdown; block N of a file is rendered by mmdc to "<out stem>-N.svg".
_MD_BLOCK = re.compile(
    r"^[^\S\n]*[`:]{3}(?:mermaid)([^\S\n]*\r?\n([\s\S]*?))[`:]{3}[^\S\n]*$",
    re.MULTILINE,
)
# A line that would end a Markdown block early if the diagram were wrapped in one.
_FENCE_END = re.compile(r"[`:]{3}[^\S\n]*$", re.MULTILINE)
# Text of the "bomb" diagram Mermaid draws instead of a chart it cannot render.
_MERMAID_ERROR_SVG_MARKERS = ("Syntax error in text",)
_MARKDOWN_SUFFIXES = {".md", ".markdown"}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _missing(what: str, hint: str) -> NoReturn:
    message = f"required tool not available: {what} ({hint})"
    if _in_ci():
        pytest.fail(f"{message}; a missing renderer fails in CI", pytrace=False)
    pytest.skip(message)


def require_tool(name: str) -> str:
    """Return the path of executable ``name``; fail in CI / skip elsewhere if absent."""
    found = shutil.which(name)
    if found is None:
        _missing(name, "not on PATH; .ci/run installs it")
    return found


def _require_file(path: Path, hint: str) -> Path:
    if not path.exists():
        _missing(str(path), hint)
    return path


def _tool_output(proc: subprocess.CompletedProcess[str]) -> str:
    parts = []
    if proc.stdout.strip():
        parts.append(f"--- stdout ---\n{proc.stdout.rstrip()}")
    if proc.stderr.strip():
        parts.append(f"--- stderr ---\n{proc.stderr.rstrip()}")
    return "\n".join(parts) or "(no output)"


# --------------------------------------------------------------------------- dot


def render_dot(dot_text: str, fmt: str = "svg") -> bytes:
    """Render DOT source with ``dot -T<fmt>`` and return the output bytes.

    Raises AssertionError if dot exits non-zero *or* writes anything to stderr:
    Graphviz only warns (exit 0) for e.g. an unknown node shape. Note that it
    accepts unknown attribute names silently, which no renderer check catches.
    """
    dot = require_tool("dot")
    proc = subprocess.run(
        [dot, f"-T{fmt}"],
        input=dot_text.encode("utf-8"),
        capture_output=True,
        timeout=DOT_TIMEOUT_S,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", errors="replace").strip()
    if proc.returncode != 0 or stderr:
        raise AssertionError(f"dot -T{fmt} exited {proc.returncode}{' with diagnostics' if stderr else ''}:\n{stderr or '(no stderr)'}")
    if not proc.stdout:
        raise AssertionError(f"dot -T{fmt} produced no output")
    return proc.stdout


def dot_json(dot_text: str) -> dict[str, Any]:
    """Lay out DOT source and return Graphviz's ``-Tjson`` document."""
    data = json.loads(render_dot(dot_text, "json").decode("utf-8"))
    if not isinstance(data, dict):
        raise TypeError(f"dot -Tjson returned {type(data).__name__}, not an object")
    return data


def _json_nodes(doc: dict[str, Any]) -> dict[int, str]:
    """Map node ``_gvid`` to node name.

    ``objects`` lists all (nested) subgraphs first, ``_subgraph_cnt`` of them,
    then the nodes; edges name their ends by the nodes' ``_gvid``.
    """
    objects: list[dict[str, Any]] = doc.get("objects", [])
    subgraph_count = int(doc.get("_subgraph_cnt", 0))
    return {int(obj["_gvid"]): str(obj["name"]) for obj in objects[subgraph_count:]}


def dot_nodes(dot_text: str) -> set[str]:
    """Names of all nodes (not subgraphs/clusters) in the laid-out graph."""
    return set(_json_nodes(dot_json(dot_text)).values())


def dot_edges(dot_text: str) -> set[tuple[str, str]]:
    """``(tail name, head name)`` for every edge in the laid-out graph."""
    doc = dot_json(dot_text)
    nodes = _json_nodes(doc)
    edges: list[dict[str, Any]] = doc.get("edges", [])
    return {(nodes[int(e["tail"])], nodes[int(e["head"])]) for e in edges}


# ----------------------------------------------------------------------- mermaid


def _require_node_modules() -> str:
    node = require_tool("node")
    _require_file(NODE_MODULES / "mermaid", "run `npm ci` in the repository root")
    return node


def mermaid_parse(paths: list[Path]) -> None:
    """Syntax-check ``.mmd`` files / Markdown ```mermaid blocks in one Node process.

    Raises AssertionError listing every failing diagram.
    """
    if not paths:
        raise ValueError("mermaid_parse: no files given")
    _run_node("mermaid parse", [_require_node_modules(), str(MERMAID_PARSE_SCRIPT), *(str(p) for p in paths)])


def _run_node(what: str, argv: list[str], where: str = "") -> None:
    """Run a Node tool from the repo root; AssertionError with its output when it fails."""
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=REPO_ROOT, timeout=MERMAID_TIMEOUT_S, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"{what} failed{where} (exit {proc.returncode}):\n{_tool_output(proc)}")


def _unique_stem(stem: str, taken: set[str]) -> str:
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}_{n}"
    taken.add(candidate)
    return candidate


def _run_mmdc(node: str, source: Path, output: Path) -> None:
    # Diagrams of one Markdown input render in parallel pages of one browser
    # (mmdc's default is half the CPUs: 1 here; 2 saves ~25% for 20).
    argv = [node, str(MMDC), "-p", str(PUPPETEER_CONFIG), "-j", str(MMDC_JOBS), "-i", str(source), "-o", str(output)]
    _run_node("mmdc", argv, f" on {source}")


def _check_svg(svg: Path) -> None:
    if not svg.is_file() or svg.stat().st_size == 0:
        raise AssertionError(f"mmdc did not produce {svg}")
    text = svg.read_text(encoding="utf-8", errors="replace")
    if "<svg" not in text:
        raise AssertionError(f"{svg} is not an SVG document")
    for marker in _MERMAID_ERROR_SVG_MARKERS:
        if marker in text:
            raise AssertionError(f"{svg} is Mermaid's error diagram ({marker!r})")


def mermaid_render(paths: list[Path], out_dir: Path) -> list[Path]:
    """Render Mermaid sources to SVG with the pinned mermaid-cli and Chromium.

    * A Markdown file is rendered in one mmdc call (one browser start):
      ``OUT/<stem>.md`` plus ``OUT/<stem>-1.svg`` .. ``-N.svg``, one per block.
    * All ``.mmd`` files are wrapped as blocks of one temporary Markdown file and
      rendered in a single mmdc call, then renamed to ``OUT/<stem>.svg``. (A
      diagram containing a line that would close the fence is rendered alone.)

    Returns the SVG paths in input order. Raises AssertionError with mmdc's
    output if it fails, or if an expected SVG is missing, empty or an error
    diagram.
    """
    if not paths:
        raise ValueError("mermaid_render: no files given")
    node = _require_node_modules()
    _require_file(MMDC, "run `npm ci` in the repository root")
    config = json.loads(PUPPETEER_CONFIG.read_text(encoding="utf-8"))
    _require_file(Path(config["executablePath"]), "install Debian's chromium")
    out_dir.mkdir(parents=True, exist_ok=True)

    taken: set[str] = set()
    results: dict[int, list[Path]] = {}
    batch: list[tuple[int, Path, str]] = []  # (input index, output svg, diagram)

    for index, path in enumerate(paths):
        if path.suffix.lower() in _MARKDOWN_SUFFIXES:
            count = len(_MD_BLOCK.findall(path.read_text(encoding="utf-8")))
            if count == 0:
                raise AssertionError(f"{path}: no mermaid block found")
            stem = _unique_stem(path.stem, taken)
            _run_mmdc(node, path, out_dir / f"{stem}.md")
            results[index] = [out_dir / f"{stem}-{n}.svg" for n in range(1, count + 1)]
            continue
        text = path.read_text(encoding="utf-8")
        if not text.strip():
            raise AssertionError(f"{path}: empty diagram")
        svg = out_dir / f"{_unique_stem(path.stem, taken)}.svg"
        results[index] = [svg]
        if _FENCE_END.search(text):
            _run_mmdc(node, path, svg)
        else:
            batch.append((index, svg, text))

    if batch:
        with tempfile.TemporaryDirectory(prefix="mmdc-batch-") as tmp:
            source = Path(tmp) / "batch.md"
            source.write_text(
                "\n".join(f"```mermaid\n{text.rstrip()}\n```\n" for _, _, text in batch),
                encoding="utf-8",
            )
            _run_mmdc(node, source, Path(tmp) / "out.md")
            for n, (_, svg, _) in enumerate(batch, start=1):
                rendered = Path(tmp) / f"out-{n}.svg"
                _check_svg(rendered)
                shutil.move(rendered, svg)

    svgs = [svg for index in range(len(paths)) for svg in results[index]]
    for svg in svgs:
        _check_svg(svg)
    return svgs


# ----------------------------------------------------------------------- checkov


def _checkov_executable() -> str:
    if CHECKOV_VENV_BIN.exists():
        return str(CHECKOV_VENV_BIN)
    return require_tool("checkov")


def _checkov_reports(data: Any) -> list[dict[str, Any]]:
    """Checkov prints one report object, a list of them (several frameworks), or
    just a bare summary object when it found nothing to scan."""
    reports = data if isinstance(data, list) else [data]
    if not all(isinstance(r, dict) for r in reports):
        raise AssertionError(f"unexpected checkov JSON shape: {str(data)[:500]}")
    return reports


def run_checkov(folder: Path, *, require_resources: bool = True) -> list[dict[str, str]]:
    """Scan ``folder`` with Checkov's Kubernetes framework, offline.

    Returns the failed checks as dicts with ``check_id``, ``check_name``,
    ``resource`` (e.g. ``Deployment.default.web``) and ``file_path`` (relative
    to ``folder``, with a leading ``/``).

    Checkov exits 0 with nothing scanned for a missing folder, an empty one and
    even for YAML it cannot parse, so unless ``require_resources`` is False this
    asserts that at least one Kubernetes resource was scanned. It still does not
    notice a malformed file next to good ones: validate the YAML separately.
    """
    if not folder.is_dir():
        raise AssertionError(f"checkov: {folder} is not a directory")
    checkov = _checkov_executable()
    env = dict(os.environ)
    env.update(BC_SKIP_MAPPING="TRUE", CKV_SKIP_PACKAGE_UPDATE_CHECK="TRUE")
    proc = subprocess.run(
        [
            checkov,
            "-d",
            str(folder),
            "--framework",
            "kubernetes",
            "--skip-download",
            "--compact",
            "--quiet",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=CHECKOV_TIMEOUT_S,
        check=False,
    )
    # Exit 1 only means "some check failed"; anything else is a crash.
    if proc.returncode not in (0, 1):
        raise AssertionError(f"checkov exited {proc.returncode}:\n{_tool_output(proc)}")
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"checkov printed no JSON ({exc}):\n{_tool_output(proc)}") from exc

    failed: list[dict[str, str]] = []
    resources = 0
    for report in _checkov_reports(data):
        summary = report.get("summary", report)
        resources += int(summary.get("resource_count", 0))
        results = report.get("results", {})
        for check in results.get("failed_checks", []):
            failed.append(
                {
                    "check_id": str(check["check_id"]),
                    "check_name": str(check.get("check_name", "")),
                    "resource": str(check.get("resource", "")),
                    "file_path": str(check.get("file_path", "")),
                }
            )
    if require_resources and resources == 0:
        raise AssertionError(f"checkov scanned no Kubernetes resource in {folder}:\n{_tool_output(proc)}")
    if proc.returncode == 1 and not failed:
        raise AssertionError(f"checkov exited 1 but reported no failed check:\n{_tool_output(proc)}")
    return failed
