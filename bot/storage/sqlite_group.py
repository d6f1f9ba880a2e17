"""Group commit for the SQLite store: the writes that arrive while a commit is under way go
to the database together, in one transaction and one trip to its thread.

    group = GroupCommit(run)             # run: SqliteStore._run, work(connection) on its thread
    result = await group.commit(work)    # work(connection) runs inside a transaction

The first write finds no commit running and goes at once, alone: an idle server adds no
wait. Under load, the turns that finish while it is on the thread queue behind it and go
next, all in one ``BEGIN IMMEDIATE ... COMMIT``, each in a savepoint of its own
(:func:`bot.storage.sqlite_rows.commit_group`), so one that fails (its session changed, a
constraint) is undone alone and the others still commit. Every caller is answered only when
the transaction holding its writes has committed, so "answered" still means "on disk": the
gain is in trips and commits, one for many turns instead of one each.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from bot.storage import sqlite_rows as rows
from bot.storage.sqlite_errors import as_store_error

Run = Callable[..., Awaitable[Any]]  # SqliteStore._run: work(connection, *args) on its thread
MAX_GROUP = 64  # writes per transaction, so one commit never holds the file for long


class GroupCommit:
    """Commits ``work`` functions in groups, in the order they arrive."""

    def __init__(self, run: Run) -> None:
        self._run = run
        self._queue: list[tuple[rows.Write, asyncio.Future[Any]]] = []
        self._leader: asyncio.Task[None] | None = None

    async def commit(self, work: rows.Write) -> Any:
        """``work(connection)`` committed (with whatever else is waiting); its result, or its
        exception raised here. Whatever else failed is raised to its own caller only."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        if self._leader is None:
            self._leader = asyncio.create_task(self._drain())
        return await future

    async def settled(self) -> None:
        """Wait until every queued write is committed (or has failed): before closing."""
        while self._leader is not None:
            await asyncio.wait({self._leader})  # its writes' outcomes went to their callers

    async def _drain(self) -> None:
        try:
            while self._queue:
                group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
                works = [work for work, _ in group]
                try:
                    outcomes = await self._run(rows.commit_group, works)
                except BaseException as exc:  # the transaction itself failed: all of it
                    for _, future in group:
                        _answer(future, exc)
                    if isinstance(exc, asyncio.CancelledError):
                        raise
                    continue
                for (_, future), outcome in zip(group, outcomes, strict=True):
                    _answer(future, outcome)
        finally:
            self._leader = None
            for _, future in self._queue:  # cancelled mid-way (the loop is closing)
                _answer(future, asyncio.CancelledError())
            self._queue = []


def _answer(future: asyncio.Future[Any], outcome: object) -> None:
    if future.done():  # its caller was cancelled; the write went in all the same
        return
    if isinstance(outcome, sqlite3.Error):  # one write's own failure, as the store's error
        error = as_store_error(outcome)
        error.__cause__ = outcome
        future.set_exception(error)
    elif isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
