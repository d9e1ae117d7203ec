"""When a report is one more account of a canonical meeting: the blocking key and the match rules.

A report and a meeting match when their participants match (after name folding, see
``names``), their dates are within one day where both are known, and their places are
compatible (the same city, or one of them unknown), with the exceptions ``MatchRules`` lists
(timeless reports and their day clues, dateline places, same-day reports of exactly the same
parties, one report per item).
``match`` says why not when they do not, so the agent can count merge decisions by reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from stream.canonical.clues import clues_fit, has_clue
from stream.canonical.names import NameRules, Tokens, name_key, names_match, plain_tokens

Mismatch = Literal["participants", "date", "place"]
MISMATCHES: tuple[Mismatch, ...] = ("participants", "date", "place")
DAY_LENGTH = len("2024-01-31")
"""Characters of a day-precision ISO date."""


@dataclass(frozen=True, slots=True)
class MatchRules:
    """The merge's tunable choices (measured on the training articles, see the README)."""

    max_day_gap: int = 1
    """Reports whose day-precision dates differ by more days are different meetings."""
    subset_participants: bool = True
    """A report naming only some of a meeting's parties (two or more) still matches it."""
    extra_parties: int = 1
    """Parties of the shorter list that the longer one may lack (extraction noise)."""
    timeless_matches_dated: bool = False
    """Whether a report with neither a meeting date nor a publication day may join a meeting
    whose reports have one (offline files without publication dates; the worker always has the
    record timestamp)."""
    timeless_matches_timeless: bool = False
    """Whether two reports with no date and no publication day may be one meeting."""
    undated_window_days: int = 7
    """A report without a meeting date matches a meeting this many days from its publication day."""
    timeless_same_parties: bool = False
    """Whether two reports with no date and no publication day are one meeting when they name
    exactly the same parties (no party more or less): the only evidence left is the parties, so
    none of the extraction-noise tolerance of ``extra_parties``."""
    timeless_held_joins_sole_meeting: bool = True
    """Whether a held report with neither a date nor a publication day joins a meeting none of
    whose reports it can compare dates with, when that meeting is the only one it could join and
    holds a dated held report of exactly the same parties: with no date to tell a pair's meetings
    apart, a report of one that happened is likeliest the one meeting of those people on record."""
    one_report_per_item: bool = True
    """Whether a meeting takes at most one report from each item (article): the extractor already
    folds an article's mentions of one meeting into one event, so two events of one article
    naming the same parties are two meetings (an earlier one recalled, a follow-up announced)."""
    day_clues: bool = True
    """Whether a report with neither a date nor a publication day joins a report with a
    day-precision date when its evidence names that date's weekday or its day and month
    (``clues``, see ``stream.canonical.clues``); a report whose evidence names only other days
    never does."""
    timeless_pairs_defer: bool = True
    """Whether a pair of reports with nothing to compare (one or both with neither a date nor a
    publication day, no day clue to check) leaves the question to the meeting's other reports:
    a report joins when some report of the meeting agrees with its date and none conflicts, even
    if the meeting also holds a timeless report (``date_relation``)."""
    dateline_place_is_weak: bool = True
    """Whether a place read from the evidence's dateline ("JAKARTA, ...", "Jakarta, IDN Times -")
    is compatible with any other place: a dateline names where the story was filed, often the
    outlet's home desk while the meeting was abroad."""
    same_day_overrides_place: bool = True
    """Whether a report naming exactly the same parties as one of a meeting's reports on the same
    day (both dates day-precise) joins it although their places differ: a place read from a
    dateline or a name is likelier than the same people meeting twice that day in two cities."""

    @property
    def date_window_days(self) -> int:
        """Farthest apart two reports' whole days (``reference_day``) can be and still "agree"."""
        return max(self.max_day_gap, self.undated_window_days)


