#!/usr/bin/env python3
"""Train the small Indonesian person/org/place NER shipped in ``stream/models/ner-id/``.

Reproducible: fixed seed, single thread, a wall-clock budget (default 300 s) and a fixed
number of epochs as upper bound; the best checkpoint on the dev split is kept.

    python scripts/train_ner.py --data ../shared/data/ner --out stream/models/ner-id

Data (MIT / Apache-2.0, see the README written next to the model): idner-news-2k
(cased Indonesian news) train split, plus NERGRIT train split (labels mapped to PER/ORG/LOC).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import cast

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import spacy
from spacy.pipeline import EntityRecognizer
from spacy.training import Example, iob_to_biluo
from spacy.util import fix_random_seed, minibatch  # type: ignore[attr-defined]

LABELS = {"PER": "PER", "PERSON": "PER", "ORG": "ORG", "ORGANISATION": "ORG", "LOC": "LOC", "PLACE": "LOC"}
_NO_SPACE_BEFORE = {".", ",", ")", ":", ";", "!", "?", "%", "'s"}


def read_conll(path: Path, *, sep: str | None, tag_col: int) -> list[tuple[list[str], list[str]]]:
    sents: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    tags: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip("\r\n ")
        if not line:
            if words:
                sents.append((words, tags))
            words, tags = [], []
            continue
        cols = line.split(sep)
        words.append(cols[0])
        tag = cols[tag_col]
        if tag != "O":
            prefix, _, label = tag.partition("-")
            tag = f"{prefix}-{LABELS[label]}" if label in LABELS else "O"
        tags.append(tag)
    if words:
        sents.append((words, tags))
    return sents


def to_examples(nlp: spacy.language.Language, sents: list[tuple[list[str], list[str]]]) -> list[Example]:
    out = []
    for words, tags in sents:
        spaces = [i + 1 < len(words) and words[i + 1] not in _NO_SPACE_BEFORE for i in range(len(words))]
        doc = spacy.tokens.Doc(nlp.vocab, words=words, spaces=spaces)
        out.append(Example.from_dict(doc, {"entities": iob_to_biluo(tags)}))
    return out


def evaluate(nlp: spacy.language.Language, examples: list[Example]) -> dict[str, float]:
    scores = nlp.evaluate(examples)
    per = (scores.get("ents_per_type") or {}).get("PER") or {}
    return {"f": float(scores["ents_f"] or 0.0), "per_f": float(per.get("f", 0.0))}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "ner")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "stream" / "models" / "ner-id")
    ap.add_argument("--budget", type=float, default=330.0, help="safety cap on training wall-clock seconds")
    ap.add_argument("--epochs", type=int, default=8, help="passes over the training data (the reproducible bound)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    fix_random_seed(args.seed)
    random.seed(args.seed)
    nlp = spacy.blank("id")
    ner = cast(EntityRecognizer, nlp.add_pipe("ner"))
    for label in ("PER", "ORG", "LOC"):
        ner.add_label(label)
    train = read_conll(args.data / "idner-news-2k" / "train.txt", sep=" ", tag_col=2)
    train += read_conll(args.data / "nergrit" / "train_preprocess.txt", sep="\t", tag_col=1)
    dev = read_conll(args.data / "idner-news-2k" / "dev.txt", sep=" ", tag_col=2)
    test = read_conll(args.data / "idner-news-2k" / "test.txt", sep=" ", tag_col=2)
    train_ex, dev_ex, test_ex = to_examples(nlp, train), to_examples(nlp, dev), to_examples(nlp, test)
    optimizer = nlp.initialize(lambda: train_ex)
    nlp.meta.update(
        {
            "name": "meetwire_ner_id",
            "version": "1.0.0",
            "license": "MIT (idner-news-2k); NERGRIT per its licence (see README.md)",
            "description": "Indonesian PER/ORG/LOC tagger for meetwire; trained by scripts/train_ner.py",
            "sources": [
                {"name": "idner-news-2k", "url": "https://github.com/khairunnisaor/idner-news-2k", "license": "MIT"},
                {"name": "NERGRIT (IndoNLU)", "url": "https://github.com/IndoNLP/indonlu", "license": "Apache-2.0"},
            ],
        }
    )
    started = time.monotonic()
    best = -1.0
    rng = random.Random(args.seed)  # noqa: S311 - shuffling training data, not security
    for epoch in range(args.epochs):
        rng.shuffle(train_ex)
        losses: dict[str, float] = {}
        for batch in minibatch(train_ex, size=16):  # type: ignore[no-untyped-call]
            nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
        dev_scores = evaluate(nlp, dev_ex)
        elapsed = time.monotonic() - started
        sys.stderr.write(
            f"epoch {epoch} loss {losses.get('ner', 0):.1f} dev F {dev_scores['f']:.3f} "
            f"PER {dev_scores['per_f']:.3f} {elapsed:.0f}s\n"
        )
        if dev_scores["f"] > best:
            best = dev_scores["f"]
            args.out.mkdir(parents=True, exist_ok=True)
            nlp.to_disk(args.out)
        if elapsed > args.budget:
            break
    final = spacy.load(args.out)
    test_scores = evaluate(final, test_ex)
    sys.stderr.write(f"best dev F {best:.3f}; test F {test_scores['f']:.3f} PER {test_scores['per_f']:.3f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
