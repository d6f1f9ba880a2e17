"""Every ``lotsen`` mistake is one short message naming the argument or file, never a traceback.

Exit status 2 for bad arguments (argparse's usage line, then the error), 1 for files or a
database that cannot be used. Each row prepares files in ``tmp_path``, runs ``bot.cli.main``
in-process and checks the code and the last line on stderr.
"""

from __future__ import annotations

import io
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.commandline import iso_time
from bot.storage import TransientStoreError
from tests.directory_fixtures import CONTENT
from tests.packs import DIRECTORY, SERVICES, write_pack

Prepare = Callable[[Path], object]


def nothing(tmp: Path) -> None:
    pass


def text_file(tmp: Path) -> None:
    (tmp / "notes.txt").write_text("not a database\n", "utf-8")


def empty_database(tmp: Path) -> None:
    (tmp / "lotsen.sqlite3").touch()  # an empty file is an empty SQLite database


def newer_database(tmp: Path) -> None:
    db = sqlite3.connect(tmp / "newer.sqlite3")
    db.execute("PRAGMA user_version = 999")
    db.close()


def folder(tmp: Path) -> None:
    (tmp / "folder").mkdir()


def pack(tmp: Path) -> None:
    write_pack(tmp / "pack")
    folder(tmp)


def pack_verified_in_9999(tmp: Path) -> None:
    services = SERVICES.replace("verified: 2026-11-22", "verified: 9999-06-01", 1)
    write_pack(tmp / "pack", {**DIRECTORY, "directory/services/lines.yaml": services})


def pack_and_a_test_not_utf8(tmp: Path) -> None:
    pack(tmp)
    (tmp / "bad.yaml").write_bytes(b"\xff\xfe turns")


def catalog_not_utf8(tmp: Path) -> None:
    po = tmp / "locales" / "sv" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(b'\xff\xfemsgid "x"\n')


def catalog_fa(tmp: Path) -> None:
    po = tmp / "locales" / "fa" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "Hem"\nmsgstr "خانه"\n', "utf-8")


@dataclass(frozen=True)
class Case:
    argv: str  # split on spaces; {tmp} is the test's folder, {content} the shipped pack
    code: int
    names: str | None  # the argument or file the line names; None: stderr is empty
    says: str = ""  # what the line says is wrong
    prepare: Prepare = nothing
    env: dict[str, str] = field(default_factory=dict)


