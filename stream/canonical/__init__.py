"""Canonical meetings: reports of one real meeting merged into one record (pure, no Kafka).

``names`` folds participant names, ``clues`` reads the days an undated report names,
``matching`` holds the blocking key and match rules,
``merge`` the ``Merger`` that the offline ``meetwire merge`` and the ``canonical`` agent share,
``offline`` the JSONL driver.
"""

from stream.canonical.clues import DayWords, load_day_words
from stream.canonical.matching import MatchRules
from stream.canonical.merge import MergeOutcome, Merger
from stream.canonical.names import NameRules, load_name_rules

__all__ = ["DayWords", "MatchRules", "MergeOutcome", "Merger", "NameRules", "load_day_words", "load_name_rules"]
