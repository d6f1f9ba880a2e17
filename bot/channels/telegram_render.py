"""Replies as Telegram messages: HTML text within 4096 characters and inline keyboards.

Plain data only (no ``telegram`` import), so the layout is tested without a bot::

    messages = render(turn.replies, renderer_for(content, locale))
    messages[0].html        # escaped HTML, at most 4096 characters
    messages[-1].keyboard   # rows of Key(label, data); data is the engine's button token

Everything the content says is escaped: an editor's ``<`` never breaks a message. A reply
too long for one message is split between paragraphs, and only when a paragraph alone is too
long, between lines, then words. A turn's replies share a message where they fit (as
paragraphs); buttons go under the last part of their reply.
:class:`TelegramShape` hands all this to the delivery (``bot.channels.delivery.Shape``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.channels.splitting import fit, pack
from bot.channels.transport import Page
from bot.engine.replies import Button, ContactCard, Reply
from bot.i18n.renderer import Fact, Renderer

MAX_TEXT = 4096  # Telegram's limit, in UTF-16 code units after entities are parsed
MAX_CALLBACK_DATA = 64  # bytes
MAX_BUTTONS = 100
MAX_ROW = 8
MAX_NOTICE = 200  # characters of a pressed button's notice
# Language names and navigation are short: two to a row. Content options are sentences.
PER_ROW = {"option": 1, "nav": 2, "language": 2}
PARAGRAPH = "\n\n"
# A message must have some text; when a step shows only buttons, they hang under this.
BUTTONS_ONLY_TEXT = "\u2b07\ufe0f"


@dataclass(frozen=True)
class Key:
    """An inline button: its label and its callback data (at most 64 bytes)."""

    label: str
    data: str


@dataclass(frozen=True)
class Outgoing:
    """One message to send: HTML text and the keyboard under it (rows of keys)."""

    html: str
    keyboard: tuple[tuple[Key, ...], ...] = ()


class TelegramShape:
    """Telegram's messages for the delivery: rendered, plain, and kept as JSON until sent."""

    def render(
        self, replies: Sequence[Reply], renderer: Renderer, page: Page | None = None
    ) -> tuple[Outgoing, ...]:
        return tuple(render(replies, renderer))  # Telegram shows every button: no pages

    def plain(self, text: str) -> Outgoing:
        return Outgoing(html.escape(text, quote=False))

    def encode(self, messages: Sequence[Outgoing]) -> str:
        return encode(messages)

    def decode(self, payload: str) -> tuple[Outgoing, ...]:
        return decode(payload)

    def fits_notice(self, text: str) -> bool:
        return utf16_length(text) <= MAX_NOTICE


def encode(messages: Iterable[Outgoing]) -> str:
    """Messages as JSON, to be kept until sent (content texts and buttons only)."""
    return json.dumps(
        [
            {"html": m.html, "keys": [[[k.label, k.data] for k in row] for row in m.keyboard]}
            for m in messages
        ],
        ensure_ascii=False,
    )


def decode(payload: str) -> tuple[Outgoing, ...]:
    """The messages :func:`encode` kept."""
    return tuple(
        Outgoing(
            item["html"],
            tuple(tuple(Key(label, data) for label, data in row) for row in item["keys"]),
        )
        for item in json.loads(payload)
    )


def render(replies: Iterable[Reply], renderer: Renderer) -> list[Outgoing]:
    """Every reply of a turn as the messages that show it, in order: as few as fit, each
    reply's buttons under the last message of their text. Telegram lets a bot send a chat
    about one message a second, so a turn said in one message arrives whole at once (and
    costs one request); its replies stay apart as paragraphs."""
    messages: list[Outgoing] = []
    blocks: list[str] = []
    for reply in replies:
        blocks.extend(_blocks(reply, renderer))
        keyboard = keyboard_for(reply.buttons, renderer)
        if not keyboard:
            continue  # its text goes on with the next reply's, in the same message
        parts = _split(blocks)
        blocks = []
        if not parts:
            if messages and not messages[-1].keyboard:
                # Nothing to say: the buttons go under the message before.
                messages[-1] = Outgoing(messages[-1].html, keyboard)
                continue
            parts = [BUTTONS_ONLY_TEXT]
        messages.extend(Outgoing(part) for part in parts[:-1])
        messages.append(Outgoing(parts[-1], keyboard))
    messages.extend(Outgoing(part) for part in _split(blocks))
    return messages


