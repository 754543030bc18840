"""The YAML writer spells every document exactly as PyYAML's C dumper (the reference) does, and it loads back as the data given.

Byte-identical on every object of every spec and example (and spelled by the writer itself,
not handed to the reference), and on generated documents whose keys and values are the
adversarial strings of tests/test_go_yaml.py and generated ones. kubectl's Go decoder reads
what the writer spells there too (test_go_yaml.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from orion_dsl import yaml_text
from orion_dsl.backends import istio, kubernetes
from orion_dsl.backends.kubernetes.layout import kustomization
from orion_dsl.yaml_text import reference_yaml, to_yaml
from tests.conftest import EXAMPLES, SEED_SPEC, load_topology
from tests.support.plans import planned
from tests.test_go_yaml import _TRICKY_CHARACTERS, ADVERSARIAL

SPECS = [SEED_SPEC, *EXAMPLES]


def _objects(spec: Path) -> list[dict[str, Any]]:
    plan = planned(load_topology(spec))
    objects = [*kubernetes.objects(plan)[0], *istio.objects(plan)[0]]
    return [*objects, kustomization([f"kubernetes/{i}.yaml" for i in range(len(objects))])]


def _handed_over(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every document the writer hands to the reference from now on."""
    handed: list[Any] = []

    def reference(obj: Any) -> str:
        handed.append(obj)
        return reference_yaml(obj)

    monkeypatch.setattr(yaml_text, "reference_yaml", reference)
    return handed


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_writer_spells_every_object_of_every_spec_as_the_reference(spec: Path) -> None:
    assert [reference_yaml(o) for o in _objects(spec) if to_yaml(o) != reference_yaml(o)] == []


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_writer_spells_every_object_of_every_spec_itself(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    objects = _objects(spec)
    handed = _handed_over(monkeypatch)
    for obj in objects:
        to_yaml(obj)
    assert handed == []


def test_writer_spells_short_adversarial_values_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    # A keep-chomped block (|+) changes the document's end; 4,096 columns fold a line: both go to the reference.
    values = [s for s in ADVERSARIAL if len(s) < 1000 and not s.endswith("\n\n") and s != "\n"]
    obj = {"data": {f"v{i}": s for i, s in enumerate(values)}, "items": values}
    handed = _handed_over(monkeypatch)
    assert to_yaml(obj) == reference_yaml(obj)
    assert handed == []


def test_writer_hands_a_float_to_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    handed = _handed_over(monkeypatch)
    assert to_yaml({"weight": -0.0}) == "weight: -0.0\n"
    assert handed == [{"weight": -0.0}]


_strings = st.one_of(
    st.sampled_from(ADVERSARIAL),
    st.text(alphabet=_TRICKY_CHARACTERS + "aynofl", max_size=12),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40),
    st.sampled_from(["name", "app", "spec", "kind", "metadata", "type", "data", "8080", "10m", "http", "a-b.c/d"]),
)
_scalars = st.one_of(_strings, st.integers(), st.booleans(), st.none())  # floats: always the reference (test above)
_documents = st.dictionaries(
    _strings,
    st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_strings, inner, max_size=4), max_leaves=30),
    min_size=1,
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(st.from_regex(r"[A-Za-z/][A-Za-z0-9._/-]*", fullmatch=True), st.sampled_from(["y", "No", "ON", "off", "True", "NULL", "Null", "/"])))
def test_a_plain_name_is_spelled_without_the_reference_as_the_reference_spells_it(value: str) -> None:
    assert yaml_text._value_spelling(value) == yaml_text._dump([value])[2:-1]


@settings(max_examples=400, deadline=None)
@given(document=_documents)
def test_any_document_is_spelled_as_the_reference_and_loads_back_as_given(document: dict[str, Any]) -> None:
    text = to_yaml(document)
    assert text == reference_yaml(document)
    assert yaml.safe_load(text) == document


def test_a_remembered_key_order_spells_each_later_mapping_as_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    # The writer remembers a mapping's key order and spellings by its keys as inserted; equal keys of other
    # types (1 and True), other values, nested or empty values under the same keys must not reuse a wrong one.
    monkeypatch.setattr(yaml_text, "_shapes", {})
    documents: list[dict[Any, Any]] = [
        {"spec": {"b": "x", "a": 1}},
        {"spec": {"b": True, "a": None}},
        {"spec": {"b": {"c": [1, {"d": "e"}]}, "a": []}},
        {"spec": {"b": {}, "a": "line one\nline two"}},
        {"spec": {1: "one", 2: "two"}},
        {"spec": {True: "one", 2: "two"}},
        {"spec": {"b": "y" * 3990, "a": "-"}},
    ]
    for document in [*documents, *documents]:
        assert to_yaml(document) == reference_yaml(document)
