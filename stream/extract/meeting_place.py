"""Where a candidate meeting took place.

Every city, venue or region the article names (and its dateline) is a candidate, described by
the features a reader would look at: is it in the meeting's own sentence or paragraph, is it
introduced as a location ("di", "in", "at", "Hotel X, City") or as someone's affiliation
("Gubernur Papua", "the Mayor of X", "Konsulat Y di X"), an origin ("from X"), part of a name
("Thomas-X"), a subject of the talks ("the ceasefire in X"), a city's province ("X City, Y
Province"), a building, a region, the dateline; is a meeting held near it ("held in",
"summit in"); how often the article names it. :func:`place_tiers` orders the candidates as a
reader trusts them and a linear score breaks ties inside a tier.

Weights and tiers are rules written against the labelled training set (location 0.66/0.71 ->
0.87/0.86, en/id; with :func:`article_place` choosing the setting, 0.91/0.94 in 5-fold
cross-validation); a conditional logit fitted on the same features scored lower in 5-fold
cross-validation by article (0.85/0.82 against the rules' 0.91/0.94 on the same events,
``scripts/place_choice_cv.py``), so no model is shipped.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import orjson

from stream.extract.assemble import Candidate
from stream.extract.hygiene import Mask
from stream.extract.participants import Mention
from stream.extract.pipeline import Sentence
from stream.extract.places import PlaceMention
from stream.records import Location

FEATURES: tuple[str, ...] = (
    "in_sentence",
    "anchored_in_sentence",
    "in_paragraph",
    "locative",
    "toward",
    "source",
    "affiliation",
    "address",
    "venue",
    "region",
    "dateline",
    "in_name",
    "paired",
    "qualifier",
    "topical",
    "meeting_cue",
    "held_cue",
    "here",
    "mentions",
    "fallback",
    "before",
    "distance",
    "lead",
)
"""Names of the features, in the order of :attr:`PlaceCandidate.features`."""

_INDEX = {name: i for i, name in enumerate(FEATURES)}
_DISQUALIFIERS = ("affiliation", "source", "in_name", "topical", "qualifier", "dateline")

LOOKBACK = 48
"""Characters before a place read for the word that introduces it."""
HELD_LOOKBACK = 90
"""Characters before a place searched for "held"/"berlangsung" in the same sentence."""

_LAST_WORD = re.compile(r"([^\W\d_][\w.'\u2019-]*)\s*$")
"""The last word before a place: what introduces it."""
_POSSESSIVE_AFTER = re.compile(r"['\u2019]s\b")


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first, a space matching any run of spaces."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=lambda w: (-len(w), w)))


@dataclass(frozen=True, slots=True)
class PlaceCues:
    """The words of ``stream/data/place_cues.json``, compiled once by :func:`load_place_cues`."""

    version: int
    weights: dict[str, float]
    """Hand weight of each feature of :data:`FEATURES`."""
    locative: frozenset[str]
    toward: frozenset[str]
    source: frozenset[str]
    roles: frozenset[str]
    """Words before a place that make it someone's affiliation, even written in lower case."""
    admin: re.Pattern[str]
    """Administrative words between the introducing word and the name ("di Kota X", "in the city of X")."""
    posted: re.Pattern[str]
    """A diplomat or mission right before "di/in X" ("Konsulat Tiongkok di Medan"): where they serve."""
    described: re.Pattern[str]
    """A locative, then what kind of place it is, then its name ("in the Chinese capital X")."""
    meeting_cue: re.Pattern[str]
    held_cue: re.Pattern[str]
    topical: re.Pattern[str]
    """A place right after a subject of talks ("the ceasefire in Gaza"): what was discussed, not where."""
    pair_gap: re.Pattern[str]
    qualifier_gap: re.Pattern[str]
    said_after: re.Pattern[str]
    here: re.Pattern[str]
    earlier: re.Pattern[str]
    """An earlier meeting right before the place ("setelah pertemuan kita di X", "they last met in
    X"): where that one was, not where the story is set."""


