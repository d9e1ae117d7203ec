"""A deterministic corpus of realistic wire items for the benchmark.

Real wire articles are 300-700 words: a dateline and lead, a few paragraphs of quotes and
background, then "Baca juga:"/"Read also:" links and staff lines. Every item here is built
that way from templates, with invented people, venues and quotes (cities and countries are
real, so the gazetteer does its real work), in Indonesian and English, and about half of
them report no meeting at all, as on a national wire. Most background paragraphs are real
news sentences (``data/filler_*.txt``, licensed news corpora), so the vocabulary is that of
real wire copy and not a template's few hundred words. The project's own samples are
included as *variants*: their lead padded with generated paragraphs to a realistic length.
The same ``seed`` always gives the same corpus, byte for byte.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from stream.codec import wire_item_from_dict
from stream.errors import PoisonRecord
from stream.records import WireItem

MIN_WORDS = 300
MAX_WORDS = 700
DEFAULT_SEED = 20240914
MEETING_SHARE = 0.5
"""Share of generated items that report a meeting; the rest are other wire news."""

SAMPLES_PATH = Path(__file__).resolve().parents[3] / "samples" / "wire.jsonl"
FILLER_DIR = Path(__file__).resolve().parent / "data"
FILLER_SHARE = 0.6
"""Share of background paragraphs made of real news sentences (``data/filler_*.txt``), so the
corpus has the vocabulary, and the tokenizing cost, of real wire text; templates alone give a
few hundred distinct words, which spaCy's per-word cache reads about four times faster."""


@dataclass(frozen=True, slots=True)
class Country:
    name_id: str
    name_en: str
    adj_en: str
    capital_id: str
    capital_en: str


COUNTRIES: tuple[Country, ...] = (
    Country("Indonesia", "Indonesia", "Indonesian", "Jakarta", "Jakarta"),
    Country("Jepang", "Japan", "Japanese", "Tokyo", "Tokyo"),
    Country("China", "China", "Chinese", "Beijing", "Beijing"),
    Country("Rusia", "Russia", "Russian", "Moskow", "Moscow"),
    Country("Malaysia", "Malaysia", "Malaysian", "Kuala Lumpur", "Kuala Lumpur"),
    Country("Australia", "Australia", "Australian", "Canberra", "Canberra"),
    Country("Korea Selatan", "South Korea", "South Korean", "Seoul", "Seoul"),
    Country("Singapura", "Singapore", "Singaporean", "Singapura", "Singapore"),
    Country("Thailand", "Thailand", "Thai", "Bangkok", "Bangkok"),
    Country("Vietnam", "Vietnam", "Vietnamese", "Hanoi", "Hanoi"),
    Country("India", "India", "Indian", "New Delhi", "New Delhi"),
    Country("Prancis", "France", "French", "Paris", "Paris"),
    Country("Jerman", "Germany", "German", "Berlin", "Berlin"),
    Country("Inggris", "Britain", "British", "London", "London"),
    Country("Turki", "Turkey", "Turkish", "Ankara", "Ankara"),
    Country("Mesir", "Egypt", "Egyptian", "Kairo", "Cairo"),
    Country("Brasil", "Brazil", "Brazilian", "Brasilia", "Brasilia"),
    Country("Arab Saudi", "Saudi Arabia", "Saudi", "Riyadh", "Riyadh"),
)

# (Indonesian title, English title)
TITLES: tuple[tuple[str, str], ...] = (
    ("Menteri Luar Negeri", "Foreign Minister"),
    ("Presiden", "President"),
    ("Perdana Menteri", "Prime Minister"),
    ("Menteri Perdagangan", "Trade Minister"),
    ("Menteri Pertahanan", "Defence Minister"),
    ("Menteri Kesehatan", "Health Minister"),
    ("Duta Besar", "Ambassador"),
    ("Wakil Presiden", "Vice President"),
)

