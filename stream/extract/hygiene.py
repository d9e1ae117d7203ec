"""Boilerplate masking: related-link lines, bylines and copyright notices.

The text is never rewritten (every span must index the original ``item.text``); instead the
regions to ignore are returned as sorted ``[start, end)`` character ranges.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

_LEAD = re.compile(r"^[\s\-\u2013\u2022*>|]*")


@dataclass(frozen=True, slots=True)
class Mask:
    """Sorted, non-overlapping character ranges that extraction ignores."""

    regions: tuple[tuple[int, int], ...]
    starts: tuple[int, ...] = ()
    """Start offsets of ``regions``, for bisection."""

    def covers(self, offset: int) -> bool:
        """True when the character at ``offset`` lies in a masked region."""
        i = bisect_right(self.starts, offset) - 1
        return i >= 0 and self.regions[i][0] <= offset < self.regions[i][1]


def boilerplate_mask(text: str, prefixes: Sequence[str], captions: Sequence[str] = ()) -> Mask:
    """Mask every line that starts with a boilerplate prefix ("Baca juga:", "Editor:", ...) and,
    with ``captions`` (casefolded photo-credit marks such as "(foto:"), every photo caption."""
    regions: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        end = pos + len(line)
        lead = _LEAD.match(line)
        body = line[lead.end() if lead else 0 :].casefold()
        if body and (body.startswith(tuple(prefixes)) or any(c in body for c in captions)):
            regions.append((pos, end))
        pos = end
    return Mask(regions=tuple(regions), starts=tuple(r[0] for r in regions))
