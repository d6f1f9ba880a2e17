"""``lotsen stats`` and ``lotsen purge``: small functions over parsed arguments.

Both take an ``argparse.Namespace`` with ``database`` (a path or None: then
``LOTSEN_DATABASE``, then ``var/lotsen.sqlite3``); ``stats`` also ``since`` (days, default
30) and optionally ``today`` (``YYYY-MM-DD``, for reproducible reports). They return the
exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.storage import config
from bot.storage.protocol import PurgeResult, UsageCount
from bot.storage.sqlite import SqliteStore
from bot.storage.stats import format_report

DEFAULT_SINCE_DAYS = 30


def cmd_stats(args: argparse.Namespace) -> int:
    path = config.database_path(os.environ, args.database)
    days = DEFAULT_SINCE_DAYS if args.since is None else int(args.since)
    if days < 1:
        print(f"--since has value {days}. Use a number of days, 1 or more.", file=sys.stderr)
        return 2
    if not path.exists():
        print(f"{path}: no database yet, so nothing is counted", file=sys.stderr)
        return 1
    today = _today(getattr(args, "today", None))
    since = today - timedelta(days=days - 1)
    counts = asyncio.run(_counts(path, since))
    print(format_report(counts, since=since, until=today))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    path = config.database_path(os.environ, args.database)
    if not path.exists():
        print(f"{path}: no database yet, so nothing to purge", file=sys.stderr)
        return 0
    result = asyncio.run(_purge(path, config.session_ttl(os.environ), datetime.now(UTC)))
    print(
        f"purged {result.sessions} session(s), {result.messages} message id(s), "
        f"{result.updates} update id(s)"
    )
    return 0


def _today(value: str | None) -> date:
    return date.fromisoformat(value) if value else datetime.now(UTC).date()


async def _counts(path: Path, since: date) -> tuple[UsageCount, ...]:
    async with await SqliteStore.open(path) as store:
        return await store.counts(since)


async def _purge(path: Path, ttl: timedelta, now: datetime) -> PurgeResult:
    async with await SqliteStore.open(path, session_ttl=ttl) as store:
        return await store.purge(now)
