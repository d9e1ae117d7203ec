"""The metrics catalogue: names, labels, the lag bookkeeping, build info, and the README table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from stream import __version__
from stream.metrics import OUTCOMES, Metrics, PartitionKey, language_label, worker_ready

README = Path(__file__).resolve().parents[1] / "README.md"
BASE_UNIT_SUFFIXES = ("_total", "_seconds", "_messages", "_items", "_info", "_bytes", "_ready")


def _exposed_names(metrics: Metrics) -> set[str]:
    """Metric names as Prometheus sees them (counters with ``_total``, infos with ``_info``)."""
    names = set()
    for family in metrics.registry.collect():
        suffix = {"counter": "_total", "info": "_info"}.get(family.type, "")
        names.add(family.name + suffix)
    return names


def _sample(metrics: Metrics, name: str, labels: dict[str, str] | None = None) -> float | None:
    return metrics.registry.get_sample_value(name, labels or {})


def _readme_metrics() -> set[str]:
    section = README.read_text(encoding="utf-8").split("## Metrics", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(meetwire_\w+)` \|", section, flags=re.MULTILINE))


@pytest.fixture
def metrics() -> Metrics:
    return Metrics.create(CollectorRegistry())


@pytest.mark.parametrize("prefix", ["meetwire_"])
def test_metrics_readme_table_lists_exactly_the_catalogue(metrics: Metrics, prefix: str) -> None:
    exported = {name for name in _exposed_names(metrics) if name.startswith(prefix)}
    assert _readme_metrics() == exported


@pytest.mark.parametrize("forbidden", ["_total_total", "_milliseconds", "_ms", "_count_total"])
def test_metrics_names_are_prometheus_conventions(metrics: Metrics, forbidden: str) -> None:
    for name in _exposed_names(metrics):
        if not name.startswith("meetwire_"):
            continue
        assert forbidden not in name, name
        assert name.endswith(BASE_UNIT_SUFFIXES), f"{name}: no base-unit suffix"


@pytest.mark.parametrize("allowed", [{"outcome", "status", "language", "category", "reason", "topic", "partition"}])
def test_metrics_labels_are_low_cardinality(metrics: Metrics, allowed: set[str]) -> None:
    # Never an id, a name, a key or text: only the closed sets the README documents.
    labelled = [metrics.items, metrics.events, metrics.dead_letters, metrics.consumer_lag]
    for metric in labelled:
        assert set(metric._labelnames) <= allowed, metric  # prometheus_client has no public accessor


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_metrics_outcomes_exported_at_zero_from_start(metrics: Metrics, outcome: str) -> None:
    assert _sample(metrics, "meetwire_items_total", {"outcome": outcome}) == 0.0


@pytest.mark.parametrize(
    ("language", "label"), [("id", "id"), ("en", "en"), ("fr", "other"), (None, "other"), ("x" * 50, "other")]
)
def test_metrics_language_label_folds_unknown_languages(language: str | None, label: str) -> None:
    assert language_label(language) == label


@pytest.mark.parametrize(
    ("extractor_info", "expected"),
    [
        ({}, {"version": __version__}),
        (
            {"spacy_version": "9.9.9", "pipeline_id": "blank:id", "data.gazetteer-v": "3"},
            {"version": __version__, "spacy_version": "9.9.9", "pipeline_id": "blank:id", "data_gazetteer_v": "3"},
        ),
    ],
)
def test_metrics_build_info_carries_versions(
    metrics: Metrics, extractor_info: dict[str, str], expected: dict[str, str]
) -> None:
    metrics.set_build_info(extractor_info)
    body = generate_latest(metrics.registry).decode()
    line = next(line for line in body.splitlines() if line.startswith("meetwire_build_info{"))
    labels = dict(re.findall(r'(\w+)="([^"]*)"', line))
    assert {k: labels.get(k) for k in expected} == expected
    assert labels["spacy_version"]  # from the installed spaCy when the extractor does not say
    assert labels["python_version"].count(".") == 2


@pytest.mark.parametrize(
    ("processed", "highwaters", "fetch_positions", "expected"),
    [
        # Processed up to offset 9 of partition 0; partition 1 never processed: fetch position.
        ({0: 9}, {0: 15, 1: 7}, {1: 5}, {"0": 5.0, "1": 2.0}),
        # Caught up; the lag never goes negative when the high watermark is stale.
        ({0: 20}, {0: 15}, {}, {"0": 0.0}),
        # Nothing processed and no fetch position yet: no series rather than a made-up number.
        ({}, {0: 15}, {}, {}),
    ],
)
def test_metrics_update_lag_covers_every_assigned_partition(
    metrics: Metrics,
    processed: dict[int, int],
    highwaters: dict[int, int],
    fetch_positions: dict[int, int],
    expected: dict[str, float],
) -> None:
    topic = "wire.raw"
    for partition, offset in processed.items():
        metrics.progress.processed(topic, partition, offset)
    metrics.update_lag(
        {PartitionKey(topic, p): hw for p, hw in highwaters.items()},
        {PartitionKey(topic, p): pos for p, pos in fetch_positions.items()},
    )
    for partition in highwaters:
        value = _sample(metrics, "meetwire_consumer_lag_messages", {"topic": topic, "partition": str(partition)})
        assert value == expected.get(str(partition))


@pytest.mark.parametrize("revoked", [1])
def test_metrics_update_lag_drops_revoked_partitions(metrics: Metrics, revoked: int) -> None:
    topic = "wire.raw"
    for partition in (0, revoked):
        metrics.progress.processed(topic, partition, 3)
    metrics.update_lag({PartitionKey(topic, 0): 10, PartitionKey(topic, revoked): 10}, {})
    assert _sample(metrics, "meetwire_consumer_lag_messages", {"topic": topic, "partition": str(revoked)}) == 6.0

    metrics.update_lag({PartitionKey(topic, 0): 12}, {})  # a rebalance took `revoked` away

    assert _sample(metrics, "meetwire_consumer_lag_messages", {"topic": topic, "partition": str(revoked)}) is None
    assert _sample(metrics, "meetwire_consumer_lag_messages", {"topic": topic, "partition": "0"}) == 8.0
    assert PartitionKey(topic, revoked) not in metrics.progress.next_offset


@pytest.mark.parametrize("offsets", [[4, 2, 7, 5]])
def test_metrics_progress_keeps_the_highest_offset(metrics: Metrics, offsets: list[int]) -> None:
    for offset in offsets:
        metrics.progress.processed("wire.raw", 0, offset)
    assert metrics.progress.next_offset[PartitionKey("wire.raw", 0)] == max(offsets) + 1


@pytest.mark.parametrize("process", [True, False])
def test_metrics_process_collector_is_optional(process: bool) -> None:
    metrics = Metrics.create(CollectorRegistry(), process=process)
    has_process = any(name.startswith("process_") for name in _exposed_names(metrics))
    # The process collector reads /proc: present on Linux, where the worker runs.
    assert has_process is (process and Path("/proc/self/stat").exists())


@pytest.mark.parametrize("ready", [False, True])
def test_metrics_worker_ready_reads_the_ready_gauge_not_build_info(ready: bool) -> None:
    metrics = Metrics.create()
    if ready:
        metrics.ready.set(1)
    assert worker_ready(generate_latest(metrics.registry).decode()) is ready
