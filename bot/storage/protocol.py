"""The Store protocol: everything the rest of Lotsen may ask of a database, and no more.

It is kept narrow so that a PostgreSQL store (``DATABASE_URL``, several instances behind a
load balancer) is one new module, not a rewrite. Each operation names its transaction:

- ``conversation(key, channel)`` holds the person's lock and one transaction for a whole turn:
  load, mark the update processed, save or delete, count. SQLite gets the lock from an
  ``asyncio.Lock`` per key plus ``BEGIN IMMEDIATE``; PostgreSQL would take
  ``pg_advisory_xact_lock`` on the key inside its transaction.
- everything else is one short transaction of its own.

Keys are HMACs (``bot.storage.keys``): no store ever sees a platform's id, except the
``chat_ref`` of a ledger row (see :meth:`Store.record_messages`).

The protocol holds what Lotsen's own code calls, nothing a test alone would want: a backend
implements exactly this, and ``tests/test_storage_contract.py`` states the behaviour every
backend must show. ``bot.storage.backends`` picks the backend from the database URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.engine.session import Session

# How long every store keeps what a platform's retries need, whatever the backend.
LEDGER_KEPT = timedelta(hours=48)  # the Bot API deletes messages only while under 48 h old
# A processed update id, and what its turn still owes: WhatsApp delivers a webhook again for
# up to 7 days (Telegram for 24 hours), and a redelivery must find it.
UPDATES_KEPT = timedelta(days=8)


class StorageError(Exception):
    """The database cannot be used as asked: a newer schema, a conversation used after its
    transaction ended, a file that is not a database. Messages name the problem and never a
    person's data. ``reason`` is a short code for health checks and answers (``corrupt``)."""

    def __init__(self, message: str, *, reason: str = "error") -> None:
        super().__init__(message)
        self.reason = reason


class TransientStoreError(StorageError):
    """The database cannot commit now but may later: locked by another process, the disk
    full, read-only, an I/O error. Whatever the driver, a store raises this for such a
    failure, so a channel can ask for the update again (Telegram) or answer 503 (the web)."""


@dataclass(frozen=True)
class LedgerEntry:
    """A message sent in a person's chat, kept at most 48 hours so ``/forget`` can delete it."""

    chat_ref: str
    message_id: str
    at: datetime


@dataclass(frozen=True)
class Usage:
    """One counter: a day, where a conversation was, in which language, on which channel.

    No person, no time finer than a day. ``step`` is the step's id within ``flow``.
    """

    day: date
    flow: str
    step: str
    locale: str
    channel: str

    @classmethod
    def of(cls, session: Session, *, channel: str, day: date) -> Usage:
        """The counter for the step ``session`` rests at::

        Usage.of(session, channel="telegram", day=date(2026, 1, 15))
        # Usage(day=2026-01-15, flow="home", step="menu", locale="sv", channel="telegram")
        """
        flow, _, step = session.step.partition(".")
        return cls(day, flow, step, session.locale or "", channel)


@dataclass(frozen=True)
class UsageCount:
    """A counter's value. ``ended`` counters count conversations that ended at that step
    (expired or forgotten); the others count arrivals at the step."""

    usage: Usage
    ended: bool
    count: int


@dataclass(frozen=True)
class PurgeResult:
    """How many rows one :meth:`Store.purge` deleted, by kind."""

    sessions: int = 0
    messages: int = 0
    updates: int = 0


class Conversation(Protocol):
    """One person's turn, inside their lock and one transaction (committed on a normal exit
    of the ``async with``, rolled back when it raises)."""

    @property
    def session(self) -> Session | None:
        """The session as it was loaded at the start of the turn; None for a new person."""
        ...

    async def seen_update(self, update_id: str) -> bool:
        """Record ``update_id`` as processed on this channel; True when it already was.

        Recorded in this transaction, so a crash before commit does not mark it processed.
        """
        ...

    async def save(self, session: Session) -> None:
        """Store ``session`` (its ``to_dict()``) as the person's session."""
        ...

    async def delete(self) -> tuple[LedgerEntry, ...]:
        """Delete everything keyed to the person (``/forget``: a turn that leaves no session);
        returns their ledger as it was, oldest first, so the channel can delete the messages."""
        ...

    async def owe(self, update_id: str, payload: str) -> None:
        """Keep the replies this turn owes (rendered, nothing typed) until they are settled."""
        ...

    async def owed(self, update_id: str) -> str | None:
        """What a turn with ``update_id`` still owes, for its redelivery after a crash."""
        ...

    async def settle(self, update_id: str) -> None:
        """Drop what an earlier turn on this channel, ``update_id``, owes, in this turn's
        transaction: the web chat's next event is the sign that the previous answer arrived,
        so settling it costs no commit of its own."""
        ...

    async def count(self, usage: Usage) -> None:
        """Add one to the counter ``usage``."""
        ...


class Store(Protocol):
    """Sessions, processed updates, the message ledger and usage counters."""

    def conversation(
        self, key: str, channel: str, *, update_id: str | None = None
    ) -> AbstractAsyncContextManager[Conversation]:
        """Lock the person ``key`` and open a transaction for one turn::

        async with store.conversation(key, "telegram", update_id="4711") as conv:
            if not await conv.seen_update("4711"):
                await conv.save(new_session)

        ``update_id``, the update the turn answers where there is one, lets a store read
        whether it was seen together with the session, in one trip; the turn still asks
        ``seen_update``, which records it.
        """
        ...

    def hold(self, key: str) -> AbstractAsyncContextManager[None]:
        """Hold the person ``key`` while a turn is answered and its replies are sent, so that
        one person's replies never interleave, whichever instance answers::

            async with store.hold(key):
                async with store.conversation(key, "telegram") as conv:
                    ...
                ...  # send the replies, then record_messages()

        Not a transaction: the sending happens outside any. A store for one process may
        rely on the channel's own lock and hold nothing; a store several instances share
        holds the person in the database, and its turns inside use the same connection."""
        ...

    async def seen_update(self, channel: str, update_id: str) -> bool:
        """Record an update as processed outside a conversation; True when it already was."""
        ...

    async def record_messages(
        self,
        key: str,
        chat_ref: str,
        message_ids: Sequence[str],
        at: datetime,
        *,
        settle: tuple[str, str] | None = None,
    ) -> None:
        """Remember messages sent in the person's chat so ``/forget`` can delete them, in one
        transaction: a turn's replies cost one commit, not one each. ``settle`` (channel,
        update id) drops what that update owed, in the same commit.

        ``chat_ref`` is whatever the platform needs to delete the message; on Telegram that
        is the chat id, a platform id. It is the one place a store holds one, because a
        ``deleteMessage`` call cannot be made without it; the row lives at most 48 hours and
        goes with the session on forget (:meth:`Conversation.delete`). A channel whose
        ``/forget`` always arrives from the same chat can pass ``""`` and supply the chat
        itself when deleting.
        """
        ...

    async def purge(self, now: datetime) -> PurgeResult:
        """Delete sessions idle longer than the store's TTL, ledger rows older than 48 hours
        and processed-update rows (with what they owe) older than :data:`UPDATES_KEPT`."""
        ...

    async def counts(self, since: date) -> tuple[UsageCount, ...]:
        """Every counter from the day ``since`` on."""
        ...

    async def check(self) -> None:
        """Prove the store can commit now: a cheap read and write, bounded in time. Raises
        :class:`TransientStoreError` (or :class:`StorageError`) with its ``reason`` if not."""
        ...

    async def close(self) -> None: ...
