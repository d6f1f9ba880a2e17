"""`lotsen serve` and the server without Telegram: what `make run` starts."""

from __future__ import annotations

import gc
import subprocess
import sys
import traceback
import weakref
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import holidays
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import server
from bot.channels import web_render
from bot.cli import main
from bot.directory import hours
from bot.engine import Start, Text, step
from bot.flows.model import Content
from bot.i18n import renderer
from bot.pack.loader import load_pack
from bot.server import STORE, create_app
from bot.service import HandleResult
from bot.settings import Settings, SettingsError
from tests.engine_fixtures import CONTENT
from tests.fake_bot_api import FakeBotApi
from tests.storage_fixtures import run
from tests.telegram_fixtures import TOKEN, telegram_server
from tests.telegram_fixtures import settings as telegram_settings

ROOT = Path(__file__).resolve().parent.parent


def _settings(tmp_path: Path) -> Settings:
    return replace(telegram_settings(tmp_path, "http://127.0.0.1:9/bot"), environment={})


def test_without_a_token_the_server_serves_the_web_chat_health_and_metrics(
    tmp_path: Path,
) -> None:
    async def main_() -> tuple[int, int, int, int, str]:
        app = await create_app(_settings(tmp_path), lambda: CONTENT)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            health = (await client.get("/healthz")).status
            metrics = (await client.get("/metrics")).status
            webhook = (await client.post("/telegram/webhook", json={})).status
            page = await client.get("/")
            policy = page.headers.get("Content-Security-Policy", "")
        return health, metrics, webhook, page.status, policy

    health, metrics, webhook, page, policy = run(main_())
    assert (health, metrics, webhook, page) == (200, 200, 404, 200)
    assert "default-src 'self'" in policy


