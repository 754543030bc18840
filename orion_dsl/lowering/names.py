"""Every name, host, selector label and identity ORION gives the objects it makes: one function each.

The planners (:mod:`.kubernetes`, :mod:`.istio`) call these to fix each object's identity once,
and the backends read the identities and relations from the plan; nothing else spells a name.
"""

from __future__ import annotations

import hashlib

from orion_dsl.choices import COLOURS as COLOURS  # the colours of a blue-green pair, with the names made from them
from orion_dsl.choices import Colour as Colour
from orion_dsl.controllers import KUBE_STATE_METRICS
from orion_dsl.model import Backup, Ingress, Issuer, Namespace, Shared, Storage, Topology, TrafficMatch, Version, Volume, Workload

# Pod labels that selectors use (stable across image versions).
NAME_LABEL = "app.kubernetes.io/name"
INSTANCE_LABEL = "app.kubernetes.io/instance"
#: Names who made a pod: the Prometheus Operator's pods carry ``prometheus-operator`` (pkg/operator/kubernetes.go).
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
VERSION_LABEL = "app.kubernetes.io/version"
COLOUR_LABEL = "orion.dev/colour"
COMPONENT_LABEL = "app.kubernetes.io/component"
PART_OF_LABEL = "app.kubernetes.io/part-of"
#: The recommended labels ORION puts on every object and pod it writes (selectors use the name, the
#: Prometheus selects by part-of): a spec's own labels may not set them.
RECOMMENDED_LABELS = (NAME_LABEL, INSTANCE_LABEL, VERSION_LABEL, COMPONENT_LABEL, PART_OF_LABEL, MANAGED_BY_LABEL)
#: The prefix of ORION's own labels and annotations (``orion.dev/colour``, ``orion.dev/active``).
OWN_PREFIX = "orion.dev/"
#: Whether Istio injects a sidecar into a pod (an annotation, and a label Istio also reads).
INJECT_KEY = "sidecar.istio.io/inject"
#: The pod annotations by which a Prometheus without the operator finds its targets.
SCRAPE_ANNOTATIONS = ("prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path")
#: The pod annotations that size Istio's sidecar (the mesh's ``sidecar_resources``).
PROXY_RESOURCE_ANNOTATIONS = tuple(f"sidecar.istio.io/{key}" for key in ("proxyCPU", "proxyCPULimit", "proxyMemory", "proxyMemoryLimit"))
#: The pods ORION writes (every pod template carries the recommended labels): the pods a namespace-wide policy
#: of an ``external`` namespace selects, leaving the namespace's other pods alone.
ORION_PODS = {MANAGED_BY_LABEL: "orion"}
#: The prefix of the Pod Security admission labels of a namespace (``enforce``, ``audit``, ``warn``).
POD_SECURITY_PREFIX = "pod-security.kubernetes.io/"
#: Set by the StatefulSet controller on each pod (Kubernetes 1.28+).
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
#: Labels CloudNativePG puts on the pods it makes (pkg/specs/pods.go, pkg/specs/pgbouncer/deployments.go).
CNPG_CLUSTER_LABEL = "cnpg.io/cluster"
CNPG_ROLE_LABEL = "cnpg.io/podRole"
CNPG_INSTANCE_ROLE_LABEL = "cnpg.io/instanceRole"
CNPG_POOLER_LABEL = "cnpg.io/poolerName"
#: Labels the OT redis-operator puts on the Redis pods it makes (OT-CONTAINER-KIT/redis-operator@5dd04e17
#: internal/controller/common/labels.go: ``app`` is the RedisReplication's name; constants.go and
#: common/redis/heal.go: ``redis-role`` is ``master`` or ``slave``, set from each pod's INFO replication).
REDIS_APP_LABEL = "app"
REDIS_ROLE_LABEL = "redis-role"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

