"""Telegram's update JSON read directly: what each kind asks, and a clear refusal (naming the
field, never its value) for anything Telegram would not send."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.channels.telegram_updates import (
    UnreadableUpdate,
    chat_of,
    read_update,
    update_id_of,
)
from bot.engine import Choice, Command, Start, Text, Unsupported
from tests.engine_fixtures import CONTENT
from tests.fake_bot_api import FakeBotApi

CHAT = 555_000_111
SECRET_TEXT = "Min son heter Zacharias-7731"  # must never show in an error


def _fake() -> FakeBotApi:
    return FakeBotApi()


def _pressed_with_keyboard(data: str) -> dict[str, Any]:
    """A press as Telegram sends it: with the pressed message's whole text and keyboard."""
    update = _fake().callback_update(CHAT, data, message_id=41, language="ar")
    message = update["callback_query"]["message"]
    message["text"] = "Vad vill du veta? " * 30
    message["reply_markup"] = {
        "inline_keyboard": [[{"text": f"Val {n}", "callback_data": f"o.x.{n}"}] for n in range(8)]
    }
    return update


def test_a_press_is_a_choice_with_its_button_chat_and_language() -> None:
    update = _pressed_with_keyboard("o.home.welcome.0")
    incoming = read_update(update, CONTENT)
    assert incoming.update_id == update["update_id"]
    arrival = incoming.arrival
    assert arrival is not None
    assert (arrival.chat, arrival.private, arrival.language) == (str(CHAT), True, "ar")
    assert arrival.event == Choice("o.home.welcome.0", locale_hint="ar")
    assert arrival.button == update["callback_query"]["id"]


def test_a_press_on_an_inline_message_is_the_senders_own_chat() -> None:
    update = _fake().callback_update(CHAT, "n.back")
    del update["callback_query"]["message"]
    arrival = read_update(update, CONTENT).arrival
    assert arrival is not None and (arrival.chat, arrival.private) == (str(CHAT), True)


def test_texts_commands_deep_links_and_media() -> None:
    fake = _fake()
    text = read_update(fake.text_update(CHAT, SECRET_TEXT, language="fa"), CONTENT).arrival
    assert text is not None and text.event == Text(SECRET_TEXT, locale_hint="fa")
    assert text.message_id is not None and text.message_id.isdigit()
    command = read_update(fake.text_update(CHAT, "/language@LotsenBot ar"), CONTENT).arrival
    assert command is not None and command.event == Command("language", "ar", locale_hint="sv")
    start = read_update(fake.text_update(CHAT, "/start l-en_m-0180"), CONTENT).arrival
    assert start is not None and start.event == Start(payload="l-en_m-0180", locale_hint="en")
    hostile = read_update(fake.text_update(CHAT, "/start <script>"), CONTENT).arrival
    assert hostile is not None and hostile.event == Start(payload="", locale_hint="sv")
    photo = read_update(fake.media_update(CHAT, "photo"), CONTENT).arrival
    assert photo is not None and photo.event == Unsupported("photo", locale_hint="sv")
    edit = read_update(fake.edited_update(CHAT, 3, "ändrat"), CONTENT).arrival
    assert edit is not None and edit.event == Unsupported("edited_message", locale_hint="sv")


def test_groups_are_greeted_only_when_addressed_or_joined() -> None:
    fake = _fake()
    command = read_update(fake.text_update(-100, "/start", chat_type="group"), CONTENT).arrival
    chatter = read_update(fake.text_update(-100, "hej alla", chat_type="group"), CONTENT).arrival
    joined = read_update(fake.added_to_group_update(-100, by=CHAT), CONTENT).arrival
    assert command is not None and (command.private, command.greet, command.event) == (
        False,
        True,
        None,
    )
    assert chatter is not None and (chatter.greet, chatter.event) == (False, None)
    assert joined is not None and (joined.chat, joined.greet) == ("-100", True)
    left = fake.added_to_group_update(-100, by=CHAT)
    left["my_chat_member"]["new_chat_member"]["status"] = "left"
    gone = read_update(left, CONTENT).arrival
    assert gone is not None and gone.greet is False


def test_kinds_lotsen_does_not_answer_are_read_as_nothing() -> None:
    incoming = read_update({"update_id": 9, "a_kind_from_the_future": {"x": 1}}, CONTENT)
    assert (incoming.update_id, incoming.arrival) == (9, None)


def _broken(path: tuple[str, ...], value: object) -> dict[str, Any]:
    update = copy.deepcopy(_fake().text_update(CHAT, SECRET_TEXT))
    target = update
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return update


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("update_id",), "x", "update_id"),
        (("update_id",), True, "update_id"),
        (("update_id",), KeyError, "update_id"),
        (("message",), 5, "message"),
        (("message", "chat"), KeyError, "chat"),
        (("message", "chat", "id"), "555000111", "id"),
        (("message", "chat", "type"), None, "type"),
        (("message", "message_id"), 1.5, "message_id"),
        (("message", "text"), [SECRET_TEXT], "text"),
        (("message", "from"), SECRET_TEXT, "from"),
    ],
)
def test_an_update_Telegram_would_not_send_is_refused_naming_the_field(
    path: tuple[str, ...], value: object, field: str
) -> None:
    with pytest.raises(UnreadableUpdate) as raised:
        read_update(_broken(path, value), CONTENT)
    assert str(raised.value) == field
    assert "Zacharias" not in str(raised.value)


def test_not_an_object_is_refused() -> None:
    for data in (None, [1, 2], "update", 7):
        with pytest.raises(UnreadableUpdate):
            read_update(data, CONTENT)


def test_an_odd_language_code_is_no_language_and_no_refusal() -> None:
    update = _fake().text_update(CHAT, "hej")
    update["message"]["from"]["language_code"] = 0
    arrival = read_update(update, CONTENT).arrival
    assert arrival is not None and arrival.language is None


def test_the_chat_and_id_long_polling_orders_by() -> None:
    fake = _fake()
    assert chat_of(fake.text_update(CHAT, "hej")) == str(CHAT)
    assert chat_of(_pressed_with_keyboard("n.back")) == str(CHAT)
    assert chat_of(fake.added_to_group_update(-100, by=CHAT)) == "-100"
    assert chat_of(_broken(("message", "chat"), KeyError)) is None
    assert chat_of([1]) is None
    assert update_id_of({"update_id": 12}) == 12
    assert update_id_of({"update_id": "12"}) is None
    assert update_id_of(None) is None
