"""The image contract (issue 12): for each image ORION writes containers of, the ports its process
listens on, the environment and files it needs, the paths it writes, and where upstream says so;
and the tests holding every spec's output to it.

A row's needs and writes bind the containers that run the image's own program (no ``command``:
ORION's backup steps run clients of other images' tools, e.g. ``redis-cli`` in a Redis image), or
every container of the image when :attr:`Contract.every` is set (the AWS CLI, which ORION always
runs with a command). Listening ports bind every container of the image. Images the operators run
(CloudNativePG, RabbitMQ, the OT redis-operator, the Prometheus Operator) are not here: ORION writes
their resources, not their containers (tests/kubernetes/test_checklist.py, test_redis_operator.py and
test_monitoring_stack.py hold those to the operators' sources). This is the one such table.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import attrs
import pytest

from tests.kubernetes.helpers import SPECS, load, objects
from tests.kubernetes.test_env_file_paths import containers


@attrs.frozen
class Contract:
    """What one image's process needs and does (the repository, without its tag)."""

    image: str
    #: The ports it listens on (every containerPort and probe port must be one).
    listens: tuple[int, ...]
    #: Environment variables it needs: each entry a set of alternatives, one of which must be set.
    env: tuple[tuple[str, ...], ...]
    #: Files or directories it reads: inside one of the container's mounts.
    reads: tuple[str, ...]
    #: Paths it writes (``$VAR`` is that variable's value, else its default in :attr:`defaults`):
    #: inside a writable mount, since every root file system ORION writes is read-only.
    writes: tuple[str, ...]
    #: Paths that must lie strictly below a mount, never at its root (a claim's root holds lost+found).
    below_root: tuple[str, ...]
    #: The image's defaults of the variables named in :attr:`writes`.
    defaults: tuple[tuple[str, str], ...]
    source: str
    every: bool = False


