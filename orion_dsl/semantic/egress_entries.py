"""The two ServiceEntries of an external split for the egress gateway must reach different proxies.

An external with an opaque TCP port other hosts share (SMTP 587) whose other ports go through the egress gateway
(SMTPS 465) gets two ServiceEntries of one host (:func:`orion_dsl.lowering.egress.split_for_gateway`): its callers'
(resolution NONE), exported to their namespaces, and the gateway's (DNS), exported to the gateway's namespace. A proxy
sees the entries exported to its namespace, and of two services of one host with different resolutions it keeps the
first and drops the other (istio/istio@86c9f01fd735fb01d8192f5bcaf0d424afb7f14c pilot/pkg/model/sidecar.go
``appendSidecarServices``, ``canMergeServices``). A caller in the gateway's namespace would make that namespace see
both: the gateway would then keep the NONE entry and loop 465 to itself, or the caller the DNS one and send every 587
connection to one host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orion_dsl.diagnostics import Diagnostic, error
from orion_dsl.lowering.egress import gateway, split_for_gateway

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


def split_entries_reach_different_namespaces(ctx: Context) -> list[Diagnostic]:
    """E0234 for a meshed caller of a split external that runs in the egress gateway's namespace."""
    t = ctx.topology
    found = gateway(t)
    if found is None:
        return []
    out = []
    for external in t.externals:
        if not split_for_gateway(t, external):
            continue
        for w in t.workloads_in(found.namespace):
            call = next((c for c in w.calls if c.target == external.name), None)
            if w.meshed and call is not None:
                out.append(
                    error(
                        "E0234",
                        call.span or w.span,
                        f"{w.name} calls {external.name} from {found.namespace}, the egress gateway's namespace: its sidecar and the gateway "
                        f"would both see {external.name}'s two ServiceEntries (its callers', resolved NONE, and the gateway's, DNS), "
                        "and Istio keeps only one of them",
                        f"run {w.name} in another namespace, or the egress gateway in one of its own (`egress_gateway {{ namespace ... }}`)",
                    )
                )
    return out
