"""The pipeline components (stream.extract.components), each on its own in a blank pipeline, and the
short-circuit of an article with no candidate. Invented sentences and names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from stream.extract import SUPPORTED_LANGUAGES, MeetingExtractor
from stream.extract.components import (
    ArticlePlaces,
    build_language,
    mask_of,
    meetings_of,
    set_context,
)
from stream.extract.pipeline import build_pipeline, configured_languages
from stream.extract.triggers import Trigger
from stream.records import WireItem

MEETING_EN = (
    "LISBON, March 4 - Foreign Minister Alan Tarrow met Trade Minister Bela Okonjo in Lisbon on Monday.\n"
    "Read also: Foreign Minister Alan Tarrow met the press"
)
NO_TRIGGER_EN = "The harbour reopened on Monday after a week of storms, the port authority said."
UNTITLED_EN = "The farmers met the buyers at the market on Monday."

STEPS = (
    "meetwire_mask",
    "meetwire_triggers",
    "meetwire_sentences",
    "meetwire_titles",
    "meetwire_places",
    "meetwire_participants",
    "meetwire_dates",
    "meetwire_candidates",
    "meetwire_meetings",
)


def _blank(lang: str, *steps: str) -> Language:
    nlp = spacy.blank(lang)
    for step in steps:
        nlp.add_pipe(step)
    return nlp


@pytest.fixture(scope="module")
def english() -> Language:
    """Every step, added one by one to a blank pipeline."""
    return _blank("en", *STEPS)


def test_mask_covers_a_related_link_line() -> None:
    doc = _blank("en", "meetwire_mask")(MEETING_EN)
    related = MEETING_EN.index("Read also")
    assert mask_of(doc).covers(related)
    assert not mask_of(doc).covers(MEETING_EN.index("met"))


def test_triggers_outside_the_mask_become_spans_and_trigger_objects() -> None:
    doc = _blank("en", "meetwire_mask", "meetwire_triggers")(MEETING_EN)
    triggers: list[Trigger] = doc._.meetwire_triggers
    assert [t.text for t in triggers] == ["met"]  # the one in "Read also:" is masked
    assert [(s.text, s.label_) for s in doc.spans["meetwire_triggers"]] == [("met", triggers[0].strength)]
    assert triggers[0].status == "held"


def test_triggers_alone_read_the_whole_text() -> None:
    doc = _blank("en", "meetwire_triggers")(MEETING_EN)
    assert [t.text for t in doc._.meetwire_triggers] == ["met", "met"]


def test_sentences_keep_only_those_holding_a_trigger() -> None:
    doc = _blank("en", "meetwire_mask", "meetwire_triggers", "meetwire_sentences")(MEETING_EN + "\nIt rained.")
    assert len(doc._.meetwire_sentences) == 3
    [(sentence, triggers)] = doc._.meetwire_trigger_sentences
    assert sentence.start_char == 0 and [t.text for t in triggers] == ["met"]


def test_titles_places_and_participants(english: Language) -> None:
    doc = english(MEETING_EN)
    assert doc._.meetwire_titles
    places: ArticlePlaces = doc._.meetwire_places
    assert "Lisbon" in {p.name for p in places.mentions}
    assert places.dateline is not None and places.dateline.name == "Lisbon"
    assert [(s.text, s.label_) for s in doc.spans["meetwire_mentions"]] == [
        ("Foreign Minister Alan Tarrow", "person"),
        ("Trade Minister Bela Okonjo", "person"),
    ]
    assert [(e.name, e.title) for e in doc._.meetwire_entities] == [
        ("Alan Tarrow", "Foreign Minister"),
        ("Bela Okonjo", "Trade Minister"),
    ]
    subject = doc._.meetwire_entities[doc._.meetwire_subject]
    assert subject.name == "Alan Tarrow"


def test_meetings_carry_parties_place_and_date(english: Language) -> None:
    item = WireItem(id="c-1", text=MEETING_EN, language="en", published_at="2031-03-05")
    doc = english(set_context(english.make_doc(item.text), item, None))
    [meeting] = meetings_of(doc)
    names = sorted(doc._.meetwire_entities[p].name for p in meeting.candidate.parties)
    assert names == ["Alan Tarrow", "Bela Okonjo"]
    assert meeting.place is not None and meeting.place.name == "Lisbon"
    assert meeting.date is not None and meeting.date.value == "2031-03-03"


def test_received_at_anchors_the_date_when_the_article_has_none(english: Language) -> None:
    item = WireItem(id="c-2", text=MEETING_EN, language="en")
    doc = english(set_context(english.make_doc(item.text), item, datetime(2031, 3, 6, 12, 0, tzinfo=UTC)))
    assert doc._.meetwire_dates.anchor is not None
    assert doc._.meetwire_dates.anchor.iso() == "2031-03-06"


def test_headline_in_the_future_makes_the_meeting_planned(english: Language) -> None:
    text = "Foreign Minister Alan Tarrow meets Trade Minister Bela Okonjo in Lisbon."
    item = WireItem(id="c-3", text=text, language="en", title="Tarrow to meet Okonjo in Lisbon")
    [meeting] = meetings_of(english(set_context(english.make_doc(text), item, None)))
    assert meeting.candidate.status == "planned"


@pytest.mark.parametrize(
    ("text", "last_set"),
    [
        (NO_TRIGGER_EN, "meetwire_triggers"),  # no trigger: nothing after it runs
        (UNTITLED_EN, "meetwire_trigger_sentences"),  # a trigger but no office title
    ],
)
def test_an_article_without_a_candidate_goes_no_further(english: Language, text: str, last_set: str) -> None:
    doc = english(text)
    later = (
        "meetwire_titles",
        "meetwire_places",
        "meetwire_mentions",
        "meetwire_entities",
        "meetwire_dates",
        "meetwire_candidates",
        "meetwire_meetings",
    )
    assert doc.has_extension(last_set) and getattr(doc._, last_set) is not None
    assert all(getattr(doc._, name) is None for name in later)
    assert "meetwire_mentions" not in doc.spans
    assert meetings_of(doc) == []


def test_the_config_builds_the_same_steps_for_each_language() -> None:
    for lang in ("en", "id"):
        nlp = build_language(lang)
        assert nlp.lang == lang and tuple(nlp.pipe_names) == STEPS


def test_indonesian_pipeline_from_its_config_finds_a_meeting() -> None:
    nlp = build_language("id")
    text = "Menteri Luar Negeri Rudi Sasongko bertemu Menteri Perdagangan Lina Marpaung di Surabaya, Senin (4/3)."
    item = WireItem(id="c-4", text=text, language="id", published_at="2031-03-05")
    [meeting] = meetings_of(nlp(set_context(nlp.make_doc(text), item, None)))
    assert meeting.place is not None and meeting.place.name == "Surabaya"


def test_indonesian_tokenizer_keeps_hyphenated_words_whole_as_spacy_blank() -> None:
    text = "Negara-negara anggota membahas kerja sama, kata-kata pejabat itu (4/3)."
    fast, blank = build_pipeline("id"), spacy.blank("id")
    assert [t.text for t in fast(text)] == [t.text for t in blank(text)]
    assert "Negara-negara" in [t.text for t in fast(text)]
    assert build_pipeline("id").pipe_names == []


def test_a_doc_without_context_is_read_as_an_article_of_its_own_text() -> None:
    doc: Doc = _blank("en", "meetwire_mask")(NO_TRIGGER_EN)
    assert doc._.meetwire_context.item.text == NO_TRIGGER_EN


def test_version_info_names_each_pipeline_s_components(extractor: MeetingExtractor) -> None:
    for lang in ("en", "id"):
        assert extractor.version_info[f"pipeline_{lang}_components"] == ",".join(STEPS)


def test_a_supported_language_is_one_with_a_config() -> None:
    assert SUPPORTED_LANGUAGES == configured_languages() == ("en", "id")
