"""The meeting extractor end to end, on small invented articles (names are made up)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stream.extract import MeetingExtractor
from stream.records import MeetingEvent, WireItem

SEED_LIKE = (
    "Ankara (ANTARA) - Kedua negara sepakat memperkuat kerja sama, kata Kementerian Luar Negeri.\n\n"
    "Dalam pertemuan dengan Menteri Luar Negeri Rusia Ivan Petrovsky di Moskow, Senin (18/9), "
    "Menteri Luar Negeri China Chen Baoguo mengatakan bahwa kedua negara menjalankan kebijakan "
    "yang independen.\n\n"
    "Chen mengatakan kerja sama kedua negara tidak menargetkan pihak ketiga.\n\n"
    "Baca juga: Presiden Korea Utara Park Dosan bertemu Presiden Rusia Oleg Smirnov\n"
    "Editor: Siti Aminah\n"
    "Copyright \u00a9 ANTARA 2023"
)


def _item(text: str, language: str | None = "id", **kw: str | None) -> WireItem:
    return WireItem(id=str(kw.pop("id", "t-1")), text=text, language=language, **kw)


def _held(events: list[MeetingEvent]) -> list[MeetingEvent]:
    return [e for e in events if e.status == "held"]


def _held_sides(extractor: MeetingExtractor, text: str) -> list[list[str]]:
    """The participants' names of each held meeting of an English item, sorted, in sorted order."""
    events = _held(extractor.extract(_item(text, "en", published_at="2024-05-14")))
    return sorted(sorted(p.name for p in e.participants) for e in events)


@pytest.mark.parametrize("text", [SEED_LIKE])
def test_extractor_reads_seed_like_article(extractor: MeetingExtractor, text: str) -> None:
    events = extractor.extract(_item(text))
    assert len(events) == 1
    ev = events[0]
    assert ev.status == "held"
    by_name = {p.name: p for p in ev.participants}
    assert set(by_name) == {"Ivan Petrovsky", "Chen Baoguo"}
    assert (by_name["Ivan Petrovsky"].title, by_name["Ivan Petrovsky"].country) == ("Foreign Minister", "RU")
    assert (by_name["Chen Baoguo"].affiliation, by_name["Chen Baoguo"].country) == ("China", "CN")
    assert ev.location is not None and (ev.location.name, ev.location.mention) == ("Moscow", "Moskow")
    assert ev.date is not None and ev.date.value == "2023-09-18"
    assert ev.topic is not None and ev.topic.category == "politics"


@pytest.mark.parametrize("text", [SEED_LIKE])
def test_extractor_spans_index_the_original_text(extractor: MeetingExtractor, text: str) -> None:
    for ev in extractor.extract(_item(text)):
        for p in ev.participants:
            assert text[p.span[0] : p.span[1]] == p.mention
        if ev.location:
            assert text[ev.location.span[0] : ev.location.span[1]] == ev.location.mention
        if ev.date:
            assert text[ev.date.span[0] : ev.date.span[1]] == ev.date.mention
        assert text[ev.evidence.span[0] : ev.evidence.span[1]] == ev.evidence.text
        assert 0.0 <= ev.confidence <= 1.0


@pytest.mark.parametrize("text", [SEED_LIKE])
def test_extractor_ignores_related_link_lines(extractor: MeetingExtractor, text: str) -> None:
    names = {p.name for ev in extractor.extract(_item(text)) for p in ev.participants}
    assert not names & {"Park Dosan", "Oleg Smirnov", "Siti Aminah"}


@pytest.mark.parametrize("text", [SEED_LIKE])
def test_extractor_is_deterministic(extractor: MeetingExtractor, text: str) -> None:
    first = [e.to_dict() for e in extractor.extract(_item(text))]
    second = [e.to_dict() for e in extractor.extract(_item(text))]
    assert first == second


@pytest.mark.parametrize(
    "text",
    [
        "BEIJING - Presiden Budi Santoso bertemu dengan Presiden China Zhao Lei di Beijing, Sabtu (9/11/2024).\n\n"
        "Turut mendampingi Presiden Budi dalam kunjungan ke China adalah Menteri Luar Negeri Sari Wulandari; "
        "Menteri Perdagangan Agus Salim Hakim; serta Panglima TNI Jenderal Bima Prakoso.",
    ],
)
def test_extractor_reads_an_entourage_list_as_no_meeting(extractor: MeetingExtractor, text: str) -> None:
    events = _held(extractor.extract(_item(text, published_at="2024-11-10")))
    assert sorted(tuple(sorted(p.name for p in e.participants)) for e in events) == [("Budi Santoso", "Zhao Lei")]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "id",
            "PADANG - Wali Kota Budi Santoso menerima kunjungan Wali Kota Arif Wibowo di Padang, Rabu (18/9/2024).\n\n"
            "Dalam pertemuan tersebut, Budi Santoso didampingi oleh Sekretaris Daerah, Rudi Hartono, serta "
            "Kepala Bagian Umum, Tono Wijaya.",
        ),
        (
            "en",
            "PADANG - Mayor Budi Santoso received Mayor Arif Wibowo in Padang on Wednesday.\n\n"
            "During the meeting, Budi Santoso was accompanied by Regional Secretary Rudi Hartono and "
            "General Affairs Head Tono Wijaya.",
        ),
    ],
)
def test_extractor_leaves_out_companions_named_after_a_meeting_is_reported(
    extractor: MeetingExtractor, language: str, text: str
) -> None:
    events = _held(extractor.extract(_item(text, language, published_at="2024-09-19")))
    assert sorted(tuple(sorted(p.name for p in e.participants)) for e in events) == [("Arif Wibowo", "Budi Santoso")]


