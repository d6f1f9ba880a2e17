"""Malformed and hostile updates, generated with hypothesis and posted to the webhook: never
an unhandled exception, never a traceback (or an error's name) shown to a person, never a
crash loop. One server takes every example, so damage from one would show in the next;
after them all, a person starting a conversation still gets the welcome.

Derandomized, no example database, a bounded number of examples: the same cases on every run.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from tests.telegram_fixtures import CHAT, WEBHOOK_SECRET, Harness, telegram_server

EXAMPLES = 300
START_TEXTS = ["Hej! Jag är Lotsen.\n\nJag är inte polisen."]  # one message: a turn is one
FRESH_CHAT = 630_000_001  # no generated update uses it
# What a person must never read: Python's words for its own failures.
LEAKS = ("Traceback", "Error", "Exception", 'File "', "NoneType", "KeyError")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
ids = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63),
    st.sampled_from([0, -1, CHAT, -100123, 2**53 + 1]),
    st.text(max_size=5),
    st.none(),
)
texts = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=3000, max_size=5000),
    st.sampled_from(["/start", "/language", "/language xx", "/forget", "/112", "/back"]).flatmap(
        lambda command: st.text(max_size=70).map(lambda tail: f"{command} {tail}")
    ),
    st.just("<b>fet</b> &amp; <script>"),
)
chat_types = st.sampled_from(["private", "group", "supergroup", "channel", "", "x"])


def _user(user_id: Any, language: Any) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "P", "language_code": language}


@st.composite
def shaped_updates(draw: Callable[[Any], Any]) -> dict[str, Any]:
    """Updates of the right shape with hostile values, some keys dropped or replaced."""
    chat_id = draw(ids)
    chat = {"id": chat_id, "type": draw(chat_types), "first_name": "P", "title": "T"}
    user = _user(chat_id, draw(st.one_of(st.text(max_size=12), st.none(), st.integers())))
    message: dict[str, Any] = {
        "message_id": draw(ids),
        "date": draw(st.integers(min_value=-(2**40), max_value=2**40)),
        "chat": chat,
        "from": user,
        "text": draw(texts),
    }
    if draw(st.booleans()):
        message["entities"] = [
            {
                "type": "bot_command",
                "offset": draw(st.integers(-5, 100)),
                "length": draw(st.integers(-5, 100)),
            }
        ]
    kind = draw(st.sampled_from(["message", "edited_message", "callback_query", "my_chat_member"]))
    body: dict[str, Any]
    if kind == "callback_query":
        body = {
            "id": draw(st.text(max_size=10)),
            "from": user,
            "chat_instance": "ci",
            "message": message,
            "data": draw(
                st.one_of(
                    st.text(max_size=64),
                    st.sampled_from(
                        ["n.emergency", "n.forget", "n.back", "l.ar", "l.", "o...", "o.x.y.999999"]
                    ),
                )
            ),
        }
    elif kind == "my_chat_member":
        status = draw(st.sampled_from(["member", "left", "kicked", "administrator", "?"]))
        body = {
            "chat": chat,
            "from": user,
            "date": 1,
            "old_chat_member": {"user": user, "status": "left"},
            "new_chat_member": {"user": user, "status": status},
        }
    else:
        body = message
    update: dict[str, Any] = {"update_id": draw(ids), kind: body}
    for _ in range(draw(st.integers(0, 2))):  # break a field or two
        target = draw(st.sampled_from([update, body, message, chat, user]))
        if target:
            key = draw(st.sampled_from(sorted(target)))
            if draw(st.booleans()):
                del target[key]
            else:
                target[key] = draw(json_values)
    return update


bodies = st.one_of(
    shaped_updates().map(lambda update: json.dumps(update).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=200),
)


# Found by the test above, kept as plain cases: each was an exception that escaped the turn.
FOUND = {
    "a message without a chat": {
        "update_id": 1,
        "message": {"message_id": 1, "date": 0, "text": "hej", "from": _user(CHAT, "sv")},
    },
    "a language code that is a number": {
        "update_id": 2,
        "message": {
            "message_id": 2,
            "date": 0,
            "text": "hej",
            "chat": {"id": CHAT, "type": "private"},
            "from": _user(CHAT, 0),
        },
    },
}


@pytest.mark.parametrize("update", list(FOUND.values()), ids=list(FOUND))
def test_found_cases_are_answered_200_without_a_failed_turn(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, update: dict[str, Any]
) -> None:
    async def main() -> int:
        async with telegram_server(tmp_path) as bot:
            return (await bot.post(update)).status

    assert asyncio.run(main()) == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _leaks(bot: Harness) -> list[str]:
    said = [str(call.params.get("text", "")) for call in bot.fake.calls]
    return [text for text in said if any(word in text for word in LEAKS)]


def test_hostile_updates_never_break_the_server(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with asyncio.Runner() as runner:
        server = telegram_server(tmp_path)
        bot = runner.run(server.__aenter__())
        try:

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(body=bodies)
            def post(body: bytes) -> None:
                async def send() -> int:
                    response = await bot.client.post(
                        WEBHOOK_PATH,
                        data=body,
                        headers={SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"},
                    )
                    await response.read()
                    return response.status

                assert runner.run(send()) == 200

            post()
            assert _leaks(bot) == []
            # Still up and answering a person, in the same process.
            response = runner.run(bot.post(bot.fake.text_update(FRESH_CHAT, "/start")))
            assert response.status == 200
            assert bot.fake.texts(FRESH_CHAT) == START_TEXTS
        finally:
            runner.run(server.__aexit__(None, None, None))
    # Handled, every one: no exception escaped to aiohttp, and no turn failed on its input.
    # A reply Telegram refuses (400: a chat id that does not exist) is logged and dropped.
    refused = ("update failed: BadRequest", "a message was refused: BadRequest")
    unhandled = [
        r.getMessage()
        for r in caplog.records
        if r.name == "aiohttp.server"
        or r.exc_info is not None
        or (r.levelno >= logging.ERROR and r.getMessage() not in refused)
    ]
    assert unhandled == []
