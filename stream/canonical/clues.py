"""Day clues: the weekdays and yearless days ("on Saturday", "3 September") a report's evidence names.

A report with no meeting date and no publication day cannot be placed in time, but its
evidence sentence often still names the day in a form the extractor could not resolve without
an anchor: a weekday ("met on Saturday", "Rabu pagi") or a day and month without a year
("Tuesday, September 3"). ``day_clues`` keeps those, and ``clues_fit`` says whether a
day-precision meeting date agrees with one of them: the same weekday, or the same day and
month give or take ``max_day_gap`` days. A clue that does not fit is evidence of another
occasion; a fitting one is one chance in seven (a weekday) or in 365 (a day) of a coincidence.

The month and weekday names are the extractor's date vocabulary
(``stream/data/dates_vocabulary.json``), read once by :func:`load_day_words`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import orjson

VOCABULARY_FILE = "dates_vocabulary.json"
LEAP_YEAR = 2024
"""The year a yearless day-month is read in when days are compared (29 February exists)."""

# Capitalised words only: "minggu" is "week" in Indonesian, "Minggu" is Sunday; "may" is a verb.
_WORD = re.compile(r"\b[A-Z][a-z]+(?:['\u2019]at)?\b")
_DAY_MONTH = re.compile(r"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<month>[A-Z][a-z]{2,8})\b\.?(?!\s*,?\s*\d)")
_MONTH_DAY = re.compile(r"\b(?P<month>[A-Z][a-z]{2,8})\b\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*,\s*\d{4})")


@dataclass(frozen=True, slots=True)
class DayWords:
    """Month and weekday names of every language, lower case; build with :func:`load_day_words`."""

    months: dict[str, int]
    """Month names and abbreviations -> 1..12."""
    weekdays: dict[str, int]
    """Weekday names -> 0 (Monday) .. 6."""


def load_day_words() -> DayWords:
    """Read the month and weekday names from ``stream/data/dates_vocabulary.json`` (once, at start-up)."""
    raw: dict[str, Any] = orjson.loads(resources.files("stream.data").joinpath(VOCABULARY_FILE).read_bytes())
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    for language in raw["languages"].values():
        months.update({str(k).lower(): int(v) for k, v in language.get("months", {}).items()})
        weekdays.update({str(k).lower(): int(v) for k, v in language.get("weekdays", {}).items()})
    return DayWords(months=months, weekdays=weekdays)


def day_clues(text: str, words: DayWords) -> dict[str, list[Any]]:
    """The weekdays (0..6) and yearless days ("MM-DD") ``text`` names; empty lists when none.

    A day written with its year is left out: it is a full date, which the extractor resolves
    (and which, when it is not the meeting's, says nothing about the meeting's weekday).
    """
    weekdays = sorted({words.weekdays[w] for m in _WORD.finditer(text) if (w := m.group().lower()) in words.weekdays})
    days: set[str] = set()
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for m in pattern.finditer(text):
            month = words.months.get(m["month"].lower())
            day = int(m["day"])
            if month is not None and _valid(month, day):
                days.add(f"{month:02d}-{day:02d}")
    return {"weekdays": weekdays, "days": sorted(days)}


def has_clue(clues: Any) -> bool:
    """Whether ``clues`` (a report's ``clues``, possibly absent) names any day."""
    return isinstance(clues, dict) and bool(clues.get("weekdays") or clues.get("days"))


def clues_fit(clues: Any, value: str, max_day_gap: int) -> bool:
    """Whether the day-precision date ``value`` ("YYYY-MM-DD") is a day ``clues`` names: its
    weekday, or a named day and month within ``max_day_gap`` days (across a year's end too)."""
    if not has_clue(clues) or len(value) != 10:
        return False
    when = date.fromisoformat(value)
    if when.weekday() in clues.get("weekdays", ()):
        return True
    for named in clues.get("days", ()):
        month, day = (int(part) for part in str(named).split("-"))
        for year in (when.year - 1, when.year, when.year + 1):
            candidate = _on(year, month, day)
            if candidate is not None and abs((candidate - when).days) <= max_day_gap:
                return True
    return False


def _valid(month: int, day: int) -> bool:
    return _on(LEAP_YEAR, month, day) is not None


def _on(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 29 February out of a leap year, 31 April
        return None
