"""Every path a container's commands write is writable under its read-only root, and every file they
read exists when they read it: the scripts ORION runs (the backup steps, the WAL archiver, their
probes) and the arguments it passes (Alloy's configuration file). This extends
``test_env_file_paths.py`` (the paths a container's environment names) to the paths inside commands.

A written path must lie in a writable mount (an emptyDir or a claim; a Secret or ConfigMap is always
read-only). A read path must lie in a mount, and
- in a Secret's or ConfigMap's mount, name a key the Secret has (its keys in the generated
  prerequisites, or the keys its operator writes) or the ConfigMap ORION writes holds;
- in an emptyDir or a claim, be written before: earlier in the same script, by an earlier init
  container, or (for a pod's long-running containers and probes) by any container of the pod.

Each command ORION's scripts run is classified in :data:`VERBS` by what it does with its paths; a
command with a path that is not classified fails the test, so a new script is classified, not skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import attrs
import pytest

from orion_dsl.lowering.prerequisites import prerequisites
from tests.kubernetes.helpers import SPECS, load, objects
from tests.kubernetes.test_image_contract import repository
from tests.support.plans import planned

Access = Literal["reads", "writes"]


@attrs.frozen
class Touch:
    """One path a command reads or writes (its fixed part: up to a variable or a wildcard)."""

    access: Access
    path: PurePosixPath


@attrs.frozen
class Verb:
    """What a command does with the paths it is given."""

    #: Its operands (the path arguments not given to an option): read, written, or ``transfer``:
    #: the first is read and the last written (``aws s3 cp|sync SOURCE DESTINATION``).
    operands: Access | Literal["transfer"] | None = None
    #: Its options whose value is a path it writes, or reads.
    writes: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()


#: The commands of ORION's scripts and arguments, by what they do with paths (POSIX utilities, and:
#: postgresql.org/docs/17/app-pgbasebackup.html -D, --incremental=old_manifest_file;
#: postgresql.org/docs/17/app-pgreceivewal.html -D; redis.io/docs/latest/develop/tools/cli --rdb;
#: rabbitmq/rabbitmqadmin-ng@6f67c49d README "definitions export --file";
#: docs.aws.amazon.com/cli/latest/reference/s3/cp.html and sync.html (source, then destination);
#: grafana/alloy@ea30b1f7f5a1e46c647a5a62ee6a4579a8423b21 docs/sources/reference/cli/run.md (the configuration path, --storage.path)).
VERBS: dict[str, Verb] = {
    "cat": Verb("reads"),
    "ls": Verb("reads"),
    "stat": Verb("reads"),
    "test": Verb("reads"),
    "mkdir": Verb("writes"),
    "touch": Verb("writes"),
    "rm": Verb("writes"),
    "pg_basebackup": Verb(writes=("-D", "--pgdata"), reads=("--incremental",)),
    "pg_receivewal": Verb(writes=("-D", "--directory")),
    "redis-cli": Verb(writes=("--rdb",)),
    "rabbitmqadmin": Verb(writes=("--file",)),
    "aws": Verb("transfer"),
    "alloy": Verb("reads", writes=("--storage.path",)),
    "postgres": Verb(reads=("hba_file", "config_file")),  # -c NAME=VALUE (postgresql.org/docs/16/app-postgres.html)
}

#: The program an image runs when a container gives it arguments only (its ENTRYPOINT), for the
#: images ORION passes path arguments to: grafana/alloy@ea30b1f7f5a1e46c647a5a62ee6a4579a8423b21 Dockerfile;
#: the postgres image's entrypoint runs ``postgres`` with arguments that begin with ``-``
#: (docker-library/postgres@042d8d043fed77e0e09b6fcda0991bca9e8664e3 16/alpine3.20/docker-entrypoint.sh, _main).
ENTRYPOINTS = {"grafana/alloy": "alloy", "postgres": "postgres"}

#: The keys of the Secrets operators write for ORION's objects (they are made, so the prerequisites do
#: not list them): (kind of the object, suffix of the Secret's name after the object's) -> keys.
#: rabbitmq/cluster-operator@74495c2e2f76374b3192f6aa5199d55eb6f69516 internal/resource/default_user_secret.go.
MADE_SECRETS = {("RabbitmqCluster", "-default-user"): ("username", "password", "default_user.conf", "provider", "type", "host", "port")}

SHELLS = frozenset({"/bin/sh", "sh", "/bin/bash", "bash"})
#: Where one simple command ends and the next begins in ORION's scripts.
_SEPARATORS = re.compile(r"\$\(\(|\)\)|\$\(|\)|;;|;|&&|\|\||\||`")
_REDIRECT = re.compile(r"\d*(>>|>|<)\s*(&\d+|[^\s;&|()]+)")
#: Words that start a command without being it.
_KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "while", "until", "do", "done", "for", "case", "esac", "exec", "!", "{", "}"})
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_READ_ONLY_SOURCES = ("secret", "configMap", "projected", "downwardAPI")


def _fixed(word: str) -> PurePosixPath | None:
    """The fixed part of an absolute path (up to its first variable or wildcard), if the word is one."""
    if not word.startswith("/"):
        return None
    return PurePosixPath(re.split(r"[$*?\[]", word, maxsplit=1)[0] or "/")


def _command(words: list[str]) -> tuple[list[Touch], list[str]]:
    """What one simple command reads and writes, and its path arguments no verb classifies."""
    while words and (words[0] in _KEYWORDS or _ASSIGNMENT.match(words[0])):
        words = words[1:]
    if not words:
        return [], []
    verb = VERBS.get(PurePosixPath(words[0]).name)
    args = words[1:]
    if verb is None:
        return [], [w for w in args if _fixed(w) is not None]
    touches: list[Touch] = []
    operands: list[str] = []
    writes: Access = "writes"
    reads: Access = "reads"
    options: dict[str, Access] = {**dict.fromkeys(verb.writes, writes), **dict.fromkeys(verb.reads, reads)}
    skip = False
    for i, word in enumerate(args):
        if skip:
            skip = False
            continue
        name, eq, value = word.partition("=")
        if name in options and eq:
            touches += [Touch(options[name], p) for p in (_fixed(value),) if p is not None]
        elif word in options and i + 1 < len(args):
            touches += [Touch(options[word], p) for p in (_fixed(args[i + 1]),) if p is not None]
            skip = True
        elif _fixed(word) is not None or "://" in word:
            operands.append(word)
    if verb.operands == "transfer":
        ends = ((reads, operands[0]), (writes, operands[-1])) if len(operands) >= 2 else ()
        touches += [Touch(a, p) for a, w in ends if (p := _fixed(w)) is not None]
    elif verb.operands is not None:
        touches += [Touch(verb.operands, p) for w in operands if (p := _fixed(w)) is not None]
    return touches, []


def script_touches(script: str) -> tuple[list[Touch], list[str]]:
    """Every path a shell script reads or writes, in order, and the path arguments of commands no verb classifies."""
    touches: list[Touch] = []
    unknown: list[str] = []
    for segment in _SEPARATORS.split(script):
        for op, target in _REDIRECT.findall(segment):
            path = _fixed(target)
            if path is not None and not path.is_relative_to("/dev"):
                touches.append(Touch("reads" if op == "<" else "writes", path))
        words = _REDIRECT.sub(" ", segment).replace('"', " ").replace("'", " ").split()
        found, bad = _command(words)
        touches += found
        unknown += bad
    return touches, unknown


def programs(c: dict[str, Any]) -> Iterator[tuple[str, tuple[list[Touch], list[str]]]]:
    """The container's commands (its own, then its probes'), each with what it reads and writes."""
    argvs = [("command", [*c.get("command", []), *c.get("args", [])])]
    argvs += [(probe, c[probe]["exec"]["command"]) for probe in ("startupProbe", "readinessProbe", "livenessProbe") if "exec" in c.get(probe, {})]
    for where, argv in argvs:
        if not argv and not c.get("args"):
            continue
        if argv[0] in SHELLS and len(argv) > 2 and argv[1].startswith("-") and "c" in argv[1]:
            yield where, script_touches(argv[2])
        elif "command" in c or where != "command":
            yield where, _command(list(argv))
        elif (entry := ENTRYPOINTS.get(repository(c["image"]))) is not None:
            yield where, _command([entry, *argv])
        else:
            yield where, ([], [w for w in argv if _fixed(w) is not None])


@attrs.frozen
class Sources:
    """What a spec's output provides to read: each Secret's and ConfigMap's keys, by (namespace, name)."""

    secrets: dict[tuple[str, str], tuple[str, ...]]
    config_maps: dict[tuple[str, str], tuple[str, ...]]


