"""The renderer helpers work, and each of them can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from .renderers import (
    dot_edges,
    dot_json,
    dot_nodes,
    mermaid_parse,
    mermaid_render,
    render_dot,
    require_tool,
    run_checkov,
)

MISSING_TOOL = "orion-no-such-tool-xyz"

VALID_DOT = """digraph G {
  subgraph cluster_core { label="core"; a; b }
  a [shape=box, label="A"];
  a -> b [label="uses"];
  b -> c;
  c -> a;
}
"""

VALID_FLOWCHART = "flowchart LR\n  A[Start] --> B{Ok?}\n  B -->|yes| C[Done]\n"
SECOND_FLOWCHART = "flowchart TD\n  X --> Y\n  Y --> Z\n"
INVALID_FLOWCHART = "flowchart LR\n  A -->\n  B -->> ((\n"

INSECURE_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:latest
          securityContext:
            privileged: true
            allowPrivilegeEscalation: true
"""


# ------------------------------------------------------------------ require_tool


def test_require_tool_finds_executable() -> None:
    assert Path(require_tool("sh")).name == "sh"


def test_require_tool_missing_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=MISSING_TOOL):
        require_tool(MISSING_TOOL)


def test_require_tool_missing_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=MISSING_TOOL):
        require_tool(MISSING_TOOL)


# -------------------------------------------------------------------------- dot


def test_render_dot_valid_svg() -> None:
    svg = render_dot(VALID_DOT)
    assert b"<svg" in svg
    assert b"uses" in svg


def test_render_dot_syntax_error_fails() -> None:
    with pytest.raises(AssertionError, match="syntax error"):
        render_dot("digraph G { a -> ; }")


def test_render_dot_unknown_shape_fails() -> None:
    # dot exits 0 here and only warns on stderr; the helper must still fail.
    with pytest.raises(AssertionError, match="unknown shape"):
        render_dot("digraph G { a [shape=no_such_shape]; }")


def test_dot_json_structure() -> None:
    doc = dot_json(VALID_DOT)
    assert doc["directed"] is True
    assert doc["name"] == "G"


def test_dot_nodes_excludes_subgraphs() -> None:
    assert dot_nodes(VALID_DOT) == {"a", "b", "c"}


def test_dot_edges_by_name() -> None:
    assert dot_edges(VALID_DOT) == {("a", "b"), ("b", "c"), ("c", "a")}


def test_dot_edges_empty_graph() -> None:
    assert dot_edges("digraph G { }") == set()
    assert dot_nodes("digraph G { }") == set()


# ---------------------------------------------------------------------- mermaid


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_mermaid_parse_valid(tmp_path: Path) -> None:
    doc = _write(
        tmp_path / "doc.md",
        f"# Doc\n\n```mermaid\n{VALID_FLOWCHART}```\n\ntext\n\n```mermaid\n{SECOND_FLOWCHART}```\n",
    )
    mermaid_parse([_write(tmp_path / "ok.mmd", VALID_FLOWCHART), doc])


def test_mermaid_parse_invalid_fails(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.mmd", VALID_FLOWCHART)
    bad = _write(tmp_path / "bad.mmd", INVALID_FLOWCHART)
    doc = _write(
        tmp_path / "doc.md",
        f"```mermaid\n{VALID_FLOWCHART}```\n\n```mermaid\n{INVALID_FLOWCHART}```\n",
    )
    with pytest.raises(AssertionError) as info:
        mermaid_parse([good, bad, doc])
    message = str(info.value)
    assert f"{bad}: Parse error" in message
    assert f"{doc}:block 2: Parse error" in message
    assert f"{good}:" not in message
    assert "block 1" not in message


def test_mermaid_render_batch(tmp_path: Path) -> None:
    sources = [
        _write(tmp_path / "first.mmd", VALID_FLOWCHART),
        _write(tmp_path / "second.mmd", SECOND_FLOWCHART),
    ]
    out = tmp_path / "out"
    svgs = mermaid_render(sources, out)
    assert svgs == [out / "first.svg", out / "second.svg"]
    for svg in svgs:
        assert svg.read_text(encoding="utf-8").lstrip().startswith("<svg")
    assert "Start" in svgs[0].read_text(encoding="utf-8")


def test_mermaid_render_invalid_fails(tmp_path: Path) -> None:
    doc = _write(
        tmp_path / "doc.md",
        f"```mermaid\n{VALID_FLOWCHART}```\n\n```mermaid\n{INVALID_FLOWCHART}```\n",
    )
    with pytest.raises(AssertionError, match="mmdc failed"):
        mermaid_render([doc], tmp_path / "out")


# ---------------------------------------------------------------------- checkov


def test_run_checkov_reports_insecure_deployment(tmp_path: Path) -> None:
    _write(tmp_path / "deployment.yaml", INSECURE_DEPLOYMENT)
    failed = run_checkov(tmp_path)
    ids = {check["check_id"] for check in failed}
    # CKV_K8S_16: privileged container; CKV_K8S_20: allowPrivilegeEscalation;
    # CKV_K8S_23: no admission of root containers; CKV_K8S_14: image tag latest.
    assert {"CKV_K8S_16", "CKV_K8S_20", "CKV_K8S_23", "CKV_K8S_14"} <= ids
    check = next(c for c in failed if c["check_id"] == "CKV_K8S_20")
    assert check["resource"] == "Deployment.default.web"
    assert check["file_path"] == "/deployment.yaml"


def test_run_checkov_empty_folder_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="scanned no Kubernetes resource"):
        run_checkov(tmp_path)
    assert run_checkov(tmp_path, require_resources=False) == []