@pytest.mark.parametrize(
    "text",
    [
        "PALANGKA RAYA - Kapolda Budi Santoso bersilaturahmi ke Danrem Arif Wibowo, Senin (11/5/2020).\n\n"
        "Wakapolda, Brigjen Pol Rudi Hartono, dan sejumlah pejabat ikut mendampingi Kapolda dalam acara "
        "silaturahmi tersebut.",
        "PARIS - Menteri Luar Negeri Rudi Hartono yang mendampingi Presiden Arif Wibowo bertemu dengan "
        "Presiden Budi Santoso di Paris, Senin (11/5/2020).",
    ],
)
def test_extractor_leaves_out_the_subject_of_an_accompanying_verb(extractor: MeetingExtractor, text: str) -> None:
    events = _held(extractor.extract(_item(text, published_at="2020-05-12")))
    assert sorted(tuple(sorted(p.name for p in e.participants)) for e in events) == [("Arif Wibowo", "Budi Santoso")]


@pytest.mark.parametrize(
    "text",
    ["Chinese President Zhao Lei met President Budi Santoso and his wife Ani Lestari in Beijing on Monday."],
)
def test_extractor_leaves_out_a_spouse(extractor: MeetingExtractor, text: str) -> None:
    events = _held(extractor.extract(_item(text, "en", published_at="2024-11-12")))
    assert sorted(tuple(sorted(p.name for p in e.participants)) for e in events) == [("Budi Santoso", "Zhao Lei")]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("JAKARTA - Presiden Budi Santoso berbicara melalui telepon dengan Presiden Prancis Luc Moreau, Senin.", "id"),
        ("Foreign Minister Ana Ruiz spoke by phone with her Chinese counterpart Zhao Lei on Monday.", "en"),
        ("Pelatih Andi Wijaya mengatakan pertemuan kedua tim berakhir dengan skor 2-1 di stadion.", "id"),
        (
            "President Budi Santoso was received at the International Airport by Foreign Minister Ana Ruiz "
            "and Trade Minister Luc Moreau",
            "en",
        ),
        ("Bupati Andi Wijaya menolak menemui Menteri Budi Santoso di kantornya, Senin.", "id"),
    ],
)
def test_extractor_skips_calls_and_matches(extractor: MeetingExtractor, text: str, language: str) -> None:
    assert _held(extractor.extract(_item(text, language))) == []


@pytest.mark.parametrize(
    ("text", "language", "status"),
    [
        (
            "Menteri Luar Negeri Dewi Lestari akan bertemu Menteri Luar Negeri Jepang Kenji Sato di Tokyo.",
            "id",
            "planned",
        ),
        (
            "Chinese Foreign Minister Zhao Lei is expected to meet Brazilian Foreign Minister Ana Ruiz in Beijing.",
            "en",
            "planned",
        ),
        ("Pertemuan antara Presiden Budi Santoso dan Presiden Prancis Luc Moreau dibatalkan.", "id", "cancelled"),
        ("U.S. President Tom Walker called off his summit with Russian President Oleg Smirnov.", "en", "cancelled"),
        (
            "Chinese Foreign Minister Zhao Lei met Brazilian Foreign Minister Ana Ruiz in Beijing on Friday.",
            "en",
            "held",
        ),
        (
            "After talks, Prime Minister Zhao Lei will host a dinner for President Ana Ruiz at 6pm.",
            "en",
            "planned",
        ),
    ],
)
def test_extractor_reads_status(extractor: MeetingExtractor, text: str, language: str, status: str) -> None:
    events = extractor.extract(_item(text, language))
    assert [e.status for e in events] == [status]


@pytest.mark.parametrize(
    ("text", "language", "status", "value"),
    [
        # published on Wednesday 2023-09-20: a planned Friday is two days ahead, a held one five days back
        (
            "Chinese Foreign Minister Zhao Lei will meet Brazilian Foreign Minister Ana Ruiz in Beijing on Friday.",
            "en",
            "planned",
            "2023-09-22",
        ),
        (
            "Menteri Luar Negeri China Zhao Lei akan bertemu Menteri Luar Negeri Brasil Ana Ruiz di Beijing, Jumat.",
            "id",
            "planned",
            "2023-09-22",
        ),
        (
            "Chinese Foreign Minister Zhao Lei met Brazilian Foreign Minister Ana Ruiz in Beijing on Friday.",
            "en",
            "held",
            "2023-09-15",
        ),
        (
            "Menteri Luar Negeri China Zhao Lei bertemu Menteri Luar Negeri Brasil Ana Ruiz di Beijing, Jumat.",
            "id",
            "held",
            "2023-09-15",
        ),
    ],
)
def test_extractor_reads_a_weekday_by_status(
    extractor: MeetingExtractor, text: str, language: str, status: str, value: str
) -> None:
    events = extractor.extract(_item(text, language, published_at="2023-09-20"))
    assert [(e.status, e.date.value if e.date else None) for e in events] == [(status, value)]


@pytest.mark.parametrize(
    "text",
    [
        "NEW YORK - Menlu Dewi Lestari melakukan sejumlah pertemuan bilateral di sela sidang PBB. "
        "Dewi bertemu dengan Menteri Luar Negeri Jepang Kenji Sato, Menteri Luar Negeri Kenya "
        "Grace Wanjiru, dan Menteri Luar Negeri Peru Diego Salas."
    ],
)
def test_extractor_splits_a_list_of_bilaterals(extractor: MeetingExtractor, text: str) -> None:
    events = _held(extractor.extract(_item(text)))
    pairs = sorted(tuple(sorted(p.name for p in e.participants)) for e in events)
    assert pairs == [
        ("Dewi Lestari", "Diego Salas"),
        ("Dewi Lestari", "Grace Wanjiru"),
        ("Dewi Lestari", "Kenji Sato"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Chief Minister Ravi Menon met Prime Minister Arjun Thapa in the capital on Wednesday after "
            "calling on President Kofi Mensah.",
            [("held", ("Arjun Thapa", "Ravi Menon")), ("held", ("Kofi Mensah", "Ravi Menon"))],
        ),
        (
            "President Ana Souza is due to meet President Diego Salas on Tuesday before heading on for "
            "talks with Prime Minister Kenji Sato.",
            [("planned", ("Ana Souza", "Diego Salas")), ("planned", ("Ana Souza", "Kenji Sato"))],
        ),
    ],
)
def test_extractor_reads_one_meeting_per_trigger_of_a_sentence(
    extractor: MeetingExtractor, text: str, expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    events = extractor.extract(_item(text, "en", published_at="2024-05-10"))
    got = sorted((e.status, tuple(sorted(p.name for p in e.participants))) for e in events)
    assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        "KATMANDU - Prime Minister Rina Akter arrived in the capital for the regional summit on Thursday. "
        "On the sidelines of the summit, she held meetings with Foreign Minister Arjun Thapa and "
        "President Kofi Mensah."
    ],
)
def test_extractor_reads_a_pronoun_subject_and_separate_meetings(extractor: MeetingExtractor, text: str) -> None:
    events = _held(extractor.extract(_item(text, "en", published_at="2024-05-10")))
    pairs = sorted(tuple(sorted(p.name for p in e.participants)) for e in events)
    assert pairs == [("Arjun Thapa", "Rina Akter"), ("Kofi Mensah", "Rina Akter")]


