"""The seed's Redis, run: the RedisReplication and RedisSentinel ORION writes for specs/orion.orion, turned
into the redis.conf and sentinel.conf the OT redis-operator's pods start with (tests/support/redis.py says
how, with the upstream sources), started as real ``redis-server`` and ``redis-sentinel`` processes on
127.0.0.1. The primary replicates to its replicas behind the password, and when it dies the Sentinels
promote a replica on the timings ORION wrote, and the new primary takes writes.

The Secret ``redis-auth`` is the cluster's (docs/PREREQUISITES.md); the test gives it a value. Runs in about
ten seconds (five of them are ``downAfterMilliseconds``). Skips only when the binaries are missing (Debian
packages redis-server and redis-sentinel, installed by ``make system-deps``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import SEED_SPEC
from tests.support import redis
from tests.support.redis import Deployment, RespError, call, info, wait_for

from .helpers import load, objects, of_kind

pytestmark = pytest.mark.skipif(
    bool(redis.missing_binaries()), reason=f"{', '.join(redis.missing_binaries())} not installed (Debian packages redis-server, redis-sentinel)"
)

PASSWORD = "orion-test-password"


def _resources() -> tuple[dict[str, Any], dict[str, Any]]:
    """The seed's one RedisReplication and the RedisSentinel watching it (their specs)."""
    objs = objects(load(SEED_SPEC))
    (replication,) = of_kind(objs, "RedisReplication")
    (sentinel,) = of_kind(objs, "RedisSentinel")
    assert sentinel["spec"]["redisSentinelConfig"]["redisReplicationName"] == replication["metadata"]["name"]
    return replication["spec"], sentinel["spec"]


@pytest.fixture(scope="module")
def specs() -> tuple[dict[str, Any], dict[str, Any]]:
    """The specs, once."""
    return _resources()


def _secrets(specs: tuple[dict[str, Any], dict[str, Any]]) -> dict[tuple[str, str], str]:
    """A value for the one Secret key the seed's Redis names (a second one would be a KeyError: pods and
    Sentinels must share the password)."""
    ref = specs[0]["kubernetesConfig"]["redisSecret"]
    return {(ref["name"], ref["key"]): PASSWORD}


def _timings(specs: tuple[dict[str, Any], dict[str, Any]]) -> tuple[float, float]:
    """``downAfterMilliseconds`` and ``failoverTimeout`` as written, in seconds."""
    config = specs[1]["redisSentinelConfig"]
    return int(config["downAfterMilliseconds"]) / 1000, int(config["failoverTimeout"]) / 1000


def _settled(d: Deployment) -> bool:
    """Every replica is linked to the primary and every Sentinel knows the replicas and the other Sentinels
    (they meet through the primary's ``__sentinel__:hello`` channel): a failover can be agreed on."""
    replicas, sentinels = len(d.redis) - 1, len(d.sentinels) - 1
    if any(info(r.port, d.redis_password, "replication").get("master_link_status") != "up" for r in d.redis[1:]):
        return False
    for s in d.sentinels:
        master = call(s.port, d.sentinel_password, "SENTINEL", "MASTER", d.group)
        fields = dict(zip(master[::2], master[1::2], strict=True))
        if (int(fields["num-slaves"]), int(fields["num-other-sentinels"])) != (replicas, sentinels):
            return False
    return True


