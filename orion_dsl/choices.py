"""The closed sets of words the language's keywords choose from, each declared once.

Each set is a ``Literal`` type, which the declarations and the model are typed with (so mypy
refuses a comparison with a word outside the set), and the tuple of its words, which the
vocabulary (:mod:`orion_dsl.declarations`) accepts: the tuple is read from the type
(:func:`typing.get_args`), so the two cannot disagree.
"""

from __future__ import annotations

from typing import Literal, get_args

#: A health check: an HTTP GET, a TCP connect, a call of the gRPC health protocol, or a command.
CheckKind = Literal["http", "tcp", "grpc", "exec"]
CHECK_KINDS: tuple[CheckKind, ...] = get_args(CheckKind)

#: What a pod volume holds: a ConfigMap, a Secret, or a scratch directory.
VolumeKind = Literal["config-map", "secret", "empty-dir"]
VOLUME_KINDS: tuple[VolumeKind, ...] = get_args(VolumeKind)

#: How a persistent volume may be mounted.
AccessMode = Literal["read-write-once", "read-only-many", "read-write-many", "read-write-once-pod"]
ACCESS_MODES: tuple[AccessMode, ...] = get_args(AccessMode)
#: Access modes a volume attaches with to one node only (``read-write-once-pod``: to one pod).
SINGLE_NODE_ACCESS: tuple[AccessMode, ...] = ("read-write-once", "read-write-once-pod")

#: How calls are spread over a workload's pods (``load_balancing``), or the ingress's (``balance``).
LbAlgorithm = Literal["round-robin", "least-connection", "ip-hash", "random"]
LB_ALGORITHMS: tuple[LbAlgorithm, ...] = get_args(LbAlgorithm)

#: What pins a client's calls to one pod (``session_affinity``): a cookie or a request header.
AffinityKey = Literal["cookie", "header"]
AFFINITY_KEYS: tuple[AffinityKey, ...] = get_args(AffinityKey)

#: What a traffic ``match`` compares with the request: a request header, or a cookie of its ``Cookie`` header.
MatchKey = Literal["cookie", "header"]
MATCH_KEYS: tuple[MatchKey, ...] = get_args(MatchKey)

#: Where pods spread (``spread``, ``topology_spread``): over nodes, over zones; ``none`` turns ORION's own spread off.
SpreadDomain = Literal["nodes", "zones"]
SPREAD_DOMAINS: tuple[SpreadDomain, ...] = get_args(SpreadDomain)
SpreadChoice = Literal["nodes", "zones", "none"]
SPREAD_CHOICES: tuple[SpreadChoice, ...] = get_args(SpreadChoice)

#: The word that turns a default off (``probes none``, ``resources none``).
Nothing = Literal["none"]
NOTHING: tuple[Nothing, ...] = get_args(Nothing)

#: Which taints a toleration tolerates (Kubernetes' NoSchedule, PreferNoSchedule, NoExecute).
TaintEffect = Literal["no-schedule", "prefer-no-schedule", "no-execute"]
TAINT_EFFECTS: tuple[TaintEffect, ...] = get_args(TaintEffect)

#: What a workload's backup copies.
BackupKind = Literal["full", "incremental", "wal", "snapshot", "definitions"]
BACKUP_KINDS: tuple[BackupKind, ...] = get_args(BackupKind)

#: How new pods replace old ones.
RolloutStrategy = Literal["rolling", "recreate"]
ROLLOUT_STRATEGIES: tuple[RolloutStrategy, ...] = get_args(RolloutStrategy)

#: The two versions of a blue-green workload.
Colour = Literal["blue", "green"]
COLOURS: tuple[Colour, ...] = get_args(Colour)

#: When a connection pooler hands a server connection back.
PoolMode = Literal["session", "transaction", "statement"]
POOL_MODES: tuple[PoolMode, ...] = get_args(PoolMode)

#: How a database's replicas follow its primary.
Replication = Literal["synchronous", "asynchronous"]
REPLICATIONS: tuple[Replication, ...] = get_args(Replication)

#: Who runs a data store's pods: an operator ORION writes the resource of (``engine``); without one,
#: ORION writes the StatefulSet or Deployment itself.
Engine = Literal["cloudnative-pg", "rabbitmq-operator", "prometheus-operator", "redis-operator"]
ENGINES: tuple[Engine, ...] = get_args(Engine)

#: What a namespace may allow of itself (``allow same-namespace``).
NamespaceAllowance = Literal["same-namespace"]
NAMESPACE_ALLOWANCES: tuple[NamespaceAllowance, ...] = get_args(NamespaceAllowance)

#: The only posture of the network's default.
Deny = Literal["deny"]
DENY: tuple[Deny, ...] = get_args(Deny)

#: Whether DNS egress is open.
AllowOrDeny = Literal["allow", "deny"]
ALLOW_OR_DENY: tuple[AllowOrDeny, ...] = get_args(AllowOrDeny)

#: The time unit of a rate limit.
RatePer = Literal["second", "minute"]
RATE_UNITS: tuple[RatePer, ...] = get_args(RatePer)

