"""Dates in news text, resolved against the article's publication date.

Wires date events relative to publication: Indonesian "Senin (18/9)", "kemarin",
English "on Monday", "Sept. 18". :func:`article_anchor` finds the publication date (or
the best clue in the text), :func:`find_dates` finds every date expression and resolves
it. Everything is compiled regular expressions and calendar arithmetic; no dateparser
on the hot path (it costs milliseconds per string). The words (month and weekday names,
"kemarin", "last week", ...) are data: ``stream/data/dates_vocabulary.json``, read once by
:func:`load_date_rules` and passed in as :class:`DateRules`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any, Literal

import orjson
from spacy.tokens import Doc

Precision = Literal["day", "month", "year"]
Unit = Literal["week", "month", "year"]
WeekdayShift = Literal["bare", "last", "next", "last_week", "next_week"]
NumericOrder = Literal["day-month", "month-day"]
VOCABULARY_FILE = "dates_vocabulary.json"
DAY_FIRST: tuple[NumericOrder, ...] = ("day-month",)
"""How d/m/yyyy is read in a language the vocabulary does not list, and for the anchor's clues."""

FUTURE_TOLERANCE_DAYS = 60
"""A day-month without year more than this far after publication is read as last year's."""
PAST_TOLERANCE_DAYS = 300
"""... and more than this far before publication as next year's ("(5/1)" in a December story)."""
MIN_YEAR, MAX_YEAR = 1900, 2100
SLIP_DAYS = 7
"""A date corrected for a slip (year typo, day and month swapped) lands this close to a day anchor ..."""
MONTH_SLIP_DAYS = 31
"""... or to the middle of a month-precision anchor."""
SWAP_FAR_DAYS = 31
"""A bare "(d/m)" this far from the anchor is a candidate for a swapped day and month."""


@dataclass(frozen=True, slots=True)
class DateAnchor:
    """The publication date, or the best clue to it: year always, month and day when known."""

    year: int
    month: int | None
    day: int | None
    from_text: bool = field(default=False, compare=False)
    """The day is a date the text mentions, not the publication's: the story may be a day or
    two later, so a bare weekday is the nearest such day, not the last one on or before it."""

    def as_date(self) -> date | None:
        """The anchor as a calendar date, when it has day precision."""
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)

    def iso(self) -> str:
        """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, as far as the anchor is known."""
        if self.month is None:
            return f"{self.year:04d}"
        return f"{self.year:04d}-{self.month:02d}" + ("" if self.day is None else f"-{self.day:02d}")


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression in the text, resolved to an ISO value."""

    value: str
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` according to ``precision``."""
    precision: Precision
    mention: str
    """The text as written; ``doc.text[span[0]:span[1]] == mention``."""
    span: tuple[int, int]
    relative: bool
    """True when the value depends on the anchor (weekday names, "kemarin", "(18/9)")."""
    ahead: str | None = None
    """For a bare weekday name ("on Friday", "Jumat"): the next such day, anchor day included.
    ``value`` reads it as the most recent one (news reports the past); a planned meeting
    ("will meet on Friday", "akan bertemu Jumat") is the ``ahead`` one."""


