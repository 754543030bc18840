"""docs/LANGUAGE.md's keyword tables give every default the vocabulary declares, as declared."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from orion_dsl import declarations as decl
from orion_dsl import values as v
from orion_dsl.decode import Decl, FieldSpec, specs
from orion_dsl.syntax import ArgKind

DOC = Path(__file__).resolve().parent.parent / "docs" / "LANGUAGE.md"
TEXT = DOC.read_text(encoding="utf-8")
FENCE = re.compile(r"^```.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#+ +(.+?)\s*$")
CELL_BORDER = re.compile(r"(?<!\\)\|")

#: The heading under which each declaration class with defaults has its keyword table.
SECTIONS: dict[type[Decl], str] = {
    decl.TopologyDecl: "topology",
    decl.NamespaceDecl: "namespace",
    decl.WorkloadDecl: "service and statefulset",
    decl.ResourcesDecl: "resources",
    decl.ProbesDecl: "probes",
    decl.StorageDecl: "storage",
    decl.RolloutDecl: "rollout",
    decl.SecurityContextDecl: "security (pod security context)",
    decl.CircuitBreakerDecl: "resilience",
    decl.MirrorDecl: "traffic",
    decl.DelayDecl: "traffic",
    decl.AbortDecl: "traffic",
    decl.DatabaseDecl: "database",
    decl.PoolerDecl: "database",
    decl.BackupDecl: "backup",
    decl.SubnetDecl: "network",
    decl.NetworkDecl: "network",
    decl.DescribedDecl: "edge",
    decl.LoadBalancerDecl: "edge",
    decl.RateDecl: "ingress",
    decl.WafDecl: "ingress",
    decl.IngressDecl: "ingress",
    decl.EgressGatewayDecl: "mesh",
    decl.MeshDecl: "mesh",
    decl.ExternalDecl: "external",
    decl.AlertDecl: "monitoring",
    decl.MonitoringDecl: "monitoring",
    decl.TargetDecl: "recovery",
    decl.SpreadDecl: "placement",
    decl.TopologySpreadDecl: "placement",
    decl.AffinityDecl: "placement",
}


def _tables() -> dict[str, list[dict[str, str]]]:
    """Each heading's keyword tables (with a Default column): keyword -> its Default cell."""
    found: dict[str, list[dict[str, str]]] = {}
    heading = ""
    table: dict[str, str] | None = None
    column = -1
    for line in FENCE.sub("", TEXT).splitlines():
        match = HEADING.match(line)
        if match:
            heading, table = match.group(1), None
            continue
        if not line.startswith("|"):
            table = None
            continue
        cells = [c.strip() for c in CELL_BORDER.split(line)[1:-1]]
        if cells[0] == "Keyword" and "Default" in cells:
            column, table = cells.index("Default"), {}
            found.setdefault(heading, []).append(table)
        elif table is not None and cells[0].startswith("`"):
            table[cells[0].strip("`")] = cells[column]
    return found


TABLES = _tables()


def defaults(cls: type[Decl]) -> dict[str, Any]:
    """The defaults a declaration class declares, by attribute name (fields without one left out)."""
    return {name: spec.default for name, spec in specs(cls) if spec.default is not None}


def _classes_with_defaults() -> list[type[Decl]]:
    """Every declaration class that declares a default of its own (``defaults { }`` takes the workload's)."""
    classes = [c for c in vars(decl).values() if isinstance(c, type) and issubclass(c, Decl) and c.__module__ == decl.__name__]
    return [c for c in classes if defaults(c) and c is not decl.DefaultsDecl]


def _shown(spec: FieldSpec, value: Any) -> str:
    """A default as the document writes it: switches on/off, strings quoted where the keyword takes a string."""
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return "`on`" if value else "`off`"
    if isinstance(value, v.Duration):
        return f"`{value.text}`"
    if isinstance(value, v.Range):
        return f"`{value.low.text}..{value.high.text}`"
    if isinstance(value, tuple):
        return "`" + ", ".join(str(p.number) for p in value) + "`"
    if isinstance(value, str) and ArgKind.STRING in spec.type.kinds:
        return f'`"{value}"`'
    return f"`{value}`"


def _table_of(cls: type[Decl]) -> dict[str, str]:
    """The table of the class's section that names most of its keywords."""
    keywords = {spec.keyword for _, spec in specs(cls)}
    tables = TABLES.get(SECTIONS[cls], [])
    assert tables, f'no keyword table with a Default column under "{SECTIONS[cls]}" in {DOC.name}'
    return max(tables, key=lambda t: len(keywords & set(t)))


CASES = [(cls, name) for cls in _classes_with_defaults() for name in defaults(cls)]


def test_every_class_with_defaults_has_a_section() -> None:
    assert set(_classes_with_defaults()) == set(SECTIONS)


@pytest.mark.parametrize(("cls", "name"), CASES, ids=[f"{cls.__name__}.{name}" for cls, name in CASES])
def test_the_document_gives_the_declared_default(cls: type[Decl], name: str) -> None:
    spec = dict(specs(cls))[name]
    cell = _table_of(cls).get(spec.keyword)
    assert cell is not None, f"`{spec.keyword}` of {cls.__name__} is missing from its table under {SECTIONS[cls]!r}"
    shown = _shown(spec, spec.default)
    matches = cell.startswith(shown) if shown == "empty" else shown in re.findall(r"`[^`]*`", cell)
    assert matches, f"`{spec.keyword}` of {cls.__name__} defaults to {shown}, the document says: {cell}"
