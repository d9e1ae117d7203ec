"""Where a meeting took place (stream.extract.meeting_place). Invented sentences and names."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from stream.extract.assemble import Candidate
from stream.extract.hygiene import Mask
from stream.extract.meeting_place import (
    FEATURES,
    PlaceCues,
    article_place,
    load_place_cues,
    pick_location,
    place_candidates,
)
from stream.extract.pipeline import split_sentences
from stream.extract.places import Gazetteer, PlaceMention, load_gazetteer
from stream.extract.triggers import Trigger

_CUES: PlaceCues = load_place_cues()
"""Read once for the module, as the extractor does at start-up."""


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def nlps() -> dict[str, Language]:
    return {"en": spacy.blank("en"), "id": spacy.blank("id")}


def _pick(gazetteer: Gazetteer, nlp: Language, text: str, trigger: str, persons: tuple[str, ...] = ()) -> str | None:
    """The place chosen for the meeting whose sentence holds ``trigger``."""
    doc = nlp(text)
    sentences = split_sentences(doc, text)
    at = text.index(trigger)
    sent = next(s for s in sentences if s.start_char <= at < s.end_char)
    token = next(t for t in doc if t.idx >= at)
    cand = Candidate(
        parties=[],
        status="held",
        sentence=sent,
        trigger=Trigger(start=token.i, end=token.i + 1, strength="strong", status="held", text=trigger),
        mentions={},
        sentences=[sent],
    )
    places = gazetteer.find_places(doc, text)
    dateline = gazetteer.dateline(text)
    person_spans = [(text.index(p), text.index(p) + len(p)) for p in persons]
    chosen = pick_location(text, places, dateline, cand, sentences, person_spans, None, _CUES)
    return None if chosen is None else chosen.name


@pytest.mark.parametrize(
    ("lang", "text", "trigger", "expected"),
    [
        ("id", "SURABAYA (Kabar) - Gubernur Bagus bertemu Menteri Rina di Bandung, Senin.", "bertemu", "Bandung"),
        ("en", "PARIS (Wire) - Minister Ana Duarte met her counterpart at a hotel in Lyon.", "met", "Lyon"),
        ("en", "The ministers held talks in Makassar City, South Sulawesi Province.", "talks", "Makassar"),
        ("en", "SEOUL (Wire) - Minister Ana Duarte met her host in the Chinese capital Beijing.", "met", "Beijing"),
        ("en", "SEOUL (Wire) - Minister Ana Duarte met her counterpart at Tokyo's Akasaka Palace.", "met", "Tokyo"),
        ("id", "MEDAN - Gubernur Bagus bertemu Menteri Rina di ibu kota Jakarta, Senin.", "bertemu", "Jakarta"),
    ],
)  # fmt: skip
def test_meeting_place_location_in_the_meeting_sentence_wins(
    gazetteer: Gazetteer, nlps: dict[str, Language], lang: str, text: str, trigger: str, expected: str
) -> None:
    assert _pick(gazetteer, nlps[lang], text, trigger) == expected


@pytest.mark.parametrize(
    ("lang", "text", "trigger", "expected"),
    [
        # a title's or a body's place is an affiliation: the dateline city is the better guess
        ("id", "JAKARTA - Wali Kota Medan Bagus Wicaksono bertemu Menteri Rina, Senin.", "bertemu", "Jakarta"),
        ("en", "GENEVA (Wire) - The Mayor of Lyon, Pierre Dumont, met Minister Ana Duarte.", "met", "Geneva"),
        ("id", "MEDAN - Wali Kota Bagus menerima Konsul Jenderal Jepang di Surabaya, Rina Sato.", "menerima", "Medan"),
        # what the talks were about is not where they were held
        ("en", "ANKARA (Wire) - The ministers met and discussed the ceasefire in Gaza.", "met", "Ankara"),
    ],
)  # fmt: skip
def test_meeting_place_affiliations_and_subjects_are_not_places(
    gazetteer: Gazetteer, nlps: dict[str, Language], lang: str, text: str, trigger: str, expected: str
) -> None:
    assert _pick(gazetteer, nlps[lang], text, trigger) == expected


@pytest.mark.parametrize(
    ("text", "persons", "expected"),
    [
        (
            "GENEVA (Wire) - Ambassador Linda Adams-Lyon met Minister Ana Duarte on Monday.",
            ("Linda Adams-Lyon",),
            "Geneva",
        )
    ],
)
def test_meeting_place_part_of_a_name_is_not_a_place(
    gazetteer: Gazetteer, nlps: dict[str, Language], text: str, persons: tuple[str, ...], expected: str
) -> None:
    assert _pick(gazetteer, nlps["en"], text, "met", persons) == expected


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        (
            "LAHORE: A delegation called on Chief Minister Imran Qadir here on Tuesday.\n\n"
            "The delegation said a bus line had opened in Karachi.",
            "called on",
            "Lahore",
        ),
        (
            "MANILA (Wire) - At the regional summit in Jakarta, leaders discussed trade.\n\n"
            "Prime Minister Hadi Rahman met President Ana Duarte on Tuesday.",
            "met",
            "Jakarta",
        ),
        (
            "BOGOR. Presiden Bagus Wicaksono menerima Perdana Menteri Rina Lestari, Senin.\n\n"
            "Keduanya bertemu setelah upacara.",
            "bertemu",
            "Bogor",
        ),
    ],
)
def test_meeting_place_here_lead_summit_and_dateline(
    gazetteer: Gazetteer, nlps: dict[str, Language], text: str, trigger: str, expected: str
) -> None:
    lang = "id" if "Presiden" in text else "en"
    assert _pick(gazetteer, nlps[lang], text, trigger) == expected


@pytest.mark.parametrize(
    ("lang", "text", "trigger", "expected"),
    [
        # a city the meeting's sentence names as visited beats the dateline: the meeting was there
        ("en", "OSLO (Wire) - The two last met when Minister Ana Duarte visited Lisbon in May.", "met", "Lisbon"),
        ("id", "MEDAN - Gubernur Bagus bertemu Menteri Rina saat berkunjung ke Surabaya.", "bertemu", "Surabaya"),
    ],
)  # fmt: skip
def test_meeting_place_visited_city_of_the_meeting_sentence_beats_the_dateline(
    gazetteer: Gazetteer, nlps: dict[str, Language], lang: str, text: str, trigger: str, expected: str
) -> None:
    assert _pick(gazetteer, nlps[lang], text, trigger) == expected


@pytest.mark.parametrize("text", ["The two ministers met on Monday.", "Menteri Rina Lestari bertemu Bagus, Senin."])
def test_meeting_place_none_without_places(gazetteer: Gazetteer, nlps: dict[str, Language], text: str) -> None:
    lang, trigger = ("en", "met") if " met " in text else ("id", "bertemu")
    assert _pick(gazetteer, nlps[lang], text, trigger) is None


@pytest.mark.parametrize(
    ("text", "mention", "on", "off"),
    [
        ("The leaders met in Hanoi.", "Hanoi", ("in_sentence", "locative"), ("affiliation", "dateline")),
        ("The Governor of Texas met the Mayor of Lyon.", "Lyon", ("in_sentence", "affiliation"), ("locative",)),
    ],
)
def test_meeting_place_candidate_features(
    gazetteer: Gazetteer, nlps: dict[str, Language], text: str, mention: str, on: tuple[str, ...], off: tuple[str, ...]
) -> None:
    doc = nlps["en"](text)
    sentences = split_sentences(doc, text)
    cand = Candidate(
        parties=[],
        status="held",
        sentence=sentences[0],
        trigger=Trigger(start=2, end=3, strength="strong", status="held", text="met"),
        mentions={},
        sentences=[sentences[0]],
    )
    places: list[PlaceMention] = gazetteer.find_places(doc, text)
    found = place_candidates(text, places, None, cand, sentences, [], None, _CUES)
    (hit,) = [c for c in found if c.place.mention == mention]
    values = dict(zip(FEATURES, hit.features, strict=True))
    assert all(values[f] > 0 for f in on)
    assert all(values[f] == 0 for f in off)


@pytest.mark.parametrize("feature", FEATURES)
def test_meeting_place_cues_weigh_every_feature(feature: str) -> None:
    assert isinstance(_CUES.weights[feature], float)


@pytest.mark.parametrize(
    ("pattern", "text", "hit"),
    [
        ("here", "The talks were held here on Monday", True),
        ("here", "Pertemuan digelar di sini", True),
        ("here", "There was no comment", False),
        ("said_after", " said on Monday", True),
        ("pair_gap", " and ", True),
        ("admin", "di Kota ", True),
        ("described", "in the Chinese capital ", True),
        ("topical", "the ceasefire in ", True),
        ("earlier", "setelah pertemuan kita di ", True),
        ("earlier", "The two leaders last met in ", True),
        ("earlier", "The two leaders met in ", False),
        # a chain of named places after the subject: all of them are what was discussed
        ("topical", "penembakan di Masjid Raya dan Gereja Kota di ", True),
        ("topical", "the shooting at Riverside Mall in ", True),
        # lower-case words after the subject are the story going on, not the subject's places
        ("topical", "the war, and then the ministers met in ", False),
        ("topical", "the ceasefire the leaders of both sides finally agreed on in ", False),
    ],
)
def test_meeting_place_cues_compile_from_data(pattern: str, text: str, hit: bool) -> None:
    compiled = getattr(_CUES, pattern)
    found = compiled.match(text) if pattern in ("said_after", "pair_gap") else compiled.search(text)
    assert (found is not None) == hit


def _article_place(gazetteer: Gazetteer, nlp: Language, text: str) -> str | None:
    doc = nlp(text)
    sentences = split_sentences(doc, text)
    places = gazetteer.find_places(doc, text)
    chosen = article_place(text, places, gazetteer.dateline(text), Mask(regions=()), [], sentences, _CUES)
    return None if chosen is None else chosen.name


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # a city named in passing (a source, a subject of talks) is not where the story is set
        ("en", "The ministers met, as reported by Lyon correspondents.\n\nThe forum opened in Porto.", "Porto"),
        ("en", "They discussed the war in Lyon.\n\nThe ministers later spoke in Porto.", "Porto"),
        ("id", "Menteri Rina bertemu Bagus. Kota Surabaya menyambut.\n\nAcara berlangsung di Bandung.", "Bandung"),
        ("id", "Mereka membahas penembakan di Gedung Sari dan Pasar Baru di Surabaya.\n\nRapat di Bandung.", "Bandung"),
        # the province after a city is the city's, not a setting of its own
        ("id", "Mahasiswa datang ke kantor bupati di Malang, Jawa Timur, Senin.", "Malang"),
        # a building left from is an origin, not a setting
        ("en", "The minister drove from Merdeka Palace.\n\nLater she spoke in Lisbon.", "Lisbon"),
        # a building or city that acts ("blocked by X", "as reported by X") is no setting
        ("en", "The plan was blocked by Merdeka Palace.\n\nLater the ministers met in Lisbon.", "Lisbon"),
        ("id", "Usulan itu ditolak oleh Istana Merdeka.\n\nRapat digelar di Bandung.", "Bandung"),
        # an earlier meeting's place is not where the story is set
        ("en", "They last met in Lisbon in May.\n\nThe talks were held in Porto.", "Porto"),
        # a region introduced as a location, when no city is
        ("id", "Bagus bertemu Rina.\n\n\"Selamat datang di Bali setelah pertemuan kita di Surabaya.\"", "Bali"),
        ("id", "Warga di Jawa Barat menyambut.\n\nPertemuan digelar di Bandung.", "Bandung"),
        # with no place introduced as a location, the first city still stands
        ("en", "Lyon officials met the minister on Monday.", "Lyon"),
    ],
)  # fmt: skip
def test_meeting_place_article_place_prefers_a_place_introduced_as_a_location(
    gazetteer: Gazetteer, nlps: dict[str, Language], lang: str, text: str, expected: str
) -> None:
    assert _article_place(gazetteer, nlps[lang], text) == expected


@pytest.mark.parametrize(
    ("lang", "text", "mention", "qualifier"),
    [
        # the same place named twice ("VATICAN CITY, Vatican") qualifies nothing
        ("en", "LYON, Lyon.- Mayor Paul Ravel received Minister Ana Duarte.", "Lyon", False),
        ("id", "Bupati Bagus menerima Menteri Rina di Malang, Jawa Timur.", "Jawa Timur", True),
    ],
)  # fmt: skip
def test_meeting_place_qualifier_is_another_place(
    gazetteer: Gazetteer, nlps: dict[str, Language], lang: str, text: str, mention: str, qualifier: bool
) -> None:
    doc = nlps[lang](text)
    sentences = split_sentences(doc, text)
    cand = Candidate(
        parties=[],
        status="held",
        sentence=sentences[0],
        trigger=Trigger(start=0, end=1, strength="strong", status="held", text=""),
        mentions={},
        sentences=[sentences[0]],
    )
    found = place_candidates(text, gazetteer.find_places(doc, text), None, cand, sentences, [], None, _CUES)
    (hit,) = [c for c in found if c.place.mention == mention]
    assert (dict(zip(FEATURES, hit.features, strict=True))["qualifier"] > 0) == qualifier
