"""Candidate meetings of one trigger sentence: its parties, status, date and the sides a
sentence adds to the meeting just reported.

The rules that read a sentence's triggers and mentions into :class:`Candidate` meetings, for one
language (:class:`CandidateFinder`, built once per pipeline).
"""

from __future__ import annotations

import sys
from bisect import bisect_left
from dataclasses import dataclass
from itertools import pairwise

from spacy.tokens import Doc

from stream.extract.assemble import Candidate, sentence_parties, split_bilaterals
from stream.extract.meeting_date import ParagraphDates, date_value, pick_date
from stream.extract.participants import Entity, Mention, ParticipantFinder, _char_span
from stream.extract.pipeline import Sentence
from stream.extract.triggers import Trigger, TriggerFinder

ATTENDANCE_LIST = 3
"""New names a sentence about the meeting just reported may add to it ("also attended by X and
Y"); that many or more are a list of officials in attendance, an entourage."""


class CandidateFinder:
    """Reads trigger sentences into candidate meetings, in one language."""

    def __init__(self, triggers: TriggerFinder, participants: ParticipantFinder, speech_words: frozenset[str]) -> None:
        self.triggers = triggers
        self.participants = participants
        self.speech_words = speech_words
        """Words that credit a quote to its speaker ("said", "kata"): a source, not a side."""

    def in_sentence(
        self,
        doc: Doc,
        sent: Sentence,
        triggers: list[Trigger],
        mentions: list[Mention],
        entities: list[Entity],
        subject: int | None,
        dates: ParagraphDates,
        previous: list[Candidate],
        bilateral: bool,
        companions: CompanionCues,
        separate_paragraphs: frozenset[int] = frozenset(),
    ) -> list[Candidate]:
        """The candidate meetings ``sent`` reports through ``triggers``; a sentence that only adds
        parties to the meeting just reported (``previous[-1]``) extends it and returns none."""
        parties, first = sentence_parties(mentions, entities, sent)
        speech = self.speech_words
        last = previous[-1] if previous else None
        if all(_anaphoric(doc, t) or self.triggers.attended(doc, sent, t) for t in triggers):
            # "The meeting ... was also attended by X", "X also attended the meeting": more
            # parties of the meeting just reported; "X, who also attended the meeting, said" may
            # come paragraphs later, and its attendees are the names before the verb
            attended = [t for t in triggers if self.triggers.attended(doc, sent, t)]
            if last is not None and (attended or last.sentence.paragraph >= sent.paragraph - 2):
                # "Dalam pertemuan tersebut, X didampingi oleh A, serta B": A and B came with X
                more = [
                    p
                    for p in _without_companions(sent, parties, first, triggers, companions)
                    if p not in last.parties
                    and not _is_speaker(doc, first[p], speech)
                    and (not attended or (first[p].kind == "person" and first[p].start < attended[0].start))
                ]
                # "Pertemuan itu dihadiri juga oleh Sekda, Kepala Bappeda, Kadis ...": a list of
                # officials in attendance is the host's entourage, not more sides of the meeting
                if len(more) < ATTENDANCE_LIST:
                    for p in more:
                        last.parties.append(p)
                        last.mentions[p] = first[p]
            return []
        triggers = [self.triggers.with_status(doc, sent, t) for t in triggers if not _anaphoric(doc, t)]
        pair = list(last.parties) if last is not None else _leading_pair(entities, subject, doc)
        # "Pertemuan ini sebelumnya sudah didahului rapat tertutup ... sambil makan malam bersama":
        # a strong trigger with no name, set earlier, right after a meeting is that pair's earlier one
        earlier_nameless = (
            last is not None
            and not parties
            and last.sentence.paragraph >= sent.paragraph - 1
            and any(t.strength == "strong" for t in triggers)
            and self.triggers.earlier(doc, sent)
        )
        if (
            pair
            and (not parties or (len(parties) < 2 and set(parties) <= set(pair) and self.triggers.earlier(doc, sent)))
            and (self.triggers.names_pair(doc, sent) or earlier_nameless)
        ):
            # "On Tuesday, the two leaders held a meeting": the sides of the meeting just reported,
            # or, when none was, the article's two leading persons; "They last met in March" (one
            # side may be named too) is another, earlier meeting of that pair, kept apart by merge
            strong_here = [t for t in triggers if t.strength == "strong"]
            if strong_here:
                date = pick_date(dates, sent, strong_here[0])
                return [
                    Candidate(
                        parties=pair,
                        status=strong_here[0].status,
                        sentence=sent,
                        trigger=strong_here[0],
                        mentions={},
                        date_value=date_value(date, strong_here[0].status),
                        earlier=self.triggers.earlier(doc, sent),
                    )
                ]
            return []
        parties = _without_companions(sent, parties, first, triggers, companions)
        speakers = [p for p in parties if _is_speaker(doc, first[p], speech) and p != subject]
        if len(speakers) < len(parties):
            parties = [p for p in parties if p not in speakers]
        strong = [t for t in triggers if t.strength != "weak" or _party_after_with(doc, first, t)]
        usable = []
        for t in strong:
            if (
                t.strength == "object"
                and not _party_follows(first, t)
                and self.triggers.group_after(doc, sent, t) is None
            ):
                continue
            usable.append(t)
        # "was received at the airport by X": the welcome names its party after "by", so it may not be usable
        if self.triggers.arrival_welcome(doc, sent, usable or triggers):
            return []  # an airport welcome is not a meeting
        # "After talks, A will host a dinner for B": "after talks" looks back; the other trigger is the news
        own = [t for t in usable if not self.triggers.looks_back(doc, t)]
        trig = own[0] if own else usable[0] if usable else triggers[0]
        cancelled = [t for t in triggers if t.status == "cancelled"]
        if cancelled and trig.status != "cancelled":
            trig = Trigger(trig.start, trig.end, trig.strength, "cancelled", trig.text)
        if not usable and len(parties) < 2:
            # "Partai X dan Partai Y melanjutkan pembicaraan": organisations as the sides of a weak trigger
            parties = _with_organisations(doc, sent, triggers, parties, first, entities, self, mentions)
        if not usable and len(parties) < 2:
            return []
        # "he had bilateral meetings yesterday with A and B": a weak trigger whose parties follow "with"
        with_after = [t for t in triggers if t.strength == "weak" and _with_follows(doc, sent, t)]
        if subject is not None and subject not in parties and (usable or with_after):
            # "X met Y" names one side; "She met Y and Z": a pronoun stands for the article's subject
            after = all(first[p].start >= trig.end for p in parties if p in first)
            if (len(parties) == 1 and usable) or (
                after and any(self.triggers.pronoun_subject(doc, sent, t) for t in usable or with_after)
            ):
                parties = [subject, *parties]
        if len(parties) == 1:
            # "X hosted a delegation of business leaders": a group no name introduces is the other side
            side = _group_side(doc, sent, usable, parties, first, entities, self.triggers)
            if side is not None:
                parties.append(side)
        if len(parties) < 2:
            # "Kepolisian X dan Polisi Y menggelar pertemuan", "bertemu dengan delegasi Kadin Z"
            parties = _with_organisations(doc, sent, usable, parties, first, entities, self, mentions)
        if len(parties) < 2:
            return []
        segments = _trigger_segments(parties, first, usable)
        if segments is None:
            segments = [(trig, parties)]
            # "The governors met X separately. ... others who met X are A, B and C": each one's own meeting
            separate = any(self.triggers.separate(t) for t in usable) or bool(
                {sent.paragraph, sent.paragraph - 1} & separate_paragraphs
            )
        else:
            separate = False
        out = []
        for seg_trig, seg_parties in segments:
            if trig.status != "held":
                # "is due to meet A before heading on for talks with B": the plan covers the whole sentence
                seg_trig = Trigger(seg_trig.start, seg_trig.end, seg_trig.strength, trig.status, seg_trig.text)
            date = pick_date(dates, sent, seg_trig)
            for group in split_bilaterals(
                seg_parties,
                first,
                entities,
                seg_trig,
                subject,
                bilateral or _each_with(doc, sent, seg_parties, first),
                separate=separate or self.triggers.separate(seg_trig),
            ):
                out.append(
                    Candidate(
                        parties=list(group),
                        status=seg_trig.status,
                        sentence=sent,
                        trigger=seg_trig,
                        mentions={p: first[p] for p in group if p in first},
                        date_value=date_value(date, seg_trig.status),
                        earlier=self.triggers.earlier(doc, sent),
                    )
                )
        return out


