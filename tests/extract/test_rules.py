"""Unit tests of the extractor's rule modules, on hand-made text with invented names."""

from __future__ import annotations

import pytest
import spacy

from stream.extract.hygiene import HeadlineWords, boilerplate_mask
from stream.extract.language import detect_language
from stream.extract.lexicon import Lexicon, load_lexicon
from stream.extract.participants import ParticipantFinder, attach_roles, fold, resolve, short_mentions
from stream.extract.pipeline import split_sentences
from stream.extract.places import Gazetteer, load_gazetteer
from stream.extract.triggers import TriggerFinder


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


_FINDERS: dict[str, ParticipantFinder] = {}


def _finder(lang: str, lexicon: Lexicon, gazetteer: Gazetteer) -> tuple[spacy.language.Language, ParticipantFinder]:
    """One finder per language for the module: building the country matchers is the slow part."""
    if lang not in _FINDERS:
        _FINDERS[lang] = ParticipantFinder(spacy.blank(lang), lang, lexicon, gazetteer)
    finder = _FINDERS[lang]
    return finder.nlp, finder


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Menteri itu mengatakan bahwa kerja sama kedua negara akan terus diperkuat dalam waktu dekat.", "id"),
        ("The minister said that the two countries would deepen their cooperation in the coming years.", "en"),
        ("Der Minister sagte, dass beide Länder ihre Zusammenarbeit vertiefen wollen.", None),
        ("", None),
    ],
)
def test_language_detects_by_stopwords(lexicon: Lexicon, text: str, expected: str | None) -> None:
    assert detect_language(text, lexicon.stopwords) == expected


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("Baca juga: Presiden bertemu raja", True),
        ("  Read also: Leaders meet in Rome", True),
        ("Editor: Budi", True),
        ("Copyright \u00a9 ANTARA 2023", True),
        ("Pewarta: Ani", True),
        ("Presiden bertemu raja di Istana.", False),
        ("Presiden Ahmad Fauzi bertemu Raja Hamid di Bogor, Senin. (Foto: Budi Santoso/Warta)", True),
        ("King Hamid greets President Ahmad Fauzi in Rome. (AP Photo/ Ann Lee)", True),
        ("President Ahmad Fauzi met King Hamid in Rome, the palace said.", False),
    ],
)
def test_hygiene_masks_boilerplate_lines(lexicon: Lexicon, line: str, masked: bool) -> None:
    text = "Paragraf pertama.\n" + line + "\nParagraf akhir."
    mask = boilerplate_mask(text, lexicon.boilerplate_prefixes, lexicon.caption_markers)
    offset = text.index(line.strip())
    assert mask.covers(offset) is masked
    assert not mask.covers(0)


@pytest.mark.parametrize(
    ("lang", "line", "masked"),
    [
        ("id", "Bupati Sekar Wangi Siap Audiensi Dengan Warga Pada Senin", True),
        ("en", "Prime Minister Rina Akter Holds Talks With King Hamid", True),
        # a sentence keeps lower-case words that are not function words
        ("id", "Ia diterima oleh Kepala Bidang Luar Negeri MUI Budi Santoso dan Wakil Ketua Ani Rahma.", False),
        ("en", "President Ahmad Fauzi met King Hamid in Rome.", False),
        # too short to tell
        ("id", "Presiden Bertemu Raja", False),
    ],
)
def test_hygiene_masks_headline_lines(lexicon: Lexicon, lang: str, line: str, masked: bool) -> None:
    text = "Paragraf pertama.\n" + line + "\nParagraf akhir."
    words = HeadlineWords(lexicon.stopwords[lang], lexicon.common_words[lang])
    mask = boilerplate_mask(text, lexicon.boilerplate_prefixes, lexicon.caption_markers, words)
    assert mask.covers(text.index(line)) is masked
    assert not mask.covers(0)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Bima R. Kartanegara tiba. Ia bertemu Dr. Ali.\nBaris baru", 3),
        ('Dia berkata "ya." Lalu pergi.', 2),
        ("U.S. officials met on Monday. They talked.", 2),
        ("Presiden Budi Santoso dalam\nperjalanannya bertemu dengan Gubernur periode\n2012-2017 Andi Wijaya.", 1),
        ("Presiden bertemu Gubernur\nBaris baru dimulai di sini", 2),
        ("Presiden bertemu Gubernur.\nlalu pergi.", 2),
    ],
)
def test_pipeline_splits_sentences(text: str, count: int) -> None:
    doc = spacy.blank("en")(text)
    sents = split_sentences(doc)
    assert len(sents) == count
    assert all(text[s.start_char : s.end_char] == doc[s.start : s.end].text for s in sents)


