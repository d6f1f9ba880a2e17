"""Privacy rules 1, 2 and 6 through the Telegram webhook: a conversation with distinctive
typed text and a distinctive chat id leaves neither in the database files or the logs, with
every logger at DEBUG (python-telegram-bot logs each call's parameters there)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.engine_fixtures import option
from tests.storage_fixtures import raw_bytes, run
from tests.telegram_fixtures import TOKEN, telegram_server

TYPED = "Zebrafink-Quokka-4711"
CHAT = 987654321987


def test_no_typed_text_and_no_chat_id_reaches_the_disk_or_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def main() -> tuple[bytes, str]:
        async with telegram_server(tmp_path) as bot:
            for update in (
                bot.fake.text_update(CHAT, f"/start {TYPED}"),
                bot.fake.text_update(CHAT, TYPED),
                bot.fake.callback_update(CHAT, option("home.welcome", 0)),
                bot.fake.callback_update(CHAT, option("home.menu", 2)),  # "Vem?"
                bot.fake.text_update(CHAT, f"{TYPED} och min son"),
                bot.fake.text_update(CHAT, f"/language {TYPED}"),
                bot.fake.media_update(CHAT, "photo"),
                bot.fake.text_update(-100555, f"/start {TYPED}", chat_type="group"),
            ):
                assert (await bot.post(update)).status == 200
            assert len(bot.fake.texts(CHAT)) >= 7  # the conversation happened: a message a turn
            key = bot.conversations.key("telegram", str(CHAT))
            return raw_bytes(bot.database), key

    on_disk, key = run(main())
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )
    assert key.encode() in on_disk  # the search looks in the right place
    assert caplog.records
    for needle in (TYPED, str(CHAT), TOKEN):
        assert needle.encode() not in on_disk, needle
        assert needle.encode("utf-16-le") not in on_disk, needle
        assert needle not in logged, needle
    assert key not in logged
