"""Continuous backups: an archiver Deployment when ORION knows how to stream, or a clear note when not."""

from __future__ import annotations

from typing import Any

from backends.kubernetes import render
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import EXAMPLES

from .helpers import find, load, objects, of_kind

SPEC = """
topology t { version "1.0.0" }
namespace data {
  statefulset postgres {
    image "postgres:16-alpine"
    port sql 5432
    storage data 20Gi class fast at "/var/lib/postgresql/data"
    volume secrets secret "postgres-secrets" at "/etc/postgres/secrets"
    backup wal continuous to primary%s
  }
  service redis {
    image "redis:7.2-alpine"
    port redis 6379
    backup snapshot continuous to primary
  }
}
recovery { target primary { kind s3; region us-east; bucket "b"; encrypted on } }
"""


def _topology(wal_image: str = "") -> Topology:
    analysis = analyze_text(SPEC % (f' image "{wal_image}"' if wal_image else ""), "backups.orion")
    assert analysis.topology is not None, analysis.diagnostics
    return analysis.topology


def _archivers(objs: list[dict[str, Any]]) -> list[str]:
    return sorted(o["metadata"]["name"] for o in of_kind(objs, "Deployment") if o["metadata"]["labels"]["app.kubernetes.io/component"] == "backup")


def test_continuous_backup_without_a_builtin_receiver_generates_nothing_and_says_so() -> None:
    topology = _topology()
    assert _archivers(objects(topology)) == ["postgres-wal-archive"]  # redis has none
    notes = [d for d in render(topology).diagnostics if d.code == "I1050"]
    assert len(notes) == 1 and "redis:7.2-alpine" in notes[0].summary and notes[0].span is not None


def test_postgres_wal_archiver_spools_on_a_claim_of_the_workloads_storage_class() -> None:
    objs = objects(_topology())
    pod = find(objs, "Deployment", "postgres-wal-archive", "data")["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["receive", "upload"]
    claim = find(objs, "PersistentVolumeClaim", "postgres-wal-archive", "data")
    assert claim["spec"]["storageClassName"] == "fast"
    assert {"name": "backup", "persistentVolumeClaim": {"claimName": "postgres-wal-archive"}} in pod["volumes"]


def test_continuous_backup_with_an_image_runs_that_image_alone() -> None:
    topology = _topology("ghcr.io/wal-g/wal-g:v3.0.0")
    pod = find(objects(topology), "Deployment", "postgres-wal-archive", "data")["spec"]["template"]["spec"]
    (archive,) = pod["containers"]
    assert archive["image"] == "ghcr.io/wal-g/wal-g:v3.0.0" and "command" not in archive
    assert {e["name"] for e in archive["env"]} >= {"BACKUP_BUCKET", "BACKUP_PREFIX", "BACKUP_HOST", "BACKUP_PORT"}
    assert "I1055" not in {d.code for d in render(topology).diagnostics}  # no slot of ORION's


def test_disaster_recovery_example_archives_wal_on_its_ssd_class() -> None:
    objs = objects(load(next(p for p in EXAMPLES if p.stem == "disaster-recovery")))
    assert find(objs, "PersistentVolumeClaim", "postgres-wal-archive", "data")["spec"]["storageClassName"] == "ssd"
