"""A pooled CloudNativePG database is reached through its pooler (W0329).

The operator's ``<db>-app`` Secret holds ready-made addresses (``uri``, ``host``, the JDBC URIs) of the
``<db>-rw`` Service, the instances; with a pooler, ORION's NetworkPolicies admit only the pooler to the
instances, so a client that uses them times out. ORION's own Service ``<db>`` is the read-write pooler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orion_dsl.diagnostics import Diagnostic, warning

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


#: The keys of CloudNativePG's ``<db>-app`` Secret that name the ``<db>-rw`` Service (the instances), not ORION's ``<db>``.
CNPG_ADDRESS_KEYS = ("uri", "jdbc-uri", "host", "fqdn-uri", "fqdn-jdbc-uri")


def pooled_databases_are_reached_through_the_pooler(ctx: Context) -> list[Diagnostic]:
    """W0329 for a workload that reads an address key of a pooled CloudNativePG database's ``<db>-app`` Secret: the
    operator writes it for ``<db>-rw``, the instances, which admit only the pooler, so every connection times out."""
    pooled = {(w.namespace, f"{w.name}-app"): w for w in ctx.topology.workloads if w.engine == "cloudnative-pg" and ctx.topology.pooler_of(w) is not None}
    out = []
    for w in ctx.topology.workloads:
        for c in (*w.containers, *w.init_containers):
            for e in c.env:
                db = pooled.get((w.namespace, e.source or "")) if e.source_kind == "secret" and e.key in CNPG_ADDRESS_KEYS else None
                if db is not None:
                    port = db.ports[0].name if db.ports else "sql"
                    out.append(
                        warning(
                            "W0329",
                            w.span,
                            f"{w.name} reads `{e.key}` of {e.source}, which CloudNativePG writes for the Service {db.name}-rw (its instances); "
                            f"{db.name} is pooled and its instances admit only the pooler, so {w.name} could not connect",
                            f"address the pooler: `env {e.name} address {db.name}:{port}`, with the `username` and `password` keys of {e.source}",
                        )
                    )
    return out
