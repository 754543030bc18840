"""Every file a container is told of in its environment is mounted where it is told: a variable
whose value is an absolute path (``*_FILE``, Grafana's ``*__FILE``, ``AWS_SHARED_CREDENTIALS_FILE``,
``HOME``) names a path inside one of that container's own volumeMounts. Under a read-only root a
path outside every mount is either missing (a Secret's file) or unwritable; a mount of another
container of the pod does not count (the Redis snapshot's ``dump`` step once had the upload's
credentials path without its mount). Every container of every object counts, the operators'
resources' too (a Pooler's template). The paths inside commands (the backup scripts, their probes,
Alloy's arguments) are held by ``test_script_paths.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from tests.kubernetes.helpers import SPECS, load, objects


def containers(node: Any) -> Iterator[dict[str, Any]]:
    """Every container (init containers too) anywhere in an object."""
    if isinstance(node, dict):
        for key in ("containers", "initContainers"):
            found = node.get(key)
            if isinstance(found, list):
                yield from (c for c in found if isinstance(c, dict) and "name" in c)
        for value in node.values():
            yield from containers(value)
    elif isinstance(node, list):
        for item in node:
            yield from containers(item)


def unmounted(container: dict[str, Any]) -> list[str]:
    """The variables of a container whose path value is in none of its mounts."""
    mounts = [PurePosixPath(m["mountPath"]) for m in container.get("volumeMounts", [])]
    paths = {e["name"]: e["value"] for e in container.get("env", []) if isinstance(e.get("value"), str) and e["value"].startswith("/")}
    named_files = [e["name"] for e in container.get("env", []) if e["name"].endswith("FILE") and e["name"] not in paths and "value" in e]
    bad = [f"{name}={value}" for name, value in paths.items() if not any(PurePosixPath(value).is_relative_to(m) for m in mounts)]
    return bad + [f"{name} is not an absolute path" for name in named_files]


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_path_a_containers_environment_names_is_in_its_own_mounts(path: Path) -> None:
    bad = {
        f"{o['kind']} {o['metadata'].get('namespace')}/{o['metadata']['name']} {c['name']}": found
        for o in objects(load(path))
        for c in containers(o)
        if (found := unmounted(c))
    }
    assert bad == {}


def test_a_path_mounted_only_in_another_container_is_found() -> None:
    dump = {
        "name": "dump",
        "env": [{"name": "AWS_SHARED_CREDENTIALS_FILE", "value": "/var/run/secrets/backup/credentials"}],
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    assert unmounted(dump) == ["AWS_SHARED_CREDENTIALS_FILE=/var/run/secrets/backup/credentials"]
