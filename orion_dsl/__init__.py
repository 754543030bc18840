"""ORION: one declarative spec for a microservice system on Kubernetes and Istio.

The pipeline runs one way: text -> Lark tree -> syntax tree -> declarations ->
resolved, validated :class:`orion_dsl.model.Topology` -> backends.
"""

__version__ = "0.1.0"
