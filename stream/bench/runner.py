"""``meetwire bench``: every stage in one run, on one corpus, with its own local Kafka.

Stages, in order (each broker stage has its own topics and consumer group):

1. ``tokenizer``: ``spacy.blank(lang)``'s tokenizer alone over the corpus (in this process);
2. ``extract``: the full extractor, batches of 32 (the worker's default), one process, one thread;
3. ``passthrough``: a worker with ``MEETWIRE_EXTRACT=false``, items loaded in advance;
4. ``e2e``: a worker with extraction, the corpus loaded in advance; then, on the same worker,
   ``latency``: items sent at half the measured e2e rate, record timestamp to first event read;
5. ``scale``: one worker, then two with the same app id, on a 2-partition raw topic. Both wait
   until their consumer group is stable, then the corpus is loaded in one burst (it takes well
   under a second; processing it takes tens of seconds), and throughput is measured from the
   first item done to the last, as in every broker stage.

Throughput of a broker stage is read from the worker's ``meetwire_items_total`` counter
(items whose events the broker acknowledged), polled every 250 ms (100 ms for passthrough),
from the poll that saw 10 % of the items done to the poll that saw them all: the worker's
start-up transients are left out, as the in-process stages leave out their warm-up batch.
Every stage also reports items per CPU second of the measured process(es), which is what
the rate would be on an otherwise idle core: on a shared machine, compare those.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from stream import kafka_local
from stream.bench.corpus import DEFAULT_SEED, Corpus, build_corpus, words_summary
from stream.bench.inprocess import StageRate, extract_rate, tokenizer_rate
from stream.bench.kafka_io import LatencySample, load_items, paced_latency, wait_group_stable
from stream.bench.workers import (
    READY_TIMEOUT_S,
    Progress,
    Worker,
    WorkerError,
    free_port,
    peak_rss_mb,
    start_worker,
    stop_worker,
    wait_ready,
    watch_progress,
)
from stream.client import create_topics
from stream.settings import Settings

log = logging.getLogger(__name__)

GROUP_STABLE_TIMEOUT_S = 120.0
MIN_PROGRESS_TIMEOUT_S = 120.0
PASSTHROUGH_POLL_S = 0.1
"""The passthrough stage lasts seconds, not tens of seconds: poll it closer."""


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """How big the run is; the defaults keep it to a few minutes on 2 cores."""

    items: int = 2000
    """Corpus size for the extract, e2e and scale stages."""
    passthrough_items: int = 30_000
    """Items for the passthrough stage (the corpus repeated with fresh ids): it runs far faster."""
    latency_seconds: float = 30.0
    """How long items are paced for the latency measurement."""
    seed: int = DEFAULT_SEED
    workdir: Path | None = None
    """Where the broker, worker logs and Faust data go (default: a temporary directory, removed)."""


@dataclass(frozen=True, slots=True)
class BenchResult:
    """The benchmark's figures; ``as_dict`` is the ``--json`` line."""

    tokenizer_items_per_s: float
    extract_items_per_s: float
    passthrough_items_per_s: float
    e2e_items_per_s: float
    e2e_latency_p50_s: float
    e2e_latency_p99_s: float
    scale_2_workers: float
    worker_rss_mb: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


@dataclass(slots=True)
class BenchReport:
    """The figures and the conditions they were taken under."""

    result: BenchResult
    context: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Bar:
    """One of the issue's targets, met or not."""

    name: str
    met: bool
    detail: str


def bars(result: BenchResult) -> list[Bar]:
    """The performance targets this benchmark exists to check."""
    r = result
    return [
        _ratio_bar("extract >= 25% of tokenizer", r.extract_items_per_s, r.tokenizer_items_per_s, 0.25),
        _ratio_bar("e2e >= 80% of extract", r.e2e_items_per_s, r.extract_items_per_s, 0.80),
        Bar("p99 latency <= 0.5 s at half load", r.e2e_latency_p99_s <= 0.5, f"{r.e2e_latency_p99_s:.3f} s"),
        Bar("two workers >= 1.7x one", r.scale_2_workers >= 1.7, f"{r.scale_2_workers:.2f}x"),
        Bar("worker RSS <= 500 MB", r.worker_rss_mb <= 500, f"{r.worker_rss_mb:.0f} MB"),
    ]


