"""The SQL of the SQLite store, one small function per operation. Each runs on the
database's own thread (``SqliteStore._run``) with the plain ``sqlite3`` connection; the
writes run inside a transaction :func:`transaction` holds. Nothing here awaits."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from bot.engine.session import Session
from bot.storage.protocol import LedgerEntry, Usage, UsageCount

logger = logging.getLogger(__name__)

T = TypeVar("T")
Write = Callable[[sqlite3.Connection], object]  # one buffered write of a turn


class Changed(Exception):
    """The person's session changed between a turn's read and its commit: another process
    on the same file answered them meanwhile. Nothing of the turn was written."""


def epoch(moment: datetime) -> int:
    """Whole Unix seconds: comparable whether the clock was naive (local) or aware."""
    return int(moment.timestamp())


def execute(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; returns the number of rows it changed."""
    return conn.execute(sql, params).rowcount


def fetch(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    return conn.execute(sql, params).fetchall()


def transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """``work`` in one ``BEGIN IMMEDIATE`` transaction: committed when it returns, rolled back
    when it raises. IMMEDIATE takes SQLite's write lock at once, so another process on the
    file (``lotsen purge``) makes it wait (``busy_timeout``) instead of failing half-way."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # a failed COMMIT leaves it open
            conn.execute("ROLLBACK")
        raise
    return result


def parse(data: str) -> Session | None:
    """The session stored as ``data``; None when it cannot be read (a row written by a
    Session that has since changed shape): the person then simply starts afresh."""
    try:
        return Session.from_dict(json.loads(data))
    except (ValueError, KeyError, TypeError) as exc:
        logger.warning("dropped an unreadable session (%s)", type(exc).__name__)
        return None


def load(conn: sqlite3.Connection, key: str) -> str | None:
    """The person's stored session as it is in the file (see :func:`parse`), or None."""
    rows = fetch(conn, "SELECT data FROM sessions WHERE key = ?", (key,))
    return str(rows[0][0]) if rows else None


def load_turn(
    conn: sqlite3.Connection, key: str, channel: str, update_id: str | None
) -> tuple[str | None, bool]:
    """What a turn reads first, in one trip: the person's stored session (see :func:`load`)
    and whether ``update_id`` (if any) was processed already."""
    seen = update_id is not None and was_seen(conn, channel, update_id)
    return load(conn, key), seen


def apply_turn(
    conn: sqlite3.Connection, key: str, loaded: str | None, writes: Sequence[Write]
) -> None:
    """A turn's writes, inside a transaction, if the session is still the one the turn read
    (``loaded``); :class:`Changed` otherwise. Within one process the person's lock already
    guarantees it; this guards a second process on the same file."""
    if load(conn, key) != loaded:
        raise Changed()
    for write in writes:
        write(conn)


def commit_group(conn: sqlite3.Connection, works: Sequence[Write]) -> list[object]:
    """Every ``work`` in one transaction, each in a savepoint of its own: one that raises is
    undone alone and its exception takes the place of its result; the others commit. Where
    SQLite itself ends the transaction on an error (a full disk may), nothing is kept and
    the error is raised for all of them."""

    def each(conn: sqlite3.Connection) -> list[object]:
        outcomes: list[object] = []
        for work in works:
            conn.execute("SAVEPOINT one")
            try:
                outcomes.append(work(conn))
            except Exception as exc:
                if not conn.in_transaction:
                    raise
                conn.execute("ROLLBACK TO one")
                outcomes.append(exc)
            conn.execute("RELEASE one")
        return outcomes

    return transaction(conn, each)


def save(conn: sqlite3.Connection, key: str, channel: str, session: Session) -> None:
    # to_dict() holds no typed text (the engine's guarantee); this is all that is stored.
    data = json.dumps(session.to_dict(), ensure_ascii=False, separators=(",", ":"))
    execute(
        conn,
        "INSERT INTO sessions (key, channel, data, updated) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE"
        " SET channel = excluded.channel, data = excluded.data, updated = excluded.updated",
        (key, channel, data, epoch(session.updated)),
    )


def was_seen(conn: sqlite3.Connection, channel: str, update_id: str) -> bool:
    return bool(
        fetch(
            conn,
            "SELECT 1 FROM processed_updates WHERE channel = ? AND update_id = ?",
            (channel, update_id),
        )
    )


def mark_seen(conn: sqlite3.Connection, channel: str, update_id: str, now: datetime) -> bool:
    """Record an update id; True when it was already there (one statement, so atomic)."""
    inserted = execute(
        conn,
        "INSERT INTO processed_updates (channel, update_id, at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (channel, update_id, epoch(now)),
    )
    return inserted == 0


def owe(
    conn: sqlite3.Connection, channel: str, update_id: str, payload: str, now: datetime
) -> None:
    execute(
        conn,
        "INSERT INTO owed (channel, update_id, payload, at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (channel, update_id) DO UPDATE SET payload = excluded.payload",
        (channel, update_id, payload, epoch(now)),
    )


def owed(conn: sqlite3.Connection, channel: str, update_id: str) -> str | None:
    found = fetch(
        conn, "SELECT payload FROM owed WHERE channel = ? AND update_id = ?", (channel, update_id)
    )
    return str(found[0][0]) if found else None


def settle(conn: sqlite3.Connection, channel: str, update_id: str) -> None:
    execute(conn, "DELETE FROM owed WHERE channel = ? AND update_id = ?", (channel, update_id))


def bump(conn: sqlite3.Connection, usage: Usage, *, ended: bool) -> None:
    execute(
        conn,
        "INSERT INTO usage (day, flow, step, locale, channel, ended, count)"
        " VALUES (?, ?, ?, ?, ?, ?, 1)"
        " ON CONFLICT (day, flow, step, locale, channel, ended)"
        " DO UPDATE SET count = count + 1",
        (usage.day.isoformat(), usage.flow, usage.step, usage.locale, usage.channel, int(ended)),
    )


def count_end(conn: sqlite3.Connection, channel: str, data: str) -> None:
    """Count a conversation that ends (expires or is forgotten) at the step it was on, on the
    day it was last active: that is where the person left."""
    session = parse(data)
    if session is not None:
        usage = Usage.of(session, channel=channel, day=session.updated.date())
        bump(conn, usage, ended=True)


def record_many(
    conn: sqlite3.Connection, key: str, chat_ref: str, message_ids: Sequence[str], at: datetime
) -> None:
    conn.executemany(
        "INSERT INTO ledger (key, chat_ref, message_id, at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [(key, chat_ref, message_id, epoch(at)) for message_id in message_ids],
    )


def ledger(conn: sqlite3.Connection, key: str) -> tuple[LedgerEntry, ...]:
    rows = fetch(
        conn,
        "SELECT chat_ref, message_id, at FROM ledger WHERE key = ? ORDER BY at, message_id",
        (key,),
    )
    return tuple(
        LedgerEntry(chat_ref, message_id, datetime.fromtimestamp(at, UTC))
        for chat_ref, message_id, at in rows
    )


def erase(conn: sqlite3.Connection, keys: Iterable[str]) -> tuple[int, int]:
    """Delete the sessions and ledgers of ``keys``, counting where each conversation ended.

    Every table keyed to a person is in here: add a new one here too.
    Returns (sessions, ledger rows) deleted.
    """
    sessions = messages = 0
    for key in keys:
        for channel, data in fetch(
            conn, "SELECT channel, data FROM sessions WHERE key = ?", (key,)
        ):
            count_end(conn, channel, data)
        sessions += execute(conn, "DELETE FROM sessions WHERE key = ?", (key,))
        messages += execute(conn, "DELETE FROM ledger WHERE key = ?", (key,))
    return sessions, messages


def idle_keys(conn: sqlite3.Connection, before: datetime, limit: int) -> list[str]:
    rows = fetch(conn, "SELECT key FROM sessions WHERE updated < ? LIMIT ?", (epoch(before), limit))
    return [key for (key,) in rows]


def drop_older(conn: sqlite3.Connection, table: str, before: datetime) -> int:
    if table not in ("ledger", "processed_updates", "owed"):
        raise ValueError(f"no timed table {table!r}; choose ledger, processed_updates or owed")
    return execute(conn, f"DELETE FROM {table} WHERE at < ?", (epoch(before),))


def counts(conn: sqlite3.Connection, since: date) -> tuple[UsageCount, ...]:
    rows = fetch(
        conn,
        "SELECT day, flow, step, locale, channel, ended, count FROM usage"
        " WHERE day >= ? ORDER BY day, flow, step, locale, channel, ended",
        (since.isoformat(),),
    )
    return tuple(
        UsageCount(Usage(date.fromisoformat(day), flow, step, locale, channel), bool(ended), count)
        for day, flow, step, locale, channel, ended, count in rows
    )


def touch_health(conn: sqlite3.Connection, now: datetime) -> None:
    """Rewrite the one health row: a write that must reach the file to commit."""
    execute(
        conn,
        "INSERT INTO health (id, checked) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET checked = excluded.checked",
        (int(now.timestamp()),),
    )
