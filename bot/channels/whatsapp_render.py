"""Replies as WhatsApp messages: text within 4096 characters, choices as interactive messages.

Plain data only, so the layout is tested without a network::

    messages = render(turn.replies, renderer_for(content, locale))
    messages[-1].kind       # "text", "buttons" (at most 3) or "list" (at most 10 rows)
    messages[-1].rows       # Row(id, title, description); id is the engine's button token

WhatsApp's limits (``bot.pack.chat_limits.WHATSAPP``) shape everything here. Up to three
choices whose titles fit 20 characters are reply buttons; more are a list. A list that does
not fit 10 rows is paged: every page keeps the navigation rows (112, back, menu) and a
"more" row whose id is ``p.<page>.<list key>``; pressing it asks the engine for the step
again (``Again``) and this renders that page alone (``render(..., page=Page(n, key))``), when
the engine's answer is still that list (else everything it said). A label too long for
a row's title shows its ``short:`` label there (or is cut at a word), with the whole label in
the row's description.

A turn's replies share messages where they fit, as paragraphs: its texts go with the choices
as their body (1,024 characters), and only what does not fit goes before them as text.

Text is plain: WhatsApp makes links and phone numbers tappable itself, and ``*bold*`` marks a
contact card's name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.channels.splitting import fit, pack, shorten
from bot.channels.transport import Page
from bot.engine.replies import Button, ContactCard, Reply
from bot.i18n.renderer import Renderer
from bot.pack.chat_limits import WHATSAPP

PARAGRAPH = "\n\n"
PAGE_PREFIX = "p."  # the id of a list's "more" row: p.<the page it shows>.<list key>
KEY_CHARS = 8
_KEY = re.compile(f"[0-9a-f]{{{KEY_CHARS}}}")

Kind = Literal["text", "buttons", "list"]


@dataclass(frozen=True)
class Row:
    """A reply button or a list row: the id it sends back, its title, a description (rows)."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Outgoing:
    """One message: plain text, or text with reply buttons or a list under it."""

    body: str
    kind: Kind = "text"
    rows: tuple[Row, ...] = ()
    button: str = ""  # a list's button, which opens it


class WhatsAppShape:
    """WhatsApp's messages for the delivery: rendered, plain, and kept as JSON until sent."""

    def render(
        self, replies: Sequence[Reply], renderer: Renderer, page: Page | None = None
    ) -> tuple[Outgoing, ...]:
        return tuple(render(replies, renderer, page))

    def plain(self, text: str) -> Outgoing:
        return Outgoing(text[: WHATSAPP.text])

    def encode(self, messages: Sequence[Outgoing]) -> str:
        return encode(messages)

    def decode(self, payload: str) -> tuple[Outgoing, ...]:
        return decode(payload)

    def fits_notice(self, text: str) -> bool:
        return False  # WhatsApp has no notice on a pressed button


def encode(messages: Iterable[Outgoing]) -> str:
    """Messages as JSON, to be kept until sent (content texts and button tokens only)."""
    return json.dumps(
        [
            {
                "body": m.body,
                "kind": m.kind,
                "rows": [[r.id, r.title, r.description] for r in m.rows],
                "button": m.button,
            }
            for m in messages
        ],
        ensure_ascii=False,
    )


def decode(payload: str) -> tuple[Outgoing, ...]:
    """The messages :func:`encode` kept."""
    return tuple(
        Outgoing(
            item["body"],
            item["kind"],
            tuple(Row(id_, title, description) for id_, title, description in item["rows"]),
            item["button"],
        )
        for item in json.loads(payload)
    )


def page_of(row_id: str) -> Page | None:
    """The page a "more" row asks for; None for any other id."""
    if not row_id.startswith(PAGE_PREFIX):
        return None
    number, _, key = row_id[len(PAGE_PREFIX) :].partition(".")
    if not number.isdecimal() or len(number) > 3 or not _KEY.fullmatch(key):
        return None
    return Page(int(number), key)


def list_key(buttons: Sequence[Button]) -> str:
    """A short key of a list of buttons: option tokens carry the content version and the
    step, so the same key means the same step's list under the same content."""
    joined = "\n".join(button.token for button in buttons)
    return hashlib.sha256(joined.encode()).hexdigest()[:KEY_CHARS]


