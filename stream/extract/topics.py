"""What a meeting was about: an IPTC Media Topics category and a few key phrases.

Weighted cue-phrase lexicons per category and language (``stream/data/topics_lexicon.json``):
the category with the highest prior + cue score wins, and ``politics`` carries the prior
because general diplomacy is what most meeting reports are about. Key phrases are picked
RAKE-style (stop-word-delimited phrases scored by word degree) from the text itself.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources

from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
from spacy.lang.id.stop_words import STOP_WORDS as ID_STOP_WORDS

from stream.records import Topic

DEFAULT_CATEGORY = "politics"
MAX_COUNT_PER_CUE = 2
"""A cue repeated many times says little more than one repeated twice."""
MAX_KEYWORDS = 5
MIN_KEYWORDS = 3
MAX_PHRASE_WORDS = 3
TOPICAL_BONUS = 3.0
NAME_PENALTY = 3.0

_WORD = re.compile(r"[^\W_]+(?:[-'\u2019][^\W_]+)*")
_PHRASE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"\u201c\u201d\u2018\u2019\u00ab\u00bb|/\n\t]+|\s[-\u2013\u2014]+\s")

# Reporting verbs and news boilerplate: frequent in evidence windows, never a topic.
_EXTRA_STOP = {
    "id": {
        "kata", "katanya", "ujar", "ujarnya", "ungkap", "ungkapnya", "jelas", "jelasnya", "tutur", "tuturnya",
        "menurut", "mengatakan", "menyampaikan", "menyatakan", "senin", "selasa", "rabu", "kamis", "jumat",
        "sabtu", "minggu", "pak", "bu", "antara", "baca", "juga", "editor", "copyright", "foto", "pertemuan",
        "bertemu", "kunjungan", "presiden", "menteri", "luar", "negeri", "wakil", "perdana", "duta", "besar",
        "gubernur", "kepala", "jenderal", "sekretaris", "menlu", "menhan", "pm", "ri", "dubes", "delegasi", "rombongan",
        "sebagainya", "sejumlah", "berbagai", "kedua", "negara", "hal", "acara", "usai", "saat",
    },
    "en": {
        "said", "says", "told", "according", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday", "mr", "ms", "read", "also", "meeting", "met", "talks", "president", "minister", "reuters", "xinhua",
        "foreign", "prime", "secretary", "ambassador", "governor", "chief", "deputy", "vice", "counterpart", "held",
        "two", "sides", "countries", "country", "leader", "leaders", "visit", "day", "week", "today",
        "discuss", "discussed", "discussing", "agreed", "agree", "signed", "sign", "hold", "holds", "expressed",
        "welcomed", "received", "receives", "meets", "exchanged", "views", "stressed", "noted", "hoped",
    },
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Category:
    key: str
    iptc: str
    prior: float


@dataclass(frozen=True, slots=True)
class _Cues:
    """The cues of one language as word-tuple look-ups (no regex scan per cue)."""

    exact: dict[tuple[str, ...], tuple[str, float]]
    """Casefolded words -> (category key, weight)."""
    prefix: dict[tuple[str, ...], tuple[str, float]]
    """Cues ending in ``*``: the last word is a prefix of the text's word."""
    max_words: int
    prefix_cuts: tuple[int, ...]
    """Lengths of the prefixes in ``prefix``, longest first: the only cuts worth trying."""
    first_words: frozenset[str] = frozenset()
    """First words of the cues whose first word must match whole."""
    first_prefixes: frozenset[str] = frozenset()
    """One-word prefix cues: a word starting with one may start a cue."""

    def may_start(self, word: str) -> bool:
        """Whether some cue can start at ``word`` (casefolded): most words are ruled out here."""
        if word in self.first_words:
            return True
        return any(word[:cut] in self.first_prefixes for cut in self.prefix_cuts if cut <= len(word))


def _compile_cues(entries: list[tuple[str, str, float]]) -> _Cues:
    exact: dict[tuple[str, ...], tuple[str, float]] = {}
    prefix: dict[tuple[str, ...], tuple[str, float]] = {}
    for phrase, key, weight in entries:
        words = tuple(w.casefold() for w in _WORD.findall(phrase.rstrip("*")))
        if not words:
            continue
        (prefix if phrase.endswith("*") else exact).setdefault(words, (key, weight))
    longest = max((len(w) for w in [*exact, *prefix]), default=1)
    cuts = tuple(sorted({len(cue[-1]) for cue in prefix}, reverse=True))
    first_words = frozenset(cue[0] for cue in [*exact, *(c for c in prefix if len(c) > 1)])
    first_prefixes = frozenset(cue[0] for cue in prefix if len(cue) == 1)
    return _Cues(exact, prefix, longest, cuts, first_words, first_prefixes)


