"""What a meeting was about: an IPTC Media Topics category and a few key phrases.

Two parts, both loaded once by :func:`load_topic_classifier`:

- weighted cue-phrase lexicons per category and language (``stream/data/topics_lexicon.json``):
  broad domain words for every category, with ``politics`` carrying a prior because general
  diplomacy is what most meeting reports are about;
- a trained model (``stream/models/topics/``, built by ``scripts/train_topics.py`` from labelled
  meetings): a multinomial logistic regression over hashed word uni- and bigrams whose logits
  add the lexicon's cue scores times one learned weight, so a category the labelled data
  never showed can still win on strong cues, and each category's share of the cues of the
  whole article times another: a meeting's own sentences often name no subject ("the two met
  at the governor's office") while the article around them is plainly about trade or faith.

Without the model the lexicon alone decides (highest prior + cue score). Key phrases are
picked RAKE-style (stop-word-delimited phrases scored by word degree) from the text itself.
"""

from __future__ import annotations

import io
import json
import re
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
from spacy.lang.id.stop_words import STOP_WORDS as ID_STOP_WORDS

from stream.records import Topic

DEFAULT_CATEGORY = "politics"
MODEL_DIR = ("models", "topics")
"""Where the shipped model lives inside the ``stream`` package."""
MODEL_WEIGHTS = "model.npz"
MODEL_META = "meta.json"
MAX_COUNT_PER_CUE = 2
"""A cue repeated many times says little more than one repeated twice."""
MAX_KEYWORDS = 5
MIN_KEYWORDS = 3
MAX_PHRASE_WORDS = 3
TOPICAL_BONUS = 3.0
NAME_PENALTY = 3.0

MAY_START_MEMORY = 200_000
"""Distinct words per language whose ``may_start`` answer is kept (a few MB at most)."""
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


_MODEL_STOP_WORDS = frozenset(EN_STOP_WORDS | ID_STOP_WORDS)


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """How a text becomes model features (stored with the model, so training and use agree)."""

    max_n: int = 2
    """Longest word n-gram: 1 = words only, 2 = words and bigrams."""
    by_language: bool = False
    """Also a copy of every feature tagged with the text's language."""
    normalise: bool = True
    """Scale each text's feature vector to unit length (long and short contexts weigh alike)."""
    drop_stop_words: bool = True
    """Leave out spaCy's English and Indonesian stop words (n-grams join the words around them)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "max_n": self.max_n,
            "by_language": self.by_language,
            "normalise": self.normalise,
            "drop_stop_words": self.drop_stop_words,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> FeatureSpec:
        return cls(
            max_n=int(raw["max_n"]),
            by_language=bool(raw["by_language"]),
            normalise=bool(raw["normalise"]),
            drop_stop_words=bool(raw["drop_stop_words"]),
        )


def feature_hashes(text: str, language: str, spec: FeatureSpec) -> list[int]:
    """The sorted distinct CRC-32 hashes of the casefolded word n-grams of ``text``.

    Hashes, not strings, are what the model stores: its file carries no words of the texts it
    was trained on, and CRC-32 is the same in every process (``hash()`` is salted).
    """
    words = [w.casefold() for w in _WORD.findall(text)]
    if spec.drop_stop_words:
        words = [w for w in words if w not in _MODEL_STOP_WORDS]
    grams: set[str] = set(words)
    if spec.max_n >= 2:
        grams.update(f"{a} {b}" for a, b in pairwise(words))
    if spec.by_language:
        grams.update([f"{language}|{g}" for g in grams])
    return sorted({zlib.crc32(g.encode("utf-8")) for g in grams})


@dataclass(frozen=True, slots=True)
class TopicModel:
    """Multinomial logistic regression over hashed n-grams plus ``lexicon_weights`` x cue scores.

    Built by ``scripts/train_topics.py``; read with :func:`read_topic_model`.
    """

    version: str
    classes: tuple[str, ...]
    features: FeatureSpec
    rows: Mapping[int, int]
    """Feature hash -> row of ``weights``; hashes never seen in training have no row."""
    weights: npt.NDArray[np.float32]
    """Shape ``(len(rows), len(classes))``."""
    bias: npt.NDArray[np.float32]
    lexicon_weights: npt.NDArray[np.float32]
    """Per class: what one point of the lexicon's cue score for that class adds to its logit."""
    article_weights: npt.NDArray[np.float32]
    """Per class: what the class's share (0-1) of the whole article's cue score adds to its logit."""
    min_probability: float
    """Below this probability of the best category the default (``politics``) is kept."""

    def probabilities(
        self,
        text: str,
        language: str,
        cues: Mapping[str, float],
        article_shares: Mapping[str, float] | None = None,
    ) -> npt.NDArray[np.float64]:
        """Probability of each of ``classes`` for ``text``, given its lexicon cue scores and the
        cue shares of the article it comes from (:meth:`TopicClassifier.cue_shares`; none: all 0)."""
        hashes = feature_hashes(text, language, self.features)
        found = [r for h in hashes if (r := self.rows.get(h)) is not None]
        logits = self.bias.astype(np.float64)
        if found:
            summed = self.weights[found].sum(axis=0, dtype=np.float64)
            if self.features.normalise:
                summed /= np.sqrt(len(hashes))
            logits = logits + summed
        logits = logits + self.lexicon_weights * np.array([cues.get(c, 0.0) for c in self.classes])
        if article_shares:
            logits = logits + self.article_weights * np.array([article_shares.get(c, 0.0) for c in self.classes])
        exp = np.exp(logits - logits.max())
        out: npt.NDArray[np.float64] = exp / exp.sum()
        return out

    def predict(
        self,
        text: str,
        language: str,
        cues: Mapping[str, float],
        article_shares: Mapping[str, float] | None = None,
    ) -> str:
        """The category for ``text``: the most probable one, else the default when it is not sure."""
        probs = self.probabilities(text, language, cues, article_shares)
        best = int(np.argmax(probs))
        if probs[best] < self.min_probability and DEFAULT_CATEGORY in self.classes:
            return DEFAULT_CATEGORY
        return self.classes[best]


