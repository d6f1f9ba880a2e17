"""The aiohttp transport keeps PTB's contract: JSON and multipart bodies, timeouts raised as
TimedOut, connection failures as NetworkError (without the token-bearing URL), 429 as
RetryAfter."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import Bot, InputFile
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.channels.telegram_request import AiohttpRequest, bot_api_error
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


class _Answering(BaseRequest):
    """PTB's own request wrapper over a canned answer: the errors PTB itself would raise."""

    def __init__(self, code: int, payload: bytes) -> None:
        self._answer = (code, payload)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, *args: object, **kwargs: object) -> tuple[int, bytes]:
        return self._answer


def _bot_api(code: int, description: str, **parameters: object) -> tuple[int, bytes]:
    body: dict[str, object] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, json.dumps(body).encode()


REFUSALS = [
    _bot_api(429, "Too Many Requests: retry after 3", retry_after=3),
    _bot_api(400, "Bad Request: chat not found"),
    _bot_api(400, "Bad Request: group chat was upgraded", migrate_to_chat_id=-100123),
    _bot_api(400, "Bad Request: odd", something_new=1),
    _bot_api(403, "Forbidden: bot was blocked by the user"),
    _bot_api(401, "Unauthorized"),
    _bot_api(404, "Not Found"),
    _bot_api(409, "Conflict: terminated by other getUpdates request"),
    _bot_api(500, "Internal Server Error"),
    (502, json.dumps({"ok": False}).encode()),
    (599, json.dumps({"ok": False}).encode()),
]


@pytest.mark.parametrize(("code", "payload"), REFUSALS)
def test_a_refusal_of_a_direct_post_is_the_error_PTB_raises(code: int, payload: bytes) -> None:
    """post_json skips PTB's layers, so its errors are made here: the same class, message and
    retry time as PTB's own for every answer the Bot API gives."""

    async def ptb() -> TelegramError:
        with pytest.raises(TelegramError) as raised:
            await _Answering(code, payload).post("http://127.0.0.1:9/bot/sendMessage")
        return raised.value

    expected = asyncio.run(ptb())
    ours = bot_api_error(code, payload)
    assert type(ours) is type(expected)
    assert ours.message == expected.message
    if isinstance(expected, RetryAfter):
        assert isinstance(ours, RetryAfter) and ours.retry_after == expected.retry_after


def test_a_refusal_that_is_not_json_never_quotes_the_answer() -> None:
    ours = bot_api_error(502, b"<html>Bad Gateway for +46701234567</html>")
    assert isinstance(ours, NetworkError) and "46701234567" not in ours.message


def test_a_direct_post_through_the_fake_answers_its_result_and_its_refusals() -> None:
    async def main() -> None:
        fake = FakeBotApi()
        base = await fake.start()
        request = AiohttpRequest()
        try:
            async with request:
                body = json.dumps({"chat_id": 7, "text": "hej"}).encode()
                sent = await request.post_json(f"{base}{TOKEN}/sendMessage", body)
                assert isinstance(sent, dict) and sent["message_id"] >= 1
                fake.fail("sendMessage", 1, status=429, retry_after=4)
                with pytest.raises(RetryAfter) as flood:
                    await request.post_json(f"{base}{TOKEN}/sendMessage", body)
                assert flood.value.retry_after == timedelta(seconds=4)
        finally:
            await fake.close()
        assert [call["text"] for call in fake.calls_to("sendMessage")] == ["hej", "hej"]
        assert len(fake.sent(7)) == 1  # the second was refused

    run(main())
