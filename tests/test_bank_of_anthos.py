"""examples/bank-of-anthos.orion against Google's Bank of Anthos manifests, fact by fact.

The upstream facts are written out here from GoogleCloudPlatform/bank-of-anthos at commit
d0af04743a6d951665169ca6370d15725ec51252: kubernetes-manifests/accounts-db.yaml, balance-reader.yaml,
config.yaml, contacts.yaml, frontend.yaml, ledger-db.yaml, ledger-writer.yaml, loadgenerator.yaml,
transaction-history.yaml and userservice.yaml, and extras/jwt/jwt-secret.yaml (the Secret jwt-key with
the keys jwtRS256.key and jwtRS256.key.pub). The databases' images are src/accounts/accounts-db and
src/ledger/ledger-db (postgres:16.14-alpine with init scripts; tests/kubernetes/test_image_contract.py
holds their containers to the image). The example's header comment lists every deliberate difference.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from tests.support.authz import Request, decide
from tests.support.netpol import Pod, allowed_pairs
from tests.support.ported import example, example_objects, named_objects

NAMESPACE = "bank-of-anthos"
REGISTRY = "us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos"
#: environment-config, demo-data-config and the databases' ConfigMaps (config.yaml, accounts-db.yaml, ledger-db.yaml).
ENVIRONMENT, DEMO_DATA, ACCOUNTS_DB, LEDGER_DB = "environment-config", "demo-data-config", "accounts-db-config", "ledger-db-config"
JVM_OPTS = "-XX:+UnlockExperimentalVMOptions -XX:+UseCGroupMemoryLimitForHeap -Xms256m -Xmx512m"
COMMON = {"VERSION": "v0.6.10", "PORT": "8080", "ENABLE_TRACING": "true"}


@functools.cache
def _upstream() -> dict[str, dict[str, Any]]:
    """Each upstream workload: kind, container, image, replicas, resources, literal env, envFrom ConfigMaps, ConfigMap keys."""

    def workload(kind: str, container: str, image: str, requests: tuple[str, str], limits: tuple[str, str], **facts: Any) -> dict[str, Any]:
        image = f"{REGISTRY}/{image}"
        return {"kind": kind, "container": container, "image": image, "replicas": 1, "requests": requests, "limits": limits, **facts}

    return {
        "frontend": workload(
            "Deployment",
            "front",
            "frontend:v0.6.10@sha256:076294ce717309f711743fa3b72a9809c7f156edf1c4fa58505fd9f436d65345",
            ("100m", "64Mi"),
            ("250m", "128Mi"),
            env={**COMMON, "SCHEME": "http", "LOG_LEVEL": "info"},
            env_from=[ENVIRONMENT, "service-api-config"],
            keys={"DEFAULT_USERNAME": (DEMO_DATA, "DEMO_LOGIN_USERNAME"), "DEFAULT_PASSWORD": (DEMO_DATA, "DEMO_LOGIN_PASSWORD")},
        ),
        "userservice": workload(
            "Deployment",
            "userservice",
            "userservice:v0.6.10@sha256:d8c4412edc46ab105000f721788b73301651cc43b19cee7e7302739f81882dcc",
            ("260m", "128Mi"),
            ("500m", "256Mi"),
            env={**COMMON, "TOKEN_EXPIRY_SECONDS": "3600", "PRIV_KEY_PATH": "/tmp/.ssh/privatekey", "LOG_LEVEL": "info"},
            env_from=[ENVIRONMENT, ACCOUNTS_DB],
        ),
        "contacts": workload(
            "Deployment",
            "contacts",
            "contacts:v0.6.10@sha256:90d47594270e64f8dafa6da52c89ff70c2483cca0821dff2cc38b1450ac7a6b9",
            ("100m", "64Mi"),
            ("250m", "128Mi"),
            env={**COMMON, "LOG_LEVEL": "info"},
            env_from=[ENVIRONMENT, ACCOUNTS_DB],
        ),
        "balancereader": workload(
            "Deployment",
            "balancereader",
            "balancereader:v0.6.10@sha256:feae443c650786c253bbfa3447d0902dd1689122c13962f97ccc37068d73733b",
            ("100m", "256Mi"),
            ("500m", "512Mi"),
            env={**COMMON, "ENABLE_METRICS": "true", "POLL_MS": "100", "CACHE_SIZE": "1000000", "JVM_OPTS": JVM_OPTS, "LOG_LEVEL": "info"},
            env_from=[ENVIRONMENT, LEDGER_DB],
        ),
        "ledgerwriter": workload(
            "Deployment",
            "ledgerwriter",
            "ledgerwriter:v0.6.10@sha256:eae37de0d9b28fec7534c1ea860868c87279b0a85b405f8fd66c3d7734e3e42f",
            ("100m", "256Mi"),
            ("500m", "512Mi"),
            env={**COMMON, "ENABLE_METRICS": "true", "JVM_OPTS": JVM_OPTS, "LOG_LEVEL": "info"},
            env_from=[ENVIRONMENT, "service-api-config", LEDGER_DB],
        ),
        "transactionhistory": workload(
            "Deployment",
            "transactionhistory",
            "transactionhistory:v0.6.10@sha256:109cdad9c29a46af2708574ac4635dd73afa30cc020a4fef0266abcde87db744",
            ("100m", "256Mi"),
            ("500m", "512Mi"),
            env={
                **COMMON,
                "ENABLE_METRICS": "true",
                "POLL_MS": "100",
                "CACHE_SIZE": "1000",
                "CACHE_MINUTES": "60",
                "HISTORY_LIMIT": "100",
                "JVM_OPTS": JVM_OPTS,
                "LOG_LEVEL": "info",
            },
            env_from=[ENVIRONMENT, LEDGER_DB],
        ),
        "loadgenerator": workload(
            "Deployment",
            "loadgenerator",
            "loadgenerator:v0.6.10@sha256:dd7e27f1b1bcbb9c85070eb900a6060d098d06d62ef03f98182424919895df83",
            ("100m", "512Mi"),
            ("250m", "1Gi"),
            env={"FRONTEND_ADDR": "frontend:80", "USERS": "5", "LOG_LEVEL": "error"},
            env_from=[],
        ),
        "accounts-db": workload(
            "StatefulSet",
            "accounts-db",
            "accounts-db:v0.6.10@sha256:d95c4094c75f69069b915ef3adc99a8f95e43077885140cdeeb90d807ea74eff",
            ("100m", "128Mi"),
            ("250m", "512Mi"),
            env={},
            env_from=[ENVIRONMENT, ACCOUNTS_DB, DEMO_DATA],
        ),
        "ledger-db": workload(
            "StatefulSet",
            "postgres",
            "ledger-db:v0.6.10@sha256:891cb7afe34f358ce7ed7002a1923b25e113b30bca44fecb10cc8b116d665a03",
            ("100m", "512Mi"),
            ("250m", "1Gi"),
            env={},
            env_from=[ENVIRONMENT, LEDGER_DB, DEMO_DATA],
        ),
    }


#: service-api-config (config.yaml): the addresses frontend reads, and ledgerwriter's one (LedgerWriterApplication).
API_ADDRESSES = {
    "TRANSACTIONS_API_ADDR": "ledgerwriter:8080",
    "BALANCES_API_ADDR": "balancereader:8080",
    "HISTORY_API_ADDR": "transactionhistory:8080",
    "CONTACTS_API_ADDR": "contacts:8080",
    "USERSERVICE_API_ADDR": "userservice:8080",
}
ADDRESSES = {"frontend": API_ADDRESSES, "ledgerwriter": {"BALANCES_API_ADDR": "balancereader:8080"}, "loadgenerator": {"FRONTEND_ADDR": "frontend:80"}}
#: The databases' credentials, from their ConfigMaps by key (upstream: every key through envFrom).
DB_KEYS = {db: {k: (f"{db}-config", k) for k in ("POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD")} for db in ("accounts-db", "ledger-db")}
#: Upstream Services: name -> {port name: (port, container port)}; loadgenerator has none.
SERVICES = {
    **{name: {"http": (8080, 8080)} for name in ("userservice", "contacts", "balancereader", "ledgerwriter", "transactionhistory")},
    "frontend": {"http": (80, 8080)},
    "accounts-db": {"tcp": (5432, 5432)},
    "ledger-db": {"tcp": (5432, 5432)},
}
#: Upstream probes: workload -> {probe: (path, initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold)},
#: every one an httpGet on 8080; what upstream leaves out is the API's default (0, 10, 1, 3).
LIVE, READY, START = "livenessProbe", "readinessProbe", "startupProbe"
PROBES = {
    "frontend": {LIVE: ("/ready", 60, 15, 30, 3), READY: ("/ready", 10, 5, 10, 3)},
    "userservice": {READY: ("/ready", 10, 5, 10, 3)},
    "contacts": {READY: ("/ready", 10, 5, 10, 3)},
    "balancereader": {LIVE: ("/healthy", 120, 5, 10, 3), READY: ("/ready", 60, 5, 10, 3), START: ("/healthy", 0, 10, 1, 30)},
    "ledgerwriter": {READY: ("/ready", 60, 5, 10, 3), START: ("/ready", 0, 10, 1, 30)},
    "transactionhistory": {LIVE: ("/healthy", 120, 5, 10, 3), READY: ("/ready", 60, 5, 10, 3), START: ("/healthy", 0, 10, 1, 30)},
}
#: The jwt-key items each workload mounts at /tmp/.ssh (read-only), beside its /tmp emptyDir.
PUBLIC = [{"key": "jwtRS256.key.pub", "path": "publickey"}]
JWT_ITEMS = {
    **{name: PUBLIC for name in ("frontend", "contacts", "balancereader", "ledgerwriter", "transactionhistory")},
    "userservice": [{"key": "jwtRS256.key", "path": "privatekey"}, *PUBLIC],
}
#: The call graph, as (caller, callee, container port): the API addresses, the databases' URIs
#: (ACCOUNTS_DB_URI, SPRING_DATASOURCE_URL) and the load generator's FRONTEND_ADDR.
CALLS = {
    *(("frontend", callee, 8080) for callee in ("userservice", "contacts", "balancereader", "ledgerwriter", "transactionhistory")),
    ("userservice", "accounts-db", 5432),
    ("contacts", "accounts-db", 5432),
    *((caller, "ledger-db", 5432) for caller in ("balancereader", "ledgerwriter", "transactionhistory")),
    ("ledgerwriter", "balancereader", 8080),
    ("loadgenerator", "frontend", 8080),
}
GATEWAY = "cluster.local/ns/bank-ingress/sa/edge-istio"
#: Upstream's labels (besides `app: NAME`, a listed difference): workload -> (team, tier); every one but the
#: load generator's also carries application: bank-of-anthos, and every one environment: development.
TEAMS = {
    "frontend": ("frontend", "web"),
    **{name: ("accounts", "backend") for name in ("userservice", "contacts")},
    **{name: ("ledger", "backend") for name in ("balancereader", "ledgerwriter", "transactionhistory")},
    "loadgenerator": ("loadgenerator", "test"),
    "accounts-db": ("accounts", "db"),
    "ledger-db": ("ledger", "db"),
}
#: The annotation upstream's HTTP services carry, so the application starts once its sidecar does.
HOLD = ("proxy.istio.io/config", '{ "holdApplicationUntilProxyStarts": true }')
#: terminationGracePeriodSeconds: 5 for every Deployment, the API's default 30 for the databases.
GRACE = {name: 30 if name.endswith("-db") else 5 for name in TEAMS}


_topology = functools.partial(example, "bank-of-anthos")
_objects = functools.partial(example_objects, "bank-of-anthos")
_of = functools.partial(named_objects, "bank-of-anthos", NAMESPACE)


def _workloads() -> dict[str, dict[str, Any]]:
    return {**_of("Deployment"), **_of("StatefulSet")}


def _pod(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = _workloads()[name]["spec"]["template"]["spec"]
    return spec


def _main(name: str) -> dict[str, Any]:
    container: dict[str, Any] = _pod(name)["containers"][0]
    return container


def test_every_upstream_workload_is_there_with_its_kind_container_image_and_replicas() -> None:
    workloads = _workloads()
    assert set(workloads) == set(_upstream())
    for name, up in _upstream().items():
        main = _main(name)
        assert (workloads[name]["kind"], main["name"], main["image"], workloads[name]["spec"]["replicas"]) == (up["kind"], up["container"], up["image"], 1)


def test_every_workload_and_its_pods_carry_upstreams_labels_and_grace_period() -> None:
    for name, (team, tier) in TEAMS.items():
        labels = {"environment": "development", "team": team, "tier": tier, **({} if name == "loadgenerator" else {"application": "bank-of-anthos"})}
        workload = _workloads()[name]
        assert labels.items() <= workload["metadata"]["labels"].items(), name
        assert labels.items() <= workload["spec"]["template"]["metadata"]["labels"].items(), name
        assert _pod(name)["terminationGracePeriodSeconds"] == GRACE[name], name


def test_every_pod_waits_for_its_sidecar_as_upstreams_http_services_do() -> None:
    for name in TEAMS:  # upstream: all but the load generator and the databases, a listed difference
        assert _workloads()[name]["spec"]["template"]["metadata"]["annotations"][HOLD[0]] == HOLD[1], name


def test_every_workload_requests_and_is_limited_to_upstreams_cpu_and_memory() -> None:
    for name, up in _upstream().items():
        resources = _main(name)["resources"]
        assert (resources["requests"]["cpu"], resources["requests"]["memory"]) == up["requests"], name
        assert (resources["limits"]["cpu"], resources["limits"]["memory"]) == up["limits"], name


def _env(name: str) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """The main container's literal variables, and those read from a ConfigMap's key."""
    literal, keyed = {}, {}
    for e in _main(name).get("env", []):
        if "value" in e:
            literal[e["name"]] = e["value"]
        else:
            ref = e["valueFrom"]["configMapKeyRef"]
            keyed[e["name"]] = (ref["name"], ref["key"])
    return literal, keyed


def _host_and_port(address: str) -> tuple[str, str]:
    host, _, port = address.rpartition(":")
    return host.split(".")[0], port


def test_every_literal_variable_is_upstreams_and_the_addresses_name_upstreams_services_and_ports() -> None:
    for name, up in _upstream().items():
        literal, _ = _env(name)
        addresses = ADDRESSES.get(name, {})
        assert {k: v for k, v in literal.items() if k not in addresses and k != "PGDATA"} == {k: v for k, v in up["env"].items() if k not in addresses}
        assert {k: _host_and_port(literal[k]) for k in addresses} == {k: _host_and_port(v) for k, v in addresses.items()}
        assert all(literal[k].endswith(f".{NAMESPACE}.svc.cluster.local:{_host_and_port(v)[1]}") for k, v in addresses.items())


def test_the_configmaps_are_upstreams_read_whole_or_by_key_and_service_api_config_is_replaced_by_the_addresses() -> None:
    for name, up in _upstream().items():
        env_from = [e["configMapRef"]["name"] for e in _main(name).get("envFrom", [])]
        _, keyed = _env(name)
        if up["kind"] == "StatefulSet":  # the credentials by key, the rest whole
            own = f"{name}-config"
            assert (env_from, keyed) == ([c for c in up["env_from"] if c != own], DB_KEYS[name])
        else:
            assert env_from == [c for c in up["env_from"] if c != "service-api-config"]
            assert keyed == up.get("keys", {})


def test_every_upstream_service_is_there_with_its_ports_and_container_ports() -> None:
    services = _of("Service")
    assert {n for n in services if not n.endswith("-headless")} == set(SERVICES)
    for name, ports in SERVICES.items():
        numbers = {p["name"]: p["containerPort"] for p in _main(name)["ports"]}
        assert {p["name"]: (p["port"], numbers[p["targetPort"]]) for p in services[name]["spec"]["ports"]} == ports
        assert services[name]["spec"].get("type", "ClusterIP") == "ClusterIP"  # frontend: a listed difference
    assert "ports" not in _main("loadgenerator")


def test_the_http_probes_check_upstreams_paths_on_8080_with_each_probes_own_timing() -> None:
    for name, probes in PROBES.items():
        main = _main(name)
        numbers = {p["name"]: p["containerPort"] for p in main["ports"]}
        written = {k: main[k] for k in (LIVE, READY, START) if k in main}
        facts = {
            k: (p["httpGet"]["path"], p.get("initialDelaySeconds", 0), p["periodSeconds"], p["timeoutSeconds"], p["failureThreshold"])
            for k, p in written.items()
        }
        assert facts == probes, name
        assert {numbers.get(p["httpGet"]["port"], p["httpGet"]["port"]) for p in written.values()} == {8080}


def test_the_jwt_key_is_mounted_with_upstreams_items_below_orions_tmp_scratch_directory() -> None:
    for name, items in JWT_ITEMS.items():
        pod, main = _pod(name), _main(name)
        volumes = {v["name"]: v for v in pod["volumes"]}
        (jwt,) = [v for v in volumes.values() if v.get("secret", {}).get("secretName") == "jwt-key"]
        assert jwt["secret"]["items"] == items, name
        mounts = [(m["name"], m["mountPath"], m.get("readOnly", False)) for m in main["volumeMounts"]]
        assert mounts[:2] == [("tmp", "/tmp", False), (jwt["name"], "/tmp/.ssh", True)], name
        assert volumes["tmp"] == {"name": "tmp", "emptyDir": {}}
    # PUB_KEY_PATH (environment-config) and PRIV_KEY_PATH name files of those items
    assert _env("userservice")[0]["PRIV_KEY_PATH"] == "/tmp/.ssh/privatekey"


def test_the_private_key_reaches_userservice_alone() -> None:
    holders = {
        name
        for name in _workloads()
        for v in _pod(name)["volumes"]
        if v.get("secret", {}).get("secretName") == "jwt-key" and any(i["key"] == "jwtRS256.key" for i in v["secret"].get("items", [{"key": "jwtRS256.key"}]))
    }
    assert holders == {"userservice"}


@pytest.mark.parametrize("db", ["accounts-db", "ledger-db"])
def test_a_database_keeps_its_data_in_an_emptydir_below_the_mount_as_upstreams_subpath(db: str) -> None:
    pod, main = _pod(db), _main(db)
    mounts = {m["mountPath"]: m["name"] for m in main["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes[mounts["/var/lib/postgresql/data"]] == {"name": mounts["/var/lib/postgresql/data"], "emptyDir": {}}
    assert _env(db)[0]["PGDATA"] == "/var/lib/postgresql/data/postgres"  # upstream: subPath postgres, PGDATA the mount
    assert "emptyDir" in volumes[mounts["/var/run/postgresql"]] and "/tmp" in mounts
    # upstream has no probes; ORION's ping names a user, as the pod's user 10001 is in no /etc/passwd
    assert main["livenessProbe"]["exec"]["command"] == main["readinessProbe"]["exec"]["command"] == ["pg_isready", "-U", "postgres"]


def _pods() -> list[Pod]:
    return [
        Pod(
            NAMESPACE, name, w["spec"]["template"]["metadata"]["labels"], {p["name"]: (p["containerPort"], p["protocol"]) for p in _main(name).get("ports", [])}
        )
        for name, w in _workloads().items()
    ]


def test_the_network_policies_open_exactly_the_upstream_call_graph() -> None:
    policies = [o for o in _objects() if o["kind"] == "NetworkPolicy"]
    pairs = {(src.split("/")[1], dst.split("/")[1], port) for src, dst, port, _ in allowed_pairs(_pods(), {}, policies)}
    assert pairs == CALLS


def test_the_authorization_policies_admit_exactly_the_upstream_callers() -> None:
    for callee, ports in SERVICES.items():
        ((_, port),) = ports.values()
        labels = _workloads()[callee]["spec"]["template"]["metadata"]["labels"]
        for caller in _upstream():
            request = Request(f"cluster.local/ns/{NAMESPACE}/sa/{caller}", None, NAMESPACE, labels, port, tcp=port == 5432)
            assert decide(_objects(), request) == ((caller, callee, port) in CALLS), (caller, callee)


def test_outside_traffic_reaches_the_frontend_through_the_ingress_gateway_alone() -> None:
    for callee, ports in SERVICES.items():
        ((_, port),) = ports.values()
        labels = _workloads()[callee]["spec"]["template"]["metadata"]["labels"]
        assert decide(_objects(), Request(GATEWAY, None, NAMESPACE, labels, port, tcp=port == 5432)) == (callee == "frontend"), callee
    (route,) = [o for o in _objects() if o["kind"] == "HTTPRoute"]
    assert [(b["name"], b["port"]) for rule in route["spec"]["rules"] for b in rule["backendRefs"]] == [("frontend", 80)]


def test_the_scanner_skips_exactly_the_probe_checks_of_the_probes_upstream_leaves_out() -> None:
    """CKV_K8S_8 asks for a liveness probe and CKV_K8S_9 for a readiness probe (the databases get ORION's)."""
    skipped = {
        name: sorted(v.split("=", 1)[0] for k, v in w["metadata"].get("annotations", {}).items() if k.startswith("checkov.io/skip"))
        for name, w in _workloads().items()
    }
    live = {name for name, probes in PROBES.items() if LIVE in probes} | {"accounts-db", "ledger-db"}
    assert skipped == {name: [] if name in live else ["CKV_K8S_8", "CKV_K8S_9"] if name == "loadgenerator" else ["CKV_K8S_8"] for name in TEAMS}
    assert not {"livenessProbe", "readinessProbe", "startupProbe"} & set(_main("loadgenerator"))
