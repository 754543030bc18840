"""Checklist rows marked Diag (shared/SEED-CHECKLIST.md): each fact visible in the seed's diagrams.

Checked on what Graphviz draws (``dot -Tjson``); Mermaid shows the same graph by construction
(see test_structure.py).
"""

from __future__ import annotations

from orion_dsl.backends.docs import render as render_docs
from orion_dsl.model import Topology
from orion_dsl.views.common import peer_id, workload_id
from orion_dsl.views.graph import node_id_part
from tests.diagrams.dotdata import all_text, cluster_members, cluster_text, edges, node_text
from tests.support.plans import planned


def _dot(files: dict[str, str], view: str) -> str:
    return files[f"diagrams/{view}.dot"]


def _styles(files: dict[str, str], view: str, tail: str, head: str) -> list[str]:
    return [e.get("style", "solid") for e in edges(_dot(files, view))[(tail, head)]]


def _labels(files: dict[str, str], view: str, tail: str, head: str) -> list[str]:
    return [str(e.get("label", "")) for e in edges(_dot(files, view))[(tail, head)]]


def test_s02_every_namespace_is_a_subgraph_of_the_namespaces_view(seed: Topology, seed_files: dict[str, str]) -> None:
    titles = set(cluster_text(_dot(seed_files, "namespaces")).values())
    assert {ns.name for ns in seed.namespaces} <= titles


def test_s03_system_namespace_shows_rbac_accounts_and_shared_objects(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "namespaces"))["ns_orion_system"]
    assert all(s in shown for s in ("RBAC", "ServiceAccount", "orion-shared-config", "orion-shared-secrets"))


def test_s05_s18_workloads_show_kind_and_replicas(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "topology"))
    assert shown["wl_gateway"] == "gateway Deployment\nReplicas: 3"
    assert shown["wl_postgres"] == "postgres Cluster\nReplicas: 3"  # CloudNativePG's resource
    assert shown["wl_rabbitmq"] == "rabbitmq RabbitmqCluster\nReplicas: 3"


def test_s14_postgres_service_is_the_cluster_ip_clients_call(seed_files: dict[str, str]) -> None:
    # CloudNativePG makes no headless Service: ORION's postgres Service selects the read-write pooler
    assert node_text(_dot(seed_files, "topology"))["svc_postgres"] == "postgres Service\nClusterIP :5432"


def test_s16_s17_storage_claims_are_drawn_with_sizes(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "topology"))
    assert "100Gi ssd" in shown["pvc_postgres_data"] and "10Gi ssd" in shown["pvc_redis_data"]


def test_s20_scrape_edges_dotted(seed: Topology, seed_files: dict[str, str]) -> None:
    scraper = peer_id(next(e.source for e in seed.allow_graph.edges if e.rule == "scrape"))
    scraped = [peer_id(e.target) for e in seed.allow_graph.edges if e.rule == "scrape"]
    assert scraped and all(_styles(seed_files, "policies", scraper, t) == ["dotted"] for t in scraped)


def test_s20_namespace_scrapes_are_dotted(seed_files: dict[str, str]) -> None:
    styles = _styles(seed_files, "namespaces", "ns_orion_monitoring", "ns_orion_data")
    labels = _labels(seed_files, "namespaces", "ns_orion_monitoring", "ns_orion_data")
    assert styles == ["dotted"] and labels == ["scrapes"]


def test_s21_s24_hpa_bounds_and_targets_in_scaling_view(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "scaling"))
    assert shown["hpa_gateway"].split("\n")[1:4] == ["replicas 3..10", "CPU 70%", "memory 80%"]
    assert "replicas 3..8" in shown["hpa_auth"] and "CPU 75%" in shown["hpa_auth"]
    assert "queue notifications on rabbitmq: 100 per replica" in shown["hpa_notification"]
    assert shown["metrics_queues"] == "KEDA\nqueue depths from rabbitmq"


def test_s21_topology_view_shows_hpa_min_max(seed_files: dict[str, str]) -> None:
    assert "Min: 3, Max: 10" in node_text(_dot(seed_files, "topology"))["hpa_gateway"]


def test_s26_cluster_autoscaler_bounds(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "scaling"))["cluster_autoscaler"]
    assert "nodes 3..20" in shown and "utilisation < 50%" in shown


