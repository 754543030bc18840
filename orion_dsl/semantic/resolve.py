"""Declarations -> model: apply defaults once, resolve every name, type every value.

Unknown names get a did-you-mean; duplicates point at the first definition. The work is
split by subject (:mod:`~orion_dsl.semantic.workloads`, :mod:`~orion_dsl.semantic.platform`)
over shared state and reporting (:mod:`~orion_dsl.semantic.resolver_base`).
"""

from __future__ import annotations

from typing import Any, Literal

from orion_dsl import declarations as decl
from orion_dsl import model
from orion_dsl.decode import L, Settings, written
from orion_dsl.diagnostics import Diagnostic
from orion_dsl.semantic.fields import FieldResolver, platform_floor, uses_barman_plugin, uses_istio_gateway
from orion_dsl.semantic.platform import PlatformResolver
from orion_dsl.semantic.workloads import WorkloadResolver
from orion_dsl.source import Span

#: What a name of the spec's one namespace of workloads, externals and the ingress belongs to.
NamedKind = Literal["deployment", "statefulset", "pooler", "ingress", "external"]
#: A named declaration: the declaration (a workload's, whose pooler it may be; an external's;
#: the ingress's), its namespace ("" outside one), and what it is.
Named = tuple[Any, str, NamedKind]


class Resolver(WorkloadResolver, PlatformResolver, FieldResolver):
    """Builds the :class:`~orion_dsl.model.Topology` from a :class:`~orion_dsl.decl.SpecDecl`."""

    def resolve(self) -> model.Topology:
        """Build the whole topology: names first, then workloads, then everything around them."""
        named = self.declare_names()
        self.check_fields()
        externals = tuple(self.external(e) for e in self.externals.values())
        return self.topology(self.workloads(named, externals), externals)

    def declare_names(self) -> dict[str, Named]:
        """Every name declarations take, checked: namespaces, subnets, and the one namespace of
        workloads, poolers, externals and the ingress controller (by name)."""
        spec = self.spec
        self.namespaces = self.unique(((n.name, n) for n in spec.namespaces), "namespace")
        for ns in spec.namespaces:
            self.check_name(ns.name, "namespace")
        named: dict[str, Named] = self.unique(_named_declarations(spec), "workload, external or ingress")
        for name, (found, _, kind) in named.items():
            own = found.database.pooler.name if kind == "pooler" else found.name
            # the names of the objects made for it are checked on the plan (E0204)
            self.check_name(own, {"deployment": "service", "ingress": "ingress controller"}.get(kind, kind))
            if kind == "external":
                self.externals[name] = found
        if spec.topology is not None:
            self.check_name(spec.topology.name, "topology", limit=40)
        network = spec.network
        self.subnets = self.unique(((s.name, s) for s in (network.subnets if network else ())), "subnet")
        self.unique_names(spec)
        return named

    def workloads(self, named: dict[str, Named], externals: tuple[model.External, ...]) -> list[model.Workload]:
        """The workloads (defaults merged) and their connection poolers, linked to what they call and marked if scraped."""
        pending = self.declared_workloads(named)
        workloads = [w for _, w in pending]
        self.namespace_of = {w.name: w.namespace for w in workloads}
        for merged, w in pending:
            if merged.database is not None and merged.database.pooler is not None and merged.database.pooler.name is not None:
                pooler = self.pooler(merged, w)
                self.ports[pooler.name] = pooler.ports
                self.namespace_of[pooler.name] = pooler.namespace
                workloads.append(pooler)
        self.ports.update({e.name: e.ports for e in externals})  # every port is known now: calls and routes can be linked
        decl_of = {id(w): m for m, w in pending}
        linked = [self.with_links(w, decl_of.get(id(w))) for w in workloads]
        return self.mark_scraped(linked, {w.name: m for m, w in pending})

    def declared_workloads(self, named: dict[str, Named]) -> list[tuple[decl.WorkloadDecl, model.Workload]]:
        """Each service and stateful set: its declaration with the defaults merged under it, and the workload made of it."""
        pending: list[tuple[decl.WorkloadDecl, model.Workload]] = []
        for name, (found, ns_name, kind) in named.items():
            if kind == "deployment" or kind == "statefulset":
                ns_decl = self.namespaces.get(ns_name)
                merged = self.merged(found, ns_decl, kind)
                w = self.workload(merged, ns_name, kind, ns_decl)
                self.ports[name] = w.ports
                pending.append((merged, w))
        return pending

    def platform(self, name: str, stated: str) -> str:
        """The Kubernetes or Istio release the spec targets: the one it states (E0216 holds it to the floor), else the
        oldest that serves what the spec makes ORION write (Istio's Gateway API implementation needs 1.30, say), not a
        fixed default below it."""
        written_here = getattr(self.spec.topology, name, None) if self.spec.topology is not None else None
        if written_here is not None:
            return stated
        floor, _ = platform_floor(name, uses_barman_plugin(self.spec), uses_istio_gateway(self.spec))
        return ".".join(map(str, floor))

    def topology(self, workloads: list[model.Workload], externals: tuple[model.External, ...]) -> model.Topology:
        """The topology around the workloads: its settings, namespaces, network, edge, ingress, mesh and the rest."""
        spec = self.spec
        top = Settings(decl.TopologyDecl, spec.topology)
        names = {w.name for w in workloads}
        return model.Topology(
            name=written(spec.topology.name, "orion") if spec.topology else "orion",  # a name left out is reported
            version=top.version,
            description=top.description,
            kubernetes=self.platform("kubernetes", top.kubernetes),
            istio=self.platform("istio", top.istio),
            domain=top.domain,
            namespaces=tuple(self.namespace(n, names) for n in self.namespaces.values()),
            workloads=tuple(workloads),
            subnets=tuple(
                model.Subnet(written(s.name, ""), s.cidr.value, Settings(decl.SubnetDecl, s).description, span=s.span) for s in self.subnets.values() if s.cidr
            ),
            externals=externals,
            network=self.network(names),
            edge=self.edge(),
            ingress=self.ingress(names),
            issuers=self.issuers(),
            mesh=self.mesh(names),
            scaling=self.scaling(),
            monitoring=self.monitoring(names),
            security_layers=tuple(
                model.SecurityLayer(written(layer.name, ""), tuple(m.value for m in layer.measures))
                for layer in (spec.security.layers if spec.security else ())
            ),
            recovery=self.recovery(names),
        )


