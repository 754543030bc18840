"""Workloads: defaults merged once, containers, probes, volumes, scaling, links to others."""

from __future__ import annotations

import functools
from typing import Any

import attrs

from orion_dsl import declarations as decl
from orion_dsl import model
from orion_dsl.choices import SINGLE_NODE_ACCESS, CheckKind, EnvSource, LbAlgorithm, MetricSource, RolloutStrategy, ServiceType
from orion_dsl.decode import L, Settings, written
from orion_dsl.diagnostics import did_you_mean
from orion_dsl.engines import facts
from orion_dsl.lowering import names
from orion_dsl.semantic import metadata
from orion_dsl.semantic.engine_checks import EngineResolver
from orion_dsl.semantic.merge import as_type, merge
from orion_dsl.semantic.mounts import mount_path_problems
from orion_dsl.semantic.resolver_base import CONFIG_KEY, DNS_1123_SUBDOMAIN, HEADER_NAME
from orion_dsl.semantic.versions import VersionResolver, retries
from orion_dsl.semantic.volume_files import volume_files
from orion_dsl.values import DAY_MS, Duration, PortRef

#: More read replicas than this is a typo, not a database: each one gets its own Service.
MAX_READ_REPLICAS = 100


class WorkloadResolver(EngineResolver, VersionResolver):
    """Builds :class:`~orion_dsl.model.Workload` s from merged declarations."""

    def merged(self, declared: decl.WorkloadDecl, ns: decl.NamespaceDecl | None, kind: model.WorkloadKind) -> decl.WorkloadDecl:
        """The workload's declaration with the top-level and namespace defaults under it (for one an
        operator runs, only the defaults that apply to its pods)."""
        base = self.defaults_of(ns)
        if declared.engine is not None:
            base, declared = self.operator_defaults(base), self.check_engine(declared, kind)
        self.check_dropped_volumes(ns.defaults if ns else None, self.spec.defaults, "the top-level defaults")
        self.check_dropped_volumes(declared, base, "the defaults")
        result = merge(base, declared)
        assert result is not None
        if base is not None and result.sidecars:
            sidecar_ports = {written(p.name) for s in result.sidecars for p in s.ports}
            own = {written(p.name) for p in declared.ports}
            ports = tuple(p for p in result.ports if written(p.name) in own or written(p.name) not in sidecar_ports)
            result = attrs.evolve(result, ports=ports)
        return result

    def defaults_of(self, ns: decl.NamespaceDecl | None) -> decl.WorkloadDecl | None:
        """The top-level defaults with the namespace's merged over them, as a workload's declaration.

        Every workload of a namespace has the same, so they are merged once per namespace
        (the declarations are immutable; the namespace's identity is the key).
        """
        key = id(ns)
        if key not in self._defaults:
            self._defaults[key] = as_type(decl.WorkloadDecl, merge(self.spec.defaults, ns.defaults if ns else None))
        return self._defaults[key]

    @functools.cached_property
    def _defaults(self) -> dict[int, decl.WorkloadDecl | None]:
        """:meth:`defaults_of`'s memory, by the namespace declaration's ``id`` (``id(None)`` for a workload outside any)."""
        return {}

    def check_dropped_volumes(self, over: decl.WorkloadDecl | None, base: decl.WorkloadDecl | None, layer: str) -> None:
        """A ``volume NAME none`` of ``over`` drops the volume of that name ``base`` mounts: report one that names
        no such volume (a typo would leave the mount in place), or that states a source, a path or files."""
        inherited = [v.name.value for v in (base.volumes if base is not None else ()) if v.name is not None and written(v.kind) != "none"]
        for v in over.volumes if over is not None else ():
            if v.name is None or written(v.kind) != "none":
                continue
            if v.name.value not in inherited:
                help = did_you_mean(v.name.value, inherited) if inherited else "remove the line: nothing is inherited to drop"
                self.report("E0201", v.name.span, f'`volume {v.name.value} none` drops nothing: {layer} mount no volume "{v.name.value}"', help)
            stated = v.source or v.at or (v.files[0] if v.files else None)
            if stated is not None:
                help = f"write `volume {v.name.value} none` alone, or mount a volume: `volume {v.name.value} empty-dir at \"/path\"`"
                self.report("E0221", stated.span, f'`volume {v.name.value} none` mounts nothing, and the line states what to mount', help)

    def workload(self, d: decl.WorkloadDecl, namespace: str, kind: model.WorkloadKind, ns: decl.NamespaceDecl | None) -> model.Workload:
        """A workload from its merged declaration (calls and routes are linked later)."""
        name = written(d.name, "")
        self.check_parts(d, name)
        container, sidecars = self.containers(d, name)
        if d.engine is not None:
            container = attrs.evolve(container, ports=self.engine_ports(d.engine, container.ports, name))
        subst = {"{service}": name}
        self.check_rollout(d, kind)
        autoscale = self.autoscale(d.autoscale)
        subnet = d.subnet or (ns.subnet if ns else None)
        self.record_spans(d, name)
        settings = Settings(decl.WorkloadDecl, d)
        namespace_meshed: bool = Settings(decl.NamespaceDecl, ns).mesh
        if d.mesh is not None and d.mesh.value and not namespace_meshed:
            help = f"write `mesh on` in namespace {namespace} (its pods get sidecars), or remove the workload's `mesh on`"
            self.report("E0221", d.mesh.span, f'"{name}" joins the mesh, but its namespace {namespace} is not in it', help)
        # operator-made pods stay outside the mesh; `mesh off` leaves a workload out of its namespace's
        meshed = namespace_meshed and d.engine is None and written(d.mesh, True)
        if d.mesh is not None:
            self.spans[("mesh", name)] = d.mesh.span
        replicas = self.replicas(d, autoscale, name)
        replicated_store = (kind == "statefulset" or d.engine is not None) and max(replicas, autoscale.max if autoscale else 0) > 1
        versions = self.versions(d, name, kind, replicas)
        if versions and not d.image:  # the service's image is its first version's (the document's, the diagrams')
            container = attrs.evolve(container, image=versions[0].image)
        resilience = self.resilience(d.resilience)
        storage = tuple(x for s in d.storage if (x := self.storage(s, subst)) is not None)
        one_node_claim = kind == "deployment" and any(s.access in SINGLE_NODE_ACCESS for s in storage)
        return model.Workload(
            name=name,
            namespace=namespace,
            kind=kind,
            description=settings.description,
            replicas=replicas,
            container=container,
            sidecars=sidecars,
            probes=self.probes(d.probes, container.ports + tuple(p for s in sidecars for p in s.ports), name),
            volumes=tuple(self.volume(vd, subst) for vd in d.volumes if vd.name and vd.kind and vd.kind.value != "none" and vd.at),
            storage=storage,
            rollout=self.rollout(d.rollout, one_node_claim),
            blue_green=self.blue_green(d.blue_green),
            budget=model.Budget(written(d.disruption_budget.max_unavailable), written(d.disruption_budget.min_available)) if d.disruption_budget else None,
            security=self.security(d.security, api=settings.kubernetes_api),
            subnet=written(subnet),
            addresses=(d.addresses.value.low, d.addresses.value.high) if d.addresses else None,
            calls=(),
            routes=(),
            autoscale=autoscale,
            load_balancing=written(d.load_balancing),
            session_affinity=self.session_affinity(d.session_affinity, d.load_balancing, meshed),
            resilience=resilience,
            database=self.database(d.database),
            encryption_at_rest=settings.encryption_at_rest,
            backups=tuple(self.backup(b) for b in d.backups if b.kind and b.to),
            meshed=meshed,
            scraped=False,
            engine=written(d.engine),
            init_containers=self.init_containers(d, name),
            env_from=tuple(self.env_from(e) for e in d.env_from if e.kind and e.source),
            service_type=settings.service_type,
            headless=self.headless(d, settings.service_type, container.ports + tuple(p for s in sidecars for p in s.ports)),
            versions=versions,
            traffic=self.traffic(d, name, versions, meshed, resilience),
            service_account=written(d.service_account),
            labels=tuple(pair.value for pair in d.labels),
            annotations=tuple(pair.value for pair in d.annotations),
            pod_annotations=tuple(pair.value for pair in d.pod_annotations),
            placement=self.placement(d.placement, replicated_store),
            kubernetes_api=settings.kubernetes_api,
            span=d.span,
        )

    def check_parts(self, d: decl.WorkloadDecl, name: str) -> None:
        """Report an image left out, and parts of the pod that are badly named, named twice or mounted on one path."""
        if d.image is None and not d.wrote("image") and not d.versions:
            self.report("E0115", d.keyword_span, f'"{name}" needs "image"', 'add `image "registry/name:tag"`')
        for named_part, what in [*((s.name, "sidecar") for s in d.sidecars), *((s.name, "storage") for s in d.storage)]:
            self.check_name(named_part, what)
        self.unique([*((v.name, v) for v in d.volumes), *((s.name, s) for s in d.storage)], f'volume of "{name}"')
        # a mount written in defaults is found once per workload; the pipeline reports each diagnostic once
        self.diags.extend(mount_path_problems(d, lambda path: _fill(path, {"{service}": name})))
        self.check_name(d.container, "container")
        main = [(d.container or d.name, d)]
        self.unique([*main, *((s.name, s) for s in d.sidecars), *((i.name, i) for i in d.init)], f'container of "{name}"')
        self.unique(((e.name, e) for e in d.env), f'environment variable of "{name}"')
        self.unique(((r.path, r) for r in d.routes), f'route of "{name}"')
        self.check_name(d.service_account, "service account", DNS_1123_SUBDOMAIN, 253)
        mappings: tuple[tuple[tuple[L[tuple[str, str]], ...], metadata.MetadataKind, str], ...] = (
            (d.labels, "label", "labels"),
            (d.annotations, "annotation", "annotations"),
            (d.pod_annotations, "annotation", "pod_annotations"),
        )
        for pairs, kind, keyword in mappings:
            self.diags.extend(metadata.problems(pairs, kind, keyword, metadata.OWN_KEYS))

    def containers(self, d: decl.WorkloadDecl, name: str) -> tuple[model.Container, tuple[model.Container, ...]]:
        """The main container and the sidecars; port names and numbers are unique per pod."""
        ports = self.port_list(d.ports, name)
        sidecars = tuple(
            model.Container(
                written(s.name, "sidecar"),
                written(s.image, ""),
                self.port_list(s.ports, f"{name}/{written(s.name)}"),
                self.resources(s.resources),
                tuple(c.value for c in s.command),
                tuple(a.value for a in s.args),
                written(s.image_pull_policy),
            )
            for s in d.sidecars
        )
        if sidecars:
            self.port_list((*d.ports, *(p for s in d.sidecars for p in s.ports)), name)
        main = model.Container(
            written(d.container, name),
            written(d.image, ""),
            ports,
            self.resources(d.resources),
            tuple(c.value for c in d.command),
            tuple(a.value for a in d.args),
            written(d.image_pull_policy),
        )
        return main, sidecars

    def init_containers(self, d: decl.WorkloadDecl, name: str) -> tuple[model.Container, ...]:
        """The init containers, in the order written (each runs to completion before the next starts); their
        variables are resolved with the main container's (:meth:`with_links`)."""
        for i in d.init:
            self.check_name(i.name, "init container")
            self.unique(((e.name, e) for e in i.env), f'environment variable of init container "{written(i.name, "")}" of "{name}"')
        return tuple(
            model.Container(
                i.name.value,
                written(i.image, ""),
                (),
                self.resources(i.resources),
                tuple(c.value for c in i.command),
                tuple(a.value for a in i.args),
                written(i.image_pull_policy),
            )
            for i in d.init
            if i.name is not None
        )

    def env_from(self, d: decl.EnvFromDecl) -> model.EnvFrom:
        """Every key of a Secret or ConfigMap as a variable; its name becomes an object name."""
        assert d.kind is not None and d.source is not None
        self.check_name(d.source, d.kind.value, DNS_1123_SUBDOMAIN, 253)
        return model.EnvFrom(d.kind.value, d.source.value)

    def headless(self, d: decl.WorkloadDecl, service_type: ServiceType, ports: tuple[model.Port, ...]) -> bool:
        """Whether the Service has no cluster IP (node ports checked on the way: only a node-port or load-balancer
        Service has them). A headless Service's DNS name resolves to the pods, which callers reach on the
        container ports: it neither forwards nor maps ports, nor is it a node port or load balancer."""
        for written_port in (*d.ports, *(p for s in d.sidecars for p in s.ports)):
            if written_port.node_port is not None and service_type == "cluster-ip":
                help = "add `service_type node-port` (or `load-balancer`), or remove `node_port`"
                self.report("E0221", written_port.node_port.span, "a node port needs a node-port or load-balancer Service", help)
        pooled = d.database is not None and d.database.pooler is not None
        for node in (d.service_type if service_type != "cluster-ip" else None, d.headless if d.headless is not None and d.headless.value else None):
            if pooled and node is not None:
                help = "remove it: clients of a pooled database reach it through its pooler's ClusterIP Service"
                self.report("E0221", node.span, "the Service of a database with a pooler selects the pooler, and keeps its type", help)
        if d.headless is None or not d.headless.value:
            return False
        if service_type != "cluster-ip":
            self.report("E0221", d.headless.span, f"a headless Service cannot also be a {service_type} Service", "keep `headless on` or the `service_type`")
        for port in ports:
            if port.service_number is not None:
                help = f"write `port {port.name} {port.number}`: callers of a headless Service reach the pods on their own ports"
                self.report("E0221", d.headless.span, f"a headless Service does not map port {port.service_number} to {port.number}", help)
        return True

    def placement(self, d: decl.PlacementDecl | None, replicated_store: bool) -> model.Placement:
        """Where the pods run. A replicated data store (a statefulset, or a workload an operator runs, with more
        than one replica) spreads over nodes unless its ``spread`` statements say otherwise (``spread none``)."""
        default = (model.Spread("nodes", required=False),) if replicated_store else ()
        if d is None:
            return model.Placement(spread=default)
        self.diags.extend(metadata.problems(d.node_selector, "label", "node_selector", {}))
        tolerations = tuple(self.toleration(t) for t in d.tolerations if t.key is not None)
        spread = tuple(model.Spread(s.across.value, Settings(decl.SpreadDecl, s).required) for s in d.spread if s.across and s.across.value != "none")
        off = next((s for s in d.spread if s.across is not None and s.across.value == "none"), None)
        if off is not None and spread:
            self.report("E0221", off.keyword_span, "`spread none` turns spreading off, and another `spread` turns it on", "keep `spread none` or the others")
        written_spread = tuple(s for s in d.spread if s.across is not None)
        self.unique(((L(s.across.value, span=s.keyword_span), s) for s in written_spread if s.across), "spread over")
        balance = tuple(
            model.TopologySpread(t.across.value, Settings(decl.TopologySpreadDecl, t).max_skew, Settings(decl.TopologySpreadDecl, t).required)
            for t in d.topology_spread
            if t.across is not None
        )
        for t in d.topology_spread:
            self.at_least(t.max_skew, 1, "max_skew")
        if d.prefer_zones and d.require_zones:
            help = "keep one: `require_zones` admits no other zone, `prefer_zones` falls back to others"
            self.report("E0221", d.require_zones[0].span, "a workload prefers zones or requires them, not both", help)
        zones = tuple(z.value for z in (d.require_zones or d.prefer_zones))
        for z in (*d.require_zones, *d.prefer_zones):
            problem = metadata.label_value_problem(z.value)
            if problem is not None:
                self.report("E0204", z.span, f'the zone "{z.value}" cannot be a node label value', f"write {problem}")
        return model.Placement(
            node_selector=tuple(pair.value for pair in d.node_selector),
            tolerations=tolerations,
            spread=spread if written_spread else default,
            topology_spread=balance,
            zones=zones,
            zones_required=bool(d.require_zones),
            near=self.affinities(d.near),
            apart=self.affinities(d.apart),
        )

    def affinities(self, written_decls: tuple[decl.AffinityDecl, ...]) -> tuple[model.WorkloadAffinity, ...]:
        """``near`` / ``apart`` statements as written: the other workload is looked up once every workload is known."""
        found = []
        for a in written_decls:
            if a.workload is None:
                continue
            settings = Settings(decl.AffinityDecl, a)
            found.append(model.WorkloadAffinity(a.workload.value, settings.across, settings.required, span=a.workload.span))
        return tuple(found)

    def linked_placement(self, w: model.Workload) -> model.Placement:
        """The placement with each ``near`` / ``apart`` workload found (its namespace set): an unknown name is E0201,
        the workload itself E0221 (its own pods keep apart with ``spread``)."""
        p = w.placement

        def linked(found: tuple[model.WorkloadAffinity, ...], keyword: str) -> tuple[model.WorkloadAffinity, ...]:
            kept = []
            for a in found:
                if a.workload == w.name:
                    own = "keep its own pods apart with `spread nodes` (or `spread zones`)"
                    help = own if keyword == "apart" else f"name another workload, or remove `near {a.workload}`"
                    self.report("E0221", a.span, f'`{keyword} {a.workload}` names the workload itself', help)
                elif a.workload not in self.namespace_of:
                    self.report("E0201", a.span, f'`{keyword}` names "{a.workload}", which is not a workload', did_you_mean(a.workload, self.namespace_of))
                else:
                    kept.append(attrs.evolve(a, namespace=self.namespace_of[a.workload]))
            return tuple(kept)

        if not p.near and not p.apart:
            return p
        return attrs.evolve(p, near=linked(p.near, "near"), apart=linked(p.apart, "apart"))

    def toleration(self, d: decl.TolerationDecl) -> model.Toleration:
        """A taint the pods tolerate; its key and value follow Kubernetes' label rules."""
        assert d.key is not None
        problem = metadata.key_problem(d.key.value)
        if problem is not None:
            help = 'write `toleration "prefix/name" "value"`'
            self.report("E0204", d.key.span, f'the taint key "{d.key.value}" cannot be a Kubernetes taint key: {problem}', help)
        value_problem = metadata.label_value_problem(d.value.value) if d.value is not None else None
        if d.value is not None and value_problem is not None:
            self.report("E0204", d.value.span, f'the taint value "{d.value.value}" cannot be a Kubernetes taint value', f"write {value_problem}")
        return model.Toleration(d.key.value, written(d.value), written(d.effect))

    def storage(self, d: decl.StorageDecl, subst: dict[str, str]) -> model.Storage | None:
        """A persistent volume; ``{service}`` in its path becomes the workload's name."""
        if not (d.name and d.size and d.at):
            return None
        return model.Storage(d.name.value, d.size.value, written(d.storage_class), Settings(decl.StorageDecl, d).access, _fill(d.at.value, subst))

    def check_rollout(self, d: decl.WorkloadDecl, kind: model.WorkloadKind) -> None:
        """Report rollouts a stateful set cannot make, a budget with both options, and a rolling update that cannot progress."""
        rollout = d.rollout
        if kind == "statefulset":
            recreate = rollout if rollout is not None and written(rollout.strategy) == "recreate" else None
            for part, what in ((d.blue_green, "blue_green"), (recreate, "rollout recreate")):
                if part is not None:
                    help = "stateful sets replace pods one by one; use a `service` for this rollout"
                    self.report("E0215", part.keyword_span, f"a statefulset cannot use {what}", help)
        budget = d.disruption_budget
        if budget is not None and budget.max_unavailable is not None and budget.min_available is not None:
            self.report("E0216", budget.keyword_span, "a disruption budget takes max_unavailable or min_available, not both", "keep one of them")
        settings = Settings(decl.RolloutDecl, rollout)
        if rollout is not None and settings.surge == 0 and settings.unavailable == 0:
            self.report(
                "E0216", rollout.keyword_span, "a rolling update with surge 0 and unavailable 0 can never progress", "allow a surge of 1 (or one unavailable)"
            )

    def replicas(self, d: decl.WorkloadDecl, autoscale: model.Autoscale | None, name: str) -> int:
        """The replicas written, else the autoscaling minimum, else the default; written ones lie in the autoscaling range."""
        if autoscale is None:
            replicas: int = Settings(decl.WorkloadDecl, d).replicas
            return replicas
        replicas = written(d.replicas, autoscale.min)
        if d.replicas is not None and not autoscale.min <= replicas <= autoscale.max:
            self.report(
                "E0207",
                d.replicas.span,
                f'"{name}" runs {replicas} replicas, outside its autoscaling range {autoscale.min}..{autoscale.max}',
                "make replicas a value inside the autoscaling range",
            )
        return replicas

    def record_spans(self, d: decl.WorkloadDecl, name: str) -> None:
        """Where the facts later checks judge were written: a workload's addresses (the address checks point
        there), its load-balancing algorithm (the affinity check), its Service type (the exposed-in-the-mesh check) and each
        storage (the shared-claim check)."""
        if d.addresses is not None:
            self.spans[("addresses", name)] = d.addresses.span
        if d.load_balancing is not None:
            self.spans[("load_balancing", name)] = d.load_balancing.span
        if d.service_type is not None:
            self.spans[("service_type", name)] = d.service_type.span
        for st in d.storage:
            if st.name is not None:
                self.spans[(f"storage {st.name.value}", name)] = st.span
        if d.probes is not None and d.probes.none is not None:
            self.spans[("probes none", name)] = d.probes.none.span
        if d.rollout is not None:
            self.spans[("rollout", name)] = d.rollout.keyword_span
        if d.replicas is not None:
            self.spans[("replicas", name)] = d.replicas.span
        others = (*((s.name, s.resources) for s in d.sidecars), *((i.name, i.resources) for i in d.init))
        for container, block in ((written(d.container, name), d.resources), *((written(n, ""), r) for n, r in others)):
            if block is not None and block.none is not None:
                self.spans[(f"resources none {container}", name)] = block.none.span

    @staticmethod
    def rollout(d: decl.RolloutDecl | None, one_node_claim: bool) -> model.Rollout:
        """How new versions replace old ones, defaults where unset. A Deployment whose pods mount a claim that
        attaches to one node (or pod) only is recreated unless the spec writes a strategy: a surge pod would
        mount the old pod's claim (Multi-Attach on another node, two servers writing one directory on the same),
        kubernetes.io/docs/concepts/workloads/controllers/deployment/#recreate-deployment."""
        settings = Settings(decl.RolloutDecl, d)
        strategy: RolloutStrategy = settings.strategy if (d is not None and d.strategy is not None) or not one_node_claim else "recreate"
        return model.Rollout(strategy, settings.surge, settings.unavailable, settings.grace)

    @staticmethod
    def blue_green(d: decl.BlueGreenDecl | None) -> model.BlueGreen | None:
        """Both versions and the active colour, if all three are written (else already reported)."""
        if d is None or d.blue is None or d.green is None or d.blue.version is None or d.green.version is None or d.active is None:
            return None
        return model.BlueGreen(d.blue.version.value, d.green.version.value, d.active.value, written(d.blue.image), written(d.green.image))

    @staticmethod
    def security(d: decl.SecurityContextDecl | None, api: bool = False) -> model.PodSecurity:
        """The pod's user, group (the user's unless written), root file system and token settings: a
        workload that talks to the Kubernetes API (``api``) gets its ServiceAccount token unless it says otherwise."""
        settings = Settings(decl.SecurityContextDecl, d)
        group = written(d.group, settings.user) if d else settings.user
        token = written(d.service_account_token, api) if d else api
        return model.PodSecurity(settings.user, group, settings.read_only_root, token)

    def volume(self, d: decl.VolumeDecl, subst: dict[str, str]) -> model.Volume:
        """A pod volume (not a ``none``); ``{service}`` in names and paths becomes the workload's name."""
        assert d.name is not None and d.kind is not None and d.kind.value != "none" and d.at is not None
        name, kind = d.name.value, d.kind.value
        source = _fill(written(d.source, ""), subst)  # a source left out is reported here
        if kind != "empty-dir" and not source:
            self.report("E0112", d.keyword_span, f'volume "{name}" needs the name of its {kind}', f'write `volume {name} {kind} "name" at "/path"`')
        self.check_name(d.name, "volume")
        files, problems = volume_files(d)
        self.diags.extend(problems)
        return model.Volume(name, kind, source, _fill(d.at.value, subst), written(d.read_only, kind != "empty-dir"), files)

    def probes(self, d: decl.ProbesDecl | None, ports: tuple[model.Port, ...], owner: str) -> model.Probes | None:
        """Liveness, readiness and startup checks with their shared timing."""
        if d is None:
            return None
        for node, least, what in (
            (d.interval, 1000, "the probe interval"),
            (d.timeout, 1000, "the probe timeout"),
            (d.failure_threshold, 1, "failure_threshold"),
            (d.success_threshold, 1, "success_threshold"),
        ):
            self.at_least(node, least, what)
        settings = Settings(decl.ProbesDecl, d)
        checks = [c for c in (d.liveness, d.readiness, d.startup) if c is not None]
        if d.none is not None and checks:
            help = "keep `probes none` or the checks"
            self.report("E0221", d.none.span, f'`probes none` turns every health check of "{owner}" off, and the block states some', help)
        return model.Probes(
            liveness=self.check(d.liveness, ports, owner),
            readiness=self.check(d.readiness, ports, owner),
            startup=self.check(d.startup, ports, owner),
            interval=settings.interval,
            timeout=settings.timeout,
            initial_delay=written(d.initial_delay),
            failure_threshold=settings.failure_threshold,
            success_threshold=settings.success_threshold,
            none=d.none is not None,
        )

    def check(self, d: decl.CheckDecl | None, ports: tuple[model.Port, ...], owner: str) -> model.Check | None:
        """One health check, its port resolved against the pod's ports."""
        if d is None or d.kind is None:
            return None
        kind = d.kind.value
        self.check_arguments(d, kind)
        timing = self.check_timing(d)
        if kind == "exec":
            command = tuple(str(t.value) for t in d.target)
            if not command:
                self.report("E0112", d.keyword_span, "an exec check needs a command", 'write `exec "cmd", "arg"`')
            return model.Check("exec", command=command, timing=timing)
        path = next((str(t.value) for t in d.target if isinstance(t.value, str) and t.value.startswith("/")), None) if kind == "http" else None
        if kind == "http" and path is None:
            self.report("E0112", d.keyword_span, "an http check needs a path", 'write `http "/health"`')
        port = self.check_port(d, kind, ports, owner)
        return model.Check(kind, port=port, path=path, timing=timing, headers=self.check_headers(d, kind), service=self.check_service(d, kind))

    def check_service(self, d: decl.CheckDecl, kind: CheckKind) -> str | None:
        """A gRPC check's ``service`` (the name its health request asks about); no other check takes one."""
        if d.service is not None and kind != "grpc":
            self.report("E0221", d.service.span, f"only a grpc check names a service; this check is {kind}", "remove `service ...`, or write `grpc`")
        return written(d.service)

    def check_headers(self, d: decl.CheckDecl, kind: CheckKind) -> tuple[tuple[str, str], ...]:
        """An HTTP check's headers, each a name Kubernetes takes (letters, digits and ``-``: IsHTTPHeaderName of
        k8s.io/apimachinery/pkg/util/validation); no other check sends any."""
        if d.headers and kind != "http":
            self.report("E0221", d.headers[0].keyword_span, f"only an http check sends headers; this check is {kind}", "remove the `header` lines")
        found = []
        for h in d.headers:
            if h.name is None or h.value is None:
                continue
            if not HEADER_NAME.match(h.name.value):
                self.report("E0204", h.name.span, f'"{h.name.value}" cannot be an HTTP header name', "write letters, digits and '-' (X-Probe)")
            found.append((h.name.value, h.value.value))
        self.unique(((h.name, h) for h in d.headers), "header of the check")
        return tuple(found)

    def check_timing(self, d: decl.CheckDecl) -> model.CheckTiming:
        """The timing a check states itself (upstream apps give each probe its own: a startup check's long
        allowance, a liveness check's later start), held to the minima of the shared timing."""
        minima = ((d.interval, 1000, "the probe interval"), (d.timeout, 1000, "the probe timeout"), (d.failure_threshold, 1, "failure_threshold"))
        for node, least, what in minima:
            self.at_least(node, least, what)
        return model.CheckTiming(written(d.interval), written(d.timeout), written(d.initial_delay), written(d.failure_threshold))

    def check_arguments(self, d: decl.CheckDecl, kind: CheckKind) -> None:
        """Report arguments a check does not take: a second path or port, a port of an exec check."""
        allowed = {"exec": len(d.target), "http": 1, "tcp": 0 if d.on else 1, "grpc": 0 if d.on else 1}[kind]
        if len(d.target) > allowed:
            extra = d.target[allowed]
            self.report(
                "E0113",
                extra.span,
                f"the {kind} check takes one {'path' if kind == 'http' else 'port'}; this is one more",
                "remove it, or write the port with `on`",
            )
        if kind == "exec" and d.on is not None:
            self.report("E0113", d.on.span, "an exec check runs a command: it has no port", "remove `on ...`")

    def check_port(self, d: decl.CheckDecl, kind: CheckKind, ports: tuple[model.Port, ...], owner: str) -> model.Port | None:
        """The port an http, tcp or grpc check goes to: the one named (by ``on``, or a tcp or grpc check's target), else the pod's first."""
        ref: L[Any] | None = d.on
        if kind in ("tcp", "grpc") and ref is None:
            ref = next((t for t in d.target), None)
        if ref is None:
            if not ports:
                self.report("E0213", d.keyword_span, f'the {kind} check of "{owner}" needs a port, and "{owner}" has none', "add a `port NAME NUMBER`")
            return ports[0] if ports else None
        key = ref.value.number if hasattr(ref.value, "number") else ref.value
        port = next((p for p in ports if p.known_as(key)), None)
        if port is None:
            self.report(
                "E0213",
                ref.span,
                f'the {kind} check of "{owner}" uses port "{key}", which its containers do not expose',
                did_you_mean(str(key), [p.name for p in ports]) or "add the port to the workload",
            )
        return port

    def autoscale(self, d: decl.AutoscaleDecl | None) -> model.Autoscale | None:
        """Horizontal autoscaling bounds, targets and custom metrics."""
        if d is None or d.replicas is None:
            return None
        rng = d.replicas.value
        if rng.low > rng.high:
            self.report(
                "E0206", d.replicas.span, f"the autoscaling range {rng.low}..{rng.high} has its minimum above its maximum", f"write {rng.high}..{rng.low}"
            )
        # KEDA wakes a queue consumer from zero, CPU and memory triggers beside the queue included (keda.sh/docs/2.18
        # scalers/cpu: "scale to 0 only when ... at least one additional scaler which is not CPU or Memory"); an HPA needs a pod
        from_zero = bool(d.queue) and not (d.pods or d.object or d.external)
        if rng.low < 1 and not from_zero:
            help = "start the range at 1 or more, or scale on a queue (KEDA scales a consumer from zero)"
            self.report("E0206", d.replicas.span, "autoscaling needs at least 1 replica", help)
        self.at_least(d.cpu, 1, "a CPU target")
        self.at_least(d.memory, 1, "a memory target")
        groups: tuple[tuple[MetricSource, tuple[decl.MetricDecl, ...]], ...] = (("pods", d.pods), ("object", d.object), ("external", d.external))
        for _, group in groups:
            for m in group:
                self.check_labels(m.select)
        metrics = tuple(
            model.Metric(source, m.name.value, m.target.value, written(m.object), tuple(label.value for label in m.select), span=m.span)
            for source, group in groups
            for m in group
            if m.name and m.target
        )
        queues = tuple(model.QueueDepth(q.name.value, q.target.value, q.on.value, span=q.span) for q in d.queue if q.name and q.target and q.on)
        for q in d.queue:
            self.at_least(q.target, 1, "a queue depth")
        return model.Autoscale(rng.low, rng.high, written(d.cpu), written(d.memory), metrics, queues)

    def session_affinity(self, d: decl.SessionAffinityDecl | None, balancing: L[LbAlgorithm] | None, meshed: bool) -> model.SessionAffinity | None:
        """The cookie or header that pins a client to one pod. The callers' sidecars hash on it, so it needs the
        mesh; it replaces the load-balancing algorithm, so the two together are an error."""
        if d is None or d.key is None or d.name is None:
            return None
        if not meshed:
            self.report(
                "E0221",
                d.keyword_span,
                "session_affinity needs the mesh: the callers' sidecars hash on the cookie or header",
                "turn `mesh on` in the workload's namespace, or remove session_affinity",
            )
        if balancing is not None:
            self.report(
                "E0221",
                balancing.span,
                f"load_balancing {balancing.value} and session_affinity both choose the pod a call goes to",
                "keep session_affinity: it hashes every call of one client to the same pod",
            )
        if d.key.value == "header" and d.ttl is not None:
            self.report("E0221", d.ttl.span, "a header affinity has no ttl: only a cookie is generated with a lifetime", "remove the ttl")
        return model.SessionAffinity(d.key.value, d.name.value, written(d.ttl, Duration(0, "0s")))

    def resilience(self, d: decl.ResilienceDecl | None) -> model.Resilience | None:
        """Timeout, retries and circuit breaking for calls to the workload."""
        if d is None:
            return None
        r, cb = d.retries, d.circuit_breaker
        return model.Resilience(
            timeout=written(d.timeout),
            retries=retries(r),
            circuit_breaker=model.CircuitBreaker(
                Settings(decl.CircuitBreakerDecl, cb).consecutive_errors,
                written(cb.interval),
                written(cb.ejection),
                written(cb.max_ejected),
                written(cb.max_connections),
                written(cb.max_pending),
            )
            if cb
            else None,
        )

    def database(self, d: decl.DatabaseDecl | None) -> model.Database | None:
        """Pooler, primary, read replicas and weights (one weight per replica, 100% in all)."""
        if d is None:
            return None
        replicas = d.read_replicas
        count = written(replicas.count, 0) if replicas else 0  # a count left out is reported
        if replicas is not None and replicas.count is not None and count > MAX_READ_REPLICAS:
            help = f"write at most {MAX_READ_REPLICAS}: each read replica gets its own Service"
            self.report("E0216", replicas.count.span, f"{count} read replicas are more than {MAX_READ_REPLICAS}", help)
            count = 0  # not a count the model can hold: one name per replica
        if d.primary is not None and d.primary.value == 0:
            self.report("E0216", d.primary.span, "a database needs its primary: with none, nothing takes writes", "write `primary 1`")
        weights = tuple(w.value for w in replicas.weights) if replicas else ()
        for weight in replicas.weights if replicas else ():
            if weight.value == 0:
                help = "give each read replica a share above 0%, or declare one replica fewer"
                self.report("E0214", weight.span, "a read weight of 0% would still send the replica reads", help)
        if replicas and weights and len(weights) != count:
            self.report("E0214", replicas.span, f"{count} read replicas but {len(weights)} read weights", "give one weight per read replica")
        elif weights and sum(weights) != 100:
            assert replicas is not None
            self.report("E0214", replicas.span, f"read weights add up to {sum(weights)}%, not 100%", "make the weights add up to 100%")
        settings = Settings(decl.DatabaseDecl, d)
        return model.Database(
            pooler=written(d.pooler.name) if d.pooler else None,
            pool_mode=Settings(decl.PoolerDecl, d.pooler).mode if d.pooler else None,
            primary=settings.primary,
            read_replicas=count,
            read_weights=weights,
            replication=settings.replication,
        )

    def pooler(self, d: decl.WorkloadDecl, db: model.Workload) -> model.Workload:
        """The connection pooler of a database as a workload of its own, calling the database."""
        assert d.database is not None and d.database.pooler is not None
        p = d.database.pooler
        assert p.name is not None
        name = p.name.value
        pooler = Settings(decl.PoolerDecl, p)
        monitoring = Settings(decl.MonitoringDecl, self.spec.monitoring).port
        port = next((q for q in db.container.ports if q.name != monitoring), None)
        if port is None:
            help = "add the database's port, e.g. `port sql 5432`"
            self.report("E0112", p.keyword_span, f'the pooler of "{db.name}" needs a port of the database to pool', help)
            port = model.Port("sql", 5432)
        defaults = as_type(decl.WorkloadDecl, merge(self.spec.defaults, self.namespaces[db.namespace].defaults if db.namespace in self.namespaces else None))
        if p.image is None and db.engine is None:
            self.report("E0115", p.keyword_span, f'the pooler "{name}" needs "image"', 'add `image "registry/name:tag"`, or run the database on an `engine`')
        ports: tuple[model.Port, ...] = (port,)
        volumes: tuple[model.Volume, ...] = (
            model.Volume("config", "config-map", names.pooler_config(name), "/etc/pgbouncer", True),
            model.Volume("secrets", "secret", names.pooler_secrets(name), "/etc/pgbouncer/secrets", True),  # userlist.txt
            model.Volume("tmp", "empty-dir", "", "/tmp", False),
        )
        if db.engine is not None:  # the operator's pooler: its image unless one is written, its own configuration
            engine = facts(db.engine)
            ports = tuple(attrs.evolve(q, name=port.name if q.number == port.number else self.monitoring_port()) for q in engine.pooler_ports)
            volumes = ()
        container = model.Container(name, written(p.image, ""), ports, self.resources(defaults.resources if defaults else None))
        probes = db.probes
        timing = Settings(decl.ProbesDecl, None)
        tcp = model.Check("tcp", port=port)
        checks = (
            None
            if db.engine is not None
            else (
                model.Probes(tcp, tcp, None, probes.interval, probes.timeout, None, probes.failure_threshold, probes.success_threshold)
                if probes
                else model.Probes(tcp, tcp, None, timing.interval, timing.timeout, None, timing.failure_threshold, timing.success_threshold)
            )
        )
        return model.Workload(
            name=name,
            namespace=db.namespace,
            kind="deployment",
            description=f"{pooler.mode}-pooling connection pooler in front of {db.name}",
            replicas=pooler.replicas,
            container=container,
            sidecars=(),
            probes=checks,
            volumes=volumes,
            storage=(),
            rollout=db.rollout if db.kind == "deployment" else attrs.evolve(self.rollout(None, one_node_claim=False), grace=db.rollout.grace),
            blue_green=None,
            budget=db.budget,
            security=db.security,
            subnet=db.subnet,
            addresses=None,
            calls=(model.Call(db.name, port, span=p.span),),
            routes=(),
            autoscale=None,
            load_balancing=None,
            session_affinity=None,
            resilience=None,
            database=None,
            encryption_at_rest=False,
            backups=(),
            meshed=db.meshed,
            scraped=False,
            pooler_of=db.name,
            engine=db.engine,
            span=p.span,
        )

    def backup(self, d: decl.BackupDecl) -> model.Backup:
        """One backup of the workload; it needs a schedule or ``continuous``."""
        if d.every is None and d.continuous is None:
            self.report("E0112", d.keyword_span, f"the {written(d.kind)} backup needs a schedule", "write `every 6h` (optionally `at 02:00`) or `continuous`")
        self.at_least(d.every, 60_000, "a backup interval (schedules run by the minute)")
        self.at_least(d.retention, DAY_MS, "a backup retention (kept in whole days)")
        assert d.kind is not None and d.to is not None
        continuous = Settings(decl.BackupDecl, d).continuous
        return model.Backup(d.kind.value, written(d.every), written(d.at), continuous, d.to.value, written(d.image), written(d.retention), span=d.span)

    def mark_scraped(self, workloads: list[model.Workload], decls: dict[str, decl.WorkloadDecl]) -> list[model.Workload]:
        """Mark the workloads monitoring scrapes (a port of the monitored name, not the scraper)."""
        mon = self.spec.monitoring
        if mon is None:
            return workloads
        settings = Settings(decl.MonitoringDecl, mon)
        port = settings.port
        scrape_all = settings.scrape == "all"
        result = []
        for w in workloads:
            d = decls.get(w.name)
            wanted = written(d.scrape, scrape_all) if d else scrape_all
            result.append(attrs.evolve(w, scraped=bool(wanted and w.port(port) and w.name != written(mon.scraper))))
        return result

    def with_links(self, w: model.Workload, d: decl.WorkloadDecl | None) -> model.Workload:
        """The workload with its calls and routes resolved, now that every port is known."""
        if d is None:
            return w
        calls = []
        for ref in d.calls:
            if isinstance(ref.value, PortRef):
                port = self.port_of(L(ref.value, span=ref.span), "call target")
                if port is not None:
                    calls.append(model.Call(ref.value.target, port, span=ref.span))
                continue
            target = str(ref.value)
            if target not in self.ports:
                self.report("E0201", ref.span, f'call target "{target}" is not a workload or external service', did_you_mean(target, self.targets))
                continue
            if not self.ports[target] and target in self.namespace_of:
                help = f'add a `port NAME NUMBER` to "{target}", or remove the call'
                self.report("E0202", ref.span, f'"{target}" has no port, so it has no Service to call', help)
                continue
            calls.extend(model.Call(target, p, span=ref.span) for p in self.ports[target])
        env = self.env_vars(d.env, calls)
        version_decls = {vd.name.value: vd for vd in d.versions if vd.name is not None}  # the last of a name, as versions() keeps
        versions = tuple(attrs.evolve(v, env=self.env_vars(version_decls[v.name].env, calls)) for v in w.versions)
        named_inits = (i for i in d.init if i.name is not None)
        inits = tuple(attrs.evolve(c, env=self.env_vars(i.env, calls)) for c, i in zip(w.init_containers, named_inits, strict=True))
        routes = [model.Route(r.path.value, *to, span=r.span) for r in d.routes if r.path is not None and (to := self.workload_port(r.target, "route target"))]
        self.subnet_ref(d.subnet)
        for b in d.backups:
            self.target_ref(b.to)
        # One backup per kind: backup objects (and recovery facts) are named by workload and kind.
        hint = "keep one backup of each kind; for a second copy elsewhere, `replicate` its target in `recovery`"
        self.unique(((b.kind, b) for b in d.backups), "backup", hint)
        container = attrs.evolve(w.container, env=env)
        placement = self.linked_placement(w)
        return attrs.evolve(w, container=container, init_containers=inits, versions=versions, calls=tuple(calls), routes=tuple(routes), placement=placement)

    def env_vars(self, decls: tuple[decl.EnvDecl, ...], calls: list[model.Call]) -> tuple[model.EnvVar, ...]:
        """A container's variables; an ``address`` also declares the call to the port it names (into ``calls``),
        so the value and the policies that admit it are made of one statement."""
        found = []
        for e in decls:
            var = self.env_var(e)
            if var is None:
                continue
            if var.address is not None and e.address is not None:
                calls.append(model.Call(var.address[0], var.address[1], span=e.address.span))
            found.append(var)
        return tuple(found)

    def env_var(self, e: decl.EnvDecl) -> model.EnvVar | None:
        """One variable: exactly one of a string, a Secret's or ConfigMap's ``key``, or an ``address``."""
        if e.name is None:
            return None
        name = e.name.value
        sources = ((e.value, "a string"), (e.secret, "a Secret"), (e.config_map, "a ConfigMap"), (e.address, "an address"))
        given = [(n, kw) for n, kw in sources if n is not None]
        if not given:
            if not any(e.wrote(k) for k in ("value", "secret", "config-map", "address")):
                help = f'write `env {name} "value"`, `env {name} secret "NAME" key "KEY"`, `config-map "NAME" key "KEY"` or `address WORKLOAD:PORT`'
                self.report("E0112", e.keyword_span, f'env "{name}" needs a value', help)
            return None
        if len(given) > 1:
            help = "keep one: a string, a Secret's or ConfigMap's key, or a Service address"
            self.report("E0221", given[1][0].span, f'env "{name}" takes one value, and has two: {given[0][1]} and {given[1][1]}', help)
        source = e.secret or e.config_map
        if source is not None and e.key is None and not e.wrote("key"):
            what = given[0][1].removeprefix("a ")
            self.report("E0115", source.span, f'env "{name}" needs the key of its {what}', f'add `key "KEY"`: the key whose value "{name}" takes')
        if e.key is not None and source is None:
            self.report("E0221", e.key.span, f'the key of env "{name}" names no Secret or ConfigMap', f'write `env {name} secret "NAME" key "{e.key.value}"`')
        if e.key is not None and (len(e.key.value) > 253 or not CONFIG_KEY.match(e.key.value)):
            help = "write at most 253 letters, digits, '-', '_' or '.'"
            self.report("E0204", e.key.span, f'the key "{e.key.value}" cannot be a key of a Secret or ConfigMap', help)
        if source is not None:
            self.check_name(source, "Secret" if source is e.secret else "ConfigMap", DNS_1123_SUBDOMAIN, 253)
            kind: EnvSource = "secret" if source is e.secret else "config-map"
            return model.EnvVar(name, source_kind=kind, source=source.value, key=written(e.key))
        if e.address is not None:
            address = self.address(e.address)
            return model.EnvVar(name, address=address) if address is not None else None
        return model.EnvVar(name, value=written(e.value))

    def address(self, ref: L[PortRef]) -> tuple[str, model.Port] | None:
        """The workload and port an ``address`` names: a workload's port, which has a Service."""
        target = ref.value.target
        if target in self.externals:
            help = f'write its host as a string and call it: `env NAME "host:port"` and `calls {target}:{ref.value.port}`'
            self.report("E0201", ref.span, f'address target "{target}" is an external service, which has no Service address', help)
            return None
        port = self.port_of(ref, "address target")
        return (target, port) if port is not None else None


def _fill(text: str, subst: dict[str, str]) -> str:
    for key, value in subst.items():
        text = text.replace(key, value)
    return text
