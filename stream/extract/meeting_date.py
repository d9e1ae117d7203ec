"""Which date a candidate meeting took place on: the day-precision dates of its sentences and
paragraph, resolved against the article's anchor (publication date, text clues, record time)."""

from __future__ import annotations

from datetime import datetime

from stream.extract.assemble import Candidate
from stream.extract.dates import DateAnchor, DateMention, article_anchor, find_dates
from stream.extract.pipeline import Sentence
from stream.extract.triggers import Trigger
from stream.records import Status, WireItem


class ParagraphDates:
    """Date mentions of an article, found paragraph by paragraph on first use: only the
    paragraphs of candidate meetings ever need them (and most articles have none)."""

    def __init__(self, item: WireItem, lang: str, received_at: datetime | None, sentences: list[Sentence]) -> None:
        self._item = item
        self._lang = lang
        self._received_at = received_at
        self._anchor: DateAnchor | None = None
        self._anchored = False
        self._ranges: dict[int, tuple[int, int]] = {}
        for s in sentences:
            lo, hi = self._ranges.get(s.paragraph, (s.start_char, s.end_char))
            self._ranges[s.paragraph] = (min(lo, s.start_char), max(hi, s.end_char))
        self._found: dict[int, list[DateMention]] = {}

    def in_sentence(self, sent: Sentence) -> list[DateMention]:
        """Day-precision dates that start in ``sent``, in text order."""
        found = self._found.get(sent.paragraph)
        if found is None:
            if not self._anchored:
                item = self._item
                self._anchor = article_anchor(item.text, item.published_at, self._received_at)
                self._anchored = True
            window = self._ranges.get(sent.paragraph, (sent.start_char, sent.end_char))
            found = find_dates(None, self._lang, self._anchor, text=self._item.text, ranges=[window])
            self._found[sent.paragraph] = found
        return [d for d in found if sent.start_char <= d.span[0] < sent.end_char and d.precision == "day"]


def pick_date(dates: ParagraphDates, sent: Sentence, trig: Trigger | None) -> DateMention | None:
    inside = dates.in_sentence(sent)
    if not inside:
        return None
    if trig is None:
        return inside[0]
    return min(inside, key=lambda d: abs(d.span[0] - sent.start_char))


def date_value(date: DateMention | None, status: Status) -> str | None:
    """The date's value for a meeting of ``status``: a bare weekday of a planned meeting is
    the next such day ("will meet on Friday"), of a held one the last ("met on Friday")."""
    if date is None:
        return None
    return date.ahead if status == "planned" and date.ahead else date.value


def pick_paragraph_date(dates: ParagraphDates, cand: Candidate, sentences: list[Sentence]) -> DateMention | None:
    paras = {s.paragraph for s in cand.sentences}
    for s in sentences:
        if s.paragraph in paras:
            d = pick_date(dates, s, None)
            if d:
                return d
    return None


def meeting_date(dates: ParagraphDates, cand: Candidate, sentences: list[Sentence]) -> DateMention | None:
    """The date of ``cand``: the first of its sentences that states a day, else its paragraph's."""
    for s in cand.sentences:
        date = pick_date(dates, s, cand.trigger if s is cand.sentence else None)
        if date:
            return date
    return pick_paragraph_date(dates, cand, sentences)
