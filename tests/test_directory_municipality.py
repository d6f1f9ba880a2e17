"""`lotsen directory new-municipality` and the coverage `lotsen directory report` shows: a
municipality deploying Lotsen gets a file to fill in that `validate` refuses until it is
filled, and then sees itself in the report (text and HTML)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.directory.coverage import coverage, format_html, format_text
from bot.directory.loader import load_directory
from bot.directory.new_municipality import slug
from bot.pack.loader import load_pack
from tests.directory_fixtures import CONTENT, ESKILSTUNA

TODAY = date(2026, 11, 28)

# What an editor reads on the municipality's pages, for this test only (a made-up number in
# the municipality's area code; the file lives in a temporary copy of the pack).
INTAKE = "Du kan be om stöd för dig och din familj, och göra en orosanmälan."
FILLED = [
    (re.escape(INTAKE[:-1]) + r"\. FYLL I", INTAKE),
    (
        r'number: "FYLL I"\n        description: FYLL I \(till exempel [^)]*\)',
        'number: "016-710 00 00"\n        description: Kontaktcenter',
    ),
    (
        r'number: "FYLL I"\n        description: FYLL I',
        'number: "112"\n        description: Ring 112 och fråga efter socialjouren',
    ),
    (r"web: FYLL I", "web: https://www.eskilstuna.se/"),
    (r'opens: "FYLL I", closes: "FYLL I"', 'opens: "08:00", closes: "16:30"'),
    (r"anonymity: >-\n      FYLL I", "anonymity: Du kan fråga om råd utan att säga ditt namn."),
    (r"sidan FYLL I", "sidan Socialjouren"),
    (r"source_url: FYLL I", "source_url: https://www.eskilstuna.se/socialjouren"),
    (r"verified: ÅÅÅÅ-MM-DD", "verified: 2026-11-28"),
]


def _left_to_fill(text: str) -> set[int]:
    """The lines still to fill in, as validate names them: a folded text (``>-``) at its key."""
    lines = text.splitlines()
    found = set()
    for number, line in enumerate(lines, start=1):
        if re.search("FYLL I|ÅÅÅÅ", line) and not line.lstrip().startswith("#"):
            folded = number > 1 and lines[number - 2].rstrip().endswith(">-")
            found.add(number - 1 if folded else number)
    return found


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy, ignore=shutil.ignore_patterns("tests"))
    (copy / "directory" / "services" / "eskilstuna.yaml").unlink(missing_ok=True)
    return copy


def _errors(pack: Path, name: str) -> list[tuple[int, str]]:
    result = load_pack(pack, today=TODAY)
    return sorted((p.line, p.code) for p in result.problems if p.is_error and p.file.endswith(name))


def test_the_new_file_names_the_municipality_and_is_refused_until_filled(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["directory", "new-municipality", "0484", "--content", str(pack)]) == 0
    written = pack / "directory" / "services" / "eskilstuna.yaml"
    assert capsys.readouterr().out.splitlines()[0] == str(written)
    text = written.read_text("utf-8")
    assert "# Eskilstuna kommun (0484), Södermanlands län" in text
    assert "eskilstuna_socialjour:" in text and 'areas: ["0484"]' in text
    errors = _errors(pack, "eskilstuna.yaml")
    assert {line for line, _ in errors} == _left_to_fill(text)  # each one, and only those
    for pattern, value in FILLED:
        text, count = re.subn(pattern, value, text)
        assert count, pattern
    written.write_text(text, "utf-8")
    assert _errors(pack, "eskilstuna.yaml") == []


def test_a_code_that_is_no_municipality_is_refused_with_an_example(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["directory", "new-municipality", "9999", "--content", str(pack)]) == 1
    assert "Eskilstuna is 0484" in capsys.readouterr().err
    assert main(["directory", "new-municipality", "Nyköping", "--content", str(pack)]) == 1
    assert "Nyköping is 0480" in capsys.readouterr().err


def test_an_existing_file_is_never_overwritten(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = pack / "directory" / "services" / "upplands-vasby.yaml"
    existing.write_text("# mine\n", "utf-8")
    assert main(["directory", "new-municipality", "0114", "--content", str(pack)]) == 1
    assert "exists already" in capsys.readouterr().err
    assert existing.read_text("utf-8") == "# mine\n"


def test_names_become_ids_and_file_names() -> None:
    assert slug("Upplands Väsby") == "upplands_vasby"
    assert slug("Malung-Sälen") == "malung_salen"
    assert slug("Örebro") == "orebro"


def test_the_report_shows_coverage_by_county_with_freshness(pack: Path) -> None:
    services = pack / "directory" / "services" / "eskilstuna.yaml"
    services.write_text(ESKILSTUNA.split("  socialtjansten:")[0], "utf-8")  # its own alone
    directory, problems = load_directory(pack / "directory")
    assert directory is not None, problems
    counties = coverage(directory, date(2027, 11, 10))
    sodermanland = next(c for c in counties if c.code == "04")
    eskilstuna = next(m for m in sodermanland.municipalities if m.code == "0484")
    assert set(eskilstuna.facts) == {"out_of_hours"}
    assert eskilstuna.facts["out_of_hours"].state == "due"  # verified 2026-11-22, 12 months
    text = format_text(counties)
    assert "0484 Eskilstuna: socialjour (due, 2026-11-22)" in text
    page = format_html(counties, date(2027, 11, 10))
    assert page.startswith("<!doctype html>") and '<html lang="sv">' in page
    assert "<td class='due' title='eskilstuna_socialjour'>" in page
    assert f"Södermanlands län ({sodermanland.covered} av 9)" in page
