"""The meeting extractor's spaCy components: each annotates the Doc for the ones after it.

A language's pipeline (``configs/<lang>.cfg``, built by :func:`build_language`) runs, in order:

- ``meetwire_mask``: boilerplate regions (related links, bylines, headline lines) -> ``Doc._.meetwire_mask``
- ``meetwire_triggers``: meeting triggers outside them -> ``Doc._.meetwire_triggers`` (the
  :class:`Trigger` objects, with their status) and ``doc.spans["meetwire_triggers"]`` (label: strength)
- ``meetwire_sentences``: sentences, and those holding a trigger -> ``Doc._.meetwire_sentences``,
  ``Doc._.meetwire_trigger_sentences``
- ``meetwire_titles``: office titles, when one lies outside the mask -> ``Doc._.meetwire_titles``
- ``meetwire_places``: gazetteer places, dateline, the tokens they cover -> ``Doc._.meetwire_places``
- ``meetwire_participants``: mentions, entities, the article's subject -> ``Doc._.meetwire_mentions``,
  ``Doc._.meetwire_entities``, ``Doc._.meetwire_subject``, ``doc.spans["meetwire_mentions"]`` (label: kind)
- ``meetwire_dates``: the article's dates, read on first use -> ``Doc._.meetwire_dates``
- ``meetwire_candidates``: candidate meetings of the trigger sentences, merged -> ``Doc._.meetwire_candidates``
- ``meetwire_meetings``: each meeting with its status, place and date -> ``Doc._.meetwire_meetings``

Each component reads what the ones before it set and leaves the Doc alone when that is missing or
empty: an article with no trigger outside boilerplate, no sentence holding one, or no office
title outside boilerplate goes no further (most wire items), as places, participants and dates
are the costly steps. The article (``WireItem``, time received) reaches the components as
``Doc._.meetwire_context``, set before the pipeline runs; a Doc without one (a test's) is read
as an article of its own text. Sentences and places stay our own small objects, not Spans: they
carry paragraphs and character spans, and building Spans for every sentence of every triggered
article would cost for nothing; the mentions' spans come with the Mention objects beside them,
which carry what a Span cannot (title, country, the entity they resolve to).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import load_model_from_config

from stream.extract.assemble import Candidate, merge, without_shadowed_bodies
from stream.extract.candidates import CandidateFinder, CompanionCues
from stream.extract.dates import DateMention, DateRules
from stream.extract.hygiene import HeadlineWords, Mask, boilerplate_mask
from stream.extract.lexicon import Lexicon, TitleEntry
from stream.extract.meeting_date import ParagraphDates, meeting_date
from stream.extract.meeting_place import article_place, pick_location
from stream.extract.names import PersonTagger, load_pipeline_with_ner
from stream.extract.participants import (
    Entity,
    Mention,
    ParticipantFinder,
    PlaceAt,
    attach_roles,
    resolve,
    short_mentions,
    token_positions,
)
from stream.extract.pipeline import TOKEN_COLUMNS, Sentence, language_config, split_sentences, token_arrays
from stream.extract.places import Gazetteer, PlaceMention
from stream.extract.resources import DEFAULT, Resources, resources_named
from stream.extract.triggers import Trigger, TriggerFinder
from stream.records import WireItem

LEAD_CHARS = 400
"""A party named this early (the lead) is likely the article's subject."""
TRIGGER_SPANS = "meetwire_triggers"
MENTION_SPANS = "meetwire_mentions"
_NO_MASK = Mask(regions=(), starts=())

TitleMatches = dict[int, tuple[int, TitleEntry]]
"""Office titles by start token: (end token, entry)."""


# -- what the Doc carries --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleContext:
    """The article a Doc was made from, for what its tokens do not tell."""

    item: WireItem
    received_at: datetime | None = None
    """When the item was received: anchors dates when the article gives no clue."""


