"""The bot a developer would write instead of Lotsen: the same flow shape as a
python-telegram-bot ``ConversationHandler`` with ``PicklePersistence``, on PTB's default
transport (HTTPXRequest).

    python bench/baselines/conversation.py --port 18091 --base-url ... --data /tmp/ch.pickle

The shape follows Lotsen's pack: /start sends a welcome and the menu (two messages); a menu
of options, topics with buttons and a back button, and one state that takes free text.
Typed text in a button state gets the current buttons again (Lotsen's "not understood").
State and ``user_data`` live in memory and PicklePersistence writes them to its file every
``update_interval`` (60 s by default) and on shutdown, as installed: unlike Lotsen, an update
answered 200 is not yet on disk.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from bench.baselines.webhook import run

MENU, TOPIC, DETAIL, ASK = range(4)
TOPICS = ["worried", "social", "police", "leave", "support", "talk"]
NAV = [
    InlineKeyboardButton("112", callback_data="emergency"),
    InlineKeyboardButton("Tillbaka", callback_data="back"),
    InlineKeyboardButton("Meny", callback_data="menu"),
]


def _keyboard(options: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(label, callback_data=data)] for label, data in options]
    return InlineKeyboardMarkup([*rows, NAV[:2], NAV[2:]])


MENU_KEYS = _keyboard([(f"Om {topic}", f"t:{topic}") for topic in TOPICS])
TOPIC_KEYS = _keyboard(
    [("Vad händer sen?", "d:next"), ("Vem får veta?", "d:who"), ("Jag vill fråga något", "d:ask")]
)
DETAIL_KEYS = _keyboard([("Visa kontakter", "d:contacts"), ("Jag vill fråga något", "d:ask")])
ASK_KEYS = _keyboard([])


async def _say(update: Update, text: str, keys: InlineKeyboardMarkup) -> None:
    assert update.effective_chat is not None
    await update.get_bot().send_message(update.effective_chat.id, text, reply_markup=keys)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None
    context.user_data.clear()
    await _say(update, "Hej! Det är bra att du hör av dig. Jag heter Lotsen.", ASK_KEYS)
    await _say(update, "Vad vill du veta mer om?", MENU_KEYS)
    return MENU


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _say(update, "Vad vill du veta mer om?", MENU_KEYS)
    return MENU


async def emergency(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _say(update, "Ring 112 om någon är i fara nu.", ASK_KEYS)
    return MENU


async def topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    context.user_data["topic"] = query.data[2:]
    await _say(update, f"Om {context.user_data['topic']}: så här går det till.", TOPIC_KEYS)
    return TOPIC


async def detail(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    if query.data == "d:ask":
        await _say(update, "Skriv din fråga, eller namnet på din kommun.", ASK_KEYS)
        return ASK
    context.user_data.setdefault("seen", []).append(query.data)
    await _say(update, "Det här händer sedan, och de här får veta.", DETAIL_KEYS)
    return DETAIL


async def typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None
    context.user_data["asked"] = True  # what was typed is dropped, as Lotsen does
    await _say(update, "Tack. Här är vart du kan vända dig.", DETAIL_KEYS)
    return DETAIL


async def not_understood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, "Jag förstod inte. Välj en knapp.", MENU_KEYS)


def build(token: str, base_url: str, data: str) -> Application:
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .updater(None)
        .persistence(PicklePersistence(data))
        .build()
    )
    nav = [
        CallbackQueryHandler(emergency, pattern="^emergency$"),
        CallbackQueryHandler(menu, pattern="^(menu|back)$"),
    ]
    text = MessageHandler(filters.TEXT & ~filters.COMMAND, not_understood)
    with warnings.catch_warnings():
        # per_message=False with CallbackQueryHandlers: the conversation is per chat and user,
        # which is what this bot wants.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CommandHandler("start", start)],
            states={
                MENU: [CallbackQueryHandler(topic, pattern="^t:"), *nav, text],
                TOPIC: [CallbackQueryHandler(detail, pattern="^d:"), *nav, text],
                DETAIL: [CallbackQueryHandler(detail, pattern="^d:"), *nav, text],
                ASK: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed), *nav],
            },
            fallbacks=[CommandHandler("start", start), CommandHandler("menu", menu), *nav],
            name="lotsen",
            persistent=True,
        )
    application.add_handler(conversation)
    return application


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--token", default="123456:BENCH-token")
    parser.add_argument("--secret", default="bench-secret")
    args = parser.parse_args()
    run(build(args.token, args.base_url, args.data), args.port, args.secret)


if __name__ == "__main__":
    main()
