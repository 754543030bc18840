"""The keys of a Secret (or ConfigMap) mounted whole that a workload's pods name by path.

The kubelet writes each key of a volume mounted without ``files`` as a file of the key's name under the
mount. A pod that is told of such a file (``POSTGRES_PASSWORD_FILE=/etc/postgres/secrets/password``,
Grafana's ``GF_SECURITY_ADMIN_PASSWORD__FILE``, ``--config=/etc/app/secrets/app.yaml``, an exec probe
reading a token) fails when the key is missing: the PostgreSQL entrypoint's ``file_env`` under
``set -e`` (docker-library/postgres@6edb0a8c 17/alpine3.22/docker-entrypoint.sh), Grafana's ``__FILE``
overrides (grafana.com/docs/grafana/latest/setup-grafana/configure-docker/). Read from every literal
environment value, command, argument and exec check of the containers that mount the volume (the main
and init containers), so the prerequisites name those keys whatever the image.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from orion_dsl.model import Volume, Workload

#: An absolute path inside a text (a value, an argument, a shell script): not the tail of a longer word.
_PATH = re.compile(r"(?<![\w.$/-])/[\w.-]+(?:/[\w.-]+)*")


def _texts(w: Workload) -> Iterator[str]:
    """Every text of the main and init containers that may name a file: literal env values (every version's too),
    commands, arguments, and the commands of exec checks."""
    for c in (w.container, *w.init_containers):
        yield from (e.value for e in c.env if e.value is not None and e.source_kind is None and e.address is None)
        yield from (*c.command, *c.args)
    for v in w.versions:
        yield from (e.value for e in v.env if e.value is not None and e.source_kind is None and e.address is None)
        yield from v.args or ()
    probes = w.probes
    for check in (probes.liveness, probes.readiness, probes.startup) if probes is not None else ():
        yield from check.command if check is not None else ()


def named_keys(w: Workload, volume: Volume) -> tuple[str, ...]:
    """The keys of ``volume`` (mounted whole) the workload's pods name by path, in the order first named: the file
    name under the mount of each path that lies in it, unless a deeper mount (another volume, a claim) holds the path."""
    named = [match.group() for text in _texts(w) for match in _PATH.finditer(text)]
    if not named:  # most workloads name no path: no mount is parsed for them
        return ()
    mounts = [PurePosixPath(m) for m in (*(v.mount_path for v in w.volumes), *(s.mount_path for s in w.storage))]
    own = PurePosixPath(volume.mount_path)
    found: dict[str, None] = {}
    for named_path in named:
        path = PurePosixPath(named_path)
        holder = max((m for m in mounts if path.is_relative_to(m)), key=lambda m: len(m.parts), default=None)
        if holder == own and path != own:
            found[path.relative_to(own).parts[0]] = None
    return tuple(found)
