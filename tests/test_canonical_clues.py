"""Day clues of an undated report's evidence: weekdays and yearless days, and whether a date fits them.

Every name and place here is invented.
"""

from __future__ import annotations

import pytest

from stream.canonical.clues import DayWords, clues_fit, day_clues, has_clue, load_day_words


@pytest.fixture(scope="module")
def words() -> DayWords:
    return load_day_words()


@pytest.mark.parametrize(
    ("text", "weekdays", "days"),
    [
        ("The two ministers met in Velmora on Saturday.", [5], []),
        ("Keduanya bertemu di Velmora, Rabu pagi.", [2], []),
        ("said Lina Morvay on Tuesday, September 3. They meet on 4 September.", [1], ["09-03", "09-04"]),
        ("They met on 3 September 2031 in Velmora.", [], []),
        ("They met on September 3, 2031.", [], []),
        ("The talks are expected next minggu.", [], []),
        ("No day is named here.", [], []),
    ],
)
def test_clues_day_clues_reads_weekdays_and_yearless_days(
    words: DayWords, text: str, weekdays: list[int], days: list[str]
) -> None:
    assert day_clues(text, words) == {"weekdays": weekdays, "days": days}


@pytest.mark.parametrize(
    ("clues", "value", "fits"),
    [
        ({"weekdays": [5], "days": []}, "2031-03-08", True),  # a Saturday
        ({"weekdays": [5], "days": []}, "2031-03-05", False),  # a Wednesday
        ({"weekdays": [], "days": ["03-07"]}, "2031-03-08", True),  # a day apart
        ({"weekdays": [], "days": ["03-05"]}, "2031-03-08", False),
        ({"weekdays": [], "days": ["12-31"]}, "2032-01-01", True),  # across the year's end
        ({"weekdays": [5], "days": []}, "2031-03", False),  # not a day
        ({"weekdays": [], "days": []}, "2031-03-08", False),
        (None, "2031-03-08", False),
    ],
)
def test_clues_fit_the_weekday_or_a_day_within_the_gap(clues: object, value: str, fits: bool) -> None:
    assert clues_fit(clues, value, max_day_gap=1) is fits


@pytest.mark.parametrize(("clues", "has"), [({"weekdays": [0], "days": []}, True), ({}, False), (None, False)])
def test_clues_has_clue(clues: object, has: bool) -> None:
    assert has_clue(clues) is has
