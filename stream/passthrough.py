"""An extractor that finds nothing, for a worker run with ``MEETWIRE_EXTRACT=false``.

With it the worker still reads, decodes, dead-letters and counts every record, but
publishes no events: what is left is the cost of streaming itself (the benchmark's
``passthrough_items_per_s``). It loads no pipeline, so such a worker starts in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from stream.records import MeetingEvent, WireItem

PASSTHROUGH_LANGUAGES = frozenset({"id", "en"})
"""The languages the real extractor reads, so the same items are dead-lettered in both modes."""


class PassthroughExtractor:
    """Every item yields no event; satisfies ``stream.process.BatchExtractor`` with nothing to load."""

    @property
    def supported_languages(self) -> frozenset[str]:
        return PASSTHROUGH_LANGUAGES

    @property
    def version_info(self) -> dict[str, str]:
        return {"extraction": "off"}

    def extract(self, item: WireItem, *, received_at: datetime | None = None) -> list[MeetingEvent]:
        return []

    def extract_many(self, items: Sequence[tuple[WireItem, datetime | None]]) -> list[list[MeetingEvent]]:
        return [[] for _ in items]
