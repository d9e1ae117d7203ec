"""The meeting extractor: language pipelines, triggers, parties, place, date and topic per meeting.

Everything heavy (spaCy pipelines, matchers, gazetteer, word lists) is built once by
:func:`load_extractor`; :meth:`MeetingExtractor.extract` is then pure and deterministic.
Expensive steps (places, participants) run only for articles with a trigger and an office
title, untitled names only in trigger sentences, and dates only in the paragraphs of
candidate meetings. The text is passed along as ``item.text``: ``Doc.text`` is rebuilt on
every access.
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from itertools import pairwise
from typing import cast

from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from stream import __version__
from stream.extract.assemble import Candidate, merge, sentence_parties, split_bilaterals, without_shadowed_bodies
from stream.extract.dates import DateAnchor, DateRules, load_date_rules
from stream.extract.hygiene import HeadlineWords, Mask, boilerplate_mask
from stream.extract.language import detect_language
from stream.extract.lexicon import Lexicon, load_lexicon
from stream.extract.meeting_date import ParagraphDates, date_value, meeting_date, pick_date
from stream.extract.meeting_place import PlaceCues, article_place, load_place_cues, pick_location, to_location
from stream.extract.names import PersonTagger, load_pipeline_with_ner
from stream.extract.participants import (
    Entity,
    Mention,
    ParticipantFinder,
    PlaceAt,
    _char_span,
    attach_roles,
    resolve,
    short_mentions,
    token_positions,
)
from stream.extract.pipeline import TOKEN_COLUMNS, Sentence, build_pipeline, split_sentences, token_arrays
from stream.extract.places import Gazetteer, PlaceMention, load_gazetteer
from stream.extract.topics import TopicClassifier, load_topic_classifier
from stream.extract.triggers import Trigger, TriggerFinder
from stream.records import (
    EventDate,
    Evidence,
    Extractor,
    MeetingEvent,
    Participant,
    Status,
    WireItem,
    make_event_id,
)

SUPPORTED_LANGUAGES = ("en", "id")
LEAD_CHARS = 400
"""A party named this early (the lead) is likely the article's subject."""
ATTENDANCE_LIST = 3
"""New names a sentence about the meeting just reported may add to it ("also attended by X and
Y"); that many or more are a list of officials in attendance, an entourage."""
BATCH_SIZE = 32
"""Docs per ``nlp.pipe`` batch."""


@dataclass(slots=True)
class _Language:
    nlp: Language
    triggers: TriggerFinder
    participants: ParticipantFinder
    persons: PersonTagger | None


