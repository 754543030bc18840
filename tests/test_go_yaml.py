"""The YAML ORION writes reads the same in Go as in Python: every string stays a string.

Kubernetes reads manifests with Go decoders: ``kubectl apply -f`` with ``sigs.k8s.io/yaml``
(YAML 1.1-ish: ``y``, ``on``, ``0o17``, ``1e3``, ``1_000`` are not strings there), ``kubectl
apply -k`` with kustomize's kyaml (YAML 1.2-ish). Both read the files offline here (kubectl's
decoder through :mod:`tests.support.go_decoder`), and what they read is compared with the
objects ORION meant (before dumping); every plain scalar written is also checked against the
YAML 1.1 and 1.2 type rules.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orion_dsl.artifacts import to_yaml
from orion_dsl.backends import istio, kubernetes
from orion_dsl.backends.istio.layout import layout as istio_layout
from orion_dsl.backends.kubernetes.layout import layout as kubernetes_layout
from orion_dsl.yaml_text import reference_yaml
from tests.conftest import EXAMPLES, SEED_SPEC, load_topology
from tests.support.go_decoder import go_read
from tests.support.plans import planned
from tests.support.renderers import require_tool

SPECS = [SEED_SPEC, *EXAMPLES]

#: Strings that some YAML reader takes for something else, or that bend the syntax.
ADVERSARIAL = (
    *("yes", "no", "on", "off", "y", "n", "Y", "N", "True", "FALSE", "~", "null", "Null", "NULL", ""),
    *("1e3", "1E+3", "0o17", "017", "0x1F", "0b101", ".inf", "-.Inf", ".NaN", "1_000", "+1", "-1", "1:20", "190:20:30.15"),
    *("inf", "-Infinity", "NaN", "0x_1F", "1__0", "1e", "e3", "0e0", "00", "08", "1.0", "1.0.0", ".5", "5.", "0x1p4"),
    *("2026-12-01", "2026-1-2", "2026-1-2 3", "2026-01-02T03:04:05Z", "0000-0-0 0", "2026-1-2\tx"),
    *("2001-12-14", "2001-12-14t21:59:43.10-05:00", "=", "<<", "-", "?", ":"),
    *(f"{c}x" for c in "*&!%@|>'\"`#,[]{}?-:"),
    *("a: b", "a #b", "a\tb", "\tlead", "trail\t", " lead", "trail ", "x\u2028y", "x\u2029y", "x\x85y", "\ufeffbom", "x\ry"),
    *("line\nbreak", "\nlead", "trail\n", "two\n\n", " indented\nnext", "a\n b", "\n", "\x00nul", "\x07bell", "\x7fdel"),
    "long " * 2000,
    "x" * 5000,
)

#: YAML 1.1 types (yaml.org/type) and YAML 1.2 core/JSON schema: a plain scalar matching any
#: of these is not read as a string by some reader. Written from the specifications, on
#: purpose independent of ``orion_dsl.artifacts`` (a 1.1 float needs a digit, as every
#: reader has it: a lone ``.`` is a string).
_NON_STRINGS = [
    re.compile(p)
    for p in (
        r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",  # 1.1 bool
        r"~|null|Null|NULL|",  # null
        r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+",  # 1.1 int
        r"(?=[-+]?\.?[0-9])[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?",  # 1.1 float
        r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",  # 1.1 sexagesimal float, infinity, not-a-number
        r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+",  # 1.2 int
        r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",  # 1.2 float
        r"[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+).*|[0-9]{4}-[0-9]{2}-[0-9]{2}",  # timestamp
        r"=|<<",  # 1.1 value and merge keys
    )
]


def _plain_strings(text: str) -> list[str]:
    """Every string written as a plain scalar (without quotes or block style)."""
    found: list[str] = []

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.ScalarNode):
            if not node.style and node.tag == "tag:yaml.org,2002:str":
                found.append(node.value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(key)
                walk(value)

    for document in yaml.compose_all(text, Loader=yaml.CSafeLoader):
        walk(document)
    return found


def _meant(objects: Iterable[dict[str, Any]]) -> list[str]:
    """The objects as ORION built them, as sortable JSON (tuples and lists alike)."""
    return sorted(json.dumps(o, sort_keys=True) for o in objects)


def _kustomize(folder: Path) -> list[str]:
    """What kustomize's decoder (``kubectl kustomize``) reads from a folder with a kustomization, as sortable JSON."""
    kubectl = require_tool("kubectl")
    proc = subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return _meant(d for d in yaml.safe_load_all(proc.stdout) if d is not None)


