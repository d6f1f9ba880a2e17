"""One turn's view of a person for a store that holds a transaction open through the turn
(PostgreSQL): the ``Conversation`` protocol over a module of row functions
(``postgres_rows``) and the connection that holds the turn's transaction. The SQLite store
reads at once and commits its writes together at the end instead (``sqlite_turn``), since its
one connection must not be held across a turn.

    async with store.conversation(key, "telegram") as conv:   # a TurnView inside
        if not await conv.seen_update("4711"):
            await conv.save(session)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from bot.engine.session import Session
from bot.storage.protocol import LedgerEntry, StorageError, Usage

C = TypeVar("C")
C_in = TypeVar("C_in", contravariant=True)


class Rows(Protocol[C_in]):
    """What a store's row module offers a turn (each inside the caller's transaction)."""

    async def mark_seen(self, conn: C_in, channel: str, update_id: str, now: datetime) -> bool: ...

    async def save(self, conn: C_in, key: str, channel: str, session: Session) -> None: ...

    async def ledger(self, conn: C_in, key: str) -> tuple[LedgerEntry, ...]: ...

    async def erase(self, conn: C_in, keys: Iterable[str]) -> tuple[int, int]: ...

    async def bump(self, conn: C_in, usage: Usage, *, ended: bool) -> None: ...

    async def owe(
        self, conn: C_in, channel: str, update_id: str, payload: str, now: datetime
    ) -> None: ...

    async def owed(self, conn: C_in, channel: str, update_id: str) -> str | None: ...

    async def settle(self, conn: C_in, channel: str, update_id: str) -> None: ...


class TurnView(Generic[C]):
    """The :class:`~bot.storage.protocol.Conversation` of one turn; valid only inside the
    store's ``conversation`` block (``closed`` afterwards). ``deleted`` tells the store the
    person was forgotten (SQLite then clears its log of the deleted rows)."""

    def __init__(
        self,
        rows: Rows[C],
        conn: C,
        key: str,
        channel: str,
        session: Session | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._rows = rows
        self._conn = conn
        self._key = key
        self._channel = channel
        self._session = session
        self._clock = clock
        self.closed = False
        self.deleted = False

    @property
    def session(self) -> Session | None:
        return self._session

    async def seen_update(self, update_id: str) -> bool:
        self._check()
        return await self._rows.mark_seen(self._conn, self._channel, update_id, self._clock())

    async def save(self, session: Session) -> None:
        self._check()
        await self._rows.save(self._conn, self._key, self._channel, session)

    async def delete(self) -> tuple[LedgerEntry, ...]:
        self._check()
        entries = await self._rows.ledger(self._conn, self._key)
        await self._rows.erase(self._conn, [self._key])
        self.deleted = True
        return entries

    async def count(self, usage: Usage) -> None:
        self._check()
        await self._rows.bump(self._conn, usage, ended=False)

    async def owe(self, update_id: str, payload: str) -> None:
        self._check()
        await self._rows.owe(self._conn, self._channel, update_id, payload, self._clock())

    async def owed(self, update_id: str) -> str | None:
        self._check()
        return await self._rows.owed(self._conn, self._channel, update_id)

    async def settle(self, update_id: str) -> None:
        self._check()
        await self._rows.settle(self._conn, self._channel, update_id)

    def _check(self) -> None:
        if self.closed:
            raise StorageError("a conversation was used after its transaction ended")
