"""The webhook both baselines use: a tiny aiohttp handler awaiting
``Application.process_update``, so every system answers 200 only when the update is done,
as Lotsen does."""

from __future__ import annotations

import asyncio
import hmac

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bench.baselines.serving import serve_until_stopped

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def run(application: Application, port: int, secret: str) -> None:
    asyncio.run(_serve(application, port, secret))


async def _serve(application: Application, port: int, secret: str) -> None:
    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.process_update(update)
        return web.Response()

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/telegram/webhook", webhook)
    app.router.add_get("/healthz", healthz)
    async with application:  # initialize() ... shutdown(): persistence is flushed on exit
        await application.start()
        await serve_until_stopped(app, port)
        await application.stop()