def _kubectl(files: list[Path], objects: Iterable[dict[str, Any]], cache: Path) -> list[str]:
    """What kubectl's decoder (``sigs.k8s.io/yaml``) reads from files of these objects, as sortable JSON."""
    return _meant(go_read(files, {(o["apiVersion"], o["kind"]) for o in objects}, cache))


def _write(root: Path, files: Iterable[tuple[str, str]]) -> list[Path]:
    written = []
    for path, text in files:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def _ambiguous(value: str) -> bool:
    return any(p.fullmatch(value) for p in _NON_STRINGS)


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
@pytest.mark.parametrize("target", ["kubernetes", "istio"])
def test_every_output_file_reads_in_go_as_orion_meant(spec: Path, target: str, tmp_path: Path) -> None:
    topology = load_topology(spec)
    objects, _ = (kubernetes if target == "kubernetes" else istio).objects(planned(topology))
    if not objects:
        pytest.skip(f"{spec.name} has no {target} objects")
    artifacts, _ = kubernetes_layout(objects) if target == "kubernetes" else istio_layout(objects)
    files = _write(tmp_path / "out", ((a.path, a.text) for a in artifacts))
    assert _kubectl([f for f in files if f.name != "kustomization.yaml"], objects, tmp_path / "cache") == _meant(objects)
    assert _kustomize(tmp_path / "out" / target) == _meant(objects)
    assert [s for a in artifacts for s in _plain_strings(a.text) if _ambiguous(s)] == []


def _config_map(strings: list[str]) -> dict[str, Any]:
    """One object holding each string as a data key and value, an annotation key and value, and an env value.

    (Only kubectl's decoder reads it: kustomize reads these strings too but fails re-encoding
    some of its own output — NEL, DEL, keys over 1,024 characters.)
    """
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "strings", "namespace": "strings", "annotations": {f"k{i}/{s}": s for i, s in enumerate(strings)}},
        "data": {f"v{i}": s for i, s in enumerate(strings)} | {s: "as-key" for s in strings},
        "env": [{"name": f"E{i}", "value": s} for i, s in enumerate(strings)],
    }


def _reads_back(strings: list[str], folder: Path) -> None:
    obj = _config_map(strings)
    text = to_yaml(obj)
    assert yaml.safe_load(text) == obj
    assert [s for s in _plain_strings(text) if _ambiguous(s)] == []
    assert _kubectl(_write(folder, [("strings.yaml", text)]), [obj], folder / "cache") == _meant([obj])


def test_adversarial_strings_read_back_unchanged(tmp_path: Path) -> None:
    _reads_back(list(ADVERSARIAL), tmp_path)


def test_strings_the_writer_spells_itself_read_back_unchanged_in_go(tmp_path: Path) -> None:
    # The object above holds keys the writer hands to PyYAML (multi-line, over 128 characters):
    # values only, short, so that orion_dsl.yaml_text writes this document itself.
    values = [s for s in ADVERSARIAL if len(s) < 1000 and not s.endswith("\n\n") and s != "\n"]
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "values", "namespace": "strings"}, "data": {f"v{i}": s for i, s in enumerate(values)}}
    text = to_yaml(obj)
    assert text == reference_yaml(obj) and yaml.safe_load(text) == obj
    assert _kubectl(_write(tmp_path, [("values.yaml", text)]), [obj], tmp_path / "cache") == _meant([obj])


_TRICKY_CHARACTERS = "\t\n\r \x00\x07\x1b\x7f\x85\xa0\u2028\u2029\ufeff\ufffe:#-?,[]{}&*!|>'\"%@`~=<.+_0123456789eExXoObB"
_texts = st.one_of(
    st.sampled_from(ADVERSARIAL),
    st.text(alphabet=_TRICKY_CHARACTERS + "aynofl", max_size=12),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40),
    st.builds(lambda a, b: a + b, st.sampled_from(ADVERSARIAL), st.text(alphabet=_TRICKY_CHARACTERS, max_size=3)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(strings=st.lists(_texts, min_size=1, max_size=60, unique=True))
def test_any_strings_read_back_unchanged_in_python_and_go(strings: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    _reads_back(strings, tmp_path_factory.mktemp("strings"))
