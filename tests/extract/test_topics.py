"""Topic categories and key phrases (stream.extract.topics). Invented sentences and articles."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from stream.codec import wire_item_from_dict
from stream.extract import MeetingExtractor
from stream.extract.topics import TopicClassifier, load_topic_classifier, read_topic_model

ROOT = Path(__file__).resolve().parents[2]

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
    """The lexicon alone: what the cue lists say, without the trained model."""
    return load_topic_classifier(use_model=False)


@pytest.fixture(scope="module")
def shipped() -> TopicClassifier:
    """Lexicon and the shipped model, as the extractor loads them."""
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


def test_topics_shipped_model_loads(shipped: TopicClassifier) -> None:
    assert shipped.model is not None
    assert "politics" in shipped.model.classes
    assert shipped.model.rows
    assert shipped.version.startswith("lexicon-") and "+model-" in shipped.version


@pytest.mark.parametrize(
    ("text", "language", "category"),
    [
        (
            "Menteri Perdagangan bertemu pengusaha\nMenteri Perdagangan dan para pengusaha membahas ekspor, "
            "investasi dan perjanjian perdagangan bebas kedua negara.",
            "id",
            "economy",
        ),
        (
            "Trade ministers meet business leaders\nThe trade ministers met business leaders to discuss exports, "
            "investment and a free trade agreement.",
            "en",
            "economy",
        ),
        (
            "Menag terima tokoh lintas agama\nMenteri Agama menerima para ulama, pendeta dan uskup membahas "
            "toleransi antarumat beragama dan kerukunan umat.",
            "id",
            "religion",
        ),
        (
            "Archbishop meets imams\nThe archbishop received imams and rabbis for an interfaith prayer meeting "
            "on religious tolerance between churches, mosques and synagogues.",
            "en",
            "religion",
        ),
        (
            "Menpora terima pengurus PSSI\nMenpora menerima pelatih timnas dan pengurus klub sepak bola membahas "
            "persiapan turnamen dan pertandingan liga.",
            "id",
            "sport",
        ),
        (
            "Sports minister meets football coach\nThe sports minister met the national team coach and club "
            "officials to discuss the football league, the tournament and the stadium.",
            "en",
            "sport",
        ),
        (
            "Menlu terima Dubes Borduria\nMenlu menerima Dubes Borduria membahas hubungan bilateral dan isu kawasan.",
            "id",
            "politics",
        ),
        (
            "Foreign ministers meet\nThe foreign ministers discussed bilateral relations and regional issues.",
            "en",
            "politics",
        ),
    ],
)
def test_topics_model_obvious_texts(shipped: TopicClassifier, text: str, language: str, category: str) -> None:
    topic = shipped.classify(text, language)
    assert topic.category == category
    assert topic.iptc == IPTC[category]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Defence talks\nThe defence ministers agreed on joint military exercises and defence cooperation.", "en"),
        ("Kapolri bertemu\nKapolri membahas pemberantasan narkoba, penyelundupan dan pencucian uang.", "id"),
    ],
)
def test_topics_model_is_deterministic(text: str, language: str) -> None:
    first = load_topic_classifier()
    second = load_topic_classifier()
    assert first.classify(text, language) == second.classify(text, language)
    assert first.classify(text, language) == first.classify(text, language)


@pytest.mark.parametrize(("text", "language"), [("", "id"), ("dan yang di", "id"), ("the of and", "en")])
def test_topics_model_empty_text_defaults_to_politics(shipped: TopicClassifier, text: str, language: str) -> None:
    assert shipped.classify(text, language).category == "politics"


@pytest.mark.parametrize("language", ["en"])
def test_topics_model_keywords_from_lexicon_rules(
    shipped: TopicClassifier, classifier: TopicClassifier, language: str
) -> None:
    text = "The defence ministers agreed on joint military exercises and defence industry cooperation."
    assert shipped.classify(text, language).keywords == classifier.classify(text, language).keywords


@pytest.mark.parametrize(
    ("text", "language", "found"),
    [
        ("Keduanya membahas ekspor, investasi dan perdagangan.", "id", {"economy"}),
        ("They discussed exports and investment, and military exercises.", "en", {"economy", "conflict"}),
        ("", "en", set()),
        ("Kedua pejabat bertemu di kantor.", "id", set()),
    ],
)
def test_topics_cue_shares_sum_to_one_or_zero(
    classifier: TopicClassifier, text: str, language: str, found: set[str]
) -> None:
    shares = classifier.cue_shares(text, language)
    assert set(shares) == set(IPTC)
    assert {k for k, v in shares.items() if v} == found
    assert sum(shares.values()) == pytest.approx(1.0 if found else 0.0)


# a meeting whose own sentence names no subject, in articles about one
_NEUTRAL_MEETING = {
    "id": "Kunjungan gubernur\nGubernur menerima kunjungan rombongan konsul jenderal di kantornya, Senin.",
    "en": "Governor visit\nThe governor received the consul general at his office on Monday.",
}
_ABOUT = {
    ("id", "economy"): "Keduanya membahas peluang investasi, perdagangan, ekspor kopi dan kerja sama ekonomi. "
    "Nilai ekspor naik dan investor akan membangun pabrik.",
    ("id", "religion"): "Mereka membahas toleransi antarumat beragama, dakwah, masjid, pesantren dan ibadah haji.",
    ("en", "economy"): "They talked about investment, coffee exports, trade and new factories; investors plan a plant.",
    ("id", "politics"): "Keduanya membahas hubungan bilateral, kerja sama kawasan dan isu diplomatik kedua negara.",
    ("en", "politics"): "They discussed bilateral relations, regional diplomacy and the upcoming summit.",
}


@pytest.mark.parametrize(("language", "category"), sorted(_ABOUT))
def test_topics_model_reads_what_the_article_is_about(shipped: TopicClassifier, language: str, category: str) -> None:
    text = _NEUTRAL_MEETING[language]
    assert shipped.classify(text, language).category == "politics"
    article = f"{text} {_ABOUT[(language, category)]}"
    assert shipped.classify(text, language, article=article).category == category


@pytest.mark.parametrize("language", ["id", "en"])
def test_topics_lexicon_alone_ignores_the_article(classifier: TopicClassifier, language: str) -> None:
    text = _NEUTRAL_MEETING[language]
    article = f"{text} {_ABOUT[(language, 'economy')]}"
    assert classifier.classify(text, language, article=article) == classifier.classify(text, language)


def test_topics_extractor_passes_the_whole_article(extractor: MeetingExtractor) -> None:
    item = wire_item_from_dict(
        {
            "id": "invented-article-topic",
            "language": "id",
            "title": "Gubernur terima Konsul Jenderal Borduria",
            "published_at": "2024-03-05",
            "text": "JAKARTA - Gubernur Andi Wirawan bertemu dengan Konsul Jenderal Borduria Karl Olsen di Jakarta, "
            "Senin (4/3/2024).\n\nSebelumnya, pemerintah provinsi mencatat nilai ekspor kopi dan investasi "
            "asing naik. Perdagangan kedua wilayah tumbuh dan investor berencana membangun pabrik serta "
            "kawasan industri baru.",
        }
    )
    events = extractor.extract(item)
    assert [e.topic.category for e in events if e.topic] == ["economy"]


def test_topics_shipped_model_weighs_the_article(shipped: TopicClassifier) -> None:
    assert shipped.model is not None
    assert shipped.model.article_weights.shape == (len(shipped.model.classes),)
    assert float(shipped.model.article_weights.min()) > 0.0


@pytest.mark.parametrize("array", ["article_weights", "lexicon_weights", "bias"])
def test_topics_model_with_misshapen_weights_is_refused(tmp_path: Path, array: str) -> None:
    shipped_dir = resources.files("stream").joinpath("models", "topics")
    (tmp_path / "meta.json").write_bytes(shipped_dir.joinpath("meta.json").read_bytes())
    with np.load(io.BytesIO(shipped_dir.joinpath("model.npz").read_bytes())) as arrays:
        parts = {name: arrays[name] for name in arrays.files}
    parts[array] = parts[array][:-1]
    np.savez(tmp_path / "model.npz", **parts)
    with pytest.raises(ValueError, match="do not fit"):
        read_topic_model(tmp_path)


# -- retraining with scripts/train_topics.py on a tiny invented labelled file ----------------

_INVENTED = [
    (
        "Menteri Perdagangan Andi Wirawan",
        "Menteri Perdagangan Borduria Karl Olsen",
        "perdagangan, ekspor dan investasi",
        "economy",
    ),
    (
        "Menteri Agama Budi Santoso",
        "Duta Besar Borduria Lena Holm",
        "toleransi antarumat beragama dan ibadah haji",
        "religion",
    ),
    (
        "Menteri Luar Negeri Citra Dewi",
        "Menteri Luar Negeri Borduria Jan Berg",
        "hubungan bilateral dan isu kawasan",
        "politics",
    ),
    (
        "Menteri Pemuda dan Olahraga Dedi Kusuma",
        "Duta Besar Borduria Per Lund",
        "sepak bola dan turnamen liga",
        "sport",
    ),
]


def _invented_article(index: int, first: str, second: str, about: str, topic: str) -> dict[str, object]:
    text = (
        f"JAKARTA - {first} bertemu dengan {second} di Jakarta, Senin (4/3/2024). "
        f"Dalam pertemuan itu keduanya membahas {about}."
    )
    return {
        "id": f"invented-{index}",
        "language": "id",
        "title": f"Pertemuan membahas {about}",
        "published_at": "2024-03-05",
        "text": text,
        "events": [
            {
                "participants": [
                    [first.split()[-2] + " " + first.split()[-1]],
                    [second.split()[-2] + " " + second.split()[-1]],
                ],
                "location": ["Jakarta"],
                "date": "2024-03-04",
                "topic": topic,
                "status": "held",
            }
        ],
    }


def test_topics_retraining_script_on_invented_data(
    tmp_path: Path, extractor: MeetingExtractor, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gold = tmp_path / "gold.jsonl"
    rows = [_invented_article(i, *row) for i, row in enumerate(_INVENTED * 3)]
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "model"
    spec = importlib.util.spec_from_file_location("train_topics", ROOT / "scripts" / "train_topics.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, script)  # dataclasses look their module up there
    spec.loader.exec_module(script)
    assert script.main(["--gold", str(gold), "--out", str(out), "--cv", "2"], extractor=extractor) == 0
    assert "model+lexicon" in capsys.readouterr().out
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["training"]["examples"] == {"id:held": len(rows)}
    assert meta["training"]["settings"]["article_lexicon"] is True
    classifier = load_topic_classifier(model=read_topic_model(out))
    text = "Pertemuan membahas ekspor\nKeduanya membahas perdagangan dan ekspor."
    assert classifier.classify(text, "id").category == "economy"


@pytest.mark.parametrize("memory", [3])
def test_topic_cue_scores_are_the_same_when_the_word_memory_overflows(
    monkeypatch: pytest.MonkeyPatch, memory: int
) -> None:
    """The remembered ``may_start`` answers are only a cache: a memory dropped mid-article, or
    the article's shares asked again, give the same figures."""
    text = "The ministers discussed trade, investment and tariffs; the trade talks covered exports and imports."
    fresh = load_topic_classifier().cue_scores(text, "en")
    classifier = load_topic_classifier()
    monkeypatch.setattr("stream.extract.topics.MAY_START_MEMORY", memory)
    assert classifier.cue_scores(text, "en") == fresh
    assert len(classifier._starts["en"]) <= memory
    first = classifier.cue_shares(text, "en")
    first["economy"] = -1.0  # a caller's change does not reach the remembered answer
    assert classifier.cue_shares(text, "en") == {k: v / sum(fresh.values()) for k, v in fresh.items()}
