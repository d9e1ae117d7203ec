"""Which date a candidate meeting took place on: the day-precision dates of its sentences and
paragraph, resolved against the article's anchor (publication date, text clues, record time),
else the day the story's lead reports.

Not every date next to a meeting is the meeting's. A dateline or header date ("MANILA, Nov. 5
(Reuters) -", "date 2023-07-13 ...") is the filing day: it loses to the meeting's own "on
Monday" in the same sentence, and of the sentence's own dates the one nearest the trigger wins.
A date that starts a period ("since he took office on May 10") is never the meeting's; "on the
same day" is the day of the date stated just before. When the meeting's sentences and paragraph
state no day, a held meeting reported as news took place on the day the lead reports ("X met Y
on Tuesday" first, details later), which is the story's day; a meeting set in the past ("last
month") gets none. The words involved are data (``DateRules``, ``dates_vocabulary.json``).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from spacy.tokens import Doc

from stream.extract.assemble import Candidate
from stream.extract.dates import DateAnchor, DateMention, DateRules, article_anchor, find_dates
from stream.extract.pipeline import Sentence
from stream.extract.triggers import Trigger
from stream.records import Status, WireItem

LEAD_CHARS = 1200
"""The lead: where a story states its news day, within the first this many characters."""
SAME_DAY_PARAGRAPHS = 2
""""on the same day" refers to a date at most this many paragraphs back."""
DATELINE_PREFIX_CHARS = 60
"""A dateline date comes within this many characters of its paragraph's start ..."""
DATELINE_SUFFIX_CHARS = 40
"""... and the dateline's separator ("--", ":") within this many characters after it."""

# "MANILA, ", "KUALA LUMPUR (", "Beijing, (APP - Agency - ": capitalised words and punctuation.
_WORD = re.compile(r"[^\W_][\w.'\u2019&]*")
# "(Yonhap) --", "):", " -", ". /TASS/.": the dateline ends in a dash or colon.
_DATELINE_END = re.compile(r"[\s).,]*(?:\([^()\n]{0,30}\)|/[A-Za-z]+/)?[\s.,]*(?:--|[:|\u2013\u2014-])")
# A line that is only a date and a time: "18 September 2022, 14:15", "Senin, 08 Apr 2024 14:45 WIB".
_TIMESTAMP_REST = re.compile(r"[\s,|\u2022-]*(?:\d{1,2}[:.]\d\d(?:\s*[AaPp]\.?[Mm]\.?)?)?\s*[A-Z]{0,4}\s*$")
_TIMESTAMP_LEAD = re.compile(r"[\s|\u2022-]*(?:\d{1,2}[:.]\d\d(?:\s*[AaPp]\.?[Mm]\.?)?)?[\s,|\u2022-]*$")


class ParagraphDates:
    """Date mentions of an article, found paragraph by paragraph on first use: only the
    paragraphs of candidate meetings ever need them (and most articles have none)."""

    def __init__(
        self,
        item: WireItem,
        lang: str,
        received_at: datetime | None,
        sentences: list[Sentence],
        *,
        rules: DateRules,
        doc: Doc | None = None,
    ) -> None:
        self.rules = rules
        self._item = item
        self._lang = lang
        self._received_at = received_at
        self._doc = doc
        self._anchor: DateAnchor | None = None
        self._anchored = False
        self._ranges: dict[int, tuple[int, int]] = {}
        for s in sentences:
            lo, hi = self._ranges.get(s.paragraph, (s.start_char, s.end_char))
            self._ranges[s.paragraph] = (min(lo, s.start_char), max(hi, s.end_char))
        self._found: dict[int, list[DateMention]] = {}
        self._lead: list[DateMention] | None = None

    @property
    def text(self) -> str:
        return self._item.text

    @property
    def anchor(self) -> DateAnchor | None:
        """The date relative expressions are resolved against (found on first use)."""
        if not self._anchored:
            item = self._item
            self._anchor = article_anchor(item.text, item.published_at, self._received_at, rules=self.rules)
            self._anchored = True
        return self._anchor

    def char_of(self, token: int) -> int | None:
        """Character offset of token ``token``, when the Doc was given."""
        return self._doc[token].idx if self._doc is not None and token < len(self._doc) else None

    def paragraph_start(self, sent: Sentence) -> int:
        return self._ranges.get(sent.paragraph, (sent.start_char, sent.end_char))[0]

    def in_paragraph(self, paragraph: int) -> list[DateMention]:
        """Every date of paragraph ``paragraph`` (found on first use), in text order."""
        found = self._found.get(paragraph)
        if found is None:
            window = self._ranges.get(paragraph)
            ranges = [window] if window is not None else []
            found = find_dates(None, self._lang, self.anchor, rules=self.rules, text=self._item.text, ranges=ranges)
            self._found[paragraph] = found
        return found

    def in_sentence(self, sent: Sentence) -> list[DateMention]:
        """Day-precision dates that start in ``sent``, in text order."""
        if sent.paragraph not in self._ranges:
            self._ranges[sent.paragraph] = (sent.start_char, sent.end_char)
        found = self.in_paragraph(sent.paragraph)
        return [d for d in found if sent.start_char <= d.span[0] < sent.end_char and d.precision == "day"]

    def same_day(self, sent: Sentence) -> DateMention | None:
        """ "talks on the same day with ...": the day of the last date stated before it (in this
        paragraph or the ``SAME_DAY_PARAGRAPHS`` before), as the phrase's own mention."""
        text = self._item.text
        phrase = self.rules.same_day.search(text, sent.start_char, sent.end_char)
        if phrase is None:
            return None
        for paragraph in range(sent.paragraph, sent.paragraph - SAME_DAY_PARAGRAPHS - 1, -1):
            if paragraph < 0:
                break
            before = [d for d in self.in_paragraph(paragraph) if d.precision == "day" and d.span[1] <= phrase.start()]
            if before:
                span = (phrase.start(), phrase.end())
                return DateMention(before[-1].value, "day", phrase.group(0), span, relative=True)
        return None

    def lead(self) -> list[DateMention]:
        """Day-precision dates of the story's lead (its first ``LEAD_CHARS`` characters), in text order."""
        if self._lead is None:
            text = self._item.text
            lead = [(0, min(len(text), LEAD_CHARS))]
            found = find_dates(None, self._lang, self.anchor, rules=self.rules, text=text, ranges=lead)
            self._lead = [d for d in found if d.precision == "day"]
        return self._lead


