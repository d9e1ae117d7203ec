"""Key-value views the ``Merger`` keeps its state in, over a Faust table or a dict.

A Faust table is one key space per worker, whichever partition wrote a key; ``TableView``
prefixes every key with the partition the agent is processing, so two partitions that both
index a party's name key keep separate entries, each in its own changelog partition.
"""

from __future__ import annotations

import hashlib
from collections.abc import ItemsView, Iterator, MutableMapping


class TableView(MutableMapping[str, bytes]):
    """The merge's ``str -> bytes`` map over a table of ``str -> str`` (Faust's JSON codec), under ``prefix``."""

    def __init__(self, table: MutableMapping[str, str], prefix: str = "") -> None:
        self._table = table
        self._prefix = prefix

    def __getitem__(self, key: str) -> bytes:
        return self._table[self._prefix + key].encode("utf-8")

    def __setitem__(self, key: str, value: bytes) -> None:
        self._table[self._prefix + key] = value.decode("utf-8")

    def __delitem__(self, key: str) -> None:
        del self._table[self._prefix + key]

    def __iter__(self) -> Iterator[str]:
        for key in list(self._table.keys()):
            if key.startswith(self._prefix):
                yield key[len(self._prefix) :]

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def items(self) -> ItemsView[str, bytes]:
        """Every entry under the prefix, with the value the table's own iteration read.

        A Faust table lists the keys of every partition this worker holds, but looks a key up
        only in the partition of the event being processed: ``view[key]`` for a key listed
        from another partition raises ``KeyError``."""
        return _TableItems(self)


class _TableItems(ItemsView[str, bytes]):
    def __init__(self, view: TableView) -> None:
        super().__init__(view)
        self._view = view

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        prefix = self._view._prefix
        for key, value in list(self._view._table.items()):
            if key.startswith(prefix):
                yield key[len(prefix) :], value.encode("utf-8")


def partition_of(block: str, partitions: int) -> int:
    """The route topic's partition of a blocking key: stable across processes and versions."""
    digest = hashlib.blake2b(block.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % partitions
