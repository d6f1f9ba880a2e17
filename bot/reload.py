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

A reload never hangs the server: the pack is read through :mod:`bot.source.files` (regular
files only, capped in size, nothing that can block), the load runs in a daemon thread with a
time limit (:data:`RELOAD_SECONDS`; a slower load is refused and the old pack keeps serving),
and shutdown never waits for it (``asyncio.to_thread`` would: the loop joins its default
executor's threads on the way out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.flows.model import Content
from bot.i18n import renderer
from bot.pack.apart import load_apart
from bot.pack.cache import PackCache
from bot.pack.loader import LOCALES_DIR, LoadResult, load_pack
from bot.source.problems import Problem

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
RELOAD_SECONDS = 30.0  # the shipped pack loads in well under a second
Snapshot = frozenset[tuple[str, int, int]]
PackLoader = Callable[[Path, Path, float], LoadResult]  # directory, locales, min_coverage
T = TypeVar("T")


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
    """The pack being served, and the one place that replaces it.

    ``timeout`` is how long a reload may take, and ``load`` what reads a pack (both injected
    by tests; the defaults are :data:`RELOAD_SECONDS` and :func:`load_pack`)."""

    def __init__(
        self,
        content: Content,
        directory: Path,
        locales: Path | None,
        min_coverage: float,
        *,
        timeout: float = RELOAD_SECONDS,
        load: PackLoader | None = None,
        cache: PackCache | None = None,
    ) -> None:
        self._content = content
        self.directory = directory
        self.locales = _locales_of(directory, locales)
        self._min_coverage = min_coverage
        self._timeout = timeout
        self._load = load or partial(_load_pack, cache=cache)
        self._lock = threading.Lock()  # one reload at a time
        self._straggler: _Attempt | None = None  # a load that outran its time limit

    @classmethod
    def load(
        cls,
        directory: Path,
        locales: Path | None = None,
        *,
        min_coverage: float = 0.0,
        timeout: float = RELOAD_SECONDS,
        cache: PackCache | None = None,
        apart: bool = False,
    ) -> ContentHolder:
        """The holder of the pack in ``directory``; raises :class:`ContentError` on errors.
        With a ``cache``, this load and every reload take an unchanged pack from it, and
        with ``apart`` too (a server), files not loaded before are read in a child process
        that puts the pack there (:mod:`bot.pack.apart`)."""
        if apart:
            read: PackLoader = partial(load_apart, cache=cache, timeout=timeout)
        else:
            read = partial(_load_pack, cache=cache)
        result = read(directory, _locales_of(directory, locales), min_coverage)
        if result.content is None:
            raise ContentError(directory, result.errors)
        return cls(result.content, directory, locales, min_coverage, timeout=timeout, load=read)

    def current(self) -> Content:
        """The pack to answer this turn with."""
        return self._content

    def reload(self) -> ReloadResult:
        """Validate the whole pack on disk and swap it in at once, or refuse it and keep the
        pack that serves now. Problems are logged as ``file:line:column``.

        Returns within three times the time limit whatever is on disk (waiting for another
        reload, for a load that outran its limit, then its own load): a load that takes longer
        than the limit is refused, left to finish in its thread and then dropped."""
        old = self._content
        if not self._lock.acquire(timeout=self._timeout):
            return self._refuse(old, (self._problem("reload-busy", _BUSY),))
        try:
            outcome = self._load_in_time()
            if isinstance(outcome, Problem):
                return self._refuse(old, (outcome,))
            if outcome.content is None:
                return self._refuse(old, outcome.problems)
            renderer.prepare(outcome.content)  # a language new to the pack: here, not on a turn
            self._content = outcome.content
        finally:
            self._lock.release()
        changed = outcome.content.version != old.version
        if changed:
            logger.info("content reloaded: version %s -> %s", old.version, outcome.content.version)
        return ReloadResult(True, changed, outcome.content.version, old.version, outcome.problems)

    async def reload_async(self) -> ReloadResult:
        """:meth:`reload` in a daemon thread, so reading files never blocks the server and
        the server never waits for a reload to stop."""
        return await in_daemon_thread(self.reload)

    def snapshot(self) -> Snapshot:
        """Every file of the pack and its catalogs, with its modification time and size."""
        return snapshot(self.directory, self.locales)

    def _load_in_time(self) -> LoadResult | Problem:
        straggler = self._straggler
        if straggler is not None:  # never two loads at once: that would double the memory
            straggler.join(self._timeout)
            if straggler.is_alive():
                return self._problem("reload-busy", _BUSY)
            self._straggler = None
        attempt = _Attempt(self._guarded_load)
        attempt.start()
        outcome = attempt.outcome(self._timeout)
        if outcome is None:
            self._straggler = attempt
            return self._problem(
                "reload-timeout",
                f"reading the pack took longer than {self._timeout:g} s, so it is refused; "
                f"run `lotsen validate {self.directory}` to see why",
            )
        return outcome

    def _guarded_load(self) -> LoadResult | Problem:
        try:
            return self._load(self.directory, self.locales, self._min_coverage)
        except Exception as error:  # a bug in the loader; the old pack keeps serving
            logger.error("reload failed: %s", type(error).__name__, exc_info=True)
            return self._problem(
                "reload-failed",
                f"reading the pack failed unexpectedly ({type(error).__name__}); this is a "
                "bug in Lotsen, not in the pack; the pack that serves now stays",
            )

    def _problem(self, code: str, message: str) -> Problem:
        return Problem(str(self.directory), 1, 1, "error", code, message)

    def _refuse(self, old: Content, problems: tuple[Problem, ...]) -> ReloadResult:
        errors = [problem for problem in problems if problem.is_error]
        for problem in errors:
            logger.error("reload refused: %s", problem.format())
        logger.error(
            "reload refused: %d error(s) in %s; still serving version %s",
            len(errors),
            self.directory,
            old.version,
        )
        return ReloadResult(False, False, old.version, old.version, problems)


_BUSY = "an earlier reload that took too long is still running; try again when it has ended"


def _load_pack(
    directory: Path, locales: Path, min_coverage: float, *, cache: PackCache | None
) -> LoadResult:
    return load_pack(directory, locales=locales, min_coverage=min_coverage, cache=cache)


def _locales_of(directory: Path, locales: Path | None) -> Path:
    """The catalogs' folder: ``locales``, or the one beside the pack (as ``load_pack``)."""
    return locales if locales is not None else directory.parent / LOCALES_DIR


class _Attempt(threading.Thread):
    """One load in a daemon thread. If its caller has stopped waiting when it ends, its
    result is dropped at once: a refused pack leaves nothing behind in memory."""

    def __init__(self, load: Callable[[], LoadResult | Problem]) -> None:
        super().__init__(name="lotsen-reload", daemon=True)
        self._work: Callable[[], LoadResult | Problem] | None = load
        self._guard = threading.Lock()
        self._result: LoadResult | Problem | None = None
        self._wanted = True

    def run(self) -> None:
        work, self._work = self._work, None
        result = work() if work is not None else None
        with self._guard:
            if self._wanted:
                self._result = result

    def outcome(self, timeout: float) -> LoadResult | Problem | None:
        """What the load gave within ``timeout`` seconds, or None: then it is unwanted."""
        self.join(timeout)
        with self._guard:
            self._wanted = self._result is not None
            result, self._result = self._result, None
        return result


async def in_daemon_thread(work: Callable[[], T]) -> T:
    """``work()`` in a new daemon thread, awaited. Unlike ``asyncio.to_thread`` nothing
    waits for it at shutdown: a task awaiting it can be cancelled and the loop closed."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(settle: Callable[[Any], None], value: object) -> None:
        def settle_if_waited() -> None:
            if not future.done():  # cancelled, when the server is stopping
                settle(value)

        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(settle_if_waited)

    def run() -> None:
        try:
            result = work()
        except BaseException as error:  # handed to the awaiting task, as to_thread would
            deliver(future.set_exception, error)
        else:
            deliver(future.set_result, result)

    threading.Thread(target=run, name="lotsen-reload-wait", daemon=True).start()
    return await future


def snapshot(*folders: Path) -> Snapshot:
    """``(path, mtime_ns, size)`` of everything under ``folders``; a vanished file is skipped.

    It only looks (``lstat``) and opens nothing, so a FIFO or device cannot make it wait. A
    symbolic link is seen through only when it leads inside its folder; any other link is
    listed by its own times, so adding or removing it is noticed (and the reload then says
    what is wrong with it) but what it leads to is never looked at."""
    seen: set[tuple[str, int, int]] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        root = Path(os.path.realpath(folder))
        for parent, folders_here, files_here in os.walk(folder):  # links to folders: not entered
            for name in [*files_here, *folders_here]:
                path = os.path.join(parent, name)
                status = _look(path, root)
                if status is not None and not stat.S_ISDIR(status.st_mode):
                    seen.add((path, status.st_mtime_ns, status.st_size))
    return frozenset(seen)


def _look(path: str, root: Path) -> os.stat_result | None:
    try:
        status = os.lstat(path)
        if stat.S_ISLNK(status.st_mode) and Path(os.path.realpath(path)).is_relative_to(root):
            return os.stat(path)  # a link inside the pack: its file's times
        return status
    except OSError:
        return None


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
        self._loaded = self._seen = await in_daemon_thread(self._holder.snapshot)
        while True:
            await asyncio.sleep(self._interval)
            await self.poll()

    async def poll(self) -> ReloadResult | None:
        """One look at the files; the reload's result when it reloaded."""
        now = await in_daemon_thread(self._holder.snapshot)
        if now != self._seen:  # still changing: wait until it holds still
            self._seen = now
            return None
        if now == self._loaded:
            return None
        self._loaded = now  # a refused pack is tried again only after the next change
        logger.info("content files changed; reloading")
        return await self._reload()
