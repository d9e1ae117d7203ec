"""The meeting extractor: a spaCy pipeline per language, then meeting events v1.

Each language's pipeline is built from its config (``configs/<lang>.cfg``) by
:func:`stream.extract.components.build_language`: a tokenizer, then components that mask
boilerplate, find triggers, sentences, office titles, places, participants, dates, candidate
meetings and, last, the meetings, each on the Doc (``Doc._.meetwire_*``, ``doc.spans``). An
article with no trigger, no sentence holding one or no office title goes no further, as today
most wire items. :meth:`MeetingExtractor.extract_many` is ``nlp.pipe`` over the items of each
language plus the conversion of ``Doc._.meetwire_meetings`` to :class:`MeetingEvent`: parties,
evidence, topic and confidence. The topic is read here rather than in a component because the
classifier is the extractor's to swap (``extractor.topics``, as the topic training and
cross-validation scripts do).

Everything heavy (pipelines, matchers, gazetteer, word lists, topic model) is built once by
:func:`load_extractor`, the shared rule data once per process
(:mod:`stream.extract.resources`); :meth:`MeetingExtractor.extract` is then pure and
deterministic. The text is passed along as ``item.text``: ``Doc.text`` is rebuilt on every access.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from importlib import metadata
from typing import cast

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from stream import __version__
from stream.extract.assemble import Candidate
from stream.extract.components import LEAD_CHARS, Meeting, build_language, meetings_of, set_context
from stream.extract.dates import DateAnchor, DateRules, load_date_rules
from stream.extract.language import detect_language
from stream.extract.lexicon import Lexicon
from stream.extract.meeting_date import ParagraphDates, date_value
from stream.extract.meeting_place import PlaceCues, load_place_cues, to_location
from stream.extract.participants import Entity
from stream.extract.pipeline import configured_languages
from stream.extract.places import Gazetteer
from stream.extract.resources import Resources, default_resources, default_topic_classifier, register
from stream.extract.topics import TopicClassifier
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

SUPPORTED_LANGUAGES = configured_languages()
"""The languages with a pipeline config (``configs/<lang>.cfg``): "en" and "id"."""
BATCH_SIZE = 32
"""Docs per ``nlp.pipe`` batch."""


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
        resources = Resources(
            lexicon=lexicon,
            gazetteer=gazetteer,
            date_rules=date_rules if date_rules is not None else load_date_rules(),
            place_cues=place_cues if place_cues is not None else load_place_cues(),
        )
        self.lexicon = lexicon
        self.date_rules = resources.date_rules
        self.place_cues = resources.place_cues
        self.gazetteer = gazetteer
        self.topics = topics
        # the components find these by name: a config holds strings, not objects
        resources_name = register(resources)
        self._pipelines: dict[str, Language] = {
            lang: build_language(lang, resources=resources_name, use_ner=use_ner) for lang in languages
        }
        self._extractor = Extractor(name="meetwire", version=__version__)

    @property
    def supported_languages(self) -> frozenset[str]:
        """Language codes this extractor reads; others yield no events."""
        return frozenset(self._pipelines)

    @property
    def version_info(self) -> dict[str, str]:
        """Versions for ``meetwire_build_info``: spaCy, pipelines (and their components) and data files."""
        info = {"spacy_version": metadata.version("spacy"), "extractor_version": __version__}
        for lang, nlp in sorted(self._pipelines.items()):
            meta = nlp.meta
            info[f"pipeline_{lang}"] = (
                f"{meta.get('name', 'blank')}-{meta.get('version', '0')}"
                if "ner" in nlp.component_names
                else f"blank:{lang}"
            )
            # the config's steps: a changed pipeline shows in the build info as a changed data file does
            info[f"pipeline_{lang}_components"] = ",".join(nlp.pipe_names)
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
        """Events for each item, in order; the items of one language go through its pipeline in
        ``nlp.pipe`` batches."""
        out: list[list[MeetingEvent]] = [[] for _ in items]
        by_lang: dict[str, list[int]] = {}
        for i, (item, _) in enumerate(items):
            lang = self.language_of(item)
            if lang in self._pipelines:
                by_lang.setdefault(lang, []).append(i)
        for lang in sorted(by_lang):
            idxs = by_lang[lang]
            nlp = self._pipelines[lang]
            docs = nlp.pipe(_docs(nlp, [items[i] for i in idxs]), batch_size=BATCH_SIZE)
            for i, doc in zip(idxs, docs, strict=True):
                out[i] = self._events(items[i][0], lang, doc)
        return out

    # -- one article ---------------------------------------------------------------------

    def _events(self, item: WireItem, lang: str, doc: Doc) -> list[MeetingEvent]:
        meetings = meetings_of(doc)
        if not meetings:
            return []
        entities = cast(list[Entity], doc._.meetwire_entities)
        dates = cast(ParagraphDates, doc._.meetwire_dates)
        return [self._event(item, lang, meeting, entities, dates) for meeting in meetings]

    def _event(
        self, item: WireItem, lang: str, meeting: Meeting, entities: list[Entity], dates: ParagraphDates
    ) -> MeetingEvent:
        cand = meeting.candidate
        participants = tuple(_participant(entities, p, cand) for p in cand.parties)
        sent = cand.sentence
        location = to_location(meeting.place)
        date = meeting.date
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


def _docs(nlp: Language, items: Sequence[tuple[WireItem, datetime | None]]) -> Iterator[Doc]:
    """The items tokenised in batches, each Doc told its article (the components read it)."""
    tokenizer = cast(Tokenizer, nlp.tokenizer)
    texts = (item.text for item, _ in items)
    for (item, received_at), doc in zip(items, tokenizer.pipe(texts, batch_size=BATCH_SIZE), strict=True):
        yield set_context(doc, item, received_at)


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
    shipped = default_resources()
    return MeetingExtractor(
        lexicon=shipped.lexicon,
        gazetteer=shipped.gazetteer,
        topics=default_topic_classifier(),
        use_ner=use_ner,
        date_rules=shipped.date_rules,
        place_cues=shipped.place_cues,
    )


__all__ = ["SUPPORTED_LANGUAGES", "DateAnchor", "MeetingExtractor", "Status", "load_extractor"]