def read_topic_model(directory: Traversable | Path) -> TopicModel:
    """Read a model written by ``scripts/train_topics.py`` (``meta.json`` + ``model.npz``)."""
    meta = json.loads(directory.joinpath(MODEL_META).read_text(encoding="utf-8"))
    with np.load(io.BytesIO(directory.joinpath(MODEL_WEIGHTS).read_bytes()), allow_pickle=False) as arrays:
        hashes = arrays["hashes"]
        weights = arrays["weights"].astype(np.float32)
        bias = arrays["bias"].astype(np.float32)
        lexicon_weights = arrays["lexicon_weights"].astype(np.float32)
        article_weights = arrays["article_weights"].astype(np.float32)
    classes = tuple(str(c) for c in meta["classes"])
    if weights.shape != (len(hashes), len(classes)) or {bias.shape, lexicon_weights.shape, article_weights.shape} != {
        (len(classes),)
    }:
        raise ValueError(f"topic model in {directory}: weights do not fit its {len(classes)} classes")
    return TopicModel(
        version=str(meta["version"]),
        classes=classes,
        features=FeatureSpec.from_dict(meta["features"]),
        rows={int(h): i for i, h in enumerate(hashes.tolist())},
        weights=weights,
        bias=bias,
        lexicon_weights=lexicon_weights,
        article_weights=article_weights,
        min_probability=float(meta["min_probability"]),
    )


