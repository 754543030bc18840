"""Schemas, layout, kustomize, checkov, determinism and snapshots of the kubernetes target."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from orion_dsl.model import Topology
from tests.support.renderers import require_tool, run_checkov
from tests.support.schemas import NEWEST_K8S, is_core, validate_core, validate_crd
from tests.support.snapshots import YamlSnapshot

from .helpers import REPO_ROOT, SPECS, allowlist, load, objects, rendered, write

KINDS_IN_ORDER = [
    "Namespace",
    "ResourceQuota",
    "LimitRange",
    "ClusterIssuer",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "ConfigMap",
    "AlertmanagerConfig",
    "PersistentVolumeClaim",
    "ObjectStore",
    "Service",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Cluster",
    "Pooler",
    "RabbitmqCluster",
    "RedisReplication",
    "RedisSentinel",
    "Alertmanager",
    "Prometheus",
    "HorizontalPodAutoscaler",
    "TriggerAuthentication",
    "ScaledObject",
    "VerticalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "Certificate",
    "Ingress",
    "Gateway",
    "HTTPRoute",
    "ServiceMonitor",
    "PodMonitor",
    "PrometheusRule",
    "CronJob",
    "ScheduledBackup",
    "BackupStorageLocation",
    "VolumeSnapshotLocation",
    "Schedule",
]


@pytest.fixture(params=SPECS, ids=[p.stem for p in SPECS])
def topology(request: pytest.FixtureRequest) -> Topology:
    """The seed and every example."""
    return load(request.param)


@pytest.mark.parametrize("version", ["1.28.0", NEWEST_K8S])
def test_core_objects_validate(topology: Topology, version: str) -> None:
    errors = [e for o in objects(topology) if is_core(o) for e in validate_core(o, version)]
    assert errors == []


def test_custom_resources_validate(topology: Topology) -> None:
    objs = [o for o in objects(topology) if not is_core(o)]
    errors = [e for o in objs for e in validate_crd(o)]
    assert errors == []


def test_one_object_per_file_and_kustomization_lists_every_file(topology: Topology) -> None:
    result = rendered(topology)
    files = {a.path: a.text for a in result.artifacts}
    kust = yaml.safe_load(files.pop("kubernetes/kustomization.yaml"))
    assert kust["apiVersion"] == "kustomize.config.k8s.io/v1beta1" and kust["kind"] == "Kustomization"
    assert sorted(kust["resources"]) == sorted(p.removeprefix("kubernetes/") for p in files)
    for path, text in files.items():
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
        assert len(docs) == 1, path
        o = docs[0]
        folder = o["metadata"].get("namespace", "_cluster")
        assert path == f"kubernetes/{folder}/{o['kind'].lower()}-{o['metadata']['name']}.yaml"
    # the kustomization's order is the stream's order
    stream_files = [f"{o['metadata'].get('namespace', '_cluster')}/{o['kind'].lower()}-{o['metadata']['name']}.yaml" for o in objects(topology)]
    assert kust["resources"] == stream_files


def test_stream_is_in_apply_order(topology: Topology) -> None:
    ranks = [KINDS_IN_ORDER.index(o["kind"]) for o in objects(topology)]
    groups = [0, 0, 0, 1, 2, 2, 2, 2, 2, 3, 3, 4, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 8, 9, 9, 9, 9, 10, 10, 10, 11, 11, 11, 11, 11]
    assert [groups[r] for r in ranks] == sorted(groups[r] for r in ranks)
    first = objects(topology)[0]
    assert first["kind"] == "Namespace"


def test_no_secret_is_written(topology: Topology) -> None:
    objs = objects(topology)
    assert [o for o in objs if o["kind"] == "Secret"] == []
    assert "stringData" not in rendered(topology).stream


def test_kubectl_kustomize_yields_the_stream(topology: Topology, tmp_path: Path) -> None:
    kubectl = require_tool("kubectl")
    folder = write(topology, tmp_path)
    proc = subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    built = [d for d in yaml.safe_load_all(proc.stdout) if d is not None]

    def key(o: dict[str, object]) -> str:
        return yaml.safe_dump(o, sort_keys=True)

    assert sorted(map(key, built)) == sorted(map(key, objects(topology)))


def test_checkov_finds_nothing_outside_the_allowlist(topology: Topology, tmp_path: Path) -> None:
    allowed = allowlist()
    assert all(reason for reason in allowed.values()), "every allowlist entry needs a reason"
    failed = run_checkov(write(topology, tmp_path))
    unexpected = sorted({(f["check_id"], f["check_name"], f["resource"]) for f in failed if f["check_id"] not in allowed})
    assert unexpected == []


_SCRIPT = """
import sys
from pathlib import Path
from orion_dsl.pipeline import analyze_file
from orion_dsl.backends.kubernetes import render
r = render(analyze_file(Path(sys.argv[1])).plan)
sys.stdout.write(r.stream)
for a in r.artifacts:
    sys.stdout.write(a.path + "\\n" + a.text)
for d in r.diagnostics:
    sys.stdout.write(f"{d.code} {d.summary}\\n")
"""


def test_output_does_not_depend_on_hash_seed() -> None:
    spec = REPO_ROOT / "specs" / "orion.orion"
    outputs = set()
    for seed in ("0", "1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(spec)], capture_output=True, cwd=REPO_ROOT, env=env, check=True, timeout=120)
        outputs.add(proc.stdout)
    assert len(outputs) == 1


def test_seed_stream_snapshot(seed: Topology, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert rendered(seed).stream == snapshot.use_extension(YamlSnapshot)


def test_example_stream_snapshot(example: Topology, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert rendered(example).stream == snapshot.use_extension(YamlSnapshot)


def test_every_diagnostic_is_info_and_names_no_checklist_row(topology: Topology) -> None:
    import re

    for d in rendered(topology).diagnostics:
        assert d.severity.value == "info"
        assert not re.search(r"\bS\d\d\b", f"{d.summary} {d.help}"), d.summary  # the seed checklist is ours, not the user's


def test_the_seed_writes_its_objects_at_the_paths_the_readme_promises(seed: Topology) -> None:
    paths = {a.path for a in rendered(seed).artifacts}
    assert {
        "kubernetes/_cluster/namespace-orion-data.yaml",
        "kubernetes/_cluster/clusterissuer-letsencrypt.yaml",
        "kubernetes/orion-data/cluster-postgres.yaml",
        "kubernetes/orion-data/pooler-pgbouncer.yaml",
        "kubernetes/orion-data/service-postgres-read.yaml",
        "kubernetes/orion-data/scheduledbackup-postgres-backup-full.yaml",
        "kubernetes/orion-data/rabbitmqcluster-rabbitmq.yaml",
        "kubernetes/velero/schedule-orion-cluster.yaml",
        "kubernetes/kustomization.yaml",
    } <= paths
