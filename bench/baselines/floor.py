"""The floor: a minimal python-telegram-bot application that answers each update with one
message, on PTB's default transport (HTTPXRequest), as a developer would install it.

    python bench/baselines/floor.py --port 18090 --base-url http://127.0.0.1:18081/bot

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
    args = parser.parse_args()
    application = (
        Application.builder().token(args.token).base_url(args.base_url).updater(None).build()
    )
    application.add_handler(TypeHandler(Update, answer))
    run(application, args.port, args.secret)


if __name__ == "__main__":
    main()