def test_the_holidays_opening_hours_need_are_loaded_at_start_not_on_a_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On 30 December a card looks 15 days ahead: both years are had by create_app, so no
    person's turn waits for the holidays library's import. From the pack's directory, which
    keeps them, without asking the library at all; from the library for a pack without."""
    asked: list[object] = []
    real = holidays.country_holidays

    def recording(*args: object, **kwargs: object) -> object:
        asked.append(kwargs.get("years"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    kept = hours.public_holidays((2026, 2027))  # as a loaded directory keeps them
    monkeypatch.setattr(holidays, "country_holidays", recording)
    monkeypatch.setattr(hours, "_by_year", {})
    new_years_eve_eve = datetime(2026, 12, 30, 12, 0, tzinfo=UTC)
    assert CONTENT.directory is not None
    without = replace(CONTENT, directory=replace(CONTENT.directory, public_holidays={}))

    async def main_(content: Content) -> None:
        app = await create_app(
            _settings(tmp_path), lambda: content, clock=lambda: new_years_eve_eve
        )
        await app[STORE].close()

    run(main_(replace(CONTENT, directory=replace(CONTENT.directory, public_holidays=kept))))
    assert asked == []
    assert hours.is_public_holiday(datetime(2027, 1, 6).date())  # trettondedag jul
    run(main_(without))
    assert asked == []  # the years are had now
    monkeypatch.setattr(hours, "_by_year", {})
    run(main_(without))
    assert sorted(asked) == [2026, 2027]  # type: ignore[type-var]


def test_each_language_s_locale_data_is_read_at_start_not_on_a_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Babel reads a language's data on its first text or date: create_app reads every
    language of the pack, so the first person in Arabic does not wait for it."""
    parsed: list[str] = []
    real = renderer.Locale.parse

    def recording(code: object, *args: object, **kwargs: object) -> object:
        if isinstance(code, str):  # Babel passes its Locale objects through parse, too
            parsed.append(code)
        return real(code, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(renderer.Locale, "parse", recording)
    renderer._babel_locale.cache_clear()
    renderer._is_rtl.cache_clear()

    async def main_() -> None:
        app = await create_app(_settings(tmp_path), lambda: CONTENT)
        await app[STORE].close()

    run(main_())
    codes = [language.code for language in CONTENT.languages]
    assert len(codes) > 1 and sorted(parsed) == sorted(codes)
    assert renderer._is_rtl.cache_info().currsize == len(codes)  # their data read, too
    for code in codes:  # a turn then parses nothing
        renderer.renderer_for(CONTENT, code).date(datetime(2026, 12, 7).date())
    assert len(parsed) == len(codes)


def test_the_server_module_does_not_load_telegram_until_a_token_asks_for_it() -> None:
    code = "import sys, bot.server, bot.cli; print('telegram' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_serve_refuses_to_start_with_content_errors_and_prints_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSEN_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("LOTSEN_DATABASE", str(tmp_path / "db"))
    monkeypatch.setenv("LOTSEN_CONTENT", str(tmp_path / "nothing-here"))
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert "error missing-file" in err and "run `lotsen validate" in err


def test_serve_refuses_a_bad_setting_and_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSEN_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("PORT", "http")
    assert main(["serve"]) == 2
    assert "PORT has value 'http'" in capsys.readouterr().err


def test_serve_sets_the_collector_for_a_server_once_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lotsen serve``'s start-up objects go to the permanent generation and the youngest
    generation waits for 10,000 objects: after the channels have started, before the first
    request. A test's own app (create_app's default) leaves the collector alone."""
    monkeypatch.setenv("LOTSEN_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("LOTSEN_DATABASE", str(tmp_path / "db.sqlite3"))
    monkeypatch.setenv("LOTSEN_CONTENT", str(ROOT / "content"))
    monkeypatch.setenv("LOTSEN_CACHE_DIR", "off")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    seen: dict[str, object] = {}
    saved = gc.get_threshold()

    def started(app: object, **options: object) -> None:
        async def start() -> None:
            runner = web.AppRunner(await app)  # type: ignore[misc]
            try:
                await runner.setup()  # runs on_startup, as run_app does
                seen["frozen"], seen["threshold"] = gc.get_freeze_count(), gc.get_threshold()
            finally:
                await runner.cleanup()

        try:
            assert (gc.get_freeze_count(), gc.get_threshold()) == (0, saved)  # not before
            run(start())
        finally:
            gc.unfreeze()
            gc.set_threshold(*saved)

    monkeypatch.setattr(server.web, "run_app", started)
    assert main(["serve"]) == 0
    assert isinstance(seen["frozen"], int) and seen["frozen"] > 10_000
    assert seen["threshold"] == (server.YOUNG_OBJECTS, *saved[1:])

    async def plain_app() -> tuple[int, tuple[int, int, int]]:
        app = await create_app(_settings(tmp_path), lambda: CONTENT)
        runner = web.AppRunner(app)
        await runner.setup()
        await runner.cleanup()
        return gc.get_freeze_count(), gc.get_threshold()

    assert run(plain_app()) == (0, saved)


def test_a_pack_that_served_turns_is_freed_without_the_collector() -> None:
    """lotsen serve freezes its start-up objects out of the collector's full collections,
    the pack among them: a reloaded pack must go by reference counting alone, so it may
    hold no cycle, also after turns have filled what it keeps (``Content.derived``)."""
    loaded = load_pack(ROOT / "content").content
    assert loaded is not None
    session = None
    for event in (Start(locale_hint="ar"), Text("meny"), Text("jag är orolig för min son")):
        turn = step(loaded, session, event, datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
        session = turn.session
        for code in [language.code for language in loaded.languages]:
            for reply in turn.replies:
                web_render.rendered(loaded, HandleResult(turn.replies, code))
                if reply.text is not None:
                    renderer.renderer_for(loaded, code).text(reply.text)
    assert loaded.derived  # the turns filled it
    gone = weakref.ref(loaded)
    collecting = gc.isenabled()
    gc.disable()
    try:
        del loaded, turn, session, reply
        assert gone() is None
    finally:
        if collecting:
            gc.enable()


def test_the_procfile_runs_the_server() -> None:
    assert (ROOT / "Procfile").read_text() == "web: lotsen serve\n"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("reject_token", "Telegram rejected TELEGRAM_BOT_TOKEN. Copy it again from @BotFather."),
        ("refuse_webhook", "Telegram refused TELEGRAM_WEBHOOK_URL"),
    ],
)
def test_a_token_or_address_telegram_refuses_stops_the_start_with_a_clear_message(
    tmp_path: Path, setup: str, message: str
) -> None:
    fake = FakeBotApi()
    setattr(fake, setup, True)

    async def main_() -> None:
        async with telegram_server(tmp_path, fake=fake):
            pass

    with pytest.raises(SettingsError) as error:
        run(main_())
    assert message in str(error.value)
    assert TOKEN not in "".join(traceback.format_exception(error.value))
