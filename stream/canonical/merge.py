"""Merge meeting events into canonical meetings: pure code over two key-value maps.

``Merger.add(event, seen_at)`` files one meeting event (a ``meetings.events`` value, as a
dict) under the canonical meeting it reports, or starts a new one, and returns the record to
publish on ``meetings.canonical`` (``None`` when nothing changed: a duplicate ``event_id``).
State lives in two ``MutableMapping[str, bytes]``: ``blocks`` (a participant's name key ->
the ids of the meetings with that party, each with the span of its reports' days) and
``meetings`` (meeting id -> the meeting's reports). Events are routed by one key, the blocking
key (``block_of``); inside a partition a report is compared with every meeting that shares any
party's key, so a report that names one party more or less, or a given name instead of the
surname, still finds its meeting there. A party's key gathers every meeting of that party
within the retention, so the index also keeps each meeting's first and last reference day
(``reference_day``): a meeting all of whose dated reports lie farther from the report's day
than any two reports may "agree" is rejected by date without being read or compared. The
offline command passes dicts; the agent passes Faust tables, so both run this same code.

Choices (the contract is in DESIGN.md, "Canonical meetings"):

- ``meeting_id`` is a hash of the first report's canonical key (blocking key, folded
  participants, date, event id); it never changes, whatever arrives later, and a replay of the
  same events in the same order gives the same ids.
- A report joins the best-matching meeting it shares a party's key with (most shared
  parties, then the closest date, the same place, the most reports, the smaller id);
  meetings never merge with each other afterwards, so ids stay put.
- An item (article) gives a meeting at most one report: two events of one article naming the
  same parties are two meetings by the extractor's own reading (a visit recalled, a follow-up).
- Reports with no date and no publication day (offline files) join a dated meeting only when
  their evidence names the weekday or the day and month of its date (day clues), and not
  each other unless switched on (``timeless_same_parties``); a pair with nothing to compare
  leaves the date to the meeting's other reports. Reports naming exactly the same parties on
  the same day match although their places differ, and a place read from the evidence's
  dateline is compatible with any place.
- Status by evidence: held if any report says held, else cancelled if any says cancelled,
  else planned.
- Location, date and topic: the value most reports agree on (ties: the larger summed
  confidence), taken from the most confident of those reports; ``support`` counts the
  agreeing reports.
- ``confidence``: 1 - prod(1 - c) over independent sources (each outlet counted once, with
  its most confident report).
- A meeting keeps its first ``max_reports`` reports whole; later ones only count, by status
  (``Overflow``), with the ids of the latest few to recognise a replay. Without the bound one
  much-reported meeting grows its table value and record past what the broker accepts (1 MB)
  and makes every merge into it slower (each report is compared with all the others).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

import orjson

from stream.canonical.clues import DayWords, day_clues
from stream.canonical.matching import (
    MatchRules,
    Mismatch,
    blocking_key,
    date_relation,
    dates_compatible,
    day_gap,
    is_dateline,
    is_timeless,
    participants_match,
    place_key,
    reference_day,
    report_places_compatible,
    same_day,
    same_parties,
    shared_participants,
)
from stream.canonical.names import NameRules, Tokens, name_key, names_match

CANONICAL_SCHEMA_VERSION = 1
FOLD_CACHE_SIZE = 1 << 16
"""Folded names a ``Merger`` remembers (a few MB)."""
DECODED_CACHE_SIZE = 1 << 14
"""Decoded meetings a ``Merger`` keeps beside their stored bytes; past this it starts afresh."""
STATUS_RANK = {"held": 2, "cancelled": 1, "planned": 0}
"""Which status a meeting takes from its reports: the highest ranked one present."""
REPORT_FIELDS = ("event_id", "item_id", "source", "language", "url", "status")
"""What a record's ``reports`` list shows of each report."""
MAX_REPORTS = 100
"""Reports a meeting keeps whole (``MEETWIRE_CANONICAL_MAX_REPORTS``); later ones are only counted."""
MAX_MEETINGS_PER_KEY = 5000
"""Meetings a name key lists (``MEETWIRE_CANONICAL_MAX_MEETINGS_PER_KEY``): at ~50 bytes each, the
key's table value stays far below the broker's 1 MB message limit, whose breach would fail the
changelog write of the very event that made it, at every restart."""
_KEPT_FIELDS = (*REPORT_FIELDS, "confidence", "participants", "location", "date", "topic", "reported_on")
"""What the table keeps of each report (no evidence text, no extractor); besides, ``clues`` (the
days an undated report's evidence names, ``stream.canonical.clues``) and ``dateline`` (its place
is the evidence's dateline), read from the evidence when the report arrives."""

