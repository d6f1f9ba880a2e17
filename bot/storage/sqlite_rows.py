"""The SQL of the SQLite store, one small function per operation, each inside a transaction
its caller holds. Nothing here locks or commits."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import aiosqlite

from bot.engine.session import Session
from bot.storage.protocol import LedgerEntry, Usage, UsageCount

logger = logging.getLogger(__name__)


def epoch(moment: datetime) -> int:
    """Whole Unix seconds: comparable whether the clock was naive (local) or aware."""
    return int(moment.timestamp())


async def execute(db: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; returns the number of rows it changed.

    The cursor is not closed through aiosqlite: that would be a second trip to its thread
    for each statement (about a third of a turn's trips). A write's statement is finished
    when it returns, and its cursor goes with the Python object."""
    cursor = await db.execute(sql, params)
    return cursor.rowcount


async def fetch(db: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    return list(await db.execute_fetchall(sql, params))


def parse(data: str) -> Session | None:
    """The session stored as ``data``; None when it cannot be read (a row written by a
    Session that has since changed shape): the person then simply starts afresh."""
    try:
        return Session.from_dict(json.loads(data))
    except (ValueError, KeyError, TypeError) as exc:
        logger.warning("dropped an unreadable session (%s)", type(exc).__name__)
        return None


async def load(db: aiosqlite.Connection, key: str) -> Session | None:
    rows = await fetch(db, "SELECT data FROM sessions WHERE key = ?", (key,))
    return parse(rows[0][0]) if rows else None


async def save(db: aiosqlite.Connection, key: str, channel: str, session: Session) -> None:
    # to_dict() holds no typed text (the engine's guarantee); this is all that is stored.
    data = json.dumps(session.to_dict(), ensure_ascii=False, separators=(",", ":"))
    await execute(
        db,
        "INSERT INTO sessions (key, channel, data, updated) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE"
        " SET channel = excluded.channel, data = excluded.data, updated = excluded.updated",
        (key, channel, data, epoch(session.updated)),
    )


async def mark_seen(db: aiosqlite.Connection, channel: str, update_id: str, now: datetime) -> bool:
    """Record an update id; True when it was already there (one statement, so atomic)."""
    inserted = await execute(
        db,
        "INSERT INTO processed_updates (channel, update_id, at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (channel, update_id, epoch(now)),
    )
    return inserted == 0


async def owe(
    db: aiosqlite.Connection, channel: str, update_id: str, payload: str, now: datetime
) -> None:
    await execute(
        db,
        "INSERT INTO owed (channel, update_id, payload, at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (channel, update_id) DO UPDATE SET payload = excluded.payload",
        (channel, update_id, payload, epoch(now)),
    )


async def owed(db: aiosqlite.Connection, channel: str, update_id: str) -> str | None:
    found = await fetch(
        db, "SELECT payload FROM owed WHERE channel = ? AND update_id = ?", (channel, update_id)
    )
    return str(found[0][0]) if found else None


async def settle(db: aiosqlite.Connection, channel: str, update_id: str) -> None:
    await execute(db, "DELETE FROM owed WHERE channel = ? AND update_id = ?", (channel, update_id))


async def bump(db: aiosqlite.Connection, usage: Usage, *, ended: bool) -> None:
    await execute(
        db,
        "INSERT INTO usage (day, flow, step, locale, channel, ended, count)"
        " VALUES (?, ?, ?, ?, ?, ?, 1)"
        " ON CONFLICT (day, flow, step, locale, channel, ended)"
        " DO UPDATE SET count = count + 1",
        (usage.day.isoformat(), usage.flow, usage.step, usage.locale, usage.channel, int(ended)),
    )


async def count_end(db: aiosqlite.Connection, channel: str, data: str) -> None:
    """Count a conversation that ends (expires or is forgotten) at the step it was on, on the
    day it was last active: that is where the person left."""
    session = parse(data)
    if session is not None:
        usage = Usage.of(session, channel=channel, day=session.updated.date())
        await bump(db, usage, ended=True)


async def record_many(
    db: aiosqlite.Connection, key: str, chat_ref: str, message_ids: Sequence[str], at: datetime
) -> None:
    await db.executemany(
        "INSERT INTO ledger (key, chat_ref, message_id, at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [(key, chat_ref, message_id, epoch(at)) for message_id in message_ids],
    )


async def ledger(db: aiosqlite.Connection, key: str) -> tuple[LedgerEntry, ...]:
    rows = await fetch(
        db,
        "SELECT chat_ref, message_id, at FROM ledger WHERE key = ? ORDER BY at, message_id",
        (key,),
    )
    return tuple(
        LedgerEntry(chat_ref, message_id, datetime.fromtimestamp(at, UTC))
        for chat_ref, message_id, at in rows
    )


async def erase(db: aiosqlite.Connection, keys: Iterable[str]) -> tuple[int, int]:
    """Delete the sessions and ledgers of ``keys``, counting where each conversation ended.

    Every table keyed to a person is in here: add a new one here too.
    Returns (sessions, ledger rows) deleted.
    """
    sessions = messages = 0
    for key in keys:
        for channel, data in await fetch(
            db, "SELECT channel, data FROM sessions WHERE key = ?", (key,)
        ):
            await count_end(db, channel, data)
        sessions += await execute(db, "DELETE FROM sessions WHERE key = ?", (key,))
        messages += await execute(db, "DELETE FROM ledger WHERE key = ?", (key,))
    return sessions, messages


async def idle_keys(db: aiosqlite.Connection, before: datetime, limit: int) -> list[str]:
    rows = await fetch(
        db, "SELECT key FROM sessions WHERE updated < ? LIMIT ?", (epoch(before), limit)
    )
    return [key for (key,) in rows]


async def drop_older(db: aiosqlite.Connection, table: str, before: datetime) -> int:
    if table not in ("ledger", "processed_updates", "owed"):
        raise ValueError(f"no timed table {table!r}; choose ledger, processed_updates or owed")
    return await execute(db, f"DELETE FROM {table} WHERE at < ?", (epoch(before),))


async def counts(db: aiosqlite.Connection, since: date) -> tuple[UsageCount, ...]:
    rows = await fetch(
        db,
        "SELECT day, flow, step, locale, channel, ended, count FROM usage"
        " WHERE day >= ? ORDER BY day, flow, step, locale, channel, ended",
        (since.isoformat(),),
    )
    return tuple(
        UsageCount(Usage(date.fromisoformat(day), flow, step, locale, channel), bool(ended), count)
        for day, flow, step, locale, channel, ended, count in rows
    )


async def touch_health(db: aiosqlite.Connection, now: datetime) -> None:
    """Rewrite the one health row: a write that must reach the file to commit."""
    await db.execute(
        "INSERT INTO health (id, checked) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET checked = excluded.checked",
        (int(now.timestamp()),),
    )
