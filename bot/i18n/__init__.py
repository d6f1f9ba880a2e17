"""Translation at render time: a Phrase becomes text in the person's locale."""

from __future__ import annotations

from bot.i18n.render import SourceTranslator, Translator, render

__all__ = ["SourceTranslator", "Translator", "render"]
