"""Who meets whom: title + name mentions, counterparts, roles, and coreference across an article.

Rules are the backbone: an office title from the lexicon ("Menteri Luar Negeri", "Chinese
Foreign Minister"), an optional country next to it, then a run of capitalised tokens is a
person. Short forms later in the article ("Wang", "Retno", "Menlu China") are resolved to the
full name by token subset or by (title, country).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from stream.extract.hygiene import Mask
from stream.extract.lexicon import Lexicon, TitleEntry
from stream.extract.pipeline import TOKEN_COLUMNS, token_arrays

MentionKind = Literal["person", "role", "body"]

_COUNTERPART = {
    "en": frozenset({"counterpart", "counterparts"}),
    # possessive forms only: "Mitra Wicara" (dialogue partner) is a term, not a counterpart
    "id": frozenset({"mitranya", "sejawatnya", "koleganya", "rekannya"}),
}
MAX_TITLE_NAME_TOKENS = 3
"""Longest name known by "the" and a title-like name ("the Dalai Lama", "the Aga Khan")."""
MAX_NAME_TOKENS = 8
"""Longest name read after a title ("Muhammad Hafizuddean bin Jantan", "Abdullah bin Zayed Al Nahyan")."""
ALIAS_TOKENS = 3
"""Capitalised words of a nickname in parentheses after a name ("(Jokowi)", "(Gus Yahya)")."""
_HYPHEN_PREFIXES = frozenset({"al", "el", "abu", "abdul", "abd", "bin", "ben", "ibn", "ould", "ag"})
_PLURAL_MARKERS = frozenset(
    {"kedua", "para", "both", "two", "all", "semua", "sejumlah", "beberapa", "several", "other"}
)
_POSSESSIVE_EN = frozenset({"his", "her", "their", "its"})
_QUOTES = frozenset({'"', "\u201c", "\u201d", "'", "\u2018", "\u2019"})
_OPEN = frozenset({"(", "["})
_CONNECT_AFTER_TITLE = {"en": frozenset({"of", "to", "for"}), "id": frozenset({"untuk", "dari", "di"})}
_BODY_HEADS = {
    "en": frozenset({"delegation", "delegations", "team"}),
    "id": frozenset({"delegasi", "rombongan"}),
}


class CountryLookup(Protocol):
    """What participants need from the gazetteer."""

    def country(self, word: str) -> CountryRefLike | None: ...

    def country_names(self) -> frozenset[str]: ...


class CountryRefLike(Protocol):
    @property
    def iso2(self) -> str: ...

    @property
    def name(self) -> str: ...


def fold(text: str) -> str:
    """Case- and accent-insensitive key of a word."""
    if text.isascii():
        return text.casefold()
    norm = unicodedata.normalize("NFKD", text)
    return "".join(c for c in norm if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class PlaceAt:
    """A place the gazetteer found, keyed elsewhere by its first token."""

    end: int
    """One past its last token."""
    name: str
    country: str | None


@dataclass(slots=True)
class Mention:
    """One reference to a party in the text."""

    kind: MentionKind
    name: str
    """Name without title; for a role or body, the text that names it."""
    title: str | None
    affiliation: str | None
    country: str | None
    start: int
    """First token index of the whole mention (title included)."""
    end: int
    span: tuple[int, int]
    mention: str
    reporter: bool = False
    counterpart: bool = False
    aliases: tuple[str, ...] = ()
    entity: int = -1
    """Index of the resolved entity, filled by ``resolve``."""
    explicit_country: bool = False
    """The text names the country next to the title ("Menlu Malaysia")."""
    generic: bool = False
    """A role like "Turkey's leader" that matches its country's top person whatever the title."""
    listed: bool = False
    """One country's office holder from a plural title's list ("the Ambassadors of A, B and C"):
    it resolves only to a person of that very country."""
    reports: bool = False
    """The name is the subject of a verb of saying right after it ("X mengungkapkan ...", "X
    said ..."): in that sentence the person speaks of a meeting, and may or may not be in it."""


@dataclass(slots=True)
class Entity:
    """One party of the article, with every mention that refers to it."""

    name: str
    tokens: set[str]
    title: str | None
    affiliation: str | None
    country: str | None
    kind: MentionKind
    reporter: bool
    mentions: list[Mention] = field(default_factory=list)
    explicit_country: bool = False

    def best_mention(self) -> Mention:
        """The fullest mention (title + full name preferred), for ``Participant.mention``."""
        return max(self.mentions, key=lambda m: (m.kind == "person", m.title is not None, len(m.name), -m.start))


