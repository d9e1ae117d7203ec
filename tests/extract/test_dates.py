"""Date expressions and the article anchor (stream.extract.dates). Invented sentences."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
import spacy
from spacy.language import Language

from stream.extract.dates import (
    DateAnchor,
    DateMention,
    DateRules,
    article_anchor,
    find_dates,
    load_date_rules,
    parse_published,
)

# Wednesday 20 September 2023.
WED = DateAnchor(2023, 9, 20)


@pytest.fixture(scope="module")
def rules() -> DateRules:
    return load_date_rules()


@pytest.fixture(scope="module")
def nlp_id() -> Language:
    return spacy.blank("id")


@pytest.fixture(scope="module")
def nlp_en() -> Language:
    return spacy.blank("en")


def _one(found: list[DateMention], mention: str) -> DateMention:
    hits = [d for d in found if d.mention == mention]
    assert len(hits) == 1, [d.mention for d in found]
    return hits[0]


@pytest.mark.parametrize(
    ("text", "anchor", "mention", "value"),
    [
        ("Mereka bertemu di Bandung, Senin (18/9), untuk membahas kerja sama.", WED, "Senin (18/9)", "2023-09-18"),
        ("Pertemuan digelar Senin (18/9).", DateAnchor(2023, None, None), "Senin (18/9)", "2023-09-18"),
        ("Ia tiba Selasa malam (19/9) di Medan.", WED, "Selasa malam (19/9)", "2023-09-19"),
        ("Keterangan pers, Rabu (10/5/2023), menyebutkan hal itu.", None, "Rabu (10/5/2023)", "2023-05-10"),
        ("Menurut rilis (30/7) yang diterima.", WED, "(30/7)", "2023-07-30"),
        ("Pertemuan pada Jumat, 22 September 2023 itu lancar.", None, "Jumat, 22 September 2023", "2023-09-22"),
        ("Acara berlangsung 18 September 2023 di Surabaya.", None, "18 September 2023", "2023-09-18"),
        ("Acara berlangsung 5 Agt 2020.", None, "5 Agt 2020", "2020-08-05"),
        ("Acara berlangsung 7 Okt. 2021.", None, "7 Okt. 2021", "2021-10-07"),
        ("Acara berlangsung 3 Mei lalu.", WED, "3 Mei", "2023-05-03"),
        ("Dokumen bertanggal 18/9/2023 itu.", None, "18/9/2023", "2023-09-18"),
        ("Dokumen bertanggal 18-09-2023 itu.", None, "18-09-2023", "2023-09-18"),
    ],
)
def test_dates_indonesian_explicit(
    rules: DateRules, nlp_id: Language, text: str, anchor: DateAnchor | None, mention: str, value: str
) -> None:
    found = _one(find_dates(nlp_id(text), "id", anchor, rules=rules), mention)
    assert (found.value, found.precision) == (value, "day")
    assert text[found.span[0] : found.span[1]] == mention


@pytest.mark.parametrize(
    ("text", "anchor", "mention", "value"),
    [
        # A day-month far after publication is last year's ...
        ("Mereka bertemu Kamis (28/12).", DateAnchor(2024, 1, 3), "Kamis (28/12)", "2023-12-28"),
        # ... and far before it next year's.
        ("Sidang dijadwalkan Jumat (5/1).", DateAnchor(2023, 12, 28), "Jumat (5/1)", "2024-01-05"),
    ],
)
def test_dates_day_month_year_rollover(
    rules: DateRules, nlp_id: Language, text: str, anchor: DateAnchor, mention: str, value: str
) -> None:
    assert _one(find_dates(nlp_id(text), "id", anchor, rules=rules), mention).value == value


@pytest.mark.parametrize(
    ("text", "mention", "value", "precision"),
    [
        ("Presiden menerima tamu itu Senin.", "Senin", "2023-09-18", "day"),
        ("Presiden menerima tamu itu Rabu.", "Rabu", "2023-09-20", "day"),
        ("Keduanya bertemu Rabu lalu.", "Rabu lalu", "2023-09-13", "day"),
        ("Keduanya akan bertemu Jumat depan.", "Jumat depan", "2023-09-22", "day"),
        ("Keduanya bertemu Sabtu pekan lalu.", "Sabtu pekan lalu", "2023-09-16", "day"),
        ("Ia tiba kemarin.", "kemarin", "2023-09-19", "day"),
        ("Rapat digelar hari ini.", "hari ini", "2023-09-20", "day"),
        ("Rapat digelar besok.", "besok", "2023-09-21", "day"),
        ("Pertemuan pekan lalu berlangsung lancar.", "pekan lalu", "2023-09", "month"),
        ("Pertemuan minggu lalu berlangsung lancar.", "minggu lalu", "2023-09", "month"),
        ("Pertemuan bulan lalu berlangsung lancar.", "bulan lalu", "2023-08", "month"),
        ("Pertemuan tahun lalu berlangsung lancar.", "tahun lalu", "2022", "year"),
        ("Misa digelar Minggu di gereja itu.", "Minggu", "2023-09-17", "day"),
    ],
)
def test_dates_indonesian_relative(
    rules: DateRules, nlp_id: Language, text: str, mention: str, value: str, precision: str
) -> None:
    found = _one(find_dates(nlp_id(text), "id", WED, rules=rules), mention)
    assert (found.value, found.precision, found.relative) == (value, precision, True)


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("Presiden menerima tamu itu Senin.", "Senin"),
        ("Ia tiba kemarin.", "kemarin"),
    ],
)
def test_dates_weekday_needs_day_anchor(rules: DateRules, nlp_id: Language, text: str, mention: str) -> None:
    for anchor in (None, DateAnchor(2023, 9, None), DateAnchor(2023, None, None)):
        assert all(d.mention != mention for d in find_dates(nlp_id(text), "id", anchor, rules=rules))


@pytest.mark.parametrize(
    ("text", "mention", "value", "precision"),
    [
        ("The two ministers met on Monday in Geneva.", "on Monday", "2023-09-18", "day"),
        ("The two ministers met Tuesday.", "Tuesday", "2023-09-19", "day"),
        ("The leaders met last Friday.", "last Friday", "2023-09-15", "day"),
        ("They will meet next Friday.", "next Friday", "2023-09-22", "day"),
        ("The envoy arrived yesterday.", "yesterday", "2023-09-19", "day"),
        ("Talks resume today.", "today", "2023-09-20", "day"),
        ("Talks held last week ended well.", "last week", "2023-09", "month"),
        ("They met on Sept. 18 in Paris.", "Sept. 18", "2023-09-18", "day"),
        ("They met on Sept 18 in Paris.", "Sept 18", "2023-09-18", "day"),
        ("They met on September 18, 2023 in Paris.", "September 18, 2023", "2023-09-18", "day"),
        ("They met on Monday, September 18, 2023.", "Monday, September 18, 2023", "2023-09-18", "day"),
        ("They met on 18 September 2023 in Paris.", "18 September 2023", "2023-09-18", "day"),
        ("They met in March 2023.", "March 2023", "2023-03", "month"),
        ("The memo dated 12/31/2022 says so.", "12/31/2022", "2022-12-31", "day"),
        ("The memo dated 2023-09-01 says so.", "2023-09-01", "2023-09-01", "day"),
    ],
)
def test_dates_english(rules: DateRules, nlp_en: Language, text: str, mention: str, value: str, precision: str) -> None:
    found = _one(find_dates(nlp_en(text), "en", WED, rules=rules), mention)
    assert (found.value, found.precision) == (value, precision)
    assert text[found.span[0] : found.span[1]] == mention


@pytest.mark.parametrize(
    "text",
    ["Sebanyak 18 orang hadir.", "May I ask a question?", "The score was 3/4 at the break.", "Skor akhir 2-1."],
)
def test_dates_no_false_positives(rules: DateRules, nlp_en: Language, text: str) -> None:
    assert find_dates(nlp_en(text), "en", WED, rules=rules) == []


@pytest.mark.parametrize(
    "text",
    ["Kemarin, Senin (18/9), dan 20 September 2023; Rabu lalu; pekan lalu; 18/9/2023."],
)
def test_dates_sorted_non_overlapping_spans(rules: DateRules, nlp_id: Language, text: str) -> None:
    found = find_dates(nlp_id(text), "id", WED, rules=rules)
    spans = [d.span for d in found]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert all(text[d.span[0] : d.span[1]] == d.mention for d in found)


@pytest.mark.parametrize(
    ("published_at", "expected"),
    [
        ("2023-09-18T10:15:00+07:00", DateAnchor(2023, 9, 18)),
        ("2023-09-18T23:30:00Z", DateAnchor(2023, 9, 18)),
        ("2023-09-18", DateAnchor(2023, 9, 18)),
        ("2023-09", DateAnchor(2023, 9, None)),
        ("2023", DateAnchor(2023, None, None)),
        ("yesterday", None),
        ("2023-13-01", None),
        ("2023-02-30", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_parse_published(published_at: str | None, expected: DateAnchor | None) -> None:
    assert parse_published(published_at) == expected


@pytest.mark.parametrize(
    ("text", "published_at", "received_at", "expected"),
    [
        ("Teks apa saja.", "2023-09-18T10:15:00+07:00", None, DateAnchor(2023, 9, 18)),
        ("Jakarta (ANTARA) - Bertemu Senin (18/9).\nCopyright © ANTARA 2023", None, None, DateAnchor(2023, None, None)),
        ("Foto © 2021 Kantor Berita", None, None, DateAnchor(2021, None, None)),
        ("Ditulis Selasa, 19 September 2023 pukul 10.00 WIB.", None, None, DateAnchor(2023, 9, 19)),
        ("Posted Sept. 18, 2023. Talks were held.", None, None, DateAnchor(2023, 9, 18)),
        ("Tanpa petunjuk.", "garbage", datetime(2024, 1, 2, 3, 4, tzinfo=UTC), DateAnchor(2024, 1, 2)),
        ("Tanpa petunjuk.", None, None, None),
        # A month-precision publication date is completed from a text date in that month.
        ("Gubernur menerima tamu, Selasa (24/10/2023).", "2023-10", None, DateAnchor(2023, 10, 24)),
        ("Gubernur menerima tamu, Selasa (24/10/2022).", "2023-10", None, DateAnchor(2023, 10, None)),
    ],
)
def test_dates_article_anchor(
    rules: DateRules,
    text: str,
    published_at: str | None,
    received_at: datetime | None,
    expected: DateAnchor | None,
) -> None:
    assert article_anchor(text, published_at, received_at, rules=rules) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "Istanbul (ANTARA) - Dalam pertemuan di Moskow, Senin (18/9), keduanya berbicara.\nCopyright © ANTARA 2023",
            "2023-09-18",
        )
    ],
)
def test_dates_seed_article_shape(rules: DateRules, nlp_id: Language, text: str, value: str) -> None:
    anchor = article_anchor(text, None, None, rules=rules)
    assert _one(find_dates(nlp_id(text), "id", anchor, rules=rules), "Senin (18/9)").value == value


@pytest.mark.parametrize(
    ("text", "mention", "value"),
    [("Menlu bertemu mitranya Senin, 18/9, di Jakarta.", "Senin, 18/9", "2023-09-18")],
)
def test_dates_weekday_then_bare_day_month(
    rules: DateRules, nlp_id: Language, text: str, mention: str, value: str
) -> None:
    assert _one(find_dates(nlp_id(text), "id", WED, rules=rules), mention).value == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The date written with its weekday is the news day, not a later scheduled date.
        (
            "Kedua menteri bertemu Selasa, 19 September 2023. KTT dijadwalkan 5 November 2023.",
            DateAnchor(2023, 9, 19),
        ),
        ("KTT dijadwalkan 5 November 2023, setelah rapat 1 Oktober 2023.", DateAnchor(2023, 11, 5)),
    ],
)
def test_dates_anchor_prefers_dates_with_weekday(rules: DateRules, text: str, expected: DateAnchor) -> None:
    assert article_anchor(text, None, None, rules=rules) == expected


@pytest.mark.parametrize(
    ("text", "anchor", "mention", "value"),
    [
        # The stated weekday contradicts the stated year; the anchor's year fits it (a January typo).
        (
            "Wali kota menerima tamu, Selasa, 14 Januari 2025.",
            DateAnchor(2026, 1, None),
            "Selasa, 14 Januari 2025",
            "2025-01-14",
        ),
        (
            "Wali kota menerima tamu, Rabu, 14 Januari 2025.",
            DateAnchor(2026, 1, None),
            "Rabu, 14 Januari 2025",
            "2026-01-14",
        ),
        ("Wali kota menerima tamu, Rabu (14/1/2025).", DateAnchor(2026, 1, 16), "Rabu (14/1/2025)", "2026-01-14"),
        # ... but not when no year near the anchor has that weekday: the date stays as written.
        (
            "Wali kota menerima tamu, Senin, 14 Januari 2025.",
            DateAnchor(2026, 1, None),
            "Senin, 14 Januari 2025",
            "2025-01-14",
        ),
        # A bare "(d/m)" far from the anchor whose swap lands in the anchor's month, weekday agreeing.
        ("Paus tiba di masjid, Kamis (9/5).", DateAnchor(2024, 9, None), "Kamis (9/5)", "2024-09-05"),
        ("Paus tiba di masjid, Kamis (9/5).", DateAnchor(2024, 9, 6), "Kamis (9/5)", "2024-09-05"),
        # A full numeric date whose stated weekday fits only with month and day swapped.
        ("Menteri tiba, Jumat (11/01/2024).", DateAnchor(2024, 11, 1), "Jumat (11/01/2024)", "2024-11-01"),
        ("Menteri tiba, Kamis (11/01/2024).", DateAnchor(2024, 11, 1), "Kamis (11/01/2024)", "2024-01-11"),
        ("Menteri tiba (11/01/2024).", DateAnchor(2024, 11, 1), "(11/01/2024)", "2024-01-11"),
        # Written order kept when it is near the anchor, or when the weekday rules the swap out.
        ("Menteri tiba, Kamis (9/5).", DateAnchor(2024, 5, 10), "Kamis (9/5)", "2024-05-09"),
        ("Menteri tiba, Jumat (9/5).", DateAnchor(2024, 9, None), "Jumat (9/5)", "2024-05-09"),
    ],
)
def test_dates_slips_confirmed_by_the_weekday(
    rules: DateRules, nlp_id: Language, text: str, anchor: DateAnchor, mention: str, value: str
) -> None:
    assert _one(find_dates(nlp_id(text), "id", anchor, rules=rules), mention).value == value


@pytest.mark.parametrize(
    ("text", "mention", "value"),
    [
        # No publication date: the anchor is Monday 18 September 2023, a day the text mentions.
        ("Sebelumnya, Senin, 18 September 2023, menteri tiba. Keduanya bertemu Selasa pagi.", "Selasa", "2023-09-19"),
        ("Sebelumnya, Senin, 18 September 2023, menteri tiba. Keduanya bertemu Sabtu.", "Sabtu", "2023-09-16"),
        ("Sebelumnya, Senin, 18 September 2023, menteri tiba. Keduanya bertemu Senin.", "Senin", "2023-09-18"),
    ],
)
def test_dates_weekday_nearest_a_text_anchor(
    rules: DateRules, nlp_id: Language, text: str, mention: str, value: str
) -> None:
    anchor = article_anchor(text, None, None, rules=rules)
    assert anchor == DateAnchor(2023, 9, 18) and anchor.from_text
    assert _one(find_dates(nlp_id(text), "id", anchor, rules=rules), mention).value == value


@pytest.mark.parametrize("published_at", ["2023-09-18", "2023-09-18T08:00:00+07:00"])
def test_dates_weekday_on_or_before_a_publication_anchor(rules: DateRules, nlp_id: Language, published_at: str) -> None:
    text = "Keduanya bertemu Selasa pagi."
    anchor = article_anchor(text, published_at, None, rules=rules)
    assert anchor is not None and not anchor.from_text
    assert _one(find_dates(nlp_id(text), "id", anchor, rules=rules), "Selasa").value == "2023-09-12"
