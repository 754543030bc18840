"""Read manifests with kubectl's own decoder (``sigs.k8s.io/yaml``), offline.

``kubectl create --dry-run=client -o json -f FILE`` decodes YAML the way ``kubectl apply``
does, then prints what it read as JSON; it only needs API discovery to map each kind to a
resource. :func:`go_read` serves that discovery from a throw-away local HTTP server built
from the objects' own kinds, so no cluster is involved.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.renderers import require_tool

#: Kinds that live outside namespaces (everything else ORION writes is namespaced).
CLUSTER_SCOPED = frozenset({"Namespace", "ClusterIssuer", "ClusterRole", "ClusterRoleBinding"})


def _discovery(kinds: set[tuple[str, str]]) -> dict[str, Any]:
    """The discovery documents (``/api``, ``/apis``, one per group version) naming these kinds."""
    versions: dict[str, list[dict[str, Any]]] = {}
    for api_version, kind in sorted(kinds):
        resource = {"name": kind.lower() + "s", "singularName": kind.lower(), "namespaced": kind not in CLUSTER_SCOPED, "kind": kind, "verbs": ["create"]}
        versions.setdefault(api_version, []).append(resource)
    docs: dict[str, Any] = {
        "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
        "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": versions.pop("v1", [])},
    }
    groups: dict[str, list[str]] = {}
    for group_version, resources in versions.items():
        group, version = group_version.split("/")
        groups.setdefault(group, []).append(version)
        docs[f"/apis/{group_version}"] = {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}
    docs["/apis"] = {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": g,
                "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]},
            }
            for g, vs in groups.items()
        ],
    }
    return docs


@contextmanager
def _apiserver(kinds: set[tuple[str, str]]) -> Iterator[str]:
    """A local server answering API discovery for these kinds; yields its URL."""
    docs = _discovery(kinds)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = docs.get(self.path.split("?")[0])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(body if body is not None else {"kind": "Status", "code": 404}).encode())

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def go_read(files: Sequence[Path], kinds: set[tuple[str, str]], cache: Path) -> list[dict[str, Any]]:
    """The objects kubectl's decoder reads from these files (each holding objects of ``kinds``)."""
    kubectl = require_tool("kubectl")
    with _apiserver(kinds) as url:
        args = [kubectl, "--server", url, "--cache-dir", str(cache), "create", "--dry-run=client", "--validate=false", "-o", "json"]
        proc = subprocess.run([*args, *(a for f in files for a in ("-f", str(f)))], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return list(_documents(proc.stdout))


def _documents(text: str) -> Iterator[dict[str, Any]]:
    """The JSON objects kubectl printed one after another (a ``List``'s items for a file of several)."""
    decoder = json.JSONDecoder()
    at = 0
    while text[at:].strip():
        printed, end = decoder.raw_decode(text, at + len(text[at:]) - len(text[at:].lstrip()))
        at = end
        yield from printed["items"] if printed.get("kind") == "List" else [printed]