@dataclass(frozen=True, slots=True)
class ArticlePlaces:
    """The places an article names, and the tokens they cover (a name never starts there)."""

    mentions: list[PlaceMention]
    dateline: PlaceMention | None
    tokens: set[int]
    at_token: dict[int, PlaceAt]
    """The place each covered token belongs to."""


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting an article reports, before it becomes a meeting event."""

    candidate: Candidate
    place: PlaceMention | None
    date: DateMention | None


_EXTENSIONS = (
    "meetwire_context",
    "meetwire_mask",
    "meetwire_triggers",
    "meetwire_sentences",
    "meetwire_trigger_sentences",
    "meetwire_titles",
    "meetwire_places",
    "meetwire_mentions",
    "meetwire_entities",
    "meetwire_subject",
    "meetwire_dates",
    "meetwire_candidates",
    "meetwire_meetings",
)
for _name in _EXTENSIONS:
    # ``None`` until a component sets it: "not computed" (an earlier step found nothing)
    Doc.set_extension(_name, default=None, force=True)


def set_context(doc: Doc, item: WireItem, received_at: datetime | None) -> Doc:
    """Tell the components which article ``doc`` was made from; to call before the pipeline runs."""
    doc._.meetwire_context = ArticleContext(item, received_at)
    return doc


def context_of(doc: Doc) -> ArticleContext:
    """The article of ``doc``: the one set before the pipeline ran, else one of its own text."""
    context = doc._.meetwire_context
    if context is None:
        context = set_context(doc, WireItem(id="", text=doc.text, language=doc.lang_), None)._.meetwire_context
    return cast(ArticleContext, context)


def text_of(doc: Doc) -> str:
    """The article's text: ``Doc.text`` is rebuilt on every access."""
    return context_of(doc).item.text


def mask_of(doc: Doc) -> Mask:
    """The boilerplate mask; none when ``meetwire_mask`` did not run (a component tested alone)."""
    mask = doc._.meetwire_mask
    return _NO_MASK if mask is None else cast(Mask, mask)


def meetings_of(doc: Doc) -> list[Meeting]:
    """The meetings ``meetwire_meetings`` found: none when an earlier step stopped the article."""
    return cast(list[Meeting], doc._.meetwire_meetings or [])


def language_of(nlp: Language) -> str:
    """The language code of ``nlp`` (every pipeline built from a config has one)."""
    if nlp.lang is None:
        raise ValueError("a meetwire component needs a pipeline with a language")
    return nlp.lang


# -- per-language rules, shared by the components of one pipeline ---------------------------


@dataclass(frozen=True, slots=True)
class LanguageRules:
    """The matchers of one pipeline, built once from its vocab and shared by its components."""

    resources: Resources
    triggers: TriggerFinder
    participants: ParticipantFinder
    candidates: CandidateFinder
    persons: PersonTagger | None
    """The statistical person tagger, when the pipeline has an ``ner`` (``use_ner``)."""


_RULES_ATTR = "_meetwire_rules"


def language_rules(nlp: Language, resources: str) -> LanguageRules:
    """The rules of ``nlp``'s language read from the resources named ``resources``, built on the
    first call for that pipeline (several components need the same matchers)."""
    # kept on the pipeline itself, not in a module-level cache: the rules hold the pipeline (its
    # vocab, its tokenizer), so a cache would keep every pipeline ever built alive
    built = cast(dict[str, LanguageRules], vars(nlp).setdefault(_RULES_ATTR, {}))
    if resources not in built:
        data = resources_named(resources)
        lang = language_of(nlp)
        triggers = TriggerFinder(nlp, lang, data.lexicon)
        participants = ParticipantFinder(nlp, lang, data.lexicon, data.gazetteer)
        built[resources] = LanguageRules(
            resources=data,
            triggers=triggers,
            participants=participants,
            candidates=CandidateFinder(triggers, participants, data.lexicon.speech_words[lang]),
            persons=PersonTagger(nlp) if "ner" in nlp.component_names else None,
        )
    return built[resources]


# -- the components --------------------------------------------------------------------------


class BoilerplateMask:
    """``meetwire_mask``: the regions of the article every later step ignores."""

    def __init__(self, lexicon: Lexicon, language: str) -> None:
        self.lexicon = lexicon
        self.headline_words = HeadlineWords(
            function_words=lexicon.stopwords.get(language, frozenset()),
            common_words=lexicon.common_words.get(language, frozenset()),
        )

    def __call__(self, doc: Doc) -> Doc:
        lex = self.lexicon
        doc._.meetwire_mask = boilerplate_mask(
            text_of(doc), lex.boilerplate_prefixes, lex.caption_markers, self.headline_words, lex.question_openers
        )
        return doc