def _group_side(
    doc: Doc,
    sent: Sentence,
    usable: list[Trigger],
    parties: list[int],
    first: dict[int, Mention],
    entities: list[Entity],
    triggers: TriggerFinder,
) -> int | None:
    """The entity of a group named right after a usable trigger, as the meeting's other side:
    an existing body of the same name, or a new one appended to ``entities``. ``first`` gets
    its mention. ``None`` when no group follows a trigger."""
    taken = {t for m in first.values() for t in range(m.start, m.end)}
    for trig in usable:
        found = triggers.group_after(doc, sent, trig)
        if found is None or any(t in taken for t in range(*found)):
            continue
        idx = _body_party(doc, *found, parties, first, entities)
        if idx is not None:
            return idx
    return None


def _with_organisations(
    doc: Doc,
    sent: Sentence,
    triggers: list[Trigger],
    parties: list[int],
    first: dict[int, Mention],
    entities: list[Entity],
    finder: CandidateFinder,
    mentions: list[Mention],
) -> list[int]:
    """``parties`` with the organisations named as the sides of a trigger ("Kepolisian X dan
    Polisi Y menggelar pertemuan", "bertemu dengan delegasi Kadin Z") added as body entities,
    in the sentence's order (``first`` gets their mentions)."""
    taken = {t for m in mentions for t in range(m.start, m.end)}
    runs = finder.participants.organisations(doc, sent.start, sent.end, taken)
    if not runs:
        return parties
    out = list(parties)
    for trig in triggers:
        # "gelar audiensi dengan Kodam X, dilanjutkan dengan Gubernur Y": a named party after the
        # trigger is its object, as an organisation after it would be; together they are no meeting
        objects_only = bool(parties) and all(p in first and first[p].start >= trig.end for p in parties)
        for start, end in finder.triggers.organisation_sides(doc, sent, trig, runs):
            if objects_only and start >= trig.end:
                continue
            idx = _body_party(doc, start, end, out, first, entities)
            if idx is not None:
                out.append(idx)
    if len(out) == len(parties):
        return parties
    return sorted(out, key=lambda p: first[p].start if p in first else -1)