@pytest.fixture(scope="module")
def deployment(specs: tuple[dict[str, Any], dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """The seed's Redis and Sentinels running and settled; every process is killed afterwards."""
    replication, sentinel = specs
    with redis.deploy(replication, sentinel, _secrets(specs), tmp_path_factory.mktemp("redis")) as d:
        wait_for("the replicas link up and the Sentinels meet", lambda: _settled(d), 20)
        yield d


def test_the_seed_runs_a_primary_with_two_replicas_and_three_sentinels(deployment: Deployment) -> None:
    assert (len(deployment.redis), len(deployment.sentinels)) == (3, 3)
    primary = info(deployment.redis[0].port, PASSWORD, "replication")
    assert (primary["role"], primary["connected_slaves"]) == ("master", "2")


def test_redis_refuses_a_client_without_the_password(deployment: Deployment) -> None:
    with pytest.raises(RespError, match="NOAUTH"):
        call(deployment.redis[0].port, None, "GET", "k")


def test_the_sentinels_refuse_a_client_without_the_password(deployment: Deployment) -> None:
    with pytest.raises(RespError, match="NOAUTH"):
        call(deployment.sentinels[0].port, None, "SENTINEL", "get-master-addr-by-name", deployment.group)


def test_a_write_on_the_primary_is_read_on_every_replica(deployment: Deployment) -> None:
    assert call(deployment.redis[0].port, PASSWORD, "SET", "written-on", "primary") == "OK"
    for replica in deployment.redis[1:]:
        wait_for(f"{replica.name} has the key", lambda r=replica: call(r.port, PASSWORD, "GET", "written-on") == "primary", 5)  # type: ignore[misc]


def test_the_replicas_refuse_writes(deployment: Deployment) -> None:
    with pytest.raises(RespError, match="READONLY"):
        call(deployment.redis[1].port, PASSWORD, "SET", "k", "v")


@dataclass(frozen=True)
class Failover:
    """What happened after the primary was killed: who was promoted and how long it took."""

    old: int
    new: int
    seconds: float


@pytest.fixture(scope="module")
def failover(deployment: Deployment, specs: tuple[dict[str, Any], dict[str, Any]]) -> Failover:
    """Kill the primary (SIGKILL, as a lost node) and wait until every Sentinel names another one. Waits at
    most down-after + 3 × failover-timeout: a Sentinel whose failover stalls retries it after twice the
    timeout (redis.io Sentinel docs, ``failover-timeout``), so one lost leader election still passes."""
    down_after, timeout = _timings(specs)
    old = deployment.redis[0]
    call(old.port, PASSWORD, "SET", "before-failover", "kept")
    wait_for("the replicas have the last write", lambda: all(call(r.port, PASSWORD, "GET", "before-failover") for r in deployment.redis[1:]), 5)
    old.kill()
    killed = time.monotonic()

    def promoted() -> int | None:
        ports = {deployment.master_addr(s)[1] for s in deployment.sentinels}
        (port,) = ports if len(ports) == 1 else (None,)
        return port if port not in (None, old.port) else None

    new = wait_for("the Sentinels promote a replica", promoted, down_after + 3 * timeout)
    return Failover(old.port, new, time.monotonic() - killed)


def test_the_sentinels_wait_down_after_milliseconds_before_promoting(failover: Failover, specs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    down_after, _ = _timings(specs)
    assert failover.seconds >= down_after


def test_the_sentinels_promote_a_replica_within_down_after_plus_failover_timeout(failover: Failover, specs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    down_after, timeout = _timings(specs)
    assert failover.seconds < down_after + timeout


def test_the_promoted_replica_is_a_primary_that_takes_writes(failover: Failover, deployment: Deployment) -> None:
    assert failover.new in [r.port for r in deployment.redis[1:]]
    wait_for("the promoted replica reports role master", lambda: info(failover.new, PASSWORD, "replication")["role"] == "master", 5)
    assert call(failover.new, PASSWORD, "GET", "before-failover") == "kept"
    assert call(failover.new, PASSWORD, "SET", "written-after", "failover") == "OK"


def test_the_other_replica_follows_the_promoted_primary(failover: Failover, deployment: Deployment, specs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, timeout = _timings(specs)
    (other,) = [r for r in deployment.redis[1:] if r.port != failover.new]

    def follows() -> bool:
        found = info(other.port, PASSWORD, "replication")
        return found.get("master_port") == str(failover.new) and found.get("master_link_status") == "up"

    wait_for(f"{other.name} replicates from the promoted primary", follows, timeout)
    call(failover.new, PASSWORD, "SET", "followed", "yes")
    wait_for(f"{other.name} has the new primary's write", lambda: call(other.port, PASSWORD, "GET", "followed") == "yes", 5)
