"""Every diagnostic code ORION reports, in one registry: its severity and what it means.

A code is the stable name of one kind of finding (``E0201``): users search for it, tests find
diagnostics by it, ``orion explain CODE`` prints its entry. Building a diagnostic with a code
that is not registered here, or with another severity than the one registered, is a bug in
orion (see :func:`registered`). The families (the first letter and digits) say where a code
comes from; docs/LANGUAGE.md section 6 lists every code for readers of the language.
"""

from __future__ import annotations

import enum
import re

import attrs


class Severity(enum.Enum):
    """How bad a diagnostic is; errors stop a compile, warnings do so only with --strict."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


#: What a diagnostic code looks like: its family's letter and four digits.
CODE_PATTERN = re.compile(r"[EWRI][0-9]{4}")

#: Where every code is listed for readers of the language.
CODE_TABLE = "docs/LANGUAGE.md, section 6 (Diagnostics)"


@attrs.frozen
class Family:
    """A group of codes sharing a prefix: where they come from and where to read more."""

    prefix: str
    severity: Severity
    title: str
    read_more: tuple[str, ...]


FAMILIES: tuple[Family, ...] = (
    Family("E01", Severity.ERROR, "syntax or vocabulary error", (CODE_TABLE, "docs/LANGUAGE.md, sections 1 (Lexical elements) and 2 (Statements)")),
    Family("E02", Severity.ERROR, "semantic error", (CODE_TABLE, "docs/LANGUAGE.md, section 3 (Constructs)")),
    Family("W03", Severity.WARNING, "warning about the spec; an error with --strict", (CODE_TABLE,)),
    Family("R06", Severity.WARNING, "warning from a renderer orion compile runs; never stops a compile", (CODE_TABLE, "README.md, Usage (Without Graphviz)")),
    Family("I07", Severity.INFO, "information from the istio target, shown by orion compile -v", (CODE_TABLE, "README.md, Usage (-v)")),
    Family("I1", Severity.INFO, "information from the kubernetes target, shown by orion compile -v", (CODE_TABLE, "README.md, Usage (-v)")),
)


@attrs.frozen
class Code:
    """One diagnostic code: its severity, what it means in one line, and where useful why it
    matters (``explanation``) and how to fix it (``fix``)."""

    name: str
    severity: Severity
    meaning: str
    explanation: str = ""
    fix: str = ""

    @property
    def family(self) -> Family:
        """The family the code belongs to (by its prefix)."""
        return next(f for f in FAMILIES if self.name.startswith(f.prefix))


def _e(name: str, meaning: str, explanation: str = "", fix: str = "") -> Code:
    return Code(name, Severity.ERROR, meaning, explanation, fix)


def _w(name: str, meaning: str, explanation: str = "", fix: str = "") -> Code:
    return Code(name, Severity.WARNING, meaning, explanation, fix)


def _i(name: str, meaning: str, explanation: str = "", fix: str = "") -> Code:
    return Code(name, Severity.INFO, meaning, explanation, fix)


_SYNTAX_ALONE = "Syntax errors are reported alone (one per line, at most 20): the other checks need a file that parses."
_NOT_IN_MANIFESTS = "The fact is in the spec, the diagrams and the document; no Kubernetes object can hold it."

CODES: tuple[Code, ...] = (
    # E01xx: syntax and vocabulary
    _e(
        "E0100",
        "unexpected token: the text does not fit the grammar here",
        f"Usual causes: a stray `}}`, a `{{` on a line of its own instead of the line of its keyword, a missing value. {_SYNTAX_ALONE}",
        "Follow the help line, which says what the grammar expected at that place.",
    ),
    _e(
        "E0101",
        "unexpected character: one no token starts with (`$`, `@`, ...)",
        _SYNTAX_ALONE,
        "Names use letters, digits, `_` and `-`; put text (and versions with dots) in double quotes; comments start with `#`.",
    ),
    _e("E0102", 'unterminated string: a `"` not closed on the same line', _SYNTAX_ALONE, 'Close the string with `"` on the line it starts on.'),
    _e(
        "E0103",
        "unexpected end of file",
        "The file ended inside a block or statement; usually a `}` is missing.",
        "Add the missing `}` (the help line says what was expected).",
    ),
    _e("E0104", "blocks nested more than 32 deep", "No ORION construct nests that deep; usually a `}` is missing.", "Close the blocks that were meant to end."),
    _e(
        "E0105",
        "the file is not a UTF-8 text spec: it contains NUL bytes, or bytes that are not UTF-8",
        "The diagnostic points at the first such byte.",
        "Give orion a UTF-8 text file: convert it (e.g. `iconv -f latin1 -t utf-8`) or write the character as an escape such as `\\u00e9`.",
    ),
    _e(
        "E0106",
        "a token too long to read: a string of more than 65,536 characters, or a name or number of more than 1,024",
        "A token that long is a mistake (often a missing separator or quote), not a value.",
        "Split the text, or add the missing separator.",
    ),
    _e(
        "E0110",
        "unknown keyword where it stands",
        "The keyword is not one the enclosing block (or the top level) takes; a keyword written in quotes is one only a "
        "mapping (`labels`, `annotations`, `pod_annotations`) takes, as its key.",
        "Use the keyword the did-you-mean suggests, or move the statement to the block it belongs to.",
    ),
    _e(
        "E0111",
        'a value of the wrong kind (a name where a number is expected, ...), or a `labels` entry not written `key "value"`',
        fix="Write the kind of value the message names.",
    ),
    _e(
        "E0112",
        "a missing argument or value",
        "A positional, `->`, an option's value, an exec command, an http path, a volume's source, a backup's schedule or a pooler's port is missing.",
        "Add what the message names; the help line shows how it is written.",
    ),
    _e("E0113", "an unexpected extra argument, or one value too many", fix="Remove the extra value, or put an option on its own line."),
    _e("E0114", "a keyword that may be written once is set twice", "The note points at the first one.", "Keep one of them."),
    _e(
        "E0115",
        "a required keyword is missing (`topology`, `image`, `at`, `to`, an external's `host` or `port`, ...)",
        fix="Add the statement the message names.",
    ),
    _e("E0116", "a block given to a statement that takes none", fix="Remove the `{ ... }` block, or write the value on one line."),
    _e(
        "E0120",
        "a bad value of the right kind",
        "A wrong unit, a percentage above 100%, a port outside 1-65535, a bad protocol, time, CIDR or address, a name not in the "
        "allowed list, a switch that is not on/off, a number Kubernetes cannot hold, a string with a control or invisible format "
        "character, or an empty string where Kubernetes needs one.",
        "Write a value of the form the help line describes.",
    ),
    # E02xx: semantic
    _e(
        "E0201",
        "an unknown name: a call, route, host or rule target, subnet, namespace, workload, backup target or certificate issuer",
        "Also: a host or route sending traffic to an external service, or a rule starting at one (externals are only reached); "
        "and an object ORION would write naming one nothing makes, such as an autoscaler's `object` metric describing a Service "
        "that is not in its namespace; a version a `traffic` block names that the service does not run; and a "
        "`volume NAME none` naming no volume the defaults under it mount (it would drop nothing).",
        "Use the name the did-you-mean suggests, or declare what the name refers to.",
    ),
    _e(
        "E0202",
        "a reference to a port the target does not expose",
        "Also: a rule `ns:port` where no workload of the namespace has the port, and a call to a workload without ports (it gets no Service).",
        "Name one of the ports the help line lists, or add the port to the target.",
    ),
    _e(
        "E0203",
        "a name defined twice, or two facts that would make one Kubernetes object",
        "Names must be unique where ORION turns them into objects: workloads, namespaces, subnets, volumes, backups and the rest. "
        "Every object ORION writes is planned once with the facts that make it; two facts that would make one object (a workload "
        "named like another's derived object such as `<name>-headless`, `-blue` or `-backup-egress`, a workload named like Istio's "
        "egress gateway Service, two egress hosts that differ only in `.`, `-` or `*`) are reported at both, as are two volumes "
        "mounted at one path, and two keys of a volume on one file.",
        "Rename one of them; the note points at the other.",
    ),
    _e(
        "E0204",
        "a name or label that cannot become a Kubernetes name, or a namespace Kubernetes or the platform own",
        "Names become DNS-1123 labels (ports: at most 15 characters); a volume's ConfigMap or Secret name becomes a file name too. "
        "The names ORION makes from them must fit their kind too (a Service 63 characters, a StatefulSet or CronJob 52, a label "
        "value 63), checked at the fact that makes them. `default`, `kube-*` and `istio-system` belong to the cluster, and a "
        "`mesh on` namespace keeps `istio-injection: enabled`. A label or annotation key is `[prefix/]name` (the prefix a "
        "DNS subdomain, the name at most 63 characters), a label value at most 63; the keys ORION writes itself "
        "(`app.kubernetes.io/name` and the other recommended labels, `orion.dev/*`, `sidecar.istio.io/inject`, the "
        "`prometheus.io/*` scrape hints, Pod Security's labels) are ORION's, so a selector can never miss its pods.",
        "Use the name the help line suggests (lower-case letters, digits and `-`), or shorten it by as much as it says; "
        "for a key ORION owns, remove it or use the statement the message names.",
    ),
    _e("E0205", "a resource request above its limit", fix="Write `request..limit` with the request first."),
    _e(
        "E0206",
        "a range whose minimum is above its maximum (autoscaling, nodes, addresses), or autoscaling below 1 replica",
        fix="Swap the bounds, or start the range at 1.",
    ),
    _e("E0207", "`replicas` outside the autoscaling range", fix="Make `replicas` a value inside the range, or leave it out."),
    _e("E0208", "two subnets overlap", fix="Give each subnet its own address block."),
    _e("E0209", "addresses without a subnet, or outside it", fix="Add `subnet NAME` to the workload or its namespace, or use addresses inside the subnet."),
    _e("E0210", "two workloads' address ranges overlap, or one includes the ingress address", fix="Give each workload (and the ingress) its own addresses."),
    _e(
        "E0211",
        "an address range smaller than the workload's maximum replicas",
        "Each replica needs an address of its own.",
        "Widen the range to at least the maximum replicas.",
    ),
    _e(
        "E0212",
        "a port name or number declared twice in one pod (main container and sidecars together)",
        fix="Give every port of a pod its own name and number.",
    ),
    _e("E0213", "a health check on a port the containers do not expose, or with no port at all", fix="Check a port the workload declares, or add the port."),
    _e(
        "E0214",
        "read weights that do not match the read replicas, do not add up to 100%, or give a replica 0%; traffic split weights not adding up to 100%",
        "A replica with 0% would still be read from through the shared read Service. A `traffic` `split` shares the default route's "
        "requests between versions, so its weights are the whole.",
        "Give one weight above 0% per read replica, adding up to 100%; make the split's weights add up to 100%.",
    ),
    _e(
        "E0215",
        "a `statefulset` with `blue_green`, `version` blocks or `rollout recreate`",
        "Stateful sets replace their pods one by one.",
        "Use a `service` for this rollout.",
    ),
    _e(
        "E0216",
        "a value Kubernetes (or Istio) does not accept",
        "ORION checks what the cluster would refuse when applying: a Kubernetes or Istio version too old for the APIs it writes "
        "(Kubernetes 1.28, Istio 1.22), durations and thresholds under their minimum, an image that is "
        "not an image reference, an empty command, a relative mount path or one at `/`, a volume `file` outside its mount, "
        "storage of size 0, user 0 (root), a host "
        "that is not a DNS name (or, for the ingress, the catch-all `\"*\"`), a URL path, CORS origin or method, JWKS address, "
        "ACME e-mail or `retries on` condition of the wrong form, blue and green versions that make one label, "
        "a colour without its own image whose version is no tag or whose workload's "
        "image is pinned by digest, a traffic delay under 1ms, an abort status outside 200-599, an upper-case match header name, "
        "more traffic matches behind an Istio ingress host than an HTTPRoute's 16 rules or 128 matches over them hold (each "
        "rule repeats every path of the host), or a header it cannot carry, "
        "more than 100 read replicas or more than the pods a database runs, `primary 0` and the like.",
        "Write a value the help line describes.",
    ),
    _e(
        "E0217",
        "a statement the workload's operator (`engine`) decides itself, or a value it cannot run",
        "An operator makes the pods of a workload with an `engine` (CloudNativePG, the RabbitMQ Cluster Operator, the OT "
        "redis-operator, the Prometheus Operator): their probes, volumes, sidecars, security context, rollout, disruption budgets, autoscaling, environment, "
        "containers (names, commands, arguments, image pull policy, init containers), Service (type, headless), service account, labels, "
        "annotations and mesh membership are its, "
        "its pods listen on its ports and mount the data volume where it says. The Prometheus Operator runs only the "
        "monitoring block's scraper (a Prometheus) and alerting workload (an Alertmanager).",
        "Remove the statement, or use the operator's port or path the help line names (docs/LANGUAGE.md, Engines).",
    ),
    _e(
        "E0218",
        "an unknown AWS region: a `kind s3` target's `region` that is not a region of any AWS partition",
        "Velero's AWS plugin reaches the bucket in the region it is given: a region AWS does not have (`us-east`) fails "
        "every backup, not the compile. The regions are those of botocore's endpoint data, opt-in, China, GovCloud and "
        "isolated regions included; `gcs` and `azure` targets' regions are not checked.",
        "Write the region code the did-you-mean suggests (`us-east-1`, not `us-east`).",
    ),
    _e(
        "E0219",
        "the replicas of a Deployment (or a rolling update's surge pod) would share one read-write-once claim",
        "A `service` is a Deployment: its pods share its claims. A claim that attaches to one node (`read-write-once`, "
        "`read-write-once-pod`) cannot serve more than one pod: the others wait on Multi-Attach errors, or several "
        "processes write one data directory. A stated rolling update with a surge runs the new pod beside the old one; "
        "without a stated strategy such a Deployment is recreated.",
        "Declare a `statefulset` (a claim per pod), run the data store on an `engine` that replicates it, use `access read-write-many` "
        "storage, or (one replica) write `rollout recreate` or `rollout rolling { surge 0; unavailable 1 }`.",
    ),
    _e(
        "E0220",
        "a covered workload's backups do not meet its recovery point objective",
        "A recovery objective promises at most its RPO of lost data: a workload it covers needs a backup at least that often.",
        "Back up at least every RPO, or relax the objective.",
    ),
    _e(
        "E0221",
        "a statement that needs another, or two that exclude each other",
        "`session_affinity` needs the mesh (the callers' sidecars hash on the cookie or header) and replaces "
        "`load_balancing`; only a cookie affinity has a `ttl`. An autoscaling `queue` is read by KEDA from an `engine "
        "rabbitmq-operator` broker, and KEDA's ScaledObject replaces the HPA that `pods`, `object` and `external` metrics need. "
        "An `env` takes one value (a string, a Secret's or ConfigMap's `key`, or an `address`), and `key` only with a Secret or "
        "ConfigMap; a `node_port` needs `service_type node-port` or `load-balancer`; a `headless` Service is neither of those "
        "and maps no Service port to another container port; a node-port or load-balancer Service serves clients outside the "
        "cluster, who have no mTLS identity, so it excludes the mesh (use the `ingress`, whose gateway is meshed, or `mesh off`); "
        "a pooled database's Service is its pooler's, of neither kind. "
        "`version` blocks run a Deployment each, so they exclude `blue_green` and `autoscale` (an HPA scales one Deployment); "
        "`traffic` needs the mesh and a port, and its `split`, `match` and `mirror` need versions. "
        "`spread none` turns spreading off, so no other `spread` may stand beside it; `require_zones` admits no other zone, "
        "so it excludes `prefer_zones`; a workload joins the mesh (`mesh on`) only in a meshed namespace; ORION labels "
        "and limits nothing in an `external` namespace; `probes none` and `resources none` stand alone in their block, "
        "and `volume NAME none` states no source, path or files; a certificate names its hosts, so the ingress's "
        "catch-all host `\"*\"` excludes `tls`.",
        "Add what the statement needs, or keep one of the two (the help line says which).",
    ),
    _e(
        "E0230",
        "a patch names no object ORION generates: an unknown kind, or no object of that kind with that name",
        "A patch changes an object of the plan, named by its kind and name as `orion compile` writes them (`in` a namespace "
        "when two namespaces hold one name, `api` an apiVersion when two API groups do).",
        "Use the kind and name the did-you-mean suggests (the files under OUT/kubernetes/ and OUT/istio/ are named kind-name.yaml).",
    ),
    _e(
        "E0231",
        "a patch field path the kind's schema does not have, or one that is the object's identity",
        "Patches are checked against the Kubernetes OpenAPI schema of built-in kinds and the CRD schema of custom resources "
        "(orion_dsl/patches/fields.json); apiVersion, kind, metadata.name and metadata.namespace are the plan's.",
        "Write the field the did-you-mean suggests; a list is indexed by number in a JSON pointer, by its merge key in a merge.",
    ),
    _e(
        "E0232",
        "a patch value of the wrong type for its field: a string where the schema wants a number, a value where it wants a block",
        fix="Write a value of the type the message names; strings in double quotes, true/false, numbers, null.",
    ),
    _e(
        "E0233",
        "a patch that does not apply to the generated object, or leaves it invalid for its schema",
        "Patches are applied to the objects ORION generates at `orion check` time: a JSON patch path the object does not have, "
        "a failed `test`, a `$patch` directive on a field or list element the object does not have (kubectl would ignore it), "
        "or a removed required field is found before anything is written.",
        "Patch a path the generated object has (`orion compile -o -` shows it), or use `add` to create a field.",
    ),
    _e(
        "E0234",
        "a meshed caller of an external split for the egress gateway runs in the gateway's namespace",
        "Such an external has two ServiceEntries of one host, its callers' (NONE) and the gateway's (DNS), exported apart; a "
        "namespace that sees both keeps one of them (Istio merges services of one host only when their resolutions agree), "
        "so the gateway loops the routed port to itself or the caller sends the shared port to one host.",
        "Run the caller in another namespace, or the egress gateway in one of its own.",
    ),
    _e(
        "E0235",
        "an external's `addresses` hold a declared subnet or link-local addresses",
        "An external's egress rules open its ports to its `addresses`, less the private, shared and link-local ranges "
        "strictly inside them. A range that still holds a `subnet` (the cluster's address plan) or lies in 169.254.0.0/16 "
        "(the cloud metadata service) would open the ports to addresses inside the cluster, which no external has.",
        "State the ranges the external's hosts lie in: the provider's published ranges, or the /32 of a host in your network.",
    ),
    _e(
        "E0236",
        "an `external` autoscaling metric that selects no series",
        "An external metric is not an object's: without labels the external metrics API returns every series of "
        "that name (every queue, every tenant), and the HPA would scale on their sum.",
        'Name the series with `{ select { LABEL "VALUE" } }`, or scale on a RabbitMQ queue with `queue "NAME" DEPTH on BROKER`.',
    ),
    _e(
        "E0237",
        "an ingress with `tls` does not listen on 443",
        "The ingress terminates TLS on 443; every other listen port is plain HTTP, so its hosts would be served in "
        "plaintext beside a certificate no listener uses.",
        "Listen on 443, or drop `tls`.",
    ),
    _e(
        "E0238",
        "an HTTP-01 issuer signs the ingress's certificate, but the ingress does not listen on 80",
        "ACME servers send HTTP-01 challenges to port 80 only: the challenge never arrives, the certificate is never "
        "issued and the HTTPS listener has no Secret.",
        "Add `listen 80` (plain HTTP then only redirects and answers challenges), or give the issuer `dns01`.",
    ),
    _e(
        "E0239",
        "a CloudNativePG base backup goes to a target its WAL is not archived to",
        "The base backup goes through the Barman Cloud plugin into the target's ObjectStore, which ORION writes for the "
        "WAL archive to that target; without it every ScheduledBackup fails, and a base backup without its WAL cannot "
        "be restored consistently.",
        "Add `backup wal continuous to TARGET` to the database.",
    ),
    _e(
        "E0240",
        "a namespace is `mesh on`, but the spec has no `mesh istio` block",
        "The namespace would be labelled for Istio's sidecar injection while ORION writes no Istio object: no mTLS, no "
        "authorization, and none of its workloads' mesh settings (timeouts, retries, affinity).",
        "Add `mesh istio { mtls strict }` at the top level, or drop `mesh on`.",
    ),
    _e(
        "E0241",
        "an external with a wildcard host goes through the egress gateway",
        "Istio resolves only whole names by DNS, so the external's entry has resolution NONE and the egress gateway "
        "forwards to the connection's original destination, the gateway itself: nothing reaches the external, its named hosts included.",
        "Name the hosts the workloads call instead of the wildcard, or put an SNI proxy behind the gateway.",
    ),
    _e(
        "E0242",
        "an ingress's `tls` names no `issuer`",
        "Without an issuer no certificate is made and no listener terminates TLS: the hosts would be served in plaintext.",
        "Name an issuer of the `certificates` block: `tls { issuer NAME }`.",
    ),
    _e(
        "E0243",
        "an HTTP-01 issuer signs a certificate for a wildcard host",
        "ACME issues wildcard names only over the DNS-01 challenge: the certificate would never be issued, and the HTTPS "
        "listener would have no Secret.",
        "Give the issuer `dns01` (the provider that serves the domain), or name the hosts.",
    ),
    # W03xx: warnings about the spec
    _w(
        "W0301",
        "a deny rule blocks a declared call, route, ingress host or allow rule",
        "The call is declared, but no policy lets it through.",
        "Remove the call, or narrow the deny rule.",
    ),
    _w(
        "W0302",
        "an allow rule opens a path nothing calls",
        "An opening nothing uses widens what an attacker can reach.",
        "Remove the rule, or declare the call with `calls`.",
    ),
    _w(
        "W0303",
        "a namespace quota is smaller than its workloads need at maximum scale",
        "Pods past the quota are refused when the workloads scale up.",
        "Raise the quota, or lower limits or maximum replicas.",
    ),
    _w(
        "W0304",
        "a secret in plain text in the spec",
        "A literal value for an `env` named like a secret (`PASSWORD`, `TOKEN`, `API_KEY`...), credentials in a URL, a well-known token "
        "or a private key ends up in the manifests and the document (which masks it).",
        'Keep it in a Secret created out of band and read one key as the variable (`env NAME secret "SECRET" key "KEY"`) or mount it '
        'with a `secret` volume (`volume NAME secret "SECRET" at "/path"`).',
    ),
    _w(
        "W0305",
        "`load_balancing ip-hash` on a workload a gateway or the ingress forwards to",
        "The hash is of the caller pod's address: every client of one gateway pod has that pod's address, so all of them go to "
        "one pod, and a client moves when the gateway pod that forwards it changes.",
        'Pin clients by what they send: `session_affinity cookie "NAME"` (the sidecar sets the cookie) or `session_affinity header "NAME"`.',
    ),
    _w(
        "W0307",
        "a workload outside the mesh (`mesh off`) calls a meshed workload under STRICT mutual TLS: Istio refuses the call",
        "Without a sidecar it presents no mTLS identity, so no principal admits it; pod addresses are not pinned, so ORION "
        "admits no plaintext by address and opens no port to plaintext. The callee's sidecar refuses the call the spec declares.",
        "Leave the caller in the mesh, or take the callee out of it.",
    ),
    _w(
        "W0308",
        "a default ORION adds is turned off: `probes none` (no health checks) or `resources none` (no requests or limits)",
        "Without probes a hung pod is never restarted and keeps getting traffic; without requests the scheduler cannot place "
        "a pod by what it needs, and without limits one pod can starve its node. In a namespace ORION manages (without `limit_range off`), the "
        "LimitRange still gives such a container 100m..500m CPU and 128Mi..512Mi memory; with `limit_range off` it runs without any (beside "
        "a `quota` of CPU or memory that is E0221: the API server refuses the pod); in an `external` namespace its own LimitRange decides.",
        "State the checks or the resources, or keep the statement where it is meant (a batch job, a legacy image).",
    ),
    _w(
        "W0309",
        "meshed workloads share one ServiceAccount, and a callee admits one of them: it admits them all",
        "Istio identifies a caller by its ServiceAccount's principal (`cluster.local/ns/NAMESPACE/sa/NAME`). Workloads "
        "that name one `service_account` present one principal, so the AuthorizationPolicy that admits one admits every "
        "workload that runs as it, calls the spec never declared included.",
        "Give the caller an account of its own, or keep the shared account where every workload may make the same calls.",
    ),
    _w(
        "W0310",
        "`controller ingress-nginx`: the ingress-nginx controller was retired in March 2026",
        "It gets no releases or security fixes. ORION still writes its Ingress objects (with the controller installed separately).",
        "Write `controller istio`: Istio's Gateway API implementation, whose gateway pods are meshed and admitted by identity.",
    ),
    _w(
        "W0311",
        "the ingress is `behind` a proxy that states no `ranges`: a client reaching the gateway directly can claim any address",
        "Behind N proxies the gateway takes the client's address from X-Forwarded-For, trusting the N entries they append. "
        "The gateway admits the innermost proxy's `ranges` alone; without them it admits anyone, whose forged header it trusts too.",
        "List the proxy's addresses (`cdn NAME { ranges CIDR, ... }`; Cloudflare's are at https://www.cloudflare.com/ips/).",
    ),
    _w(
        "W0312",
        "the Alertmanager calls no external service where its receiver sends: no alert leaves the cluster",
        "Its egress is the allow-graph's: without a `calls` to an external with the receiver's host (PagerDuty's "
        "events.pagerduty.com, Slack's hooks.slack.com, Opsgenie's api.opsgenie.com, a webhook's own), the NetworkPolicies "
        "drop every notification.",
        "Declare the host as an `external` and add `calls <external>:<port>` to the alerting workload.",
    ),
    _w(
        "W0313",
        "a patch changes what the allow-graph computed: the diagrams and the architecture document no longer show the cluster",
        "Patches are applied last and not fed back into the model. A patch of a NetworkPolicy, AuthorizationPolicy, "
        "PeerAuthentication, Sidecar, ServiceEntry or route, of a Service's ports, selector or type, or of a pod's labels, "
        "mesh annotations or container ports changes who can reach whom, and the diagrams and the document still draw "
        "the graph the spec states. The document's Patches section names what each such patch changes.",
        "State it in the language (`port`, `calls`, `allow`, `service_type`, `labels`, `mesh`) where it can be; else keep the "
        "patch and read the Patches section beside the diagrams.",
    ),
    _w(
        "W0314",
        "a CDN in front of the ingress cannot reach the gateway's private `address`",
        "A CDN (the innermost piece `behind` names) connects to its origin over the internet, so a private or otherwise "
        "non-public address (10.0.1.10, 100.64.0.0/10) is out of its reach unless another hop carries the connection: a "
        "public layer-4 load balancer forwarding to that address, or a load balancer inside the cluster's network.",
        "Name that load balancer after the CDN in `behind` (`load_balancer public { ... }`, `behind cdn, public`), or give "
        "the gateway a public `address`.",
    ),
    _w(
        "W0315",
        "the monitoring block's scraper runs without the Prometheus Operator: nothing reads the monitors and rules ORION writes",
        "ORION writes a ServiceMonitor or PodMonitor per scraped workload and a PrometheusRule of the alerts; a Prometheus "
        "ORION runs itself reads its image's prometheus.yml, which scrapes only itself.",
        "Give the scraper `engine prometheus-operator`: ORION writes a Prometheus whose selectors match the monitors and rules.",
    ),
    _w(
        "W0316",
        "an incremental PostgreSQL backup on a server older than 17: every run fails",
        "ORION's built-in incremental step runs `pg_basebackup --incremental`, which PostgreSQL 17 added; an older "
        "server refuses it, so the CronJob fails every time (the full and WAL backups still run).",
        "Use PostgreSQL 17 or newer (the image's tag), give the backup an `image` that does incremental backups "
        "(pgBackRest), or remove the incremental backup.",
    ),
    _w(
        "W0317",
        "a namespace has a `quota` of CPU or memory and `limit_range off`: pods others start there without resources are refused",
        "A ResourceQuota of CPU or memory makes the API server refuse a pod any of whose containers states no request or limit "
        "of it; ORION's LimitRange would fill them in at admission. ORION's own containers state theirs (a `resources none` one "
        "is E0221), but a `kubectl run`, a Job or an operator's pods that state none cannot start.",
        "Leave out `limit_range off`, or make sure everything that starts pods in the namespace states their resources.",
    ),
    _w(
        "W0318",
        "a statefulset of a database image with several pods and no `engine` runs independent servers behind one Service",
        "The PostgreSQL, Redis and RabbitMQ images do not replicate on their own: each pod initialises its own claim, so "
        "the Service splits writes between unrelated servers, and ORION's backup steps (which connect through the Service) "
        "reach either one: a WAL stream and its slot, or an incremental and its manifest, on different servers.",
        "Run it on the operator that replicates it (`engine cloudnative-pg`, `redis-operator`, `rabbitmq-operator`), or write `replicas 1`.",
    ),
    _w(
        "W0319",
        "an ingress host reaches a service whose `traffic` block the edge cannot apply: its faults, or with ingress-nginx all of it",
        "Istio's Gateway API gateway applies the HTTPRoute, not the workload's VirtualService (which binds to the mesh's "
        "sidecars alone). The route weights, matches and mirrors to a Service per version and carries the timeouts, but the "
        "Gateway API has no fault injection, so the block's delays and aborts reach mesh callers only. ingress-nginx applies "
        "none of the block: it sends to the Service, which selects every version's pods. A blue-green pair is not concerned: "
        "its Service selects the active colour.",
        "Test faults from a service in the mesh that calls the versioned one; with ingress-nginx, use `controller istio`.",
    ),
    _w(
        "W0320",
        "an ingress-nginx ingress's `waf` names a `module`, which only Istio's gateway loads",
        "The module is coraza-proxy-wasm's Wasm image, loaded by a WasmPlugin into Istio's gateway; ingress-nginx runs the "
        "ModSecurity it is built with, so the setting would do nothing.",
        "Remove `module`, or write `controller istio`.",
    ),
    _w(
        "W0321",
        "the JWKS URL is a host the spec's own ingress serves, and istiod's tokenless fetch of it reaches no keys",
        "istiod fetches a RequestAuthentication's keys itself, without a token, through the edge like any client; an ingress "
        "with no line for the path, a gateway with no route for it, or the jwt's own workload requiring a token there answers "
        "404 or 403, istiod reads no keys, and Istio refuses every token (401) while login still answers.",
        'Add `route "PATH" -> SERVICE:PORT` to the gateway for the service that publishes the keys, or point `jwks` at a URL that reaches it.',
    ),
    _w(
        "W0322",
        "an external's, a recovery target's or the API server's stated range is wider than a /8",
        "A stated range replaces the egress rule to every public address (or, for the API server, to any address but "
        "link-local); a prefix shorter than /8 opens the ports to about as much. The private and link-local ranges inside "
        "it stay closed.",
        "State the ranges the hosts lie in, or leave the range out.",
    ),
    _w(
        "W0323",
        "an ingress-nginx host sends to a meshed workload, which refuses it",
        "ingress-nginx runs outside the mesh: it presents no mTLS identity, and a meshed workload's AuthorizationPolicies "
        "(the namespace's allow-nothing, then callers by principal) refuse every request from it.",
        "Write `controller istio` (Istio's gateway is in the mesh, admitted by identity), or take the workload out of the mesh (`mesh off`).",
    ),
    _w(
        "W0324",
        "a workload scales on a queue of a broker it does not call",
        "KEDA scales the workload on the queue's depth, but its NetworkPolicy and Sidecar open only what it calls: "
        "its pods could never reach the broker they consume from, however many KEDA starts.",
        "Add `calls BROKER:PORT` to the workload (its own `calls` replace the namespace defaults' whole).",
    ),
    _w(
        "W0325",
        "a scheduled backup has neither a built-in step nor an `image`",
        "ORION's built-in steps back up PostgreSQL (full, incremental), Redis (snapshot, full) and RabbitMQ (definitions); "
        "any other backup gets a CronJob whose step can only fail, every run, while the recovery objectives count it.",
        "Give the backup an `image` that reads the BACKUP_* variables, or back up a kind ORION knows for that image.",
    ),
    _w(
        "W0326",
        "RabbitMQ's definitions backup runs in an image without rabbitmqadmin 2",
        "The step runs rabbitmqadmin 2 in the broker's own image, which only RabbitMQ 4.x `-management` images ship; 3.x "
        "images ship the Python rabbitmqadmin 1 (other commands), images without the management plugin none.",
        'Run a 4.x management image (`image "rabbitmq:4.2-management"`), or give the backup an `image` of its own.',
    ),
    _w(
        "W0327",
        "an external is `via egress_gateway`, but the spec has no egress gateway",
        "Without `mesh { egress_gateway }` nothing carries the external's traffic through a gateway: its callers go out "
        "directly, past the control the spec states.",
        "Add `egress_gateway { ... }` to the `mesh istio` block, or drop `via egress_gateway`.",
    ),
    _w(
        "W0328",
        "a container's memory is under 4Mi: a number written without its unit",
        "`memory 2` is 2 bytes; runc refuses a limit that small, so the pod never starts.",
        "Write the unit: `memory 2Gi`, `512Mi`.",
    ),
    _w(
        "W0329",
        "a workload reads the address in a pooled CloudNativePG database's `<db>-app` Secret",
        "The operator writes `uri`, `host` and the JDBC URIs for the `<db>-rw` Service, the instances; a pooled database's "
        "instances admit only its pooler (ORION's NetworkPolicies), so the connection times out.",
        "Address the pooler, ORION's Service `<db>`: `env NAME address DB:PORT`, with the Secret's `username` and `password`.",
    ),
    # R06xx: renderer warnings
    _w(
        "R0601",
        "Graphviz `dot` is not installed: the SVG diagrams are skipped",
        "The `.mmd` and `.dot` files are written; the message names the SVG files left out.",
        "Install Graphviz (Debian/Ubuntu: `apt-get install graphviz`), then compile again.",
    ),
    _w(
        "R0602",
        "Graphviz could not draw one view: that SVG is skipped",
        "The `.dot` file is written; Graphviz failing on a `.dot` file ORION wrote should not happen.",
        "Please report it with the spec.",
    ),
    _w("R0603", "Graphviz warned while drawing one view: the SVG is written", "The picture may be drawn imperfectly.", "Please report it with the spec."),
    # I07xx: istio target
    _i("I0701", "the spec has no mesh, so there are no Istio resources", fix="Add a `mesh istio { ... }` block for them."),
    _i(
        "I0702",
        "a call to a meshed workload is not allowed by Istio: the caller is outside the mesh",
        "Its AuthorizationPolicy admits mTLS identities only; pod addresses are not pinned, so none is admitted by address.",
        "Put the caller in a meshed namespace (`mesh on`), or use `controller istio` for the ingress.",
    ),
    _i("I0703", "JWT validation needs an Envoy sidecar, and the workload has none", fix="Put the workload in a meshed namespace."),
    _i("I0704", "an external is routed via an egress gateway, but the mesh has none", "It goes out directly.", "Add `egress_gateway` to the mesh."),
    _i(
        "I0705",
        "the egress gateway routes ports its Service does not have",
        "Istio's chart gives the istio-egressgateway Service 80, 443 and 15443 only: sidecars cannot reach the gateway on another port.",
        "Add the ports to the Service (port and targetPort alike).",
    ),
    _i(
        "I0706",
        "an external's UDP port bypasses the sidecar and the egress gateway: Istio proxies TCP only",
        "The NetworkPolicy opens the port to every public address: the host is not checked.",
    ),
    _i(
        "I0707",
        "sidecars reach the egress gateway over Istio mutual TLS; the gateway forwards the application's own TLS: nothing originates TLS to the external",
        "Externals are declared on their TLS port, so the application already encrypts; `tls_origination` secures the sidecar-to-gateway hop.",
    ),
    _i("I0708", "an egress rate limit has no Istio resource", fix="Configure an EnvoyFilter or an external rate-limit service at the egress gateway."),
    _i("I0709", "egress cost tracking has no Istio resource", "The egress gateway's access log (Telemetry) records every outbound request."),
    _i(
        "I0710",
        "no DestinationRule or VirtualService for a database with a pooler: its Service belongs to the pooler",
        fix="Set load balancing and resilience on the pooler.",
    ),
    _i(
        "I0711",
        "an external host shares an opaque TCP port with other hosts: on that port any host is reachable",
        "Without `addresses` Istio tells opaque TCP apart by port only and STARTTLS sends no SNI: the ServiceEntries resolve NONE, "
        "the connection goes out directly to the address the application resolved, and neither the sidecar nor the egress gateway checks the host.",
        "Call the host on its implicit-TLS port (SMTP 465), routed by SNI, or give each host its own port.",
    ),
    _i(
        "I0712",
        "without TLS origination the egress gateway passes TLS through and admits any caller",
        "It cannot see which workload calls; the NetworkPolicies still limit who reaches it.",
        "Turn `tls_origination` on for access control at the gateway.",
    ),
    # I1xxx: kubernetes target
    _i(
        "I1003",
        "a Role lets workloads read shared config, but their pods mount no API token",
        fix="Set `security { service_account_token true }` on the readers that call the Kubernetes API themselves.",
    ),
    _i(
        "I1010",
        "no Secret values are written: the cluster must provide the Secrets the message lists",
        "Pods wait until the Secrets exist.",
        "Create them out of band (External Secrets Operator, Vault, sealed-secrets or `kubectl create secret`).",
    ),
    _i(
        "I1021",
        "a VPA only recommends (updateMode Off) because its HPA already scales on CPU and memory",
        fix="Scale the HPA on custom metrics only to let the VPA size CPU and memory.",
    ),
    _i(
        "I1022",
        "a disruption budget allows no eviction at the workload's lowest replica count",
        "Node drains and cluster autoscaler scale-down wait forever.",
        "Keep `min_available` below the lowest replica count, or `max_unavailable` at 1 or more.",
    ),
    _i(
        "I1030",
        "NetworkPolicy cannot match host names: egress to external services is opened to public addresses on their ports only",
        "The istio target's ServiceEntry and Sidecar resources hold meshed callers to the allow-listed hosts, except on opaque "
        "TCP ports several hosts share, on UDP, and for callers outside the mesh; the hint says which apply. Externals with "
        "`addresses` are named as reached there, unless another rule of the same pods opens the same port to every public "
        "address (NetworkPolicy rules add up): then they are named as open, and their narrowed rule is not written.",
    ),
    _i(
        "I1032",
        "the ingress controller is not generated; its pods must carry app.kubernetes.io/name=ingress-nginx for the NetworkPolicies",
        "Its egress to the Kubernetes API server (and cert-manager's) is not in the allow-graph.",
        "Add a NetworkPolicy with your API server's address.",
    ),
    _i("I1040", "a TLS minimum has no per-Ingress annotation in ingress-nginx", fix="Set `ssl-protocols` in the ingress controller's configuration."),
    _i(
        "I1041",
        "compression has no per-Ingress annotation in ingress-nginx",
        fix='Set `use-gzip: "true"` (or `enable-brotli`) in the ingress controller\'s configuration.',
    ),
    _i(
        "I1042",
        "the ingress controller is installed separately (e.g. the ingress-nginx Helm chart): its replicas and address are not written",
        fix="Set controller.replicaCount and the LoadBalancer address in its values; run it with a restricted securityContext.",
    ),
    _i(
        "I1045",
        "a TLS minimum on an Istio gateway is mesh-wide: no Gateway field sets it",
        "Istio applies meshConfig.tlsDefaults.minProtocolVersion to every gateway's TLS servers (fixed to mean TLS 1.3 in Istio 1.30).",
        "Set `meshConfig.tlsDefaults.minProtocolVersion: TLSV1_3` in the Istio installation.",
    ),
    _i(
        "I1046",
        "without a mesh, the Istio gateway does not apply the ingress's rate limit, request buffering or compression",
        "They are Envoy filters in an EnvoyFilter on the gateway's pods, an Istio object, which ORION writes with the mesh's.",
        "Add a `mesh istio { ... }` block, or apply them at the CDN or load balancer in front.",
    ),
    _i(
        "I1047",
        "without a mesh, the Istio gateway does not run the ingress's WAF",
        "The WAF is Coraza with the OWASP core rules in a WasmPlugin on the gateway's pods, an Istio object, which ORION "
        "writes with the mesh's; ORION never writes settings that do not run.",
        "Add a `mesh istio { ... }` block, or enforce the OWASP core rules at the CDN in front.",
    ),
    _i(
        "I1048",
        "the gateway's address is requested as its Service's loadBalancerIP, or only documented behind a stated load balancer",
        "Istio copies a Gateway's IPAddress to the Service; load balancers that ignore loadBalancerIP assign their own, and a "
        "cloud load balancer that cannot assign it refuses the Service (AWS). Behind a `load_balancer` the spec names in "
        "`behind`, that load balancer gives the Service its address, so the ingress's `address` is documented and not requested.",
        "Point DNS at the address the Gateway reports where the load balancer ignores or assigns it.",
    ),
    _i(
        "I1049",
        "the client's real address behind a proxy is ingress-nginx controller configuration",
        "ingress-nginx reads X-Forwarded-For only when its controller ConfigMap says so; no Ingress annotation sets it.",
        "Set `use-forwarded-headers: \"true\"` and `proxy-real-ip-cidr` (the proxy's ranges) in the controller's ConfigMap.",
    ),
    _i(
        "I1050",
        "no built-in continuous backup for the workload's image: nothing is generated for it",
        fix="Give the backup an `image` that streams the data and reads the BACKUP_* variables.",
    ),
    _i("I1051", "cron cannot express the backup interval exactly: the message says the schedule used", fix="Use an interval that divides an hour or a day."),
    _i(
        "I1054",
        "the Velero Schedule writes to a BackupStorageLocation that Velero's installation must define",
        fix="Create the BackupStorageLocation (bucket, region, credentials) when installing Velero.",
    ),
    _i(
        "I1055",
        "the WAL archiver streams through a replication slot: while it is down the primary keeps the WAL it has not received",
        fix="Set max_slot_wal_keep_size in postgresql.conf so a stopped archiver cannot fill the primary's disk.",
    ),
    _i(
        "I1056",
        "a meshed workload's backup pods run without a sidecar, so its AuthorizationPolicy (and mTLS) will refuse them",
        fix="Keep the workload in a namespace with `mesh off`, or give its backups an image that joins the mesh.",
    ),
    _i(
        "I1057",
        "a CloudNativePG database's incremental backup is a volume snapshot, not an object-store copy",
        "CloudNativePG's object-store backups (Barman Cloud) are always full base backups plus WAL (plugin-barman-cloud#403); "
        "ORION schedules the incremental backup as a `volumeSnapshot` ScheduledBackup, which needs a CSI driver that takes snapshots.",
        "Install a VolumeSnapshotClass named after the data storage's class, or drop the incremental backup (WAL archiving already bounds the RPO).",
    ),
    _i("I1060", "the edge (CDN, WAF, DNS...) lives outside the cluster: no Kubernetes object", _NOT_IN_MANIFESTS),
    _i(
        "I1061",
        "the cluster autoscaler is a cluster setting, not a manifest",
        fix="Set --nodes and --scale-down-utilization-threshold on the cluster autoscaler.",
    ),
    _i("I1062", "recovery objectives are checked by orion, not written as objects", _NOT_IN_MANIFESTS),
    _i("I1063", "backup storage is configured on the object store, not in the cluster", "Backup jobs only name the bucket."),
    _i("I1064", "configuration in git is a process, not an object", _NOT_IN_MANIFESTS),
    _i("I1065", "application-layer security measures live in the services' code", _NOT_IN_MANIFESTS),
    _i("I1066", "subnets are the documented address plan: no pod is pinned to one", fix="To pin pods, define the CNI's IP pools and annotate the pods."),
    _i("I1067", "fixed pod address ranges are validated, not pinned", fix="No NetworkPolicy relies on them; pinning takes per-workload IP pools of the CNI."),
    _i("I1068", "a liveness probe's successThreshold must be 1: the stated threshold applies to readiness probes"),
    _i("I1069", "replicas share one ReadWriteOnce claim: they must all run on one node", fix="Make the workload a statefulset for a claim per replica."),
    _i(
        "I1070",
        "meshed namespaces enforce Pod Security restricted or baseline, which refuses the istio-init container (NET_ADMIN, NET_RAW)",
        "The message names each such namespace with its level; a `privileged` namespace admits istio-init and is not named.",
        fix="Install Istio with the CNI node agent (istio-cni), which redirects traffic without istio-init.",
    ),
    _i(
        "I1071",
        "workloads without stated health checks get TCP liveness and readiness checks on their first port",
        fix="State `probes` for HTTP or command checks.",
    ),
    _i(
        "I1080",
        "the monitoring stack needs what the cluster provides: the Prometheus Operator, kube-state-metrics, alert receivers",
        "ORION writes the operator's resources, Grafana, Loki and the log shipper feeding it (Grafana Alloy); the operator and its CRDs, "
        "the exporters of the cluster's own metrics and the Secret with the Alertmanager's webhook URL are installed around them.",
        "Install the Prometheus Operator (its bundle.yaml), kube-state-metrics and the Secret `<alertmanager>-receiver` with key `url`.",
    ),
    _i(
        "I1081",
        "a StatefulSet's or single-pod workload's VPA sizes pods only when they are created (updateMode Initial), never by evicting them",
        "A VPA in Auto or Recreate mode evicts pods to resize them; for a StatefulSet that is a database or queue member "
        "(a primary, a quorum member) restarting at the autoscaler's moment, and for a workload that may run one pod it is downtime.",
        "Roll the StatefulSet at a time you choose to apply the recommendations.",
    ),
    _i(
        "I1082",
        "a backup's retention that nothing in the output enforces: the backups are kept until someone deletes them",
        "Only the Barman Cloud plugin deletes old backups (the ObjectStore's `retentionPolicy`, for CloudNativePG's base "
        "backups and WAL). ORION's own backup jobs upload and never delete; CloudNativePG keeps every volume snapshot.",
        "Add a lifecycle rule to the bucket for the backup's prefix, or prune volume snapshots with the storage provider's policy.",
    ),
    _i(
        "I1083",
        "a database ORION writes itself runs independent servers: nothing sets up its replication",
        "Without an `engine`, the `database` block names roles (the primary's and the replicas' Services, the pooler) but the "
        "pods are independent servers of the image: no replica follows the primary unless the image sets that up itself.",
        "Run a PostgreSQL database on `engine cloudnative-pg`.",
    ),
    _i(
        "I1084",
        "a namespace's quota admits fewer PersistentVolumeClaims than its objects make: the ResourceQuota admits them, with headroom",
        "ORION counts the claims of the namespace from the plan: its own claims and claim templates (up to the autoscaler's "
        "maximum) and the claims the operators make per pod (CloudNativePG instances, RabbitMQ and Redis replicas, Prometheus "
        "and Alertmanager replicas with storage), plus one pod's claims per claiming set (CloudNativePG replaces a lost "
        "instance with a new one and new claims). A stated figure below that would refuse them, so the quota is raised.",
        "State `volume_claims` at least the figure the diagnostic gives, in the namespace's quota.",
    ),
    _i(
        "I1085",
        "the ingress's WAF only logs what the OWASP core rules match (`mode detect`): it refuses no request",
        "The engine runs with `SecRuleEngine DetectionOnly`: each match is written to the gateway's log and the request "
        "goes on, which is how rule exclusions are tuned before blocking.",
        "Set `mode block` (the default) once the log shows no false positives.",
    ),
    _i(
        "I1086",
        "ingress-nginx runs the ModSecurity annotations' rules in DetectionOnly unless its controller turns the engine on",
        "`enable-modsecurity` and `enable-owasp-core-rules` load the controller's /etc/nginx/modsecurity/modsecurity.conf, "
        "which says `SecRuleEngine DetectionOnly`; the per-Ingress `modsecurity-snippet` that could say `On` is a "
        "Critical-risk annotation the controller refuses by default (`annotations-risk-level: High`).",
        'Set `modsecurity-snippet: "SecRuleEngine On"` in the ingress-nginx controller ConfigMap.',
    ),
    _i(
        "I1087",
        "with `internet deny`, the Istio gateway's pods still reach public addresses on 443 to pull the WAF's Wasm module",
        "Each gateway pod's istio-agent pulls the module from ghcr.io (its blobs from GitHub's content hosts) itself, not "
        "through Envoy or the egress gateway, and NetworkPolicy cannot match host names, so the pods' NetworkPolicy opens "
        "443 to public addresses.",
        "Mirror the module in a registry inside the network and name it with the `waf`'s `module`; the rule then opens that port only.",
    ),
    _i(
        "I1088",
        "the API server's callers may reach any address but link-local on 443 and 6443: the spec states no address for it",
        "Its endpoints carry no labels, so the NetworkPolicies name it by an ipBlock; without `network { api_server ... }` that is "
        "0.0.0.0/0 minus 169.254.0.0/16, the internet included.",
        "State the endpoints `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes` lists as "
        "`network { api_server CIDR, ... }`.",
    ),
    _i(
        "I1089",
        "an external without `addresses` is called from outside the mesh: any public address is reachable on its ports",
        "No sidecar checks the host of a workload outside the mesh, and NetworkPolicy cannot match host names: its egress rule "
        "opens the external's ports to 0.0.0.0/0 minus the private ranges.",
        "State the ranges the external's hosts lie in (`addresses CIDR, ...`).",
    ),
    _i(
        "I1090",
        "a recovery target without `addresses` is reached by backup pods at any public address on 443",
        "ORION's backup pods and CloudNativePG's (the Barman Cloud plugin) upload over HTTPS; NetworkPolicy cannot match the "
        "store's host name, so their egress rule opens 443 to 0.0.0.0/0 minus the private ranges.",
        "State the ranges the store's endpoint lies in (`addresses CIDR, ...` in the `target`).",
    ),
)

#: The codes by name.
REGISTRY: dict[str, Code] = {c.name: c for c in CODES}


def registered(name: str, severity: Severity) -> None:
    """Refuse (AssertionError: a bug in orion) a code that is not registered, or of another severity.

    Every diagnostic is built through here, so a code cannot be reported that users cannot
    look up with ``orion explain``.
    """
    code = REGISTRY.get(name)
    if code is None:
        raise AssertionError(f"diagnostic code {name!r} is not registered in orion_dsl/codes.py")
    if code.severity is not severity:
        raise AssertionError(f"diagnostic code {name} is registered as {code.severity.value}, not {severity.value}")