CONTRACTS = (
    Contract(
        image="grafana/grafana",
        listens=(3000,),
        env=(),
        reads=("/etc/grafana/provisioning/datasources/datasources.yaml",),
        writes=("/var/lib/grafana", "/var/log/grafana"),
        below_root=(),
        defaults=(),
        source="grafana.com/docs/grafana/latest/setup-grafana/configure-docker (GF_PATHS_DATA /var/lib/grafana, "
        "GF_PATHS_LOGS /var/log/grafana, GF_PATHS_PROVISIONING /etc/grafana/provisioning; http_port 3000)",
    ),
    Contract(
        image="grafana/loki",
        listens=(3100,),
        env=(),
        reads=("/etc/loki/local-config.yaml",),
        writes=("/loki",),
        below_root=(),
        defaults=(),
        source="github.com/grafana/loki@0230065a10abdce767a9c3b84a9e43cdf61a1b87 cmd/loki/Dockerfile "
        "(CMD -config.file=/etc/loki/local-config.yaml, USER 10001, /loki owned by it, EXPOSE 3100)",
    ),
    Contract(
        image="grafana/alloy",
        listens=(12345,),
        env=(("NODE_NAME",),),  # ORION's configuration discovers this node's pods by it
        reads=("/etc/alloy/config.alloy", "/var/log/pods"),
        writes=("/var/lib/alloy/data",),
        below_root=(),
        defaults=(),
        source="github.com/grafana/alloy@ea30b1f7f5a1e46c647a5a62ee6a4579a8423b21 Dockerfile (ENTRYPOINT /bin/alloy, "
        "CMD run /etc/alloy/config.alloy --storage.path=/var/lib/alloy/data, root); grafana.com/docs/alloy/latest/"
        "reference/cli/run (--server.http.listen-addr, 127.0.0.1:12345 by default)",
    ),
    Contract(
        image="amazon/aws-cli",
        listens=(),
        env=(("AWS_SHARED_CREDENTIALS_FILE",), ("HOME",)),
        reads=("$AWS_SHARED_CREDENTIALS_FILE",),
        writes=("$HOME",),  # ~/.aws/cli/cache
        below_root=(),
        defaults=(("HOME", "/root"),),
        source="docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html (AWS_SHARED_CREDENTIALS_FILE; "
        "~/.aws); github.com/aws/aws-cli docker/Dockerfile (ENTRYPOINT aws), no commit checked",
        every=True,
    ),
    Contract(
        image="postgres",
        listens=(5432,),
        env=(("POSTGRES_PASSWORD", "POSTGRES_PASSWORD_FILE"),),
        reads=(),
        writes=("$PGDATA", "/var/run/postgresql"),
        below_root=("$PGDATA",),
        defaults=(("PGDATA", "/var/lib/postgresql/data"),),
        source="github.com/docker-library/postgres@1cb68aee8fbbd39106c8a8eb41f45721941d11a8 16/alpine3.22/Dockerfile "
        "(ENV PGDATA /var/lib/postgresql/data, /var/run/postgresql, EXPOSE 5432) and docker-entrypoint.sh "
        "(docker_verify_minimum_env: POSTGRES_PASSWORD or _FILE; initdb refuses a non-empty PGDATA)",
    ),
    Contract(
        image="redis",
        listens=(6379,),
        env=(),
        reads=(),
        writes=("/data",),  # dump.rdb, in the working directory
        below_root=(),
        defaults=(),
        source="github.com/docker-library/redis 7.2/alpine/Dockerfile (WORKDIR /data, VOLUME /data, EXPOSE 6379, CMD redis-server), no commit checked",
    ),
    # Sock Shop (examples/sock-shop.orion), from microservices-demo/microservices-demo@9dff06fae4981921caec6a62393a6ebfce4b3e3f
    # deploy/kubernetes/complete-demo.yaml and the images' own sources:
    Contract(
        image="weaveworksdemos/front-end",
        listens=(8079,),
        env=(),
        reads=(),
        writes=(),
        below_root=(),
        defaults=(),
        source="github.com/microservices-demo/front-end@037ca4d29db627bed5c7e1db92f94bde8f572a44 Dockerfile (ENV PORT 8079, EXPOSE 8079, CMD npm start)",
    ),
    Contract(
        image="mongo",
        listens=(27017,),
        env=(),
        reads=(),
        writes=("/data/db",),
        below_root=(),
        defaults=(),
        source="github.com/docker-library/mongo 3.4/Dockerfile (VOLUME /data/db /data/configdb, EXPOSE 27017, CMD mongod: dbpath /data/db), no commit checked",
    ),
    Contract(
        image="weaveworksdemos/user-db",
        listens=(27017,),
        env=(),
        reads=(),
        writes=(),  # /data/db-users, the image's VOLUME holding the accounts it seeds: the runtime provides it, a mount would hide them
        below_root=(),
        defaults=(),
        source="github.com/microservices-demo/user@e1a79e77860734cacc3f64cabff1487e22a442a4 docker/user-db/Dockerfile (FROM mongo:3, "
        "dbpath /data/db-users seeded at build and owned by mongodb, VOLUME /data/db-users, CMD mongod --config /etc/mongodb.conf)",
    ),
    Contract(
        image="weaveworksdemos/catalogue-db",
        listens=(3306,),
        env=(("MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"),),
        reads=(),
        writes=("/var/lib/mysql", "/var/run/mysqld"),
        below_root=(),
        defaults=(),
        source="github.com/microservices-demo/catalogue@eff9035b3010026ffebf1462b0712bbdc7924b34 docker/catalogue-db/Dockerfile (FROM mysql:5.7, "
        "its dump in /docker-entrypoint-initdb.d); github.com/docker-library/mysql 5.7 Dockerfile (VOLUME /var/lib/mysql, the socket in "
        "/var/run/mysqld, EXPOSE 3306) and docker-entrypoint.sh (one of the three root password variables), no commit checked",
    ),
    Contract(
        image="rabbitmq",
        listens=(4369, 5672, 15672, 25672),
        env=(),
        reads=(),
        writes=("/var/lib/rabbitmq",),  # HOME: the Erlang cookie, and the Mnesia database under it
        below_root=(),
        defaults=(),
        source="rabbitmq:3.6 image configuration (HOME /var/lib/rabbitmq, RABBITMQ_LOGS=- to stdout, VOLUME /var/lib/rabbitmq, EXPOSE 4369 "
        "5671 5672 25672, management 15672) as recorded in github.com/mariko011/centos repos/rabbitmq/local/3.6.6-management.md, no commit checked",
    ),
    Contract(
        image="kbudde/rabbitmq-exporter",
        listens=(9090,),
        env=(),
        reads=(),
        writes=(),
        below_root=(),
        defaults=(),
        source="github.com/kbudde/rabbitmq_exporter README (PUBLISH_PORT 9090 until 1.0, which moved it to 9419; RABBIT_URL "
        "http://127.0.0.1:15672, the management port in the same pod), no commit checked",
    ),
    Contract(
        image="ghcr.io/headlamp-k8s/headlamp",
        listens=(4466,),
        env=(),
        reads=(),  # the UI and plugins ship in the image; in-cluster it reads the ServiceAccount token (automounted)
        # copyStaticFiles: the UI is copied to $TMPDIR/.headlamp<random> at every start, or it exits; its plugin
        # folders under $HOME/.config (a user the image's passwd lacks gets HOME /)
        writes=("/tmp", "$HOME/.config"),
        below_root=(),
        defaults=(("HOME", "/"),),
        source="github.com/kubernetes-sigs/headlamp@6d2b42cc71d4b958a23e11cd5c3cba3446bf384b Dockerfile (ENTRYPOINT "
        "/headlamp/headlamp-server -html-static-dir /headlamp/frontend -plugins-dir /headlamp/plugins, EXPOSE 4466, "
        "chown -R headlamp /headlamp: readable by any user), backend/pkg/config/config.go (defaultPort 4466), backend/cmd/headlamp.go "
        "(copyStaticFiles to os.TempDir(); rest.InClusterConfig with -in-cluster)",
    ),
    # Bank of Anthos's databases: postgres:16.14-alpine with init scripts that seed the demo data.
    *(
        Contract(
            image=f"us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos/{db}",
            listens=(5432,),
            env=(("POSTGRES_PASSWORD", "POSTGRES_PASSWORD_FILE"), ("POSTGRES_DB",), ("POSTGRES_USER",)),
            reads=(),
            writes=("$PGDATA", "/var/run/postgresql"),
            below_root=("$PGDATA",),
            defaults=(("PGDATA", "/var/lib/postgresql/data"),),
            source=f"github.com/GoogleCloudPlatform/bank-of-anthos@d0af04743a6d951665169ca6370d15725ec51252 {path}/Dockerfile "
            f"(FROM postgres:16.14-alpine, the entry point, PGDATA and socket folder of the postgres row; uid 70) and {path}/initdb/"
            f"{script} (exits unless POSTGRES_DB, POSTGRES_USER{extra} and LOCAL_ROUTING_NUM are set, the last from environment-config)",
        )
        for db, path, script, extra in (
            ("accounts-db", "src/accounts/accounts-db", "1-load-testdata.sh", ""),
            ("ledger-db", "src/ledger/ledger-db", "1_create_transactions.sh", ", POSTGRES_PASSWORD"),
        )
    ),
)
BY_IMAGE = {c.image: c for c in CONTRACTS}


