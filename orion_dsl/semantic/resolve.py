"""Declarations -> model: apply defaults once, resolve every name, type every value.

Unknown names get a did-you-mean; duplicates point at the first definition. Problems are
collected, never raised; what cannot be resolved is left out so later checks still run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import attrs

from orion_dsl import ast, model
from orion_dsl.decode import L
from orion_dsl.diagnostics import Diagnostic, Related, did_you_mean, error
from orion_dsl.semantic.merge import as_type, merge
from orion_dsl.source import Span
from orion_dsl.values import Duration, PortRef, Quantity, Range

DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

_DEFAULT_INTERVAL = Duration(10_000, "10s")
_DEFAULT_TIMEOUT = Duration(1_000, "1s")
_DEFAULT_GRACE = Duration(30_000, "30s")
_DEFAULT_CPU = Range(Quantity(100, "100m"), Quantity(500, "500m"))
_DEFAULT_MEMORY = Range(Quantity(128 * 2**20, "128Mi"), Quantity(512 * 2**20, "512Mi"))


def _v(x: L[Any] | None, default: Any = None) -> Any:
    return default if x is None else x.value


class Resolver:
    """Builds the :class:`~orion_dsl.model.Topology` from a :class:`~orion_dsl.ast.SpecDecl`."""

    def __init__(self, spec: ast.SpecDecl) -> None:
        self.spec = spec
        self.diags: list[Diagnostic] = []
        self.namespace_of: dict[str, str] = {}
        self.externals: dict[str, ast.ExternalDecl] = {}
        self.namespaces: dict[str, ast.NamespaceDecl] = {}
        self.subnets: dict[str, ast.SubnetDecl] = {}
        self.ports: dict[str, tuple[model.Port, ...]] = {}
        #: Where facts were written, for checks that run on the model: (fact, owner) -> span.
        self.spans: dict[tuple[str, str], Span] = {}

    # ------------------------------------------------------------ reporting helpers
    def report(self, code: str, span: Span | None, summary: str, help: str = "", related: tuple[Related, ...] = ()) -> None:
        self.diags.append(error(code, span, summary, help, related))

    def check_name(self, name: L[str] | None, what: str, pattern: re.Pattern[str] = DNS_1123_LABEL, limit: int = 63) -> None:
        if name is None:
            return
        if len(name.value) > limit or not pattern.match(name.value):
            suggestion = re.sub(r"[^a-z0-9-]+", "-", name.value.lower()).strip("-")[:limit] or "a-name"
            self.report(
                "E0204",
                name.span,
                f'{what} name "{name.value}" cannot become a Kubernetes name',
                f"use at most {limit} lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. \"{suggestion}\"",
            )

    def unique(self, items: Iterable[tuple[L[str] | None, Any]], what: str) -> dict[str, Any]:
        seen: dict[str, tuple[Span, Any]] = {}
        for name, item in items:
            if name is None:
                continue
            if name.value in seen:
                self.report(
                    "E0203",
                    name.span,
                    f'{what} "{name.value}" is defined twice',
                    "rename one of them",
                    (Related(seen[name.value][0], "first defined here"),),
                )
                continue
            seen[name.value] = (name.span, item)
        return {k: v for k, (_, v) in seen.items()}

    def unique_names(self, spec: ast.SpecDecl) -> None:
        """Names that become object names or headings must be unique in their kind."""
        if spec.recovery is not None:
            self.unique(((o.name, o) for o in spec.recovery.objectives), "objective")
        if spec.monitoring is not None:
            self.unique(((a.name, a) for a in spec.monitoring.alerts), "alert")
        if spec.certificates is not None:
            self.unique(((i.name, i) for i in spec.certificates.issuers), "issuer")
        if spec.security is not None:
            self.unique(((layer.name, layer) for layer in spec.security.layers), "security layer")
        if spec.edge is not None:
            e = spec.edge
            self.unique(((x.name, x) for x in (*e.cdn, *e.load_balancers, *e.geodns, *e.regions)), "edge piece")
        if spec.ingress is not None:
            self.unique(((h.host, h) for h in spec.ingress.hosts), "ingress host")
        for ns in spec.namespaces:
            self.unique(((s.name, s) for s in (*ns.shared_configs, *ns.shared_secrets)), f'shared config or secret of "{_v(ns.name)}"')

    def subnet_ref(self, ref: L[str] | None) -> None:
        """Report a subnet name that no subnet has."""
        if ref is not None and ref.value not in self.subnets:
            self.unknown(ref, "subnet", self.subnets)

    def unknown(self, ref: L[str], what: str, candidates: Iterable[str]) -> None:
        self.report("E0201", ref.span, f'unknown {what} "{ref.value}"', did_you_mean(ref.value, candidates))

    # ------------------------------------------------------------ entry point
    def resolve(self) -> model.Topology:
        spec = self.spec
        top = spec.topology
        self.namespaces = self.unique(((n.name, n) for n in spec.namespaces), "namespace")
        for ns in spec.namespaces:
            self.check_name(ns.name, "namespace")
        decls = [
            (w.name, (w, _v(ns.name, ""), kind))
            for ns in spec.namespaces
            for kind, group in (("deployment", ns.services), ("statefulset", ns.statefulsets))
            for w in group
        ]
        poolers = [
            (w.database.pooler.name, (w, _v(ns.name, ""), "pooler"))
            for ns in spec.namespaces
            for w in (*ns.services, *ns.statefulsets)
            if w.database is not None and w.database.pooler is not None
        ]
        named = self.unique([*decls, *poolers, *((e.name, (e, "", "external")) for e in spec.externals)], "workload or external")
        for name, (decl, _, kind) in named.items():
            self.check_name(decl.name if kind != "pooler" else decl.database.pooler.name, kind if kind != "deployment" else "service")
            if kind == "external":
                self.externals[name] = decl
        network = spec.network
        self.subnets = self.unique(((s.name, s) for s in (network.subnets if network else ())), "subnet")
        self.unique_names(spec)
        externals = tuple(self.external(e) for e in self.externals.values())
        ext_ports = {e.name: e.ports for e in externals}
        workloads: list[model.Workload] = []
        pending: list[tuple[ast.WorkloadDecl, model.Workload]] = []
        for name, (decl, ns_name, kind) in named.items():
            if kind in ("deployment", "statefulset"):
                ns_decl = self.namespaces.get(ns_name)
                merged = self.merged(decl, ns_decl)
                w = self.workload(merged, ns_name, kind, ns_decl)
                self.ports[name] = w.ports
                pending.append((merged, w))
                workloads.append(w)
        self.namespace_of = {w.name: w.namespace for w in workloads}
        for merged, w in list(pending):
            if merged.database is not None and merged.database.pooler is not None:
                pooler = self.pooler(merged, w)
                self.ports[pooler.name] = pooler.ports
                self.namespace_of[pooler.name] = pooler.namespace
                workloads.append(pooler)
        self.ports.update(ext_ports)
        decl_of = {id(w): m for m, w in pending}
        workloads = [self.with_links(w, decl_of.get(id(w))) for w in workloads]
        workloads = self.mark_scraped(workloads, {x.name: m for m, x in pending})
        names = {w.name for w in workloads}
        return model.Topology(
            name=_v(top.name, "orion") if top else "orion",
            version=_v(top.version, "0.0.0") if top else "0.0.0",
            description=_v(top.description, "") if top else "",
            kubernetes=_v(top.kubernetes, "1.28") if top else "1.28",
            istio=_v(top.istio, "1.20") if top else "1.20",
            domain=_v(top.domain, "") if top else "",
            namespaces=tuple(self.namespace(n, names) for n in self.namespaces.values()),
            workloads=tuple(workloads),
            subnets=tuple(model.Subnet(_v(s.name), s.cidr.value, _v(s.description, ""), span=s.span) for s in self.subnets.values() if s.cidr),
            externals=externals,
            network=self.network(names),
            edge=self.edge(),
            ingress=self.ingress(names),
            issuers=self.issuers(),
            mesh=self.mesh(names),
            scaling=self.scaling(),
            monitoring=self.monitoring(names),
            security_layers=tuple(
                model.SecurityLayer(_v(layer.name, ""), tuple(m.value for m in layer.measures)) for layer in (spec.security.layers if spec.security else ())
            ),
            recovery=self.recovery(names),
        )

    # ------------------------------------------------------------ workloads
    def mark_scraped(self, workloads: list[model.Workload], decls: dict[str, ast.WorkloadDecl]) -> list[model.Workload]:
        mon = self.spec.monitoring
        if mon is None:
            return workloads
        port = _v(mon.port, "metrics")
        scrape_all = _v(mon.scrape, "all") == "all"
        result = []
        for w in workloads:
            d = decls.get(w.name)
            wanted = _v(d.scrape, scrape_all) if d else scrape_all
            result.append(attrs.evolve(w, scraped=bool(wanted and w.port(port) and w.name != _v(mon.scraper))))
        return result

    def merged(self, decl: ast.WorkloadDecl, ns: ast.NamespaceDecl | None) -> ast.WorkloadDecl:
        defaults = merge(self.spec.defaults, ns.defaults if ns else None)
        base = as_type(ast.WorkloadDecl, defaults)
        result = merge(base, decl)
        assert result is not None
        if base is not None and result.sidecars:
            sidecar_ports = {_v(p.name) for s in result.sidecars for p in s.ports}
            own = {_v(p.name) for p in decl.ports}
            ports = tuple(p for p in result.ports if _v(p.name) in own or _v(p.name) not in sidecar_ports)
            result = attrs.evolve(result, ports=ports)
        return result

    def resources(self, decl: ast.ResourcesDecl | None) -> model.Resources:
        cpu = _v(decl.cpu, _DEFAULT_CPU) if decl else _DEFAULT_CPU
        memory = _v(decl.memory, _DEFAULT_MEMORY) if decl else _DEFAULT_MEMORY
        for what, rng, field in (("CPU", cpu, decl.cpu if decl else None), ("memory", memory, decl.memory if decl else None)):
            if rng.low.amount > rng.high.amount and field is not None:
                self.report(
                    "E0205",
                    field.span,
                    f"{what} request {rng.low.text} is more than its limit {rng.high.text}",
                    f"write request..limit with the request first, e.g. {rng.high.text}..{rng.low.text}",
                )
        return model.Resources(cpu.low, cpu.high, memory.low, memory.high)

    def port_list(self, decls: Iterable[ast.PortDecl], owner: str) -> tuple[model.Port, ...]:
        ports: list[model.Port] = []
        seen: dict[Any, Span] = {}
        for p in decls:
            if p.name is None or p.number is None:
                continue
            self.check_name(p.name, "port", PORT_NAME, 15)
            for key in (p.name.value, (p.number.value.number, p.number.value.protocol)):
                if key in seen:
                    shown = p.name.value if isinstance(key, str) else f"{key[0]}/{key[1].lower()}"
                    self.report(
                        "E0212",
                        p.span,
                        f'port {shown} of "{owner}" is declared twice',
                        "give every port its own name and number",
                        (Related(seen[key], "first declared here"),),
                    )
                seen.setdefault(key, p.span)
            ports.append(model.Port(p.name.value, p.number.value.number, p.number.value.protocol))
        return tuple(ports)

    def workload(self, d: ast.WorkloadDecl, namespace: str, kind: str, ns: ast.NamespaceDecl | None) -> model.Workload:
        name = _v(d.name, "")
        if d.image is None:
            self.report("E0115", d.keyword_span, f'"{name}" needs "image"', 'add `image "registry/name:tag"`')
        ports = self.port_list(d.ports, name)
        for named_part, what in [*((s.name, "sidecar") for s in d.sidecars), *((s.name, "storage") for s in d.storage)]:
            self.check_name(named_part, what)
        self.unique([*((v.name, v) for v in d.volumes), *((s.name, s) for s in d.storage)], f'volume of "{name}"')
        self.unique([(d.name, d), *((s.name, s) for s in d.sidecars)], f'container of "{name}"')
        self.unique(((e.name, e) for e in d.env), f'environment variable of "{name}"')
        self.unique(((r.path, r) for r in d.routes), f'route of "{name}"')
        sidecars = tuple(
            model.Container(
                _v(s.name, "sidecar"),
                _v(s.image, ""),
                self.port_list(s.ports, f"{name}/{_v(s.name)}"),
                self.resources(s.resources),
                tuple(c.value for c in s.command),
            )
            for s in d.sidecars
        )
        container = model.Container(name, _v(d.image, ""), ports, self.resources(d.resources))
        all_ports = ports + tuple(p for s in sidecars for p in s.ports)
        subst = {"{service}": name}
        volumes = tuple(self.volume(vd, subst) for vd in d.volumes if vd.name and vd.kind and vd.at)
        storage = tuple(
            model.Storage(_v(s.name), s.size.value, _v(s.storage_class), _v(s.access, "read-write-once"), _fill(_v(s.at), subst))
            for s in d.storage
            if s.name and s.size and s.at
        )
        rollout = d.rollout
        blue_green = d.blue_green
        budget = d.disruption_budget
        security = d.security
        autoscale = self.autoscale(d.autoscale)
        replicas = _v(d.replicas, autoscale.min if autoscale else 1)
        if autoscale and d.replicas is not None and not autoscale.min <= replicas <= autoscale.max:
            self.report(
                "E0207",
                d.replicas.span,
                f'"{name}" runs {replicas} replicas, outside its autoscaling range {autoscale.min}..{autoscale.max}',
                "make replicas a value inside the autoscaling range",
            )
        subnet = d.subnet or (ns.subnet if ns else None)
        for fact, node in (("addresses", d.addresses), ("replicas", d.replicas), ("subnet", subnet), ("name", d.name)):
            if node is not None:
                self.spans[(fact, name)] = node.span
        if d.autoscale is not None and d.autoscale.replicas is not None:
            self.spans[("autoscale", name)] = d.autoscale.replicas.span
        for b in d.backups:
            self.spans[(f"backup:{_v(b.kind)}", name)] = b.span
        return model.Workload(
            name=name,
            namespace=namespace,
            kind=kind,
            description=_v(d.description, ""),
            replicas=replicas,
            container=container,
            sidecars=sidecars,
            env=tuple((_v(e.name), _v(e.value)) for e in d.env if e.name and e.value),
            probes=self.probes(d.probes, all_ports, name),
            volumes=volumes,
            storage=storage,
            rollout=model.Rollout(
                _v(rollout.strategy, "rolling") if rollout else "rolling",
                _v(rollout.surge, 1) if rollout else 1,
                _v(rollout.unavailable, 0) if rollout else 0,
                _v(rollout.grace, _DEFAULT_GRACE) if rollout else _DEFAULT_GRACE,
            ),
            blue_green=model.BlueGreen(_v(blue_green.blue), _v(blue_green.green), _v(blue_green.active))
            if blue_green and blue_green.blue and blue_green.green and blue_green.active
            else None,
            budget=model.Budget(_v(budget.max_unavailable), _v(budget.min_available)) if budget else None,
            security=model.PodSecurity(
                _v(security.user, 10001) if security else 10001,
                _v(security.group, _v(security.user, 10001)) if security else 10001,
                _v(security.read_only_root, True) if security else True,
                _v(security.service_account_token, False) if security else False,
            ),
            subnet=_v(subnet),
            addresses=(d.addresses.value.low, d.addresses.value.high) if d.addresses else None,
            calls=(),
            routes=(),
            autoscale=autoscale,
            load_balancing=_v(d.load_balancing),
            resilience=self.resilience(d.resilience),
            database=self.database(d.database),
            encryption_at_rest=_v(d.encryption_at_rest, False),
            backups=tuple(self.backup(b) for b in d.backups if b.kind and b.to),
            meshed=_v(ns.mesh, False) if ns else False,
            scraped=False,
            span=d.span,
        )

    def volume(self, d: ast.VolumeDecl, subst: dict[str, str]) -> model.Volume:
        kind = _v(d.kind)
        source = _fill(_v(d.source, ""), subst)
        if kind != "empty-dir" and not source:
            self.report("E0112", d.keyword_span, f'volume "{_v(d.name)}" needs the name of its {kind}', f'write `volume {_v(d.name)} {kind} "name" at "/path"`')
        self.check_name(d.name, "volume")
        return model.Volume(_v(d.name), kind, source, _fill(_v(d.at), subst), _v(d.read_only, kind != "empty-dir"))

    def probes(self, d: ast.ProbesDecl | None, ports: tuple[model.Port, ...], owner: str) -> model.Probes | None:
        if d is None:
            return None
        return model.Probes(
            liveness=self.check(d.liveness, ports, owner),
            readiness=self.check(d.readiness, ports, owner),
            startup=self.check(d.startup, ports, owner),
            interval=_v(d.interval, _DEFAULT_INTERVAL),
            timeout=_v(d.timeout, _DEFAULT_TIMEOUT),
            initial_delay=_v(d.initial_delay),
            failure_threshold=_v(d.failure_threshold, 3),
            success_threshold=_v(d.success_threshold, 1),
        )

    def check(self, d: ast.CheckDecl | None, ports: tuple[model.Port, ...], owner: str) -> model.Check | None:
        if d is None or d.kind is None:
            return None
        kind = d.kind.value
        if kind == "exec":
            command = tuple(str(t.value) for t in d.target)
            if not command:
                self.report("E0112", d.keyword_span, "an exec check needs a command", 'write `exec "cmd", "arg"`')
            return model.Check("exec", command=command)
        path = next((str(t.value) for t in d.target if isinstance(t.value, str) and t.value.startswith("/")), None) if kind == "http" else None
        if kind == "http" and path is None:
            self.report("E0112", d.keyword_span, "an http check needs a path", 'write `http "/health"`')
        ref: L[Any] | None = d.on
        if kind == "tcp" and ref is None:
            ref = next((t for t in d.target), None)
        port = ports[0] if ports else None
        if ref is not None:
            key = ref.value.number if hasattr(ref.value, "number") else ref.value
            port = next((p for p in ports if key in (p.name, p.number)), None)
            if port is None:
                self.report(
                    "E0213",
                    ref.span,
                    f'the {kind} check of "{owner}" uses port "{key}", which its containers do not expose',
                    did_you_mean(str(key), [p.name for p in ports]) or "add the port to the workload",
                )
        elif port is None:
            self.report("E0213", d.keyword_span, f'the {kind} check of "{owner}" needs a port, and "{owner}" has none', "add a `port NAME NUMBER`")
        return model.Check(kind, port=port, path=path)

    def autoscale(self, d: ast.AutoscaleDecl | None) -> model.Autoscale | None:
        if d is None or d.replicas is None:
            return None
        rng = d.replicas.value
        if rng.low > rng.high:
            self.report(
                "E0206", d.replicas.span, f"the autoscaling range {rng.low}..{rng.high} has its minimum above its maximum", f"write {rng.high}..{rng.low}"
            )
        if rng.low < 1:
            self.report("E0206", d.replicas.span, "autoscaling needs at least 1 replica", "start the range at 1 or more")
        metrics = tuple(
            model.Metric(source, _v(m.name), _v(m.target), _v(m.object))
            for source, group in (("pods", d.pods), ("object", d.object), ("external", d.external))
            for m in group
            if m.name and m.target
        )
        return model.Autoscale(rng.low, rng.high, _v(d.cpu), _v(d.memory), metrics)

    def resilience(self, d: ast.ResilienceDecl | None) -> model.Resilience | None:
        if d is None:
            return None
        r, cb = d.retries, d.circuit_breaker
        return model.Resilience(
            timeout=_v(d.timeout),
            retries=model.Retries(_v(r.attempts, 1), _v(r.per_try), _v(r.on)) if r else None,
            circuit_breaker=model.CircuitBreaker(
                _v(cb.consecutive_errors, 5), _v(cb.interval), _v(cb.ejection), _v(cb.max_ejected), _v(cb.max_connections), _v(cb.max_pending)
            )
            if cb
            else None,
        )

    def database(self, d: ast.DatabaseDecl | None) -> model.Database | None:
        if d is None:
            return None
        replicas = d.read_replicas
        count = _v(replicas.count, 0) if replicas else 0
        weights = tuple(w.value for w in replicas.weights) if replicas else ()
        if replicas and weights and len(weights) != count:
            self.report("E0214", replicas.span, f"{count} read replicas but {len(weights)} read weights", "give one weight per read replica")
        elif weights and sum(weights) != 100:
            assert replicas is not None
            self.report("E0214", replicas.span, f"read weights add up to {sum(weights)}%, not 100%", "make the weights add up to 100%")
        return model.Database(
            pooler=_v(d.pooler.name) if d.pooler else None,
            pool_mode=_v(d.pooler.mode, "transaction") if d.pooler else None,
            primary=_v(d.primary, 1),
            read_replicas=count,
            read_weights=weights,
            replication=_v(d.replication, "asynchronous"),
        )

    def pooler(self, d: ast.WorkloadDecl, db: model.Workload) -> model.Workload:
        assert d.database is not None and d.database.pooler is not None
        p = d.database.pooler
        name = _v(p.name)
        port = db.container.ports[0] if db.container.ports else model.Port("sql", 5432)
        defaults = as_type(ast.WorkloadDecl, merge(self.spec.defaults, self.namespaces[db.namespace].defaults if db.namespace in self.namespaces else None))
        container = model.Container(name, _v(p.image, ""), (port,), self.resources(defaults.resources if defaults else None))
        probes = db.probes
        tcp = model.Check("tcp", port=port)
        return model.Workload(
            name=name,
            namespace=db.namespace,
            kind="deployment",
            description=f"{_v(p.mode, 'transaction')}-pooling connection pooler in front of {db.name}",
            replicas=_v(p.replicas, 2),
            container=container,
            sidecars=(),
            env=(),
            probes=model.Probes(tcp, tcp, None, probes.interval, probes.timeout, None, probes.failure_threshold, probes.success_threshold)
            if probes
            else model.Probes(tcp, tcp, None, _DEFAULT_INTERVAL, _DEFAULT_TIMEOUT, None, 3, 1),
            volumes=(model.Volume("config", "config-map", f"{name}-config", "/etc/pgbouncer", True), model.Volume("tmp", "empty-dir", "", "/tmp", False)),
            storage=(),
            rollout=db.rollout if db.kind == "deployment" else model.Rollout("rolling", 1, 0, db.rollout.grace),
            blue_green=None,
            budget=db.budget,
            security=db.security,
            subnet=db.subnet,
            addresses=None,
            calls=(model.Call(db.name, port, span=p.span),),
            routes=(),
            autoscale=None,
            load_balancing=None,
            resilience=None,
            database=None,
            encryption_at_rest=False,
            backups=(),
            meshed=db.meshed,
            scraped=False,
            pooler_of=db.name,
            span=p.span,
        )

    def backup(self, d: ast.BackupDecl) -> model.Backup:
        if d.every is None and d.continuous is None:
            self.report("E0112", d.keyword_span, f"the {_v(d.kind)} backup needs a schedule", "write `every 6h` (optionally `at 02:00`) or `continuous`")
        return model.Backup(_v(d.kind), _v(d.every), _v(d.at), _v(d.continuous, False), _v(d.to), _v(d.image), span=d.span)

    # ------------------------------------------------------------ links between things
    def port_of(self, ref: L[PortRef], what: str) -> model.Port | None:
        target = ref.value.target
        ports = self.ports.get(target)
        if ports is None:
            self.report("E0201", ref.span, f'{what} "{target}" is not a workload or external service', did_you_mean(target, self.ports))
            return None
        port = next((p for p in ports if ref.value.port in (p.name, p.number)), None)
        if port is None:
            exposed = ", ".join(f"{p.name} ({p.number})" for p in ports) or "none"
            self.report(
                "E0202",
                ref.span,
                f'"{target}" does not expose port "{ref.value.port}"',
                did_you_mean(str(ref.value.port), [p.name for p in ports]) + f" (its ports: {exposed})",
            )
        return port

    def with_links(self, w: model.Workload, d: ast.WorkloadDecl | None) -> model.Workload:
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
                self.report("E0201", ref.span, f'call target "{target}" is not a workload or external service', did_you_mean(target, self.ports))
                continue
            calls.extend(model.Call(target, p, span=ref.span) for p in self.ports[target])
        routes = []
        for r in d.routes:
            if r.target is None or r.path is None:
                continue
            port = self.port_of(r.target, "route target")
            if port is not None:
                routes.append(model.Route(r.path.value, r.target.value.target, port, span=r.span))
        self.subnet_ref(d.subnet)
        for b in d.backups:
            self.target_ref(b.to)
        return attrs.evolve(w, calls=tuple(calls), routes=tuple(routes))

    def target_ref(self, ref: L[str] | None) -> None:
        recovery = self.spec.recovery
        names = {_v(t.name) for t in recovery.targets} if recovery else set()
        if ref is not None and ref.value not in names:
            self.unknown(ref, "backup target", names)

    def workload_ref(self, ref: L[str] | None, names: set[str], what: str = "workload") -> str | None:
        if ref is None:
            return None
        if ref.value not in names:
            self.unknown(ref, what, names)
            return None
        return ref.value

    def namespace(self, d: ast.NamespaceDecl, names: set[str]) -> model.Namespace:
        quota_decl = merge(self.spec.defaults.quota if self.spec.defaults else None, d.defaults.quota if d.defaults else None)
        quota = model.Quota(_v(quota_decl.cpu), _v(quota_decl.memory), _v(quota_decl.pods), _v(quota_decl.volume_claims)) if quota_decl else None
        shared = []
        for kind, group in (("config", d.shared_configs), ("secret", d.shared_secrets)):
            for s in group:
                self.check_name(s.name, f"shared {kind}")
                readers = tuple(r for r in (self.workload_ref(ref, names) for ref in s.readers) if r)
                shared.append(model.Shared(_v(s.name), kind, readers))
        self.subnet_ref(d.subnet)
        for label in d.labels:
            if not re.match(r"^[a-z0-9A-Z]([-a-zA-Z0-9_./]*[a-zA-Z0-9])?$", label.value[0]) or len(label.value[1]) > 63:
                self.report(
                    "E0204",
                    label.span,
                    f'label "{label.value[0]}" cannot become a Kubernetes label',
                    "keys and values: at most 63 letters, digits, '-', '_' or '.'",
                )
        return model.Namespace(
            name=_v(d.name),
            description=_v(d.description, ""),
            mesh=_v(d.mesh, False),
            subnet=_v(d.subnet),
            labels=tuple(label.value for label in d.labels),
            same_namespace=any(a.value == "same-namespace" for a in d.allow),
            quota=quota,
            shared=tuple(shared),
            span=d.span,
        )

    def external(self, d: ast.ExternalDecl) -> model.External:
        if not d.hosts:
            self.report("E0115", d.keyword_span, f'external "{_v(d.name)}" needs "host"', 'add `host "api.example.com"`')
        if not d.ports:
            self.report("E0115", d.keyword_span, f'external "{_v(d.name)}" needs "port"', "add `port https 443`")
        return model.External(
            _v(d.name), tuple(h.value for h in d.hosts), self.port_list(d.ports, _v(d.name, "")), _v(d.via) == "egress_gateway", _v(d.description, "")
        )

    def network(self, names: set[str]) -> model.Network:
        d = self.spec.network
        if d is None:
            return model.Network(True, True, True, (), ())
        scopes = names | set(self.namespaces) | set(self.externals)

        def rule(r: ast.PolicyRuleDecl) -> model.PolicyRule | None:
            if r.source is None or r.target is None:
                return None
            self.workload_ref(r.source, scopes, "workload, namespace or external")
            value = r.target.value
            if isinstance(value, PortRef) and value.target in self.namespaces:
                exposed = [p for w, ns in self.namespace_of.items() if ns == value.target for p in self.ports.get(w, ())]
                ports: set[str | int] = {p.name for p in exposed} | {p.number for p in exposed}
                if value.port not in ports:
                    self.report(
                        "E0202",
                        r.target.span,
                        f'no workload of namespace "{value.target}" exposes port "{value.port}"',
                        did_you_mean(str(value.port), [str(p) for p in ports]),
                    )
                return model.PolicyRule(_v(r.source), value.target, value.port, span=r.span)
            if isinstance(value, PortRef):
                self.port_of(L(value, span=r.target.span), "rule target")
                return model.PolicyRule(_v(r.source), value.target, value.port, span=r.span)
            self.workload_ref(L(str(value), span=r.target.span), scopes, "workload, namespace or external")
            return model.PolicyRule(_v(r.source), str(value), None, span=r.span)

        return model.Network(
            default_deny=True,
            dns=_v(d.dns, "allow") == "allow",
            internet_deny=True,
            allows=tuple(x for x in map(rule, d.allows) if x),
            denies=tuple(x for x in map(rule, d.denies) if x),
        )

    def edge(self) -> tuple[model.Described, ...]:
        e = self.spec.edge
        if e is None:
            return ()
        return tuple(
            model.Described(
                kind, _v(x.name), _v(x.description, ""), tuple(p.value for p in x.provides), tuple(r.value for r in x.regions), _v(x.load_balancer, "")
            )
            for kind, group in (("cdn", e.cdn), ("load_balancer", e.load_balancers), ("geodns", e.geodns), ("region", e.regions))
            for x in group
        )

    def ingress(self, names: set[str]) -> model.Ingress | None:
        d = self.spec.ingress
        if d is None:
            return None
        self.workload_ref(d.namespace, set(self.namespaces), "namespace")
        hosts = []
        for h in d.hosts:
            if h.host is None or h.target is None:
                continue
            port = self.port_of(h.target, "host target")
            if port is not None:
                hosts.append(model.Host(h.host.value, h.target.value.target, port))
        issuer = d.tls.issuer if d.tls else None
        issuers = {_v(i.name) for i in self.spec.certificates.issuers} if self.spec.certificates else set()
        if issuer is not None and issuer.value not in issuers:
            self.unknown(issuer, "certificate issuer", issuers)
        self.subnet_ref(d.subnet)
        rate = (_v(d.rate_limit.amount), _v(d.rate_limit.per, "second")) if d.rate_limit and d.rate_limit.amount else None
        return model.Ingress(
            name=_v(d.name, "ingress"),
            namespace=_v(d.namespace, ""),
            subnet=_v(d.subnet),
            address=_v(d.address),
            replicas=_v(d.replicas, 1),
            balance=_v(d.balance, "round-robin"),
            listen=tuple(model.Port("https" if p.value.number == 443 else f"port-{p.value.number}", p.value.number, p.value.protocol) for p in d.listen)
            or (model.Port("https", 443),),
            rate_limit=rate,
            request_buffering=_v(d.request_buffering, False),
            compression=_v(d.compression, False),
            cors_origins=tuple(o.value for o in d.cors.origins) if d.cors else (),
            cors_methods=tuple(m.value for m in d.cors.methods) if d.cors else (),
            waf=_v(d.waf),
            tls_minimum=_v(d.tls.minimum) if d.tls else None,
            tls_issuer=_v(issuer),
            hosts=tuple(hosts),
        )

    def issuers(self) -> tuple[model.Issuer, ...]:
        c = self.spec.certificates
        return tuple(model.Issuer(_v(i.name), _v(i.acme, ""), _v(i.email, ""), _v(i.renew_before)) for i in (c.issuers if c else ()))

    def mesh(self, names: set[str]) -> model.Mesh | None:
        d = self.spec.mesh
        if d is None:
            return None
        jwt = None
        if d.jwt is not None:
            at = self.workload_ref(d.jwt.at, names)
            jwt = model.Jwt(_v(d.jwt.issuer, ""), _v(d.jwt.jwks, ""), at or "", tuple(p.value for p in d.jwt.protect))
        eg = d.egress_gateway
        return model.Mesh(
            mtls=_v(d.mtls, "strict"),
            sidecar_resources=self.resources(d.sidecar_resources) if d.sidecar_resources else None,
            tracing_sampling=_v(d.tracing.sampling) if d.tracing else None,
            access_log=_v(d.access_log, False),
            jwt=jwt,
            egress_gateway=model.EgressGateway(_v(eg.namespace, "istio-system"), _v(eg.tls_origination, False), _v(eg.sni_routing, False)) if eg else None,
            egress_rate_limit=(_v(d.egress_rate_limit.amount), _v(d.egress_rate_limit.per, "second"))
            if d.egress_rate_limit and d.egress_rate_limit.amount
            else None,
            cost_tracking=_v(d.cost_tracking, False),
        )

    def scaling(self) -> model.Scaling:
        d = self.spec.scaling
        if d is None:
            return model.Scaling(None, None)
        cluster = None
        if d.cluster is not None and d.cluster.nodes is not None:
            nodes = d.cluster.nodes.value
            if nodes.low > nodes.high:
                self.report(
                    "E0206",
                    d.cluster.nodes.span,
                    f"the node range {nodes.low}..{nodes.high} has its minimum above its maximum",
                    f"write {nodes.high}..{nodes.low}",
                )
            cluster = model.ClusterScaling(nodes.low, nodes.high, _v(d.cluster.scale_down_below))
        return model.Scaling(_v(d.vertical), cluster)

    def monitoring(self, names: set[str]) -> model.Monitoring | None:
        d = self.spec.monitoring
        if d is None:
            return None
        scraper = self.workload_ref(d.scraper, names) or ""
        for ref in (d.logging, d.alerting, d.dashboards):
            self.workload_ref(ref, names)
        alerts = tuple(model.Alert(_v(a.name), _v(a.expr, ""), _v(a.for_), _v(a.severity, "warning"), _v(a.summary, "")) for a in d.alerts if a.name)
        return model.Monitoring(scraper, _v(d.port, "metrics"), _v(d.path, "/metrics"), _v(d.interval), alerts, _v(d.logging), _v(d.alerting), _v(d.dashboards))

    def recovery(self, names: set[str]) -> model.Recovery | None:
        d = self.spec.recovery
        if d is None:
            return None
        targets = self.unique(((t.name, t) for t in d.targets), "backup target")
        replications = []
        for r in d.replicate:
            self.target_ref(r.source)
            self.target_ref(r.target)
            if r.source and r.target:
                replications.append((r.source.value, r.target.value))
        cb = d.cluster_backup
        if cb is not None:
            self.target_ref(cb.to)
        objectives = []
        for o in d.objectives:
            covers = tuple(c for c in (self.workload_ref(ref, names) for ref in o.covers) if c)
            if o.rpo:
                self.spans[("rpo", _v(o.name))] = o.rpo.span
            if o.rto and o.rpo:
                objectives.append(model.Objective(_v(o.name), o.rto.value, o.rpo.value, covers))
        return model.Recovery(
            targets=tuple(model.BackupTarget(name, _v(t.kind, "s3"), _v(t.region), _v(t.bucket, ""), _v(t.encrypted, False)) for name, t in targets.items()),
            replications=tuple(replications),
            archive=(_v(d.archive.tier), d.archive.after.value) if d.archive and d.archive.after else None,
            cluster_backup=model.ClusterBackup(_v(cb.tool), cb.every.value, _v(cb.at), _v(cb.to), _v(cb.retention)) if cb and cb.every and cb.to else None,
            config_in_git=_v(d.config_in_git),
            objectives=tuple(objectives),
        )


def _fill(text: str, subst: dict[str, str]) -> str:
    for key, value in subst.items():
        text = text.replace(key, value)
    return text


def resolve(spec: ast.SpecDecl) -> tuple[model.Topology, dict[tuple[str, str], Span], list[Diagnostic]]:
    """Resolve a decoded spec into a topology, where its facts were written, and every problem found."""
    resolver = Resolver(spec)
    topology = resolver.resolve()
    return topology, resolver.spans, resolver.diags
