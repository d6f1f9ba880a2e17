"""Loaded packs kept on disk by what they were loaded from, so the same files load once.

    cache = PackCache.from_env(os.environ)     # None when LOTSEN_CACHE_DIR=off
    result = load_pack("content", cache=cache)

A pack of thousands of steps in eight languages takes seconds to read (YAML, the JSON
Schemas, Babel's PO parser, the validator's word rules); a restart, a deploy of unchanged
content or a second ``lotsen validate`` need not pay that again. The key is a SHA-256 of
everything the load depends on: every file under the pack's folder and the locales folder
(its name, its kind and its bytes), the load's options (``today``, the coverage, the folders'
paths, which the problems name) and Lotsen's own code (``bot/``), so an edit to any file, or
an upgrade, is a new key and a fresh load. Nothing is ever updated in place: an entry is
written once (to a temporary file, then renamed) and the oldest are dropped.

Each catalog is also kept on its own, by its path, its language and its bytes
(``catalog_key``): a fresh load after an edit to one flow, in ``lotsen validate`` or in a
server's child process (``bot.pack.apart``), takes every catalog from here instead of
Babel's parser (1.3 s of a 10,000-step pack's load in eight languages).

An entry is a pickle, and unpickling runs code, so an entry is read only from a folder and a
file that belong to this user and that no one else can write (the folder is made 0700, the
files 0600); anything else, or anything unreadable, is a miss and a fresh load. The cache
holds the pack (content, never anything a person typed).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import pickle
import stat
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.pack.collector import collector_paused

if TYPE_CHECKING:
    from bot.i18n.catalogs import LoadedCatalog
    from bot.pack.loader import LoadResult

logger = logging.getLogger(__name__)

FORMAT = b"lotsen-pack-cache-1"  # change when an entry's shape changes
KEPT = 8  # entries kept: a few packs (and days: freshness is judged as of ``today``)
KEPT_CATALOGS = 64  # catalogs kept, each by its own bytes: a few packs' languages
OFF = ("off", "none", "false", "0")
SKIPPED_FOLDERS = frozenset({"tests"})  # a pack's conversation tests are not the pack
KEPT_LIBRARIES = ("babel", "holidays")  # their results are in a loaded pack


@dataclass(frozen=True)
class PackCache:
    """Loaded packs in ``folder``, one file each (``pack-<key>.pickle``)."""

    folder: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PackCache | None:
        """``LOTSEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/lotsen``, else ``~/.cache/lotsen``
        (``HOME`` from ``env``); None when it says ``off`` or no folder can be named."""
        chosen = env.get("LOTSEN_CACHE_DIR", "").strip()
        if chosen.lower() in OFF:
            return None
        if chosen:
            return cls(Path(chosen))
        base = env.get("XDG_CACHE_HOME", "").strip()
        if base:
            return cls(Path(base) / "lotsen")
        home = env.get("HOME", "").strip()
        return cls(Path(home) / ".cache" / "lotsen") if home else None

    def key(
        self, pack: Path, locales: Path, *, today: date | None, min_coverage: float
    ) -> str | None:
        """The key of loading ``pack`` with ``locales``: a hash of every input. None when
        the inputs cannot all be named (a linked folder inside): such a pack is not kept."""
        digest = hashlib.sha256(FORMAT)
        digest.update(_code_fingerprint())
        options = f"{pack}\0{locales}\0{today}\0{min_coverage!r}\0"
        digest.update(options.encode("utf-8", "surrogateescape"))
        try:
            for folder in (pack, locales):
                digest.update(b"\1folder\0")
                for part in _fingerprint(folder):
                    digest.update(part)
        except _Uncacheable:
            return None
        return digest.hexdigest()

    def get(self, key: str) -> LoadResult | None:
        """The result stored under ``key``, or None (none stored, or none to be trusted)."""
        from bot.pack.loader import LoadResult

        found = self._read(self._path(key))
        return found if isinstance(found, LoadResult) else None

    def put(self, key: str, result: LoadResult) -> None:
        """Store ``result`` under ``key``; a folder that cannot be written only means no
        cache (logged at INFO)."""
        self._write(self._path(key), result, "pack-*.pickle", KEPT)

    def get_catalog(self, key: str) -> LoadedCatalog | None:
        """A catalog read before from the same bytes at the same path (``catalog_key``)."""
        from bot.i18n.catalogs import LoadedCatalog

        found = self._read(self._catalog_path(key))
        return found if isinstance(found, LoadedCatalog) else None

    def put_catalog(self, key: str, catalog: LoadedCatalog) -> None:
        self._write(self._catalog_path(key), catalog, "catalog-*.pickle", KEPT_CATALOGS)

    def catalog_key(self, path: Path, code: str, digest: bytes) -> str:
        """The key of the catalog of ``code`` at ``path`` whose bytes hash to ``digest``:
        what reading it depends on, Lotsen's own code and Babel included."""
        key = hashlib.sha256(FORMAT + b"\0catalog\0")
        key.update(_code_fingerprint())
        key.update(f"{path}\0{code}\0".encode("utf-8", "surrogateescape"))
        key.update(digest)
        return key.hexdigest()

    def _read(self, path: Path) -> object:
        try:
            if not self._trusted(self.folder):
                return None
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.info("content cache not used: %s", error.strerror)
            return None
        with os.fdopen(fd, "rb") as handle:
            if not _private(os.fstat(handle.fileno())):
                logger.warning("content cache entry not used: another user can write it")
                return None
            try:
                return _unpickled(handle.read())
            except Exception as exc:  # a torn or foreign entry: load afresh, write anew
                logger.info("content cache entry not used: %s", type(exc).__name__)
                return None

    def _write(self, path: Path, value: object, kind: str, kept: int) -> None:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self._trusted(self.folder):
                return
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".entry-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:  # mkstemp makes it 0600
                    handle.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self._prune(kind, kept)
        except (OSError, pickle.PicklingError) as error:
            logger.info("content cache not written: %s", error)

    def _path(self, key: str) -> Path:
        return self.folder / f"pack-{key[:40]}.pickle"

    def _catalog_path(self, key: str) -> Path:
        return self.folder / f"catalog-{key[:40]}.pickle"

    def _prune(self, kind: str, kept: int) -> None:
        entries = sorted(self.folder.glob(kind), key=_modified, reverse=True)
        for old in entries[kept:]:
            old.unlink(missing_ok=True)

    def _trusted(self, folder: Path) -> bool:
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            return False
        if stat.S_ISDIR(info.st_mode) and _private(info):
            return True
        logger.warning(
            "content cache %s not used: it must be a folder of this user's that no one "
            "else can write",
            folder,
        )
        return False


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # another process pruned it meanwhile
        return 0.0


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _unpickled(data: bytes) -> object:
    with collector_paused():
        return pickle.loads(data)