@pytest.mark.parametrize(
    ("text", "title", "status"),
    [
        (
            "Chinese President Zhao Lei will travel to Brazil next week. The meeting with President "
            "Paulo Souza in Brasilia focuses on trade.",
            "Zhao to hold talks with Brazil's Souza",
            "planned",
        ),
        (
            "Chinese President Zhao Lei met President Paulo Souza in Brasilia on Monday.",
            "Zhao to hold talks with Brazil's Souza",
            "held",
        ),
    ],
)
def test_extractor_reads_a_headline_s_planned_meeting(
    extractor: MeetingExtractor, text: str, title: str, status: str
) -> None:
    events = extractor.extract(_item(text, "en", published_at="2024-05-10", title=title))
    assert [e.status for e in events] == [status]


@pytest.mark.parametrize(
    "text",
    [
        "Chinese President Zhao Lei on Wednesday held talks with his Brazilian counterpart Paulo Souza "
        "in Beijing. Zhao said the two countries would deepen trade ties, and Souza agreed."
    ],
)
def test_extractor_merges_mentions_of_one_meeting(extractor: MeetingExtractor, text: str) -> None:
    events = extractor.extract(_item(text, "en", published_at="2024-05-10"))
    assert len(events) == 1
    souza = next(p for p in events[0].participants if p.name == "Paulo Souza")
    assert (souza.country, souza.title) == ("BR", "President")
    assert events[0].date is not None and events[0].date.value == "2024-05-08"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Chief Minister Arvid Tannberg met Prime Minister Duarte Valmonte in New Delhi on Wednesday after "
            "calling on President Lena Okafor and Vice-President Tom Riggs.",
            [{"Duarte Valmonte"}, {"Lena Okafor"}, {"Tom Riggs"}],
        ),
        (
            "Chief Minister Arvid Tannberg called on President Lena Okafor and Vice-President Tom Riggs on Wednesday.",
            [{"Lena Okafor"}, {"Tom Riggs"}],
        ),
    ],
)
def test_extractor_reads_calls_on_several_people_as_separate_meetings(
    extractor: MeetingExtractor, text: str, expected: list[set[str]]
) -> None:
    """A courtesy call is made on one host: "called on A and B" is a call on each."""
    events = _held(extractor.extract(_item(text, "en", published_at="2024-05-09")))
    assert [{p.name for p in e.participants} - {"Arvid Tannberg"} for e in events] == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Prime Minister Arvid Tannberg hosted a delegation of senior business leaders at his office on Friday.",
            "en",
            [["Arvid Tannberg", "delegation of senior business leaders"]],
        ),
        (
            "President Arvid Tannberg met with the governors of the northern provinces on Friday. "
            "President Tannberg later received all governors again.",
            "en",
            [["Arvid Tannberg", "governors of the northern provinces"]],
        ),
        (
            "Gubernur Bagus Wicaksono menerima 20 perwakilan serikat buruh di Medan, Senin (6/5).",
            "id",
            [["Bagus Wicaksono", "perwakilan serikat buruh"]],
        ),
        ("Governor Arvid Tannberg met reporters at his office on Friday.", "en", []),
    ],
)
def test_extractor_reads_a_group_as_the_other_side(
    extractor: MeetingExtractor, text: str, language: str, expected: list[list[str]]
) -> None:
    """A delegation, representatives, leaders of a body: the side no name introduces."""
    events = _held(extractor.extract(_item(text, language, published_at="2024-05-07")))
    assert [[p.name for p in e.participants] for e in events] == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "MEDAN - Gubernur Bagus Wicaksono menerima kunjungan Duta Besar Rina Lestari di Medan, Senin (6/5).\n\n"
            "Pertemuan itu dihadiri juga oleh Sekretaris Daerah Andi Saputra, Kepala Dinas Pariwisata Budi Hartono "
            "dan Kepala Dinas Perhubungan Citra Dewi.",
            "id",
            {"Bagus Wicaksono", "Rina Lestari"},
        ),
        (
            "Governor Arvid Tannberg received Ambassador Duarte Valmonte in Medan on Monday.\n\n"
            "The meeting was also attended by Deputy Governor Lena Okafor, Secretary Tom Riggs and "
            "Commissioner Ana Bettel.",
            "en",
            {"Arvid Tannberg", "Duarte Valmonte"},
        ),
        (
            "MEDAN - Gubernur Bagus Wicaksono menerima kunjungan Duta Besar Rina Lestari di Medan, Senin (6/5).\n\n"
            "Pertemuan itu dihadiri juga oleh Menteri Perdagangan Andi Saputra.",
            "id",
            {"Bagus Wicaksono", "Rina Lestari", "Andi Saputra"},
        ),
    ],
)
def test_extractor_leaves_out_a_list_of_officials_in_attendance(
    extractor: MeetingExtractor, text: str, language: str, expected: set[str]
) -> None:
    """ "Also attended by X" adds X to the meeting; a list of three officials or more is an entourage."""
    events = _held(extractor.extract(_item(text, language, published_at="2024-05-07")))
    assert [{p.name for p in e.participants} for e in events] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Menteri Bagus Wicaksono mengatakan pembicaraannya dengan Menteri Rina Lestari saat makan siang, "
        "Senin (6/5), berisi soal perdagangan dan investasi.",
        "Gubernur Bagus Wicaksono menjelaskan hasil pertemuannya dengan Duta Besar Rina Lestari, Senin (6/5).",
    ],
)
def test_extractor_reads_a_possessive_meeting_noun_with_its_party(extractor: MeetingExtractor, text: str) -> None:
    """ "pembicaraannya dengan X": his talks with X, a meeting as "pembicaraan dengan X" is."""
    events = _held(extractor.extract(_item(text, "id", published_at="2024-05-08")))
    assert [{p.name for p in e.participants} for e in events] == [{"Bagus Wicaksono", "Rina Lestari"}]


