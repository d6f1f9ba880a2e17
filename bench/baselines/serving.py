"""Serving a baseline's aiohttp app on 127.0.0.1 until the harness stops it (SIGTERM/SIGINT).
Nothing else is imported here, so a baseline that uses it loads no more than it needs."""

from __future__ import annotations

import asyncio
import signal

from aiohttp import web


async def serve_until_stopped(app: web.Application, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await stop.wait()
    await runner.cleanup()
