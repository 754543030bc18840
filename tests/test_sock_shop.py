"""examples/sock-shop.orion against Weaveworks' Sock Shop manifests, fact by fact.

The upstream facts are written out here from microservices-demo/microservices-demo
deploy/kubernetes/complete-demo.yaml (last changed in commit 5193b1eeb310a2abdefc1a3786d0666ca7d4324b, read at
9dff06fae4981921caec6a62393a6ebfce4b3e3f). The calls come from the services' configuration: front-end's
api/endpoints.js (catalogue, carts, orders, user; microservices-demo/front-end) and SESSION_REDIS (session-db),
orders' payment and shipping URIs and the cart and customer links it follows (microservices-demo/orders
OrdersConfigurationProperties), each service's database host (orders' application.properties ``orders-db``,
user's ``mongo`` variable ``user-db:27017``, carts-db, catalogue-db) and shipping's and queue-master's RabbitMQ.
The example's header comment lists every deliberate difference; Deployment and Service names are upstream's.
"""

from __future__ import annotations

import functools
from typing import Any

from tests.support.authz import Request, decide
from tests.support.netpol import External, Pod, allowed_pairs
from tests.support.ported import example, example_objects, named_objects

NAMESPACE = "sock-shop"
JAVA_OPTS = "-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false"
#: Upstream Deployment -> (image, replicas, container ports, environment, command, args).
DEPLOYMENTS: dict[str, tuple[str, int, tuple[int, ...], dict[str, str], list[str] | None, list[str] | None]] = {
    "carts": ("weaveworksdemos/carts:0.4.8", 1, (80,), {"JAVA_OPTS": JAVA_OPTS}, None, None),
    "carts-db": ("mongo", 1, (27017,), {}, None, None),
    "catalogue": ("weaveworksdemos/catalogue:0.3.5", 1, (80,), {}, ["/app"], ["-port=80"]),
    "catalogue-db": ("weaveworksdemos/catalogue-db:0.3.0", 1, (3306,), {"MYSQL_ROOT_PASSWORD": "fake_password", "MYSQL_DATABASE": "socksdb"}, None, None),
    "front-end": ("weaveworksdemos/front-end:0.3.12", 1, (8079,), {"SESSION_REDIS": "true"}, None, None),
    "orders": ("weaveworksdemos/orders:0.4.7", 1, (80,), {"JAVA_OPTS": JAVA_OPTS}, None, None),
    "orders-db": ("mongo", 1, (27017,), {}, None, None),
    "payment": ("weaveworksdemos/payment:0.4.3", 1, (80,), {}, None, None),
    "queue-master": ("weaveworksdemos/queue-master:0.3.1", 1, (80,), {"JAVA_OPTS": JAVA_OPTS}, None, None),
    "rabbitmq": ("rabbitmq:3.6.8-management", 1, (15672, 5672), {}, None, None),
    "session-db": ("redis:alpine", 1, (6379,), {}, None, None),
    "shipping": ("weaveworksdemos/shipping:0.4.8", 1, (80,), {"ZIPKIN": "zipkin.jaeger.svc.cluster.local", "JAVA_OPTS": JAVA_OPTS}, None, None),
    "user": ("weaveworksdemos/user:0.4.7", 1, (80,), {"mongo": "user-db:27017"}, None, None),
    "user-db": ("weaveworksdemos/user-db:0.3.0", 1, (27017,), {}, None, None),
}
#: Listed differences: upstream's image -> ours (untagged upstream, pinned to what the 2017 clients speak).
IMAGES = {"mongo": "mongo:3.4", "kbudde/rabbitmq-exporter": "kbudde/rabbitmq-exporter:v0.29.0"}
#: Listed difference: upstream's literal root password is read from a Secret.
SECRET_ENV = {"catalogue-db": {"MYSQL_ROOT_PASSWORD": {"name": "catalogue-db", "key": "password", "optional": False}}}
#: rabbitmq's second container, its exporter: (image, ports).
EXPORTER = ("kbudde/rabbitmq-exporter", (9090,))
#: Upstream resources: Deployment -> ((CPU request, memory request), (CPU limit, memory limit)).
RESOURCES = {
    "carts": (("100m", "200Mi"), ("300m", "500Mi")),
    "catalogue": (("100m", "100Mi"), ("200m", "200Mi")),
    "front-end": (("100m", "300Mi"), ("300m", "1000Mi")),
    "orders": (("100m", "300Mi"), ("500m", "500Mi")),
    "payment": (("99m", "100Mi"), ("200m", "200Mi")),
    "queue-master": (("100m", "300Mi"), ("300m", "500Mi")),
    "shipping": (("100m", "300Mi"), ("300m", "500Mi")),
    "user": (("100m", "100Mi"), ("300m", "200Mi")),
}
#: Upstream HTTP probes: Deployment -> (path, port, period, liveness delay, readiness delay).
PROBES = {
    "catalogue": ("/health", 80, 3, 300, 180),
    "front-end": ("/", 8079, 3, 300, 30),
    "payment": ("/health", 80, 3, 300, 180),
    "user": ("/health", 80, 3, 300, 180),
}
#: Upstream mounts (every one a /tmp emptyDir in memory).
MOUNTS = {name: {"/tmp"} for name in ("carts", "carts-db", "orders", "orders-db", "shipping", "user-db")}
#: Listed differences: the data directories ORION mounts as emptyDirs (upstream relies on the images' VOLUMEs).
DATA_MOUNTS = {
    "carts-db": {"/data/db"},
    "orders-db": {"/data/db"},
    "catalogue-db": {"/var/lib/mysql", "/var/run/mysqld"},
    "rabbitmq": {"/var/lib/rabbitmq"},
    "session-db": {"/data"},
}
#: Upstream Services: name -> {(port, container port)}, and the front end's type and node port.
SERVICES: dict[str, set[tuple[int, int]]] = {
    "carts": {(80, 80)},
    "carts-db": {(27017, 27017)},
    "catalogue": {(80, 80)},
    "catalogue-db": {(3306, 3306)},
    "front-end": {(80, 8079)},
    "orders": {(80, 80)},
    "orders-db": {(27017, 27017)},
    "payment": {(80, 80)},
    "queue-master": {(80, 80)},
    "rabbitmq": {(5672, 5672), (9090, 9090)},
    "session-db": {(6379, 6379)},
    "shipping": {(80, 80)},
    "user": {(80, 80)},
    "user-db": {(27017, 27017)},
}
#: Listed difference: a Service carries every port of the pod, rabbitmq's management port too.
EXTRA_SERVICE_PORTS = {"rabbitmq": {(15672, 15672)}}
NODE_PORT = ("front-end", "NodePort", 30001)
#: The calls, as (caller, callee, container port).
CALLS = {
    ("front-end", "catalogue", 80),
    ("front-end", "carts", 80),
    ("front-end", "orders", 80),
    ("front-end", "user", 80),
    ("front-end", "session-db", 6379),
    ("catalogue", "catalogue-db", 3306),
    ("carts", "carts-db", 27017),
    ("orders", "orders-db", 27017),
    ("orders", "carts", 80),
    ("orders", "user", 80),
    ("orders", "payment", 80),
    ("orders", "shipping", 80),
    ("user", "user-db", 27017),
    ("shipping", "rabbitmq", 5672),
    ("queue-master", "rabbitmq", 5672),
}
OUTSIDE = External("203.0.113.10")  # TEST-NET-3: a client on the internet


