"""The WhatsApp channel's settings: off unless asked for, refused with the variable named when
partial or malformed (never quoting a token or secret), and refused at start when Meta does
not accept the token or the number."""

from __future__ import annotations

import traceback
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.channels.pacing import Pacer
from bot.channels.whatsapp import (
    ACCESS_TOKEN,
    API_BASE_URL,
    APP_SECRET,
    PHONE_NUMBER_ID,
    REQUIRED,
    WhatsAppChannel,
    WhatsAppSettings,
)
from bot.server import create_app
from bot.settings import SettingsError
from tests.engine_fixtures import CONTENT
from tests.fake_graph_api import FakeGraphApi
from tests.storage_fixtures import SECRET, Clock, run
from tests.telegram_fixtures import FakeTime
from tests.whatsapp_fixtures import environment, settings

BASE_URL = "http://127.0.0.1:9/v25.0"


def refusal(env: dict[str, str]) -> SettingsError:
    with pytest.raises(SettingsError) as error:
        WhatsAppChannel.configure(env, SECRET)
    return error.value


def told(error: BaseException) -> str:
    """Everything a log or a terminal would show of ``error``, its causes included."""
    return "".join(traceback.format_exception(error))


def test_whatsapp_is_off_when_no_variable_is_set() -> None:
    """A server without WhatsApp must start without it, not fail for want of settings."""
    assert WhatsAppChannel.configure({}, SECRET) is None
    assert (
        WhatsAppChannel.configure({"TELEGRAM_BOT_TOKEN": "x", PHONE_NUMBER_ID: " "}, SECRET) is None
    )


@pytest.mark.parametrize("missing", REQUIRED)
def test_a_partial_setting_names_the_missing_variable(missing: str) -> None:
    """Half a configuration is a mistake to point out, not a channel silently off."""
    env = {k: v for k, v in environment(BASE_URL).items() if k != missing}
    error = refusal(env)
    assert f"{missing} is not set" in str(error)
    for given in REQUIRED:
        if given != missing:
            assert f"{given} is not set" not in str(error)


def test_a_complete_setting_is_read() -> None:
    """The values given are the values used (the base URL without its trailing slash)."""
    env = {**environment(BASE_URL), API_BASE_URL: BASE_URL + "/"}
    read = WhatsAppSettings.from_env(env)
    assert read is not None
    assert read.phone_number_id == env[PHONE_NUMBER_ID]
    assert read.access_token == env[ACCESS_TOKEN]
    assert read.app_secret == env[APP_SECRET]
    assert read.api_base_url == BASE_URL


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (PHONE_NUMBER_ID, "1098765432abc"),
        (ACCESS_TOKEN, "EAAG secret token with spaces 0123"),
        (APP_SECRET, "0123456789abcdef0123456789abcdeX"),
        (APP_SECRET, "0123456789abcdef0123456789abcdef00"),
        (API_BASE_URL, "ftp://x"),
    ],
)
def test_a_malformed_value_names_its_variable_and_never_echoes_a_secret(
    name: str, value: str
) -> None:
    """The operator learns which variable to fix; a token or secret never reaches a log."""
    error = refusal({**environment(BASE_URL), name: value})
    assert name in str(error)
    if name in (ACCESS_TOKEN, APP_SECRET):
        assert value not in told(error)


async def start_against(tmp_path: Path, fake: FakeGraphApi, **env: str) -> None:
    """Create the app against ``fake`` and start it as ``lotsen serve`` does."""
    base_url = await fake.start()
    try:
        config = settings(tmp_path, base_url)
        config = replace(config, environment={**config.environment, **env})
        time = FakeTime()
        app = await create_app(
            config,
            lambda: CONTENT,
            clock=Clock(),
            pacer=Pacer(clock=time.clock, sleep=time.sleep),
        )
        server = TestServer(app, host="127.0.0.1")
        try:
            await server.start_server(access_log=None)
        except BaseException:
            await app.cleanup()
            raise
        await server.close()
    finally:
        await fake.close()


def test_the_start_fails_naming_the_token_meta_rejects(tmp_path: Path) -> None:
    """A revoked token is found before the first person writes, with the variable named."""
    fake = FakeGraphApi(token="another-token-altogether")
    with pytest.raises(SettingsError) as error:
        run(start_against(tmp_path, fake))
    assert ACCESS_TOKEN in str(error.value)
    assert PHONE_NUMBER_ID not in str(error.value)
    assert environment(BASE_URL)[ACCESS_TOKEN] not in told(error.value)


def test_the_start_fails_naming_the_number_meta_does_not_know(tmp_path: Path) -> None:
    """A mistyped number id is named, and not blamed on the token."""
    fake = FakeGraphApi()
    with pytest.raises(SettingsError) as error:
        run(start_against(tmp_path, fake, **{PHONE_NUMBER_ID: "100000000000001"}))
    assert PHONE_NUMBER_ID in str(error.value)
    assert ACCESS_TOKEN not in str(error.value)


def test_the_start_succeeds_against_the_right_token_and_number(tmp_path: Path) -> None:
    """The two refusals above come from the check, not from a start that always fails."""
    run(start_against(tmp_path, FakeGraphApi()))
