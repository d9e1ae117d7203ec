"""The meeting extractor: language pipelines, triggers, parties, place, date and topic per meeting.

Everything heavy (spaCy pipelines, matchers, gazetteer, word lists) is built once by
:func:`load_extractor`; :meth:`MeetingExtractor.extract` is then pure and deterministic.
Expensive steps (places, participants) run only for articles with a trigger and an office
title, untitled names only in trigger sentences, and dates only in the paragraphs of
candidate meetings. The text is passed along as ``item.text``: ``Doc.text`` is rebuilt on
every access.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from typing import cast

from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from stream import __version__
from stream.extract.assemble import Candidate, merge, without_shadowed_bodies
from stream.extract.candidates import CandidateFinder, CompanionCues
from stream.extract.dates import DateAnchor, DateRules, load_date_rules
from stream.extract.hygiene import HeadlineWords, Mask, boilerplate_mask
from stream.extract.language import detect_language
from stream.extract.lexicon import Lexicon, load_lexicon
from stream.extract.meeting_date import ParagraphDates, date_value, meeting_date
from stream.extract.meeting_place import PlaceCues, article_place, load_place_cues, pick_location, to_location
from stream.extract.names import PersonTagger, load_pipeline_with_ner
from stream.extract.participants import (
    Entity,
    ParticipantFinder,
    PlaceAt,
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
BATCH_SIZE = 32
"""Docs per ``nlp.pipe`` batch."""


@dataclass(slots=True)
class _Language:
    nlp: Language
    triggers: TriggerFinder
    participants: ParticipantFinder
    persons: PersonTagger | None
    candidates: CandidateFinder


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
            triggers = TriggerFinder(nlp, lang, lexicon)
            participants = ParticipantFinder(nlp, lang, lexicon, gazetteer)
            self._langs[lang] = _Language(
                nlp=nlp,
                triggers=triggers,
                participants=participants,
                persons=PersonTagger(nlp) if "ner" in nlp.pipe_names else None,
                candidates=CandidateFinder(triggers, participants, lexicon.speech_words[lang]),
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
                bundle.candidates.in_sentence(
                    doc,
                    sent,
                    sent_triggers,
                    mentions,
                    entities,
                    subject,
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
