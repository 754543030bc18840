"""Where objects go: apply order, file names, the kustomization and the stream.

Files are ``kubernetes/<namespace>/<kind>-<name>.yaml`` (cluster-scoped objects in
``kubernetes/_cluster/``), one object each; ``kubernetes/kustomization.yaml`` lists them in
apply order, and the stream holds every object in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import Any

from orion_dsl.artifacts import Artifact, to_yaml, yaml_stream
from orion_dsl.lowering.plan import file_path

TARGET = "kubernetes"

#: Apply order: kinds within a group keep this order too.
ORDER: tuple[tuple[str, ...], ...] = (
    ("Namespace", "ResourceQuota", "LimitRange"),
    ("ClusterIssuer",),
    ("ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"),
    ("ConfigMap", "Secret", "AlertmanagerConfig"),
    ("PersistentVolumeClaim", "ObjectStore"),
    ("Service",),
    ("Deployment", "StatefulSet", "DaemonSet", "Cluster", "Pooler", "RabbitmqCluster", "RedisReplication", "RedisSentinel", "Alertmanager", "Prometheus"),
    ("HorizontalPodAutoscaler", "TriggerAuthentication", "ScaledObject", "VerticalPodAutoscaler", "PodDisruptionBudget"),
    ("NetworkPolicy",),
    ("Certificate", "Ingress", "Gateway", "HTTPRoute"),
    ("ServiceMonitor", "PodMonitor", "PrometheusRule"),
    ("CronJob", "ScheduledBackup", "BackupStorageLocation", "VolumeSnapshotLocation", "Schedule"),
)
_RANK = {kind: (group, index) for group, kinds in enumerate(ORDER) for index, kind in enumerate(kinds)}


def sort_key(o: dict[str, Any]) -> tuple[int, int, str, str]:
    """Apply order, then namespace, then name."""
    group, index = _RANK[o["kind"]]
    meta = o["metadata"]
    return (group, index, meta.get("namespace", ""), meta["name"])


def path(o: dict[str, Any]) -> str:
    """The file of one object, relative to the output folder."""
    return file_path(TARGET, o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])


def kustomization(paths: list[str]) -> dict[str, Any]:
    """The kustomization listing every file (relative to ``kubernetes/``) in apply order."""
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [p.removeprefix(f"{TARGET}/") for p in paths],
    }


def layout(objects: Iterable[dict[str, Any]]) -> tuple[tuple[Artifact, ...], Callable[[], str]]:
    """Artifacts (one file per object plus the kustomization) and the stream, spelled when asked.

    Each object is spelled as it comes and then let go: only the texts are held, in apply order.
    """
    placed = sorted(((sort_key(o), path(o), to_yaml(o)) for o in objects), key=itemgetter(0))
    paths = [p for _, p, _ in placed]
    if len(set(paths)) != len(paths):
        dupes = sorted({p for p in paths if paths.count(p) > 1})
        raise AssertionError(f"two objects share a file: {dupes}")  # a backend bug, never user input
    documents = tuple(Artifact(p, text) for _, p, text in placed)
    del placed
    listing = Artifact(f"{TARGET}/kustomization.yaml", to_yaml(kustomization(paths)))
    return (*documents, listing), lambda: yaml_stream(a.text for a in documents)