FIRST_NAMES = (
    "Ratna",
    "Budi",
    "Sinta",
    "Agus",
    "Dewi",
    "Hendra",
    "Kenji",
    "Haruto",
    "Zhao",
    "Liang",
    "Mikhail",
    "Olga",
    "Azman",
    "Nurul",
    "Liam",
    "Chloe",
    "Min-jun",
    "Ji-woo",
    "Somchai",
    "Anong",
    "Minh",
    "Lan",
    "Arjun",
    "Priya",
    "Camille",
    "Lucien",
    "Jonas",
    "Greta",
    "Oliver",
    "Harriet",
    "Emre",
    "Selin",
    "Karim",
    "Nadia",
    "Rafael",
    "Beatriz",
    "Faisal",
    "Layla",
)
LAST_NAMES = (
    "Wulandari",
    "Hartono",
    "Permatasari",
    "Setiawan",
    "Kusumawati",
    "Gunawan",
    "Morimoto",
    "Takeda",
    "Ming",
    "Wei",
    "Volkov",
    "Sokolova",
    "Rahim",
    "Hidayah",
    "Carter",
    "Bennett",
    "Park",
    "Choi",
    "Rattanakorn",
    "Srisuk",
    "Nguyen",
    "Tran",
    "Mehta",
    "Iyer",
    "Laurent",
    "Moreau",
    "Becker",
    "Hoffmann",
    "Ashford",
    "Whitlock",
    "Yilmaz",
    "Kaya",
    "Mansour",
    "Haddad",
    "Oliveira",
    "Teixeira",
    "Al-Harbi",
    "Al-Qahtani",
)
VENUES_ID = ("Istana Merdeka", "Gedung Pancasila", "Hotel Cempaka Raya", "Wisma Nusantara Baru", "Balai Sidang Kenari")
VENUES_EN = ("the Presidential Palace", "the Grand Meridian Hotel", "the Lotus Convention Centre", "Harbour House")
SUMMITS_ID = ("KTT ASEAN", "KTT G20", "Sidang Majelis Umum PBB", "Forum Ekonomi Dunia", "KTT APEC")
SUMMITS_EN = ("the ASEAN Summit", "the G20 Summit", "the UN General Assembly", "the World Economic Forum", "APEC")
TOPICS_ID = (
    "kerja sama maritim dan keamanan kawasan",
    "perdagangan dan investasi",
    "perlindungan pekerja migran",
    "transisi energi dan perubahan iklim",
    "kerja sama pertahanan dan latihan militer bersama",
    "ketahanan pangan",
    "kerja sama kesehatan dan produksi vaksin",
    "pendidikan dan pertukaran pelajar",
)
TOPICS_EN = (
    "maritime cooperation and regional security",
    "trade and investment",
    "the protection of migrant workers",
    "the energy transition and climate change",
    "defence cooperation and joint military exercises",
    "food security",
    "health cooperation and vaccine production",
    "education and student exchanges",
)
DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SOURCES = ("WARTA", "NUSAWIRE", "KABARNEWS")

