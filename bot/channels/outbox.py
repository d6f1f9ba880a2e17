"""Replies that were decided but not yet delivered, kept in memory until the redelivery.

A turn commits before its replies are sent: the session must be saved whatever happens to
the network. If the platform then stays unreachable, the update is refused (5xx) so that it
is delivered again, and the store will call that delivery a duplicate. The outbox is how
the duplicate still gets the replies it is owed, and only those not yet sent::

    outbox.keep(update_id, pending)          # after giving up on a send
    pending = outbox.take(update_id)         # on the redelivery: send what is left

It lives in memory and holds at most ``limit`` entries. It only tracks how far a delivery
got in this process; the store keeps each turn's whole delivery until it is settled
(``Conversations.handle(owe=...)``), so after a crash the redelivery sends it again.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_LIMIT = 1000


class Outbox(Generic[T]):
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._pending: OrderedDict[str, T] = OrderedDict()

    def keep(self, key: str, pending: T) -> None:
        self._pending[key] = pending
        self._pending.move_to_end(key)
        while len(self._pending) > self._limit:
            self._pending.popitem(last=False)

    def peek(self, key: str) -> T | None:
        return self._pending.get(key)

    def take(self, key: str) -> T | None:
        return self._pending.pop(key, None)

    def __len__(self) -> int:
        return len(self._pending)
