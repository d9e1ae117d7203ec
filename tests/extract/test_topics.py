"""Topic categories and key phrases (stream.extract.topics). Invented sentences."""

from __future__ import annotations

import pytest

from stream.extract.topics import TopicClassifier, load_topic_classifier

IPTC = {
    "politics": "medtop:11000000",
    "economy": "medtop:04000000",
    "conflict": "medtop:16000000",
    "crime": "medtop:02000000",
    "disaster": "medtop:03000000",
    "health": "medtop:07000000",
    "environment": "medtop:06000000",
    "education": "medtop:05000000",
    "science": "medtop:13000000",
    "culture": "medtop:01000000",
    "sport": "medtop:15000000",
    "religion": "medtop:12000000",
    "labour": "medtop:09000000",
    "society": "medtop:14000000",
    "lifestyle": "medtop:10000000",
    "human-interest": "medtop:08000000",
    "weather": "medtop:17000000",
}


@pytest.fixture(scope="module")
def classifier() -> TopicClassifier:
    return load_topic_classifier()


@pytest.mark.parametrize(
    ("text", "language", "category"),
    [
        ("Menlu Andi bertemu Menlu Borduria membahas hubungan bilateral dan isu regional.", "id", "politics"),
        ("The foreign ministers discussed bilateral relations and regional issues.", "en", "politics"),
        ("Kedua menteri bertemu dan berbincang hangat.", "id", "politics"),
        (
            "Menteri Perdagangan membahas peningkatan ekspor, investasi dan perjanjian perdagangan bebas.",
            "id",
            "economy",
        ),
        ("The ministers discussed trade, investment and a free trade agreement.", "en", "economy"),
        ("Menhan membahas kerja sama pertahanan, latihan militer bersama dan industri pertahanan.", "id", "conflict"),
        ("The defence ministers agreed on joint military exercises and defence cooperation.", "en", "conflict"),
        ("Kapolri membahas pemberantasan narkoba, penyelundupan dan perdagangan orang.", "id", "crime"),
        ("The police chiefs discussed drug trafficking, smuggling and money laundering.", "en", "crime"),
        ("Mereka membahas penanganan gempa bumi, tsunami dan bantuan bencana.", "id", "disaster"),
        ("They discussed earthquake relief and disaster response after the flood.", "en", "disaster"),
        ("Menkes membahas vaksin, rumah sakit dan penanganan pandemi.", "id", "health"),
        ("The ministers discussed vaccines, hospitals and the pandemic response.", "en", "health"),
        ("Mereka membahas perubahan iklim, emisi karbon dan deforestasi.", "id", "environment"),
        ("They discussed climate change, carbon emissions and deforestation.", "en", "environment"),
        ("Mereka membahas beasiswa mahasiswa, pertukaran pelajar dan kerja sama universitas.", "id", "education"),
        ("They discussed scholarships for students and university cooperation.", "en", "education"),
        ("Mereka membahas riset, kecerdasan buatan dan satelit.", "id", "science"),
        ("They discussed research, artificial intelligence and satellites.", "en", "science"),
        ("Mereka membahas pertukaran budaya, museum dan kesenian.", "id", "culture"),
        ("They discussed cultural exchanges, museums and the arts.", "en", "culture"),
        ("Pelatih timnas membahas pertandingan dan turnamen sepak bola.", "id", "sport"),
        ("The coaches discussed the football tournament and the league.", "en", "sport"),
        ("Mereka membahas toleransi antarumat beragama dan dialog antaragama di masjid itu.", "id", "religion"),
        ("They discussed interfaith dialogue and religious tolerance with the clergy.", "en", "religion"),
        ("Mereka membahas perlindungan pekerja migran dan upah buruh.", "id", "labour"),
        ("They discussed protection of migrant workers and wages.", "en", "labour"),
        ("Mereka membahas hak asasi manusia, kemiskinan dan diskriminasi.", "id", "society"),
        ("They discussed human rights, poverty and discrimination.", "en", "society"),
        ("Mereka membahas kuliner, fesyen dan gaya hidup.", "id", "lifestyle"),
        ("They discussed fashion, cuisine and lifestyle.", "en", "lifestyle"),
        ("Kisah pernikahan selebritas itu viral.", "id", "human-interest"),
        ("The celebrity wedding story went viral.", "en", "human-interest"),
        ("Mereka membahas prakiraan cuaca, musim hujan dan angin kencang.", "id", "weather"),
        ("They discussed the weather forecast, drought and heatwave.", "en", "weather"),
    ],
)
def test_topics_category(classifier: TopicClassifier, text: str, language: str, category: str) -> None:
    topic = classifier.classify(text, language)
    assert topic.category == category
    assert topic.iptc == IPTC[category]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # One passing cue does not outweigh a diplomatic meeting.
        ("The foreign ministers discussed bilateral relations, regional issues and trade.", "en"),
        ("Menlu kedua negara membahas hubungan bilateral, isu kawasan dan pariwisata.", "id"),
    ],
)
def test_topics_politics_prior(classifier: TopicClassifier, text: str, language: str) -> None:
    assert classifier.classify(text, language).category == "politics"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Menteri Perdagangan membahas peningkatan ekspor, investasi dan perjanjian perdagangan bebas.",
            "id",
            "perjanjian perdagangan bebas",
        ),
        (
            "The defence ministers agreed on joint military exercises and defence industry cooperation.",
            "en",
            "defence industry cooperation",
        ),
    ],
)
def test_topics_keywords_from_text(classifier: TopicClassifier, text: str, language: str, expected: str) -> None:
    keywords = classifier.classify(text, language).keywords
    assert 1 <= len(keywords) <= 5
    assert expected in keywords
    assert all(k in text for k in keywords)


@pytest.mark.parametrize(("text", "language"), [("", "id"), ("dan yang di", "id"), ("the of and", "en")])
def test_topics_empty_text_defaults_to_politics(classifier: TopicClassifier, text: str, language: str) -> None:
    topic = classifier.classify(text, language)
    assert (topic.category, topic.keywords) == ("politics", ())


@pytest.mark.parametrize("language", ["fr", "ms"])
def test_topics_other_language_uses_english_lexicon(classifier: TopicClassifier, language: str) -> None:
    assert classifier.classify("Joint military exercises and defence cooperation.", language).category == "conflict"