@pytest.mark.parametrize(
    ("text", "earlier_place"),
    [
        (
            "VIENNA (Wire) - Chancellor Arvid Tannberg held talks with Prime Minister Duarte Valmonte in Vienna "
            "on Monday, the chancellery said.\n\nThe two leaders discussed trade and energy.\n\n"
            "Most recently, they met last month at a regional summit in Prague.",
            "Prague",
        ),
        (
            "VIENNA (Wire) - Chancellor Arvid Tannberg welcomed Prime Minister Duarte Valmonte on Monday, "
            "the chancellery said.\n\nThe two last met when Valmonte visited Prague in March, the chancellery said.",
            "Prague",
        ),
    ],
)
def test_extractor_reads_an_earlier_meeting_of_the_same_pair_as_another_meeting(
    extractor: MeetingExtractor, text: str, earlier_place: str
) -> None:
    """ "They last met in March": the pair met before too; that meeting is not merged into the story's."""
    events = _held(extractor.extract(_item(text, "en", published_at="2024-05-07")))
    assert len(events) == 2
    assert all({p.name for p in e.participants} == {"Arvid Tannberg", "Duarte Valmonte"} for e in events)
    assert events[1].location is not None and events[1].location.name == earlier_place


@pytest.mark.parametrize(
    "text",
    [
        "Presiden Ahmad Fauzi menghadiri jamuan makan malam yang diselenggarakan Raja Hamid di Roma, Senin. "
        "Jamuan makan malam ini digelar usai perayaan Hari Nasional, di mana Menteri Budi Santoso hadir sebagai tamu."
    ],
)
def test_extractor_reads_a_strong_trigger_before_a_demonstrative_as_the_same_meeting(
    extractor: MeetingExtractor, text: str
) -> None:
    events = _held(extractor.extract(_item(text, "id", published_at="2024-05-10")))
    assert len(events) == 1
    assert {"Ahmad Fauzi", "Hamid"} <= {p.name for p in events[0].participants}


@pytest.mark.parametrize("text", ["Le ministre a rencontré son homologue à Paris pour discuter du commerce."])
def test_extractor_returns_nothing_for_unsupported_languages(extractor: MeetingExtractor, text: str) -> None:
    assert extractor.extract(_item(text, "fr")) == []
    assert extractor.extract(_item(text, None)) == []


@pytest.mark.parametrize("text", [SEED_LIKE])
def test_extractor_detects_language_when_absent(extractor: MeetingExtractor, text: str) -> None:
    assert extractor.language_of(_item(text, None)) == "id"
    assert len(extractor.extract(_item(text, None))) == 1


@pytest.mark.parametrize("text", [SEED_LIKE])
def test_extractor_extract_many_matches_extract(extractor: MeetingExtractor, text: str) -> None:
    items = [
        (_item(text, id="a"), None),
        (_item("Chinese Foreign Minister Zhao Lei met Ana Ruiz.", "en", id="b"), datetime(2024, 1, 2, tzinfo=UTC)),
        (_item("Bonjour tout le monde, rien ici.", "fr", id="c"), None),
    ]
    many = extractor.extract_many(items)
    single = [extractor.extract(item, received_at=ts) for item, ts in items]
    assert [[e.to_dict() for e in evs] for evs in many] == [[e.to_dict() for e in evs] for evs in single]


@pytest.mark.parametrize(
    "key", ["spacy_version", "pipeline_id", "pipeline_en", "data_titles", "data_places_regions", "data_place_cues"]
)
def test_extractor_reports_version_info(extractor: MeetingExtractor, key: str) -> None:
    assert extractor.version_info[key]
    assert extractor.supported_languages == frozenset({"id", "en"})


_WORDS = st.sampled_from(
    [
        "Presiden",
        "Menlu",
        "bertemu",
        "dengan",
        "Rusia",
        "China",
        "met",
        "President",
        "Foreign",
        "Minister",
        "Ivan",
        "Petrovsky",
        "Chen",
        "Baoguo",
        "di",
        "Moskow",
        "Senin",
        "(18/9)",
        "akan",
        "batal",
        ",",
        ".",
        "\n",
        "Baca juga:",
        "talks",
        "with",
        "his",
        "counterpart",
        "\u201c",
        "\u201d",
        "-",
        "Al",
        "bin",
        "(",
        ")",
        "Jakarta",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(_WORDS, max_size=60), language=st.sampled_from(["id", "en"]))
def test_extractor_never_raises_and_keeps_spans(extractor: MeetingExtractor, words: list[str], language: str) -> None:
    text = " ".join(words)
    for ev in extractor.extract(_item(text, language)):
        for p in ev.participants:
            assert text[p.span[0] : p.span[1]] == p.mention
        assert text[ev.evidence.span[0] : ev.evidence.span[1]] == ev.evidence.text
        assert len(ev.participants) >= 2


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("On Tuesday, February 3, Mr. Park Brenwick, Mayor of Busan, paid a courtesy call on Governor Tanaka.", "Park"),
        ("On Tuesday, Mrs. Garden Brenwick, Mayor of Busan, paid a courtesy call on Governor Tanaka.", "Garden"),
        ("On Tuesday, Dr. Church Brenwick, Mayor of Busan, paid a courtesy call on Governor Tanaka.", "Church"),
    ],
)
def test_extractor_reads_a_name_after_an_honorific_even_with_an_organisation_word(
    extractor: MeetingExtractor, text: str, name: str
) -> None:
    """ "Mr. Park X, Mayor of Y": a word that often names a place or body ("X Park") is a name after "Mr."."""
    events = _held(extractor.extract(_item(text, "en", published_at="2015-02-04")))
    assert [{p.name for p in e.participants} for e in events] == [{f"{name} Brenwick", "Tanaka"}]


