"""W0321 only where istiod's fetch of the JWT keys really ends at an API gateway that routes nothing for it."""

from __future__ import annotations

import pytest

from orion_dsl.pipeline import analyze_text

SPEC = """topology shop { version "1.0.0" }
ingress edge {
  namespace shop
  HOSTS
}
mesh istio {
  jwt { issuer "https://auth.example.com"; jwks "JWKS"; at gateway; protect "/api/*" }
}
namespace shop {
  mesh on
  service gateway { image "shop/gateway:1.0"; port http 8080; ROUTES }
  service auth { image "shop/auth:1.0"; port http 8080 }
  service api { image "shop/api:1.0"; port http 8080 }
}
"""
KEYS = "https://auth.example.com/.well-known/jwks.json"


def codes(hosts: str, routes: str = 'route "/api/*" -> api:http', jwks: str = KEYS) -> list[str]:
    text = SPEC.replace("HOSTS", hosts).replace("ROUTES", routes).replace("JWKS", jwks)
    return [d.code for d in analyze_text(text, "shop.orion").diagnostics if d.code.startswith(("E", "W"))]


def test_keys_behind_a_gateway_that_routes_no_such_path_are_warned() -> None:
    assert codes('host "*.example.com" -> gateway:http') == ["W0321"]


@pytest.mark.parametrize(
    ("hosts", "routes"),
    [
        ('host "*.example.com" -> gateway:http', 'route "/api/*" -> api:http; route "/.well-known/jwks.json" -> auth:http'),
        ('host "*.example.com" -> gateway:http', 'route "/api/*" -> api:http; route "/.well-known/*" -> auth:http'),
        ('host "auth.example.com" -> auth:http; host "*.example.com" -> gateway:http', 'route "/api/*" -> api:http'),
        ('host "*.example.com" -> gateway:http prefix "/api"; host "*.example.com" -> auth:http prefix "/.well-known"', 'route "/api/*" -> api:http'),
        ('host "shop.example.com" -> gateway:http', 'route "/api/*" -> api:http'),
    ],
    ids=["routed-exact", "routed-prefix", "exact-host-to-auth", "path-to-auth", "host-not-served"],
)
def test_keys_that_reach_a_service_are_not_warned(hosts: str, routes: str) -> None:
    assert codes(hosts, routes) == []


def test_keys_on_another_domain_are_not_warned() -> None:
    assert codes('host "*.example.com" -> gateway:http', jwks="https://www.googleapis.com/oauth2/v3/certs") == []