def _body_party(
    doc: Doc, start: int, end: int, parties: list[int], first: dict[int, Mention], entities: list[Entity]
) -> int | None:
    """The body entity named by tokens ``[start, end)``: an existing body of the same words, or a
    new one appended to ``entities``, with its mention set in ``first``. ``None`` when that body
    is already one of ``parties``."""
    text = doc[start:end].text
    mention = Mention(
        kind="body",
        name=text,
        title=None,
        affiliation=None,
        country=None,
        start=start,
        end=end,
        span=_char_span(doc, start, end),
        mention=text,
    )
    words = {w.casefold() for w in text.split()}
    # "all 24 governors" and "the governors of the 24 provinces": one group, named twice
    idx = next(
        (
            i
            for i, e in enumerate(entities)
            if e.kind == "body" and (words <= e.tokens or e.tokens <= words) and e.tokens & words
        ),
        None,
    )
    if idx is None:
        entities.append(
            Entity(
                name=text,
                tokens=words,
                title=None,
                affiliation=None,
                country=None,
                kind="body",
                reporter=False,
            )
        )
        idx = len(entities) - 1
    if idx in parties:
        return None
    mention.entity = idx
    entities[idx].mentions.append(mention)
    first[idx] = mention
    return idx


def _trigger_segments(
    parties: list[int], first: dict[int, Mention], usable: list[Trigger]
) -> list[tuple[Trigger, list[int]]] | None:
    """One meeting per trigger when a sentence's subject meets different parties through different
    triggers: "A met B on Wednesday after calling on C", "A akan bertemu B, lalu mengunjungi C".
    Each trigger takes the parties named after it and before the next one; the parties before the
    first trigger (and the article's subject added for a pronoun) are a side of each. ``None`` when
    the sentence does not read so."""
    if len(usable) < 2:
        return None
    ordered = sorted(usable, key=lambda t: t.start)
    head = [p for p in parties if p not in first or first[p].start < ordered[0].start]
    segments = []
    stops = [t.start for t in ordered[1:]] + [sys.maxsize]
    for trig, stop in zip(ordered, stops, strict=True):
        seg = [p for p in parties if p in first and trig.end <= first[p].start < stop]
        if seg:
            segments.append((trig, seg))
    if not head or len(segments) < 2:
        return None
    return [(trig, head + seg) for trig, seg in segments]