@pytest.mark.parametrize(
    ("text", "language", "title_of"),
    [
        # an ordinal and the country between the office and the name
        (
            "JAKARTA - Presiden Keenam Republik Indonesia Budiman Sasongko bertemu dengan Presiden Harjono "
            "Wicaksono di Istana Merdeka Jakarta, Jumat (27/10/2023).",
            "id",
            ("Budiman Sasongko", "President"),
        ),
        (
            "SOLO - Governor candidate Halvard Quennell met with the 7th President of the Republic of Indonesia "
            "Harjono Wicaksono in Solo on Friday, January 12, 2024.",
            "en",
            ("Harjono Wicaksono", "President"),
        ),
    ],
)
def test_extractor_joins_an_office_to_a_name_a_few_words_later(
    extractor: MeetingExtractor, text: str, language: str, title_of: tuple[str, str]
) -> None:
    events = _held(extractor.extract(_item(text, language=language)))
    assert len(events) == 1
    by_name = {p.name: p for p in events[0].participants}
    name, title = title_of
    assert name in by_name
    assert by_name[name].title == title
    assert len(by_name) == 2


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Indonesian President Ahmad Fauzi arrived in Rome on Monday. He is expected to meet Italian "
            "President Marco Bellini on Wednesday, according to Indonesian State Secretariat Minister Budi Santoso.",
            "en",
        ),
        (
            "Presiden Ahmad Fauzi tiba di Roma, Senin. Ia dijadwalkan bertemu Presiden Italia Marco Bellini "
            "pada Rabu, menurut Menteri Sekretaris Negara Budi Santoso.",
            "id",
        ),
    ],
)
def test_extractor_leaves_out_the_source_of_a_report(extractor: MeetingExtractor, text: str, language: str) -> None:
    events = extractor.extract(_item(text, language, published_at="2024-05-13"))
    assert [{p.name for p in e.participants} for e in events] == [{"Ahmad Fauzi", "Marco Bellini"}]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "President Ana Ruiz met Prime Minister Luc Moreau in Lima on Monday. "
            "On Tuesday, both Ruiz and Moreau attended the first meeting of Pacific leaders at the convention centre.",
            "en",
            [{"Ana Ruiz", "Luc Moreau"}],
        ),
        (
            "President Ana Ruiz held talks with Senator Luc Moreau in Lima on Monday. "
            "Trade Minister Zhao Lei also attended the palace meeting, which Ruiz said was friendly.",
            "en",
            [{"Ana Ruiz", "Luc Moreau", "Zhao Lei"}],
        ),
        (
            "Presiden Budi Santoso bertemu Perdana Menteri Luc Moreau di Jakarta, Senin. "
            "Keesokan harinya, Budi dan Moreau menghadiri rapat para pemimpin kawasan di Bali.",
            "id",
            [{"Budi Santoso", "Luc Moreau"}],
        ),
    ],
)
def test_extractor_reads_an_attended_gathering_as_no_new_meeting(
    extractor: MeetingExtractor, text: str, language: str, expected: list[set[str]]
) -> None:
    events = _held(extractor.extract(_item(text, language, published_at="2024-05-14")))
    assert [{p.name for p in e.participants} for e in events] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "President Tran Van Minh on Monday hosted separate receptions in Hanoi for Ambassadors of Peru, "
            "Chile and Norway as they came to present their credentials.\n\n"
            "Receiving Peruvian Ambassador Luis Garcia Ramos, President Minh thanked Peru for its support.",
            [
                {"Luis Garcia Ramos", "Tran Van Minh"},
                {"Ambassador of Chile", "Tran Van Minh"},
                {"Ambassador of Norway", "Tran Van Minh"},
            ],
        ),
    ],
)
def test_extractor_reads_a_plural_office_with_countries_as_one_holder_each(
    extractor: MeetingExtractor, text: str, expected: list[set[str]]
) -> None:
    assert _held_sides(extractor, text) == sorted(map(sorted, expected))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "JAKARTA - Presiden Budi Santoso menerima 25 bupati dari sejumlah daerah di Istana, Senin (13/5/2024).\n\n"
            "Para bupati menyampaikan sejumlah usulan.\n\n"
            "Menurut dia, investasi harus dipermudah.\n\n"
            "Ekspor juga perlu ditingkatkan.\n\n"
            "Sementara itu Wali Kota Bandung Andi Wijaya yang juga hadir dalam pertemuan itu mengatakan "
            "Presiden Luc Moreau banyak menyinggung ekonomi kreatif.",
            [{"Budi Santoso", "bupati dari sejumlah daerah", "Andi Wijaya"}],
        ),
        (
            "JAKARTA - Presiden Budi Santoso menerima bupati di Istana, Senin (13/5/2024).",
            [],
        ),
    ],
)
def test_extractor_reads_a_counted_group_and_a_later_attendee(
    extractor: MeetingExtractor, text: str, expected: list[set[str]]
) -> None:
    events = _held(extractor.extract(_item(text, "id", published_at="2024-05-13")))
    assert [{p.name for p in e.participants} for e in events] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Wakil Ketua DPRD Jawa Barat Suparman menerima 15 perwakilan buruh di ruang rapat, Rabu (15/5/2024).",
            [{"Suparman", "perwakilan buruh"}],
        ),
    ],
)
def test_extractor_reads_a_deputy_regional_council_speaker(
    extractor: MeetingExtractor, text: str, expected: list[set[str]]
) -> None:
    events = _held(extractor.extract(_item(text, "id", published_at="2024-05-15")))
    assert [{p.name for p in e.participants} for e in events] == expected
    assert events[0].participants[0].title == "Deputy Speaker"


