"""Valid but unusual specs compile, and Kubernetes would accept what they compile to.

A generator writes specs nobody writes by hand: no namespaces or empty ones, no workloads,
optional blocks present but empty, names at their length limit, the largest numbers the
language takes, versions and images with build metadata or digests, Unicode descriptions.
Every one that ``orion check`` accepts must render for the kubernetes, istio and docs
targets, with file names a file system takes, and every Kubernetes and Istio object must
pass the schemas (``tests.support.schemas.validate_any``).
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orion_dsl.backends import lookup
from orion_dsl.pipeline import analyze_text
from tests.support.schemas import validate_any

INT32 = 2**31 - 1
_SEGMENT = st.from_regex(r"[a-z][a-z0-9]{0,14}", fullmatch=True)


def _names(longest: int) -> st.SearchStrategy[str]:
    """DNS-1123 labels the grammar reads as one word (single hyphens), up to ``longest`` characters."""
    return st.lists(_SEGMENT, min_size=1, max_size=6).map("-".join).map(lambda s: s[:longest].rstrip("-")).filter(bool)


def _quoted(text: str) -> str:
    """A string literal for ``text`` (which has no quote, backslash or line break)."""
    return f'"{text}"'


_UNICODE = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\'), max_size=24)
_VERSION = st.sampled_from(["1", "0.0.0", "1.0.0+build.5", "v2-rc.1", "2024.01.01", "x" * 80, "ß"])
#: A blue-green version replaces the image's tag, so it is one (up to 128 characters).
_TAG_VERSION = st.sampled_from(["1", "0.0.0", "1.0.0_build.5", "v2-rc.1", "2024.01.01", "x" * 128, "V_"])
#: A program to run: not blank, no format characters (a command is parsed, unlike a description).
_PROGRAM = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf"), blacklist_characters='"\\'), min_size=1, max_size=24).filter(str.strip)
_IMAGE = st.sampled_from(
    [
        "x:1",
        "registry.example.com:5000/team/app:1.0-rc.1",
        "app@sha256:" + "0123456789abcdef" * 4,
        "app:1.0_build",
        "app",
        "postgres:16.2",
    ]
)
_PORT_NAMES = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,14}", fullmatch=True), min_size=1, max_size=3, unique=True)
#: Top-level blocks, each empty or with unusual contents (one of each keyword at most).
_OPTIONAL_BLOCKS = {
    "network": ("network {}", "network { default deny; dns deny; subnet everything 0.0.0.0/0 }"),
    "edge": ("edge {}", "edge { cdn c {}; load_balancer l {}; geodns g {}; region r {} }"),
    "certificates": ("certificates {}", 'certificates { issuer le { acme "https://acme.example.com"; email "ops@example.com"; renew_before 5m } }'),
    "mesh": (
        "mesh istio {}",
        "mesh istio { mtls permissive; tracing {}; egress_gateway {}; sidecar_resources {}; egress_rate_limit 2147483647 {}; access_log on }",
    ),
    "scaling": ("scaling {}", "scaling { vertical auto; cluster { nodes 0..2147483647 } }"),
    "security": ("security {}", "security { layer l {} }"),
}
_RECOVERY = (
    'recovery { target vault { bucket "b" } }',
    'recovery { target vault { bucket "b"; encrypted on }; archive glacier after 0s; config_in_git "x"; objective o { rto 0s; rpo 24855d } }',
    'recovery { target vault { bucket "b" }; target dr { bucket "c" }; replicate vault -> dr; cluster_backup velero every 1m to dr }',
)


#: Names close to those of objects ORION makes for another workload, the ingress or the egress gateway.
_CLOSE_NAMES = st.sampled_from(["x", "x-backup", "x-headless", "x-blue", "x-primary", "x-replica-1", "default", "allow-nothing", "istio-egressgateway"])
_HOST = st.sampled_from(["*.example.com", "a.b.c.d.e.f", "x" * 63 + ".com", "xn--bcher-kva.example", "localhost", "0a.example"])


@st.composite
def _workload(draw: st.DrawFn, name: str, index: int) -> str:
    """A service or stateful set with unusual but valid settings (a database, backups, blue-green)."""
    kind = draw(st.sampled_from(["service", "statefulset"]))
    ports = ["http", *(p for p in draw(_PORT_NAMES) if p != "http")]
    numbers = draw(st.lists(st.integers(1, 65535), min_size=len(ports), max_size=len(ports), unique=True))
    lines = [f"image {_quoted(draw(_IMAGE))}", *(f"port {p} {n}" for p, n in zip(ports, numbers, strict=True))]
    lines.append(f"description {_quoted(draw(_UNICODE))}")
    low = draw(st.integers(1, INT32))
    high = draw(st.integers(low, INT32))
    options = {
        "replicas": (f"replicas {draw(st.integers(0, INT32))}",),
        "autoscale": (f"autoscale {low}..{high} {{}}",),
        "probes": ("probes {}", f"probes {{ liveness exec {_quoted(draw(_PROGRAM))}; interval 2147483647s; initial_delay 0s }}"),
        "resources": ("resources {}", f"resources {{ cpu 1m..{INT32}; memory 1..8Pi }}"),
        "security": ("security {}",),
        "resilience": ("resilience {}", "resilience { timeout 1ms; retries 0 {}; circuit_breaker { max_ejected 0%; max_connections 0 } }"),
        "rollout": ("rollout rolling { surge 0; unavailable 1; grace 0s }",),
        "disruption_budget": ("disruption_budget {}", "disruption_budget min_available 2147483647"),
        "env": (f"env E_{low} {_quoted(draw(_UNICODE))}",),
    }
    for keyword in draw(st.lists(st.sampled_from(sorted(options)), max_size=5, unique=True)):
        lines.append(draw(st.sampled_from(options[keyword])))
    if kind == "statefulset":
        lines.append(f'storage data {draw(st.integers(1, 2**40))} at "/data"')
        if draw(st.booleans()):
            pooler = f'pooler p{index} {{ image "pgbouncer:1" }}' if draw(st.booleans()) else ""
            lines.append(f"database {{ {pooler}; read_replicas {draw(st.integers(0, 100))} }}")
    elif draw(st.booleans()):
        lines.append(f'blue_green {{ blue {_quoted(draw(_TAG_VERSION))}; green "{index}.0-green"; active green }}')
    if draw(st.booleans()):
        backups = ["backup full every 1m to vault", "backup snapshot every 20000d at 23:59 to vault", "backup wal continuous to vault"]
        lines.append(draw(st.sampled_from(backups)))
    if draw(st.booleans()):
        lines.append("calls outside")
    return f"{kind} {name} {{\n    " + "\n    ".join(lines) + "\n  }"


@st.composite
def unusual_specs(draw: st.DrawFn) -> str:
    """A whole spec: topology, some optional blocks (often empty), namespaces, workloads."""
    ns_names = draw(st.lists(_names(63) | st.sampled_from(["kube", "istio", "system"]), max_size=3, unique=True))
    workload_names = draw(st.lists(_names(50) | _CLOSE_NAMES, max_size=4, unique=True).filter(lambda ws: not set(ws) & set(ns_names)))
    parts = [f"topology {draw(_names(40))} {{ version {_quoted(draw(_VERSION))}; description {_quoted(draw(_UNICODE))} }}"]
    for keyword in draw(st.lists(st.sampled_from(sorted(_OPTIONAL_BLOCKS)), unique=True)):
        parts.append(draw(st.sampled_from(_OPTIONAL_BLOCKS[keyword])))
    homes = [draw(st.integers(0, len(ns_names) - 1)) for _ in workload_names] if ns_names else []
    for i, ns in enumerate(ns_names):
        extras = draw(st.lists(st.sampled_from(["mesh on", "labels {}", "defaults {}", f"description {_quoted(draw(_UNICODE))}"]), unique=True))
        body = [*extras, *(draw(_workload(w, j)) for j, (w, home) in enumerate(zip(workload_names, homes, strict=True)) if home == i)]
        parts.append(f"namespace {ns} {{\n  " + "\n  ".join(body) + "\n}")
    parts.append(f"external outside {{ host {_quoted(draw(_HOST))}; port https 443 }}")
    parts.append(draw(st.sampled_from(_RECOVERY)))
    if ns_names and workload_names and draw(st.booleans()):
        features = draw(st.sampled_from(["", "cors {}; tls {}; rate_limit 1 {}", "listen 1, 65535; replicas 0; compression on; request_buffering on"]))
        parts.append(f"ingress {draw(_names(54))} {{ namespace {ns_names[0]}; host {_quoted(draw(_HOST))} -> {workload_names[0]}:http; {features} }}")
        if draw(st.booleans()):
            parts.append(f'monitoring {{ scraper {workload_names[0]}; path "/"; alert A {{ expr "1"; for 0s }} }}')
    return "\n".join(parts) + "\n"


def _objects(stream: str) -> list[dict[str, Any]]:
    return [o for o in yaml.safe_load_all(stream) if o is not None]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(unusual_specs())
def test_every_unusual_spec_check_accepts_compiles_to_objects_kubernetes_accepts(text: str) -> None:
    analysis = analyze_text(text, "unusual.orion")
    if analysis.topology is None:
        return
    for target in ("kubernetes", "istio", "docs"):
        rendered = lookup(target)(analysis.plan)
        paths = [artifact.path for artifact in rendered.artifacts]
        assert len(set(paths)) == len(paths), text
        for artifact in rendered.artifacts:
            artifact.text.encode("utf-8")
            assert all(len(part.encode()) <= 255 for part in artifact.path.split("/")), artifact.path
        if target != "docs":
            objects = _objects(rendered.stream)
            names = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objects]
            assert len(set(names)) == len(names), text
            problems = [p for o in objects for p in validate_any(o, "1.28.0")]
            assert problems == [], text


def test_the_generator_writes_specs_check_accepts() -> None:
    """Most generated specs are sound: otherwise the property above tests nothing. The examples are
    derandomized: about 2% of random draws of 20 fell under half accepted, which made CI flaky."""
    accepted = 0

    @settings(max_examples=20, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(unusual_specs())
    def count(text: str) -> None:
        nonlocal accepted
        accepted += analyze_text(text, "unusual.orion").ok

    count()
    assert accepted >= 10