DB = "--database {tmp}/lotsen.sqlite3"
CASES = {
    # lotsen stats and purge
    "stats: days past the year 1": Case(
        f"stats --since 999999999 {DB}", 2, "argument --since", "from 1 to 36500", empty_database
    ),
    "stats: a day February lacks": Case(
        f"stats --today 2026-02-30 {DB}", 2, "argument --today", "not a date", empty_database
    ),
    "stats: a text file": Case(
        "stats --database {tmp}/notes.txt", 1, "notes.txt", "not a database", text_file
    ),
    "purge: a text file": Case(
        "purge --database {tmp}/notes.txt", 1, "notes.txt", "not a database", text_file
    ),
    "stats: a folder": Case("stats --database {tmp}/folder", 1, "folder", "directory", folder),
    "purge: a folder": Case("purge --database {tmp}/folder", 1, "folder", "directory", folder),
    "stats: a newer schema": Case(
        "stats --database {tmp}/newer.sqlite3", 1, "newer.sqlite3", "newer", newer_database
    ),
    "purge: a bad LOTSEN_SESSION_TTL": Case(
        f"purge {DB}",
        2,
        "LOTSEN_SESSION_TTL",
        "'soon'",
        empty_database,
        {"LOTSEN_SESSION_TTL": "soon"},
    ),
    # lotsen validate and chat
    "validate: a bad --today": Case(
        "validate {tmp}/pack --today 2026-02-30", 2, "argument --today", "YYYY-MM-DD", pack
    ),
    "validate: verified in the year 9999": Case(
        "validate {tmp}/pack --today 2026-11-24", 0, "pack", "0 error(s)", pack_verified_in_9999
    ),
    "chat: a language the pack lacks": Case(
        "chat --content {tmp}/pack --lang xx", 2, "--lang", "languages: sv", pack
    ),
    "chat: a bad LOTSEN_MIN_LANGUAGE_COVERAGE": Case(
        "chat --content {tmp}/pack",
        2,
        "LOTSEN_MIN_LANGUAGE_COVERAGE",
        "percentage",
        pack,
        {"LOTSEN_MIN_LANGUAGE_COVERAGE": "most"},
    ),
    # lotsen graph, transcripts and test
    "graph: --output is a folder": Case(
        "graph --content {tmp}/pack -o {tmp}/folder", 1, "--output", "directory", pack
    ),
    "graph: --output in a missing folder": Case(
        "graph --content {tmp}/pack -o {tmp}/no/such/graph.md", 1, "--output", "No such", pack
    ),
    "transcripts: a bad --now": Case(
        "transcripts --lang sv --now soon", 2, "argument --now", "not a time"
    ),
    "transcripts: no turns": Case(
        "transcripts --lang sv --max-depth 0", 2, "argument --max-depth", "from 1 to"
    ),
    "transcripts: --output is a folder": Case(
        "transcripts --content {tmp}/pack --lang sv -o {tmp}/folder", 1, "--output", "dir", pack
    ),
    "test: a missing test file": Case(
        "test {tmp}/pack {tmp}/missing.yaml", 1, "missing.yaml", "No such file", pack
    ),
    "test: a test file not UTF-8": Case(
        "test {tmp}/pack {tmp}/bad.yaml", 1, "bad.yaml", "not UTF-8", pack_and_a_test_not_utf8
    ),
    "test: a bad --now": Case("test --now yesterday", 2, "argument --now", "YYYY-MM-DDTHH:MM"),
    # lotsen directory report and export hsds
    "report: the last month there is": Case(
        "directory report --content {content} --today 9999-12-31", 0, None
    ),
    "report: months past the year 9999": Case(
        "directory report --months 99999999", 2, "argument --months", "from 1 to 1200"
    ),
    "export: OUT_DIR is a file": Case(
        "export hsds {tmp}/notes.txt --content {content}", 1, "OUT_DIR", "is a file", text_file
    ),
    "export: OUT_DIR inside a file": Case(
        "export hsds {tmp}/notes.txt/hsds --content {content}",
        1,
        "notes.txt",
        "cannot write it: Not a directory",
        text_file,
    ),
    # lotsen i18n
    "i18n stats: a catalog not UTF-8": Case(
        "i18n --locales {tmp}/locales stats", 1, "messages.po", "not UTF-8", catalog_not_utf8
    ),
    "i18n stats: --locales missing": Case(
        "i18n --locales {tmp}/nowhere stats", 1, "--locales", "missing"
    ),
    "i18n stats: --min not a number": Case(
        "i18n stats --min nan", 2, "argument --min", "percentage from 0 to 100"
    ),
    "i18n update: --root without babel.cfg": Case(
        "i18n --root {tmp}/folder --locales {tmp}/locales update", 1, "--root", "babel.cfg", folder
    ),
    "i18n init: a path for a language": Case(
        "i18n --locales {tmp}/locales init ../x", 2, "argument language", "not a language code"
    ),
    "i18n init: an unknown language": Case(
        "i18n --locales {tmp}/locales init zz_QQ", 2, "argument language", "not a language code"
    ),
    "i18n init: --locales is a file": Case(
        "i18n --locales {tmp}/notes.txt init fa", 1, "--locales", "is a file", text_file
    ),
    "i18n init: a language already there": Case(
        "i18n --locales {tmp}/locales init fa", 1, "messages.po", "already exists", catalog_fa
    ),
}