class MeetingExtractor:
    """Finds the meetings an article reports."""

    def __init__(
        self,
        *,
        lexicon: Lexicon,
        gazetteer: Gazetteer,
        topics: TopicClassifier,
        languages: Sequence[str] = SUPPORTED_LANGUAGES,
        use_ner: bool = False,
        date_rules: DateRules | None = None,
        place_cues: PlaceCues | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.date_rules = date_rules if date_rules is not None else load_date_rules()
        self.place_cues = place_cues if place_cues is not None else load_place_cues()
        self.gazetteer = gazetteer
        self.topics = topics
        self._langs: dict[str, _Language] = {}
        for lang in languages:
            nlp = load_pipeline_with_ner(lang) if use_ner else None
            nlp = nlp or build_pipeline(lang)
            self._langs[lang] = _Language(
                nlp=nlp,
                triggers=TriggerFinder(nlp, lang, lexicon),
                participants=ParticipantFinder(nlp, lang, lexicon, gazetteer),
                persons=PersonTagger(nlp) if "ner" in nlp.pipe_names else None,
            )
        self._extractor = Extractor(name="meetwire", version=__version__)
        self._headline_words = {
            lang: HeadlineWords(
                function_words=lexicon.stopwords.get(lang, frozenset()),
                common_words=lexicon.common_words.get(lang, frozenset()),
            )
            for lang in self._langs
        }

    @property
    def supported_languages(self) -> frozenset[str]:
        """Language codes this extractor reads; others yield no events."""
        return frozenset(self._langs)

    @property
    def version_info(self) -> dict[str, str]:
        """Versions for ``meetwire_build_info``: spaCy, pipelines and data files."""
        info = {"spacy_version": metadata.version("spacy"), "extractor_version": __version__}
        for lang, bundle in sorted(self._langs.items()):
            meta = bundle.nlp.meta
            info[f"pipeline_{lang}"] = (
                f"{meta.get('name', 'blank')}-{meta.get('version', '0')}" if bundle.persons else f"blank:{lang}"
            )
        for name, version in sorted(self.lexicon.versions.items()):
            info[f"data_{name}"] = str(version)
        info["data_dates_vocabulary"] = str(self.date_rules.version)
        info["data_topics"] = self.topics.version
        info["data_place_cues"] = str(self.place_cues.version)
        for name, version in sorted(self.gazetteer.versions.items()):
            info[f"data_{name}"] = str(version)
        return info

    def language_of(self, item: WireItem) -> str | None:
        """The item's language: as given, else detected from the text."""
        if item.language:
            return item.language
        return detect_language(item.text, self.lexicon.stopwords)

    def extract(self, item: WireItem, *, received_at: datetime | None = None) -> list[MeetingEvent]:
        """Every meeting ``item`` reports; ``received_at`` anchors dates when the item has no clue."""
        return self.extract_many([(item, received_at)])[0]

    def extract_many(self, items: Sequence[tuple[WireItem, datetime | None]]) -> list[list[MeetingEvent]]:
        """Events for each item, in order; items of one language are tokenised in ``nlp.pipe`` batches."""
        out: list[list[MeetingEvent]] = [[] for _ in items]
        by_lang: dict[str, list[int]] = {}
        for i, (item, _) in enumerate(items):
            lang = self.language_of(item)
            if lang in self._langs:
                by_lang.setdefault(lang, []).append(i)
        for lang in sorted(by_lang):
            idxs = by_lang[lang]
            bundle = self._langs[lang]
            # tokenise only: the NER runs later, on trigger sentences alone
            tokenizer = cast(Tokenizer, bundle.nlp.tokenizer)
            docs = tokenizer.pipe((items[i][0].text for i in idxs), batch_size=BATCH_SIZE)
            for i, doc in zip(idxs, docs, strict=True):
                item, received_at = items[i]
                out[i] = self._events(item, doc, lang, bundle, received_at)
        return out

    # -- one article ---------------------------------------------------------------------

    def _events(
        self, item: WireItem, doc: Doc, lang: str, bundle: _Language, received_at: datetime | None
    ) -> list[MeetingEvent]:
        mask = boilerplate_mask(
            item.text,
            self.lexicon.boilerplate_prefixes,
            self.lexicon.caption_markers,
            self._headline_words[lang],
            self.lexicon.question_openers,
        )
        triggers = [t for t in bundle.triggers.in_doc(doc) if not mask.covers(doc[t.start].idx)]
        if not triggers:
            return []
        sentences = split_sentences(doc, item.text)
        cand_sents = _sentences_with(sentences, triggers)
        if not cand_sents:
            return []
        finder = bundle.participants
        titles = finder.titles_in(doc)
        if not any(not mask.covers(doc[t].idx) for t in titles):
            # no office title anywhere: no party we could name (and places/dates are the costly part)
            return []
        places = self.gazetteer.find_places(doc, item.text)
        dateline = self.gazetteer.dateline(item.text)
        blocked, place_starts = _place_tokens(doc, places)
        mentions = finder.find(doc, mask, blocked, titles, place_starts)
        taken = {t for m in mentions for t in range(m.start, m.end)}
        starts = sorted(m.start for m in mentions)
        for sent, sent_triggers in cand_sents:
            # the tagger is the slow part: only where a strong trigger has fewer than two known parties
            known = bisect_left(starts, sent.end) - bisect_left(starts, sent.start)
            needed = known < 2 and any(t.strength != "weak" for t in sent_triggers)
            tagged = bundle.persons.persons(doc, sent.start, sent.end) if bundle.persons and needed else None
            strong = [t.start for t in sent_triggers if t.strength == "strong"]
            mentions.extend(finder.untitled(doc, sent.start, sent.end, taken, blocked, tagged, titles, strong))
        mentions.sort(key=lambda m: m.start)
        mentions = attach_roles(doc, mentions)
        entities = resolve(mentions, finder.particles)
        taken = {t for m in mentions for t in range(m.start, m.end)}
        mentions.extend(short_mentions(doc, entities, mask, taken | blocked, finder.particles, finder.stop))
        mentions.sort(key=lambda m: m.start)
        subject = _main_subject(entities, mask, doc)
        dates = ParagraphDates(item, lang, received_at, sentences, doc=doc, rules=self.date_rules)
        bilateral = bundle.triggers.bilateral_context(item.text)
        separate_paragraphs = bundle.triggers.separate_paragraphs(item.text, sentences)
        companions = CompanionCues(
            named_after=token_positions(doc, self.lexicon.companion_words[lang]),
            named_before=token_positions(doc, self.lexicon.companion_subject_words[lang]),
        )
        candidates: list[Candidate] = []
        for sent, sent_triggers in cand_sents:
            if bundle.triggers.excluded(doc, sent, sent_triggers):
                continue
            candidates.extend(
                self._sentence_candidates(
                    doc,
                    sent,
                    sent_triggers,
                    mentions,
                    entities,
                    subject,
                    bundle,
                    dates,
                    candidates,
                    bilateral,
                    companions,
                    separate_paragraphs,
                )
            )
        fallback = article_place(item.text, places, dateline, mask, mentions, sentences, self.place_cues)
        person_spans = [m.span for m in mentions if m.kind == "person"]
        events: list[MeetingEvent] = []
        merged = without_shadowed_bodies(merge(candidates), entities)
        # Read only for an article with a meeting: most items have none.
        headline = bundle.triggers.title_status(bundle.nlp.make_doc(item.title)) if item.title and merged else None
        for cand in merged:
            if (
                headline == "planned"
                and cand.status == "held"
                and not cand.earlier
                and not bundle.triggers.marked_held(doc, cand.sentence, cand.trigger)
            ):
                # "X to hold talks with Y": a meeting the story tells of without a past form is the one to come
                cand.status = headline
            place = pick_location(item.text, places, dateline, cand, sentences, person_spans, fallback, self.place_cues)
            # later meetings in the article happen where the first located one did, unless told otherwise
            if fallback is not None and place is not None and place is not fallback and not events:
                fallback = place
            events.append(self._event(item, lang, cand, entities, sentences, place, dates))
        return events

    def _sentence_candidates(
        self,
        doc: Doc,
        sent: Sentence,
        triggers: list[Trigger],
        mentions: list[Mention],
        entities: list[Entity],
        subject: int | None,
        bundle: _Language,
        dates: ParagraphDates,
        previous: list[Candidate],
        bilateral: bool,
        companions: CompanionCues,
        separate_paragraphs: frozenset[int] = frozenset(),
    ) -> list[Candidate]:
        parties, first = sentence_parties(mentions, entities, sent)
        speech = self.lexicon.speech_words[doc.lang_]
        last = previous[-1] if previous else None
        if all(_anaphoric(doc, t) or bundle.triggers.attended(doc, sent, t) for t in triggers):
            # "The meeting ... was also attended by X", "X also attended the meeting": more
            # parties of the meeting just reported; "X, who also attended the meeting, said" may
            # come paragraphs later, and its attendees are the names before the verb
            attended = [t for t in triggers if bundle.triggers.attended(doc, sent, t)]
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
        triggers = [bundle.triggers.with_status(doc, sent, t) for t in triggers if not _anaphoric(doc, t)]
        pair = list(last.parties) if last is not None else _leading_pair(entities, subject, doc)
        # "Pertemuan ini sebelumnya sudah didahului rapat tertutup ... sambil makan malam bersama":
        # a strong trigger with no name, set earlier, right after a meeting is that pair's earlier one
        earlier_nameless = (
            last is not None
            and not parties
            and last.sentence.paragraph >= sent.paragraph - 1
            and any(t.strength == "strong" for t in triggers)
            and bundle.triggers.earlier(doc, sent)
        )
        if (
            pair
            and (not parties or (len(parties) < 2 and set(parties) <= set(pair) and bundle.triggers.earlier(doc, sent)))
            and (bundle.triggers.names_pair(doc, sent) or earlier_nameless)
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
                        earlier=bundle.triggers.earlier(doc, sent),
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
                and bundle.triggers.group_after(doc, sent, t) is None
            ):
                continue
            usable.append(t)
        # "was received at the airport by X": the welcome names its party after "by", so it may not be usable
        if bundle.triggers.arrival_welcome(doc, sent, usable or triggers):
            return []  # an airport welcome is not a meeting
        # "After talks, A will host a dinner for B": "after talks" looks back; the other trigger is the news
        own = [t for t in usable if not bundle.triggers.looks_back(doc, t)]
        trig = own[0] if own else usable[0] if usable else triggers[0]
        cancelled = [t for t in triggers if t.status == "cancelled"]
        if cancelled and trig.status != "cancelled":
            trig = Trigger(trig.start, trig.end, trig.strength, "cancelled", trig.text)
        if not usable and len(parties) < 2:
            # "Partai X dan Partai Y melanjutkan pembicaraan": organisations as the sides of a weak trigger
            parties = _with_organisations(doc, sent, triggers, parties, first, entities, bundle, mentions)
        if not usable and len(parties) < 2:
            return []
        # "he had bilateral meetings yesterday with A and B": a weak trigger whose parties follow "with"
        with_after = [t for t in triggers if t.strength == "weak" and _with_follows(doc, sent, t)]
        if subject is not None and subject not in parties and (usable or with_after):
            # "X met Y" names one side; "She met Y and Z": a pronoun stands for the article's subject
            after = all(first[p].start >= trig.end for p in parties if p in first)
            if (len(parties) == 1 and usable) or (
                after and any(bundle.triggers.pronoun_subject(doc, sent, t) for t in usable or with_after)
            ):
                parties = [subject, *parties]
        if len(parties) == 1:
            # "X hosted a delegation of business leaders": a group no name introduces is the other side
            side = _group_side(doc, sent, usable, parties, first, entities, bundle.triggers)
            if side is not None:
                parties.append(side)
        if len(parties) < 2:
            # "Kepolisian X dan Polisi Y menggelar pertemuan", "bertemu dengan delegasi Kadin Z"
            parties = _with_organisations(doc, sent, usable, parties, first, entities, bundle, mentions)
        if len(parties) < 2:
            return []
        segments = _trigger_segments(parties, first, usable)
        if segments is None:
            segments = [(trig, parties)]
            # "The governors met X separately. ... others who met X are A, B and C": each one's own meeting
            separate = any(bundle.triggers.separate(t) for t in usable) or bool(
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
                separate=separate or bundle.triggers.separate(seg_trig),
            ):
                out.append(
                    Candidate(
                        parties=list(group),
                        status=seg_trig.status,
                        sentence=sent,
                        trigger=seg_trig,
                        mentions={p: first[p] for p in group if p in first},
                        date_value=date_value(date, seg_trig.status),
                        earlier=bundle.triggers.earlier(doc, sent),
                    )
                )
        return out

    def _event(
        self,
        item: WireItem,
        lang: str,
        cand: Candidate,
        entities: list[Entity],
        sentences: list[Sentence],
        place: PlaceMention | None,
        dates: ParagraphDates,
    ) -> MeetingEvent:
        participants = tuple(_participant(entities, p, cand) for p in cand.parties)
        sent = cand.sentence
        location = to_location(place)
        date = meeting_date(dates, cand, sentences)
        evidence = Evidence(text=item.text[sent.start_char : sent.end_char], span=(sent.start_char, sent.end_char))
        context = " ".join(item.text[s.start_char : s.end_char] for s in cand.sentences)
        title = item.title or ""
        topic = self.topics.classify(f"{title}\n{context}", lang, article=f"{title}\n{item.text}")
        confidence = _confidence(cand, participants, entities, location is not None, date is not None)
        return MeetingEvent(
            event_id=make_event_id(item.id, [p.name for p in participants], sent.start_char),
            item_id=item.id,
            status=cand.status,
            participants=participants,
            evidence=evidence,
            confidence=confidence,
            extractor=self._extractor,
            source=item.source,
            url=item.url,
            language=lang,
            location=location,
            date=EventDate(
                value=date_value(date, cand.status) or date.value,
                precision=date.precision,
                mention=date.mention,
                span=date.span,
            )
            if date
            else None,
            topic=topic,
            reported_on=dates.anchor.iso() if dates.anchor else None,
        )


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
    bundle: _Language,
    mentions: list[Mention],
) -> list[int]:
    """``parties`` with the organisations named as the sides of a trigger ("Kepolisian X dan
    Polisi Y menggelar pertemuan", "bertemu dengan delegasi Kadin Z") added as body entities,
    in the sentence's order (``first`` gets their mentions)."""
    taken = {t for m in mentions for t in range(m.start, m.end)}
    runs = bundle.participants.organisations(doc, sent.start, sent.end, taken)
    if not runs:
        return parties
    out = list(parties)
    for trig in triggers:
        # "gelar audiensi dengan Kodam X, dilanjutkan dengan Gubernur Y": a named party after the
        # trigger is its object, as an organisation after it would be; together they are no meeting
        objects_only = bool(parties) and all(p in first and first[p].start >= trig.end for p in parties)
        for start, end in bundle.triggers.organisation_sides(doc, sent, trig, runs):
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


