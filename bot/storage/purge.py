"""The server's cleaner: purge now, then every ``interval`` seconds, until cancelled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.storage.protocol import Store

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 600.0  # seconds: a session outlives its TTL by at most this much


async def run_purge_periodically(
    store: Store,
    clock: Callable[[], datetime],
    interval: float = DEFAULT_INTERVAL,
    *,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> None:
    """Purge expired rows forever; start it as a task and cancel it on shutdown::

    task = asyncio.create_task(run_purge_periodically(store, lambda: datetime.now(UTC)))

    A failed purge is logged (its error class only) and tried again next time: the server
    keeps answering people meanwhile.
    """
    while True:
        try:
            result = await store.purge(clock())
        except Exception as exc:  # a bad purge must not end the task
            logger.error("purge failed: %s", type(exc).__name__)
        else:
            logger.info(
                "purged %d session(s), %d message id(s), %d update id(s)",
                result.sessions,
                result.messages,
                result.updates,
            )
        await sleep(interval)
