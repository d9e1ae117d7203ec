"""Every Prometheus metric meetwire exports, built in one place.

Names are in base units with Prometheus suffixes; labels stay low-cardinality (never a
name or text from an article). ``Metrics.create`` takes the registry so tests get a
fresh one; the worker serves its registry at ``/metrics``.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from stream import __version__

# Extraction of one item takes ~1-100 ms; the long tail is what the p95 alert watches.
EXTRACT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# Record timestamp to event published: batching adds up to MEETWIRE_BATCH_WITHIN_S.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

KNOWN_LANGUAGES = frozenset({"id", "en"})


@dataclass(frozen=True, slots=True)
class Metrics:
    """The worker's metrics; one instance per registry."""

    registry: CollectorRegistry
    items: Counter
    """Raw items consumed, by outcome: ``events``, ``no_meeting``, ``dead_letter``."""
    events: Counter
    """Meeting events published, by status, language and topic category."""
    dead_letters: Counter
    """Records sent to the dead-letter topic, by reason."""
    extract_duration: Histogram
    """Extractor wall time per item."""
    end_to_end_latency: Histogram
    """Kafka record timestamp to the event's publication acknowledged."""
    consumer_lag: Gauge
    """Messages behind the partition's high watermark, per raw-topic partition."""
    batch_size: Histogram
    """Items per extraction batch."""
    build: Info
    """Version of meetwire, spaCy and the language pipelines."""

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> Metrics:
        reg = registry if registry is not None else CollectorRegistry()
        return cls(
            registry=reg,
            items=Counter("meetwire_items", "Raw wire items consumed, by outcome.", ["outcome"], registry=reg),
            events=Counter(
                "meetwire_events",
                "Meeting events published, by status, language and topic category.",
                ["status", "language", "category"],
                registry=reg,
            ),
            dead_letters=Counter(
                "meetwire_deadletters", "Records sent to the dead-letter topic, by reason.", ["reason"], registry=reg
            ),
            extract_duration=Histogram(
                "meetwire_extract_duration_seconds",
                "Extractor wall time per item.",
                buckets=EXTRACT_BUCKETS,
                registry=reg,
            ),
            end_to_end_latency=Histogram(
                "meetwire_end_to_end_latency_seconds",
                "From the raw record's Kafka timestamp to its events acknowledged by the broker.",
                buckets=LATENCY_BUCKETS,
                registry=reg,
            ),
            consumer_lag=Gauge(
                "meetwire_consumer_lag_messages",
                "Messages between the worker's position and the high watermark, per partition.",
                ["topic", "partition"],
                registry=reg,
            ),
            batch_size=Histogram(
                "meetwire_batch_size_items",
                "Items per extraction batch.",
                buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
                registry=reg,
            ),
            build=Info("meetwire_build", "Version of meetwire and its extractor.", registry=reg),
        )

    def set_build_info(self, extractor_info: dict[str, str]) -> None:
        self.build.info({"version": __version__, **extractor_info})


def language_label(language: str | None) -> str:
    """Fold languages into a closed set so a producer cannot explode the label's values."""
    return language if language in KNOWN_LANGUAGES else "other"
