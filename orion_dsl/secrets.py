"""What looks like a secret written in plain text, and how to show a text without it.

Two signs: an environment variable whose name says it holds a secret (``DB_PASSWORD``,
``API_KEY``, ``GITHUB_TOKEN``) given a literal value, and a string of a well-known secret
shape anywhere (credentials in a URL, ``https://user:pass@host``; a GitHub, GitLab, Slack,
Stripe, Google or AWS token; a private key block). The check (W0304) warns about both; the
document and the diagrams print such values masked (:func:`redact`, :func:`shown_env`).
"""

from __future__ import annotations

import re

#: Name parts that say a variable holds a secret (``DB_PASSWORD``, ``CLIENT-SECRET``).
SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "TOKENS", "CREDENTIAL", "CREDENTIALS", "APIKEY", "PRIVATEKEY"}
)
#: Adjacent name parts that do (``STRIPE_API_KEY``, ``AWS_SECRET_ACCESS_KEY``).
SECRET_PAIRS = frozenset({("API", "KEY"), ("PRIVATE", "KEY"), ("ACCESS", "KEY"), ("SIGNING", "KEY"), ("ENCRYPTION", "KEY"), ("MASTER", "KEY")})
#: A last name part that names where or what the secret is, not the secret itself
#: (``DB_PASSWORD_FILE``, ``TOKEN_URL``, ``SECRET_NAME``, ``TOKEN_TTL``), among them the units of a lifetime
#: (``TOKEN_EXPIRY_SECONDS``, Bank of Anthos's userservice).
ABOUT_A_SECRET = frozenset(
    {"FILE", "PATH", "DIR", "URL", "URI", "ENDPOINT", "HOST", "PORT", "NAME", "USER", "USERNAME", "TTL", "EXPIRY", "LENGTH", "TYPE", "HEADER"}
    | {"MS", "SECONDS", "MINUTES", "HOURS", "DAYS"}
)

#: A value that only refers to another variable (Kubernetes ``$(VAR)``, shell ``${VAR}``).
_REFERENCE = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\}")

_URL_CREDENTIALS = re.compile(r"(?P<start>[A-Za-z][A-Za-z0-9+.-]*://[^\s/@:]*:)(?P<password>[^\s/@]+)(?=@)")

#: Well-known secret shapes, each with what it is called in a warning.
SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("credentials in a URL", _URL_CREDENTIALS),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|.*)", re.DOTALL)),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})")),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("an AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Stripe secret key", re.compile(r"\b[rs]k_live_[0-9A-Za-z]{16,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
)

#: What a masked value or part of a value reads as.
MASK = "••••••"


def secret_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a secret (``DB_PASSWORD``; not ``DB_PASSWORD_FILE``)."""
    parts = [p for p in re.split(r"[-_.]+", name.upper()) if p]
    if not parts or parts[-1] in ABOUT_A_SECRET:
        return False
    return any(p in SECRET_WORDS for p in parts) or any(pair in SECRET_PAIRS for pair in zip(parts, parts[1:], strict=False))


def literal_secret(name: str, value: str) -> bool:
    """Whether ``env NAME "value"`` writes a secret's value into the spec (not empty, not a ``$(VAR)`` reference)."""
    stripped = value.strip()
    return bool(stripped) and secret_name(name) and not _REFERENCE.fullmatch(stripped)


#: Every shape in one pattern (group ``s<i>`` for ``SHAPES[i]``): one search per string.
_ANY_SHAPE = re.compile("|".join(f"(?P<s{i}>{pattern.pattern})" for i, (_, pattern) in enumerate(SHAPES)), re.DOTALL)


def secret_shape(text: str) -> str | None:
    """What well-known secret a text holds (``"a GitHub token"``; the first one in it), or None."""
    found = _ANY_SHAPE.search(text)
    return None if found is None or found.lastgroup is None else SHAPES[int(found.lastgroup[1:])][0]


def redact(text: str) -> str:
    """The text with every secret of a well-known shape masked (a URL keeps its user and host).

    Text with no shape in it at all (nearly every text) is returned after one search of
    the combined pattern; only text with one is masked shape by shape, in order.
    """
    if _ANY_SHAPE.search(text) is None:
        return text
    for _, pattern in SHAPES:
        if pattern is _URL_CREDENTIALS:
            text = pattern.sub(lambda m: m.group("start") + MASK, text)
        else:
            text = pattern.sub(MASK, text)
    return text


def shown_env(name: str, value: str) -> str:
    """An environment variable's value as the document shows it: masked when it is a literal secret."""
    return MASK if literal_secret(name, value) else redact(value)