@pytest.mark.parametrize(
    ("lang", "text", "status"),
    [
        ("id", "Presiden Ahmad Fauzi akan bertemu Raja Hamid.", "planned"),
        ("id", "Presiden Ahmad Fauzi bertemu Raja Hamid.", "held"),
        ("id", "Pertemuan Presiden Ahmad Fauzi dengan Raja Hamid ditunda.", "cancelled"),
        ("en", "President Ahmad Fauzi will meet King Hamid.", "planned"),
        ("en", "President Ahmad Fauzi met King Hamid after he had planned to.", "held"),
        ("en", "President Ahmad Fauzi postponed his meeting with King Hamid.", "cancelled"),
        ("en", "President Ahmad Fauzi backs out of trip to meet King Hamid.", "cancelled"),
        ("en", "President Ahmad Fauzi was likely to meet King Hamid.", "planned"),
        ("en", "President Ahmad Fauzi to meet King Hamid on Monday", "planned"),
        ("en", "President Ahmad Fauzi arrived at the palace on Monday to meet with King Hamid.", "held"),
        ("en", "President Ahmad Fauzi will travel to Rome to meet King Hamid.", "planned"),
        ("en", "Minister Ahmad Fauzi was calling on King Hamid in Rome.", "held"),
        ("id", "Presiden Ahmad Fauzi dijadwalkan bertemu Raja Hamid.", "planned"),
        ("en", "President Ahmad Fauzi never met King Hamid.", "cancelled"),
        ("en", "President Ahmad Fauzi did not meet King Hamid.", "cancelled"),
        ("id", "Presiden Ahmad Fauzi tidak pernah bertemu Raja Hamid.", "cancelled"),
        ("en", "A meeting of President Ahmad Fauzi with King Hamid could not take place.", "cancelled"),
        ("en", "He said it was a good time to have a meeting with King Hamid.", "planned"),
        ("en", "Ambassador Ahmad Fauzi was the first envoy to have met King Hamid.", "held"),
        ("en", "Minister Ahmad Fauzi said that he and King Hamid can meet up soon.", "planned"),
        ("id", "Wakil Presiden Ahmad Fauzi mendapat kunjungan Raja Hamid di kantornya.", "held"),
        ("id", "Presiden Ahmad Fauzi menghadiri jamuan makan malam Raja Hamid.", "held"),
        ("en", "President Ahmad Fauzi and King Hamid held a summit in Rome.", "held"),
        ("id", "Pengurus tampak bergegas mempersiapkan pertemuan dengan Presiden Ahmad Fauzi.", "planned"),
        ("en", "Officials are preparing for talks between President Ahmad Fauzi and King Hamid.", "planned"),
        ("en", "He stressed the importance of a meeting between President Ahmad Fauzi and King Hamid.", "planned"),
        ("id", "Ia menekankan pentingnya pertemuan Presiden Ahmad Fauzi dengan Raja Hamid.", "planned"),
        ("id", "Menteri Ahmad Fauzi masih mencari waktu untuk bertemu dengan Raja Hamid.", "planned"),
        ("id", "Menteri Ahmad Fauzi ingin bertemu Raja Hamid bulan depan.", "planned"),
        ("id", "Presiden Ahmad Fauzi singgah di Medan untuk bertemu dengan Gubernur Budi Santoso.", "held"),
        ("id", "Presiden Ahmad Fauzi datang ke Istana untuk menemui Raja Hamid.", "held"),
    ],
)
def test_triggers_read_status(lexicon: Lexicon, lang: str, text: str, status: str) -> None:
    nlp = spacy.blank(lang)
    finder = TriggerFinder(nlp, lang, lexicon)
    doc = nlp(text)
    sent = split_sentences(doc)[0]
    triggers = finder.in_doc(doc)
    assert triggers
    assert finder.with_status(doc, sent, triggers[0]).status == status


@pytest.mark.parametrize(
    ("lang", "text", "status"),
    [
        (
            "id",
            "Rencananya pada siang hari waktu setempat, Presiden Ahmad Fauzi akan menghadiri undangan "
            "Raja Hamid bin Saif untuk jamuan makan siang bersama, dilanjutkan dengan pertemuan di istana.",
            "planned",
        ),
        (
            "id",
            "Nantinya, seusai membuka pameran dagang di gedung konvensi dan meninjau stan para peserta, "
            "Presiden Ahmad Fauzi berbincang dengan Raja Hamid.",
            "planned",
        ),
        (
            "id",
            "Pada siang hari waktu setempat, Presiden Ahmad Fauzi yang tiba bersama rombongan besar "
            "dari ibu kota berbincang dengan Raja Hamid di istana.",
            "held",
        ),
    ],
)
def test_triggers_read_a_sentence_opening_planned_word_as_planned(
    lexicon: Lexicon, lang: str, text: str, status: str
) -> None:
    nlp = spacy.blank(lang)
    finder = TriggerFinder(nlp, lang, lexicon)
    doc = nlp(text)
    sent = split_sentences(doc)[0]
    triggers = finder.in_doc(doc)
    assert triggers
    assert finder.with_status(doc, sent, triggers[-1]).status == status


