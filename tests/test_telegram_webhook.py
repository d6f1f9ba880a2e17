"""The Telegram webhook end to end: the server, the real engine and store, PTB on the aiohttp
transport, and a fake Bot API on 127.0.0.1 recording every call."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.engine import tokens
from bot.storage import TransientStoreError
from tests.engine_fixtures import OLD_VERSION, make_content, option
from tests.storage_fixtures import run, tables
from tests.telegram_fixtures import CHAT, TOKEN, WEBHOOK_SECRET, Harness, telegram_server

START_TEXTS = ["Hej! Jag är Lotsen.\n\nJag är inte polisen."]  # one message: a turn is one
MENU_TEXT = "Vad vill du veta?"


def _keyboard(params: dict[str, object]) -> list[list[dict[str, str]]]:
    markup = params.get("reply_markup")
    assert isinstance(markup, dict)
    rows = markup["inline_keyboard"]
    assert isinstance(rows, list)
    return rows


async def _start(bot: Harness, chat: int = CHAT) -> None:
    response = await bot.post(bot.fake.text_update(chat, "/start"))
    assert response.status == 200


def test_a_conversation_by_webhook(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            webhook = bot.fake.calls_to("setWebhook")
            assert webhook == [
                {
                    "url": "https://bot.example.se/telegram/webhook",
                    "secret_token": WEBHOOK_SECRET,
                    "allowed_updates": [
                        "message",
                        "edited_message",
                        "callback_query",
                        "my_chat_member",
                    ],
                }
            ]
            await _start(bot)
            assert bot.fake.texts(CHAT) == START_TEXTS
            # The turn's two texts in one message (one request), the buttons under it.
            [first] = bot.fake.sent(CHAT)
            assert first["parse_mode"] == "HTML" and first["protect_content"] is True
            rows = _keyboard(first)
            assert rows[0] == [{"text": "Börja", "callback_data": option("home.welcome", 0)}]
            assert [key["callback_data"] for row in rows[1:] for key in row] == [
                "n.emergency",
                "n.menu",
                "n.forget",
            ]
            assert all(len(key["callback_data"].encode()) <= 64 for row in rows for key in row)

            press = bot.fake.callback_update(
                CHAT, option("home.welcome", 0), message_id=first["message_id"]
            )
            pressed = await bot.post(press)
            assert pressed.status == 200
            assert bot.fake.texts(CHAT)[-1] == MENU_TEXT
            # The button is answered in the webhook's own response: no request of ours.
            assert await pressed.json() == {
                "method": "answerCallbackQuery",
                "callback_query_id": press["callback_query"]["id"],
            }
            assert bot.fake.calls_to("answerCallbackQuery") == []

            typed = await bot.post(bot.fake.text_update(CHAT, "meny"))
            assert typed.status == 200
            assert bot.fake.texts(CHAT)[-1] == MENU_TEXT

    run(main())


def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_processed(tmp_path: Path) -> None:
    async def main() -> tuple[int, int, int, list[str]]:
        async with telegram_server(tmp_path) as bot:
            before = len(bot.fake.calls)
            update = bot.fake.text_update(CHAT, "/start")
            missing = (await bot.post(update, secret=None)).status
            wrong = (await bot.post(update, secret=WEBHOOK_SECRET + "x")).status
            token = (await bot.post(update, secret=TOKEN)).status
            return missing, wrong, token, bot.fake.methods()[before:]

    missing, wrong, token, calls = run(main())
    assert (missing, wrong, token) == (401, 403, 403)
    assert calls == []
    assert not tables(tmp_path / "lotsen.sqlite3")["sessions"]
    assert not tables(tmp_path / "lotsen.sqlite3")["processed_updates"]


def test_a_redelivered_update_is_answered_once(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            update = bot.fake.text_update(CHAT, "/start")
            statuses = [(await bot.post(update)).status for _ in range(3)]
            assert statuses == [200, 200, 200]
            assert bot.fake.texts(CHAT) == START_TEXTS

            press = bot.fake.callback_update(CHAT, option("home.welcome", 0))
            answers = await asyncio.gather(bot.post(press), bot.post(press))
            assert bot.fake.texts(CHAT) == [*START_TEXTS, MENU_TEXT]
            # Both deliveries of the press are answered: Telegram shows a spinner until then.
            for answer in answers:
                assert (await answer.json())["method"] == "answerCallbackQuery"

    run(main())


def test_two_presses_at_once_are_answered_one_after_the_other(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            await _start(bot)
            begin = option("home.welcome", 0)
            presses = [bot.fake.callback_update(CHAT, begin) for _ in range(2)]
            responses = await asyncio.gather(*(bot.post(press) for press in presses))
            assert [response.status for response in responses] == [200, 200]
            # One press moved on; the other, on a button of a step left behind, gets the
            # stale-button note and the current step: never interleaved with the first.
            assert bot.fake.texts(CHAT)[1:] == [
                MENU_TEXT,
                f"Den knappen är gammal.\n\n{MENU_TEXT}",
            ]
            ids = [(await response.json())["callback_query_id"] for response in responses]
            assert ids == [press["callback_query"]["id"] for press in presses]

    run(main())


def test_a_button_from_before_a_content_change_gets_the_current_step(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            await _start(bot)
            old_button = option("home.welcome", 0)
            bot.content[0] = make_content(version="feedface00000000")
            press = bot.fake.callback_update(CHAT, old_button)
            pressed = await bot.post(press)
            assert pressed.status == 200
            assert bot.fake.texts(CHAT)[1:] == [f"Den knappen är gammal.\n\n{START_TEXTS[0]}"]
            rows = _keyboard(bot.fake.sent(CHAT)[-1])
            assert rows[0][0]["callback_data"] == tokens.option_token(
                "feedface00000000", "home.welcome", 0
            )
            assert await pressed.json() == {
                "method": "answerCallbackQuery",
                "callback_query_id": press["callback_query"]["id"],
            }
            garbage = bot.fake.callback_update(CHAT, f"o.{OLD_VERSION}.zzzzzz.99")
            assert (await bot.post(garbage)).status == 200
            assert bot.fake.texts(CHAT)[-1].startswith("Den knappen är gammal.\n\n")

    run(main())


def test_a_burst_under_flood_control_delivers_every_reply_once(tmp_path: Path) -> None:
    chats = [CHAT + n for n in range(6)]

    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            bot.fake.fail("sendMessage", 5, status=429, retry_after=1)
            updates = [bot.fake.text_update(chat, "/start") for chat in chats]
            responses = await asyncio.gather(*(bot.post(update) for update in updates))
            assert [response.status for response in responses] == [200] * len(chats)
            for chat in chats:
                assert bot.fake.texts(chat) == START_TEXTS
            refused = [c for c in bot.fake.calls_to("sendMessage") if "message_id" not in c]
            assert len(refused) == 5
            assert 1.0 in bot.time.sleeps  # retry_after was waited out
            metrics = await (await bot.client.get("/metrics")).text()
            assert 'lotsen_bot_api_errors_total{channel="telegram",error="RetryAfter"} 5.0' in (
                metrics
            )

    run(main())


def test_replies_not_sent_by_the_end_of_the_retries_are_sent_on_redelivery(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path, attempts=2) as bot:
            update = bot.fake.text_update(CHAT, "/start")
            bot.fake.fail("sendMessage", 3, status=500)
            assert (await bot.post(update)).status == 500
            assert bot.fake.texts(CHAT) == []
            assert (await bot.post(update)).status == 200
            assert bot.fake.texts(CHAT) == START_TEXTS
            assert (await bot.post(update)).status == 200
            assert bot.fake.texts(CHAT) == START_TEXTS

    run(main())


def test_a_database_failure_asks_for_redelivery(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            conversations = bot.conversations
            real = conversations.handle
            failures = [TransientStoreError("database is locked", reason="locked")]

            async def flaky(*args: Any, **kwargs: Any) -> Any:
                if failures:
                    raise failures.pop()
                return await real(*args, **kwargs)

            conversations.handle = flaky  # type: ignore[method-assign]
            update = bot.fake.text_update(CHAT, "/start")
            assert (await bot.post(update)).status == 500
            assert bot.fake.texts(CHAT) == []
            assert (await bot.post(update)).status == 200
            assert bot.fake.texts(CHAT) == START_TEXTS

    run(main())


def test_a_flood_wait_longer_than_a_webhook_can_wait_hands_the_update_back(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            update = bot.fake.text_update(CHAT, "/start")
            bot.fake.fail("sendMessage", 1, status=429, retry_after=600)
            assert (await bot.post(update)).status == 500
            assert bot.time.sleeps == []  # not waited out in-line: Telegram will come back
            assert (await bot.post(update)).status == 200
            assert bot.fake.texts(CHAT) == START_TEXTS

    run(main())
