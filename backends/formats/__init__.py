"""Output formats several backends write: the Mermaid text and the palette of a view's graph.

Not a target (it is not in :data:`orion_dsl.backends.BACKENDS`): the diagrams backend writes
each view as Mermaid (and DOT), the docs backend embeds the same Mermaid, and backends never
import each other, so what both need lives here (as the cookie expression the Istio and Kubernetes backends
both match, :mod:`.cookie`). The graphs themselves are the core's
(:mod:`orion_dsl.views`): what a view shows, not how a format writes it.
"""