#: What serves the ingress: Istio's Gateway API implementation (``gatewayClassName: istio``; ORION
#: writes the Gateway and HTTPRoutes, Istio runs the meshed gateway pods), or the ingress-nginx
#: controller (retired in March 2026; installed separately, Ingress objects with its annotations).
IngressController = Literal["istio", "ingress-nginx"]
INGRESS_CONTROLLERS: tuple[IngressController, ...] = get_args(IngressController)

#: The web application firewalls the ingress runs.
Waf = Literal["modsecurity"]
WAFS: tuple[Waf, ...] = get_args(Waf)
#: What the WAF does with a request the OWASP core rules match: refuse it (403), or only log it.
WafMode = Literal["block", "detect"]
WAF_MODES: tuple[WafMode, ...] = get_args(WafMode)

#: The DNS providers that answer ACME DNS-01 challenges.
DnsProvider = Literal["cloudflare"]
DNS_PROVIDERS: tuple[DnsProvider, ...] = get_args(DnsProvider)

#: The service meshes ORION configures.
MeshKind = Literal["istio"]
MESH_KINDS: tuple[MeshKind, ...] = get_args(MeshKind)

#: Mutual TLS between meshed workloads.
MtlsMode = Literal["strict", "permissive"]
MTLS_MODES: tuple[MtlsMode, ...] = get_args(MtlsMode)

#: How an external service is reached other than directly.
ExternalRoute = Literal["egress_gateway"]
EXTERNAL_ROUTES: tuple[ExternalRoute, ...] = get_args(ExternalRoute)

#: The VerticalPodAutoscaler's update modes.
VpaMode = Literal["off", "initial", "recreate", "auto"]
VPA_MODES: tuple[VpaMode, ...] = get_args(VpaMode)

#: An alert's severity.
Severity = Literal["critical", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

#: Which workloads monitoring scrapes: every one with the port, or those with ``scrape on``.
ScrapeMode = Literal["all", "annotated"]
SCRAPE_MODES: tuple[ScrapeMode, ...] = get_args(ScrapeMode)
#: Where an Alertmanager sends alerts (orion_dsl/receivers.py).
AlertReceiver = Literal["webhook", "pagerduty", "slack", "opsgenie"]
ALERT_RECEIVERS: tuple[AlertReceiver, ...] = get_args(AlertReceiver)

#: The object stores backups go to.
StoreKind = Literal["s3", "gcs", "azure"]
STORE_KINDS: tuple[StoreKind, ...] = get_args(StoreKind)

#: The tools that back up a whole cluster.
ClusterBackupTool = Literal["velero"]
CLUSTER_BACKUP_TOOLS: tuple[ClusterBackupTool, ...] = get_args(ClusterBackupTool)

#: Where a custom autoscaling metric comes from: each is a keyword of ``autoscale``.
MetricSource = Literal["pods", "object", "external"]

#: What a namespace shares with its readers: ``shared_config`` or ``shared_secret``.
SharedKind = Literal["config", "secret"]

#: The described-only pieces of the edge: each is a keyword of ``edge``.
DescribedKind = Literal["cdn", "load_balancer", "geodns", "region"]

#: The network layer a load balancer works at: 4 passes connections through (the address they come from
#: stays theirs), 7 terminates HTTP and forwards each request, appending that address to X-Forwarded-For.
Layer = Literal[4, 7]
LAYERS: tuple[Layer, ...] = get_args(Layer)

#: When the kubelet pulls a container's image (``image_pull_policy``): every start, only when the node lacks it, or never.
PullPolicy = Literal["always", "if-not-present", "never"]
PULL_POLICIES: tuple[PullPolicy, ...] = get_args(PullPolicy)

#: Where an environment variable's value (``env``) or a whole set of them (``env_from``) is read from.
EnvSource = Literal["secret", "config-map"]
ENV_SOURCES: tuple[EnvSource, ...] = get_args(EnvSource)

#: How a workload's Service is reached (``service_type``): inside the cluster, on every node's port, or by a cloud load balancer.
ServiceType = Literal["cluster-ip", "node-port", "load-balancer"]
SERVICE_TYPES: tuple[ServiceType, ...] = get_args(ServiceType)

#: The Pod Security Standards levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
PodSecurityLevel = Literal["privileged", "baseline", "restricted"]
POD_SECURITY_LEVELS: tuple[PodSecurityLevel, ...] = get_args(PodSecurityLevel)
#: The pods a namespace's default-deny policies isolate: all of them, or only those ORION writes.
DenyScope = Literal["all", "orion"]
DENY_SCOPES: tuple[DenyScope, ...] = get_args(DenyScope)

#: How an ingress host's path is matched: the path and what lies below it, or that path alone.
PathMatch = Literal["prefix", "exact"]
PATH_MATCHES: tuple[PathMatch, ...] = get_args(PathMatch)

#: A JSON patch operation (RFC 6902) a ``patch``'s ``json`` block writes.
JsonOp = Literal["add", "remove", "replace", "test", "move", "copy"]
JSON_OPS: tuple[JsonOp, ...] = get_args(JsonOp)

#: A strategic merge ``"$patch"`` directive of a patch's block: the field or keyed element removed, or set whole.
MergeDirective = Literal["delete", "replace"]
MERGE_DIRECTIVES: tuple[MergeDirective, ...] = get_args(MergeDirective)
