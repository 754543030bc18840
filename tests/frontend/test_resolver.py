"""The resolver: declarations -> model; defaults merged in their layers, poolers made, names resolved.

Each test resolves a small spec (parsed and decoded by the real front end, which must find
nothing wrong) and looks at one behaviour of :func:`orion_dsl.semantic.resolve.resolve`,
before the checks and the allow-graph run.
"""

from __future__ import annotations

from orion_dsl.diagnostics import Diagnostic
from orion_dsl.model import Topology, Workload
from orion_dsl.pipeline import decode_spec, parse_statements
from orion_dsl.semantic.resolve import resolve
from orion_dsl.source import SourceFile

HEADER = 'topology shop { version "1.0.0" }\nnetwork { subnet apps 10.0.1.0/24 }\n'


def resolved(text: str) -> tuple[Topology, list[Diagnostic]]:
    """Resolve ``HEADER`` followed by ``text``; the spec must parse and decode cleanly."""
    source = SourceFile("shop.orion", HEADER + text)
    statements, syntax_errors = parse_statements(source)
    assert not syntax_errors, syntax_errors
    spec, decode_errors = decode_spec(source, statements)
    assert not decode_errors, decode_errors
    topology, _, diags = resolve(spec)
    return topology, diags


def clean(text: str) -> Topology:
    """Resolve ``text``, requiring that the resolver reports nothing."""
    topology, diags = resolved(text)
    assert diags == [], [(d.code, d.summary) for d in diags]
    return topology


def workload(topology: Topology, name: str) -> Workload:
    """The workload called ``name``."""
    found = [w for w in topology.workloads if w.name == name]
    assert len(found) == 1, [w.name for w in topology.workloads]
    return found[0]


def codes(diags: list[Diagnostic]) -> list[str]:
    """The codes of the diagnostics, in the order they were reported."""
    return [d.code for d in diags]


def test_a_setting_of_the_top_level_defaults_reaches_every_workload() -> None:
    topology = clean("""
defaults { replicas 3 }
namespace a { service api { image "api:1"; port http 8080 } }
namespace b { service web { image "web:1"; port http 8080 } }
""")
    assert [w.replicas for w in topology.workloads] == [3, 3]


def test_an_image_written_only_in_defaults_is_every_workload_s_image() -> None:
    topology = clean("""
defaults { image "base:1" }
namespace a { service api { port http 8080 } }
""")
    assert workload(topology, "api").container.image == "base:1"


def test_namespace_defaults_override_the_top_level_defaults() -> None:
    topology = clean("""
defaults { replicas 3 }
namespace a {
  defaults { replicas 2 }
  service api { image "api:1"; port http 8080 }
}
""")
    assert workload(topology, "api").replicas == 2


def test_namespace_defaults_apply_only_to_their_namespace() -> None:
    topology = clean("""
namespace a {
  defaults { replicas 2 }
  service api { image "api:1"; port http 8080 }
}
namespace b { service web { image "web:1"; port http 8080 } }
""")
    assert (workload(topology, "api").replicas, workload(topology, "web").replicas) == (2, 1)


def test_a_workload_s_own_setting_overrides_both_layers_of_defaults() -> None:
    topology = clean("""
defaults { replicas 3 }
namespace a {
  defaults { replicas 2 }
  service api { image "api:1"; port http 8080; replicas 5 }
}
""")
    assert workload(topology, "api").replicas == 5


def test_a_nested_block_merges_field_by_field() -> None:
    topology = clean("""
defaults { resources { cpu 500m..1000m; memory 512Mi..1Gi } }
namespace a { service api { image "api:1"; port http 8080; resources { memory 1Gi..2Gi } } }
""")
    resources = workload(topology, "api").container.resources
    assert [q.text for q in (resources.cpu_request, resources.cpu_limit, resources.memory_request, resources.memory_limit)] == ["500m", "1000m", "1Gi", "2Gi"]


def test_named_entries_merge_by_name_the_workload_s_first() -> None:
    topology = clean("""
defaults { port metrics 9090; port http 80 }
namespace a { service api { image "api:1"; port http 8080 } }
""")
    assert [(p.name, p.number) for p in workload(topology, "api").container.ports] == [("http", 8080), ("metrics", 9090)]


