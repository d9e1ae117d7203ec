"""Progress of the offline commands: a bar on a terminal, nothing at all in a pipe."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from stream.progress import count_lines, counting, track


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("total", [3, None])
def test_progress_track_writes_progress_on_a_terminal(total: int | None) -> None:
    stream = _Terminal()
    assert list(track([b"a", b"b", b"c"], stream=stream, total=total, unit="line")) == [b"a", b"b", b"c"]
    shown = stream.getvalue()
    assert "3" in shown
    assert "line/s" in shown
    if total is not None:
        assert "3/3" in shown


@pytest.mark.parametrize("total", [3, None])
def test_progress_track_writes_nothing_when_not_a_terminal(total: int | None) -> None:
    stream = io.StringIO()
    assert list(track(iter([b"a", b"b", b"c"]), stream=stream, total=total)) == [b"a", b"b", b"c"]
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("path", "terminal", "expected"), [("file", True, 3), ("-", True, None), ("file", False, None)]
)
def test_progress_count_lines_only_for_a_bar_on_a_file(
    tmp_path: Path, path: str, terminal: bool, expected: int | None
) -> None:
    source = tmp_path / "items.jsonl"
    source.write_bytes(b"{}\n\n{}\n")
    stream = _Terminal() if terminal else io.StringIO()
    assert count_lines(str(source) if path == "file" else path, stream=stream) == expected


@pytest.mark.parametrize("done", [[2, 5]])
def test_progress_counting_draws_what_is_counted_on_a_terminal(done: list[int]) -> None:
    stream = _Terminal()
    with counting(stream=stream, total=sum(done), unit="letter") as bar:
        for n in done:
            bar.update(n)
    assert f"{sum(done)}/{sum(done)}" in stream.getvalue()
    assert "letter" in stream.getvalue()


@pytest.mark.parametrize("stream", [io.StringIO(), None])
def test_progress_counting_is_silent_off_a_terminal(stream: io.StringIO | None) -> None:
    with counting(stream=stream, total=3) as bar:
        bar.update(3)
    assert stream is None or stream.getvalue() == ""