class MeetingTriggers:
    """``meetwire_triggers``: the meeting triggers outside boilerplate, in token order."""

    def __init__(self, finder: TriggerFinder) -> None:
        self.finder = finder

    def __call__(self, doc: Doc) -> Doc:
        mask = mask_of(doc)
        found = [t for t in self.finder.in_doc(doc) if not mask.covers(doc[t.start].idx)]
        doc._.meetwire_triggers = found
        if found:
            doc.spans[TRIGGER_SPANS] = [Span(doc, t.start, t.end, label=t.strength) for t in found]
        return doc


class TriggerSentences:
    """``meetwire_sentences``: an article's sentences and, of them, those holding a trigger."""

    def __call__(self, doc: Doc) -> Doc:
        triggers = cast(list[Trigger] | None, doc._.meetwire_triggers)
        if not triggers:
            return doc
        sentences = split_sentences(doc, text_of(doc))
        doc._.meetwire_sentences = sentences
        doc._.meetwire_trigger_sentences = sentences_with(sentences, triggers)
        return doc


class OfficeTitles:
    """``meetwire_titles``: the office titles, kept only when one lies outside boilerplate (with
    no office title there is no party we could name, and places and dates are the costly part)."""

    def __init__(self, finder: ParticipantFinder) -> None:
        self.finder = finder

    def __call__(self, doc: Doc) -> Doc:
        if not doc._.meetwire_trigger_sentences:
            return doc
        titles = self.finder.titles_in(doc)
        mask = mask_of(doc)
        if any(not mask.covers(doc[t].idx) for t in titles):
            doc._.meetwire_titles = titles
        return doc


class Places:
    """``meetwire_places``: the gazetteer's places, the dateline city and the tokens they cover."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        if doc._.meetwire_titles is None:
            return doc
        text = text_of(doc)
        found = self.gazetteer.find_places(doc, text)
        dateline = self.gazetteer.dateline(text)
        tokens, at_token = place_tokens(doc, found)
        doc._.meetwire_places = ArticlePlaces(found, dateline, tokens, at_token)
        return doc


class Participants:
    """``meetwire_participants``: titled mentions anywhere, untitled names in trigger sentences,
    short mentions of known people, the entities they resolve to and the article's subject."""

    def __init__(self, rules: LanguageRules) -> None:
        self.finder = rules.participants
        self.persons = rules.persons

    def __call__(self, doc: Doc) -> Doc:
        places = cast(ArticlePlaces | None, doc._.meetwire_places)
        if places is None:
            return doc
        mask = mask_of(doc)
        titles = cast(TitleMatches, doc._.meetwire_titles)
        finder = self.finder
        mentions = finder.find(doc, mask, places.tokens, titles, places.at_token)
        mentions.extend(self._untitled(doc, mentions, places.tokens, titles))
        mentions.sort(key=lambda m: m.start)
        mentions = attach_roles(doc, mentions)
        entities = resolve(mentions, finder.particles)
        taken = {t for m in mentions for t in range(m.start, m.end)}
        mentions.extend(short_mentions(doc, entities, mask, taken | places.tokens, finder.particles, finder.stop))
        mentions.sort(key=lambda m: m.start)
        doc._.meetwire_mentions = mentions
        doc._.meetwire_entities = entities
        doc._.meetwire_subject = main_subject(entities, mask, doc)
        doc.spans[MENTION_SPANS] = [Span(doc, m.start, m.end, label=m.kind) for m in mentions]
        return doc

    def _untitled(self, doc: Doc, titled: list[Mention], blocked: set[int], titles: TitleMatches) -> list[Mention]:
        """Names no title introduces, read in the trigger sentences only."""
        taken = {t for m in titled for t in range(m.start, m.end)}
        starts = sorted(m.start for m in titled)
        found: list[Mention] = []
        for sent, triggers in cast(list[tuple[Sentence, list[Trigger]]], doc._.meetwire_trigger_sentences):
            # the tagger is the slow part: only where a strong trigger has fewer than two known parties
            known = bisect_left(starts, sent.end) - bisect_left(starts, sent.start)
            needed = known < 2 and any(t.strength != "weak" for t in triggers)
            tagged = self.persons.persons(doc, sent.start, sent.end) if self.persons and needed else None
            strong = [t.start for t in triggers if t.strength == "strong"]
            found.extend(self.finder.untitled(doc, sent.start, sent.end, taken, blocked, tagged, titles, strong))
        return found


