"""Results kept in memory between requests, keyed by everything they depend on.

A key holds the inputs and a fingerprint of the data read (counts, latest ids, latest change
times), so a result is never served once the data under it has changed, whichever process
changed it. Per process, thread-safe, least recently used dropped first.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class ResultCache(Generic[T]):
    """A small least-recently-used cache of computed results."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result for `key`, computed (outside the lock) if not held."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
