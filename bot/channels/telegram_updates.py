"""What a Telegram update asks of Lotsen, read from its JSON into the delivery's ``Arrival``.

    incoming = read_update(json.loads(body), content)
    incoming.update_id           # 123456789: Telegram's id of the delivery, for dedupe
    incoming.arrival.event       # Start / Choice / Text / Command / Unsupported, or None
    incoming.arrival.private     # False: a group; we say once that we work in private chats only
    read_update({"update_id": "x"}, content)   # UnreadableUpdate("update_id")

The JSON is read directly, and only the few fields Lotsen uses (the Bot API's ``Update``,
https://core.telegram.org/bots/api#update). python-telegram-bot's ``Update.de_json`` builds
an object for everything an update carries, the pressed message's whole text and keyboard
included: under load that cost more than the turn's engine step (``bench/``). Reading the
raw JSON also keeps one bad update in a polled batch from failing the batch: PTB's
``get_updates`` parses all or nothing.

Every field read is checked for its type; an update missing what Telegram always sends, or
with a value of the wrong type, raises :class:`UnreadableUpdate` naming the field (never its
value). Typed text goes into the Event and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.channels.transport import Arrival
from bot.engine import Choice, Command, Event, Start, Text, Unsupported
from bot.engine.locales import negotiate
from bot.flows.model import Content

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

JSONObject = Mapping[str, Any]


class UnreadableUpdate(ValueError):
    """The update lacks a field Telegram always sends, or has one of the wrong type. The
    message names the field, never what it held (it may be what a person typed)."""


@dataclass(frozen=True)
class Incoming:
    """One update: Telegram's id for it, and what it asks (None: nothing Lotsen answers)."""

    update_id: int
    arrival: Arrival | None


def read_update(data: object, content: Content) -> Incoming:
    """The update as an :class:`Incoming`; raises :class:`UnreadableUpdate`."""
    if not isinstance(data, Mapping):
        raise UnreadableUpdate("update")
    return Incoming(_int(data, "update_id"), _arrival(data, content))


def update_id_of(data: object) -> int | None:
    """The update's id, or None where it has none to read (long polling's offset)."""
    if isinstance(data, Mapping):
        value = data.get("update_id")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def chat_of(data: object) -> str | None:
    """The chat an update is from, so that long polling answers one chat's updates in order;
    None where it names none that can be read (it is then answered on its own)."""
    if not isinstance(data, Mapping):
        return None
    try:
        for kind in ("message", "edited_message", "my_chat_member"):
            holder = _object(data, kind)
            if holder is not None:
                return _chat(holder)[0]
        query = _object(data, "callback_query")
        if query is not None:
            message = _object(query, "message")
            if message is not None:
                return _chat(message)[0]
            return str(_int(_required(query, "from"), "id"))
    except UnreadableUpdate:
        return None
    return None


def _arrival(update: JSONObject, content: Content) -> Arrival | None:
    query = _object(update, "callback_query")
    if query is not None:
        return _callback(query)
    edited = _object(update, "edited_message")
    if edited is not None:
        # An edit is not a new answer; re-reading it would act twice on one message.
        hint = _sender_language(edited)
        chat_id, private = _chat(edited)
        event = Unsupported("edited_message", locale_hint=hint) if private else None
        return Arrival(chat_id, private, event, language=hint)
    message = _object(update, "message")
    if message is not None:
        return _message(message, content)
    member = _object(update, "my_chat_member")
    if member is not None:
        chat_id, private = _chat(member)
        if private:
            return None
        status = _string(_required(member, "new_chat_member"), "status")
        joined = status in ("member", "administrator")
        hint = _sender_language(member)
        return Arrival(chat_id, False, language=hint, greet=joined)
    return None


def _message(message: JSONObject, content: Content) -> Arrival:
    hint = _sender_language(message)
    chat_id, private = _chat(message)
    text = _optional_string(message, "text")
    if not private:
        # In a group the bot sees commands and mentions only (privacy mode): a command is
        # someone trying to use it, so it gets the answer; everything else is left alone.
        command = bool(text and text.startswith("/"))
        return Arrival(chat_id, False, language=hint, greet=command)
    event = _event(message, text, content, hint)
    mine = str(_int(message, "message_id"))
    return Arrival(chat_id, True, event, mine, language=hint)


def _event(
    message: JSONObject, text: str | None, content: Content, hint: str | None
) -> Event | None:
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
    kind = next((kind for kind in MEDIA if message.get(kind)), None)
    return Unsupported(kind, locale_hint=hint) if kind else None


def _callback(query: JSONObject) -> Arrival:
    button = _string(query, "id")
    sender = _required(query, "from")
    hint = _language(sender)
    message = _object(query, "message")
    if message is None:
        # The button was on an inline message, which only a private user can press.
        chat_id, private = str(_int(sender, "id")), True
    else:
        chat_id, private = _chat(message)
    data = _optional_string(query, "data") or ""
    event = Choice(data, locale_hint=hint) if private else None
    return Arrival(chat_id, private, event, button=button, language=hint)


def _chat(holder: JSONObject) -> tuple[str, bool]:
    """The chat a message (or a member change) is in: its id as text, and whether private."""
    chat = _required(holder, "chat")
    return str(_int(chat, "id")), _string(chat, "type") == PRIVATE


def _sender_language(holder: JSONObject) -> str | None:
    sender = _object(holder, "from")
    return _language(sender) if sender is not None else None


def _language(user: JSONObject) -> str | None:
    """The user's ``language_code``; optional, and only a string is a language (an odd value
    is no reason to refuse the update)."""
    code = user.get("language_code")
    return code if isinstance(code, str) else None


# --- typed reads ----------------------------------------------------------------------------


def _object(data: JSONObject, key: str) -> JSONObject | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise UnreadableUpdate(key)
    return value


def _required(data: JSONObject, key: str) -> JSONObject:
    value = _object(data, key)
    if value is None:
        raise UnreadableUpdate(key)
    return value


def _int(data: JSONObject, key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise UnreadableUpdate(key)
    return value


def _string(data: JSONObject, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise UnreadableUpdate(key)
    return value


def _optional_string(data: JSONObject, key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise UnreadableUpdate(key)
    return value


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