class TopicClassifier:
    """Scores texts against the category lexicons. Build with :func:`load_topic_classifier`."""

    def __init__(
        self, categories: list[_Category], cues: dict[str, _Cues], stop_words: dict[str, frozenset[str]]
    ) -> None:
        self._categories = categories
        self._by_key = {c.key: c for c in categories}
        self._cues = cues
        self._stop_words = stop_words
        self._cue_words = {
            lang: frozenset(w for cue in [*c.exact, *c.prefix] for w in cue if len(w) > 3) for lang, c in cues.items()
        }

    def scores(self, text: str, language: str) -> dict[str, float]:
        """Prior plus cue score per category (for inspection and tests)."""
        cues = self._cues.get(language, self._cues["en"])
        out = {c.key: c.prior for c in self._categories}
        words = [w.casefold() for w in _WORD.findall(text)]
        hits: Counter[tuple[str, ...]] = Counter()
        i = 0
        while i < len(words):
            found = _cue_at(cues, words, i) if cues.may_start(words[i]) else None
            if found is None:
                i += 1
                continue
            length, cue, (key, weight) = found
            hits[cue] += 1
            if hits[cue] <= MAX_COUNT_PER_CUE:
                out[key] += weight
            i += length
        return out

    def classify(self, text: str, language: str) -> Topic:
        """The best category for ``text`` (evidence window plus title) and three to five key phrases from it."""
        scores = self.scores(text, language)
        # Ties go to the default: a stray cue must not pull a diplomatic meeting elsewhere.
        best = max(scores, key=lambda k: (scores[k], k == DEFAULT_CATEGORY))
        category = self._by_key[best]
        return Topic(category=category.key, iptc=category.iptc, keywords=self.keywords(text, language))

    def keywords(self, text: str, language: str) -> tuple[str, ...]:
        """Up to five key phrases of one to three words, as written in the text."""
        stop = self._stop_words.get(language, self._stop_words["en"])
        phrases: list[tuple[str, tuple[str, ...]]] = []
        for chunk in _PHRASE_BREAK.split(text):
            current: list[re.Match[str]] = []
            for m in _WORD.finditer(chunk):
                word = m.group(0)
                if word.casefold() in stop or word.isdigit() or _verb_like(word, language):
                    _flush(chunk, current, phrases)
                    current = []
                else:
                    current.append(m)
            _flush(chunk, current, phrases)
        if not phrases:
            return ()
        frequency: Counter[str] = Counter()
        degree: Counter[str] = Counter()
        for _, words in phrases:
            for w in words:
                frequency[w] += 1
                degree[w] += len(words)
        cue_words = self._cue_words.get(language, self._cue_words["en"])
        seen: dict[tuple[str, ...], tuple[float, int, str]] = {}
        for order, (surface, words) in enumerate(phrases):
            if words in seen:
                continue
            score = sum(degree[w] / frequency[w] for w in words) + sum(frequency[w] - 1 for w in words)
            # Subject matter beats names: topical words up, all-capitalised phrases (people, titles) down.
            if any(w in cue_words for w in words):
                score += TOPICAL_BONUS
            if all(w[:1].isupper() for w in surface.split()):
                score -= NAME_PENALTY
            seen[words] = (score, -order, surface)
        ranked = sorted(seen.values(), reverse=True)
        picked: list[str] = []
        for _, _, surface in ranked:
            if len(surface) < 3 or any(surface.casefold() in p.casefold() for p in picked):
                continue
            picked.append(surface)
            if len(picked) == MAX_KEYWORDS:
                break
        return tuple(picked)


def _verb_like(word: str, language: str) -> bool:
    """Indonesian active verbs ("membahas", "menghadiri", "bertemu") end a key phrase."""
    return language == "id" and len(word) > 5 and word.islower() and word.startswith(("me", "ber"))


def _cue_at(cues: _Cues, words: list[str], i: int) -> tuple[int, tuple[str, ...], tuple[str, float]] | None:
    """The longest cue starting at word ``i``: (length in words, cue, (category, weight))."""
    for n in range(min(cues.max_words, len(words) - i), 0, -1):
        head = tuple(words[i : i + n])
        hit = cues.exact.get(head)
        if hit is not None:
            return n, head, hit
        last = head[-1]
        for cut in cues.prefix_cuts:
            if cut > len(last):
                continue
            cue = (*head[:-1], last[:cut])
            hit = cues.prefix.get(cue)
            if hit is not None:
                return n, cue, hit
    return None


def _flush(chunk: str, current: list[re.Match[str]], phrases: list[tuple[str, tuple[str, ...]]]) -> None:
    """Record the words in ``current`` as one or more phrases of at most three words."""
    for i in range(0, len(current), MAX_PHRASE_WORDS):
        part = current[i : i + MAX_PHRASE_WORDS]
        if not part:
            continue
        surface = chunk[part[0].start() : part[-1].end()]
        phrases.append((surface, tuple(m.group(0).casefold() for m in part)))


def load_topic_classifier() -> TopicClassifier:
    """Load and compile the category lexicons once."""
    raw = json.loads(resources.files("stream").joinpath("data", "topics_lexicon.json").read_text(encoding="utf-8"))
    categories: list[_Category] = []
    entries: dict[str, list[tuple[str, str, float]]] = {"id": [], "en": []}
    for key, spec in raw["categories"].items():
        categories.append(_Category(key=key, iptc=str(spec["iptc"]), prior=float(spec.get("prior", 0.0))))
        for lang, bucket in entries.items():
            bucket.extend((phrase, key, float(weight)) for phrase, weight in spec.get(lang, {}).items())
    cues = {lang: _compile_cues(bucket) for lang, bucket in entries.items()}
    stop_words = {
        "id": frozenset(w.casefold() for w in ID_STOP_WORDS) | _EXTRA_STOP["id"],
        "en": frozenset(w.casefold() for w in EN_STOP_WORDS) | _EXTRA_STOP["en"],
    }
    return TopicClassifier(categories, cues, stop_words)
