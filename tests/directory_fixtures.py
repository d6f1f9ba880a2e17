"""The shipped directory, loaded once, and small directories written for loader tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.directory.loader import load_directory
from bot.directory.model import Directory

CONTENT = Path(__file__).resolve().parents[1] / "content"
DIRECTORY = CONTENT / "directory"

SMALL_AREAS = """\
source: test
verified: 2026-11-24
counties:
  "01": Stockholms län
  "04": Södermanlands län
municipalities:
  "0114": Upplands Väsby
  "0180": Stockholm
  "0480": Nyköping
  "0484": Eskilstuna
"""

GOOD_SERVICE = """\
services:
  stod:
    organization: Kommunen
    name: Stöd
    description: Stöd för anhöriga.
    topics: [worried_relative]
    areas: ["0480"]
    source: test
    verified: 2026-11-22
    status: active
"""


@cache
def shipped() -> Directory:
    directory, problems = load_directory(DIRECTORY)
    assert directory is not None, [p.format() for p in problems]
    return directory


def write_directory(root: Path, services: dict[str, str], areas: str = SMALL_AREAS) -> Path:
    """A directory folder under ``root`` with ``areas.yaml`` and ``services/<name>.yaml``."""
    folder = root / "directory"
    (folder / "services").mkdir(parents=True)
    (folder / "areas.yaml").write_text(areas, "utf-8")
    for name, text in services.items():
        (folder / "services" / name).write_text(text, "utf-8")
    return folder