@pytest.mark.parametrize(
    ("lang", "title", "status"),
    [
        ("en", "Fauzi to hold talks with King Hamid", "planned"),
        ("en", "Fauzi calls off meeting with King Hamid", "cancelled"),
        ("en", "Fauzi meets King Hamid in Rome", None),
        ("id", "Presiden Fauzi akan bertemu Raja Hamid di Bogor", "planned"),
        ("id", "Presiden Fauzi bertemu Raja Hamid di Bogor", None),
    ],
)
def test_triggers_read_headline_status(lexicon: Lexicon, lang: str, title: str, status: str | None) -> None:
    nlp = spacy.blank(lang)
    finder = TriggerFinder(nlp, lang, lexicon)
    assert finder.title_status(nlp(title)) == status


@pytest.mark.parametrize(
    ("lang", "text", "held"),
    [
        ("en", "Fauzi met King Hamid in Rome.", True),
        ("en", "After the meeting, Fauzi left Rome.", True),
        ("en", "The meeting with King Hamid focuses on trade.", False),
        ("id", "Usai pertemuan, Fauzi meninggalkan Bogor.", True),
        ("id", "Pertemuan dengan Raja Hamid membahas perdagangan.", False),
    ],
)
def test_triggers_mark_held_by_the_trigger_itself(lexicon: Lexicon, lang: str, text: str, held: bool) -> None:
    nlp = spacy.blank(lang)
    finder = TriggerFinder(nlp, lang, lexicon)
    doc = nlp(text)
    triggers = finder.in_doc(doc)
    assert finder.marked_held(doc, split_sentences(doc)[0], triggers[0]) is held


@pytest.mark.parametrize(
    ("lang", "text", "welcome"),
    [
        ("en", "President Ahmad Fauzi was received at the airport by Foreign Minister Ali Hamid.", True),
        ("en", "Mayor Ahmad Fauzi arrived in Rome and was welcomed by Governor Ali Hamid.", True),
        ("en", "President Ahmad Fauzi received Foreign Minister Ali Hamid at the palace.", False),
        ("id", "Duta Besar Ali Hamid menyambut Presiden Ahmad Fauzi setibanya di Beijing.", True),
        ("id", "Presiden Ahmad Fauzi menerima Duta Besar Ali Hamid di Istana.", False),
        # a plane's door is an airport as much as the word is
        ("id", "Presiden Ahmad Fauzi menuruni tangga pesawat dan disambut oleh Menteri Ali Hamid.", True),
        ("id", "Presiden Ahmad Fauzi disambut oleh Gubernur Ali Hamid di Gedung Sate.", False),
    ],
)
def test_triggers_read_an_arrival_welcome(lexicon: Lexicon, lang: str, text: str, welcome: bool) -> None:
    nlp = spacy.blank(lang)
    finder = TriggerFinder(nlp, lang, lexicon)
    doc = nlp(text)
    assert finder.arrival_welcome(doc, split_sentences(doc)[0], finder.in_doc(doc)) is welcome


@pytest.mark.parametrize(
    ("lang", "text", "earlier"),
    [
        ("id", "Presiden Ahmad Fauzi bertemu Raja Hamid pada 9 Maret lalu.", True),
        ("id", "Keduanya pernah bertemu di Bogor.", True),
        ("id", "Presiden Ahmad Fauzi bertemu Raja Hamid di Bogor, Senin.", False),
        ("en", "President Ahmad Fauzi met King Hamid last April.", True),
        ("en", "Their previous meeting was in Bogor.", True),
        ("en", "It was their first meeting since the election.", False),
        ("en", "President Ahmad Fauzi met King Hamid on Monday.", False),
    ],
)
def test_triggers_mark_earlier_meetings(lexicon: Lexicon, lang: str, text: str, earlier: bool) -> None:
    nlp = spacy.blank(lang)
    finder = TriggerFinder(nlp, lang, lexicon)
    doc = nlp(text)
    assert finder.earlier(doc, split_sentences(doc)[0]) is earlier


@pytest.mark.parametrize(
    ("lang", "text", "excluded"),
    [
        ("id", "Presiden Ahmad Fauzi berbicara melalui telepon dengan Raja Hamid.", True),
        ("id", "Pertemuan kedua tim berakhir dengan skor 1-1.", True),
        ("id", "Presiden Ahmad Fauzi bertemu Sekjen Liga Arab Omar Zaki.", False),
        ("en", "President Ahmad Fauzi held a phone call with King Hamid.", True),
        ("id", "Presiden Ahmad Fauzi telah berkomunikasi dengan Raja Hamid untuk membahas KTT.", True),
        ("en", "President Ahmad Fauzi paid a courtesy call on King Hamid.", False),
        ("id", "Persatuan Sukamaju dan Persatuan Harapan sempat bertemu di Piala Wali Kota 2020.", True),
        ("id", "Kedua tim bertemu di partai final turnamen itu.", True),
        ("en", "Northfield United and Riverside Rovers met in the final last year.", True),
        ("id", "Menpora Budi Santoso bertemu Presiden Federasi Omar Zaki membahas Piala Dunia.", False),
        ("en", "Mr Santoso and Mr Zaki had a telephone call on Monday, following face-to-face talks on Sunday.", False),
        ("id", "Setelah bertelepon, Presiden Ahmad Fauzi dan Raja Hamid akhirnya bertatap muka di Roma.", False),
    ],
)
def test_triggers_exclude_calls_and_sports(lexicon: Lexicon, lang: str, text: str, excluded: bool) -> None:
    nlp = spacy.blank(lang)
    finder = TriggerFinder(nlp, lang, lexicon)
    doc = nlp(text)
    sent = split_sentences(doc)[0]
    triggers = finder.in_doc(doc)
    assert finder.excluded(doc, sent, triggers) is excluded