#: Pods ORION's objects select that the cluster runs: the ingress-nginx controller (installed
#: separately, e.g. its Helm chart) and Istio's egress gateway. (An ``istio`` ingress's pods are
#: Istio's, made from ORION's Gateway: :func:`ingress_controller_pods`.)
INGRESS_NGINX_PODS = {NAME_LABEL: "ingress-nginx"}
#: The label Istio's gateway controller puts on the pods of a Gateway (istio/istio 1.30.3
#: manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml, pod template labels).
GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name"
#: The GatewayClass of Istio's Gateway API implementation; Istio names a Gateway's Deployment,
#: Service and ServiceAccount ``<gateway>-<class>`` (pilot/pkg/config/kube/gatewaycommon/
#: deploymentcontroller.go and gateway_utils.go at 1.30.3; the suffix is dropped only for the
#: waypoint, east-west and agentgateway classes).
ISTIO_GATEWAY_CLASS = "istio"
EGRESS_GATEWAY_PODS = {"istio": "egressgateway"}

#: Istio's root namespace and trust domain.
ISTIO_ROOT_NAMESPACE = "istio-system"
TRUST_DOMAIN = "cluster.local"
#: The egress gateway installed with Istio: its Service name (its Gateway and DestinationRule take it too).
EGRESS_GATEWAY_SERVICE = "istio-egressgateway"
#: Where Velero runs, and where cert-manager reads the Secrets of ClusterIssuers.
VELERO_NAMESPACE = "velero"
CERT_MANAGER_NAMESPACE = "cert-manager"
#: The log shipper (Grafana Alloy): its namespace, and the name of its objects and pods.
LOG_SHIPPER_NAMESPACE = "alloy"
LOG_SHIPPER = "alloy"
LOG_SHIPPER_PODS = {NAME_LABEL: LOG_SHIPPER}

#: The keys ORION's objects read from the Secrets the cluster provides: a backup target's credentials
#: as backup pods and Velero read them (an AWS shared credentials file), the same Secret as the Barman
#: Cloud plugin's ObjectStore reads it (an access key pair), and a DNS-01 issuer's API token.
BACKUP_CREDENTIALS_KEY = "credentials"
OBJECT_STORE_KEYS = ("ACCESS_KEY_ID", "ACCESS_SECRET_KEY")
DNS01_TOKEN_KEY = "api-token"
#: The key of a redis-operator workload's password Secret (its ``redisSecret``).
REDIS_PASSWORD_KEY = "password"
#: The keys of a RabbitMQ Cluster Operator's default-user Secret that KEDA's RabbitMQ scaler reads.
BROKER_USER_KEYS = ("username", "password")

# Names of per-namespace objects.
QUOTA = "quota"
LIMIT_RANGE = "defaults"
DEFAULT_DENY = "default-deny"
CONTROL_PLANE_POLICY = "istio-control-plane"
ACME_SOLVER_POLICY = "acme-http01-solver"
#: The label cert-manager puts on its HTTP-01 solver pods (cert-manager pkg/issuer/acme/http/pod.go, podLabels).
ACME_SOLVER_PODS = {"acme.cert-manager.io/http01-solver": "true"}
MESH_DEFAULT = "default"
ALLOW_NOTHING = "allow-nothing"
TELEMETRY = "mesh-default"
EGRESS_ACCESS = "egress-access-control"


#: The longest DNS-1123 label (Service names, subset names, label values).
LABEL_LIMIT = 63


def bounded(label: str, limit: int = LABEL_LIMIT) -> str:
    """A label cut to ``limit`` characters without losing what tells it apart: a longer one keeps its
    start and ends with 8 hex digits of its SHA-256, so two long hosts never make one name.

    >>> bounded("a" * 70) == "a" * 54 + "-" + bounded_digest("a" * 70)
    True
    """
    if len(label) <= limit:
        return label
    return f"{label[: limit - 9].rstrip('-')}-{bounded_digest(label)}"


def bounded_digest(label: str) -> str:
    """The 8 hex digits :func:`bounded` ends a cut label with."""
    return hashlib.sha256(label.encode("utf-8")).hexdigest()[:8]


def dns_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """A DNS-1123 label made from a host name or path, for names of objects made per host
    (``api.stripe.com`` -> ``api-stripe-com``, ``*.Example.com`` -> ``wildcard-example-com``),
    at most ``limit`` characters (:func:`bounded`).

    >>> dns_label("*.Example.com")
    'wildcard-example-com'
    """
    text = text.lower().replace("*", "wildcard").replace(".", "-")
    return bounded("".join(c if c.isalnum() or c == "-" else "-" for c in text).strip("-"), limit)