def _alternation(phrases: Iterable[str]) -> str:
    """A regex alternation of ``phrases``, longest first, any run of spaces between words."""
    escaped = (r"\s+".join(re.escape(w) for w in p.split()) for p in set(phrases))
    return "|".join(sorted(escaped, key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class DateRules:
    """The words of date expressions (all languages' together) and the patterns built from
    them. Build with :func:`load_date_rules`."""

    version: int
    """``version`` of ``dates_vocabulary.json``."""
    months: Mapping[str, int]
    """Month names and abbreviations, lower case -> 1..12."""
    weekdays: Mapping[str, int]
    """Weekday names, lower case -> 0 (Monday) .. 6."""
    relative_days: Mapping[str, int]
    """"kemarin", "today": days from the anchor."""
    period_units: Mapping[str, Unit]
    period_steps_after: Mapping[str, int]
    """"pekan lalu": the step after the unit."""
    period_steps_before: Mapping[str, int]
    """"last week": the step before the unit."""
    weekday_before: Mapping[str, WeekdayShift]
    weekday_after: Mapping[str, WeekdayShift]
    numeric_orders: Mapping[str, tuple[NumericOrder, ...]]
    """By language: how d/m/yyyy is read, in order of preference."""
    header_label: re.Pattern[str]
    """A paragraph's start up to a header date: "date ", "Published: "."""
    period_start: re.Pattern[str]
    """A sentence's text up to a date that starts a period: "... since he took office on "."""
    same_day: re.Pattern[str]
    """"on the same day", "pada hari yang sama": the day of the date stated before."""
    relative: re.Pattern[str]
    """A relative expression at a position: "kemarin", "pekan lalu", "last week"."""
    relative_first_words: frozenset[str]
    weekday: re.Pattern[str]
    """A capitalised weekday name at a position, with a word after it that shifts it ("Rabu lalu")."""
    weekday_pre: re.Pattern[str]
    """A word just before a weekday ("last", "on"), matched at the end of a short window."""
    weekday_pre_chars: int
    """The longest such word plus a space or two: the window ``weekday_pre`` is tried on."""


def date_rules(raw: Mapping[str, Any]) -> DateRules:
    """:class:`DateRules` from the parsed vocabulary (``dates_vocabulary.json``'s shape)."""
    langs: Mapping[str, Mapping[str, Any]] = raw["languages"]

    def merged(key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for lang in langs.values():
            out.update({k.lower(): v for k, v in lang.get(key, {}).items()})
        return out

    def words(key: str) -> str:
        return _alternation(w.lower() for lang in langs.values() for w in lang.get(key, ()))

    relative_days = merged("relative_days")
    units = merged("period_units")
    after, before = merged("period_steps_after"), merged("period_steps_before")
    shifts_before, shifts_after = merged("weekday_before"), merged("weekday_after")
    periods = []
    if after:
        periods.append(f"(?:{_alternation(units)})\\s+(?:{_alternation(after)})")
    if before:
        periods.append(f"(?:{_alternation(before)})\\s+(?:{_alternation(units)})")
    relative = re.compile(f"(?P<rel>{'|'.join([_alternation(relative_days), *periods])})\\b", re.IGNORECASE)
    post = f"(?:\\s+(?P<post>{_alternation(shifts_after)}))?" if shifts_after else ""
    return DateRules(
        version=int(raw["version"]),
        months=merged("months"),
        weekdays=merged("weekdays"),
        relative_days=relative_days,
        period_units=units,
        period_steps_after=after,
        period_steps_before=before,
        weekday_before=shifts_before,
        weekday_after={" ".join(k.split()): v for k, v in shifts_after.items()},
        numeric_orders={code: tuple(lang.get("numeric_orders", DAY_FIRST)) for code, lang in langs.items()},
        header_label=re.compile(f"[\\W_]*(?:{words('header_labels')})[\\s:]*", re.IGNORECASE),
        same_day=re.compile(f"\\b(?:{words('same_day')})\\b", re.IGNORECASE),
        period_start=re.compile(f"\\b(?:{words('period_starts')})\\b[^,;.!?\\n]{{0,60}}$", re.IGNORECASE),
        relative=relative,
        relative_first_words=frozenset(p.split()[0] for p in [*relative_days, *units, *before]),
        # Capitalised in both languages, which keeps "minggu" (week) apart from "Minggu" (Sunday).
        weekday=re.compile(r"(?P<weekday>[A-Z][a-z]+(?:['\u2019]at)?)\b" + post),
        weekday_pre=re.compile(f"\\b(?P<pre>{_alternation(shifts_before)})\\s+$", re.IGNORECASE)
        if shifts_before
        else re.compile(r"(?!)"),
        weekday_pre_chars=max((len(w) for w in shifts_before), default=0) + 2,
    )


def load_date_rules() -> DateRules:
    """Read ``stream/data/dates_vocabulary.json`` (called once, at start-up)."""
    raw: dict[str, Any] = orjson.loads(resources.files("stream.data").joinpath(VOCABULARY_FILE).read_bytes())
    return date_rules(raw)


# Month and weekday names are matched as plain words and checked against the tables in
# the resolver: a 60-way alternation tried at every character is ten times slower.
_MONTH = r"(?P<month>[A-Z][A-Za-z]{2,8})\.?"  # capitalised: "may 5" is not a date
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
# A weekday just before a date: "Senin (18/9)", "Senin malam (18/9)", "Selasa, 18 September 2023".
_WEEKDAY_BEFORE = re.compile(r"(?P<weekday>[A-Za-z]+(?:['\u2019][Aa]t)?)\s*,?\s*(?P<words>(?:[a-z]+\s+){0,2})$")
_WEEKDAY_LOOKBACK = 32

# Each pattern's match is the core of a date; a weekday before it extends the mention.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "(18/9)", "(10/5/2023)"
    (
        "weekday_numeric",
        re.compile(r"\(\s*(?P<nday>[0-3]?\d)\s*/\s*(?P<nmonth>[01]?\d)(?:\s*/\s*(?P<nyear>(?:19|20)?\d\d))?\s*\)"),
    ),
    # "18 September 2023", "18 Sept. 2023", "18th September", "5 Agt 2020"
    ("day_month_year", re.compile(r"\b" + _DAY + r"\s+" + _MONTH + r"(?:\s*,?\s*" + _YEAR + r")?\b")),
    # "September 18, 2023", "Sept. 18, 2023", "Sept 18", "March 4"
    ("month_day_year", re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r"\b(?:\s*,\s*" + _YEAR + r"\b)?")),
    # "18/9/2023", "18-09-2023", "12/31/2023" (English)
    ("numeric", re.compile(r"\b(?P<a>[0-3]?\d)[/.-](?P<b>[0-3]?\d)[/.-](?P<c>(?:19|20)\d\d)\b")),
    # "2023-09-18"
    ("iso", re.compile(r"\b(?P<c>(?:19|20)\d\d)-(?P<b>[01]\d)-(?P<a>[0-3]\d)\b")),
    # "September 2023", "Sept. 2023"
    ("month_year", re.compile(r"\b" + _MONTH + r"\s+" + _YEAR + r"\b")),
]

# Relative expressions and weekday names start with one of a few words: find those words
# with one cheap scan and try the full pattern only there.
_TRIGGER_WORD = re.compile(r"[A-Za-z]+")
# "Senin, 18/9", "Selasa 19/9": a bare day/month is a date only right after a weekday.
_WEEKDAY_SLASH = re.compile(
    r"(?P<weekday>[A-Z][a-z]+(?:['\u2019]at)?),?\s+(?P<nday>[0-3]?\d)/(?P<nmonth>[01]?\d)(?![/\d])"
)


def _candidates(
    text: str, rules: DateRules, ranges: Sequence[tuple[int, int]] | None = None
) -> list[tuple[int, str, re.Match[str]]]:
    """Every possible date expression: (pattern order, kind, match); only inside ``ranges``
    (``[start, end)`` character ranges) when given."""
    windows = ranges if ranges is not None else ((0, len(text)),)
    out: list[tuple[int, str, re.Match[str]]] = []
    for lo, hi in windows:
        out.extend(
            (order, kind, m)
            for order, (kind, pattern) in enumerate(_PATTERNS)
            for m in pattern.finditer(text, lo, hi)
            if m.end() > m.start()
        )
        order = len(_PATTERNS)
        for word in _TRIGGER_WORD.finditer(text, lo, hi):
            lower = word.group(0).lower()
            if lower in rules.relative_first_words:
                m = rules.relative.match(text, word.start(), hi)
                if m is not None:
                    out.append((order, "relative", m))
            if lower in rules.weekdays and word.group(0)[0].isupper():
                m = rules.weekday.match(text, word.start(), hi)
                if m is not None:
                    out.append((order + 1, "weekday", m))
                m = _WEEKDAY_SLASH.match(text, word.start(), hi)
                if m is not None:
                    out.append((0, "weekday_slash", m))
    return out


def _valid(year: int, month: int, day: int) -> date | None:
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _near_anchor(month: int, day: int, anchor: DateAnchor) -> date | None:
    """Day and month without year: the anchor's year, shifted when that lands far off."""
    candidate = _valid(anchor.year, month, day)
    if candidate is None:
        # 29 February in a non-leap year, or an invalid day.
        return None
    if anchor.month is None:
        return candidate
    ref = date(anchor.year, anchor.month, anchor.day or 15)
    delta = (candidate - ref).days
    if delta > FUTURE_TOLERANCE_DAYS:
        return _valid(anchor.year - 1, month, day)
    if delta < -PAST_TOLERANCE_DAYS:
        return _valid(anchor.year + 1, month, day)
    return candidate


def _full_year(raw: str) -> int:
    year = int(raw)
    return year + 2000 if year < 100 else year


def _day_mention(value: date, text: str, span: tuple[int, int], *, relative: bool) -> DateMention:
    return DateMention(value.isoformat(), "day", text[span[0] : span[1]], span, relative)


class _Resolver:
    """Turns one regex match into a :class:`DateMention` (or nothing)."""

    def __init__(self, text: str, language: str, anchor: DateAnchor | None, rules: DateRules) -> None:
        self.text = text
        self.orders = rules.numeric_orders.get(language, DAY_FIRST)
        self.rules = rules
        self.anchor = anchor
        self.anchor_day = anchor.as_date() if anchor is not None else None

    def span(self, kind: str, m: re.Match[str]) -> tuple[int, int]:
        """The expression's extent: the match, widened to a weekday or "on"/"last" before it."""
        if kind in {"weekday_numeric", "day_month_year", "month_day_year"}:
            return (self._weekday_start(m.start()), m.end())
        if kind == "weekday":
            pre = self.rules.weekday_pre.search(self.text, max(0, m.start() - self.rules.weekday_pre_chars), m.start())
            if pre is not None:
                return (pre.start(), m.end())
        return (m.start(), m.end())

    def resolve(self, kind: str, m: re.Match[str]) -> DateMention | None:
        span = self.span(kind, m)
        if kind in {"weekday_numeric", "weekday_slash"}:
            return self._weekday_numeric(m, span)
        if kind in {"day_month_year", "month_day_year"}:
            return self._named_month(m, span)
        if kind in {"numeric", "iso"}:
            return self._numeric(m, span)
        if kind == "month_year":
            month = self.rules.months.get(m["month"].lower())
            if month is None:
                return None
            return DateMention(f"{int(m['year']):04d}-{month:02d}", "month", m.group(0), span, relative=False)
        if kind == "relative":
            return self._relative(m, span)
        return self._weekday(m, span)

    def _weekday_start(self, start: int) -> int:
        """Where a weekday name just before ``start`` begins ("Senin (18/9)"), else ``start``."""
        before = self.text[max(0, start - _WEEKDAY_LOOKBACK) : start]
        m = _WEEKDAY_BEFORE.search(before)
        if m is None or m["weekday"].lower() not in self.rules.weekdays:
            return start
        if m["words"] and self.text[start : start + 1] != "(":
            return start  # words between weekday and date only in "Senin malam (18/9)"
        return start - len(before) + m.start()

    def _weekday_numeric(self, m: re.Match[str], span: tuple[int, int]) -> DateMention | None:
        day, month = int(m["nday"]), int(m["nmonth"])
        weekday = self._stated_weekday(span[0], m.start("nday"))
        if "nyear" in m.re.groupindex and m["nyear"]:
            value = self._checked(_valid(_full_year(m["nyear"]), month, day), weekday, day, month, numeric=True)
            return _day_mention(value, self.text, span, relative=False) if value else None
        if self.anchor is None:
            return None
        value = self._checked(_near_anchor(month, day, self.anchor), weekday, day, month, numeric=True, bare=True)
        return _day_mention(value, self.text, span, relative=True) if value else None

    def _named_month(self, m: re.Match[str], span: tuple[int, int]) -> DateMention | None:
        month = self.rules.months.get(m["month"].lower())
        if month is None:
            return None
        day = int(m["day"])
        weekday = self._stated_weekday(span[0], m.start())
        if m["year"]:
            value = self._checked(_valid(int(m["year"]), month, day), weekday, day, month)
            return _day_mention(value, self.text, span, relative=False) if value else None
        if self.anchor is None:
            return None
        value = self._checked(_near_anchor(month, day, self.anchor), weekday, day, month)
        return _day_mention(value, self.text, span, relative=True) if value else None

    def _stated_weekday(self, start: int, core: int) -> int | None:
        """The weekday written before a date ("Selasa, 15 Januari", "Kamis (9/5)"), if any."""
        if core <= start:
            return None
        word = _TRIGGER_WORD.match(self.text, start, core)
        return self.rules.weekdays.get(word.group(0).lower()) if word is not None else None

    def _checked(
        self,
        value: date | None,
        weekday: int | None,
        day: int,
        month: int,
        *,
        numeric: bool = False,
        bare: bool = False,
    ) -> date | None:
        """``value`` as written, unless the anchor shows a slip the date's own weekday confirms.

        A stated weekday that contradicts the stated year, when the same day of the anchor's
        year (or the one next to it) has that weekday: a year typo, common in January. In a
        ``numeric`` date, month and day swapped ("Friday (11/01/2024)" for 1 November) when
        that gives the stated weekday near the anchor; in a ``bare`` "(d/m)", which wires use
        for the news week only, also when the written order lands far from the anchor and the
        swap in its week, the weekday, if stated, agreeing.
        """
        anchor = self.anchor
        if value is None or anchor is None or anchor.month is None:
            return value
        ref = date(anchor.year, anchor.month, anchor.day or 15)
        slack = SLIP_DAYS if anchor.day is not None else MONTH_SLIP_DAYS
        fits = weekday is None or value.weekday() == weekday
        options: list[date] = []
        if not fits:
            options.extend(
                v
                for y in (anchor.year, anchor.year - 1, anchor.year + 1)
                if (v := _valid(y, month, day)) is not None and v.year != value.year
            )
        far = bare and abs((value - ref).days) > SWAP_FAR_DAYS
        if numeric and day <= 12 and (not fits or far):
            swapped = _near_anchor(day, month, anchor) if bare else _valid(value.year, day, month)
            if swapped is not None:
                options.append(swapped)
        options = [v for v in options if abs((v - ref).days) <= slack and (weekday is None or v.weekday() == weekday)]
        if not options:
            return value
        return min(options, key=lambda v: abs((v - ref).days))

    def _numeric(self, m: re.Match[str], span: tuple[int, int]) -> DateMention | None:
        a, b, year = int(m["a"]), int(m["b"]), int(m["c"])
        # The language's first order that makes a date ("12/31/2023": month first in English).
        value = next(
            (v for order in self.orders if (v := _valid(year, *((b, a) if order == "day-month" else (a, b))))), None
        )
        return _day_mention(value, self.text, span, relative=False) if value else None

    def _relative(self, m: re.Match[str], span: tuple[int, int]) -> DateMention | None:
        if self.anchor is None:
            return None
        rules = self.rules
        rel = " ".join(m["rel"].lower().split())
        if rel in rules.relative_days:
            if self.anchor_day is None:
                return None
            value = self.anchor_day + timedelta(days=rules.relative_days[rel])
            return _day_mention(value, self.text, span, relative=True)
        first, _, second = rel.partition(" ")
        # Indonesian puts the unit first ("pekan lalu"), English second ("last week").
        if first in rules.period_steps_before and second in rules.period_units:
            unit, step = rules.period_units[second], rules.period_steps_before[first]
        elif first in rules.period_units and second in rules.period_steps_after:
            unit, step = rules.period_units[first], rules.period_steps_after[second]
        else:
            return None
        if unit == "week":
            return self._week(step, span)
        if unit == "month":
            if self.anchor.month is None:
                return None
            index = self.anchor.year * 12 + self.anchor.month - 1 + step
            month_value = f"{index // 12:04d}-{index % 12 + 1:02d}"
            return DateMention(month_value, "month", m.group(0), span, relative=True)
        return DateMention(f"{self.anchor.year + step:04d}", "year", m.group(0), span, relative=True)

    def _week(self, step: int, span: tuple[int, int]) -> DateMention | None:
        """A week is honest only as its month (or year) when it does not straddle one."""
        if self.anchor_day is None:
            return None
        monday = self.anchor_day - timedelta(days=self.anchor_day.weekday()) + timedelta(weeks=step)
        sunday = monday + timedelta(days=6)
        mention = self.text[span[0] : span[1]]
        if (monday.year, monday.month) == (sunday.year, sunday.month):
            return DateMention(f"{monday.year:04d}-{monday.month:02d}", "month", mention, span, relative=True)
        if monday.year == sunday.year:
            return DateMention(f"{monday.year:04d}", "year", mention, span, relative=True)
        return None

    def _weekday(self, m: re.Match[str], span: tuple[int, int]) -> DateMention | None:
        rules = self.rules
        name = m["weekday"].lower()
        weekday = rules.weekdays.get(name)
        if self.anchor_day is None or weekday is None:
            return None
        pre = self.text[span[0] : m.start()].strip().lower()
        post = " ".join((m.groupdict().get("post") or "").lower().split())
        if name in rules.period_units and post in rules.period_steps_after:
            return None  # "Minggu lalu" is "last week", read as a relative expression
        shift = rules.weekday_after.get(post) or rules.weekday_before.get(pre) or "bare"
        back = (self.anchor_day.weekday() - weekday) % 7
        this_monday = self.anchor_day - timedelta(days=self.anchor_day.weekday())
        if shift == "last_week":
            value = this_monday - timedelta(weeks=1) + timedelta(days=weekday)
        elif shift == "next_week":
            value = this_monday + timedelta(weeks=1) + timedelta(days=weekday)
        elif shift == "next":
            ahead = (weekday - self.anchor_day.weekday()) % 7 or 7
            value = self.anchor_day + timedelta(days=ahead)
        elif shift == "last":
            value = self.anchor_day - timedelta(days=back or 7)
        else:
            # News reports the past: the most recent such day, the anchor day included; a
            # planned meeting takes the next one (``ahead``), which the caller knows. A day the
            # text mentions may precede the story: the nearest such day.
            forward = (weekday - self.anchor_day.weekday()) % 7
            next_day = self.anchor_day + timedelta(days=forward)
            value = self.anchor_day - timedelta(days=back)
            if self.anchor is not None and self.anchor.from_text and forward < back:
                value = next_day
            mention = self.text[span[0] : span[1]]
            return DateMention(value.isoformat(), "day", mention, span, relative=True, ahead=next_day.isoformat())
        return _day_mention(value, self.text, span, relative=True)


def find_dates(
    doc: Doc | None,
    language: str,
    anchor: DateAnchor | None,
    *,
    rules: DateRules,
    text: str | None = None,
    ranges: Sequence[tuple[int, int]] | None = None,
) -> list[DateMention]:
    """Every date expression in ``doc.text``, resolved against ``anchor``, sorted by span.

    ``text`` is ``doc.text`` when the caller has it (building it from the Doc is not free);
    ``ranges`` limits the search to those ``[start, end)`` character ranges (paragraphs).

    Expressions that need an anchor (weekday names, "kemarin", "(18/9)") are skipped when
    it is missing or not precise enough; weekday names need a day-precision anchor.
    """
    if text is None:
        if doc is None:
            msg = "find_dates needs a doc or its text"
            raise ValueError(msg)
        text = doc.text
    resolver = _Resolver(text, language, anchor, rules)
    spans = [(resolver.span(kind, m), order, kind, m) for order, kind, m in _candidates(text, rules, ranges)]
    # Longest expression first ("Sabtu pekan lalu" over "pekan lalu"), then pattern order.
    spans.sort(key=lambda c: (c[0][0] - c[0][1], c[1], c[0][0]))
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []
    for (start, end), _, kind, m in spans:
        if any(start < e and s < end for s, e in taken):
            continue
        found = resolver.resolve(kind, m)
        if found is None:
            continue
        taken.append((start, end))
        out.append(found)
    out.sort(key=lambda d: d.span)
    return out


# -- the anchor ---------------------------------------------------------------------------

_PUBLISHED = re.compile(
    r"\s*(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*"
)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:[^\d\n]{0,40}?)\s*(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)
_ANCHOR_KINDS = {"weekday_numeric", "day_month_year", "month_day_year", "numeric", "iso"}


