"""Score meeting events against gold annotations: the figures ``meetwire eval`` reports.

Computes what the shared quality scorer (``../shared/eval/score.py``) computes, so an
installed meetwire can evaluate itself without that file; ``tests/test_scoring.py`` checks
that both give the same figures on the shared gold sets.

A gold item is ``{"id", "language", "events": [{"participants": [[accepted names], ...],
"location": [accepted names] | null, "date": "YYYY-MM-DD" | null, "topic": key | [keys] |
null, "status": "held" | "planned" | "cancelled"}]}``. Predicted events are meeting events
(schema ``meeting_event`` v1). Only held events count, on both sides.

Matching and pairing:

- two names match when, folded (diacritics stripped, lower case, punctuation as spaces),
  the tokens of one are a subset of the other's and that smaller set has a token of three
  or more characters ("Lavrov" matches "Sergey Lavrov");
- a predicted participant takes the first still-unmatched gold participant it matches;
- within one item, predicted and gold events are paired greedily, most shared participants
  first (ties: earlier predicted, then earlier gold event); a pair shares at least one.

Figures (``Score``): item detection, event and participant P/R/F1; location, date and topic
accuracy over pairs whose gold states them; full-event P/R/F1, where a pair counts only if
its participant F1 is at least 0.5 and its location and date are not wrong.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JsonObject = dict[str, Any]

FULL_EVENT_MIN_PARTICIPANT_F1 = 0.5
"""A paired event counts as fully right only with at least this participant F1."""

FIGURE_DECIMALS = 4
"""Every ratio is rounded to this many decimals (before the full-event threshold is applied)."""

UNKNOWN_LANGUAGE = "?"
"""The language group of gold items without a ``language``."""

_PUNCTUATION = re.compile(r"[^\w\s]")


def load_jsonl(path: Path) -> list[JsonObject]:
    """The JSON objects of a JSONL file, blank lines skipped."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def fold(name: str) -> tuple[str, ...]:
    """A name's tokens without diacritics, case or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return tuple(token for token in _PUNCTUATION.sub(" ", bare).split() if token)


def names_match(a: str, b: str) -> bool:
    """One name's folded tokens are a subset of the other's, sharing a token of three or more characters."""
    tokens_a, tokens_b = set(fold(a)), set(fold(b))
    if not tokens_a or not tokens_b:
        return False
    smaller, larger = (tokens_a, tokens_b) if len(tokens_a) <= len(tokens_b) else (tokens_b, tokens_a)
    return smaller <= larger and any(len(token) >= 3 for token in smaller)


def matches_any(name: str, accepted: Iterable[str]) -> bool:
    """``name`` matches one of the accepted names."""
    return any(names_match(name, candidate) for candidate in accepted)


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1 from counts, rounded to ``FIGURE_DECIMALS``."""

    p: float
    """Precision."""
    r: float
    """Recall."""
    f1: float
    """Harmonic mean of precision and recall."""
    tp: int
    """True positives."""
    fp: int
    """False positives."""
    fn: int
    """False negatives."""

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> PRF:
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(
            p=round(precision, FIGURE_DECIMALS),
            r=round(recall, FIGURE_DECIMALS),
            f1=round(f1, FIGURE_DECIMALS),
            tp=tp,
            fp=fp,
            fn=fn,
        )

    def as_dict(self) -> JsonObject:
        return {"p": self.p, "r": self.r, "f1": self.f1, "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass(frozen=True, slots=True)
class Score:
    """The figures for one set of gold items."""

    items: int
    """Gold items scored."""
    item_detection: PRF
    """Does the item report at least one held meeting."""
    event: PRF
    """Events; a pair is a true positive."""
    participants: PRF
    """Participants of paired events, micro-averaged."""
    location_acc: float | None
    """Share of pairs with a gold location whose predicted location matches (None: no such pair)."""
    date_acc: float | None
    """Share of pairs with a gold date whose predicted date is that day."""
    topic_acc: float | None
    """Share of pairs with a gold topic whose predicted category is an accepted one."""
    full_event: PRF
    """Events whose participants, location and date are all right enough."""
    explanation: tuple[str, ...] = field(default=(), compare=False)
    """With ``explain``: one ``# ...`` line (or three) per miss, spurious event and imperfect pair."""

    def as_dict(self) -> JsonObject:
        """The scorer's JSON object for this set."""
        return {
            "items": self.items,
            "item_detection": self.item_detection.as_dict(),
            "event": self.event.as_dict(),
            "participants": self.participants.as_dict(),
            "location_acc": self.location_acc,
            "date_acc": self.date_acc,
            "topic_acc": self.topic_acc,
            "full_event": self.full_event.as_dict(),
        }

    def summary_line(self, name: str) -> str:
        """The scorer's one-line summary of this set, labelled ``[name]``."""
        return (
            f"[{name}] items={self.items} detect_f1={self.item_detection.f1} event_f1={self.event.f1} "
            f"participants_f1={self.participants.f1} location={self.location_acc} date={self.date_acc} "
            f"topic={self.topic_acc} full_event_f1={self.full_event.f1}"
        )


def participant_counts(predicted: Mapping[str, Any], gold: Mapping[str, Any]) -> tuple[int, int, int]:
    """``(tp, fp, fn)`` of a predicted event's participants against a gold event's."""
    names = [participant.get("name") or "" for participant in predicted.get("participants") or []]
    accepted_lists: list[list[str]] = gold["participants"]
    taken: set[int] = set()
    for name in names:
        for index, accepted in enumerate(accepted_lists):
            if index not in taken and matches_any(name, accepted):
                taken.add(index)
                break
    return len(taken), len(names) - len(taken), len(accepted_lists) - len(taken)


def location_right(predicted: Mapping[str, Any], gold: Mapping[str, Any]) -> bool | None:
    """Does the predicted location's name or mention match the gold's (None: gold states none)."""
    if not gold.get("location"):
        return None
    location = predicted.get("location") or {}
    candidates = (location.get("name") or "", location.get("mention") or "")
    return any(candidate and matches_any(candidate, gold["location"]) for candidate in candidates)


def date_right(predicted: Mapping[str, Any], gold: Mapping[str, Any]) -> bool | None:
    """Is the predicted date the gold's day (None: gold states none)."""
    if not gold.get("date"):
        return None
    value: str = (predicted.get("date") or {}).get("value") or ""
    day: str = gold["date"]
    return value[:10] == day


def topic_right(predicted: Mapping[str, Any], gold: Mapping[str, Any]) -> bool | None:
    """Is the predicted category one the gold accepts (None: gold states none)."""
    if not gold.get("topic"):
        return None
    category = ((predicted.get("topic") or {}).get("category") or "").strip().lower()
    accepted = gold["topic"] if isinstance(gold["topic"], list) else [gold["topic"]]
    return category in {key.strip().lower() for key in accepted}


def pair_events(predicted: Sequence[JsonObject], gold: Sequence[JsonObject]) -> list[tuple[JsonObject, JsonObject]]:
    """Greedy pairs of one item's events, most shared participants first; each pair shares one or more."""
    candidates = []
    for i, event in enumerate(predicted):
        for j, gold_event in enumerate(gold):
            shared, _, _ = participant_counts(event, gold_event)
            if shared:
                candidates.append((shared, i, j))
    candidates.sort(key=lambda candidate: (-candidate[0], candidate[1], candidate[2]))
    used_predicted: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_predicted and j not in used_gold:
            used_predicted.add(i)
            used_gold.add(j)
            pairs.append((predicted[i], gold[j]))
    return pairs


def _brief(event: Mapping[str, Any]) -> JsonObject:
    """The fields of a predicted event that are scored, for explanations."""
    return {
        "participants": [participant.get("name") for participant in event.get("participants") or []],
        "location": (event.get("location") or {}).get("name"),
        "date": (event.get("date") or {}).get("value"),
        "topic": (event.get("topic") or {}).get("category"),
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _accuracy(right: int, total: int) -> float | None:
    return round(right / total, FIGURE_DECIMALS) if total else None


def score(gold_items: Sequence[JsonObject], predicted: Iterable[JsonObject], *, explain: bool = False) -> Score:
    """Score held ``predicted`` events against ``gold_items``; events of other items are ignored."""
    held_by_item: dict[str, list[JsonObject]] = defaultdict(list)
    for event in predicted:
        if (event.get("status") or "held") == "held":
            held_by_item[str(event.get("item_id"))].append(event)
    counts: Counter[str] = Counter()
    checked: dict[str, list[int]] = {"location": [0, 0], "date": [0, 0], "topic": [0, 0]}
    lines: list[str] = []
    for item in gold_items:
        gold = [event for event in item.get("events", []) if event.get("status", "held") == "held"]
        guesses = held_by_item.get(str(item["id"]), [])
        counts["detect_tp"] += bool(gold) and bool(guesses)
        counts["detect_fp"] += bool(guesses) and not gold
        counts["detect_fn"] += bool(gold) and not guesses
        pairs = pair_events(guesses, gold)
        counts["event_tp"] += len(pairs)
        counts["event_fp"] += len(guesses) - len(pairs)
        counts["event_fn"] += len(gold) - len(pairs)
        fully_right = 0
        for guess, truth in pairs:
            tp, fp, fn = participant_counts(guess, truth)
            counts["participant_tp"] += tp
            counts["participant_fp"] += fp
            counts["participant_fn"] += fn
            participant_f1 = PRF.of(tp, fp, fn).f1
            checks = {
                "location": location_right(guess, truth),
                "date": date_right(guess, truth),
                "topic": topic_right(guess, truth),
            }
            for name, right in checks.items():
                if right is not None:
                    checked[name][0] += int(right)
                    checked[name][1] += 1
            if (
                participant_f1 >= FULL_EVENT_MIN_PARTICIPANT_F1
                and checks["location"] is not False
                and checks["date"] is not False
            ):
                fully_right += 1
            if explain and (participant_f1 < 1 or any(right is False for right in checks.values())):
                lines.append(
                    f"# {item['id']}: participants f1={participant_f1} {checks}\n"
                    f"#   pred={_json(_brief(guess))}\n#   gold={_json(truth)}"
                )
        if explain:
            # By identity, as events with equal contents are still distinct events.
            for guess in guesses:
                if not any(guess is paired for paired, _ in pairs):
                    lines.append(f"# {item['id']}: spurious {_json(_brief(guess))}")
            for truth in gold:
                if not any(truth is paired for _, paired in pairs):
                    lines.append(f"# {item['id']}: missed {_json(truth)}")
        counts["full_tp"] += fully_right
        counts["full_fp"] += len(guesses) - fully_right
        counts["full_fn"] += len(gold) - fully_right
    return Score(
        items=len(gold_items),
        item_detection=PRF.of(counts["detect_tp"], counts["detect_fp"], counts["detect_fn"]),
        event=PRF.of(counts["event_tp"], counts["event_fp"], counts["event_fn"]),
        participants=PRF.of(counts["participant_tp"], counts["participant_fp"], counts["participant_fn"]),
        location_acc=_accuracy(*checked["location"]),
        date_acc=_accuracy(*checked["date"]),
        topic_acc=_accuracy(*checked["topic"]),
        full_event=PRF.of(counts["full_tp"], counts["full_fp"], counts["full_fn"]),
        explanation=tuple(lines),
    )


def score_sets(
    gold_items: Sequence[JsonObject], predicted: Sequence[JsonObject], *, by_language: bool, explain: bool = False
) -> dict[str, Score]:
    """``{"all": ...}``, then (``by_language``) one score per gold language in sorted order.

    Only the ``all`` score carries an explanation.
    """
    scores = {"all": score(gold_items, predicted, explain=explain)}
    if by_language:
        languages = sorted({item.get("language") or UNKNOWN_LANGUAGE for item in gold_items})
        for language in languages:
            subset = [item for item in gold_items if (item.get("language") or UNKNOWN_LANGUAGE) == language]
            scores[language] = score(subset, predicted)
    return scores


def report_json(scores: Mapping[str, Score]) -> str:
    """The scorer's ``--json`` output (without the final newline)."""
    return json.dumps({name: figures.as_dict() for name, figures in scores.items()}, indent=1)


def report_text(scores: Mapping[str, Score]) -> str:
    """The scorer's text output: explanation lines, then one summary line per set; ends with a newline."""
    lines = [line for figures in scores.values() for line in figures.explanation]
    lines.extend(figures.summary_line(name) for name, figures in scores.items())
    return "".join(f"{line}\n" for line in lines)
