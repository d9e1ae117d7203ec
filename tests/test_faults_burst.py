"""A 10,000-item burst through the real worker: memory stays bounded and the consumer keeps its group.

CPU-bound extraction runs off the event loop (``asyncio.to_thread``) in batches, so the loop
keeps heart-beating: no "woke up too late" timer drift, no rebalance, no second join.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path

import orjson
import pytest

from stream.client import produce_records
from stream.settings import Settings
from tests.conftest import free_port
from tests.delivery import items_processed
from tests.worker_process import running_worker, worker_env

BURST_ITEMS = 10_000
BURST_TIMEOUT_S = 900.0
SAMPLE_INTERVAL_S = 0.5
RSS_GROWTH_LIMIT_MIB = 300.0
"""Peak RSS over the RSS once the worker is ready (pipelines loaded); a leak of ~30 KiB per item breaks it."""
STALL_PATTERNS = ("woke up too late", "Heartbeat failed", "rebalanc", "CommitFailedError", "Consumer is not assigned")

pytestmark = [pytest.mark.integration, pytest.mark.slow]
log = logging.getLogger(__name__)

PEOPLE = ["Ratna Wulandari", "Kenji Morimoto", "Amelia Hart", "Budi Santoso", "Lena Fischer", "Omar Haddad"]
PLACES = ["Tokyo", "Jakarta", "Berlin", "Canberra", "Seoul", "Cairo"]


def burst_items(count: int) -> list[tuple[bytes | None, bytes | None]]:
    """Short items, a third of them reporting a meeting, the rest routine news."""
    records: list[tuple[bytes | None, bytes | None]] = []
    for n in range(count):
        a, b, place = PEOPLE[n % 6], PEOPLE[(n + 1) % 6], PLACES[n % 6]
        if n % 3 == 0:
            day = n % 28 + 1
            text = f"JAKARTA (X) - Menteri Luar Negeri {a} bertemu Menteri Luar Negeri {b} di {place}, Senin ({day}/9)."
        elif n % 3 == 1:
            text = f"Foreign Minister {a} met Foreign Minister {b} in {place} on Monday to discuss trade, item {n}."
        else:
            text = f"Harga cabai di {place} naik {n % 40} persen pekan ini, kata pedagang."
        item = {"id": f"burst-{n}", "text": text, "published_at": "2023-09-20"}
        records.append((item["id"].encode(), orjson.dumps(item)))
    return records


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


@pytest.mark.parametrize("count", [BURST_ITEMS])
def test_faults_burst_bounded_memory_no_stalls(kafka_bootstrap: str, unique: str, tmp_path: Path, count: int) -> None:
    env = worker_env(kafka_bootstrap, unique, free_port())
    settings = Settings.from_env(env)
    asyncio.run(produce_records(settings, settings.topic_raw, burst_items(count)))
    log_path = tmp_path / "worker.log"
    with running_worker(env, log_path) as worker:
        ready_rss = rss_mib(worker.process.pid)
        started = time.monotonic()
        peak_rss, processed = ready_rss, 0.0
        while processed < count and time.monotonic() - started < BURST_TIMEOUT_S:
            assert worker.process.poll() is None, worker.log_tail()
            peak_rss = max(peak_rss, rss_mib(worker.process.pid))
            processed = items_processed(worker)
            time.sleep(SAMPLE_INTERVAL_S)
        duration = time.monotonic() - started
        peak_rss = max(peak_rss, rss_mib(worker.process.pid))

    log_text = log_path.read_text(errors="replace")
    log.info(
        "burst: %d items in %.1f s (%.0f items/s); RSS ready %.0f MiB, peak %.0f MiB (+%.0f)",
        processed,
        duration,
        processed / duration,
        ready_rss,
        peak_rss,
        peak_rss - ready_rss,
    )
    assert processed == count, worker.log_tail()
    assert peak_rss - ready_rss < RSS_GROWTH_LIMIT_MIB
    stalls = [line for line in log_text.splitlines() if any(p.lower() in line.lower() for p in STALL_PATTERNS)]
    assert stalls == []
    assert log_text.count("Executing _on_partitions_assigned") == 1  # one assignment: never kicked out
    assert "generation id 1 " in log_text
