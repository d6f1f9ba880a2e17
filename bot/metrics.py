"""What the server counts for ``GET /metrics``: outcomes, latencies and error classes.

No label ever names a person, a chat or a text: only channels, outcomes and error classes,
each a small fixed set. Every app gets its own registry, so tests (and two apps in one
process) never share counters.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Outcomes of one incoming update.
PROCESSED = "processed"  # answered and committed
DUPLICATE = "duplicate"  # a redelivery of one already answered
IGNORED = "ignored"  # nothing to answer: a service message, a group we only greet
STATUS = "status"  # a platform's news about a message sent (delivered, read): nothing to do
REJECTED = "rejected"  # a webhook call without the right secret
RETRY = "retry"  # a transient failure; Telegram is asked to deliver it again
FAILED = "failed"  # a permanent failure: acknowledged so it is not delivered again


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "lotsen_updates",
            "Incoming updates by channel and outcome.",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "lotsen_turn_seconds",
            "Time from an update's arrival to its replies sent and its turn committed.",
            ["channel"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
            registry=self.registry,
        )
        self.api_errors = Counter(
            "lotsen_bot_api_errors",
            "Failed calls to a platform's API, by error class (RetryAfter, TimedOut, ...).",
            ["channel", "error"],
            registry=self.registry,
        )

        self.store_failures = Counter(
            "lotsen_store_failures",
            "Requests and checks the store could not serve, by reason (locked, full, ...).",
            ["reason"],
            registry=self.registry,
        )
        self.request_errors = Counter(
            "lotsen_request_errors",
            "Requests that failed with an unexpected error, by its class.",
            ["error"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
