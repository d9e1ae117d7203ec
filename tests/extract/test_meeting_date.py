"""Which date is a meeting's (stream.extract.meeting_date). Invented articles and names."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from stream.extract.assemble import Candidate
from stream.extract.dates import DateMention, DateRules, load_date_rules
from stream.extract.meeting_date import ParagraphDates, is_dateline, meeting_date, pick_date
from stream.extract.pipeline import Sentence, build_pipeline, split_sentences
from stream.extract.triggers import Trigger
from stream.records import Status, WireItem


@pytest.fixture(scope="module")
def rules() -> DateRules:
    return load_date_rules()


@pytest.fixture(scope="module")
def nlp_id() -> Language:
    return build_pipeline("id")


@pytest.fixture(scope="module")
def nlp_en() -> Language:
    return build_pipeline("en")


def _candidate(
    rules: DateRules, nlp: Language, text: str, trigger_word: str, *, published_at: str | None, status: Status = "held"
) -> tuple[ParagraphDates, Candidate, list[Sentence]]:
    """The meeting of the sentence holding ``trigger_word`` (its first occurrence)."""
    doc = nlp(text)
    sentences = split_sentences(doc, text)
    token = next(t.i for t in doc if t.text == trigger_word)
    sent = next(s for s in sentences if s.start <= token < s.end)
    item = WireItem(id="t-1", text=text, language=nlp.lang, published_at=published_at)
    dates = ParagraphDates(item, nlp.lang, None, sentences, doc=doc, rules=rules)
    trig = Trigger(token, token + 1, "strong", status, trigger_word)
    cand = Candidate(parties=[0, 1], status=status, sentence=sent, trigger=trig, mentions={}, sentences=[sent])
    return dates, cand, sentences


def _mention(found: DateMention | None) -> str | None:
    return found.mention if found is not None else None


@pytest.mark.parametrize(
    ("text", "trigger", "published_at", "mention", "value"),
    [
        # A dated dateline is the filing day; the meeting's own weekday wins.
        (
            "MANILA, Nov. 5 (Wire) -- Minister Ana Cruz met her counterpart Leo Tan on Monday in the capital.",
            "met",
            "2025-11-05",
            "on Monday",
            "2025-11-03",
        ),
        (
            "date 2025-03-14 Minister Ana Cruz met envoy Leo Tan on Thursday, the ministry said.",
            "met",
            "2025-03-14",
            "on Thursday",
            "2025-03-13",
        ),
        (
            "KOTA BARU (Mar 14): Governor Ana Cruz received envoy Leo Tan on March 12, 2025 at her office.",
            "received",
            "2025-03-14",
            "March 12, 2025",
            "2025-03-12",
        ),
        # Of two dates in the sentence, the one nearest the meeting's trigger.
        (
            "Setelah tiba di Kota Baru Senin (10/3) dan meninjau pasar di tiga kabupaten, Menteri Rina Wati "
            "bertemu Gubernur Budi Hartono Rabu (12/3).",
            "bertemu",
            "2025-03-13",
            "Rabu (12/3)",
            "2025-03-12",
        ),
        # Only a dateline date: it is still the sentence's day.
        (
            "KOTA BARU, March 14 (Wire) - Governor Ana Cruz received envoy Leo Tan at her office.",
            "received",
            "2025-03-14",
            "March 14",
            "2025-03-14",
        ),
    ],
)
def test_meeting_date_own_date_before_dateline(
    rules: DateRules,
    nlp_en: Language,
    nlp_id: Language,
    text: str,
    trigger: str,
    published_at: str,
    mention: str,
    value: str,
) -> None:
    nlp = nlp_id if " bertemu " in text else nlp_en
    dates, cand, sentences = _candidate(rules, nlp, text, trigger, published_at=published_at)
    found = meeting_date(dates, cand, sentences)
    assert found is not None
    assert (found.mention, found.value) == (mention, value)


@pytest.mark.parametrize(
    ("text", "mention", "dateline"),
    [
        ("MANILA, Nov. 5 (Wire) -- Talks went on.", "Nov. 5", True),
        ("KUALA TENGAH (May 10): Talks went on.", "May 10", True),
        ("KOTA BARU (15/1/2024) \u2013 Wali Kota menerima tamu.", "(15/1/2024)", True),
        ("Riverton, (Wire - Daily News - 4th Sep, 2024) Talks went on.", "4th Sep, 2024", True),
        ("date 2024-09-04 Talks went on.", "2024-09-04", True),
        ("18 September 2022, 14:15", "18 September 2022", True),
        ("Senin, 08 Apr 2024 14:45 WIB", "Senin, 08 Apr 2024", True),
        ("The ministers met on 18 September 2022 in Riverton.", "18 September 2022", False),
        ("On Thursday, August 17, the two leaders met.", "Thursday, August 17", False),
        ("Menteri bertemu Gubernur, Senin (14/3), di Kota Baru.", "Senin (14/3)", False),
    ],
)
def test_meeting_date_is_dateline(rules: DateRules, nlp_id: Language, text: str, mention: str, dateline: bool) -> None:
    item = WireItem(id="t-1", text=text, language="en", published_at="2024-09-04")
    doc = nlp_id(text)
    dates = ParagraphDates(item, "en", None, split_sentences(doc, text), doc=doc, rules=rules)
    found = [d for s in split_sentences(doc, text) for d in dates.in_sentence(s) if d.mention == mention]
    assert len(found) == 1
    assert is_dateline(text, found[0], 0, rules) is dateline


@pytest.mark.parametrize(
    ("text", "trigger", "published_at", "status", "mention"),
    [
        # The meeting's paragraph states no day: the lead's day is the story's.
        (
            "Minister Ana Cruz received four visitors on Tuesday at her office.\n\n"
            "She also received envoy Leo Tan, who spoke about trade.",
            "received",
            "2025-03-12",
            "held",
            "on Tuesday",
        ),
        (
            "Menteri Rina Wati menerima sejumlah tamu di kantornya, Selasa (11/3).\n\n"
            "Ia juga bertemu Duta Besar Leo Tan untuk membahas perdagangan.",
            "bertemu",
            "2025-03-12",
            "held",
            "Selasa (11/3)",
        ),
        # A header date when the lead has no other.
        (
            "date 2025-03-12 Minister Ana Cruz spoke at length.\n\nShe also met envoy Leo Tan.",
            "met",
            "2025-03-12",
            "held",
            "2025-03-12",
        ),
        # Not for a planned meeting, nor for a date after the story (a plan).
        (
            "Minister Ana Cruz arrived on Tuesday.\n\nShe will meet envoy Leo Tan.",
            "meet",
            "2025-03-12",
            "planned",
            None,
        ),
        (
            "The summit opens on March 20, 2025.\n\nMinister Ana Cruz met envoy Leo Tan.",
            "met",
            "2025-03-12",
            "held",
            None,
        ),
    ],
)
def test_meeting_date_falls_back_to_the_lead(
    rules: DateRules,
    nlp_en: Language,
    nlp_id: Language,
    text: str,
    trigger: str,
    published_at: str,
    status: Status,
    mention: str | None,
) -> None:
    nlp = nlp_id if " bertemu " in text else nlp_en
    dates, cand, sentences = _candidate(rules, nlp, text, trigger, published_at=published_at, status=status)
    assert _mention(meeting_date(dates, cand, sentences)) == mention


@pytest.mark.parametrize(
    ("text", "published_at"),
    [("Minister Ana Cruz arrived on Tuesday.\n\nShe met envoy Leo Tan last month.", "2025-03-12")],
)
def test_meeting_date_no_lead_day_for_an_earlier_meeting(
    rules: DateRules, nlp_en: Language, text: str, published_at: str
) -> None:
    dates, cand, sentences = _candidate(rules, nlp_en, text, "met", published_at=published_at)
    cand.earlier = True
    assert meeting_date(dates, cand, sentences) is None


@pytest.mark.parametrize(
    ("text", "mention"),
    [("Pertemuan pertama Senin (10/3). Menteri bertemu Gubernur Rabu (12/3).", "Pertemuan pertama Senin (10/3)")],
)
def test_meeting_date_pick_date_without_trigger_takes_the_first(
    rules: DateRules, nlp_id: Language, text: str, mention: str
) -> None:
    doc = nlp_id(text)
    sentences = split_sentences(doc, text)
    item = WireItem(id="t-1", text=text, language="id", published_at="2025-03-13")
    dates = ParagraphDates(item, "id", None, sentences, doc=doc, rules=rules)
    found = pick_date(dates, sentences[0], None)
    assert found is not None and found.mention in mention


@pytest.mark.parametrize(
    ("text", "trigger", "mention"),
    [
        # "since ... on May 3" starts a period; the lead's day is the meeting's.
        (
            "Minister Ana Cruz received envoy Leo Tan on Monday.\n\n"
            "It was his first meeting with her since she took office on March 3.",
            "meeting",
            "on Monday",
        ),
        (
            "Gubernur Rina Wati menerima Duta Besar Leo Tan, Senin (10/3).\n\n"
            "Ini pertemuan pertama mereka sejak Rina dilantik 3 Maret.",
            "pertemuan",
            "Senin (10/3)",
        ),
    ],
)
def test_meeting_date_skips_the_start_of_a_period(
    rules: DateRules, nlp_en: Language, nlp_id: Language, text: str, trigger: str, mention: str
) -> None:
    nlp = nlp_id if "pertemuan" in text else nlp_en
    dates, cand, sentences = _candidate(rules, nlp, text, trigger, published_at="2025-03-12")
    assert _mention(meeting_date(dates, cand, sentences)) == mention


@pytest.mark.parametrize(
    ("text", "trigger", "value"),
    [
        (
            "Minister Ana Cruz met envoy Leo Tan on Tuesday.\n"
            "She also held talks on the same day with Governor Budi Hartono.",
            "talks",
            "2025-03-11",
        ),
        (
            "Menteri Rina Wati bertemu Duta Besar Leo Tan, Selasa (11/3).\n\n"
            "Pada hari yang sama, Rina menerima Gubernur Budi Hartono.",
            "menerima",
            "2025-03-11",
        ),
    ],
)
def test_meeting_date_same_day_as_the_date_before(
    rules: DateRules, nlp_en: Language, nlp_id: Language, text: str, trigger: str, value: str
) -> None:
    nlp = nlp_id if "menerima" in text else nlp_en
    dates, cand, sentences = _candidate(rules, nlp, text, trigger, published_at="2025-03-12")
    found = meeting_date(dates, cand, sentences)
    assert found is not None
    assert found.value == value
    assert text[found.span[0] : found.span[1]] == found.mention
    assert found.mention.lower().endswith("same day") or found.mention.lower().endswith("yang sama")


_PIECES = st.sampled_from(
    [
        "MANILA,", "Nov. 5", "(Wire)", "--", "date", "2025-03-14", "met", "bertemu", "on", "Monday", "Senin",
        "(10/3)", "(10/3/2025)", "since", "sejak", "the same day", "hari yang sama", "AB-", "A -", ":", "\n",
        "\n\n", "Ana", "Cruz", "Leo", "Tan", "March 12, 2025", "kemarin", "today", "18 September 2022, 14:15",
    ]
)  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(_PIECES, min_size=1, max_size=40))
def test_meeting_date_any_text_gives_a_date_of_the_text_or_none(
    rules: DateRules, nlp_en: Language, pieces: list[str]
) -> None:
    text = "Minister Ana Cruz met envoy Leo Tan " + " ".join(pieces)
    dates, cand, sentences = _candidate(rules, nlp_en, text, "met", published_at="2025-03-14")
    found = meeting_date(dates, cand, sentences)
    if found is not None:
        assert text[found.span[0] : found.span[1]] == found.mention
        assert found.precision == "day" and len(found.value) == len("2025-03-14")