_topology = functools.partial(example, "sock-shop")
_objects = functools.partial(example_objects, "sock-shop")
_of = functools.partial(named_objects, "sock-shop", NAMESPACE)


def _containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    return containers


def _main(deployment: dict[str, Any]) -> dict[str, Any]:
    return _containers(deployment)[0]


def _port_number(container: dict[str, Any], port: int | str) -> int:
    """A probe's or Service's port as a number (ORION names them)."""
    return port if isinstance(port, int) else next(p["containerPort"] for p in container["ports"] if p["name"] == port)


def test_every_upstream_deployment_is_there_with_its_image_replicas_ports_command_and_environment() -> None:
    deployments = _of("Deployment")
    assert set(deployments) == set(DEPLOYMENTS)
    for name, (image, replicas, ports, env, command, args) in DEPLOYMENTS.items():
        main = _main(deployments[name])
        assert (main["image"], deployments[name]["spec"]["replicas"]) == (IMAGES.get(image, image), replicas), name
        assert tuple(p["containerPort"] for p in main["ports"]) == ports, name
        assert (main.get("command"), main.get("args")) == (command, args), name
        secret = SECRET_ENV.get(name, {})
        assert {e["name"]: e.get("value") for e in main.get("env", []) if e["name"] not in secret} == {k: v for k, v in env.items() if k not in secret}, name
        assert {e["name"]: e["valueFrom"]["secretKeyRef"] for e in main.get("env", []) if "valueFrom" in e} == secret, name


def test_rabbitmq_runs_its_exporter_beside_it_on_the_exporter_port() -> None:
    main, exporter = _containers(_of("Deployment")["rabbitmq"])
    image, ports = EXPORTER
    assert main["name"] == "rabbitmq"
    assert (exporter["image"], tuple(p["containerPort"] for p in exporter["ports"])) == (IMAGES[image], ports)


