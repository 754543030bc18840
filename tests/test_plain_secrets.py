"""W0304: secrets written in plain text are found (and only they), and shown masked."""

from __future__ import annotations

import pytest

from orion_dsl.pipeline import analyze_text
from orion_dsl.secrets import MASK, literal_secret, redact, secret_name, secret_shape, shown_env

SPEC = """
topology shop {{ version "1.0"; kubernetes "1.28" }}
network {{
  default deny
  subnet apps 10.1.0.0/24
}}
namespace shop {{
  subnet apps
  service api {{
    image "shop/api:1.0"
    port http 8080
    {line}
  }}
}}
"""

TOKENS = {
    "a GitHub token": "ghp_" + "a1B2c3D4e5" * 4,
    "a GitLab token": "glpat-" + "x" * 20,
    "an AWS access key": "AKIAIOSFODNN7EXAMPLE",
    "a Slack token": "xoxb-1234567890-abcdef",
    "a Stripe secret key": "sk_live_" + "0" * 24,
    "a Google API key": "AIza" + "S" * 35,
    "a private key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
    "a JSON Web Token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    "credentials in a URL": "https://deploy:s3cret@git.example.com/shop.git",
}


def _warnings(line: str) -> list[str]:
    analysis = analyze_text(SPEC.format(line=line))
    assert analysis.ok, analysis.diagnostics
    return [d.summary for d in analysis.diagnostics if d.code == "W0304"]


@pytest.mark.parametrize(
    "name",
    ["DB_PASSWORD", "PASSWORD", "db-passwd", "CLIENT_SECRET", "GITHUB_TOKEN", "STRIPE_API_KEY", "PRIVATE_KEY", "GCP_CREDENTIALS", "AWS_SECRET_ACCESS_KEY"],
)
def test_a_secret_name_is_recognised_by_its_parts(name: str) -> None:
    assert secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["LOG_LEVEL", "PASSPORT_OFFICE", "TOKENIZER", "DB_PASSWORD_FILE", "TOKEN_URL", "SECRET_NAME", "CACHE_KEY", "KEYCLOAK_REALM", "TOKEN_EXPIRY_SECONDS"],
)
def test_a_name_that_only_resembles_a_secret_is_not_one(name: str) -> None:
    assert not secret_name(name)


@pytest.mark.parametrize("value", ["", "   ", "$(DB_PASSWORD)", "${DB_PASSWORD}"])
def test_an_empty_or_referencing_value_is_no_literal_secret(value: str) -> None:
    assert not literal_secret("DB_PASSWORD", value)


def test_a_literal_env_secret_is_w0304_at_its_value_with_the_secret_volume_as_the_fix() -> None:
    analysis = analyze_text(SPEC.format(line='env DB_PASSWORD "hunter2"'))
    (found,) = [d for d in analysis.diagnostics if d.code == "W0304"]
    assert found.span is not None and (found.span.line, found.span.column) == (12, 21)
    assert 'secret "{service}-secrets"' in found.help and 'env DB_PASSWORD_FILE "/etc/api/secrets/db-password"' in found.help


def test_the_suggested_file_variable_passes_the_check() -> None:
    assert _warnings('env DB_PASSWORD_FILE "/etc/api/secrets/db-password"') == []


@pytest.mark.parametrize("what", TOKENS)
def test_a_token_shape_in_any_string_is_w0304(what: str) -> None:
    value = TOKENS[what].replace("\n", "\\n")
    assert _warnings(f'env SOMETHING "{value}"') == [f"this string holds {what} in plain text"]
    assert secret_shape(TOKENS[what]) == what


def test_a_token_in_a_description_is_found_too() -> None:
    assert _warnings(f'description "deploy with {TOKENS["a GitHub token"]}"') == ["this string holds a GitHub token in plain text"]


def test_a_secret_env_with_a_token_is_warned_once() -> None:
    assert _warnings(f'env GITHUB_TOKEN "{TOKENS["a GitHub token"]}"') == ['"GITHUB_TOKEN" is given its secret in plain text']


@pytest.mark.parametrize("text", ["https://git.example.com/shop.git", "git@github.com:shop/config.git", "https://user@host/x", "ghp_short", "nginx:1.27"])
def test_ordinary_strings_are_no_secret(text: str) -> None:
    assert secret_shape(text) is None
    assert redact(text) == text


def test_warnings_stop_a_strict_check() -> None:
    analysis = analyze_text(SPEC.format(line='env API_KEY "abc"'))
    assert analysis.ok and [d.code for d in analysis.diagnostics if not d.is_error] == ["W0304"]


def test_redact_keeps_user_and_host_of_a_url() -> None:
    assert redact("clone https://deploy:s3cret@git.example.com/x.git now") == f"clone https://deploy:{MASK}@git.example.com/x.git now"


@pytest.mark.parametrize("what", TOKENS)
def test_redact_leaves_no_part_of_a_secret(what: str) -> None:
    shown = redact(f"before {TOKENS[what]} after")
    assert MASK in shown and shown.startswith("before ")
    assert TOKENS[what] not in shown and redact(shown) == shown


def test_a_literal_env_secret_is_shown_masked_whole() -> None:
    assert shown_env("DB_PASSWORD", "hunter2") == MASK
    assert shown_env("LOG_LEVEL", "info") == "info"
