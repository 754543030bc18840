"""Two facts never make one object, and no name is too long for its kind: both found by ``check``, at the spec lines."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from orion_dsl.backends import istio, kubernetes
from orion_dsl.diagnostics import Diagnostic
from orion_dsl.pipeline import analyze_text
from tests.conftest import NETWORK


def errors(text: str) -> list[Diagnostic]:
    return [d for d in analyze_text(NETWORK + text, "spec.orion").diagnostics if d.is_error]


def line_of(text: str, needle: str) -> int:
    """The line of the spec (the network preamble included) where ``needle`` is written."""
    return (NETWORK + text).splitlines().index(next(line for line in (NETWORK + text).splitlines() if needle in line)) + 1


def test_a_backup_policy_and_a_workload_named_after_it_are_one_object() -> None:
    spec = """
namespace data {
  subnet apps
  statefulset db {
    image "postgres:16"
    port pg 5432
    backup full every 24h to s3
  }
  service db-backup { image "x:1"; port http 8080 }
}
recovery { target s3 { kind s3; bucket "b" } }
"""
    found = next(d for d in errors(spec) if "NetworkPolicy" in d.summary)
    assert found.code == "E0203" and "NetworkPolicy data/db-backup-egress" in found.summary
    assert found.span is not None and found.related
    assert {found.span.line, found.related[0].span.line} == {line_of(spec, "backup full"), line_of(spec, "service db-backup")}


def test_a_workload_whose_pods_would_carry_the_backup_pods_name_is_refused() -> None:
    spec = """
namespace data {
  subnet apps
  statefulset db { image "postgres:16"; port pg 5432; backup full every 24h to s3 }
  service db-backup { image "x:1"; port http 8080 }
}
recovery { target s3 { kind s3; bucket "b" } }
"""
    # without DNS, db-backup has no NetworkPolicy of its own to collide with the backup pods': only their pods would
    diagnostics = analyze_text(NETWORK.replace("dns allow", "dns deny") + spec, "spec.orion").diagnostics
    (found,) = [d for d in diagnostics if d.is_error]
    assert found.code == "E0203" and "app.kubernetes.io/name=db-backup in data" in found.summary


def test_a_workload_named_like_the_ingress_controller_pods_is_refused() -> None:
    found = errors(
        """
ingress nginx { controller ingress-nginx; namespace edge; subnet apps; listen 443; host "a.example.com" -> web:http }
namespace edge { subnet apps; service ingress-nginx { image "x:1"; port http 8080 } }
namespace app { subnet apps; service web { image "x:1"; port http 8080 } }
"""
    )
    assert any(d.code == "E0203" and "ingress controller" in d.summary and "ingress-nginx" in d.summary for d in found)


def test_a_workload_named_like_the_istio_gateway_is_refused() -> None:
    found = errors(
        """
ingress edge { namespace front; subnet apps; listen 443; host "a.example.com" -> web:http }
namespace front { subnet apps; service edge-istio { image "x:1"; port http 8080 } }
namespace app { subnet apps; service web { image "x:1"; port http 8080 } }
"""
    )
    assert any(d.code == "E0203" and "edge-istio" in d.summary for d in found), [d.summary for d in found]


def test_a_volume_on_the_poolers_config_map_is_refused_not_hidden() -> None:
    found = errors(
        """
namespace data {
  subnet apps
  service app { image "x:1"; port http 8080; volume c config-map "pgb-config" at "/etc/app"; calls db:sql }
  statefulset db { image "postgres:16"; replicas 3; port sql 5432
    database { pooler pgb { image "x:1"; replicas 2 }; primary 1; read_replicas 2 } }
}
"""
    )
    assert any(d.code == "E0203" and "ConfigMap data/pgb-config" in d.summary for d in found)


def test_a_claim_named_like_a_statefulset_pods_claim_is_refused() -> None:
    found = errors(
        """
namespace data {
  subnet apps
  statefulset db { image "x:1"; port pg 5432; storage data 10Gi at "/d" }
  service data { image "x:1"; port http 8080; storage db-0 1Gi at "/e" }
}
"""
    )
    assert any(d.code == "E0203" and "PersistentVolumeClaim data/data-db-0" in d.summary for d in found)


def test_two_long_egress_hosts_make_two_routes() -> None:
    long = "a" * 62
    assert not errors(
        f"""
mesh istio {{ mtls strict; egress_gateway {{ namespace istio-system }} }}
external one {{ host "{long}.one.example.com"; port https 443; via egress_gateway }}
external two {{ host "{long}.two.example.com"; port https 443; via egress_gateway }}
namespace web {{ subnet apps; mesh on; service w {{ image "x:1"; port http 8080; calls one, two }} }}
"""
    )


def test_two_hosts_that_make_one_egress_route_are_one_object() -> None:
    (found,) = errors(
        """
mesh istio { mtls strict; egress_gateway { namespace istio-system } }
external a { host "a-b.example.com"; port https 443; via egress_gateway }
external b { host "a.b-example.com"; port https 443; via egress_gateway }
namespace web { subnet apps; mesh on; service w { image "x:1"; port http 8080; calls a, b } }
"""
    )
    assert found.code == "E0203" and "VirtualService istio-system/egress-a-b-example-com" in found.summary
    assert 'external "b"' in found.summary and 'external "a"' in found.summary


def test_a_workload_named_like_the_egress_gateway_service_is_refused() -> None:
    (found,) = errors(
        """