_ANAPHORA_AFTER = frozenset({"tersebut", "itu", "ini"})
_ANAPHORA_BEFORE = frozenset({"this", "that", "these", "those", "the", "their", "its"})


def _anaphoric(doc: Doc, trig: Trigger) -> bool:
    """A trigger that refers back to a meeting already reported ("pertemuan tersebut", and of
    any strength when a demonstrative follows it: "jamuan makan malam ini")."""
    after = doc[trig.end].lower_ if trig.end < len(doc) else ""
    if trig.strength != "weak":
        return after in _ANAPHORA_AFTER
    before = doc[trig.start - 1].lower_ if trig.start > 0 else ""
    # "Leaders' meeting", "the summit's talks": a named gathering, not the meeting itself
    possessive = before in {"\u2019", "'", "'s", "\u2019s"}
    return after in _ANAPHORA_AFTER or _determined(doc, trig.start) or possessive


ADJECTIVE_TOKENS = 4
"""Tokens of lower-case words and hyphens ("crucial", "long-awaited", "two-hour") that may stand
between a determiner and its meeting noun."""


_HOLD_VERBS = frozenset({"held", "had", "hold", "holds", "holding", "have", "has", "having", "convened"})
"""Verbs whose object is a meeting they report: "held their first meeting", "had a productive meeting"."""


def _determined(doc: Doc, start: int) -> bool:
    """A determiner stands before the noun at ``start``: "the meeting", or through a few
    lower-case words ("the crucial meeting", "this long-awaited meeting") when no verb of holding
    comes before it ("held their first meeting" reports one)."""
    i = start - 1
    while (
        i >= 0
        and start - 1 - i < ADJECTIVE_TOKENS
        and (doc[i].is_lower or doc[i].text == "-")
        and doc[i].lower_ not in _ANAPHORA_BEFORE
    ):
        i -= 1
    if i < 0 or doc[i].lower_ not in _ANAPHORA_BEFORE:
        return False
    return i == start - 1 or i == 0 or doc[i - 1].lower_ not in _HOLD_VERBS


@dataclass(frozen=True, slots=True)
class CompanionCues:
    """Token positions of an article's companion words, sorted."""

    named_after: list[int]
    """Words after which the named people accompany a side ("didampingi", "accompanied by")."""
    named_before: list[int]
    """Verbs whose subject, named before them, accompanies a side ("A ikut mendampingi Presiden")."""


def _in_sentence(positions: list[int], sent: Sentence) -> list[int]:
    return positions[bisect_left(positions, sent.start) : bisect_left(positions, sent.end)]


def _without_companions(
    sent: Sentence, parties: list[int], first: dict[int, Mention], triggers: list[Trigger], companions: CompanionCues
) -> list[int]:
    """Drop people named as accompanying a delegation ("didampingi Menlu X", "A dan B ikut
    mendampingi Kapolda") rather than meeting: after a companion word up to the next trigger, and
    before a companion verb back to the trigger before it or the sentence's start."""
    after = _in_sentence(companions.named_after, sent)
    before = _in_sentence(companions.named_before, sent)
    if not after and not before:
        return parties
    trig_starts = [t.start for t in triggers]
    named = [first[p].start for p in parties if p in first]
    opener = min(after + before)
    if named and opener < min(trig_starts) and opener < min(named):
        # "Turut mendampingi Presiden dalam kunjungan itu adalah A, B dan C": the entourage, no meeting
        return []
    keep = []
    for p in parties:
        m = first.get(p)
        if m is not None and (
            any(c < m.start < min((s for s in trig_starts if s > c), default=sent.end) for c in after)
            or any(max((t.end for t in triggers if t.end <= c), default=sent.start) <= m.start < c for c in before)
        ):
            continue
        keep.append(p)
    return keep


