"""Reading a pack's files in a process of its own, for a server that runs for months.

    result = load_apart(Path("content"), Path("locales"), cache=cache, timeout=30.0)

Reading a pack's files imports the YAML, JSON Schema and holidays libraries and leaves the
load's garbage behind in the heap, which Python does not hand back to the system: a server
keeps all of that for as long as it runs. Started on files never loaded before, an idle
server with Telegram held 83 MiB, against 68 MiB restarted on the same files from the cache
of loaded packs (``bench/idle_memory.py``). So a server has a child process read the files
and put the loaded pack in that cache (``python -m bot.pack.apart``), and takes it from
there: the same ``LoadResult`` (problems included), read in a fraction of a second.

Without a cache, or when the child fails in any way (cannot start, crashes, outruns
``timeout``, cannot write the cache), the server reads the files itself: the same result,
only more memory kept.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path

from bot.pack.cache import PackCache
from bot.pack.loader import LoadResult, load_pack

logger = logging.getLogger(__name__)

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # holds bot/: the child's path


def load_apart(
    directory: Path,
    locales: Path,
    min_coverage: float = 0.0,
    *,
    cache: PackCache | None,
    timeout: float,
) -> LoadResult:
    """``load_pack(directory, ...)``, its files read in a child process when ``cache`` is
    given and does not hold the pack yet."""
    key = cache.key(directory, locales, today=None, min_coverage=min_coverage) if cache else None
    if cache is not None and key is not None:
        kept = cache.get(key)
        if kept is None:
            _fill(directory, locales, min_coverage, cache.folder, timeout)
            kept = cache.get(key)  # the child's, unless it failed or the files changed
        if kept is not None:
            return kept
    return load_pack(directory, locales=locales, min_coverage=min_coverage, cache=cache)


def _fill(
    directory: Path, locales: Path, min_coverage: float, folder: Path, timeout: float
) -> None:
    """The pack loaded into the cache at ``folder`` by a child process; failures logged."""
    command = [*child_command(), str(directory), "--cache", str(folder)]
    command += ["--locales", str(locales), "--min-coverage", repr(min_coverage)]
    path = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            timeout=timeout,
            env={**os.environ, "PYTHONPATH": path},
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("reading the pack in a child process failed: %s", type(error).__name__)
        return
    if done.returncode != 0:
        logger.warning("reading the pack in a child process ended with %s", done.returncode)


def child_command() -> list[str]:
    """How the child is started (a test swaps it for one that fails)."""
    return [sys.executable, "-m", "bot.pack.apart"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load a pack into the cache of loaded packs.")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--locales", type=Path, required=True)
    parser.add_argument("--min-coverage", type=float, default=0.0)
    args = parser.parse_args(argv)
    load_pack(
        args.directory,
        locales=args.locales,
        min_coverage=args.min_coverage,
        cache=PackCache(args.cache),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
