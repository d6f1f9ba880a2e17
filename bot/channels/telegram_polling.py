"""Long polling: getUpdates in a loop, for development and for hosts without a public address.

    poller = Poller(fetch, process, chat_of, sleep)
    poller.start()          # a task of its own
    await poller.stop()     # a batch being answered is finished first

The offset moves past an update only once it is answered and committed, so after a crash or a
transient failure it is fetched again (and the store drops what was already done). One chat's
updates are answered in order, different chats side by side. Updates are Telegram's JSON,
as ``getUpdates`` returned them: ``process`` reads each (``bot.channels.telegram_updates``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.channels.telegram_updates import update_id_of

logger = logging.getLogger(__name__)

Fetch = Callable[[int | None], Awaitable[Sequence[object]]]
Process = Callable[[object], Awaitable[bool]]  # False: fetch it again later
ChatOf = Callable[[object], str | None]  # None: an update to answer on its own
Sleep = Callable[[float], Awaitable[object]]
RETRY_DELAY = 1.0  # seconds after a failed fetch or a batch with an update to fetch again


class Poller:
    def __init__(self, fetch: Fetch, process: Process, chat_of: ChatOf, sleep: Sleep) -> None:
        self._fetch = fetch
        self._process = process
        self._chat_of = chat_of
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._fetching = False  # waiting on getUpdates: safe to cancel, nothing is lost
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is None:
            return
        if self._fetching:
            self._task.cancel()
        else:
            self._stopping = True  # let the batch being answered finish
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        offset: int | None = None
        while not self._stopping:
            self._fetching = True
            try:
                updates = await self._fetch(offset)
            except Exception as exc:
                logger.warning("polling failed: %s", type(exc).__name__)
                await self._sleep(RETRY_DELAY)
                continue
            finally:
                self._fetching = False
            if updates:
                # A batch with no update id to read (never from Telegram) leaves it as it was.
                following = await self._batch(updates)
                offset = offset if following is None else following

    async def _batch(self, updates: Sequence[object]) -> int | None:
        """Answer a batch; returns the next offset: after the batch, or at the first update
        that must be fetched again."""
        by_chat: dict[object, list[object]] = {}
        for position, update in enumerate(updates):
            chat = self._chat_of(update)
            by_chat.setdefault(("chat", chat) if chat is not None else position, []).append(update)
        failed = await asyncio.gather(*(self._in_order(chat) for chat in by_chat.values()))
        retry = [update_id for update_id in failed if update_id is not None]
        if retry:
            await self._sleep(RETRY_DELAY)
            return min(retry)
        ids = [update_id for update in updates if (update_id := update_id_of(update)) is not None]
        return max(ids) + 1 if ids else None

    async def _in_order(self, updates: list[object]) -> int | None:
        for update in updates:
            if not await self._process(update):
                return update_id_of(update)
        return None