def sources(path: Path) -> Sources:
    """The keys of the Secrets the prerequisites list or an operator makes, and of the ConfigMaps written."""
    objs = objects(load(path))
    secrets = {(s.namespace, s.name): s.keys for s in prerequisites(planned(load(path))).secrets}
    for o in objs:
        for (kind, suffix), keys in MADE_SECRETS.items():
            if o["kind"] == kind:
                secrets[(o["metadata"]["namespace"], o["metadata"]["name"] + suffix)] = keys
    config_maps = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): (*o.get("data", {}), *o.get("binaryData", {})) for o in objs if o["kind"] == "ConfigMap"
    }
    return Sources(secrets, config_maps)


def _mount(path: PurePosixPath, c: dict[str, Any]) -> dict[str, Any] | None:
    """The container's mount holding the path (the deepest, as the kubelet nests them)."""
    holding = [m for m in c.get("volumeMounts", []) if path.is_relative_to(m["mountPath"])]
    return max(holding, key=lambda m: len(PurePosixPath(m["mountPath"]).parts), default=None)


def _unreadable(
    path: PurePosixPath, c: dict[str, Any], volumes: dict[str, dict[str, Any]], namespace: str, known: Sources, written: list[PurePosixPath]
) -> str | None:
    """Why a read path does not exist when read, or None."""
    mount = _mount(path, c)
    if mount is None:
        return f"reads {path}, in no mount"
    volume = volumes.get(mount["name"], {})
    rest = path.relative_to(mount["mountPath"]).parts
    for kind, name_key, table in (("secret", "secretName", known.secrets), ("configMap", "name", known.config_maps)):
        if kind in volume:
            if not rest:
                return None
            items = {i["path"]: i["key"] for i in volume[kind].get("items", [])}
            if items and rest[0] not in items:
                return f"reads {path}: {rest[0]} is not one of the volume's items"
            key, name = items.get(rest[0], rest[0]), volume[kind][name_key]
            keys = table.get((namespace, name))
            if keys is None:
                return f"reads {path}: the {kind} {name} is neither written nor listed with its keys"
            return None if key in keys else f"reads {path}: key {key} is not among {kind} {name}'s keys {list(keys)}"
    if any(path.is_relative_to(w) or w.is_relative_to(path) for w in written):
        return None
    return f"reads {path}, which nothing writes before"


