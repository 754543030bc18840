"""Every pod ORION writes is one the API server admits: the list-map keys it enforces are unique.

The OpenAPI schemas do not hold these (kubernetes-validate passes a pod with two volumes of one
name), but the API server does (``spec.volumes[1].name: Duplicate value``): volume names,
container names across init and app containers, each container's port names (at most 15
characters), environment names and mount paths; every mount names a volume of the pod.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kubernetes.helpers import SPECS, load, objects


def pod_specs(obj: dict[str, Any]) -> Iterator[tuple[dict[str, Any], tuple[str, ...]]]:
    """The pod spec of a workload object (Deployment, StatefulSet, DaemonSet, Job, CronJob) and
    the names of the claims a StatefulSet adds to each pod (its volumeClaimTemplates)."""
    spec = obj.get("spec", {})
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template = spec.get("template")
    if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob") and template:
        yield template["spec"], tuple(c["metadata"]["name"] for c in spec.get("volumeClaimTemplates", []))


def duplicates(values: list[Any]) -> list[Any]:
    """The values that occur more than once."""
    return sorted(v for v, n in Counter(values).items() if n > 1)


def problems(pod: dict[str, Any], claims: tuple[str, ...] = ()) -> list[str]:
    """What the API server would refuse in one pod spec (with the StatefulSet's ``claims``)."""
    found: list[str] = []
    volumes = [v["name"] for v in pod.get("volumes", [])] + list(claims)
    found += [f"volume {v} twice" for v in duplicates(volumes)]
    every = [*pod.get("initContainers", []), *pod.get("containers", [])]
    found += [f"container {c} twice" for c in duplicates([c["name"] for c in every])]
    for c in every:
        ports = [p["name"] for p in c.get("ports", []) if "name" in p]
        found += [f"{c['name']}: port name {p} twice" for p in duplicates(ports)]
        found += [f"{c['name']}: port name {p} over 15 characters" for p in ports if len(p) > 15]
        found += [f"{c['name']}: env {e} twice" for e in duplicates([e["name"] for e in c.get("env", [])])]
        mounts = c.get("volumeMounts", [])
        found += [f"{c['name']}: mount path {m} twice" for m in duplicates([m["mountPath"] for m in mounts])]
        found += [f"{c['name']}: mounts unknown volume {m['name']}" for m in mounts if m["name"] not in volumes]
    return found


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_pod_has_unique_volumes_containers_ports_env_and_mounts(path: Path) -> None:
    bad = {
        f"{o['kind']} {o['metadata'].get('namespace')}/{o['metadata']['name']}": found
        for o in objects(load(path))
        for pod, claims in pod_specs(o)
        if (found := problems(pod, claims))
    }
    assert bad == {}


def test_the_check_finds_a_pod_with_two_volumes_of_one_name() -> None:
    pod = {
        "volumes": [{"name": "credentials"}, {"name": "credentials"}],
        "containers": [{"name": "a", "volumeMounts": [{"name": "gone", "mountPath": "/x"}]}],
    }
    assert problems(pod) == ["volume credentials twice", "a: mounts unknown volume gone"]
