"""How much a SIGKILLed worker republishes, with each commit policy, against the real broker.

The worker is killed twice mid-stream and restarted; what it republished is counted per raw
record (an article whose events appear twice, a dead letter whose offset appears twice). With
``MEETWIRE_COMMIT_AFTER_BATCH`` (the default) a kill repeats at most the batch whose output was
acknowledged but not yet committed: at most ``MEETWIRE_BATCH_SIZE`` records per kill, whatever
the timer's interval (tried at the default 1 s and at 30 s, longer than each run before its
kill). With the timer alone at 30 s a kill repeats everything the run did: the control that
shows the count sees republished records when there are some.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections import Counter
from pathlib import Path

import orjson
import pytest

from stream.client import produce_records, tail
from stream.extract import MeetingExtractor
from stream.settings import Settings
from tests.conftest import free_port
from tests.delivery import Outcome, expected_outcome, mixed_input, wait_for_outcome, wait_until_processed
from tests.malformed import MALFORMED_MAX_ITEM_BYTES
from tests.worker_process import running_worker, stop_worker, worker_env

GOOD_ITEMS = 600
BATCH_SIZE = 32
KILL_AT = (0.3, 0.6)
PROGRESS_TIMEOUT_S = 180.0
COMPLETE_TIMEOUT_S = 240.0
READ_IDLE_S = 2.0

pytestmark = [pytest.mark.integration, pytest.mark.slow]
log = logging.getLogger(__name__)


def _republished_records(settings: Settings) -> tuple[int, int]:
    """(raw records whose output was published more than once, duplicate output records)."""

    async def read(topic: str) -> list[dict[str, object]]:
        return [orjson.loads(v) async for v in tail(settings, topic, idle_timeout_s=READ_IDLE_S)]

    events = asyncio.run(read(settings.topic_events))
    letters = asyncio.run(read(settings.topic_deadletter))
    event_counts = Counter(str(e["event_id"]) for e in events)
    letter_counts = Counter(int(str(d["offset"])) for d in letters)
    items = {str(e["item_id"]) for e in events if event_counts[str(e["event_id"])] > 1}
    offsets = {offset for offset, n in letter_counts.items() if n > 1}
    duplicates = sum(event_counts.values()) - len(event_counts) + sum(letter_counts.values()) - len(letter_counts)
    return len(items) + len(offsets), duplicates


@pytest.mark.parametrize(
    ("after_batch", "interval_s", "within_bound"),
    [("true", "1.0", True), ("true", "30.0", True), ("false", "30.0", False)],
    ids=["after-batch", "after-batch-slow-timer", "timer-only-control"],
)
def test_commit_policy_sigkill_republishes_at_most_one_batch(
    kafka_bootstrap: str,
    unique: str,
    tmp_path: Path,
    extractor: MeetingExtractor,
    after_batch: str,
    interval_s: str,
    within_bound: bool,
) -> None:
    records = mixed_input(GOOD_ITEMS)
    expected: Outcome = expected_outcome(records, extractor)
    env = worker_env(
        kafka_bootstrap,
        unique,
        free_port(),
        MEETWIRE_MAX_ITEM_BYTES=str(MALFORMED_MAX_ITEM_BYTES),
        MEETWIRE_BATCH_SIZE=str(BATCH_SIZE),
        MEETWIRE_COMMIT_AFTER_BATCH=after_batch,
        MEETWIRE_COMMIT_INTERVAL_S=interval_s,
    )
    settings = Settings.from_env(env)
    asyncio.run(produce_records(settings, settings.topic_raw, records))
    for run, fraction in enumerate(KILL_AT):
        with running_worker(env, tmp_path / f"worker-{run}.log") as worker:
            wait_until_processed(worker, len(records) * fraction, PROGRESS_TIMEOUT_S)
            stop_worker(worker, signal.SIGKILL)
    with running_worker(env, tmp_path / "worker-final.log") as worker:
        seen = wait_for_outcome(settings, expected, COMPLETE_TIMEOUT_S)
        assert worker.process.poll() is None, worker.log_tail()
    republished, duplicates = _republished_records(settings)

    report = (
        f"MEETWIRE_COMMIT_AFTER_BATCH={after_batch} MEETWIRE_COMMIT_INTERVAL_S={interval_s}: "
        f"{len(KILL_AT)} SIGKILLs over {len(records)} records; "
        f"{republished} records republished, {duplicates} duplicate events and dead letters; {seen.summary()}"
    )
    print(report)  # noqa: T201 - the figure the README quotes
    log.info("%s", report)
    assert set(seen.event_ids) == set(expected.event_ids)
    assert set(seen.dead_letters) == set(expected.dead_letters)
    assert (republished <= BATCH_SIZE * len(KILL_AT)) == within_bound, report
