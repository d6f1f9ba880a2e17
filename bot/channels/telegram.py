"""Telegram as the server sees it: its settings, its webhook route, its life cycle.

    channel = TelegramChannel.configure(os.environ, secret)   # None without a bot token
    channel.mount(app, services)     # POST /telegram/webhook
    await channel.start()            # the bot (``telegram_bot``): webhook or long polling

This module imports no python-telegram-bot: a server without a token never loads it. The bot
is made when the channel starts (``bot.channels.telegram_bot``), after PTB's logs are
scrubbed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot import metrics as outcomes
from bot.channels.channel import Services
from bot.settings import SettingsError, flag

if TYPE_CHECKING:  # the bot imports python-telegram-bot: loaded when the channel starts
    from bot.channels.telegram_bot import TelegramBot

logger = logging.getLogger(__name__)

# One Bot API call the webhook's own answer carries (Telegram makes it for us): a pressed
# button's answerCallbackQuery, which then costs no request of ours. Set per webhook request;
# the transport fills it (bot.channels.telegram_transport), the webhook sends it back.
WEBHOOK_REPLY: ContextVar[dict[str, object] | None] = ContextVar(
    "telegram_webhook_reply", default=None
)

CHANNEL = "telegram"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram allows 1-256 of these characters in a webhook's secret token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram channel. ``webhook_url`` None means long polling (for development)."""

    token: str
    webhook_url: str | None
    webhook_secret: str
    api_base_url: str | None = None
    protect_content: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str], secret: bytes) -> TelegramSettings | None:
        """``TELEGRAM_*`` from ``env``; None without ``TELEGRAM_BOT_TOKEN``."""
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            return None
        if ":" not in token or any(c.isspace() or c == "/" for c in token):
            # Never echo a token, even a broken one: the log may be shared.
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token. Copy it from @BotFather: "
                "digits, a colon, then letters (123456:ABC-...)."
            )
        return cls(
            token=token,
            webhook_url=_webhook_url(env),
            webhook_secret=_webhook_secret(env, secret),
            api_base_url=env.get("TELEGRAM_API_BASE_URL", "").strip() or None,
            protect_content=flag(env, "TELEGRAM_PROTECT_CONTENT", default=True),
        )


def _webhook_url(env: Mapping[str, str]) -> str | None:
    url = env.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
    if url is not None and not url.startswith("https://"):
        raise SettingsError(
            f"TELEGRAM_WEBHOOK_URL has value {url!r}. Telegram delivers only to https:// "
            "addresses; leave it unset to use long polling."
        )
    return url


def _webhook_secret(env: Mapping[str, str], secret: bytes) -> str:
    """``TELEGRAM_WEBHOOK_SECRET``, else one derived from the secret key: stable across
    restarts and instances without another variable to manage, and useless to anyone who
    does not hold the key."""
    raw = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if not raw:
        return hmac.new(secret, b"telegram-webhook-secret", hashlib.sha256).hexdigest()
    if not _SECRET_TOKEN.fullmatch(raw):
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET has a value Telegram does not accept. Use 1 to 256 of the "
            "characters A-Z, a-z, 0-9, _ and -."
        )
    return raw


class TelegramChannel:
    """The channel (``bot.channels.channel.Channel``); the bot itself is made at start."""

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self._services: Services | None = None
        self._bot: TelegramBot | None = None

    @classmethod
    def configure(cls, env: Mapping[str, str], secret: bytes) -> TelegramChannel | None:
        settings = TelegramSettings.from_env(env, secret)
        if settings is None:
            logger.info("Telegram is off: TELEGRAM_BOT_TOKEN is not set")
            return None
        return cls(settings)

    def mount(self, app: web.Application, services: Services) -> None:
        self._services = services
        app.router.add_post(WEBHOOK_PATH, self._webhook)

    async def start(self) -> None:
        from bot.channels.telegram_bot import TelegramBot

        if self._services is None:
            raise RuntimeError("mount the Telegram channel before starting it")
        bot = TelegramBot(self.settings, self._services)
        await bot.start()
        self._bot = bot
        mode = "webhook" if self.settings.webhook_url else "long polling"
        logger.info("Telegram is on (%s)", mode)

    async def stop(self) -> None:
        if self._bot is not None:
            await self._bot.stop()
            self._bot = None

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        expected = self.settings.webhook_secret.encode()
        if given is None or not hmac.compare_digest(given.encode(), expected):
            if self._services is not None:
                self._services.metrics.updates.labels(CHANNEL, outcomes.REJECTED).inc()
            return web.Response(status=401 if given is None else 403)
        if self._bot is None:  # not started, or stopped: Telegram tries again later
            return web.Response(status=503)
        try:
            data = await request.json()
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read
            data = None  # answered 200 below: delivering it again would not mend it
        reply: dict[str, object] = {}
        token = WEBHOOK_REPLY.set(reply)
        try:
            done = await self._bot.process_json(data)
        finally:
            WEBHOOK_REPLY.reset(token)
        if not done:  # 500 asks Telegram to deliver the update again, later
            return web.Response(status=500)
        return web.json_response(reply) if reply else web.Response(status=200)