mesh istio { mtls strict; egress_gateway { namespace gw } }
namespace gw { subnet apps; service istio-egressgateway { image "x:1"; port http 8080 } }
"""
    )
    assert found.code == "E0203" and "the Service Istio installs of the egress gateway" in found.summary


def test_a_blue_green_colour_and_a_workload_of_its_name_are_one_deployment() -> None:
    (found,) = errors(
        """
namespace web {
  subnet apps
  service gateway { image "x:1"; port http 8080; blue_green { blue "1.0"; green "1.1"; active blue } }
  service gateway-blue { image "x:1"; port http 8080 }
}
"""
    )
    assert found.code == "E0203" and "Deployment web/gateway-blue" in found.summary


def test_a_statefulset_name_longer_than_52_is_too_long() -> None:
    name = "s" * 53
    found = errors(f'namespace data {{ subnet apps; statefulset {name} {{ image "x:1"; port db 5432 }} }}')
    assert [d.code for d in found] == ["E0204"] and "StatefulSet name has at most 52" in found[0].summary


def test_a_deployment_name_of_63_fits() -> None:
    assert errors(f'namespace web {{ subnet apps; service {"d" * 63} {{ image "x:1"; port http 8080 }} }}') == []


def test_a_backup_job_name_longer_than_52_is_too_long_at_the_backup() -> None:
    name = "p" * 45
    spec = f"""
namespace data {{
  subnet apps
  statefulset {name} {{
    image "postgres:16"
    port pg 5432
    backup full every 24h to s3
  }}
}}
recovery {{ target s3 {{ kind s3; bucket "b" }} }}
"""
    found = errors(spec)
    job = next(d for d in found if "CronJob" in d.summary)
    assert job.code == "E0204" and job.span is not None and job.span.line == line_of(spec, "backup full")


_NAME = st.text(string.ascii_lowercase, min_size=1, max_size=3)
_SUFFIX = st.sampled_from(
    [
        *("", "-headless", "-backup", "-backup-egress", "-from-backup", "-blue", "-green", "-primary", "-replica-1", "-allow", "-jwt"),
        *("-controller", "-controller-ingress", "-ingress", "-egress", "-config", "-wal-archive", "-tls", "-data-0", "-backup-full"),
    ]
)
_HOSTS = st.lists(st.sampled_from(["a.b-c.io", "a-b.c.io", "a.b.c-io", "*.b-c.io"]), min_size=1, max_size=3)


def _workload(i: int, name: str, base: str, pooled: bool) -> str:
    """The i-th workload of a generated namespace: services and statefulsets in turn, with backups, colours, storage, volumes, a pooler."""
    kind = "statefulset" if i % 2 else "service"
    parts = ['image "postgres:16"', "port pg 5432", "replicas 3"]
    if i == 0:
        parts += ["backup full every 24h to s3", "backup wal continuous to s3"]
    if i == 1:
        parts.append('storage data 1Gi at "/d"')
    if i == 2 and kind == "service":
        parts.append('blue_green { blue "1.0"; green "1.1"; active blue }')
    if i == 3 and pooled:
        parts.append(f"database {{ pooler {base}-pool {{ image \"x:1\" }}; primary 1; read_replicas 2 }}")
    if i == 4:
        parts.append(f'volume c config-map "{base}-pool-config" at "/etc/c"')
    return f"{kind} {name} {{ {'; '.join(parts)} }}"


@settings(max_examples=80, deadline=None)
@given(base=_NAME, suffixes=st.lists(_SUFFIX, min_size=2, max_size=6), hosts=_HOSTS, pooled=st.booleans(), dns=st.sampled_from(["allow", "deny"]))
def test_colliding_names_are_reported_or_compile(base: str, suffixes: list[str], hosts: list[str], pooled: bool, dns: str) -> None:
    named = dict.fromkeys(["", *suffixes])  # the base workload (with backups) first, then names derived from it
    workloads = [_workload(i, f"{base}{suffix}", base, pooled) for i, suffix in enumerate(named)]
    externals = [f'external e{i} {{ host "{h}"; port https 443; via egress_gateway }}' for i, h in enumerate(hosts)]
    spec = "\n".join(
        [
            NETWORK.replace("dns allow", f"dns {dns}"),
            "mesh istio { mtls strict; egress_gateway { namespace data } }",
            f'ingress edge {{ namespace data; subnet apps; listen 443; host "a.example.com" -> {base}:pg }}',
            *externals,
            "namespace data {\n  subnet apps\n  mesh on\n  " + "\n  ".join(workloads) + "\n}",
            'recovery { target s3 { kind s3; bucket "b" } }',
        ]
    )
    analysis = analyze_text(spec, "spec.orion")
    if analysis.plan is None:
        assert {d.code for d in analysis.diagnostics if d.is_error} <= {"E0201", "E0202", "E0203", "E0204", "E0216"}, spec  # never a syntax error
        return
    for backend in (kubernetes, istio):
        artifacts = backend.render(analysis.plan).artifacts  # a shared file path would raise here
        assert len({a.path for a in artifacts}) == len(artifacts)
    pods: dict[tuple[str, str], object] = {}
    for entry in analysis.plan.entries:  # no two facts' pods share a name a selector picks
        name = dict(entry.pods or ()).get("app.kubernetes.io/name")
        if name is not None:
            assert pods.setdefault((entry.id.namespace or "", name), entry.subject) is entry.subject


def test_a_statefulset_of_two_billion_pods_plans_a_bounded_number_of_objects() -> None:
    huge = 'statefulset db { image "x:1"; replicas 2147483647; port pg 5432; storage data 1Gi at "/d" }'
    analysis = analyze_text(NETWORK + f"namespace data {{ subnet apps; {huge} }}")
    assert analysis.plan is not None and len(analysis.plan.entries) < 50
