"""docs/PREREQUISITES.md: the plan's prerequisites as tables, escaped like the architecture document."""

from __future__ import annotations

import attrs
from syrupy.assertion import SnapshotAssertion

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.docs import render
from orion_dsl.backends.docs.prerequisites import ANY_FILE
from orion_dsl.engines import FACTS
from orion_dsl.lowering.prerequisites import DOCUMENT, prerequisites
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import NETWORK, ROOT, load_topology
from tests.support.plans import planned
from tests.support.snapshots import MarkdownSnapshot

from .markdown import Document, parser

HOSTILE = "fast<script>|x*y*"


def _text(rendered: Rendered) -> str:
    return next(a.text for a in rendered.artifacts if a.path == DOCUMENT)


def test_seed_prerequisites_snapshot(seed_rendered: Rendered, snapshot: SnapshotAssertion) -> None:
    assert _text(seed_rendered) == snapshot(extension_class=MarkdownSnapshot)


def test_seed_lists_each_secret_with_its_keys_and_readers(seed_rendered: Rendered) -> None:
    rows = Document(_text(seed_rendered)).table("Secrets").records()
    velero = next(r for r in rows if r["Namespace"] == "velero")
    assert (velero["Secret"], velero["Keys"]) == ("s3-primary-credentials", "credentials")
    assert velero["Read by"] == "BackupStorageLocation velero/s3-primary; VolumeSnapshotLocation velero/s3-primary"


def test_an_engine_operator_is_listed_with_its_version() -> None:
    operated = load_topology(ROOT / "examples" / "operators.orion")
    rows = {r["Operator or controller"]: r for r in Document(_text(render(planned(operated)))).table("Operators and controllers").records()}
    engines = dict.fromkeys(w.engine for w in operated.workloads if w.engine is not None)
    assert engines and all(rows[FACTS[e].operator]["Version"] == f"{FACTS[e].version} or later" for e in engines)


def test_the_architecture_document_links_to_the_prerequisites(seed_rendered: Rendered) -> None:
    section = Document(seed_rendered.stream).section("Prerequisites")
    secrets = Document(_text(seed_rendered)).table("Secrets").records()
    assert "PREREQUISITES.md" in section.text and f"{len(secrets)} Secrets" in section.text


def _with_storage_class(seed: Topology, name: str) -> str:
    workloads = tuple(attrs.evolve(w, storage=tuple(attrs.evolve(s, storage_class=name) for s in w.storage)) for w in seed.workloads)
    return _text(render(planned(attrs.evolve(seed, workloads=workloads))))


def _token_types(text: str) -> list[str]:
    return [t.type for tok in parser().parse(text) for t in (tok, *(tok.children or []))]


def test_a_spec_string_adds_no_markup_and_reads_as_written(seed: Topology) -> None:
    hostile = _with_storage_class(seed, HOSTILE)
    assert _token_types(hostile) == _token_types(_with_storage_class(seed, "fast"))
    assert [r["Name"] for r in Document(hostile).table("StorageClasses").records()] == [HOSTILE]


def test_every_key_the_output_reads_says_what_it_holds(seed: Topology, seed_rendered: Rendered) -> None:
    """Those of ORION's objects; a key the spec names by path (Grafana's admin-password file) is listed, not described."""
    secrets, formats = Document(_text(seed_rendered)).section("Secrets").tables
    listed = {k for r in secrets.records() if r["Keys"] != ANY_FILE for k in r["Keys"].split(" and ")[0].split(", ")}
    known = {k for s in prerequisites(planned(seed)).secrets for k in s.known_keys}
    assert known and {r["Key"] for r in formats.records()} == known
    assert listed - known == {"admin-password"}


def test_an_operator_that_must_be_installed_one_way_says_so(seed_rendered: Rendered) -> None:
    rows = {r["Operator or controller"]: r for r in Document(_text(seed_rendered)).table("Operators and controllers").records()}
    assert rows["OT redis-operator"]["Requires"].startswith("installed with its Helm chart and redisOperator.name=redis-operator")


