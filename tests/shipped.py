"""The shipped content pack, loaded as a test sees it, and a session resting at one of its steps."""

from __future__ import annotations

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
