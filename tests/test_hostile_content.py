"""A hostile or unlucky pack: refused with a Problem at file:line:column, never a hang, a
flood of memory, or a file from outside the pack in a message.

Each case is one way the issue found to hurt the loader or a running server: YAML aliases
("billion laughs"), deep nesting, too many values, a link to ``/dev/zero`` or to a file
outside the pack, a FIFO, files too large, and a reload slower than its time limit. The
reload tests run the reload in a thread and wait with a deadline, so a regression fails the
test instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import shutil
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from bot.directory.loader import load_directory
from bot.i18n.catalogs import load_catalogs
from bot.pack.loader import LoadResult, load_pack
from bot.reload import ContentHolder, in_daemon_thread, snapshot
from bot.source.files import MAX_CATALOG_BYTES, MAX_FILE_BYTES, Budget, Files
from bot.source.problems import Problem
from bot.source.yamlsrc import EXCERPT_CHARS, MAX_DEPTH, SyntaxProblem, parse
from tests.packs import AREAS, HOME, SERVICES, write_pack

T = TypeVar("T")
DEADLINE = 10.0  # seconds a thread may take before the test calls it hung
MARKER = "root:x:0:0:MARKER-7f3a-from-outside-the-pack:/root:/bin/bash"
FLOW = "flows/home.yaml"
CHANGED_HOME = HOME.replace("say: Välkommen.", "say: Välkommen tillbaka.")

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="this OS has no os.mkfifo")
needs_symlink = pytest.mark.skipif(
    not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links need a POSIX OS"
)


def laughs(levels: int) -> str:
    """A flow whose `note` expands to 9**levels strings when aliases are followed."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels + 1)]
    return "\n".join(["title: Hem", *lines, f"note: *a{levels}", HOME.split("\n", 1)[1]])


def found(result: LoadResult, root: Path) -> set[tuple[str, int, int, str]]:
    return {
        (Path(p.file).relative_to(root).as_posix(), p.line, p.column, p.code)
        for p in result.problems
        if p.is_error
    }


def in_thread(work: Callable[[], T]) -> T:
    """``work()`` in a daemon thread; fails (instead of hanging) if it takes too long."""
    results: list[T] = []
    worker = threading.Thread(target=lambda: results.append(work()), daemon=True)
    worker.start()
    worker.join(DEADLINE)
    assert not worker.is_alive(), f"{work} was still running after {DEADLINE} s"
    return results[0]


def join_reload_threads() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("lotsen-reload"):
            thread.join(DEADLINE)
            assert not thread.is_alive()


# --- YAML that expands: aliases, nesting, too many values -----------------------------------


@pytest.mark.parametrize("levels", [7, 9])
def test_a_billion_laughs_is_refused_at_its_first_anchor_without_expanding(
    tmp_path: Path, levels: int
) -> None:
    result = load_pack(write_pack(tmp_path, {FLOW: laughs(levels)}))
    assert result.content is None
    assert found(result, tmp_path) == {(FLOW, 2, 5, "yaml-alias")}
    problem = result.errors[0]
    assert "anchors (&name) and aliases (*name) are not allowed" in problem.message
    assert f"this file has {levels + 1 + 9 * levels + 1}" in problem.message


ALIASES = [
    ("an anchor alone", "title: &t Hem\n", (1, 8)),
    ("an alias to an anchor", "title: &t Hem\nnote: *t\n", (1, 8)),
    ("an alias to nothing", "title: Hem\nnote: *missing\n", (2, 7)),
    ("a merge key", "base: &b {say: x}\nsteps:\n  a:\n    <<: *b\n", (1, 7)),
]


@pytest.mark.parametrize(("case", "text", "where"), ALIASES, ids=[c[0] for c in ALIASES])
def test_anchors_and_aliases_of_every_kind_are_refused_where_they_are_written(
    case: str, text: str, where: tuple[int, int]
) -> None:
    parsed = parse(text, "flow.yaml")
    assert isinstance(parsed, SyntaxProblem)
    assert (parsed.code, parsed.position.line, parsed.position.column) == ("yaml-alias", *where)


def test_nesting_deeper_than_python_can_recurse_is_a_problem_not_a_crash() -> None:
    """Refused where it passes MAX_DEPTH; past libyaml's own limit (1000 levels), where the
    C parser stops, with the same problem."""
    for depth, column in ((500, 8 + MAX_DEPTH - 1), (2000, None)):
        text = "steps: " + "[" * depth + "]" * depth + "\n"
        parsed = parse(text, "flow.yaml")
        assert isinstance(parsed, SyntaxProblem)
        assert (parsed.code, parsed.position.line) == ("yaml-depth", 1)
        assert column is None or parsed.position.column == column
        assert f"more than {MAX_DEPTH} levels" in parsed.message


