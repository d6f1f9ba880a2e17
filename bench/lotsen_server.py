"""Lotsen for the benchmark: ``lotsen serve`` with the pacer unlimited.

    LOTSEN_DATABASE=... TELEGRAM_BOT_TOKEN=... python bench/lotsen_server.py
    LOTSEN_DATABASE=... WHATSAPP_PHONE_NUMBER_ID=... python bench/lotsen_server.py

The same settings (from the environment), content loading and application as
``bot.server.serve``, with one change: the fake Bot API and Graph API have no rate limit, so
Telegram's 30 messages a second and WhatsApp's 80 (Lotsen's default pacers) would measure
the pacer, not Lotsen. Every channel takes this pacer (``Services.tuning.pacer``).
"""

from __future__ import annotations

import os
import sys

from aiohttp import web

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bot.channels.pacing import Pacer
from bot.server import create_app, load_content
from bot.settings import Settings

UNLIMITED = 1e9  # calls a second, and as a burst


def main() -> None:
    settings = Settings.from_env(os.environ)
    content = load_content(settings)
    app = create_app(
        settings,
        lambda: content,
        pacer=Pacer(rate=UNLIMITED, burst=UNLIMITED),
        tune_collector=True,  # as lotsen serve
    )
    web.run_app(app, host=settings.host, port=settings.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
