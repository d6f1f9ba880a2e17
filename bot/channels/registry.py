"""Every channel Lotsen has: the one list the server loops over.

    channels = configure(settings.environment, settings.secret)   # the ones that are on

A new channel is a module with a class that keeps the ``Channel`` protocol
(``bot.channels.channel``), and one line here. Importing this module loads no platform's
library: a channel loads its own when it starts.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.channels.channel import Channel
from bot.channels.telegram import TelegramChannel
from bot.channels.web import WebChannel
from bot.channels.whatsapp import WhatsAppChannel

CHANNELS: tuple[type[Channel], ...] = (
    WebChannel,
    TelegramChannel,
    WhatsAppChannel,
)


def configure(env: Mapping[str, str], secret: bytes) -> list[Channel]:
    """Each channel of :data:`CHANNELS` as ``env`` sets it up, leaving out the ones that are
    off. Raises ``SettingsError`` naming the variable when a channel's settings are partial
    or malformed."""
    configured = (kind.configure(env, secret) for kind in CHANNELS)
    return [channel for channel in configured if channel is not None]