_WITH = frozenset({"dengan", "with", "antara", "between", "bersama"})


def _each_with(doc: Doc, sent: Sentence, parties: list[int], first: dict[int, Mention]) -> bool:
    """Every party after the first is introduced by its own "with"/"dengan": separate meetings
    ("talks with A and strategic exchanges with B")."""
    starts = sorted(first[p].start for p in parties if p in first)
    if len(starts) < 3:
        return False
    for prev, cur in pairwise(starts[1:]):
        if not any(doc[k].lower_ in _WITH for k in range(prev + 1, cur)):
            return False
    return any(doc[k].lower_ in _WITH for k in range(starts[0] + 1, starts[1]))


WITH_WINDOW = 4
"""Tokens after a weak trigger its "with" may stand ("meetings earlier yesterday with")."""


def _with_follows(doc: Doc, sent: Sentence, trig: Trigger) -> bool:
    """A "with"/"dengan" stands within ``WITH_WINDOW`` tokens after the trigger."""
    return any(doc[k].lower_ in _WITH for k in range(trig.end, min(sent.end, trig.end + WITH_WINDOW)))


def _party_after_with(doc: Doc, first: dict[int, Mention], trig: Trigger) -> bool:
    """A weak noun trigger followed by "dengan/with <party>" reads as a meeting ("Pertemuan kedua
    dilangsungkan dengan Menlu X")."""
    return any(
        0 <= m.start - trig.end <= 6 and any(doc[k].lower_ in _WITH for k in range(max(trig.end, m.start - 3), m.start))
        for m in first.values()
    )


SPEAKER_LOOKBACK = 6
"""Capitalised words (an office and its country: "Indonesian State Secretariat Minister") a
speech word may stand before a source's mention."""
_CLOSE_QUOTES = frozenset({'"', "\u201d", "\u2019", "'"})


def _is_speaker(doc: Doc, m: Mention, speech: frozenset[str]) -> bool:
    """The person credited with a quote (`," kata X`, `," X said`) is a source, not a meeting side."""
    before = [t for t in doc[max(0, m.start - 3) : m.start]]
    if any(t.lower_ in speech for t in before[-2:]):
        return True
    # "according to Indonesian State Minister X", "menurut Menteri Sekretaris Negara X": the
    # office words the title finder left outside the mention sit between the cue and the name
    i = m.start
    while i > 0 and m.start - i < SPEAKER_LOOKBACK and doc[i - 1].is_title:
        i -= 1
    if i < m.start and any(t.lower_ in speech for t in doc[max(0, i - 2) : i]):
        return True
    return (len(before) >= 2 and before[-1].text == "," and before[-2].text in _CLOSE_QUOTES) or (
        bool(before) and before[-1].text in _CLOSE_QUOTES and m.start > 1 and doc[m.start - 2].text == ","
    )


def _party_follows(first: dict[int, Mention], trig: Trigger) -> bool:
    return any(0 <= m.start - trig.end <= 3 for m in first.values())


def _leading_pair(entities: list[Entity], subject: int | None, doc: Doc) -> list[int]:
    """The article's subject and the titled person mentioned most after it (earliest first on a
    tie): the two sides "the two leaders" refer to when no meeting was reported before."""
    if subject is None:
        return []
    others = [
        (len(e.mentions), -min(m.start for m in e.mentions), i)
        for i, e in enumerate(entities)
        if i != subject and e.kind == "person" and e.title and not e.reporter and e.mentions
    ]
    if not others:
        return []
    return [subject, max(others)[2]]
