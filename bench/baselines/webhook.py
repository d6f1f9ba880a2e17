"""The webhook both baselines use: a tiny aiohttp handler awaiting
``Application.process_update``, so every system answers 200 only when the update is done,
as Lotsen does."""

from __future__ import annotations

import asyncio
import hmac
import signal

from aiohttp import web
from telegram import Update
from telegram.ext import Application

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
    runner = web.AppRunner(app, access_log=None)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with application:  # initialize() ... shutdown(): persistence is flushed on exit
        await application.start()
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await stop.wait()
        await runner.cleanup()
        await application.stop()
