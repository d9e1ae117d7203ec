"""``meetwire``: the command line (see ``meetwire --help``).

Each sub-command is a small function taking parsed arguments and returning an exit code;
imports of heavy modules (Faust, spaCy) happen inside the command that needs them.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import sys
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import orjson

from stream.errors import BrokerAccessError

DEFAULT_KAFKA_DIR = Path(".cache/kafka-data")

if TYPE_CHECKING:
    from stream.settings import Settings

EXIT_BROKER_ACCESS = 78
"""Exit status (EX_CONFIG) when the broker rejects the worker's credentials or TLS settings."""

EXIT_BROKER_UNAVAILABLE = 69
"""Exit status (EX_UNAVAILABLE) of a client command that reaches no Kafka broker."""

EXIT_WORKER_NO_BROKER = 75
"""Exit status (EX_TEMPFAIL) of a worker that reached no broker within ``MEETWIRE_STARTUP_TIMEOUT_S``."""

STARTUP_BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 10.0)
"""Waits between the worker's start-up probes of the broker; the last one repeats."""

BROKER_PROBE_TIMEOUT_S = 10.0
"""How long a client command waits for a broker to accept a connection before giving up."""

_T = TypeVar("_T")

log = logging.getLogger("meetwire")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The client library's INFO lines (subscriptions, metadata) drown the records `tail` prints.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    try:
        code: int = args.handler(args)
    except BrokerUnavailableError as exc:
        log.error("%s", exc)
        return EXIT_BROKER_UNAVAILABLE
    except BrokerAccessError as exc:  # credentials or TLS: the message names the settings to check
        log.error("%s", exc)
        return EXIT_BROKER_ACCESS
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="meetwire", description="Meeting events from news wires.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("extract", help="offline: wire items JSONL in, meeting events JSONL out")
    p.add_argument("--input", default="-", help="wire items JSONL (default: stdin)")
    p.add_argument("--output", default="-", help="meeting events JSONL (default: stdout)")
    p.add_argument("--ner", action="store_true", help="add the statistical name tagger (MEETWIRE_EXTRACT_NER)")
    p.set_defaults(handler=cmd_extract)

    p = sub.add_parser("merge", help="offline: meeting events JSONL in, canonical meeting records JSONL out")
    p.add_argument("--input", default="-", help="meeting events JSONL, merged in file order (default: stdin)")
    p.add_argument("--output", default="-", help="every new or changed canonical record, JSONL (default: stdout)")
    p.set_defaults(handler=cmd_merge)

    p = sub.add_parser("worker", help="run the Faust worker (same as `faust -A stream.app worker`)")
    p.add_argument("--loglevel", default=None, help="log level (default: MEETWIRE_LOG_LEVEL)")
    p.set_defaults(handler=cmd_worker)

    p = sub.add_parser("produce", help="send a JSONL file, line by line, to the raw topic")
    p.add_argument("file", help="JSONL file (- for stdin); lines are sent byte for byte, even malformed ones")
    p.add_argument("--topic", default=None, help="topic (default: MEETWIRE_TOPIC_RAW)")
    p.set_defaults(handler=cmd_produce)

    p = sub.add_parser("tail", help="print a topic's records as JSON lines")
    p.add_argument("topic")
    p.add_argument("--max-messages", type=int, default=None, help="stop after this many records")
    p.add_argument("--idle-timeout", type=float, default=None, help="stop after this many seconds without a record")
    p.add_argument("--from-end", action="store_true", help="only records that arrive from now on")
    p.set_defaults(handler=cmd_tail)

    p = sub.add_parser("replay-deadletters", help="send dead letters' original bytes back to the raw topic")
    p.add_argument("--reason", action="append", default=None, help="only dead letters with this reason (repeatable)")
    p.add_argument("--group", default=None, help="consumer group keeping replay progress (default: APP_ID.replay)")
    p.add_argument("--to-topic", default=None, help="where to send them (default: MEETWIRE_TOPIC_RAW)")
    p.add_argument("--dry-run", action="store_true", help="count what would be replayed; send nothing, move nothing")
    p.set_defaults(handler=cmd_replay_deadletters)

    p = sub.add_parser("offsets", help="a consumer group's committed offsets and lag per partition; move one's")
    p.add_argument("--group", default=None, help="consumer group (default: MEETWIRE_APP_ID, the worker's)")
    p.add_argument("--topic", default=None, help="topic (default: MEETWIRE_TOPIC_RAW)")
    p.add_argument("--partition", type=int, default=None, help="the partition to move (with --to, --past or --to-time)")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--to", type=int, metavar="OFFSET", help="move to OFFSET: the next record the group reads")
    target.add_argument("--past", type=int, metavar="OFFSET", help="skip the record at OFFSET: resume right after it")
    target.add_argument(
        "--to-time", type=_aware_time, metavar="ISO", help="move to the first record at or after this time (with zone)"
    )
    p.add_argument("--dry-run", action="store_true", help="say what would move; commit nothing")
    p.set_defaults(handler=cmd_offsets)

    kafka = sub.add_parser("kafka", help="a local Apache Kafka (one node, or a cluster) for development and tests")
    ksub = kafka.add_subparsers(required=True, metavar="ACTION")
    p = ksub.add_parser("up", help="start it; prints the bootstrap address(es) once it answers metadata requests")
    p.add_argument("--port", type=int, default=None, help="broker port, the first node's in a cluster (default: free)")
    p.add_argument(
        "--brokers",
        type=int,
        default=None,
        metavar="N",
        help="nodes (combined broker+controller); 3 gives replication factor 3 and min.insync.replicas 2 "
        "(default: what --data-dir holds, else 1)",
    )
    p.add_argument("--data-dir", type=Path, default=DEFAULT_KAFKA_DIR)
    p.set_defaults(handler=cmd_kafka_up)
    p = ksub.add_parser("down", help="stop it")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_KAFKA_DIR)
    p.set_defaults(handler=cmd_kafka_down)

    p = sub.add_parser("eval", help="score the extractor on a gold JSONL file by language")
    p.add_argument("gold", type=Path)
    p.add_argument("--explain", action="store_true", help="list every miss, spurious event and wrong field")
    p.add_argument(
        "--scorer", type=Path, default=None, help="a score.py to run instead of the built-in scorer (same figures)"
    )
    p.set_defaults(handler=cmd_eval)

    p = sub.add_parser("bench", help="performance benchmark with its own local Kafka (about four minutes)")
    p.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    p.add_argument("--items", type=int, help="corpus size for the tokenizer, extract and e2e stages")
    p.add_argument("--scale-items", type=int, help="items per round for each set-up of the scale stage")
    p.add_argument("--rounds", type=int, help="rounds of the compared stages (figures are medians)")
    p.add_argument("--passthrough-items", type=int, help="items for the passthrough stage")
    p.add_argument("--latency-seconds", type=float, help="seconds of paced items for latency")
    p.add_argument("--seed", type=int, help="corpus seed")
    p.add_argument("--workdir", type=Path, help="keep broker, logs and Faust data here (default: a temporary dir)")
    p.set_defaults(handler=cmd_bench)
    return parser


