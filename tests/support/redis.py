"""Run the Redis ORION asks the OT redis-operator for, on 127.0.0.1, with the real ``redis-server`` and
``redis-sentinel`` (Debian packages redis-server and redis-sentinel, 7.0.15 in bookworm: the version of the
``quay.io/opstree/redis:v7.0.15`` and ``redis-sentinel:v7.0.15`` images).

What: given the RedisReplication and RedisSentinel objects ORION writes and the values of the Secrets they
name, write the ``redis.conf`` and ``sentinel.conf`` the operator's pods would run with, start the
processes and talk to them with a raw RESP client (no Python dependency; ``redis-cli`` is not needed).

The translation does what the operator and its images do, read at OT-CONTAINER-KIT/redis-operator@5dd04e17
(v0.26.0 is ef33adb7) and OT-CONTAINER-KIT/redis@066d6228:

* Redis pods (``redis_conf``): the image's redis.conf (``bind``, ``daemonize no`` ...), then its
  entrypoint.sh / the operator's agent (internal/agent/bootstrap/redis/config.go) append ``masterauth``,
  ``requirepass`` and ``protected-mode yes`` when REDIS_PASSWORD is set — the operator sets it from
  ``kubernetesConfig.redisSecret`` (internal/k8sutils/statefulset.go getEnvironmentVariables) — then the
  persistence lines when the resource has a ``storage.volumeClaimTemplate`` (PERSISTENCE_ENABLED,
  internal/k8sutils/redis-replication.go), then ``port``. Every pod starts as a primary; the controller
  then sends ``SLAVEOF <primary pod IP> 6379`` to the others (internal/k8sutils/redis.go
  CreateMasterSlaveReplication): ``make_replica`` does the same.
* Sentinel pods (``sentinel_conf``): the image's sentinel.conf (``dir /tmp``, ``sentinel
  deny-scripts-reconfig yes``), then entrypoint-sentinel.sh / internal/agent/bootstrap/sentinel/config.go
  append ``masterauth``/``requirepass``/``protected-mode yes`` from the Sentinel's own
  ``kubernetesConfig.redisSecret``, ``sentinel monitor <masterGroupName> <IP> <PORT> <QUORUM>``,
  ``sentinel down-after-milliseconds``/``parallel-syncs``/``failover-timeout``, ``resolve-hostnames`` and
  ``announce-hostnames``, ``sentinel auth-pass <group> <MASTER_PASSWORD>`` (MASTER_PASSWORD from
  ``redisSentinelConfig.redisReplicationPassword``), then ``port``. The environment comes from
  internal/k8sutils/redis-sentinel.go getSentinelEnvVariable; the controller then sends the same
  ``SENTINEL MONITOR``/``SET auth-pass`` with the primary pod's IP and ``SENTINEL SET`` for the three
  timings (internal/controller/common/redis/heal.go), so writing them into the file is equivalent.

What is the test's own: every address is 127.0.0.1 (a pod IP in the cluster), every port is a free one
(6379 and 26379 in the pods), and ``dir`` is a temporary folder (the claim at /data, /tmp for Sentinel).
A field ORION leaves out takes the CRD's default (api/common/v1beta2/common_types.go).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The binaries the tests run; a test skips when one is missing.
BINARIES = ("redis-server", "redis-sentinel")
HOST = "127.0.0.1"

#: api/common/v1beta2/common_types.go SentinelConfig / RedisSentinelConfig kubebuilder defaults (v0.26.0).
SENTINEL_DEFAULTS = {
    "quorum": "2",
    "parallelSyncs": "1",
    "failoverTimeout": "10000",
    "downAfterMilliseconds": "5000",
    "resolveHostnames": "no",
    "announceHostnames": "no",
}

#: OT-CONTAINER-KIT/redis@066d6228 redis.conf (all of its settings but ``pidfile /var/run/redis.pid``, not
#: writable here), ``bind`` narrowed to loopback.
IMAGE_REDIS_CONF = [f"bind {HOST}", "tcp-backlog 511", "timeout 0", "tcp-keepalive 300", "daemonize no", "supervised no"]
#: OT-CONTAINER-KIT/redis@066d6228 sentinel.conf (the uncommented lines but the pidfile); ``dir`` is the test's.
IMAGE_SENTINEL_CONF = ["daemonize no", 'logfile ""', "acllog-max-len 128", "sentinel deny-scripts-reconfig yes"]

Secrets = Mapping[tuple[str, str], str]


def missing_binaries() -> list[str]:
    """The binaries of BINARIES not on PATH."""
    return [b for b in BINARIES if shutil.which(b) is None]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _secret(secrets: Secrets, ref: Mapping[str, Any]) -> str:
    """The value of the Secret key a ``{name, key}`` reference names (KeyError: ORION named a Secret the test does not know)."""
    return secrets[(ref["name"], ref["key"])]


def _password_lines(kubernetes_config: Mapping[str, Any], secrets: Secrets) -> list[str]:
    """entrypoint.sh set_redis_password / entrypoint-sentinel.sh set_sentinel_password."""
    ref = kubernetes_config.get("redisSecret")
    if ref is None:
        return ["protected-mode no"]
    password = _secret(secrets, ref)
    return [f"masterauth {password}", f"requirepass {password}", "protected-mode yes"]  # echoed unquoted


def redis_conf(replication: Mapping[str, Any], secrets: Secrets, port: int, data: Path) -> str:
    """The redis.conf of one pod of a RedisReplication (its ``spec``), listening on ``port`` with its data in ``data``."""
    lines = [*IMAGE_REDIS_CONF, *_password_lines(replication["kubernetesConfig"], secrets)]
    if "volumeClaimTemplate" in replication.get("storage", {}):
        lines += ["save 900 1", "save 300 10", "save 60 10000", "appendonly yes", 'appendfilename "appendonly.aof"']
    lines += [f"dir {data}", f"port {port}"]
    return "\n".join(lines) + "\n"


def sentinel_conf(sentinel: Mapping[str, Any], secrets: Secrets, port: int, primary_port: int, data: Path) -> str:
    """The sentinel.conf of one pod of a RedisSentinel (its ``spec``), on ``port``, watching the primary on ``primary_port``."""
    config = {**SENTINEL_DEFAULTS, "masterGroupName": "myMaster", **sentinel["redisSentinelConfig"]}
    group = config["masterGroupName"]
    lines = [*IMAGE_SENTINEL_CONF, f"dir {data}", *_password_lines(sentinel["kubernetesConfig"], secrets)]
    lines += [
        f"sentinel monitor {group} {HOST} {primary_port} {config['quorum']}",
        f"sentinel down-after-milliseconds {group} {config['downAfterMilliseconds']}",
        f"sentinel parallel-syncs {group} {config['parallelSyncs']}",
        f"sentinel failover-timeout {group} {config['failoverTimeout']}",
        f"sentinel resolve-hostnames {config['resolveHostnames']}",
        f"sentinel announce-hostnames {config['announceHostnames']}",
    ]
    master = config.get("redisReplicationPassword", {}).get("secretKeyRef")
    if master is not None:
        lines.append(f"sentinel auth-pass {group} {_secret(secrets, master)}")
    lines.append(f"port {port}")
    return "\n".join(lines) + "\n"


class RespError(Exception):
    """An error reply (``-ERR ...``, ``-NOAUTH ...``) from Redis or Sentinel."""


class Client:
    """A minimal RESP2 client: one connection, one command at a time."""

    def __init__(self, port: int, password: str | None = None, timeout: float = 2.0) -> None:
        """Connect to 127.0.0.1:``port`` and ``AUTH`` with ``password`` if given."""
        self._sock = socket.create_connection((HOST, port), timeout=timeout)
        self._buf = self._sock.makefile("rb")
        if password is not None:
            self.call("AUTH", password)

    def close(self) -> None:
        """Close the connection."""
        self._buf.close()
        self._sock.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(self, *args: str | int) -> Any:
        """Send one command, return its reply (str, int, None or list); an error reply raises RespError."""
        parts = [str(a).encode() for a in args]
        self._sock.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
        return self._reply()

    def _reply(self) -> Any:
        line = self._buf.readline()
        if not line:
            raise ConnectionError("connection closed")
        kind, rest = line[:1], line[1:-2].decode()
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RespError(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            if rest == "-1":
                return None
            data = self._buf.read(int(rest) + 2)
            return data[:-2].decode()
        if kind == b"*":
            return None if rest == "-1" else [self._reply() for _ in range(int(rest))]
        raise RespError(f"unexpected reply {line!r}")


def call(port: int, password: str | None, *args: str | int) -> Any:
    """One command on a fresh connection."""
    with Client(port, password) as c:
        return c.call(*args)


def info(port: int, password: str | None, section: str) -> dict[str, str]:
    """``INFO <section>`` as a dict."""
    text = call(port, password, "INFO", section)
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line and not line.startswith("#"))


def wait_for(what: str, check: Callable[[], Any], timeout: float, step: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy without raising; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            found = check()
            if found:
                return found
            last = found
        except (OSError, RespError) as e:
            last = e
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.1f}s (last: {last!r})")
        time.sleep(step)


@dataclass
class Process:
    """One redis-server or redis-sentinel on 127.0.0.1."""

    name: str
    port: int
    folder: Path
    popen: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> str:
        """What the process wrote (for failure messages)."""
        path = self.folder / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def alive(self) -> bool:
        """The process has not exited."""
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL (a node lost, not a clean shutdown) and reap."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)


@dataclass
class Deployment:
    """The Redis pods and Sentinel pods of one RedisReplication and its RedisSentinel."""

    redis_password: str | None
    sentinel_password: str | None
    group: str
    redis: list[Process] = field(default_factory=list)
    sentinels: list[Process] = field(default_factory=list)

    def master_addr(self, sentinel: Process) -> tuple[str, int]:
        """``SENTINEL get-master-addr-by-name <group>`` of one Sentinel."""
        host, port = call(sentinel.port, self.sentinel_password, "SENTINEL", "get-master-addr-by-name", self.group)
        return host, int(port)


def _start(binary: str, name: str, conf: str, port: int, folder: Path) -> Process:
    folder.mkdir(parents=True)
    path = folder / ("sentinel.conf" if binary == "redis-sentinel" else "redis.conf")
    path.write_text(conf, encoding="utf-8")
    proc = Process(name, port, folder)
    with (folder / "log").open("wb") as log:
        proc.popen = subprocess.Popen([binary, str(path)], cwd=folder, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return proc


def _answers(proc: Process, password: str | None) -> bool:
    if not proc.alive():
        raise AssertionError(f"{proc.name} exited:\n{proc.log}")
    return bool(call(proc.port, password, "PING") == "PONG")


@contextlib.contextmanager
def deploy(replication: Mapping[str, Any], sentinel: Mapping[str, Any], secrets: Secrets, root: Path) -> Iterator[Deployment]:
    """Start ``clusterSize`` Redis processes (the first the primary, the others its replicas, as the
    operator makes them) and the RedisSentinel's ``clusterSize`` Sentinels; kill them all on exit."""
    redis_password = _secret(secrets, replication["kubernetesConfig"]["redisSecret"]) if "redisSecret" in replication["kubernetesConfig"] else None
    sentinel_password = _secret(secrets, sentinel["kubernetesConfig"]["redisSecret"]) if "redisSecret" in sentinel["kubernetesConfig"] else None
    group = sentinel["redisSentinelConfig"].get("masterGroupName", "myMaster")
    found = Deployment(redis_password, sentinel_password, group)
    try:
        for i in range(replication["clusterSize"]):
            port = free_port()
            found.redis.append(_start("redis-server", f"redis-{i}", redis_conf(replication, secrets, port, root / f"redis-{i}"), port, root / f"redis-{i}"))
        for proc in found.redis:
            wait_for(f"{proc.name} answers PING", lambda p=proc: _answers(p, redis_password), 10)  # type: ignore[misc]
        primary = found.redis[0]
        for proc in found.redis[1:]:
            call(proc.port, redis_password, "SLAVEOF", HOST, primary.port)
        for i in range(sentinel["clusterSize"]):
            port = free_port()
            conf = sentinel_conf(sentinel, secrets, port, primary.port, root / f"sentinel-{i}")
            found.sentinels.append(_start("redis-sentinel", f"sentinel-{i}", conf, port, root / f"sentinel-{i}"))
        for proc in found.sentinels:
            wait_for(f"{proc.name} answers PING", lambda p=proc: _answers(p, sentinel_password), 10)  # type: ignore[misc]
        yield found
    finally:
        for proc in [*found.sentinels, *found.redis]:
            proc.kill()
