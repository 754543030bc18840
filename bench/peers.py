"""ORION's Kubernetes compile beside its peers, one interleaved run: ``python bench/peers.py``.

Each tool makes the Kubernetes YAML of N services in a fresh process, measured whole (wall
and CPU seconds, peak resident memory from ``wait4``):

- **orion**: ``orion compile SPEC --target kubernetes -o OUT`` on bench/generate.py's spec
  (into a fresh folder: every file written);
- **pyyaml-c**: the floor: Python dicts (per service a Deployment, a Service, an
  autoscaling/v2 HPA and a NetworkPolicy admitting three callers) dumped by PyYAML's C dumper;
- **jsonnet-rs**: bench/peers/topology.jsonnet, the same objects, by Rust Jsonnet
  (``rjsonnet``) as a YAML stream;
- **kcl**: bench/peers/topology.k, the same objects, by KCL (``kcl-lib``).

The peers are optional: ``pip install -e '.[bench]'``; a tool that is not installed is left
out of the table. Before timing, every peer's output is loaded back and compared with the
Python floor's objects, so that all of them make the same documents. ORION makes more
documents per service (PodDisruptionBudgets, ServiceAccounts, Istio-facing Services...),
hence both documents per second and milliseconds per service.

Every child runs from compiled bytecode, as an installed package does (pip compiles it at
install time): the children are started without ``PYTHONDONTWRITEBYTECODE`` and with a
``PYTHONPYCACHEPREFIX`` in the scratch folder, and one untimed run of each command fills
that cache first. Otherwise ORION's own modules, which an editable install leaves as
source, would be compiled again in every timed process while Lark and PyYAML load theirs
from site-packages' bytecode.

CPU time is user plus system time; the table also gives user time alone, because ORION's
output is a tree of files (one per object, 46,334 at 5,000 services) while the peers write
one stream, and on this shared machine's ext4 disk creating a file has cost anywhere from 12
to 200 µs of system time depending on what else was writing (none of it ORION's code).

Rounds interleave the tools and sizes (each round in a rotated order), so a busy moment
on the machine falls on all of them; medians are reported. Beside the table, ``orion
check`` on the 1,000-service spec is timed against Lark alone parsing the same text with
ORION's grammar, both as whole processes.

``--quick``: 200 and 1,000 services, one round (about a minute); ``--no-write`` prints the
table without writing it into docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import write_doc  # noqa: E402

DOC = ROOT / "docs" / "PERFORMANCE.md"
#: ORION's grammar, read directly: the Lark-alone child imports Lark and nothing of ORION's.
GRAMMAR = ROOT / "grammar" / "orion.lark"
MARKERS = ("<!-- bench-peers:start -->", "<!-- bench-peers:end -->")
TOOLS = ("orion", "pyyaml-c", "jsonnet-rs", "kcl")
#: The module each optional peer needs.
_NEEDS = {"jsonnet-rs": "rjsonnet", "kcl": "kcl_lib"}


# ---------------------------------------------------------------- the peers' topology, in Python
def objects(n: int) -> list[dict[str, Any]]:
    """The four objects of each of ``n`` services, as bench/peers/topology.{k,jsonnet} make them."""
    return [o for i in range(n) for o in _service(i, n)]


def _service(i: int, n: int) -> list[dict[str, Any]]:
    name, labels = f"svc-{i}", {"app": f"svc-{i}"}
    meta = {"name": name, "namespace": f"ns-{i // 20}", "labels": labels}
    callers = [(i * 7 + 1) % n, (i * 13 + 2) % n, (i * 31 + 3) % n]
    container = {
        "name": name,
        "image": f"registry.example.com/{name}:1.0.0",
        "ports": [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
    }
    metrics = [
        {"type": "Resource", "resource": {"name": r, "target": {"type": "Utilization", "averageUtilization": u}}} for r, u in (("cpu", 70), ("memory", 80))
    ]
    admitted = [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": f"ns-{c // 20}"}}, "podSelector": {"matchLabels": {"app": f"svc-{c}"}}}
        for c in callers
    ]
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta,
            "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta,
            "spec": {
                "selector": labels,
                "ports": [{"name": "http", "port": 80, "targetPort": "http"}, {"name": "metrics", "port": 9090, "targetPort": "metrics"}],
            },
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": meta,
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}, "minReplicas": 2, "maxReplicas": 10, "metrics": metrics},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta,
            "spec": {
                "podSelector": {"matchLabels": labels},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": admitted, "ports": [{"protocol": "TCP", "port": 8080}]}],
            },
        },
    ]


# ---------------------------------------------------------------- children: one tool, one size, one process
def _pyyaml(n: int) -> str:
    import yaml

    return yaml.dump_all(objects(n), Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False)


def _jsonnet(n: int) -> str:
    import rjsonnet  # type: ignore[import-not-found]

    text: str = json.loads(rjsonnet.evaluate_file(str(HERE / "peers" / "topology.jsonnet"), ext_codes={"n": str(n)}))
    return text


def _kcl(n: int) -> str:
    import kcl_lib.api as kcl  # type: ignore[import-not-found]

    done = kcl.API().exec_program(kcl.ExecProgramArgs(k_filename_list=[str(HERE / "peers" / "topology.k")], args=[kcl.Argument(name="n", value=str(n))]))
    if done.err_message:
        raise SystemExit(f"kcl: {done.err_message}")
    text: str = done.yaml_result
    return text


_MAKERS: dict[str, Callable[[int], str]] = {"pyyaml-c": _pyyaml, "jsonnet-rs": _jsonnet, "kcl": _kcl}


def _child(tool: str, n: int, out: Path) -> None:
    """Make ``tool``'s YAML for ``n`` services and write it to ``out``."""
    out.write_text(_MAKERS[tool](n), encoding="utf-8")


