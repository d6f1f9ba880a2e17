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


# A municipality's socialjour, reached through 112 (facts made up for tests, shaped as the
# municipality's page states them), with the national card it must not be mistaken for.
ESKILSTUNA = """\
services:
  eskilstuna_socialjour:
    organization: Eskilstuna kommun
    name: Socialjouren i Eskilstuna
    description: Socialtjänstens jour utanför kontorstid.
    topics: [out_of_hours]
    areas: ["0484"]
    phones:
      - number: "112"
        description: Ring 112 och fråga efter socialjouren
    hours:
      weekly:
        - {days: [mon, tue, wed, thu], opens: "15:00", closes: "24:00"}
      public_holidays: open
    source: eskilstuna.se, sidan Socialjouren
    source_url: https://www.eskilstuna.se/socialjouren
    verified: 2026-11-22
    status: active
  socialtjansten:
    organization: Kommunen
    name: Socialtjänsten i din kommun
    description: Råd utan namn.
    topics: [social_services]
    areas: [SE]
    source: kommunernas webbplatser
    verified: 2026-11-22
    status: active
"""