def _unwritable(path: PurePosixPath, c: dict[str, Any], volumes: dict[str, dict[str, Any]]) -> str | None:
    """Why a written path is not writable under a read-only root, or None."""
    mount = _mount(path, c)
    if mount is None or mount.get("readOnly") or any(k in volumes.get(mount["name"], {}) for k in _READ_ONLY_SOURCES):
        return f"writes {path}, in no writable mount"
    return None


def pod_specs(node: Any) -> Iterator[dict[str, Any]]:
    """Every pod spec (a mapping with ``containers``) anywhere in an object."""
    if isinstance(node, dict):
        if isinstance(node.get("containers"), list):
            yield node
        for value in node.values():
            yield from pod_specs(value)
    elif isinstance(node, list):
        for item in node:
            yield from pod_specs(item)


def breaches(spec: dict[str, Any], namespace: str, known: Sources) -> list[str]:
    """What in one pod's commands writes outside a writable mount or reads what is not there."""
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    inits, mains = spec.get("initContainers", []), spec["containers"]
    ran = {c["name"]: list(programs(c)) for c in [*inits, *mains]}

    def writes(c: dict[str, Any]) -> list[PurePosixPath]:
        return [t.path for _, (touches, _) in ran[c["name"]] for t in touches if t.access == "writes"]

    found: list[str] = []
    before: list[PurePosixPath] = []
    concurrent = [p for c in mains for p in writes(c)]
    for c in [*inits, *mains]:
        main = c in mains
        for where, (touches, unknown) in ran[c["name"]]:
            seen = [*before, *(concurrent if main else []), *(writes(c) if where != "command" else [])]
            found += [f"{c['name']} {where}: {w} is an argument no verb in VERBS classifies" for w in unknown]
            for t in touches:
                why = _unwritable(t.path, c, volumes) if t.access == "writes" else _unreadable(t.path, c, volumes, namespace, known, seen)
                if why is not None:
                    found.append(f"{c['name']} {where}: {why}")
                if t.access == "writes":
                    seen.append(t.path)
        if not main:
            before += writes(c)
    return found


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_path_a_command_writes_is_writable_and_every_file_it_reads_exists(path: Path) -> None:
    known = sources(path)
    bad = {
        f"{o['kind']} {o['metadata'].get('namespace')}/{o['metadata']['name']}": found
        for o in objects(load(path))
        for spec in pod_specs(o)
        if (found := breaches(spec, o["metadata"].get("namespace", ""), known))
    }
    assert bad == {}


