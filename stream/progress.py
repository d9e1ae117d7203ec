"""Progress of the offline commands on stderr, only when stderr is a terminal.

A command run in a pipe or by a test (stderr not a terminal) writes nothing more than it did
before, so what scripts parse stays the same. The bar is tqdm's: tqdm is not a declared
dependency of meetwire but comes installed with spaCy, which ``meetwire extract`` needs anyway;
it is imported only when a bar is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Protocol, TypeVar

_T = TypeVar("_T")

MIN_INTERVAL_S = 0.5
"""Shortest time between two redraws of the bar."""


def track(items: Iterable[_T], *, stream: IO[str], total: int | None = None, unit: str = "item") -> Iterator[_T]:
    """Yield ``items`` unchanged, with a bar on ``stream`` (done, rate, time left when ``total`` is known).

    Nothing is written when ``stream`` is not a terminal.
    """
    with counting(stream=stream, total=total, unit=unit) as bar:
        for item in items:
            yield item
            bar.update()


def count_lines(path: str, *, stream: IO[str]) -> int | None:
    """Lines of the file at ``path``, the bar's total: ``None`` for stdin (``-``) or with no bar to show."""
    if path == "-" or not stream.isatty():
        return None
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


class ProgressCounter(Protocol):
    def update(self, n: int = 1) -> object: ...


class _Silent:
    def update(self, n: int = 1) -> None:
        pass


@contextmanager
def counting(*, stream: IO[str] | None, total: int | None = None, unit: str = "item") -> Iterator[ProgressCounter]:
    """A bar for work counted by hand (``update(n)``), as ``track`` draws it; silent off a terminal
    (or with no ``stream``)."""
    if stream is None or not stream.isatty():
        yield _Silent()
        return
    from tqdm import tqdm  # type: ignore[import-untyped]  # no py.typed; types-tqdm is not in the locked tools

    with tqdm(total=total, unit=unit, file=stream, mininterval=MIN_INTERVAL_S, dynamic_ncols=True) as bar:
        yield bar