def folded_names(rules: NameRules, participants: Sequence[dict[str, Any]]) -> list[Tokens]:
    """Each participant's folded name; empty folds (a name made only of titles) are left out."""
    folded = (rules.fold(str(p.get("name") or "")) for p in participants)
    return [tokens for tokens in folded if tokens]


def blocking_key(names: Sequence[Tokens]) -> str:
    """The key that sends every report of a meeting to the same partition: the smallest name key.

    Reports of one meeting share it when they name its alphabetically first party by the same
    last token; see the README (Canonical meetings) for what that misses.
    """
    keys = sorted(name_key(tokens) for tokens in names if tokens)
    return keys[0] if keys else ""


NameMatch = Callable[[Tokens, Tokens], bool]


def shared_participants(a: Sequence[Tokens], b: Sequence[Tokens], same: NameMatch = names_match) -> int:
    """How many parties two participant lists share, matched one to one (exact names first)."""
    unused = list(b)
    shared = 0
    for tokens in sorted(a, key=lambda t: t not in unused):
        partner = next((other for other in unused if other == tokens), None) or next(
            (other for other in unused if same(tokens, other)), None
        )
        if partner is not None:
            unused.remove(partner)
            shared += 1
    return shared


def participants_match(
    a: Sequence[Tokens], b: Sequence[Tokens], *, rules: MatchRules, same: NameMatch = names_match
) -> bool:
    """Whether two participant lists can name the same meeting's parties.

    Every party of the shorter list must be in the longer one, except that with
    ``extra_parties`` a list may name that many parties the other does not (an extractor
    that took an adviser or a headline word for a party); at least two are always shared.
    """
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    shared = shared_participants(small, large, same)
    if shared < 2:
        return False
    if not rules.subset_participants and len(small) != len(large):
        return False
    return len(small) - shared <= rules.extra_parties


def distinct_parties(names: Sequence[Tokens], same: NameMatch = names_match) -> list[Tokens]:
    """``names`` without a name that matches an earlier, longer one ("Jokowi" after "Joko Widodo")."""
    kept: list[Tokens] = []
    for tokens in sorted(names, key=len, reverse=True):
        if not any(same(tokens, other) for other in kept):
            kept.append(tokens)
    return kept


def same_parties(a: Sequence[Tokens], b: Sequence[Tokens], same: NameMatch = names_match) -> bool:
    """Whether two lists name the same two or more parties, one to one, none more or less."""
    small, large = distinct_parties(a, same), distinct_parties(b, same)
    return len(small) == len(large) >= 2 and shared_participants(small, large, same) == len(small)


