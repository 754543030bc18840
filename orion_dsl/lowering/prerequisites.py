"""What the cluster must provide before ``kubectl apply -k``: read from the plan, never per spec.

ORION writes objects that other software reads: operators and controllers (and the CRDs they
install), StorageClasses and VolumeSnapshotClasses its claims and snapshots name, the Secrets its
objects read, and cluster features (a CNI that enforces NetworkPolicy, Istio with istio-cni, Pod
Security admission). :func:`prerequisites` gathers them from the plan's emitted entries and what
they name (:class:`~orion_dsl.lowering.plan.Ref`, with the Secret keys ORION knows), so the
document the docs target writes (:data:`DOCUMENT`) and ``orion compile -v``'s summary say the same.

Read from the plan, the lists count an object a backend plans but then finds nothing to write for:
today only a continuous backup ORION has no receiver for (I1050), whose credentials and spool class
are still listed (I1010, read from the written objects, leaves them out). The tests hold the CRDs and
Secrets listed to the seed's and the examples' actual output.

Not prerequisites: Secrets cert-manager makes (TLS, ACME account keys) and those an operator makes
(CloudNativePG ``<db>-app``, RabbitMQ ``<name>-default-user``): the plan names them as made, not
provided.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

from orion_dsl import controllers
from orion_dsl.choices import PodSecurityLevel
from orion_dsl.controllers import cert_manager_release
from orion_dsl.engines import facts, through_barman_plugin
from orion_dsl.model import EgressGateway, Ingress, Namespace, Peer, Topology, Workload
from orion_dsl.semantic.fields import platform_floor

from . import names, waf
from .egress import missing_service_ports
from .identities import describe
from .istio import gateway_waf
from .plan import Plan, Planned, Role

#: The file of the docs target that lists the prerequisites.
DOCUMENT = "docs/PREREQUISITES.md"

#: The level of the log shipper's own namespace: it mounts /var/log/pods from the node (a hostPath
#: volume), which every level but ``privileged`` forbids.
LOG_SHIPPER_POD_SECURITY: PodSecurityLevel = "privileged"


def pod_security(namespace: Namespace) -> PodSecurityLevel:
    """The Pod Security level a namespace enforces: ``restricted`` unless the namespace says `pod_security baseline` or
    `privileged` (for pods others start there); every pod ORION writes meets ``restricted``, and the namespace audits
    and warns at ``restricted`` whatever it enforces (:data:`AUDITED_LEVEL`)."""
    return namespace.pod_security


#: The level every namespace ORION manages audits and warns at, whatever it enforces: a pod that falls short of
#: ``restricted`` is still admitted under a lowered ``enforce``, but ``kubectl apply`` warns and the audit log says so.
AUDITED_LEVEL: PodSecurityLevel = "restricted"


def cni_levels(topology: Topology) -> dict[str, list[str]]:
    """The meshed namespaces whose Pod Security refuses Istio's ``istio-init`` container (it adds NET_ADMIN and NET_RAW,
    which ``baseline`` forbids as ``restricted`` does; ``privileged`` admits it), by the level they enforce.
    https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: Capabilities)."""
    found: dict[str, list[str]] = {}
    for ns in topology.namespaces:
        if ns.mesh and not ns.external and pod_security(ns) != "privileged":
            found.setdefault(pod_security(ns), []).append(ns.name)
    return found


#: What the istio-cni DaemonSet needs of the namespace it runs in: its install-cni container mounts hostPath
#: directories and adds NET_ADMIN, NET_RAW, SYS_ADMIN, SYS_PTRACE and DAC_OVERRIDE, which only Pod Security
#: ``privileged`` admits (istio/istio@00ace666c5324d1528e44101a6be37d32bbbfd31
#: manifests/charts/istio-cni/templates/daemonset.yaml; Pod Security Standards, Baseline: HostPath Volumes, Capabilities).
CNI_NAMESPACE_LEVEL = (
    "the namespace the istio-cni DaemonSet runs in (istio-system or kube-system, as installed) must allow privileged pods "
    "(Pod Security privileged): its pods mount host paths and add NET_ADMIN, NET_RAW, SYS_ADMIN and SYS_PTRACE"
)


def cni_reason(topology: Topology) -> str | None:
    """Why the meshed namespaces need Istio's CNI node agent (which namespaces, at which level), or None when none does."""
    levels = cni_levels(topology)
    if not levels:
        return None
    where = " and ".join(f"{level} ({', '.join(spaces)})" for level, spaces in levels.items())
    return f"meshed namespaces enforce Pod Security {where}, which refuses the istio-init container (NET_ADMIN, NET_RAW)"