@pytest.mark.parametrize(
    ("lang", "text", "triggers"),
    [
        ("id", "Gubernur Ahmad Fauzi mengucapkan terima kasih kepada Menteri Budi Santoso.", []),
        ("id", "Presiden Ahmad Fauzi menerima penghargaan dari Raja Hamid.", []),
        ("id", "Acara serah terima dihadiri Presiden Ahmad Fauzi dan Menteri Budi Santoso.", []),
        ("id", "Presiden Ahmad Fauzi menerima Raja Hamid di Istana.", ["menerima"]),
        ("id", "Menteri Budi Santoso menyambut baik langkah Presiden Ahmad Fauzi.", []),
        ("id", "Gubernur Ahmad Fauzi menyambut Raja Hamid di Istana.", ["menyambut"]),
        ("en", "President Ahmad Fauzi received an award from King Hamid.", []),
        ("en", "President Ahmad Fauzi received King Hamid in Rome.", ["received"]),
        ("en", "The memorandum signed by Governor Ahmad Fauzi and Mayor Omar Zaki in 2014 is renewed.", []),
        ("en", "It follows the 2019 \u201cCharter on Rivers\u201d signed in Lisbon.", []),
        ("en", "The memorandum was signed by Governor Ahmad Fauzi and Mayor Omar Zaki.", ["signed"]),
        ("en", "Governor Ahmad Fauzi and Mayor Omar Zaki signed a memorandum.", ["signed"]),
    ],
)
def test_triggers_skip_phrases_that_only_hold_a_trigger_word(
    lexicon: Lexicon, lang: str, text: str, triggers: list[str]
) -> None:
    nlp = spacy.blank(lang)
    finder = TriggerFinder(nlp, lang, lexicon)
    assert [t.text for t in finder.in_doc(nlp(text))] == triggers


