#!/usr/bin/env python3
"""K-fold cross-validation of the whole extractor on a labelled file, by language.

    python scripts/crossval.py [--gold ../shared/eval/train.jsonl] [-k 5] [--predictions cv.events.jsonl]

Each fold's articles are extracted by an extractor whose learned parts were trained on the
other folds only (today the topic model, with ``scripts/train_topics.py``'s own code and
settings); the predictions of all folds are then scored together with ``../shared/eval/score.py``,
so the figures read like ``meetwire eval`` on articles the model did not learn from. Folds are
fixed by a CRC-32 of the article id (the same as ``train_topics.py --cv``).

The rules (triggers, titles, places, dates) have no training step: their figures here are the
same as in-sample and are only as honest as the discipline of tuning them on ``train.jsonl``
alone; ``dev.jsonl`` is the held-out check for them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from stream.codec import wire_item_from_dict
from stream.extract.extractor import MeetingExtractor
from stream.extract.lexicon import load_lexicon
from stream.extract.places import load_gazetteer
from stream.extract.topics import load_topic_classifier

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"


def _module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=SHARED_EVAL / "train.jsonl")
    parser.add_argument("--scorer", type=Path, default=SHARED_EVAL / "score.py")
    parser.add_argument("-k", type=int, default=5, help="number of folds")
    parser.add_argument(
        "--predictions", type=Path, help="also write the held-out predictions here (JSONL, for score.py --explain)"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    topics_training = _module(ROOT / "scripts" / "train_topics.py", "train_topics")
    scorer = _module(args.scorer, "meetwire_score")

    with args.gold.open(encoding="utf-8") as handle:
        gold_items: list[dict[str, Any]] = [json.loads(line) for line in handle if line.strip()]
    lexicon_only = load_topic_classifier(use_model=False)
    extractor = MeetingExtractor(lexicon=load_lexicon(), gazetteer=load_gazetteer(), topics=lexicon_only)
    examples = topics_training.build_examples(gold_items, extractor)
    settings = topics_training.Settings()
    classes = list(lexicon_only.scores("", "en"))

    predicted: list[dict[str, Any]] = []
    for fold in range(args.k):
        train = [
            ex
            for ex in examples
            if topics_training.fold_of(ex.article, args.k) != fold and topics_training._kept(ex, settings)
        ]
        model = topics_training.fit(train, lexicon_only, classes, settings)
        extractor.topics = load_topic_classifier(model=model)
        held_out = [g for g in gold_items if topics_training.fold_of(g["id"], args.k) == fold]
        items = [wire_item_from_dict({k: v for k, v in g.items() if k not in ("events", "meta")}) for g in held_out]
        for events in extractor.extract_many([(item, None) for item in items]):
            predicted.extend(ev.to_dict() for ev in events)

    if args.predictions is not None:
        with args.predictions.open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(ev, ensure_ascii=False) + "\n" for ev in predicted)
    print(f"{args.k}-fold cross-validation of {args.gold.name} ({len(gold_items)} articles):")
    for lang in ("all", "en", "id"):
        gold = [g for g in gold_items if lang == "all" or g.get("language") == lang]
        ids = {str(g["id"]) for g in gold}
        result = scorer.score(gold, [e for e in predicted if str(e.get("item_id")) in ids])
        print(
            f"[{lang}] items={result['items']} event_f1={result['event']['f1']} "
            f"participants_f1={result['participants']['f1']} location={result['location_acc']} "
            f"date={result['date_acc']} topic={result['topic_acc']} full_event_f1={result['full_event']['f1']}"
        )
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