def test_upstream_requests_and_limits_are_kept() -> None:
    deployments = _of("Deployment")
    for name, ((cpu, memory), (cpu_limit, memory_limit)) in RESOURCES.items():
        resources = _main(deployments[name])["resources"]
        assert resources["requests"] == {"cpu": cpu, "memory": memory}, name
        assert resources["limits"] == {"cpu": cpu_limit, "memory": memory_limit}, name


def test_upstream_http_probes_keep_their_path_port_period_and_readiness_delay() -> None:
    deployments = _of("Deployment")
    for name, (path, port, period, _liveness_delay, readiness_delay) in PROBES.items():
        main = _main(deployments[name])
        for kind in ("livenessProbe", "readinessProbe"):
            probe = main[kind]
            assert (probe["httpGet"]["path"], _port_number(main, probe["httpGet"]["port"]), probe["periodSeconds"]) == (path, port, period), (name, kind)
            # one timing per workload: both wait the readiness delay (upstream's liveness waits longer; listed)
            assert probe["initialDelaySeconds"] == readiness_delay, (name, kind)


def test_upstream_mounts_are_there_and_the_data_stores_write_to_scratch_directories() -> None:
    for name, d in _of("Deployment").items():
        mounts = {m["mountPath"] for m in _main(d).get("volumeMounts", [])}
        assert MOUNTS.get(name, set()) | DATA_MOUNTS.get(name, set()) | {"/tmp"} == mounts, name
        volumes = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
        assert all("emptyDir" in v for v in volumes.values()), name


def test_every_upstream_service_is_there_with_its_ports_and_container_ports() -> None:
    services = _of("Service")
    assert set(services) == set(SERVICES)
    for name, ports in SERVICES.items():
        numbers = {p["name"]: p["containerPort"] for c in _containers(_of("Deployment")[name]) for p in c["ports"]}
        assert {(p["port"], numbers[p["targetPort"]]) for p in services[name]["spec"]["ports"]} == ports | EXTRA_SERVICE_PORTS.get(name, set()), name


def test_the_front_end_is_a_node_port_service_on_upstreams_node_port_and_the_rest_cluster_ip() -> None:
    name, kind, node_port = NODE_PORT
    for service_name, service in _of("Service").items():
        assert service["spec"]["type"] == (kind if service_name == name else "ClusterIP"), service_name
    assert [p.get("nodePort") for p in _of("Service")[name]["spec"]["ports"]] == [node_port]


def _named_ports(deployment: dict[str, Any]) -> dict[str, tuple[int, str]]:
    return {p["name"]: (p["containerPort"], p["protocol"]) for c in _containers(deployment) for p in c["ports"]}


def _pods() -> list[Pod]:
    return [Pod(NAMESPACE, name, d["spec"]["template"]["metadata"]["labels"], _named_ports(d)) for name, d in _of("Deployment").items()]


def test_the_network_policies_open_exactly_the_upstream_call_graph_and_the_node_port_from_outside() -> None:
    policies = [o for o in _objects() if o["kind"] == "NetworkPolicy"]
    pairs = {(src.split("/")[-1], dst.split("/")[-1], port) for src, dst, port, _ in allowed_pairs(_pods(), {}, policies, externals=[OUTSIDE])}
    front_end_port = next(t for (_, t) in SERVICES[NODE_PORT[0]])
    assert pairs == CALLS | {(OUTSIDE.ip, NODE_PORT[0], front_end_port)}


def test_without_a_mesh_no_authorization_policy_is_written_so_the_network_policies_alone_guard_the_calls() -> None:
    assert [o["kind"] for o in _objects() if o["apiVersion"].startswith(("security.istio.io", "networking.istio.io"))] == []
    labels = _of("Deployment")["catalogue-db"]["spec"]["template"]["metadata"]["labels"]
    # no AuthorizationPolicy: any caller would pass the layer a mesh adds; only the NetworkPolicies refuse it
    assert decide(_objects(), Request(f"cluster.local/ns/{NAMESPACE}/sa/front-end", None, NAMESPACE, labels, 3306))


def test_the_pods_on_port_80_may_bind_it_without_the_capability_upstream_adds() -> None:
    """Upstream adds NET_BIND_SERVICE (the Java images setcap their java binary, microservices-demo/msd-java@28081de6
    Dockerfile); ORION drops every capability and forbids privilege escalation, so the pod lowers its own
    unprivileged port start to 80 instead, and only the pods with such a port do."""
    for name, d in _of("Deployment").items():
        sysctls = d["spec"]["template"]["spec"]["securityContext"].get("sysctls")
        low = 80 in DEPLOYMENTS[name][2]
        assert sysctls == ([{"name": "net.ipv4.ip_unprivileged_port_start", "value": "80"}] if low else None), name