def keyboard_for(buttons: Sequence[Button], renderer: Renderer) -> tuple[tuple[Key, ...], ...]:
    """Buttons in rows: options one to a row, languages and navigation two to a row.

    A token longer than Telegram allows cannot be sent at all, so such a button is left
    out rather than failing the whole message (the engine keeps tokens far shorter).
    """
    rows: list[tuple[Key, ...]] = []
    current: list[Key] = []
    kind = ""
    for button in buttons[:MAX_BUTTONS]:
        if len(button.token.encode()) > MAX_CALLBACK_DATA:
            continue
        width = min(PER_ROW.get(button.kind, 1), MAX_ROW)
        if current and (button.kind != kind or len(current) >= width):
            rows.append(tuple(current))
            current = []
        kind = button.kind
        current.append(Key(renderer.label(button), button.token))
    if current:
        rows.append(tuple(current))
    return tuple(rows)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji may count two)."""
    return len(text.encode("utf-16-le")) // 2


# --- text ----------------------------------------------------------------------------------


def _blocks(reply: Reply, renderer: Renderer) -> list[str]:
    """The reply as HTML blocks, each fitting one message: text paragraphs, one block per
    contact card, the "you can also type" note."""
    blocks: list[str] = []
    if reply.text is not None:
        for paragraph in renderer.text(reply.text).split(PARAGRAPH):
            if paragraph.strip():
                blocks.extend(html.escape(piece, quote=False) for piece in _fit(paragraph))
    blocks.extend(card_html(card, renderer) for card in reply.contacts)
    if reply.expects_text:
        blocks.append(f"<i>{html.escape(renderer.interface('can_type'), quote=False)}</i>")
    return blocks


def _split(blocks: list[str]) -> list[str]:
    """Blocks packed into as few messages as fit, joined by blank lines."""
    return pack(blocks, utf16_length, MAX_TEXT, PARAGRAPH)


def _fit(paragraph: str) -> Iterator[str]:
    """Pieces of a plain paragraph whose escaped HTML fits a message."""
    return fit(paragraph, _escaped_length, MAX_TEXT)


def _escaped_length(plain: str) -> int:
    return utf16_length(html.escape(plain, quote=False))


# --- contact cards -------------------------------------------------------------------------


def card_html(card: ContactCard, renderer: Renderer) -> str:
    """A contact card: the name in bold, one fact a line, web sites as links, the source
    in italics. Phone numbers and e-mail addresses stay plain text, where Telegram's apps
    make them tappable (the Bot API has no ``tel:`` links)."""
    lines = [f"<b>{html.escape(renderer.text(card.name), quote=False)}</b>"]
    lines.extend(_fact_html(fact) for fact in renderer.card(card))
    block = "\n".join(lines)
    if utf16_length(block) > MAX_TEXT:  # a card is never split; a runaway one is cut short
        block = html.escape(renderer.text(card.name), quote=False)[: MAX_TEXT // 2]
    return block


def _fact_html(fact: Fact) -> str:
    text = html.escape(fact.text, quote=False)
    if fact.kind == "source":
        return f"<i>{text}</i>"
    if fact.kind == "web" and _is_web_address(fact.value):
        shown = html.escape(fact.value, quote=False)
        link = f'<a href="{html.escape(fact.value, quote=True)}">{_display(fact.value)}</a>'
        return text.replace(shown, link, 1) if shown in text else f"{text}\n{link}"
    return text


def _is_web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _display(url: str) -> str:
    """``https://www.example.se/`` -> ``www.example.se``: shorter, and what people read."""
    parts = urlsplit(url)
    shown = parts.netloc + (parts.path if parts.path not in ("", "/") else "")
    return html.escape(shown, quote=False)
