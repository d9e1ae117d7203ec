"""The two in-process stages: the spaCy tokenizer alone, and the full extractor, in one thread.

Both warm up on the first batch (spaCy's tokenizer caches, lazily built matchers), then time
one pass over the whole corpus in batches of ``batch_size``, as the worker would.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import spacy

from stream.records import WireItem

if TYPE_CHECKING:  # the extractor is loaded only by the stage that needs it
    from spacy.language import Language

    from stream.extract import MeetingExtractor

DEFAULT_BATCH_SIZE = 32


@dataclass(frozen=True, slots=True)
class StageRate:
    """Items processed and the wall time they took."""

    items: int
    seconds: float
    cpu_seconds: float
    """CPU time this process used meanwhile: on a busy machine, the rate on a core of its own."""

    @property
    def items_per_s(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else float("inf")

    @property
    def items_per_cpu_s(self) -> float:
        return self.items / self.cpu_seconds if self.cpu_seconds > 0 else float("inf")


def tokenizer_rate(items: Sequence[WireItem], *, batch_size: int = DEFAULT_BATCH_SIZE) -> StageRate:
    """The floor cost of reading the text: ``spacy.blank(lang)``'s tokenizer over every item."""
    pipelines: dict[str, Language] = {}
    for item in items:
        lang = item.language or "en"
        if lang not in pipelines:
            pipelines[lang] = spacy.blank(lang)

    def run(chunk: Sequence[WireItem]) -> None:
        for item in chunk:
            pipelines[item.language or "en"].tokenizer(item.text)

    run(items[:batch_size])
    started, cpu = time.perf_counter(), time.process_time()
    run(items)
    return StageRate(len(items), time.perf_counter() - started, time.process_time() - cpu)


def extract_rate(
    extractor: MeetingExtractor, items: Sequence[WireItem], *, batch_size: int = DEFAULT_BATCH_SIZE
) -> tuple[StageRate, int]:
    """The full extractor over every item in batches (``extract_many``); also returns the events found."""
    extractor.extract_many([(item, None) for item in items[:batch_size]])
    events = 0
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        events += sum(len(found) for found in extractor.extract_many([(item, None) for item in batch]))
    return StageRate(len(items), time.perf_counter() - started, time.process_time() - cpu), events
