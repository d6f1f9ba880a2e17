"""Where the database and the secret live and how long sessions last, from the environment.

The database is a URL (``bot.storage.backends``) or, as before there were URLs, a SQLite
file path; the default is the path ``var/lotsen.sqlite3``.

Every function takes the environment as a mapping, so tests pass a dict and nothing here
reads ``os.environ`` behind the caller's back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from bot.storage.backends import unusable
from bot.storage.keys import load_secret

DATABASE = "LOTSEN_DATABASE"
PAAS_DATABASE = "DATABASE_URL"  # as Heroku-style hosts set it; LOTSEN_DATABASE wins
SECRET_KEY = "LOTSEN_SECRET_KEY"
SECRET_FILE = "LOTSEN_SECRET_FILE"
SESSION_TTL = "LOTSEN_SESSION_TTL"

DEFAULT_DATABASE = "var/lotsen.sqlite3"
DEFAULT_SECRET_FILE = Path("var/secret.key")
DEFAULT_SESSION_TTL = timedelta(seconds=86400)


def database_url(env: Mapping[str, str], value: str | None = None) -> str:
    """``value`` (a ``--database`` option), else ``LOTSEN_DATABASE``, else ``DATABASE_URL``,
    else the default.

    A scheme no store has (``mysql://``) raises ``ValueError`` naming the option or the
    variable and the choices, before anything is opened.
    """
    url = value or env.get(DATABASE) or env.get(PAAS_DATABASE) or DEFAULT_DATABASE
    named = "--database" if value else DATABASE if env.get(DATABASE) else PAAS_DATABASE
    problem = unusable(url, named)
    if problem is not None:
        raise ValueError(problem)
    return url


def session_ttl(env: Mapping[str, str]) -> timedelta:
    """``LOTSEN_SESSION_TTL`` in seconds (default a day)."""
    raw = env.get(SESSION_TTL, "").strip()
    if not raw:
        return DEFAULT_SESSION_TTL
    try:
        seconds = int(raw)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise ValueError(
            f"{SESSION_TTL} has value {raw!r}. Not a positive whole number of seconds."
        )
    return timedelta(seconds=seconds)


def secret(env: Mapping[str, str]) -> bytes:
    """The HMAC secret: ``LOTSEN_SECRET_KEY``, else the file ``LOTSEN_SECRET_FILE``
    (default ``var/secret.key``), created on first use."""
    path = Path(env.get(SECRET_FILE) or DEFAULT_SECRET_FILE)
    return load_secret(env.get(SECRET_KEY) or None, path)
