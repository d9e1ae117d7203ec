"""Participant names folded for comparison across outlets, languages and spellings.

``NameRules.fold("Menlu Sergei Lavrov")`` and ``fold("Sergey Lavrov")`` give the same tokens:
titles and honorifics (``titles.json``) and forms of address are dropped, diacritics removed,
letters lower-cased, transliteration variants rewritten and Indonesian forms of given and
religious names turned into their English ones ("Yohanes Paulus" -> "John Paul"), all from
``canonical_names.json``. Two names
match when their tokens are equal, when one is a single token of the other (a surname or, as
Indonesian outlets write, a given name alone), or when one's tokens are all in the other
(a middle name left out).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

import orjson

MIN_VARIANT_PREFIX = 5
MAX_VARIANT_SUFFIX = 3
MIN_NICKNAME = 3

_SPLIT = re.compile(r"[^\w]+")
_DOUBLED = re.compile(r"(\w)\1+")

Tokens = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NameRules:
    """What ``fold`` drops and rewrites; build with :func:`load_name_rules`."""

    titles_by_first: dict[str, tuple[Tokens, ...]]
    """Folded titles and honorifics by their first word, longest first, dropped wherever they stand."""
    strip_words: frozenset[str]
    """Words dropped anywhere in a name."""
    rewrites: tuple[tuple[str, str], ...]
    """Spelling rewrites applied in order to every token."""
    given_names: dict[str, str]
    """A spelled Indonesian given or religious name -> its spelled English form."""
    version: str

    def fold(self, name: str) -> Tokens:
        """The comparable tokens of ``name`` (may be empty for a name made only of titles)."""
        tokens = plain_tokens(name)
        at = 0
        while at < len(tokens):  # titles anywhere: "Joins President X", "Menlu Y"
            phrase = next((p for p in self.titles_by_first.get(tokens[at], ()) if tokens[at : at + len(p)] == p), None)
            if phrase is not None and len(phrase) < len(tokens):
                tokens = tokens[:at] + tokens[at + len(phrase) :]
            else:
                at += 1
        kept = [t for t in tokens if t not in self.strip_words] or list(tokens)
        spelled = (_spell(t, self.rewrites) for t in kept)
        return tuple(self.given_names.get(t, t) for t in spelled)


def _spell(token: str, rewrites: tuple[tuple[str, str], ...]) -> str:
    """``token`` with the spelling rewrites applied and doubled letters collapsed."""
    for old, new in rewrites:
        token = token.replace(old, new)
    return _DOUBLED.sub(r"\1", token)


def plain_tokens(name: str) -> Tokens:
    """Lower-case, accent-free word tokens of ``name``, apostrophes removed."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return tuple(t for t in _SPLIT.split(plain.replace("'", "").replace("\u2019", "")) if t)


def names_match(a: Tokens, b: Tokens) -> bool:
    """Whether two folded names can be the same person or body."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, full = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) == 1:
        return any(tokens_match(short[0], t) for t in full) or is_syllable_nickname(short[0], full)
    return all(any(tokens_match(t, u) for u in full) for t in short) and tokens_match(short[-1], full[-1])


def tokens_match(a: str, b: str) -> bool:
    """Equal, or one a language variant of the other: a prefix of 5+ letters, at most 3 letters shorter."""
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= MIN_VARIANT_PREFIX and len(long) - len(short) <= MAX_VARIANT_SUFFIX and long.startswith(short)


def is_syllable_nickname(nickname: str, full: Tokens) -> bool:
    """A name built from the starts of the full name's words, in order, from the first one:
    the Indonesian habit of a syllable or initial per word."""
    if len(nickname) < MIN_NICKNAME or len(full) < 2:
        return False

    def build(rest: str, i: int, used: int) -> bool:
        if not rest:
            return used >= 2
        if i >= len(full):
            return False
        word = full[i]
        return any(word[:n] == rest[:n] and build(rest[n:], i + 1, used + 1) for n in range(len(word), 0, -1)) or (
            used > 0 and build(rest, i + 1, used)
        )

    return build(nickname, 0, 0)


def name_key(tokens: Tokens) -> str:
    """One token standing for the name in the blocking key: the last (a surname, or a single name)."""
    return tokens[-1] if tokens else ""


def load_name_rules() -> NameRules:
    """Read ``titles.json`` and ``canonical_names.json`` from ``stream.data`` (once, at start-up)."""
    titles = _read("titles.json")
    rules = _read("canonical_names.json")
    phrases: set[Tokens] = set()
    for entry in titles["titles"]:
        for form in [entry["title"], *entry.get("id", []), *entry.get("en", [])]:
            phrases.add(plain_tokens(form))
    for form in titles.get("honorifics", []):
        phrases.add(plain_tokens(form))
    phrases.discard(())
    by_first: dict[str, list[Tokens]] = {}
    for phrase in sorted(phrases, key=lambda p: (-len(p), p)):
        by_first.setdefault(phrase[0], []).append(phrase)
    rewrites = tuple((old, new) for old, new in rules["rewrites"])
    return NameRules(
        titles_by_first={first: tuple(group) for first, group in by_first.items()},
        strip_words=frozenset(rules["strip_words"]),
        rewrites=rewrites,
        given_names={_spell(local, rewrites): _spell(en, rewrites) for local, en in rules.get("given_names", [])},
        version=f"titles-{titles['version']}.names-{rules['version']}",
    )


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(resources.files("stream.data").joinpath(name).read_bytes())
    return data
