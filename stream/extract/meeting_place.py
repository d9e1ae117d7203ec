"""Where a candidate meeting took place: a city or venue of its sentences, "here" (the
dateline), its paragraph, then the article's own setting; never the dateline by default."""

from __future__ import annotations

import re

from stream.extract.assemble import Candidate
from stream.extract.hygiene import Mask
from stream.extract.participants import Mention
from stream.extract.pipeline import Sentence
from stream.extract.places import PlaceMention
from stream.records import Location

_LOCATIVE = re.compile(r"(?:\b(?:di|ke|in|at|to)\s+(?:the\s+)?|,\s*)$", re.IGNORECASE)
_NOT_VENUE = re.compile(r"\b(?:kelahiran|asal|born|native|from|dari|warga|citizen)\s+(?:in\s+)?$", re.IGNORECASE)
_POSSESSIVE_AFTER = re.compile(r"['\u2019]s\b")
_SAID_AFTER = re.compile(r"\s*(?:said|says|told|announced|mengatakan|menyatakan|kata|menyebut)\b", re.IGNORECASE)
_HERE = re.compile(r"\b(?:here|di sini|disini)\b", re.IGNORECASE)


def pick_location(
    text: str,
    places: list[PlaceMention],
    dateline: PlaceMention | None,
    cand: Candidate,
    sentences: list[Sentence],
    person_spans: list[tuple[int, int]],
    fallback: PlaceMention | None,
) -> PlaceMention | None:
    """The meeting place: a city or venue in the trigger sentence (after "di/in/at" first), then
    "here" (the dateline), then the paragraph, then ``fallback``."""

    def ok(p: PlaceMention) -> bool:
        if dateline is not None and p.span == dateline.span:
            return False
        if any(a <= p.span[0] < b for a, b in person_spans):
            return False
        if _NOT_VENUE.search(text[max(0, p.span[0] - 20) : p.span[0]]):
            return False
        if _POSSESSIVE_AFTER.match(text[p.span[1] : p.span[1] + 3]):
            return False  # "Washington's ambassador": an affiliation, not a place
        if _SAID_AFTER.match(text[p.span[1] : p.span[1] + 20]):
            return False  # "the State Department said": a source, not a place
        return p.kind in ("city", "venue", "region")

    def within(lo: int, hi: int) -> list[PlaceMention]:
        return [p for p in places if lo <= p.span[0] < hi and ok(p)]

    def best(found: list[PlaceMention], anchor: int) -> PlaceMention:
        return min(
            found,
            key=lambda p: (
                p.kind == "region",
                not _LOCATIVE.search(text[max(0, p.span[0] - 12) : p.span[0]]),
                p.kind != "venue",
                abs(p.span[0] - anchor),
            ),
        )

    anchor = cand.sentence.start_char
    for s in cand.sentences:
        found = within(s.start_char, s.end_char)
        if found:
            return best(found, anchor)
    if (
        dateline is not None
        and dateline.kind in ("city", "venue", "region")
        and any(_HERE.search(text[s.start_char : s.end_char]) for s in cand.sentences)
    ):
        return dateline
    paras = {s.paragraph for s in cand.sentences}
    for s in sentences:
        if s.paragraph in paras:
            found = within(s.start_char, s.end_char)
            if found:
                return best(found, anchor)
    return fallback


def to_location(chosen: PlaceMention | None) -> Location | None:
    if chosen is None:
        return None
    return Location(
        name=chosen.name,
        mention=chosen.mention,
        span=chosen.span,
        venue=chosen.venue,
        country=chosen.country,
        geonames_id=chosen.geonames_id,
        lat=chosen.lat,
        lon=chosen.lon,
    )


def article_place(
    places: list[PlaceMention], dateline: PlaceMention | None, mask: Mask, mentions: list[Mention]
) -> PlaceMention | None:
    """Where the article is set when a meeting's own sentences name no place: the first city or
    venue of the body (not inside a party's title), else the dateline city."""
    inside = [(m.span[0], m.span[1]) for m in mentions]
    for p in places:
        if p.kind not in ("city", "venue") or mask.covers(p.span[0]):
            continue
        if dateline is not None and p.span == dateline.span:
            continue
        if any(a <= p.span[0] < b for a, b in inside):
            continue
        return p
    return dateline if dateline is not None and dateline.kind in ("city", "venue") else None
