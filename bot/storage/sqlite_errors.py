"""The SQLite driver's errors as the store's own, so nothing above the storage layer needs to
know it is SQLite: a failure the store may get over later (:class:`TransientStoreError`) or a
file that will never work as a database (:class:`StorageError`)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from bot.storage.protocol import StorageError, TransientStoreError

# SQLite's result codes (Python 3.11 names them on every sqlite3.Error) by what they mean
# for a caller: the store may answer later, or this file will never work as a database.
_TRANSIENT = {
    "SQLITE_BUSY": "locked",
    "SQLITE_LOCKED": "locked",
    "SQLITE_FULL": "full",
    "SQLITE_READONLY": "readonly",
    "SQLITE_IOERR": "io",
    "SQLITE_CANTOPEN": "cannot_open",
    "SQLITE_PERM": "readonly",
    "SQLITE_PROTOCOL": "locked",
}
_PERMANENT = {"SQLITE_CORRUPT": "corrupt", "SQLITE_NOTADB": "not_a_database"}


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Turn the driver's errors into the store's own, so nothing above the storage layer
    needs to know it is SQLite. The message is SQLite's (it never holds parameters)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise as_store_error(exc) from exc


def as_store_error(exc: sqlite3.Error) -> StorageError:
    name = getattr(exc, "sqlite_errorname", "") or ""
    base = name.split("_", 2)[:2]
    code = "_".join(base)  # SQLITE_IOERR_WRITE -> SQLITE_IOERR
    if code in _TRANSIENT:
        return TransientStoreError(
            f"the database cannot commit now: {exc}", reason=_TRANSIENT[code]
        )
    if code in _PERMANENT:
        return StorageError(f"the database cannot be used: {exc}", reason=_PERMANENT[code])
    if isinstance(exc, sqlite3.OperationalError):
        return TransientStoreError(f"the database cannot commit now: {exc}", reason="error")
    return StorageError(f"the database cannot be used: {exc}")