class ParticipantFinder:
    """Finds party mentions in a Doc of one language; built once per language."""

    def __init__(self, nlp: Language, language: str, lexicon: Lexicon, countries: CountryLookup) -> None:
        self.nlp = nlp
        self.language = language
        self.lexicon = lexicon
        self.countries = countries
        self.titles: dict[str, TitleEntry] = {}
        self.title_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for i, entry in enumerate(lexicon.titles):
            key = f"T{i}"
            self.titles[key] = entry
            forms = entry.forms.get(language, ()) + (entry.forms.get("en", ()) if language == "id" else ())
            self.title_matcher.add(key, [nlp.make_doc(f) for f in sorted(set(forms))])
        self.plural_titles: dict[str, TitleEntry] = {}
        self.plural_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for i, entry in enumerate(lexicon.titles):
            plural_forms = entry.plural_forms.get(language, ())
            if plural_forms:
                key = f"P{i}"
                self.plural_titles[key] = entry
                self.plural_matcher.add(key, [nlp.make_doc(f) for f in sorted(set(plural_forms))])
        self.plural_links = lexicon.plural_links.get(language, frozenset())
        self.list_joiners = lexicon.list_joiners.get(language, frozenset())
        self.surname_honorifics = lexicon.surname_honorifics
        self.post_nominals = lexicon.post_nominals
        self.country_matcher_cs = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.country_matcher_ci = PhraseMatcher(nlp.vocab, attr="LOWER")
        cs: list[Doc] = []
        ci: list[Doc] = []
        for form in sorted(countries.country_names()):
            if not form.strip():
                continue
            (cs if form.upper() == form else ci).append(nlp.make_doc(form))
        self.country_matcher_cs.add("C", cs)
        self.country_matcher_ci.add("C", ci)
        self.particles = frozenset(lexicon.name_particles)
        self.ranks = lexicon.ranks
        self.stop = frozenset(lexicon.name_stopwords)
        self.honorifics = lexicon.honorifics
        self._honorific_heads = frozenset(h.split()[0].rstrip("'\u2019") for h in lexicon.honorifics if h.split())
        """First words of the honorifics: a cheap test before trying multi-word ones."""
        self.vocab_strings = nlp.vocab.strings
        self.non_name = frozenset(lexicon.non_name_words)
        self.common = lexicon.common_words.get(language, frozenset())
        # one-word meeting verbs ("Bertemu", "Meets"): capitalised in a headline, never a name's part
        self.trigger_words = frozenset(
            phrase.casefold()
            for strength in ("strong", "object")
            for phrase in lexicon.triggers.get(language, {}).get(strength, ())
            if " " not in phrase
        )

    def _org_like(self, doc: Doc, start: int, end: int) -> bool:
        return any(doc[t].text in self.non_name for t in range(start, end))

    # -- low-level spans ---------------------------------------------------------------

    def _countries(self, doc: Doc) -> dict[int, tuple[int, CountryRefLike]]:
        """Country mentions by start token: (end token, country)."""
        pairs = [(s, e) for _, s, e in self.country_matcher_cs(doc)]
        pairs += [(s, e) for _, s, e in self.country_matcher_ci(doc)]
        found: dict[int, tuple[int, CountryRefLike]] = {}
        for start, end in longest_spans(pairs):
            ref = self.countries.country(doc[start:end].text)
            if ref is not None:
                found[start] = (end, ref)
        return found

    def _titles(self, doc: Doc) -> dict[int, tuple[int, TitleEntry]]:
        found_ids = self.title_matcher(doc)
        labels = {(s, e): m for m, s, e in found_ids}
        found: dict[int, tuple[int, TitleEntry]] = {}
        for start, end in longest_spans([(s, e) for _, s, e in found_ids]):
            found[start] = (end, self.titles[self.vocab_strings[labels[(start, end)]]])
        return found

    @staticmethod
    def _is_acronym(tok: Token) -> bool:
        text = tok.text
        return len(text) > 1 and text.isupper() and text.isalpha()

    def _is_name_token(self, tok: Token) -> bool:
        text = tok.text
        if not text or not text[0].isupper() or text in self.stop:
            return False
        if len(text) > 1 and text.isupper() and "." not in text and len(text) <= 4:
            return False  # acronyms: RI, TNI, DPR
        if tok.i == len(tok.doc) - 1 and _cut_off(tok):
            return False
        return any(c.isalpha() for c in text)

    def _skip_honorifics(self, doc: Doc, i: int, end: int) -> int:
        """Past any honorifics ("Yang Mulia", "Tan Sri Dato' Wira", "Jenderal TNI") at ``i``."""
        while i < end:
            first = fold(doc[i].text)
            # "(Purn)", "(Retd)": a bracketed honorific is tokenised from its "("
            if first not in self._honorific_heads and first.rstrip(".") not in self._honorific_heads and first != "(":
                return i
            for width in (4, 3, 2, 1):
                if i + width > end:
                    continue
                toks = [doc[k].text for k in range(i, i + width)]
                joined = fold("".join(toks))
                spaced = fold(" ".join(toks))
                if joined in self.honorifics or spaced in self.honorifics or joined.rstrip(".") in self.honorifics:
                    i += width
                    while i < end and doc[i].text in _QUOTES and not doc[i - 1].whitespace_:
                        i += 1
                    break
            else:
                return i
        return i

    def name_run(self, doc: Doc, i: int, end: int) -> tuple[int, int, tuple[str, ...]] | None:
        """A person name starting at or after ``i`` (honorifics skipped): (start, end, aliases)."""
        first = i
        i = self._skip_honorifics(doc, i, min(end, i + MAX_NAME_TOKENS))
        start = i
        end = min(end, start + MAX_NAME_TOKENS)
        aliases: list[str] = []
        while i < end:
            tok = doc[i]
            if tok.lower_ in self.trigger_words:
                break  # "Gubernur Bertemu Dubes X": the headline's verb ends (or voids) the name
            if self._is_name_token(tok):
                i += 1
            elif i == start > first and self._initials(tok) and i + 1 < end and self._is_name_token(doc[i + 1]):
                i += 1  # "Shri JVV Satyanarayan": after an honorific, leading initials are the name's
            elif (
                i > start
                and tok.text.isupper()
                and tok.text.isalpha()
                and len(tok.text) <= 3
                and i + 1 < end
                and self._is_name_token(doc[i + 1])
            ):
                i += 1  # initials: Retno LP Marsudi
            elif (
                tok.text == "-"
                and i > start
                and not doc[i - 1].whitespace_
                and i + 1 < end
                and not tok.whitespace_
                and doc[i + 1].text[:1].isalpha()
                and (doc[i + 1].text[:1].islower() or i - start >= 2 or fold(doc[i - 1].text) in _HYPHEN_PREFIXES)
            ):
                i += 2  # Jae-in, Kim Jong-Un, Al-Jubeir; not "Jokowi-Xi Jinping"
            elif i > start and fold(tok.text) in self.particles and i + 1 < end and self._is_name_token(doc[i + 1]):
                i += 1
            elif (
                i > start
                and tok.text in _QUOTES
                and i + 2 < end
                and self._is_name_token(doc[i + 1])
                and doc[i + 2].text in _QUOTES
                and i + 3 < end
                and self._is_name_token(doc[i + 3])
            ):
                aliases.append(doc[i + 1].text)  # Joko "Jokowi" Widodo
                i += 3
            else:
                break
        while i - start > 1 and doc[i - 1].text.replace(".", "") in self.post_nominals:
            i -= 1  # "Prof Dr A B MSi", "A B S.H.": the letters of a degree are no part of the name
        if i == start:
            return None
        start, i = self._trim_common_edges(doc, start, i)
        if i == start:
            return None
        # a nickname in parentheses right after the name: Joko Widodo (Jokowi), X (Gus Yahya)
        if i + 2 < len(doc) and doc[i].text in _OPEN:
            k = i + 1
            while k < len(doc) and k - i <= ALIAS_TOKENS and self._is_name_token(doc[k]) and not self._common(doc[k]):
                k += 1
            if i + 1 < k < len(doc) and k - i <= ALIAS_TOKENS and doc[k].text in {")", "]"}:
                aliases.append(doc[i + 1 : k].text)
        return start, i, tuple(aliases)

    def _after_honorific(self, doc: Doc, i: int) -> bool:
        """An honorific ends right before token ``i`` ("Shri", "Brigadier (Retd)")."""
        return any(self._skip_honorifics(doc, i - width, i) == i for width in range(1, min(i, 3) + 1))

    @staticmethod
    def _initials(tok: Token) -> bool:
        """Two or three capital letters: initials ("JVV", "BD") or an acronym ("TNI")."""
        return 2 <= len(tok.text) <= 3 and tok.text.isupper() and tok.text.isalpha()

    def _common(self, tok: Token) -> bool:
        return fold(tok.text) in self.common

    def _trim_common_edges(self, doc: Doc, start: int, end: int) -> tuple[int, int]:
        """Drop common words capitalised only by position from the edges of a name run: a
        clause-initial verb or connective ("Terlihat X", "Though X") and a headline verb after
        the name ("X Y Tiba"). A run of common words only is no name at all."""
        if all(self._common(doc[t]) for t in range(start, end)):
            return start, start
        while end - start > 1 and self._common(doc[start]) and _clause_start(doc, start):
            start += 1
        while (
            end - start > 2
            and self._common(doc[end - 1])
            and not _hyphen_part(doc, end - 1, start)  # "Won-soon": one word with its first part
            and doc[end - 1].text not in self.non_name  # "X Meeting", "Y Base": an event or venue, kept whole
            and (end == len(doc) or not doc[end].text[:1].isupper())
        ):
            end -= 1
        return start, end

    def _ranked_name(
        self, doc: Doc, k: int, run: tuple[int, int, tuple[str, ...]] | None
    ) -> tuple[int, int, tuple[str, ...]] | None:
        """The name after a rank that follows an office's unit: "Pangdam XVI/Unit Mayjen TNI A B",
        "Panglima Kodam Unit (Pangdam U) Mayjen TNI A B". A rank stands right before a person's
        name, so the capitalised words between the office and the rank name the unit, not him.

        ``k`` is where the name was looked for after the office; ``run`` what was read there.
        """
        n = len(doc)
        if run is not None:
            # "Kapolda Sumbar Irjen Pol A B": a rank inside the run ends the region's name
            i = next((t for t in range(run[0] + 1, run[1]) if doc[t].lower_ in self.ranks), run[1])
            if i == n or not (doc[i].text in _OPEN or doc[i].text[:1].isupper()):
                return None  # nothing after the run can be a rank (the common case: a cheap test first)
            if self._rank_at(doc, k):
                return None  # the run already starts after a rank or honorific
        else:
            # no name after the office: skip a unit's code and name ("XVI/Pattimura") to the rank
            i = k
            while i < min(n, k + 4) and (doc[i].text[:1].isupper() or doc[i].text == "/") and not self._rank_at(doc, i):
                i += 1
        if i + 2 < n and doc[i].text in _OPEN:
            close = next((c for c in range(i + 1, min(n, i + 5)) if doc[c].text in {")", "]"}), None)
            if close is None:
                return None
            i = close + 1
        if not self._rank_at(doc, i):
            return None
        ranked = self.name_run(doc, i, n)
        if ranked is None or ranked[0] == i or self._org_like(doc, ranked[0], ranked[1]):
            return None
        return ranked

    def _rank_at(self, doc: Doc, i: int) -> bool:
        """A capitalised honorific or rank starts at token ``i``."""
        return i < len(doc) and doc[i].text[:1].isupper() and self._skip_honorifics(doc, i, min(len(doc), i + 4)) > i

    # -- mentions ----------------------------------------------------------------------

    def titles_in(self, doc: Doc) -> dict[int, tuple[int, TitleEntry]]:
        """Title matches by start token: (end token, entry). Computed once per Doc by the caller."""
        return self._titles(doc)

    def find(
        self,
        doc: Doc,
        mask: Mask,
        places: set[int] | None = None,
        titles: dict[int, tuple[int, TitleEntry]] | None = None,
        place_starts: dict[int, PlaceAt] | None = None,
    ) -> list[Mention]:
        """Every titled person, role, counterpart and body mention outside masked regions.

        ``places`` are token indices the gazetteer read as places: a name never starts there.
        """
        blocked = places or set()
        countries = self._countries(doc)
        titles = self._titles(doc) if titles is None else titles
        country_tokens: set[int] = {t for s, (e, _) in countries.items() for t in range(s, e)}
        country_ends: dict[int, tuple[int, CountryRefLike]] = {}
        for c_start, (c_end, c_ref) in countries.items():
            country_ends.setdefault(c_end, (c_start, c_ref))
        mentions: list[Mention] = []
        used: set[int] = set()
        n = len(doc)
        modifiers = self.lexicon.title_modifiers
        for t_start in sorted(titles):
            if t_start in used or mask.covers(doc[t_start].idx):
                continue
            t_end, entry = titles[t_start]
            if t_start > 0 and doc[t_start - 1].lower_ in self.lexicon.former_markers:
                continue  # "mantan Duta Besar RI di Belanda itu": a description of someone else
            if t_start > 0 and doc[t_start - 1].lower_ in _PLURAL_MARKERS:
                continue  # "kedua Menlu", "both ministers": not one party
            # a rank followed by an office: the office is the title ("Jenderal" is not)
            if entry.honorific:
                tok = doc[t_start]
                if not tok.text[:1].isupper():
                    continue
            # English: "Chinese Foreign Minister", "U.S. Secretary of State"
            m_start = t_start
            ref: CountryRefLike | None = None
            before = country_ends.get(t_start)
            if before is None and t_start > 0 and doc[t_start - 1].text in {"'s", "\u2019s"}:
                before = country_ends.get(t_start - 1)
            if before is not None:
                m_start, ref = before
            if m_start > 0 and doc[m_start - 1].lower_ in {"the"}:
                pass
            j = t_end
            # "(Menhan)" acronym of the title
            if j + 2 < n and doc[j].text == "(" and doc[j + 2].text == ")" and j + 3 <= n:
                j += 3
            # a long office name continued before the country: "dan Pertahanan", "Designate Resident"
            k2 = j
            while k2 < min(n, j + 5) and k2 not in countries:
                tok = doc[k2]
                text = tok.text
                if not (
                    tok.lower_ in {"dan", "and", "&", "bidang"}
                    or text in modifiers
                    or text.capitalize() in modifiers
                    or (text[:1].isupper() and text in self.non_name)
                    or text in {"(", ")"}
                    or (k2 > j and doc[k2 - 1].text == "(" and self._is_acronym(tok))
                ):
                    break
                k2 += 1
            if k2 in countries and k2 > j and doc[k2 - 1].lower_ not in {"dan", "and", "&"}:
                j = k2
            # Indonesian/English: country after the title, possibly "of"/"untuk" + country
            if j < n and j in countries:
                c_end, c_ref = countries[j]
                ref = ref or c_ref
                j = c_end
            elif j + 1 < n and doc[j].lower_ in _CONNECT_AFTER_TITLE[self.language] and (j + 1) in countries:
                c_end, c_ref = countries[j + 1]
                if doc[j].lower_ not in {"untuk", "to"}:
                    ref = ref or c_ref
                j = c_end
            # a regional office: "Gubernur Jawa Barat", "Wali Kota Bandung", "Mayor of Surabaya"
            region: PlaceAt | None = None
            at = j + 1 if j + 1 < n and doc[j].lower_ in {"of", "provinsi", "kota", "kabupaten"} else j
            if ref is None and place_starts and at in place_starts:
                region = place_starts[at]
                j = region.end
            # "Duta Besar RI untuk Argentina": the host country is not the affiliation
            if j + 1 < n and doc[j].lower_ in {"untuk", "to"} and (j + 1) in countries:
                j = countries[j + 1][0]
            if j < n and doc[j].text in {"(", "["} and j + 2 < n and doc[j + 2].text in {")", "]"}:
                j += 3
            # a second office right after a rank: "Jenderal TNI" / "Kapolri Jenderal"
            if j < n and j in titles and titles[j][1].honorific:
                j = titles[j][0]
            k = j + 1 if j < n and doc[j].text == "," else j
            run = self.name_run(doc, k, n)
            named_after: tuple[int, int, tuple[str, ...]] | None = None
            if run is None or self._org_like(doc, run[0], run[1]) or self._after_organisation_word(doc, run[0]):
                # "Kepala Badan Koordinasi X (BKX) A B": the capitalised words after the office name
                # its body, and the person comes after the body's acronym
                named_after = self._name_after_acronym(doc, k, n)
            if named_after is not None:
                run = named_after
            elif run is None or self._org_like(doc, run[0], run[1]):
                # "Juru Bicara Kemlu RI, Rolliansyah Soemirat": skip the office's body up to a comma
                k3 = k
                while (
                    k3 < min(n, k + 6)
                    and doc[k3].text != ","
                    and (self._is_acronym(doc[k3]) or doc[k3].text in self.non_name or k3 in country_tokens)
                ):
                    k3 += 1
                if k3 > k and k3 < n and doc[k3].text == ",":
                    alt = self.name_run(doc, k3 + 1, n)
                    if alt is not None and not self._org_like(doc, alt[0], alt[1]):
                        run = alt
                elif k3 > k:
                    # no comma: accept only a full name (two words or more)
                    alt = self.name_run(doc, k3, n)
                    if alt is not None and alt[1] - alt[0] >= 2 and not self._org_like(doc, alt[0], alt[1]):
                        run = alt
            run = self._ranked_name(doc, k, run) or run
            if run is not None:
                inner = [t for t in range(run[0], run[1]) if t in country_tokens]
                if inner and inner[-1] + 1 < run[1]:
                    # "Uni Comoros Mohamed ...": the name starts after the country
                    c_end = max(e for s_, (e, _) in countries.items() if s_ <= inner[-1] < e)
                    run = self.name_run(doc, c_end, n)
                elif inner:
                    run = None
            if run is not None and (run[0] in blocked or self._org_like(doc, run[0], run[1])):
                run = None
            if (
                run is not None
                and k > j
                and run[1] < n
                and doc[run[1]].text not in {",", ")", ".", "(", "\n"}
                and doc[run[1]].lower_ not in self.lexicon.appositive_closers
                and not (run[1] - run[0] >= 2 and _clause_start(doc, m_start))
                and not self._is_acronym(doc[run[1]])
            ):
                # "Menlu Sudan, Retno mengutarakan": a comma-separated name must be a closed appositive
                run = None
            country = ref.iso2 if ref else entry.country or (entry.id_country if self.language == "id" else None)
            affiliation = ref.name if ref else None
            if region is not None:
                affiliation, country = region.name, region.country or country
            if country is None and self.language == "id" and not entry.honorific:
                # Indonesian press names foreign officials with their country: bare titles are Indonesian
                home = self.countries.country("Indonesia")
                if home is not None:
                    country, affiliation = home.iso2, home.name
            if run is not None:
                r_start, r_end, aliases = run
                name = _clean_name(doc[r_start:r_end].text)
                mentions.append(
                    Mention(
                        kind="person",
                        name=name,
                        title=entry.title if not entry.honorific else None,
                        affiliation=affiliation,
                        country=country,
                        start=m_start,
                        end=r_end,
                        span=_char_span(doc, m_start, r_end),
                        mention=doc[m_start:r_end].text,
                        reporter=entry.role == "reporter",
                        aliases=aliases,
                        explicit_country=ref is not None or entry.country is not None,
                    )
                )
                used.update(range(m_start, r_end))
            elif (
                not entry.honorific
                and (ref is not None or doc[t_start].text[:1].isupper())
                and not _dependent_role(doc, m_start, mentions)
            ):
                end = j
                mentions.append(
                    Mention(
                        kind="role",
                        name=doc[m_start:end].text,
                        title=entry.title,
                        affiliation=affiliation,
                        country=country,
                        start=m_start,
                        end=end,
                        span=_char_span(doc, m_start, end),
                        mention=doc[m_start:end].text,
                        reporter=entry.role == "reporter",
                        explicit_country=ref is not None,
                        generic=entry.generic,
                    )
                )
                used.update(range(m_start, end))
        mentions.extend(self._listed_offices(doc, mask, countries, used))
        mentions.extend(self._counterparts(doc, mask, countries, used))
        mentions.extend(self._bodies(doc, mask, countries, used))
        mentions.sort(key=lambda m: m.start)
        return mentions

    def _listed_offices(
        self, doc: Doc, mask: Mask, countries: dict[int, tuple[int, CountryRefLike]], used: set[int]
    ) -> list[Mention]:
        """One role per country after a plural title: "hosted Ambassadors of A, B and C",
        "with the prime ministers of A and B". Two countries at least; each role spans its
        country's tokens, so the list keeps its order in the sentence."""
        found: list[Mention] = []
        n = len(doc)
        for match_id, p_start, p_end in self.plural_matcher(doc):
            if p_start in used or mask.covers(doc[p_start].idx):
                continue
            entry = self.plural_titles[self.vocab_strings[match_id]]
            j = p_end
            if j < n and doc[j].lower_ in self.plural_links:
                j += 1
            listed: list[tuple[int, int, CountryRefLike]] = []
            while j < n:
                while j < n and doc[j].lower_ in self.list_joiners and j not in countries:
                    j += 1
                if j not in countries:
                    break
                c_end, ref = countries[j]
                listed.append((j, c_end, ref))
                j = c_end
            if len(listed) < 2:
                continue
            for c_start, c_end, ref in listed:
                name = f"{entry.title} of {ref.name}"
                found.append(
                    Mention(
                        kind="role",
                        name=name,
                        title=entry.title,
                        affiliation=ref.name,
                        country=ref.iso2,
                        start=c_start,
                        end=c_end,
                        span=_char_span(doc, c_start, c_end),
                        mention=doc[c_start:c_end].text,
                        explicit_country=True,
                        generic=entry.generic,
                        listed=True,
                    )
                )
            used.update(range(p_start, j))
        return found

    def _counterparts(
        self, doc: Doc, mask: Mask, countries: dict[int, tuple[int, CountryRefLike]], used: set[int]
    ) -> Iterable[Mention]:
        words = _COUNTERPART[self.language]
        n = len(doc)
        for i in token_positions(doc, words):
            tok = doc[i]
            if tok.i in used or mask.covers(tok.idx):
                continue
            ref: CountryRefLike | None = None
            m_start = tok.i
            for c_start, (c_end, c_ref) in countries.items():
                if c_end == tok.i:
                    ref, m_start = c_ref, c_start
            j = tok.i + 1
            if j + 1 < n and doc[j].lower_ in {"dari", "from"} and (j + 1) in countries:
                c_end, ref = countries[j + 1]
                j = c_end
            elif j < n and j in countries:
                c_end, ref = countries[j]
                j = c_end
            if j < n and doc[j].text == ",":
                j += 1
            run = self.name_run(doc, j, n)
            if run is None:
                continue
            r_start, r_end, aliases = run
            if m_start > 0 and doc[m_start - 1].lower_ in _POSSESSIVE_EN:
                m_start -= 1
            used.update(range(m_start, r_end))
            yield Mention(
                kind="person",
                name=doc[r_start:r_end].text,
                title=None,
                affiliation=ref.name if ref else None,
                country=ref.iso2 if ref else None,
                start=m_start,
                end=r_end,
                span=_char_span(doc, m_start, r_end),
                mention=doc[m_start:r_end].text,
                counterpart=True,
                aliases=aliases,
                explicit_country=ref is not None,
            )

    def _bodies(
        self, doc: Doc, mask: Mask, countries: dict[int, tuple[int, CountryRefLike]], used: set[int]
    ) -> Iterable[Mention]:
        """Delegations named by country: "a Chinese delegation", "delegasi Uni Emirat Arab"."""
        heads = _BODY_HEADS[self.language]
        for i in token_positions(doc, heads):
            tok = doc[i]
            if tok.i in used or mask.covers(tok.idx):
                continue
            ref: CountryRefLike | None = None
            start, end = tok.i, tok.i + 1
            for c_start, (c_end, c_ref) in countries.items():
                if c_end == tok.i:
                    ref, start = c_ref, c_start
                elif c_start == tok.i + 1 and self.language == "id":
                    ref, end = c_ref, c_end
            if ref is None:
                continue
            used.update(range(start, end))
            yield Mention(
                kind="body",
                name=doc[start:end].text,
                title=None,
                affiliation=ref.name,
                country=ref.iso2,
                start=start,
                end=end,
                span=_char_span(doc, start, end),
                mention=doc[start:end].text,
                explicit_country=True,
            )

    def untitled(
        self,
        doc: Doc,
        start: int,
        end: int,
        taken: set[int],
        blocked: set[int],
        tagged: list[tuple[int, int]] | None = None,
        titles: dict[int, tuple[int, TitleEntry]] | None = None,
        triggers: Sequence[int] = (),
    ) -> list[Mention]:
        """Names in a sentence that no title introduced: the tagger's person spans when there is a
        tagger, else capitalised runs of two or more name tokens, a single name right before a
        trigger (``triggers``: start tokens of the sentence's strong triggers) and a run followed by
        an appositive title.

        An appositive title right after the name ("Franco Metaza, Direktur Jenderal ...") is kept.
        """
        titles = self._titles(doc) if titles is None else titles
        spans = self._capitalised_runs(doc, start, end, taken, blocked)
        spans += _new_spans(spans, self._appositive_runs(doc, start, end, taken, blocked, titles))
        spans += _new_spans(spans, self._lone_subjects(doc, start, taken, blocked, triggers))
        if tagged:
            # the tagger adds names the capital-run rule misses (single tokens, lower-case particles)
            spans += [s for s in tagged if s[1] - s[0] >= 2 and not any(a < s[1] and s[0] < b for a, b in spans)]
        found: list[Mention] = []
        for r_start, r_end in spans:
            # "Mr. Park ...": after an honorific, a word that often names a place or body is a name
            honoured = self._skip_honorifics(doc, r_start, r_end) > r_start
            r_start = self._skip_honorifics(doc, r_start, r_end)
            while r_end > r_start and not doc[r_end - 1].text[:1].isalnum():
                r_end -= 1
            if r_end <= r_start or any(t in taken or t in blocked for t in range(r_start, r_end)):
                continue
            if not honoured and self._after_organisation_word(doc, r_start):
                continue  # "Kamar Dagang X", "Partai Maju Y": the rest of an organisation's name
            if (self._org_like(doc, r_start, r_end) and not honoured) or not all(
                self._is_name_token(doc[t])
                or fold(doc[t].text) in self.particles
                or not doc[t].is_alpha
                or _hyphen_part(doc, t, r_start)
                or (t == r_start and self._initials(doc[t]) and self._after_honorific(doc, t))
                for t in range(r_start, r_end)
            ):
                continue
            title: TitleEntry | None = None
            k = r_end + 1 if r_end < len(doc) and doc[r_end].text == "," else r_end
            if k in titles:
                title = titles[k][1]
            found.append(
                Mention(
                    kind="person",
                    name=doc[r_start:r_end].text,
                    title=title.title if title and not title.honorific else None,
                    affiliation=None,
                    country=None,
                    start=r_start,
                    end=r_end,
                    span=_char_span(doc, r_start, r_end),
                    mention=doc[r_start:r_end].text,
                    reporter=bool(title and title.role == "reporter"),
                )
            )
        return found

    def organisations(self, doc: Doc, start: int, end: int, taken: set[int]) -> list[tuple[int, int]]:
        """Capitalised runs in ``[start, end)`` that name an organisation: a word of the lexicon's
        ``organisation_heads`` among them ("Komisi I DPR", "Polisi Federal X", "Y Chamber of
        Commerce"), with numbers and link words inside and leading function words dropped. One
        word alone only when it is such a word and no common one ("Kadin", not "Bank"). Tokens in
        ``taken`` (other mentions) and meeting verbs end a run."""
        heads = self.lexicon.organisation_heads
        if not heads:
            return []
        links = self.lexicon.organisation_links
        function_words = self.lexicon.stopwords.get(self.language, frozenset())
        runs: list[tuple[int, int]] = []
        i = start
        while i < end:
            if not self._org_word(doc[i], taken):
                i += 1
                continue
            j = i + 1
            while j < end and (
                self._org_word(doc[j], taken)
                or (doc[j].like_num and doc[j].i not in taken)
                or (doc[j].text in links and j + 1 < end and self._org_word(doc[j + 1], taken))
            ):
                j += 1
            r_start = i
            while r_start < j and fold(doc[r_start].text) in function_words:
                r_start += 1
            words = [fold(doc[t].text) for t in range(r_start, j)]
            if (
                any(w in heads for w in words)
                and (len(words) >= 2 or (words and not self._common(doc[r_start]) and len(words[0]) > 2))
                and self.countries.country(doc[r_start:j].text) is None  # "Persatuan Emirat Arab"
            ):
                runs.append((r_start, j))
            i = j
        return runs

    def _name_after_acronym(self, doc: Doc, i: int, n: int) -> tuple[int, int, tuple[str, ...]] | None:
        """A full name (two words or more) right after the "(ACRONYM)" that closes a body's name
        of capitalised words begun at ``i`` ("Koordinasi X (BKX) A B", "Besar Y (PBY), KH A B"),
        within ``ORG_NAME_TOKENS``; else ``None``."""
        for k in range(i, min(n - 2, i + ORG_NAME_TOKENS)):
            if doc[k].text == "(" and self._is_acronym(doc[k + 1]) and doc[k + 2].text == ")":
                after = k + 4 if k + 3 < n and doc[k + 3].text == "," else k + 3
                run = self.name_run(doc, after, n)
                if run is not None and run[1] - run[0] >= 2 and not self._org_like(doc, run[0], run[1]):
                    return run
                return None
            if not doc[k].text[:1].isupper():
                return None
        return None

    def _after_organisation_word(self, doc: Doc, i: int) -> bool:
        """One of the (up to ``ORG_WORD_LOOKBACK``) capitalised words right before token ``i`` is
        one of the ``organisation_heads``: "Badan X", "Pengurus Besar Y"."""
        for k in range(i - 1, max(-1, i - 1 - ORG_WORD_LOOKBACK), -1):
            if not doc[k].text[:1].isupper():
                return False
            if fold(doc[k].text) in self.lexicon.organisation_heads:
                return True
        return False

    def _org_word(self, tok: Token, taken: set[int]) -> bool:
        """A token that can be part of an organisation's name: capitalised (or an acronym),
        alphabetic, not taken by another mention and no meeting verb."""
        return tok.text[:1].isupper() and tok.is_alpha and tok.i not in taken and tok.lower_ not in self.trigger_words

    def _appositive_runs(
        self,
        doc: Doc,
        start: int,
        end: int,
        taken: set[int],
        blocked: set[int],
        titles: dict[int, tuple[int, TitleEntry]],
    ) -> list[tuple[int, int]]:
        """Capitalised words before ", <office>": "A Won-b, Mayor of X, said". The title vouches for
        the name, so words that are also common words ("Park", "Won") are kept."""
        runs = []
        for t_start in titles:
            if not (start + 2 < t_start < end) or doc[t_start - 1].text != ",":
                continue
            r_end = t_start - 1
            r_start = r_end
            while (
                r_start > start
                and r_end - r_start < MAX_NAME_TOKENS
                and (doc[r_start - 1].text[:1].isupper() or _hyphen_part(doc, r_start - 1, start))
                and (r_start - 1) not in taken
                and (r_start - 1) not in blocked
            ):
                r_start -= 1
            if (
                r_end - r_start >= 2
                and doc[r_start].text[:1].isupper()
                and (not self._org_like(doc, r_start, r_end) or self._skip_honorifics(doc, r_start, r_end) > r_start)
            ):
                runs.append((r_start, r_end))
        return runs

    def _lone_subjects(
        self, doc: Doc, start: int, taken: set[int], blocked: set[int], triggers: Sequence[int]
    ) -> list[tuple[int, int]]:
        """A single name as the subject of a trigger, with at most two lower-case words between
        ("Haniyeh held talks", "Mr Brown also met"): the verb vouches for a person where a lone
        capitalised word elsewhere is too often a place, a body or a sentence's first word."""
        runs = []
        for t_start in triggers:
            i = t_start - 1
            while i >= start and t_start - i <= 2 and doc[i].is_lower and doc[i].is_alpha:
                i -= 1
            if i < start or i in taken or i in blocked or not self._lone_name(doc[i]):
                continue
            if i > start and self._is_name_token(doc[i - 1]) and not self._rank_at(doc, i - 1):
                # part of a longer run, which the capital-run rule reads unless "the" comes before it
                run = self._definite_run(doc, start, i, taken, blocked)
                if run is not None:
                    runs.append(run)
                continue
            if _sentence_initial(doc, i, start) and not self._capitalised_elsewhere(doc, i):
                continue  # a sentence's first word ("Keinginan untuk bertemu"), not a name
            runs.append((i, i + 1))
        return runs

    def _definite_run(
        self, doc: Doc, start: int, last: int, taken: set[int], blocked: set[int]
    ) -> tuple[int, int] | None:
        """A short name run after "the" that ends at ``last``, right before a trigger: "the Dalai
        Lama met ...". Elsewhere "the" + capitals is a building or a body ("the White House")."""
        first = last
        while first > start and last - first < MAX_TITLE_NAME_TOKENS and self._is_name_token(doc[first - 1]):
            first -= 1
        if first <= start or doc[first - 1].lower_ != "the" or self._is_name_token(doc[first - 1]):
            return None
        if any(t in taken or t in blocked for t in range(first, last + 1)) or self._org_like(doc, first, last + 1):
            return None
        if all(self._common(doc[t]) for t in range(first, last + 1)):
            return None
        return first, last + 1

    def _lone_name(self, tok: Token) -> bool:
        """A word that can be a name on its own: capitalised, not an acronym, a common word, an
        organisation word or a country and its people ("Chinese")."""
        return (
            self._is_name_token(tok)
            and tok.is_alpha
            and len(tok.text) > 2
            and not self._common(tok)
            and tok.text not in self.non_name
            and self.countries.country(tok.text) is None
        )

    @staticmethod
    def _capitalised_elsewhere(doc: Doc, i: int) -> bool:
        """The word at ``i`` is also written capitalised inside a sentence: a name, not a
        sentence-initial capital."""
        word = doc[i].text
        return any(
            k != i and doc[k].text == word and not _clause_start(doc, k) for k in token_positions(doc, (word.lower(),))
        )

    def _capitalised_runs(
        self, doc: Doc, start: int, end: int, taken: set[int], blocked: set[int]
    ) -> list[tuple[int, int]]:
        runs: list[tuple[int, int]] = []
        i = start
        while i < end:
            tok = doc[i]
            if (
                i in taken
                or i in blocked
                or not tok.text[:1].isupper()
                # inside a longer capitalised run; a place or country before it ends that run
                or (i > start and self._is_name_token(doc[i - 1]) and (i - 1) not in taken and (i - 1) not in blocked)
            ):
                i += 1
                continue
            run = self.name_run(doc, i, end)
            if run is None:
                i += 1
                continue
            r_start, r_end, _ = run
            inside = [t for t in range(r_start, r_end) if t in blocked and not _hyphen_joined(doc, t)]
            if inside:
                # "Wali Nanggroe Aceh Malik Mahmud": an office and its region run into the name;
                # a name holds no place (save one hyphened to a name: "Haegen-Maas"), so the name
                # is what follows the last one
                r_start = inside[-1] + 1
                if r_start >= r_end:
                    i = r_end
                    continue
            toks = [doc[t] for t in range(r_start, r_end)]
            if (
                r_end - r_start == 1
                and r_start == i + 1
                and doc[i].text in self.surname_honorifics
                and len(toks[0].text) > 2
                and not self._common(toks[0])
            ):
                runs.append((r_start, r_end))  # "Ms Ardern": a courtesy title makes one word a name
            elif (
                r_end - r_start >= 2
                and not (r_start > 0 and doc[r_start - 1].lower_ in {"the", "of", "at", "in"})
                # two capitalised words, one longer than two letters: "Xi Jinping", "Li Qiang", not "Di Ke"
                and sum(1 for t in toks if len(t.text) >= 2 and t.text[0].isupper()) >= 2
                and any(len(t.text) > 2 and t.text[0].isupper() for t in toks)
                and not _possessive_of_name(doc, r_end)
            ):
                runs.append((r_start, r_end))
            i = max(r_end, i + 1)
        return runs


ORG_NAME_TOKENS = 8
"""Words of a body's name an office may stand before, up to its acronym ("Badan X Y Z (BXYZ)")."""
ORG_WORD_LOOKBACK = 2
"""Capitalised words an organisation word may stand before the run it makes part of its name."""
ROLE_GAP_TOKENS = 7
"""At most this many tokens between an office and the name it introduces from afar."""


REPORTING_GAP = 4
"""Lower-case words ("juga", "dalam keterangan tertulisnya", "also") a verb of saying may stand
after the name of its subject."""
_REPORTING_AFTER = {
    "id": frozenset(
        {
            "mengatakan",
            "menyatakan",
            "mengungkapkan",
            "mengungkap",
            "menyebutkan",
            "menyebut",
            "menjelaskan",
            "menuturkan",
            "menegaskan",
            "menambahkan",
            "menerangkan",
            "memaparkan",
            "berkata",
        }
    ),
    "en": frozenset({"said", "says", "told", "added", "explained", "noted", "stated", "wrote", "tweeted"}),
}
"""Verbs of saying whose subject, named right before them, reports what the sentence tells."""


_SPEAKER_PRONOUNS = frozenset({"he", "she", "his", "her", "him", "ia", "dia", "beliau"})
"""Pronouns that may stand for a speaker in the sentence that reports them ("X said he met A and
B", "Prior to his meeting with A, X told ..."): the speaker may then be a side."""
SENTENCE_REACH = 60
"""Tokens read each way from a speaker's name for a pronoun, up to the sentence's end."""
_SENTENCE_ENDS = frozenset({".", "!", "?"})


