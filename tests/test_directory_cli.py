"""`lotsen directory report` and `lotsen export hsds`, as the functions the CLI calls."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.directory.commands import cmd_export, cmd_report
from bot.directory.loader import load_directory
from tests.directory_fixtures import CONTENT, GOOD_SERVICE, write_directory


def test_report_lists_services_by_age_with_what_is_due(capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_report(argparse.Namespace(content=str(CONTENT), today=date(2027, 11, 10))) == 0
    out = capsys.readouterr().out
    assert "Overdue: stale now, shown without phone numbers and hours (0)" in out
    assert f"Due this month: check before 2027-11-30 ({_shown_services()})" in out
    assert "orostelefonen" in out and "national.yaml:" in out
    assert "exempelkommunen" not in out


def test_report_puts_the_oldest_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    older = GOOD_SERVICE.replace("stod:", "gammal:").replace("2026-11-22", "2025-01-15")
    newer = GOOD_SERVICE.replace("2026-11-22", "2026-10-01")
    write_directory(tmp_path, {"a.yaml": newer, "b.yaml": older})
    assert cmd_report(argparse.Namespace(content=str(tmp_path), today=date(2026, 11, 25))) == 0
    out = capsys.readouterr().out
    assert "Overdue: stale now, shown without phone numbers and hours (1)" in out
    assert "Up to date (1)" in out
    assert out.index("gammal") < out.index("stod")


def test_report_refuses_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["directory", "report", "--content", str(CONTENT), "--today", "tomorrow"])
    assert exited.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_broken_content_prints_problems_and_exits_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_directory(tmp_path, {"a.yaml": GOOD_SERVICE.replace('"0480"', '"0999"')})
    assert cmd_report(argparse.Namespace(content=str(tmp_path), today=None)) == 1
    assert cmd_export(argparse.Namespace(content=str(tmp_path), out=str(tmp_path / "o"))) == 1
    err = capsys.readouterr().err
    assert "a.yaml:7:13: error unknown-area" in err
    assert not (tmp_path / "o").exists()


def test_export_writes_hsds_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hsds"
    assert cmd_export(argparse.Namespace(content=str(CONTENT), out=str(out))) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / "organizations.json"), str(out / "services.json")]
    assert len(json.loads((out / "services.json").read_text("utf-8"))) == _shown_services()


def _shown_services() -> int:
    """How many real (not example) services the shipped directory holds."""
    directory, _ = load_directory(CONTENT / "directory")
    assert directory is not None
    return sum(1 for service in directory.services.values() if not service.example)
