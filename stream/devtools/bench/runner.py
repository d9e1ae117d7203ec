"""``meetwire bench``: every stage in one run, with its own local Kafka.

This machine's speed drifts by 10-15 % over tens of seconds (the same worker on the same items
measured 242-335 items/s in consecutive runs), more than some of the ratios the bench checks.
So the stages that are compared with each other are measured in interleaved **rounds** and
each figure is the median over rounds; a ratio compares figures taken minutes apart no more.

1. ``passthrough``: a worker with ``MEETWIRE_EXTRACT=false``, items loaded in advance;
2. per round, back to back, each on a new corpus and starting cold: ``tokenizer``
   (``spacy.blank(lang)``'s tokenizer alone, in this process), ``extract`` (the full
   extractor, batches of 32 as the worker takes them, one thread), and ``e2e`` (the corpus
   loaded in one burst for a new extracting worker);
3. ``latency``: on the last round's worker, items sent at half the e2e rate, record timestamp
   to first event read;
4. ``scale``: one worker alone on a 2-partition raw topic and two workers sharing another, all
   three started together and waiting until their consumer groups are stable; per round the
   scale corpus is loaded in one burst for the one, then for the two (the other way round in
   odd rounds, so a drift does not favour either), and ``scale_2_workers`` is the median of the
   rounds' ratios.

Throughput of a broker stage is read from the workers' ``meetwire_items_total`` counters
(items whose events the broker acknowledged), polled every 250 ms (100 ms for passthrough),
from the poll that saw 10 % of the items done to the poll that saw them all: the workers'
start-up transients are left out, as the in-process stages leave out their warm-up batch.
Every stage also reports items per CPU second of the measured process(es), which is what
the rate would be on an otherwise idle core.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from stream.client import create_topics
from stream.devtools import kafka_local
from stream.devtools.bench.corpus import DEFAULT_SEED, Corpus, build_corpus, words_summary
from stream.devtools.bench.inprocess import StageRate, extract_rate, tokenizer_rate
from stream.devtools.bench.kafka_io import LatencySample, load_items, paced_latency, wait_group_stable
from stream.devtools.bench.workers import Progress, peak_rss_mb, watch_progress
from stream.devtools.worker_process import (
    READY_TIMEOUT_S,
    WorkerError,
    WorkerProcess,
    free_port,
    running_worker,
    start_worker,
    stop_worker,
    wait_ready,
)
from stream.settings import Settings

if TYPE_CHECKING:
    from stream.extract import MeetingExtractor

_R = TypeVar("_R", bound="_Rated")

log = logging.getLogger(__name__)

GROUP_STABLE_TIMEOUT_S = 120.0
MIN_PROGRESS_TIMEOUT_S = 120.0
PASSTHROUGH_POLL_S = 0.1
"""The passthrough stage lasts seconds, not tens of seconds: poll it closer."""


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """How big the run is; the defaults take about four minutes on 2 cores."""

    items: int = 2000
    """Corpus size for the tokenizer, extract and e2e stages, each round."""
    scale_items: int = 4000
    """Items each set-up of the scale stage does per round (two workers take about 8 s here)."""
    rounds: int = 3
    """Rounds of the stages that are compared with each other; each figure is their median."""
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
    if options.rounds < 1:
        raise ValueError(f"rounds must be at least 1, not {options.rounds}")
    context: dict[str, str] = {}
    started = time.monotonic()
    context["load average at start"] = _loadavg()
    context["cpus"] = str(os.cpu_count())
    # A new corpus each round: repeating a round's texts would let the second pass read them
    # from caches no real wire fills (spaCy's tokenizer caches every word it has seen).
    seeds = range(options.seed, options.seed + options.rounds)
    corpora = [build_corpus(options.items, seed=seed) for seed in seeds]
    scale_corpora = [build_corpus(options.scale_items, seed=seed) for seed in seeds]
    low, high, mean = words_summary([n for corpus in corpora for n in corpus.words])
    context["corpus"] = (
        f"{options.items} items a round, {low}-{high} words (mean {mean:.0f}), seeds {seeds.start}-{seeds.stop - 1}"
    )

    with _workdir(options.workdir) as workdir, _broker(workdir, bootstrap) as address:
        settings = Settings(broker=f"kafka://{address}")
        passthrough = _passthrough_stage(settings, base_env, workdir, corpora[0], options.passthrough_items)
        compared = _compared_stages(settings, base_env, workdir, corpora, options.latency_seconds)
        scale = _scale_stage(settings, base_env, workdir, scale_corpora)

    tokenizer = _median(r.tokenizer for r in compared.rounds)
    extract = _median(r.extract for r in compared.rounds)
    e2e = _median(r.e2e for r in compared.rounds)
    one = _median(r.one for r in scale.rounds)
    two = _median(r.two for r in scale.rounds)
    ratios = [r.two.items_per_s / r.one.items_per_s if r.one.items_per_s > 0 else 0.0 for r in scale.rounds]
    context["events in the corpora"] = str(compared.events)
    context["rounds (items/s)"] = (
        f"tokenizer {_each(r.tokenizer.items_per_s for r in compared.rounds)}; "
        f"extract {_each(r.extract.items_per_s for r in compared.rounds)}; "
        f"e2e {_each(r.e2e.items_per_s for r in compared.rounds)}; "
        f"scale 1 worker {_each(r.one.items_per_s for r in scale.rounds)}, "
        f"2 workers {_each(r.two.items_per_s for r in scale.rounds)}, "
        f"ratio {' / '.join(f'{x:.2f}' for x in ratios)}"
    )
    latency = compared.latency
    context["latency"] = (
        f"{len(latency.latencies)} of {latency.sent} paced items had an event, sent at {latency.rate_per_s:.1f}/s"
    )
    tail = latency.tail_sent_between(0.99)
    if tail is not None:
        context["latency tail"] = f"the slowest 1 % were sent {tail[0]:.1f}-{tail[1]:.1f} s into the paced run"
    context["scale"] = (
        f"medians: 1 worker {one.items_per_s:.1f} items/s, 2 workers {two.items_per_s:.1f} items/s "
        f"(2 partitions; items per worker {'/'.join(f'{n:.0f}' for n in two.per_worker)}); CPU cores they got: "
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
        scale_2_workers=statistics.median(ratios),
        worker_rss_mb=max(compared.rss_mb, scale.rss_mb),
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


def _load_extractor() -> MeetingExtractor:
    from stream.extract import load_extractor  # seconds to load: only when a run starts

    log.info("loading the extractor")
    return load_extractor()


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
    with running_worker(env, _log_path(workdir, "passthrough"), ready=False, inherit=False) as worker:
        # Watched from its start: the measurement begins at the last poll before any item was done.
        progress = watch_progress(
            [worker], until=len(lines), timeout_s=_timeout(len(lines), 500.0), poll_s=PASSTHROUGH_POLL_S
        )
    log.info("stage passthrough: %.1f items/s", progress.items_per_s)
    return progress


@dataclass(frozen=True, slots=True)
class _ComparedRound:
    tokenizer: StageRate
    extract: StageRate
    e2e: Progress


@dataclass(frozen=True, slots=True)
class _Compared:
    rounds: list[_ComparedRound]
    latency: LatencySample
    rss_mb: float
    events: int


def _compared_stages(
    settings: Settings, base_env: Mapping[str, str], workdir: Path, corpora: Sequence[Corpus], latency_seconds: float
) -> _Compared:
    """Tokenizer, extractor and e2e worker on each round's corpus; then latency on the last worker.

    Every round starts cold, as a single pass over a corpus would: a new tokenizer, a newly
    loaded extractor and a new worker. Kept from round to round, their caches would serve the
    next corpus's repeated filler sentences and template words far more often than a real wire
    does, and the tokenizer, mostly cache look-ups, would gain the most.
    """
    rounds: list[_ComparedRound] = []
    events = 0
    rss = 0.0
    for n, corpus in enumerate(corpora):
        tokenizer = tokenizer_rate(corpus.items)
        extract, found = extract_rate(_load_extractor(), corpus.items)
        events += found
        names = _names(f"e2e{n + 1}")
        asyncio.run(create_topics(settings, names.topics, partitions=1))
        env = _worker_env(base_env, settings, names, partitions=1, extract=True)
        with running_worker(env, _log_path(workdir, f"e2e{n + 1}"), inherit=False) as worker:
            e2e = _load_and_watch(settings, [worker], names.raw, corpus.lines(), partitions=1)
            log.info(
                "round %d: tokenizer %.1f, extract %.1f, e2e %.1f items/s",
                n + 1,
                tokenizer.items_per_s,
                extract.items_per_s,
                e2e.items_per_s,
            )
            rounds.append(_ComparedRound(tokenizer, extract, e2e))
            if n == len(corpora) - 1:  # the last round's worker, warm, also serves the latency stage
                latency = _latency_stage(settings, names, corpus, rounds, latency_seconds)
            rss = max(rss, peak_rss_mb(worker.process.pid))
    return _Compared(rounds, latency, rss, events)


def _latency_stage(
    settings: Settings, names: _Names, corpus: Corpus, rounds: Sequence[_ComparedRound], seconds: float
) -> LatencySample:
    """Items of ``corpus`` (fresh ids) sent at half the median e2e rate to the running worker of ``names``."""
    half = _median(r.e2e for r in rounds).items_per_s / 2
    if half <= 0:
        raise WorkerError("all items were done between two polls: give the bench more items")
    paced: list[bytes] = []
    copy = 0
    target = max(1, math.ceil(half * seconds))
    while len(paced) < target:
        copy += 1
        paced += corpus.lines(copy=copy)
    log.info("stage latency: %d items at %.1f/s", target, half)
    latency = asyncio.run(
        paced_latency(settings, raw_topic=names.raw, events_topic=names.events, lines=paced[:target], rate_per_s=half)
    )
    log.info("stage latency: p50 %.3f s, p99 %.3f s", latency.quantile(0.5), latency.quantile(0.99))
    return latency


@dataclass(frozen=True, slots=True)
class _ScaleRound:
    one: Progress
    two: Progress


@dataclass(frozen=True, slots=True)
class _Scale:
    rounds: list[_ScaleRound]
    rss_mb: float


def _scale_stage(settings: Settings, base_env: Mapping[str, str], workdir: Path, corpora: Sequence[Corpus]) -> _Scale:
    """One worker alone, and two sharing a topic, on 2 partitions, measured in alternation."""
    solo, pair = _names("scale1"), _names("scale2")
    for names in (solo, pair):
        asyncio.run(create_topics(settings, names.topics, partitions=2))
    running: list[WorkerProcess] = []
    try:
        for names, name in ((solo, "scale1"), (pair, "scale2-1"), (pair, "scale2-2")):
            env = _worker_env(base_env, settings, names, partitions=2, extract=True)
            running.append(start_worker(env, _log_path(workdir, name), inherit=False))
        wait_ready(running)
        asyncio.run(wait_group_stable(settings, solo.app_id, members=1, timeout_s=GROUP_STABLE_TIMEOUT_S))
        asyncio.run(wait_group_stable(settings, pair.app_id, members=2, timeout_s=GROUP_STABLE_TIMEOUT_S))
        setups = [(running[:1], solo), (running[1:], pair)]
        measured: list[_ScaleRound] = []
        for n, corpus in enumerate(corpora):
            lines = corpus.lines(copy=n + 1)
            by_workers: dict[int, Progress] = {}
            # ABAB would let a steady drift favour one set-up; AB BA cancels it.
            for workers, names in setups if n % 2 == 0 else setups[::-1]:
                by_workers[len(workers)] = _load_and_watch(settings, workers, names.raw, lines, partitions=2)
            one, two = by_workers[1], by_workers[2]
            log.info("scale round %d: 1 worker %.1f, 2 workers %.1f items/s", n + 1, one.items_per_s, two.items_per_s)
            measured.append(_ScaleRound(one, two))
        rss = max(peak_rss_mb(w.process.pid) for w in running)
    finally:
        for worker in running:
            stop_worker(worker)
    return _Scale(measured, rss)


def _load_and_watch(
    settings: Settings, workers: Sequence[WorkerProcess], topic: str, lines: list[bytes], *, partitions: int
) -> Progress:
    """Load ``lines`` onto ``topic`` in one burst for running ``workers`` and time them doing it.

    The workers start on the items while the burst is sent (about a second); the measurement
    starts at the first poll after it that saw 10 % done, so it times a backlog, as if loaded
    in advance.
    """
    return watch_progress(
        workers,
        until=len(lines),
        timeout_s=_timeout(len(lines), 5.0),
        then=lambda: asyncio.run(load_items(settings, topic, lines, partitions=partitions)),
    )


class _Rated(Protocol):
    @property
    def items_per_s(self) -> float: ...


def _median(values: Iterable[_R]) -> _R:
    """The middle value by rate (the lower middle of an even count): a real round, not an average."""
    ordered = sorted(values, key=lambda v: v.items_per_s)
    return ordered[(len(ordered) - 1) // 2]


def _each(rates: Iterable[float]) -> str:
    return " / ".join(f"{rate:.1f}" for rate in rates)


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


def _log_path(workdir: Path, name: str) -> Path:
    """``workdir/<name>/<name>.log``: a folder per worker, so two workers of one app id (the
    scale stage) never share a Faust data folder and its RocksDB locks, as on two hosts."""
    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.log"


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
