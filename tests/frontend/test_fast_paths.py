"""The front end's shortcuts give what the plain computation gives, on every spec ORION ships.

Each shortcut (docs/PERFORMANCE.md, fifth pass) skips work that its plain form repeats: a
statement's arguments when commas made one group, the defaults merged once per namespace
rather than once per workload, the declarations walked into one list rather than through
nested generators, a plan's lookups built when first asked for. Each test below computes the plain form beside the shortcut, on the seed
spec, every example and a generated benchmark spec, and wants them equal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from orion_dsl import declarations as decl
from orion_dsl.decode import Decl, specs
from orion_dsl.lowering import Role
from orion_dsl.parser import parse
from orion_dsl.pipeline import analyze_text, decode_spec
from orion_dsl.semantic.merge import as_type, merge
from orion_dsl.semantic.resolve import Resolver
from orion_dsl.semantic.written import EVERY_WORKLOAD, declarations, strings
from orion_dsl.source import SourceFile
from orion_dsl.syntax import Statement
from tests.conftest import EXAMPLES, ROOT, SEED_SPEC

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

SPECS = [SEED_SPEC, *EXAMPLES]


def _source(path: Path | None) -> SourceFile:
    return SourceFile.read(path) if path is not None else SourceFile("bench-60.orion", generate(60))


def _spec(source: SourceFile) -> decl.SpecDecl:
    statements, problems = parse(source)
    assert not problems
    spec, _ = decode_spec(source, statements)
    return spec


@pytest.fixture(params=[*SPECS, None], ids=[*(p.stem for p in SPECS), "bench-60"])
def source(request: pytest.FixtureRequest) -> SourceFile:
    """Each shipped spec, and a generated one of 60 services (three namespaces)."""
    return _source(request.param)


def _statements(statements: tuple[Statement, ...]) -> Iterator[Statement]:
    for s in statements:
        yield s
        yield from _statements(s.body or ())


def test_a_statements_arguments_are_its_groups_flattened(source: SourceFile) -> None:
    statements, _ = parse(source)
    for s in _statements(statements):
        assert s.args == tuple(a for g in s.groups for a in g)


def test_the_seed_spec_has_statements_of_one_group_of_several_and_of_none() -> None:
    """So that the test above meets every case of :attr:`Statement.args` (`port http 80 -> 8080`, `calls a, b`, `network {`)."""
    statements, _ = parse(_source(SEED_SPEC))
    assert {min(len(s.groups), 2) for s in _statements(statements)} == {0, 1, 2}


def test_the_defaults_merged_once_per_namespace_are_each_workloads_defaults(source: SourceFile) -> None:
    spec = _spec(source)
    resolver = Resolver(spec)
    for ns in [None, *spec.namespaces]:
        plain = as_type(decl.WorkloadDecl, merge(spec.defaults, ns.defaults if ns else None))
        assert resolver.defaults_of(ns) == plain
        assert resolver.defaults_of(ns) is resolver.defaults_of(ns)


def _walked(node: Decl, owner: str | None = None) -> Iterator[tuple[Decl, str | None]]:
    """The walk as nested generators, field by field: what :func:`declarations` gives."""
    if isinstance(node, decl.DefaultsDecl):
        owner = EVERY_WORKLOAD
    elif isinstance(node, decl.WorkloadDecl) and node.name is not None:
        owner = node.name.value
    yield node, owner
    for name, field in specs(type(node)):
        if field.role == "child":
            value = getattr(node, name)
            for child in value if isinstance(value, tuple) else (value,):
                if child is not None:
                    yield from _walked(child, owner)


def test_the_declarations_walk_visits_what_the_nested_walk_visits(source: SourceFile) -> None:
    spec = _spec(source)
    assert [(id(d), o) for d, o in declarations(spec)] == [(id(d), o) for d, o in _walked(spec)]


def test_the_strings_are_every_text_of_every_declaration_in_order(source: SourceFile) -> None:
    spec = _spec(source)
    plain = []
    for found, _ in _walked(spec):
        for name, field in specs(type(found)):
            value = getattr(found, name) if field.role != "child" else None
            for item in value if isinstance(value, tuple) else (value,):
                if item is not None:
                    texts = item.value if isinstance(item.value, tuple) else (item.value,)
                    plain += [(t, item.span) for t in texts if isinstance(t, str)]
    assert list(strings(spec)) == plain
    assert plain


def _merged_by_role(base: object, over: object) -> object:
    """:func:`merge` as it read each field's role on every call, before the per-class table."""
    if base is None:
        return over
    if over is None:
        return base
    changes: dict[str, object] = {}
    for name, spec in specs(type(over)):
        mine, theirs = getattr(over, name), getattr(base, name)
        if (
            spec.role == "child"
            and not spec.many
            and mine is not None
            and (getattr(mine, "none", None) is not None or getattr(theirs, "none", None) is not None)
        ):
            changes[name] = mine
        elif spec.role == "child" and not spec.many:
            changes[name] = _merged_by_role(theirs, mine)
        elif spec.role == "child" and spec.many and mine and getattr(mine[0], "name", None) is not None:
            names = {_name(m) for m in mine}
            changes[name] = tuple(mine) + tuple(t for t in theirs if _name(t) not in names)
        elif spec.role == "mapping":
            keys = {pair.value[0] for pair in mine}
            changes[name] = tuple(mine) + tuple(pair for pair in theirs if pair.value[0] not in keys)
        elif isinstance(mine, tuple):
            changes[name] = mine or theirs
        else:
            changes[name] = theirs if mine is None else mine
    return attrs.evolve(over, **changes)  # type: ignore[misc]


def _name(item: object) -> object:
    named = getattr(item, "name", None)
    return named.value if named is not None else None


def test_merging_by_the_per_class_table_gives_what_merging_by_each_fields_role_gives(source: SourceFile) -> None:
    spec = _spec(source)
    workloads = [w for ns in spec.namespaces for w in (*ns.services, *ns.statefulsets)]
    assert workloads
    for ns in spec.namespaces:
        assert merge(spec.defaults, ns.defaults) == _merged_by_role(spec.defaults, ns.defaults)
        base = as_type(decl.WorkloadDecl, merge(spec.defaults, ns.defaults))
        for w in (*ns.services, *ns.statefulsets):
            assert merge(base, w) == _merged_by_role(base, w)


def test_a_plans_lookups_built_on_first_use_find_every_entry_by_role_and_subject(source: SourceFile) -> None:
    plan = analyze_text(source.text, source.name).plan
    assert plan is not None and plan.entries
    for role in Role:
        assert plan.of_role(role) == tuple(e for e in plan.entries if e.role is role)
    position = {id(e): i for i, e in enumerate(plan.entries)}
    for entry in plan.entries:
        found = plan.find(entry.role, entry.subject, entry.part)
        assert found is not None and found.role is entry.role and position[id(found)] <= position[id(entry)]
        for shared in entry.shared_by:
            assert plan.find(entry.role, shared, entry.part) is not None
