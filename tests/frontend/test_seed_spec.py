"""specs/orion.orion states every fact of the seed checklist and checks clean under --strict."""

from __future__ import annotations

import re
from pathlib import Path

from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_file

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "orion.orion"


def test_every_checklist_id_s01_to_s60_is_cited_in_the_spec() -> None:
    cited = {int(n) for n in re.findall(r"#.*?\bS(\d\d)\b", SPEC.read_text()) for n in [n]}
    cited |= {int(n) for line in SPEC.read_text().splitlines() if "#" in line for n in re.findall(r"\bS(\d\d)\b", line.split("#", 1)[1])}
    assert set(range(1, 61)) - cited == set()


def test_seed_spec_has_no_diagnostics_at_all() -> None:
    analysis = analyze_file(SPEC)
    assert analysis.diagnostics == ()


def test_s02_all_eight_namespaces(seed: Topology) -> None:
    assert {n.name for n in seed.namespaces} == {
        "orion-gateway", "orion-auth", "orion-user", "orion-notification",
        "orion-data", "orion-monitoring", "orion-ingress", "orion-system",
    }  # fmt: skip


def test_s10_defaults_reach_every_app_container(seed: Topology) -> None:
    for name in ("gateway", "auth", "user", "notification"):
        w = seed.workload(name)
        assert w is not None
        r = w.container.resources
        assert (r.cpu_request.text, r.cpu_limit.text, r.memory_request.text, r.memory_limit.text) == ("500m", "1000m", "512Mi", "1Gi")


def test_s11_auth_overrides_only_the_probe_path(seed: Topology) -> None:
    auth, gateway = seed.workload("auth"), seed.workload("gateway")
    assert auth is not None and gateway is not None and auth.probes and gateway.probes
    assert auth.probes.liveness and auth.probes.liveness.path == "/api/auth/health"
    assert gateway.probes.liveness and gateway.probes.liveness.path == "/health"
    assert (auth.probes.interval.seconds, auth.probes.timeout.seconds, auth.probes.failure_threshold, auth.probes.success_threshold) == (10, 5, 3, 2)


def test_s12_default_volumes_are_named_after_each_service(seed: Topology) -> None:
    w = seed.workload("notification")
    assert w is not None
    assert {(v.kind, v.source, v.mount_path) for v in w.volumes} >= {
        ("config-map", "notification-config", "/etc/notification"),
        ("secret", "notification-secrets", "/etc/notification/secrets"),
        ("empty-dir", "", "/var/log/notification"),
    }


def test_s50_postgres_pooler_is_a_workload_of_its_own(seed: Topology) -> None:
    pooler = seed.workload("pgbouncer")
    assert pooler is not None and pooler.pooler_of == "postgres" and pooler.namespace == "orion-data"
    postgres = seed.workload("postgres")
    assert postgres is not None and postgres.database is not None
    assert (postgres.database.primary, postgres.database.read_replicas, postgres.database.read_weights) == (1, 2, (50, 50))


def test_s60_recovery_objectives(seed: Topology) -> None:
    assert seed.recovery is not None
    objectives = {o.name: (o.rto.text, o.rpo.text) for o in seed.recovery.objectives}
    assert objectives == {"database": ("1h", "6h"), "services": ("15m", "0s")}
