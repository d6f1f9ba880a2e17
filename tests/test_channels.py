"""The channel seam: the registry the server loops over, what a channel does on import (nothing),
and the platform-neutral delivery driven by a recording transport that is not Telegram's."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.channels.channel import Services, Tuning
from bot.channels.delivery import Delivery
from bot.channels.pacing import Pacer
from bot.channels.registry import configure
from bot.channels.telegram import TelegramChannel
from bot.channels.transport import Arrival, Failure, Page, Verdict
from bot.channels.web import WebChannel
from bot.engine import Command, Event, Reply, Start
from bot.i18n.renderer import Renderer
from bot.metrics import Metrics
from bot.service import Conversations
from bot.storage import Store
from tests.engine_fixtures import CONTENT
from tests.storage_fixtures import SECRET, Clock, open_store, run, tables
from tests.telegram_fixtures import FakeTime

ROOT = Path(__file__).resolve().parent.parent
CHANNEL_MODULES = sorted(
    f"bot.channels.{path.stem}"
    for path in (ROOT / "bot" / "channels").glob("*.py")
    if path.stem != "__init__"
)


def test_every_registered_channel_configures_itself_from_the_environment() -> None:
    on = configure({"TELEGRAM_BOT_TOKEN": "123:abc"}, SECRET)
    assert [type(channel) for channel in on] == [WebChannel, TelegramChannel]


def test_a_channel_without_its_settings_is_off_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        on = configure({}, SECRET)
    assert [type(channel) for channel in on] == [WebChannel]
    assert "Telegram is off: TELEGRAM_BOT_TOKEN is not set" in caplog.messages


def test_importing_the_channels_changes_neither_the_environment_nor_any_logger() -> None:
    probe = f"""
import json, logging, os, sys
def loggers():
    manager = logging.Logger.manager.loggerDict
    every = [logging.getLogger()] + [l for l in manager.values() if isinstance(l, logging.Logger)]
    return {{l.name: [type(f).__name__ for f in l.filters] for l in every if l.filters}}
environ, filters = dict(os.environ), loggers()
import telegram  # the library first: only what Lotsen's modules add counts
filters = loggers()
for name in {CHANNEL_MODULES!r}:
    __import__(name)
print(json.dumps([dict(os.environ) == environ, loggers() == filters, loggers()]))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    same_environment, same_filters, filters = json.loads(result.stdout)
    assert same_environment
    assert same_filters, filters
    assert "bot.channels.telegram_bot" in CHANNEL_MODULES  # the probe imported them all


def test_the_registry_loads_no_platform_library() -> None:
    code = "import sys, bot.channels.registry; print('telegram' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# --- the delivery, on a platform that is not Telegram ----------------------------------------


class Refusal(Exception):
    """An error of the recording platform, carrying what it means."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.failure.value)
        self.verdict = verdict


@dataclass
class Recorder:
    """A Transport that records every call; ``failures`` answer the next sends, in order
    (None: that send goes through)."""

    delete_batch: int = 2
    failures: list[Refusal | None] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    deleted: list[list[str]] = field(default_factory=list)
    acknowledged: list[tuple[str, str | None]] = field(default_factory=list)

    async def send(self, chat: str, message: str) -> str:
        failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            raise failure
        self.sent.append(message)
        return str(10 + len(self.sent))

    async def delete(self, chat: str, message_ids: Sequence[str]) -> None:
        self.deleted.append(list(message_ids))

    async def acknowledge(self, button: str, notice: str | None) -> None:
        self.acknowledged.append((button, notice))

    def classify(self, error: Exception) -> Verdict | None:
        return error.verdict if isinstance(error, Refusal) else None


class Lines:
    """A Shape of plain lines: each reply's text is one message."""

    def render(
        self, replies: Sequence[Reply], renderer: Renderer, page: Page | None = None
    ) -> tuple[str, ...]:
        return tuple(renderer.text(reply.text) for reply in replies if reply.text is not None)

    def plain(self, text: str) -> str:
        return text

    def encode(self, messages: Sequence[str]) -> str:
        return json.dumps(list(messages))

    def decode(self, payload: str) -> tuple[str, ...]:
        return tuple(json.loads(payload))

    def fits_notice(self, text: str) -> bool:
        return False


START_TEXTS = ["Hej! Jag är Lotsen.", "Jag är inte polisen."]
CHAT = "4670"