def run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exited:  # argparse's usage errors
        return int(exited.code or 0)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_mistake_is_one_line_naming_what_is_wrong(
    case: Case,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("LOTSEN_DATABASE", "LOTSEN_SESSION_TTL", "LOTSEN_MIN_LANGUAGE_COVERAGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    case.prepare(tmp_path)
    argv = case.argv.format(tmp=tmp_path, content=CONTENT).split(" ")

    code = run(argv)

    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert code == case.code, err
    if case.names is None:
        assert err == ""
        return
    if code == 2:  # argparse's usage line(s), then the error
        assert 1 <= len(lines) <= 5, err
    else:
        assert len(lines) == 1, err
    assert case.names in lines[-1]
    assert case.says in lines[-1]


def refused(*args: object, **kwargs: object) -> object:
    raise PermissionError(13, "Permission denied", "/srv/pack/flows/home.yaml")


@pytest.mark.parametrize(
    "argv",
    [
        ["validate"],
        ["chat"],
        ["graph"],
        ["test"],
        ["transcripts", "--lang", "sv"],
        ["directory", "report"],
        ["export", "hsds", "out"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_a_pack_file_the_system_refuses_is_one_line_naming_it(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root (in CI containers) chmod cannot make a file unreadable: the readers raise instead.
    monkeypatch.setattr("bot.pack.loader.load_pack", refused)
    monkeypatch.setattr("bot.editor.commands.load_pack", refused)
    monkeypatch.setattr("bot.directory.commands.load_directory", refused)
    assert main(argv) == 1
    assert capsys.readouterr().err.splitlines() == [
        "/srv/pack/flows/home.yaml: cannot read it: Permission denied"
    ]


def test_a_full_disk_during_i18n_update_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> object:
        raise OSError(28, "No space left on device", "locales/messages.pot")

    (tmp_path / "babel.cfg").write_text("[lotsen_yaml: content/**.yaml]\n", "utf-8")
    monkeypatch.setattr("bot.i18n.commands.extract", full)
    argv = ["i18n", "--root", str(tmp_path), "--locales", str(tmp_path / "locales"), "update"]
    assert main(argv) == 1
    assert capsys.readouterr().err.splitlines() == [
        "locales/messages.pot: cannot read or write it: No space left on device"
    ]


def test_a_locked_database_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def locked(*args: object) -> object:  # what the store raises for SQLITE_BUSY
        raise TransientStoreError(
            "the database cannot commit now: database is locked", reason="locked"
        )

    empty_database(tmp_path)
    monkeypatch.setattr("bot.storage.commands._counts", locked)
    assert main(["stats", "--database", str(tmp_path / "lotsen.sqlite3")]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        f"{tmp_path / 'lotsen.sqlite3'}: the database cannot commit now: database is locked"
    )


def test_i18n_init_leaves_an_existing_catalog_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog_fa(tmp_path)
    po = tmp_path / "locales" / "fa" / "LC_MESSAGES" / "messages.po"
    before = po.read_bytes()
    assert main(["i18n", "--locales", str(tmp_path / "locales"), "init", "fa"]) == 1
    assert po.read_bytes() == before
    assert "lotsen i18n update" in capsys.readouterr().err


def test_an_unexpected_error_is_one_line_that_asks_for_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> str:
        raise RuntimeError("the renderer\nfell over")

    monkeypatch.setattr("bot.editor.graph.mermaid", broken)
    write_pack(tmp_path)
    assert main(["graph", "--content", str(tmp_path)]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("lotsen graph: unexpected RuntimeError at bot/editor/commands.py:")
    assert line.endswith(": the renderer fell over; this is a bug; please report it")


def test_ctrl_c_stops_quietly_with_130(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr("bot.pack.loader.load_pack", interrupted)
    try:
        code = main(["validate", str(tmp_path)])
    except KeyboardInterrupt:  # caught here, or it would stop the whole test run
        code = -1
    assert code == 130
    assert capsys.readouterr().err == ""


def test_a_closed_pipe_ends_quietly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:  # like pytest's capture: never the real descriptor 1
            raise io.UnsupportedOperation("fileno")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    errors: list[str] = []

    class Stderr:
        def write(self, text: str) -> int:
            errors.append(text)
            return len(text)

        def flush(self) -> None:
            pass

    write_pack(tmp_path)
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    monkeypatch.setattr(sys, "stderr", Stderr())
    assert main(["graph", "--content", str(tmp_path)]) == 1  # as `lotsen graph | head -1`
    assert errors == []


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-01-15T09:30", datetime(2026, 1, 15, 9, 30, tzinfo=UTC)),
        ("2026-01-15T10:00+02:00", datetime(2026, 1, 15, 8, 0, tzinfo=UTC)),
        ("2026-01-15", datetime(2026, 1, 15, tzinfo=UTC)),
    ],
)
def test_now_is_read_as_utc_and_an_offset_is_kept(text: str, utc: datetime) -> None:
    parsed = iso_time(text)
    assert parsed == utc
    assert parsed.tzinfo is UTC
