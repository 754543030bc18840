"""What a review of the new checks (E0236-E0242, W0321-W0329) found: the specs real users write that must not be
flagged, and the ones that must be. Each case is the reviewer's minimal spec."""

from __future__ import annotations

import pytest

from orion_dsl.pipeline import analyze_text

HEAD = 'topology shop { version "1.0.0" }\n'
BROKER = (
    'statefulset broker { engine rabbitmq-operator; image "rabbitmq:4.1-management"; port amqp 5672; port management 15672; '
    'storage data 1Gi at "/var/lib/rabbitmq/mnesia" }'
)
POSTGRES = (
    'statefulset postgres { engine cloudnative-pg; image "ghcr.io/cloudnative-pg/postgresql:17"; port sql 5432; '
    'storage data 10Gi at "/var/lib/postgresql/data"; database { pooler pgbouncer { replicas 2 } } }'
)
MESHED = "mesh istio { mtls strict; egress_gateway { namespace istio-system } }\n"


def codes(body: str) -> set[str]:
    return {d.code for d in analyze_text(HEAD + body, "shop.orion").diagnostics if d.code[0] in "EW"}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (  # an outside identity provider's keys: the catch-all host claims no name
            'ingress edge { namespace shop\nhost "*" -> gateway:http }\nmesh istio { mtls strict\n'
            '  jwt { issuer "https://idp.example.org"; jwks "https://idp.example.org/keys"; at gateway; protect "/api/*" } }\n'
            'namespace shop { mesh on\n  service gateway { image "g:1"; port http 8080; route "/api/*" -> api:http }\n'
            '  service api { image "a:1"; port http 8080 } }\n',
            "W0321",
        ),
        (  # a consumer that also guards CPU scales from zero (KEDA: another trigger than cpu or memory)
            f'namespace shop {{ {BROKER}\n  service worker {{ image "w:1"; port http 8080; calls broker:amqp; '
            'autoscale 0..10 { cpu 70%; queue "orders" 50 on broker } } }\n',
            "E0206",
        ),
        (  # another namespace's own Secret of the same name
            f'namespace shop {{ service x {{ image "x:1"; port http 8080 }}\n  {POSTGRES} }}\n'
            'namespace billing { service api { image "a:1"; port http 8080; env DATABASE_URL secret "postgres-app" key "uri" } }\n',
            "W0329",
        ),
        (  # a small request written with its unit is meant
            'namespace shop { service api { image "a:1"; port http 8080\n'
            '  sidecar reloader { image "ghcr.io/stakater/reloader:v1.0.0"; resources { cpu 5m..50m; memory 3Mi..32Mi } } } }\n',
            "W0328",
        ),
    ],
    ids=["W0321-catch-all", "E0206-queue-and-cpu-from-zero", "W0329-other-namespace", "W0328-unit-written"],
)
def test_what_real_specs_write_is_not_flagged(body: str, code: str) -> None:
    assert code not in codes(body)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            MESHED + 'external payments { host "api.payments.example"; port https 443; via egress_gateway }\n'
            'namespace shop { service api { image "a:1"; port http 8080; calls payments:https } }\n',
            "W0327",
        ),
        (
            'ingress edge { namespace shop; listen 8443; tls { minimum 1.3 }; host "shop.example.com" -> web:http }\n'
            'namespace shop { service web { image "w:1"; port http 8080 } }\n',
            "E0242",
        ),
        (
            'namespace legacy external { mesh on; service billing { image "b:1"; port http 8080 } }\n'
            'namespace shop { service api { image "a:1"; port http 8080; calls billing:http } }\n',
            "E0240",
        ),
        (
            MESHED + 'external cdn { host "*.cdn.example.net"; port http 80 }\n'
            'namespace shop { mesh on; service api { image "a:1"; port http 8080; calls cdn:http } }\n',
            "E0241",
        ),
        (
            'ingress edge { namespace shop\nhost "auth.example.com" -> gateway:http prefix "/api" }\nmesh istio { mtls strict\n'
            '  jwt { issuer "https://auth.example.com"; jwks "https://auth.example.com/.well-known/jwks.json"; at gateway; protect "/api/*" } }\n'
            'namespace shop { mesh on\n  service gateway { image "g:1"; port http 8080; route "/api/*" -> api:http }\n'
            '  service api { image "a:1"; port http 8080 } }\n',
            "W0321",
        ),
        (
            'ingress edge { namespace shop\nhost "*.example.com" -> gateway:http }\nmesh istio { mtls strict\n'
            '  jwt { issuer "https://auth.example.com"; jwks "https://auth.example.com/.well-known/jwks.json"; at gateway; protect "/*" } }\n'
            'namespace shop { mesh on\n  service gateway { image "g:1"; port http 8080; route "/api/*" -> api:http; route "/.well-known/*" -> auth:http }\n'
            '  service api { image "a:1"; port http 8080 }\n  service auth { image "u:1"; port http 8080 } }\n',
            "W0321",
        ),
        (
            'mesh istio { mtls strict; sidecar_resources { cpu 100m; memory 2 } }\nnamespace shop { mesh on; service api { image "a:1"; port http 8080 } }\n',
            "W0328",
        ),
        (
            f'namespace shop {{ {BROKER}\n  service worker {{ image "w:1"; port http 8080; calls broker:management; '
            'autoscale 1..10 { queue "orders" 50 on broker } } }\n',
            "W0324",
        ),
    ],
    ids=[
        "W0327-no-meshed-caller",
        "E0242-tls-without-issuer",
        "E0240-external-namespace",
        "E0241-opaque-port",
        "W0321-no-line-takes-the-path",
        "W0321-keys-behind-the-token",
        "W0328-sidecar",
        "W0324-management-port-only",
    ],
)
def test_what_cannot_work_is_flagged(body: str, code: str) -> None:
    assert code in codes(body)