@pytest.mark.parametrize(
    "text",
    [
        "SURABAYA - Presiden Budi Santoso tiba di Surabaya, Minggu (18/11/2018).\n\n"
        "Sebelumnya Presiden Budi Santoso bertemu dengan Presiden China Zhao Lei di sela KTT di Port Moresby, "
        "Sabtu (17/11/2018).\n\n"
        "Mengawali pertemuan, Budi memberikan ucapan selamat kepada Zhao atas pameran dagang di Shanghai.",
    ],
)
def test_extractor_reads_a_weak_mention_after_an_earlier_meeting_as_the_same(
    extractor: MeetingExtractor, text: str
) -> None:
    events = _held(extractor.extract(_item(text, "id", published_at="2018-11-18")))
    assert [({p.name for p in e.participants}, e.location.name if e.location else None) for e in events] == [
        ({"Budi Santoso", "Zhao Lei"}, "Port Moresby")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Five governors met Home Minister Ravi Menon on Monday. The governors met Menon separately.\n\n"
            "Besides Kerala Governor Anil Kapoor, others who met Menon are Goa's Vijay Rao and Assam's Sunil Das.",
            [{"Ravi Menon", "Anil Kapoor"}, {"Ravi Menon", "Vijay Rao"}, {"Ravi Menon", "Sunil Das"}],
        ),
        (
            "Home Minister Ravi Menon met Governor Anil Kapoor, Vijay Rao and Sunil Das on Monday.\n\n"
            "In separate talks with reporters last week, Kapoor said the state needs funds.",
            [{"Ravi Menon", "Anil Kapoor", "Vijay Rao", "Sunil Das"}],
        ),
    ],
)
def test_extractor_splits_a_list_told_as_separate_meetings(
    extractor: MeetingExtractor, text: str, expected: list[set[str]]
) -> None:
    assert _held_sides(extractor, text) == sorted(map(sorted, expected))


@pytest.mark.parametrize(
    ("text", "places"),
    [
        (
            "BOGOR - Presiden Budi Santoso menerima kunjungan Perdana Menteri Prancis Luc Moreau di Istana Bogor, "
            "Jumat (5/7/2013). Pertemuan resmi ini sebelumnya sudah didahului rapat tertutup di Istana Negara, "
            "Kamis (4/7) sambil makan malam bersama.",
            ["Bogor", "Jakarta"],
        ),
        (
            "BOGOR - Presiden Budi Santoso menerima kunjungan Perdana Menteri Prancis Luc Moreau di Istana Bogor, "
            "Jumat (5/7/2013). Usai pertemuan, keduanya makan malam bersama.",
            ["Bogor"],
        ),
    ],
)
def test_extractor_reads_an_earlier_nameless_meeting_of_the_pair_just_reported(
    extractor: MeetingExtractor, text: str, places: list[str]
) -> None:
    events = _held(extractor.extract(_item(text, "id", published_at="2013-07-05")))
    assert [e.location.name if e.location else None for e in events] == places
    assert all({p.name for p in e.participants} == {"Budi Santoso", "Luc Moreau"} for e in events)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "King Anton met Prime Minister Liz Moreau in London on Sunday.\n\n"
            "There was also a private audience at the palace for Ms Ruiz, whose country counts Anton as sovereign.",
            [{"Anton", "Liz Moreau"}, {"Anton", "Ruiz"}],
        ),
    ],
)
def test_extractor_reads_a_surname_after_a_courtesy_title(
    extractor: MeetingExtractor, text: str, expected: list[set[str]]
) -> None:
    events = _held(extractor.extract(_item(text, "en", published_at="2022-09-18")))
    assert [{p.name for p in e.participants} for e in events] == expected


@pytest.mark.parametrize(
    ("text", "language", "sides"),
    [
        (
            "BANDUNG - Kepolisian Negara Arvenia dan Polisi Federal Zandoria menggelar pertemuan di Bandung, "
            "Senin (13/5/2024). Kepala Biro Humas Dedi Santoso mengatakan pertemuan membahas kerja sama.",
            "id",
            [["Kepolisian Negara Arvenia", "Polisi Federal Zandoria"]],
        ),
        (
            "SURABAYA - Gubernur Jawa Timur Rina Kusuma bertemu dengan delegasi Kamar Dagang Zandoria di "
            "Surabaya, Senin (13/5/2024).",
            "id",
            [["Rina Kusuma", "delegasi Kamar Dagang Zandoria"]],
        ),
        (
            "LONDON - Prime Minister Tom Harlow met with the Varnel Chamber of Commerce in London on Monday.",
            "en",
            [["Tom Harlow", "Varnel Chamber of Commerce"]],
        ),
    ],
)
def test_extractor_reads_organisations_as_sides(
    extractor: MeetingExtractor, text: str, language: str, sides: list[list[str]]
) -> None:
    events = _held(extractor.extract(_item(text, language, published_at="2024-05-14")))
    assert [[p.name for p in e.participants] for e in events] == sides


@pytest.mark.parametrize(
    "text",
    [
        "BANDUNG - Wali Kota Bandung Rina Kusuma menerima kunjungan delegasi Pemerintah Kota Osaka di Balai "
        "Kota, Senin (13/5/2024). Dalam pertemuan itu Rina bertemu Wakil Wali Kota Osaka Kenji Mori."
    ],
)
def test_extractor_drops_a_delegation_its_leader_stands_for(extractor: MeetingExtractor, text: str) -> None:
    events = _held(extractor.extract(_item(text, "id", published_at="2024-05-14")))
    assert [sorted(p.name for p in e.participants) for e in events] == [["Kenji Mori", "Rina Kusuma"]]


@pytest.mark.parametrize(
    "text",
    [
        "SURABAYA - Tim kami menggelar audiensi dengan Kodam X Zandoria, Selasa (14/5/2024), dilanjutkan "
        "dengan Gubernur Jawa Timur Rina Kusuma, Rabu (15/5/2024)."
    ],
)
def test_extractor_reads_no_meeting_between_two_objects(extractor: MeetingExtractor, text: str) -> None:
    events = _held(extractor.extract(_item(text, "id", published_at="2024-05-16")))
    assert not any("Kodam X Zandoria" in [p.name for p in e.participants] for e in events)