def test_a_file_with_more_values_than_allowed_is_refused_where_it_goes_past() -> None:
    text = "title: Hem\nnote: [1, 2, 3, 4]\n"
    within = parse(text, "flow.yaml", max_values=9)  # a mapping, 2 keys, 2 values, a list of 4
    assert not isinstance(within, SyntaxProblem) and within.values == 9
    past = parse(text, "flow.yaml", max_values=8)
    assert isinstance(past, SyntaxProblem)
    assert (past.code, past.position.line, past.position.column) == ("yaml-too-large", 2, 17)
    assert past.values == 8  # what it cost the pack's budget


# --- files that are not what they seem -------------------------------------------------------


@needs_symlink
def test_a_link_to_dev_zero_is_refused_without_reading_it(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    os.symlink("/dev/zero", root / "flows/zero.yaml")
    result = in_thread(lambda: load_pack(root))
    assert found(result, root) == {("flows/zero.yaml", 1, 1, "outside-pack")}


def test_a_device_is_refused_even_inside_the_folder_being_read() -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("this OS has no /dev/zero")
    problem = Files(Path("/dev")).read_bytes(Path("/dev/zero"))
    assert isinstance(problem, Problem)
    assert problem.code == "not-a-file" and "a device" in problem.message


@needs_fifo
@pytest.mark.parametrize(
    "name", [FLOW, "flows/x.yaml", "lotsen.yaml", "directory/services/national.yaml"]
)
def test_a_fifo_is_refused_without_opening_it(tmp_path: Path, name: str) -> None:
    root = write_pack(tmp_path, {name: None})
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / name)
    result = in_thread(lambda: load_pack(root))
    assert (name, 1, 1, "not-a-file") in found(result, root)
    fifo = next(p for p in result.errors if p.code == "not-a-file")
    assert "named pipe (FIFO); only regular files are read" in fifo.message


