"""Long polling, for development: the same turns as the webhook, and the offset moves past an
update only once it is answered and committed."""

from __future__ import annotations

from pathlib import Path

from tests.engine_fixtures import option
from tests.storage_fixtures import run
from tests.telegram_fixtures import CHAT, telegram_server

START_TEXTS = ["Hej! Jag är Lotsen.\n\nJag är inte polisen."]  # one message: a turn is one


def test_a_conversation_by_polling(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path, webhook=False) as bot:
            assert "deleteWebhook" in bot.fake.methods()
            assert "setWebhook" not in bot.fake.methods()
            start = bot.fake.text_update(CHAT, "/start")
            other = bot.fake.text_update(CHAT + 1, "/start")
            bot.fake.push(start)
            bot.fake.push(other)
            await bot.wait_for(lambda: len(bot.fake.sent()) == 2)
            press = bot.fake.callback_update(CHAT, option("home.welcome", 0))
            bot.fake.push(press)
            await bot.wait_for(lambda: len(bot.fake.sent(CHAT)) == 2)
            await bot.wait_for(lambda: bot.fake.offsets[-1] == press["update_id"] + 1)
            assert bot.fake.texts(CHAT) == [*START_TEXTS, "Vad vill du veta?"]
            assert bot.fake.texts(CHAT + 1) == START_TEXTS
            assert other["update_id"] + 1 in bot.fake.offsets

    run(main())


def test_an_update_that_failed_for_now_is_fetched_again_and_answered_once(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path, webhook=False, attempts=1) as bot:
            bot.fake.fail("sendMessage", 1, status=500)
            start = bot.fake.text_update(CHAT, "/start")
            bot.fake.push(start)
            await bot.wait_for(lambda: len(bot.fake.sent(CHAT)) == 1)
            await bot.wait_for(lambda: bot.fake.offsets[-1] == start["update_id"] + 1)
            assert bot.fake.texts(CHAT) == START_TEXTS
            # Fetched again at its own offset: not confirmed before it was done.
            assert bot.fake.offsets.count(start["update_id"]) >= 1

    run(main())


def test_an_unreadable_update_in_a_batch_fails_alone(tmp_path: Path) -> None:
    """Each update of a batch is read on its own: one Telegram would not send (here, a
    message that is not an object, which made PTB's get_updates fail the whole batch, again
    and again) is counted as failed and passed over, and the rest are answered."""

    async def main() -> None:
        async with telegram_server(tmp_path, webhook=False) as bot:
            broken = bot.fake.text_update(CHAT + 2, "/start")
            broken["message"] = "not an object"
            start = bot.fake.text_update(CHAT, "/start")
            bot.fake.push(broken)
            bot.fake.push(start)
            await bot.wait_for(lambda: len(bot.fake.sent(CHAT)) == 1)
            await bot.wait_for(lambda: bot.fake.offsets[-1] == start["update_id"] + 1)
            assert bot.fake.texts(CHAT) == START_TEXTS
            metrics = await (await bot.client.get("/metrics")).text()
            assert 'lotsen_updates_total{channel="telegram",outcome="failed"} 1.0' in metrics

    run(main())