def repository(image: str) -> str:
    """An image reference without its tag and digest (``grafana/loki:3.5.0`` -> ``grafana/loki``)."""
    bare = image.partition("@")[0]
    name, _, tag = bare.rpartition(":")
    return name if name and "/" not in tag else bare


def _env(container: dict[str, Any]) -> dict[str, str | None]:
    """The container's variables: their values (None when read from a Secret or field)."""
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def _resolve(path: str, container: dict[str, Any], row: Contract) -> str:
    """A path with its leading ``$VAR`` (alone or before ``/rest``) replaced by the container's value or the image's default."""
    if not path.startswith("$"):
        return path
    name, slash, rest = path[1:].partition("/")
    value = _env(container).get(name) or dict(row.defaults).get(name)
    assert value is not None, f"${name} is neither set nor defaulted"
    return f"{value.rstrip('/')}/{rest}" if slash else value


def _mount_of(path: str, container: dict[str, Any], writable: bool = False) -> PurePosixPath | None:
    """The mount path of the container's mount holding ``path`` (a writable one, if asked)."""
    for m in container.get("volumeMounts", []):
        root = PurePosixPath(m["mountPath"])
        if PurePosixPath(path).is_relative_to(root) and not (writable and m.get("readOnly")):
            return root
    return None


def breaches(container: dict[str, Any], row: Contract) -> list[str]:
    """What in one container of the row's image breaks the contract."""
    found: list[str] = []
    named = {p["name"]: p["containerPort"] for p in container.get("ports", []) if "name" in p}
    declared = [p["containerPort"] for p in container.get("ports", [])]
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        action = container.get(probe, {})
        port = (action.get("httpGet") or action.get("tcpSocket") or {}).get("port")
        if port is not None:
            declared.append(named.get(port, port) if isinstance(port, str) else port)
    found += [f"port {p}: the image listens on {list(row.listens)}" for p in declared if p not in row.listens]
    if "command" in container and not row.every:
        return found
    env = _env(container)
    found += [f"needs one of {' '.join(names)}" for names in row.env if not any(n in env for n in names)]
    for path in row.reads:
        where = _resolve(path, container, row)
        if _mount_of(where, container) is None:
            found.append(f"reads {where}, in no mount")
    for path in row.writes:
        where = _resolve(path, container, row)
        if _mount_of(where, container, writable=True) is None:
            found.append(f"writes {where}, in no writable mount")
    for path in row.below_root:
        where = _resolve(path, container, row)
        if _mount_of(where, container) == PurePosixPath(where):
            found.append(f"{where} is a mount's root")
    return found


