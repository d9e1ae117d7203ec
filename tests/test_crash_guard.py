"""The crash-loop guard without Kafka: notes written and read as a worker dying and restarting would."""

from __future__ import annotations

from pathlib import Path

import pytest

from stream.codec import RecordOrigin
from stream.crash_guard import CrashGuard, Segment

TOPIC = "wire.raw"


def _origins(*offsets: int, partition: int = 0) -> list[RecordOrigin]:
    return [RecordOrigin(TOPIC, partition, offset, None) for offset in offsets]


def _die_during(directory: Path, offsets: list[int], crashes: int = 0, *, limit: int = 2) -> None:
    """A run that notes ``offsets`` as in progress and dies before clearing them."""
    CrashGuard(directory, limit=limit).begin(_origins(*offsets), crashes)


@pytest.mark.parametrize("offsets", [[3, 4, 5]])
def test_crash_guard_no_note_keeps_the_batch_whole(tmp_path: Path, offsets: list[int]) -> None:
    assert CrashGuard(tmp_path, limit=2).segments(_origins(*offsets)) == [Segment([0, 1, 2])]


@pytest.mark.parametrize("offsets", [[3, 4, 5]])
def test_crash_guard_cleared_batch_leaves_no_suspect(tmp_path: Path, offsets: list[int]) -> None:
    guard = CrashGuard(tmp_path, limit=2)
    guard.begin(_origins(*offsets), 0)
    guard.clear(_origins(*offsets))
    assert CrashGuard(tmp_path, limit=2).segments(_origins(*offsets)) == [Segment([0, 1, 2])]


@pytest.mark.parametrize("limit", [2])
def test_crash_guard_isolates_a_dead_batch_then_dooms_the_culprit(tmp_path: Path, limit: int) -> None:
    _die_during(tmp_path, [10, 11, 12], limit=limit)  # run 1 dies with a batch in progress

    segments = CrashGuard(tmp_path, limit=limit).segments(_origins(9, 10, 11, 12, 13))
    assert segments == [Segment([0]), Segment([1], 1), Segment([2], 1), Segment([3], 1), Segment([4])]

    _die_during(tmp_path, [11], crashes=1, limit=limit)  # run 2 dies on offset 11 alone
    segments = CrashGuard(tmp_path, limit=limit).segments(_origins(11, 12))
    assert segments == [Segment([0], 2, doomed=True), Segment([1])]


@pytest.mark.parametrize("limit", [3])
def test_crash_guard_dooms_only_at_the_limit(tmp_path: Path, limit: int) -> None:
    _die_during(tmp_path, [7], crashes=1, limit=limit)
    assert CrashGuard(tmp_path, limit=limit).segments(_origins(7)) == [Segment([0], 2)]
    _die_during(tmp_path, [7], crashes=2, limit=limit)
    assert CrashGuard(tmp_path, limit=limit).segments(_origins(7)) == [Segment([0], 3, doomed=True)]


@pytest.mark.parametrize("partition", [1])
def test_crash_guard_notes_are_per_partition(tmp_path: Path, partition: int) -> None:
    _die_during(tmp_path, [5])
    guard = CrashGuard(tmp_path, limit=1)
    assert guard.segments(_origins(5, partition=partition)) == [Segment([0])]
    assert guard.segments(_origins(5)) == [Segment([0], 1, doomed=True)]


@pytest.mark.parametrize("content", [b"", b"{", b'{"first": 1}', b"[]"])
def test_crash_guard_unreadable_note_is_ignored(tmp_path: Path, content: bytes) -> None:
    (tmp_path / f"{TOPIC}-0.json").write_bytes(content)
    assert CrashGuard(tmp_path, limit=1).segments(_origins(1)) == [Segment([0])]


@pytest.mark.parametrize("offsets", [[1, 2]])
def test_crash_guard_unwritable_directory_does_not_stop_the_work(tmp_path: Path, offsets: list[int]) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_bytes(b"")
    guard = CrashGuard(blocked / "group", limit=2)

    guard.begin(_origins(*offsets), 0)
    guard.clear(_origins(*offsets))
    assert guard.segments(_origins(*offsets)) == [Segment([0, 1])]


@pytest.mark.parametrize("limit", [2])
def test_crash_guard_doomed_record_read_again_in_the_same_run_is_doomed_again(tmp_path: Path, limit: int) -> None:
    """Faust may seek to the committed offsets after the flow has started (once it restored the
    tables): a record dead-lettered just before its commit then comes again, after the guard has
    moved past its note. It must not be extracted then, or it kills the worker once more."""
    _die_during(tmp_path, [11], crashes=1, limit=limit)
    guard = CrashGuard(tmp_path, limit=limit)
    assert guard.segments(_origins(11, 12)) == [Segment([0], 2, doomed=True), Segment([1])]
    assert guard.segments(_origins(11, 12)) == [Segment([0], 2, doomed=True), Segment([1])]
    assert guard.segments(_origins(10, 11)) == [Segment([0]), Segment([1], 2, doomed=True)]