@pytest.mark.parametrize(
    ("lang", "text", "name", "title", "country"),
    [
        ("id", "Menteri Luar Negeri Rusia Ivan Petrovsky tiba.", "Ivan Petrovsky", "Foreign Minister", "RU"),
        ("id", "Menlu RI Dewi Lestari hadir.", "Dewi Lestari", "Foreign Minister", "ID"),
        ("id", "Menhan Malaysia, Ahmad Zaki, hadir.", "Ahmad Zaki", "Defence Minister", "MY"),
        ("id", "Duta Besar Jepang untuk Indonesia Kenji Sato datang.", "Kenji Sato", "Ambassador", "JP"),
        ("id", "Perdana Menteri Australia, Budi Santoso di Canberra.", "Budi Santoso", "Prime Minister", "AU"),
        ("id", "Menlu Rusia, Ivan Petrovsky ingin mempererat kerja sama.", "Ivan Petrovsky", "Foreign Minister", "RU"),
        ("en", "Chinese Foreign Minister Zhao Lei arrived.", "Zhao Lei", "Foreign Minister", "CN"),
        ("en", "U.S. Secretary of State Tom Walker arrived.", "Tom Walker", "Secretary of State", "US"),
        ("en", "President Budi \u201cBudiman\u201d Santoso arrived.", "Budi Santoso", "President", None),
        ("en", "General Tan Sri Dato' Wira Ahmad Zaki bin Osman arrived.", "Ahmad Zaki bin Osman", None, None),
        ("id", "Kapolda Sumbar Irjen Pol Bagas Wiratama tiba.", "Bagas Wiratama", "Regional Police Chief", "ID"),
        # the unit's name between the office and the rank is not the person
        ("id", "Pangdam XII/Merapi Mayjen TNI Yoga Pratama tiba.", "Yoga Pratama", "Regional Military Commander", "ID"),
        (
            "id",
            "Panglima Kodam Merapi Jaya (Pangdam MJ) Mayjen TNI Yoga Pratama tiba.",
            "Yoga Pratama",
            "Regional Military Commander",
            "ID",
        ),
        # ranks written without a full stop, a royal and a regional honorific are no part of the name
        ("en", "Army Chief Gen Ahmad Zaki Malik arrived.", "Ahmad Zaki Malik", "Army Chief of Staff", None),
        ("en", "Spokesman Maj Gen Omar Zaki said so.", "Omar Zaki", "Spokesperson", None),
        ("id", "Gubernur Tgk Ahmad Zaki Malik hadir.", "Ahmad Zaki Malik", "Governor", "ID"),
    ],
)
def test_participants_read_title_country_and_name(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, name: str, title: str | None, country: str | None
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    mask = boilerplate_mask(text, lexicon.boilerplate_prefixes)
    persons = [m for m in finder.find(doc, mask) if m.kind == "person"]
    assert [(m.name, m.title, m.country) for m in persons] == [(name, title, country)]
    assert text[persons[0].span[0] : persons[0].span[1]] == persons[0].mention


@pytest.mark.parametrize(
    ("text", "counterpart", "country"),
    [("President Zhao Lei met his Brazilian counterpart Paulo Souza.", "Paulo Souza", "BR")],
)
def test_participants_read_counterparts(
    lexicon: Lexicon, gazetteer: Gazetteer, text: str, counterpart: str, country: str
) -> None:
    nlp, finder = _finder("en", lexicon, gazetteer)
    doc = nlp(text)
    mentions = finder.find(doc, boilerplate_mask(text, ()))
    match = [m for m in mentions if m.counterpart]
    assert [(m.name, m.country) for m in match] == [(counterpart, country)]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "She talked with the prime ministers of Fiji and Samoa.",
            [("Prime Minister", "FJ"), ("Prime Minister", "WS")],
        ),
        (
            "en",
            "He received Ambassadors of Peru, Chile and Norway.",
            [("Ambassador", "PE"), ("Ambassador", "CL"), ("Ambassador", "NO")],
        ),
        ("id", "Ia menerima para Duta Besar negara Peru dan Chile.", [("Ambassador", "PE"), ("Ambassador", "CL")]),
        ("en", "She talked with the prime ministers of Fiji on Monday.", []),
    ],
)
def test_participants_read_a_plural_office_before_countries_as_one_role_each(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, expected: list[tuple[str, str]]
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    mentions = finder.find(doc, boilerplate_mask(text, ()))
    assert [(m.title, m.country) for m in mentions if m.listed] == expected
    assert all(m.kind == "role" and m.explicit_country for m in mentions if m.listed)


@pytest.mark.parametrize(
    "text",
    ["Menteri Luar Negeri China Chen Baoguo tiba. Chen mengatakan hal itu. Kata Menlu China tersebut, ya."],
)
def test_participants_resolve_short_forms_and_roles(lexicon: Lexicon, gazetteer: Gazetteer, text: str) -> None:
    nlp, finder = _finder("id", lexicon, gazetteer)
    doc = nlp(text)
    mask = boilerplate_mask(text, ())
    mentions = finder.find(doc, mask)
    entities = resolve(mentions, finder.particles)
    taken = {t for m in mentions for t in range(m.start, m.end)}
    short = short_mentions(doc, entities, mask, taken, finder.particles, finder.stop)
    persons = [e for e in entities if e.kind == "person"]
    assert [e.name for e in persons] == ["Chen Baoguo"]
    assert len(persons[0].mentions) == 3
    assert [m.name for m in short] == ["Chen"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [("id", "Dalam pertemuan dengan Menlu Sudan, Retno mengutarakan harapannya.")],
)
def test_participants_comma_name_opening_a_clause_is_not_the_office_holder(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    mask = boilerplate_mask(text, lexicon.boilerplate_prefixes)
    assert [m.name for m in finder.find(doc, mask) if m.kind == "person"] == []


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "Others who met the minister are North Vale's Darsono Wiryatmo and East Marsh's Halvard Quennell.",
            ["Darsono Wiryatmo", "Halvard Quennell"],
        ),
        ("en", "Darsono Wiryatmo's visit was praised by Halvard Quennell.", ["Darsono Wiryatmo", "Halvard Quennell"]),
    ],
)
def test_participants_untitled_run_owning_a_name_is_no_person(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, expected: list[str]
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    assert [m.name for m in finder.untitled(doc, 0, len(doc), set(), set())] == expected


@pytest.mark.parametrize(("word", "key"), [("Şenkoçoğlu", "senkocoglu"), ("Sa'adun", "sa'adun")])
def test_participants_fold_names(word: str, key: str) -> None:
    assert fold(word) == key


@pytest.mark.parametrize(
    ("text", "name"),
    [("Menteri Pertanian Andi Saputra bertemu dengan Ketua KADIN Rudi Hartawan, Senin.", "Rudi Hartawan")],
)
def test_names_shipped_tagger_finds_untitled_people(text: str, name: str) -> None:
    from stream.extract.names import PersonTagger, load_pipeline_with_ner

    nlp = load_pipeline_with_ner("id")
    assert nlp is not None and "ner" in nlp.pipe_names
    doc = nlp.make_doc(text)
    spans = PersonTagger(nlp).persons(doc, 0, len(doc))
    assert name in {doc[s:e].text for s, e in spans}


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # a clause-initial verb or connective capitalised only by its position is not part of the name
        ("id", "Terlihat Darsono Wiryatmo tersenyum.", "Darsono Wiryatmo"),
        ("id", "Menurut Darsono Wiryatmo, pertemuan berjalan baik.", "Darsono Wiryatmo"),
        ("en", "Though Halvard Quennell declined to comment.", "Halvard Quennell"),
        # a headline verb after the name
        ("id", "Darsono Wiryatmo Tiba di Kota", "Darsono Wiryatmo"),
        # inside a sentence the same word stays: capitalised there, it is a name
        ("id", "Ia bertemu Harapan Wiryatmo kemarin.", "Harapan Wiryatmo"),
        # the part after a hyphen belongs to its word, even a common one ("Won-soon")
        ("en", "On Tuesday, Mr. Darsono Won-soon, Mayor of the city, arrived.", "Darsono Won-soon"),
    ],
)
def test_participants_name_run_drops_common_words_at_its_edges(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, expected: str
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    runs = [finder.name_run(doc, i, len(doc)) for i in range(len(doc)) if doc[i].text[:1].isupper()]
    names = {doc[r[0] : r[1]].text for r in runs if r is not None}
    assert expected in names
    assert not any(n != expected and expected in n for n in names)


@pytest.mark.parametrize(("lang", "text"), [("id", "Keenam"), ("en", "Officers"), ("en", "Political Officers")])
def test_participants_name_run_of_common_words_only_is_no_name(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    assert finder.name_run(nlp(text), 0, len(text.split())) is None


@pytest.mark.parametrize("lang", ["id", "en"])
def test_lexicon_common_words_are_generated_lower_case_words(lexicon: Lexicon, lang: str) -> None:
    words = lexicon.common_words[lang]
    assert len(words) > 1000
    assert all(w == w.lower() for w in words)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "The minister held talks with Wu Tiangang in the capital.", "Wu Tiangang"),
        ("id", "Menteri itu bertemu dengan Li Baoshan di ibu kota.", "Li Baoshan"),
    ],
)
def test_participants_untitled_names_may_have_two_letter_words(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, expected: str
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    found = finder.untitled(doc, 0, len(doc), set(), set())
    assert [m.name for m in found] == [expected]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # a lone name as the subject of a strong trigger, also after an adverb
        ("en", "Talks went well. Later, Okonkwo met Prime Minister Lars Berg in the capital.", ["Okonkwo"]),
        ("id", "Sebelumnya, Pak Wiranto sudah bertemu dengan Menteri Dewi Lestari.", ["Wiranto"]),
        # a sentence's first word is a name only when the article also writes it inside a sentence
        ("id", "Keinginan untuk bertemu Menteri Dewi Lestari muncul.", []),
        ("en", "Okonkwo met Prime Minister Lars Berg. Aides said Okonkwo was pleased.", ["Okonkwo"]),
        # a country's people are no party
        ("en", "On Monday, Chinese met Prime Minister Lars Berg.", []),
        # a name known by "the" is a person right before a trigger
        ("en", "In 2019 the Aga Sahib met Prime Minister Lars Berg in Oslo.", ["Aga Sahib"]),
    ],
)
def test_participants_untitled_lone_subject_of_a_trigger(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, expected: list[str]
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    titled = finder.find(doc, boilerplate_mask(text, ()))
    taken = {t for m in titled for t in range(m.start, m.end)}
    triggers = TriggerFinder(nlp, lang, lexicon).in_doc(doc)
    found = []
    for sent in split_sentences(doc, text):
        strong = [t.start for t in triggers if t.strength == "strong" and sent.start <= t.start < sent.end]
        found += [m.name for m in finder.untitled(doc, sent.start, sent.end, taken, set(), None, None, strong)]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Rock Won-hee, Mayor of Dorian, paid a courtesy call on Governor Tanabe.", "Rock Won-hee")],
)
def test_participants_untitled_name_before_an_appositive_title_keeps_common_words(
    lexicon: Lexicon, gazetteer: Gazetteer, text: str, expected: str
) -> None:
    nlp, finder = _finder("en", lexicon, gazetteer)
    doc = nlp(text)
    titled = finder.find(doc, boilerplate_mask(text, ()))
    taken = {t for m in titled for t in range(m.start, m.end)}
    found = finder.untitled(doc, 0, len(doc), taken, set())
    assert [(m.name, m.title) for m in found] == [(expected, "Mayor")]


