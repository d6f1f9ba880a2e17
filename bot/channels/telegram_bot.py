"""A running Telegram bot: updates in through the reader, replies out through the delivery.

    bot = TelegramBot(settings, services)
    await bot.start()                       # by webhook, or long polling without its URL
    done = await bot.process_json(body)     # the webhook: True -> 200, False -> 500

Only what is Telegram's own is here: checking the token and registering the webhook and the
command menu at start, reading an update (``telegram_updates``), and groups, which get one
answer that Lotsen works in private chats. A private chat's turn, the sending, retries,
redeliveries and forgetting are the delivery's (``bot.channels.delivery``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from functools import partial

from telegram.error import BadRequest, InvalidToken, NetworkError

from bot import metrics as outcomes
from bot.channels.channel import Services
from bot.channels.delivery import Delivery
from bot.channels.telegram import CHANNEL, TelegramSettings
from bot.channels.telegram_commands import command_menus
from bot.channels.telegram_polling import Poller
from bot.channels.telegram_render import MAX_NOTICE, TelegramShape
from bot.channels.telegram_transport import POLL_READ_TIMEOUT, TelegramTransport, make_bot
from bot.channels.telegram_updates import Incoming, UnreadableUpdate, chat_of, read_update
from bot.channels.transport import Arrival
from bot.engine.locales import negotiate
from bot.i18n.renderer import renderer_for
from bot.settings import SettingsError

logger = logging.getLogger(__name__)

RATE = 30.0  # messages a second Telegram allows a bot overall
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")


class TelegramBot:
    def __init__(self, settings: TelegramSettings, services: Services) -> None:
        self.bot = make_bot(settings.token, settings.api_base_url)
        self._settings = settings
        self._content = services.content
        self._seen = services.conversations.seen_update
        self._poll_timeout = services.tuning.poll_timeout
        self._pacer = services.tuning.paced(RATE)
        self._shape = TelegramShape()
        transport = TelegramTransport(self.bot, protect_content=settings.protect_content)
        self._delivery = Delivery(CHANNEL, transport, self._shape, services, pacer=self._pacer)
        self._poller: Poller | None = None

    # --- life cycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token, register the commands, then take updates by webhook or, without
        a webhook address, by long polling in a task of its own.

        Raises :class:`SettingsError` naming the variable to check when Telegram refuses the
        token or the webhook address, or cannot be reached.
        """
        try:
            await self._connect(self._settings.webhook_url)
        except BaseException:
            await self.bot.shutdown()
            raise
        if self._settings.webhook_url is None:
            self._poller = Poller(self._fetch, self.process_json, chat_of, self._pacer.sleep)
            self._poller.start()

    async def _connect(self, webhook_url: str | None) -> None:
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
        await self._register_commands()
        if webhook_url is None:
            # A webhook left from another deployment would keep getUpdates from working.
            await self._delivery.call(self.bot.delete_webhook)
            return
        secret = self._settings.webhook_secret
        try:
            await self._delivery.call(
                partial(
                    self.bot.set_webhook,
                    webhook_url,
                    secret_token=secret,
                    allowed_updates=ALLOWED_UPDATES,
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

    async def _fetch(self, offset: int | None) -> Sequence[object]:
        """A batch of updates as Telegram sent them (``getUpdates`` on the long-poll
        connection pool), each read on its own: one unreadable update is that update's
        failure, not the batch's (PTB's ``get_updates`` parses all or nothing)."""
        timeout = int(self._poll_timeout)
        params: dict[str, object] = {"timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        try:
            updates = await self.bot.do_api_request(
                "getUpdates",
                api_kwargs=params,
                read_timeout=POLL_READ_TIMEOUT + timeout,
            )
        except Exception as exc:
            self._delivery.count_error(exc)
            raise
        if not isinstance(updates, list):
            raise TypeError("getUpdates answered something other than a list")
        return updates

    async def _register_commands(self) -> None:
        """The command menu in every offered language (see ``telegram_commands``)."""
        for code, commands in command_menus(self._content()):
            # A menu Telegram refuses (a description too long in one language) is no reason
            # to stay down: the commands work when typed, and the log says what to fix.
            try:
                await self._delivery.call(
                    partial(self.bot.set_my_commands, commands, language_code=code)
                )
            except BadRequest as exc:
                logger.warning("Telegram refused the command menu for %s: %s", code, exc.message)

    # --- one update ----------------------------------------------------------------------------

    async def process_json(self, data: object) -> bool:
        """Handle one update as Telegram sent it (its JSON, parsed). True: done (or never
        doable), acknowledge it; False: a transient failure, have it delivered again."""
        try:
            incoming = read_update(data, self._content())
        except UnreadableUpdate as exc:  # the field's name only, never what it held
            logger.warning("unreadable update: %s", exc)
            return self._delivery.record(outcomes.FAILED)
        started = time.perf_counter()
        return self._delivery.record(await self._outcome(incoming), started)

    async def _outcome(self, incoming: Incoming) -> str:
        arrival = incoming.arrival
        if arrival is None:
            return outcomes.IGNORED
        update_id = str(incoming.update_id)
        return await self._delivery.guard(arrival, partial(self._answer, update_id, arrival))

    async def _answer(self, update_id: str, arrival: Arrival) -> str:
        if not arrival.private:
            return await self._group(update_id, arrival)
        if arrival.event is None:
            return outcomes.IGNORED
        return await self._delivery.turn(update_id, arrival, arrival.event)

    async def _group(self, update_id: str, arrival: Arrival) -> str:
        """A group: nothing is stored about anyone; one short answer that Lotsen works in
        private chats, when someone addresses it or adds it."""
        content = self._content()
        notice = renderer_for(content, negotiate(content, arrival.language)).interface(
            "private_only"
        )
        if arrival.button is not None:
            await self._delivery.acknowledge(arrival.button, notice[:MAX_NOTICE])
            return outcomes.IGNORED
        if not arrival.greet:
            return outcomes.IGNORED
        if await self._seen(CHANNEL, update_id):
            return outcomes.DUPLICATE
        await self._delivery.send(arrival.chat, self._shape.plain(notice))
        return outcomes.PROCESSED