def test_s28_blue_green_versions_and_active_colour(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "scaling"))["bluegreen_gateway"]
    assert "blue v1.0 (active)" in shown and "green v1.1\n" in shown


def test_s30_subnets_are_clusters_with_cidrs(seed: Topology, seed_files: dict[str, str]) -> None:
    titles = "\n".join(cluster_text(_dot(seed_files, "network")).values())
    assert all(f"Subnet {s.name} - {s.cidr}" in titles for s in seed.subnets)


def test_s31_address_labels(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "network"))
    expected = {
        "ing_edge": "10.0.1.10",
        "wl_gateway": "10.0.10.10..10.0.10.20",
        "wl_notification": "10.0.10.70..10.0.10.80",
        "wl_postgres": "10.0.20.10..10.0.20.12",
        "wl_prometheus": "10.0.30.10",
        "wl_dashboard": "10.0.40.20",
    }
    assert {k: shown[k].split("\n")[-1] for k in expected} == expected


def test_s33_internet_reaches_the_controller_on_443(seed_files: dict[str, str]) -> None:
    assert _labels(seed_files, "policies", "net_internet", "ing_edge") == ["https 443"]


def test_s34_gateway_reaches_services_on_their_ports(seed_files: dict[str, str]) -> None:
    got = {t: _labels(seed_files, "policies", "wl_gateway", f"wl_{t}") for t in ("auth", "user", "notification")}
    assert got == {"auth": ["http 3001"], "user": ["http 3002"], "notification": ["http 3003"]}


def test_s35_services_reach_data_stores(seed_files: dict[str, str]) -> None:
    pairs = set(edges(_dot(seed_files, "policies")))
    assert {("wl_user", "wl_redis"), ("wl_user", "wl_rabbitmq"), ("wl_auth", "wl_pgbouncer")} <= pairs
    assert ("wl_auth", "wl_rabbitmq") not in pairs


def test_s37_dns_and_smtp_ports(seed_files: dict[str, str]) -> None:
    assert _labels(seed_files, "policies", "wl_gateway", "dns_kube_dns") == ["dns-tcp 53, dns 53/udp"]
    assert _labels(seed_files, "policies", "wl_notification", "ext_sendgrid") == ["smtps 465, smtp 587"]


def test_s32_s37_posture_note(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "policies"))["policy_notes"]
    assert "Default deny" in shown and "internet egress denied" in shown and "orion-data" in shown


def test_s38_edge_cdn_load_balancer_and_geodns(seed_files: dict[str, str]) -> None:
    shown = all_text(_dot(seed_files, "network"))
    assert all(s in shown for s in ("cloudflare CDN\nDDoS protection\nWAF", "public Load Balancer", "Region eu\nAWS ELB eu"))


def test_s39_controller_features(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "ingress-egress"))["ing_edge"]
    assert all(s in shown for s in ("edge Istio Gateway", "replicas 3, round-robin", "CORS https://*.orion.com"))
    # what the gateway's EnvoyFilter and WasmPlugin apply are features: nothing is drawn as not applied
    assert all(s in shown for s in ("rate limit 100/second per client per pod", "request buffering", "compression", "WAF modsecurity (OWASP core rules)"))
    assert "not applied" not in shown


def test_s40_cert_manager_tls_edge_is_dotted(seed_files: dict[str, str]) -> None:
    assert _styles(seed_files, "topology", "certmgr", "ing_edge") == ["dotted"]


def test_s40_tls_minimum_and_issuer(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "ingress-egress"))["tls"]
    assert "minimum TLS 1.3" in shown and "issuer letsencrypt" in shown


def test_s41_hosts_lead_to_their_targets(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "ingress-egress"))
    pairs = set(edges(_dot(seed_files, "ingress-egress")))
    hosts = {shown[t]: h[len("svc_") :] for t, h in pairs if t.startswith("host_")}
    assert hosts == {"*.orion.com": "gateway", "api.orion.com": "gateway", "admin.orion.com": "admin_ui", "grafana.orion.com": "grafana"}


def test_s42_path_routes(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "ingress-egress"))
    routes = sorted(v for k, v in shown.items() if k.startswith("route_gateway"))
    assert {"/api/analytics/* -> analytics :3004", "/api/auth/* -> auth :3001", "/.well-known/jwks.json -> auth :3001"} <= set(routes)  # the last: S51's keys
    assert ("route_gateway_1", "svc_auth") in edges(_dot(seed_files, "ingress-egress"))


