"""Every Prometheus metric meetwire exports, built in one place.

Names are in base units with Prometheus suffixes; labels stay low-cardinality (never a
name or text from an article): ``outcome``, ``status``, ``language`` and ``category`` are
closed sets, ``reason`` is one of the codec's dead-letter codes, ``topic``/``partition``
are the raw topic's partitions. ``Metrics.create`` takes the registry so tests get a
fresh one; the worker serves its registry at ``/metrics``. The README's metrics table
lists the same catalogue (``tests/test_metrics.py`` keeps the two in step).
"""

from __future__ import annotations

import asyncio
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.process_collector import ProcessCollector

from stream import __version__

# Measured on ../shared/eval/dev.jsonl (63 articles, 0.3-2.4k chars) with the blank-pipeline
# extractor on one core: 4 ms min, 31 ms median, 83 ms p95, 165 ms max per item. The buckets
# resolve that range finely and leave room above it for the p95 alert (0.25 s) to see a tail.
EXTRACT_BUCKETS = (0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0)
# A batch is up to MEETWIRE_BATCH_SIZE items (32 by default: ~0.5 s measured).
EXTRACT_BATCH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Record timestamp to event published: batching adds up to MEETWIRE_BATCH_WITHIN_S, a backlog
# adds minutes.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)
BATCH_SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
# Reports of one canonical meeting: most meetings have one, a summit a few dozen.
MEETING_REPORTS_BUCKETS = (1, 2, 3, 5, 8, 13, 21, 34, 55)
CANONICAL_OUTCOMES = ("created", "updated", "duplicate", "unreadable")
"""Every value of ``meetwire_canonical_events_total{outcome}``."""
MERGE_REJECTIONS = ("participants", "date", "place")
"""Every value of ``meetwire_canonical_rejections_total{reason}`` (``stream.canonical.matching.MISMATCHES``)."""

KNOWN_LANGUAGES = frozenset({"id", "en"})
OUTCOMES = ("events", "no_meeting", "dead_letter")
"""Every value of ``meetwire_items_total{outcome}``; each starts at 0 so rates exist from the first scrape."""

_LABEL_NAME = re.compile(r"[^a-zA-Z0-9_]")


@dataclass(frozen=True, slots=True)
class PartitionKey:
    """A raw-topic partition, as labelled on the lag gauge."""

    topic: str
    partition: int


@dataclass(slots=True)
class ConsumerProgress:
    """The next offset to process per partition, as the agent reports it after each batch."""

    next_offset: dict[PartitionKey, int] = field(default_factory=dict)
    reported: set[PartitionKey] = field(default_factory=set)
    """Partitions the lag gauge has a series for."""

    def processed(self, topic: str, partition: int, offset: int) -> None:
        """Record that ``offset`` of ``topic[partition]`` is done (its events acknowledged)."""
        key = PartitionKey(topic, partition)
        self.next_offset[key] = max(self.next_offset.get(key, 0), offset + 1)


