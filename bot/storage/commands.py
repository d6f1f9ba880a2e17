"""``lotsen stats`` and ``lotsen purge``: small functions over parsed arguments.

Both take an ``argparse.Namespace`` with ``database`` (a URL or a path, or None: then
``LOTSEN_DATABASE``, then ``var/lotsen.sqlite3``); ``stats`` also ``since`` (days, default
30) and optionally ``today`` (a date, for reproducible reports), both checked by the
parser's converters. They open the store through :func:`~bot.storage.open_store`, so every
backend works here, and never create a database that is not there yet. They return the exit
code; a database that cannot be used is one line naming it, exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, date, datetime, timedelta

from bot.commandline import USAGE, cannot, fail
from bot.storage import config, open_store
from bot.storage.backends import MISSING, redacted
from bot.storage.protocol import PurgeResult, StorageError, UsageCount
from bot.storage.stats import format_report

DEFAULT_SINCE_DAYS = 30


# What opening a database that is not a usable Lotsen database raises: the system's errors
# and the store's own (it translates its driver's). Named here, at the command.
DATABASE_ERRORS = (OSError, StorageError)


def cmd_stats(args: argparse.Namespace) -> int:
    try:
        url = config.database_url(os.environ, args.database)
    except ValueError as error:  # a scheme no store has; the message names it
        return fail(str(error), USAGE)
    days = DEFAULT_SINCE_DAYS if args.since is None else args.since
    today = getattr(args, "today", None) or datetime.now(UTC).date()
    # Clamped to the first day there is: `--today 0001-01-05 --since 30` must not overflow.
    since = date.fromordinal(max(1, today.toordinal() - (days - 1)))
    try:
        counts = asyncio.run(_counts(url, since))
    except DATABASE_ERRORS as error:
        if _missing(error):
            return fail(f"{redacted(url)}: no database yet, so nothing is counted")
        return fail(_unusable(redacted(url), error))
    print(format_report(counts, since=since, until=today))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    try:
        url = config.database_url(os.environ, args.database)
        ttl = config.session_ttl(os.environ)
    except ValueError as error:  # the message names the variable (or option) and its value
        return fail(str(error), USAGE)
    try:
        result = asyncio.run(_purge(url, ttl, datetime.now(UTC)))
    except DATABASE_ERRORS as error:
        if _missing(error):
            print(f"{redacted(url)}: no database yet, so nothing to purge", file=sys.stderr)
            return 0
        return fail(_unusable(redacted(url), error))
    print(
        f"purged {result.sessions} session(s), {result.messages} message id(s), "
        f"{result.updates} update id(s)"
    )
    return 0


def _missing(error: Exception) -> bool:
    return isinstance(error, StorageError) and error.reason == MISSING


def _unusable(where: str, error: Exception) -> str:
    """One line: the database and why it cannot be used."""
    if isinstance(error, OSError):
        return cannot("open", error, where)
    text = str(error)  # StorageError: a newer schema, for one; it may name the file itself
    return text if where in text else f"{where}: {text}"


async def _counts(url: str, since: date) -> tuple[UsageCount, ...]:
    store = await open_store(url, create=False)
    try:
        return await store.counts(since)
    finally:
        await store.close()


async def _purge(url: str, ttl: timedelta, now: datetime) -> PurgeResult:
    store = await open_store(url, session_ttl=ttl, create=False)
    try:
        return await store.purge(now)
    finally:
        await store.close()