def test_volume_none_drops_the_defaults_volume_of_that_name_only() -> None:
    topology = clean("""
defaults { volume config config-map "{service}-config" at "/etc/{service}"; volume logs empty-dir at "/var/log/{service}" }
namespace a {
  service api { image "api:1"; port http 8080; volume config none }
  service web { image "web:1"; port http 8080 }
}
""")
    assert [v.name for v in workload(topology, "api").volumes] == ["logs"]
    assert [v.name for v in workload(topology, "web").volumes] == ["config", "logs"]


def test_a_namespace_s_defaults_may_drop_a_top_level_volume_for_its_workloads() -> None:
    topology = clean("""
defaults { volume config config-map "{service}-config" at "/etc/{service}" }
namespace a {
  defaults { volume config none }
  service api { image "api:1"; port http 8080 }
}
namespace b { service web { image "web:1"; port http 8080 } }
""")
    assert (workload(topology, "api").volumes, [v.name for v in workload(topology, "web").volumes]) == ((), ["config"])


def test_volume_none_naming_no_inherited_volume_is_E0201_and_a_mount_beside_it_E0221() -> None:
    _, diags = resolved("""
defaults { volume config config-map "{service}-config" at "/etc/{service}" }
namespace a { service api { image "api:1"; port http 8080; volume confg none; volume config none at "/etc/api" } }
""")
    assert codes(diags) == ["E0201", "E0221"]
    assert 'did you mean "config"' in diags[0].help


def test_other_lists_of_the_defaults_are_replaced_whole() -> None:
    topology = clean("""
defaults { calls db:sql }
namespace a {
  service db { image "db:1"; port sql 5432; calls cache:redis }
  service cache { image "cache:1"; port redis 6379; calls db:sql }
}
""")
    assert [c.target for c in workload(topology, "db").calls] == ["cache"]


def test_a_pooler_becomes_a_deployment_in_its_database_s_namespace() -> None:
    topology = clean("""
namespace data {
  statefulset postgres {
    image "postgres:16"
    port sql 5432
    database { pooler bouncer { image "pgbouncer:1"; replicas 2 } }
  }
}
""")
    pooler = workload(topology, "bouncer")
    assert (pooler.kind, pooler.namespace, pooler.pooler_of, pooler.replicas) == ("deployment", "data", "postgres", 2)


def test_a_call_resolves_to_the_named_port_of_its_target() -> None:
    topology = clean("""
namespace a {
  service api { image "api:1"; port http 8080; calls db:sql }
  service db { image "db:1"; port admin 9000; port sql 5432 }
}
""")
    assert [(c.target, c.port.name, c.port.number) for c in workload(topology, "api").calls] == [("db", "sql", 5432)]


def test_a_call_without_a_port_opens_every_port_of_its_target() -> None:
    topology = clean("""
namespace a {
  service api { image "api:1"; port http 8080; calls db }
  service db { image "db:1"; port admin 9000; port sql 5432 }
}
""")
    assert [c.port.name for c in workload(topology, "api").calls] == ["admin", "sql"]


def test_a_call_to_an_unknown_name_is_E0201_with_a_did_you_mean() -> None:
    _, diags = resolved("""
namespace a {
  service api { image "api:1"; port http 8080; calls dbb }
  service db { image "db:1"; port sql 5432 }
}
""")
    assert codes(diags) == ["E0201"] and 'did you mean "db"' in diags[0].help


def test_a_call_to_a_port_its_target_does_not_have_is_E0202() -> None:
    _, diags = resolved("""
namespace a {
  service api { image "api:1"; port http 8080; calls db:http }
  service db { image "db:1"; port sql 5432 }
}
""")
    assert codes(diags) == ["E0202"]


def test_a_workload_name_used_twice_is_E0203_pointing_at_the_first() -> None:
    _, diags = resolved("""
namespace a { service api { image "api:1"; port http 8080 } }
namespace b { service api { image "api:2"; port http 8080 } }
""")
    assert codes(diags) == ["E0203"]
    span = diags[0].span
    assert span is not None and span.line == 5 and [r.span.line for r in diags[0].related] == [4]


def test_a_pooler_named_like_a_workload_is_E0203() -> None:
    _, diags = resolved("""
namespace data {
  service api { image "api:1"; port http 8080 }
  statefulset postgres { image "postgres:16"; port sql 5432; database { pooler api { image "pgbouncer:1" } } }
}
""")
    assert codes(diags) == ["E0203"]


def test_a_workload_without_an_image_anywhere_is_E0115() -> None:
    _, diags = resolved("namespace a { service api { port http 8080 } }\n")
    assert codes(diags) == ["E0115"] and '"image"' in diags[0].summary
