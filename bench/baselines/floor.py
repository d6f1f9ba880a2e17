"""The floor: a minimal python-telegram-bot application that answers each update with one
message, on PTB's default transport (HTTPXRequest), as a developer would install it.

    python bench/baselines/floor.py --port 18090 --base-url http://127.0.0.1:18081/bot
    python bench/baselines/floor.py ... --transport aiohttp

With ``--transport aiohttp`` the same bot runs on Lotsen's own transport
(``bot.channels.telegram_request.AiohttpRequest``, as ``bot.channels.telegram_transport``
builds it), so the floor's cost of PTB's httpx transport and the rest of PTB can be told
apart; nothing else changes.

Its one message carries a small fixed keyboard, so the load generator presses buttons and
types text in the same mix as for the other bots.
"""

from __future__ import annotations

import argparse
import os
import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ContextTypes, TypeHandler

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from bench.baselines.webhook import run

KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton("A", callback_data="a")], [InlineKeyboardButton("B", callback_data="b")]]
)


async def answer(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert isinstance(update, Update) and update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "Hej!", reply_markup=KEYBOARD)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", default="123456:BENCH-token")
    parser.add_argument("--secret", default="bench-secret")
    parser.add_argument("--transport", choices=("httpx", "aiohttp"), default="httpx")
    args = parser.parse_args()
    builder = Application.builder().token(args.token).base_url(args.base_url).updater(None)
    if args.transport == "aiohttp":
        # Imported only here: the HTTPXRequest floor loads nothing of Lotsen's.
        from bot.channels.telegram_request import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=2)
        )
    application = builder.build()
    application.add_handler(TypeHandler(Update, answer))
    run(application, args.port, args.secret)


if __name__ == "__main__":
    main()
