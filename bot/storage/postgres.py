"""The store for several instances: PostgreSQL through psycopg 3 and its connection pool.

    store = await open_url("postgresql://lotsen:pw@db:5432/lotsen?pool_size=10", options)
    async with store.conversation(key, "telegram") as conv:
        ...

How turns are kept apart, across any number of ``lotsen serve`` processes on one database:

- a turn is one transaction on one pooled connection. It first takes
  ``pg_advisory_xact_lock`` on a hash of the person's key, so two instances never run one
  person's turns at once (the lock goes with the commit or rollback, even if the instance
  dies: PostgreSQL ends its session). Inside one process, turns on one key also queue on an
  ``asyncio`` lock first, so a burst from one person waits in memory, not holding
  connections;
- the session row is read ``FOR UPDATE``, so a purge on another instance skips it;
- a redelivered update is dropped by ``INSERT ... ON CONFLICT DO NOTHING`` in that same
  transaction; what the turn owes and the message ledger are rows as on SQLite;
- no network call happens inside a transaction: the channel sends after the commit.

Options in the URL's query that are Lotsen's own (the rest go to libpq, ``sslmode`` say):
``pool_size`` (connections per instance, default 20: one per person being answered at
once; instances x pool_size must stay under the server's ``max_connections``),
``statement_timeout`` (milliseconds, default 5000) and ``pool_timeout`` (seconds to wait for
a connection, default 5).

Errors are the store's own: a dropped connection, a failover, a statement or pool timeout
raise :class:`TransientStoreError` (the update is delivered again; the web answers 503),
anything else :class:`StorageError`. Messages never hold parameters.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import AsyncConnection, errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.storage import postgres_rows as rows
from bot.storage.backends import MISSING, OpenOptions
from bot.storage.locks import KeyLocks
from bot.storage.postgres_migrations import migrate, version
from bot.storage.protocol import (
    LEDGER_KEPT,
    UPDATES_KEPT,
    PurgeResult,
    StorageError,
    TransientStoreError,
    UsageCount,
)
from bot.storage.turn import TurnView

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Conn = AsyncConnection[Any]

PURGE_LOCK = 0x4C6F7473656E0002  # one instance purges at a time
# The connection a hold() pinned for the task answering a person (see PostgresStore.hold).
_pinned: ContextVar[Conn | None] = ContextVar("lotsen_pinned_connection", default=None)
PURGE_BATCH = 500  # rows per purge transaction, so turns never wait long behind one
CHECK_SECONDS = 2.0
FAILURE_REMEMBERED = timedelta(seconds=30)


@dataclass(frozen=True)
class PoolSettings:
    """Lotsen's own options of a PostgreSQL URL (see the module's docstring)."""

    pool_size: int = 20
    statement_timeout_ms: int = 5000
    pool_timeout: float = 5.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def open_url(url: str, options: OpenOptions) -> PostgresStore:
    """The PostgreSQL backend's opener: connect, migrate (unless ``create`` is False, when a
    database Lotsen never used is refused as missing), and return the store."""
    conninfo, settings, libpq_options = split_url(url)
    _quiet_driver_logs()
    pool = AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=settings.pool_size,
        timeout=settings.pool_timeout,
        open=False,
        check=AsyncConnectionPool.check_connection,
        kwargs={
            "autocommit": True,
            "options": f"{libpq_options} -c statement_timeout={settings.statement_timeout_ms}",
        },
    )
    with translated():
        try:
            await pool.open(wait=True, timeout=settings.pool_timeout)
        except PoolTimeout:
            await pool.close()
            raise TransientStoreError(
                "PostgreSQL cannot be reached (check the host, port, user and database of the URL)",
                reason="unreachable",
            ) from None
    try:
        with translated():
            async with pool.connection() as conn:
                if not options.create and await version(conn) == 0:
                    raise StorageError("no Lotsen database there yet", reason=MISSING)
                await migrate(conn)
    except BaseException:
        await pool.close()
        raise
    return PostgresStore(pool, session_ttl=options.session_ttl, clock=options.clock or _utc_now)


def split_url(url: str) -> tuple[str, PoolSettings, str]:
    """The libpq URL without Lotsen's own options, those options, and libpq's ``options``
    (``-c search_path=...``), to which the statement timeout is added."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    own = {"pool_size", "statement_timeout", "pool_timeout", "options"}
    found = {name: value for name, value in query if name in own}
    rest = [(name, value) for name, value in query if name not in own]
    try:
        settings = PoolSettings(
            pool_size=int(found.get("pool_size", 20)),
            statement_timeout_ms=int(found.get("statement_timeout", 5000)),
            pool_timeout=float(found.get("pool_timeout", 5)),
        )
    except ValueError:
        settings = PoolSettings(pool_size=0)
    if settings.pool_size < 1 or settings.statement_timeout_ms < 1 or settings.pool_timeout <= 0:
        raise StorageError(
            "The database URL's pool_size, statement_timeout (ms) and pool_timeout (s) must "
            "be positive numbers.",
            reason="bad_url",
        )
    conninfo = urlunsplit(parts._replace(query=urlencode(rest)))
    return conninfo, settings, found.get("options", "")


