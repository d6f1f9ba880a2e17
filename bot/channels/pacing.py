"""Keeping under a platform's sending limits, and waiting out its flood control.

    pacer = Pacer(rate=30, burst=30)
    await pacer.acquire()            # before every call; waits when the bucket is empty
    pacer.hold_off(retry_after)      # after a 429: nobody sends until it has passed

Telegram allows a bot about 30 messages a second overall. A token bucket keeps a burst (a
step of three messages for ten people at once) within that without slowing a quiet bot, and
after a 429 every sender waits out ``retry_after`` together, since the limit is the bot's,
not one call's. The clock and the sleep come in as parameters so tests never wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]
# A wait shorter than this is rounding, not a wait: sleeping it may not move the clock at all.
_EPSILON = 1e-6


class Pacer:
    def __init__(
        self,
        rate: float = 30.0,
        burst: float = 30.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"Pacer needs rate > 0 and burst >= 1, not {rate} and {burst}")
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self.sleep = sleep
        self._tokens = burst
        self._updated = clock()
        self._blocked_until = 0.0

    async def acquire(self) -> None:
        """Wait until a call may be made, and take its token."""
        while True:
            now = self._clock()
            self._refill(now)
            wait = max(self._blocked_until - now, (1.0 - self._tokens) / self._rate, 0.0)
            if wait <= _EPSILON:
                self._tokens -= 1.0
                return
            await self.sleep(wait)

    def hold_off(self, seconds: float) -> None:
        """Let nobody send for ``seconds`` from now (a 429's ``retry_after``)."""
        self._blocked_until = max(self._blocked_until, self._clock() + max(seconds, 0.0))

    def _refill(self, now: float) -> None:
        elapsed = max(now - self._updated, 0.0)
        self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
        self._updated = now
