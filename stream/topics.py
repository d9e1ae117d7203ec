"""The topics the agents read and write. Values are bytes we encode ourselves (orjson),
so no Faust metadata ever reaches the wire."""

from __future__ import annotations

from stream.app import app, settings

# ``internal=True`` makes Faust create the raw topic before it subscribes: a worker that
# starts before anything was produced would otherwise join the group with no partitions
# ("Ignoring missing topic") and sit idle until the next metadata refresh.
raw_topic = app.topic(
    settings.topic_raw,
    key_type=bytes,
    value_type=bytes,
    value_serializer="raw",
    key_serializer="raw",
    internal=True,
    partitions=settings.topic_partitions,
)
events_topic = app.topic(
    settings.topic_events, key_type=bytes, value_type=bytes, value_serializer="raw", key_serializer="raw"
)
deadletter_topic = app.topic(
    settings.topic_deadletter, key_type=bytes, value_type=bytes, value_serializer="raw", key_serializer="raw"
)

# The merge (agents/canonical.py): events re-keyed by blocking key on a topic of the app's own,
# so reports of one meeting meet in one partition of the canonical tables; the records out
# on a compacted topic keyed by meeting_id.
canonical_route_topic = app.topic(
    f"{settings.app_id}-canonical-route",
    key_type=bytes,
    value_type=bytes,
    value_serializer="raw",
    key_serializer="raw",
    internal=True,
    partitions=settings.topic_partitions,
)
canonical_topic = app.topic(
    settings.topic_canonical,
    key_type=bytes,
    value_type=bytes,
    value_serializer="raw",
    key_serializer="raw",
    internal=True,
    partitions=settings.topic_partitions,
    compacting=True,
)
