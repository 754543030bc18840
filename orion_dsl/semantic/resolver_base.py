"""What every resolution step shares: the spec, the names found so far, and reporting.

Problems are collected, never raised; what cannot be resolved is left out so that later
steps still run and every problem of a file is reported at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from orion_dsl import declarations as decl
from orion_dsl import model
from orion_dsl.decode import L, Settings, written
from orion_dsl.diagnostics import Diagnostic, Related, Suggestions, did_you_mean, error
from orion_dsl.source import Span
from orion_dsl.values import Duration, PortRef, Quantity, Range, duration_text

DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
#: A DNS-1123 subdomain (dotted labels): ConfigMap and storage class names, hosts.
#: A key of a Secret or ConfigMap (Kubernetes' IsConfigMapKey).
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
#: A header name an HTTP probe may send (k8s.io/apimachinery/pkg/util/validation IsHTTPHeaderName).
HEADER_NAME = re.compile(r"^[-A-Za-z0-9]+$")
DNS_1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
#: A Kubernetes label key (without a prefix: a key is a spec keyword) or value.
LABEL = re.compile(r"^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$")
#: The API server's default ``--service-node-port-range``.
NODE_PORTS = (30000, 32767)
#: IANA service names, as Kubernetes checks port names: at least one letter, no "--".
PORT_NAME = re.compile(r"^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def declared(decls: Iterable[Any]) -> set[str]:
    """The names of declarations, leaving out those written without one (already reported)."""
    return {d.name.value for d in decls if d.name is not None}


class ResolverBase:
    """State and helpers shared by the workload and platform steps of resolution."""

    def __init__(self, spec: decl.SpecDecl) -> None:
        self.spec = spec
        self.diags: list[Diagnostic] = []
        self.namespace_of: dict[str, str] = {}
        self.externals: dict[str, decl.ExternalDecl] = {}
        self.namespaces: dict[str, decl.NamespaceDecl] = {}
        self.subnets: dict[str, decl.SubnetDecl] = {}
        self.ports: dict[str, tuple[model.Port, ...]] = {}
        #: Where facts were written, for checks that run on the model: (fact, owner) -> span.
        self.spans: dict[tuple[str, str], Span] = {}

    @functools.cached_property
    def targets(self) -> Suggestions:
        """Did-you-mean hints among every workload and external, prepared on first use (once ``ports`` is complete)."""
        return Suggestions(self.ports)

    def report(self, code: str, span: Span | None, summary: str, help: str = "", related: tuple[Related, ...] = ()) -> None:
        """Collect an error diagnostic."""
        self.diags.append(error(code, span, summary, help, related))

    def check_name(self, name: L[str] | None, what: str, pattern: re.Pattern[str] = DNS_1123_LABEL, limit: int = 63) -> None:
        """Report a name that cannot become a Kubernetes object (or port) name, with a suggestion."""
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

    def unique(self, items: Iterable[tuple[L[str] | None, Any]], what: str, help: str = "rename one of them") -> dict[str, Any]:
        """The items by name; a second item of a name is reported with where the first was."""
        seen: dict[str, tuple[Span, Any]] = {}
        for name, item in items:
            if name is None:
                continue
            if name.value in seen:
                self.report(
                    "E0203",
                    name.span,
                    f'{what} "{name.value}" is defined twice',
                    help,
                    (Related(seen[name.value][0], "first defined here"),),
                )
                continue
            seen[name.value] = (name.span, item)
        return {k: v for k, (_, v) in seen.items()}

    def subnet_ref(self, ref: L[str] | None) -> None:
        """Report a subnet name that no subnet has."""
        if ref is not None and ref.value not in self.subnets:
            self.unknown(ref, "subnet", self.subnets)

    def check_labels(self, labels: Iterable[L[tuple[str, str]]]) -> None:
        """Report label keys and values Kubernetes refuses: at most 63 characters of [-_.a-zA-Z0-9],
        alphanumeric at both ends (a value may be empty)."""
        rule = "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        for label in labels:
            key, value = label.value
            if len(key) > 63 or not LABEL.match(key):
                self.report("E0204", label.span, f'the label key "{key}" cannot become a Kubernetes label key', f"write the key with {rule}")
            elif value and (len(value) > 63 or not LABEL.match(value)):
                self.report("E0204", label.span, f'the value "{value}" of label "{key}" cannot become a Kubernetes label value', f"write the value with {rule}")

    def at_least(self, node: L[Any] | None, least: int, what: str) -> None:
        """Report a count or duration below what Kubernetes accepts (durations compare in milliseconds)."""
        if node is None:
            return
        amount = node.value.millis if isinstance(node.value, Duration) else node.value
        if amount < least:
            if not isinstance(node.value, Duration):
                shown = str(least)
            else:
                shown = duration_text(least)
            self.report("E0216", node.span, f"{what} must be at least {shown}", f"write {shown} or more")

    def unknown(self, ref: L[str], what: str, candidates: Iterable[str], declare: str = "") -> None:
        """Report an unknown name with a did-you-mean among the candidates; with none, how to declare one (``declare``)."""
        found = list(candidates)
        self.report("E0201", ref.span, f'unknown {what} "{ref.value}"', did_you_mean(ref.value, found) if found or not declare else declare)

    def workload_port(self, ref: L[PortRef] | None, what: str) -> tuple[str, model.Port] | None:
        """The workload and port a host's or route's ``target:port`` names, or None after reporting why not.

        Hosts and routes go to workloads only: an external is reached by calls (egress).
        """
        if ref is None:
            return None
        target = ref.value.target
        if target in self.externals:
            self.report("E0201", ref.span, f'{what} "{target}" is an external service, not a workload', "a host or route sends traffic to a workload")
            return None
        port = self.port_of(ref, what)
        return (target, port) if port is not None else None

    def port_of(self, ref: L[PortRef], what: str) -> model.Port | None:
        """The port a ``target:port`` reference names, or None after reporting why not."""
        target = ref.value.target
        ports = self.ports.get(target)
        if ports is None:
            self.report("E0201", ref.span, f'{what} "{target}" is not a workload or external service', did_you_mean(target, self.targets))
            return None
        port = next((p for p in ports if p.known_as(ref.value.port)), None)
        if port is None and not ports:
            help = f'add a `port NAME NUMBER` to "{target}": without a port it has no Service'
            self.report("E0202", ref.span, f'"{target}" has no port, so it has no port "{ref.value.port}"', help)
        elif port is None:
            exposed = ", ".join(f"{p.name} ({p.numbers})" for p in ports)
            self.report(
                "E0202",
                ref.span,
                f'"{target}" does not expose port "{ref.value.port}"',
                did_you_mean(str(ref.value.port), [p.name for p in ports]) + f" (its ports: {exposed})",
            )
        return port

    def target_ref(self, ref: L[str] | None) -> None:
        """Report a backup destination that no recovery target has."""
        recovery = self.spec.recovery
        names = declared(recovery.targets) if recovery else set()
        if ref is not None and ref.value not in names:
            self.unknown(ref, "backup target", names, f'declare it: `recovery {{ target {ref.value} {{ bucket "BUCKET" }} }}`')

    def workload_ref(self, ref: L[str] | None, names: set[str], what: str = "workload") -> str | None:
        """The name if it is one of ``names``, else None after reporting it."""
        if ref is None:
            return None
        if ref.value not in names:
            self.unknown(ref, what, names)
            return None
        return ref.value

    def resources(self, written: decl.ResourcesDecl | None) -> model.Resources:
        """Requests and limits from a ``resources`` block (defaults where unset); request above limit is an error."""
        settings = Settings(decl.ResourcesDecl, written)
        cpu: Range[Quantity] = settings.cpu
        memory: Range[Quantity] = settings.memory
        for what, rng, field in (("CPU", cpu, written.cpu if written else None), ("memory", memory, written.memory if written else None)):
            if rng.low.amount > rng.high.amount and field is not None:
                self.report(
                    "E0205",
                    field.span,
                    f"{what} request {rng.low.text} is more than its limit {rng.high.text}",
                    f"write request..limit with the request first, e.g. {rng.high.text}..{rng.low.text}",
                )
        none = written is not None and written.none is not None
        if none and written is not None and (written.cpu is not None or written.memory is not None):
            help = "keep `resources none` or the figures"
            self.report("E0221", written.keyword_span, "`resources none` states no requests or limits, and this block states some", help)
        return model.Resources(cpu.low, cpu.high, memory.low, memory.high, none=none)

    def port_list(self, decls: Iterable[decl.PortDecl], owner: str, *, service: bool = True) -> tuple[model.Port, ...]:
        """The ports of a container or external; a name or number declared twice is an error.

        ``port http 80 -> 8080`` is Service port 80 for container port 8080; each number a pod's
        ports are known by (container and Service ports) names one port. An external has no Service
        (``service=False``), so its ports take no ``->``.
        """
        ports: list[model.Port] = []
        seen: dict[Any, Span] = {}
        for p in decls:
            if p.name is None or p.number is None:
                continue
            self.check_name(p.name, "port", PORT_NAME, 15)
            port = self.port_of_decl(p, owner, service)
            numbers = {port.number, port.service_port}
            keys = (p.name.value, *((n, port.protocol) for n in sorted(numbers)))
            first = next((seen[k] for k in keys if k in seen), None)
            if first is not None:
                shown = f"{p.name.value} ({port.numbers}/{port.protocol.lower()})"
                self.report(
                    "E0212",
                    p.span,
                    f'port {shown} of "{owner}" repeats the name or number of another port',
                    "give every port of a pod its own name and number",
                    (Related(first, "first declared here"),),
                )
            for k in keys:
                seen.setdefault(k, p.span)
            ports.append(port)
        return tuple(ports)

    def port_of_decl(self, p: decl.PortDecl, owner: str, service: bool) -> model.Port:
        """One declared port: ``port NAME NUMBER`` or ``port NAME SERVICE_PORT -> CONTAINER_PORT``."""
        assert p.name is not None and p.number is not None
        first = p.number.value
        node_port = self.node_port(p, owner, service)
        if p.target is None:
            return model.Port(p.name.value, first.number, first.protocol, node_port=node_port)
        target = p.target.value
        if not service:
            self.report(
                "E0113",
                p.target.span,
                f'port "{p.name.value}" of "{owner}" is an external\'s: it has no Service port to map',
                f"write `port {p.name.value} {first.number}`: callers reach an external on the port it listens on",
            )
            return model.Port(p.name.value, first.number, first.protocol)
        if first.protocol != target.protocol:
            both = (target if target.protocol != "TCP" else first).protocol.lower()
            self.report(
                "E0120",
                p.span,
                f'Service port {first.number}/{first.protocol.lower()} and container port {target.number}/{target.protocol.lower()} of "{p.name.value}" '
                "differ in protocol",
                f"a Service port forwards one protocol: write `port {p.name.value} {first.number}/{both} -> {target.number}/{both}`",
            )
        service_number = None if first.number == target.number else first.number
        return model.Port(p.name.value, target.number, target.protocol, service_number, node_port)

    def node_port(self, p: decl.PortDecl, owner: str, service: bool) -> int | None:
        """The node port a port asks for: a port of a Service, in the API server's default node-port range."""
        if p.node_port is None:
            return None
        if not service:
            self.report("E0113", p.node_port.span, f'port "{written(p.name, "")}" of "{owner}" is an external\'s: it has no node port', "remove `node_port`")
            return None
        low, high = NODE_PORTS
        if not low <= p.node_port.value <= high:
            help = f"write a port from {low} to {high} (the API server's default --service-node-port-range), or leave it out"
            self.report("E0216", p.node_port.span, f"node port {p.node_port.value} is outside {low}-{high}", help)
        return p.node_port.value