def test_s43_egress_gateway_features(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "ingress-egress"))["egressgw"]
    # the seed's "TLS origination" is the sidecars' mutual TLS to the gateway: nothing originates TLS to the external
    assert "mTLS from the sidecars" in shown and "SNI routing" in shown and "TLS origination" not in shown


def test_s43_the_diagrams_route_through_the_gateway_what_the_output_does(seed_files: dict[str, str]) -> None:
    groups = [line for line in seed_files["diagrams/ingress-egress.dot"].splitlines() if "label=\"Allowed: " in line]
    assert any("smtps 465 via egress gateway; smtp 587 direct" in g for g in groups)
    mesh = seed_files["diagrams/mesh.dot"]
    assert '"egressgw" -> "ext_sendgrid" [label="465"];' in mesh and '"egressgw" -> "ext_s3" [label="443"];' in mesh


def test_s44_allow_listed_externals(seed: Topology, seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "ingress-egress"))
    assert {f"ext_{x.name.replace('-', '_')}" for x in seed.externals} <= set(shown)


def test_s46_each_meshed_pod_has_app_and_envoy(seed: Topology, seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "mesh"))
    meshed = [w.name for w in seed.workloads if w.meshed]
    assert meshed and all(shown[f"envoy_{node_id_part(m)}"].split("\n")[1].endswith("+ Envoy sidecar") for m in meshed)


def test_s46_istiod_reaches_each_meshed_namespace_with_one_dotted_arrow(seed: Topology, seed_files: dict[str, str]) -> None:
    drawn = [e for (tail, _), es in edges(_dot(seed_files, "mesh")).items() if tail == "istiod" for e in es]
    namespaces = {w.namespace for w in seed.workloads if w.meshed}
    assert sorted(str(e["lhead"]) for e in drawn) == sorted(f"cluster_sg_meshns_{ns.replace('-', '_')}" for ns in namespaces)
    assert {e.get("style") for e in drawn} == {"dotted"}


def test_s47_mtls_strict_between_sidecars(seed_files: dict[str, str]) -> None:
    assert _styles(seed_files, "mesh", "envoy_gateway", "envoy_auth") == ["solid"]
    assert "solid: mTLS STRICT call between sidecars" in node_text(_dot(seed_files, "mesh"))["mesh_legend"]


def test_s48_lb_algorithms_in_mesh_view(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "mesh"))
    got = {w: shown[f"envoy_{w}"].split("\n")[2] for w in ("gateway", "auth", "user", "notification")}
    assert got == {
        "gateway": "LB: least-connection",
        "auth": "LB: round-robin",
        "user": "LB: least-connection",
        "notification": "LB: hash on cookie orion-notification (1h)",
    }


def test_s49_retries_timeouts_circuit_breaking(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "mesh"))["envoy_gateway"]
    assert all(s in shown for s in ("timeout 15s", "retries 3 x 5s", "circuit breaker: 5 errors, eject 30s", "max 1000 connections"))


def test_s49_tracing_in_telemetry(seed_files: dict[str, str]) -> None:
    assert "telemetry: tracing 10% sampled" in node_text(_dot(seed_files, "mesh"))["istiod"]


def test_s50_pooler_in_front_of_postgres(seed_files: dict[str, str]) -> None:
    pairs = set(edges(_dot(seed_files, "topology")))
    assert {("wl_auth", "svc_pgbouncer"), ("wl_pgbouncer", "svc_postgres")} <= pairs


def test_s51_jwt_at_the_gateway(seed_files: dict[str, str]) -> None:
    assert _labels(seed_files, "mesh", "jwt", "envoy_gateway") == ["RequestAuthentication"]


def test_s57_postgres_backup_schedules(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "disaster-recovery"))
    jobs = [shown[f"job_postgres_{i}"] for i in (1, 2, 3)]
    assert jobs == ["full backup\ndaily at 02:00", "incremental backup\nevery 6h", "wal backup\ncontinuous"]