def _derived(w: Workload, part: str) -> str:
    """An object made for a workload besides its own: ``<workload>-<part>``."""
    return f"{w.name}-{part}"


def service(w: Workload) -> str:
    """The Service clients call (a pooled database's selects its pooler), its ServiceAccount,
    Deployment or StatefulSet, autoscalers and mesh objects: the workload's own name."""
    return w.name


def headless_service(w: Workload) -> str:
    """The headless Service that gives a StatefulSet's pods stable DNS names."""
    return _derived(w, "headless")


def primary_service(db: Workload) -> str:
    """The Service of a replicated database's primary (pod index 0)."""
    return _derived(db, "primary")


def replica_service(db: Workload, number: int) -> str:
    """The Service of a database's read replica ``number`` (1-based)."""
    return _derived(db, f"replica-{number}")


def colour_deployment(w: Workload, colour: Colour) -> str:
    """One colour of a blue-green pair: its Deployment and disruption budget."""
    return _derived(w, colour)


def version_deployment(w: Workload, version: Version) -> str:
    """One version of a service with several: its Deployment, disruption budget and VPA, ``<service>-<version>``."""
    return _derived(w, version.name)


def version_service(w: Workload, version: Version) -> str:
    """The Service of one version's pods that a Gateway API edge sends a ``traffic`` block's share to (the
    HTTPRoute has no subsets), ``<service>-<version>``, beside the version's Deployment of the same name."""
    return _derived(w, version.name)


def version_pods(w: Workload, version: Version) -> dict[str, str]:
    """The pods of one version: the workload's, with the version's name as their version label
    (what the version's Deployment and budget select, and its Istio subset)."""
    return {**pod_selector(w), VERSION_LABEL: version.name}


def claim(w: Workload, storage: Storage) -> str:
    """The PersistentVolumeClaim of a Deployment's storage."""
    return _derived(w, storage.name)


def template_claim(w: Workload, storage: Storage, index: int) -> str:
    """The claim the StatefulSet controller makes for one pod from a claim template: ``<template>-<set>-<index>``."""
    return f"{storage.name}-{w.name}-{index}"


def reader(shared: Shared) -> str:
    """The Role (and RoleBinding) that lets a shared ConfigMap's or Secret's readers get it."""
    return f"{shared.name}-reader"


def ingress_policy(peer: str) -> str:
    """The NetworkPolicy admitting a peer's incoming edges."""
    return f"{peer}-ingress"


def egress_policy(peer: str) -> str:
    """The NetworkPolicy allowing a peer's outgoing edges."""
    return f"{peer}-egress"


def ingress_controller(ingress: Ingress) -> str:
    """What the ingress controller's pods are called in their namespace (their NetworkPolicies take
    it): Istio's ``<gateway>-istio`` Deployment (also its ServiceAccount), or ``<ingress>-controller``."""
    if ingress.controller == "istio":
        return f"{ingress.name}-{ISTIO_GATEWAY_CLASS}"
    return f"{ingress.name}-controller"


def ingress_controller_pods(ingress: Ingress) -> dict[str, str]:
    """The labels of the ingress controller's pods: the Gateway's name on Istio's gateway pods, or ingress-nginx's chart label."""
    if ingress.controller == "istio":
        return {GATEWAY_NAME_LABEL: ingress.name}
    return dict(INGRESS_NGINX_PODS)


def ingress(ing: Ingress, namespace: str) -> str:
    """The Ingress of the hosts that route into one namespace."""
    return f"{ing.name}-{namespace}"


def certificate(ing: Ingress, namespace: str) -> str:
    """The Certificate (and its TLS Secret) of the hosts served in one namespace: an Ingress's
    (ingress-nginx, one per target namespace), or the Gateway's (istio: one, beside the Gateway)."""
    if ing.controller == "istio":
        return f"{ing.name}-tls"
    return f"{ingress(ing, namespace)}-tls"


def gateway_options(ing: Ingress) -> str:
    """The ConfigMap a Gateway's ``infrastructure.parametersRef`` names: Istio's overlays of the gateway's Deployment."""
    return f"{ing.name}-options"


