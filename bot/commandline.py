"""What the ``lotsen`` subcommands share: argument converters and one-line errors.

Every mistake is one line on stderr, never a traceback, and the exit status says whose it is:

- 2, usage: the arguments are wrong. A converter here is an argparse ``type=``; it raises
  ``ArgumentTypeError``, which argparse prints after the usage line as
  ``lotsen stats: error: argument --since: '0' is not a whole number of days from 1 to 36500``.
- 1, runtime: the world is not as the command needs it: a file is missing, is a folder, cannot
  be written, is not a Lotsen database. The command that meets it prints :func:`cannot`'s line.

    stats.add_argument("--today", type=iso_date)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime

USAGE = 2
RUNTIME = 1


def iso_date(text: str) -> date:
    """``2026-01-15`` as a date, for ``--today``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2026-01-15"
        ) from None


def iso_time(text: str) -> datetime:
    """``2026-01-15T09:30`` as an aware time in UTC, for ``--now``; naive times are UTC."""
    try:
        parsed = datetime.fromisoformat(text)
        # An explicit offset is honoured, not dropped: 10:00+02:00 is 08:00 UTC.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time; write YYYY-MM-DDTHH:MM in UTC, e.g. 2026-01-15T09:30"
        ) from None


def whole_number(low: int, high: int, unit: str) -> Callable[[str], int]:
    """A converter for a whole number of ``unit`` from ``low`` to ``high``.

    The upper bound keeps date arithmetic in range (``--since 999999999`` would run past the
    year 1); it is far beyond any sensible use.
    """

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number of {unit} from {low} to {high}"
            )
        return value

    return convert


def percent(text: str) -> float:
    """A percentage from 0 to 100, for ``--min`` (``nan`` and ``inf`` are not)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 100.0:  # also false for nan
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage from 0 to 100")
    return value


def language_code(text: str) -> str:
    """A language code Babel knows, written as Babel writes it: ``pt-br`` -> ``pt_BR``.

    It names a folder under ``locales/``, so ``../x`` must never get through.
    """
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(text.replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a language code Babel knows; write one like fa, ti, uk or pt_BR"
        ) from None


def cannot(doing: str, error: OSError, path: object = None) -> str:
    """One line for an ``OSError``: the file, what could not be done to it, and why.

    ``cannot("read", IsADirectoryError(21, "Is a directory", "x.yaml"))`` ->
    ``x.yaml: cannot read it: Is a directory``.
    """
    where = path if path is not None else error.filename
    why = error.strerror or str(error)
    return f"{where}: cannot {doing} it: {why}" if where is not None else f"cannot {doing}: {why}"


def fail(message: str, code: int = RUNTIME) -> int:
    """Print ``message`` as the one line on stderr and return the exit status ``code``."""
    print(message, file=sys.stderr)
    return code