def _aware_time(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text} has no time zone (add Z or +07:00)")
    return when


@contextmanager
def _open(path: str, mode: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer if "r" in mode else sys.stdout.buffer
        return
    with open(path, mode) as handle:
        yield handle


def cmd_extract(args: argparse.Namespace) -> int:
    from stream.extract import load_extractor
    from stream.offline import extract_file
    from stream.progress import count_lines
    from stream.settings import Settings

    extractor = load_extractor(use_ner=args.ner)
    settings = Settings.from_env()
    total = count_lines(args.input, stream=sys.stderr)
    with _open(args.input, "rb") as src, _open(args.output, "wb") as dst:
        counts = extract_file(src, dst, extractor, settings, total=total)
    if counts.skipped:
        log.error("%d line(s) could not be read as wire items", counts.skipped)
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from stream.canonical import Merger, load_day_words, load_name_rules
    from stream.canonical.offline import merge_jsonl
    from stream.progress import count_lines, track
    from stream.settings import Settings

    # Plain dicts for the agent's tables; the same Merger, with the worker's bound on reports.
    # Every report is "seen" now, so no meeting of one run reaches the retention limit.
    settings = Settings.from_env()
    merger = Merger(
        load_name_rules(),
        blocks={},
        meetings={},
        max_reports=settings.canonical_max_reports,
        max_meetings_per_key=settings.canonical_max_meetings_per_key,
        days=load_day_words(),
    )
    total = count_lines(args.input, stream=sys.stderr)
    with _open(args.input, "rb") as src, _open(args.output, "wb") as dst:
        lines = track(src, stream=sys.stderr, total=total, unit="line")
        counts = merge_jsonl(lines, dst, merger, seen_at=datetime.now(UTC))
    log.info(
        "merge: %d meeting(s) created, %d updated, %d duplicate report(s)",
        counts.created,
        counts.updated,
        counts.duplicates,
    )
    if counts.skipped:
        log.error("%d line(s) could not be read as meeting events", counts.skipped)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from stream.app import app, settings
    from stream.logs import install_coordinator_retry_level

    if settings.event_loop == "uvloop":
        # Before any loop exists: Faust's and its consumer thread's are made by this policy.
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    # Wrong credentials would leave Faust retrying for ever, and with no broker Faust exits 1
    # within seconds: probe first, retry for MEETWIRE_STARTUP_TIMEOUT_S, and say what happens. A
    # loop of its own, not asyncio.run(), which would unset the event loop Faust is about to use.
    loop = asyncio.new_event_loop()
    try:
        if not loop.run_until_complete(_wait_for_broker(settings)):
            log.error(
                "no Kafka broker answered at %s within MEETWIRE_STARTUP_TIMEOUT_S=%g s; exiting with %d "
                "(temporary failure) for the supervisor to restart the worker",
                settings.broker,
                settings.startup_timeout_s,
                EXIT_WORKER_NO_BROKER,
            )
            return EXIT_WORKER_NO_BROKER
    except BrokerAccessError as exc:
        log.error("cannot start the worker: %s; exiting with %d", exc, EXIT_BROKER_ACCESS)
        return EXIT_BROKER_ACCESS
    finally:
        loop.close()
    install_coordinator_retry_level()  # the coordinator-discovery retries of every start at INFO
    loglevel = args.loglevel or settings.log_level
    sys.argv = ["meetwire", "worker", "--loglevel", loglevel.lower()]
    app.main()  # Faust's own command line; exits the process itself
    return 0


async def _wait_for_broker(settings: Settings) -> bool:
    """Probe the broker until one answers (True) or ``MEETWIRE_STARTUP_TIMEOUT_S`` has passed (False).

    ``BrokerAccessError`` (credentials, TLS, a listener without SASL) is raised at once: no retry helps.
    """
    from stream.client import check_broker_access

    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.startup_timeout_s
    probe_timeout_s = min(BROKER_PROBE_TIMEOUT_S, max(settings.startup_timeout_s, 1.0))
    for attempt in itertools.count():
        if await check_broker_access(settings, timeout_s=probe_timeout_s):
            if attempt:
                log.info("Kafka broker at %s answered after %d retries; starting", settings.broker, attempt)
            return True
        wait_s = STARTUP_BACKOFF_S[min(attempt, len(STARTUP_BACKOFF_S) - 1)]
        left_s = deadline - loop.time()
        if left_s <= 0:
            return False
        if attempt == 0:
            log.warning(
                "no Kafka broker answered at %s; retrying with backoff for up to %g s "
                "(MEETWIRE_STARTUP_TIMEOUT_S), then exiting with %d",
                settings.broker,
                settings.startup_timeout_s,
                EXIT_WORKER_NO_BROKER,
            )
        await asyncio.sleep(min(wait_s, left_s))
    return False  # unreachable: itertools.count() never ends


class BrokerUnavailableError(Exception):
    """A client command reached no broker, or lost it: one line for the user, no traceback."""


def _run_client(settings: Settings, command: Coroutine[Any, Any, _T]) -> _T:
    """Run a client command's coroutine once a broker answers; ``BrokerUnavailableError`` if none does.

    Probing first keeps aiokafka's own bootstrap errors (a log line per attempt, a traceback,
    an unclosed client) from reaching the user, who gets one line naming the setting to fix.
    """
    from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError

    from stream.client import check_broker_access

    servers = ",".join(settings.bootstrap_servers)
    hint = "start one (make demo, meetwire kafka up) or set MEETWIRE_BROKER to a running broker's host:port"

    async def probe_then_run() -> _T:
        if not await check_broker_access(settings, timeout_s=BROKER_PROBE_TIMEOUT_S):
            command.close()  # never awaited: close it so Python does not warn
            raise BrokerUnavailableError(f"no Kafka broker answered at {servers}; {hint}")
        return await command

    try:
        return asyncio.run(probe_then_run())
    except (KafkaConnectionError, KafkaTimeoutError) as exc:
        raise BrokerUnavailableError(f"lost the Kafka broker at {servers} ({exc}); {hint}") from exc


def cmd_produce(args: argparse.Namespace) -> int:
    from stream.client import produce_lines
    from stream.settings import Settings

    settings = Settings.from_env()
    with _open(args.file, "rb") as src:
        lines = [line.rstrip(b"\r\n") for line in src if line.strip()]
    sent = _run_client(settings, produce_lines(settings, args.topic or settings.topic_raw, lines))
    log.info("sent %d record(s) to %s", sent, args.topic or settings.topic_raw)
    return 0


def cmd_tail(args: argparse.Namespace) -> int:
    from stream.client import tail
    from stream.settings import Settings

    settings = Settings.from_env()

    async def run() -> None:
        async for value in tail(
            settings,
            args.topic,
            from_beginning=not args.from_end,
            max_messages=args.max_messages,
            idle_timeout_s=args.idle_timeout,
        ):
            sys.stdout.buffer.write(value + b"\n")
            sys.stdout.flush()

    _run_client(settings, run())
    return 0


def cmd_replay_deadletters(args: argparse.Namespace) -> int:
    from stream.replay import replay_dead_letters
    from stream.settings import Settings

    settings = Settings.from_env()
    report = _run_client(
        settings,
        replay_dead_letters(
            settings,
            reasons=args.reason,
            group_id=args.group,
            dry_run=args.dry_run,
            to_topic=args.to_topic,
            progress=sys.stderr,
        ),
    )
    summary = {
        "replayed": dict(report.replayed),
        "skipped": dict(report.skipped),
        "truncated": dict(report.truncated),
        "unreadable": report.unreadable,
    }
    sys.stdout.write(orjson.dumps(summary).decode() + "\n")
    return 0


def cmd_offsets(args: argparse.Namespace) -> int:
    from stream.offsets import OffsetsError, format_table, move_offset, partition_offsets
    from stream.settings import Settings

    settings = Settings.from_env()
    group = args.group or settings.app_id
    topic = args.topic or settings.topic_raw
    moving = args.to is not None or args.past is not None or args.to_time is not None
    if moving != (args.partition is not None):
        log.error("moving an offset takes --partition and one of --to, --past, --to-time")
        return 2
    try:
        if not moving:
            sys.stdout.write(format_table(group, _run_client(settings, partition_offsets(settings, group, topic))))
            return 0
        move = _run_client(
            settings,
            move_offset(
                settings,
                group,
                topic,
                args.partition,
                to_offset=args.to,
                past_offset=args.past,
                to_time=args.to_time,
                dry_run=args.dry_run,
            ),
        )
    except OffsetsError as exc:
        log.error("%s", exc)
        return 1
    before = "-" if move.before.committed is None else str(move.before.committed)
    outcome = "committed" if move.committed else "dry run, nothing committed"
    sys.stdout.write(f"group {group} {topic}[{args.partition}]: {before} -> {move.offset} ({outcome})\n")
    return 0


def cmd_kafka_up(args: argparse.Namespace) -> int:
    from stream import local_broker
    from stream.devtools import kafka_local

    if (args.brokers or 1) > 1 or kafka_local.is_cluster(args.data_dir):
        return _kafka_cluster_up(args)
    broker = kafka_local.status(args.data_dir)  # `up` is idempotent: say where the running broker is
    if broker is None:
        try:
            broker = kafka_local.start(port=args.port, data_dir=args.data_dir)
        except kafka_local.KafkaLocalError as exc:
            log.error("%s", exc)
            return 1
    # Every command run from this folder now reaches it without MEETWIRE_BROKER.
    local_broker.record(broker.bootstrap)
    sys.stdout.write(f"{broker.bootstrap}\n")
    return 0


def _kafka_cluster_up(args: argparse.Namespace) -> int:
    from stream import local_broker
    from stream.devtools import kafka_local

    cluster = kafka_local.cluster_status(args.data_dir)  # idempotent, as for one broker
    if cluster is None:
        try:
            cluster = kafka_local.start_cluster(
                brokers=args.brokers or _cluster_size(args.data_dir), port=args.port, data_dir=args.data_dir
            )
        except kafka_local.KafkaLocalError as exc:
            log.error("%s", exc)
            return 1
    local_broker.record(cluster.bootstrap)
    sys.stdout.write(f"{cluster.bootstrap}\n")
    return 0


def _cluster_size(data_dir: Path) -> int:
    from stream.devtools import kafka_local

    address = kafka_local.cluster_address(data_dir)
    return 3 if address is None else len(address.split(","))


def cmd_kafka_down(args: argparse.Namespace) -> int:
    from stream import local_broker
    from stream.devtools import kafka_local

    if kafka_local.is_cluster(args.data_dir):
        address = kafka_local.cluster_address(args.data_dir)
        stopped = kafka_local.stop_cluster(args.data_dir)
    else:
        address = kafka_local.address(args.data_dir)
        stopped = kafka_local.stop(args.data_dir)
    if address is not None:
        local_broker.forget(address)
    log.info("kafka %s", "stopped" if stopped else "was not running")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from stream.evaluate import evaluate

    if not args.gold.is_file():
        log.error("gold file not found: %s", args.gold)
        return 2
    if args.scorer is not None and not args.scorer.is_file():
        log.error("scorer not found: %s", args.scorer)
        return 2
    sys.stdout.write(evaluate(args.gold, explain=args.explain, scorer=args.scorer))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    import os
    from dataclasses import fields

    from stream.devtools.bench import BenchOptions, format_table, run_bench

    # Every option not given on the command line keeps BenchOptions' default.
    given = {f.name: getattr(args, f.name) for f in fields(BenchOptions) if getattr(args, f.name) is not None}
    report = run_bench(BenchOptions(**given), base_env=dict(os.environ))
    if args.json:  # the table (with the conditions) to stderr; stdout ends with the one JSON line
        sys.stderr.write(format_table(report) + "\n")
        sys.stdout.write(orjson.dumps(report.result.as_dict()).decode() + "\n")
    else:
        sys.stdout.write(format_table(report) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
