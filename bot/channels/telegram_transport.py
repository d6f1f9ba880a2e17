"""Telegram's calls for the delivery: python-telegram-bot on the aiohttp transport.

    bot = make_bot(token, base_url)   # also quiets PTB's logs, before the Bot can log its token
    transport = TelegramTransport(bot, protect_content=True)
    message_id = await transport.send("555000111", Outgoing("Hej"))

One attempt per call: ``bot.channels.delivery`` paces and retries them, asking
:func:`classify` what an error means. Nothing here runs on import: PTB's settings and its
loggers are touched by :func:`prepare_library`, which ``make_bot`` calls.
"""

from __future__ import annotations

import json
import logging
import os
import re
import warnings
from collections.abc import Sequence
from datetime import timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.channels.channel import POLL_TIMEOUT
from bot.channels.telegram import WEBHOOK_REPLY
from bot.channels.telegram_render import Key, Outgoing
from bot.channels.telegram_request import AiohttpRequest
from bot.channels.transport import Failure, Verdict

DELETE_BATCH = 100  # deleteMessages takes at most 100 ids
NO_PREVIEW_JSON = {"is_disabled": True}
# BadRequest is a NetworkError to PTB: it must be told apart before the network errors.
PERMANENT = (BadRequest, InvalidToken, Conflict, ChatMigrated)
_WHOLE_NUMBER = re.compile(r"-?\d+")
LIBRARY_LOGGERS = ("telegram", "telegram.Bot", "telegram.request.BaseRequest")
# A long poll's connection may stay quiet for its whole timeout; give it more than that.
POLL_READ_TIMEOUT = POLL_TIMEOUT + 10


def make_bot(token: str, base_url: str | None = None) -> Bot:
    """A ``Bot`` on the aiohttp transport, for calls and for long polling."""
    prepare_library()
    # Long polls hold a connection open for POLL_TIMEOUT; they get their own small pool.
    poll = AiohttpRequest(connection_pool_size=2, read_timeout=POLL_READ_TIMEOUT)
    if base_url is None:
        return Bot(token, request=AiohttpRequest(), get_updates_request=poll)
    return Bot(token, base_url=base_url, request=AiohttpRequest(), get_updates_request=poll)


class TelegramTransport:
    """The Bot API calls of a delivery (``bot.channels.delivery.Transport``)."""

    delete_batch = DELETE_BATCH

    def __init__(self, bot: Bot, *, protect_content: bool) -> None:
        self._bot = bot
        self._protect = protect_content
        if not isinstance(bot.request, AiohttpRequest):
            raise TypeError("TelegramTransport sends on an AiohttpRequest (see make_bot)")
        self._request = bot.request
        self._send_url = f"{bot.base_url}/sendMessage"

    async def send(self, chat: str, message: Outgoing) -> str:
        """``sendMessage``, encoded here and posted as it is (``AiohttpRequest.post_json``):
        PTB's ``Bot`` would encode every parameter twice, then build a ``Message`` (and its
        chat, user and entities) from the answer; together that cost more than the call
        itself under load, and only the message id is wanted."""
        params: dict[str, object] = {
            "chat_id": _chat_id(chat),
            "text": message.html,
            "parse_mode": ParseMode.HTML.value,
            "protect_content": self._protect,
            "link_preview_options": NO_PREVIEW_JSON,
        }
        if message.keyboard:
            params["reply_markup"] = {"inline_keyboard": _keyboard_json(message.keyboard)}
        body = json.dumps(params, ensure_ascii=False, separators=(",", ":")).encode()
        sent = await self._request.post_json(self._send_url, body)
        return str(sent.get("message_id", "")) if isinstance(sent, dict) else ""

    async def delete(self, chat: str, message_ids: Sequence[str]) -> None:
        numbers = [int(message_id) for message_id in message_ids if message_id.isdigit()]
        if numbers:  # a message id Telegram never gave is no message to delete
            await self._bot.delete_messages(_chat_id(chat), numbers)

    async def acknowledge(self, button: str, notice: str | None) -> None:
        """Inside a webhook request, the answer rides on the webhook's own response (one
        request fewer per press; the spinner stops when the replies are sent); by long
        polling, or when that slot is taken, it is a call."""
        reply = WEBHOOK_REPLY.get()
        if reply is not None and not reply:
            reply.update({"method": "answerCallbackQuery", "callback_query_id": button})
            if notice:
                reply["text"] = notice
            return
        await self._bot.answer_callback_query(button, text=notice)

    def classify(self, error: Exception) -> Verdict | None:
        return classify(error)


def classify(error: Exception) -> Verdict | None:
    """A Bot API error as the delivery sees it; None for anything else (PTB's own bugs, an
    answer that is not JSON), which is raised at once."""
    if isinstance(error, Forbidden):
        return Verdict(Failure.BLOCKED)
    if isinstance(error, PERMANENT):
        return Verdict(Failure.PERMANENT)
    if isinstance(error, RetryAfter):
        return Verdict(Failure.RATE_LIMITED, retry_seconds(error))
    if isinstance(error, NetworkError):  # TimedOut too
        return Verdict(Failure.TRANSIENT)
    return None


def retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type this PTB version gives it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_id(chat: str) -> int | str:
    """A chat id as Telegram takes it: a number; anything else as it came, to be refused."""
    return int(chat) if _WHOLE_NUMBER.fullmatch(chat) else chat


def _keyboard_json(keyboard: tuple[tuple[Key, ...], ...]) -> list[list[dict[str, str]]]:
    return [[{"text": key.label, "callback_data": key.data} for key in row] for row in keyboard]


# --- the library's habits ------------------------------------------------------------------


class _Scrubbed(logging.Filter):
    """PTB logs every call's parameters at DEBUG (texts, chat ids, the token in the URL)
    and, on a parse error, the whole update. Keep its warnings, without their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG:
            return False
        if record.exc_info and record.exc_info[0] is not None:
            record.msg = f"{record.msg} ({record.exc_info[0].__name__})"
        record.args, record.exc_info, record.exc_text = (), None, None
        return True


_SCRUB = _Scrubbed()


def prepare_library() -> None:
    """Scrub PTB's logs (a Bot logs its token-bearing URL as it is made), and opt in to its
    coming time periods (``retry_after`` as a timedelta): without that, every 429 raises a
    deprecation warning inside PTB itself. Idempotent."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # getUpdates is called raw on purpose (see TelegramBot._fetch); PTB suggests its own
    # method each time.
    warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).addFilter(_SCRUB)  # adding twice is a no-op
