"""From trigger sentences and resolved parties to meeting events: one event per distinct meeting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from stream.extract.participants import Entity, Mention
from stream.extract.pipeline import Sentence
from stream.extract.triggers import Trigger
from stream.records import Status

_STATUS_RANK: dict[Status, int] = {"held": 0, "planned": 1, "cancelled": 2}


@dataclass(slots=True)
class Candidate:
    """A meeting read from one sentence, before merging repeated mentions."""

    parties: list[int]
    """Entity indices, in order of first mention."""
    status: Status
    sentence: Sentence
    trigger: Trigger
    mentions: dict[int, Mention]
    """The mention of each party in this sentence (when it has one)."""
    date_value: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    earlier: bool = False
    """The sentence places the meeting in the past relative to the story ("last month")."""


def sentence_parties(
    mentions: Sequence[Mention], entities: Sequence[Entity], sent: Sentence
) -> tuple[list[int], dict[int, Mention]]:
    """Entities mentioned in ``sent`` (reporters and spokespeople left out), in order.

    A person who only reports in the sentence ("Teddy juga mengungkapkan pertemuan antara A dan
    B ...", "X said A and B met"; see :attr:`Mention.reports`) is left out too when two other
    parties are named there: the meeting is theirs. With one other party the speaker may be a
    side ("X mengatakan pertemuan dengan B ..."), and with none may speak for a side of the
    meeting just told ("Ketua X mengatakan, silaturahmi ini ..."): the speaker stays."""
    order: list[int] = []
    first: dict[int, Mention] = {}
    reporting: set[int] = set()
    for m in mentions:
        if m.entity < 0 or not (sent.start <= m.start < sent.end):
            continue
        ent = entities[m.entity]
        if ent.reporter:
            continue
        if m.entity not in first:
            order.append(m.entity)
            first[m.entity] = m
            if m.reports:
                reporting.add(m.entity)
        else:
            reporting.discard(m.entity)  # named again in the sentence: not only its speaker
            if m.kind == "person" and first[m.entity].kind != "person":
                first[m.entity] = m
    if reporting and len(order) - len(reporting) >= 2:
        order = [p for p in order if p not in reporting]
        first = {p: first[p] for p in order}
    return order, first


def split_bilaterals(
    parties: list[int],
    mentions: dict[int, Mention],
    entities: Sequence[Entity],
    trigger: Trigger,
    subject: int | None,
    bilateral: bool,
    *,
    separate: bool = False,
) -> list[list[int]]:
    """ "A met B of X, C of Y and D of Z" is three bilateral meetings; "A met B, C, D" of one body is one.

    ``separate``: the trigger itself says so ("A held meetings with B and C"): one meeting per party.

    Bodies (delegations) and roles are dropped when two named people already make the meeting,
    except the office holders of a listed country ("Ambassadors of A, B and C"), each a side.
    """
    persons = [p for p in parties if entities[p].kind == "person"]
    if len(persons) >= 2:
        parties = [
            p for p in parties if entities[p].kind == "person" or (mentions.get(p) is not None and mentions[p].listed)
        ]
    before = [p for p in parties if mentions.get(p) is not None and mentions[p].start < trigger.start]
    subj = subject if subject in parties else (before[0] if len(before) == 1 else None)
    if subj is None:
        return [parties]
    others = [p for p in parties if p != subj]
    if len(others) < 2 or not (bilateral or separate):
        return [parties]
    if separate:
        return [[subj, p] for p in others]
    countries = [entities[p].country for p in others if entities[p].explicit_country]
    subject_country = entities[subj].country
    if countries and len(set(countries)) == len(countries) and subject_country not in countries:
        return [[subj, p] for p in others]
    return [parties]


def merge(candidates: list[Candidate]) -> list[Candidate]:
    """Merge repeated mentions of one meeting: same parties (or a subset sharing two) and no date clash."""
    merged: list[Candidate] = []
    for cand in candidates:
        target = None
        for m in merged:
            a, b = set(m.parties), set(cand.parties)
            same = a == b or ((a <= b or b <= a) and len(a & b) >= 2)
            # "Sebelumnya A bertemu B ... Mengawali pertemuan, A ...": a weak mention of a meeting
            # (no verb of its own, no look back) goes on about the one just told, even an earlier one
            elaborates = cand.trigger.strength == "weak" and not cand.earlier
            clash = (m.date_value and cand.date_value and m.date_value != cand.date_value) or (
                m.earlier != cand.earlier and not elaborates and not (m.date_value and m.date_value == cand.date_value)
            )
            if same and not clash:
                target = m
                break
        if target is None:
            cand.sentences = [cand.sentence]
            merged.append(cand)
            continue
        for p in cand.parties:
            if p not in target.parties:
                target.parties.append(p)
            if p not in target.mentions and p in cand.mentions:
                target.mentions[p] = cand.mentions[p]
        if cand.earlier or not target.earlier:
            # a present-tense elaboration of an earlier meeting lends its parties, not its places and dates
            target.sentences.append(cand.sentence)
        target.date_value = target.date_value or cand.date_value
        if _STATUS_RANK[cand.status] < _STATUS_RANK[target.status]:
            target.status = cand.status
            target.trigger = cand.trigger
            target.sentence = cand.sentence
    return merged


def without_shadowed_bodies(candidates: list[Candidate], entities: Sequence[Entity]) -> list[Candidate]:
    """Drop a meeting of a body ("A menerima kunjungan delegasi Pemerintah Kota X") when another
    meeting of the article, of the same status and no other date, has its other parties and,
    besides, a person whose office is of the place or country that names the body ("Wakil Wali
    Kota X, B"): the body's leader, met at the same meeting."""
    out = []
    for cand in candidates:
        bodies = [entities[p] for p in cand.parties if entities[p].kind == "body"]
        rest = {p for p in cand.parties if entities[p].kind != "body"}
        shadowed = bool(bodies) and any(
            other is not cand
            and other.status == cand.status
            and rest <= set(other.parties)
            and any(_heads(entities[p], body) for p in set(other.parties) - rest for body in bodies)
            and not (other.date_value and cand.date_value and other.date_value != cand.date_value)
            for other in candidates
        )
        if not shadowed:
            out.append(cand)
    return out


def _heads(person: Entity, body: Entity) -> bool:
    """``person`` holds an office of the place or country that names ``body``."""
    if person.kind == "body" or not person.affiliation:
        return False
    words = {w.casefold() for w in person.affiliation.split()}
    return words <= body.tokens
