"""Reading a pack's files without trusting them: regular files inside the pack only, capped.

    files = Files(Path("content"))
    text = files.read_text(Path("content/flows/home.yaml"))
    if isinstance(text, Problem):
        ...  # refused: a link out of the pack, a FIFO or device, too large, not UTF-8

Every reader of the content (the flows loader, the directory and the PO catalogs) goes
through here, so the rules are the same for all of them:

- Only regular files are read. A named pipe (FIFO), a device such as ``/dev/zero``, a socket
  or a folder is refused after an ``lstat``/``fstat`` and before any byte is read; the file
  is opened with ``O_NONBLOCK``, so even a FIFO swapped in between the check and the open
  cannot make a read wait.
- A symbolic link is followed only when it leads to a file inside the folder being read (the
  real path of the pack): a link ``flows/old.yaml -> new.yaml`` is fine, a link to
  ``/etc/passwd`` is refused without reading it, and the message does not say where it leads.
- A file may be at most :data:`MAX_FILE_BYTES` (:data:`MAX_CATALOG_BYTES` for a PO catalog),
  and everything one load reads together at most :data:`MAX_PACK_BYTES`. The shipped pack's
  largest YAML file is about 10 KB and its largest catalog about 150 KB: room to grow a
  hundredfold (a pack of 10,000 steps has 3 MiB catalogs, eight of them fit one load), while
  a hostile pack stays small.
- Bytes alone do not bound the work: PyYAML in pure Python takes about 50 microseconds and
  400 bytes of memory for each value it builds, and ``[1,1,1,...]`` is one value every two
  bytes (1 MiB of it took 30 s). So a YAML file may hold at most :data:`MAX_FILE_VALUES`
  values (keys, list items and texts; the shipped pack's largest file has about 600) and one
  load at most :data:`MAX_PACK_VALUES`, counted as they are parsed (``bot.source.yamlsrc``).

A refusal is a :class:`Problem` at line 1, column 1 of the file (text that is not UTF-8: at
the first byte that is not), never an exception.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.source.problems import Problem

MAX_FILE_BYTES = 1 << 20  # 1 MiB: one YAML file of the pack or its directory
MAX_CATALOG_BYTES = 8 << 20  # 8 MiB: one PO catalog, which holds every text of the pack
MAX_PACK_BYTES = 64 << 20  # 64 MiB: every file one load reads, catalogs included
MAX_FILE_VALUES = 50_000  # values in one YAML file: about 2 s and 20 MB to parse
MAX_PACK_VALUES = 200_000  # values in all the YAML of one load

# O_NONBLOCK: opening or reading a FIFO returns at once instead of waiting for a writer.
# O_NOFOLLOW: the name checked is the file opened, not a link put there since.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class Budget:
    """What one load may still read (bytes) and parse (YAML values), shared by every
    :class:`Files` of that load."""

    def __init__(self, total: int = MAX_PACK_BYTES, values: int = MAX_PACK_VALUES) -> None:
        self.total = total
        self.left = total
        self.values_left = values


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Files:
    """Safe reads of the files under ``root``; keeps what it read, for the pack's version."""

    def __init__(self, root: Path, budget: Budget | None = None) -> None:
        self.root = Path(os.path.realpath(root))
        self.budget = budget if budget is not None else Budget()
        self.read: dict[Path, bytes] = {}  # path as asked for -> its bytes

    def read_bytes(self, path: Path, limit: int = MAX_FILE_BYTES) -> bytes | Problem:
        """The bytes of ``path``, or the Problem saying why they were not read."""
        try:
            data = self._read(path, limit)
        except _Refused as refused:
            return Problem(str(path), 1, 1, "error", refused.code, refused.message)
        self.read[path] = data
        return data

    def read_text(self, path: Path, limit: int = MAX_FILE_BYTES) -> str | Problem:
        """The UTF-8 text of ``path``, or the Problem saying why it was not read."""
        data = self.read_bytes(path, limit)
        if isinstance(data, Problem):
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
            return Problem(
                str(path),
                line,
                column,
                "error",
                "encoding",
                "this file is not UTF-8 text; save it as UTF-8",
            )

    def _read(self, path: Path, limit: int) -> bytes:
        real = self._inside(path)
        try:
            self._check_size(path, _regular(os.lstat(real), path).st_size, limit)
            with os.fdopen(os.open(real, _OPEN_FLAGS), "rb") as file:
                _regular(os.fstat(file.fileno()), path)  # the file opened, not the one looked at
                data = file.read(min(limit, self.budget.left) + 1)
        except OSError as error:
            raise _unreadable(path, error) from None
        self._check_size(path, len(data), limit)  # it may have grown since the lstat
        self.budget.left -= len(data)
        return data

    def _inside(self, path: Path) -> str:
        """The real path of ``path``, which must lie inside the root and exist."""
        real = os.path.realpath(path)
        if not Path(real).is_relative_to(self.root):
            raise _Refused(
                "outside-pack",
                f"{path.name} is a symbolic link (or lies in a linked folder) that leads out "
                f"of {self.root.name}/; only files inside it are read: copy the file in instead",
            )
        if not os.path.lexists(real):
            raise _Refused("missing-file", f"{path.name} is missing (or a link to nothing)")
        return real

    def _check_size(self, path: Path, size: int, limit: int) -> None:
        if size > limit:
            raise _Refused(
                "file-too-large",
                f"{path.name} is {_size(size)}; a file may be at most {_size(limit)}: "
                "split it into smaller files",
            )
        if size > self.budget.left:
            raise _Refused(
                "pack-too-large",
                f"reading {path.name} would take the pack past {_size(self.budget.total)}, "
                "the most one pack (with its catalogs) may read",
            )


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link that leads to itself"),
)


def _regular(status: os.stat_result, path: Path) -> os.stat_result:
    if stat.S_ISREG(status.st_mode):
        return status
    kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a regular file")
    raise _Refused(
        "not-a-file", f"{path.name} is {kind}; only regular files are read in a content pack"
    )


def _unreadable(path: Path, error: OSError) -> _Refused:
    if isinstance(error, FileNotFoundError):  # removed while we looked
        return _Refused("missing-file", f"{path.name} is missing")
    # strerror only ("Permission denied"): never the path a link leads to.
    return _Refused("unreadable", f"{path.name} cannot be read: {error.strerror or 'error'}")


def _size(count: int) -> str:
    if count >= 1 << 20 and count % (1 << 20) == 0:
        return f"{count >> 20} MiB"
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MiB"
    return f"{count} bytes"
