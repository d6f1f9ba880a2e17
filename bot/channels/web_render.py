"""Replies as JSON for the web page: text rendered on the server, so the page needs no catalogs.

    answer_body(content, result)   # the bytes of /api/event's answer; payload(): as an object
    # {"replies": [{"text": "Hej!", "cards": [...], "buttons": [...], "expects_text": false}],
    #  "locale": "sv", "lang": "sv", "dir": "ltr", "language_name": "Svenska",
    #  "languages": [...], "interface": {"web_send": "Skicka", ...}, "forgotten": false}

Every value is plain text: the page inserts it with ``textContent``, never as HTML. Links
(``href``) are built here from the contact's raw phone number, address or URL, and only with
the schemes ``tel:``, ``mailto:``, ``http:`` and ``https:``.

What an event is owed (``owed``: its replies as shown and its language) is kept until a retry
of the event, which gets it back with the page's words around it (``repeat``).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from bot.directory.phones import tel_uri
from bot.engine import tokens
from bot.engine.replies import Button, ContactCard, Reply
from bot.flows.model import Content
from bot.i18n.renderer import Fact, Renderer, renderer_for
from bot.service import HandleResult

JSON = dict[str, Any]

# The page's own words: interface texts of the pack (required by its schema), so each pack
# speaks in its own voice and translators translate them with the rest.
WEB_TEXT_KEYS: tuple[str, ...] = (
    "web_title",
    "web_quick_exit",
    "web_quick_exit_help",
    "web_quick_exit_keys",
    "web_quick_exit_two_more",
    "web_quick_exit_one_more",
    "web_quick_exit_ok",
    "web_emergency",
    "web_language",
    "web_input_label",
    "web_placeholder",
    "web_send",
    "web_privacy",
    "web_error",
    "web_slow_down",
    "web_retry",
    "web_you",
    "web_bot",
    "can_type",
)

_LINK_SCHEMES = frozenset({"http", "https"})


def interface(renderer: Renderer) -> dict[str, str]:
    """The page's words in the renderer's language."""
    return {key: renderer.interface(key) for key in WEB_TEXT_KEYS}


def payload(content: Content, result: HandleResult) -> JSON:
    """A turn's result as the page shows it, as an object (:func:`answer_body` is the same
    answer as the bytes sent)."""
    body: JSON = json.loads(answer_body(content, result))
    return body


def answer_body(content: Content, result: HandleResult, replies: str | None = None) -> bytes:
    """A turn's result as the page shows it, encoded: the body of ``/api/event``'s answer.
    ``replies``, when given, are its replies as :func:`rendered` already made them (for
    :func:`owed`), so they are neither made nor encoded twice."""
    renderer = renderer_for(content, result.locale, on_web_page=True)
    if replies is None:
        replies = rendered(content, result)
    return _framed(renderer, replies, forgotten=result.forgotten)


def rendered(content: Content, result: HandleResult) -> str:
    """A turn's replies in the person's language, as a JSON array."""
    renderer = renderer_for(content, result.locale, on_web_page=True)
    return _dumps([reply_json(renderer, reply) for reply in result.replies])


def owed(result: HandleResult, replies: str) -> str:
    """What a turn's answer needs kept to be sent again: its replies (:func:`rendered`) and
    its language."""
    return f'{{"locale":{_dumps(result.locale)},"replies":{replies}}}'


def repeat(content: Content, kept: str) -> bytes:
    """The answer :func:`owed` kept, as :func:`answer_body` gave it."""
    answer = json.loads(kept)
    renderer = renderer_for(content, answer["locale"], on_web_page=True)
    return _framed(renderer, _dumps(answer["replies"]))


def _framed(renderer: Renderer, replies: str, *, forgotten: bool = False) -> bytes:
    """``{"replies": [...], <the frame>, "forgotten": false}``: the JSON of the three parts
    joined, so that the frame, the same for every turn in a language, is encoded once."""
    ending = ',"forgotten":true}' if forgotten else ',"forgotten":false}'
    return f'{{"replies":{replies},{_frame(renderer)}{ending}'.encode()


def _frame(renderer: Renderer) -> str:
    """The part of every answer that depends only on the pack and the language (where the
    page is, its words), as the JSON members it adds: the same for every turn, so made once
    per language and kept with the pack (``Content.derived``); a reloaded pack makes its
    own."""

    def made() -> str:
        members = {**locale_json(renderer), "interface": interface(renderer)}
        return _dumps(members)[1:-1]  # without its braces

    key = ("web_frame", renderer.locale, str(renderer.on_web_page))
    return renderer.content.kept(key, made)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def locale_json(renderer: Renderer) -> JSON:
    """Where the page is: its language, how to write it in ``lang=``, its direction, and the
    languages to choose from, each named in itself."""
    names = {language.code: language.name for language in renderer.content.languages}
    return {
        "locale": renderer.locale,
        "lang": html_lang(renderer.locale),
        "dir": "rtl" if renderer.rtl else "ltr",
        "language_name": names.get(renderer.locale, renderer.locale),
        "languages": [
            {
                "code": language.code,
                "lang": html_lang(language.code),
                "name": language.name,
                "dir": "rtl" if renderer_for(renderer.content, language.code).rtl else "ltr",
                "token": tokens.language_token(language.code),
            }
            for language in renderer.content.languages
        ],
    }


def html_lang(locale: str) -> str:
    """A gettext locale as an HTML ``lang`` value: ``pt_BR`` -> ``pt-BR``."""
    return locale.replace("_", "-")


def reply_json(renderer: Renderer, reply: Reply) -> JSON:
    return {
        "text": renderer.text(reply.text) if reply.text is not None else "",
        "cards": [card_json(renderer, card) for card in reply.contacts],
        "buttons": [button_json(renderer, button) for button in reply.buttons],
        "expects_text": reply.expects_text,
    }


def button_json(renderer: Renderer, button: Button) -> JSON:
    data: JSON = {
        "token": button.token,
        "label": renderer.label(button),
        "kind": button.kind,
        "action": button.action,
    }
    if button.kind == "language":
        parsed = tokens.parse(button.token)
        if isinstance(parsed, tokens.LanguageToken):
            # The label is in that language, whatever the page's: say so for screen readers.
            data["lang"] = html_lang(parsed.code)
    return data


def card_json(renderer: Renderer, card: ContactCard) -> JSON:
    return {
        "name": renderer.text(card.name),
        "facts": [fact_json(fact) for fact in renderer.card(card)],
    }


def fact_json(fact: Fact) -> JSON:
    data: JSON = {"kind": fact.kind, "text": fact.text}
    link = href(fact.kind, fact.value)
    if link:
        data["href"] = link
    return data


def href(kind: str, value: str) -> str | None:
    """A safe link for a fact, or None: ``href("phone", "020-100 200")`` ->
    ``"tel:+4620100200"`` (``bot.directory.phones``: the number as dialled from anywhere)."""
    if kind == "phone":
        digits = re.sub(r"[^\d+]", "", value)
        return tel_uri(value) if re.fullmatch(r"\+?\d{2,15}", digits) else None
    if kind == "email":
        return f"mailto:{value}" if re.fullmatch(r"[^@\s:/?#\"<>]+@[^@\s/?#\"<>]+", value) else None
    if kind == "web":
        parts = urlsplit(value)
        return value if parts.scheme in _LINK_SCHEMES and parts.netloc else None
    return None
