"""Telegram: updates in, replies out, through the engine and the store.

    channel = TelegramChannel(bot, conversations, lambda: content, seen_update=store.seen_update,
                              metrics=metrics)
    await channel.start(webhook_url, secret)    # or webhook_url=None: long polling
    ok = await channel.process_json(body)       # the webhook: True -> 200, False -> 500

One update is handled in-line, start to end, under its chat's lock: read it, run the turn
(committed by ``Conversations``), answer a pressed button, send the replies, put their ids
on the ledger. There is no update queue: an update acknowledged is an update done. A
failure Telegram can cure by delivering again (the database, the network, flood control
beyond our patience) returns False, and replies the committed turn still owes wait for that
redelivery: rendered in the turn's own transaction and kept in the store until sent (so a
crash of the process loses none), with the progress of a half-sent delivery in a small
in-memory outbox. Anything else is logged by class and acknowledged, after a polite word
where possible.

Logs carry error classes only: no text, no chat or user ids.
"""

from __future__ import annotations

import html
import logging
import os
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import TypeVar

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
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
from telegram.warnings import PTBDeprecationWarning

from bot import metrics as outcomes
from bot.channels.outbox import Outbox
from bot.channels.pacing import Pacer
from bot.channels.telegram_commands import command_menus
from bot.channels.telegram_polling import Poller
from bot.channels.telegram_render import Key, Outgoing, decode, encode, render, utf16_length
from bot.channels.telegram_request import AiohttpRequest
from bot.channels.telegram_updates import Incoming, read_update
from bot.engine import Event
from bot.engine.locales import negotiate
from bot.flows.model import Content
from bot.i18n.renderer import Renderer, renderer_for
from bot.metrics import Metrics
from bot.service import Conversations, HandleResult
from bot.settings import SettingsError
from bot.storage import StorageError, TransientStoreError
from bot.storage.locks import KeyLocks

logger = logging.getLogger(__name__)
# Opt in to PTB's coming time periods (``retry_after`` as a timedelta): without it, every
# 429 raises a deprecation warning inside PTB itself.
os.environ.setdefault("PTB_TIMEDELTA", "true")

T = TypeVar("T")
SeenUpdate = Callable[[str, str], Awaitable[bool]]

CHANNEL = "telegram"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
APOLOGY_TEXT = "not_understood"
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids
MAX_NOTICE = 200  # characters of a callback query's notice
ATTEMPTS = 5  # of one Bot API call that fails on the network
# Seconds of 429s one call waits out before the update is handed back for redelivery;
# Telegram's own webhook request gives up after about a minute.
MAX_FLOOD_WAIT = 30.0
POLL_TIMEOUT = 30.0
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PERMANENT = (BadRequest, Forbidden, InvalidToken, Conflict, ChatMigrated)


@dataclass(frozen=True)
class _Delivery:
    """Messages owed to a chat; ``ledger`` is False for the confirmation of a forget."""

    chat_id: int
    messages: tuple[Outgoing, ...]
    ledger: bool = True


def make_bot(token: str, base_url: str | None = None) -> Bot:
    """A ``Bot`` on the aiohttp transport, for calls and for long polling."""
    # Long polls hold a connection open for POLL_TIMEOUT; they get their own small pool.
    poll = AiohttpRequest(connection_pool_size=2, read_timeout=POLL_TIMEOUT + 10)
    if base_url is None:
        return Bot(token, request=AiohttpRequest(), get_updates_request=poll)
    return Bot(token, base_url=base_url, request=AiohttpRequest(), get_updates_request=poll)