def parse_published(published_at: str | None) -> DateAnchor | None:
    """The date part of an RFC 3339 date-time, ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.

    The local date as written is kept (not converted to UTC): a story filed at 01:00 WIB
    on Tuesday says "Senin" for Monday, whatever the UTC date was.
    """
    if not published_at:
        return None
    m = _PUBLISHED.fullmatch(published_at)
    if m is None:
        return None
    year = int(m["y"])
    month = int(m["m"]) if m["m"] else None
    day = int(m["d"]) if m["d"] else None
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if month is not None and day is not None and _valid(year, month, day) is None:
        return None
    return DateAnchor(year, month, day)


def _text_anchor(text: str, rules: DateRules) -> DateAnchor | None:
    """The best explicit full date in the text, not after the copyright year.

    Dates written with their weekday ("Rabu (10/5/2023)", "Selasa, 19 September 2023") are
    the news day's; the latest of those wins, else the latest full date of any kind.
    """
    copyright_years = [int(m["year"]) for m in _COPYRIGHT.finditer(text)]
    ceiling = max(copyright_years) if copyright_years else MAX_YEAR
    best: date | None = None
    best_with_weekday: date | None = None
    resolver = _Resolver(text, "", None, rules)  # no language: d/m/yyyy read day first
    for _, kind, m in _candidates(text, rules):
        if kind not in _ANCHOR_KINDS:
            continue
        found = resolver.resolve(kind, m)
        if found is None or found.precision != "day":
            continue
        value = date.fromisoformat(found.value)
        if value.year > ceiling:
            continue
        if best is None or value > best:
            best = value
        first_word = found.mention.split()[0].strip(",(").lower()
        if first_word in rules.weekdays and (best_with_weekday is None or value > best_with_weekday):
            best_with_weekday = value
    chosen = best_with_weekday or best
    if chosen is not None:
        return DateAnchor(chosen.year, chosen.month, chosen.day, from_text=True)
    if copyright_years:
        return DateAnchor(max(copyright_years), None, None)
    return None


def article_anchor(
    text: str, published_at: str | None, received_at: datetime | None, *, rules: DateRules
) -> DateAnchor | None:
    """The date relative expressions in ``text`` are resolved against.

    In order: ``published_at`` when usable; the latest explicit full date in the text
    ("18 September 2023", "Rabu (10/5/2023)"); the copyright year ("© ANTARA 2023");
    ``received_at`` (the Kafka record timestamp). A partial ``published_at`` (``YYYY-MM``)
    is completed from a text date in the same month when there is one.
    """
    published = parse_published(published_at)
    if published is not None and published.day is not None:
        return published
    clue = _text_anchor(text, rules)
    if published is not None:
        if clue is not None and clue.year == published.year and (published.month in (None, clue.month)):
            return clue
        return published
    if clue is not None:
        return clue
    if received_at is not None:
        return DateAnchor(received_at.year, received_at.month, received_at.day)
    return None