def _fingerprint(folder: Path) -> Iterator[bytes]:
    """Every entry under ``folder`` in a fixed order: its name, its kind and, for a file,
    its bytes (a link: where it points; the loader itself refuses links)."""
    if not folder.is_dir():
        yield b"missing"
        return
    for where, folders, files in os.walk(folder):
        base = Path(where)
        skipped = SKIPPED_FOLDERS if base == folder else frozenset()
        folders[:] = sorted(name for name in folders if name not in skipped)
        for name in sorted(files):
            path = base / name
            relative = str(path.relative_to(folder)).encode("utf-8", "surrogateescape")
            yield b"\1" + relative + b"\0"
            try:
                info = os.lstat(path)
                if stat.S_ISLNK(info.st_mode):
                    yield b"link\0" + os.fsencode(os.readlink(path))
                elif stat.S_ISREG(info.st_mode):  # never opened otherwise: a FIFO would block
                    yield b"file\0%d\0" % info.st_size
                    yield _file_digest(path)
                else:
                    yield b"other\0"
            except OSError as error:  # the load reports it; the key only tells it apart
                yield b"unreadable\0%d" % (error.errno or 0)
        if any((base / name).is_symlink() for name in folders):
            raise _Uncacheable()  # its files would not be in the key


class _Uncacheable(Exception):
    """An input the key cannot describe."""


def _file_digest(path: Path) -> bytes:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").digest()


@cache
def _code_fingerprint() -> bytes:
    """Lotsen's own code and schemas, and the versions of the libraries whose results a
    loaded pack keeps (a directory's public holidays, the catalogs as Babel read them): a
    new version of either loads packs afresh."""
    root = Path(__file__).resolve().parent.parent  # bot/
    digest = hashlib.sha256()
    for library in KEPT_LIBRARIES:
        digest.update(f"{library}={_version(library)}\0".encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json", ".yaml") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.digest()


def _version(library: str) -> str:
    """The installed version of ``library``, read from its metadata: importing ``holidays``
    to ask would cost the 13 MiB its pack entry saves."""
    try:
        return importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        return "none"