class TelegramChannel:
    def __init__(
        self,
        bot: Bot,
        conversations: Conversations,
        content: Callable[[], Content],
        *,
        seen_update: SeenUpdate,
        metrics: Metrics,
        protect_content: bool = True,
        pacer: Pacer | None = None,
        attempts: int = ATTEMPTS,
        poll_timeout: float = POLL_TIMEOUT,
    ) -> None:
        self.bot = bot
        self._conversations = conversations
        self._content = content
        self._seen = seen_update
        self._metrics = metrics
        self._protect = protect_content
        self._pacer = pacer or Pacer()
        self._attempts = attempts
        self._poll_timeout = poll_timeout
        self._chats = KeyLocks()
        self._outbox: Outbox[_Delivery] = Outbox()
        self._poller: Poller | None = None

    # --- life cycle ----------------------------------------------------------------------------

    async def start(self, webhook_url: str | None, secret: str) -> None:
        """Check the token, register the commands, then take updates by webhook or, without
        ``webhook_url``, by long polling in a task of its own.

        Raises :class:`SettingsError` naming the variable to check when Telegram refuses the
        token or the webhook address, or cannot be reached.
        """
        try:
            await self._connect(webhook_url, secret)
        except BaseException:
            await self.bot.shutdown()
            raise
        if webhook_url is None:
            self._poller = Poller(self._fetch, self.process, self._pacer.sleep)
            self._poller.start()

    async def _connect(self, webhook_url: str | None, secret: str) -> None:
        try:
            await self.bot.initialize()  # getMe: a wrong token fails here, at start
        except InvalidToken:
            # `from None`: PTB's own message for this quotes the token.
            raise SettingsError(
                "Telegram rejected TELEGRAM_BOT_TOKEN. Copy it again from @BotFather."
            ) from None
        except NetworkError as exc:
            raise SettingsError(
                f"Telegram's Bot API cannot be reached ({type(exc).__name__}). Check the "
                "network, and TELEGRAM_API_BASE_URL if it is set."
            ) from None
        await self.register_commands()
        if webhook_url is None:
            # A webhook left from another deployment would keep getUpdates from working.
            await self._call(lambda: self.bot.delete_webhook())
            return
        try:
            await self._call(
                lambda: self.bot.set_webhook(
                    webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
                )
            )
        except BadRequest as exc:
            raise SettingsError(
                f"Telegram refused TELEGRAM_WEBHOOK_URL {webhook_url!r}: {exc.message}"
            ) from None

    async def stop(self) -> None:
        """Stop polling (a batch being answered is finished first) and close the transport.
        A webhook stays registered: Telegram keeps updates for the next start."""
        if self._poller is not None:
            await self._poller.stop()
            self._poller = None
        await self.bot.shutdown()

    async def _fetch(self, offset: int | None) -> Sequence[Update]:
        try:
            return await self.bot.get_updates(
                offset=offset, timeout=int(self._poll_timeout), allowed_updates=ALLOWED_UPDATES
            )
        except Exception as exc:
            self._count(exc)
            raise

    async def register_commands(self) -> None:
        """The command menu in every offered language (see ``telegram_commands``)."""
        for code, commands in command_menus(self._content()):
            # A menu Telegram refuses (a description too long in one language) is no reason
            # to stay down: the commands work when typed, and the log says what to fix.
            try:
                await self._call(partial(self.bot.set_my_commands, commands, language_code=code))
            except BadRequest as exc:
                logger.warning("Telegram refused the command menu for %s: %s", code, exc.message)

    # --- one update ----------------------------------------------------------------------------

    async def process_json(self, data: object) -> bool:
        """Handle one update as Telegram sent it. True: done (or never doable), acknowledge
        it; False: a transient failure, have it delivered again."""
        try:
            if not isinstance(data, dict):
                raise TypeError("an update is a JSON object")
            update = Update.de_json(data, self.bot)
        except Exception as exc:
            logger.warning("unreadable update: %s", type(exc).__name__)
            self._metrics.updates.labels(CHANNEL, outcomes.FAILED).inc()
            return True
        return await self.process(update)

    async def process(self, update: Update) -> bool:
        """Handle one parsed update; see :meth:`process_json`."""
        started = time.perf_counter()
        outcome = await self._outcome(update)
        self._metrics.updates.labels(CHANNEL, outcome).inc()
        if outcome in (outcomes.PROCESSED, outcomes.DUPLICATE):
            self._metrics.turn_seconds.labels(CHANNEL).observe(time.perf_counter() - started)
        return outcome != outcomes.RETRY

    async def _outcome(self, update: Update) -> str:
        try:
            incoming = read_update(update, self._content())
        except Exception as exc:  # parsed by PTB but missing what Telegram always sends
            logger.warning("unreadable update: %s", type(exc).__name__)
            return outcomes.FAILED
        if incoming is None:
            return outcomes.IGNORED
        try:
            if not incoming.private:
                return await self._group(update.update_id, incoming)
            if incoming.event is None:
                return outcomes.IGNORED
            return await self._turn(str(update.update_id), incoming, incoming.event)
        except Exception as exc:
            if isinstance(exc, StorageError):
                self._metrics.store_failures.labels(exc.reason).inc()
            if is_transient(exc):
                logger.warning("update to be delivered again: %s", type(exc).__name__)
                return outcomes.RETRY
            logger.error("update failed: %s", type(exc).__name__)
            await self._apologise(incoming)
            return outcomes.FAILED

    async def _turn(self, update_id: str, incoming: Incoming, event: Event) -> str:
        person = str(incoming.chat_id)  # a private chat's id is its person's user id
        async with self._chats.hold(self._conversations.key(CHANNEL, person)):
            owed = self._outbox.take(update_id)
            if owed is not None:  # a redelivery of a turn whose replies were not all sent
                await self._deliver(update_id, owed)
                return outcomes.PROCESSED
            rendered: list[tuple[Outgoing, ...]] = []

            def owe(result: HandleResult) -> str | None:
                # Rendered inside the turn's transaction and kept with it, so a crash
                # before the sending still leaves the redelivery what it owes.
                if result.forgotten:
                    return None
                rendered.append(tuple(render(result.replies, self._renderer(result.locale))))
                return encode(rendered[0])

            result = await self._conversations.handle(
                CHANNEL, person, event, update_id=update_id, owe=owe
            )
            if result.duplicate:
                await self._answer(incoming.callback_id)
                if result.owed is None:
                    return outcomes.DUPLICATE
                # The process stopped after this turn committed: send what it still owes.
                await self._deliver(update_id, _Delivery(incoming.chat_id, decode(result.owed)))
                return outcomes.PROCESSED
            if result.forgotten:
                await self._forget(update_id, incoming, result)
                return outcomes.PROCESSED
            delivery = _Delivery(incoming.chat_id, rendered[0])
            # Owed from the moment the turn committed: whatever fails from here on, the
            # redelivery (a duplicate to the store) still gets these replies.
            self._outbox.keep(update_id, delivery)
            await self._answer(incoming.callback_id)
            theirs = () if incoming.message_id is None else (incoming.message_id,)
            await self._deliver(update_id, delivery, theirs)
        return outcomes.PROCESSED

    async def _group(self, update_id: int, incoming: Incoming) -> str:
        """A group: nothing is stored about anyone; one short answer that Lotsen works in
        private chats, when someone addresses it or adds it."""
        notice = self._private_only(incoming.language)
        if incoming.callback_id is not None:
            await self._answer(incoming.callback_id, notice[:MAX_NOTICE])
            return outcomes.IGNORED
        if not incoming.greet:
            return outcomes.IGNORED
        if await self._seen(CHANNEL, str(update_id)):
            return outcomes.DUPLICATE
        await self._send(incoming.chat_id, Outgoing(_escape(notice)))
        return outcomes.PROCESSED

    # --- /forget -------------------------------------------------------------------------------

    async def _forget(self, update_id: str, incoming: Incoming, result: HandleResult) -> None:
        """The store has forgotten the person; now the chat's messages, both sides, as far as
        the Bot API allows (under 48 hours old), then a confirmation that leaves no trace:
        a notice on the pressed button, or else one message that is not put on any ledger."""
        by_chat: dict[int, set[int]] = {}
        for entry in result.messages:
            chat = int(entry.chat_ref) if entry.chat_ref.lstrip("-").isdigit() else None
            if entry.message_id.isdigit():
                by_chat.setdefault(chat or incoming.chat_id, set()).add(int(entry.message_id))
        if incoming.message_id is not None:  # the /forget itself
            by_chat.setdefault(incoming.chat_id, set()).add(incoming.message_id)
        for chat, ids in by_chat.items():
            await self._delete(chat, sorted(ids))
        renderer = self._renderer(result.locale)
        said = [renderer.text(reply.text) for reply in result.replies if reply.text is not None]
        notice = said[0] if len(said) == 1 else ""
        if incoming.callback_id is not None and notice and utf16_length(notice) <= MAX_NOTICE:
            await self._answer(incoming.callback_id, notice)
            return
        await self._answer(incoming.callback_id)
        messages = tuple(render(result.replies, renderer))
        delivery = _Delivery(incoming.chat_id, messages, ledger=False)
        self._outbox.keep(update_id, delivery)
        await self._deliver(update_id, delivery)

    async def _delete(self, chat_id: int, ids: Sequence[int]) -> None:
        for start in range(0, len(ids), DELETE_BATCH):
            batch = list(ids[start : start + DELETE_BATCH])
            try:
                await self._call(partial(self.bot.delete_messages, chat_id, batch))
            except Exception as exc:  # the data is gone already; a message left is no reason
                logger.warning("could not delete messages: %s", type(exc).__name__)

    # --- sending -------------------------------------------------------------------------------

    async def _deliver(
        self, update_id: str, delivery: _Delivery, theirs: tuple[int, ...] = ()
    ) -> None:
        """Send every message of ``delivery`` in order, keeping what is still owed in the
        outbox under ``update_id`` until all is sent. A transient failure is raised (the
        update is then delivered again and the rest sent); a permanent one (the person
        blocked the bot, a message Telegram refuses) is logged and skipped.

        What was sent, and ``theirs`` (the person's own message), goes on the ledger in one
        transaction at the end, even when a send failed half-way.
        """
        owed = delivery.messages
        ledger = list(theirs)
        completed = False
        try:
            for index, message in enumerate(owed):
                self._outbox.keep(update_id, replace(delivery, messages=owed[index:]))
                try:
                    ledger.append(await self._send(delivery.chat_id, message))
                except Forbidden:
                    logger.info("the person has blocked the bot; replies dropped")
                    break
                except Exception as exc:
                    if is_transient(exc):
                        raise
                    logger.error("a message was refused: %s", type(exc).__name__)
                self._outbox.keep(update_id, replace(delivery, messages=owed[index + 1 :]))
            completed = True
        finally:
            if delivery.ledger:
                # Settled in the same commit that puts the sent ids on the ledger: a turn's
                # delivery costs one transaction, and what is owed goes when it is sent.
                settled = update_id if completed else None
                await self._remember(delivery.chat_id, ledger, settled)
        self._outbox.take(update_id)

    async def _send(self, chat_id: int, message: Outgoing) -> int:
        sent = await self._call(
            lambda: self.bot.send_message(
                chat_id,
                message.html,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(message.keyboard),
                protect_content=self._protect,
                link_preview_options=NO_PREVIEW,
            )
        )
        return sent.message_id

    async def _remember(
        self, chat_id: int, message_ids: Sequence[int], settled: str | None = None
    ) -> None:
        # chat_ref "": in a private chat the chat is the person, whose id /forget arrives from.
        ids = [str(message_id) for message_id in message_ids]
        await self._conversations.remember_messages(CHANNEL, str(chat_id), "", ids, settled=settled)

    async def _answer(self, callback_id: str | None, text: str | None = None) -> None:
        """Answer a pressed button (Telegram shows a spinner until then); failing to is no
        reason to fail the turn, which is done."""
        if callback_id is None:
            return
        try:
            await self._call(lambda: self.bot.answer_callback_query(callback_id, text=text))
        except Exception as exc:
            logger.warning("could not answer a button: %s", type(exc).__name__)

    async def _apologise(self, incoming: Incoming) -> None:
        """After a failure no redelivery can cure: a short word rather than silence."""
        await self._answer(incoming.callback_id)
        if not incoming.private:
            return
        content = self._content()
        text = renderer_for(content, negotiate(content, incoming.language)).interface(APOLOGY_TEXT)
        try:
            await self._send(incoming.chat_id, Outgoing(_escape(text)))
        except Exception as exc:
            logger.warning("could not apologise: %s", type(exc).__name__)

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        """One Bot API call, paced. A 429 is waited out for as long as Telegram asks, up to
        ``MAX_FLOOD_WAIT`` in all: it says when to come back, so giving up sooner would only
        lose a reply. A network error is retried ``attempts`` times, backing off."""
        failures = 0
        flood_wait = 0.0
        while True:
            await self._pacer.acquire()
            try:
                return await call()
            except PERMANENT as exc:
                self._count(exc)
                raise
            except RetryAfter as exc:
                self._count(exc)
                seconds = retry_seconds(exc)
                flood_wait += seconds
                if flood_wait > MAX_FLOOD_WAIT:
                    raise
                self._pacer.hold_off(seconds)
            except NetworkError as exc:  # TimedOut too
                self._count(exc)
                failures += 1
                if failures >= self._attempts:
                    raise
                await self._pacer.sleep(min(0.5 * 2 ** (failures - 1), 8.0))

    def _count(self, exc: Exception) -> None:
        self._metrics.api_errors.labels(CHANNEL, type(exc).__name__).inc()

    # --- texts ---------------------------------------------------------------------------------

    def _renderer(self, locale: str | None) -> Renderer:
        return renderer_for(self._content(), locale)

    def _private_only(self, language: str | None) -> str:
        content = self._content()
        return renderer_for(content, negotiate(content, language)).interface("private_only")


def _markup(keyboard: tuple[tuple[Key, ...], ...]) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(key.label, callback_data=key.data) for key in row]
            for row in keyboard
        ]
    )


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def is_transient(exc: BaseException) -> bool:
    """Whether delivering the update again may succeed: the database or the network was
    down, or Telegram's flood control outlasted our retries."""
    if isinstance(exc, PERMANENT):
        return False
    return isinstance(exc, RetryAfter | NetworkError | TransientStoreError | OSError | TimeoutError)


def retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type this PTB version gives it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


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


def quiet_library_logs() -> None:
    for name in ("telegram", "telegram.Bot", "telegram.request.BaseRequest"):
        logging.getLogger(name).addFilter(_SCRUB)  # adding twice is a no-op


quiet_library_logs()  # on import: a Bot logs its token-bearing URL as it is made