def test_a_folder_named_like_a_flow_is_refused(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    (root / "flows/folder.yaml").mkdir()
    assert found(load_pack(root), root) == {("flows/folder.yaml", 1, 1, "not-a-file")}


@needs_symlink
def test_a_link_to_a_file_inside_the_pack_is_read(tmp_path: Path) -> None:
    """The decision: links are fine as long as they stay inside the pack."""
    root = write_pack(tmp_path, {"shared/home.yaml": HOME, FLOW: None})
    os.symlink("../shared/home.yaml", root / FLOW)
    result = load_pack(root)
    assert result.content is not None and "home.welcome" in result.content.steps


@needs_symlink
def test_a_link_to_a_file_outside_the_pack_never_shows_what_it_holds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "outside/passwd"
    secret.parent.mkdir()
    secret.write_text(f"{MARKER}\ndaemon:x:1:1::/:/bin/false\n", "utf-8")
    (tmp_path / "outside/lines.yaml").write_text(secret.read_text("utf-8"), "utf-8")
    root = write_pack(tmp_path / "content", {"directory/areas.yaml": AREAS})
    locales = tmp_path / "locales"
    (locales / "en/LC_MESSAGES").mkdir(parents=True)
    holder = ContentHolder.load(root, locales)
    for name in [
        "content/flows/passwd.yaml",
        "content/directory/areas.yaml",
        "locales/en/LC_MESSAGES/messages.po",
    ]:
        (tmp_path / name).unlink(missing_ok=True)
        os.symlink(secret, tmp_path / name)
    shutil.rmtree(root / "directory/services")
    os.symlink(secret.parent, root / "directory/services")  # a linked folder leads out too

    with caplog.at_level(logging.INFO):
        result = in_thread(lambda: load_pack(root, locales=locales))
        reloaded = in_thread(holder.reload)
    assert {(os.path.relpath(p.file, tmp_path), p.code) for p in result.errors} >= {
        ("content/flows/passwd.yaml", "outside-pack"),
        ("content/directory/areas.yaml", "outside-pack"),
        ("content/directory/services/lines.yaml", "outside-pack"),
        ("locales/en/LC_MESSAGES/messages.po", "outside-pack"),
    }
    assert reloaded.status == "refused"
    said = [p.format() for p in [*result.problems, *reloaded.problems]]
    said += [record.getMessage() for record in caplog.records]
    assert not [line for line in said if "MARKER" in line or "daemon:x" in line]


def test_a_message_quotes_only_the_start_of_a_long_value(tmp_path: Path) -> None:
    # The same file copied into the pack: it is read, but only its first line is quoted.
    long_line = MARKER + "x" * 500
    root = write_pack(tmp_path, {FLOW: f"{long_line}\nsecond:line:{MARKER}\n"})
    messages = [p.message for p in load_pack(root).problems]
    quoted = [m for m in messages if "root:x:0:0" in m]
    assert quoted, messages
    for message in quoted:
        assert "second:line" not in message
        assert len(message) < EXCERPT_CHARS + 100
        assert message.count("x" * (EXCERPT_CHARS + 1)) == 0


# --- sizes -----------------------------------------------------------------------------------


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    root = write_pack(tmp_path, {FLOW: HOME + "#" * MAX_FILE_BYTES + "\n"})
    result = load_pack(root)
    assert found(result, root) == {(FLOW, 1, 1, "file-too-large")}
    assert "at most 1 MiB" in result.errors[0].message


def test_everything_a_load_reads_together_is_capped(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a" * 60, "utf-8")
    (tmp_path / "b.yaml").write_text("b" * 60, "utf-8")
    files = Files(tmp_path, Budget(total=100))
    assert files.read_bytes(tmp_path / "a.yaml") == b"a" * 60
    refused = files.read_bytes(tmp_path / "b.yaml")
    assert isinstance(refused, Problem) and refused.code == "pack-too-large"


def test_a_catalog_over_its_cap_is_refused(tmp_path: Path) -> None:
    po = tmp_path / "en/LC_MESSAGES/messages.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(b"#" * (MAX_CATALOG_BYTES + 1))
    catalog = load_catalogs(tmp_path)["en"]
    assert [(p.line, p.column, p.code) for p in catalog.problems] == [(1, 1, "file-too-large")]
    assert catalog.messages == {}


def test_a_broken_catalog_line_is_a_problem_at_its_line_not_a_printed_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    po = tmp_path / "en/LC_MESSAGES/messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(f'msgid "a"\nmsgstr "b"\n\n{MARKER * 3}\n', "utf-8")
    catalog = load_catalogs(tmp_path)["en"]
    assert [(p.line, p.code) for p in catalog.problems] == [(4, "po-syntax")]
    message = catalog.problems[0].message
    assert message.startswith("Unknown or misformatted keyword: `root:x:0:0:MARKER")
    assert len(message) < EXCERPT_CHARS + 40
    assert capsys.readouterr() == ("", "")  # Babel's lenient mode prints the whole line


# --- the directory and the catalogs follow the same rules ---------------------------------


@needs_fifo
@needs_symlink
def test_the_directory_refuses_fifos_and_links_out(tmp_path: Path) -> None:
    folder = tmp_path / "directory"
    (folder / "services").mkdir(parents=True)
    (tmp_path / "outside.yaml").write_text(SERVICES, "utf-8")
    os.mkfifo(folder / "areas.yaml")
    os.symlink(tmp_path / "outside.yaml", folder / "services/lines.yaml")
    directory, problems = in_thread(lambda: load_directory(folder))
    assert directory is None
    codes = {(Path(p.file).relative_to(folder).as_posix(), p.code) for p in problems}
    assert codes >= {("areas.yaml", "not-a-file"), ("services/lines.yaml", "outside-pack")}


@needs_fifo
def test_a_fifo_catalog_is_refused_without_opening_it(tmp_path: Path) -> None:
    po = tmp_path / "en/LC_MESSAGES/messages.po"
    po.parent.mkdir(parents=True)
    os.mkfifo(po)
    catalog = in_thread(lambda: load_catalogs(tmp_path))["en"]
    assert [p.code for p in catalog.problems] == ["not-a-file"]


# --- live reload -----------------------------------------------------------------------------


@needs_fifo
def test_a_fifo_does_not_jam_reload_and_a_later_valid_change_is_accepted(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "content")
    holder = ContentHolder.load(root)
    before = holder.current().version
    os.mkfifo(root / "flows/x.yaml")
    refused = in_thread(holder.reload)
    assert refused.status == "refused" and holder.current().version == before
    assert [p.code for p in refused.problems if p.is_error] == ["not-a-file"]
    again = in_thread(lambda: asyncio.run(asyncio.wait_for(holder.reload_async(), DEADLINE)))
    assert again.status == "refused"
    (root / "flows/x.yaml").unlink()
    (root / FLOW).write_text(CHANGED_HOME, "utf-8")
    accepted = in_thread(holder.reload)
    assert accepted.status == "reloaded" and holder.current().version != before


class SlowLoader:
    """A loader whose first call waits until released; every call returns a fresh result,
    each watched by a weak reference, so a test can see it freed."""

    def __init__(self, late: LoadResult) -> None:
        self.late = late
        self.release = threading.Event()
        self.started = threading.Event()
        self.calls = 0
        self.made: list[weakref.ref[LoadResult]] = []

    def __call__(self, directory: Path, locales: Path, min_coverage: float) -> LoadResult:
        self.calls += 1
        if self.calls == 1:
            self.started.set()
            self.release.wait(DEADLINE)
        result = LoadResult(self.late.content, self.late.problems, self.late.sources)
        self.made.append(weakref.ref(result))
        return result


def test_a_reload_over_the_time_limit_is_refused_and_its_late_result_dropped(
    tmp_path: Path,
) -> None:
    root = write_pack(tmp_path / "content")
    first = load_pack(root).content
    late = load_pack(write_pack(tmp_path / "changed", {FLOW: CHANGED_HOME}))
    assert first is not None and late.content is not None
    loader = SlowLoader(late)
    holder = ContentHolder(first, root, None, 0.0, timeout=0.2, load=loader)
    try:
        refused = in_thread(holder.reload)
    finally:
        loader.release.set()
    assert refused.status == "refused"
    assert [(p.line, p.column, p.code) for p in refused.problems] == [(1, 1, "reload-timeout")]
    join_reload_threads()
    gc.collect()
    assert holder.current() is first  # the load that came late was not swapped in
    assert loader.made[0]() is None  # and nothing holds on to it
    accepted = in_thread(holder.reload)
    assert accepted.status == "reloaded" and holder.current() is late.content


def test_a_refused_pack_leaves_nothing_behind(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "content")
    first = load_pack(root).content
    broken = load_pack(write_pack(tmp_path / "broken", {FLOW: laughs(3)}))
    assert first is not None and broken.content is None
    loader = SlowLoader(broken)
    loader.release.set()
    holder = ContentHolder(first, root, None, 0.0, load=loader)
    assert in_thread(holder.reload).status == "refused"
    join_reload_threads()
    gc.collect()
    assert loader.made[0]() is None


def test_shutting_down_never_waits_for_a_reload(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "content")
    first = load_pack(root)
    assert first.content is not None
    loader = SlowLoader(first)
    holder = ContentHolder(first.content, root, None, 0.0, timeout=DEADLINE, load=loader)

    async def serve_then_stop() -> None:
        task = asyncio.create_task(holder.reload_async())
        while not loader.started.is_set():
            await asyncio.sleep(0.01)
        task.cancel()  # what stopping the server does to a SIGHUP reload

    try:
        # asyncio.run joins the default executor's threads on the way out: a reload run
        # there (asyncio.to_thread) would hold it until the load ended.
        in_thread(lambda: asyncio.run(serve_then_stop()))
    finally:
        loader.release.set()
    join_reload_threads()


def test_in_daemon_thread_hands_back_the_result_and_the_error() -> None:
    async def both() -> tuple[int, str]:
        value = await in_daemon_thread(lambda: 42)
        try:
            await in_daemon_thread(lambda: int("x"))
        except ValueError as error:
            return value, type(error).__name__
        return value, ""

    assert in_thread(lambda: asyncio.run(both())) == (42, "ValueError")


# --- the watcher's snapshot --------------------------------------------------------------------


@needs_fifo
@needs_symlink
def test_the_snapshot_never_opens_a_file_nor_looks_out_of_its_folder(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "content")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("a", "utf-8")
    os.mkfifo(root / "flows/x.yaml")
    os.symlink("/dev/zero", root / "flows/zero.yaml")
    os.symlink(outside / "secret.yaml", root / "flows/out.yaml")
    os.symlink(outside, root / "flows/linked")
    os.symlink("home.yaml", root / "flows/inside.yaml")

    before = in_thread(lambda: snapshot(root))
    paths = {Path(path).relative_to(root).as_posix() for path, _, _ in before}
    assert {"flows/x.yaml", "flows/zero.yaml", "flows/out.yaml", "flows/inside.yaml"} <= paths
    assert not [p for p in paths if p.startswith("flows/linked/")]  # a linked folder: not entered

    (outside / "secret.yaml").write_text("a longer text", "utf-8")
    assert in_thread(lambda: snapshot(root)) == before  # what a link out leads to is not looked at
    (root / FLOW).write_text(CHANGED_HOME, "utf-8")
    after = {(Path(p).relative_to(root).as_posix(), size) for p, _, size in snapshot(root)}
    assert ("flows/inside.yaml", len(CHANGED_HOME.encode())) in after  # a link inside: its file


def test_a_loader_that_fails_is_a_refusal_with_a_problem_not_a_traceback(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "content")
    first = load_pack(root).content
    assert first is not None

    def failing(directory: Path, locales: Path, min_coverage: float) -> LoadResult:
        raise RuntimeError(MARKER)

    holder = ContentHolder(first, root, None, 0.0, load=failing)
    result = in_thread(holder.reload)
    assert result.status == "refused" and holder.current() is first
    assert [(p.file, p.code) for p in result.problems] == [(str(root), "reload-failed")]
    assert "MARKER" not in result.problems[0].message
    assert "RuntimeError" in result.problems[0].message
