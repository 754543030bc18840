"""The files of a ConfigMap or Secret volume: which keys it mounts, under which names.

``volume keys secret "jwt-key" at "/tmp/.ssh" { file "publickey" key "jwtRS256.key.pub" }`` mounts
only that key, as ``/tmp/.ssh/publickey`` (the volume's ``items``). A workload then reads the file
its program expects, and no other key of the Secret reaches its pods: Bank of Anthos mounts the
public half of its JWT key pair into every service, the private half into the one that signs.
What the API server refuses is an error here: a key that is not a ConfigMap key, a path that is
absolute or climbs out with ``..``, two files of one path, files of a scratch directory.
"""

from __future__ import annotations

from orion_dsl import declarations as decl
from orion_dsl import model
from orion_dsl.diagnostics import Diagnostic, Related, error
from orion_dsl.semantic.resolver_base import CONFIG_KEY


def volume_files(d: decl.VolumeDecl) -> tuple[tuple[model.VolumeFile, ...], list[Diagnostic]]:
    """The volume's files as the pod mounts them, and what in them Kubernetes would refuse."""
    problems: list[Diagnostic] = []
    if d.files and d.kind is not None and d.kind.value == "empty-dir":
        help = "mount a `config-map` or `secret` to pick its keys, or drop the `file` lines"
        problems.append(error("E0221", d.files[0].keyword_span, "an empty-dir has no keys to mount as files", help))
        return (), problems
    files: list[model.VolumeFile] = []
    first: dict[str, decl.VolumeFileDecl] = {}
    for f in d.files:
        if f.path is None or f.key is None:
            continue  # reported as missing
        path, key = f.path.value, f.key.value
        if len(key) > 253 or not CONFIG_KEY.match(key):
            help = "write at most 253 letters, digits, '-', '_' or '.'"
            problems.append(error("E0204", f.key.span, f'the key "{key}" cannot be a key of a Secret or ConfigMap', help))
        if path.startswith("/") or ".." in path.split("/") or path.startswith(".."):
            inside = path.lstrip("/").replace("..", "").strip("/") or key
            help = f'write a path inside the mount, e.g. "{inside}"'
            problems.append(error("E0216", f.path.span, f'the file "{path}" lies outside its volume\'s mount', help))
        elif (earlier := first.setdefault(path, f)) is not f:
            related = (Related(earlier.keyword_span, "the first is"),)
            problems.append(error("E0203", f.path.span, f'two keys are mounted as the file "{path}"', "give each key its own path", related))
        files.append(model.VolumeFile(key, path))
    return tuple(files), problems