@pytest.mark.parametrize(
    ("lang", "text", "persons", "roles"),
    [
        ("id", "Kepala Negara Takhta Suci Vatikan, Paus Benediktus berkunjung ke Masjid Raya.", ["Benediktus"], []),
        ("id", "Ia menerima Menlu Sudan, Menlu Chad Ahmed Musa dan pejabat lain.", ["Ahmed Musa"], ["Menlu Sudan"]),
    ],
)
def test_participants_office_set_off_before_a_titled_name_is_that_person(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, persons: list[str], roles: list[str]
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    mentions = attach_roles(doc, finder.find(doc, boilerplate_mask(text, ())))
    assert [m.name for m in mentions if m.kind == "person"] == persons
    assert [m.name for m in mentions if m.kind == "role"] == roles


@pytest.mark.parametrize(
    ("lang", "text", "persons"),
    [
        ("id", "Gubernur Bertemu Dubes Ana Lestari, Bahas Kerja Sama Daerah", ["Ana Lestari"]),
        ("en", "Governor Meets Ambassador Ana Ruiz in Lima", ["Ana Ruiz"]),
    ],
)
def test_participants_name_run_stops_at_a_headline_meeting_verb(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, persons: list[str]
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    mentions = finder.find(doc, boilerplate_mask(text, ()))
    assert [m.name for m in mentions if m.kind == "person"] == persons


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("Siapa yang menemui Presiden? Menteri Andi Wijaya bertemu dengan Presiden Budi Santoso di Istana.", True),
        ("Who did the minister meet? Minister Ana Ruiz met President Luc Moreau in Lima.", True),
        ("Apabila pertemuan berlanjut, Menteri Andi Wijaya akan bertemu Presiden Budi Santoso?", False),
        ("Siapa yang akan hadir?", False),
        ("Presiden Budi Santoso bertemu Menteri Andi Wijaya. Siapa yang hadir? Tidak ada.", False),
    ],
)
def test_hygiene_masks_faq_entries(lexicon: Lexicon, line: str, masked: bool) -> None:
    text = "Paragraf pertama.\n" + line + "\nParagraf akhir."
    mask = boilerplate_mask(text, lexicon.boilerplate_prefixes, (), None, lexicon.question_openers)
    assert mask.covers(text.index(line)) is masked
    assert not mask.covers(0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("President Rodrigo Castellano met King Hamid. President Rodrigo Castellan said so.", ["Rodrigo Castellano"]),
        (
            "President Rodrigo Castellano met King Hamid. President Rodrigo Alvarez said so.",
            ["Rodrigo Castellano", "Rodrigo Alvarez"],
        ),
    ],
)
def test_participants_resolve_a_clipped_surname_to_the_full_name(
    lexicon: Lexicon, gazetteer: Gazetteer, text: str, expected: list[str]
) -> None:
    nlp, finder = _finder("en", lexicon, gazetteer)
    doc = nlp(text)
    entities = resolve(finder.find(doc, boilerplate_mask(text, ())), finder.particles)
    assert [e.name for e in entities if e.kind == "person" and e.title == "President"] == expected