async def _deliver(
    delivery: Delivery[str], update_id: str, event: Event, message_id: str | None = None
) -> str:
    arrival = Arrival(CHAT, True, event, message_id=message_id, button="b" + update_id)
    return await delivery.guard(arrival, lambda: delivery.turn(update_id, arrival, event))


def _delivery(store: Store, transport: Recorder, time: FakeTime) -> tuple[Delivery[str], Metrics]:
    conversations = Conversations(store, lambda: CONTENT, SECRET, Clock())
    metrics = Metrics()
    services = Services(conversations, lambda: CONTENT, metrics, Tuning(attempts=2))
    pacer = Pacer(clock=time.clock, sleep=time.sleep)
    return Delivery("recorder", transport, Lines(), services, pacer=pacer), metrics


def test_a_failed_send_hands_the_update_back_and_its_redelivery_sends_only_the_rest(
    tmp_path: Path,
) -> None:
    transient = Refusal(Verdict(Failure.TRANSIENT))
    transport = Recorder(failures=[None, transient, transient])
    time = FakeTime()

    async def main() -> list[str]:
        async with await open_store(tmp_path / "db") as store:
            delivery, _ = _delivery(store, transport, time)
            first = await _deliver(delivery, "u1", Start(locale_hint="sv"), message_id="7")
            again = await _deliver(delivery, "u1", Start(locale_hint="sv"), message_id="7")
            return [first, again]

    assert run(main()) == ["retry", "processed"]
    assert transport.sent == START_TEXTS  # each once, in order
    assert time.sleeps == [0.5]  # one retry, backing off, before handing the update back
    ledger = sorted(row[2] for row in tables(tmp_path / "db")["ledger"])
    assert ledger == ["11", "12", "7"]
    assert tables(tmp_path / "db")["owed"] == []  # settled once all was sent
    assert transport.acknowledged == [("bu1", None)]  # answered before the sending began


def test_a_rate_limit_is_waited_out_and_a_blocked_person_gets_nothing_more(
    tmp_path: Path,
) -> None:
    transport = Recorder(failures=[Refusal(Verdict(Failure.RATE_LIMITED, 3.0))])
    time = FakeTime()

    async def main() -> tuple[list[str], str]:
        async with await open_store(tmp_path / "db") as store:
            delivery, metrics = _delivery(store, transport, time)
            outcomes = [await _deliver(delivery, "u1", Start(locale_hint="sv"))]
            transport.failures = [Refusal(Verdict(Failure.BLOCKED))]
            outcomes.append(await _deliver(delivery, "u2", Start(locale_hint="sv")))
            return outcomes, metrics.render().decode()

    outcomes, metrics = run(main())
    assert outcomes == ["processed", "processed"]
    assert time.sleeps == [3.0]
    assert transport.sent == START_TEXTS  # the second update's replies were dropped
    assert 'lotsen_bot_api_errors_total{channel="recorder",error="Refusal"} 2.0' in metrics


def test_forget_deletes_the_chat_in_batches_in_order_and_confirms_off_the_ledger(
    tmp_path: Path,
) -> None:
    transport = Recorder()
    time = FakeTime()

    async def main() -> None:
        async with await open_store(tmp_path / "db") as store:
            delivery, _ = _delivery(store, transport, time)
            await _deliver(delivery, "u1", Start(locale_hint="sv"), message_id="9")
            await _deliver(delivery, "u2", Command("forget"), message_id="13")

    run(main())
    assert transport.deleted == [["9", "11"], ["12", "13"]]  # 9 before 11: as numbers
    assert transport.sent[-1] == "Allt om dig är raderat."
    database = tables(tmp_path / "db")
    assert database["ledger"] == [] and database["sessions"] == []


def test_a_platform_that_deletes_nothing_keeps_no_message_ids(tmp_path: Path) -> None:
    transport = Recorder(delete_batch=0)

    async def main() -> None:
        async with await open_store(tmp_path / "db") as store:
            delivery, _ = _delivery(store, transport, FakeTime())
            await _deliver(delivery, "u1", Start(locale_hint="sv"), message_id="9")
            assert tables(tmp_path / "db")["ledger"] == []
            assert tables(tmp_path / "db")["owed"] == []  # settled all the same
            await _deliver(delivery, "u2", Command("forget"), message_id="13")

    run(main())
    assert transport.sent[:2] == START_TEXTS and transport.deleted == []