def secret_files(spec: dict[str, Any], namespace: str, known: Sources) -> list[str]:
    """The files a container's environment names in one of its Secret mounts whose key the Secret is not listed with."""
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    found = []
    for c in [*spec.get("initContainers", []), *spec["containers"]]:
        for e in c.get("env", []):
            value = e.get("value")
            mount = _mount(PurePosixPath(value), c) if isinstance(value, str) and value.startswith("/") else None
            if mount is not None and "secret" in volumes.get(mount["name"], {}):
                problem = _unreadable(PurePosixPath(value), c, volumes, namespace, known, [])
                found += [f"{c['name']} {e['name']}: {problem}"] if problem else []
    return found


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_file_an_environment_names_in_a_secret_mount_is_a_key_the_prerequisites_list(path: Path) -> None:
    """``*_FILE`` variables (the PostgreSQL image's POSTGRES_PASSWORD_FILE, Grafana's GF_*__FILE): the pod fails on a
    missing key, so the prerequisites must name it (test_script_paths.py holds the paths inside commands the same way)."""
    known = sources(path)
    bad = {
        f"{o['kind']} {o['metadata'].get('namespace')}/{o['metadata']['name']}": found
        for o in objects(load(path))
        for spec in pod_specs(o)
        if (found := secret_files(spec, o["metadata"].get("namespace", ""), known))
    }
    assert bad == {}


def test_the_backup_scripts_are_read_as_what_they_touch() -> None:
    script = (
        'export PGPASSWORD="$(cat /etc/pg/password)"; mkdir -p /backup/wal; exec pg_receivewal -d "host=$H" -D /backup/wal --slot=s; '
        'aws s3 cp --sse AES256 "s3://$B/latest/backup_manifest" /backup/previous/backup_manifest && ls /backup/wal/*.partial >/dev/null 2>&1; '
        'pg_basebackup -D /backup/out --incremental=/backup/previous/backup_manifest; rm -f "/backup/wal/$f"; echo x > /tmp/stamp'
    )
    touches, unknown = script_touches(script)
    assert [(t.access, str(t.path)) for t in touches] == [
        ("reads", "/etc/pg/password"),
        ("writes", "/backup/wal"),
        ("writes", "/backup/wal"),
        ("writes", "/backup/previous/backup_manifest"),
        ("reads", "/backup/wal"),
        ("writes", "/backup/out"),
        ("reads", "/backup/previous/backup_manifest"),
        ("writes", "/backup/wal"),
        ("writes", "/tmp/stamp"),
    ]
    assert unknown == []


