"""A volume's source names a ConfigMap whose file ORION writes: it must be a name, never a path."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from orion_dsl.backends import istio, kubernetes
from orion_dsl.pipeline import analyze_text
from orion_dsl.semantic.paths import SOURCE_LIMIT
from tests.conftest import EXAMPLES, SEED_SPEC, load_topology
from tests.support.plans import planned

SPEC = """
topology shop {{ version "1.0"; kubernetes "1.28" }}
network {{
  default deny
  subnet apps 10.1.0.0/24
}}
{defaults}
namespace shop {{
  subnet apps
  service api {{
    image "shop/api:1.0"
    port http 8080
    {volume}
  }}
  service web {{
    image "shop/web:1.0"
    port http 8080
  }}
}}
"""


def _errors(volume: str = "", defaults: str = "") -> list[str]:
    return [f"{d.code} {d.span.line if d.span else 0}" for d in analyze_text(SPEC.format(volume=volume, defaults=defaults)).diagnostics if d.is_error]


@pytest.mark.parametrize(
    "source",
    ["/../../x/PWNED", "../up", "a/b", "/etc/passwd", ".", "..", "a..b", "tab\\there", "line\\nbreak", "Upper", "-lead", "trail.", "x" * (SOURCE_LIMIT + 1)],
)
@pytest.mark.parametrize("kind", ["config-map", "secret"])
def test_a_source_that_is_not_a_kubernetes_name_is_e0204_at_the_source(source: str, kind: str) -> None:
    assert _errors(f'volume v {kind} "{source}" at "/etc/v"') == ["E0204 13"]


@pytest.mark.parametrize("source", ["api-config", "api.config.v1", "x" * SOURCE_LIMIT])
def test_a_dns_subdomain_source_is_accepted(source: str) -> None:
    assert _errors(f'volume v config-map "{source}" at "/etc/v"') == []


def test_a_bad_source_in_defaults_is_reported_once_at_the_defaults() -> None:
    defaults = 'defaults { volume config config-map "../{service}" at "/etc/{service}" }'
    assert _errors(defaults=defaults) == ["E0204 7"]


def test_compile_writes_nothing_for_a_traversing_source(tmp_path: Path) -> None:
    spec = tmp_path / "spec" / "pwn.orion"
    spec.parent.mkdir()
    spec.write_text(SPEC.format(volume='volume v config-map "/../../x/PWNED" at "/etc/v"', defaults=""))
    out = tmp_path / "spec" / "out"
    proc = subprocess.run([sys.executable, "-m", "orion_dsl", "compile", str(spec), "-o", str(out)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "E0204" in proc.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["pwn.orion", "spec"]


_SAFE_PATH = re.compile(r"(kubernetes|istio)(/(_cluster|[a-z0-9]([-a-z0-9]*[a-z0-9])?))?/[a-z]+(-[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?\.yaml")


@pytest.mark.parametrize("spec", [SEED_SPEC, *EXAMPLES], ids=[p.stem for p in [SEED_SPEC, *EXAMPLES]])
def test_every_manifest_path_is_made_of_checked_names(spec: Path) -> None:
    topology = load_topology(spec)
    paths = [a.path for backend in (kubernetes, istio) for a in backend.render(planned(topology)).artifacts]
    assert [p for p in paths if not _SAFE_PATH.fullmatch(p) or len(p.rsplit("/", 1)[-1].encode()) > 255] == []
