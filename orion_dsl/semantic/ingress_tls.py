"""An ingress with ``tls`` must serve it, and get its certificate (E0242, E0237, E0238, E0243).

``tls`` without an ``issuer`` makes no certificate, so nothing terminates TLS: the hosts are plain HTTP.

The ingress terminates TLS on 443 (``orion_dsl.lowering.kubernetes.serves_tls``): every other listen port
is plain HTTP, so ``tls`` without ``listen 443`` would serve the hosts in plaintext beside a certificate no
listener uses. An issuer without ``dns01`` answers ACME's HTTP-01 challenges through the ingress, and
Let's Encrypt sends them to port 80 only (RFC 8555 section 8.3): without ``listen 80`` the challenge never
arrives, the certificate is never issued and the HTTPS listener has no Secret. Nor does ACME issue a
wildcard name over HTTP-01 (RFC 8555 section 7.1.3: wildcards need the dns-01 challenge).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orion_dsl.diagnostics import Diagnostic, error

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


def tls_is_served_and_issued(ctx: Context) -> list[Diagnostic]:
    """E0242 for ``tls`` without an ``issuer``; E0237 for ``tls`` without ``listen 443``; E0238 for an HTTP-01 issuer without ``listen 80``."""
    ing, written = ctx.topology.ingress, ctx.spec.ingress
    if ing is not None and ing.tls_issuer is None and written is not None and written.tls is not None:
        return [
            error(
                "E0242",
                written.tls.span,
                f"the ingress {ing.name}'s `tls` names no `issuer`: no certificate is made, so its hosts would be served in plaintext",
                "name an issuer of the `certificates` block: `tls { issuer NAME }`",
            )
        ]
    if ing is None or ing.tls_issuer is None:
        return []
    ports = [p.number for p in ing.listen]
    listed = ", ".join(map(str, ports))
    if 443 not in ports:
        return [
            error(
                "E0237",
                ing.span,
                f"the ingress {ing.name} has `tls` but listens on {listed}: TLS is served on 443, so its hosts would be plaintext",
                "write `listen 443` (or `listen 80, 443`: plain HTTP then only redirects), or drop `tls`",
            )
        ]
    issuer = next((i for i in ctx.topology.issuers if i.name == ing.tls_issuer), None)
    wildcards = [h.host for h in ing.hosts if h.host.startswith("*.")]
    if issuer is not None and issuer.dns01 is None and wildcards:
        return [
            error(
                "E0243",
                ing.span,
                f"issuer {issuer.name} answers ACME's challenges over HTTP-01, and ACME issues a wildcard ({', '.join(wildcards)}) "
                "only over DNS-01: the certificate would never be issued",
                f"give issuer {issuer.name} `dns01 cloudflare` (the provider that serves the domain), or name the hosts",
            )
        ]
    if issuer is not None and issuer.dns01 is None and 80 not in ports:
        return [
            error(
                "E0238",
                ing.span,
                f"issuer {issuer.name} answers ACME's HTTP-01 challenges on port 80, but the ingress {ing.name} listens on {listed}: "
                "the certificate would never be issued",
                f"write `listen 80, {listed}` (plain HTTP only redirects to HTTPS and answers the challenges), or give issuer {issuer.name} `dns01 cloudflare`",
            )
        ]
    return []