def http_route(ing: Ingress, target: str, port: str, number: int = 1) -> str:
    """The HTTPRoute of the hosts that go to one Service port with the same paths (it lives beside the Service):
    the first such route of the port is ``<ingress>-<target>-<port>``, the next ones of other paths end in ``-2``, ``-3``..."""
    return f"{ing.name}-{target}-{port}" + ("" if number == 1 else f"-{number}")


def ingress_balance(ing: Ingress, target: str) -> str:
    """The DestinationRule, beside the Gateway, of how its pods balance one backend workload."""
    return f"{ing.name}-{target}"


def gateway_filters(ing: Ingress) -> str:
    """The EnvoyFilter, beside the Gateway, that adds the ingress's rate limit, buffering and compression to its pods."""
    return f"{ing.name}-http-filters"


def gateway_waf(ing: Ingress) -> str:
    """The WasmPlugin, beside the Gateway, that runs the ingress's WAF on its pods."""
    return f"{ing.name}-waf"


def https_redirect(ing: Ingress) -> str:
    """The HTTPRoute that answers plain HTTP with a redirect to HTTPS (beside the Gateway)."""
    return f"{ing.name}-https-redirect"


def account_key(issuer: Issuer) -> str:
    """The Secret cert-manager keeps an ACME account's private key in (it creates it)."""
    return f"{issuer.name}-account-key"


def dns01_token(issuer: Issuer) -> str:
    """The Secret holding the DNS provider's API token of a DNS-01 issuer (provided by the cluster)."""
    return f"{issuer.name}-{issuer.dns01}-api-token"


def alert_rules(topology: Topology) -> str:
    """The PrometheusRule holding every alert."""
    return f"{topology.name}-alerts"


def gateway_monitor(ingress: Ingress) -> str:
    """The PodMonitor, beside the scraper, of Istio's gateway pods for the ingress: named after the
    pods' Deployment (``<gateway>-istio``)."""
    return ingress_controller(ingress)


def cluster_state_monitor() -> str:
    """The ServiceMonitor, beside the scraper, of the kube-state-metrics the alerts on ``kube_*`` metrics read."""
    return KUBE_STATE_METRICS.name


def backup_pods(w: Workload) -> str:
    """The ``app.kubernetes.io/name`` of a workload's backup pods (their NetworkPolicies select it)."""
    return _derived(w, "backup")


def backup_job(w: Workload, b: Backup) -> str:
    """The CronJob of a scheduled backup."""
    return f"{w.name}-backup-{b.kind}"


def archiver(w: Workload, b: Backup) -> str:
    """The Deployment (and spool claim) of a continuous backup."""
    return _derived(w, f"{b.kind}-archive")


def backup_egress_policy(w: Workload) -> str:
    """The NetworkPolicy letting a workload's backup pods reach it, DNS and the object store."""
    return f"{backup_pods(w)}-egress"


def from_backup_policy(w: Workload) -> str:
    """The NetworkPolicy letting a workload accept its backup pods."""
    return f"{w.name}-from-backup"


def from_log_shipper_policy(w: Workload) -> str:
    """The NetworkPolicy letting the logging workload (Loki) accept the log shipper's pushes."""
    return f"{w.name}-from-{LOG_SHIPPER}"


def backup_credentials(target: str) -> str:
    """The Secret holding a backup target's credentials (provided by the cluster)."""
    return f"{target}-credentials"


def cluster_backup(topology: Topology) -> str:
    """The Velero Schedule of the whole cluster."""
    return f"{topology.name}-cluster"


def backup_storage_location(target: str) -> str:
    """The Velero BackupStorageLocation of a recovery target: the target's name."""
    return target


def volume_snapshot_location(target: str) -> str:
    """The Velero VolumeSnapshotLocation of a recovery target's region: the target's name (another kind)."""
    return target


def ingress_access(ingress: Ingress) -> str:
    """The AuthorizationPolicy admitting clients to Istio's gateway pods (``<gateway>-istio``) in a meshed namespace."""
    return f"{ingress_controller(ingress)}-allow"


def allow_callers(w: Workload) -> str:
    """The AuthorizationPolicy admitting a meshed workload's callers."""
    return _derived(w, "allow")


def jwt_authentication(w: Workload) -> str:
    """The RequestAuthentication validating tokens at a workload."""
    return _derived(w, "jwt")


def require_jwt(w: Workload) -> str:
    """The AuthorizationPolicy refusing requests without a valid token."""
    return _derived(w, "require-jwt")


def gateway_service_entry(external: str) -> str:
    """The egress gateway's own ServiceEntry of an external whose callers' entry cannot be resolved by DNS
    (:func:`orion_dsl.lowering.egress.split_for_gateway`)."""
    return f"{dns_label(external, LABEL_LIMIT - len('-gateway'))}-gateway"


def egress_route(host: str) -> str:
    """The VirtualService that routes one external host through the egress gateway."""
    return f"egress-{dns_label(host, LABEL_LIMIT - len('egress-'))}"


def egress_subset(host: str, port: int) -> str:
    """The egress gateway's DestinationRule subset (and Gateway server) for one host and port: a DNS label."""
    return f"{dns_label(host, LABEL_LIMIT - len(f'-{port}'))}-{port}"


def egress_server_port(host: str, port: int) -> str:
    """The name of the egress gateway's listener port for one host."""
    return f"tls-{egress_subset(host, port)}"


def route_name(caller: str, path: str) -> str:
    """The name of a VirtualService http route made for a gateway's path route."""
    return f"{caller}-{dns_label(path.rstrip('*')) or 'root'}"


def match_route_name(match: TrafficMatch) -> str:
    """The name of a VirtualService http route made for a traffic ``match``: ``<key>-<name>-<value>`` as a DNS label."""
    return dns_label(f"{match.key}-{match.name}-{match.value}") or match.key


def idempotent_route_name(route: str) -> str:
    """The name of the part of a VirtualService http route that matches the idempotent methods."""
    return f"{route}-idempotent"


def service_host(name: str, namespace: str) -> str:
    """The cluster-local DNS name of a Service."""
    return f"{name}.{namespace}.svc.cluster.local"


def pod_host(w: Workload, index: int) -> str:
    """The DNS name (relative to the namespace) of one pod of a StatefulSet, through its headless Service."""
    return f"{w.name}-{index}.{headless_service(w)}"


def service_account(w: Workload) -> str:
    """The ServiceAccount a workload's pods run as: the one the spec names, else one of its own, named
    like its Service."""
    return w.service_account or service(w)


def namespace_pods(ns: Namespace | None) -> dict[str, str]:
    """The pods a namespace-wide policy selects: every pod of a namespace ORION manages, ORION's own pods in
    an ``external`` one."""
    return dict(ORION_PODS) if ns is not None and ns.external else {}


def isolated_pods(ns: Namespace | None) -> dict[str, str]:
    """The pods a namespace's default-deny policies (and the control-plane egress beside them) select: those of
    :func:`namespace_pods`, narrowed to ORION's own by ``default_deny orion``."""
    return dict(ORION_PODS) if ns is not None and ns.default_deny == "orion" else namespace_pods(ns)


def principal(service_account: str, namespace: str) -> str:
    """The SPIFFE-style identity Istio gives a ServiceAccount."""
    return f"{TRUST_DOMAIN}/ns/{namespace}/sa/{service_account}"


def pod_selector(w: Workload, colour: Colour | None = None) -> dict[str, str]:
    """The stable selector of a workload's pods (one colour of a blue-green pair if given); for pods
    an operator makes, the labels it puts on them."""
    if w.engine == "cloudnative-pg":
        return {CNPG_CLUSTER_LABEL: w.pooler_of or w.name, CNPG_ROLE_LABEL: "pooler" if w.pooler_of else "instance"}
    if w.engine == "rabbitmq-operator":
        return {NAME_LABEL: w.name, "app.kubernetes.io/component": "rabbitmq"}
    if w.engine == "prometheus-operator":  # a Prometheus's and an Alertmanager's pods both carry these (makeSelectorLabels)
        return {MANAGED_BY_LABEL: "prometheus-operator", INSTANCE_LABEL: w.name}
    # redis-operator: the Redis and Sentinel pods both carry the labels of their resource (ORION's)
    found = {NAME_LABEL: w.name}
    if colour is not None:
        found[COLOUR_LABEL] = colour
    return found


def pooler_config(pooler: str) -> str:
    """The ConfigMap holding a connection pooler's ``pgbouncer.ini``."""
    return f"{pooler}-config"


