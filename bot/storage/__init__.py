"""Where Lotsen keeps what it must: sessions, processed updates, a short message ledger and
usage counters, behind a narrow async :class:`Store` protocol.

    store = await open_store(config.database_url(os.environ), session_ttl=timedelta(days=1))
    key = session_key(secret, "telegram", str(user_id))
    async with store.conversation(key, "telegram") as conv:
        ...

The database is a URL whose scheme picks the backend (``bot.storage.backends``):
``sqlite:///relative/path``, ``sqlite:////absolute/path``, a bare file path or ``:memory:``
open SQLite (aiosqlite), the embedded default. Callers name only :func:`open_store` and the
protocol, so a PostgreSQL store is a new module and one registry line behind the same calls.
Importing this package does not import a database driver.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.storage.backends import OpenOptions, opener, redacted
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
    "redacted",
    "run_purge_periodically",
    "session_key",
]


async def open_store(
    database: str | Path,
    *,
    session_ttl: timedelta = DEFAULT_SESSION_TTL,
    clock: Callable[[], datetime] | None = None,
    create: bool = True,
) -> Store:
    """Open the store ``database`` names, migrated and ready::

        await open_store("sqlite:///var/lotsen.sqlite3")   # or "var/lotsen.sqlite3"

    A scheme Lotsen has no store for raises :class:`StorageError` naming it and the choices.
    ``create`` False leaves a database that is not there yet uncreated and raises
    :class:`StorageError` with reason ``"missing"``. A ``Path`` is a SQLite file, as ever.
    """
    url = str(database)
    options = OpenOptions(session_ttl=session_ttl, clock=clock, create=create)
    return await opener(url)(url, options)
