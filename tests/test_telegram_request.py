"""The aiohttp transport keeps PTB's contract: JSON and multipart bodies, timeouts raised as
TimedOut, connection failures as NetworkError (without the token-bearing URL), 429 as
RetryAfter."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import Bot, InputFile
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData

from bot.channels.telegram_request import AiohttpRequest
from bot.channels.telegram_transport import make_bot
from tests.fake_bot_api import FakeBotApi
from tests.storage_fixtures import run
from tests.telegram_fixtures import TOKEN


def test_calls_uploads_and_flood_control_through_the_fake() -> None:
    async def main() -> None:
        fake = FakeBotApi()
        bot = make_bot(TOKEN, await fake.start())
        try:
            async with bot:
                assert (await bot.get_me()).username == "lotsen_test_bot"
                certificate = InputFile(b"-----BEGIN CERTIFICATE-----", filename="cert.pem")
                await bot.set_webhook("https://bot.example.se/hook", certificate=certificate)
                fake.fail("sendMessage", 1, status=429, retry_after=3)
                with pytest.raises(RetryAfter) as flood:
                    await bot.send_message(1, "hej")
                assert flood.value.retry_after == timedelta(seconds=3)
        finally:
            await fake.close()
        upload = fake.calls_to("setWebhook")[0]
        assert upload["url"] == "https://bot.example.se/hook"
        assert upload["certificate"] == b"-----BEGIN CERTIFICATE-----"

    run(main())


def test_a_slow_answer_is_a_timeout() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", slow)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server(access_log=None)
        request = AiohttpRequest(read_timeout=0.1)
        try:
            async with request:
                with pytest.raises(TimedOut):
                    await request.post(str(server.make_url("/bot1:x/getMe")), RequestData())
        finally:
            await server.close()

    run(main())


def test_a_refused_connection_is_a_network_error_that_does_not_quote_the_url() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def main() -> None:
        async with Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest()):
            pass

    with pytest.raises(NetworkError) as failure:
        run(main())
    assert TOKEN not in str(failure.value)


def test_an_uninitialised_request_says_so() -> None:
    async def main() -> None:
        await AiohttpRequest().do_request("http://127.0.0.1:9/x", "POST")

    with pytest.raises(RuntimeError, match="not initialized"):
        run(main())
