"""The SQL of the PostgreSQL store, one small function per operation, each inside a
transaction its caller holds. Nothing here locks or commits. The same rows as SQLite's
(``sqlite_rows``), in PostgreSQL's dialect."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from psycopg import AsyncConnection

from bot.engine.session import Session
from bot.storage.protocol import LedgerEntry, Usage, UsageCount
from bot.storage.sqlite_rows import epoch, parse

Conn = AsyncConnection[Any]
TIMED = ("ledger", "processed_updates", "owed")


async def execute(conn: Conn, sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; the number of rows it changed."""
    cur = await conn.execute(sql.encode(), params)
    return cur.rowcount


async def fetch(conn: Conn, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    cur = await conn.execute(sql.encode(), params)
    return list(await cur.fetchall())


async def load_for_turn(conn: Conn, key: str) -> Session | None:
    """The session, its row locked until the turn commits: a purge on another instance
    skips it (``SKIP LOCKED``) instead of deleting it under the turn."""
    rows = await fetch(conn, "SELECT data FROM sessions WHERE key = %s FOR UPDATE", (key,))
    return parse(rows[0][0]) if rows else None


async def save(conn: Conn, key: str, channel: str, session: Session) -> None:
    data = json.dumps(session.to_dict(), ensure_ascii=False, separators=(",", ":"))
    await execute(
        conn,
        "INSERT INTO sessions (key, channel, data, updated) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (key) DO UPDATE"
        " SET channel = excluded.channel, data = excluded.data, updated = excluded.updated",
        (key, channel, data, epoch(session.updated)),
    )


async def mark_seen(conn: Conn, channel: str, update_id: str, now: datetime) -> bool:
    """Record an update id; True when it was already there. One statement: two instances
    given the same update at once insert it once, and the second waits for the first's
    transaction to decide."""
    inserted = await execute(
        conn,
        "INSERT INTO processed_updates (channel, update_id, at) VALUES (%s, %s, %s)"
        " ON CONFLICT DO NOTHING",
        (channel, update_id, epoch(now)),
    )
    return inserted == 0


async def owe(conn: Conn, channel: str, update_id: str, payload: str, now: datetime) -> None:
    await execute(
        conn,
        "INSERT INTO owed (channel, update_id, payload, at) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (channel, update_id) DO UPDATE SET payload = excluded.payload",
        (channel, update_id, payload, epoch(now)),
    )


async def owed(conn: Conn, channel: str, update_id: str) -> str | None:
    found = await fetch(
        conn,
        "SELECT payload FROM owed WHERE channel = %s AND update_id = %s",
        (channel, update_id),
    )
    return str(found[0][0]) if found else None


async def settle(conn: Conn, channel: str, update_id: str) -> None:
    await execute(
        conn, "DELETE FROM owed WHERE channel = %s AND update_id = %s", (channel, update_id)
    )


async def bump(conn: Conn, usage: Usage, *, ended: bool) -> None:
    await execute(
        conn,
        "INSERT INTO usage (day, flow, step, locale, channel, ended, count)"
        " VALUES (%s, %s, %s, %s, %s, %s, 1)"
        " ON CONFLICT (day, flow, step, locale, channel, ended)"
        " DO UPDATE SET count = usage.count + 1",
        (usage.day, usage.flow, usage.step, usage.locale, usage.channel, ended),
    )


async def record_many(
    conn: Conn, key: str, chat_ref: str, message_ids: Sequence[str], at: datetime
) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            b"INSERT INTO ledger (key, chat_ref, message_id, at) VALUES (%s, %s, %s, %s)"
            b" ON CONFLICT DO NOTHING",
            [(key, chat_ref, message_id, epoch(at)) for message_id in message_ids],
        )


async def ledger(conn: Conn, key: str) -> tuple[LedgerEntry, ...]:
    rows = await fetch(
        conn,
        "SELECT chat_ref, message_id, at FROM ledger WHERE key = %s ORDER BY at, message_id",
        (key,),
    )
    return tuple(
        LedgerEntry(chat_ref, message_id, datetime.fromtimestamp(at, UTC))
        for chat_ref, message_id, at in rows
    )


async def erase(conn: Conn, keys: Iterable[str]) -> tuple[int, int]:
    """Delete the persons' sessions and ledgers, counting where each conversation ended.
    Every table keyed to a person is in here: add a new one here too."""
    wanted = list(keys)
    ended = await fetch(
        conn, "DELETE FROM sessions WHERE key = ANY(%s) RETURNING channel, data", (wanted,)
    )
    await _count_ends(conn, ended)
    messages = await execute(conn, "DELETE FROM ledger WHERE key = ANY(%s)", (wanted,))
    return len(ended), messages


async def erase_idle(conn: Conn, before: datetime, limit: int) -> tuple[int, int]:
    """Up to ``limit`` sessions idle since ``before``, and their ledgers, deleted. A session
    a turn holds right now is skipped: its turn is about to make it fresh."""
    ended = await fetch(
        conn,
        "DELETE FROM sessions WHERE key IN (SELECT key FROM sessions WHERE updated < %s"
        " LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING key, channel, data",
        (epoch(before), limit),
    )
    await _count_ends(conn, [(channel, data) for _, channel, data in ended])
    keys = [key for key, _, _ in ended]
    messages = await execute(conn, "DELETE FROM ledger WHERE key = ANY(%s)", (keys,)) if keys else 0
    return len(ended), messages


async def _count_ends(conn: Conn, ended: Sequence[tuple[Any, ...]]) -> None:
    """Count each conversation that ends (expires or is forgotten) at the step it was on,
    on the day it was last active: that is where the person left."""
    for channel, data in ended:
        session = parse(data)
        if session is not None:
            await bump(
                conn, Usage.of(session, channel=channel, day=session.updated.date()), ended=True
            )


async def drop_older(conn: Conn, table: str, before: datetime, limit: int) -> int:
    """Up to ``limit`` rows of ``table`` older than ``before`` deleted."""
    if table not in TIMED:
        raise ValueError(f"no timed table {table!r}; choose {', '.join(TIMED)}")
    return await execute(
        conn,
        f"DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE at < %s LIMIT %s)",
        (epoch(before), limit),
    )


async def counts(conn: Conn, since: date) -> tuple[UsageCount, ...]:
    rows = await fetch(
        conn,
        "SELECT day, flow, step, locale, channel, ended, count FROM usage"
        " WHERE day >= %s ORDER BY day, flow, step, locale, channel, ended",
        (since,),
    )
    return tuple(
        UsageCount(Usage(day, flow, step, locale, channel), bool(ended), int(count))
        for day, flow, step, locale, channel, ended, count in rows
    )


async def touch_health(conn: Conn, now: datetime) -> None:
    await execute(
        conn,
        "INSERT INTO health (id, checked) VALUES (1, %s)"
        " ON CONFLICT (id) DO UPDATE SET checked = excluded.checked",
        (int(now.timestamp()),),
    )