def _ratio_bar(name: str, value: float, base: float, target: float) -> Bar:
    ratio = value / base if base > 0 else 0.0
    return Bar(name, ratio >= target, f"{ratio:.1%}")


def run_bench(options: BenchOptions, *, base_env: Mapping[str, str], bootstrap: str | None = None) -> BenchReport:
    """Run every stage; ``base_env`` is the environment the worker processes inherit.

    A local Kafka is started (and stopped) in the work directory unless ``bootstrap`` names a
    running one (``host:port``, PLAINTEXT), as the tests do.
    """
    context: dict[str, str] = {}
    started = time.monotonic()
    context["load average at start"] = _loadavg()
    context["cpus"] = str(os.cpu_count())
    corpus = build_corpus(options.items, seed=options.seed)
    low, high, mean = words_summary(corpus.words)
    context["corpus"] = f"{len(corpus.items)} items, {low}-{high} words (mean {mean:.0f}), seed {options.seed}"

    log.info("stage tokenizer: %d items", len(corpus.items))
    tokenizer = tokenizer_rate(corpus.items)
    log.info("stage extract: loading the extractor")
    extract, events = _extract_stage(corpus)
    context["events in the corpus"] = str(events)

    with _workdir(options.workdir) as workdir, _broker(workdir, bootstrap) as address:
        settings = Settings(broker=f"kafka://{address}")
        passthrough = _passthrough_stage(settings, base_env, workdir, corpus, options.passthrough_items)
        e2e, latency, rss_e2e = _e2e_stage(settings, base_env, workdir, corpus, options.latency_seconds)
        context["latency"] = (
            f"{len(latency.latencies)} of {latency.sent} paced items had an event, sent at {latency.rate_per_s:.1f}/s"
        )
        one, rss_one = _scale_stage(settings, base_env, workdir, corpus, workers=1)
        two, rss_two = _scale_stage(settings, base_env, workdir, corpus, workers=2)
    context["scale"] = (
        f"1 worker {one.items_per_s:.1f} items/s, 2 workers {two.items_per_s:.1f} items/s (2 partitions; "
        f"items per worker {'/'.join(f'{n:.0f}' for n in two.per_worker)}); CPU cores they got: "
        f"{_cores(one):.2f} and {_cores(two):.2f} (1.00 and 2.00 on an idle 2-core machine)"
    )
    context["items per CPU second"] = (
        f"tokenizer {tokenizer.items_per_cpu_s:,.0f}, extract {extract.items_per_cpu_s:.1f}, "
        f"passthrough {passthrough.items_per_cpu_s:,.0f}, e2e {e2e.items_per_cpu_s:.1f}, "
        f"scale 1 worker {one.items_per_cpu_s:.1f}, 2 workers {two.items_per_cpu_s:.1f} "
        "(CPU time of the measuring process or workers, all threads: the rates on an idle machine)"
    )
    context["e2e worker time inside the extractor"] = (
        f"{e2e.extracting_share:.0%} (the rest: fetching, decoding, publishing, waiting for acks)"
    )
    context["load average at end"] = _loadavg()
    context["took"] = f"{time.monotonic() - started:.0f} s"
    result = BenchResult(
        tokenizer_items_per_s=tokenizer.items_per_s,
        extract_items_per_s=extract.items_per_s,
        passthrough_items_per_s=passthrough.items_per_s,
        e2e_items_per_s=e2e.items_per_s,
        e2e_latency_p50_s=latency.quantile(0.50),
        e2e_latency_p99_s=latency.quantile(0.99),
        scale_2_workers=two.items_per_s / one.items_per_s if one.items_per_s > 0 else 0.0,
        worker_rss_mb=max(rss_e2e, rss_one, rss_two),
    )
    return BenchReport(result, context)