Decision = Literal["created", "updated", "duplicate"]
DaySpan = tuple[date, date] | None
"""The first and last whole reference days of a meeting's reports; None when none has one."""


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    """What one event did."""

    decision: Decision
    record: dict[str, Any] | None
    """The canonical record to publish; None for a duplicate."""
    current: dict[str, Any] | None = None
    """For a duplicate, the meeting's record as it stands (what was published for it last): the
    agent sends it again, so a crash between the table write and the publish loses nothing."""
    rejected: Counter[Mismatch] = field(default_factory=Counter)
    """Meetings of the block the event did not join, by the first rule that kept them apart."""
    block: str = ""


@dataclass(slots=True)
class Meeting:
    """A canonical meeting as the table keeps it: its id, keys and reports in arrival order."""

    meeting_id: str
    block: str
    """The blocking key of its first report: the partition it lives in."""
    keys: list[str]
    """Name keys of every party its reports named (the entries of ``blocks`` that list it)."""
    reports: list[dict[str, Any]]
    last_seen: str
    """RFC 3339 time of the latest report (retention counts from it)."""
    updated_at: str
    """RFC 3339 time of the report that last changed the record (the record's ``updated_at``)."""
    overflow: dict[str, Any] = field(default_factory=dict)
    """Reports past ``max_reports``: ``{"statuses": {status: count}, "recent": [event ids]}``."""

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "meeting_id": self.meeting_id,
                "block": self.block,
                "keys": self.keys,
                "reports": self.reports,
                "last_seen": self.last_seen,
                "updated_at": self.updated_at,
                "overflow": self.overflow,
            }
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> Meeting:
        data = orjson.loads(raw)
        return cls(
            data["meeting_id"],
            data["block"],
            data["keys"],
            data["reports"],
            data["last_seen"],
            data["updated_at"],
            data.get("overflow") or {},  # absent in values written before the bound
        )

    @property
    def omitted(self) -> Counter[str]:
        """Reports past the bound, by status."""
        return Counter(self.overflow.get("statuses") or {})

    def knows(self, event_id: Any) -> bool:
        """Whether ``event_id`` was merged already: a kept report, or one of the latest counted ones."""
        return any(r["event_id"] == event_id for r in self.reports) or event_id in (self.overflow.get("recent") or [])

    def count_beyond_bound(self, report: dict[str, Any], recent_limit: int) -> None:
        statuses = self.omitted
        statuses[str(report["status"])] += 1
        recent = [*(self.overflow.get("recent") or []), report["event_id"]][-recent_limit:]
        self.overflow = {"statuses": dict(statuses), "recent": recent}