def load_place_cues() -> PlaceCues:
    """Read ``place_cues.json`` (called once, at start-up)."""
    doc: dict[str, Any] = orjson.loads(resources.files("stream.data").joinpath("place_cues.json").read_bytes())
    flags = re.IGNORECASE

    def words(key: str) -> str:
        return _alternation(doc[key])

    weights = {name: float(doc["weights"][name]) for name in FEATURES}
    return PlaceCues(
        version=int(doc["version"]),
        weights=weights,
        locative=frozenset(doc["locative_words"]),
        toward=frozenset(doc["toward_words"]),
        source=frozenset(doc["source_words"]),
        roles=frozenset(doc["role_words"]),
        admin=re.compile(rf"(?:\b(?:{words('admin_words')})\s+)+$", flags),
        posted=re.compile(rf"\b(?:{words('mission_words')})\b[^,.;:\n]{{0,40}}$", flags),
        described=re.compile(
            rf"\b({words('described_lead_words')})\s+(?:the\s+)?(?:[A-Z][\w-]*\s+)?(?:{words('place_kind_words')})"
            r"\s*,?\s*$",
            flags,
        ),
        meeting_cue=re.compile(rf"\b(?:{words('meeting_cues')})\b", flags),
        held_cue=re.compile(rf"\b(?:{words('held_cues')})\b", flags),
        topical=re.compile(
            rf"\b(?:{words('topical_words')})\s+(?:\w+\s+){{0,2}}"
            rf"(?:(?-i:[A-Z])[\w'\u2019-]*\s+(?:(?:and|dan|&)\s+)?){{0,5}}(?:(?:{words('locative_words')})\s+)?$",
            flags,
        ),
        pair_gap=re.compile(rf"\s*(?:{words('pair_words')})\s*$", flags),
        qualifier_gap=re.compile(
            rf"(?:\s+(?:{words('qualifier_words')}))?\s*,\s*(?:(?:{words('province_words')})\s+)?$", flags
        ),
        said_after=re.compile(rf"\s*(?:{words('said_words')})\b", flags),
        here=re.compile(rf"\b(?:{words('here_words')})\b", flags),
        earlier=re.compile(
            rf"\b(?:{words('earlier_words')})\s+(?:\w+\s+){{0,2}}(?:{words('locative_words')})\s+$", flags
        ),
    )


@dataclass(frozen=True, slots=True)
class PlaceCandidate:
    """A place the meeting may have taken place in, with the features of its context."""

    place: PlaceMention
    features: tuple[float, ...]
    """Values in the order of :data:`FEATURES`."""


def place_candidates(
    text: str,
    places: list[PlaceMention],
    dateline: PlaceMention | None,
    cand: Candidate,
    sentences: list[Sentence],
    person_spans: list[tuple[int, int]],
    fallback: PlaceMention | None,
    cues: PlaceCues,
) -> list[PlaceCandidate]:
    """Every city, venue or region mention of the article (and the dateline), with its features."""
    mentions = [p for p in places if p.kind in ("city", "venue", "region")]
    if dateline is not None and dateline.kind != "country" and all(p.span != dateline.span for p in mentions):
        mentions.insert(0, dateline)
    if not mentions:
        return []
    counts: dict[str, int] = {}
    for p in mentions:
        counts[p.name] = counts.get(p.name, 0) + 1
    starts = [s.start_char for s in sentences]
    own = {s.start_char for s in cand.sentences} or {cand.sentence.start_char}
    own_index = [bisect_right(starts, c) - 1 for c in sorted(own)]
    paragraphs = {s.paragraph for s in cand.sentences} | {cand.sentence.paragraph}
    here = any(cues.here.search(text[s.start_char : s.end_char]) for s in cand.sentences)
    cued: dict[int, bool] = {}
    out: list[PlaceCandidate] = []
    for p in mentions:
        i = bisect_right(starts, p.span[0]) - 1
        sent = sentences[i] if i >= 0 else None
        sent_start = sent.start_char if sent is not None else 0
        if i not in cued:  # several places share a sentence
            cued[i] = bool(cues.meeting_cue.search(text, sent_start, sent.end_char if sent is not None else p.span[1]))
        is_dateline = dateline is not None and p.span == dateline.span
        lead_in = _lead_in(text, p, sent_start, cues)
        in_sentence = sent is not None and sent.start_char in own and not is_dateline
        values = {
            "in_sentence": float(in_sentence),
            "anchored_in_sentence": float(in_sentence and (lead_in in ("locative", "address") or p.kind == "venue")),
            "in_paragraph": float(sent is not None and sent.start_char not in own and sent.paragraph in paragraphs),
            "locative": float(lead_in == "locative"),
            "toward": float(lead_in == "toward"),
            "source": float(lead_in == "source" or bool(cues.said_after.match(text, p.span[1]))),
            # "Washington's envoy" is an affiliation; "in Tokyo's Akasaka Palace" is a place
            "affiliation": float(
                lead_in == "affiliation"
                or (lead_in not in ("locative", "toward") and bool(_POSSESSIVE_AFTER.match(text, p.span[1])))
            ),
            "address": float(lead_in == "address"),
            "venue": float(p.kind == "venue"),
            "region": float(p.kind == "region"),
            "dateline": float(is_dateline),
            "in_name": float(_in_name(text, p, person_spans, is_dateline)),
            "paired": float(_paired(text, p, mentions, cues)),
            "qualifier": float(_qualifier(text, p, mentions, cues)),
            "topical": float(bool(cues.topical.search(text, max(sent_start, p.span[0] - LOOKBACK), p.span[0]))),
            "meeting_cue": float(cued[i]),
            "held_cue": float(
                bool(cues.held_cue.search(text, max(sent_start, p.span[0] - HELD_LOOKBACK), p.span[0]))
                and lead_in in ("locative", "address")
            ),
            "here": float(is_dateline and here),
            "mentions": math.log(counts[p.name]),
            "fallback": float(fallback is not None and p.name == fallback.name),
            "before": float(i < own_index[0]),
            "distance": math.log1p(min(abs(i - j) for j in own_index)),
            "lead": float(sent is not None and sent.paragraph <= 1),
        }
        out.append(PlaceCandidate(place=p, features=tuple(values[f] for f in FEATURES)))
    return out


