"""The bot's command menu, in every language the pack offers, described in that language.

    for code, commands in command_menus(content):
        await bot.set_my_commands(commands, language_code=code)  # code None: everyone else

Descriptions are the pack's texts (``command_<name>``, required by its schema), translated:
never words written in code.
"""

from __future__ import annotations

from bot.flows.model import Content
from bot.i18n.renderer import Renderer, renderer_for

COMMANDS = ("start", "menu", "112", "back", "language", "help", "privacy", "forget")
MAX_DESCRIPTION = 256

Menu = list[tuple[str, str]]  # (command, description)


def command_menus(content: Content) -> list[tuple[str | None, Menu]]:
    """The source language's menu for everyone (code None), then one per offered language.
    Telegram takes two-letter ISO 639-1 codes only: ``pt_BR`` is registered as ``pt``."""
    menus: list[tuple[str | None, Menu]] = [(None, menu(content, None))]
    done: set[str] = set()
    for language in content.languages:
        code = language.code.replace("-", "_").split("_", 1)[0].lower()
        if len(code) == 2 and code not in done:
            done.add(code)
            menus.append((code, menu(content, language.code)))
    return menus


def menu(content: Content, locale: str | None) -> Menu:
    renderer = renderer_for(content, locale)
    return [(name, _describe(renderer, name)[:MAX_DESCRIPTION]) for name in COMMANDS]


def _describe(renderer: Renderer, name: str) -> str:
    return renderer.interface(f"command_{name}")
