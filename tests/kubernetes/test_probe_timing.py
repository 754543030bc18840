"""A health check may state its own timing; what it leaves out is its probes block's.

Bank of Anthos (GoogleCloudPlatform/bank-of-anthos@d0af04743a6d951665169ca6370d15725ec51252,
kubernetes-manifests/balance-reader.yaml) gives each probe its own: liveness after 120s, readiness
after 60s, both every 5s with a 10s timeout, and a startup probe of 30 failures every 10s.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.backends.docs.context.text import check as in_words
from orion_dsl.pipeline import analyze_text

from .helpers import find, objects

SPEC = """
topology bank {{ version "1.0" }}
network {{
  default deny
  subnet apps 10.1.0.0/24
}}
namespace bank {{
  subnet apps
  service balancereader {{
    image "bank/balancereader:1.0"
    port http 8080
    probes {{
      {checks}
      interval 5s; timeout 10s
    }}
  }}
}}
"""
CHECKS = """liveness http "/healthy" initial_delay 120s
      readiness http "/ready" initial_delay 60s
      startup http "/healthy" interval 10s timeout 1s failure_threshold 30"""


def _container(checks: str) -> tuple[dict[str, Any], list[str]]:
    analysis = analyze_text(SPEC.format(checks=checks))
    summaries = [f"{d.code} {d.summary}" for d in analysis.diagnostics]
    if analysis.topology is None:
        return {}, summaries
    container: dict[str, Any] = find(objects(analysis.topology), "Deployment", "balancereader")["spec"]["template"]["spec"]["containers"][0]
    return container, summaries


def _timing(probe: dict[str, Any]) -> tuple[int, int, int, int]:
    return probe.get("initialDelaySeconds", 0), probe["periodSeconds"], probe["timeoutSeconds"], probe["failureThreshold"]


def test_each_check_keeps_its_own_timing_and_takes_the_rest_from_the_block() -> None:
    container, _ = _container(CHECKS)
    assert _timing(container["livenessProbe"]) == (120, 5, 10, 3)
    assert _timing(container["readinessProbe"]) == (60, 5, 10, 3)
    assert _timing(container["startupProbe"]) == (0, 10, 1, 30)


def test_a_checks_own_timing_is_held_to_the_minima_of_the_blocks() -> None:
    _, summaries = _container('liveness http "/healthy" interval 500ms failure_threshold 0')
    assert [s.split()[0] for s in summaries] == ["E0216", "E0216"]


def test_the_document_shows_a_checks_own_timing_beside_it() -> None:
    analysis = analyze_text(SPEC.format(checks=CHECKS))
    assert analysis.topology is not None
    w = analysis.topology.workload("balancereader")
    assert w is not None and w.probes is not None and w.probes.startup is not None and w.probes.readiness is not None
    assert in_words(w.probes.startup, w).endswith(" (every 10s, timeout 1s, failure threshold 30)")
    assert in_words(w.probes.readiness, w).endswith(" (initial delay 60s)")
