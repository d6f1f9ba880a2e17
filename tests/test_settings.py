"""Settings from the environment: defaults for `make run`, and mistakes named clearly. The
channels read their own variables (``bot.channels.registry``), as ``lotsen serve`` does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.channels.channel import Channel, Tuning
from bot.channels.registry import configure
from bot.channels.telegram import TelegramChannel, TelegramSettings
from bot.channels.web import WebChannel
from bot.settings import Settings, SettingsError

KEY = "k" * 40
TOKEN = "123456:ABC-def_ghi"


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"LOTSEN_SECRET_KEY": KEY, "LOTSEN_DATABASE": str(tmp_path / "db"), **values}


def _channels(env: dict[str, str]) -> list[Channel]:
    """The settings and the channels they turn on, read as `lotsen serve` reads them."""
    settings = Settings.from_env(env)
    return configure(settings.environment, settings.secret)


def _telegram(env: dict[str, str]) -> TelegramSettings | None:
    on = [channel for channel in _channels(env) if isinstance(channel, TelegramChannel)]
    return on[0].settings if on else None


def test_defaults_serve_locally_without_telegram(tmp_path: Path) -> None:
    settings = Settings.from_env(_env(tmp_path))
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.content == Path("content")
    assert settings.min_language_coverage == 90.0
    assert settings.session_ttl.total_seconds() == 86400
    assert [type(channel) for channel in _channels(_env(tmp_path))] == [WebChannel]


def test_the_environment_is_kept_for_the_channels_but_never_shown(tmp_path: Path) -> None:
    settings = Settings.from_env(_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN))
    assert settings.environment["TELEGRAM_BOT_TOKEN"] == TOKEN
    assert TOKEN not in repr(settings)


def test_a_token_turns_telegram_on_in_polling_mode_with_a_derived_secret(tmp_path: Path) -> None:
    telegram = _telegram(_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN))
    assert telegram is not None
    assert telegram.webhook_url is None and telegram.protect_content is True
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,256}", telegram.webhook_secret)
    again = _telegram(_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN))
    assert again is not None and again.webhook_secret == telegram.webhook_secret
    other = _telegram(_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, LOTSEN_SECRET_KEY="j" * 40))
    assert other is not None and other.webhook_secret != telegram.webhook_secret


def test_webhook_mode_and_its_options(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_WEBHOOK_URL="https://bot.example.se/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET="my_secret-1",
        TELEGRAM_API_BASE_URL="http://127.0.0.1:8081/bot",
        TELEGRAM_PROTECT_CONTENT="no",
        HOST="0.0.0.0",
        PORT="443",
    )
    settings = Settings.from_env(env)
    telegram = _telegram(env)
    assert telegram is not None
    assert telegram.webhook_url == "https://bot.example.se/telegram/webhook"
    assert telegram.webhook_secret == "my_secret-1"
    assert telegram.api_base_url == "http://127.0.0.1:8081/bot"
    assert telegram.protect_content is False
    assert (settings.host, settings.port) == ("0.0.0.0", 443)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"PORT": "eighty"}, "PORT has value 'eighty'. Use a port number from 1 to 65535."),
        ({"PORT": "70000"}, "PORT has value '70000'"),
        ({"LOTSEN_MIN_LANGUAGE_COVERAGE": "120"}, "a percentage from 0 to 100"),
        ({"LOTSEN_SESSION_TTL": "-5"}, "LOTSEN_SESSION_TTL has value '-5'"),
        ({"LOTSEN_SECRET_KEY": "short"}, "LOTSEN_SECRET_KEY is 5 characters long"),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN does not look like"),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "http://x.se/hook"},
            "Telegram delivers only to https://",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "spaces are bad"},
            "A-Z, a-z, 0-9, _ and -",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_PROTECT_CONTENT": "maybe"},
            "TELEGRAM_PROTECT_CONTENT has value 'maybe'. Not a valid flag; use one of: 1, true",
        ),
        ({"LOTSEN_WEB_EXIT_URL": "javascript:alert(1)"}, "LOTSEN_WEB_EXIT_URL has value"),
    ],
)
def test_a_bad_value_is_named_with_what_would_be_valid(
    tmp_path: Path, values: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError) as error:
        _channels(_env(tmp_path, **values))
    assert message in str(error.value)


def test_secrets_are_never_echoed(tmp_path: Path) -> None:
    for values in (
        {"TELEGRAM_BOT_TOKEN": "12345 secret-ish"},
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "secret with spaces"},
    ):
        with pytest.raises(SettingsError) as error:
            _channels(_env(tmp_path, **values))
        assert "secret" not in str(error.value).replace("TELEGRAM_WEBHOOK_SECRET", "")


def test_live_reload_is_on_by_default_and_the_admin_endpoint_off(tmp_path: Path) -> None:
    settings = Settings.from_env(_env(tmp_path))
    assert settings.reload is True and settings.admin_token is None
    off = Settings.from_env(_env(tmp_path, LOTSEN_RELOAD="off", LOTSEN_ADMIN_TOKEN="t" * 32))
    assert off.reload is False and off.admin_token == "t" * 32


def test_a_weak_admin_token_is_refused_without_being_echoed(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="LOTSEN_ADMIN_TOKEN is too weak") as error:
        Settings.from_env(_env(tmp_path, LOTSEN_ADMIN_TOKEN="hunter2"))
    assert "hunter2" not in str(error.value)
    with pytest.raises(SettingsError, match="LOTSEN_RELOAD has value 'maybe'"):
        Settings.from_env(_env(tmp_path, LOTSEN_RELOAD="maybe"))


def test_instances_share_the_platforms_sending_limits() -> None:
    """Three instances of one bot each send at a third of its rate (LOTSEN_INSTANCES)."""
    assert Settings.from_env({"LOTSEN_SECRET_KEY": "k" * 40}).instances == 1
    three = Settings.from_env({"LOTSEN_SECRET_KEY": "k" * 40, "LOTSEN_INSTANCES": "3"})
    assert three.instances == 3
    pacer = Tuning(share=1 / three.instances).paced(30.0)
    assert pacer._rate == pytest.approx(10.0)
    with pytest.raises(SettingsError, match="LOTSEN_INSTANCES"):
        Settings.from_env({"LOTSEN_SECRET_KEY": "k" * 40, "LOTSEN_INSTANCES": "0"})


def test_database_url_is_read_where_lotsen_database_is_not_set() -> None:
    """PaaS hosts set DATABASE_URL; LOTSEN_DATABASE, when set, wins."""
    paas = {"LOTSEN_SECRET_KEY": "k" * 40, "DATABASE_URL": "postgres://u@db/lotsen"}
    assert Settings.from_env(paas).database == "postgres://u@db/lotsen"
    ours = {**paas, "LOTSEN_DATABASE": "var/x.sqlite3"}
    assert Settings.from_env(ours).database == "var/x.sqlite3"
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        Settings.from_env({"LOTSEN_SECRET_KEY": "k" * 40, "DATABASE_URL": "mysql://db/x"})