def _sentences_with(sentences: list[Sentence], triggers: list[Trigger]) -> list[tuple[Sentence, list[Trigger]]]:
    out = []
    ti = 0
    for sent in sentences:
        here = []
        while ti < len(triggers) and triggers[ti].start < sent.end:
            if triggers[ti].start >= sent.start:
                here.append(triggers[ti])
            ti += 1
        if here:
            out.append((sent, here))
    return out


def _place_tokens(doc: Doc, places: list[PlaceMention]) -> tuple[set[int], dict[int, PlaceAt]]:
    """Token indices covered by places, and the place each of them belongs to."""
    out: set[int] = set()
    starts: dict[int, PlaceAt] = {}
    if not places:
        return out, starts
    # the tokens a character range touches (``char_span(..., alignment_mode="expand")``), by bisection
    arr = token_arrays(doc)
    tok_starts: list[int] = arr[:, TOKEN_COLUMNS.index(IDX)].tolist()
    tok_ends: list[int] = (arr[:, TOKEN_COLUMNS.index(IDX)] + arr[:, TOKEN_COLUMNS.index(LENGTH)]).tolist()
    for p in places:
        first = bisect_right(tok_ends, p.span[0])
        last = bisect_left(tok_starts, p.span[1])
        if first >= last:
            continue
        out.update(range(first, last))
        # every token maps to its place: "Wali Kota" + "Kota Bandung" overlap on "Kota"
        for t in range(first, last):
            starts.setdefault(t, PlaceAt(last, p.name, p.country))
    return out, starts


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


