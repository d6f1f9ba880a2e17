"""The cache of loaded packs: the same files load once; any change to a file, an option or
Lotsen's code loads afresh; an entry anyone else could have written is never unpickled."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from datetime import date
from functools import partial
from pathlib import Path

import pytest

from bot.i18n import catalogs
from bot.pack import cache as pack_cache
from bot.pack import loader
from bot.pack.cache import KEPT, KEPT_CATALOGS, PackCache
from bot.pack.loader import LoadResult, load_pack
from tests.shipped import copy_shipped_pack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    return copy_shipped_pack(tmp_path)


@pytest.fixture()
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The packs actually read from their files (not taken from the cache)."""
    read: list[Path] = []
    real = loader._load

    def counted(root: Path, *args: object) -> LoadResult:
        read.append(root)
        return real(root, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "_load", counted)
    return read


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new), "utf-8")


def test_the_same_files_load_once_and_the_kept_pack_is_the_same(
    pack: Path, tmp_path: Path, loads: list[Path]
) -> None:
    cache = PackCache(tmp_path / "cache")
    first = load_pack(pack, cache=cache)
    second = load_pack(pack, cache=cache)
    assert loads == [pack]  # the second came from the cache
    assert first.content is not None and second.content is not None
    assert second.content.version == first.content.version
    assert second.content == first.content
    assert second.problems == first.problems
    assert os.stat(tmp_path / "cache").st_mode & 0o777 == 0o700
    [entry] = (tmp_path / "cache").glob("pack-*.pickle")
    assert entry.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("where", "old", "new"),
    [
        ("content/flows/social.yaml", "Välj det du undrar över.", "Välj din fråga."),
        ("locales/en/LC_MESSAGES/messages.po", 'msgstr "Choose', 'msgstr "Pick'),
        ("content/lotsen.yaml", "web_send: Skicka", "web_send: Skicka iväg"),
    ],
)
def test_a_change_to_any_file_loads_afresh(
    pack: Path, tmp_path: Path, loads: list[Path], where: str, old: str, new: str
) -> None:
    cache = PackCache(tmp_path / "cache")
    before = load_pack(pack, cache=cache)
    _edit(tmp_path / where, old, new)
    after = load_pack(pack, cache=cache)
    assert len(loads) == 2
    assert before.content is not None and after.content is not None
    assert after.content.version != before.content.version


def test_a_new_file_a_new_day_or_another_coverage_loads_afresh(
    pack: Path, tmp_path: Path, loads: list[Path]
) -> None:
    cache = PackCache(tmp_path / "cache")
    load_pack(pack, cache=cache, today=date(2026, 12, 7))
    load_pack(pack, cache=cache, today=date(2026, 12, 8))  # freshness is judged as of today
    load_pack(pack, cache=cache, today=date(2026, 12, 8), min_coverage=99.0)
    (pack / "flows" / "broken.yaml").write_text("steps: [\n", "utf-8")
    broken = load_pack(pack, cache=cache, today=date(2026, 12, 8), min_coverage=99.0)
    assert len(loads) == 4
    assert broken.content is None  # the new file's problem, not the old pack
    (pack / "flows" / "broken.yaml").unlink()
    load_pack(pack, cache=cache, today=date(2026, 12, 7))
    assert len(loads) == 4  # back as it was: the first entry again


def test_the_conversation_tests_are_not_part_of_the_key(
    pack: Path, tmp_path: Path, loads: list[Path]
) -> None:
    cache = PackCache(tmp_path / "cache")
    load_pack(pack, cache=cache)
    (pack / "tests").mkdir()
    (pack / "tests" / "new.yaml").write_text("name: a test\n", "utf-8")
    load_pack(pack, cache=cache)
    assert len(loads) == 1