def _containers(path: Path) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{o['kind']} {o['metadata'].get('namespace')}/{o['metadata']['name']} {c['name']}", c)
        for o in objects(load(path))
        for c in containers(o)
        if "image" in c
    ]


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_container_of_a_contracted_image_keeps_its_contract(path: Path) -> None:
    bad = {where: found for where, c in _containers(path) if (row := BY_IMAGE.get(repository(c["image"]))) is not None and (found := breaches(c, row))}
    assert bad == {}


def test_every_row_holds_some_container_of_the_outputs() -> None:
    used = {repository(c["image"]) for path in SPECS for _, c in _containers(path)}
    assert set(BY_IMAGE) <= used


def test_a_redis_without_a_writable_data_directory_breaks_its_contract() -> None:
    redis = {"name": "cache", "image": "redis:7.2-alpine", "ports": [{"name": "redis", "containerPort": 6379}], "volumeMounts": []}
    assert breaches(redis, BY_IMAGE["redis"]) == ["writes /data, in no writable mount"]


def test_a_postgres_on_a_claims_root_without_a_password_breaks_its_contract() -> None:
    mounts = [{"name": "data", "mountPath": "/var/lib/postgresql/data"}, {"name": "run", "mountPath": "/var/run/postgresql"}]
    postgres = {"name": "db", "image": "postgres:16-alpine", "ports": [{"containerPort": 9090}], "volumeMounts": mounts}
    assert breaches(postgres, BY_IMAGE["postgres"]) == [
        "port 9090: the image listens on [5432]",
        "needs one of POSTGRES_PASSWORD POSTGRES_PASSWORD_FILE",
        "/var/lib/postgresql/data is a mount's root",
    ]


def test_the_repository_of_an_image_drops_only_its_tag() -> None:
    images = ("grafana/loki:3.5.0", "registry:5000/a/b", "registry:5000/a/b:1", "redis", "r.io/a/b:1@sha256:ab", "r.io/a/b@sha256:ab")
    assert [repository(i) for i in images] == ["grafana/loki", "registry:5000/a/b", "registry:5000/a/b", "redis", "r.io/a/b", "r.io/a/b"]


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_pg_isready_check_names_its_user(path: Path) -> None:
    """libpq's default user is the process's name from /etc/passwd, which ORION's user 10001 has none in:
    ``pg_isready`` without ``-U`` fails ("could not look up local user ID"), so the check never passes."""
    checks = [
        (where, probe["exec"]["command"])
        for where, c in _containers(path)
        for kind in ("livenessProbe", "readinessProbe", "startupProbe")
        if (probe := c.get(kind)) and "exec" in probe and probe["exec"]["command"][:1] == ["pg_isready"]
    ]
    assert [(where, command) for where, command in checks if "-U" not in command and "--username" not in command] == []