@pytest.mark.parametrize(
    "text",
    ["The leaders met on Monday, said press secretary Lim Wei Ling. Both sides agreed, added Ms Lim."],
)
def test_participants_a_bare_name_keeps_a_spokesperson_a_source(
    lexicon: Lexicon, gazetteer: Gazetteer, text: str
) -> None:
    nlp, finder = _finder("en", lexicon, gazetteer)
    doc = nlp(text)
    mask = boilerplate_mask(text, ())
    mentions = finder.find(doc, mask)
    mentions += finder.untitled(doc, 0, len(doc), {t for m in mentions for t in range(m.start, m.end)}, set())
    entities = resolve(sorted(mentions, key=lambda m: m.start), finder.particles)
    chang = [e for e in entities if e.name == "Lim Wei Ling"]
    assert len(chang) == 1
    assert len(chang[0].mentions) == 2
    assert chang[0].reporter


@pytest.mark.parametrize(
    "text",
    [
        "Kabid Humas Polda Sumbar Kombes Pol Budi Santoso mengatakan pertemuan berlangsung akrab.",
        "Kepala Biro Pers, Media, dan Informasi Budi Santoso mengatakan pertemuan berlangsung akrab.",
    ],
)
def test_participants_a_press_officer_is_a_source(lexicon: Lexicon, gazetteer: Gazetteer, text: str) -> None:
    nlp, finder = _finder("id", lexicon, gazetteer)
    doc = nlp(text)
    persons = [m for m in finder.find(doc, boilerplate_mask(text, ())) if m.kind == "person"]
    assert [(m.name, m.reporter) for m in persons] == [("Budi Santoso", True)]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Tom Harlow met the Varnel Chamber of Commerce on Monday.", ["Varnel Chamber of Commerce"]),
        ("en", "The Harlow Party and the Liberal Union held talks.", ["Harlow Party", "Liberal Union"]),
        ("id", "Ia bertemu Komisi I DPR dan Kadin di Jakarta.", ["Komisi I DPR", "Kadin"]),
        ("id", "Polisi Federal Zandoria menggelar pertemuan.", ["Polisi Federal Zandoria"]),
        ("en", "Tom Harlow visited the Bank on Monday.", []),
        ("id", "Ia bertemu Rina Kusuma di Kota Lama.", []),
    ],
)
def test_participants_find_organisations(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, expected: list[str]
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    assert [doc[s:e].text for s, e in finder.organisations(doc, 0, len(doc), set())] == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "id",
            "Kepolisian Arvenia dan Polisi Federal Zandoria (PFZ) menggelar pertemuan.",
            ["Kepolisian Arvenia", "Polisi Federal Zandoria"],
        ),
        ("id", "Rina bertemu dengan delegasi Kadin Zandoria di Bandung.", ["Kadin Zandoria"]),
        (
            "en",
            "Tom Harlow met with the Varnel Chamber of Commerce and the Harlow Party.",
            ["Varnel Chamber of Commerce", "Harlow Party"],
        ),
        (
            "en",
            "Tom Harlow held talks with representatives of the Varnel Chamber of Commerce.",
            ["Varnel Chamber of Commerce"],
        ),
        # a weak trigger takes a side after it only through "with": a gathering's name is no side
        ("en", "Tom Harlow spoke at a meeting of the Varnel Trade Council.", []),
        ("id", "Rina bertemu wartawan di Gedung Kadin Zandoria.", []),
    ],
)
def test_triggers_find_organisation_sides(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, expected: list[str]
) -> None:
    nlp, participants = _finder(lang, lexicon, gazetteer)
    triggers = TriggerFinder(nlp, lang, lexicon)
    doc = nlp(text)
    sent = split_sentences(doc)[0]
    runs = participants.organisations(doc, sent.start, sent.end, set())
    found = [doc[s:e].text for t in triggers.in_doc(doc) for s, e in triggers.organisation_sides(doc, sent, t, runs)]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Kepala Badan Koordinasi Ekspor Nasional (BKEN) Rudi Hartono bertemu Presiden Ahmad Fauzi.",
            ["Rudi Hartono", "Ahmad Fauzi"],
        ),
        (
            "Ketua Umum Pengurus Besar Persatuan Tani Nusantara (PBPTN), KH Rudi Hartono menerima tamu.",
            ["Rudi Hartono"],
        ),
    ],
)
def test_participants_read_the_name_after_a_body_s_acronym(
    lexicon: Lexicon, gazetteer: Gazetteer, text: str, names: list[str]
) -> None:
    nlp, finder = _finder("id", lexicon, gazetteer)
    mentions = finder.find(nlp(text), boilerplate_mask(text, ()))
    assert [m.name for m in mentions if m.kind == "person"] == names