def is_dateline(text: str, mention: DateMention, paragraph_start: int, rules: DateRules) -> bool:
    """The date is a dateline's or a header's (the filing day), not a sentence's own:
    "MANILA, Nov. 5 (Reuters) -", "KUALA LUMPUR (May 10):", "date 2023-07-13 ...", or a line
    holding only a date and a time."""
    start, end = mention.span
    line_start = max(paragraph_start, text.rfind("\n", 0, start) + 1)
    prefix = text[line_start:start]
    if len(prefix) > DATELINE_PREFIX_CHARS:
        return False
    line_end = text.find("\n", end)
    rest = text[end : len(text) if line_end < 0 else line_end]
    if _TIMESTAMP_LEAD.fullmatch(prefix) and _TIMESTAMP_REST.match(rest):
        return True  # a timestamp line
    if prefix.strip() and rules.header_label.fullmatch(prefix):
        return True  # "date 2023-07-13 ..."
    words = _WORD.findall(prefix)
    if not words or not all(w[0].isupper() for w in words):
        return False
    suffix = text[end : end + DATELINE_SUFFIX_CHARS]
    if prefix.count("(") > prefix.count(")") and suffix.lstrip().startswith(")"):
        return True  # "Beijing, (Agency - 4th Sep, 2024) ..."
    return bool(_DATELINE_END.match(suffix))


def starts_period(text: str, mention: DateMention, sentence_start: int, rules: DateRules) -> bool:
    """The date starts a period ("since he took office on May 10"), it is not a meeting's day."""
    return bool(rules.period_start.search(text, sentence_start, mention.span[0]))


def pick_date(dates: ParagraphDates, sent: Sentence, trig: Trigger | None) -> DateMention | None:
    """The day ``sent`` states for its meeting: its own dates before dateline and header dates,
    the one nearest the trigger first (the first one without a trigger); else "on the same day"'s."""
    inside = [d for d in dates.in_sentence(sent) if not starts_period(dates.text, d, sent.start_char, dates.rules)]
    if not inside:
        return dates.same_day(sent)
    para = dates.paragraph_start(sent)
    at = dates.char_of(trig.start) if trig is not None else None
    at = sent.start_char if at is None else at

    def distance(d: DateMention) -> int:
        return max(d.span[0] - at, at - d.span[1], 0)

    return min(inside, key=lambda d: (is_dateline(dates.text, d, para, dates.rules), distance(d)))


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


def lead_date(dates: ParagraphDates) -> DateMention | None:
    """The story's news day: the first date its lead states, a sentence's own before a
    dateline's or header's, never after the anchor (a date ahead is a plan)."""
    anchor = dates.anchor.as_date() if dates.anchor is not None else None
    text = dates.text
    usable = [
        d
        for d in dates.lead()
        if (anchor is None or date.fromisoformat(d.value) <= anchor)
        and not starts_period(text, d, text.rfind("\n", 0, d.span[0]) + 1, dates.rules)
    ]
    own = [d for d in usable if not is_dateline(text, d, text.rfind("\n", 0, d.span[0]) + 1, dates.rules)]
    if own:
        return own[0]
    return usable[0] if usable else None


def meeting_date(dates: ParagraphDates, cand: Candidate, sentences: list[Sentence]) -> DateMention | None:
    """The date of ``cand``: the first of its sentences that states a day, else its paragraph's,
    else, for a held meeting the story does not set in the past, the lead's."""
    for s in cand.sentences:
        date = pick_date(dates, s, cand.trigger if s is cand.sentence else None)
        if date:
            return date
    found = pick_paragraph_date(dates, cand, sentences)
    if found is not None or cand.status != "held" or cand.earlier:
        return found
    return lead_date(dates)