def format_table(report: BenchReport) -> str:
    """The figures, the targets and the conditions, as a readable text table."""
    r = report.result
    rows = [
        ("tokenizer_items_per_s", f"{r.tokenizer_items_per_s:,.1f}", "spaCy tokenizer alone, one core"),
        ("extract_items_per_s", f"{r.extract_items_per_s:,.1f}", "full extractor, one process"),
        ("passthrough_items_per_s", f"{r.passthrough_items_per_s:,.1f}", "worker, extraction off, real broker"),
        ("e2e_items_per_s", f"{r.e2e_items_per_s:,.1f}", "worker, real broker, items in advance"),
        ("e2e_latency_p50_s", f"{r.e2e_latency_p50_s:.3f}", "record timestamp -> event read, half load"),
        ("e2e_latency_p99_s", f"{r.e2e_latency_p99_s:.3f}", ""),
        ("scale_2_workers", f"{r.scale_2_workers:.2f}", "2 workers / 1 worker, 2 partitions"),
        ("worker_rss_mb", f"{r.worker_rss_mb:.0f}", "peak RSS (VmHWM) of a worker"),
    ]
    width = max(len(name) for name, _, _ in rows)
    lines = [f"{name:<{width}}  {value:>10}  {note}".rstrip() for name, value, note in rows]
    lines.append("")
    lines += [f"[{'x' if bar.met else ' '}] {bar.name}: {bar.detail}" for bar in bars(r)]
    lines.append("")
    lines += [f"{key}: {value}" for key, value in report.context.items()]
    return "\n".join(lines)


# -- stages -----------------------------------------------------------------------------------


def _extract_stage(corpus: Corpus) -> tuple[StageRate, int]:
    from stream.extract import load_extractor

    extractor = load_extractor()
    log.info("stage extract: %d items", len(corpus.items))
    rate, events = extract_rate(extractor, corpus.items)
    return rate, events


def _passthrough_stage(
    settings: Settings, base_env: Mapping[str, str], workdir: Path, corpus: Corpus, count: int
) -> Progress:
    names = _names("passthrough")
    asyncio.run(create_topics(settings, names.topics, partitions=1))
    lines: list[bytes] = []
    copy = 0
    while len(lines) < count:
        copy += 1
        lines += corpus.lines(copy=copy)
    lines = lines[:count]
    log.info("stage passthrough: loading %d items", len(lines))
    asyncio.run(load_items(settings, names.raw, lines, partitions=1))
    env = _worker_env(base_env, settings, names, partitions=1, extract=False)
    worker = start_worker(env, workdir=workdir, name="passthrough")
    try:
        # Watched from its start: the measurement begins at the last poll before any item was done.
        progress = watch_progress(
            [worker], until=len(lines), timeout_s=_timeout(len(lines), 500.0), poll_s=PASSTHROUGH_POLL_S
        )
    finally:
        stop_worker(worker)
    log.info("stage passthrough: %.1f items/s", progress.items_per_s)
    return progress


def _e2e_stage(
    settings: Settings, base_env: Mapping[str, str], workdir: Path, corpus: Corpus, latency_seconds: float
) -> tuple[Progress, LatencySample, float]:
    names = _names("e2e")
    asyncio.run(create_topics(settings, names.topics, partitions=1))
    lines = corpus.lines()
    log.info("stage e2e: loading %d items", len(lines))
    asyncio.run(load_items(settings, names.raw, lines, partitions=1))
    env = _worker_env(base_env, settings, names, partitions=1, extract=True)
    worker = start_worker(env, workdir=workdir, name="e2e")
    try:
        progress = watch_progress([worker], until=len(lines), timeout_s=_timeout(len(lines), 5.0))
        rate = progress.items_per_s
        log.info("stage e2e: %.1f items/s", rate)
        if rate <= 0:
            raise WorkerError(f"all {len(lines)} items were done between two polls: give the bench more items")
        half = rate / 2
        paced: list[bytes] = []
        copy = 0
        target = max(1, math.ceil(half * latency_seconds))
        while len(paced) < target:
            copy += 1
            paced += corpus.lines(copy=copy)
        log.info("stage latency: %d items at %.1f/s", target, half)
        latency = asyncio.run(
            paced_latency(
                settings, raw_topic=names.raw, events_topic=names.events, lines=paced[:target], rate_per_s=half
            )
        )
        rss = peak_rss_mb(worker.process.pid)
    finally:
        stop_worker(worker)
    log.info("stage latency: p50 %.3f s, p99 %.3f s", latency.quantile(0.5), latency.quantile(0.99))
    return progress, latency, rss


