"""The rule data the pipeline components share, loaded once per process and found by name.

A spaCy config holds strings, not objects, so a component's config names its resources
(``resources = "default"``) and the factory looks them up here. ``"default"`` is the shipped
data, read on first use and then kept: every language and every component reads the same
lexicon, gazetteer, date rules and place cues. A caller with data of its own (a test, a
cross-validation script) registers it under a new name and builds its pipelines with it.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, fields

from stream.extract.dates import DateRules, load_date_rules
from stream.extract.lexicon import Lexicon, load_lexicon
from stream.extract.meeting_place import PlaceCues, load_place_cues
from stream.extract.places import Gazetteer, load_gazetteer
from stream.extract.topics import TopicClassifier, load_topic_classifier

DEFAULT = "default"
"""The shipped rule data."""


@dataclass(frozen=True, slots=True)
class Resources:
    """The rule data of every language: word lists, gazetteer, date words and place cues."""

    lexicon: Lexicon
    gazetteer: Gazetteer
    date_rules: DateRules
    place_cues: PlaceCues


_registered: dict[str, Resources] = {}
_names = itertools.count(1)


def default_resources() -> Resources:
    """The shipped data, read once per process."""
    if DEFAULT not in _registered:
        _registered[DEFAULT] = Resources(
            lexicon=load_lexicon(),
            gazetteer=load_gazetteer(),
            date_rules=load_date_rules(),
            place_cues=load_place_cues(),
        )
    return _registered[DEFAULT]


@functools.cache
def default_topic_classifier() -> TopicClassifier:
    """The shipped topic model with its lexicon, read once per process."""
    return load_topic_classifier()


def register(resources: Resources) -> str:
    """The name ``resources`` go by in pipeline configs: ``"default"`` for the shipped data (the
    very objects :func:`default_resources` read), else a new name, kept for the life of the
    process (pipelines built with it may be)."""
    shipped = _registered.get(DEFAULT)
    if shipped is not None and all(getattr(resources, f.name) is getattr(shipped, f.name) for f in fields(Resources)):
        return DEFAULT
    name = f"custom-{next(_names)}"
    _registered[name] = resources
    return name


def resources_named(name: str) -> Resources:
    """The resources registered as ``name``."""
    if name == DEFAULT:
        return default_resources()  # read on first use: a test may build a component alone
    try:
        return _registered[name]
    except KeyError:
        raise KeyError(f"no meetwire resources registered as {name!r}") from None