QUOTE_ID = (
    "hubungan kedua negara terus berkembang dengan baik",
    "kami sepakat untuk memperkuat kerja sama di berbagai bidang",
    "pemerintah berkomitmen menjaga stabilitas dan perdamaian di kawasan",
    "langkah ini diharapkan membuka peluang investasi yang lebih besar",
    "kedua pihak akan membentuk kelompok kerja untuk menindaklanjuti kesepakatan tersebut",
    "kami berharap hasil kesepakatan ini dapat segera dirasakan masyarakat",
    "tantangan global menuntut kerja sama yang lebih erat antarnegara",
    "pemerintah daerah siap mendukung pelaksanaan program tersebut",
)
QUOTE_EN = (
    "relations between our two countries continue to grow stronger",
    "we agreed to deepen cooperation in a wide range of areas",
    "the government is committed to peace and stability in the region",
    "this step is expected to open the door to more investment",
    "both sides will set up a working group to follow up on the agreement",
    "we hope people will feel the results of this agreement soon",
    "global challenges call for closer cooperation between nations",
    "local authorities stand ready to support the programme",
)
BACKGROUND_ID = (
    "{a} dan {b} telah menjalin hubungan diplomatik sejak {year}.",
    "Nilai perdagangan kedua negara mencapai {n} miliar dolar AS pada {year2}, naik {p} persen dibanding tahun "
    "sebelumnya.",
    "Menurut data Badan Pusat Statistik, ekspor ke {b} didominasi minyak sawit, batu bara dan produk tekstil.",
    "Sebelumnya, pemerintah {a} juga menandatangani nota kesepahaman di bidang pendidikan dan kebudayaan.",
    "Sejumlah pengamat menilai kerja sama tersebut penting di tengah ketidakpastian ekonomi global.",
    "Pada tahun lalu, jumlah wisatawan dari {b} yang berkunjung ke {a} tercatat sekitar {n} ribu orang.",
    "Rencana itu akan dibahas lebih lanjut oleh kabinet pekan depan, kata seorang pejabat.",
    "Para pelaku usaha menyambut baik rencana tersebut dan berharap prosedur perizinan dipermudah.",
    "Wakil Menteri Perdagangan {a} {p3} mengatakan pemerintah sedang menyiapkan insentif pajak bagi investor baru.",
    "Ketua Kamar Dagang dan Industri {p3} menilai kebijakan itu akan mendorong pertumbuhan ekspor sebesar {p} persen.",
    "Juru bicara Kementerian Luar Negeri {p3} menyebut {n} warga {a} tinggal di {b} dan dalam keadaan baik.",
    "Gubernur {p3} meminta masyarakat di sekitar {city} tetap waspada menghadapi musim hujan.",
    "Anggota Komisi I DPR {p3} mendesak pemerintah memperjelas jadwal pelaksanaan program di {city}.",
)
BACKGROUND_EN = (
    "{a} and {b} established diplomatic relations in {year}.",
    "Trade between the two countries reached {n} billion US dollars in {year2}, up {p} percent from the year before.",
    "According to official data, exports to {b} are dominated by palm oil, coal and textile products.",
    "Earlier, the government of {a} also signed a memorandum of understanding on education and culture.",
    "Analysts say the cooperation matters at a time of uncertainty in the global economy.",
    "Last year about {n} thousand tourists from {b} visited {a}, official figures show.",
    "The plan will be discussed further in cabinet next week, an official said.",
    "Business groups welcomed the plan and called for simpler licensing procedures.",
    "Deputy Trade Minister {p3} of {a} said the government was preparing tax incentives for new investors.",
    "Chamber of Commerce chairman {p3} said the policy could lift exports by {p} percent.",
    "Foreign ministry spokesperson {p3} said {n} citizens of {a} live in {b} and are safe.",
    "Governor {p3} urged residents around {city} to stay alert during the rainy season.",
    "Opposition lawmaker {p3} urged the government to set a clear timetable for the programme in {city}.",
)
OTHER_LEADS_ID = (
    "{CITY} ({SRC}) - Bank sentral {a} mempertahankan suku bunga acuan sebesar {p} persen pada {day} ({d}/{m}), "
    "dengan alasan inflasi yang masih terkendali dan nilai tukar yang relatif stabil.",
    "{CITY} ({SRC}) - Badan penanggulangan bencana melaporkan banjir merendam ratusan rumah di pinggiran {city} "
    "sejak {day} ({d}/{m}) setelah hujan deras mengguyur wilayah itu selama dua hari.",
    "{CITY} ({SRC}) - Tim nasional {a} menang 2-1 atas {b} dalam pertemuan kedua babak kualifikasi yang digelar "
    "di {city}, {day} ({d}/{m}) malam.",
    "{CITY} ({SRC}) - Harga beras di sejumlah pasar tradisional di {city} naik sekitar {p} persen dalam sepekan "
    "terakhir, menurut pantauan dinas perdagangan setempat pada {day} ({d}/{m}).",
    "{CITY} ({SRC}) - {title} {a} {p1} meresmikan jalan tol baru sepanjang {n} kilometer di dekat {city} pada "
    "{day} ({d}/{m}), yang diharapkan memangkas waktu tempuh hingga separuhnya.",
)
OTHER_LEADS_EN = (
    "{CITY}, {mon} {d} ({SRC}) - {a}'s central bank kept its benchmark interest rate at {p} percent on {day}, "
    "citing inflation that remains under control and a broadly stable currency.",
    "{CITY}, {mon} {d} ({SRC}) - Floods have inundated hundreds of homes on the outskirts of {city} since {day} "
    "after two days of heavy rain, the disaster agency said.",
    "{CITY}, {mon} {d} ({SRC}) - {a} beat {b} 2-1 in the second leg of their qualifying match in {city} on {day} "
    "night.",
    "{CITY}, {mon} {d} ({SRC}) - Rice prices in several markets in {city} rose about {p} percent in the past "
    "week, the local trade office said on {day}.",
    "{CITY}, {mon} {d} ({SRC}) - {a}'s {title} {p1} opened a new {n}-kilometre toll road near {city} on {day}, "
    "which is expected to halve travel times.",
)
MEETING_LEADS_ID = (
    "{CITY} ({SRC}) - {title} {a} {p1} bertemu dengan {title2} {b} {p2} di {city}, {day} ({d}/{m}), untuk "
    "membahas {topic}.",
    "{CITY} ({SRC}) - {title} {a} {p1} menerima kunjungan kehormatan {title2} {b} {p2} di {venue}, {city}, "
    "{day} ({d}/{m}).",
    "{CITY} ({SRC}) - {title} {a} {p1} mengadakan pertemuan bilateral dengan {title2} {b} {p2} di sela-sela "
    "{summit} di {city}, {day} ({d}/{m}), yang membahas {topic}.",
    "{CITY} ({SRC}) - {title} {a} {p1} dijadwalkan akan bertemu {title2} {b} {p2} di {city} pekan depan untuk "
    "membahas {topic}.",
    "{CITY} ({SRC}) - Pertemuan antara {title} {a} {p1} dan {title2} {b} {p2} yang dijadwalkan berlangsung di "
    "{city} pada {day} ({d}/{m}) ditunda karena cuaca buruk.",
)
MEETING_LEADS_EN = (
    "{CITY}, {mon} {d} ({SRC}) - {a_adj} {title} {p1} met {b_adj} {title2} {p2} in {city} on {day} to discuss "
    "{topic}, officials said.",
    "{CITY}, {mon} {d} ({SRC}) - {a_adj} {title} {p1} received a courtesy call from {b_adj} {title2} {p2} at "
    "{venue} in {city} on {day}.",
    "{CITY}, {mon} {d} ({SRC}) - {a_adj} {title} {p1} held bilateral talks with {b_adj} {title2} {p2} on the "
    "sidelines of {summit} in {city} on {day}, focusing on {topic}.",
    "{CITY}, {mon} {d} ({SRC}) - {a_adj} {title} {p1} is scheduled to meet {b_adj} {title2} {p2} in {city} next "
    "week to discuss {topic}.",
    "{CITY}, {mon} {d} ({SRC}) - A planned meeting between {a_adj} {title} {p1} and {b_adj} {title2} {p2} in "
    "{city} on {day} was postponed because of bad weather, officials said.",
)
MONTHS_EN = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Corpus:
    """Wire items for the benchmark, and their ``wire.raw`` encoding."""

    items: tuple[WireItem, ...]

    def lines(self, *, copy: int = 0) -> list[bytes]:
        """Each item as a ``wire.raw`` value; ``copy`` > 0 gives the items fresh ids (``<id>~<copy>``)."""
        out = []
        for item in self.items:
            value = {k: v for k, v in _item_dict(item).items() if v is not None}
            if copy:
                value["id"] = f"{item.id}~{copy}"
            out.append(orjson.dumps(value))
        return out

    @property
    def words(self) -> list[int]:
        """Word count of each item's text."""
        return [len(item.text.split()) for item in self.items]


