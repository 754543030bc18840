"""Where an Alertmanager sends alerts: the receivers ORION writes into its ``AlertmanagerConfig``.

Each is one receiver config of the Prometheus Operator's ``monitoring.coreos.com/v1alpha1``
AlertmanagerConfig whose secret part the operator reads from the receiver Secret the cluster
provides (``<alertmanager>-receiver``), so no URL or key is ever in the output. Field names are the
CRD's (prometheus-operator v0.93.0 ``pkg/apis/monitoring/v1alpha1/alertmanager_config_types.go``,
vendored in tests/schemas/crds); the operator turns them into Alertmanager's ``webhook_configs.url``,
``pagerduty_configs.routing_key``, ``slack_configs.api_url`` and ``opsgenie_configs.api_key``
(``pkg/alertmanager/amcfg.go`` ``convertWebhookConfig``, ``convertPagerdutyConfig``,
``convertSlackConfig``, ``convertOpsgenieConfig``). The hosts are the services' documented
defaults (Alertmanager's ``config/notifiers.go``): where alerts leave the cluster, which the
alerting workload must ``calls``.
"""

from __future__ import annotations

import attrs

from orion_dsl.choices import AlertReceiver
from orion_dsl.model import Monitoring


@attrs.frozen
class Receiver:
    """One kind of receiver: its AlertmanagerConfig fields, its Secret key, and where it sends."""

    kind: AlertReceiver
    #: The receiver's list in the AlertmanagerConfig (``webhookConfigs``).
    configs: str
    #: The config's field that names the Secret key (``urlSecret``).
    secret_field: str
    #: Alertmanager's own field the operator writes the value into (``url``).
    alertmanager_field: str
    #: The key of the receiver Secret.
    key: str
    #: What the key's value is.
    holds: str
    #: The host alerts go to, when the service has one (a webhook's is the URL's).
    host: str | None


RECEIVERS: dict[AlertReceiver, Receiver] = {
    r.kind: r
    for r in (
        Receiver("webhook", "webhookConfigs", "urlSecret", "url", "url", "the URL alerts are posted to (Alertmanager's webhook JSON)", None),
        Receiver(
            "pagerduty", "pagerdutyConfigs", "routingKey", "routing_key", "routing-key", "a PagerDuty Events API v2 integration key", "events.pagerduty.com"
        ),
        Receiver("slack", "slackConfigs", "apiURL", "api_url", "url", "a Slack incoming-webhook URL", "hooks.slack.com"),
        Receiver("opsgenie", "opsgenieConfigs", "apiKey", "api_key", "api-key", "an Opsgenie API integration key", "api.opsgenie.com"),
    )
}


def receiver_of(monitoring: Monitoring | None) -> Receiver:
    """The receiver a monitoring block sends alerts to (a webhook unless it says otherwise)."""
    return RECEIVERS[monitoring.receiver if monitoring is not None else "webhook"]
