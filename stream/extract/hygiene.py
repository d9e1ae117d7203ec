"""Boilerplate masking: related-link lines, bylines, copyright notices and headline lines.

The text is never rewritten (every span must index the original ``item.text``); instead the
regions to ignore are returned as sorted ``[start, end)`` character ranges.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

_LEAD = re.compile(r"^[\s\-\u2013\u2022*>|]*")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Mask:
    """Sorted, non-overlapping character ranges that extraction ignores."""

    regions: tuple[tuple[int, int], ...]
    starts: tuple[int, ...] = ()
    """Start offsets of ``regions``, for bisection."""

    def covers(self, offset: int) -> bool:
        """True when the character at ``offset`` lies in a masked region."""
        i = bisect_right(self.starts, offset) - 1
        return i >= 0 and self.regions[i][0] <= offset < self.regions[i][1]


@dataclass(frozen=True, slots=True)
class HeadlineWords:
    """What tells a headline line from a sentence, in one language."""

    function_words: frozenset[str]
    """Casefolded words a headline leaves in lower case ("di", "dan", "of")."""
    common_words: frozenset[str]
    """Casefolded words that news text writes in lower case: capitalised, a headline's."""


HEADLINE_MIN_WORDS = 4
HEADLINE_MAX_CHARS = 200
"""Longer lines are paragraphs: not worth reading word by word."""
HEADLINE_MIN_CAPITALISED_COMMON = 2


def is_headline(line: str, words: HeadlineWords) -> bool:
    """A line in headline case ("Bupati X Siap Audiensi Dengan Y"): every word but function words
    capitalised, common words among them. Names read there glue the headline's verbs to them."""
    if len(line) > HEADLINE_MAX_CHARS:
        return False
    count = 0
    capitalised_common = 0
    for match in _WORD.finditer(line):  # a sentence gives itself away within a few words: stop there
        word = match.group()
        if word[0].islower():
            if word.casefold() not in words.function_words:
                return False
        elif count and word[0].isupper() and word.casefold() in words.common_words:
            capitalised_common += 1
        count += 1
    return count >= HEADLINE_MIN_WORDS and capitalised_common >= HEADLINE_MIN_CAPITALISED_COMMON


FAQ_QUESTION_MAX_CHARS = 120
"""A FAQ entry's question ends with "?" within this many characters of its line's start."""


def is_faq_entry(body: str, openers: Sequence[str]) -> bool:
    """A line that asks a question and answers it ("siapa yang menemui x? y bertemu x di ...",
    casefolded): a search-engine FAQ block of older stories, not the article's report."""
    if not body.startswith(tuple(f"{o} " for o in openers)):
        return False
    mark = body.find("?", 0, FAQ_QUESTION_MAX_CHARS)
    return mark > 0 and not any(c in ".!" for c in body[:mark]) and bool(body[mark + 1 :].strip())


def boilerplate_mask(
    text: str,
    prefixes: Sequence[str],
    captions: Sequence[str] = (),
    headline: HeadlineWords | None = None,
    questions: Sequence[str] = (),
) -> Mask:
    """Mask every line that starts with a boilerplate prefix ("Baca juga:", "Editor:", ...) and,
    with ``captions`` (casefolded photo-credit marks such as "(foto:"), every photo caption; with
    ``headline``, every line in headline case (a headline or a list of headlines in the text);
    with ``questions`` (casefolded question words), every FAQ entry (:func:`is_faq_entry`)."""
    regions: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        end = pos + len(line)
        lead = _LEAD.match(line)
        body = line[lead.end() if lead else 0 :].casefold()
        if body and (
            body.startswith(tuple(prefixes))
            or any(c in body for c in captions)
            or (headline is not None and is_headline(line, headline))
            or (bool(questions) and is_faq_entry(body, questions))
        ):
            regions.append((pos, end))
        pos = end
    return Mask(regions=tuple(regions), starts=tuple(r[0] for r in regions))