@attrs.frozen
class Operator:
    """An operator or controller to install: the release ORION writes for, where it runs, and why."""

    name: str
    version: str | None
    namespace: str | None
    #: What it needs in turn (another operator's release).
    requires: tuple[str, ...]
    #: The engines of the spec it runs (``cloudnative-pg``), with their workloads.
    engines: tuple[str, ...]
    #: The API versions of the objects written that it serves (``cert-manager.io/v1``).
    serves: tuple[str, ...]


@attrs.frozen
class Crd:
    """A custom resource kind the output writes, the version written, and the controller serving it."""

    group: str
    kind: str
    version: str
    controller: str | None


@attrs.frozen
class Reader:
    """An object that reads a Secret, and the keys it is known to read: named by key, or (mounted whole) by path."""

    object: str
    keys: tuple[str, ...]
    #: Whether the spec names the keys (a workload's ``env NAME secret "S" key "K"``, or a path into its mount), not ORION's objects.
    stated: bool = False
    #: Whether it mounts the whole Secret (or reads every key, ``env_from``), so the application may read keys besides ``keys``.
    whole: bool = False


@attrs.frozen
class SecretNeed:
    """A Secret the cluster must provide: where, the keys read and who reads them."""

    namespace: str
    name: str
    readers: tuple[Reader, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key a reader names, in the order first named."""
        return tuple(dict.fromkeys(k for r in self.readers for k in r.keys))

    @property
    def known_keys(self) -> tuple[str, ...]:
        """The keys ORION's own objects read (their contents are ORION's to describe), not those the spec names."""
        return tuple(dict.fromkeys(k for r in self.readers if not r.stated for k in r.keys))

    @property
    def any_file(self) -> bool:
        """Whether a reader mounts the whole Secret (or reads every key, ``env_from``), so its keys are the ones the application reads."""
        return any(r.whole for r in self.readers)


@attrs.frozen
class ClassNeed:
    """A StorageClass (None: the cluster's default) or VolumeSnapshotClass, and what uses it."""

    name: str | None
    users: tuple[str, ...]


@attrs.frozen
class Provided:
    """Another object the output names that the cluster provides (a Service Istio installs, pods of the
    ingress controller, a BackupStorageLocation of Velero's installation)."""

    kind: str
    namespace: str | None
    name: str
    what: str


@attrs.frozen
class Feature:
    """A cluster feature the output relies on, and why."""

    name: str
    why: str


@attrs.frozen
class Prerequisites:
    """Everything the cluster must provide for one plan's output."""

    platform: tuple[Feature, ...]
    operators: tuple[Operator, ...]
    crds: tuple[Crd, ...]
    secrets: tuple[SecretNeed, ...]
    storage_classes: tuple[ClassNeed, ...]
    snapshot_classes: tuple[ClassNeed, ...]
    provided: tuple[Provided, ...]
    features: tuple[Feature, ...]
    pod_security: tuple[tuple[str, PodSecurityLevel], ...]

    def counts(self) -> tuple[str, ...]:
        """The counts, and the StorageClasses and VolumeSnapshotClasses by name."""
        classes = ", ".join(c.name or "the cluster default" for c in self.storage_classes) or "none"
        parts = [
            _count(len(self.operators), "operator or controller", "operators and controllers"),
            _count(len(self.crds), "CRD", "CRDs"),
            _count(len(self.secrets), "Secret", "Secrets"),
            f"StorageClasses: {classes}",
        ]
        if self.snapshot_classes:
            parts.append(f"VolumeSnapshotClasses: {', '.join(c.name or '' for c in self.snapshot_classes)}")
        return tuple(parts)

    def summary(self) -> str:
        """One line for ``orion compile -v``: :meth:`counts`, and where the list is."""
        return f"prerequisites: the cluster must provide {'; '.join(self.counts())} (listed in {DOCUMENT})"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def prerequisites(plan: Plan) -> Prerequisites:
    """What the cluster must provide for the objects of the plan ORION emits."""
    emitted = [e for e in plan.entries if e.emitted]
    topology = plan.topology
    crds = _crds(emitted)
    return Prerequisites(
        platform=_platform(topology),
        operators=_operators(topology, crds),
        crds=crds,
        secrets=_secrets(plan, emitted),
        storage_classes=_storage_classes(plan),
        snapshot_classes=_snapshot_classes(topology),
        provided=tuple(Provided(e.id.kind, e.id.namespace, e.name, _provided_what(topology, e)) for e in plan.provided() if _listed(e)),
        features=_features(topology, emitted),
        pod_security=(
            *((ns.name, pod_security(ns)) for ns in topology.namespaces if not ns.external),
            *((e.name, LOG_SHIPPER_POD_SECURITY) for e in plan.of_role(Role.LOG_SHIPPER_NAMESPACE)),
        ),
    )


#: Provided entries listed elsewhere (Secrets) or not needed from the cluster (a controller makes them).
_NOT_LISTED = frozenset({Role.PROVIDED_SECRET, Role.MANAGED_SECRET, Role.TEMPLATE_CLAIM, Role.OPERATOR_MADE})


def _provided_what(topology: Topology, entry: Planned) -> str:
    """What a provided object is, and for the egress gateway's Service the ports ORION routes through it that
    Istio's chart does not give it (80, 443, 15443 only): without them the Gateway's listener has no Service port."""
    what = describe(entry)
    missing = missing_service_ports(topology) if entry.role is Role.PROVIDED_SERVICE and isinstance(entry.subject, EgressGateway) else []
    if missing:
        ports = ", ".join(str(n) for n in missing)
        what += f", with port{'s' if len(missing) > 1 else ''} {ports} added at install (targetPort the same, TCP)"
    return what


def _listed(entry: Planned) -> bool:
    """Whether an object ORION does not write is the cluster's to provide: not one ORION only
    reserves a name for, nor one an engine's operator makes (the Services clients call, made from
    ORION's resource), nor the pods Istio makes for an ``istio`` ingress's Gateway."""
    made_by_istio = entry.role is Role.PROVIDED_PODS and isinstance(entry.subject, Ingress) and entry.subject.controller == "istio"
    return entry.role not in _NOT_LISTED and _engine_of(entry) is None and not made_by_istio


def _engine_of(entry: Planned) -> str | None:
    """The operator of the engine an entry's object is written for, if any."""
    subject = entry.subject
    return facts(subject.engine).operator if isinstance(subject, Workload) and subject.engine is not None else None


def _crds(written: Iterable[Planned]) -> tuple[Crd, ...]:
    """Every non-core (group, kind, version) written, with the controller serving it."""
    found: dict[tuple[str, str, str], str | None] = {}
    for e in written:
        group, _, version = e.id.api_version.rpartition("/")
        if controllers.is_built_in(group):
            continue
        known = controllers.for_group(group)
        controller = known.name if known is not None else _engine_of(e)
        key = (group, e.id.kind, version)
        found[key] = found.get(key) or controller
    return tuple(Crd(g, k, v, c) for (g, k, v), c in sorted(found.items()))


def _operators(topology: Topology, crds: tuple[Crd, ...]) -> tuple[Operator, ...]:
    """The engines' operators (with the version ORION writes for), then the controllers of the other
    groups written, each with the API versions it serves."""
    found: dict[str, tuple[str | None, str | None, tuple[str, ...], list[str]]] = {}
    engines: dict[str, dict[str, list[str]]] = {}
    for w in topology.workloads:
        if w.engine is not None:
            f = facts(w.engine)
            found.setdefault(f.operator, (f.version, f.operator_namespace, (f.install,) if f.install else (), []))
            engines.setdefault(f.operator, {}).setdefault(w.engine, []).append(f"{w.namespace}/{w.name}")
    for crd in crds:
        known = controllers.for_group(crd.group)
        name = known.name if known is not None else crd.controller
        if name is None:
            continue
        if known is controllers.CERT_MANAGER:
            version: str | None = cert_manager_release(_floor(topology, "kubernetes")[0])
        elif known is controllers.ISTIO:  # the platform row's floor: its objects may need a later Istio than their apiVersions
            version = ".".join(map(str, _floor(topology, "istio")[0]))
        else:
            version = known.version if known else None
        serves = found.setdefault(name, (version, known.namespace, known.requires, []) if known else (None, None, (), []))[3]
        served = f"{crd.group}/{crd.version}"
        if served not in serves:
            serves.append(served)
    return tuple(
        Operator(name, v, ns, requires, tuple(f"{e} ({', '.join(ws)})" for e, ws in engines.get(name, {}).items()), tuple(serves))
        for name, (v, ns, requires, serves) in found.items()
    )


def _secrets(plan: Plan, written: Iterable[Planned]) -> tuple[SecretNeed, ...]:
    """The Secrets the cluster provides that a written object names, with each reader and its keys
    (cert-manager's and the operators' Secrets are made, not provided)."""
    provided = {(e.namespace, e.name) for e in plan.of_role(Role.PROVIDED_SECRET)}
    readers: dict[tuple[str, str], dict[str, Reader]] = {}
    stated = {str(e.id) for e in written if e.role in _STATING}
    for e in written:
        for ref in e.refs:
            key = (ref.namespace or "", ref.name)
            if ref.kind == "Secret" and key in provided:
                found = readers.setdefault(key, {})
                was = found.get(str(e.id), Reader(str(e.id), (), str(e.id) in stated))
                keys = tuple(dict.fromkeys((*was.keys, *ref.keys, *ref.named)))
                found[str(e.id)] = attrs.evolve(was, keys=keys, whole=was.whole or not ref.keys)
    return tuple(SecretNeed(ns, name, tuple(found.values())) for (ns, name), found in sorted(readers.items()))


#: Objects whose Secret keys the spec names (a workload's environment), not ORION.
_STATING = frozenset({Role.DEPLOYMENT, Role.STATEFULSET})


def _storage_classes(plan: Plan) -> tuple[ClassNeed, ...]:
    """The StorageClass of every storage declaration (None: the cluster default), and a continuous
    backup's spool (its workload's class)."""
    users: dict[str | None, list[str]] = {}
    for w in plan.topology.workloads:
        for s in w.storage:
            users.setdefault(s.storage_class, []).append(f"storage {s.name} of {w.namespace}/{w.name}")
    for e in plan.of_role(Role.ARCHIVER_CLAIM):
        w = e.of(Workload)
        found = next((s.storage_class for s in w.storage if s.storage_class), None)
        users.setdefault(found, []).append(f"the WAL spool {e.namespace}/{e.name}")
    ordered = sorted(users.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return tuple(ClassNeed(name, tuple(found)) for name, found in ordered)


def _snapshot_classes(topology: Topology) -> tuple[ClassNeed, ...]:
    """The VolumeSnapshotClass of each CloudNativePG database with incremental backups (volume snapshots)."""
    users: dict[str, list[str]] = {}
    for w in topology.workloads:
        found = names.volume_snapshot_class(w)
        if found is not None:
            users.setdefault(found, []).append(f"the volume snapshots of {w.namespace}/{w.name}")
    return tuple(ClassNeed(name, tuple(found)) for name, found in sorted(users.items()))


def _floor(topology: Topology, platform: str) -> tuple[tuple[int, int], str]:
    """The oldest Kubernetes or Istio release the output is written for, and what needs it."""
    plugin = any(through_barman_plugin(w, b) for w in topology.workloads for b in w.backups)
    return platform_floor(platform, plugin, topology.istio_gateway is not None)


def _platform(topology: Topology) -> tuple[Feature, ...]:
    """Kubernetes (and Istio, with a mesh) at the floors the output is written for."""
    out = []
    for platform, stated in (("kubernetes", topology.kubernetes), ("istio", topology.istio)):
        if platform == "istio" and not any(ns.mesh for ns in topology.namespaces) and topology.istio_gateway is None:
            continue
        floor, needs = _floor(topology, platform)
        shown = ".".join(map(str, floor))
        out.append(Feature(f"{'Kubernetes' if platform == 'kubernetes' else 'Istio'} {shown} or later", f"the spec targets {stated}; {needs}"))
    return tuple(out)


def _gateway_features(topology: Topology) -> Iterator[Feature]:
    """What an ``istio`` ingress needs from the Istio installation and cert-manager beyond the CRDs."""
    ing = topology.istio_gateway
    if ing is None:
        return
    if ing.tls_minimum == "1.3":
        why = f"the ingress asks for TLS {ing.tls_minimum} at least, which Istio sets for every gateway in meshConfig, not per Gateway"
        yield Feature("Istio's meshConfig.tlsDefaults.minProtocolVersion: TLSV1_3", why)
    issuer = next((i for i in topology.issuers if i.name == ing.tls_issuer), None)
    if issuer is not None and issuer.dns01 is None:
        why = f"issuer {issuer.name} answers HTTP-01 challenges through the Gateway (a solver HTTPRoute, cert-manager's gatewayHTTPRoute)"
        yield Feature("cert-manager's Gateway API support (controller flag --enable-gateway-api)", why)
    if topology.front_ranges():
        proxy = ing.forwarded_by[-1]
        why = (
            f"the gateway admits only {proxy}'s ranges and trusts the X-Forwarded-For entry it appends: "
            "the connecting address must reach the pods (Istio's Service gets externalTrafficPolicy: Local)"
        )
        stated = ing.behind[ing.behind.index(proxy) + 1 :]  # the spec's layer-4 load balancers after it
        between = f"the load balancer {', '.join(stated)}, passing connections through (layer 4)," if stated else "a layer-4 (pass-through) load balancer"
        yield Feature(f"{between} between {proxy} and the gateway's Service", why)
    if gateway_waf(topology) is not None:
        yield _waf_registry(ing)


def _waf_registry(ing: Ingress) -> Feature:
    """The registry the gateway pods' istio-agent pulls the WAF's module from, and why the NetworkPolicy opens what it opens."""
    module = waf.module(ing)
    pull = f"each gateway pod's istio-agent pulls the WAF's module {module.url} when it starts (itself, not through Envoy or the egress gateway)"
    pull += (
        '; a pod that cannot pull it refuses every request with 403 "RBAC: access denied" (the agent\'s deny filter in its place)'
        if ing.waf_mode == "block"
        else "; a pod that cannot pull it lets requests through unfiltered (mode detect fails open)"
    )
    if ing.waf_module is None:
        why = (
            f"{pull}; NetworkPolicy cannot name {module.registry} and the hosts its blobs redirect to (GitHub's content hosts), so "
            f"{names.ingress_controller(ing)}-egress opens 443 to public addresses for it; where the cluster must not reach the internet, "
            "mirror the module and name it with the waf's module"
        )
        return Feature(f"{module.registry} reachable from the gateway's pods on 443", why)
    why = f"{pull}; {names.ingress_controller(ing)}-egress opens {module.port} to any address but link-local for it (a mirror's address is not known)"
    return Feature(f"the mirror {module.registry} reachable from the gateway's pods on {module.port}, serving coraza-proxy-wasm's image as released", why)


def api_server_callers(topology: Topology, written: list[Planned]) -> list[str]:
    """Who reaches the Kubernetes API server through a NetworkPolicy ``ipBlock``: the allow-graph's callers
    (``kubernetes_api on``, the operators) and the log shipper, whose policy ORION writes beside it."""
    callers = dict.fromkeys(e.source.name for e in topology.allow_graph.edges if e.target.kind == "api-server")
    if any(e.role is Role.LOG_SHIPPER_POLICY for e in written):
        callers["the log shipper"] = None
    return list(callers)


def _network_policy_features(topology: Topology, written: list[Planned]) -> Iterator[Feature]:
    """What the CNI must match for the NetworkPolicies' ``ipBlock`` of the API server, and what cert-manager,
    in a namespace ORION writes no policy for, must be let reach.

    The API server's endpoints carry no labels, so its peer is an ``ipBlock`` (any address but link-local).
    Cilium's CIDR selectors leave node addresses out unless it runs with ``--policy-cidr-match-mode=nodes``
    (Helm ``policyCIDRMatchMode: nodes``), so where the API server runs on the cluster's nodes the calls are
    dropped (cilium/cilium@30a4939a5cea655a834eb886456e9225ee11ccb8 Documentation/security/policy/language.rst,
    "Selecting nodes with CIDR / ipBlock"). cert-manager's chart writes its webhook's NetworkPolicy only with
    ``webhook.networkPolicy.enabled`` (an ``ipBlock`` 0.0.0.0/0 on 80, 443, 53 and 6443;
    cert-manager/cert-manager@001eb00d7f276ebcb4f84ffa8ba9255d9292b8c8 deploy/charts/cert-manager/values.yaml)."""
    callers = api_server_callers(topology, written)
    if callers:
        stated = topology.network.api_server
        listed = "the endpoints `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes` lists"
        where = (
            f"to {', '.join(str(a) for a in stated)} (`network {{ api_server }}`), which must hold {listed}"
            if stated
            else f"to any address but link-local, the internet included on those ports (I1088): state {listed} as `network {{ api_server CIDR, ... }}`"
        )
        why = (
            f"{', '.join(callers)} reach the API server (443, 6443) through an ipBlock, as its endpoints carry no labels: {where}. "
            "The CNI must match the endpoints the `kubernetes` Service's address is translated to (Kubernetes leaves that to the plugin). "
            "On Cilium, ipBlock ignores node addresses unless it runs with --policy-cidr-match-mode=nodes "
            "(Helm policyCIDRMatchMode: nodes, Cilium 1.15 or later), so a self-managed control plane on the cluster's nodes "
            "(kubeadm) needs it, else those calls are dropped; a managed control plane (EKS, GKE, AKS), whose endpoints are "
            "not the nodes', needs nothing"
        )
        yield Feature("a CNI whose NetworkPolicy ipBlock matches the API server's addresses (Cilium: policy-cidr-match-mode nodes)", why)
    if topology.issuers:
        reached = ["the API server", "the ACME server"]
        reached += [f"{p}'s DNS API" for p in dict.fromkeys(i.dns01 for i in topology.issuers if i.dns01 is not None)]
        why = (
            f"ORION writes no NetworkPolicy in cert-manager's namespace: where that namespace denies by default (or its chart's "
            f"webhook.networkPolicy is on), the controller must reach {', '.join(reached)} and DNS, and the webhook (10250) "
            "must admit the API server; the same ipBlock caveat applies on Cilium"
        )
        yield Feature("cert-manager's own egress and webhook ingress", why)
    yield from _egress_gateway_policies(written)


def _egress_gateway_policies(written: list[Planned]) -> Iterator[Feature]:
    """The egress gateway's NetworkPolicies ORION writes select Istio's gateway pods (``istio: egressgateway``)
    in a namespace Istio installs and others may share (mesh review D6): they admit this topology's callers
    alone, and let the gateway reach only its routed ports, DNS and istiod. Any other tenant's traffic through
    that gateway, or a scrape of it, would be denied, so the gateway must be this topology's, or the policies
    merged with the others' before applying."""
    roles = (Role.INGRESS_POLICY, Role.EGRESS_POLICY)
    policies = [e for e in written if e.role in roles and isinstance(e.subject, Peer) and e.subject.kind == "egress-gateway"]
    if not policies:
        return
    namespace = policies[0].id.namespace
    pods = ", ".join(f"{k}={v}" for k, v in names.EGRESS_GATEWAY_PODS.items())
    why = (
        f"ORION writes {' and '.join(str(e.id) for e in policies)}, selecting the pods {pods} in {namespace}: "
        "they admit only this topology's callers and open only its routed ports (with DNS and istiod), so another tenant's "
        "traffic through a shared gateway (or a scrape of it) would be denied: dedicate the gateway to this topology, or merge "
        "these policies with the other tenants' rules before applying them"
    )
    yield Feature(f"an egress gateway in {namespace} dedicated to this topology", why)


def _features(topology: Topology, written: list[Planned]) -> tuple[Feature, ...]:
    """The cluster features the written objects rely on."""
    out = []
    kinds = {e.id.kind for e in written}
    if "NetworkPolicy" in kinds:
        out.append(Feature("a CNI that enforces NetworkPolicy", "every namespace denies by default; without enforcement the policies are ignored"))
        out.extend(_network_policy_features(topology, written))
    if (reason := cni_reason(topology)) is not None:
        out.append(Feature("Istio's CNI node agent (istio-cni)", f"{reason}; {CNI_NAMESPACE_LEVEL}"))
    if any(w.meshed and w.scraped for w in topology.workloads):
        why = "Prometheus scrapes meshed pods at the Istio agent's :15020/stats/prometheus, which serves their merged metrics"
        out.append(Feature("Istio's metrics merging (meshConfig.enablePrometheusMerge, on by default)", why))
    if topology.mesh is not None and topology.mesh.tracing_sampling is not None:
        # The Telemetry names no provider, so Istio reports spans to meshConfig's default tracing provider, if one is set:
        # Istio's tracing tasks (istio.io/latest/docs/tasks/observability/distributed-tracing, Zipkin) install one as an
        # extensionProviders entry first; MeshConfig.DefaultProviders names the one used when a Telemetry names none.
        why = (
            f"the mesh samples {topology.mesh.tracing_sampling}% of requests (Telemetry mesh-default in istio-system), "
            "and Istio sends their spans only to the default tracing provider: set one, or nothing is traced"
        )
        out.append(Feature("a tracing provider in Istio's meshConfig (extensionProviders, named in defaultProviders.tracing)", why))
    mon = topology.monitoring
    kube = mon.cluster_state_alerts if mon is not None else ()
    if mon is not None and kube:
        ksm = controllers.KUBE_STATE_METRICS
        why = (
            f"the alert{'s' if len(kube) > 1 else ''} {', '.join(kube)} read{'' if len(kube) > 1 else 's'} its kube_* metrics; installed "
            f"as its standard manifests do (the Service {ksm.name} in {ksm.namespace}, port {controllers.KUBE_STATE_METRICS_PORT.name} "
            f"{controllers.KUBE_STATE_METRICS_PORT.number}, pods {'='.join(ksm.pods[0])}), the ServiceMonitor ORION writes beside "
            f"{mon.scraper} scrapes it and {mon.scraper}'s egress admits it"
        )
        out.append(Feature("kube-state-metrics", why))
    if _snapshot_classes(topology):
        out.append(Feature("CSI volume snapshots", "the snapshot CRDs (snapshot.storage.k8s.io) and controller, and a CSI driver that takes snapshots"))
    for e in written:
        if e.role is Role.CLUSTER_BACKUP and not any(r.kind == "VolumeSnapshotLocation" for r in e.refs):
            why = f"{e.id} snapshots volumes with no VolumeSnapshotLocation: CSI snapshots (Velero's CSI support) or its node agent"
            out.append(Feature("volume snapshots for Velero", why))
    locations = [str(e.id) for e in written if e.role in (Role.BACKUP_STORAGE_LOCATION, Role.VOLUME_SNAPSHOT_LOCATION)]
    if locations:
        why = f"{' and '.join(locations)} use provider {controllers.VELERO_PROVIDER} (S3 and EBS snapshots)"
        out.append(Feature(f"Velero's {controllers.VELERO_PLUGIN}", why))
    # KEDA makes the HPA of a ScaledObject: its cpu and memory triggers read the resource metrics API too
    hpa = [a for e in written if e.role in (Role.HPA, Role.QUEUE_SCALER) and (a := e.of(Workload).autoscale) is not None]
    users = [
        *(["HorizontalPodAutoscalers scale on CPU or memory"] if any(a.cpu is not None or a.memory is not None or not a.metrics for a in hpa) else []),
        *(["the Vertical Pod Autoscaler recommends from it"] if "VerticalPodAutoscaler" in kinds else []),
    ]
    if users:
        out.append(Feature("the resource metrics API (metrics-server)", "; ".join(users)))
    # a ScaledObject's pods metrics are KEDA's prometheus triggers: only ORION's own HPAs read the metrics APIs
    custom = [a for e in written if e.role is Role.HPA and (a := e.of(Workload).autoscale) is not None]
    served = sorted({m.name for a in custom for m in a.metrics if m.source in ("pods", "object")})
    if served:
        out.append(
            Feature(
                "the custom metrics API: prometheus-adapter (or another adapter) with a rule for each metric",
                f"HorizontalPodAutoscalers scale on pod or object metrics: {', '.join(served)}",
            )
        )
    outside = sorted({m.name for a in custom for m in a.metrics if m.source == "external"})
    if outside:
        out.append(
            Feature(
                "the external metrics API: an adapter that serves each series (prometheus-adapter's external rules, or the metrics vendor's)",
                f"HorizontalPodAutoscalers scale on external metrics: {', '.join(outside)} "
                "(KEDA's metrics server serves only its own ScaledObjects' metrics, not these)",
            )
        )
    out.extend(_gateway_features(topology))
    out.append(Feature("Pod Security admission", "each namespace enforces the level listed below (built in since Kubernetes 1.25)"))
    return tuple(out)