@pytest.mark.parametrize(
    ("lang", "text", "names"),
    [
        ("id", "Ahmad Fauzi bertemu dengan delegasi Kamar Dagang Zandoria di Bandung.", ["Ahmad Fauzi"]),
        ("en", "Tom Harlow met the Varnel Chamber Northern Sellers on Monday.", ["Tom Harlow"]),
    ],
)
def test_participants_read_no_person_in_an_organisation_s_name(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, names: list[str]
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    assert [m.name for m in finder.untitled(doc, 0, len(doc), set(), set())] == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Tom Harlow met Shri JVK Varadan on Monday.", ["Tom Harlow", "JVK Varadan"]),
        ("Others who met him are Varnel's Brigadier (Retd) BD Moran and Tom Harlow.", ["BD Moran", "Tom Harlow"]),
        # no honorific before them: capitals are an acronym, not initials
        ("Tom Harlow met the NBC Varadan team.", ["Tom Harlow"]),
    ],
)
def test_participants_read_initials_after_an_honorific(
    lexicon: Lexicon, gazetteer: Gazetteer, text: str, names: list[str]
) -> None:
    nlp, finder = _finder("en", lexicon, gazetteer)
    doc = nlp(text)
    assert [m.name for m in finder.untitled(doc, 0, len(doc), set(), set())] == names


@pytest.mark.parametrize(
    ("lang", "text", "word"),
    [
        ("en", "The General Coordinator of Social Affairs of Varnel, Tom Harlow, met Mayor Lars Berg.", "Coordinator"),
        ("en", "The Buddhist leader also met Pope Tomas in 2005.", "Buddhist"),
        ("en", "The talks were disclosed by a Southeast Asian diplomat who met Tom Harlow.", "Southeast Asian"),
        ("en", "Mayor Lars Berg met Tom Harlow, but Fed says decisions stay independent.", "Fed"),
        ("id", "Wali Kota Budi Santoso menerima First Secretary Political affairs Kedutaan Zandoria.", "Political"),
    ],
)
def test_participants_read_no_person_in_a_job_faith_or_region_word(
    lexicon: Lexicon, gazetteer: Gazetteer, lang: str, text: str, word: str
) -> None:
    nlp, finder = _finder(lang, lexicon, gazetteer)
    doc = nlp(text)
    titled = finder.find(doc, boilerplate_mask(text, ()))
    untitled = finder.untitled(doc, 0, len(doc), set(), set())
    assert word not in {m.name for m in titled + untitled}


def test_participants_a_nickname_of_two_words_in_parentheses_is_the_same_person(
    lexicon: Lexicon, gazetteer: Gazetteer
) -> None:
    text = "Ketua Umum Ahmad Zaki Malik (Gus Zaki) hadir. Gus Zaki kemudian bertemu Menteri Budi Santoso."
    nlp, finder = _finder("id", lexicon, gazetteer)
    doc = nlp(text)
    mask = boilerplate_mask(text, ())
    mentions = finder.find(doc, mask)
    mentions += finder.untitled(doc, 0, len(doc), {t for m in mentions for t in range(m.start, m.end)}, set())
    entities = resolve(sorted(mentions, key=lambda m: m.start), finder.particles)
    persons = sorted(e.name for e in entities if e.kind == "person")
    assert persons == ["Ahmad Zaki Malik", "Budi Santoso"]
