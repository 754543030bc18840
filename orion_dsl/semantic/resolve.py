"""Declarations -> model: apply defaults once, resolve every name, type every value.

Unknown names get a did-you-mean; duplicates point at the first definition. The work is
split by subject (:mod:`~orion_dsl.semantic.workloads`, :mod:`~orion_dsl.semantic.platform`)
over shared state and reporting (:mod:`~orion_dsl.semantic.resolver_base`).
"""

from __future__ import annotations

from orion_dsl import declarations as decl
from orion_dsl import model
from orion_dsl.diagnostics import Diagnostic
from orion_dsl.semantic.fields import FieldResolver
from orion_dsl.semantic.platform import PlatformResolver
from orion_dsl.semantic.resolver_base import _v
from orion_dsl.semantic.workloads import MAX_READ_REPLICAS, WorkloadResolver
from orion_dsl.source import Span

#: Kubernetes limits names to 63 characters (52 for CronJobs and StatefulSets, whose pods get
#: a hash suffix); the backends add suffixes such as ``-headless``, ``-backup-<kind>`` and ``-<kind>-archive``.
_LONGEST_SERVICE_SUFFIX = len("-headless")
_CRONJOB_LIMIT = 52


def _name_limit(written: object, kind: str) -> int:
    """How long a workload's name may be so that every object named after it is valid."""
    if not isinstance(written, decl.WorkloadDecl) or kind == "pooler":
        return 63 - _LONGEST_SERVICE_SUFFIX
    limits = [63 - _LONGEST_SERVICE_SUFFIX]
    if kind == "statefulset":
        limits.append(_CRONJOB_LIMIT)
    replicas = written.database.read_replicas if written.database is not None else None
    if replicas is not None and replicas.count is not None and replicas.count.value > 0:  # a Service <name>-replica-<i> per read replica
        limits.append(63 - len(f"-replica-{min(replicas.count.value, MAX_READ_REPLICAS)}"))
    for b in written.backups:  # a CronJob <name>-backup-<kind>, or an archiver Deployment <name>-<kind>-archive
        kind_ = _v(b.kind, "")
        limits.append(63 - len(f"-{kind_}-archive") if _v(b.continuous, False) else _CRONJOB_LIMIT - len(f"-backup-{kind_}"))
    return min(limits)


class Resolver(WorkloadResolver, PlatformResolver, FieldResolver):
    """Builds the :class:`~orion_dsl.model.Topology` from a :class:`~orion_dsl.decl.SpecDecl`."""

    def resolve(self) -> model.Topology:
        """Build the whole topology: names first, then workloads, then everything around them."""
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
            if w.database is not None and w.database.pooler is not None and w.database.pooler.name is not None
        ]
        ingress = [(spec.ingress.name, (spec.ingress, "", "ingress"))] if spec.ingress is not None else []
        named = self.unique([*decls, *poolers, *((e.name, (e, "", "external")) for e in spec.externals), *ingress], "workload, external or ingress")
        for name, (found, _, kind) in named.items():
            own = found.database.pooler.name if kind == "pooler" else found.name
            self.check_name(own, {"deployment": "service", "ingress": "ingress controller"}.get(kind, kind), limit=_name_limit(found, kind))
            if kind == "external":
                self.externals[name] = found
        if top is not None:
            self.check_name(top.name, "topology", limit=40)
        network = spec.network
        self.subnets = self.unique(((s.name, s) for s in (network.subnets if network else ())), "subnet")
        self.unique_names(spec)
        self.check_fields()
        externals = tuple(self.external(e) for e in self.externals.values())
        ext_ports = {e.name: e.ports for e in externals}
        workloads: list[model.Workload] = []
        pending: list[tuple[decl.WorkloadDecl, model.Workload]] = []
        for name, (found, ns_name, kind) in named.items():
            if kind in ("deployment", "statefulset"):
                ns_decl = self.namespaces.get(ns_name)
                merged = self.merged(found, ns_decl)
                w = self.workload(merged, ns_name, kind, ns_decl)
                self.ports[name] = w.ports
                pending.append((merged, w))
                workloads.append(w)
        self.namespace_of = {w.name: w.namespace for w in workloads}
        for merged, w in list(pending):
            if merged.database is not None and merged.database.pooler is not None and merged.database.pooler.name is not None:
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


def resolve(spec: decl.SpecDecl) -> tuple[model.Topology, dict[tuple[str, str], Span], list[Diagnostic]]:
    """Resolve a decoded spec into a topology, where its facts were written, and every problem found."""
    resolver = Resolver(spec)
    topology = resolver.resolve()
    return topology, resolver.spans, resolver.diags
