"""The operators a data store can run on (``engine NAME``): the ports their pods listen on and what
they decide themselves.

An engine's operator makes the pods, their configuration, probes, security context, disruption
budgets and credentials; ORION writes the operator's resource and the objects around it (policies,
monitoring, backups). These are facts about the operators' released code, each with its source;
``tests/engines/`` holds the output to them.
"""

from __future__ import annotations

import attrs

from orion_dsl.choices import Engine
from orion_dsl.model import Backup, Monitoring, Port, Workload, WorkloadKind


@attrs.frozen
class EngineFacts:
    """What one operator runs and how: its pods' ports, and the statements it decides itself."""

    engine: Engine
    operator: str
    runs: str
    kind: WorkloadKind
    #: The ports of the pods the operator makes, by the names ORION gives them; a workload's own
    #: ports must be among these numbers (it may name them as it likes).
    ports: tuple[Port, ...]
    #: The port its pods serve Prometheus metrics on (one of ``ports``).
    metrics: int
    #: The ports its clients connect to (the pooler's too); the others (replication status,
    #: clustering, Sentinel, metrics, management) are for its own pods, its operator, Prometheus and
    #: ORION's backup pods, so ``allow same-namespace`` opens only these to the namespace's other workloads.
    client_ports: tuple[int, ...]
    #: The ports the operator itself connects to on every pod (status, PostgreSQL, management API).
    operator_ports: tuple[int, ...]
    #: Where the operator runs (the namespace its install manifests use) and its pods' labels.
    operator_namespace: str
    operator_pods: tuple[tuple[str, str], ...]
    #: Where the operator mounts the data volume in its pods.
    data_path: str
    #: The versions of the operator ORION's output is written for.
    version: str
    #: Where these facts come from.
    source: str
    #: The operator's resource that runs the pods (what the docs and diagrams call the workload).
    resource: str = ""
    #: Whether the operator also makes a headless Service for its pods.
    headless_service: bool = False
    #: How the operator must be installed for the output to work (empty: any documented way).
    install: str = ""
    #: The resource of the connection pooler and its pods' ports, when the operator runs one (CloudNativePG's Pooler).
    pooler_resource: str | None = None
    pooler_ports: tuple[Port, ...] = ()
    pooler_metrics: int | None = None
    #: Whether its resource needs a data volume (CloudNativePG has no default size; RabbitMQ's is 10Gi).
    needs_storage: bool = False
    #: Whether its pods talk to the API server (CloudNativePG's instance manager; Prometheus's discovery).
    api_server: bool = False
    #: Whether its replicas talk to each other (replication, clustering, gossip); Prometheus's do not.
    peers: bool = True
    #: Images of the companion pods and containers ORION names in the resource (redis-operator: its
    #: Sentinel and its exporter), as the operator's own charts pin them.
    sentinel_image: str | None = None
    exporter_image: str | None = None


#: Statements of a workload (by their declaration's field) the operator decides itself; a workload with an engine may not write them.
DECIDED_BY_OPERATOR: tuple[str, ...] = (
    "probes",
    "volumes",
    "sidecars",
    "security",
    "rollout",
    "blue_green",
    "disruption_budget",
    "autoscale",
    "env",
    "env_from",
    "container",
    "command",
    "args",
    "image_pull_policy",
    "init",
    "service_type",
    "headless",
    "service_account",
    "labels",
    "annotations",
    "pod_annotations",
    "mesh",
    "kubernetes_api",
)

#: Settings of ``defaults`` that apply to a workload with an engine (the rest are the operator's).
DEFAULTS_KEPT: tuple[str, ...] = ("resources", "subnet", "scrape", "placement")

