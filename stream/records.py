"""The records meetwire reads and writes: wire items in, meeting events out.

Plain frozen dataclasses, serialised with orjson by ``to_dict``; the JSON Schemas in
``schemas/`` are the contract downstream teams validate against.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = 1

Status = Literal["held", "planned", "cancelled"]
Precision = Literal["day", "month", "year"]
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class WireItem:
    """One article from a news wire, as decoded from ``wire.raw``."""

    id: str
    """Unique id of the item at its source."""
    text: str
    """Article body as plain text, dateline and trailing lines included."""
    source: str | None = None
    url: str | None = None
    language: str | None = None
    """ISO 639-1 code; ``None`` means detect from the text."""
    title: str | None = None
    published_at: str | None = None
    """RFC 3339 date-time, ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, as received."""


@dataclass(frozen=True, slots=True)
class Participant:
    """One party to a meeting: a named person, or a body when no person is named."""

    name: str
    title: str | None
    affiliation: str | None
    country: str | None
    """ISO 3166-1 alpha-2."""
    mention: str
    span: Span


@dataclass(frozen=True, slots=True)
class Location:
    """Where the meeting took place (not the dateline city, unless the text says so)."""

    name: str
    """English name of the city, or of the country when no city is known."""
    mention: str
    span: Span
    venue: str | None = None
    country: str | None = None
    geonames_id: int | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class EventDate:
    """When the meeting took place, resolved to an ISO date."""

    value: str
    precision: Precision
    mention: str
    span: Span


@dataclass(frozen=True, slots=True)
class Topic:
    """What the meeting was about: an IPTC top-level category and keywords."""

    category: str
    iptc: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """The passage the event was read from."""

    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Extractor:
    """Which extractor produced an event."""

    name: str
    version: str


@dataclass(frozen=True, slots=True)
class MeetingEvent:
    """Meeting event v1, the value published on ``meetings.events``."""

    event_id: str
    item_id: str
    status: Status
    participants: tuple[Participant, ...]
    evidence: Evidence
    confidence: float
    extractor: Extractor
    source: str | None = None
    url: str | None = None
    language: str | None = None
    location: Location | None = None
    date: EventDate | None = None
    topic: Topic | None = None
    reported_on: str | None = None
    """The article's publication date, or the best clue to it (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``):
    what the merge into canonical meetings compares when the meeting's own date is unknown."""
    schema_version: int = field(default=SCHEMA_VERSION)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict, field order as in DESIGN.md."""
        return {
            "schema_version": self.schema_version,
            "event_id": self.event_id,
            "item_id": self.item_id,
            "source": self.source,
            "url": self.url,
            "language": self.language,
            "status": self.status,
            "participants": [_participant(p) for p in self.participants],
            "location": _location(self.location),
            "date": _date(self.date),
            "topic": _topic(self.topic),
            "evidence": {"text": self.evidence.text, "span": list(self.evidence.span)},
            "confidence": round(self.confidence, 4),
            "extractor": {"name": self.extractor.name, "version": self.extractor.version},
            "reported_on": self.reported_on,
        }


def make_event_id(item_id: str, participant_names: list[str], anchor: int) -> str:
    """A deterministic id: the same item and the same meeting give the same id on every run.

    ``anchor`` is the start offset of the evidence, which tells apart two meetings of the
    same parties reported in one article.
    """
    key = "\x1f".join([item_id, str(anchor), *sorted(n.casefold() for n in participant_names)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _participant(p: Participant) -> dict[str, Any]:
    return {
        "name": p.name,
        "title": p.title,
        "affiliation": p.affiliation,
        "country": p.country,
        "mention": p.mention,
        "span": list(p.span),
    }


def _location(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {
        "name": loc.name,
        "mention": loc.mention,
        "venue": loc.venue,
        "country": loc.country,
        "geonames_id": loc.geonames_id,
        "lat": loc.lat,
        "lon": loc.lon,
        "span": list(loc.span),
    }


def _date(d: EventDate | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"value": d.value, "precision": d.precision, "mention": d.mention, "span": list(d.span)}


def _topic(t: Topic | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"category": t.category, "iptc": t.iptc, "keywords": list(t.keywords)}
