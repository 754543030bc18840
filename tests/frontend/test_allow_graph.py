"""The allow-graph: computed once in the model layer, queryable with reach()."""

from __future__ import annotations

from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text


def test_s34_gateway_reaches_auth_user_notification_on_their_ports(seed: Topology) -> None:
    g = seed.allow_graph
    for target, port in (("auth", 3001), ("user", 3002), ("notification", 3003)):
        edge = g.reach("gateway", target, port)
        assert edge is not None and edge.rule == "route"


def test_s35_auth_reaches_postgres_through_the_pooler_and_redis_but_not_rabbitmq(seed: Topology) -> None:
    g = seed.allow_graph
    pooled = g.reach("auth", "pgbouncer", 5432)
    assert pooled is not None and pooled.via == "postgres"
    assert g.reach("auth", "redis", "redis") is not None
    assert g.reach("auth", "rabbitmq", 5672) is None


def test_s35_gateway_cannot_reach_the_data_tier(seed: Topology) -> None:
    data = {w.name for w in seed.workloads_in("orion-data")}
    assert not [e for e in seed.allow_graph.outgoing("gateway") if e.target.name in data]


def test_s36_prometheus_scrapes_every_metrics_port(seed: Topology) -> None:
    edges = [e for e in seed.allow_graph.outgoing("prometheus") if e.rule in ("scrape", "alerting")]  # Alertmanager's one port is both
    scraped = {e.target.name for e in edges if e.target.kind == "workload"}
    expected = {w.name for w in seed.workloads if w.port("metrics") and w.name != "prometheus"}
    assert scraped == expected and "postgres" in scraped
    # and kube-state-metrics, whose kube_* metrics PodCrashLooping reads, on its http-metrics port
    assert [(e.target.name, e.target.namespace, e.port.number) for e in edges if e.target.kind == "operator"] == [("kube-state-metrics", "kube-system", 8080)]


def test_s37_every_workload_may_resolve_dns_over_udp_and_tcp(seed: Topology) -> None:
    for w in seed.workloads:
        assert seed.allow_graph.reach(w.name, "kube-dns", 53, "UDP") is not None
        assert seed.allow_graph.reach(w.name, "kube-dns", 53, "TCP") is not None


def test_s33_only_the_ingress_controller_is_reachable_from_the_internet(seed: Topology) -> None:
    from_internet = [e for e in seed.allow_graph.edges if e.source.kind == "internet"]
    assert [(e.target.name, e.port.number) for e in from_internet] == [("edge", 443)]
    assert {e.target.name for e in seed.allow_graph.outgoing("edge")} == {"gateway", "admin-ui", "grafana"}


def test_s50_replicas_of_a_stateful_set_reach_each_other_on_every_port(seed: Topology) -> None:
    # the operators' pods: CloudNativePG streams on 5432 and reads status on 8000; RabbitMQ clusters over epmd and 25672
    for name, ports in (("postgres", {5432, 8000, 9187}), ("rabbitmq", {5672, 15672, 15692, 4369, 25672})):
        peer = {e.port.number for e in seed.allow_graph.outgoing(name) if e.target.name == name}
        assert peer == ports and all(e.rule == "peer" for e in seed.allow_graph.outgoing(name) if e.target.name == name)
    redis = [e for e in seed.allow_graph.outgoing("redis") if e.target.name == "redis"]  # replicas to the primary, Sentinels to both
    assert {e.port.number for e in redis} == {6379, 26379, 9121} and all(e.rule == "peer" for e in redis)


def test_same_namespace_allowance_opens_each_operated_stores_client_ports_only(seed: Topology) -> None:
    def opened(src: str, dst: str) -> set[int]:
        return {e.port.number for e in seed.allow_graph.outgoing(src) if e.target.name == dst and e.rule == "same-namespace"}

    assert opened("redis", "rabbitmq") == {5672}  # not epmd 4369, distribution 25672, management 15672, metrics 15692
    assert opened("rabbitmq", "redis") == {6379}  # not Sentinel 26379, the exporter's 9121
    assert opened("rabbitmq", "postgres") == {5432}  # not the instance manager's 8000, metrics 9187
    assert opened("redis", "pgbouncer") == {5432}  # not the pooler's metrics 9127


