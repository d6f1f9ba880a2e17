"""`lotsen validate` as an editor and CI use it: lines to click on, exit codes to gate on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.flows.model import REQUIRED_TEXTS
from bot.source import schema
from tests.packs import CONTACTS, HOME, write_pack

FLOW = "flows/home.yaml"


def test_a_valid_pack_exits_zero_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", str(write_pack(tmp_path)), "--today", "2026-11-24"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == ""
    assert "0 error(s), 0 warning(s)" in err


def test_errors_print_path_line_column_and_exit_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_pack(tmp_path, {FLOW: HOME.replace("goto: about", "goto: abuot")})
    code = main(["validate", str(tmp_path), "--today", "2026-11-24"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == [
        f"{tmp_path}/flows/home.yaml:10:15: error unknown-target `goto` leads to `abuot`, but "
        "there is no step in this flow or a flow called `abuot` (did you mean `about`?); "
        "steps here: about, menu, welcome"
    ]


def test_warnings_alone_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = CONTACTS.replace("2026-11-22", "2020-01-01")
    write_pack(tmp_path, {"directory/services/national.yaml": stale})
    assert main(["validate", str(tmp_path), "--today", "2026-11-24"]) == 0
    assert "warning stale-service" in capsys.readouterr().out


def test_github_format_gives_workflow_annotations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_pack(tmp_path, {FLOW: HOME.replace("label: Akut", "label: no")})
    assert main(["validate", str(tmp_path), "--format", "github", "--today", "2026-11-24"]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith(
        f"::error file={tmp_path}/flows/home.yaml,line=11,col=16,title=yaml-boolean::"
    )


def test_python_dash_m_bot_is_the_same_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "validate", str(write_pack(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_pack_schema_requires_exactly_the_texts_the_engine_uses() -> None:
    texts = schema.load("pack")["properties"]["texts"]
    assert set(texts["required"]) == set(REQUIRED_TEXTS) == set(texts["properties"])


def test_every_shipped_content_file_names_its_schema() -> None:
    content = Path(__file__).resolve().parent.parent / "content"
    files = [
        content / "lotsen.yaml",
        *sorted(content.glob("flows/*.yaml")),
        *sorted(content.glob("directory/services/*.yaml")),
    ]
    for path in files:
        first = path.read_text("utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target.is_file(), f"{path}: the modeline names {target}, which does not exist"