@pytest.mark.parametrize(
    "text",
    [
        "NEW DELHI - Foreign Minister Rina Akter arrived for the regional conference on Tuesday. "
        '"He said she had fruitful bilateral meetings yesterday with foreign ministers of Varnelia '
        '[Arjun Thapa] and Zandoria [Kofi Mensah]," a spokesman said.',
        "NEW DELHI - Foreign Minister Rina Akter arrived for the regional conference on Tuesday. "
        "She had bilateral meetings yesterday with Foreign Minister Arjun Thapa and President Kofi Mensah.",
    ],
)
def test_extractor_reads_a_pronoun_subject_of_a_weak_trigger_with_its_parties(
    extractor: MeetingExtractor, text: str
) -> None:
    assert _held_sides(extractor, text) == [["Arjun Thapa", "Rina Akter"], ["Kofi Mensah", "Rina Akter"]]


@pytest.mark.parametrize(
    ("text", "language", "sides"),
    [
        (
            "President Marek Dvorak and Prime Minister Lena Sorvik signed a joint declaration on trade "
            "in Oslo on Monday.",
            "en",
            [["Lena Sorvik", "Marek Dvorak"]],
        ),
        (
            "Presiden Tomas Varga dan Perdana Menteri Hana Okuda menandatangani deklarasi bersama "
            "di Jakarta, Senin (13/5).",
            "id",
            [["Hana Okuda", "Tomas Varga"]],
        ),
        ("Governor Paul Renner signed the budget bill on Monday.", "en", []),
    ],
)
def test_extractor_reads_two_parties_signing_together_as_a_meeting(
    extractor: MeetingExtractor, text: str, language: str, sides: list[list[str]]
) -> None:
    events = _held(extractor.extract(_item(text, language, published_at="2024-05-14")))
    assert sorted(sorted(p.name for p in e.participants) for e in events) == sides


@pytest.mark.parametrize(
    ("text", "language", "sides"),
    [
        # "dined": a meal of two named leaders is their meeting
        (
            "President Ahmad Fauzi and Prime Minister Ali Hamid dined at the palace on Friday.",
            "en",
            ["Ahmad Fauzi", "Ali Hamid"],
        ),
        # "negotiations" between two named parties are talks
        (
            "Prime Minister Ahmad Fauzi and opposition leader Ali Hamid continued negotiations on Monday.",
            "en",
            ["Ahmad Fauzi", "Ali Hamid"],
        ),
        # "disambut oleh": the host who welcomes a visitor at his office receives him
        (
            "Menteri Luar Negeri Ahmad Fauzi disambut oleh Gubernur Jawa Barat Ali Hamid di Gedung Sate, Senin.",
            "id",
            ["Ahmad Fauzi", "Ali Hamid"],
        ),
    ],
)
def test_extractor_reads_a_meal_negotiations_and_a_host_s_welcome(
    extractor: MeetingExtractor, text: str, language: str, sides: list[str]
) -> None:
    events = _held(extractor.extract(_item(text, language, published_at="2024-05-14")))
    assert [sorted(p.name for p in e.participants) for e in events] == [sides]


@pytest.mark.parametrize(
    "text",
    [
        # "membahas"/"membicarakan" name what is discussed, often people spoken about, not a meeting
        "Menteri Luar Negeri Ahmad Fauzi bertemu Menteri Luar Negeri Ali Hamid di Jakarta, Kamis (5/12). "
        "Belum diketahui apakah keduanya membahas surat Presiden Budi Santoso kepada Perdana Menteri Carl Jensen.",
        "Menteri Luar Negeri Ahmad Fauzi bertemu Menteri Luar Negeri Ali Hamid di Jakarta, Kamis (5/12). "
        "Mereka juga membicarakan pidato Presiden Budi Santoso dan Perdana Menteri Carl Jensen pekan lalu.",
    ],
)
def test_extractor_reads_a_discussed_matter_as_no_meeting(extractor: MeetingExtractor, text: str) -> None:
    events = _held(extractor.extract(_item(text, "id", published_at="2024-12-06")))
    assert [sorted(p.name for p in e.participants) for e in events] == [["Ahmad Fauzi", "Ali Hamid"]]


@pytest.mark.parametrize(
    "text",
    [
        "Presiden Ahmad Fauzi disambut oleh ratusan warga di Desa Sukamaju, Senin (13/5).",
        "Presiden Ahmad Fauzi disambut hangat oleh para siswa di Sekolah Dasar Sukamaju, Senin (13/5).",
        "Presiden Ahmad Fauzi disambut oleh sejumlah tokoh agama di Masjid Raya, Senin (13/5).",
    ],
)
def test_extractor_reads_a_welcoming_crowd_as_no_side(extractor: MeetingExtractor, text: str) -> None:
    # a group after "disambut oleh" is the crowd that welcomes a visitor, not the other side of a meeting
    assert extractor.extract(_item(text, "id", published_at="2024-05-14")) == []


@pytest.mark.parametrize(
    "text",
    [
        # "the crucial meeting": a determiner through an adjective refers to a meeting, it reports none
        "Prime Minister Ahmad Fauzi said he had prepared for weeks, seeking advice from businessman "
        "Carl Jensen, a friend of President Ali Hamid, to navigate the crucial meeting.",
        "Prime Minister Ahmad Fauzi said that advice from businessman Carl Jensen, a friend of "
        "President Ali Hamid, shaped this long-awaited meeting.",
    ],
)
def test_extractor_reads_a_determined_meeting_noun_as_a_reference(extractor: MeetingExtractor, text: str) -> None:
    assert _held_sides(extractor, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "President Ahmad Fauzi and Prime Minister Ali Hamid held their first meeting in Rome on Monday.",
        "President Ahmad Fauzi and Prime Minister Ali Hamid had the first official meeting in Rome on Monday.",
    ],
)
def test_extractor_reads_a_held_determined_meeting_noun_as_a_report(extractor: MeetingExtractor, text: str) -> None:
    assert _held_sides(extractor, text) == [["Ahmad Fauzi", "Ali Hamid"]]


