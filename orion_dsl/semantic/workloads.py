"""Workloads: defaults merged once, containers, probes, volumes, scaling, links to others."""

from __future__ import annotations

from typing import Any

import attrs

from orion_dsl import declarations as decl
from orion_dsl import model
from orion_dsl.decode import L
from orion_dsl.diagnostics import did_you_mean
from orion_dsl.semantic.merge import as_type, merge
from orion_dsl.semantic.mounts import mount_path_problems
from orion_dsl.semantic.resolver_base import ResolverBase, _v
from orion_dsl.values import Duration, PortRef

_DEFAULT_INTERVAL = Duration(10_000, "10s")
_DEFAULT_TIMEOUT = Duration(1_000, "1s")
_DEFAULT_GRACE = Duration(30_000, "30s")
#: More read replicas than this is a typo, not a database: each one gets its own Service.
MAX_READ_REPLICAS = 100


class WorkloadResolver(ResolverBase):
    """Builds :class:`~orion_dsl.model.Workload` s from merged declarations."""

    def merged(self, written: decl.WorkloadDecl, ns: decl.NamespaceDecl | None) -> decl.WorkloadDecl:
        """The workload's declaration with the top-level and namespace defaults under it."""
        defaults = merge(self.spec.defaults, ns.defaults if ns else None)
        base = as_type(decl.WorkloadDecl, defaults)
        result = merge(base, written)
        assert result is not None
        if base is not None and result.sidecars:
            sidecar_ports = {_v(p.name) for s in result.sidecars for p in s.ports}
            own = {_v(p.name) for p in written.ports}
            ports = tuple(p for p in result.ports if _v(p.name) in own or _v(p.name) not in sidecar_ports)
            result = attrs.evolve(result, ports=ports)
        return result

    def workload(self, d: decl.WorkloadDecl, namespace: str, kind: str, ns: decl.NamespaceDecl | None) -> model.Workload:
        """A workload from its merged declaration (calls and routes are linked later)."""
        name = _v(d.name, "")
        if d.image is None:
            self.report("E0115", d.keyword_span, f'"{name}" needs "image"', 'add `image "registry/name:tag"`')
        ports = self.port_list(d.ports, name)
        for named_part, what in [*((s.name, "sidecar") for s in d.sidecars), *((s.name, "storage") for s in d.storage)]:
            self.check_name(named_part, what)
        self.unique([*((v.name, v) for v in d.volumes), *((s.name, s) for s in d.storage)], f'volume of "{name}"')
        # a mount written in defaults is found once per workload; the pipeline reports each diagnostic once
        self.diags.extend(mount_path_problems(d, lambda path: _fill(path, {"{service}": name})))
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
        if sidecars:
            self.port_list((*d.ports, *(p for s in d.sidecars for p in s.ports)), name)  # names and numbers are per pod
        subst = {"{service}": name}
        volumes = tuple(self.volume(vd, subst) for vd in d.volumes if vd.name and vd.kind and vd.at)
        storage = tuple(
            model.Storage(_v(s.name), s.size.value, _v(s.storage_class), _v(s.access, "read-write-once"), _fill(_v(s.at), subst))
            for s in d.storage
            if s.name and s.size and s.at
        )
        rollout = d.rollout
        blue_green = d.blue_green
        if kind == "statefulset":
            recreate = rollout if rollout is not None and _v(rollout.strategy) == "recreate" else None
            for part, what in ((blue_green, "blue_green"), (recreate, "rollout recreate")):
                if part is not None:
                    help = "stateful sets replace pods one by one; use a `service` for this rollout"
                    self.report("E0215", part.keyword_span, f"a statefulset cannot use {what}", help)
        budget = d.disruption_budget
        if budget is not None and budget.max_unavailable is not None and budget.min_available is not None:
            self.report("E0216", budget.keyword_span, "a disruption budget takes max_unavailable or min_available, not both", "keep one of them")
        if rollout is not None and _v(rollout.surge, 1) == 0 and _v(rollout.unavailable, 0) == 0:
            self.report(
                "E0216", rollout.keyword_span, "a rolling update with surge 0 and unavailable 0 can never progress", "allow a surge of 1 (or one unavailable)"
            )
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

    def volume(self, d: decl.VolumeDecl, subst: dict[str, str]) -> model.Volume:
        """A pod volume; ``{service}`` in names and paths becomes the workload's name."""
        kind = _v(d.kind)
        source = _fill(_v(d.source, ""), subst)
        if kind != "empty-dir" and not source:
            self.report("E0112", d.keyword_span, f'volume "{_v(d.name)}" needs the name of its {kind}', f'write `volume {_v(d.name)} {kind} "name" at "/path"`')
        self.check_name(d.name, "volume")
        return model.Volume(_v(d.name), kind, source, _fill(_v(d.at), subst), _v(d.read_only, kind != "empty-dir"))

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

    def check(self, d: decl.CheckDecl | None, ports: tuple[model.Port, ...], owner: str) -> model.Check | None:
        """One health check, its port resolved against the pod's ports."""
        if d is None or d.kind is None:
            return None
        kind = d.kind.value
        allowed = {"exec": len(d.target), "http": 1, "tcp": 0 if d.on else 1}[kind]
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

    def autoscale(self, d: decl.AutoscaleDecl | None) -> model.Autoscale | None:
        """Horizontal autoscaling bounds, targets and custom metrics."""
        if d is None or d.replicas is None:
            return None
        rng = d.replicas.value
        if rng.low > rng.high:
            self.report(
                "E0206", d.replicas.span, f"the autoscaling range {rng.low}..{rng.high} has its minimum above its maximum", f"write {rng.high}..{rng.low}"
            )
        if rng.low < 1:
            self.report("E0206", d.replicas.span, "autoscaling needs at least 1 replica", "start the range at 1 or more")
        self.at_least(d.cpu, 1, "a CPU target")
        self.at_least(d.memory, 1, "a memory target")
        metrics = tuple(
            model.Metric(source, _v(m.name), _v(m.target), _v(m.object))
            for source, group in (("pods", d.pods), ("object", d.object), ("external", d.external))
            for m in group
            if m.name and m.target
        )
        return model.Autoscale(rng.low, rng.high, _v(d.cpu), _v(d.memory), metrics)

    def resilience(self, d: decl.ResilienceDecl | None) -> model.Resilience | None:
        """Timeout, retries and circuit breaking for calls to the workload."""
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

    def database(self, d: decl.DatabaseDecl | None) -> model.Database | None:
        """Pooler, primary, read replicas and weights (one weight per replica, 100% in all)."""
        if d is None:
            return None
        replicas = d.read_replicas
        count = _v(replicas.count, 0) if replicas else 0
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
        return model.Database(
            pooler=_v(d.pooler.name) if d.pooler else None,
            pool_mode=_v(d.pooler.mode, "transaction") if d.pooler else None,
            primary=_v(d.primary, 1),
            read_replicas=count,
            read_weights=weights,
            replication=_v(d.replication, "asynchronous"),
        )

    def pooler(self, d: decl.WorkloadDecl, db: model.Workload) -> model.Workload:
        """The connection pooler of a database as a workload of its own, calling the database."""
        assert d.database is not None and d.database.pooler is not None
        p = d.database.pooler
        name = _v(p.name)
        monitoring = _v(self.spec.monitoring.port, "metrics") if self.spec.monitoring else "metrics"
        port = next((q for q in db.container.ports if q.name != monitoring), None)
        if port is None:
            help = "add the database's port, e.g. `port sql 5432`"
            self.report("E0112", p.keyword_span, f'the pooler of "{db.name}" needs a port of the database to pool', help)
            port = model.Port("sql", 5432)
        defaults = as_type(decl.WorkloadDecl, merge(self.spec.defaults, self.namespaces[db.namespace].defaults if db.namespace in self.namespaces else None))
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
            volumes=(
                model.Volume("config", "config-map", f"{name}-config", "/etc/pgbouncer", True),
                model.Volume("secrets", "secret", f"{name}-secrets", "/etc/pgbouncer/secrets", True),  # userlist.txt
                model.Volume("tmp", "empty-dir", "", "/tmp", False),
            ),
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

    def backup(self, d: decl.BackupDecl) -> model.Backup:
        """One backup of the workload; it needs a schedule or ``continuous``."""
        if d.every is None and d.continuous is None:
            self.report("E0112", d.keyword_span, f"the {_v(d.kind)} backup needs a schedule", "write `every 6h` (optionally `at 02:00`) or `continuous`")
        self.at_least(d.every, 60_000, "a backup interval (schedules run by the minute)")
        return model.Backup(_v(d.kind), _v(d.every), _v(d.at), _v(d.continuous, False), _v(d.to), _v(d.image), span=d.span)

    def mark_scraped(self, workloads: list[model.Workload], decls: dict[str, decl.WorkloadDecl]) -> list[model.Workload]:
        """Mark the workloads monitoring scrapes (a port of the monitored name, not the scraper)."""
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
        routes = [model.Route(r.path.value, *to, span=r.span) for r in d.routes if r.path is not None and (to := self.workload_port(r.target, "route target"))]
        self.subnet_ref(d.subnet)
        for b in d.backups:
            self.target_ref(b.to)
        # One backup per kind: backup objects (and recovery facts) are named by workload and kind.
        hint = "keep one backup of each kind; for a second copy elsewhere, `replicate` its target in `recovery`"
        self.unique(((b.kind, b) for b in d.backups), "backup", hint)
        return attrs.evolve(w, calls=tuple(calls), routes=tuple(routes))


def _fill(text: str, subst: dict[str, str]) -> str:
    for key, value in subst.items():
        text = text.replace(key, value)
    return text
