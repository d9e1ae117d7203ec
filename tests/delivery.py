"""Helpers for the delivery-guarantee tests: a mixed input, its expected outcome, and what a run published.

The expected outcome is computed in-process by ``process_batch`` one record at a time (the
worker batches differently, so equality also shows that batching does not change event ids).
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass

import orjson

from stream.client import tail
from stream.codec import RecordOrigin
from stream.extract import MeetingExtractor
from stream.process import RawRecord, process_batch
from stream.settings import Settings
from tests.conftest import SHARED_EVAL
from tests.malformed import MALFORMED, MALFORMED_MAX_ITEM_BYTES
from tests.worker_process import WorkerProcess

WIRE_FIELDS = ("id", "text", "source", "url", "language", "title", "published_at")
READ_IDLE_S = 2.0
POLL_INTERVAL_S = 0.2


def mixed_input(good: int) -> list[tuple[bytes | None, bytes | None]]:
    """``good`` wire items (the shared dev set, ids made unique per copy) with every malformed kind spread in."""
    articles = [orjson.loads(line) for line in SHARED_EVAL.read_bytes().splitlines() if line.strip()]
    records: list[tuple[bytes | None, bytes | None]] = []
    for n in range(good):
        article = articles[n % len(articles)]
        item = {k: article.get(k) for k in WIRE_FIELDS}
        item["id"] = f"{article['id']}~{n}"
        records.append((item["id"].encode(), orjson.dumps(item)))
    step = max(1, len(records) // len(MALFORMED))
    for i, case in enumerate(MALFORMED):
        records.insert(i * (step + 1), (f"bad-{i}".encode(), case.payload))
    return records


@dataclass(frozen=True)
class Outcome:
    """What a run published: every event id and dead letter, with repeats."""

    event_ids: Counter[str]
    dead_letters: Counter[tuple[int, str]]
    """(raw offset, reason) per dead letter."""

    @property
    def duplicates(self) -> int:
        return (
            sum(self.event_ids.values())
            - len(self.event_ids)
            + sum(self.dead_letters.values())
            - len(self.dead_letters)
        )

    def same_sets(self, other: Outcome) -> bool:
        return set(self.event_ids) == set(other.event_ids) and set(self.dead_letters) == set(other.dead_letters)

    def summary(self) -> str:
        reasons = Counter(reason for _, reason in self.dead_letters)
        return (
            f"{sum(self.event_ids.values())} events ({len(self.event_ids)} distinct), "
            f"{sum(self.dead_letters.values())} dead letters ({len(self.dead_letters)} distinct), "
            f"duplicates {self.duplicates}; reasons {dict(sorted(reasons.items()))}"
        )


def expected_outcome(records: list[tuple[bytes | None, bytes | None]], extractor: MeetingExtractor) -> Outcome:
    """A clean run's outcome, record by record, as if the records sat at offsets 0.. of one partition."""
    events: Counter[str] = Counter()
    letters: Counter[tuple[int, str]] = Counter()
    for offset, (key, value) in enumerate(records):
        raw = RawRecord(value, RecordOrigin("raw", 0, offset, key), None)
        result = process_batch([raw], extractor, max_item_bytes=MALFORMED_MAX_ITEM_BYTES)
        events.update(event.event_id for _, event in result.events)
        letters.update((offset, reason) for _, reason in result.dead_letters)
    return Outcome(events, letters)


def read_outcome(settings: Settings) -> Outcome:
    """Everything on the run's events and dead-letter topics now."""

    async def read(topic: str) -> list[dict[str, object]]:
        return [orjson.loads(v) async for v in tail(settings, topic, idle_timeout_s=READ_IDLE_S)]

    events = asyncio.run(read(settings.topic_events))
    letters = asyncio.run(read(settings.topic_deadletter))
    return Outcome(
        Counter(str(e["event_id"]) for e in events),
        Counter((int(str(d["offset"])), str(d["reason"])) for d in letters),
    )


def wait_for_outcome(settings: Settings, expected: Outcome, timeout_s: float) -> Outcome:
    """Read until everything expected arrived (or the timeout passed); returns the last reading."""
    deadline = time.monotonic() + timeout_s
    while True:
        seen = read_outcome(settings)
        complete = set(expected.event_ids) <= set(seen.event_ids) and set(expected.dead_letters) <= set(
            seen.dead_letters
        )
        if complete or time.monotonic() > deadline:
            return seen
        time.sleep(1.0)


def items_processed(worker: WorkerProcess) -> float:
    """``meetwire_items_total`` summed over outcomes, from the worker's /metrics (0 if unreachable)."""
    try:
        with urllib.request.urlopen(worker.metrics_url, timeout=2) as response:  # noqa: S310 - loopback
            body = response.read().decode()
    except OSError:
        return 0.0
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines() if line.startswith("meetwire_items_total{"))


def wait_until_processed(worker: WorkerProcess, at_least: float, timeout_s: float) -> float:
    """Poll the worker's item counter until it reaches ``at_least``; returns the last value seen."""
    deadline = time.monotonic() + timeout_s
    seen = items_processed(worker)
    while seen < at_least and time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(f"worker exited with {worker.process.returncode}:\n{worker.log_tail()}")
        time.sleep(POLL_INTERVAL_S)
        seen = items_processed(worker)
    return seen
