"""The prerequisites document's context: the plan's :class:`~orion_dsl.lowering.prerequisites.Prerequisites`
as tables for people (``docs/PREREQUISITES.md``).

Only layout lives here: what is listed is decided in :mod:`orion_dsl.lowering.prerequisites`, so the
document and ``orion compile -v`` agree. Spec text (names, namespaces) is escaped by the table cells;
keys and API groups are code spans.
"""

from __future__ import annotations

from typing import Any

from orion_dsl import controllers
from orion_dsl.backends.docs.context.text import NONE, Table, table
from orion_dsl.backends.docs.markdown import Md, code, join, md
from orion_dsl.lowering import names
from orion_dsl.lowering.prerequisites import ClassNeed, Operator, Prerequisites, SecretNeed
from orion_dsl.receivers import RECEIVERS

#: What a Secret's keys are when a reader mounts it whole (or reads every key with ``env_from``): ORION does not know them.
ANY_FILE = "the keys the application reads (as files, or as variables with env_from)"

#: What the value of each key ORION's objects read must be.
KEY_FORMATS: dict[str, str] = {
    names.BACKUP_CREDENTIALS_KEY: "an AWS shared credentials file (a default profile with aws_access_key_id and "
    "aws_secret_access_key), as the AWS CLI in the backup pods and Velero's AWS plugin read it",
    names.OBJECT_STORE_KEYS[0]: "the access key id, as a plain value (the Barman Cloud plugin's ObjectStore)",
    names.OBJECT_STORE_KEYS[1]: "the secret access key, as a plain value (the Barman Cloud plugin's ObjectStore)",
    names.DNS01_TOKEN_KEY: "the DNS provider's API token cert-manager's DNS-01 solver uses",
    names.REDIS_PASSWORD_KEY: "a password: of Redis (every client, replica and Sentinel authenticates with it), of the database "
    "user the backup pods connect as, or of the RabbitMQ default user (in another namespace than the broker's, a copy of the "
    "operator's <broker>-default-user)",
    **{r.key: f"{r.holds}, for the Alertmanager's {r.kind} receiver (the Prometheus Operator reads it)" for r in RECEIVERS.values() if r.key != "url"},
    "url": "the URL the Alertmanager posts alerts to: a webhook's, or Slack's incoming webhook (the Prometheus Operator reads it)",
    names.BROKER_USER_KEYS[0]: "the RabbitMQ user's name: the default user's, with which KEDA reads queue depths (a copy of the operator's "
    "<broker>-default-user), or the one the definitions backup exports as",
}


def _version(o: Operator) -> str:
    """A release floor, or the API versions any serving release must have."""
    return f"{o.version} or later" if o.version is not None else "a release serving the API versions listed"


def _keys(s: SecretNeed) -> Md | str:
    """The keys named (code spans), and the whole-Secret note when a reader mounts it."""
    if not s.keys:
        return ANY_FILE
    found = join(", ", (code(k) for k in s.keys))
    return md("{} and {}", found, ANY_FILE) if s.any_file else found


def _classes(found: tuple[ClassNeed, ...], default: str) -> Table:
    return table(("Name", "Used by"), ((code(c.name) if c.name is not None else default, "; ".join(c.users)) for c in found))


def _operators(found: Prerequisites) -> Table:
    rows = []
    for o in found.operators:
        needed = [*(f"engine {e}" for e in o.engines), *(code(api) for api in o.serves)]
        rows.append((o.name, _version(o), code(o.namespace) if o.namespace else NONE, join(", ", needed), "; ".join(o.requires) or NONE))
    return table(("Operator or controller", "Version", "Namespace", "Needed for", "Requires"), rows)


def _crds(found: Prerequisites) -> Table:
    rows = ((code(c.group), c.kind, c.version, c.controller or NONE) for c in found.crds)
    return table(("API group", "Kind", "Version", "Served by"), rows)


def _secrets(found: Prerequisites) -> Table:
    rows = ((s.namespace, code(s.name), _keys(s), "; ".join(r.object for r in s.readers)) for s in found.secrets)
    return table(("Namespace", "Secret", "Keys", "Read by"), rows)


def _key_formats(found: Prerequisites) -> Table:
    """What the value of each key ORION's objects read must hold (the keys the spec names are the application's)."""
    keys = sorted({k for s in found.secrets for k in s.known_keys})
    return table(("Key", "Value"), ((code(k), md("{}", KEY_FORMATS[k])) for k in keys if k in KEY_FORMATS))


def context(found: Prerequisites) -> dict[str, Any]:
    """The template context of the prerequisites document (besides the spec's name and version)."""
    return {
        "platform": table(("Requirement", "Why"), ((f.name, f.why) for f in found.platform)),
        "operators": _operators(found),
        "crds": _crds(found),
        "storage_classes": _classes(found.storage_classes, "the cluster's default StorageClass"),
        "snapshot_classes": _classes(found.snapshot_classes, NONE),
        "secrets": _secrets(found),
        "key_formats": _key_formats(found),
        "provided": table(("Kind", "Namespace", "Name", "What"), ((p.kind, p.namespace or NONE, code(p.name), p.what) for p in found.provided)),
        "features": table(("Feature", "Why"), ((f.name, f.why) for f in found.features)),
        "pod_security": table(("Namespace", "Enforced level"), ((ns, level) for ns, level in found.pod_security)),
        "istio": any(o.name == controllers.ISTIO.name for o in found.operators),
    }