def test_an_entry_someone_else_can_write_is_never_unpickled(
    pack: Path, tmp_path: Path, loads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PackCache(tmp_path / "cache")
    load_pack(pack, cache=cache)
    [entry] = (tmp_path / "cache").glob("pack-*.pickle")
    unpickled: list[bytes] = []
    monkeypatch.setattr(pack_cache.pickle, "loads", lambda data: unpickled.append(data))
    entry.chmod(0o666)
    assert load_pack(pack, cache=cache).content is not None
    (tmp_path / "cache").chmod(0o777)
    entry.chmod(0o600)
    assert load_pack(pack, cache=cache).content is not None
    assert unpickled == [] and len(loads) == 3


def test_a_broken_entry_is_a_fresh_load_and_is_written_anew(
    pack: Path, tmp_path: Path, loads: list[Path]
) -> None:
    cache = PackCache(tmp_path / "cache")
    load_pack(pack, cache=cache)
    [entry] = (tmp_path / "cache").glob("pack-*.pickle")
    entry.write_bytes(entry.read_bytes()[:1000])  # torn
    assert load_pack(pack, cache=cache).content is not None
    entry.write_bytes(pickle.dumps({"not": "a pack"}))
    assert load_pack(pack, cache=cache).content is not None
    assert load_pack(pack, cache=cache).content is not None
    assert len(loads) == 3  # the last one came from the entry the third load wrote


def test_a_cache_that_cannot_be_written_only_means_no_cache(
    pack: Path, tmp_path: Path, loads: list[Path]
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", "utf-8")
    cache = PackCache(blocked / "cache")
    assert load_pack(pack, cache=cache).content is not None
    assert load_pack(pack, cache=cache).content is not None
    assert len(loads) == 2


def test_a_file_changed_while_loading_is_not_kept_under_the_old_key(
    pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PackCache(tmp_path / "cache")
    real = loader._load

    def changing(root: Path, *args: object) -> LoadResult:
        result = real(root, *args)  # type: ignore[arg-type]
        _edit(root / "flows" / "social.yaml", "Välj det du undrar över.", "Välj din fråga.")
        return result

    monkeypatch.setattr(loader, "_load", changing)
    load_pack(pack, cache=cache)
    assert list((tmp_path / "cache").glob("pack-*.pickle")) == []


def test_only_the_newest_entries_are_kept(pack: Path, tmp_path: Path) -> None:
    cache = PackCache(tmp_path / "cache")
    for day in range(1, KEPT + 4):
        load_pack(pack, cache=cache, today=date(2026, 12, day))
    assert len(list((tmp_path / "cache").glob("pack-*.pickle"))) == KEPT


def test_only_the_newest_catalogs_are_kept(tmp_path: Path) -> None:
    cache = PackCache(tmp_path / "cache")
    empty = catalogs.LoadedCatalog(catalogs.CatalogStats("en", 0, 0, 0, ""), {}, tmp_path)
    for number in range(KEPT_CATALOGS + 3):
        key = cache.catalog_key(tmp_path / f"{number}.po", "en", b"bytes")
        cache.put_catalog(key, empty)
    assert len(list((tmp_path / "cache").glob("catalog-*.pickle"))) == KEPT_CATALOGS
    assert cache.get_catalog(key) == empty


def test_where_the_cache_lives() -> None:
    assert PackCache.from_env({"LOTSEN_CACHE_DIR": "off", "HOME": "/h"}) is None
    assert PackCache.from_env({"LOTSEN_CACHE_DIR": "/srv/c"}) == PackCache(Path("/srv/c"))
    assert PackCache.from_env({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == PackCache(
        Path("/x/lotsen")
    )
    assert PackCache.from_env({"HOME": "/h"}) == PackCache(Path("/h/.cache/lotsen"))
    assert PackCache.from_env({}) is None


def test_lotsen_validate_uses_the_cache_named_in_its_environment(
    pack: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "LOTSEN_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "bot", "validate", str(pack)]
    runs = [subprocess.run(command, env=env, capture_output=True, text=True) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0]
    assert runs[0].stderr == runs[1].stderr  # the same summary, the second from the cache
    assert len(list((tmp_path / "cache").glob("pack-*.pickle"))) == 1
    off = subprocess.run(
        command, env={**env, "LOTSEN_CACHE_DIR": "off"}, capture_output=True, text=True
    )
    assert off.returncode == 0


def test_a_pack_taken_from_the_cache_needs_no_schema_library(pack: Path, tmp_path: Path) -> None:
    """A restart from the cache checks no file against the schemas, so it does not import
    jsonschema (2.7 MiB of an idle server); a fresh load does."""
    code = (
        "import sys; from pathlib import Path; from bot.pack.cache import PackCache; "
        "from bot.pack.loader import load_pack; "
        f"result = load_pack({str(pack)!r}, cache=PackCache(Path({str(tmp_path / 'c')!r}))); "
        "print(result.content is not None, 'jsonschema' in sys.modules)"
    )
    command = [sys.executable, "-c", code]
    runs = [subprocess.run(command, cwd=ROOT, capture_output=True, text=True) for _ in range(2)]
    assert [run.stdout.split() for run in runs] == [["True", "True"], ["True", "False"]]


def test_a_server_needs_no_holidays_library(pack: Path, tmp_path: Path) -> None:
    """The holidays library imports every country's calendar (13 MiB of an idle server of
    72). A loaded directory keeps Sweden's public holidays of the years around the load, so
    a server judges Christmas Day without the library: started on new files (read in a
    child process, bot.pack.apart) and restarted from the cache of loaded packs alike."""
    env = {
        "LOTSEN_CONTENT": str(pack),
        "LOTSEN_DATABASE": str(tmp_path / "lotsen.sqlite3"),
        "LOTSEN_SECRET_KEY": "holidays-test-0123456789abcdef0123456789",
        "LOTSEN_CACHE_DIR": str(tmp_path / "cache"),
    }
    code = (
        "import asyncio, sys; from datetime import date, datetime, timezone; "
        "from aiohttp import web; "
        "from bot.server import create_app, load_content; from bot.settings import Settings; "
        "from bot.directory import hours; "
        f"settings = Settings.from_env({env!r}); content = load_content(settings); "
        "christmas = datetime(2026, 12, 25, 10, tzinfo=timezone.utc)\n"
        "async def main():\n"
        "    app = await create_app(settings, lambda: content, clock=lambda: christmas)\n"
        "    runner = web.AppRunner(app); await runner.setup(); await runner.cleanup()\n"
        "asyncio.run(main()); "
        "print(hours.is_public_holiday(christmas.date()), 'holidays' in sys.modules)"
    )
    command = [sys.executable, "-c", code]
    runs = [
        subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
        for _ in range(2)
    ]
    assert [run.stdout.split() for run in runs] == [["True", "False"], ["True", "False"]], [
        run.stderr[-2000:] for run in runs
    ]


def test_the_kept_holidays_are_the_librarys_and_a_new_version_of_it_loads_afresh(
    pack: Path, tmp_path: Path, loads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holidays a pack keeps are the library's own; another version of it (a law that
    moved a holiday) must not be answered from an entry made with the one before."""
    import holidays

    result = load_pack(pack, cache=PackCache(tmp_path / "cache"))
    assert result.content is not None and result.content.directory is not None
    kept = result.content.directory.public_holidays
    this_year = date.today().year
    assert this_year in kept and this_year + 1 in kept
    for year, days in kept.items():
        library = holidays.country_holidays(
            "SE", years=year, categories=("public",), include_sundays=False
        )
        assert days == frozenset(library)
    pack_cache._code_fingerprint.cache_clear()
    monkeypatch.setattr(pack_cache, "_version", lambda library: f"{library} upgraded")
    load_pack(pack, cache=PackCache(tmp_path / "cache"))
    pack_cache._code_fingerprint.cache_clear()
    assert len(loads) == 2


def test_another_version_of_lotsen_loads_afresh(
    pack: Path, tmp_path: Path, loads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PackCache(tmp_path / "cache")
    load_pack(pack, cache=cache)
    monkeypatch.setattr(pack_cache, "_code_fingerprint", lambda: b"an upgraded bot/")
    load_pack(pack, cache=cache)
    assert len(loads) == 2


def test_a_pack_with_a_linked_folder_inside_is_not_kept(
    pack: Path, tmp_path: Path, loads: list[Path]
) -> None:
    """The key names every file it can see; a folder reached through a link it cannot
    vouch for, so such a pack always loads from its files."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (pack / "directory" / "linked").symlink_to(elsewhere, target_is_directory=True)
    cache = PackCache(tmp_path / "cache")
    load_pack(pack, cache=cache)
    load_pack(pack, cache=cache)
    assert len(loads) == 2
    assert not list((tmp_path / "cache").glob("pack-*.pickle"))  # catalogs, each by its bytes


def test_a_catalog_read_once_is_not_parsed_again_by_another_process(
    pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each catalog is kept by its own bytes: after an edit to one flow, a fresh process
    (``lotsen validate``, a server's child) takes every catalog from the cache, and after
    an edit to one catalog it parses that one alone, and serves its new text."""
    parsed: list[str] = []
    real = catalogs._parse

    def counted(raw: bytes, path: Path, code: str, *args: object) -> catalogs.LoadedCatalog:
        parsed.append(code)
        return real(raw, path, code, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(catalogs, "_parse", counted)
    fresh_process = partial(monkeypatch.setattr, catalogs, "_parsed", {})
    cache = PackCache(tmp_path / "cache")
    load_pack(pack, cache=cache)
    assert sorted(parsed) == ["ar", "en", "so"]
    _edit(pack / "flows" / "home.yaml", "title:", "# edited\ntitle:")
    fresh_process()
    assert load_pack(pack, cache=cache).content is not None
    assert sorted(parsed) == ["ar", "en", "so"]  # none parsed again
    catalog = pack.parent / "locales" / "en" / "LC_MESSAGES" / "messages.po"
    _edit(catalog, 'msgstr "Socialjouren in Eda"', 'msgstr "Eda social on call"')
    fresh_process()
    result = load_pack(pack, cache=cache)
    assert sorted(parsed) == ["ar", "en", "en", "so"]
    assert result.content is not None
    assert result.content.translations["en"]["Socialjouren i Eda"] == "Eda social on call"
