"""A server reads a pack's files in a child process and takes the pack from the cache."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.pack import apart
from bot.pack.apart import load_apart
from bot.pack.cache import PackCache
from bot.pack.loader import LoadResult, load_pack
from bot.reload import ContentHolder
from bot.server import load_holder
from bot.settings import Settings
from tests.shipped import copy_shipped_pack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    return copy_shipped_pack(tmp_path)


@pytest.fixture()
def fills(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The packs handed to a child process to read."""
    handed: list[Path] = []
    real = apart._fill

    def counted(directory: Path, *args: object) -> None:
        handed.append(directory)
        real(directory, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(apart, "_fill", counted)
    return handed


def _read_apart(pack: Path, *, cache: PackCache | None, timeout: float) -> LoadResult:
    return load_apart(pack, pack.parent / "locales", cache=cache, timeout=timeout)


def test_the_server_process_reads_no_file_of_a_new_pack(pack: Path, tmp_path: Path) -> None:
    """Started on files never loaded, the server's own process imports neither the schema
    library nor the holidays library (the child did the reading), and has the pack."""
    code = (
        "import sys; from pathlib import Path; from bot.pack.apart import load_apart; "
        "from bot.pack.cache import PackCache; "
        f"result = load_apart(Path({str(pack)!r}), Path({str(pack.parent / 'locales')!r}), "
        f"cache=PackCache(Path({str(tmp_path / 'cache')!r})), timeout=60); "
        "print(result.content is not None, 'jsonschema' in sys.modules, "
        "'holidays' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.stdout.split() == ["True", "False", "False"], run.stderr[-2000:]
    assert list((tmp_path / "cache").glob("pack-*.pickle"))


def test_the_pack_read_apart_is_the_pack_read_here(
    pack: Path, tmp_path: Path, fills: list[Path]
) -> None:
    here = load_pack(pack)
    there = _read_apart(pack, cache=PackCache(tmp_path / "cache"), timeout=60)
    assert fills == [pack]
    assert here.content is not None and there.content is not None
    assert there.content.version == here.content.version
    assert there.content.steps == here.content.steps
    assert there.problems == here.problems
    again = _read_apart(pack, cache=PackCache(tmp_path / "cache"), timeout=60)
    assert fills == [pack]  # in the cache now: no child
    assert again.content is not None and again.content.version == here.content.version


def test_a_pack_with_errors_read_apart_reports_them(pack: Path, tmp_path: Path) -> None:
    flow = next((pack / "flows").glob("*.yaml"))
    flow.write_text(flow.read_text("utf-8") + "\n  broken: [\n", "utf-8")
    here = load_pack(pack)
    there = _read_apart(pack, cache=PackCache(tmp_path / "cache"), timeout=60)
    assert here.errors and there.content is None
    assert [p.format() for p in there.errors] == [p.format() for p in here.errors]


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ([sys.executable, "-c", "raise SystemExit(3)"], "ended with 3"),
        ([sys.executable, "-c", "import time; time.sleep(30)"], "failed: TimeoutExpired"),
        (["/nonexistent/python"], "failed: FileNotFoundError"),
    ],
)
def test_a_child_that_fails_leaves_the_reading_to_the_server(
    pack: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    command: list[str],
    said: str,
) -> None:
    """Whatever goes wrong with the child, the pack is still loaded (here), and the log
    says what, without any path or content."""
    monkeypatch.setattr(apart, "child_command", lambda: command)
    with caplog.at_level(logging.WARNING, logger="bot.pack.apart"):
        result = _read_apart(pack, cache=PackCache(tmp_path / "cache"), timeout=1.0)
    assert result.content is not None
    assert [record.getMessage() for record in caplog.records] == [
        f"reading the pack in a child process {said}"
    ]


def test_without_a_cache_the_files_are_read_here(pack: Path, fills: list[Path]) -> None:
    result = _read_apart(pack, cache=None, timeout=60)
    assert result.content is not None and fills == []


def test_a_holder_that_reads_apart_reloads_apart(
    pack: Path, tmp_path: Path, fills: list[Path]
) -> None:
    """The server's holder (``apart=True``) reads an edited pack in a child too."""
    holder = ContentHolder.load(pack, cache=PackCache(tmp_path / "cache"), apart=True)
    assert fills == [pack]
    flow = next((pack / "flows").glob("*.yaml"))
    flow.write_text(flow.read_text("utf-8") + "\n# an edit\n", "utf-8")
    outcome = holder.reload()
    assert outcome.accepted and outcome.changed
    assert fills == [pack, pack]


def test_the_server_reads_a_new_pack_apart(pack: Path, tmp_path: Path, fills: list[Path]) -> None:
    settings = Settings.from_env(
        {
            "LOTSEN_CONTENT": str(pack),
            "LOTSEN_DATABASE": str(tmp_path / "lotsen.sqlite3"),
            "LOTSEN_SECRET_KEY": "apart-test-0123456789abcdef0123456789ab",
            "LOTSEN_CACHE_DIR": str(tmp_path / "cache"),
        }
    )
    assert load_holder(settings).current().version
    assert fills == [pack]
