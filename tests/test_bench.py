"""The benchmark's pieces on a tiny corpus: corpus, in-process stages, figures and their JSON shape."""

from __future__ import annotations

import asyncio
import functools
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest

from stream.cli import main
from stream.client import produce_lines
from stream.codec import decode_wire_item
from stream.devtools.bench import BenchOptions, BenchReport, BenchResult, bars, format_table, run_bench
from stream.devtools.bench.corpus import MAX_WORDS, MIN_WORDS, SAMPLES_PATH, build_corpus, load_filler
from stream.devtools.bench.inprocess import extract_rate, tokenizer_rate
from stream.devtools.bench.kafka_io import LatencySample
from stream.devtools.bench.workers import watch_progress
from stream.devtools.worker_process import WorkerProcess
from stream.extract import MeetingExtractor
from stream.passthrough import PassthroughExtractor
from stream.records import WireItem
from stream.settings import Settings
from tests.conftest import free_port
from tests.worker_process import collect, running_worker, worker_env

JSON_KEYS = {
    "tokenizer_items_per_s",
    "extract_items_per_s",
    "passthrough_items_per_s",
    "e2e_items_per_s",
    "e2e_latency_p50_s",
    "e2e_latency_p99_s",
    "scale_2_workers",
    "worker_rss_mb",
}


MEETS_EVERY_BAR = {
    "tokenizer_items_per_s": 1000.0,
    "extract_items_per_s": 300.0,
    "passthrough_items_per_s": 3000.0,
    "e2e_items_per_s": 280.0,
    "e2e_latency_p50_s": 0.1,
    "e2e_latency_p99_s": 0.3,
    "scale_2_workers": 1.8,
    "worker_rss_mb": 300.0,
}


def _result(**overrides: float) -> BenchResult:
    return BenchResult(**(MEETS_EVERY_BAR | overrides))


@pytest.mark.parametrize("seed", [1, 20240914])
def test_corpus_is_deterministic_for_a_seed(seed: int) -> None:
    assert build_corpus(12, seed=seed).lines() == build_corpus(12, seed=seed).lines()
    assert build_corpus(12, seed=seed).lines() != build_corpus(12, seed=seed + 1).lines()


@pytest.mark.parametrize("samples", [None, SAMPLES_PATH])
def test_corpus_items_have_wire_length_and_both_languages(samples: Path | None) -> None:
    corpus = build_corpus(40, samples=samples)
    assert len(corpus.items) == 40
    assert all(MIN_WORDS <= words <= MAX_WORDS + 60 for words in corpus.words)  # a sample's lead may add a little
    assert {item.language for item in corpus.items} == {"id", "en"}
    assert len({item.id for item in corpus.items}) == 40


@pytest.mark.parametrize("copy", [0, 3])
def test_corpus_lines_decode_as_wire_items_with_fresh_ids(copy: int) -> None:
    corpus = build_corpus(6, samples=None)
    items = [decode_wire_item(line, max_bytes=1 << 20) for line in corpus.lines(copy=copy)]
    assert [item.text for item in items] == [item.text for item in corpus.items]
    if copy:
        assert all(item.id.endswith(f"~{copy}") for item in items)


@pytest.mark.parametrize("size", [5])
def test_inprocess_tokenizer_rate_times_every_item(size: int) -> None:
    rate = tokenizer_rate(build_corpus(size, samples=None).items)
    assert rate.items == size
    assert rate.seconds > 0 and rate.items_per_s > 0


@pytest.mark.parametrize("size", [4])
def test_inprocess_extract_rate_runs_the_extractor(extractor: MeetingExtractor, size: int) -> None:
    corpus = build_corpus(size)  # starts with the samples' variants, which report meetings
    rate, events = extract_rate(extractor, corpus.items, batch_size=2)
    assert rate.items == size
    assert events >= 1


@pytest.mark.parametrize("item", [WireItem(id="a", text="Menteri A bertemu Menteri B di Tokyo.", language="id")])
def test_passthrough_extractor_finds_nothing(item: WireItem) -> None:
    passthrough = PassthroughExtractor()
    assert passthrough.extract(item) == []
    assert passthrough.extract_many([(item, None), (item, None)]) == [[], []]
    assert passthrough.supported_languages >= {"id", "en"}


@pytest.mark.parametrize(("raw", "expected"), [(None, True), ("false", False), ("true", True)])
def test_passthrough_setting_switches_extraction(raw: str | None, expected: bool) -> None:
    env = {} if raw is None else {"MEETWIRE_EXTRACT": raw}
    assert Settings.from_env(env).extract is expected


@pytest.mark.parametrize(
    ("latencies", "q", "expected"),
    [((0.3, 0.1, 0.2), 0.5, 0.2), ((0.3, 0.1, 0.2), 0.99, 0.3), (tuple(i / 100 for i in range(1, 101)), 0.99, 0.99)],
)
def test_latency_quantile_is_nearest_rank(latencies: tuple[float, ...], q: float, expected: float) -> None:
    assert LatencySample(latencies, len(latencies), 1.0).quantile(q) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("latencies", "sent_after_s", "q", "window"),
    [
        ((0.1, 0.9, 0.2, 0.8), (0.0, 1.0, 2.0, 3.0), 0.5, (1.0, 3.0)),
        ((0.1, 0.2, 0.3), (0.0, 1.0, 2.0), 0.99, (2.0, 2.0)),
        ((0.1, 0.2), (), 0.99, None),
    ],
)
def test_latency_tail_says_when_its_items_were_sent(
    latencies: tuple[float, ...], sent_after_s: tuple[float, ...], q: float, window: tuple[float, float] | None
) -> None:
    sample = LatencySample(latencies, len(latencies), 1.0, sent_after_s)
    assert sample.tail_sent_between(q) == window


