"""What a Telegram update asks of Lotsen, read into the delivery's platform-free ``Arrival``.

    arrival = read_update(update, content)
    arrival.event        # Start / Choice / Text / Command / Unsupported, or None
    arrival.private      # False: a group; we say once that we work in private chats only

Typed text goes into the Event and nowhere else. The types here are PTB's ``Update`` and
friends, read only through their attributes; the modules that talk to the Bot API are
``bot.channels.telegram_bot`` and ``bot.channels.telegram_transport``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.channels.transport import Arrival
from bot.engine import Choice, Command, Event, Start, Text, Unsupported
from bot.engine.locales import negotiate
from bot.flows.model import Content

if TYPE_CHECKING:  # only for annotations: this module reads PTB's objects, never makes them
    from telegram import CallbackQuery, Message, Update

PRIVATE = "private"
# What a person can send that is not text; each is answered "I read text and buttons".
MEDIA = (
    "photo",
    "voice",
    "video",
    "video_note",
    "sticker",
    "document",
    "audio",
    "animation",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
)
# A deep link's payload (t.me/<bot>?start=<payload>): Telegram allows these, up to 64.
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
LANGUAGE_PREFIX = "l-"


def read_update(update: Update, content: Content) -> Arrival | None:
    """The update as an :class:`Arrival`; None for kinds Lotsen does not answer at all."""
    if update.callback_query is not None:
        return _callback(update.callback_query)
    if update.edited_message is not None:
        # An edit is not a new answer; re-reading it would act twice on one message.
        edited = update.edited_message
        hint = _hint(edited.from_user.language_code) if edited.from_user else None
        private = edited.chat.type == PRIVATE
        event = Unsupported("edited_message", locale_hint=hint) if private else None
        return Arrival(str(edited.chat.id), private, event, language=hint)
    if update.message is not None:
        return _message(update.message, content)
    member = update.my_chat_member
    if member is not None and member.chat.type != PRIVATE:
        joined = member.new_chat_member.status in ("member", "administrator")
        hint = _hint(member.from_user.language_code)
        return Arrival(str(member.chat.id), False, language=hint, greet=joined)
    return None


def _message(message: Message, content: Content) -> Arrival:
    hint = _hint(message.from_user.language_code) if message.from_user else None
    if message.chat.type != PRIVATE:
        # In a group the bot sees commands and mentions only (privacy mode): a command is
        # someone trying to use it, so it gets the answer; everything else is left alone.
        command = bool(message.text and message.text.startswith("/"))
        return Arrival(str(message.chat.id), False, language=hint, greet=command)
    event = _event(message, content, hint)
    mine = str(message.message_id)
    return Arrival(str(message.chat.id), True, event, mine, language=hint)


def _event(message: Message, content: Content, hint: str | None) -> Event | None:
    text = message.text
    if text is not None:
        if not text.startswith("/"):
            return Text(text, locale_hint=hint)
        name, _, arg = text[1:].partition(" ")
        name = name.split("@", 1)[0].lower()
        if name == "start":
            payload = arg.strip() if _PAYLOAD.fullmatch(arg.strip()) else ""
            language = deep_link_language(content, payload)
            return Start(payload=payload, locale_hint=language or hint)
        return Command(name, arg.strip(), locale_hint=hint)
    kind = next((kind for kind in MEDIA if getattr(message, kind, None)), None)
    return Unsupported(kind, locale_hint=hint) if kind else None


def _callback(query: CallbackQuery) -> Arrival:
    hint = _hint(query.from_user.language_code)
    message = query.message
    # No message: the button was on an inline message, which only a private user can press.
    chat_id = message.chat.id if message is not None else query.from_user.id
    private = message is None or message.chat.type == PRIVATE
    event = Choice(query.data or "", locale_hint=hint) if private else None
    return Arrival(str(chat_id), private, event, button=query.id, language=hint)


def _hint(language_code: object) -> str | None:
    """The user's ``language_code``; PTB passes on whatever the JSON held, and only a string
    is a language."""
    return language_code if isinstance(language_code, str) else None


def deep_link_language(content: Content, payload: str) -> str | None:
    """The language a deep link presets: ``t.me/<bot>?start=ar`` or ``?start=l-ar`` (the
    ``l-`` form combines with other parts: ``l-ar_m-stockholm``). None when it names none.

    The whole payload also goes to the engine as ``Start.payload``, where other parts
    (a municipality) can be read.
    """
    if not payload:
        return None
    for part in payload.split("_"):
        if part.startswith(LANGUAGE_PREFIX):
            return negotiate(content, part[len(LANGUAGE_PREFIX) :])
    codes = {language.code.lower().replace("_", "-") for language in content.languages}
    return negotiate(content, payload) if payload.lower() in codes else None
