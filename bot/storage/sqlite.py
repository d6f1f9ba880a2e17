"""The embedded default store: one SQLite file through aiosqlite.

    store = await SqliteStore.open("var/lotsen.sqlite3", session_ttl=timedelta(days=1))
    async with store.conversation(key, "telegram") as conv:
        ...
    await store.close()

How turns are kept apart. The store has one connection, on aiosqlite's thread, and every
transaction is one function run there in one trip (``_run``), so no transaction is ever open
across an ``await`` and the thread's queue is the only lock on the connection. A turn
(``conversation``, see ``bot.storage.sqlite_turn``) takes its key's lock, reads what it needs,
and commits its writes at its end in one ``BEGIN IMMEDIATE`` transaction, with the writes of
every other turn that ended meanwhile (group commit, ``bot.storage.sqlite_group``: under load
one commit and one trip serve many turns, each in a savepoint of its own):

- two presses on the same chat queue on the key lock and run one after the other;
- different people's turns overlap everywhere but in their one short write;
- ``BEGIN IMMEDIATE`` takes SQLite's write lock at the start, so another process on the same
  file (``lotsen purge``, a second server) waits (``busy_timeout``) instead of failing
  half-way, and the commit first checks that the person's session is still the one the turn
  read: if another process answered them meanwhile, the turn writes nothing and fails
  transiently (the platform redelivers, the web page retries).

Deleting means deleting: ``secure_delete`` zeroes freed space, and after a forget or a purge
the write-ahead log is checkpointed and truncated, so old pages do not linger in it.

The backend registry (``bot.storage.backends``) opens it through :func:`open_url`, which
reads the file from a ``sqlite:`` URL or takes a bare path as it is.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import aiosqlite

from bot.storage import sqlite_rows as rows
from bot.storage.backends import MISSING, OpenOptions
from bot.storage.config import DEFAULT_SESSION_TTL
from bot.storage.locks import KeyLocks
from bot.storage.migrations import migrate
from bot.storage.protocol import (
    LEDGER_KEPT,
    UPDATES_KEPT,
    PurgeResult,
    StorageError,
    TransientStoreError,
    UsageCount,
)
from bot.storage.sqlite_errors import as_store_error, translated
from bot.storage.sqlite_group import GroupCommit
from bot.storage.sqlite_turn import SqliteTurn

__all__ = ["SqliteStore", "as_store_error", "open_url", "sqlite_path", "translated"]

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
T = TypeVar("T")

PURGE_BATCH = 500  # sessions per purge transaction, so turns never wait long behind one
BUSY_TIMEOUT_MS = 5000
CHECK_BUSY_MS = 250  # a readiness check waits this long for another writer, no longer
CHECK_SECONDS = 2.0  # and gives up on a check that takes longer than this
FAILURE_REMEMBERED = timedelta(seconds=30)
SCHEME = "sqlite://"
MEMORY = ":memory:"  # SQLite's name for a database that lives and dies with the connection


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def open_url(url: str, options: OpenOptions) -> SqliteStore:
    """The SQLite backend's opener: the file :func:`sqlite_path` reads from ``url``."""
    path = sqlite_path(url)
    if not options.create and path != MEMORY and not Path(path).exists():
        raise StorageError(f"{path}: no database yet", reason=MISSING)
    return await SqliteStore.open(path, session_ttl=options.session_ttl, clock=options.clock)


def sqlite_path(url: str) -> str:
    """The file a database URL names, read the way SQLAlchemy reads it, so a URL copied from
    another tool means the same file here::

        sqlite:///var/lotsen.sqlite3        -> var/lotsen.sqlite3 (relative to the working folder)
        sqlite:////srv/lotsen/db.sqlite3    -> /srv/lotsen/db.sqlite3 (four slashes: absolute)
        sqlite:///:memory: and :memory:     -> :memory: (a database that lives in the process)
        var/lotsen.sqlite3 (no scheme)      -> var/lotsen.sqlite3, as it is

    The path is taken as written (no %-escapes); a URL with a host, an empty path or options
    (``?``, ``#``) is refused rather than half understood.
    """
    if not url.lower().startswith(SCHEME):
        return url
    rest = url[len(SCHEME) :]
    why = _flaw(rest)
    if why is not None:  # the URL itself is not repeated: whatever follows ? may be a secret
        raise StorageError(
            f"The database URL is not a SQLite file URL: {why}. Write sqlite:///relative/path, "
            "sqlite:////absolute/path or the file path alone.",
            reason="bad_url",
        )
    return rest[1:]


