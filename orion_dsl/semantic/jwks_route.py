"""JWT keys served through the spec's own edge must reach a workload that serves them, without a token (W0321).

istiod fetches a RequestAuthentication's ``jwksUri`` itself, over the network like any client
(istio/istio pilot/pkg/model/jwks_resolver.go). When the URL's host is one the spec's ingress
serves, the request goes through that edge: to the host line's workload, and, when that workload
is an API gateway with ``route``s, to the route its path matches. If no route matches, the
gateway answers 404, istiod cannot read the keys, and Istio then refuses every token (401 "Jwks
doesn't have key to match kid or alg"): login still answers, nothing behind it does. The same happens
when no host line takes the path (the ingress answers 404), and when the path reaches the jwt's own
workload under ``protect`` but not ``public`` (istiod sends no token, so the request is refused).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from orion_dsl.diagnostics import Diagnostic, warning
from orion_dsl.model import Host, Jwt, Route, catch_all

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


def _host_matches(pattern: str, name: str) -> bool:
    """Whether an ingress host line claims a host name: exact, or a ``*.`` wildcard (one label or more, as Gateway API).

    The catch-all ``"*"`` answers whatever name reaches it, but claims none: an outside identity provider's
    keys (``idp.example.org``) are fetched from the provider, whose DNS does not point at this ingress."""
    if catch_all(pattern):
        return False
    if pattern.startswith("*."):
        return name.endswith(pattern[1:]) and len(name) > len(pattern) - 1
    return pattern == name


def _serving(candidates: list[Host], path: str) -> Host | None:
    """Of the host lines that claim a name, the one a request for ``path`` goes to: the most specific host, then its longest path."""
    specificity = max(_specificity(h.host) for h in candidates)
    lines = [h for h in candidates if _specificity(h.host) == specificity]
    matched = [(len(p), h) for h in lines for kind, p in h.matched if (path == p if kind == "exact" else _under(path, p))]
    return max(matched, key=lambda found: found[0])[1] if matched else None


def _specificity(pattern: str) -> int:
    """Exact names before wildcards, and longer wildcards before shorter ones; the catch-all last."""
    if catch_all(pattern):
        return 0
    return len(pattern) + (0 if pattern.startswith("*.") else 1000)


def _under(path: str, prefix: str) -> bool:
    """Whether ``path`` is ``prefix`` or below it by whole segments."""
    return prefix == "/" or path == prefix.rstrip("/") or path.startswith(prefix.rstrip("/") + "/")


def _routed(routes: tuple[Route, ...], path: str) -> bool:
    """Whether one of an API gateway's routes takes ``path``."""
    return any(_matches(r.path, path) for r in routes)


def jwks_reaches_its_keys(ctx: Context) -> list[Diagnostic]:
    """W0321 when the JWKS URL is one of the ingress's hosts and the API gateway it reaches routes no such path."""
    mesh, ing, spec_mesh = ctx.topology.mesh, ctx.topology.ingress, ctx.spec.mesh
    jwt = mesh.jwt if mesh is not None else None
    if jwt is None or ing is None or spec_mesh is None or spec_mesh.jwt is None or spec_mesh.jwt.jwks is None:
        return []
    url = urlsplit(jwt.jwks)
    name, path, span = url.hostname or "", url.path or "/", spec_mesh.jwt.jwks.span
    candidates = [h for h in ing.hosts if _host_matches(h.host, name)]
    if not candidates:  # not a name of this ingress: istiod reaches the keys elsewhere
        return []
    line = _serving(candidates, path)
    if line is None:
        return [
            warning(
                "W0321",
                span,
                f"istiod fetches the JWT keys from {jwt.jwks}, but the ingress takes no {path} on {name}: "
                "istiod reads no keys and every token is refused",
                f'add `host "{name}" -> SERVICE:PORT prefix "{path.rsplit("/", 1)[0] or "/"}"` for the service that publishes the keys',
            )
        ]
    target = ctx.topology.workload(line.target)
    if target is not None and target.name == jwt.workload and _protected(jwt, path):
        return [
            warning(
                "W0321",
                span,
                f"istiod fetches the JWT keys from {jwt.jwks} without a token, and {target.name} requires one on {path}: "
                "istiod reads no keys and every token is refused",
                f'add "{path}" to the jwt\'s `public` paths',
            )
        ]
    if target is None or not target.routes or _routed(target.routes, path):
        return []
    return [
        warning(
            "W0321",
            span,
            f"istiod fetches the JWT keys from {jwt.jwks}, which the ingress sends to {target.name}, and {target.name} routes no {path}: "
            "istiod reads no keys and every token is refused",
            f'add `route "{path}" -> SERVICE:PORT` to {target.name} for the service that publishes the keys, or point `jwks` at a URL that reaches it',
        )
    ]


def _protected(jwt: Jwt, path: str) -> bool:
    """Whether a request for ``path`` needs a token at the jwt's workload: under ``protect``, and not ``public``."""
    return any(_matches(p, path) for p in jwt.protect) and not any(_matches(p, path) for p in jwt.public)


def _matches(pattern: str, path: str) -> bool:
    """A route's or a jwt's path pattern: a trailing ``*`` matches a prefix, else the path alone."""
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern
