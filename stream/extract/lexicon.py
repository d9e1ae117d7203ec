"""Versioned word lists and patterns from ``stream/data/``, loaded once by an explicit factory."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import orjson

Strength = Literal["strong", "object", "weak"]
Cue = Literal["planned", "cancelled"]


@dataclass(frozen=True, slots=True)
class TitleEntry:
    """One office title with its surface forms in both languages."""

    title: str
    """English title, as published in ``Participant.title``."""
    forms: dict[str, tuple[str, ...]]
    """Surface forms by language code."""
    country: str | None = None
    """ISO2 implied by the title itself (e.g. Secretary of State -> US)."""
    id_country: str | None = None
    """ISO2 implied in Indonesian text only (Kapolri, Bupati -> ID)."""
    role: str | None = None
    """``"reporter"`` for spokespeople, who are never a meeting side on their own."""
    honorific: bool = False
    """A rank (General, Admiral) rather than an office: kept out of ``title`` when an office is known."""
    generic: bool = False
    """A word like "leader" that refers to whoever holds the top office of its country."""
    plural_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Plural surface forms by language ("Ambassadors", "para Duta Besar"): before a list of
    countries they name one office holder of each ("the prime ministers of A and B")."""


@dataclass(frozen=True, slots=True)
class Lexicon:
    """All the word lists the extractor uses."""

    titles: tuple[TitleEntry, ...]
    honorifics: frozenset[str]
    name_particles: frozenset[str]
    name_stopwords: frozenset[str]
    non_name_words: frozenset[str]
    former_markers: frozenset[str]
    title_modifiers: frozenset[str]
    """Words between an office and its country ("Duta Besar ... Designate Resident Malaysia")."""
    """Words before a title that make it a description ("mantan Duta Besar"), not an office held now."""
    """Words that mark a capitalised run as an organisation, event or venue, not a person."""
    appositive_closers: frozenset[str]
    """Lower-case words that may follow "Office, Name" and close the appositive ("..., A B di Canberra")."""
    triggers: dict[str, dict[Strength, tuple[str, ...]]]
    not_triggers: dict[str, tuple[str, ...]]
    """Phrases that hold a trigger word but report no meeting ("terima kasih", "received an award")."""
    status_cues: dict[str, dict[Cue, tuple[str, ...]]]
    exclusions: dict[str, tuple[str, ...]]
    pair_references: dict[str, tuple[str, ...]]
    """Phrases naming both sides of the meeting just reported ("the two leaders", "keduanya")."""
    bilateral_cues: dict[str, tuple[str, ...]]
    """Words that make "A met B, C and D" a series of separate bilateral meetings."""
    earlier_cues: dict[str, tuple[list[dict[str, Any]], ...]]
    """spaCy ``Matcher`` token patterns that place a meeting before the story's own ("last April")."""
    subject_pronouns: dict[str, frozenset[str]]
    """Pronouns that, right before a trigger, stand for the article's main person ("she met")."""
    separate_meetings: dict[str, frozenset[str]]
    """Triggers that make "the subject met A and B" one meeting per party ("held meetings with")."""
    companion_words: dict[str, frozenset[str]]
    """Words after which named people accompany a side rather than meet ("didampingi", "his wife")."""
    companion_subject_words: dict[str, frozenset[str]]
    """Verbs whose subject accompanies the party after them ("A ikut mendampingi Presiden")."""
    speech_words: dict[str, frozenset[str]]
    """Words that credit a quote or a report to a person (", kata X", "according to X"): a source."""
    looking_back: dict[str, frozenset[str]]
    """First words of triggers that refer to a meeting as past ("after talks", "usai pertemuan")."""
    planned_openers: dict[str, frozenset[str]]
    """Words that, opening a sentence ("Rencananya, ..."), make every meeting of the sentence planned."""
    trip_verbs: dict[str, frozenset[str]]
    """Past journey verbs that make a following "to meet" the purpose of a trip made ("arrived ... to meet")."""
    arrival_welcome: dict[str, dict[str, tuple[str, ...]]]
    """Welcome triggers and arrival/airport words: together an arrival welcome, not a meeting."""
    group_sides: dict[str, dict[str, tuple[str, ...]]]
    """Group nouns that may be one side of a meeting named right after its trigger ("hosted a
    delegation of ...", "menerima perwakilan ..."): ``heads``, the ``lead`` words allowed
    between trigger and head, and the ``stop`` words that end the group's description."""
    boilerplate_prefixes: tuple[str, ...]
    caption_markers: tuple[str, ...]
    """Casefolded photo-credit marks ("(foto:", "ap photo/"): a line with one is a caption."""
    stopwords: dict[str, frozenset[str]]
    common_words: dict[str, frozenset[str]]
    """Folded words the news corpora write in lower case and (almost) never inside a person's name:
    capitalised at the edge of a name run they are a verb or connective, not part of the name."""
    versions: dict[str, int]
    ranks: frozenset[str] = frozenset()
    """Folded military and police ranks: they stand right before a name, never inside one."""
    plural_links: dict[str, frozenset[str]] = field(default_factory=dict)
    """Words between a plural title and its list of countries ("of", "dari")."""
    list_joiners: dict[str, frozenset[str]] = field(default_factory=dict)
    """Tokens between the countries of such a list (",", "and", "dan")."""
    question_openers: tuple[str, ...] = ()
    """Casefolded words that open a question ("siapa", "who"): a line that asks one and answers
    it at once ("Siapa yang menemui X? Y bertemu X ...") is a FAQ entry, masked like boilerplate."""
    separate_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Words that say the meetings of a paragraph were held one by one ("met X separately"):
    there, and in the paragraph after, a list of counterparts is one meeting each."""
    surname_honorifics: frozenset[str] = frozenset()
    post_nominals: frozenset[str] = frozenset()
    """Degrees and letters after a name, as written without full stops ("MSi", "PhD", "SH")."""
    """Courtesy titles written before a surname alone ("Ms Ardern", "Mr. Clegg"): with one, a
    single capitalised word no office introduced is a person."""
    attendance_words: dict[str, frozenset[str]] = field(default_factory=dict)
    """Verbs of taking part ("attended", "menghadiri"): a meeting noun right after one names a
    gathering the subject joined ("attended the first meeting of APEC leaders"), not a new
    meeting between the sentence's names."""
    organisation_heads: frozenset[str] = frozenset()
    """Folded words that make a capitalised run an organisation ("Komisi", "Chamber", "Party"):
    such a run next to a trigger is a side of the meeting when the sentence names fewer than two."""
    organisation_links: frozenset[str] = frozenset()
    """Lower-case words inside an organisation's name ("Chamber of Commerce")."""
    held_forms: dict[str, frozenset[str]] = field(default_factory=dict)
    """Trigger words in a past form ("met", "held"): the meeting took place, unless a future
    marker comes just before ("will meet")."""
    future_markers: dict[str, frozenset[str]] = field(default_factory=dict)
    """Words that put a past-form trigger after them in the future ("will", "to")."""
    held_markers: dict[str, frozenset[str]] = field(default_factory=dict)
    """Words that place a meeting in the past, before a trigger or opening it ("usai", "after")."""


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(resources.files("stream.data").joinpath(name).read_bytes())
    return data


def _read_words(name: str) -> tuple[frozenset[str], int]:
    """A generated word list: one word a line, ``#`` comments, a ``# version: N`` header."""
    text = resources.files("stream.data").joinpath(name).read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    version = next((int(line.split(":", 1)[1]) for line in lines if line.startswith("# version:")), 0)
    return frozenset(w for w in lines if w and not w.startswith("#")), version


COMMON_WORD_LANGUAGES = ("en", "id")
"""Languages with a generated ``common_words_{lang}.txt`` (``scripts/gen_common_words.py``)."""


def load_lexicon() -> Lexicon:
    """Read every data file the extractor needs (called once, at start-up)."""
    titles_doc = _read("titles.json")
    triggers_doc = _read("meeting_triggers.json")
    hygiene_doc = _read("hygiene.json")
    stop_doc = _read("language_stopwords.json")
    common = {lang: _read_words(f"common_words_{lang}.txt") for lang in COMMON_WORD_LANGUAGES}
    titles = tuple(
        TitleEntry(
            title=t["title"],
            forms={"id": tuple(t.get("id", ())), "en": tuple(t.get("en", ()))},
            country=t.get("country"),
            id_country=t.get("idcountry"),
            role=t.get("role"),
            honorific=bool(t.get("honorific", False)),
            generic=bool(t.get("generic", False)),
            plural_forms={lang: tuple(forms) for lang, forms in t.get("plural", {}).items()},
        )
        for t in titles_doc["titles"]
    )
    return Lexicon(
        titles=titles,
        honorifics=frozenset(h.casefold() for h in titles_doc["honorifics"]),
        name_particles=frozenset(titles_doc["name_particles"]),
        name_stopwords=frozenset(titles_doc["name_stopwords"]),
        non_name_words=frozenset(titles_doc.get("non_name_words", ())),
        former_markers=frozenset(titles_doc.get("former_markers", ())),
        appositive_closers=frozenset(titles_doc.get("appositive_closers", ())),
        title_modifiers=frozenset(titles_doc.get("title_modifiers", ())),
        triggers={lang: {k: tuple(v) for k, v in kinds.items()} for lang, kinds in triggers_doc["triggers"].items()},
        not_triggers={lang: tuple(v) for lang, v in triggers_doc["not_triggers"].items()},
        status_cues={lang: {k: tuple(v) for k, v in cues.items()} for lang, cues in triggers_doc["status"].items()},
        exclusions={lang: tuple(v) for lang, v in triggers_doc["exclusions"].items()},
        pair_references={lang: tuple(v) for lang, v in triggers_doc["pair_references"].items()},
        bilateral_cues={lang: tuple(v) for lang, v in triggers_doc["bilateral_cues"].items()},
        earlier_cues={lang: tuple(v) for lang, v in triggers_doc["earlier_cues"].items()},
        subject_pronouns={lang: frozenset(v) for lang, v in triggers_doc["subject_pronouns"].items()},
        separate_meetings={lang: frozenset(v) for lang, v in triggers_doc["separate_meetings"].items()},
        companion_words={lang: frozenset(v) for lang, v in triggers_doc["companion_words"].items()},
        companion_subject_words={lang: frozenset(v) for lang, v in triggers_doc["companion_subject_words"].items()},
        speech_words={lang: frozenset(v) for lang, v in triggers_doc["speech_words"].items()},
        looking_back={lang: frozenset(v) for lang, v in triggers_doc["looking_back"].items()},
        planned_openers={lang: frozenset(v) for lang, v in triggers_doc["planned_openers"].items()},
        held_forms={lang: frozenset(v) for lang, v in triggers_doc["held_forms"].items()},
        future_markers={lang: frozenset(v) for lang, v in triggers_doc["future_markers"].items()},
        held_markers={lang: frozenset(v) for lang, v in triggers_doc["held_markers"].items()},
        trip_verbs={lang: frozenset(v) for lang, v in triggers_doc["trip_verbs"].items()},
        arrival_welcome={
            lang: {kind: tuple(words) for kind, words in kinds.items()}
            for lang, kinds in triggers_doc["arrival_welcome"].items()
        },
        group_sides={
            lang: {kind: tuple(words) for kind, words in kinds.items()}
            for lang, kinds in triggers_doc["group_sides"].items()
        },
        boilerplate_prefixes=tuple(p.casefold() for p in hygiene_doc["line_prefixes"]),
        caption_markers=tuple(c.casefold() for c in hygiene_doc["caption_markers"]),
        stopwords={lang: frozenset(v) for lang, v in stop_doc.items() if isinstance(v, list)},
        common_words={lang: words for lang, (words, _) in common.items()},
        versions={
            "titles": int(titles_doc["version"]),
            "meeting_triggers": int(triggers_doc["version"]),
            "hygiene": int(hygiene_doc["version"]),
            "common_words": min(version for _, version in common.values()),
        },
        ranks=frozenset(r.casefold() for r in titles_doc.get("ranks", ())),
        plural_links={lang: frozenset(v) for lang, v in titles_doc.get("plural_links", {}).items()},
        surname_honorifics=frozenset(titles_doc.get("surname_honorifics", ())),
        post_nominals=frozenset(titles_doc.get("post_nominals", ())),
        list_joiners={lang: frozenset(v) for lang, v in titles_doc.get("list_joiners", {}).items()},
        question_openers=tuple(q.casefold() for q in hygiene_doc.get("question_openers", ())),
        separate_cues={lang: tuple(v) for lang, v in triggers_doc.get("separate_cues", {}).items()},
        attendance_words={lang: frozenset(v) for lang, v in triggers_doc.get("attendance_words", {}).items()},
        organisation_heads=frozenset(h.casefold() for h in titles_doc.get("organisation_heads", ())),
        organisation_links=frozenset(titles_doc.get("organisation_links", ())),
    )
