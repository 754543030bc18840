"""E0235 and W0322: address ranges the spec states for egress that open more than they narrow.

An external's, a recovery target's and the API server's ``addresses`` replace the rule to every public address
(``0.0.0.0/0`` minus the private, shared and link-local ranges) with rules to those ranges, less the left-out ranges
inside them (:mod:`orion_dsl.lowering.address_ranges`). An external is outside the cluster by definition, so a range
of it that still reaches a declared ``subnet`` (the cluster's address plan) or link-local addresses (the cloud
metadata service) is a mistake: E0235. A private range is no mistake there: a service in the same private network
(a managed database) is reached only so, as is a recovery target in it (an in-network MinIO). A prefix shorter than
/8 narrows the rule little: W0322.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from orion_dsl.decode import L
from orion_dsl.diagnostics import Diagnostic, error, warning
from orion_dsl.lowering.address_ranges import LINK_LOCAL, NARROWEST_WIDE_PREFIX, PRIVATE_RANGES, opens

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


#: What states a range: an external, a recovery target or ``network { api_server }``.
Owner = Literal["external", "target", "api_server"]


def _stated(ctx: Context) -> Iterator[tuple[Owner, str, L[ipaddress.IPv4Network]]]:
    """Every stated egress range with what states it, and how the message names that."""
    spec = ctx.spec
    for e in spec.externals:
        yield from (("external", f'external "{e.name.value if e.name else ""}"', a) for a in e.addresses)
    for t in spec.recovery.targets if spec.recovery is not None else ():
        yield from (("target", f'target "{t.name.value if t.name else ""}"', a) for a in t.addresses)
    yield from (("api_server", "`network { api_server }`", a) for a in (spec.network.api_server if spec.network is not None else ()))


def _inside_the_cluster(ctx: Context, owner: str, stated: L[ipaddress.IPv4Network]) -> Diagnostic | None:
    """E0235 where an external's range, less the private ranges inside it, reaches a subnet or link-local addresses."""
    cidr = stated.value
    reached = [f'subnet "{s.name}" ({s.cidr})' for s in ctx.topology.subnets if opens(cidr, PRIVATE_RANGES, s.cidr)]
    reached += [f"link-local addresses ({LINK_LOCAL}, the cloud metadata service)"] if opens(cidr, PRIVATE_RANGES, LINK_LOCAL) else []
    if not reached:
        return None
    return error(
        "E0235",
        stated.span,
        f"{owner} states {cidr}, which reaches {' and '.join(reached)}: its egress rules would open its ports to addresses inside the cluster",
        "state the ranges the external's hosts lie in (the provider's published ranges, or the /32 of a host in your network)",
    )


def _wide(owner: str, stated: L[ipaddress.IPv4Network]) -> Diagnostic | None:
    """W0322 for a stated range wider than a /8: it narrows the rule to every public address little."""
    cidr = stated.value
    if cidr.prefixlen >= NARROWEST_WIDE_PREFIX:
        return None
    return warning(
        "W0322",
        stated.span,
        f"{owner} states {cidr}, wider than a /{NARROWEST_WIDE_PREFIX}: its egress rules open its ports to about as much as without it",
        "state the ranges its hosts lie in, or leave the range out",
    )


def stated_ranges_narrow(ctx: Context) -> list[Diagnostic]:
    """E0235 for an external's range inside the cluster's addresses; W0322 for any stated range wider than a /8."""
    out = []
    for kind, owner, stated in _stated(ctx):
        inside = _inside_the_cluster(ctx, owner, stated) if kind == "external" else None
        out += [d for d in (inside, _wide(owner, stated)) if d is not None]
    return out