def build_corpus(
    size: int,
    *,
    seed: int = DEFAULT_SEED,
    samples: Path | None = SAMPLES_PATH,
    filler: Mapping[str, Sequence[str]] | None = None,
) -> Corpus:
    """``size`` items: padded variants of the project's samples first (when readable), then generated ones.

    ``filler`` maps a language to real sentences for background paragraphs (default: ``load_filler()``).
    """
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    pools = load_filler() if filler is None else filler
    items: list[WireItem] = []
    for lead in _sample_items(samples):
        if len(items) >= size:
            break
        language = lead.language or "en"
        items.append(_padded_variant(rng, lead, len(items), pools.get(language, ())))
    while len(items) < size:
        language = "id" if len(items) % 2 == 0 else "en"
        items.append(generate_item(rng, len(items), language, filler=pools.get(language, ())))
    return Corpus(tuple(items))


def load_filler(folder: Path = FILLER_DIR) -> dict[str, tuple[str, ...]]:
    """Real news sentences per language (see ``data/README.md`` for sources and licences)."""
    return {
        language: tuple(
            line for line in (folder / f"filler_{language}.txt").read_text(encoding="utf-8").splitlines() if line
        )
        for language in ("id", "en")
    }


def generate_item(rng: random.Random, index: int, language: str, *, filler: Sequence[str] = ()) -> WireItem:
    """One 300-700-word wire item in ``language`` ("id" or "en"), meeting or not, from ``rng``."""
    slots = _slots(rng, language)
    meeting = rng.random() < MEETING_SHARE
    if language == "id":
        leads = MEETING_LEADS_ID if meeting else OTHER_LEADS_ID
    else:
        leads = MEETING_LEADS_EN if meeting else OTHER_LEADS_EN
    lead = rng.choice(leads).format(**slots)
    body = _body(rng, language, lead, slots, rng.randint(MIN_WORDS, MAX_WORDS), filler)
    about = " bahas " if language == "id" else " on "
    title = f"{slots['title']} {slots['a']} {slots['p1']}{about}{slots['topic']}"
    return WireItem(
        id=f"bench-{language}-{index:06d}",
        text=body,
        source=slots["SRC"],
        url=f"https://wire.example/{language}/{index}",
        language=language,
        title=title,
        published_at=f"2024-{slots['m']:0>2}-{slots['d']:0>2}",
    )


