"""Loading a whole content pack: reading its files (through ``bot.source``), building the
model (``bot.flows``), the directory and the translations, and validating it with rules that
may use the engine's own matching."""

from __future__ import annotations
