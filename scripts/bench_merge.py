#!/usr/bin/env python3
"""Merge throughput as the canonical table grows: events/s of ``Merger.add`` over dicts, no broker.

    python scripts/bench_merge.py [--items 2000] [--rounds 4] [--seed 7]

The events are the extractor's, from the bench's generated corpus (``meetwire bench``'s items:
36 surnames, so a party's name key gathers many meetings, on publication days spread over a
year). Each round merges the same events again under fresh item and event ids, as the bench's
rounds do into one table, so the table grows by a round's meetings each time; the figure per
round shows how the merge slows with it. Extraction time is not counted.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from stream.canonical import Merger, load_day_words, load_name_rules
from stream.devtools.bench.corpus import build_corpus
from stream.extract.extractor import load_extractor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    corpus = build_corpus(args.items, seed=args.seed)
    extractor = load_extractor()
    events: list[dict[str, Any]] = [
        e.to_dict() for batch in extractor.extract_many([(i, None) for i in corpus.items]) for e in batch
    ]
    print(f"{len(corpus.items)} items, {len(events)} events a round")
    blocks: dict[str, bytes] = {}
    meetings: dict[str, bytes] = {}
    merger = Merger(load_name_rules(), blocks=blocks, meetings=meetings, days=load_day_words())
    seen_at = datetime(2024, 6, 1, tzinfo=UTC)
    for round_no in range(1, args.rounds + 1):
        copies = [
            {**e, "event_id": f"{e['event_id']}~{round_no}", "item_id": f"{e['item_id']}~{round_no}"} for e in events
        ]
        started = time.perf_counter()
        for event in copies:
            merger.add(event, seen_at)
        elapsed = time.perf_counter() - started
        print(
            f"round {round_no}: {len(copies) / elapsed:,.0f} events/s, table {len(meetings)} meetings, "
            f"largest name key {max(len(v) for v in blocks.values()) if blocks else 0} bytes"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
