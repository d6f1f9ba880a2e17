"""``lotsen stats`` and ``lotsen purge``: small functions over parsed arguments.

Both take an ``argparse.Namespace`` with ``database`` (a path or None: then
``LOTSEN_DATABASE``, then ``var/lotsen.sqlite3``); ``stats`` also ``since`` (days, default
30) and optionally ``today`` (a date, for reproducible reports), both checked by the
parser's converters. They return the exit code; a database that cannot be used is one line
naming the file, exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.commandline import USAGE, cannot, fail
from bot.storage import config
from bot.storage.protocol import PurgeResult, StorageError, UsageCount
from bot.storage.sqlite import SqliteStore
from bot.storage.stats import format_report

DEFAULT_SINCE_DAYS = 30


# What opening a file that is not a usable Lotsen database raises: the system's errors, the
# driver's (the store lets them through) and the store's own. Named here, at the command.
DATABASE_ERRORS = (OSError, sqlite3.Error, StorageError)


def cmd_stats(args: argparse.Namespace) -> int:
    path = config.database_path(os.environ, args.database)
    days = DEFAULT_SINCE_DAYS if args.since is None else args.since
    if not path.exists():
        print(f"{path}: no database yet, so nothing is counted", file=sys.stderr)
        return 1
    today = getattr(args, "today", None) or datetime.now(UTC).date()
    # Clamped to the first day there is: `--today 0001-01-05 --since 30` must not overflow.
    since = date.fromordinal(max(1, today.toordinal() - (days - 1)))
    try:
        counts = asyncio.run(_counts(path, since))
    except DATABASE_ERRORS as error:
        return fail(_unusable(path, error))
    print(format_report(counts, since=since, until=today))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    path = config.database_path(os.environ, args.database)
    if not path.exists():
        print(f"{path}: no database yet, so nothing to purge", file=sys.stderr)
        return 0
    try:
        ttl = config.session_ttl(os.environ)
    except ValueError as error:  # the message names LOTSEN_SESSION_TTL and its value
        return fail(str(error), USAGE)
    try:
        result = asyncio.run(_purge(path, ttl, datetime.now(UTC)))
    except DATABASE_ERRORS as error:
        return fail(_unusable(path, error))
    print(
        f"purged {result.sessions} session(s), {result.messages} message id(s), "
        f"{result.updates} update id(s)"
    )
    return 0


def _unusable(path: Path, error: Exception) -> str:
    """One line: the file and why it cannot be used."""
    if isinstance(error, OSError):
        return cannot("open", error, path)
    if isinstance(error, sqlite3.OperationalError):  # locked, read-only, disk full, I/O
        return f"{path}: cannot use the database: {error}"
    if isinstance(error, sqlite3.Error):
        return f"{path}: not a Lotsen database ({error})"
    text = str(error)  # StorageError: a newer schema, for one; it may name the file itself
    return text if str(path) in text else f"{path}: {text}"


async def _counts(path: Path, since: date) -> tuple[UsageCount, ...]:
    async with await SqliteStore.open(path) as store:
        return await store.counts(since)


async def _purge(path: Path, ttl: timedelta, now: datetime) -> PurgeResult:
    async with await SqliteStore.open(path, session_ttl=ttl) as store:
        return await store.purge(now)
