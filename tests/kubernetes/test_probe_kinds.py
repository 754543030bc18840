"""gRPC health checks and HTTP checks that send headers (issue 14).

A gRPC check is Kubernetes' ``grpc`` probe (GA in 1.27; k8s.io/api core/v1 ``GRPCAction``: ``port`` is an int32, a
number and never a port's name, ``service`` the name the gRPC health protocol checks); an HTTP check's headers are
``httpGet.httpHeaders`` (``HTTPHeader``, names as ``IsHTTPHeaderName`` of k8s.io/apimachinery/pkg/util/validation:
letters, digits and ``-``). In the mesh, Istio's injector rewrites HTTP, TCP and gRPC probes to its agent, so they pass
under STRICT mTLS (istio.io/latest/docs/ops/configuration/mesh/app-health-check/, "Liveness and readiness probes using
the HTTP, TCP, and gRPC approach").
"""

from __future__ import annotations

from typing import Any

from orion_dsl.backends.docs.context.text import check as in_words
from orion_dsl.pipeline import analyze_text
from tests.support.schemas import NEWEST_K8S, validate_core

from .helpers import find, main_container, objects

SPEC = """
topology emoji {{ version "1.0" }}
network {{ default deny; subnet apps 10.1.0.0/24 }}
namespace emojivoto {{
  subnet apps
  service emoji {{
    image "buoyantio/emojivoto-emoji-svc:v8"
    port admin 9990
    port grpc 80 -> 8080
    probes {{
      {checks}
    }}
  }}
}}
"""


def _deployment(checks: str) -> dict[str, Any]:
    analysis = analyze_text(SPEC.format(checks=checks))
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics if d.is_error]
    return find(objects(analysis.plan.topology), "Deployment", "emoji")


def _errors(checks: str) -> list[str]:
    return [d.code for d in analyze_text(SPEC.format(checks=checks)).diagnostics if d.is_error]


def test_a_grpc_check_calls_the_health_protocol_on_the_container_port_number_for_its_service() -> None:
    deployment = _deployment('liveness grpc grpc service "emoji"\n      readiness grpc on 8080')
    container = main_container(deployment)
    assert container["livenessProbe"]["grpc"] == {"port": 8080, "service": "emoji"}
    assert container["readinessProbe"]["grpc"] == {"port": 8080}
    assert validate_core(deployment, NEWEST_K8S) == []


def test_a_grpc_check_without_a_port_checks_the_first_one() -> None:
    assert main_container(_deployment("liveness grpc"))["livenessProbe"]["grpc"] == {"port": 9990}


def test_an_http_check_sends_its_headers_in_the_order_written() -> None:
    deployment = _deployment('startup http "/ready" on admin { header "X-Probe" "orion"; header "Host" "emoji.local"; failure_threshold 30 }')
    probe = main_container(deployment)["startupProbe"]
    assert probe["httpGet"]["httpHeaders"] == [{"name": "X-Probe", "value": "orion"}, {"name": "Host", "value": "emoji.local"}]
    assert probe["failureThreshold"] == 30
    assert validate_core(deployment, NEWEST_K8S) == []


def test_the_document_says_what_a_grpc_check_and_an_http_checks_headers_are() -> None:
    analysis = analyze_text(SPEC.format(checks='liveness grpc grpc service "emoji"\n      readiness http "/ready" on admin { header "X-Probe" "1" }'))
    assert analysis.plan is not None
    w = analysis.plan.topology.workloads[0]
    assert w.probes is not None
    assert in_words(w.probes.liveness, w) == "gRPC health check of `emoji` on grpc 80 -\\> 8080"  # the port as the document names it
    assert in_words(w.probes.readiness, w) == "HTTP GET `/ready` on admin 9990 with `X-Probe: 1`"


def test_a_header_name_kubernetes_refuses_a_header_on_another_check_and_a_service_off_grpc_are_refused() -> None:
    assert _errors('liveness http "/h" { header "X Probe" "1" }') == ["E0204"]
    assert _errors('liveness tcp grpc { header "X-Probe" "1" }') == ["E0221"]
    assert _errors('liveness http "/h" service "emoji"') == ["E0221"]
    assert _errors('liveness http "/h" { header "X-Probe" "1"; header "X-Probe" "2" }') == ["E0203"]
    assert _errors("liveness grpc nope") == ["E0213"]
