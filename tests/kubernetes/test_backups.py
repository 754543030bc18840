"""Continuous backups: an archiver Deployment when ORION knows how to stream, or a clear note when not."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

from orion_dsl.backends.kubernetes import render
from orion_dsl.lowering.prerequisites import prerequisites
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import EXAMPLES
from tests.support.plans import planned

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
recovery { target primary { kind s3; region us-east-1; bucket "b"; encrypted on } }
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
    notes = [d for d in render(planned(topology)).diagnostics if d.code == "I1050"]
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
    assert "I1055" not in {d.code for d in render(planned(topology)).diagnostics}  # no slot of ORION's


def test_disaster_recovery_example_archives_wal_on_its_ssd_class() -> None:
    objs = objects(load(next(p for p in EXAMPLES if p.stem == "disaster-recovery")))
    assert find(objs, "PersistentVolumeClaim", "postgres-wal-archive", "data")["spec"]["storageClassName"] == "ssd"


def _upload_container(tmp_path: Path) -> tuple[str, str]:
    """The WAL uploader's script and liveness command, moved from /backup and /tmp into ``tmp_path``."""
    pod = find(objects(_topology()), "Deployment", "postgres-wal-archive", "data")["spec"]["template"]["spec"]
    upload = next(c for c in pod["containers"] if c["name"] == "upload")

    def moved(text: str) -> str:
        return text.replace("/backup/", f"{tmp_path}/backup/").replace("/tmp/uploaded", f"{tmp_path}/uploaded")

    return moved(upload["command"][-1]), moved(upload["livenessProbe"]["exec"]["command"][-1])


def _fake_tools(tmp_path: Path) -> dict[str, str]:
    """``aws`` that logs its arguments and succeeds; ``sleep`` that fails, ending the loop after one pass (sh -e)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "aws").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/aws.log\n')
    (bin_dir / "sleep").write_text("#!/bin/sh\nexit 1\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "BACKUP_BUCKET": "b", "BACKUP_PREFIX": "data/postgres/wal"}


def test_wal_uploader_syncs_then_keeps_only_the_newest_finished_segments_and_the_partial_one(tmp_path: Path) -> None:
    script, _ = _upload_container(tmp_path)
    wal = tmp_path / "backup" / "wal"
    wal.mkdir(parents=True)
    now = time.time()
    segments = [f"0000000100000000000000{i:02X}" for i in range(1, 13)]
    for age, name in enumerate(reversed(segments)):  # the last segment is the newest
        (wal / name).touch()
        os.utime(wal / name, (now - 60 * age, now - 60 * age))
    (wal / "000000010000000000000013.partial").touch()
    done = subprocess.run(["/bin/sh", "-ec", script], env=_fake_tools(tmp_path), capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr  # the fake sleep ended the loop after one pass
    assert (tmp_path / "aws.log").read_text() == f"s3 sync --sse AES256 --exclude *.partial {wal} s3://b/data/postgres/wal/\n"
    assert sorted(p.name for p in wal.iterdir()) == [*segments[-8:], "000000010000000000000013.partial"]
    assert (tmp_path / "uploaded").exists()


def test_wal_uploader_is_alive_only_while_uploads_succeed(tmp_path: Path) -> None:
    _, probe = _upload_container(tmp_path)

    def alive() -> bool:
        return subprocess.run(["/bin/sh", "-c", probe], capture_output=True, check=False).returncode == 0

    assert not alive()  # never uploaded
    (tmp_path / "uploaded").touch()
    assert alive()
    stale = time.time() - 11 * 60
    os.utime(tmp_path / "uploaded", (stale, stale))
    assert not alive()


def test_backups_of_a_meshed_workload_are_reported_as_refused_by_the_mesh() -> None:
    meshed = SPEC.replace("namespace data {", "mesh istio { mtls strict }\nnamespace data {\n  mesh on") % ""
    analysis = analyze_text(meshed, "meshed.orion")
    assert analysis.topology is not None, analysis.diagnostics
    notes = [d for d in render(analysis.plan).diagnostics if d.code == "I1056"]
    assert [n.summary.split(" run ")[0] for n in notes] == ["the backup pods of postgres"]  # redis has no built-in step


def test_backups_outside_the_mesh_are_not_reported(seed: Topology) -> None:
    assert "I1056" not in {d.code for d in render(planned(seed)).diagnostics}


def _with_name(name: str) -> str:
    return (SPEC % "").replace("statefulset postgres {", f"statefulset {name} {{")


def test_the_longest_name_a_wal_archive_allows_gives_valid_label_values() -> None:
    name = "p" * (63 - len("-wal-archive"))
    analysis = analyze_text(_with_name(name), "long.orion")
    assert analysis.topology is not None, analysis.diagnostics
    archive = find(objects(analysis.topology), "Deployment", f"{name}-wal-archive", "data")
    labels = {**archive["metadata"]["labels"], **archive["spec"]["template"]["metadata"]["labels"]}
    assert max(len(v) for v in labels.values()) == 63


def test_a_name_one_longer_is_refused_for_its_wal_archive() -> None:
    name = "p" * (64 - len("-wal-archive"))
    assert [d.code for d in analyze_text(_with_name(name), "long.orion").diagnostics] == ["E0204"]


def test_a_backup_orion_writes_nothing_for_asks_for_no_credentials() -> None:
    spec = """
