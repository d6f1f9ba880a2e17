"""A language as a person picks it: named in itself, and written left to right or not."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from bot.flows.model import Language


def language(code: str) -> Language:
    """A language named in itself (``ar`` -> ``العربية``), and whether it is right to left."""
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Language(code, code)
    name = locale.get_display_name(locale) or code
    return Language(code, name[:1].upper() + name[1:], locale.character_order == "right-to-left")