def _flaw(rest: str) -> str | None:
    """What keeps ``sqlite://`` + ``rest`` from naming a file, or None."""
    if rest in ("", "/"):
        return "it names no file"
    if not rest.startswith("/"):
        return "it names a host"
    if any(mark in rest for mark in "?#"):
        return "it has options after ? or #"
    return None


class SqliteStore:
    """The :class:`~bot.storage.protocol.Store` on one SQLite file."""

    def __init__(
        self, db: aiosqlite.Connection, *, session_ttl: timedelta, clock: Clock = _utc_now
    ) -> None:
        self._db = db
        self._ttl = session_ttl
        self._clock = clock  # only stamps processed-update rows; purge gets `now` passed in
        self._keys = KeyLocks()
        self._group = GroupCommit(self._run)  # turns that end together commit together
        self._path = MEMORY
        # The last transient failure of a real transaction, until one commits again: a probe
        # that rewrites one row can succeed on a disk too full for a turn that needs a page.
        self._failure: tuple[str, datetime] | None = None

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        session_ttl: timedelta = DEFAULT_SESSION_TTL,
        clock: Clock | None = None,
    ) -> SqliteStore:
        """Open (creating it, owner-only) the database at ``path`` and migrate it."""
        _quiet_driver_logs()
        with translated():
            if str(path) != MEMORY:
                _create_private(Path(path))
            db = await aiosqlite.connect(path, isolation_level=None)
            try:
                await _configure(db)
                await migrate(db)
            except BaseException:
                await db.close()
                raise
        store = cls(db, session_ttl=session_ttl, clock=clock or _utc_now)
        store._path = str(path)
        return store

    async def __aenter__(self) -> SqliteStore:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._group.settled()
        with translated():
            await self._db.close()

    @asynccontextmanager
    async def conversation(
        self, key: str, channel: str, *, update_id: str | None = None
    ) -> AsyncIterator[SqliteTurn]:
        async with self._keys.hold(key):
            loaded, seen = await self._run(rows.load_turn, key, channel, update_id)
            turn = SqliteTurn(self._run, key, channel, loaded, self._clock)
            if update_id is not None:
                turn.read_ahead(update_id, seen=seen)
            try:
                yield turn
            finally:
                turn.closed = True  # what it wrote is only kept when the block ends normally
            if turn.writes:
                await self._grouped(
                    partial(rows.apply_turn, key=key, loaded=turn.loaded, writes=turn.writes)
                )
        if turn.deleted:
            await self._checkpoint()

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Nothing to hold: one process serves a SQLite file, and the channel's own lock
        keeps one person's replies in order there."""
        yield

    async def seen_update(self, channel: str, update_id: str) -> bool:
        seen: bool = await self._grouped(
            partial(rows.mark_seen, channel=channel, update_id=update_id, now=self._clock())
        )
        return seen

    async def record_messages(
        self,
        key: str,
        chat_ref: str,
        message_ids: Sequence[str],
        at: datetime,
        *,
        settle: tuple[str, str] | None = None,
    ) -> None:
        def work(conn: sqlite3.Connection) -> None:
            if message_ids:
                rows.record_many(conn, key, chat_ref, message_ids, at)
            if settle is not None:
                rows.settle(conn, *settle)

        await self._grouped(work)

    async def purge(self, now: datetime) -> PurgeResult:
        sessions = messages = 0

        def batch(conn: sqlite3.Connection) -> tuple[int, int, int]:
            keys = rows.idle_keys(conn, now - self._ttl, PURGE_BATCH)
            return (len(keys), *rows.erase(conn, keys))

        while True:  # batches, so turns never wait long behind one
            found, erased, dropped = await self._commit(rows.transaction, batch)
            sessions, messages = sessions + erased, messages + dropped
            if found < PURGE_BATCH:
                break

        def timed(conn: sqlite3.Connection) -> tuple[int, int]:
            ledger = rows.drop_older(conn, "ledger", now - LEDGER_KEPT)
            updates = rows.drop_older(conn, "processed_updates", now - UPDATES_KEPT)
            rows.drop_older(conn, "owed", now - UPDATES_KEPT)
            return ledger, updates

        dropped, updates = await self._commit(rows.transaction, timed)
        messages += dropped
        if sessions or messages:
            await self._checkpoint()
        return PurgeResult(sessions, messages, updates)

    async def counts(self, since: date) -> tuple[UsageCount, ...]:
        found: tuple[UsageCount, ...] = await self._run(rows.counts, since)
        return found

    async def check(self) -> None:
        """Rewrite the health row on a connection of its own, which waits at most
        ``CHECK_BUSY_MS`` for another writer: a locked, full or read-only database fails here
        at once, without queueing behind (or in front of) people's turns. A turn that failed
        for such a reason in the last ``FAILURE_REMEMBERED`` fails it too, unless a turn has
        committed since."""
        if self._failure is not None:
            reason, at = self._failure
            if self._clock() - at < FAILURE_REMEMBERED:
                raise TransientStoreError(
                    f"a recent turn could not commit ({reason})", reason=reason
                )
        if self._path == MEMORY:
            await self._commit(_in_transaction(rows.touch_health), self._clock())
            return
        try:
            await asyncio.wait_for(self._check_file(), CHECK_SECONDS)
        except TimeoutError:
            raise TransientStoreError(
                "the store did not answer in time", reason="timeout"
            ) from None

    async def _check_file(self) -> None:
        with translated():
            async with aiosqlite.connect(self._path, isolation_level=None) as db:
                await db.execute(f"PRAGMA busy_timeout = {CHECK_BUSY_MS}")
                await _run_on(db, _in_transaction(rows.touch_health), self._clock())

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(connection, *args)`` on the database's thread, in one trip."""
        with translated():
            return await _run_on(self._db, work, *args)

    async def _commit(self, work: Callable[..., T], *args: Any) -> T:
        """:meth:`_run` for a transaction of its own (purges, the health row)."""
        return await self._remembered(self._run(work, *args))

    async def _grouped(self, work: rows.Write) -> Any:
        """``work(connection)`` committed in a group with whatever else is waiting
        (:class:`GroupCommit`): the writes of turns, of update ids and of ledgers."""
        return await self._remembered(self._group.commit(work))

    async def _remembered(self, pending: Awaitable[T]) -> T:
        """A transaction's outcome; a transient failure is remembered for :meth:`check`
        until a transaction commits again."""
        try:
            result = await pending
        except rows.Changed:
            raise TransientStoreError(
                "another process answered this person meanwhile", reason="changed"
            ) from None
        except TransientStoreError as exc:
            self._failure = (exc.reason, self._clock())
            raise
        self._failure = None
        return result

    async def _checkpoint(self) -> None:
        """Copy the log into the database and truncate it, so deleted rows leave no copies.

        With one process (the default) this is immediate. If another process holds a read
        open, SQLite waits for it up to ``busy_timeout`` and then checkpoints what it can;
        forgets and purges are rare enough for that wait.
        """
        await self._run(rows.fetch, "PRAGMA wal_checkpoint(TRUNCATE)")


