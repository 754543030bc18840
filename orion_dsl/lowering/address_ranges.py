"""The address ranges an egress NetworkPolicy leaves out, and what a stated range opens once they are.

The private, shared and link-local ranges (RFC 1918, RFC 6598, RFC 3927) hold the cluster's pods, Services and
nodes, and the cloud metadata service (169.254.169.254). A rule to every public address is ``0.0.0.0/0`` with them
as ``except``. A range the spec states (an external's or a recovery target's ``addresses``, ``network { api_server }``)
narrows that rule, so it must not open what the rule left out: its ``except`` holds the left-out ranges inside it.
Kubernetes refuses an ``except`` that is not strictly inside its ``cidr`` (k8s.io/kubernetes
pkg/apis/networking/validation ``ValidateIPBlock``: "must be a strict subset of `cidr`"), so a stated range inside
or equal to one of them keeps it open: that range was stated on purpose (an in-network object store, say).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPv4Network = ipaddress.IPv4Network

#: Link-local: the cloud metadata service answers at 169.254.169.254.
LINK_LOCAL = IPv4Network("169.254.0.0/16")
#: What a rule to public addresses leaves out, in address order.
PRIVATE_RANGES = tuple(IPv4Network(c) for c in ("10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"))
#: A stated range wider than this (a prefix shorter than /8) narrows the default rule little.
NARROWEST_WIDE_PREFIX = 8


def left_out(cidr: IPv4Network, excluded: Iterable[IPv4Network]) -> tuple[IPv4Network, ...]:
    """The excluded ranges strictly inside a stated range: its ``ipBlock.except``, so that stating ``0.0.0.0/0`` or
    a supernet such as ``160.0.0.0/3`` opens no more than the rule it narrows."""
    return tuple(x for x in excluded if x != cidr and x.subnet_of(cidr))


def opens(cidr: IPv4Network, excluded: Iterable[IPv4Network], other: IPv4Network) -> bool:
    """Whether a stated range, less what it leaves out, shares addresses with another range."""
    return cidr.overlaps(other) and not any(other.subnet_of(x) for x in left_out(cidr, excluded))