def _main_subject(entities: list[Entity], mask: Mask, doc: Doc) -> int | None:
    best: tuple[int, int, int] | None = None
    for i, e in enumerate(entities):
        if e.kind != "person" or e.reporter:
            continue
        count = sum(1 for m in e.mentions if not mask.covers(doc[m.start].idx))
        if count == 0:
            continue
        first = min(m.start for m in e.mentions)
        lead = 3 if doc[first].idx < LEAD_CHARS else 0
        key = (count + (1 if e.title else 0) + lead, -first, i)
        if best is None or key > best:
            best = key
    return best[2] if best else None


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


def _participant(entities: list[Entity], idx: int, cand: Candidate) -> Participant:
    ent = entities[idx]
    m = cand.mentions.get(idx)
    if m is None:
        m = ent.best_mention()
    title = ent.title
    if title is None and any(x.counterpart for x in ent.mentions):
        others = [entities[p].title for p in cand.parties if p != idx and entities[p].title]
        title = others[0] if others else None
    return Participant(
        name=ent.name,
        title=title,
        affiliation=ent.affiliation,
        country=ent.country,
        mention=m.mention,
        span=m.span,
    )


def _confidence(
    cand: Candidate, participants: tuple[Participant, ...], entities: list[Entity], has_place: bool, has_date: bool
) -> float:
    """A score that ranks right above wrong: trigger strength, parties named with office and
    country, a lead-paragraph report, repeated mentions, and a place and date found."""
    score = 0.3
    score += {"strong": 0.2, "object": 0.15, "weak": 0.05}[cand.trigger.strength]
    score += 0.08 * min(sum(1 for p in participants if p.title), 2)
    score += 0.04 * min(sum(1 for i in cand.parties if entities[i].explicit_country), 2)
    if any(p.title is None for p in participants):
        score -= 0.05  # a name no title introduced is a likelier mistake
    if any(len(p.name.split()) < 2 for p in participants):
        score -= 0.12  # a lone word never seen as a full name: often not a person at all
    score += 0.05 if cand.sentence.start_char < LEAD_CHARS else 0.0
    score += 0.05 * min(len(cand.sentences) - 1, 2)
    score += 0.06 if has_place else 0.0
    score += 0.06 if has_date else 0.0
    if cand.status != "held":
        score -= 0.05
    return round(min(max(score, 0.05), 0.99), 4)


def load_extractor(*, use_ner: bool = False) -> MeetingExtractor:
    """Build the extractor (pipelines, gazetteers, word lists) once, at start-up.

    ``use_ner`` adds the shipped statistical person tagger (Indonesian) for names no title
    introduces. Off by default: on the dev set it added one participant (F1 +0.01 on id),
    on invented untitled names it found none the capitalised-run rule misses, and it costs a
    third of the throughput and ~5 s of start-up.
    """
    return MeetingExtractor(
        lexicon=load_lexicon(), gazetteer=load_gazetteer(), topics=load_topic_classifier(), use_ner=use_ner
    )


__all__ = ["SUPPORTED_LANGUAGES", "DateAnchor", "MeetingExtractor", "Status", "load_extractor"]
