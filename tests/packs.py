"""Small content packs written into a temporary folder, for tests of the loader and rules."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.flows.model import REQUIRED_TEXTS

SPECIAL_TEXTS = {
    "unknown_command": '"Kommandon: {commands}"',
    "card_source": '"Källa: {source}, kontrollerad {date}"',
}


def _text(key: str) -> str:
    return SPECIAL_TEXTS.get(key, f"Text {key}")


TEXTS = "\n".join(f"  {key}: {_text(key)}" for key in REQUIRED_TEXTS)

PACK = f"""\
id: test
source_language: sv
start: home.welcome
menu: home.menu
emergency: emergency.now
privacy: home.about
help: home.about
triggers:
  emergency: [akut, i fara]
  menu: [meny]
  back: [tillbaka]
texts:
{TEXTS}
"""

HOME = """\
title: Hem
steps:
  welcome:
    say: Välkommen.
    next: menu
  menu:
    say: Vad vill du veta?
    options:
      - label: Om tjänsten
        goto: about
      - label: Akut
        goto: emergency
  about:
    say: Ingen läser chatten.
    end: true
"""

EMERGENCY = """\
title: Akut
steps:
  now:
    say: Ring 112 om någon är i fara.
    contacts: [sos]
    end: true
"""

# The contact point the emergency step shows, in the directory (its one place).
CONTACTS = """\
services:
  sos:
    organization: SOS Alarm
    name: "112"
    description: Nödnummer.
    topics: [emergency]
    areas: [SE]
    phones:
      - number: "112"
    source: SOS Alarm
    verified: 2026-11-22
    status: active
"""

AREAS = """\
source: SCB
verified: 2026-11-24
counties:
  "04": Södermanlands län
municipalities:
  "0480": Nyköping
  "0484": Eskilstuna
"""

VALID = {
    "lotsen.yaml": PACK,
    "directory/areas.yaml": AREAS,
    "directory/services/national.yaml": CONTACTS,
    "flows/home.yaml": HOME,
    "flows/emergency.yaml": EMERGENCY,
}


def write_pack(root: Path, overrides: Mapping[str, str | None] | None = None) -> Path:
    """The valid pack above in ``root``, with files replaced (or removed, for None)."""
    files: dict[str, str | None] = {**VALID, **(overrides or {})}
    for name, text in files.items():
        if text is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


SERVICES = """\
services:
  linje:
    organization: Exempel
    name: Stödlinjen
    description: En stödlinje.
    topics: [support_line]
    areas: [SE]
    web: https://example.se
    source: example.se
    verified: 2026-11-22
    status: active
  gammal:
    organization: Exempel
    name: Den gamla linjen
    description: Finns inte längre.
    topics: [support_line]
    areas: ["0480"]
    source: example.se
    source_url: https://example.se/gamla-linjen
    verified: 2026-11-22
    status: inactive
"""

DIRECTORY = {"directory/areas.yaml": AREAS, "directory/services/lines.yaml": SERVICES}
