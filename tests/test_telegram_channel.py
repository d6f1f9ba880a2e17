"""What the Telegram channel does besides a plain conversation: groups, photos and edits,
deep links, the command menu, updates it cannot read."""

from __future__ import annotations

import json
from pathlib import Path

from tests.storage_fixtures import run, tables
from tests.telegram_fixtures import CHAT, telegram_server

GROUP = -100123
UNSUPPORTED = "Jag kan bara läsa text."
PRIVATE_ONLY = "Jag läser bara privata chattar."


def test_photos_stickers_voice_and_edits_get_a_short_kind_answer(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            await bot.post(bot.fake.text_update(CHAT, "/start"))
            for kind in ("photo", "sticker", "voice"):
                assert (await bot.post(bot.fake.media_update(CHAT, kind))).status == 200
                assert bot.fake.texts(CHAT)[-1] == UNSUPPORTED
            edit = bot.fake.edited_update(CHAT, 1, "akut")  # never acted on a second time
            assert (await bot.post(edit)).status == 200
            assert bot.fake.texts(CHAT)[-1] == UNSUPPORTED
            assert bot.fake.texts(CHAT).count("Ring 112 om någon är i fara.") == 0

    run(main())


def test_a_group_gets_one_polite_answer_and_nothing_is_stored(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            added = bot.fake.added_to_group_update(GROUP, by=CHAT)
            command = bot.fake.text_update(GROUP, "/start@lotsen_test_bot", chat_type="group")
            chatter = bot.fake.text_update(GROUP, "hej allihop", chat_type="group")
            for update in (added, command, command, chatter):
                assert (await bot.post(update)).status == 200
            assert bot.fake.texts(GROUP) == [PRIVATE_ONLY, PRIVATE_ONLY]  # added, then /start
            database = tables(bot.database)
            assert database["sessions"] == [] and database["ledger"] == []
            assert database["usage"] == []

    run(main())


def test_a_deep_link_presets_the_language(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            await bot.post(bot.fake.text_update(CHAT, "/start l-ar_m-stockholm", language="sv"))
            await bot.post(bot.fake.text_update(CHAT + 1, "/start en", language="sv"))
            await bot.post(bot.fake.text_update(CHAT + 2, "/start", language="en-GB"))
            await bot.post(bot.fake.text_update(CHAT + 3, "/start <script>", language="sv"))
            locales = sorted(
                json.loads(row[2])["locale"] for row in tables(bot.database)["sessions"]
            )
            assert locales == ["ar", "en", "en", "sv"]

    run(main())


def test_the_command_menu_is_registered_per_language_from_the_packs_texts(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            calls = bot.fake.calls_to("setMyCommands")
            assert [call.get("language_code") for call in calls] == [None, "sv", "ar", "en"]
            default = {c["command"]: c["description"] for c in calls[0]["commands"]}
            assert list(default) == [
                "start", "menu", "112", "back", "language", "help", "privacy", "forget",
            ]  # fmt: skip
            # Described by the pack's own `command_*` texts.
            assert default["112"] == "Ring 112" and default["forget"] == "Glöm mig"
            assert default["language"] == "Välj språk" and default["start"] == "Börja om"

    run(main())


def test_an_update_that_cannot_be_read_is_acknowledged(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            headers = {"X-Telegram-Bot-Api-Secret-Token": "the-webhook-secret_42"}
            for body in (b"not json", b"[1, 2]", b'{"update_id": "x", "message": 5}'):
                response = await bot.client.post("/telegram/webhook", data=body, headers=headers)
                assert response.status == 200
            unknown = {"update_id": 77, "a_kind_from_the_future": {"x": 1}}
            assert (await bot.post(unknown)).status == 200
            metrics = await (await bot.client.get("/metrics")).text()
            assert 'lotsen_updates_total{channel="telegram",outcome="failed"} 3.0' in metrics, (
                metrics
            )
            assert 'lotsen_updates_total{channel="telegram",outcome="ignored"} 1.0' in metrics

    run(main())


def test_health_and_metrics(tmp_path: Path) -> None:
    async def main() -> None:
        async with telegram_server(tmp_path) as bot:
            await bot.post(bot.fake.text_update(CHAT, "/start"))
            health = await bot.client.get("/healthz")
            assert health.status == 200 and await health.json() == {"status": "ok"}
            metrics = await bot.client.get("/metrics")
            assert metrics.headers["Content-Type"].startswith("text/plain")
            text = await metrics.text()
            assert 'lotsen_updates_total{channel="telegram",outcome="processed"} 1.0' in text
            assert 'lotsen_turn_seconds_count{channel="telegram"} 1.0' in text
            assert str(CHAT) not in text

    run(main())
