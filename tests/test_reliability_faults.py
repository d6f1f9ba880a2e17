"""Bot API faults injected by the fake (429 with ``retry_after``, 500s, slow answers): every
reply is delivered exactly once, in order, whatever fails and however often an update has to
be delivered again.

Each test walks the same people through the same updates twice, once against a faultless
fake and once against a faulty one, delivering like Telegram (an update answered other than
200 is delivered again), and compares what every chat received.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fake_bot_api import FakeBotApi
from tests.storage_fixtures import run
from tests.telegram_fixtures import Harness, telegram_server

CHATS = [610_000_001 + index for index in range(6)]
REDELIVERIES = 10  # Telegram tries for hours; a test needs far fewer
Faults = Callable[[FakeBotApi], None]


async def _deliver(bot: Harness, update: dict[str, Any]) -> int:
    """Post ``update`` until it is answered 200, as Telegram does; returns the deliveries."""
    for attempt in range(1, REDELIVERIES + 1):
        response = await bot.post(update)
        if response.status == 200:
            return attempt
        assert response.status == 500, response.status
    raise AssertionError("an update was never acknowledged")


def _first_option(bot: Harness, chat: int) -> str:
    """The callback data of the first button under the last message sent to ``chat``."""
    for params in reversed(bot.fake.sent(chat)):
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            return str(markup["inline_keyboard"][0][0]["callback_data"])
    raise AssertionError("no keyboard was sent")


async def _person(bot: Harness, chat: int) -> int:
    """One person's walk: start, press a button, type, ask for the menu, press again."""
    deliveries = await _deliver(bot, bot.fake.text_update(chat, "/start"))
    deliveries += await _deliver(bot, bot.fake.callback_update(chat, _first_option(bot, chat)))
    deliveries += await _deliver(bot, bot.fake.text_update(chat, "något helt annat"))
    deliveries += await _deliver(bot, bot.fake.text_update(chat, "/menu"))
    deliveries += await _deliver(bot, bot.fake.callback_update(chat, _first_option(bot, chat)))
    return deliveries


async def _walk(tmp_path: Path, faults: Faults | None) -> tuple[dict[int, list[str]], int]:
    fake = FakeBotApi()
    async with telegram_server(tmp_path, fake=fake) as bot:
        if faults is not None:
            faults(fake)
        deliveries = await asyncio.gather(*(_person(bot, chat) for chat in CHATS))
        return {chat: fake.texts(chat) for chat in CHATS}, sum(deliveries)


def _flood(fake: FakeBotApi) -> None:
    fake.fail("sendMessage", 4, status=429, retry_after=3)
    fake.fail("answerCallbackQuery", 2, status=429, retry_after=1)


def _errors(fake: FakeBotApi) -> None:
    fake.fail("sendMessage", 3, status=500)
    fake.fail("sendMessage", 12, status=500)  # more than one call's 5 attempts: redelivered


def _slow(fake: FakeBotApi) -> None:
    fake.slow("sendMessage", 8, seconds=0.05)
    fake.slow("answerCallbackQuery", 3, seconds=0.05)


def _everything(fake: FakeBotApi) -> None:
    _slow(fake)
    fake.fail("sendMessage", 2, status=429, retry_after=2)
    fake.fail("sendMessage", 7, status=500)
    fake.fail("sendMessage", 1, status=429, retry_after=1)


@pytest.mark.parametrize(
    "faults",
    [_flood, _errors, _slow, _everything],
    ids=["429-retry-after", "500s-beyond-retries", "slow-answers", "all-mixed"],
)
def test_every_reply_is_delivered_exactly_once(tmp_path: Path, faults: Faults) -> None:
    clean, clean_deliveries = run(_walk(tmp_path / "clean", None), timeout=20)
    faulty, _ = run(_walk(tmp_path / "faulty", faults), timeout=20)
    assert clean_deliveries == 5 * len(CHATS)
    assert all(len(texts) >= 5 for texts in clean.values())
    assert faulty == clean


def test_a_500_beyond_retries_is_redelivered_and_finishes_the_rest(tmp_path: Path) -> None:
    """The replies owed by a committed turn wait for the redelivery and are sent then."""

    def errors(fake: FakeBotApi) -> None:
        # More failures than the people's calls in flight can absorb without one of them
        # using up its 5 attempts (6 people x 4 = 24), however their turns interleave.
        fake.fail("sendMessage", 6 * 4 + 1, status=500)

    clean, _ = run(_walk(tmp_path / "clean", None), timeout=20)
    faulty, deliveries = run(_walk(tmp_path / "faulty", errors), timeout=20)
    assert deliveries > 5 * len(CHATS)  # some update was indeed delivered again
    assert faulty == clean
