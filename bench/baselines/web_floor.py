"""The web chat's floor: a bare aiohttp app with the web chat's two routes and nothing else.

    python bench/baselines/web_floor.py --port 18090 --database /tmp/floor.sqlite3

``POST /api/session`` answers ``201 {"session": <43 random URL-safe characters>}``.
``POST /api/event`` parses the JSON body, commits one row (the session, the event's id and
type) to SQLite and answers a small JSON with one reply and one button, in the shape of
Lotsen's (``bot.channels.web_render``), so the load generator can go on. SQLite as Lotsen's
store sets it up (``bot.storage.sqlite._configure``): WAL, ``synchronous=NORMAL``, one
connection (aiosqlite's thread); each INSERT is its own transaction, so 200 means committed,
as with Lotsen. No Origin check, no rate limits, no engine, no rendering.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys

import aiosqlite
from aiohttp import web

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from bench.baselines.serving import serve_until_stopped

BUSY_TIMEOUT_MS = 5000
ANSWER = {
    "replies": [
        {
            "text": "Hej!",
            "cards": [],
            "buttons": [{"token": "a", "label": "A", "kind": "option", "action": ""}],
            "expects_text": False,
        }
    ],
    "forgotten": False,
}
ANSWER_BODY = json.dumps(ANSWER).encode()


async def _open(path: str) -> aiosqlite.Connection:
    db = await aiosqlite.connect(path, isolation_level=None)  # autocommit: a row, a commit
    await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await db.execute("PRAGMA journal_mode = WAL")
    await db.execute("PRAGMA synchronous = NORMAL")
    await db.execute(
        "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, session TEXT NOT NULL, "
        "event_id TEXT, type TEXT NOT NULL)"
    )
    return db


async def _serve(port: int, database: str) -> None:
    db = await _open(database)

    async def new_session(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"session": secrets.token_urlsafe(32)}, status=201)

    async def event(request: web.Request) -> web.Response:
        body = await request.json()
        if not isinstance(body, dict) or not isinstance(body.get("session"), str):
            return web.json_response({"error": "bad_session"}, status=400)
        await db.execute(
            "INSERT INTO events (session, event_id, type) VALUES (?, ?, ?)",
            (body["session"], body.get("id"), str(body.get("type"))),
        )
        return web.Response(body=ANSWER_BODY, content_type="application/json")

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/session", new_session)
    app.router.add_post("/api/event", event)
    app.router.add_get("/healthz", healthz)
    try:
        await serve_until_stopped(app, port)
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.database))


if __name__ == "__main__":
    main()
