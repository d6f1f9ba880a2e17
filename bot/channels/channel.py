"""What a channel is to the server: configured from the environment, mounted, started, stopped.

    channel = TelegramChannel.configure(env, secret)  # None: its settings are absent, it is off
    channel.mount(app, services)                      # its routes on the server's application
    await channel.start()                             # with the server; stop() when it stops

``bot.channels.registry.CHANNELS`` lists every channel type; the server loops over it and
knows no platform by name. A channel reads its own variables, so its settings live in its own
module; a partial or malformed one raises :class:`bot.settings.SettingsError` naming the
variable, and the server does not start.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web

from bot.channels.pacing import Pacer
from bot.flows.model import Content
from bot.metrics import Metrics
from bot.service import Conversations

ATTEMPTS = 5  # of one platform call that fails on the network
POLL_TIMEOUT = 30.0  # seconds one long poll waits for updates


@dataclass(frozen=True)
class Tuning:
    """How a channel sends and polls. Tests pass a pacer on a fake clock; the benchmark an
    unlimited one. ``pacer`` None: each channel paces itself at its platform's limits, times
    ``share``, this instance's part of them when several instances send for one bot."""

    pacer: Pacer | None = None
    attempts: int = ATTEMPTS
    poll_timeout: float = POLL_TIMEOUT
    share: float = 1.0

    def paced(self, rate: float) -> Pacer:
        """The given pacer, else one at this instance's share of ``rate`` a second."""
        if self.pacer is not None:
            return self.pacer
        mine = rate * self.share
        return Pacer(rate=mine, burst=max(mine, 1.0))


@dataclass(frozen=True)
class Services:
    """What the server lends every channel: the conversations (and through them the store),
    the live content (asked on every turn, so a reloaded pack applies at once) and the
    metrics."""

    conversations: Conversations
    content: Callable[[], Content]
    metrics: Metrics = field(default_factory=Metrics)
    tuning: Tuning = field(default_factory=Tuning)


class Channel(Protocol):
    """A way people reach Lotsen."""

    @classmethod
    def configure(cls, env: Mapping[str, str], secret: bytes) -> Channel | None:
        """The channel as ``env`` sets it up; None (and a log line saying so) when its
        settings are absent. ``secret`` is the server's key, to derive the channel's own."""
        ...

    def mount(self, app: web.Application, services: Services) -> None:
        """Put the channel's routes on ``app``; nothing is started yet."""
        ...

    async def start(self) -> None:
        """Begin taking updates; raises SettingsError when the platform refuses the settings."""
        ...

    async def stop(self) -> None:
        """Finish what is being answered and let go of the platform."""
        ...
