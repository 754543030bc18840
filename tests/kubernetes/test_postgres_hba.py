"""ORION's pg_hba.conf admits its backup steps' replication connections, which the postgres image's own
rules refuse: the real server (the Debian package's PostgreSQL, as the ``postgres`` user) listening on
this host's non-loopback address, initialised as the image's entrypoint does (docker-library/postgres@
042d8d043fed77e0e09b6fcda0991bca9e8664e3 16/alpine3.20/docker-entrypoint.sh: ``initdb --username=postgres
--pwfile``), and ``pg_basebackup`` from that address, as ORION's dump step runs it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from orion_dsl.backends.kubernetes.postgres_server import args, hba_conf, method
from orion_dsl.lowering import families
from tests.conftest import EXAMPLES
from tests.kubernetes.helpers import find, load, objects

EXAMPLE = next(p for p in EXAMPLES if p.stem == "disaster-recovery")
BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"))), None)
PASSWORD = "orion-test-password"


def _address() -> str | None:
    """This host's address on its default route, unless it has only loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("198.51.100.1", 9))  # no packet leaves: a UDP connect only picks the route
        except OSError:
            return None
        found: str = s.getsockname()[0]
    return None if found.startswith("127.") else found


ADDRESS = _address()
pytestmark = pytest.mark.skipif(
    BIN is None or ADDRESS is None or shutil.which("runuser") is None, reason="needs PostgreSQL's server and a non-loopback address"
)


def _as_postgres(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run a server tool as the postgres user (initdb and the server refuse root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *argv], capture_output=True, text=True, check=False, timeout=120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((ADDRESS or "", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Path, int]]:
    """A server initialised as the image's entrypoint does, reading its rules from ``hba_file``; yields (the rules' file, its port).
    Its folder is outside pytest's, which only root may enter."""
    root = Path(tempfile.mkdtemp(prefix="orion-pg-"))
    shutil.chown(root, "postgres")
    (root / "pw").write_text(PASSWORD + "\n")
    data, hba = root / "data", root / "pg_hba.conf"
    hba.write_text("local all all trust\n")
    for f in (root / "pw", hba):
        shutil.chown(f, "postgres")
    assert BIN is not None
    done = _as_postgres(f"{BIN}/initdb", "-D", str(data), "--username=postgres", f"--pwfile={root / 'pw'}")
    assert done.returncode == 0, done.stderr
    port = _free_port()
    options = f"-c hba_file={hba} -c listen_addresses={ADDRESS} -p {port} -k {root}"
    done = _as_postgres(f"{BIN}/pg_ctl", "-D", str(data), "-l", str(root / "log"), "-o", options, "-w", "start")
    assert done.returncode == 0, done.stderr + (root / "log").read_text()
    yield hba, port
    _as_postgres(f"{BIN}/pg_ctl", "-D", str(data), "-m", "immediate", "stop")
    shutil.rmtree(root)


def _base_backup(server: tuple[Path, int], rules: str, out: Path) -> subprocess.CompletedProcess[str]:
    """Reload the server with these rules, then take a base backup from the host's address as the superuser."""
    hba, port = server
    hba.write_text(rules)
    assert BIN is not None
    done = _as_postgres(f"{BIN}/pg_ctl", "-D", str(hba.parent / "data"), "reload")
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "PGPASSWORD": PASSWORD, "PGCONNECT_TIMEOUT": "10"}
    argv = [f"{BIN}/pg_basebackup", "-h", str(ADDRESS), "-p", str(port), "-U", families.POSTGRES_SUPERUSER, "-D", str(out), "-Ft", "-Xs", "-w"]
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120, env=env)


def test_the_images_rules_refuse_a_replication_connection_from_another_host(server: tuple[Path, int], tmp_path: Path) -> None:
    postgres = next(w for w in load(EXAMPLE).workloads if w.name == "postgres")
    image_rules = "".join(line + "\n" for line in hba_conf(postgres).splitlines() if not line.startswith("host replication all all"))
    done = _base_backup(server, image_rules, tmp_path / "out")
    assert done.returncode != 0 and "no pg_hba.conf entry for replication connection" in done.stderr


def test_orions_rules_admit_the_base_backup_with_the_superusers_password(server: tuple[Path, int], tmp_path: Path) -> None:
    postgres = next(w for w in load(EXAMPLE).workloads if w.name == "postgres")
    (config,) = (o for o in objects(load(EXAMPLE)) if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "postgres-hba")
    assert config["data"][families.HBA_FILE] == hba_conf(postgres) and method(postgres) == "scram-sha-256"
    done = _base_backup(server, config["data"][families.HBA_FILE], tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "base.tar").exists()


def test_the_server_reads_the_rules_where_orion_mounts_them() -> None:
    sts = find(objects(load(EXAMPLE)), "StatefulSet", "postgres", "data")["spec"]["template"]["spec"]
    (container,) = sts["containers"]
    assert container["args"] == ["-c", f"hba_file={families.HBA_DIR}/{families.HBA_FILE}"]
    assert {"name": "orion-hba", "mountPath": families.HBA_DIR, "readOnly": True} in container["volumeMounts"]
    assert {"name": "orion-hba", "configMap": {"name": "postgres-hba", "optional": False}} in sts["volumes"]


def test_a_postgresql_17_summarizes_wal_for_its_incremental_backup_and_16_cannot_take_one() -> None:
    """``pg_basebackup --incremental`` needs the server's WAL summaries (summarize_wal, PostgreSQL 17:
    postgresql.org/docs/17/app-pgbasebackup.html); PostgreSQL 16 has no incremental backups (I1053)."""
    postgres = next(w for w in load(EXAMPLE).workloads if w.name == "postgres")
    assert [b.kind for b in postgres.backups] == ["full", "incremental", "wal"]
    hba_file = ["-c", f"hba_file={families.HBA_DIR}/{families.HBA_FILE}"]
    assert args(postgres) == hba_file
    seventeen = attrs.evolve(postgres, container=attrs.evolve(postgres.container, image="postgres:17-alpine"))
    assert args(seventeen) == [*hba_file, "-c", "summarize_wal=on"]
    assert args(attrs.evolve(seventeen, backups=postgres.backups[:1])) == hba_file
