"""Where Lotsen keeps what it must: sessions, processed updates, a short message ledger and
usage counters, behind a narrow async :class:`Store` protocol.

    store = await open_store(config.database_path(os.environ), session_ttl=timedelta(days=1))
    key = session_key(secret, "telegram", str(user_id))
    async with store.conversation(key, "telegram") as conv:
        ...

SQLite (aiosqlite) is the embedded default. Callers name only :func:`open_store` and the
protocol, so a PostgreSQL store is a new module behind the same calls. Importing this
package does not import a database driver.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.storage.config import DEFAULT_SESSION_TTL
from bot.storage.keys import load_secret, session_key
from bot.storage.protocol import (
    Conversation,
    LedgerEntry,
    PurgeResult,
    StorageError,
    Store,
    TransientStoreError,
    Usage,
    UsageCount,
)
from bot.storage.purge import run_purge_periodically

__all__ = [
    "Conversation",
    "LedgerEntry",
    "PurgeResult",
    "StorageError",
    "Store",
    "TransientStoreError",
    "Usage",
    "UsageCount",
    "load_secret",
    "open_store",
    "run_purge_periodically",
    "session_key",
]


async def open_store(
    database: str | Path,
    *,
    session_ttl: timedelta = DEFAULT_SESSION_TTL,
    clock: Callable[[], datetime] | None = None,
) -> Store:
    """Open the store at ``database`` (a SQLite file path), migrated and ready."""
    from bot.storage.sqlite import SqliteStore

    return await SqliteStore.open(database, session_ttl=session_ttl, clock=clock)
