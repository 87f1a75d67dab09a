"""What stackgate counts, in Prometheus's terms, served at ``/metrics``.

Events are counted where they happen, per process: deliveries at the edge, plan durations in
the review flow, CloudStack calls in the client. What the store knows (the queue, locks,
applies, drift) is read from the database when scraped, so every replica and every worker
shows the same numbers however many processes share it. No label holds a secret: labels
are forge, event and command names, repo paths, states. Series whose label values are known
at start exist at 0 from the first scrape, so a rate or an alert never starts from nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

DELIVERIES = Counter(
    "stackgate_deliveries",
    "Webhook deliveries by forge, event and what the edge did with them",
    ["forge", "event", "outcome"],
    registry=REGISTRY,
)
PLAN_SECONDS = Histogram(
    "stackgate_plan_seconds",
    "Time to plan a pull request: read the cloud and compute the plan",
    ["forge"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=REGISTRY,
)
CLOUDSTACK_CALLS = Counter(
    "stackgate_cloudstack_calls",
    "CloudStack API calls by cloud, command and outcome (ok, or the error's kind)",
    ["cloud", "command", "outcome"],
    registry=REGISTRY,
)

# The deliveries each forge's webhook acts on (the parsers' events) and what the edge may do
# with one; an unverified delivery is counted under event "unverified" whatever it claims.
WEBHOOK_EVENTS = {
    "github": ("pull_request", "pull_request_review", "issue_comment"),
    "gitlab": ("Merge Request Hook", "Note Hook"),
}
OUTCOMES = ("queued", "ignored", "duplicate", "malformed")


def expect_deliveries(forges: Iterable[str]) -> None:
    """The edge's counters for the forges whose webhooks it serves, at 0 until counted."""
    for forge in forges:
        DELIVERIES.labels(forge, "unverified", "refused")
        for event in WEBHOOK_EVENTS.get(forge, ()):
            for outcome in OUTCOMES:
                DELIVERIES.labels(forge, event, outcome)


def expect_plans(forges: Iterable[str]) -> None:
    """Plan times for the configured forges, an empty histogram until the first plan."""
    for forge in forges:
        PLAN_SECONDS.labels(forge)