topology t { version "1" }
namespace data { statefulset cache { image "redis:7"; port redis 6379; backup snapshot continuous to s3 } }
recovery { target s3 { kind s3; bucket "b" } }
"""
    analysis = analyze_text(spec, "cache.orion")
    assert analysis.plan is not None, analysis.diagnostics
    codes = {d.code: d.summary for d in render(analysis.plan).diagnostics}
    assert "I1050" in codes and "s3-credentials" not in codes.get("I1010", "")


def _backup_user(objs: list[dict[str, Any]], deployment: str) -> dict[str, Any]:
    pod = find(objs, "Deployment", deployment, "data")["spec"]["template"]["spec"]
    (user,) = (e for c in pod["containers"] if c["name"] == "receive" for e in c["env"] if e["name"] == "BACKUP_USER")
    return user


def test_postgres_backups_log_in_as_the_images_superuser_or_the_workloads_own_user() -> None:
    """pg_basebackup and pg_receivewal need a role with REPLICATION: the image's superuser, ``postgres``
    unless POSTGRES_USER names another (docker-library/postgres@042d8d043fed77e0e09b6fcda0991bca9e8664e3
    16/alpine3.20/docker-entrypoint.sh, docker_setup_env); the topology's name is no role of the database."""
    assert _backup_user(objects(_topology()), "postgres-wal-archive") == {"name": "BACKUP_USER", "value": "postgres"}
    named = SPEC.replace("port sql 5432\n", 'port sql 5432\n    env POSTGRES_USER secret "postgres-secrets" key "user"\n', 1) % ""
    analysis = analyze_text(named, "backups.orion")
    assert analysis.topology is not None, analysis.diagnostics
    ref = {"secretKeyRef": {"name": "postgres-secrets", "key": "user", "optional": False}}
    assert _backup_user(objects(analysis.topology), "postgres-wal-archive") == {"name": "BACKUP_USER", "valueFrom": ref}


#: The image reads its superuser's name from POSTGRES_USER_FILE when it is set (file_env 'POSTGRES_USER' 'postgres':
#: docker-library/postgres@6edb0a8c 17/alpine3.22/docker-entrypoint.sh), so the backups read the same file.
USER_FILE = SPEC.replace("port sql 5432\n", 'port sql 5432\n    env POSTGRES_USER_FILE "/etc/postgres/secrets/username"\n', 1) % ""


def test_postgres_backups_read_the_user_from_the_file_the_server_reads_it_from() -> None:
    analysis = analyze_text(USER_FILE, "backups.orion")
    assert analysis.topology is not None, analysis.diagnostics
    pod = find(objects(analysis.topology), "Deployment", "postgres-wal-archive", "data")["spec"]["template"]["spec"]
    (receive,) = (c for c in pod["containers"] if c["name"] == "receive")
    assert "BACKUP_USER" not in {e["name"] for e in receive["env"]}
    assert 'BACKUP_USER="$(cat /etc/postgres/secrets/username)"' in receive["command"][-1]
    assert {"name": "store-credentials", "mountPath": "/etc/postgres/secrets", "readOnly": True} in receive["volumeMounts"]
    assert analysis.plan is not None
    (secret,) = (s for s in prerequisites(analysis.plan).secrets if s.name == "postgres-secrets")
    readers = {r.object: r.keys for r in secret.readers}
    assert readers["Deployment data/postgres-wal-archive"] == ("password", "username")


def test_a_user_file_the_backup_pods_do_not_mount_is_refused() -> None:
    outside = USER_FILE.replace("/etc/postgres/secrets/username", "/etc/postgres/users/name")
    (found,) = [d for d in analyze_text(outside, "backups.orion").diagnostics if d.code == "E0221"]
    assert "/etc/postgres/users/name is no file in its secret volume secrets (at /etc/postgres/secrets)" in found.summary


def test_the_backups_are_readers_of_the_secret_their_user_is_read_from() -> None:
    """BACKUP_USER is a secretKeyRef of the workload's own POSTGRES_USER key: every backup pod reads that Secret."""
    spec = SPEC.replace("port sql 5432\n", 'port sql 5432\n    env POSTGRES_USER secret "pg-user" key "name"\n', 1) % ""
    spec = spec.replace("backup wal continuous to primary", "backup wal continuous to primary\n    backup full every 24h to primary")
    analysis = analyze_text(spec, "backups.orion")
    assert analysis.plan is not None, analysis.diagnostics
    (secret,) = (s for s in prerequisites(analysis.plan).secrets if s.name == "pg-user")
    assert [(r.object, r.keys) for r in secret.readers] == [
        ("StatefulSet data/postgres", ("name",)),
        ("Deployment data/postgres-wal-archive", ("name",)),
        ("CronJob data/postgres-backup-full", ("name",)),
    ]


def test_the_backups_of_several_independent_servers_reach_pod_0() -> None:
    """W0318's case, when the spec keeps several pods: every step connects to one server, not one the Service picks."""
    spec = SPEC.replace("port sql 5432\n", "replicas 2\n    port sql 5432\n", 1) % ""
    analysis = analyze_text(spec, "backups.orion")
    assert analysis.topology is not None, analysis.diagnostics
    pod = find(objects(analysis.topology), "Deployment", "postgres-wal-archive", "data")["spec"]["template"]["spec"]
    (host,) = {e["value"] for c in pod["containers"] for e in c["env"] if e["name"] == "BACKUP_HOST"}
    assert host == "postgres-0.postgres-headless.data.svc.cluster.local"


def test_an_incremental_backup_warns_below_postgresql_17_and_not_from_17() -> None:
    spec = SPEC.replace("backup wal continuous to primary%s", "backup incremental every 6h to primary")
    codes = [d.code for d in analyze_text(spec, "backups.orion").diagnostics]
    assert "W0316" in codes
    newer = [d.code for d in analyze_text(spec.replace("postgres:16-alpine", "postgres:17-alpine"), "backups.orion").diagnostics]
    assert "W0316" not in newer