def test_s57_the_incremental_backup_is_drawn_as_a_volume_snapshot_not_into_the_bucket(seed_files: dict[str, str]) -> None:
    """CloudNativePG's incremental backup is a CSI volume snapshot (I1057): the arrow goes to the snapshots, not to s3-primary."""
    links = edges(_dot(seed_files, "disaster-recovery"))
    assert ("job_postgres_2", "target_volume_snapshots") in links and ("job_postgres_2", "target_s3_primary") not in links
    assert {("job_postgres_1", "target_s3_primary"), ("job_postgres_3", "target_s3_primary")} <= set(links)


def test_s58_redis_rabbitmq_velero_and_git(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "disaster-recovery"))
    assert shown["job_redis_1"] == "snapshot backup\nhourly"
    assert shown["job_rabbitmq_1"] == "definitions backup\ndaily at 03:00"
    assert shown["job_cluster"] == "velero cluster backup\ndaily at 01:00"
    assert "on every change" in shown["job_git"]


def test_s59_destinations_replication_and_archive(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "disaster-recovery"))
    assert "s3 us-east-1" in shown["target_s3_primary"] and "s3 eu-west-1" in shown["target_s3_dr"]
    assert _labels(seed_files, "disaster-recovery", "target_s3_primary", "target_s3_dr") == ["replicate"]
    assert _labels(seed_files, "disaster-recovery", "target_s3_primary", "archive_glacier") == ["archive after 90d"]


def test_s60_recovery_objectives(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "disaster-recovery"))
    assert shown["objective_database"] == "database\nRTO 1h\nRPO 6h"
    assert shown["objective_services"] == "services\nRTO 15m\nRPO real-time"


def test_s57_s60_diagram_and_document_word_schedules_and_objectives_alike(seed: Topology, seed_files: dict[str, str]) -> None:
    doc = render_docs(planned(seed)).artifacts[0].text
    shown = node_text(_dot(seed_files, "disaster-recovery"))
    for line in ("daily at 02:00", "every 6h", "hourly", "daily at 03:00"):
        assert line in "\n".join(shown.values()) and f"| {line} |" in doc
    assert "RPO real-time" in shown["objective_services"] and "| real-time |" in doc


def test_topology_view_places_every_workload_in_its_namespace(seed: Topology, seed_files: dict[str, str]) -> None:
    dot_text = _dot(seed_files, "topology")
    for ns in seed.namespaces:
        block = dot_text.split(f'subgraph "cluster_sg_ns_{ns.name.replace("-", "_")}"', 1)[1].split("subgraph", 1)[0]
        assert all(f'"{workload_id(w.name)}"' in block for w in seed.workloads_in(ns.name))


def _dotted_network_arrows(seed_files: dict[str, str], label: str) -> set[tuple[str, str]]:
    """(tail, head) of the network view's dotted arrows with ``label``; an arrow to a subnet stands for one to each node in it."""
    dot_text = _dot(seed_files, "network")
    members = cluster_members(dot_text)
    out = set()
    for (tail, head), drawn in edges(dot_text).items():
        for e in drawn:
            if e.get("style") == "dotted" and str(e.get("label", "")) == label:
                out |= {(tail, h) for h in (members[str(e["lhead"])] if "lhead" in e else {head})}
    return out


def test_network_view_scrape_arrows_stand_for_exactly_the_allow_graphs_scrapes(seed: Topology, seed_files: dict[str, str]) -> None:
    scrapes = {(peer_id(e.source), peer_id(e.target)) for e in seed.allow_graph.edges if e.rule == "scrape" and e.target.kind == "workload"}
    assert _dotted_network_arrows(seed_files, "") == scrapes
    assert any("lhead" in e for drawn in edges(_dot(seed_files, "network")).values() for e in drawn)  # grouped, not one per pod


def test_network_view_mesh_control_reaches_exactly_the_meshed_workloads(seed: Topology, seed_files: dict[str, str]) -> None:
    assert _dotted_network_arrows(seed_files, "manages") == {("istiod", workload_id(w.name)) for w in seed.workloads if w.meshed}


def test_the_namespaces_view_names_each_kind_by_its_kubernetes_plural(seed_files: dict[str, str]) -> None:
    shown = node_text(_dot(seed_files, "namespaces"))["ns_orion_monitoring"]
    assert "Prometheuses: prometheus" in shown and "Alertmanagers: alertmanager" in shown