class TopicClassifier:
    """Classifies texts with the trained model and the category lexicons. Build with
    :func:`load_topic_classifier`."""

    def __init__(
        self,
        categories: list[_Category],
        cues: dict[str, _Cues],
        stop_words: dict[str, frozenset[str]],
        *,
        lexicon_version: int,
        model: TopicModel | None = None,
    ) -> None:
        self.model = model
        self.version = f"lexicon-{lexicon_version}" + (f"+model-{model.version}" if model else "")
        """Lexicon and model versions, for ``meetwire_build_info``."""
        self._categories = categories
        self._by_key = {c.key: c for c in categories}
        self._cues = cues
        self._stop_words = stop_words
        self._last_shares: tuple[str, str, dict[str, float]] | None = None
        self._starts: dict[str, dict[str, bool]] = {}
        self._cue_words = {
            lang: frozenset(w for cue in [*c.exact, *c.prefix] for w in cue if len(w) > 3) for lang, c in cues.items()
        }

    def scores(self, text: str, language: str) -> dict[str, float]:
        """Prior plus cue score per category: the lexicon's decision (for inspection and tests)."""
        cues = self.cue_scores(text, language)
        return {c.key: c.prior + cues[c.key] for c in self._categories}

    def cue_scores(self, text: str, language: str) -> dict[str, float]:
        """Sum of the weights of the cues found per category, without the prior."""
        cues = self._cues.get(language, self._cues["en"])
        out = dict.fromkeys(self._by_key, 0.0)
        words = [w.casefold() for w in _WORD.findall(text)]
        hits: Counter[tuple[str, ...]] = Counter()
        free = 0  # the first word not inside a cue already counted
        starters = {word for word in set(words) if self._may_start(cues, language, word)}  # each word once
        for i in [i for i, word in enumerate(words) if word in starters]:
            found = _cue_at(cues, words, i) if i >= free else None
            if found is None:
                continue
            length, cue, (key, weight) = found
            hits[cue] += 1
            if hits[cue] <= MAX_COUNT_PER_CUE:
                out[key] += weight
            free = i + length
        return out

    def _may_start(self, cues: _Cues, language: str, word: str) -> bool:
        """``cues.may_start(word)``, remembered: a wire repeats its words, and this is asked of every
        distinct word of every article (the memory is dropped past ``MAY_START_MEMORY`` words)."""
        known = self._starts.setdefault(language, {})
        answer = known.get(word)
        if answer is None:
            if len(known) >= MAY_START_MEMORY:
                known.clear()
            answer = known[word] = cues.may_start(word)
        return answer

    def cue_shares(self, text: str, language: str) -> dict[str, float]:
        """Each category's share of the cue weight found in ``text`` (all 0 when none): what a whole
        article is about, alike for a short and a long one.

        The last answer is kept: the meetings of one article ask for the same article in a row."""
        last = self._last_shares
        if last is not None and last[0] == language and last[1] == text:
            return dict(last[2])
        cues = self.cue_scores(text, language)
        total = sum(cues.values())
        shares = {key: score / total if total else 0.0 for key, score in cues.items()}
        self._last_shares = (language, text, shares)
        return dict(shares)

    def classify(self, text: str, language: str, *, article: str | None = None) -> Topic:
        """The best category for ``text`` (title plus the meeting's sentences) and up to five key phrases from it.

        ``article``: the whole article (title and text) the meeting was read from; the model weighs
        what it is about too. The lexicon alone reads ``text`` only.
        """
        if self.model is not None:
            shares = self.cue_shares(article, language) if article else None
            best = self.model.predict(text, language, self.cue_scores(text, language), shares)
        else:
            best = self.lexicon_category(text, language)
        category = self._by_key[best]
        return Topic(category=category.key, iptc=category.iptc, keywords=self.keywords(text, language))

    def lexicon_category(self, text: str, language: str) -> str:
        """The lexicon's category alone: highest prior + cue score."""
        scores = self.scores(text, language)
        # Ties go to the default: a stray cue must not pull a diplomatic meeting elsewhere.
        return max(scores, key=lambda k: (scores[k], k == DEFAULT_CATEGORY))

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


def load_topic_classifier(*, use_model: bool = True, model: TopicModel | None = None) -> TopicClassifier:
    """Load and compile the category lexicons and the model once, at start-up.

    ``use_model=False`` classifies with the lexicon alone; ``model`` replaces the shipped model
    (``stream/models/topics/``) with another, e.g. one just trained.
    """
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
    if not use_model:
        model = None
    elif model is None:
        model = read_topic_model(resources.files("stream").joinpath(*MODEL_DIR))
    if model is not None and (unknown := set(model.classes) - {c.key for c in categories}):
        raise ValueError(f"topic model categories missing from the lexicon: {sorted(unknown)}")
    return TopicClassifier(categories, cues, stop_words, lexicon_version=int(raw["version"]), model=model)