def test_a_command_no_verb_classifies_is_reported() -> None:
    assert script_touches("gzip /backup/out/dump.rdb") == ([], ["/backup/out/dump.rdb"])


_KNOWN = Sources(secrets={("data", "cache-auth"): ("password",)}, config_maps={})
_MOUNTS = [{"name": "out", "mountPath": "/backup"}, {"name": "auth", "mountPath": "/etc/cache/credentials", "readOnly": True}]
_VOLUMES = [{"name": "out", "emptyDir": {}}, {"name": "auth", "secret": {"secretName": "cache-auth"}}]


def _pod(dump: str, upload: str) -> dict[str, Any]:
    return {
        "initContainers": [{"name": "dump", "image": "redis:7", "command": ["/bin/sh", "-ec", dump], "volumeMounts": _MOUNTS}],
        "containers": [{"name": "upload", "image": "amazon/aws-cli:2", "command": ["/bin/sh", "-ec", upload], "volumeMounts": _MOUNTS[:1]}],
        "volumes": _VOLUMES,
    }


def test_a_dump_that_reads_an_unmounted_password_or_a_missing_key_breaks() -> None:
    upload = 'aws s3 cp --recursive /backup/out "s3://$B/"'
    assert breaches(_pod('export REDISCLI_AUTH="$(cat /etc/secrets/password)"; redis-cli --rdb /backup/out/dump.rdb', upload), "data", _KNOWN) == [
        "dump command: reads /etc/secrets/password, in no mount"
    ]
    assert breaches(_pod("cat /etc/cache/credentials/username; redis-cli --rdb /backup/out/dump.rdb", upload), "data", _KNOWN) == [
        "dump command: reads /etc/cache/credentials/username: key username is not among secret cache-auth's keys ['password']"
    ]


def test_an_upload_of_what_nothing_wrote_or_a_write_to_the_root_breaks() -> None:
    dump = "cat /etc/cache/credentials/password; redis-cli --rdb /var/dump.rdb"
    assert breaches(_pod(dump, 'aws s3 cp --recursive /backup/out "s3://$B/"'), "data", _KNOWN) == [
        "dump command: writes /var/dump.rdb, in no writable mount",
        "upload command: reads /backup/out, which nothing writes before",
    ]


def test_a_sound_dump_and_upload_keep_their_contract() -> None:
    pod = _pod(
        'export REDISCLI_AUTH="$(cat /etc/cache/credentials/password)"; redis-cli --rdb /backup/out/dump.rdb', 'aws s3 cp --recursive /backup/out "s3://$B/"'
    )
    assert breaches(pod, "data", _KNOWN) == []


def test_a_backup_user_read_from_a_file_is_read_from_a_mounted_key_the_prerequisites_list(tmp_path: Path) -> None:
    from tests.kubernetes.test_backups import USER_FILE

    path = tmp_path / "user-file.orion"
    path.write_text(USER_FILE)
    known = sources(path)
    archiver = next(o for o in objects(load(path)) if o["kind"] == "Deployment" and o["metadata"]["name"] == "postgres-wal-archive")
    (spec,) = pod_specs(archiver)
    (receive,) = (c for c in spec["containers"] if c["name"] == "receive")
    touches, _ = script_touches(receive["command"][-1])
    assert ("reads", PurePosixPath("/etc/postgres/secrets/username")) in [(t.access, t.path) for t in touches]
    assert breaches(spec, "data", known) == []
