"""A lean fake of the Telegram Bot API and of WhatsApp's Graph API for the benchmark, run in
its own process.

    python bench/fakeapi.py --port 18081      # Telegram: http://127.0.0.1:18081/bot
                                              # WhatsApp: http://127.0.0.1:18081/v25.0

It answers every method a bot under test calls (getMe, setWebhook, setMyCommands,
sendMessage, answerCallbackQuery, deleteMessages, ...) as Telegram would, with realistic
Message objects, and keeps for each chat the inline keyboard of the last message sent to it,
so the load generator can press the buttons a person would see. As the Graph API it answers
the number's check (``GET /v25.0/<id>``) and ``POST /v25.0/<id>/messages`` (sends, counted
as ``wa_messages``, and read receipts, ``wa_read``), and keeps for each recipient the rows of
the last interactive message (reply buttons or a list) sent to them:

    GET /_last/<chat_id>   -> {"message_id": 17, "buttons": [["label", "data"], ...]}
    GET /_wa_last/<wa_id>  -> {"wamid": "wamid.OUT1", "kind": "list", "rows": [["title", "id"]]}
    GET /_stats            -> calls per method
    POST /_reset           -> forget every chat and counter (between systems)

It has no rate limit and records nothing but counters and the last keyboards.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

GRAPH_VERSION = "v25.0"
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
        self.wa_last: dict[str, dict[str, Any]] = {}
        self.wa_ids = itertools.count(1)

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

    async def wa_number(self, request: web.Request) -> web.Response:
        """The channel's check at start: the number, asked with the access token."""
        self.calls["wa_number"] += 1
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return _graph_error(401, 190)
        return web.json_response({"id": request.match_info["number"]})

    async def wa_messages(self, request: web.Request) -> web.Response:
        """A send (text or interactive) or a read receipt, as the Cloud API answers them."""
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return _graph_error(401, 190)
        body = await request.json()
        if body.get("status") == "read":
            self.calls["wa_read"] += 1
            return web.json_response({"success": True})
        self.calls["wa_messages"] += 1
        to = str(body.get("to", ""))
        wamid = f"wamid.OUT{next(self.wa_ids):09d}"
        if body.get("type") == "interactive":
            interactive = body["interactive"]
            action = interactive.get("action", {})
            if interactive.get("type") == "button":
                replies = [button["reply"] for button in action.get("buttons", [])]
            else:
                replies = [row for section in action.get("sections", []) for row in section["rows"]]
            self.wa_last[to] = {
                "wamid": wamid,
                "kind": interactive.get("type", ""),
                "rows": [[reply.get("title", ""), reply["id"]] for reply in replies],
            }
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            }
        )

    async def wa_last_rows(self, request: web.Request) -> web.Response:
        wa_id = request.match_info["wa_id"]
        return web.json_response(self.wa_last.get(wa_id, {"wamid": "", "kind": "", "rows": []}))

    async def last_keyboard(self, request: web.Request) -> web.Response:
        chat_id = int(request.match_info["chat"])
        return web.json_response(self.last.get(chat_id, {"message_id": 0, "buttons": []}))

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.calls))

    async def reset(self, request: web.Request) -> web.Response:
        self.calls.clear()
        self.last.clear()
        self.next_id.clear()
        self.wa_last.clear()
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


def _graph_error(status: int, code: int) -> web.Response:
    error = {"message": "fake", "type": "OAuthException", "code": code}
    return web.json_response({"error": error}, status=status)


def make_app() -> web.Application:
    fake = Fake()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.api)
    app.router.add_get("/bot{token}/{method}", fake.api)
    app.router.add_get(f"/{GRAPH_VERSION}/{{number}}", fake.wa_number)
    app.router.add_post(f"/{GRAPH_VERSION}/{{number}}/messages", fake.wa_messages)
    app.router.add_get("/_last/{chat}", fake.last_keyboard)
    app.router.add_get("/_wa_last/{wa_id}", fake.wa_last_rows)
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