class Merger:
    """The merge over ``blocks`` and ``meetings``; see the module docstring."""

    def __init__(
        self,
        names: NameRules,
        *,
        blocks: MutableMapping[str, bytes],
        meetings: MutableMapping[str, bytes],
        rules: MatchRules | None = None,
        max_reports: int = MAX_REPORTS,
        max_meetings_per_key: int = MAX_MEETINGS_PER_KEY,
        days: DayWords | None = None,
    ) -> None:
        if max_reports < 1:
            raise ValueError(f"max_reports must be at least 1, not {max_reports}")
        if max_meetings_per_key < 1:
            raise ValueError(f"max_meetings_per_key must be at least 1, not {max_meetings_per_key}")
        self.names = names
        self.rules = rules or MatchRules()
        self.max_reports = max_reports
        self.max_meetings_per_key = max_meetings_per_key
        self.days = days
        """Month and weekday names for an undated report's day clues; None: no clues are read."""
        # Every comparison folds the names of a meeting's reports again: remember them.
        self._fold = lru_cache(maxsize=FOLD_CACHE_SIZE)(names.fold)
        self._same = lru_cache(maxsize=FOLD_CACHE_SIZE)(names_match)
        self.blocks = blocks
        self.meetings = meetings
        # A report is compared with every stored meeting that shares a party's name key, and a
        # party who meets many people has many: decoding them all again was most of the merge's
        # time. Each is kept with the bytes it was decoded from and used only while the table
        # still holds exactly those bytes (another worker, a restore, an expiry change them).
        self._decoded: dict[str, tuple[bytes, Meeting]] = {}

    def block_of(self, event: dict[str, Any]) -> str:
        """The blocking key of an event (what the agent re-keys events by)."""
        return blocking_key(self._folded(event.get("participants") or []))

    def add(self, event: dict[str, Any], seen_at: datetime) -> MergeOutcome:
        """File ``event`` under its meeting; the record to publish, or None for a duplicate."""
        report = {name: event.get(name) for name in _KEPT_FIELDS}
        if self.days is not None and report["date"] is None:
            evidence = event.get("evidence")
            text = evidence.get("text") if isinstance(evidence, dict) else None
            if isinstance(text, str):
                report["clues"] = day_clues(text, self.days)
        if is_dateline(event):
            report["dateline"] = True
        names = self._folded(report["participants"] or [])
        block = blocking_key(names)
        keys = sorted({name_key(tokens) for tokens in names})
        listed = {mid: span for key in keys for mid, span in self._block_entries(key).items()}
        # A replay of a report is near its own day, so it still finds the meeting that has it.
        day = reference_day(report)
        near = [mid for mid, span in listed.items() if _near(span, day, self.rules.date_window_days)]
        members = [m for mid in near if (m := self._stored(mid)) is not None]
        for meeting in members:
            if meeting.knows(report["event_id"]):
                return MergeOutcome("duplicate", None, current=self.record(meeting), block=block)
        rejected: Counter[Mismatch] = Counter()
        if len(near) < len(listed):
            rejected["date"] = len(listed) - len(near)
        candidates: list[tuple[tuple[Any, ...], Meeting]] = []
        for meeting in members:
            mismatch = self._mismatch(report, names, meeting)
            if mismatch is not None:
                rejected[mismatch] += 1
                continue
            candidates.append((self._preference(report, names, meeting), meeting))
        if not candidates and self._may_join_sole(report):
            sole = [m for m in members if self._sole_fit(report, names, m)]
            if len(sole) == 1:
                candidates.append(((), sole[0]))
        stamp = seen_at.isoformat()
        if candidates:
            meeting = min(candidates, key=lambda c: c[0])[1]
            self._decoded.pop(meeting.meeting_id, None)  # changed below: until it is stored again
            if len(meeting.reports) < self.max_reports:
                meeting.reports.append(report)
            else:
                meeting.count_beyond_bound(report, recent_limit=self.max_reports)
            meeting.last_seen = max(meeting.last_seen, stamp)
            meeting.updated_at = stamp
            decision: Decision = "updated"
        else:
            meeting = Meeting(self._new_id(block, names, report), block, [], [report], stamp, stamp)
            decision = "created"
        self._index(meeting, keys, listed)
        raw = meeting.to_bytes()
        self.meetings[meeting.meeting_id] = raw
        self._remember(meeting.meeting_id, raw, meeting)
        return MergeOutcome(decision, self.record(meeting), rejected=rejected, block=block)

    def _stored(self, meeting_id: str) -> Meeting | None:
        """The stored meeting ``meeting_id``, decoded once per version of its bytes; None if absent."""
        raw = self.meetings.get(meeting_id)
        if raw is None:
            return None
        kept = self._decoded.get(meeting_id)
        if kept is not None and kept[0] == raw:
            return kept[1]
        meeting = Meeting.from_bytes(raw)
        self._remember(meeting_id, raw, meeting)
        return meeting

    def _remember(self, meeting_id: str, raw: bytes, meeting: Meeting) -> None:
        if len(self._decoded) >= DECODED_CACHE_SIZE:
            self._decoded.clear()
        self._decoded[meeting_id] = (raw, meeting)

    def expire(self, now: datetime, retention: timedelta, *, owns: Callable[[str], bool] = lambda _: True) -> list[str]:
        """Drop meetings whose latest report is older than ``retention`` at ``now``; their ids.

        ``owns(block)`` limits the sweep to blocks this caller may write (the agent: the
        partition of the event it is processing). Nothing is published for a dropped meeting:
        its last record stays on the compacted topic (see the README).
        """
        cutoff = (now - retention).isoformat()
        dropped: list[str] = []
        for mid, raw in list(self.meetings.items()):
            meeting = Meeting.from_bytes(raw)
            if meeting.last_seen >= cutoff or not owns(meeting.block):
                continue
            del self.meetings[mid]
            self._decoded.pop(mid, None)
            for key in meeting.keys:
                remaining = self._block_entries(key)
                remaining.pop(mid, None)
                if remaining:
                    self.blocks[key] = _encoded_entries(remaining)
                else:
                    self.blocks.pop(key, None)
            dropped.append(mid)
        return dropped

    def record(self, meeting: Meeting) -> dict[str, Any]:
        """The canonical meeting v1 record of ``meeting`` (``meetings.canonical`` value)."""
        reports = meeting.reports
        omitted = meeting.omitted
        best = max(reports, key=lambda r: (STATUS_RANK[r["status"]], r["confidence"]))
        status = max([*(r["status"] for r in reports), *omitted], key=STATUS_RANK.__getitem__)
        location, location_n = _vote(reports, "location", place_key)
        when, date_n = _vote(reports, "date", lambda d: None if d is None else str(d["value"]))
        topic, topic_n = _vote(reports, "topic", lambda t: None if t is None else str(t["category"]))
        participants, participant_n = self._participants(best, reports)
        return {
            "schema_version": CANONICAL_SCHEMA_VERSION,
            "meeting_id": meeting.meeting_id,
            "status": status,
            "participants": participants,
            "location": location,
            "date": when,
            "topic": topic,
            "reports": [{name: r.get(name) for name in REPORT_FIELDS} for r in reports],
            "reports_omitted": omitted.total(),
            "confidence": _combined_confidence(reports),
            "support": {
                "reports": len(reports) + omitted.total(),
                "status": sum(1 for r in reports if r["status"] == status) + omitted[status],
                "participants": participant_n,
                "location": location_n,
                "date": date_n,
                "topic": topic_n,
            },
            "updated_at": meeting.updated_at,
        }

    def _folded(self, participants: Sequence[dict[str, Any]]) -> list[Tokens]:
        """Each participant's folded name; empty folds (a name made only of titles) are left out."""
        folded = (self._fold(str(p.get("name") or "")) for p in participants)
        return [tokens for tokens in folded if tokens]

    def _block_entries(self, key: str) -> dict[str, DaySpan]:
        """The meetings listed under a name key, in the order they were listed, with their day spans."""
        raw = self.blocks.get(key)
        return _decoded_entries(raw) if raw else {}

    def _index(self, meeting: Meeting, keys: Sequence[str], listed: dict[str, DaySpan]) -> None:
        """List ``meeting`` under its report's new ``keys``, and with its day span as it is now
        under all its keys where that span changed (``listed``: what the report's keys said)."""
        span = _day_span(meeting.reports)
        moved = meeting.meeting_id not in listed or listed[meeting.meeting_id] != span
        new_keys = [key for key in keys if key not in meeting.keys]
        meeting.keys.extend(new_keys)
        for key in meeting.keys if moved else new_keys:
            entries = self._block_entries(key)
            entries[meeting.meeting_id] = span
            excess = len(entries) - self.max_meetings_per_key
            for oldest in [mid for mid in entries if mid != meeting.meeting_id][: max(0, excess)]:
                del entries[oldest]  # no longer found through this key, still through its other parties'
            self.blocks[key] = _encoded_entries(entries)

    def _mismatch(
        self, report: dict[str, Any], names: Sequence[Tokens], meeting: Meeting, *, dates: bool = True
    ) -> Mismatch | None:
        """The first rule that keeps ``report`` out of ``meeting``; None when it may join.

        A meeting that already has a report of the same item is counted under "participants":
        the item's own extraction says these parties met another time.
        """
        item = report.get("item_id")
        if (
            self.rules.one_report_per_item
            and item is not None
            and any(r.get("item_id") == item for r in meeting.reports)
        ):
            return "participants"
        if not any(
            participants_match(names, self._names(r), rules=self.rules, same=self._same) for r in meeting.reports
        ):
            return "participants"
        if dates and not self._dates_fit(report, names, meeting):
            return "date"
        if not all(report_places_compatible(report, r, rules=self.rules) for r in meeting.reports) and not (
            self.rules.same_day_overrides_place
            and any(
                same_day(report["date"], r["date"]) and same_parties(names, self._names(r), self._same)
                for r in meeting.reports
            )
        ):
            return "place"
        return None

    def _may_join_sole(self, report: dict[str, Any]) -> bool:
        return self.rules.timeless_held_joins_sole_meeting and report["status"] == "held" and is_timeless(report)

    def _sole_fit(self, report: dict[str, Any], names: Sequence[Tokens], meeting: Meeting) -> bool:
        """Whether ``meeting`` holds a dated held report of exactly ``report``'s parties and would take
        ``report`` but for dates (``MatchRules.timeless_held_joins_sole_meeting``)."""
        same_held = any(
            r["status"] == "held" and not is_timeless(r) and same_parties(names, self._names(r), self._same)
            for r in meeting.reports
        )
        if not same_held or self._mismatch(report, names, meeting, dates=False) is not None:
            return False
        return "conflict" not in {date_relation(report, r, rules=self.rules) for r in meeting.reports}

    def _dates_fit(self, report: dict[str, Any], names: Sequence[Tokens], meeting: Meeting) -> bool:
        """Whether ``report``'s date agrees with every report of ``meeting``; with
        ``timeless_pairs_defer``, a report that some of them agree with and none conflicts with
        need not agree with those it has nothing to compare with (timeless ones)."""
        if all(self._dates_agree(report, names, r) for r in meeting.reports):
            return True
        if not self.rules.timeless_pairs_defer:
            return False
        relations = {date_relation(report, r, rules=self.rules) for r in meeting.reports}
        return "agree" in relations and "conflict" not in relations

    def _dates_agree(self, report: dict[str, Any], names: Sequence[Tokens], other: dict[str, Any]) -> bool:
        if dates_compatible(report, other, rules=self.rules):
            return True
        return (
            self.rules.timeless_same_parties
            and is_timeless(report)
            and is_timeless(other)
            and same_parties(names, self._names(other), self._same)
        )

    def _preference(self, report: dict[str, Any], names: Sequence[Tokens], meeting: Meeting) -> tuple[Any, ...]:
        shared = max(shared_participants(names, self._names(r), self._same) for r in meeting.reports)
        gap = min(day_gap(report["date"], r["date"]) for r in meeting.reports)
        same_place = any(
            place_key(report["location"]) is not None and place_key(report["location"]) == place_key(r["location"])
            for r in meeting.reports
        )
        return (-shared, gap, not same_place, -len(meeting.reports), meeting.meeting_id)

    def _names(self, report: dict[str, Any]) -> list[Tokens]:
        return self._folded(report["participants"] or [])

    def _new_id(self, block: str, names: Sequence[Tokens], report: dict[str, Any]) -> str:
        """A hash of the first report's canonical key: blocking key, date, folded parties and its
        event id, so a meeting that left the table never hands its id (and its last record on the
        compacted topic) to a later one."""
        when = str(report["date"]["value"]) if report["date"] else ""
        parties = sorted(" ".join(tokens) for tokens in names)
        return _digest("\x1f".join([block, when, *parties, "\x1e", str(report["event_id"])]))

    def _participants(self, best: dict[str, Any], reports: Sequence[dict[str, Any]]) -> tuple[list[Any], list[int]]:
        """The best report's parties, then any others' unmatched ones; each with its fullest name."""
        chosen: list[tuple[Tokens, dict[str, Any]]] = []
        for report in [best, *(r for r in reports if r is not best)]:
            for person in report["participants"] or []:
                tokens = self._fold(str(person["name"]))
                if tokens and not any(self._same(tokens, other) for other, _ in chosen):
                    chosen.append((tokens, dict(person)))
        counts: list[int] = []
        for tokens, person in chosen:
            variants = [
                p for r in reports for p in r["participants"] or [] if self._same(tokens, self._fold(str(p["name"])))
            ]
            fullest = max(variants, key=lambda p: len(self._fold(str(p["name"]))))
            if len(self._fold(str(fullest["name"]))) > len(tokens):
                person["name"] = fullest["name"]
            counts.append(len({id(r) for r in reports for p in r["participants"] or [] if p in variants}))
        return [person for _, person in chosen], counts


