"""The topics the agents read and write. Values are bytes we encode ourselves (orjson),
so no Faust metadata ever reaches the wire."""

from __future__ import annotations

from typing import Any

from stream.app import app, settings


def _bytes_topic(name: str, *, created: bool = False, **options: Any) -> Any:
    """A topic of raw bytes keys and values; ``created``: Faust creates it (``internal=True``)
    with the configured partition count before it subscribes."""
    if created:
        options = {"internal": True, "partitions": settings.topic_partitions, **options}
    return app.topic(name, key_type=bytes, value_type=bytes, value_serializer="raw", key_serializer="raw", **options)


# The raw topic is created before the subscription: a worker that starts before anything was
# produced would otherwise join the group with no partitions ("Ignoring missing topic") and sit
# idle until the next metadata refresh.
raw_topic = _bytes_topic(settings.topic_raw, created=True)
events_topic = _bytes_topic(settings.topic_events)
deadletter_topic = _bytes_topic(settings.topic_deadletter)

# The merge (agents/canonical.py): events re-keyed by blocking key on a topic of the app's own,
# so reports of one meeting meet in one partition of the canonical tables; the records out
# on a compacted topic keyed by meeting_id.
canonical_route_topic = _bytes_topic(settings.topic_canonical_route, created=True)
canonical_topic = _bytes_topic(settings.topic_canonical, created=True, compacting=True)
