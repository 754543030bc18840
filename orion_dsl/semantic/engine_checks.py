"""Workloads run by an operator (``engine NAME``): what they may state, and the ports their pods have.

The operator makes the pods, so a statement it decides itself (probes, volumes, sidecars, the
security context, rollouts, budgets, autoscaling, env) is an error where the workload writes it
and is left out where it comes from ``defaults``; a port is one the operator's pods listen on.
"""

from __future__ import annotations

from typing import Any

import attrs

from orion_dsl import declarations as decl
from orion_dsl import model
from orion_dsl.choices import Engine
from orion_dsl.decode import L, Settings, specs, written
from orion_dsl.engines import DECIDED_BY_OPERATOR, DEFAULTS_KEPT, facts
from orion_dsl.semantic.resolver_base import ResolverBase


def _cleared(d: decl.WorkloadDecl, keep: tuple[str, ...]) -> decl.WorkloadDecl:
    """The declaration with every vocabulary field outside ``keep`` left unwritten."""
    cleared: dict[str, Any] = {name: () if isinstance(getattr(d, name), tuple) else None for name, _ in specs(type(d)) if name not in keep}
    return attrs.evolve(d, **cleared)


class EngineResolver(ResolverBase):
    """Checks and completes the workloads an operator runs."""

    def operator_defaults(self, defaults: decl.WorkloadDecl | None) -> decl.WorkloadDecl | None:
        """The defaults that apply to an operator's pods (resources, subnet, scrape): the others are the operator's."""
        return _cleared(defaults, DEFAULTS_KEPT) if defaults is not None else None

    def check_engine(self, d: decl.WorkloadDecl, kind: model.WorkloadKind) -> decl.WorkloadDecl:
        """Report what a workload with an engine may not state; the declaration without it."""
        assert d.engine is not None
        name = written(d.name, "")
        engine = facts(d.engine.value, alerting=self.alerting() == name)
        if d.engine.value == "prometheus-operator" and name not in (self.alerting(), self.scraper()):
            help = f"name it in `monitoring`: `scraper {name}` (a Prometheus) or `alerting {name}` (an Alertmanager)"
            self.report("E0217", d.engine.span, f"{engine.operator} runs the monitoring block's scraper or alerting workload, and {name!r} is neither", help)
        if kind != engine.kind:
            keyword = "statefulset" if engine.kind == "statefulset" else "service"
            help = f"declare it as `{keyword} {name} {{ engine {engine.engine} ... }}`"
            self.report("E0217", d.engine.span, f"{engine.operator} runs {engine.runs} as a {engine.kind}, not a {kind}", help)
        keywords = {n: s.keyword for n, s in specs(decl.WorkloadDecl)}
        for field in DECIDED_BY_OPERATOR:
            value: Any = getattr(d, field)
            for written_part in value if isinstance(value, tuple) else (value,) if value is not None else ():
                help = f"remove `{keywords[field]}`: {engine.operator} decides it for the pods it makes (docs/LANGUAGE.md, Engines)"
                span = getattr(written_part, "keyword_span", None) or written_part.span
                self.report("E0217", span, f"{engine.operator} decides the {keywords[field]} of {name!r} itself", help)
        numbers = {p.number for p in engine.ports}
        for p in d.ports:
            if p.target is not None:
                help = f"write `port {written(p.name, 'NAME')} {p.target.value.number}`: {engine.operator}'s Services use its pods' ports"
                self.report("E0217", p.target.span, f"{engine.operator} serves its pods' ports as they are: no Service port of its own", help)
            elif p.number is not None and p.number.value.number not in numbers:
                listening = ", ".join(f"{q.number} ({q.name})" for q in engine.ports)
                self.report("E0217", p.span, f"{engine.operator}'s pods do not listen on {p.number.value.number}", f"use one of their ports: {listening}")
        for s in d.storage:
            if s.at is not None and s.at.value != engine.data_path:
                self.report("E0217", s.at.span, f"{engine.operator} mounts the data volume at {engine.data_path!r}", f'write `at "{engine.data_path}"`')
        if d.database is not None and not engine.pooler_ports:
            self.report("E0217", d.database.keyword_span, f"{engine.operator} runs no database roles or pooler", "remove the `database` block")
        replicas = d.database.read_replicas if d.database is not None else None
        if engine.pooler_ports and replicas is not None and len({w.value for w in replicas.weights}) > 1:
            # the read-only Pooler connects through the Cluster's -ro Service (pkg/specs/pgbouncer), which kube-proxy spreads evenly
            help = "remove the `weights`, or make them equal"
            self.report("E0217", replicas.weights[0].span, f"{engine.operator} spreads the reads of {name!r} evenly over its replicas", help)
        if engine.needs_storage and not d.storage:
            help = f'add `storage data 10Gi at "{engine.data_path}"` (and a `class`)'
            self.report("E0217", d.engine.span, f"{engine.operator} needs the size of the data volume of {name!r}", help)
        if len(d.storage) > 1:
            self.report("E0217", d.storage[1].span, f"{engine.operator} takes one data volume", "keep one `storage`")
        return _cleared(d, tuple(n for n, _ in specs(decl.WorkloadDecl) if n not in DECIDED_BY_OPERATOR))

    def engine_ports(self, engine: L[Engine], own: tuple[model.Port, ...], owner: str) -> tuple[model.Port, ...]:
        """The pod's ports: the workload's own (by its names), then the operator's others; the metrics
        port takes the name monitoring scrapes."""
        found = facts(engine.value, alerting=self.alerting() == owner)
        numbers = {p.number for p in own}
        named = {p.name: p for p in own}
        extra = []
        for p in found.ports:
            if p.number in numbers:
                continue
            port = attrs.evolve(p, name=self.monitoring_port()) if p.number == found.metrics else p
            if port.name in named:
                help = f"name port {named[port.name].number} otherwise: {found.operator}'s pods serve {port.name!r} on {port.number}"
                self.report("E0217", engine.span, f'port name "{port.name}" of "{owner}" is the name of its operator\'s port {port.number}', help)
                continue
            extra.append(port)
        return own + tuple(extra)

    def alerting(self) -> str | None:
        """The monitoring block's ``alerting`` workload (the Prometheus Operator runs it as an Alertmanager)."""
        found: str | None = Settings(decl.MonitoringDecl, self.spec.monitoring).alerting if self.spec.monitoring else None
        return found

    def scraper(self) -> str | None:
        """The monitoring block's scraper (the Prometheus Operator runs it as a Prometheus)."""
        found: str | None = Settings(decl.MonitoringDecl, self.spec.monitoring).scraper if self.spec.monitoring else None
        return found

    def monitoring_port(self) -> str:
        """The name of the port monitoring scrapes (``port`` of ``monitoring``)."""
        port: str = Settings(decl.MonitoringDecl, self.spec.monitoring).port
        return port