def _scale_stage(
    settings: Settings, base_env: Mapping[str, str], workdir: Path, corpus: Corpus, *, workers: int
) -> tuple[Progress, float]:
    names = _names(f"scale{workers}")
    asyncio.run(create_topics(settings, names.topics, partitions=2))
    running: list[Worker] = []
    try:
        for n in range(workers):
            env = _worker_env(base_env, settings, names, partitions=2, extract=True)
            running.append(start_worker(env, workdir=workdir, name=f"scale{workers}-{n}"))
        wait_ready(running)
        asyncio.run(wait_group_stable(settings, names.app_id, members=workers, timeout_s=GROUP_STABLE_TIMEOUT_S))
        lines = corpus.lines()
        log.info("stage scale, %d worker(s): loading %d items", workers, len(lines))
        asyncio.run(load_items(settings, names.raw, lines, partitions=2))
        progress = watch_progress(running, until=len(lines), timeout_s=_timeout(len(lines), 5.0))
        rss = max(peak_rss_mb(w.process.pid) for w in running)
    finally:
        for worker in running:
            stop_worker(worker)
    log.info("stage scale, %d worker(s): %.1f items/s", workers, progress.items_per_s)
    return progress, rss


# -- plumbing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Names:
    app_id: str
    raw: str
    events: str
    deadletter: str
    canonical: str

    @property
    def topics(self) -> list[str]:
        return [self.raw, self.events, self.deadletter]


def _names(stage: str) -> _Names:
    run = f"bench-{stage}-{uuid.uuid4().hex[:8]}"
    return _Names(run, f"{run}.raw", f"{run}.events", f"{run}.deadletter", f"{run}.canonical")


def _worker_env(
    base_env: Mapping[str, str], settings: Settings, names: _Names, *, partitions: int, extract: bool
) -> dict[str, str]:
    env = {k: v for k, v in base_env.items() if not k.startswith("MEETWIRE_SSL") and not k.startswith("MEETWIRE_SASL")}
    env.update(
        {
            "MEETWIRE_BROKER": settings.broker,
            "MEETWIRE_SECURITY_PROTOCOL": "PLAINTEXT",
            "MEETWIRE_APP_ID": names.app_id,
            "MEETWIRE_TOPIC_RAW": names.raw,
            "MEETWIRE_TOPIC_EVENTS": names.events,
            "MEETWIRE_TOPIC_DEADLETTER": names.deadletter,
            "MEETWIRE_TOPIC_CANONICAL": names.canonical,
            "MEETWIRE_TOPIC_PARTITIONS": str(partitions),
            "MEETWIRE_WEB_PORT": str(free_port()),
            "MEETWIRE_EXTRACT": "true" if extract else "false",
            "MEETWIRE_LOG_LEVEL": base_env.get("MEETWIRE_LOG_LEVEL", "WARN"),
        }
    )
    return env


def _timeout(items: int, slowest_items_per_s: float) -> float:
    """Start-up (loading the extractor) plus the items at a rate no healthy run is slower than."""
    return READY_TIMEOUT_S + max(MIN_PROGRESS_TIMEOUT_S, items / slowest_items_per_s)


@contextmanager
def _workdir(given: Path | None) -> Iterator[Path]:
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="meetwire-bench-") as tmp:
        yield Path(tmp)


@contextmanager
def _broker(workdir: Path, running: str | None) -> Iterator[str]:
    if running is not None:
        yield running
        return
    data_dir = workdir / "kafka"
    log.info("starting a local Kafka in %s", data_dir)
    broker = kafka_local.start(data_dir=data_dir)
    try:
        yield broker.bootstrap
    finally:
        kafka_local.stop(data_dir)


def _cores(progress: Progress) -> float:
    """CPU cores the workers actually had, on average, while measured."""
    return progress.items_per_s / progress.items_per_cpu_s if progress.items_per_cpu_s > 0 else 0.0


def _loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"
