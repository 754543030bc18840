"""A CloudNativePG database that backs up through the Barman Cloud plugin needs Kubernetes 1.29."""

from __future__ import annotations

from orion_dsl.pipeline import analyze_text
from tests.conftest import NETWORK

SPEC = """
namespace data {
  subnet apps
  statefulset db {
    engine cloudnative-pg
    image "ghcr.io/cloudnative-pg/postgresql:17-standard-trixie"
    replicas 2
    port sql 5432
    storage data 10Gi at "/var/lib/postgresql/data"
    %s
  }
}
recovery { target t { kind s3; region us-east-1; bucket "b" } }
"""


def _errors(kubernetes: str, backup: str) -> list[str]:
    text = NETWORK.replace('topology t { version "1" }', f'topology t {{ version "1"; kubernetes "{kubernetes}" }}') + SPEC % backup
    return [d.summary for d in analyze_text(text, "floor.orion").diagnostics if d.is_error]


def test_plugin_backups_on_kubernetes_1_28_are_refused() -> None:
    (error,) = _errors("1.28", "backup wal continuous to t")
    assert error.startswith("kubernetes 1.28 is too old for what ORION writes: the Barman Cloud plugin adds its sidecar")


def test_plugin_backups_on_kubernetes_1_29_pass() -> None:
    assert _errors("1.29", "backup full every 24h to t; backup wal continuous to t") == []


def test_a_database_without_plugin_backups_keeps_the_1_28_floor() -> None:
    assert _errors("1.28", "") == []
