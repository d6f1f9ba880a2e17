"""Lotsen: a multilingual, privacy-first help navigator."""

from __future__ import annotations

__version__ = "0.1.0"