def _vote(
    reports: Iterable[dict[str, Any]], name: str, key: Callable[[Any], str | None]
) -> tuple[dict[str, Any] | None, int]:
    """The value most reports agree on (ties: larger summed confidence), from its most confident report."""
    reports = list(reports)
    groups: dict[str, list[dict[str, Any]]] = {}
    for report in reports:
        k = key(report[name])
        if k is not None:
            groups.setdefault(k, []).append(report)
    if not groups:
        return None, 0
    winner = max(groups.values(), key=lambda g: (len(g), sum(float(r["confidence"]) for r in g), -_first(reports, g)))
    value: dict[str, Any] = max(winner, key=lambda r: float(r["confidence"]))[name]
    return value, len(winner)


def _first(reports: Sequence[dict[str, Any]], group: list[dict[str, Any]]) -> int:
    """Position of the group's earliest report: the older value wins a full tie."""
    return next(i for i, r in enumerate(reports) if r in group)


def _combined_confidence(reports: Iterable[dict[str, Any]]) -> float:
    """1 - prod(1 - c) over sources; reports without a source count by their item."""
    by_source: dict[str, float] = {}
    for r in reports:
        source = str(r.get("source") or f"item:{r.get('item_id')}").casefold()
        by_source[source] = max(by_source.get(source, 0.0), float(r["confidence"]))
    doubt = 1.0
    for c in by_source.values():
        doubt *= 1.0 - min(max(c, 0.0), 1.0)
    return round(1.0 - doubt, 4)


def _day_span(reports: Iterable[dict[str, Any]]) -> DaySpan:
    days = [day for r in reports if (day := reference_day(r)) is not None]
    return (min(days), max(days)) if days else None


def _near(span: DaySpan, day: date | None, window_days: int) -> bool:
    """Whether a meeting whose reports' days span ``span`` may take a report of ``day``."""
    if span is None or day is None:
        return True
    first, last = span
    return (first - day).days <= window_days and (day - last).days <= window_days


def _decoded_entries(raw: bytes) -> dict[str, DaySpan]:
    """A name key's index value: ``[[id, first day, last day] | [id], ...]``; a bare id string (as
    written before the spans) has no span and is always compared."""
    entries: dict[str, DaySpan] = {}
    for entry in orjson.loads(raw):
        if isinstance(entry, str):
            entries[entry] = None
        elif len(entry) == 3:
            entries[entry[0]] = (date.fromisoformat(entry[1]), date.fromisoformat(entry[2]))
        else:
            entries[entry[0]] = None
    return entries


def _encoded_entries(entries: dict[str, DaySpan]) -> bytes:
    return orjson.dumps(
        [[mid] if span is None else [mid, span[0].isoformat(), span[1].isoformat()] for mid, span in entries.items()]
    )


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