def _lead_in(text: str, p: PlaceMention, sent_start: int, cues: PlaceCues) -> str:
    """How the text introduces the place: "locative" (di/in/at), "toward" (ke/to), "source"
    (dari/from), "affiliation" (a title or body before it), "address" (after a comma), or ""."""
    lo = max(sent_start, p.span[0] - LOOKBACK)
    before = text[lo : p.span[0]]
    described = cues.described.search(before)
    if described is not None:  # "in the Chinese capital Beijing", "ke kota pelabuhan Makassar"
        return "locative" if described.group(1).casefold() in cues.locative else "toward"
    stripped = cues.admin.sub("", before)
    if stripped.rstrip().endswith(","):
        return "address"
    m = _LAST_WORD.search(stripped)
    if m is None:
        return ""
    word = m.group(1)
    folded = word.casefold()
    if folded in cues.locative:
        return "affiliation" if cues.posted.search(stripped[: m.start()]) else "locative"
    if folded in cues.toward:
        return "toward"
    if folded in cues.source:
        return "source"
    if folded in cues.roles:
        return "affiliation"
    if folded == "of":
        prev = _LAST_WORD.search(stripped[: m.start()])
        if prev is not None and prev.group(1)[:1].isupper():
            return "affiliation"
        return ""
    at_start = lo == sent_start and not stripped[: m.start()].strip()
    if word[:1].isupper() and not at_start and not _POSSESSIVE_AFTER.search(word):
        return "affiliation"
    return ""


def _in_name(text: str, p: PlaceMention, person_spans: list[tuple[int, int]], is_dateline: bool) -> bool:
    """Part of a person's name, or glued by a hyphen to another word ("Thomas-Greenfield")."""
    if any(a <= p.span[0] < b for a, b in person_spans):
        return True
    if is_dateline:
        return False
    start, end = p.span
    glued_before = start >= 2 and text[start - 1] == "-" and text[start - 2].isalpha()
    glued_after = end + 1 < len(text) and text[end] == "-" and text[end + 1].isalpha()
    return glued_before or glued_after


def _paired(text: str, p: PlaceMention, mentions: list[PlaceMention], cues: PlaceCues) -> bool:
    """Next to another place with "and", "-" or a comma between ("Tokyo and Beijing"): a
    relation between places, not a location (unless the other one is the same place)."""
    for q in mentions:
        if q.name == p.name:
            continue
        if 0 <= p.span[0] - q.span[1] <= 6 and cues.pair_gap.match(text[q.span[1] : p.span[0]]):
            return q.kind != "region" and p.kind != "region"
        if 0 <= q.span[0] - p.span[1] <= 6 and cues.pair_gap.match(text[p.span[1] : q.span[0]]):
            return q.kind != "region" and p.kind != "region"
    return False


def _qualifier(text: str, p: PlaceMention, mentions: list[PlaceMention], cues: PlaceCues) -> bool:
    """Right after another place and a comma ("Makassar City, South Sulawesi"): the province
    or district of the place before it, not a place of its own. The same place named twice
    ("VATICAN CITY, Vatican") qualifies nothing."""
    return any(
        q.name != p.name and 0 <= p.span[0] - q.span[1] <= 8 and cues.qualifier_gap.match(text[q.span[1] : p.span[0]])
        for q in mentions
    )


def score(candidate: PlaceCandidate, weights: dict[str, float]) -> float:
    """Linear score of a candidate: the highest of a tier wins."""
    return sum(weights[f] * v for f, v in zip(FEATURES, candidate.features, strict=True))


def pick_location(
    text: str,
    places: list[PlaceMention],
    dateline: PlaceMention | None,
    cand: Candidate,
    sentences: list[Sentence],
    person_spans: list[tuple[int, int]],
    fallback: PlaceMention | None,
    cues: PlaceCues,
) -> PlaceMention | None:
    """The meeting place: the first non-empty tier of :func:`place_tiers`, its best-scoring
    candidate; ``None`` when the article names no place at all."""
    found = place_candidates(text, places, dateline, cand, sentences, person_spans, fallback, cues)
    for tier in place_tiers(found):
        if tier:
            return max(tier, key=lambda c: (score(c, cues.weights), -c.place.span[0])).place
    return None