def _lark_alone(spec: Path) -> None:
    """Parse ``spec`` with Lark alone: ORION's grammar, the contextual lexer, LALR and the barest tree (the floor of ``orion check``)."""
    from lark import Lark

    class Bare:
        __slots__ = ("children",)

        def __init__(self, _rule: str, children: list[Any]) -> None:
            self.children = children

    Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer="contextual", tree_class=Bare, maybe_placeholders=False, cache=True).parse(
        spec.read_text(encoding="utf-8")
    )


# ---------------------------------------------------------------- parent: measure
def _environment(scratch: Path) -> dict[str, str]:
    """The children's environment: bytecode written and read, in a cache under ``scratch`` (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    return env


def timed(argv: list[str], scratch: Path) -> dict[str, float]:
    """Run a command in a fresh process (bytecode cached under ``scratch``): wall and CPU seconds, peak RSS in MB."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=_environment(scratch))
    assert child.stderr is not None
    err = child.stderr.read().decode("utf-8", errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{err[-3000:]}")
    return {"seconds": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime, "user": usage.ru_utime, "peak_mb": usage.ru_maxrss / 1024}


def _run(tool: str, n: int, scratch: Path) -> dict[str, float]:
    """One timed run of one tool; its document count beside the times."""
    if tool == "orion":
        out = Path(tempfile.mkdtemp(dir=scratch))
        result = timed([sys.executable, "-m", "orion_dsl", "compile", str(scratch / f"spec-{n}.orion"), "--target", "kubernetes", "-o", str(out)], scratch)
        result["documents"] = sum(1 for p in (out / "kubernetes").rglob("*.yaml") if p.name != "kustomization.yaml")
        subprocess.run(["rm", "-rf", str(out)], check=True)
        return result
    result = timed([sys.executable, str(Path(__file__).resolve()), "--child", tool, str(n), str(scratch / f"{tool}-{n}.yaml")], scratch)
    result["documents"] = 4 * n  # the floor's objects, as _same_objects checked
    return result


def _same_objects(tool: str, n: int, scratch: Path) -> None:
    """Refuse to time a peer whose output does not load to the Python floor's objects."""
    import yaml

    out = scratch / f"{tool}-{n}.yaml"
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", tool, str(n), str(out)], check=True, cwd=ROOT, env=_environment(scratch))
    made = [d for d in yaml.load_all(out.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) if d is not None]
    if made != objects(n):
        raise SystemExit(f"{tool} does not make the same objects as the Python floor for {n} services")


def _warm_up(scratch: Path) -> None:
    """One untimed run of ORION's compile, ``orion check`` and Lark alone on a small spec, to fill the bytecode cache."""
    from generate import generate

    spec = scratch / "spec-warm-up.orion"
    spec.write_text(generate(20), encoding="utf-8")
    timed([sys.executable, "-m", "orion_dsl", "compile", str(spec), "--target", "kubernetes", "-o", str(scratch / "warm-up")], scratch)
    timed([sys.executable, "-m", "orion_dsl", "check", str(spec)], scratch)
    timed([sys.executable, str(Path(__file__).resolve()), "--lark", str(spec)], scratch)


def available(tools: tuple[str, ...]) -> list[str]:
    """The tools whose optional modules are installed (ORION and the PyYAML floor always are)."""
    import importlib.util

    return [t for t in tools if t not in _NEEDS or importlib.util.find_spec(_NEEDS[t]) is not None]


def measure(sizes: list[int], rounds: int, tools: list[str]) -> dict[str, Any]:
    """Every tool at every size, ``rounds`` times, interleaved; then ``orion check`` against Lark alone at 1,000 services."""
    sys.path.insert(0, str(ROOT))
    from generate import generate

    runs: dict[tuple[str, int], list[dict[str, float]]] = {(t, n): [] for t in tools for n in sizes}
    with tempfile.TemporaryDirectory(prefix="orion-peers-") as folder:
        scratch = Path(folder)
        for n in sizes:
            (scratch / f"spec-{n}.orion").write_text(generate(n), encoding="utf-8")
        for tool in tools[1:]:
            _same_objects(tool, 20, scratch)  # also fills the bytecode cache for the peers
        _warm_up(scratch)
        order = [(t, n) for n in sizes for t in tools]
        for number in range(rounds):
            turn = order[number % len(order) :] + order[: number % len(order)]
            for tool, n in turn:
                print(f"round {number + 1}/{rounds}: {tool} at {n:,} services", file=sys.stderr, flush=True)
                runs[tool, n].append(_run(tool, n, scratch))
        (scratch / "spec-check.orion").write_text(generate(1000), encoding="utf-8")
        spec = str(scratch / "spec-check.orion")
        check: dict[str, list[dict[str, float]]] = {"orion check": [], "Lark alone": []}
        for _ in range(rounds):
            check["orion check"].append(timed([sys.executable, "-m", "orion_dsl", "check", spec], scratch))
            check["Lark alone"].append(timed([sys.executable, str(Path(__file__).resolve()), "--lark", spec], scratch))
    return {"runs": runs, "check": check, "sizes": sizes, "tools": tools, "rounds": rounds}


# ---------------------------------------------------------------- the table
def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def table(result: dict[str, Any]) -> str:
    """The Markdown block that goes between the markers: one row per tool and size, ratios, growth, check."""
    runs, sizes, tools = result["runs"], result["sizes"], result["tools"]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} with Python {platform.python_version()} on {platform.machine()} ({platform.system()}), "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end; {result['rounds']} interleaved round(s), medians, whole processes.",
        "",
        "| tool | services | documents | wall (s) | CPU (s) | docs/s (CPU) | ms/service (CPU) | user CPU (s) | docs/s (user) | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        for tool in tools:
            r = runs[tool, n]
            cpu, docs = _median(r, "cpu"), r[0]["documents"]
            user = _median(r, "user")
            rates = f"{docs / cpu:,.0f} | {1000 * cpu / n:.2f} | {user:.2f} | {docs / user:,.0f}"
            lines.append(f"| {tool} | {n:,} | {docs:,.0f} | {_median(r, 'seconds'):.2f} | {cpu:.2f} | {rates} | {_median(r, 'peak_mb'):.0f} |")
    lines += [
        "",
        "ORION against each peer (CPU time, and user CPU time alone; above 1 ORION is slower):",
        "",
        "| services | peer | per document | per service | per document (user) |",
        "|---:|---|---:|---:|---:|",
    ]
    for n in sizes:
        orion = runs["orion", n]
        mine = _median(orion, "cpu")
        for peer in tools[1:]:
            theirs = _median(runs[peer, n], "cpu")
            per_doc = (mine / orion[0]["documents"]) / (theirs / runs[peer, n][0]["documents"])
            per_doc_user = (_median(orion, "user") / orion[0]["documents"]) / (_median(runs[peer, n], "user") / runs[peer, n][0]["documents"])
            lines.append(f"| {n:,} | {peer} | {per_doc:.2f}× | {mine / theirs:.2f}× | {per_doc_user:.2f}× |")
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines += ["", f"Growth, t({large:,}) / t({small:,}) in CPU time ({large / small:g} is linear):", ""]
        lines += [f"- {tool}: {_median(runs[tool, large], 'cpu') / _median(runs[tool, small], 'cpu'):.2f}" for tool in tools]
    check = result["check"]
    orion, lark = check["orion check"], check["Lark alone"]
    lines += [
        "",
        "`orion check` at 1,000 services against Lark alone parsing the same text (ORION's grammar, the barest tree), whole processes:",
        "",
        "| process | wall (s) | CPU (s) | peak RSS (MB) |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {_median(r, 'seconds'):.2f} | {_median(r, 'cpu'):.2f} | {_median(r, 'peak_mb'):.0f} |" for name, r in check.items()),
        "",
        f"`orion check` takes {_median(orion, 'cpu') / _median(lark, 'cpu'):.2f}× Lark alone's CPU time (goal ≤ 1.3×)"
        f" and {_median(orion, 'peak_mb'):.0f} MB (goal ≤ 100 MB).",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Entry point (and the children's)."""
    if len(argv) == 5 and argv[1] == "--child":
        _child(argv[2], int(argv[3]), Path(argv[4]))
        return 0
    if len(argv) == 3 and argv[1] == "--lark":
        _lark_alone(Path(argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000", help="comma-separated service counts (default: 1000,5000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default: 3)")
    parser.add_argument("--quick", action="store_true", help="200 and 1,000 services, one round")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {DOC.relative_to(ROOT)} alone")
    args = parser.parse_args(argv[1:])
    sizes = [200, 1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    tools = available(TOOLS)
    missing = sorted(set(TOOLS) - set(tools))
    if missing:
        print(f"not installed, left out: {', '.join(missing)} (pip install -e '.[bench]')", file=sys.stderr)
    block = table(measure(sizes, 1 if args.quick else args.rounds, tools))
    print(block)
    if not args.no_write:
        write_doc(block, DOC, MARKERS)
        print(f"\nwritten to {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