def _sample_items(path: Path | None) -> list[WireItem]:
    if path is None or not path.exists():
        return []
    out = []
    for line in path.read_bytes().splitlines():
        try:
            value = orjson.loads(line)
            if isinstance(value, dict):
                out.append(wire_item_from_dict(value))
        except (orjson.JSONDecodeError, PoisonRecord):
            continue  # the samples include malformed lines on purpose
    return out


def _padded_variant(rng: random.Random, item: WireItem, index: int, filler: Sequence[str]) -> WireItem:
    """``item``'s lead with generated paragraphs inserted before its trailing lines."""
    language = item.language if item.language in ("id", "en") else "en"
    paragraphs = item.text.split("\n\n")
    head = [p for p in paragraphs if not _is_trailer(p)]
    slots = _slots(rng, language)
    body = _body(rng, language, "\n\n".join(head), slots, rng.randint(MIN_WORDS, MAX_WORDS), filler)
    return dataclasses.replace(item, id=f"{item.id}-bench-{index:06d}", text=body)


def _is_trailer(paragraph: str) -> bool:
    prefixes = ("Baca juga", "Read also", "Pewarta", "Editor", "Copyright", "Penerjemah", "Sumber")
    return paragraph.lstrip().startswith(prefixes)


def _slots(rng: random.Random, language: str) -> dict[str, str]:
    a, b = rng.sample(COUNTRIES, 2)
    where = rng.choice((a, b))
    title, title2 = rng.choice(TITLES), rng.choice(TITLES)
    idx = 0 if language == "id" else 1
    city = where.capital_id if language == "id" else where.capital_en
    return {
        "CITY": rng.choice((a, b)).capital_id.upper() if language == "id" else a.capital_en.upper(),
        "SRC": rng.choice(SOURCES),
        "a": a.name_id if language == "id" else a.name_en,
        "b": b.name_id if language == "id" else b.name_en,
        "a_adj": a.adj_en,
        "b_adj": b.adj_en,
        "title": title[idx],
        "title2": title2[idx],
        "p1": _person(rng),
        "p2": _person(rng),
        "city": city,
        "venue": rng.choice(VENUES_ID if language == "id" else VENUES_EN),
        "summit": rng.choice(SUMMITS_ID if language == "id" else SUMMITS_EN),
        "topic": rng.choice(TOPICS_ID if language == "id" else TOPICS_EN),
        "day": rng.choice(DAYS_ID if language == "id" else DAYS_EN),
        "d": str(rng.randint(1, 28)),
        "m": str(rng.randint(1, 12)),
        "mon": rng.choice(MONTHS_EN),
        "n": str(rng.randint(2, 950)),
        "p": str(rng.randint(1, 19)),
        "year": str(rng.randint(1950, 1999)),
        "year2": str(rng.randint(2015, 2023)),
    }


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _body(
    rng: random.Random, language: str, lead: str, slots: dict[str, str], target_words: int, filler: Sequence[str]
) -> str:
    """``lead``, then quote and background paragraphs up to ``target_words``, then trailing lines."""
    paragraphs = [lead]
    trailer = _trailer(rng, language, slots)
    budget = target_words - len(trailer.split())
    words = len(lead.split())
    while words < budget:
        paragraph = _paragraph(rng, language, slots, filler)
        if words + len(paragraph.split()) > MAX_WORDS - len(trailer.split()):
            break
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    paragraphs.append(trailer)
    return "\n\n".join(paragraphs)


