"""The SQLite schema, as numbered migrations recorded in ``PRAGMA user_version``.

Migration ``n`` (1-based) takes a database from version ``n - 1`` to ``n``. Each runs in its
own ``BEGIN IMMEDIATE`` transaction together with the version bump, so a crash leaves the
database at the old version or the new one, never between, and two processes starting at
once do not both run it. Never edit a released migration: append a new one.

Times are whole Unix seconds: they compare the same whether the clock was naive or aware.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiosqlite

from bot.storage.protocol import StorageError

logger = logging.getLogger(__name__)

Migration = tuple[str, ...]

MIGRATIONS: tuple[Migration, ...] = (
    (
        # key: the HMAC of the person; data: Session.to_dict() as JSON (nothing typed);
        # channel: kept so an expired session's end can be counted per channel.
        """CREATE TABLE sessions (
            key TEXT PRIMARY KEY,
            channel TEXT NOT NULL,
            data TEXT NOT NULL,
            updated INTEGER NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX sessions_by_updated ON sessions (updated)",
        # At most 48 hours of message ids per person, for /forget. chat_ref is a platform
        # id on Telegram: see Store.record_message for why it is here at all.
        """CREATE TABLE ledger (
            key TEXT NOT NULL,
            chat_ref TEXT NOT NULL,
            message_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (key, chat_ref, message_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX ledger_by_at ON ledger (at)",
        # Update ids already answered, kept UPDATES_KEPT (WhatsApp redelivers for 7 days).
        """CREATE TABLE processed_updates (
            channel TEXT NOT NULL,
            update_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (channel, update_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX processed_updates_by_at ON processed_updates (at)",
        # Counters with no person in them. `ended` is part of the key: an arrival at a step
        # and a conversation that ended there are different counters.
        """CREATE TABLE usage (
            day TEXT NOT NULL,
            flow TEXT NOT NULL,
            step TEXT NOT NULL,
            locale TEXT NOT NULL,
            channel TEXT NOT NULL,
            ended INTEGER NOT NULL DEFAULT 0,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, flow, step, locale, channel, ended)
        ) WITHOUT ROWID""",
    ),
    (
        # Replies a turn owes until they are sent, written in the turn's own transaction: a
        # crash after the commit and before the sending leaves them here for the platform's
        # redelivery. The payload is what the channel renders (content texts and buttons,
        # nothing typed, no platform id: the redelivered update carries the chat). Dropped
        # once sent, and by purge with the processed update ids.
        """CREATE TABLE owed (
            channel TEXT NOT NULL,
            update_id TEXT NOT NULL,
            payload TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (channel, update_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX owed_by_at ON owed (at)",
    ),
    (
        # One row that readiness checks rewrite: proof that the store can commit now (not
        # locked by another process, the disk not full, the file writable).
        """CREATE TABLE health (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            checked INTEGER NOT NULL
        )""",
    ),
)


async def version(db: aiosqlite.Connection) -> int:
    rows = list(await db.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def migrate(db: aiosqlite.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database (in autocommit mode) to the latest version; returns that version."""
    latest = len(migrations)
    found = await version(db)
    if found > latest:
        raise StorageError(
            f"the database is at schema version {found}, newer than this Lotsen knows "
            f"({latest}); upgrade Lotsen"
        )
    for target in range(found + 1, latest + 1):
        await _apply(db, target, migrations[target - 1])
    if found < latest:
        logger.info("database schema migrated from version %d to %d", found, latest)
    return latest


async def _apply(db: aiosqlite.Connection, target: int, migration: Migration) -> None:
    await db.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the lock.
        if await version(db) < target:
            for statement in migration:
                await db.execute(statement)
            await db.execute(f"PRAGMA user_version = {int(target)}")
        await db.execute("COMMIT")
    except BaseException:
        await db.execute("ROLLBACK")
        raise