def test_the_apply_order_puts_prerequisites_then_kubernetes_then_istio(seed_rendered: Rendered) -> None:
    steps = Document(_text(seed_rendered)).section("Apply order").text
    assert steps.index("Everything this document lists") < steps.index("kubectl apply -k kubernetes/") < steps.index("kubectl apply -k istio/")


def test_the_apply_order_has_no_istio_step_without_a_mesh() -> None:
    plain = load_topology(ROOT / "examples" / "minimal.orion")
    assert "kubectl apply -k istio/" not in Document(_text(render(planned(plain)))).section("Apply order").text


def test_a_key_the_spec_names_is_listed_but_not_described_as_one_orion_reads() -> None:
    # "password" is also the key of ORION's Redis and RabbitMQ Secrets, which the document describes
    spec = (
        NETWORK
        + """namespace web {
  subnet apps
  service api { image "shop/api:1.0"; port http 8080; env DB_PASSWORD secret "api-db" key "password" }
}
"""
    )
    analysis = analyze_text(spec)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    text = _text(render(analysis.plan))
    rows = Document(text).table("Secrets").records()
    assert [(r["Secret"], r["Keys"]) for r in rows] == [("api-db", "password")]
    assert "What each key holds" not in text


def _features(spec: str, network: str = NETWORK) -> dict[str, str]:
    analysis = analyze_text(network + spec)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return {f.name: f.why for f in prerequisites(analysis.plan).features}


CILIUM = "a CNI whose NetworkPolicy ipBlock matches the API server's addresses (Cilium: policy-cidr-match-mode nodes)"


def test_a_call_to_the_api_server_states_what_the_cni_must_match() -> None:
    """The API server's peer is an ipBlock; Cilium leaves node addresses out of ipBlock unless
    policy-cidr-match-mode includes nodes (cilium/cilium Documentation/security/policy/language.rst)."""
    api = 'namespace web { subnet apps; service ui { image "shop/ui:1.0"; port http 8080; kubernetes_api on } }'
    features = _features(api)
    assert "ui reach the API server (443, 6443) through an ipBlock" in features[CILIUM]
    assert "--policy-cidr-match-mode=nodes" in features[CILIUM] and "policyCIDRMatchMode: nodes" in features[CILIUM]
    assert "Cilium 1.15 or later" in features[CILIUM]  # docs.cilium.io network/kubernetes/policy: "As of v1.15, ipBlock can now optionally select node IPs"
    assert "a self-managed control plane on the cluster's nodes (kubeadm) needs it" in features[CILIUM]
    assert "a managed control plane (EKS, GKE, AKS), whose endpoints are not the nodes', needs nothing" in features[CILIUM]
    assert CILIUM not in _features(api.replace("; kubernetes_api on", ""))


def test_the_api_server_row_says_where_its_callers_may_go() -> None:
    """Stated, the row names the addresses and the EndpointSlice they must hold; unstated, that the callers reach any
    address but link-local (I1088) and how to narrow it."""
    api = 'namespace web { subnet apps; service ui { image "shop/ui:1.0"; port http 8080; kubernetes_api on } }'
    open_ = _features(api)[CILIUM]
    assert "to any address but link-local, the internet included on those ports (I1088)" in open_
    assert "`network { api_server CIDR, ... }`" in open_
    stated = _features(api, NETWORK.replace("  internet deny\n", "  internet deny\n  api_server 10.0.0.1/32\n", 1))
    assert "to 10.0.0.1/32 (`network { api_server }`), which must hold the endpoints `kubectl get endpointslices" in stated[CILIUM]
    assert "I1088" not in stated[CILIUM]


def test_an_issuer_states_what_cert_manager_must_reach_in_its_own_namespace() -> None:
    issuer = 'certificates { issuer le { acme "https://acme.example/dir"; email "ops@shop.com"; dns01 cloudflare } }\n'
    app = 'namespace web { subnet apps; service api { image "shop/api:1.0"; port http 8080 } }\n'
    why = _features(issuer + app)["cert-manager's own egress and webhook ingress"]
    assert "the API server, the ACME server, cloudflare's DNS API and DNS" in why and "webhook.networkPolicy" in why
    assert "cert-manager's own egress and webhook ingress" not in _features(app)
