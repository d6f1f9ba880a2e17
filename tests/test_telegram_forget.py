"""/forget on Telegram: the stored data goes, then the chat's messages on both sides, and the
confirmation leaves no trace where Telegram allows it."""

from __future__ import annotations

from pathlib import Path

from tests.engine_fixtures import option
from tests.storage_fixtures import run, tables
from tests.telegram_fixtures import CHAT, Harness, telegram_server

FORGOTTEN = "Allt om dig är raderat."


async def _converse(bot: Harness) -> list[int]:
    """/start, a press, a typed word: returns every message id in the chat, both sides."""
    start = bot.fake.text_update(CHAT, "/start")
    await bot.post(start)
    await bot.post(bot.fake.callback_update(CHAT, option("home.welcome", 0)))
    typed = bot.fake.text_update(CHAT, "meny")
    await bot.post(typed)
    incoming = [start["message"]["message_id"], typed["message"]["message_id"]]
    return sorted(incoming + [params["message_id"] for params in bot.fake.sent(CHAT)])


def test_the_forget_button_deletes_the_chat_and_confirms_in_a_notice(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            ids = await _converse(bot)
            assert len(ids) == 5  # 2 typed, 3 sent (one message a turn)
            sent_before = len(bot.fake.sent(CHAT))
            press = bot.fake.callback_update(CHAT, "n.forget", message_id=ids[-1])
            pressed = await bot.post(press)
            assert pressed.status == 200

            assert bot.fake.deleted == {CHAT: ids}
            assert await pressed.json() == {  # in the webhook's own response
                "method": "answerCallbackQuery",
                "callback_query_id": press["callback_query"]["id"],
                "text": FORGOTTEN,
            }
            assert len(bot.fake.sent(CHAT)) == sent_before  # no new message to leave behind
            database = tables(bot.database)
            assert database["sessions"] == [] and database["ledger"] == []

    run(main())


def test_the_forget_command_deletes_itself_too_and_confirms_once(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            ids = await _converse(bot)
            forget = bot.fake.text_update(CHAT, "/forget")
            assert (await bot.post(forget)).status == 200
            assert bot.fake.deleted == {CHAT: [*ids, forget["message"]["message_id"]]}
            assert bot.fake.texts(CHAT)[-1] == FORGOTTEN
            # The confirmation is not put on a new ledger for someone just forgotten.
            assert tables(bot.database)["ledger"] == []
            assert tables(bot.database)["sessions"] == []

    run(main())


def test_a_long_chat_is_deleted_in_batches_of_100(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            for _ in range(60):  # 60 x (1 typed + 1 sent) = 120 messages
                await bot.post(bot.fake.text_update(CHAT, "/start"))
            await bot.post(bot.fake.text_update(CHAT, "/forget"))
            batches = [call["message_ids"] for call in bot.fake.calls_to("deleteMessages")]
            assert [len(batch) for batch in batches] == [100, 21]
            assert sorted(batches[0] + batches[1]) == list(range(1, 122))

    run(main())