def hba_config(w: Workload) -> str:
    """The ConfigMap holding the ``pg_hba.conf`` that admits a PostgreSQL workload's backup steps."""
    return _derived(w, "hba")


def pooler_secrets(pooler: str) -> str:
    """The Secret holding a connection pooler's ``userlist.txt`` (provided by the cluster)."""
    return f"{pooler}-secrets"


def colour_of(part: object) -> Colour | None:
    """The blue-green colour a plan entry's part names, if it names one."""
    return next((c for c in COLOURS if c == part), None)


def version_of(part: object) -> Version | None:
    """The version of a service a plan entry's part is, if it is one."""
    return part if isinstance(part, Version) else None


def replication_slot(w: Workload) -> str:
    """The PostgreSQL replication slot a workload's WAL archiver holds (letters, digits and ``_`` only)."""
    return "".join(c if c in _SLOT_CHARACTERS else "_" for c in f"{w.name}_wal_archive")


_SLOT_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def database_cluster(db: Workload) -> str:
    """A CloudNativePG Cluster: the database's name (its pods are ``<name>-1``, ``<name>-2``, ...)."""
    return db.name


def database_pooler(pooler: Workload, kind: str) -> str:
    """A CloudNativePG Pooler: the pooler's name for the primary, ``<pooler>-read`` for the replicas
    (a Pooler may not share its Cluster's name)."""
    return pooler.name if kind == "rw" else _derived(pooler, "read")


def read_service(db: Workload) -> str:
    """The Service of a database's read replicas (through the read-only pooler when there is one)."""
    return _derived(db, "read")


def object_store(target: str) -> str:
    """The Barman Cloud ObjectStore of a recovery target, in each database's namespace."""
    return target


def volume_snapshot_class(w: Workload) -> str | None:
    """The VolumeSnapshotClass a CloudNativePG database's incremental backups (volume snapshots) use:
    named after its data storage class (None when it takes no snapshots, or its data has no class)."""
    if w.engine != "cloudnative-pg" or not any(b.kind == "incremental" for b in w.backups) or not w.storage:
        return None
    return w.storage[0].storage_class


def scheduled_backup(w: Workload, b: Backup) -> str:
    """A CloudNativePG ScheduledBackup: named like the CronJob it replaces."""
    return backup_job(w, b)


def operator_made(w: Workload, alerting: bool = False) -> tuple[tuple[str, str], ...]:
    """(kind, name) of the objects an operator makes for a workload, which ORION must not write (besides
    the Service clients call, which the plan names as the workload's Service); ``alerting``: the
    Prometheus Operator runs it as an Alertmanager, not a Prometheus."""
    if w.engine == "cloudnative-pg" and w.pooler_of is None:
        services = tuple(("Service", f"{w.name}-{suffix}") for suffix in ("rw", "ro", "r"))
        secrets = tuple(("Secret", f"{w.name}-{suffix}") for suffix in ("app", "ca", "server", "replication"))
        return (*services, *secrets, ("ServiceAccount", w.name), ("PodDisruptionBudget", w.name), ("PodDisruptionBudget", f"{w.name}-primary"))
    if w.engine == "cloudnative-pg":  # its Services are the pooler's (planned as Services clients call)
        kinds = ("ServiceAccount", "Deployment", "Secret")
        return tuple((kind, database_pooler(w, part)) for part in ("rw", "ro") for kind in kinds)
    if w.engine == "rabbitmq-operator":
        secrets = (("Secret", f"{w.name}-default-user"), ("Secret", f"{w.name}-erlang-cookie"))
        return (("Service", _derived(w, "nodes")), *secrets, ("ServiceAccount", _derived(w, "server")))
    if w.engine == "prometheus-operator":  # pkg/prometheus/common.go PrefixedName, pkg/alertmanager/statefulset.go
        prefixed = f"{'alertmanager' if alerting else 'prometheus'}-{w.name}"
        suffixes = ("generated", "web-config", "tls-assets-0") if alerting else ("web-config", "tls-assets-0")
        own = tuple(("Secret", f"{prefixed}-{suffix}") for suffix in suffixes)
        config: tuple[tuple[str, str], ...] = () if alerting else (("Secret", prefixed), ("ConfigMap", f"{prefixed}-rulefiles-0"))
        return (("StatefulSet", prefixed), ("Service", operated_service(alerting)), *own, *config)
    if w.engine == "redis-operator":  # internal/k8sutils/redis-replication.go and redis-sentinel.go
        made: list[tuple[str, str]] = []
        made_services: tuple[tuple[str, tuple[str, ...]], ...] = (
            (redis_replication(w), ("headless", "additional", "master", "replica", "metrics")),
            (redis_sentinel_pods(w), ("headless", "additional")),
        )
        for pods, endings in made_services:
            made += [("StatefulSet", pods), ("Service", pods), *(("Service", f"{pods}-{ending}") for ending in endings)]
        # internal/k8sutils/poddisruption.go: ``<replication>-replication`` and ``<sentinel>-sentinel``
        made += [("PodDisruptionBudget", f"{redis_replication(w)}-replication"), ("PodDisruptionBudget", redis_sentinel_pods(w))]
        return tuple(made)
    return ()


