"""Where a workload's volumes and storage are mounted: one mount per path, never the root.

Kubernetes refuses two ``volumeMounts`` of a container on one ``mountPath``, and a volume
mounted at ``/`` would hide the image's whole file system.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from orion_dsl import declarations as decl
from orion_dsl.decode import L
from orion_dsl.diagnostics import Diagnostic, Related, error
from orion_dsl.source import Span


def mount_path_problems(d: decl.WorkloadDecl, fill: Callable[[str], str]) -> list[Diagnostic]:
    """Every mount of the merged workload on a path taken by an earlier one, or on the root;
    ``fill`` turns a path as written into the path mounted (``{service}`` replaced)."""
    mounts: list[tuple[str, L[str]]] = [
        *(("volume", v.at) for v in d.volumes if v.at is not None),
        *(("storage", s.at) for s in d.storage if s.at is not None),
    ]
    # in the order written, so that a mount of the defaults comes first and the workload's own is reported
    mounts.sort(key=lambda mount: (mount[1].span.line, mount[1].span.column))
    out = []
    first: dict[str, Span] = {}
    for what, at in mounts:
        path = posixpath.normpath(fill(at.value)) if at.value.startswith("/") else None
        if path is None:
            continue  # a relative path is reported as such (E0216)
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
        if path == "/":
            out.append(error("E0216", at.span, f"a {what} mounted at the root would hide the image's whole file system", 'mount it at a folder, e.g. "/data"'))
            continue
        earlier = first.setdefault(path, at.span)
        if earlier is not at.span:
            out.append(
                error(
                    "E0203",
                    at.span,
                    f'a {what} is mounted at "{path}", where another volume or storage already is',
                    "mount each volume and storage at its own path",
                    (Related(earlier, "the first mount is"),),
                )
            )
    return out