def test_same_namespace_allowance_opens_every_port_of_a_workload_orion_writes() -> None:
    topology = analyze_text(SPEC.replace("namespace a { subnet apps", "namespace a { subnet apps; allow same-namespace") % "").topology
    assert topology is not None
    assert {e.port.number for e in topology.allow_graph.outgoing("web") if e.target.name == "api"} == {8080, 9000}


SPEC = """
topology t { version "1" }
network { default deny; subnet apps 10.1.0.0/24; %s }
namespace a { subnet apps
  service web { image "w:1"; port http 80; calls api:http }
  service api { image "a:1"; port http 8080; port admin 9000 }
}
"""


def test_deny_rule_removes_a_call_from_the_graph_and_warns() -> None:
    analysis = analyze_text(SPEC % "deny web -> api")
    assert analysis.topology is not None
    assert analysis.topology.allow_graph.reach("web", "api", 8080) is None
    assert [d.code for d in analysis.diagnostics] == ["W0301"]


def test_explicit_allow_opens_only_the_named_port() -> None:
    analysis = analyze_text(SPEC % "allow web -> api:admin")
    assert analysis.topology is not None
    edge = analysis.topology.allow_graph.reach("web", "api", "admin")
    assert edge is not None and edge.rule == "allow"
    assert analysis.topology.allow_graph.reach("web", "api", 8080) is not None  # the declared call
    assert [d.code for d in analysis.diagnostics] == ["W0302"]  # nothing calls api:admin


def test_unused_allow_names_its_port() -> None:
    analysis = analyze_text(SPEC.replace("calls api:http", "") % "allow web -> api:admin")
    assert [d.summary for d in analysis.diagnostics] == ["`allow web -> api:admin` opens a path nothing calls"]


def test_allow_to_a_pooled_database_that_is_called_is_not_unused() -> None:
    text = """
topology t { version "1" }
network { default deny; subnet apps 10.1.0.0/24; allow web -> db:sql }
namespace a { subnet apps
  service web { image "w:1"; port http 80; calls db:sql }
  statefulset db { image "p:1"; port sql 5432; database { pooler pgb { image "x:1" } } }
}
"""
    assert analyze_text(text).diagnostics == ()


def test_an_external_cannot_start_a_rule() -> None:
    text = SPEC % "allow stripe -> web:http"
    text = text.replace("namespace a", 'external stripe { host "api.stripe.com"; port https 443 }\nnamespace a')
    codes = [d.code for d in analyze_text(text).diagnostics if d.is_error]
    assert codes == ["E0201"]


def test_a_call_to_a_port_the_pooler_does_not_have_goes_to_the_database() -> None:
    text = """
topology t { version "1" }
namespace a {
  service web { image "w:1"; port http 80; calls db:sql, db:metrics }
  statefulset db { image "p:1"; port metrics 9187; port sql 5432; database { pooler pgb { image "x:1" } } }
}
"""
    analysis = analyze_text(text)
    assert analysis.topology is not None
    g = analysis.topology.allow_graph
    pooler = analysis.topology.workload("pgb")
    assert pooler is not None and [p.name for p in pooler.ports] == ["sql"]
    assert g.reach("web", "pgb", 5432) is not None and g.reach("web", "db", 9187) is not None


def test_hosts_and_routes_go_to_workloads_not_externals() -> None:
    text = """
topology t { version "1" }
external stripe { host "api.stripe.com"; port https 443 }
ingress nginx { namespace a; host "pay.example.com" -> stripe:https }
namespace a { service gw { image "g:1"; port http 80; route "/pay/*" -> stripe:https } }
"""
    assert [d.code for d in analyze_text(text).diagnostics] == ["E0201", "E0201"]