async def _run_on(db: aiosqlite.Connection, work: Callable[..., T], *args: Any) -> T:
    """Run ``work(connection, *args)`` on ``db``'s thread. aiosqlite runs each of its own
    calls this way, one trip to its thread and back each; its ``_execute`` is the one way to
    run several statements in one trip, which is what keeps a turn at two trips
    (an ``await`` of a trip waits a whole turn of the event loop under load)."""
    result: T = await db._execute(work, db._conn, *args)  # type: ignore[no-untyped-call]
    return result


def _in_transaction(write: Callable[..., T]) -> Callable[..., T]:
    """``write(connection, *args)`` inside :func:`rows.transaction`."""

    def work(conn: sqlite3.Connection, *args: Any) -> T:
        return rows.transaction(conn, lambda conn: write(conn, *args))

    return work


async def _configure(db: aiosqlite.Connection) -> None:
    await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # WAL: readers never block the writer. synchronous=NORMAL is safe against a crash of
    # the process (a commit survives SIGKILL); a power cut may lose the last commits, which
    # costs a person at most one step.
    journal = list(await db.execute_fetchall("PRAGMA journal_mode = WAL"))
    if journal[0][0] != "wal":
        logger.warning("the database is not in WAL mode (%s)", journal[0][0])
    await db.execute("PRAGMA synchronous = NORMAL")
    await db.execute("PRAGMA secure_delete = ON")
    await db.execute("PRAGMA journal_size_limit = 1048576")


def _create_private(path: Path) -> None:
    """Create the database file owner-only before SQLite does. SQLite gives its ``-wal`` and
    ``-shm`` files the database file's permissions, so they are private too."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError as exc:  # a read-only or full disk, a folder where the file should be
        reason = "readonly" if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) else "io"
        raise TransientStoreError(
            f"the database file {path} cannot be created: {exc.strerror}", reason=reason
        ) from exc


class _NoDriverDebug(logging.Filter):
    """aiosqlite logs every call with its SQL parameters at DEBUG: session keys, ledger chat
    ids. Privacy rule 6 (no ids in logs) holds even when an operator turns DEBUG on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_DRIVER_FILTER = _NoDriverDebug()


def _quiet_driver_logs() -> None:
    logging.getLogger("aiosqlite").addFilter(_DRIVER_FILTER)  # adding twice is a no-op