def _paragraph(rng: random.Random, language: str, slots: dict[str, str], filler: Sequence[str]) -> str:
    quotes = QUOTE_ID if language == "id" else QUOTE_EN
    background = BACKGROUND_ID if language == "id" else BACKGROUND_EN
    surname = slots["p1"].split()[-1]
    if rng.random() < 0.5:
        first, second = rng.sample(quotes, 2)
        said, conj, also = ("kata", "dan", "Ia menambahkan") if language == "id" else ("said", "and", "He added that")
        return f'"{first.capitalize()}, {conj} {second}," {said} {surname}. {also} {rng.choice(quotes)}.'
    if filler and rng.random() < FILLER_SHARE:
        return " ".join(rng.sample(list(filler), rng.randint(2, 4)))
    fill = {**slots, "n": str(rng.randint(2, 950)), "p": str(rng.randint(1, 19)), "p3": _person(rng)}
    return " ".join(s.format(**fill) for s in rng.sample(background, rng.randint(2, 4)))


def _trailer(rng: random.Random, language: str, slots: dict[str, str]) -> str:
    if language == "id":
        lines = [
            f"Baca juga: {_person(rng)} tinjau proyek pelabuhan di {slots['city']}",
            f"Baca juga: Harga minyak dunia turun {slots['p']} persen",
            f"Pewarta: {_person(rng)}",
            f"Editor: {_person(rng)}",
            f"Copyright © {slots['SRC']} 2024",
        ]
    else:
        lines = [
            f"Read also: {slots['b']} to host regional forum next year",
            f"Reporting by {_person(rng)}; Editing by {_person(rng)}",
            f"Editor: {_person(rng)}",
        ]
    return "\n".join(lines)


def _item_dict(item: WireItem) -> dict[str, str | None]:
    return {
        "id": item.id,
        "text": item.text,
        "source": item.source,
        "url": item.url,
        "language": item.language,
        "title": item.title,
        "published_at": item.published_at,
    }


def words_summary(counts: Sequence[int]) -> tuple[int, int, float]:
    """Minimum, maximum and mean word count."""
    return min(counts), max(counts), sum(counts) / len(counts)