def _named_declarations(spec: decl.SpecDecl) -> list[tuple[L[str] | None, Named]]:
    """Every declaration whose name is one of the workloads, externals and the ingress controller, in spec order by kind."""
    workloads: list[tuple[L[str] | None, Named]] = []
    poolers: list[tuple[L[str] | None, Named]] = []
    for ns in spec.namespaces:
        namespace = written(ns.name, "")
        workloads += [(w.name, (w, namespace, "deployment")) for w in ns.services]
        workloads += [(w.name, (w, namespace, "statefulset")) for w in ns.statefulsets]
    for ns in spec.namespaces:
        for w in (*ns.services, *ns.statefulsets):
            if w.database is not None and w.database.pooler is not None and w.database.pooler.name is not None:
                poolers.append((w.database.pooler.name, (w, written(ns.name, ""), "pooler")))
    externals: list[tuple[L[str] | None, Named]] = [(e.name, (e, "", "external")) for e in spec.externals]
    ingress: list[tuple[L[str] | None, Named]] = [(spec.ingress.name, (spec.ingress, "", "ingress"))] if spec.ingress is not None else []
    return [*workloads, *poolers, *externals, *ingress]


def resolve(spec: decl.SpecDecl) -> tuple[model.Topology, dict[tuple[str, str], Span], list[Diagnostic]]:
    """Resolve a decoded spec into a topology, where its facts were written, and every problem found."""
    resolver = Resolver(spec)
    topology = resolver.resolve()
    return topology, resolver.spans, resolver.diags
