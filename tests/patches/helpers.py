"""Specs with patches, analysed and built as `orion compile` builds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orion_dsl.backends import istio, kubernetes
from orion_dsl.diagnostics import Diagnostic
from orion_dsl.lowering import Plan
from orion_dsl.pipeline import analyze_text

ROOT = Path(__file__).resolve().parents[2]

#: One service with an env variable, in one namespace: the Deployment shop/payments, the Service shop/payments.
BASE = """
topology shop { version "1.0" }
network {
  default deny
  dns allow
  internet deny
  subnet apps 10.1.0.0/24
}
namespace shop {
  subnet apps
  service payments {
    image "shop/payments:1.0"
    port http 8080
    env LOG_LEVEL "info"
  }
}
"""

#: A meshed example: Istio objects to patch, and a Sidecar "default" in two namespaces.
MESHED = (ROOT / "examples" / "mesh-resilience.orion").read_text(encoding="utf-8")


def plan_of(patches: str, base: str = BASE) -> Plan:
    """The plan of a spec with these patches; it must have no errors."""
    analysis = analyze_text(base + patches, "patches.orion")
    assert analysis.plan is not None, [f"{d.code} {d.summary}" for d in analysis.diagnostics if d.is_error]
    return analysis.plan


def errors(patches: str, base: str = BASE) -> list[Diagnostic]:
    """The errors of a spec with these patches."""
    return [d for d in analyze_text(base + patches, "patches.orion").diagnostics if d.is_error]


def built(patches: str, base: str = BASE) -> list[dict[str, Any]]:
    """Every object of both targets, patched."""
    plan = plan_of(patches, base)
    return [*kubernetes.objects(plan)[0], *istio.objects(plan)[0]]


def find(objs: list[dict[str, Any]], kind: str, name: str, namespace: str = "shop") -> dict[str, Any]:
    """The one object of a kind, name and namespace."""
    hits = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name and o["metadata"].get("namespace") == namespace]
    assert len(hits) == 1, (kind, name, namespace, len(hits))
    return hits[0]


def container(objs: list[dict[str, Any]], name: str = "payments") -> dict[str, Any]:
    """The main container of the Deployment shop/payments."""
    found: dict[str, Any] = next(c for c in find(objs, "Deployment", "payments")["spec"]["template"]["spec"]["containers"] if c["name"] == name)
    return found
