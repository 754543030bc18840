"""Formatting for people: every number, range, port and check of the document in one style.

Ranges and percentages as the spec writes them, the same as in the diagrams
(:mod:`orion_dsl.views.numbers`: ``3..10``, ``512Mi..1Gi``, one value when both ends are
equal; ``70%``), durations as written in the spec (``30s``, ``6h``),
backup periods in words as the diagrams write them (``hourly``, ``daily at 02:00``),
times of day on a 24-hour clock (``02:00``), TCP ports as bare numbers and other protocols
with a suffix (``123/UDP``), switches as ``on``/``off``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from orion_dsl.backends.docs.markdown import code, join, md
from orion_dsl.engines import facts, has_headless_service
from orion_dsl.model import Check, Port, Probes, Resources, Workload
from orion_dsl.values import Duration, Quantity
from orion_dsl.views.numbers import percent, value_range

NONE = "—"

#: What istiod does in Istio 1.20+ (Pilot, Citadel and Galley are one binary; Mixer is gone).


_ALGORITHMS = {
    "round-robin": "Round robin",
    "least-connection": "Least connection",
    "ip-hash": "IP hash",
    "random": "Random",
}


@attrs.frozen
class Table:
    """A Markdown table: a header and rows of already formatted cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __attrs_post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"row {row!r} has {len(row)} cells; the header has {len(self.header)}")


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    """A table from any sequences of cells."""
    return Table(tuple(header), tuple(tuple(r) for r in rows))


def pct(value: int | None) -> str:
    """A percentage, ``70%``; a dash when unset."""
    return NONE if value is None else percent(value)


def onoff(value: bool) -> str:
    """A switch."""
    return "on" if value else "off"


def dur(value: Duration | None) -> str:
    """A duration as written in the spec; a dash when unset."""
    return NONE if value is None else value.text


def rate(value: tuple[int, str] | None) -> str:
    """A rate limit, ``100 per second``."""
    return NONE if value is None else f"{value[0]} per {value[1]}"


def port_number(port: Port) -> str:
    """A port number, with its protocol when it is not TCP (``123/UDP``); a Service port mapped to
    another container port is ``80 -> 8080``."""
    return port.numbers if port.protocol == "TCP" else f"{port.numbers}/{port.protocol}"


def port_named(port: Port) -> str:
    """A port with its name, ``http 3000``."""
    return f"{port.name} {port_number(port)}"


def ports(items: Iterable[Port]) -> str:
    """Named ports, comma-separated."""
    return ", ".join(port_named(p) for p in items) or NONE


def cores(value: Quantity) -> str:
    """CPU as cores (``20 cores``) for whole cores, else as written (``500m``)."""
    if value.amount % 1000 == 0:
        n = value.amount // 1000
        return f"{n} core" if n == 1 else f"{n} cores"
    return value.text


def cpu(resources: Resources) -> str:
    """CPU ``request..limit``."""
    return value_range(resources.cpu_request, resources.cpu_limit)


def memory(resources: Resources) -> str:
    """Memory ``request..limit``."""
    return value_range(resources.memory_request, resources.memory_limit)


def algorithm(name: str | None) -> str:
    """A load-balancing algorithm by its common name."""
    if name is None:
        return NONE
    return _ALGORITHMS.get(name, name)


def check(item: Check | None, workload: Workload) -> str:
    """One health check in words, with the timing it states itself."""
    if item is None:
        return NONE
    if item.kind == "http":
        port = item.port or (workload.container.ports[0] if workload.container.ports else None)
        where = f" on {port_named(port)}" if port else ""
        if item.headers:
            sent = join(", ", (code(f"{n}: {v}") for n, v in item.headers))
            return md("HTTP GET {}{} with {}{}", code(item.path or "/"), where, sent, _own_timing(item))
        return md("HTTP GET {}{}{}", code(item.path or "/"), where, _own_timing(item))
    if item.kind == "tcp":
        return (f"TCP connect to {port_named(item.port)}" if item.port else "TCP connect") + _own_timing(item)
    if item.kind == "grpc":
        on = port_named(item.port) if item.port else "the first port"
        if item.service is not None:
            return md("gRPC health check of {} on {}{}", code(item.service), on, _own_timing(item))
        return md("gRPC health check on {}{}", on, _own_timing(item))
    return md("exec {}{}", code(" ".join(item.command)), _own_timing(item))


def _own_timing(item: Check) -> str:
    """`` (every 10s, failure threshold 30)``: what of its timing a check states itself, or nothing."""
    t = item.timing
    parts = [f"{what} {value.text}" for what, value in (("every", t.interval), ("timeout", t.timeout), ("initial delay", t.initial_delay)) if value]
    parts += [f"failure threshold {t.failure_threshold}"] if t.failure_threshold is not None else []
    return f" ({', '.join(parts)})" if parts else ""


def timing(probes: Probes) -> str:
    """The shared timing of a workload's probes."""
    parts = [f"every {probes.interval.text}", f"timeout {probes.timeout.text}"]
    if probes.initial_delay is not None:
        parts.append(f"initial delay {probes.initial_delay.text}")
    parts += [f"failure threshold {probes.failure_threshold}", f"success threshold {probes.success_threshold}"]
    return ", ".join(parts)


def service_kind(w: Workload) -> str:
    """The Service a workload gets: ``ClusterIP`` if it has a port, and ``headless`` for a StatefulSet
    (for a workload with an engine, if its operator makes one)."""
    kinds = [*(["headless"] if has_headless_service(w) else []), *(["ClusterIP"] if w.ports else [])]
    return " + ".join(kinds) or NONE


def image_text(w: Workload) -> str:
    """A workload's image for a table cell (each version's, for a service with versions); a pooler without one runs its operator's image."""
    if w.versions:
        return ", ".join(f"{code(v.image)} ({v.name})" for v in w.versions)
    if w.container.image:
        return code(w.container.image)
    return f"{facts(w.engine).operator}'s image" if w.engine is not None else NONE


def replica_text(w: Workload) -> str:
    """Replicas for a table cell: ``3 (autoscaled 3..10)``, ``2``, or for a service with versions ``4 (v1 2, v2 1, v3 1)``."""
    if w.versions:
        return f"{w.max_replicas} ({', '.join(f'{v.name} {v.replicas}' for v in w.versions)})"
    if w.autoscale is not None:
        return f"{w.replicas} (autoscaled {value_range(w.autoscale.min, w.autoscale.max)})"
    return str(w.replicas)


def count(n: int, noun: str) -> str:
    """``1 replica``, ``3 replicas``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def replica_words(w: Workload) -> str:
    """Replicas for a sentence: ``3 replicas, autoscaled 3..10``; for a service with versions, every version's
    together and each one's (``4 replicas: v1 2, v2 1, v3 1``), since each version's Deployment runs its own."""
    if w.versions:
        return f"{count(w.max_replicas, 'replica')}: {', '.join(f'{v.name} {v.replicas}' for v in w.versions)}"
    words = count(w.replicas, "replica")
    if w.autoscale is not None:
        words += f", autoscaled {value_range(w.autoscale.min, w.autoscale.max)}"
    return words
