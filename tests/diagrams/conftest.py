"""Fixtures of the diagrams tests: rendered seed, a topology with hostile text, Mermaid output on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.diagrams import VIEWS, render
from orion_dsl.backends.formats import mermaid
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from orion_dsl.views.graph import Builder, Graph
from tests.conftest import EXAMPLES, load_topology
from tests.support.artifacts import by_path
from tests.support.plans import planned
from tests.support.renderers import mermaid_render

#: Text with every character special to Mermaid, DOT or HTML, and non-ASCII.
NASTY = 'a "quoted" [x] {y} <b> #1 | ;  é 字'

#: Strings each placed in a label, a cluster title and an arrow label of :func:`hostile_graph`.
HOSTILE = (
    "",
    '"',
    "\\",
    "ends in a backslash \\",
    "<script>alert(1)</script>",
    "line\nbreak",
    "#quot; #35; &amp; & #",
    "a; b;",
    "%% not a comment",
    "%%{init: {'theme': 'dark'}}%%",
    "] ) } > ]]",
    "[x] {y} (z) ((w)) {{v}}",
    "é 字 🚀 Ω",
    "line\u2028separator\u2029and\x85next",
    "end",
    "--> ~~~ -.-> ==>",
    "|pipe|",
    "`tick` **bold**",
    "tab\there",
    "\\N \\l \\G \\n",
    "subgraph x",
    "style n0 fill:#f00",
)


def hostile_graph() -> Graph:
    """A graph whose title, labels, cluster titles and arrow labels are the :data:`HOSTILE` strings."""
    b = Builder("hostile", " | ".join(HOSTILE))
    for i, text in enumerate(HOSTILE):
        with b.cluster(f"c{i}", text):
            b.node(f"n{i}", text, text, cls="service")
    for i in range(len(HOSTILE) - 1):
        b.link(f"n{i}", f"n{i + 1}", HOSTILE[i + 1])
    return b.build()

_Q = NASTY.replace('"', '\\"')

#: A small sound spec whose names are Mermaid keywords and whose descriptions are hostile.
NASTY_SPEC = f"""
topology nasty {{
  version "0.1.0"
  description "{_Q}"
  kubernetes "1.28"
  istio "1.22"
  domain "example.com"
}}
network {{
  default deny
  dns allow
  internet deny
  subnet app_net 10.1.0.0/24 {{ description "{_Q} %% end" }}
}}
external style {{ host "pay.example.com"; port https 443; description "{_Q}" }}
namespace end-ns {{
  description "{_Q} <br/> \\\\N `tick` &amp; %%{{init}}%%"
  subnet app_net
  service end {{
    description "{_Q}"
    image "x/end:1"
    port http 8080
    calls style:https, a-b:http
  }}
  service a-b {{ image "x/ab:1"; port http 8081 }}
  service subgraph {{ image "x/sg:1"; port http 8082; calls end:http }}
}}
"""


@pytest.fixture(scope="session")
def nasty() -> Topology:
    """A topology whose descriptions hold quotes, brackets, braces, markup, '#', '|', ';' and unicode."""
    analysis = analyze_text(NASTY_SPEC, "nasty.orion")
    assert analysis.topology is not None, analysis.diagnostics
    return analysis.topology


@pytest.fixture(scope="session")
def seed_out(seed: Topology) -> Rendered:
    """The diagrams backend's output for the seed."""
    return render(planned(seed))


@pytest.fixture(scope="session")
def seed_files(seed_out: Rendered) -> dict[str, str]:
    """The seed's artifacts by path."""
    return by_path(seed_out.artifacts)


@pytest.fixture(scope="session")
def nasty_files(nasty: Topology) -> dict[str, str]:
    """The hostile topology's artifacts by path."""
    return by_path(render(planned(nasty)).artifacts)


@pytest.fixture(scope="session")
def mmd_paths(tmp_path_factory: pytest.TempPathFactory, seed_files: dict[str, str], nasty_files: dict[str, str]) -> dict[str, Path]:
    """Every ``.mmd`` of the seed (``seed-<view>``), of the hostile topology (``nasty-<view>``) and the hostile graph on disk."""
    folder = tmp_path_factory.mktemp("mmd")
    paths: dict[str, Path] = {}
    for prefix, files in (("seed", seed_files), ("nasty", nasty_files)):
        for view in VIEWS:
            path = folder / f"{prefix}-{view}.mmd"
            path.write_text(files[f"diagrams/{view}.mmd"], encoding="utf-8")
            paths[path.stem] = path
    hostile = folder / "hostile-graph.mmd"
    hostile.write_text(mermaid.emit(hostile_graph()), encoding="utf-8")
    paths[hostile.stem] = hostile
    return paths


@pytest.fixture(scope="session")
def mermaid_svgs(tmp_path_factory: pytest.TempPathFactory, mmd_paths: dict[str, Path]) -> dict[str, str]:
    """Every ``.mmd`` rendered by Mermaid's CLI in ONE browser session; SVG text by stem."""
    svgs = mermaid_render(list(mmd_paths.values()), tmp_path_factory.mktemp("mmdc"))
    return {svg.stem: svg.read_text(encoding="utf-8") for svg in svgs}


@pytest.fixture(scope="session")
def example_files(example: Topology) -> dict[str, str]:
    """An example's artifacts by path."""
    return by_path(render(planned(example)).artifacts)


@pytest.fixture(scope="session")
def example_mmd_paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every ``.mmd`` of every example on disk, to parse them all in one Node process."""
    folder = tmp_path_factory.mktemp("example-mmd")
    paths: list[Path] = []
    for spec in EXAMPLES:
        for artifact in render(planned(load_topology(spec))).artifacts:
            if artifact.path.endswith(".mmd"):
                path = folder / f"{spec.stem}-{artifact.path.split('/')[-1]}"
                path.write_text(artifact.text, encoding="utf-8")
                paths.append(path)
    return paths
