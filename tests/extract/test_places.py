"""Places, datelines and country references (stream.extract.places). Invented sentences."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from stream.extract.places import Gazetteer, PlaceMention, load_gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def nlp_id() -> Language:
    return spacy.blank("id")


@pytest.fixture(scope="module")
def nlp_en() -> Language:
    return spacy.blank("en")


def _find(found: list[PlaceMention], mention: str) -> PlaceMention:
    hits = [p for p in found if p.mention == mention]
    assert len(hits) == 1, [p.mention for p in found]
    return hits[0]


@pytest.mark.parametrize(
    ("text", "mention", "name", "country", "geonames_id"),
    [
        ("Menlu bertemu mitranya di Moskow, Senin (18/9).", "Moskow", "Moscow", "RU", 524901),
        ("Konferensi itu digelar di Jenewa, Swiss.", "Jenewa", "Geneva", "CH", 2660646),
        ("Delegasi tiba di Den Haag kemarin.", "Den Haag", "The Hague", "NL", 2747373),
        ("Kunjungan ke Peking berlangsung lancar.", "Peking", "Beijing", "CN", 1816670),
        ("Kunjungan ke Beijing berlangsung lancar.", "Beijing", "Beijing", "CN", 1816670),
        ("Menlu berangkat ke Washington DC hari ini.", "Washington DC", "Washington", "US", 4140963),
        ("Menlu berangkat ke New Delhi hari ini.", "New Delhi", "New Delhi", "IN", 1261481),
        ("Pertemuan di Kuala Lumpur berakhir.", "Kuala Lumpur", "Kuala Lumpur", "MY", 1735161),
        ("Wakil Presiden tiba di Kuching, Selasa.", "Kuching", "Kuching", "MY", 1735634),
        ("Pertemuan di Wina berakhir.", "Wina", "Vienna", "AT", None),
    ],
)
def test_places_city_exonyms(
    gazetteer: Gazetteer,
    nlp_id: Language,
    text: str,
    mention: str,
    name: str,
    country: str,
    geonames_id: int | None,
) -> None:
    place = _find(gazetteer.find_places(nlp_id(text)), mention)
    assert (place.kind, place.name, place.country) == ("city", name, country)
    if geonames_id is not None:
        assert place.geonames_id == geonames_id
    assert place.lat is not None and place.lon is not None
    assert text[place.span[0] : place.span[1]] == mention


@pytest.mark.parametrize(
    ("text", "mention", "name", "country"),
    [
        ("The talks were held in Geneva on Monday.", "Geneva", "Geneva", "CH"),
        ("He flew to Washington, where he met lawmakers.", "Washington", "Washington", "US"),
        ("She met him in Sydney last week.", "Sydney", "Sydney", "AU"),
        ("They met in Moscow.", "Moscow", "Moscow", "RU"),
        ("The summit in Buenos Aires ended.", "Buenos Aires", "Buenos Aires", "AR"),
    ],
)
def test_places_english_cities_by_population(
    gazetteer: Gazetteer, nlp_en: Language, text: str, mention: str, name: str, country: str
) -> None:
    place = _find(gazetteer.find_places(nlp_en(text)), mention)
    assert (place.kind, place.name, place.country) == ("city", name, country)


@pytest.mark.parametrize(
    ("text", "mention", "venue", "city"),
    [
        ("Presiden menerima tamunya di Istana Merdeka, Jakarta.", "Istana Merdeka", "Istana Merdeka", "Jakarta"),
        ("Presiden menerima tamunya di Istana Negara.", "Istana Negara", "Istana Negara", "Jakarta"),
        ("Presiden menerima tamunya di Istana Bogor.", "Istana Bogor", "Istana Bogor", "Bogor"),
        ("Pertemuan berlangsung di Gedung Pancasila.", "Gedung Pancasila", "Gedung Pancasila", "Jakarta"),
        ("Menlu menerima dubes di Pejambon.", "Pejambon", "Kementerian Luar Negeri RI", "Jakarta"),
        ("Dialog digelar di Sekretariat ASEAN.", "Sekretariat ASEAN", "Sekretariat ASEAN", "Jakarta"),
        ("The president hosted him at the White House.", "White House", "White House", "Washington"),
        ("Talks were held in the Kremlin.", "Kremlin", "Kremlin", "Moscow"),
        (
            "A ceremony at the Great Hall of the People.",
            "Great Hall of the People",
            "Great Hall of the People",
            "Beijing",
        ),
        ("Leaders met in Zhongnanhai.", "Zhongnanhai", "Zhongnanhai", "Beijing"),
        ("The president received him at the Élysée Palace.", "Élysée Palace", "Élysée Palace", "Paris"),
        ("The premier met him at Downing Street.", "Downing Street", "Downing Street", "London"),
        ("They met at UN headquarters.", "UN headquarters", "UN headquarters", "New York"),
        ("The talks took place at the North Block office.", "North Block", "North Block", "New Delhi"),
        ("The king received him at Windsor Castle.", "Windsor Castle", "Windsor Castle", "Windsor"),
        ("The president hosted him at the Palácio do Planalto.", "Palácio do Planalto", "Planalto Palace", "Brasília"),
    ],
)
def test_places_venues_resolve_to_city(
    gazetteer: Gazetteer, nlp_en: Language, text: str, mention: str, venue: str, city: str
) -> None:
    place = _find(gazetteer.find_places(nlp_en(text)), mention)
    assert (place.kind, place.venue, place.name) == ("venue", venue, city)
    assert place.geonames_id is not None


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        ("Konferensi digelar di Nusa Dua, Bali.", "Bali", "Bali"),
        ("Gubernur Jawa Barat hadir.", "Jawa Barat", "West Java"),
        ("Kunjungan ke Sulawesi Selatan.", "Sulawesi Selatan", "South Sulawesi"),
        ("Warga Papua menyambut tamu.", "Papua", "Papua"),
        # an island, not a look-alike city abroad
        ("Kabupaten paling timur Pulau Madura.", "Pulau Madura", "Madura"),
        ("Mahasiswa dari Madura datang.", "Madura", "Madura"),
    ],
)
def test_places_indonesian_regions(gazetteer: Gazetteer, nlp_id: Language, text: str, mention: str, name: str) -> None:
    place = _find(gazetteer.find_places(nlp_id(text)), mention)
    assert (place.kind, place.name, place.country) == ("region", name, "ID")


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        ("Konferensi digelar di Nusa Dua, Bali.", "Nusa Dua", "Nusa Dua"),
        ("Rapat di Jakarta Pusat usai.", "Jakarta Pusat", "Jakarta"),
        ("Rapat di DKI Jakarta usai.", "DKI Jakarta", "Jakarta"),
    ],
)
def test_places_curated_cities(gazetteer: Gazetteer, nlp_id: Language, text: str, mention: str, name: str) -> None:
    place = _find(gazetteer.find_places(nlp_id(text)), mention)
    assert (place.kind, place.name) == ("city", name)


@pytest.mark.parametrize(
    ("text", "mention", "name", "iso2"),
    [
        ("Hubungan Indonesia dan Rusia makin erat.", "Rusia", "Russia", "RU"),
        ("Hubungan Indonesia dan Tiongkok makin erat.", "Tiongkok", "China", "CN"),
        ("Kerja sama dengan Amerika Serikat berlanjut.", "Amerika Serikat", "United States", "US"),
        ("Kerja sama dengan AS berlanjut.", "AS", "United States", "US"),
        ("Ties with the U.S. improved.", "U.S.", "United States", "US"),
        ("Kerja sama dengan Korea Utara berlanjut.", "Korea Utara", "North Korea", "KP"),
        ("Ties with Japan improved.", "Japan", "Japan", "JP"),
    ],
)
def test_places_countries(
    gazetteer: Gazetteer, nlp_id: Language, text: str, mention: str, name: str, iso2: str
) -> None:
    place = _find(gazetteer.find_places(nlp_id(text)), mention)
    assert (place.kind, place.name, place.country) == ("country", name, iso2)


@pytest.mark.parametrize(
    "text",
    [
        "Of course the Bar association met in Kota lama, Bandar udara.",
        "Para menteri hadir. Sumber itu menyebut Hal tersebut.",
        "The Summit of leaders was a Time of Opportunity.",
        "Kerja sama dengan as dan us berlanjut.",
        "Perdana Menteri Kenta Aso dan Menlu Antony Harlow bertemu.",
        "Juru bicara Mao Lin mengatakan kedua menteri bertemu. Pertemuan itu penting, kata Mao.",
    ],
)
def test_places_no_false_positives(gazetteer: Gazetteer, nlp_id: Language, text: str) -> None:
    assert gazetteer.find_places(nlp_id(text)) == []


@pytest.mark.parametrize(
    "text",
    ["Menlu RI bertemu Menlu Rusia di Moskow, lalu ke Beijing, Tiongkok, dan Istana Merdeka, Jakarta."],
)
def test_places_sorted_spans_match_text(gazetteer: Gazetteer, nlp_id: Language, text: str) -> None:
    found = gazetteer.find_places(nlp_id(text))
    assert [p.span for p in found] == sorted(p.span for p in found)
    assert all(text[p.span[0] : p.span[1]] == p.mention for p in found)
    assert [p.mention for p in found] == ["RI", "Rusia", "Moskow", "Beijing", "Tiongkok", "Istana Merdeka", "Jakarta"]


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        ("JAKARTA (ANTARA) - Presiden menerima tamu.", "JAKARTA", "Jakarta"),
        ("Istanbul (ANTARA) - China dan Rusia bertemu.", "Istanbul", "Istanbul"),
        ("TEMPO.CO, Jakarta - Menteri bertemu mitranya.", "Jakarta", "Jakarta"),
        ("BEIJING, Sept 18 (Reuters) - China said on Monday.", "BEIJING", "Beijing"),
        ("Jakarta, CNN Indonesia -- Presiden menerima tamu.", "Jakarta", "Jakarta"),
        ("NEW DELHI: The minister said.", "NEW DELHI", "New Delhi"),
        ("KUALA LUMPUR: The prime minister said.", "KUALA LUMPUR", "Kuala Lumpur"),
        ("BOGOR, KOMPAS.TV - Presiden bertemu PM.", "BOGOR", "Bogor"),
        ("Nusa Dua (ANTARA News) - Menlu bertemu.", "Nusa Dua", "Nusa Dua"),
        ("Foto: dokumentasi\nMOSCOW, May 8 (TASS) - Talks began.", "MOSCOW", "Moscow"),
        ("Bali [Indonesia], July 8 : The minister met.", "Bali", "Bali"),
        ("MANADO, SULUTAKTUAL \u2013 Kapolri disambut.", "MANADO", "Manado"),
        ("Ankara, June 3 (AA) - The president said.", "Ankara", "Ankara"),
        ("GENEVA \u2014 Diplomats met.", "GENEVA", "Geneva"),
        ("penulis - Selasa, 12 Oktober 2021 11:59JAKARTA (Kabar) - Duta besar bertemu.", "JAKARTA", "Jakarta"),
        (" date 2024-05-01 KUALA LUMPUR (May 1): The prime minister said.", "KUALA LUMPUR", "Kuala Lumpur"),
        ("date 2024-05 Hanoi (Wire) - The talks began.", "Hanoi", "Hanoi"),
        ("Reporter: Bagus |\nBOGOR. Presiden menerima tamu.", "BOGOR", "Bogor"),
        ("ANKARA, March 17. /TASS/. The talks began.", "ANKARA", "Ankara"),
        ("radarkota\nBlitar\n\nBupati bertemu Konjen.", "Blitar", "Blitar"),
        ("PALANGKA RAYA, kabarkota.com - Kapolda bertemu Danrem.", "PALANGKA RAYA", "Palangkaraya"),
        # a small town in capitals is a city where a dateline stands
        ("NGAWI, kabarkota.com - Bupati bertemu Camat.", "NGAWI", "Ngawi"),
    ],
)
def test_places_dateline_forms(gazetteer: Gazetteer, text: str, mention: str, name: str) -> None:
    place = gazetteer.dateline(text)
    assert place is not None
    assert (place.mention, place.name) == (mention, name)
    assert text[place.span[0] : place.span[1]] == mention


@pytest.mark.parametrize(
    "text",
    [
        "KOMPAS.com - Presiden menerima tamu.",
        "Presiden Bagus Wicaksono menerima tamu di Istana.",
        "Sumber : Reuters\nMenteri bertemu.",
        "The minister met his counterpart on Monday.",
        "Politik\nPresiden bertemu tamu.",
        "Indonesia\nPresiden bertemu tamu.",
        "date 2024-05-01 The minister met his counterpart.",
    ],
)
def test_places_no_dateline(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.dateline(text) is None


@pytest.mark.parametrize(
    ("word", "iso2", "name"),
    [
        ("Rusia", "RU", "Russia"),
        ("Russia", "RU", "Russia"),
        ("Russian", "RU", "Russia"),
        ("RUSIA", "RU", "Russia"),
        ("RI", "ID", "Indonesia"),
        ("Indonesia", "ID", "Indonesia"),
        ("Tiongkok", "CN", "China"),
        ("China", "CN", "China"),
        ("Chinese", "CN", "China"),
        ("AS", "US", "United States"),
        ("Amerika Serikat", "US", "United States"),
        ("US", "US", "United States"),
        ("U.S.", "US", "United States"),
        ("American", "US", "United States"),
        ("Korea Utara", "KP", "North Korea"),
        ("North Korean", "KP", "North Korea"),
        ("Inggris", "GB", "United Kingdom"),
        ("British", "GB", "United Kingdom"),
        ("UK", "GB", "United Kingdom"),
        ("Belanda", "NL", "Netherlands"),
        ("Dutch", "NL", "Netherlands"),
        ("Jepang", "JP", "Japan"),
        ("Japanese", "JP", "Japan"),
        ("Arab Saudi", "SA", "Saudi Arabia"),
        ("Saudi", "SA", "Saudi Arabia"),
        ("Timor Leste", "TL", "Timor-Leste"),
        ("Vatikan", "VA", "Vatican City"),
    ],
)
def test_places_country_lookup(gazetteer: Gazetteer, word: str, iso2: str, name: str) -> None:
    ref = gazetteer.country(word)
    assert ref is not None
    assert (ref.iso2, ref.name) == (iso2, name)


@pytest.mark.parametrize("word", ["as", "us", "rusia", "cuba", "Jakarta", "Menteri", "", "Xanadu"])
def test_places_country_lookup_rejects(gazetteer: Gazetteer, word: str) -> None:
    assert gazetteer.country(word) is None


@pytest.mark.parametrize("form", ["Rusia", "Amerika Serikat", "AS", "U.S.", "North Korean", "Tiongkok"])
def test_places_country_names_cover_lookup(gazetteer: Gazetteer, form: str) -> None:
    names = gazetteer.country_names()
    assert form in names
    assert all(gazetteer.country(n) is not None for n in names)


@pytest.mark.parametrize(
    ("text", "venue", "city"),
    [
        ("Gubernur menerima dubes di Kediaman Gubernur, Pekanbaru, Selasa.", "Kediaman Gubernur", "Pekanbaru"),
        ("Jamuan makan malam di Hotel Indonesia Kempinski, Jakarta.", "Hotel Indonesia Kempinski", "Jakarta"),
        ("Rapat di Kantor Gubernur Sulawesi Selatan di Makassar.", "Kantor Gubernur Sulawesi Selatan", "Makassar"),
        ("They met at the Shangri-La Hotel in Singapore.", "Shangri-La Hotel", "Singapore"),
    ],
)
def test_places_named_building_before_city(
    gazetteer: Gazetteer, nlp_en: Language, text: str, venue: str, city: str
) -> None:
    found = gazetteer.find_places(nlp_en(text))
    place = _find(found, venue)
    assert (place.kind, place.venue, place.name) == ("venue", venue, city)
    # Cities and regions inside the building's name are not separate places.
    inner = [p for p in found if p.kind in {"city", "region"} and place.span[0] <= p.span[0] < place.span[1]]
    assert inner == []
    assert _find(found, city).kind == "city"


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        ("China's foreign minister arrived.", "China", "China"),
        ("Russia\u2019s envoy met Japan's premier.", "Russia", "Russia"),
        ("Ties with Cote d'Ivoire grew.", "Cote d'Ivoire", "Côte d\u2019Ivoire"),
    ],
)
def test_places_possessive_and_apostrophes(
    gazetteer: Gazetteer, nlp_en: Language, text: str, mention: str, name: str
) -> None:
    place = _find(gazetteer.find_places(nlp_en(text)), mention)
    assert (place.kind, place.name) == ("country", name)


@pytest.mark.parametrize(
    ("text", "mention"),
    [("detikNews, Jakarta - Presiden menerima tamu.", "Jakarta"), ("ANKARA-Anadolu Agency\nTalks.", "ANKARA")],
)
def test_places_dateline_outlet_and_caps_dash(gazetteer: Gazetteer, text: str, mention: str) -> None:
    place = gazetteer.dateline(text)
    assert place is not None
    assert place.mention == mention


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        ("Bagus menerima Rina di Ruang Pimpinan DPRD Sumbar, Rabu.", "Ruang Pimpinan DPRD Sumbar", "Padang"),
        ("Massa mendatangi Kantor Gubernur Jawa Tengah, Senin.", "Kantor Gubernur Jawa Tengah", "Semarang"),
        ("Rapat di Gedung DPRD Provinsi Sulawesi Selatan.", "Gedung DPRD Provinsi Sulawesi Selatan", "Makassar"),
    ],
)  # fmt: skip
def test_places_region_government_building_is_a_venue_in_its_seat(
    gazetteer: Gazetteer, nlp_id: Language, text: str, mention: str, name: str
) -> None:
    place = _find(gazetteer.find_places(nlp_id(text), text), mention)
    assert (place.kind, place.name, place.venue) == ("venue", name, mention)


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        # a body of the region, not its building; a building with no government word
        ("Ketua DPRD Sumatera Barat Bagus hadir.", "Sumatera Barat"),
        ("Mahasiswa Universitas Sumatera Utara hadir.", "Sumatera Utara"),
        ("Kunjungan ke Pulau Lombok berlangsung lancar.", "Pulau Lombok"),
    ],
)  # fmt: skip
def test_places_region_without_government_building_stays_a_region(
    gazetteer: Gazetteer, nlp_id: Language, text: str, mention: str
) -> None:
    assert _find(gazetteer.find_places(nlp_id(text), text), mention).kind == "region"


@pytest.mark.parametrize(
    ("lang", "text", "mention", "name"),
    [
        ("en", "Ana met Rina at the Ministry of Trade of Malaysia.", "Ministry of Trade of Malaysia", "Kuala Lumpur"),
        ("id", "Rina tiba di Kementerian Luar Negeri Malaysia.", "Kementerian Luar Negeri Malaysia", "Kuala Lumpur"),
    ],
)  # fmt: skip
def test_places_national_ministry_is_a_venue_in_the_capital(
    gazetteer: Gazetteer, nlp_en: Language, nlp_id: Language, lang: str, text: str, mention: str, name: str
) -> None:
    nlp = nlp_en if lang == "en" else nlp_id
    place = _find(gazetteer.find_places(nlp(text), text), mention)
    assert (place.kind, place.name, place.venue) == ("venue", name, mention)


@pytest.mark.parametrize(
    "text",
    [
        # a ministry that speaks is no place; a city named after the building is where it is
        "Kementerian Luar Negeri Malaysia menyatakan hal itu.",
        "They met at the Ministry of Defence of France in Lyon.",
    ],
)
def test_places_national_ministry_without_place_reading(gazetteer: Gazetteer, nlp_id: Language, text: str) -> None:
    found = gazetteer.find_places(nlp_id(text), text)
    assert not [p for p in found if p.kind == "venue"]


@pytest.mark.parametrize("name", ["places_regions", "places_venue_heads", "places_venues"])
def test_places_data_versions(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.versions[name] >= 2
