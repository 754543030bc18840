"""``backup ... retention DURATION``: enforced by the Barman Cloud ObjectStore, reported elsewhere."""

from __future__ import annotations

import attrs

from orion_dsl.model import Backup, Topology
from orion_dsl.pipeline import analyze_text
from orion_dsl.values import Duration
from tests.conftest import NETWORK, ROOT, load_topology

from .helpers import find, objects, rendered

OPERATORS = ROOT / "examples" / "operators.orion"


def _with_retention(topology: Topology, name: str, kind: str, retention: Duration | None) -> Topology:
    """The topology with one backup of one workload kept for ``retention``."""

    def kept(b: Backup) -> Backup:
        return attrs.evolve(b, retention=retention) if b.kind == kind else b

    workloads = tuple(attrs.evolve(w, backups=tuple(kept(b) for b in w.backups)) if w.name == name else w for w in topology.workloads)
    return attrs.evolve(topology, workloads=workloads)


def _policy(topology: Topology) -> str | None:
    spec = find(objects(topology), "ObjectStore", "s3-backups", "data")["spec"]
    return spec.get("retentionPolicy")


def test_the_object_store_keeps_the_base_backups_as_long_as_their_retention() -> None:
    assert _policy(load_topology(OPERATORS)) == "30d"


def test_the_longest_retention_of_the_stores_backups_wins_in_whole_days() -> None:
    operated = load_topology(OPERATORS)
    assert _policy(_with_retention(operated, "postgres", "wal", Duration(45 * 86_400_000, "45d"))) == "45d"
    assert _policy(_with_retention(operated, "postgres", "full", Duration(36 * 3_600_000, "36h"))) == "2d"


def test_without_a_retention_the_store_deletes_nothing() -> None:
    assert _policy(_with_retention(load_topology(OPERATORS), "postgres", "full", None)) is None


def test_a_retention_nothing_enforces_is_reported(seed: Topology) -> None:
    kept = _with_retention(seed, "rabbitmq", "definitions", Duration(7 * 86_400_000, "7d"))
    kept = _with_retention(kept, "postgres", "incremental", Duration(2 * 86_400_000, "2d"))
    found = {d.summary: d.help for d in rendered(kept).diagnostics if d.code == "I1082"}
    assert found == {
        "the definitions backups of rabbitmq are kept until someone deletes them: nothing in the output enforces `retention 7d`": (
            "add a lifecycle rule expiring orion-data/rabbitmq/definitions/ in s3-primary's bucket after 7d"
        ),
        "the incremental backups of postgres are kept until someone deletes them: nothing in the output enforces `retention 2d`": (
            "prune the volume snapshots with the storage provider's snapshot policy"
        ),
    }
    assert not [d for d in rendered(load_topology(OPERATORS)).diagnostics if d.code == "I1082"]


def test_a_retention_under_a_day_is_refused() -> None:
    spec = NETWORK + """
namespace a {
  subnet apps
  statefulset db { image "x:1"; port sql 5432; storage data 1Gi at "/data"; backup snapshot every 1h to t retention 12h }
}
recovery { target t { kind s3; region us-east-1; bucket "b" } }
"""
    analysis = analyze_text(spec, "retention.orion")
    (error,) = [d for d in analysis.diagnostics if d.is_error]
    assert error.code == "E0216" and error.summary == "a backup retention (kept in whole days) must be at least 1d"