def place_tiers(found: list[PlaceCandidate]) -> list[list[PlaceCandidate]]:
    """Candidates in the order a reader trusts them:

    1. introduced as a location ("di", "in", "at", ", City", a building) in the meeting's sentences;
    2. the dateline, when the meeting's sentences say "here";
    3. a city introduced as a location in the meeting's paragraph;
    4. a city introduced as a location in the lead with a summit or "held" cue ("At the summit in X");
    5. a city the meeting's sentences name as a destination ("when X visited Y", "berkunjung ke Y"):
       an earlier meeting told in passing ("The two last met when X visited Y") was there;
    6. the dateline: wire stories meet in the dateline city when they name no other place for it;
    7. the article's own setting (``fallback``: its first city, or the first meeting's place);
    8. anything else.

    Affiliations ("Gubernur Papua", "the Mayor of X"), origins ("from X"), parts of names,
    subjects of talks ("the ceasefire in X") and a city's province never make the first tiers.
    """

    def on(c: PlaceCandidate, name: str) -> bool:
        return c.features[_INDEX[name]] > 0

    def sound(c: PlaceCandidate) -> bool:
        return not any(on(c, f) for f in _DISQUALIFIERS)

    def introduced(c: PlaceCandidate) -> bool:
        return on(c, "locative") or on(c, "address") or on(c, "venue")

    dateline = [c for c in found if on(c, "dateline")]
    return [
        [c for c in found if on(c, "in_sentence") and sound(c) and introduced(c)],
        [c for c in dateline if on(c, "here")],
        [c for c in found if on(c, "in_paragraph") and sound(c) and introduced(c) and not on(c, "region")],
        [c for c in found if on(c, "lead") and on(c, "held_cue") and sound(c) and not on(c, "region")],
        [c for c in found if on(c, "in_sentence") and sound(c) and on(c, "toward") and not on(c, "region")],
        dateline,
        [c for c in found if on(c, "fallback") and sound(c)],
        found,
    ]


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
    text: str,
    places: list[PlaceMention],
    dateline: PlaceMention | None,
    mask: Mask,
    mentions: list[Mention],
    sentences: list[Sentence],
    cues: PlaceCues,
) -> PlaceMention | None:
    """Where the article is set when a meeting's own sentences name no place.

    The first city or venue of the body (not inside a party's title) that the text introduces
    as a location ("di X", "in X", "Hotel Y, X", a building) and not as an affiliation, an
    origin, a part of a name, a subject of talks or an earlier meeting's place; else the first
    region so introduced ("di Bali"); else the first city or venue however introduced; else the
    dateline city. A city a story names only in passing ("as reported by
    X", "the shooting in X") is no setting."""
    inside = [(m.span[0], m.span[1]) for m in mentions]
    starts = [s.start_char for s in sentences]
    first: PlaceMention | None = None
    region: PlaceMention | None = None
    for p in places:
        if p.kind not in ("city", "venue", "region") or mask.covers(p.span[0]):
            continue
        if dateline is not None and p.span == dateline.span:
            continue
        if any(a <= p.span[0] < b for a, b in inside):
            continue
        i = bisect_right(starts, p.span[0]) - 1
        sent_start = sentences[i].start_char if i >= 0 else 0
        if p.kind == "region":
            # "selamat datang di Bali": a region the story is set in, when it names no city so
            if region is None and _lead_in(text, p, sent_start, cues) == "locative":
                region = p if _setting(text, p, sent_start, places, cues) else None
            continue
        if first is None:
            first = p
        if _setting(text, p, sent_start, places, cues):
            return p
    if region is not None:
        return region
    if first is not None:
        return first
    return dateline if dateline is not None and dateline.kind in ("city", "venue") else None


def _setting(text: str, p: PlaceMention, sent_start: int, places: list[PlaceMention], cues: PlaceCues) -> bool:
    """Introduced as a location (or a building) and nothing else: a place the story is set in,
    not the province or island of the place before it ("Kota X, Y")."""
    lead_in = _lead_in(text, p, sent_start, cues)
    if lead_in not in ("locative", "address") and (p.kind != "venue" or lead_in in ("source", "affiliation")):
        return False
    if lead_in not in ("locative", "address") and _POSSESSIVE_AFTER.match(text, p.span[1]):
        return False
    if cues.said_after.match(text, p.span[1]) or _qualifier(text, p, places, cues):
        return False
    lo = max(sent_start, p.span[0] - LOOKBACK)
    if cues.topical.search(text, lo, p.span[0]) or cues.earlier.search(text, lo, p.span[0]):
        return False
    return not _in_name(text, p, [], False)