@dataclass(frozen=True, slots=True)
class Metrics:
    """The worker's metrics; one instance per registry."""

    registry: CollectorRegistry
    items: Counter
    """``meetwire_items_total{outcome}``: raw items consumed, by outcome (``OUTCOMES``)."""
    events: Counter
    """``meetwire_events_total{status,language,category}``: meeting events published."""
    dead_letters: Counter
    """``meetwire_deadletters_total{reason}``: records sent to the dead-letter topic."""
    extract_duration: Histogram
    """``meetwire_extract_duration_seconds``: extractor time per item (the mean of its batch)."""
    extract_batch_duration: Histogram
    """``meetwire_extract_batch_duration_seconds``: extractor wall time per batch."""
    end_to_end_latency: Histogram
    """``meetwire_end_to_end_latency_seconds``: record timestamp to its events acknowledged."""
    consumer_lag: Gauge
    """``meetwire_consumer_lag_messages{topic,partition}``: records behind the high watermark."""
    batch_size: Histogram
    """``meetwire_batch_size_items``: items per extraction batch."""
    last_event: Gauge
    """``meetwire_last_event_timestamp_seconds``: when an event was last published (start time before)."""
    event_loop_lag: Gauge
    """``meetwire_event_loop_lag_seconds``: delay of a ready callback on the worker's event loop."""
    ready: Gauge
    """``meetwire_worker_ready``: 1 while ``/ready`` answers 200 (``stream.health.ConsumerReadiness``)."""
    canonical_events: Counter
    """``meetwire_canonical_events_total{outcome}``: meeting events merged, by ``CANONICAL_OUTCOMES``."""
    canonical_rejections: Counter
    """``meetwire_canonical_rejections_total{reason}``: candidate meetings a report did not join, by rule."""
    canonical_reports_per_meeting: Histogram
    """``meetwire_canonical_meeting_reports_items``: reports of a meeting each time its record is published."""
    canonical_expired: Counter
    """``meetwire_canonical_expired_total``: meetings dropped from the table by retention."""
    canonical_table_meetings: Gauge
    """``meetwire_canonical_meetings_items``: meetings in this worker's table partitions (at each sweep)."""
    build: Info
    """``meetwire_build_info``: versions of meetwire, Python, spaCy and the language pipelines; the event loop."""
    progress: ConsumerProgress = field(default_factory=ConsumerProgress)
    """Offsets processed per partition, for the lag gauge."""

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None, *, process: bool = True) -> Metrics:
        """Register the catalogue in ``registry`` (a fresh one by default).

        ``process`` adds the standard ``process_*`` metrics (CPU, memory, open files, start time).
        """
        reg = registry if registry is not None else CollectorRegistry()
        if process:
            ProcessCollector(registry=reg)
        metrics = cls(
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
                "Extractor time per item: the batch's extraction time divided by its items.",
                buckets=EXTRACT_BUCKETS,
                registry=reg,
            ),
            extract_batch_duration=Histogram(
                "meetwire_extract_batch_duration_seconds",
                "Extractor wall time per batch.",
                buckets=EXTRACT_BATCH_BUCKETS,
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
                "Records between the worker's processed position and the high watermark, per partition.",
                ["topic", "partition"],
                registry=reg,
            ),
            batch_size=Histogram(
                "meetwire_batch_size_items",
                "Items per extraction batch.",
                buckets=BATCH_SIZE_BUCKETS,
                registry=reg,
            ),
            last_event=Gauge(
                "meetwire_last_event_timestamp_seconds",
                "Unix time an event was last published; the worker's start time until the first one.",
                registry=reg,
            ),
            event_loop_lag=Gauge(
                "meetwire_event_loop_lag_seconds",
                "How late a ready callback ran on the worker's event loop, sampled every second.",
                registry=reg,
            ),
            ready=Gauge(
                "meetwire_worker_ready",
                "1 while the worker is ready: extractor loaded, partitions assigned, consumer fetching; else 0.",
                registry=reg,
            ),
            canonical_events=Counter(
                "meetwire_canonical_events",
                "Meeting events merged into canonical meetings, by outcome.",
                ["outcome"],
                registry=reg,
            ),
            canonical_rejections=Counter(
                "meetwire_canonical_rejections",
                "Candidate meetings a report did not join, by the rule that kept them apart.",
                ["reason"],
                registry=reg,
            ),
            canonical_reports_per_meeting=Histogram(
                "meetwire_canonical_meeting_reports_items",
                "Reports of a canonical meeting each time a new or changed record is published.",
                buckets=MEETING_REPORTS_BUCKETS,
                registry=reg,
            ),
            canonical_expired=Counter(
                "meetwire_canonical_expired", "Canonical meetings dropped from the table by retention.", registry=reg
            ),
            canonical_table_meetings=Gauge(
                "meetwire_canonical_meetings_items",
                "Canonical meetings in this worker's table partitions, counted at each retention sweep.",
                registry=reg,
            ),
            build=Info("meetwire_build", "Versions of meetwire, Python, spaCy and the pipelines.", registry=reg),
        )
        for outcome in OUTCOMES:
            metrics.items.labels(outcome)
        for outcome in CANONICAL_OUTCOMES:
            metrics.canonical_events.labels(outcome)
        for reason in MERGE_REJECTIONS:
            metrics.canonical_rejections.labels(reason)
        metrics.last_event.set_to_current_time()
        metrics.set_build_info({})
        return metrics

    def set_build_info(self, extractor_info: Mapping[str, str]) -> None:
        """Publish versions: meetwire's own, then the extractor's ``version_info`` (spaCy, pipelines, data)."""
        info = {
            "version": __version__,
            "python_version": platform.python_version(),
            "spacy_version": _distribution_version("spacy"),
            "event_loop": _event_loop_name(),
        }
        for key, value in extractor_info.items():
            info[_LABEL_NAME.sub("_", key)] = str(value)
        self.build.info(info)

    def update_lag(self, highwaters: Mapping[PartitionKey, int], fetch_positions: Mapping[PartitionKey, int]) -> None:
        """Set the lag of every assigned partition; forget the others.

        ``highwaters`` maps each assigned partition to its high watermark. The processed
        position is the agent's own (``progress``); a partition it has not processed yet
        falls back to the consumer's fetch position from ``fetch_positions``, which runs
        ahead of processing by the records buffered in the worker.
        """
        progress = self.progress
        for key, highwater in highwaters.items():
            position = progress.next_offset.get(key, fetch_positions.get(key))
            if position is None:
                continue
            self.consumer_lag.labels(key.topic, str(key.partition)).set(max(0, highwater - position))
            progress.reported.add(key)
        for key in [key for key in progress.reported if key not in highwaters]:
            # Revoked in a rebalance: another worker reports it now.
            self.consumer_lag.remove(key.topic, str(key.partition))
            progress.reported.discard(key)
            progress.next_offset.pop(key, None)


def worker_ready(exposition: str) -> bool:
    """Whether a worker's ``/metrics`` text says it is ready: extractor loaded, agent consuming.

    ``meetwire_build_info`` is no such sign: its HELP line is served from the first scrape.
    """
    return any(line.split()[:2] == ["meetwire_worker_ready", "1.0"] for line in exposition.splitlines())


def _event_loop_name() -> str:
    """``uvloop`` or ``asyncio``: the package of the running loop's class (``none`` outside a loop)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return "none"
    return type(loop).__module__.split(".")[0]


def language_label(language: str | None) -> str:
    """Fold languages into a closed set so a producer cannot explode the label's values."""
    return language if language in KNOWN_LANGUAGES else "other"


def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"