def operated_service(alerting: bool) -> str:
    """The headless Service the Prometheus Operator makes for every Prometheus (or Alertmanager) of a
    namespace (pkg/prometheus/server/statefulset.go, pkg/alertmanager/statefulset.go)."""
    return "alertmanager-operated" if alerting else "prometheus-operated"


def alert_routing(w: Workload) -> str:
    """The ``AlertmanagerConfig`` holding an Alertmanager's route and receiver, which its
    ``spec.alertmanagerConfiguration`` names: the Alertmanager's own name."""
    return w.name


def alert_receiver(w: Workload) -> str:
    """The Secret the cluster provides with what an Alertmanager's receiver needs (a webhook URL, a
    routing or API key: :data:`orion_dsl.receivers.RECEIVERS`): ``<name>-receiver``, clear of the
    operator's ``alertmanager-<name>*``."""
    return f"{w.name}-receiver"


def discovery_role(topology: Topology, w: Workload) -> str:
    """The ClusterRole (and its binding) that lets a Prometheus discover and scrape targets in every namespace."""
    return f"{topology.name}-{w.name}-discovery"


def queue_authentication(w: Workload, broker: str) -> str:
    """The TriggerAuthentication with which KEDA reads a broker's queues for a workload: ``<workload>-<broker>``."""
    return _derived(w, broker)


def broker_credentials(broker: str) -> str:
    """The Secret (keys ``username``, ``password``) with the RabbitMQ Cluster Operator's default user of a
    broker: the operator's own in the broker's namespace (``<broker>-default-user``), a copy of the same
    name that the cluster provides in another namespace (a TriggerAuthentication reads its own namespace's Secrets)."""
    return f"{broker}-default-user"


def redis_replication(w: Workload) -> str:
    """The OT redis-operator's RedisReplication (its StatefulSet and pods ``<name>-replication-0..n``): not
    the workload's name, because the operator gives its own Service that name and it selects every pod,
    replicas included; the workload's Service selects the primary."""
    return _derived(w, "replication")


def redis_sentinel_pods(w: Workload) -> str:
    """The StatefulSet and Service the operator makes for the workload's RedisSentinel (``<name>``):
    ``<name>-sentinel`` (api/redissentinel/v1beta2 GetStatefulSetName)."""
    return _derived(w, "sentinel")


def redis_password(w: Workload) -> str:
    """The Secret (key ``password``) the Redis and Sentinel pods of a redis-operator workload require
    clients to authenticate with; the cluster provides it."""
    return _derived(w, "auth")


def credentials_volume(w: Workload) -> Volume | None:
    """The Secret volume holding a workload's credentials (``username``/``password``) for its backups:
    its own secret volume, or the Secret its operator makes (CloudNativePG ``<db>-app``, RabbitMQ
    ``<name>-default-user``: both hold those keys), or a redis-operator workload's password Secret."""
    if w.engine is not None:
        secret = {"cloudnative-pg": _derived(w, "app"), "rabbitmq-operator": _derived(w, "default-user"), "redis-operator": redis_password(w)}.get(w.engine)
        return Volume("store-credentials", "secret", secret, f"/etc/{w.name}/credentials", True) if secret is not None else None
    return next((v for v in w.volumes if v.kind == "secret"), None)
