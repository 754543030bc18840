"""An ingress host's path matches as each API ORION writes them to spells them, in one place.

``prefix`` matches the path and what lies below it by whole segments, ``exact`` that path alone
(:attr:`orion_dsl.model.Host.matched`). Sources: HTTPPathMatch.type of
kubernetes-sigs/gateway-api v1.5.1 (``PathPrefix``, ``Exact``), HTTPIngressPath.pathType of
networking.k8s.io/v1 (``Prefix``, ``Exact``).
"""

from __future__ import annotations

from orion_dsl.choices import PathMatch

#: HTTPRoute ``matches[].path.type`` of each path match.
GATEWAY_PATH_TYPES: dict[PathMatch, str] = {"prefix": "PathPrefix", "exact": "Exact"}
#: Ingress ``paths[].pathType`` of each path match.
INGRESS_PATH_TYPES: dict[PathMatch, str] = {"prefix": "Prefix", "exact": "Exact"}