@pytest.mark.parametrize("empty", [LatencySample((), 10, 1.0)])
def test_latency_quantile_without_events_is_nan(empty: LatencySample) -> None:
    assert math.isnan(empty.quantile(0.5))


@pytest.mark.parametrize("result", [_result(worker_rss_mb=321.5)])
def test_runner_json_has_exactly_the_issue_keys(result: BenchResult) -> None:
    line = orjson.dumps(result.as_dict())
    assert set(orjson.loads(line)) == JSON_KEYS
    table = format_table(BenchReport(result, {"corpus": "tiny"}))
    assert all(key in table for key in JSON_KEYS)


@pytest.mark.parametrize(
    ("result", "unmet"),
    [
        (_result(), set()),
        (
            _result(extract_items_per_s=100, e2e_items_per_s=90, scale_2_workers=1.2, worker_rss_mb=900),
            {"extract >= 25% of tokenizer", "two workers >= 1.7x one", "worker RSS <= 500 MB"},
        ),
        (
            _result(e2e_items_per_s=200, e2e_latency_p99_s=0.8),
            {"e2e >= 80% of extract", "p99 latency <= 0.5 s at half load"},
        ),
    ],
)
def test_runner_bars_say_which_targets_are_missed(result: BenchResult, unmet: set[str]) -> None:
    assert {bar.name for bar in bars(result) if not bar.met} == unmet


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("items", [8])
def test_bench_runs_every_stage_against_the_real_broker(kafka_bootstrap: str, tmp_path: Path, items: int) -> None:
    options = BenchOptions(
        items=items, scale_items=items, rounds=2, passthrough_items=200, latency_seconds=2.0, workdir=tmp_path
    )
    report = run_bench(options, base_env=_base_env(), bootstrap=kafka_bootstrap)
    figures = report.result.as_dict()
    assert set(figures) == JSON_KEYS
    assert all(figures[k] > 0 for k in JSON_KEYS - {"e2e_latency_p50_s", "e2e_latency_p99_s"})
    assert figures["worker_rss_mb"] < 2000


@pytest.mark.parametrize("argv", [["bench", "--help"]])
def test_cli_bench_is_a_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 0
    assert "--json" in capsys.readouterr().out


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MEETWIRE_")}


@contextmanager
def _passthrough_worker(bootstrap: str, unique: str, tmp_path: Path) -> Iterator[tuple[Settings, WorkerProcess]]:
    """A running ``MEETWIRE_EXTRACT=false`` worker, as the bench watches it."""
    env = worker_env(bootstrap, unique, free_port(), MEETWIRE_EXTRACT="false")
    settings = Settings.from_env(env)
    with running_worker(env, tmp_path / "worker.log") as worker:
        yield settings, worker


@pytest.mark.integration
@pytest.mark.parametrize("count", [6])
def test_passthrough_worker_counts_items_and_publishes_nothing(
    kafka_bootstrap: str, unique: str, tmp_path: Path, count: int
) -> None:
    lines = build_corpus(count).lines()
    with _passthrough_worker(kafka_bootstrap, unique, tmp_path) as (settings, watched):
        asyncio.run(produce_lines(settings, settings.topic_raw, lines))
        progress = watch_progress([watched], until=count, timeout_s=60.0)
        events = collect(settings, settings.topic_events, until=1, timeout_s=3.0)
    assert progress.last_count == count
    assert events == []


@pytest.mark.integration
@pytest.mark.parametrize("count", [5])
def test_a_second_round_counts_only_its_own_items(
    kafka_bootstrap: str, unique: str, tmp_path: Path, count: int
) -> None:
    """``then`` sends after a first poll, whose counts are the zero: earlier rounds are not counted again."""
    corpus = build_corpus(count)
    with _passthrough_worker(kafka_bootstrap, unique, tmp_path) as (settings, watched):

        def send(copy: int) -> None:
            asyncio.run(produce_lines(settings, settings.topic_raw, corpus.lines(copy=copy)))

        rounds = [
            watch_progress([watched], until=count, timeout_s=60.0, then=functools.partial(send, copy))
            for copy in (1, 2)
        ]
        total = watch_progress([watched], until=2 * count, timeout_s=5.0)
    assert [r.per_worker for r in rounds] == [(count,), (count,)]
    assert total.last_count == 2 * count


@pytest.mark.parametrize("language", ["id", "en"])
def test_bench_corpus_uses_real_news_vocabulary(language: str) -> None:
    """Background paragraphs draw on real news sentences, not only the templates' few hundred words."""
    filler = load_filler()[language]
    assert len(filler) >= 500
    items = [i for i in build_corpus(60, samples=None).items if i.language == language]
    templated = [i for i in build_corpus(60, samples=None, filler={}).items if i.language == language]
    assert any(sentence in item.text for item in items for sentence in filler)
    words = {w for item in items for w in item.text.split()}
    templated_words = {w for item in templated for w in item.text.split()}
    assert len(words) > 2 * len(templated_words)
