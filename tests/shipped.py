"""The shipped content pack, loaded as a test sees it, a session resting at one of its steps,
and a copy of the pack to edit."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from bot.engine import Session
from bot.flows.model import Content

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def at(content: Content, ref: str, locale: str = "sv") -> Session:
    """A session resting at ``ref``, with the menu to go back to."""
    return Session(
        step=ref,
        version=content.version,
        started=NOW,
        updated=NOW,
        back=(content.menu,),
        locale=locale,
    )


def copy_shipped_pack(folder: Path) -> Path:
    """A copy of the shipped pack (its conversation tests left out) and its catalogs in
    ``folder``; returns the pack's folder."""
    shutil.copytree(ROOT / "content", folder / "content", ignore=shutil.ignore_patterns("tests"))
    shutil.copytree(ROOT / "locales", folder / "locales")
    return folder / "content"
