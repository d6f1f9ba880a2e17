"""Which store a database URL opens: a registry of backends by the URL's scheme.

    opener("sqlite:///var/lotsen.sqlite3")   # bot.storage.sqlite.open_url
    opener("var/lotsen.sqlite3")             # no scheme: a SQLite file, as Lotsen always took it
    opener("mysql://db/lotsen")              # StorageError naming 'mysql' and the choices

A backend is one module with an opener, ``async def open_url(url, options) -> Store``, named
in :data:`BACKENDS` as ``"module:function"``. The name is a string so that importing
``bot.storage`` imports no database driver: only opening a store of that kind does. Adding a
backend is that module, its line here, and its entry in the contract suite's list of backends
(``tests/test_storage_contract.py``), which every store must pass.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.storage.protocol import StorageError, Store

# scheme -> "module:opener"; None: the scheme is known but its store is not written yet, so
# an operator who sets it is told that rather than that the scheme is unknown.
BACKENDS: dict[str, str | None] = {
    "sqlite": "bot.storage.sqlite:open_url",
    "postgresql": "bot.storage.postgres:open_url",
    "postgres": "bot.storage.postgres:open_url",
}

# A URL is "scheme://..."; anything else is a SQLite file path, as before there were URLs.
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_BARE = "sqlite"  # the backend of a path without a scheme (and of ":memory:")


@dataclass(frozen=True)
class OpenOptions:
    """What every opener is given besides the URL.

    ``create`` False: a database that does not exist yet is not made; the opener raises
    :class:`StorageError` with reason :data:`MISSING` instead (``lotsen stats`` on a fresh
    install must not leave an empty database behind).
    """

    session_ttl: timedelta
    clock: Callable[[], datetime] | None
    create: bool


Opener = Callable[[str, OpenOptions], Awaitable[Store]]

MISSING = "missing"  # the reason of a database not there when create is False
UNKNOWN_SCHEME = "unknown_scheme"


def scheme(url: str) -> str:
    """``"sqlite:///x"`` -> ``"sqlite"``; a bare path -> ``"sqlite"``; case folded."""
    found = _URL.match(url)
    return found.group(1).lower() if found else _BARE


def unusable(url: str, name: str = "The database URL") -> str | None:
    """Why no store can be opened for ``url``'s scheme, naming it as ``name``; None if one can.

    The message names the scheme and never the rest of the URL, which may hold a password.
    """
    wanted = scheme(url)
    return None if BACKENDS.get(wanted) else _refusal(wanted, name)


def opener(url: str) -> Opener:
    """The opener of ``url``'s backend, its module imported now."""
    wanted = scheme(url)
    reference = BACKENDS.get(wanted)
    if reference is None:
        raise StorageError(_refusal(wanted, "The database URL"), reason=UNKNOWN_SCHEME)
    module, _, function = reference.partition(":")
    found: Opener = getattr(importlib.import_module(module), function)
    return found


def _refusal(wanted: str, name: str) -> str:
    choices = "Use one of: " + ", ".join(f"{s}://" for s, ref in BACKENDS.items() if ref)
    choices += " (or a file path, for SQLite)."
    if wanted in BACKENDS:
        return f"{name} has scheme {wanted!r}: that store is not available yet. {choices}"
    planned = [f"{s}://" for s, ref in BACKENDS.items() if ref is None]
    later = f" Not available yet: {', '.join(planned)}." if planned else ""
    return f"{name} has scheme {wanted!r}, which is not a store Lotsen has. {choices}{later}"


def redacted(url: str) -> str:
    """``url`` as it may be shown in a message or log: without a password or query options.

    ``redacted("postgresql://lotsen:pw@db:5432/lotsen?sslmode=require")`` ->
    ``"postgresql://lotsen@db:5432/lotsen"``; a bare path is shown as a path
    (``./var/x`` -> ``var/x``), as messages showed it before there were URLs.
    """
    found = _URL.match(url)
    if found is None:
        return str(Path(url))
    rest = url[found.end() :].split("?", 1)[0].split("#", 1)[0]
    authority, slash, path = rest.partition("/")
    user, at, host = authority.rpartition("@")
    if at:
        authority = f"{user.split(':', 1)[0]}@{host}"
    return f"{found.group(1)}://{authority}{slash}{path}"