FACTS: dict[Engine, EngineFacts] = {
    "cloudnative-pg": EngineFacts(
        engine="cloudnative-pg",
        operator="CloudNativePG",
        runs="PostgreSQL",
        kind="statefulset",
        # pkg/specs/pods.go (postgres 5432, the instance manager's status 8000, metrics 9187)
        ports=(Port("postgresql", 5432), Port("metrics", 9187), Port("status", 8000)),
        metrics=9187,
        # PostgreSQL's port (the pooler's too); replication runs on it as well, but CloudNativePG's pg_hba
        # admits replication only to streaming_replica with its TLS client certificate (docs/src/security.md)
        client_ports=(5432,),
        operator_ports=(8000, 5432),  # docs/src/networking.md
        operator_namespace="cnpg-system",
        operator_pods=(("app.kubernetes.io/name", "cloudnative-pg"),),
        data_path="/var/lib/postgresql/data",
        version="1.30",
        source="github.com/cloudnative-pg/cloudnative-pg pkg/specs/pods.go, docs/src/networking.md",
        resource="Cluster",
        pooler_resource="Pooler",
        # pkg/specs/pgbouncer/deployments.go (pgbouncer 5432, metrics 9127)
        pooler_ports=(Port("pgbouncer", 5432), Port("metrics", 9127)),
        pooler_metrics=9127,
        needs_storage=True,
        api_server=True,
    ),
    "rabbitmq-operator": EngineFacts(
        engine="rabbitmq-operator",
        operator="RabbitMQ Cluster Operator",
        runs="RabbitMQ",
        kind="statefulset",
        # internal/resource/service.go and headless_service.go
        ports=(Port("amqp", 5672), Port("management", 15672), Port("prometheus", 15692), Port("epmd", 4369), Port("cluster-rpc", 25672)),
        metrics=15692,
        client_ports=(5672,),  # AMQP; epmd 4369 and 25672 are Erlang distribution between the nodes
        operator_ports=(15672,),  # docs/examples/network-policies/allow-operator-traffic
        operator_namespace="rabbitmq-system",
        operator_pods=(("app.kubernetes.io/component", "rabbitmq-operator"),),
        data_path="/var/lib/rabbitmq/mnesia",
        version="2.22",
        source="github.com/rabbitmq/cluster-operator internal/resource/service.go, headless_service.go, docs/examples/network-policies",
        resource="RabbitmqCluster",
        headless_service=True,
    ),
    # The Prometheus Operator runs the monitoring block's scraper (a Prometheus) and its alerting
    # workload (an Alertmanager, :data:`ALERTMANAGER`). Facts from
    # github.com/prometheus-operator/prometheus-operator@6adcebc5076c34f4f55f8f5f7b1e528929373ac7 (v0.93.0):
    # pkg/prometheus/common.go MakeContainerPorts (web 9090), StorageDir /prometheus; the operator talks
    # to the API server only (the config-reloader sidecar reloads Prometheus on localhost:
    # pkg/operator/config_reloader.go), so it reaches none of the pods. It is tested with Prometheus
    # up to v3.13.2 (the v3.13 long-term support release) and defaults to Alertmanager v0.33.1
    # (pkg/operator/defaults.go), the images the seed and examples/monitoring.orion name.
    "prometheus-operator": EngineFacts(
        engine="prometheus-operator",
        operator="Prometheus Operator",
        runs="Prometheus",
        kind="statefulset",
        ports=(Port("web", 9090),),
        metrics=9090,
        client_ports=(9090,),  # the query API Grafana reads
        operator_ports=(),
        operator_namespace="default",  # example/rbac/prometheus-operator/prometheus-operator-deployment.yaml
        operator_pods=(("app.kubernetes.io/name", "prometheus-operator"),),
        data_path="/prometheus",
        version="0.93",
        source="github.com/prometheus-operator/prometheus-operator pkg/prometheus/common.go, pkg/prometheus/server/operator.go",
        resource="Prometheus",
        headless_service=True,  # prometheus-operated
        needs_storage=True,
        api_server=True,  # kubernetes_sd for ServiceMonitors and PodMonitors
        peers=False,  # each replica scrapes on its own
    ),
    # OT-CONTAINER-KIT/redis-operator@5dd04e17 (v0.26.0 is ef33adb7, 2026-07-12):
    # internal/controller/common/constants.go — redis 6379, sentinel 26379, exporter 9121 named
    # "redis-exporter"; internal/k8sutils/statefulset.go — the exporter container's port, the data
    # claim mounted at /data; internal/controller/common/redis/heal.go — the operator connects to every
    # Redis pod on 6379 (to label its role) and to every Sentinel on 26379; install docs
    # (docs/content/en/docs/Installation/Installation/_index.md: `helm install ... --namespace
    # ot-operators`) and charts/redis-operator/templates/_helpers.tpl (pods `name: redis-operator`).
    "redis-operator": EngineFacts(
        engine="redis-operator",
        operator="OT redis-operator",
        runs="Redis",
        kind="statefulset",
        ports=(Port("redis", 6379), Port("sentinel", 26379), Port("redis-exporter", 9121)),
        metrics=9121,
        client_ports=(6379,),  # the Service selects the primary's 6379; Sentinel 26379 is for its own pods and the operator
        operator_ports=(6379, 26379),
        operator_namespace="ot-operators",
        operator_pods=(("name", "redis-operator"),),
        data_path="/data",
        version="0.26",
        source="github.com/OT-CONTAINER-KIT/redis-operator internal/controller/common/constants.go, internal/k8sutils/statefulset.go, "
        "internal/controller/common/redis/heal.go",
        # charts/redis-sentinel/values.yaml and charts/redis-replication/values.yaml
        resource="RedisReplication",
        # charts/redis-operator/templates/_helpers.tpl labels the pods `name: <redisOperator.name>`; the
        # kustomize manifests (config/manager/manager.yaml) label them `control-plane: redis-operator`
        install="installed with its Helm chart and redisOperator.name=redis-operator: the NetworkPolicies admit its pods by the label name=redis-operator",
        headless_service=True,  # <name>-replication-headless
        sentinel_image="quay.io/opstree/redis-sentinel:v7.0.15",
        exporter_image="quay.io/opstree/redis-exporter:v1.44.0",
    ),
}

