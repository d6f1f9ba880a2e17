"""A lean fake of the Telegram Bot API for the benchmark, run in its own process.

    python bench/fakeapi.py --port 18081      # base_url http://127.0.0.1:18081/bot

It answers every method a bot under test calls (getMe, setWebhook, setMyCommands,
sendMessage, answerCallbackQuery, deleteMessages, ...) as Telegram would, with realistic
Message objects, and keeps for each chat the inline keyboard of the last message sent to it,
so the load generator can press the buttons a person would see:

    GET /_last/<chat_id>   -> {"message_id": 17, "buttons": [["label", "data"], ...]}
    GET /_stats            -> calls per method
    POST /_reset           -> forget every chat and counter (between systems)

It has no rate limit and records nothing but counters and the last keyboards.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "Bench",
    "username": "bench_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class Fake:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.last: dict[int, dict[str, Any]] = {}
        self.next_id: dict[int, int] = {}

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] += 1
        params = await _params(request)
        if method == "getMe":
            return _ok(BOT_USER)
        if method == "sendMessage":
            return _ok(self._send(params))
        return _ok(True)

    def _send(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message_id = self.next_id.get(chat_id, 1)
        self.next_id[chat_id] = message_id + 1
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        buttons = [
            [key.get("text", ""), key.get("callback_data", "")]
            for row in (markup or {}).get("inline_keyboard", [])
            for key in row
            if "callback_data" in key
        ]
        self.last[chat_id] = {"message_id": message_id, "buttons": buttons}
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Person"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if markup:
            message["reply_markup"] = markup
        return message

    async def last_keyboard(self, request: web.Request) -> web.Response:
        chat_id = int(request.match_info["chat"])
        return web.json_response(self.last.get(chat_id, {"message_id": 0, "buttons": []}))

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.calls))

    async def reset(self, request: web.Request) -> web.Response:
        self.calls.clear()
        self.last.clear()
        self.next_id.clear()
        return web.json_response({})


async def _params(request: web.Request) -> dict[str, Any]:
    body = await request.read()
    if not body:
        return {}
    if request.content_type == "application/json":
        data = json.loads(body)
        return data if isinstance(data, dict) else {}
    if request.content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode()))
    return {}  # multipart (files): nothing the benchmark sends


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def make_app() -> web.Application:
    fake = Fake()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.api)
    app.router.add_get("/bot{token}/{method}", fake.api)
    app.router.add_get("/_last/{chat}", fake.last_keyboard)
    app.router.add_get("/_stats", fake.stats)
    app.router.add_post("/_reset", fake.reset)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(make_app(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