def test_extractor_reads_a_formal_meal_of_the_pair_as_its_own_meeting(extractor: MeetingExtractor) -> None:
    # "santap malam" (a formal dinner) of "kedua kepala pemerintahan" on another day is a meeting of its own
    text = (
        "Presiden Ahmad Fauzi melakukan pertemuan bilateral dengan Perdana Menteri Malaysia Omar Zaki "
        "di Bandung, Selasa (3/7).\n\n"
        "Dalam santap malam resmi Senin (2/7), kedua kepala pemerintahan sepakat memperkuat kerja sama."
    )
    events = _held(extractor.extract(_item(text, published_at="2012-07-03")))
    dates = sorted(e.date.value for e in events if e.date is not None)
    assert dates == ["2012-07-02", "2012-07-03"]
    assert all({p.name for p in e.participants} == {"Ahmad Fauzi", "Omar Zaki"} for e in events)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "id",
            "Ini menjadi pertemuan pertama Konjen Ahmad Fauzi yang ditunjuk untuk menggantikan Budi Santoso "
            "bulan Maret lalu.",
        ),
    ],
)
def test_extractor_reads_a_predecessor_in_office_as_no_party(extractor: MeetingExtractor, lang: str, text: str) -> None:
    # the one a new office holder replaces is not met
    assert _held(extractor.extract(_item(text, lang, published_at="2019-06-18"))) == []


def test_extractor_leaves_out_the_predecessor_of_an_english_side(extractor: MeetingExtractor) -> None:
    text = "Consul General Ahmad Fauzi, replacing Budi Santoso, met Governor Omar Zaki in Denpasar on Monday."
    assert _held_sides(extractor, text) == [["Ahmad Fauzi", "Omar Zaki"]]


def test_extractor_reads_a_royal_honorific_as_no_name(extractor: MeetingExtractor) -> None:
    text = (
        "Prime Minister Ahmad Fauzi paid a courtesy call on Sultan Hamid Bakri and Pengiran Muda Omar Zaki "
        "in Bandar Seri Begawan on Monday."
    )
    assert _held_sides(extractor, text) == [["Ahmad Fauzi", "Hamid Bakri", "Omar Zaki"]]


@pytest.mark.parametrize(
    ("lang", "text", "sides"),
    [
        (
            "id",
            "Presiden Ahmad Fauzi bertemu Perdana Menteri Malaysia Omar Zaki di Kuala Lumpur, Kamis (9/1/2025).\n\n"
            "Sekretaris Kabinet Budi Santoso juga mengungkapkan pertemuan antara Ahmad Fauzi dan Omar Zaki "
            "berlangsung selama 1,5 jam.",
            [["Ahmad Fauzi", "Omar Zaki"]],
        ),
        (
            "en",
            "Secretary Budi Santoso said on Tuesday that President Ahmad Fauzi and Prime Minister Omar Zaki "
            "met in Rome.",
            [["Ahmad Fauzi", "Omar Zaki"]],
        ),
        # a pronoun may stand for the speaker: then the speaker may be a side
        (
            "en",
            "Secretary Budi Santoso said he met President Ahmad Fauzi and Prime Minister Omar Zaki in Rome on Monday.",
            [["Ahmad Fauzi", "Budi Santoso", "Omar Zaki"]],
        ),
    ],
)
def test_extractor_leaves_out_who_only_reports_a_meeting_of_two_others(
    extractor: MeetingExtractor, lang: str, text: str, sides: list[list[str]]
) -> None:
    events = _held(extractor.extract(_item(text, lang, published_at="2025-01-09")))
    assert sorted(sorted(p.name for p in e.participants) for e in events) == sides


def test_extractor_reads_a_word_cut_off_at_a_truncated_end_as_no_name(extractor: MeetingExtractor) -> None:
    text = (
        "Prime Minister Ahmad Fauzi met Prime Minister Omar Zaki of New Zealand in Suva on Monday.\n\n"
        "Fauzi agreed with New Zeala"
    )
    assert _held_sides(extractor, text) == [["Ahmad Fauzi", "Omar Zaki"]]


def test_extractor_reads_the_name_after_an_untitled_office_and_its_region(extractor: MeetingExtractor) -> None:
    # "Wali Nanggroe Aceh X": an office the titles do not know, and its region, run into the name
    text = (
        "Presiden Ahmad Fauzi juga sempat bertemu dengan Gubernur Aceh Omar Zaki dan "
        "Wali Nanggroe Aceh Budi Santoso Al-Hakim di Banda Aceh, Rabu (5/7/2017)."
    )
    events = _held(extractor.extract(_item(text, published_at="2017-07-05")))
    assert [sorted(p.name for p in e.participants) for e in events] == [
        ["Ahmad Fauzi", "Budi Santoso Al-Hakim", "Omar Zaki"]
    ]


@pytest.mark.parametrize(
    ("lang", "text", "sides"),
    [
        (
            "id",
            "Rektor Prof Dr Ardhana Wirasmoro MSi menerima Gubernur Velmar Tosk di Semarang, Senin (3/3/2025).",
            [["Ardhana Wirasmoro", "Velmar Tosk"]],
        ),
        (
            "id",
            "Rektor Dr Ardhana Wirasmoro S.H., M.H. bertemu Gubernur Velmar Tosk di Semarang, Senin (3/3/2025).",
            [["Ardhana Wirasmoro", "Velmar Tosk"]],
        ),
        (
            "en",
            "Prime Minister Velmar Tosk met Ardhana Wirasmoro MP in London on Monday.",
            [["Ardhana Wirasmoro", "Velmar Tosk"]],
        ),
        ("en", "Prime Minister Velmar Tosk met businessman Jack Ma in London on Monday.", [["Jack Ma", "Velmar Tosk"]]),
    ],
)
def test_extractor_drops_degree_letters_after_a_name(
    extractor: MeetingExtractor, lang: str, text: str, sides: list[list[str]]
) -> None:
    """ "Prof Dr A B MSi": the letters of a degree are no part of the name; "Ma" is a surname, not "MA"."""
    events = _held(extractor.extract(_item(text, lang, published_at="2025-03-04")))
    assert sorted(sorted(p.name for p in e.participants) for e in events) == sides