def _reports(doc: Doc, start: int, end: int) -> bool:
    """A verb of saying follows the name at tokens ``[start, end)``, with at most
    ``REPORTING_GAP`` lower-case words and no punctuation between, and no pronoun in the
    sentence may stand for the speaker."""
    verbs = _REPORTING_AFTER.get(doc.lang_)
    if not verbs:
        return False
    verb = None
    for k in range(end, min(len(doc), end + REPORTING_GAP + 1)):
        tok = doc[k]
        if tok.lower_ in verbs:
            verb = k
            break
        if not (tok.is_alpha and tok.is_lower):
            return False
    if verb is None:
        return False
    for k in range(verb + 1, min(len(doc), verb + SENTENCE_REACH)):
        if doc[k].text in _SENTENCE_ENDS:
            break
        if doc[k].lower_ in _SPEAKER_PRONOUNS:
            return False
    for k in range(start - 1, max(-1, start - SENTENCE_REACH), -1):
        if doc[k].text in _SENTENCE_ENDS:
            break
        if doc[k].lower_ in _SPEAKER_PRONOUNS:
            return False
    return True


def attach_roles(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """An office and a name no title introduced, with only capitalised words, numbers and
    "of/the/ke-" between them, are one person: "Presiden Keenam Republik Indonesia X",
    "the 7th President of the Republic of Indonesia X". The role gives the name its title
    and country and is dropped. ``mentions`` are in text order. Each person's mention is marked
    when a verb of saying follows it (:attr:`Mention.reports`)."""
    out: list[Mention] = []
    for m in mentions:
        if m.kind == "person":
            m.reports = _reports(doc, m.start, m.end)
        prev = out[-1] if out else None
        if (
            prev is not None
            and m.kind == "person"
            and m.title is None
            and prev.kind == "role"
            and 0 <= m.start - prev.end <= ROLE_GAP_TOKENS
            and all(_joins_office_to_name(doc[t]) for t in range(prev.end, m.start))
        ):
            m.title = prev.title
            m.country = m.country or prev.country
            m.explicit_country = m.explicit_country or prev.explicit_country
            out[-1] = m
            continue
        if (
            prev is not None
            and m.kind == "person"
            and m.title is not None
            and prev.kind == "role"
            and not prev.listed
            and prev.end < m.start <= prev.end + ROLE_GAP_TOKENS
            and doc[m.start - 1].text == ","
            and all(_joins_office_to_name(doc[t]) for t in range(prev.end, m.start - 1))
            and not (prev.explicit_country and m.explicit_country and prev.country != m.country)
        ):
            # "Kepala Negara Takhta Suci Vatikan, Paus Fransiskus": an office set off before a
            # titled name describes that person ("Menlu Sudan, Retno ..." has no title, "Menlu
            # Sudan, Menlu Chad X" another country: other people)
            if prev.explicit_country and not m.explicit_country:
                m.country, m.affiliation, m.explicit_country = prev.country, prev.affiliation, True
            out[-1] = m
            continue
        out.append(m)
    return out


def _cut_off(tok: Token) -> bool:
    """The last token of a stored-truncated text ("... agreed with New Zeala") is the start of a
    longer word of the same text: a word cut off, no name."""
    doc = tok.doc
    key = "meetwire.cut_off"
    found: bool | None = doc.user_data.get(key)
    if found is None:
        low = tok.lower_
        found = not tok.whitespace_ and any(
            len(t.lower_) > len(low) and t.lower_.startswith(low) for t in doc[: len(doc) - 1]
        )
        doc.user_data[key] = found
    return found


def _joins_office_to_name(tok: Token) -> bool:
    text = tok.text
    return text[:1].isupper() or text[:1].isdigit() or text.lower() in {"of", "the", "ke", "-", "number"}


def _hyphen_joined(doc: Doc, i: int) -> bool:
    """Token ``i`` is joined by a hyphen to the word before or after it ("Haegen-Maas")."""
    before = i > 0 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_
    after = i + 1 < len(doc) and doc[i + 1].text == "-" and not doc[i].whitespace_
    return before or after


def _hyphen_part(doc: Doc, i: int, start: int) -> bool:
    """Token ``i`` is a dash or the word after a dash inside one hyphenated word ("Won-soon")."""
    tok = doc[i]
    if tok.text == "-":
        return i > start and not doc[i - 1].whitespace_ and not tok.whitespace_
    return i - 1 > start and doc[i - 1].text == "-" and not doc[i - 1].whitespace_ and tok.is_alpha


def _possessive_of_name(doc: Doc, end: int) -> bool:
    """The run ending at ``end`` owns the capitalised name after it ("Tamil Nadu's Banwarilal
    Purohit", "Selangor's Governor"): a state, body or country, not a person."""
    return (
        end + 1 < len(doc)
        and doc[end].lower_ in {"'s", "\u2019s"}
        and not doc[end - 1].whitespace_
        and doc[end + 1].text[:1].isupper()
    )


def _new_spans(have: list[tuple[int, int]], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` that overlap none of ``have``."""
    return [s for s in spans if not any(a < s[1] and s[0] < b for a, b in have)]


def _sentence_initial(doc: Doc, i: int, start: int) -> bool:
    """Token ``i`` opens its sentence (``start``) or a quote or line in it."""
    if i <= start:
        return True
    prev = doc[i - 1]
    return prev.is_space or "\n" in prev.whitespace_ or prev.text in _QUOTES


def _clause_start(doc: Doc, i: int) -> bool:
    """Token ``i`` opens a sentence, line or clause, where any word is capitalised."""
    if i == 0:
        return True
    prev = doc[i - 1]
    return prev.is_space or "\n" in prev.whitespace_ or not prev.text[-1:].isalnum()


def longest_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spacy.util.filter_spans`` on ``(start, end)`` token offsets, without making Span
    objects: the (first) longest of overlapping spans wins; sorted by start."""
    ranked = sorted(spans, key=lambda se: (se[1] - se[0], -se[0]), reverse=True)
    kept: list[tuple[int, int]] = []
    seen: set[int] = set()
    for start, end in ranked:
        if start not in seen and end - 1 not in seen:
            kept.append((start, end))
            seen.update(range(start, end))
    kept.sort()
    return kept


_NICKNAME = re.compile(r"\s*[\"\u201c\u2018'][^\"\u201d\u2019']{1,30}[\"\u201d\u2019']\s*")


def _char_span(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Character offsets ``[start, end)`` in the item's text of tokens ``start:end``."""
    span = doc[start:end]
    return span.start_char, span.end_char


def _clean_name(text: str) -> str:
    """A name without its quoted nickname: 'Joko "Jokowi" Widodo' -> 'Joko Widodo'."""
    return " ".join(_NICKNAME.sub(" ", text).split())


_GOVERNED = frozenset({"to", "of", "for", "by", "untuk", "dari", "oleh", "kepada", "bagi"})


def _dependent_role(doc: Doc, start: int, mentions: Sequence[Mention]) -> bool:
    """A title that describes someone just named or hangs off a preposition is not a party:
    "Jake Sullivan, Assistant to the US President", "a delegation sent by ... President"."""
    k = start - 1
    if k >= 0 and doc[k].lower_ in {"the", "a", "an"}:
        k -= 1
    if k >= 0 and doc[k].lower_ in _GOVERNED:
        return True
    return start > 0 and doc[start - 1].text == "," and bool(mentions) and mentions[-1].end == start - 1


def name_tokens(name: str, particles: frozenset[str]) -> set[str]:
    """Folded tokens of a name that identify the person (particles and initials dropped)."""
    out = set()
    for raw in name.replace("-", " ").replace(".", " ").split():
        tok = fold(raw.strip("'\u2019\"()"))
        if len(tok) >= 2 and tok not in particles:
            out.add(tok)
    return out


MISSPELT_MIN = 5
"""Letters a clipped or misspelt surname shares with the full one ("Dutert" / "Duterte")."""


def _misspelt_of(toks: set[str], known: set[str]) -> bool:
    """``toks`` name a known person but for one word that is the start of one of the person's
    words, or the other way round ("Rodrigo Dutert" / "Rodrigo Duterte"): a clipped or
    misspelt copy of the name, with at least one word in common."""
    shared = toks & known
    rest = toks - known
    if not shared or len(rest) != 1:
        return False
    (word,) = rest
    return len(word) >= MISSPELT_MIN and any(
        len(k) >= MISSPELT_MIN and (k.startswith(word) or word.startswith(k)) for k in known - shared
    )


def resolve(mentions: Sequence[Mention], particles: frozenset[str]) -> list[Entity]:
    """Group mentions into entities: token-subset coreference for names, (title, country) for roles."""
    entities: list[Entity] = []
    persons = [m for m in mentions if m.kind == "person"]
    own = {id(m): name_tokens(m.name, particles) for m in persons}
    # full names first so that short forms attach to them
    for m in sorted(persons, key=lambda m: (-len(own[id(m)]), m.start)):
        toks = own[id(m)] | {w for a in m.aliases for w in name_tokens(a, particles)}
        if not toks:
            continue
        best = None
        for idx, ent in enumerate(entities):
            if ent.kind != "person":
                continue
            if m.explicit_country and ent.explicit_country and m.country != ent.country:
                continue
            if toks <= ent.tokens or own[id(m)] <= ent.tokens or _misspelt_of(own[id(m)], ent.tokens):
                best = idx
                break
        if best is None:
            entities.append(
                Entity(
                    m.name,
                    set(toks),
                    m.title,
                    m.affiliation,
                    m.country,
                    "person",
                    m.reporter,
                    [m],
                    explicit_country=m.explicit_country,
                )
            )
            m.entity = len(entities) - 1
        else:
            ent = entities[best]
            ent.tokens |= toks
            ent.mentions.append(m)
            ent.title = ent.title or m.title
            if m.explicit_country and not ent.explicit_country:
                ent.country, ent.affiliation, ent.explicit_country = m.country, m.affiliation, True
            ent.affiliation = ent.affiliation or m.affiliation
            ent.country = ent.country or m.country
            if m.title is not None:
                # a bare name ("Ms Chang") says nothing about the role; a title does
                ent.reporter = ent.reporter and m.reporter
            m.entity = best
    for m in mentions:
        if m.kind == "person":
            continue
        best = None
        if m.kind == "role" and m.generic and m.explicit_country:
            same = [i for i, e in enumerate(entities) if e.kind == "person" and e.country == m.country and e.title]
            if same:
                best = max(same, key=lambda i: (len(entities[i].mentions), -i))
        elif m.kind == "role" and m.listed:
            # "the foreign ministers of A and B": the holder of that office of that country, or
            # the one person of that country the article names with no office at all
            cands = [i for i, e in enumerate(entities) if e.kind == "person" and e.country == m.country]
            titled = [i for i in cands if entities[i].title == m.title]
            untitled = [i for i in cands if entities[i].title is None]
            if titled or len(untitled) == 1:
                best = (titled or untitled)[0]
        elif m.kind == "role":
            cands = [
                i
                for i, e in enumerate(entities)
                if e.kind == "person"
                and e.title == m.title
                and (not m.explicit_country or e.country in (None, m.country))
            ]
            if cands:
                # the nearest entity mentioned before the role, else the first one
                before = [i for i in cands if min(x.start for x in entities[i].mentions) < m.start]
                best = before[-1] if before else cands[0]
        if best is None and m.kind == "role" and not m.explicit_country:
            continue  # "Menteri", "Menlu" alone: no party unless it resolves to a person
        if best is None:
            for i, e in enumerate(entities):
                if e.kind == m.kind and fold(e.name) == fold(m.name):
                    best = i
        if best is None:
            entities.append(
                Entity(
                    m.name,
                    {fold(m.name)},
                    m.title,
                    m.affiliation,
                    m.country,
                    m.kind,
                    m.reporter,
                    [m],
                    explicit_country=m.explicit_country,
                )
            )
            m.entity = len(entities) - 1
        else:
            entities[best].mentions.append(m)
            m.entity = best
    return entities


_VECTOR_WORDS = 8
"""Up to this many words, :func:`token_positions` compares arrays; beyond, one Python pass is cheaper."""


def token_positions(doc: Doc, words: Iterable[str]) -> list[int]:
    """Indices of tokens whose lower-case form is one of ``words`` (one array pass, no Token objects)."""
    wanted = {get_string_id(w) for w in words}  # hashes only: the shared StringStore must not grow
    if not wanted or not len(doc):
        return []
    lower = token_arrays(doc)[:, TOKEN_COLUMNS.index(LOWER)]
    if len(wanted) > _VECTOR_WORDS:
        return [i for i, h in enumerate(lower.tolist()) if h in wanted]
    hit = numpy.zeros(len(lower), dtype=bool)
    for h in wanted:  # a few words: one vector comparison each beats a Python pass and numpy.isin
        hit |= lower == numpy.uint64(h)
    positions: list[int] = numpy.flatnonzero(hit).tolist()
    return positions


def short_mentions(
    doc: Doc, entities: Sequence[Entity], mask: Mask, taken: set[int], particles: frozenset[str], stop: frozenset[str]
) -> list[Mention]:
    """Bare surname/first-name mentions of known people ("Wang mengatakan", "said Lavrov")."""
    index: dict[str, list[int]] = {}
    for i, e in enumerate(entities):
        if e.kind != "person":
            continue
        for t in e.tokens:
            if len(t) >= 2:
                index.setdefault(t, []).append(i)
    surfaces = {w.lower() for e in entities if e.kind == "person" for m in e.mentions for w in m.name.split()}
    found: list[Mention] = []
    for i in token_positions(doc, surfaces | set(index)):
        tok = doc[i]
        if tok.i in taken or not tok.text[:1].isupper() or tok.text in stop or mask.covers(tok.idx):
            continue
        key = fold(tok.text)
        owners = index.get(key)
        if not owners:
            continue
        # a capitalised neighbour that is not part of the same name means another name
        prev_ok = tok.i == 0 or not doc[tok.i - 1].text[:1].isupper() or doc[tok.i - 1].i in taken
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        next_ok = (
            nxt is None or not nxt.text[:1].isupper() or nxt.i in taken or fold(nxt.text) in entities[owners[0]].tokens
        )
        if not (prev_ok and next_ok):
            continue
        # the most recently introduced owner wins
        owner = max(owners, key=lambda i: max((m.start for m in entities[i].mentions if m.start < tok.i), default=-1))
        m = Mention(
            kind="person",
            name=tok.text,
            title=None,
            affiliation=None,
            country=None,
            start=tok.i,
            end=tok.i + 1,
            span=(tok.idx, tok.idx + len(tok.text)),
            mention=tok.text,
            entity=owner,
            reports=_reports(doc, tok.i, tok.i + 1),
        )
        entities[owner].mentions.append(m)
        found.append(m)
    return found
