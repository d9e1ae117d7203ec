#!/usr/bin/env python3
"""Train the meeting-topic model shipped in ``stream/models/topics/``.

    python scripts/train_topics.py [--gold ../shared/eval/train.jsonl] [--cv 5] [--out stream/models/topics]

Examples are built the honest way: the current extractor runs on the labelled articles, its
events are paired with the gold events as ``../shared/eval/score.py`` pairs them (greedily, by
shared participants; the pairing is reimplemented below), and each pair gives the very text
the classifier sees at run time (title + the meeting's sentences) with the gold topic. Held
events pair with held ones, as the scorer does; planned and cancelled ones then pair among
themselves for more training text. Gold meetings the extractor missed may add the article's
title and lead (``--lead``). Only held pairs are scored.

The model is :class:`stream.extract.topics.TopicModel`: a multinomial logistic regression over
hashed word uni/bigrams (L2-regularised, full-batch Adam, fixed iterations: deterministic)
whose logits add the lexicon's cue scores times one learned weight and the categories' shares
of the whole article's cue scores times another. ``--cv K`` first prints
K-fold cross-validated topic accuracy per language (folds by a CRC-32 of the article id) for
the lexicon alone, the model alone and the model with the lexicon; ``--search`` compares the
settings the defaults were chosen from. The labelled articles are copyrighted: only weights
and hashed feature ids are written, never text.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import numpy.typing as npt

from stream.codec import wire_item_from_dict
from stream.extract.extractor import MeetingExtractor
from stream.extract.lexicon import load_lexicon
from stream.extract.places import load_gazetteer
from stream.extract.topics import (
    DEFAULT_CATEGORY,
    MODEL_META,
    MODEL_WEIGHTS,
    FeatureSpec,
    TopicClassifier,
    TopicModel,
    feature_hashes,
    load_topic_classifier,
)
from stream.records import Topic

ROOT = Path(__file__).resolve().parents[1]
MODEL_VERSION = "1.2.0"
LEAD_CHARS = 600
"""The article's lead used as the text of a gold meeting the extractor missed (``--lead``)."""
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that shapes the model; the defaults are what ``--search`` chose on CV."""

    features: FeatureSpec = field(default_factory=FeatureSpec)
    min_count: int = 2
    """A feature must occur in this many training texts to get a weight."""
    l2: float = 1e-3
    iterations: int = 300
    learning_rate: float = 0.05
    use_lexicon: bool = True
    article_lexicon: bool = True
    """Also the categories' shares of the whole article's cue scores (with ``use_lexicon``)."""
    lexicon_per_class: bool = False
    """One lexicon weight per category (else one for all)."""
    shared_bias: bool = False
    """One bias for every category but the default: a rare category is not held down for its rarity."""
    l2_bias: float = 0.0
    """L2 penalty on the biases (towards 0): a rare category is held down less for its rarity."""
    min_probability: float = 0.0
    other_status: bool = True
    """Also learn from pairs of planned/cancelled events."""
    lead: bool = False
    """Also learn from title + lead of gold meetings the extractor missed."""


@dataclass(frozen=True, slots=True)
class Example:
    article: str
    language: str
    text: str
    labels: tuple[str, ...]
    """The accepted gold topics (two when the annotators disagreed)."""
    kind: str
    """``held`` (a scored pair), ``other`` (planned/cancelled pair) or ``lead`` (missed gold)."""
    article_text: str = ""
    """The whole article (title and text) the classifier is given with ``text``."""


# -- examples from the extractor and the gold file -----------------------------------------


class _RecordingTopics(TopicClassifier):
    """The lexicon classifier, remembering every text the extractor asks about."""

    def __init__(self, inner: TopicClassifier) -> None:  # no super().__init__: all but classify is inner's
        self.inner = inner
        self.texts: list[tuple[str, str]] = []
        """(text, article) of every call."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def classify(self, text: str, language: str, *, article: str | None = None) -> Topic:
        self.texts.append((text, article or ""))
        return self.inner.classify(text, language, article=article)