def lock_id(key: str) -> int:
    """A person's key as a signed 64-bit advisory lock id."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


class PostgresStore:
    """The :class:`~bot.storage.protocol.Store` on a PostgreSQL database."""

    def __init__(self, pool: AsyncConnectionPool, *, session_ttl: timedelta, clock: Clock) -> None:
        self._pool = pool
        self._ttl = session_ttl
        self._clock = clock
        self._keys = KeyLocks()
        self._failure: tuple[str, datetime] | None = None

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def conversation(
        self, key: str, channel: str, *, update_id: str | None = None
    ) -> AsyncIterator[TurnView[Conn]]:
        # update_id is not read ahead: seen_update is one statement on the turn's connection.
        async with self._keys.hold(key), self._transaction() as conn:
            await conn.execute(b"SELECT pg_advisory_xact_lock(%s)", (lock_id(key),))
            conv = TurnView(
                rows, conn, key, channel, await rows.load_for_turn(conn, key), self._clock
            )
            try:
                yield conv
            finally:
                conv.closed = True

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """A session advisory lock on the person, held on one pooled connection while their
        turn is answered and sent; the turn's transactions inside run on that connection
        (so a delivery needs one connection, never two). Ended with the connection if the
        instance dies."""
        if _pinned.get() is not None:
            yield
            return
        lock = lock_id("hold:" + key)
        with translated():
            async with self._pool.connection() as conn:
                await conn.execute(b"SELECT pg_advisory_lock(%s)", (lock,))
                token = _pinned.set(conn)
                try:
                    yield
                finally:
                    _pinned.reset(token)
                    with contextlib.suppress(psycopg.Error):  # a lost connection frees it
                        await conn.execute(b"SELECT pg_advisory_unlock(%s)", (lock,))

    async def seen_update(self, channel: str, update_id: str) -> bool:
        async with self._transaction() as conn:
            return await rows.mark_seen(conn, channel, update_id, self._clock())

    async def record_messages(
        self,
        key: str,
        chat_ref: str,
        message_ids: Sequence[str],
        at: datetime,
        *,
        settle: tuple[str, str] | None = None,
    ) -> None:
        async with self._transaction() as conn:
            if message_ids:
                await rows.record_many(conn, key, chat_ref, message_ids, at)
            if settle is not None:
                await rows.settle(conn, *settle)

    async def purge(self, now: datetime) -> PurgeResult:
        """In batches, each its own transaction, by one instance at a time: while another
        instance's purge runs this one is a no-op (it runs again at its next interval). All
        on the one connection that holds the purge lock."""
        with translated():
            async with self._pool.connection() as conn:
                cur = await conn.execute(b"SELECT pg_try_advisory_lock(%s)", (PURGE_LOCK,))
                got = await cur.fetchone()
                if not got or not got[0]:
                    return PurgeResult()
                try:
                    return await _purge(conn, now - self._ttl, now)
                finally:
                    await conn.execute(b"SELECT pg_advisory_unlock(%s)", (PURGE_LOCK,))

    async def counts(self, since: date) -> tuple[UsageCount, ...]:
        async with self._transaction() as conn:
            return await rows.counts(conn, since)

    async def check(self) -> None:
        """Rewrite the health row within ``CHECK_SECONDS``; a turn that could not commit in
        the last ``FAILURE_REMEMBERED`` fails the check too, until one commits again."""
        if self._failure is not None:
            reason, at = self._failure
            if self._clock() - at < FAILURE_REMEMBERED:
                raise TransientStoreError(
                    f"a recent turn could not commit ({reason})", reason=reason
                )
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                async with self._transaction() as conn:
                    await rows.touch_health(conn, self._clock())
        except TimeoutError:
            raise TransientStoreError(
                "the store did not answer in time", reason="timeout"
            ) from None

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Conn]:
        try:
            with translated():
                pinned = _pinned.get()
                if pinned is not None:  # inside hold(): its connection
                    async with pinned.transaction():
                        yield pinned
                else:
                    async with self._pool.connection() as conn, conn.transaction():
                        yield conn
        except TransientStoreError as exc:
            self._failure = (exc.reason, self._clock())
            raise
        self._failure = None


async def _purge(conn: Conn, idle_before: datetime, now: datetime) -> PurgeResult:
    sessions = messages = updates = 0
    while True:
        async with conn.transaction():
            erased = await rows.erase_idle(conn, idle_before, PURGE_BATCH)
        sessions, messages = sessions + erased[0], messages + erased[1]
        if erased[0] < PURGE_BATCH:
            break
    for table, before in (
        ("ledger", now - LEDGER_KEPT),
        ("processed_updates", now - UPDATES_KEPT),
        ("owed", now - UPDATES_KEPT),
    ):
        while True:
            async with conn.transaction():
                dropped = await rows.drop_older(conn, table, before, PURGE_BATCH)
            if table == "ledger":
                messages += dropped
            elif table == "processed_updates":
                updates += dropped
            if dropped < PURGE_BATCH:
                break
    return PurgeResult(sessions, messages, updates)


# SQLSTATE classes and codes by what they mean for a caller: try again later, or never.
_TRANSIENT_CLASSES = {
    "08": "connection",  # connection exception
    "53": "resources",  # insufficient resources: disk full, out of memory, too many connections
    "57": "unavailable",  # operator intervention: shutdown, cannot connect now, query canceled
    "40": "conflict",  # transaction rollback: serialization failure, deadlock
    "58": "io",  # system error: I/O
}
_TRANSIENT_CODES = {"25006": "readonly"}  # read_only_sql_transaction: a replica after failover


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Turn the driver's errors into the store's own. The message names the SQLSTATE and
    the class, never the statement's parameters."""
    try:
        yield
    except StorageError:
        raise
    except PoolTimeout:
        raise TransientStoreError(
            "no database connection was free in time", reason="pool_timeout"
        ) from None
    except psycopg.Error as exc:
        raise as_store_error(exc) from None


def as_store_error(exc: psycopg.Error) -> StorageError:
    state = exc.sqlstate or ""
    name = type(exc).__name__
    if state in _TRANSIENT_CODES:
        return TransientStoreError(
            f"the database cannot commit now: {name}", reason=_TRANSIENT_CODES[state]
        )
    if state[:2] in _TRANSIENT_CLASSES:
        reason = _TRANSIENT_CLASSES[state[:2]]
        if isinstance(exc, errors.QueryCanceled):
            reason = "timeout"
        return TransientStoreError(
            f"the database cannot commit now: {name} ({state})", reason=reason
        )
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return TransientStoreError(f"the database cannot be reached: {name}", reason="connection")
    return StorageError(f"the database cannot be used: {name} ({state})")


class _NoDriverDebug(logging.Filter):
    """psycopg and its pool may log connection strings and queries at DEBUG; privacy rule 6
    (no ids in logs) holds even when an operator turns DEBUG on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_DRIVER_FILTER = _NoDriverDebug()


def _quiet_driver_logs() -> None:
    for name in ("psycopg", "psycopg.pool"):
        logging.getLogger(name).addFilter(_DRIVER_FILTER)
