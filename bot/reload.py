"""Live reload: a new content pack swapped in while the server runs, or refused whole.

    holder = ContentHolder.load(Path("content"), Path("locales"), min_coverage=90)
    provider = holder.current        # what the server asks on every turn
    result = holder.reload()         # validate the pack on disk; swap it in only if clean
    if not result.accepted:
        ...                          # result.problems say file:line:column; the old pack serves

Three things ask for a reload: a :class:`Watcher` that notices changed files in ``content/``
and ``locales/`` (it polls their modification times and sizes, about once a second), SIGHUP,
and ``POST /admin/reload`` (see ``bot.server``). The swap is one assignment: a turn sees the
old pack or the new one, never a mix. People mid-conversation carry on, because the engine
recognises a session from an older version (a step that still exists continues, a removed one
follows ``moved:`` or restarts politely).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.flows.loader import load_pack
from bot.flows.model import Content
from bot.flows.problems import Problem

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
Snapshot = frozenset[tuple[str, int, int]]


class ContentError(Exception):
    """The content pack has errors; the server does not start with them."""

    def __init__(self, directory: Path, problems: tuple[Problem, ...]) -> None:
        super().__init__(f"{directory}: the pack has errors; run `lotsen validate {directory}`")
        self.problems = problems


@dataclass(frozen=True)
class ReloadResult:
    """What a reload did. ``accepted`` False: the pack on disk has errors (``problems``) and
    ``version`` is still the old one. ``changed`` says whether a new version now serves."""

    accepted: bool
    changed: bool
    version: str
    previous: str
    problems: tuple[Problem, ...] = ()

    @property
    def status(self) -> str:
        if not self.accepted:
            return "refused"
        return "reloaded" if self.changed else "unchanged"

    def to_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "version": self.version,
            "previous": self.previous,
            "problems": [
                {
                    "file": p.file,
                    "line": p.line,
                    "column": p.column,
                    "level": p.level,
                    "code": p.code,
                    "message": p.message,
                }
                for p in self.problems
            ],
        }


class ContentHolder:
    """The pack being served, and the one place that replaces it."""

    def __init__(
        self, content: Content, directory: Path, locales: Path | None, min_coverage: float
    ) -> None:
        self._content = content
        self.directory = directory
        self.locales = locales if locales is not None else directory.parent / "locales"
        self._min_coverage = min_coverage
        self._lock = threading.Lock()  # reloads run in a worker thread; one at a time

    @classmethod
    def load(
        cls, directory: Path, locales: Path | None = None, *, min_coverage: float = 0.0
    ) -> ContentHolder:
        """The holder of the pack in ``directory``; raises :class:`ContentError` on errors."""
        result = load_pack(directory, locales=locales, min_coverage=min_coverage)
        if result.content is None:
            raise ContentError(directory, result.errors)
        return cls(result.content, directory, locales, min_coverage)

    def current(self) -> Content:
        """The pack to answer this turn with."""
        return self._content

    def reload(self) -> ReloadResult:
        """Validate the whole pack on disk and swap it in at once, or refuse it and keep the
        pack that serves now. Problems are logged as ``file:line:column``."""
        with self._lock:
            old = self._content
            result = load_pack(
                self.directory, locales=self.locales, min_coverage=self._min_coverage
            )
            if result.content is None:
                for problem in result.errors:
                    logger.error("reload refused: %s", problem.format())
                logger.error(
                    "reload refused: %d error(s) in %s; still serving version %s",
                    len(result.errors),
                    self.directory,
                    old.version,
                )
                return ReloadResult(False, False, old.version, old.version, result.problems)
            self._content = result.content
        changed = result.content.version != old.version
        if changed:
            logger.info("content reloaded: version %s -> %s", old.version, result.content.version)
        return ReloadResult(True, changed, result.content.version, old.version, result.problems)

    async def reload_async(self) -> ReloadResult:
        """:meth:`reload` in a worker thread, so reading files never blocks the server."""
        return await asyncio.to_thread(self.reload)

    def snapshot(self) -> Snapshot:
        """Every file of the pack and its catalogs, with its modification time and size."""
        return snapshot(self.directory, self.locales)


def snapshot(*folders: Path) -> Snapshot:
    """``(path, mtime_ns, size)`` of every file under ``folders``; a vanished file is skipped."""
    seen: set[tuple[str, int, int]] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.is_file():
                seen.add((str(path), stat.st_mtime_ns, stat.st_size))
    return frozenset(seen)


class Watcher:
    """Polls the files of a holder's pack and reloads once they have changed and then stayed
    still for one more poll (an editor saving several files is one reload, not several)."""

    def __init__(
        self,
        holder: ContentHolder,
        *,
        interval: float = POLL_SECONDS,
        reload: Callable[[], Awaitable[ReloadResult]] | None = None,
    ) -> None:
        self._holder = holder
        self._interval = interval
        self._reload = reload or holder.reload_async
        self._loaded: Snapshot | None = None
        self._seen: Snapshot | None = None

    async def run(self) -> None:
        """Watch until cancelled."""
        self._loaded = self._seen = await asyncio.to_thread(self._holder.snapshot)
        while True:
            await asyncio.sleep(self._interval)
            await self.poll()

    async def poll(self) -> ReloadResult | None:
        """One look at the files; the reload's result when it reloaded."""
        now = await asyncio.to_thread(self._holder.snapshot)
        if now != self._seen:  # still changing: wait until it holds still
            self._seen = now
            return None
        if now == self._loaded:
            return None
        self._loaded = now  # a refused pack is tried again only after the next change
        logger.info("content files changed; reloading")
        return await self._reload()
