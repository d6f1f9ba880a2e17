"""One turn on the SQLite store: its reads at once, its writes kept and committed together.

A turn reads (the session, whether its update was seen, what an earlier turn owes, the
ledger before a forget) while it runs, and writes only at its end, in one transaction and
one trip to the database's thread (``rows.apply_turn``, grouped with other turns' writes by
``bot.storage.sqlite_group``). So the single connection is never
held across the engine's step, and turns of different people overlap everywhere but in that
one short write. The person's lock keeps their own turns apart; the commit's check that the
session is still the one read keeps apart two processes on one file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from bot.engine.session import Session
from bot.storage import sqlite_rows as rows
from bot.storage.protocol import LedgerEntry, StorageError, Usage

Run = Callable[..., Awaitable[Any]]  # SqliteStore._run: work(connection, *args) on its thread


class SqliteTurn:
    """The :class:`~bot.storage.protocol.Conversation` of one SQLite turn; valid only inside
    the store's ``conversation`` block (``closed`` afterwards)."""

    def __init__(
        self,
        run: Run,
        key: str,
        channel: str,
        loaded: str | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._run = run
        self._key = key
        self._channel = channel
        self.loaded = loaded  # the session's row as read, for the commit's check
        self._session = rows.parse(loaded) if loaded is not None else None
        self._clock = clock
        self.writes: list[rows.Write] = []
        self._seen: set[str] = set()  # update ids this turn has recorded
        self._read_ahead: dict[str, bool] = {}  # update ids read with the session: seen?
        self._owes: dict[str, str | None] = {}  # this turn's owe and settle (None) so far
        self.closed = False
        self.deleted = False

    @property
    def session(self) -> Session | None:
        return self._session

    def read_ahead(self, update_id: str, *, seen: bool) -> None:
        """Whether ``update_id`` was processed, as read with the session (one trip less)."""
        self._read_ahead[update_id] = seen

    async def seen_update(self, update_id: str) -> bool:
        self._check()
        if update_id in self._seen:
            return True
        seen = self._read_ahead.get(update_id)
        if seen is None:
            seen = bool(await self._run(rows.was_seen, self._channel, update_id))
        if seen:
            return True
        self._seen.add(update_id)
        now = self._clock()
        self.writes.append(
            partial(rows.mark_seen, channel=self._channel, update_id=update_id, now=now)
        )
        return False

    async def save(self, session: Session) -> None:
        self._check()
        self.writes.append(
            partial(rows.save, key=self._key, channel=self._channel, session=session)
        )

    async def delete(self) -> tuple[LedgerEntry, ...]:
        self._check()
        entries: tuple[LedgerEntry, ...] = await self._run(rows.ledger, self._key)
        self.writes.append(partial(rows.erase, keys=[self._key]))
        self.deleted = True
        return entries

    async def count(self, usage: Usage) -> None:
        self._check()
        self.writes.append(partial(rows.bump, usage=usage, ended=False))

    async def owe(self, update_id: str, payload: str) -> None:
        self._check()
        self._owes[update_id] = payload
        now = self._clock()
        self.writes.append(
            partial(rows.owe, channel=self._channel, update_id=update_id, payload=payload, now=now)
        )

    async def owed(self, update_id: str) -> str | None:
        self._check()
        if update_id in self._owes:
            return self._owes[update_id]
        payload: str | None = await self._run(rows.owed, self._channel, update_id)
        return payload

    async def settle(self, update_id: str) -> None:
        self._check()
        self._owes[update_id] = None
        self.writes.append(partial(rows.settle, channel=self._channel, update_id=update_id))

    def _check(self) -> None:
        if self.closed:
            raise StorageError("a conversation was used after its transaction ended")