def _fold_name(name: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return tuple(re.sub(r"[^\w\s]", " ", text).split())


def _names_match(a: str, b: str) -> bool:
    ta, tb = set(_fold_name(a)), set(_fold_name(b))
    if not ta or not tb:
        return False
    small, big = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return small <= big and any(len(t) >= 3 for t in small)


def _shared_participants(pred: Sequence[str], gold: Sequence[Sequence[str]]) -> int:
    used: set[int] = set()
    for name in pred:
        for gi, accepted in enumerate(gold):
            if gi not in used and any(_names_match(name, g) for g in accepted):
                used.add(gi)
                break
    return len(used)


def pair(preds: Sequence[Sequence[str]], golds: Sequence[Sequence[Sequence[str]]]) -> list[tuple[int, int]]:
    """Greedy pairs (pred index, gold index) by shared participants, as ``score.py`` pairs."""
    scored = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            if tp := _shared_participants(p, g):
                scored.append((tp, i, j))
    scored.sort(key=lambda x: (-x[0], x[1], x[2]))
    taken_p: set[int] = set()
    taken_g: set[int] = set()
    out = []
    for _, i, j in scored:
        if i not in taken_p and j not in taken_g:
            taken_p.add(i)
            taken_g.add(j)
            out.append((i, j))
    return out


def _labels(topic: Any) -> tuple[str, ...]:
    if not topic:
        return ()
    return tuple(t.strip().lower() for t in (topic if isinstance(topic, list) else [topic]))


def build_examples(gold_items: Iterable[dict[str, Any]], extractor: MeetingExtractor) -> list[Example]:
    """Every paired event as (run-time text, gold topic), plus title + lead of missed gold meetings."""
    recorder = _RecordingTopics(extractor.topics)
    extractor.topics = recorder
    try:
        return _examples(gold_items, extractor, recorder)
    finally:
        extractor.topics = recorder.inner


def _examples(
    gold_items: Iterable[dict[str, Any]], extractor: MeetingExtractor, recorder: _RecordingTopics
) -> list[Example]:
    out: list[Example] = []
    for raw in gold_items:
        item = wire_item_from_dict(raw)
        recorder.texts.clear()
        events = extractor.extract(item)
        texts = list(recorder.texts)
        if len(texts) != len(events):
            raise RuntimeError(f"{item.id}: {len(events)} events but {len(texts)} topic calls")
        lang = (events[0].language if events else None) or item.language or "en"
        golds = [g for g in raw.get("events", []) if _labels(g.get("topic"))]
        paired_gold: set[int] = set()
        for held in (True, False):
            p_idx = [i for i, e in enumerate(events) if (e.status == "held") == held]
            g_idx = [j for j, g in enumerate(golds) if (g.get("status", "held") == "held") == held]
            pairs = pair(
                [[p.name for p in events[i].participants] for i in p_idx],
                [golds[j]["participants"] for j in g_idx],
            )
            for pi, gj in pairs:
                g = golds[g_idx[gj]]
                paired_gold.add(g_idx[gj])
                kind = "held" if held else "other"
                text, article = texts[p_idx[pi]]
                out.append(Example(item.id, lang, text, _labels(g["topic"]), kind, article))
        lead = f"{item.title or ''}\n{item.text[:LEAD_CHARS]}"
        article = f"{item.title or ''}\n{item.text}"
        for j, g in enumerate(golds):
            if j not in paired_gold:
                out.append(Example(item.id, item.language or lang, lead, _labels(g["topic"]), "lead", article))
    return out


# -- the model -----------------------------------------------------------------------------


def fold_of(article: str, k: int) -> int:
    """The article's cross-validation fold: fixed by its id, whatever else is in the file."""
    return zlib.crc32(article.encode("utf-8")) % k


def _per_class(
    score: Callable[[str, str], Mapping[str, float]], texts: Sequence[tuple[str, str]], classes: Sequence[str]
) -> Matrix:
    """One row per (text, language): ``score``'s value for each of ``classes`` (0 when absent)."""
    rows = [[scores.get(c, 0.0) for c in classes] for scores in (score(text, lang) for text, lang in texts)]
    return np.array(rows, dtype=np.float64).reshape(len(texts), len(classes))


def predict(model: TopicModel, classifier: TopicClassifier, ex: Example) -> str:
    """The model's category for ``ex``, given as the extractor gives it (text, cues, article shares)."""
    cues = classifier.cue_scores(ex.text, ex.language)
    shares = classifier.cue_shares(ex.article_text, ex.language) if ex.article_text else None
    return model.predict(ex.text, ex.language, cues, shares)


def fit(
    examples: Sequence[Example], classifier: TopicClassifier, classes: Sequence[str], settings: Settings
) -> TopicModel:
    """Train on ``examples`` (deterministic: fixed order, full batch, fixed iterations)."""
    spec = settings.features
    hashed = [feature_hashes(ex.text, ex.language, spec) for ex in examples]
    counts = Counter(h for hs in hashed for h in hs)
    vocab = sorted(h for h, n in counts.items() if n >= settings.min_count)
    rows = {h: i for i, h in enumerate(vocab)}
    x = np.zeros((len(examples), len(vocab)), dtype=np.float64)
    for r, hs in enumerate(hashed):
        cols = [rows[h] for h in hs if h in rows]
        x[r, cols] = 1.0 / np.sqrt(len(hs)) if spec.normalise else 1.0
    seen = sorted({label for ex in examples for label in ex.labels}, key=list(classes).index)
    y = np.zeros((len(examples), len(seen)), dtype=np.float64)
    for r, ex in enumerate(examples):
        for label in ex.labels:
            y[r, seen.index(label)] = 1.0 / len(ex.labels)
    cues = (
        _per_class(classifier.cue_scores, [(ex.text, ex.language) for ex in examples], seen)
        if settings.use_lexicon
        else np.zeros_like(y)
    )
    with_article = settings.use_lexicon and settings.article_lexicon
    shares = (
        _per_class(classifier.cue_shares, [(ex.article_text, ex.language) for ex in examples], seen)
        if with_article
        else np.zeros_like(y)
    )
    others = np.array([label != DEFAULT_CATEGORY for label in seen])
    w, b, beta, gamma = _adam(x, y, cues, shares, others, settings)
    weights = np.zeros((len(vocab), len(classes)), dtype=np.float32)
    # a category the data never showed: no word weights, the bias of the rarest one seen and
    # the mean lexicon weight, so only strong lexicon cues can make it win
    bias = np.full(len(classes), b[others].min() if others.any() else 0.0, dtype=np.float32)
    lexicon_weights = np.full(len(classes), beta.mean() if len(beta) else 0.0, dtype=np.float32)
    article_weights = np.full(len(classes), gamma.mean() if len(gamma) else 0.0, dtype=np.float32)
    for k, label in enumerate(seen):
        weights[:, classes.index(label)] = w[:, k]
        bias[classes.index(label)] = b[k]
        lexicon_weights[classes.index(label)] = beta[k]
        article_weights[classes.index(label)] = gamma[k]
    return TopicModel(
        version=MODEL_VERSION,
        classes=tuple(classes),
        features=spec,
        rows=rows,
        weights=weights,
        bias=bias,
        lexicon_weights=lexicon_weights,
        article_weights=article_weights,
        min_probability=settings.min_probability,
    )


def _adam(
    x: Matrix, y: Matrix, cues: Matrix, shares: Matrix, others: npt.NDArray[np.bool_], settings: Settings
) -> tuple[Matrix, Matrix, Matrix, Matrix]:
    """Minimise mean cross-entropy + l2/2 * |w|^2 over (w, b, beta, gamma): beta weighs the text's
    cue scores, gamma the article's cue shares, each per class or shared."""
    n, d = x.shape
    c = y.shape[1]
    params = [np.zeros((d, c)), np.zeros(c), np.zeros(c), np.zeros(c)]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    for step in range(1, settings.iterations + 1):
        w, b, beta, gamma = params
        logits = x @ w + b + beta * cues + gamma * shares
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        err = (p - y) / n
        beta_grad = (err * cues).sum(axis=0)
        gamma_grad = (err * shares).sum(axis=0)
        if not settings.lexicon_per_class:
            beta_grad[:] = beta_grad.sum()
            gamma_grad[:] = gamma_grad.sum()
        bias_grad = err.sum(axis=0) + settings.l2_bias * b
        if settings.shared_bias and c > 1:
            bias_grad[others] = bias_grad[others].sum()
        grads = [x.T @ err + settings.l2 * w, bias_grad, beta_grad, gamma_grad]
        if not settings.use_lexicon:
            grads[2][:] = 0.0
        if not (settings.use_lexicon and settings.article_lexicon):
            grads[3][:] = 0.0
        for i, g in enumerate(grads):
            first[i] = b1 * first[i] + (1 - b1) * g
            second[i] = b2 * second[i] + (1 - b2) * g * g
            m_hat = first[i] / (1 - b1**step)
            v_hat = second[i] / (1 - b2**step)
            params[i] = params[i] - settings.learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    return params[0], params[1], params[2], params[3]


def accuracy(hits: Sequence[bool]) -> str:
    return f"{sum(hits) / len(hits):.3f} ({sum(hits)}/{len(hits)})" if hits else "n/a"


@dataclass(slots=True)
class CrossValidation:
    hits: dict[str, dict[str, list[bool]]]
    """Per method and language, one hit/miss per held pair of the held-out articles."""
    misses: Counter[tuple[str, str, str]]
    """(language, gold, predicted) of the model+lexicon misses."""


def cross_validate(
    examples: Sequence[Example], classifier: TopicClassifier, classes: Sequence[str], settings: Settings, k: int
) -> CrossValidation:
    """Lexicon alone, model alone and model+lexicon on the held pairs of each held-out fold."""
    out = CrossValidation(defaultdict(lambda: defaultdict(list)), Counter())
    variants = {"model": replace(settings, use_lexicon=False), "model+lexicon": replace(settings, use_lexicon=True)}
    for fold in range(k):
        train = [ex for ex in examples if fold_of(ex.article, k) != fold and _kept(ex, settings)]
        test = [ex for ex in examples if fold_of(ex.article, k) == fold and ex.kind == "held"]
        for ex in test:
            out.hits["lexicon"][ex.language].append(classifier.lexicon_category(ex.text, ex.language) in ex.labels)
        for name, variant in variants.items():
            model = fit(train, classifier, classes, variant)
            for ex in test:
                got = predict(model, classifier, ex)
                out.hits[name][ex.language].append(got in ex.labels)
                if name == "model+lexicon" and got not in ex.labels:
                    out.misses[(ex.language, "/".join(ex.labels), got)] += 1
    return out


def _kept(ex: Example, settings: Settings) -> bool:
    return ex.kind == "held" or (ex.kind == "other" and settings.other_status) or (ex.kind == "lead" and settings.lead)


def write_model(model: TopicModel, out: Path, *, gold: Path, examples: Sequence[Example], settings: Settings) -> None:
    """``model.npz`` (hashed feature ids, weights, biases) and ``meta.json``: no text of the articles."""
    out.mkdir(parents=True, exist_ok=True)
    hashes = np.array(sorted(model.rows, key=model.rows.__getitem__), dtype=np.uint32)
    with (out / MODEL_WEIGHTS).open("wb") as handle:
        np.savez_compressed(
            handle,
            hashes=hashes,
            weights=model.weights.astype(np.float16),
            bias=model.bias,
            lexicon_weights=model.lexicon_weights,
            article_weights=model.article_weights,
        )
    used = [ex for ex in examples if _kept(ex, settings)]
    meta = {
        "name": "meetwire_topics",
        "version": model.version,
        "description": (
            "Meeting topic (IPTC top-level category) from the title and the meeting's sentences: "
            "multinomial logistic regression over CRC-32-hashed word n-grams plus lexicon cue scores "
            "and the categories' shares of the whole article's cue scores; "
            "trained by scripts/train_topics.py"
        ),
        "classes": list(model.classes),
        "features": model.features.to_dict(),
        "min_probability": model.min_probability,
        "training": {
            "data": (
                f"{gold.name}: meetwire's labelled news articles (Indonesian and English), the events "
                "meetwire's extractor found there paired with the gold events"
            ),
            "articles": len({ex.article for ex in used}),
            "examples": dict(sorted(Counter(f"{ex.language}:{ex.kind}" for ex in used).items())),
            "settings": {
                "min_count": settings.min_count,
                "l2": settings.l2,
                "iterations": settings.iterations,
                "learning_rate": settings.learning_rate,
                "other_status": settings.other_status,
                "lead": settings.lead,
                "article_lexicon": settings.article_lexicon,
            },
        },
        "license": (
            "The labelled articles are copyrighted news kept for evaluation and training only; they are "
            "not in this repository. This file and model.npz hold only weights and hashed feature ids "
            "(CRC-32 of word n-grams), no text. Weights: same licence as meetwire."
        ),
    }
    (out / MODEL_META).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# -- command line --------------------------------------------------------------------------

SEARCH = {
    "default": Settings(),
    "words only": Settings(features=FeatureSpec(max_n=1)),
    "by language": Settings(features=FeatureSpec(by_language=True)),
    "not normalised": Settings(features=FeatureSpec(normalise=False)),
    "min_count 1": Settings(min_count=1),
    "l2 1e-2": Settings(l2=1e-2),
    "l2 1e-4": Settings(l2=1e-4),
    "held pairs only": Settings(other_status=False),
    "with leads": Settings(lead=True),
    "politics below p 0.4": Settings(min_probability=0.4),
    "lexicon per class": Settings(lexicon_per_class=True),
    "keep stop words": Settings(features=FeatureSpec(drop_stop_words=False)),
    "shared bias": Settings(shared_bias=True),
    "bias l2 1e-2": Settings(l2_bias=1e-2),
    "no article cues": Settings(article_lexicon=False),
}


def main(argv: Sequence[str] | None = None, *, extractor: MeetingExtractor | None = None) -> int:
    """The command; ``extractor`` saves loading one when the caller has it (tests)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "eval" / "train.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "stream" / "models" / "topics")
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="K-fold cross-validation first (0: none)")
    parser.add_argument("--search", action="store_true", help="CV of the settings the defaults were chosen from")
    parser.add_argument("--no-write", action="store_true", help="do not train on all and write the model")
    parser.add_argument("--lead", action="store_true", help="also learn from the lead of missed gold meetings")
    args = parser.parse_args(argv)
    started = time.monotonic()
    settings = replace(Settings(), lead=args.lead or Settings().lead)
    with args.gold.open(encoding="utf-8") as handle:
        gold_items = [json.loads(line) for line in handle if line.strip()]
    lexicon_only = load_topic_classifier(use_model=False)
    if extractor is None:
        extractor = MeetingExtractor(lexicon=load_lexicon(), gazetteer=load_gazetteer(), topics=lexicon_only)
    examples = build_examples(gold_items, extractor)
    classes = list(lexicon_only.scores("", "en"))
    kinds = Counter(f"{ex.language}:{ex.kind}" for ex in examples)
    print(f"{len(gold_items)} articles, examples {dict(sorted(kinds.items()))} ({time.monotonic() - started:.1f} s)")
    if args.search:
        k = args.cv or 5
        for name, candidate in SEARCH.items():
            hits = cross_validate(examples, lexicon_only, classes, candidate, k).hits
            cells = "  ".join(f"{lang} {accuracy(hits['model+lexicon'][lang])}" for lang in sorted(kinds_langs(hits)))
            print(f"  {name:<22} model+lexicon {cells}")
    if args.cv:
        result = cross_validate(examples, lexicon_only, classes, settings, args.cv)
        hits = result.hits
        print(f"{args.cv}-fold CV topic accuracy on held pairs (folds by article):")
        for method in ("lexicon", "model", "model+lexicon"):
            cells = "  ".join(f"{lang} {accuracy(hits[method][lang])}" for lang in sorted(kinds_langs(hits)))
            print(f"  {method:<14} {cells}")
        print("  misses of model+lexicon (language gold -> predicted):")
        for (lang, gold, got), n in sorted(result.misses.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"    {n:3d}  {lang} {gold} -> {got}")
    if not args.no_write:
        model = fit([ex for ex in examples if _kept(ex, settings)], lexicon_only, classes, settings)
        write_model(model, args.out, gold=args.gold, examples=examples, settings=settings)
        size = sum(p.stat().st_size for p in args.out.iterdir())
        print(
            f"wrote {args.out} ({size / 1024:.0f} KiB, {len(model.rows)} features, "
            f"mean lexicon weight {model.lexicon_weights.mean():.3f}, "
            f"article weight {model.article_weights.mean():.3f}, default {DEFAULT_CATEGORY})"
        )
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


def kinds_langs(hits: dict[str, dict[str, list[bool]]]) -> set[str]:
    return {lang for per_lang in hits.values() for lang in per_lang}


if __name__ == "__main__":
    sys.exit(main())