class Dates:
    """``meetwire_dates``: the article's date mentions, found paragraph by paragraph on first use
    (only the paragraphs of candidate meetings ever need them)."""

    def __init__(self, rules: DateRules, language: str) -> None:
        self.rules = rules
        self.language = language

    def __call__(self, doc: Doc) -> Doc:
        if doc._.meetwire_entities is None:
            return doc
        context = context_of(doc)
        sentences = cast(list[Sentence], doc._.meetwire_sentences)
        doc._.meetwire_dates = ParagraphDates(
            context.item, self.language, context.received_at, sentences, doc=doc, rules=self.rules
        )
        return doc


class Candidates:
    """``meetwire_candidates``: the candidate meetings of each trigger sentence, merged into one
    per distinct meeting."""

    def __init__(self, rules: LanguageRules, language: str) -> None:
        self.triggers = rules.triggers
        self.finder = rules.candidates
        lexicon = rules.resources.lexicon
        self.companion_words = lexicon.companion_words[language]
        self.companion_subject_words = lexicon.companion_subject_words[language]

    def __call__(self, doc: Doc) -> Doc:
        dates = cast(ParagraphDates | None, doc._.meetwire_dates)
        if dates is None:
            return doc
        text = text_of(doc)
        entities = cast(list[Entity], doc._.meetwire_entities)
        mentions = cast(list[Mention], doc._.meetwire_mentions)
        subject = cast(int | None, doc._.meetwire_subject)
        bilateral = self.triggers.bilateral_context(text)
        separate_paragraphs = self.triggers.separate_paragraphs(text, cast(list[Sentence], doc._.meetwire_sentences))
        companions = CompanionCues(
            named_after=token_positions(doc, self.companion_words),
            named_before=token_positions(doc, self.companion_subject_words),
        )
        candidates: list[Candidate] = []
        for sent, triggers in cast(list[tuple[Sentence, list[Trigger]]], doc._.meetwire_trigger_sentences):
            if self.triggers.excluded(doc, sent, triggers):
                continue
            candidates.extend(
                self.finder.in_sentence(
                    doc,
                    sent,
                    triggers,
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
        doc._.meetwire_candidates = without_shadowed_bodies(merge(candidates), entities)
        return doc


class Meetings:
    """``meetwire_meetings``: each merged candidate as a meeting, with the status the headline
    gives it, the place it happened at and its date."""

    def __init__(self, nlp: Language, rules: LanguageRules) -> None:
        self.make_doc = nlp.make_doc
        self.triggers = rules.triggers
        self.cues = rules.resources.place_cues

    def __call__(self, doc: Doc) -> Doc:
        merged = cast(list[Candidate] | None, doc._.meetwire_candidates)
        if merged is None:
            return doc
        text = text_of(doc)
        places = cast(ArticlePlaces, doc._.meetwire_places)
        mentions = cast(list[Mention], doc._.meetwire_mentions)
        sentences = cast(list[Sentence], doc._.meetwire_sentences)
        dates = cast(ParagraphDates, doc._.meetwire_dates)
        fallback = article_place(text, places.mentions, places.dateline, mask_of(doc), mentions, sentences, self.cues)
        person_spans = [m.span for m in mentions if m.kind == "person"]
        title = context_of(doc).item.title
        # Read only for an article with a meeting: most items have none.
        headline = self.triggers.title_status(self.make_doc(title)) if title and merged else None
        meetings: list[Meeting] = []
        for cand in merged:
            if (
                headline == "planned"
                and cand.status == "held"
                and not cand.earlier
                and not self.triggers.marked_held(doc, cand.sentence, cand.trigger)
            ):
                # "X to hold talks with Y": a meeting the story tells of without a past form is the one to come
                cand.status = headline
            place = pick_location(
                text, places.mentions, places.dateline, cand, sentences, person_spans, fallback, self.cues
            )
            # later meetings in the article happen where the first located one did, unless told otherwise
            if fallback is not None and place is not None and place is not fallback and not meetings:
                fallback = place
            meetings.append(Meeting(cand, place, meeting_date(dates, cand, sentences)))
        doc._.meetwire_meetings = meetings
        return doc


# -- factories: what a config's ``factory = "meetwire_..."`` builds ------------------------------

_RESOURCES = {"resources": DEFAULT}


@Language.factory("meetwire_mask", default_config=_RESOURCES)
def make_boilerplate_mask(nlp: Language, name: str, resources: str) -> BoilerplateMask:
    return BoilerplateMask(resources_named(resources).lexicon, language_of(nlp))


@Language.factory("meetwire_triggers", default_config=_RESOURCES)
def make_meeting_triggers(nlp: Language, name: str, resources: str) -> MeetingTriggers:
    return MeetingTriggers(language_rules(nlp, resources).triggers)


@Language.factory("meetwire_sentences")
def make_trigger_sentences(nlp: Language, name: str) -> TriggerSentences:
    return TriggerSentences()


@Language.factory("meetwire_titles", default_config=_RESOURCES)
def make_office_titles(nlp: Language, name: str, resources: str) -> OfficeTitles:
    return OfficeTitles(language_rules(nlp, resources).participants)


@Language.factory("meetwire_places", default_config=_RESOURCES)
def make_places(nlp: Language, name: str, resources: str) -> Places:
    return Places(resources_named(resources).gazetteer)


@Language.factory("meetwire_participants", default_config=_RESOURCES)
def make_participants(nlp: Language, name: str, resources: str) -> Participants:
    return Participants(language_rules(nlp, resources))


@Language.factory("meetwire_dates", default_config=_RESOURCES)
def make_dates(nlp: Language, name: str, resources: str) -> Dates:
    return Dates(resources_named(resources).date_rules, language_of(nlp))


@Language.factory("meetwire_candidates", default_config=_RESOURCES)
def make_candidates(nlp: Language, name: str, resources: str) -> Candidates:
    return Candidates(language_rules(nlp, resources), language_of(nlp))


@Language.factory("meetwire_meetings", default_config=_RESOURCES)
def make_meetings(nlp: Language, name: str, resources: str) -> Meetings:
    return Meetings(nlp, language_rules(nlp, resources))


def build_language(language: str, *, resources: str = DEFAULT, use_ner: bool = False) -> Language:
    """``language``'s pipeline from its config, its components reading the resources named
    ``resources``. With ``use_ner`` (and a shipped model), the model's tokenizer and ``ner`` come
    first; the ``ner`` is disabled, as the participants component runs it on trigger sentences
    alone, never over a whole article."""
    config = language_config(language, {"meetwire.resources": resources})
    nlp = load_pipeline_with_ner(language) if use_ner else None
    if nlp is None:
        built: Language = load_model_from_config(config, auto_fill=True, validate=True)
        return built
    components = config.interpolate()["components"]
    for name in config["nlp"]["pipeline"]:
        settings = dict(components[name])
        nlp.add_pipe(settings.pop("factory"), name=name, config=settings)
    nlp.disable_pipe("ner")
    return nlp


# -- helpers ---------------------------------------------------------------------------------


def sentences_with(sentences: list[Sentence], triggers: list[Trigger]) -> list[tuple[Sentence, list[Trigger]]]:
    """The sentences holding a trigger, each with its triggers (both lists in token order)."""
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


def place_tokens(doc: Doc, places: list[PlaceMention]) -> tuple[set[int], dict[int, PlaceAt]]:
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


def main_subject(entities: list[Entity], mask: Mask, doc: Doc) -> int | None:
    """The person the article is about: mentioned most outside boilerplate, titled, in the lead."""
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