def render(
    replies: Iterable[Reply], renderer: Renderer, page: Page | None = None
) -> list[Outgoing]:
    """Every reply of a turn as the messages that show it, in order; ``page``: only that
    page of the last reply's choices, when they are still the list it belongs to."""
    replies = list(replies)
    if page is not None and page.number > 0:
        with_buttons = [reply for reply in replies if reply.buttons]
        if with_buttons and list_key(with_buttons[-1].buttons) == page.of:
            return [_choices("", with_buttons[-1].buttons, renderer, page.number)]
        # The person is elsewhere now (forgotten, expired, the content changed): all of it.
    messages: list[Outgoing] = []
    pieces: list[str] = []  # a turn's replies share messages where they fit, as paragraphs
    for reply in replies:
        pieces.extend(_pieces(reply, renderer))
        if not reply.buttons:
            continue
        # The choices hang under the reply's last words, as many as fit an interactive body.
        head, body = _body(pieces)
        pieces = []
        messages.extend(Outgoing(text) for text in pack(head, len, WHATSAPP.text, PARAGRAPH))
        last = messages[-1] if messages else None
        if (
            not body
            and last is not None
            and last.kind == "text"
            and len(last.body) <= WHATSAPP.body
        ):
            body = messages.pop().body  # a step with nothing to say: under the message before
        messages.append(_choices(body, reply.buttons, renderer, 0))
    messages.extend(Outgoing(text) for text in pack(pieces, len, WHATSAPP.text, PARAGRAPH))
    return messages


def _pieces(reply: Reply, renderer: Renderer) -> list[str]:
    """The reply's paragraphs, contact cards and "you can also type" note, each short enough
    to be an interactive message's body."""
    blocks: list[str] = []
    if reply.text is not None:
        blocks.extend(p for p in renderer.text(reply.text).split(PARAGRAPH) if p.strip())
    blocks.extend(card_text(card, renderer) for card in reply.contacts)
    if reply.expects_text:
        blocks.append(f"_{renderer.interface('can_type')}_")
    return [piece for block in blocks for piece in fit(block, len, WHATSAPP.body)]


def _body(pieces: list[str]) -> tuple[list[str], str]:
    """``pieces`` split into those sent as text first and the body of the choices: the last
    pieces that fit one body together."""
    body: list[str] = []
    while pieces and len(PARAGRAPH.join([pieces[-1], *body])) <= WHATSAPP.body:
        body.insert(0, pieces.pop())
    return pieces, PARAGRAPH.join(body)


def _choices(body: str, buttons: Sequence[Button], renderer: Renderer, page: int) -> Outgoing:
    """Reply buttons when up to three short enough, else a list (paged past ten rows)."""
    titles = [_button_title(button, renderer) for button in buttons]
    if len(buttons) <= WHATSAPP.buttons and all(t is not None for t in titles) and page == 0:
        replies = tuple(Row(b.token, t or "") for b, t in zip(buttons, titles, strict=True))
        return Outgoing(body or renderer.interface("whatsapp_choose"), "buttons", replies)
    navigation = [_row(b, renderer) for b in buttons if b.kind == "nav"]
    others = [_row(b, renderer) for b in buttons if b.kind != "nav"]
    room = max(WHATSAPP.rows - len(navigation), 2)
    rows: list[Row]
    if len(others) <= room:
        rows = others + navigation
    else:
        per_page = room - 1  # and the "more" row
        pages = -(-len(others) // per_page)
        shown = page % pages
        following = (shown + 1) % pages  # the last page's "more" goes round to the first
        more = Row(
            f"{PAGE_PREFIX}{following}.{list_key(buttons)}",
            shorten(renderer.interface("whatsapp_more"), WHATSAPP.row_title),
            shorten(
                renderer.interface("whatsapp_page", page=str(following + 1), pages=str(pages)),
                WHATSAPP.row_description,
            ),
        )
        rows = [*others[shown * per_page : (shown + 1) * per_page], more, *navigation]
        if page > 0:
            body = renderer.interface("whatsapp_page", page=str(shown + 1), pages=str(pages))
    return Outgoing(
        body or renderer.interface("whatsapp_choose"),
        "list",
        tuple(rows[: WHATSAPP.rows]),
        shorten(renderer.interface("whatsapp_choose"), WHATSAPP.list_button),
    )


def _button_title(button: Button, renderer: Renderer) -> str | None:
    """The title on a reply button, or None when neither label fits one."""
    for title in (renderer.label(button), _short(button, renderer)):
        if title and len(title) <= WHATSAPP.button_title:
            return title
    return None


def _row(button: Button, renderer: Renderer) -> Row:
    """A list row: the label as title where it fits, else the short label (or the label cut
    at a word) with the whole label as the description."""
    label = renderer.label(button)
    if len(label) <= WHATSAPP.row_title:
        return Row(button.token, label)
    short = _short(button, renderer)
    title = short if short and len(short) <= WHATSAPP.row_title else None
    return Row(
        button.token,
        title or shorten(label, WHATSAPP.row_title),
        shorten(label, WHATSAPP.row_description),
    )


def _short(button: Button, renderer: Renderer) -> str | None:
    return renderer.text(button.short) if button.short is not None else None


# --- contact cards -------------------------------------------------------------------------


def card_text(card: ContactCard, renderer: Renderer) -> str:
    """A contact card: the name in bold, one fact a line, the source in italics. Phone
    numbers, e-mail and web addresses stay plain: WhatsApp makes them tappable."""
    lines = [f"*{renderer.text(card.name)}*"]
    for fact in renderer.card(card):
        lines.append(f"_{fact.text}_" if fact.kind == "source" else fact.text)
    return "\n".join(lines)