#: The Prometheus Operator's Alertmanager (pkg/alertmanager/statefulset.go: web 9093, mesh-tcp and
#: mesh-udp 9094, storage /alertmanager).
ALERTMANAGER = attrs.evolve(
    FACTS["prometheus-operator"],
    runs="Alertmanager",
    ports=(Port("web", 9093), Port("mesh-tcp", 9094), Port("mesh-udp", 9094, "UDP")),
    metrics=9093,
    client_ports=(9093,),  # the API alerts are posted to; mesh 9094 is between the replicas
    data_path="/alertmanager",
    source="github.com/prometheus-operator/prometheus-operator pkg/alertmanager/statefulset.go, pkg/alertmanager/operator.go",
    resource="Alertmanager",
    api_server=False,
    peers=True,  # cluster.peer on 9094 (pkg/alertmanager/statefulset.go)
)


def facts(engine: Engine, alerting: bool = False) -> EngineFacts:
    """The facts of one engine (every engine the language accepts has them); ``alerting`` picks the
    Prometheus Operator's Alertmanager over its Prometheus."""
    return ALERTMANAGER if engine == "prometheus-operator" and alerting else FACTS[engine]


def of(w: Workload, monitoring: Monitoring | None) -> EngineFacts:
    """The facts of the engine a workload runs on (it has one): the Prometheus Operator runs the
    monitoring block's ``alerting`` workload as an Alertmanager, its scraper as a Prometheus."""
    assert w.engine is not None
    return facts(w.engine, alerting=monitoring is not None and monitoring.alerting == w.name)


def resource(w: Workload, monitoring: Monitoring | None) -> str | None:
    """The operator's resource that runs a workload (``Cluster``, ``Pooler``, ``RabbitmqCluster``,
    ``Prometheus``, ``Alertmanager``), or None when ORION writes its pods itself."""
    if w.engine is None:
        return None
    found = of(w, monitoring)
    return found.pooler_resource if w.pooler_of is not None else found.resource


def serves_clients(w: Workload, monitoring: Monitoring | None, port: Port) -> bool:
    """Whether a port of a workload is one its clients connect to: every port of a workload ORION
    writes (the spec declares them), the client ports of an operator's pods."""
    return w.engine is None or port.number in of(w, monitoring).client_ports


#: RabbitMQ's AMQP port on the pods and the Service the RabbitMQ Cluster Operator makes
#: (internal/resource/service.go ``amqp``), whatever the spec names it.
AMQP = 5672


def amqp_port(broker: Workload) -> Port:
    """The port KEDA reads a broker's queue depths on (the allow-graph's edge, the ScaledObject's
    address): the spec's port numbered :data:`AMQP`, else that port by the operator's name (its
    pods listen there whether the spec declares it or not)."""
    return next((p for p in broker.ports if p.number == AMQP), Port("amqp", AMQP))


def query_port(scraper: Workload, monitoring: Monitoring) -> Port:
    """The port a Prometheus answers queries on (Grafana's data source, KEDA's ``prometheus`` triggers):
    the operator's web port when the Prometheus Operator runs it, else the port monitoring scrapes."""
    if scraper.engine is not None:
        web = of(scraper, monitoring).ports[0]
        return next((p for p in scraper.ports if p.number == web.number), web)
    return scraper.port(monitoring.port) or scraper.ports[0]


def is_volume_snapshot(w: Workload, b: Backup) -> bool:
    """Whether a backup is a CSI volume snapshot, kept by the storage provider rather than in its
    target: a CloudNativePG database's incremental backup (its object-store backups are always full, I1057)."""
    return w.engine == "cloudnative-pg" and b.kind == "incremental"


def through_barman_plugin(w: Workload, b: Backup) -> bool:
    """Whether a backup goes through the Barman Cloud plugin: a CloudNativePG database's base
    backup (``full``) or WAL archiving, into its target's ObjectStore."""
    return w.engine == "cloudnative-pg" and b.kind in ("full", "wal")


def has_headless_service(w: Workload) -> bool:
    """Whether a workload's pods get a headless Service: a StatefulSet ORION writes, or the pods of
    an operator that makes one."""
    return facts(w.engine).headless_service if w.engine is not None else w.kind == "statefulset"


def run_by(operator: str) -> EngineFacts:
    """The facts of the engine an operator (by its name, as the allow-graph names it) is."""
    return next(f for f in FACTS.values() if f.operator == operator)