def same_day(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Two day-precision dates of the same day."""
    return day_gap(a, b) == 0


def is_timeless(report: dict[str, Any]) -> bool:
    """A report with neither a meeting date nor a publication day."""
    return _value(report.get("date")) is None and _clue(report.get("reported_on")) is None


DateRelation = Literal["agree", "conflict", "unknown"]


def date_relation(a: dict[str, Any], b: dict[str, Any], *, rules: MatchRules) -> DateRelation:
    """What two reports' dates say about one meeting: "agree", "conflict", or "unknown" (nothing
    to compare: one or both have neither a meeting date nor a publication day).

    Both meeting dates known: at most ``max_day_gap`` days apart (a partial date: one a prefix
    of the other). One unknown: the undated report's ``reported_on`` (publication day) within
    ``undated_window_days`` of the other's date or publication day. One with neither: its day
    clues against the other's day-precision meeting date (``day_clues``), when it has clues and
    the other has such a date.
    """
    da, db = _value(a.get("date")), _value(b.get("date"))
    if da is not None and db is not None:
        return "agree" if _close(da, db, rules.max_day_gap) else "conflict"
    ra = da or _clue(a.get("reported_on"))
    rb = db or _clue(b.get("reported_on"))
    if ra is None and rb is None:
        return "unknown"
    if ra is None or rb is None:
        timeless, dated = (a, db) if ra is None else (b, da)
        clues = timeless.get("clues")
        if rules.day_clues and has_clue(clues) and dated is not None and len(dated) == DAY_LENGTH:
            return "agree" if clues_fit(clues, dated, rules.max_day_gap) else "conflict"
        return "unknown"
    return "agree" if _close(ra, rb, rules.undated_window_days) else "conflict"


def dates_compatible(a: dict[str, Any], b: dict[str, Any], *, rules: MatchRules) -> bool:
    """Whether two reports' dates allow one meeting (``date_relation``); when there is nothing to
    compare, as ``timeless_matches_timeless`` / ``timeless_matches_dated`` say."""
    relation = date_relation(a, b, rules=rules)
    if relation != "unknown":
        return relation == "agree"
    if is_timeless(a) and is_timeless(b):
        return rules.timeless_matches_timeless
    return rules.timeless_matches_dated


def reference_day(report: dict[str, Any]) -> date | None:
    """The day ``date_relation`` compares a report by, when it is a whole day: its meeting date,
    else its publication day. Two reports whose reference days are more than
    ``MatchRules.date_window_days`` apart conflict, so a report never joins a meeting whose dated
    reports are all that far from it (the merge looks only at meetings near its day)."""
    ref = _value(report.get("date")) or _clue(report.get("reported_on"))
    if ref is None or len(ref) != DAY_LENGTH:
        return None
    try:
        return date.fromisoformat(ref)
    except ValueError:
        return None


def _value(d: Any) -> str | None:
    return str(d["value"]) if isinstance(d, dict) and d.get("value") else None


def _clue(reported_on: Any) -> str | None:
    return reported_on if isinstance(reported_on, str) and reported_on else None


def _close(a: str, b: str, days: int) -> bool:
    if len(a) == len(b) == DAY_LENGTH:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= days
    return a.startswith(b) or b.startswith(a)


_DATELINE_AFTER = re.compile(r"\s*(?:\([^)]{0,40}\))?\s*[,:\u2013\u2014-]")
"""What follows a dateline's place: an optional "(date)" and a comma, colon or dash."""


def is_dateline(event: dict[str, Any]) -> bool:
    """Whether the event's place is its evidence's dateline: the evidence starts with the place
    mention, followed by a comma, colon or dash ("BEIJING, May 3 -", "Jakarta, IDN Times -")."""
    location, evidence = event.get("location"), event.get("evidence")
    if not isinstance(location, dict) or not isinstance(evidence, dict):
        return False
    try:
        start, end = int(location["span"][0]), int(location["span"][1])
        text, at = str(evidence["text"]), int(evidence["span"][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return False
    return start == at and _DATELINE_AFTER.match(text, end - at) is not None


def place_key(location: dict[str, Any] | None) -> str | None:
    """The city (or country) name, case- and accent-folded; None when unknown."""
    if location is None or not location.get("name"):
        return None
    return " ".join(plain_tokens(str(location["name"])))


def report_places_compatible(a: dict[str, Any], b: dict[str, Any], *, rules: MatchRules) -> bool:
    """Two reports' places: compatible (``places_compatible``), or one read from a dateline
    (``dateline_place_is_weak``)."""
    if rules.dateline_place_is_weak and (a.get("dateline") or b.get("dateline")):
        return True
    return places_compatible(a.get("location"), b.get("location"))


def places_compatible(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """The same place, or one of them unknown."""
    ka, kb = place_key(a), place_key(b)
    return ka is None or kb is None or ka == kb


def day_gap(a: dict[str, Any] | None, b: dict[str, Any] | None) -> int:
    """Days between two day-precision dates; a large number when either is not a day."""
    if a is None or b is None or len(str(a["value"])) != 10 or len(str(b["value"])) != 10:
        return 99
    return abs((date.fromisoformat(str(a["value"])) - date.fromisoformat(str(b["value"]))).days)
