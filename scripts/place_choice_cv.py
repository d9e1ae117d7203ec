"""Rules against a learned scorer for the meeting's place, on a labelled gold file.

Runs the extractor, keeps the inputs of every ``pick_location`` call whose event the scorer
pairs with a gold event that has a location, and reports per language the share of those
events whose place matches the gold:

- ``rules``: :func:`stream.extract.meeting_place.pick_location` (tiers, then the hand weights);
- ``weights only``: the hand weights over all candidates, no tiers;
- ``logit cv``: a conditional logit over the same features (softmax over an event's
  candidates, L2, Newton steps from zero: deterministic), 5-fold cross-validated by article.

Usage: python scripts/place_choice_cv.py ../shared/eval/train.jsonl [--scorer ../shared/eval/score.py]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import stream.extract.extractor as extractor_module
from stream.extract import load_extractor
from stream.extract import meeting_place as mp
from stream.records import WireItem

FOLDS = 5
L2 = 1.0
NEWTON_STEPS = 50


def _load_scorer(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("gold_scorer", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _examples(gold_path: Path, scorer: Any) -> list[dict[str, Any]]:
    """One row per paired event with a gold location: article id, language, inputs, gold."""
    calls: list[tuple[Any, ...]] = []
    original = extractor_module.pick_location

    def recording(*args: Any) -> Any:
        calls.append(args)
        return original(*args)

    extractor_module.pick_location = recording  # type: ignore[assignment]
    extractor = load_extractor()
    rows: list[dict[str, Any]] = []
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        fields = ("id", "text", "source", "url", "language", "title", "published_at")
        item = WireItem(**{k: raw.get(k) for k in fields})
        calls.clear()
        events = [e.to_dict() for e in extractor.extract(item)]
        held = [(i, e) for i, e in enumerate(events) if (e.get("status") or "held") == "held"]
        golds = [e for e in raw.get("events", []) if e.get("status", "held") == "held"]
        for pred, gold in scorer.pair([e for _, e in held], golds):
            if not gold.get("location"):
                continue
            index = next(i for i, e in held if e is pred)
            rows.append({"id": raw["id"], "lang": raw["language"], "args": calls[index], "gold": gold["location"]})
    extractor_module.pick_location = original
    return rows


def _matches(scorer: Any, place: Any, gold: list[str]) -> bool:
    return place is not None and any(c and scorer.any_match(c, gold) for c in (place.name, place.mention))


def _fit(groups: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Conditional logit: maximise the probability of the gold candidates of each event."""
    width = len(mp.FEATURES)
    w = np.zeros(width)
    for _ in range(NEWTON_STEPS):
        grad = L2 * w
        hess = L2 * np.eye(width)
        for x, y in groups:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            grad += x.T @ (p - y / y.sum())
            hess += x.T @ (np.diag(p) - np.outer(p, p)) @ x
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", type=Path)
    parser.add_argument("--scorer", type=Path, default=Path("../shared/eval/score.py"))
    args = parser.parse_args(argv)
    scorer = _load_scorer(args.scorer)
    rows = _examples(args.gold, scorer)
    for row in rows:
        found = mp.place_candidates(*row["args"])
        row["x"] = np.array([c.features for c in found]).reshape(len(found), len(mp.FEATURES))
        row["y"] = np.array([_matches(scorer, c.place, row["gold"]) for c in found], dtype=float)
        row["places"] = [c.place for c in found]

    def rate(ok: Callable[[dict[str, Any]], bool], subset: list[dict[str, Any]]) -> str:
        by_lang: dict[str, list[int]] = {}
        for row in subset:
            tally = by_lang.setdefault(row["lang"], [0, 0])
            tally[0] += ok(row)
            tally[1] += 1
        return "  ".join(f"{lang} {a / n:.3f} (n={n})" for lang, (a, n) in sorted(by_lang.items()))

    def pick_by(w: np.ndarray) -> Callable[[dict[str, Any]], bool]:
        return lambda row: bool(len(row["y"]) and row["y"][int(np.argmax(row["x"] @ w))] > 0)

    hand = np.array([mp.load_place_cues().weights[f] for f in mp.FEATURES])
    reachable = sum(bool(row["y"].sum()) for row in rows)
    print(f"events with a gold location: {len(rows)}, with the gold among the candidates: {reachable}")
    print("rules          ", rate(lambda row: _matches(scorer, mp.pick_location(*row["args"]), row["gold"]), rows))
    print("weights only   ", rate(pick_by(hand), rows))
    articles = sorted({row["id"] for row in rows})
    fold = {a: n % FOLDS for n, a in enumerate(articles)}
    for k in range(FOLDS):
        train = [(r["x"], r["y"]) for r in rows if fold[r["id"]] != k and r["y"].sum() > 0 and len(r["y"]) > 1]
        ok = pick_by(_fit(train))
        for row in rows:
            if fold[row["id"]] == k:
                row["cv_ok"] = ok(row)
    print("logit cv       ", rate(lambda row: bool(row["cv_ok"]), rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
