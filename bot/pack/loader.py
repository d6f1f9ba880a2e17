"""Loading a content pack: YAML files in, a validated :class:`Content` and every problem out.

    result = load_pack("content")
    for problem in result.problems:
        print(problem.format())
    if result.content is not None:
        ...  # no errors: safe to serve

Reads files and nothing else, through :mod:`bot.source.files`: regular files inside the pack
only, each and all of them capped in size. Every problem is reported, not only the first.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.directory.loader import load_directory
from bot.directory.model import Directory
from bot.flows.model import Concern, Content, Flow, Language, ServiceQuery, Step
from bot.flows.values import items, mapping, sets_of, text_of, texts, web_texts
from bot.flows.ways import Way
from bot.i18n.catalogs import load_catalogs
from bot.i18n.languages import language
from bot.pack.cache import PackCache
from bot.pack.collector import collector_paused
from bot.pack.sources import SourceMap
from bot.pack.validator import validate
from bot.pack.ways import StepReading, read_way
from bot.source import schema
from bot.source.files import Budget, Files
from bot.source.position import Position
from bot.source.problems import Problem
from bot.source.yamlsrc import Document, SyntaxProblem, excerpt, parse

PACK_FILE = "lotsen.yaml"
# Contact points once had a file of their own beside the directory; two places for one phone
# number let them disagree. A pack that still has it is told where its entries go.
RETIRED_CONTACTS_FILE = "contacts.yaml"
FLOWS_DIR = "flows"
LOCALES_DIR = "locales"
DIRECTORY_DIR = "directory"
TESTS_DIR = "tests"  # conversation tests (`lotsen test`), not part of the pack
DEFAULT_NAVIGATION = ("emergency", "back", "menu")


@dataclass(frozen=True)
class LoadResult:
    """``content`` is None when any problem is an error; ``problems`` are sorted."""

    content: Content | None
    problems: tuple[Problem, ...]
    sources: SourceMap | None = None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


def load_pack(
    directory: str | Path,
    *,
    today: date | None = None,
    locales: str | Path | None = None,
    min_coverage: float = 0.0,
    cache: PackCache | None = None,
) -> LoadResult:
    """Load and validate the pack in ``directory`` and its translations in ``locales``.

    ``today`` is when freshness is judged (contacts verified too long ago); the caller passes
    the clock so tests can fix it. Without it, freshness is not checked. ``locales`` defaults
    to the ``locales`` folder beside the pack; a language is offered to people when its
    catalog's coverage reaches ``min_coverage`` percent.

    With a ``cache`` (:mod:`bot.pack.cache`), a pack loaded before from the very same files
    and options is taken from it instead of being read again.
    """
    root = Path(directory)
    if not os.path.lexists(root / PACK_FILE):
        return LoadResult(None, (_missing_pack(root),))
    locales_dir = Path(locales) if locales is not None else root.parent / LOCALES_DIR
    key = cache.key(root, locales_dir, today=today, min_coverage=min_coverage) if cache else None
    if cache is None or key is None:
        return _load(root, locales_dir, today, min_coverage, cache)
    kept = cache.get(key)
    if kept is not None:
        return kept
    result = _load(root, locales_dir, today, min_coverage, cache)
    # Kept only if no file changed while it loaded: the key must describe what was read.
    if cache.key(root, locales_dir, today=today, min_coverage=min_coverage) == key:
        cache.put(key, result)
    return result


def _load(
    root: Path,
    locales_dir: Path,
    today: date | None,
    min_coverage: float,
    cache: PackCache | None = None,
) -> LoadResult:
    with collector_paused():
        files = _read_files(root, locales_dir, min_coverage, cache)
        content, problems = _build(files)
        return _validated(content, files, problems, today)


def _retired_contacts(path: Path) -> Problem:
    return Problem(
        str(path),
        1,
        1,
        "error",
        "retired-file",
        "contacts.yaml is no longer read: every contact point is a service in "
        "directory/services/, the one place for its phone number and hours. Move each entry "
        "there (name, description, phones, web, hours, anonymity, source, verified; see "
        "docs/content-format.md) and delete this file; steps keep `contacts: [id]`.",
    )


_NEEDS_DIRECTORY = frozenset({"no-directory", "unknown-contact", "unknown-service"})


def _in_directory(problem: Problem) -> bool:
    return DIRECTORY_DIR in Path(problem.file).parts


def _missing_pack(root: Path) -> Problem:
    where = str(root / PACK_FILE)
    return Problem(where, 1, 1, "error", "missing-file", f"no {PACK_FILE} in {root}")


@dataclass(frozen=True)
class _PackFiles:
    """Everything read from disk for a pack, and the problems met reading it."""

    sources: SourceMap
    unreadable: frozenset[str]  # flows whose file could not be read
    directory: Directory | None
    languages: tuple[Language, ...]
    translations: Mapping[str, Mapping[str, str]]
    version: str
    problems: tuple[Problem, ...]


def _read_files(
    root: Path, locales_dir: Path, min_coverage: float, cache: PackCache | None = None
) -> _PackFiles:
    """The pack's files, its directory and its catalogs, read under one budget; a catalog
    read before from the same bytes is taken from ``cache``."""
    budget = Budget()
    reader = _Reader(Files(root, budget))
    pack = reader.read(root / PACK_FILE, "pack")
    if os.path.lexists(root / RETIRED_CONTACTS_FILE):
        reader.problems.append(_retired_contacts(root / RETIRED_CONTACTS_FILE))
    flows, unreadable = _read_flows(reader, root / FLOWS_DIR)
    services = _read_directory(reader, root / DIRECTORY_DIR)
    source_language = str(_data(pack).get("source_language") or "sv")
    catalogs = _read_catalogs(locales_dir, budget, source_language, min_coverage, cache)
    return _PackFiles(
        sources=SourceMap(pack, flows),
        unreadable=frozenset(unreadable),
        directory=services,
        languages=tuple(language(code) for code in [source_language, *catalogs.offered]),
        translations=catalogs.messages,
        version=_version(root, reader.files.read, catalogs.read),
        problems=(*reader.problems, *catalogs.problems),
    )


def _read_flows(reader: _Reader, folder: Path) -> tuple[dict[str, Document], set[str]]:
    """The flows' documents by id, and the ids of those that could not be read."""
    documents: dict[str, Document] = {}
    unreadable: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        if not path.stem.isidentifier() or path.stem != path.stem.lower():
            reader.problems.append(_bad_flow_name(path))
            continue
        document = reader.read(path, "flow", duplicate_code={("steps",): "duplicate-step"})
        if document is not None:
            documents[path.stem] = document
        else:
            unreadable.add(path.stem)
    return documents, unreadable


def _bad_flow_name(path: Path) -> Problem:
    return Problem(
        str(path),
        1,
        1,
        "error",
        "bad-name",
        f"a flow's file name is its id: lower-case letters a-z, digits and _ (rename {path.name})",
    )


def _read_directory(reader: _Reader, folder: Path) -> Directory | None:
    if not folder.is_dir():
        return None
    services, problems = load_directory(folder, reader.files)
    reader.problems.extend(problems)
    return services


@dataclass(frozen=True)
class _Catalogs:
    """The translations beside a pack: their messages, the languages offered, the bytes read."""

    messages: Mapping[str, Mapping[str, str]]
    offered: list[str]
    read: Mapping[Path, bytes]
    problems: list[Problem]


def _read_catalogs(
    locales_dir: Path,
    budget: Budget,
    source_language: str,
    min_coverage: float,
    cache: PackCache | None = None,
) -> _Catalogs:
    files = Files(locales_dir, budget)
    catalogs = {
        code: catalog
        for code, catalog in load_catalogs(locales_dir, files, cache).items()
        if code != source_language
    }
    return _Catalogs(
        messages={code: catalog.messages for code, catalog in catalogs.items()},
        offered=[code for code, c in sorted(catalogs.items()) if c.stats.coverage >= min_coverage],
        read={c.path: files.read.get(c.path, b"") for c in catalogs.values()},
        problems=[problem for catalog in catalogs.values() for problem in catalog.problems],
    )


def _build(files: _PackFiles) -> tuple[Content, list[Problem]]:
    """The model built from the files read, and the problems met building it."""
    builder = _Builder(files.sources, files.unreadable)
    content = builder.build(files.version, files.languages, files.translations, files.directory)
    return content, builder.problems


def _validated(
    content: Content, files: _PackFiles, built: list[Problem], today: date | None
) -> LoadResult:
    """The load's result: every problem, sorted, and the content when none is an error."""
    found = validate(content, files.sources, today=today)
    if files.directory is None and any(_in_directory(p) for p in files.problems if p.is_error):
        # The directory's own error is the cause: not also every step that uses it.
        found = (p for p in found if p.code not in _NEEDS_DIRECTORY)
    problems = sorted([*files.problems, *built, *found])
    has_errors = any(p.is_error for p in problems) or files.sources.pack is None
    return LoadResult(None if has_errors else content, tuple(problems), files.sources)


def _version(root: Path, pack: Mapping[Path, bytes], catalogs: Mapping[Path, bytes]) -> str:
    """A hash of every file read for the pack and its catalogs: the same files, the same
    version. Hashes the bytes already read, so no file is opened twice (or changes between)."""
    digest = hashlib.sha256()
    for path in [*sorted(pack), *sorted(catalogs)]:
        # Names relative to the pack or locales folder: the same version on every machine.
        name = path.relative_to(root) if path.is_relative_to(root) else Path(*path.parts[-3:])
        digest.update(str(name).encode())
        digest.update(b"\0")
        digest.update(pack.get(path, catalogs.get(path, b"")))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _data(document: Document | None) -> Mapping[str, Any]:
    data = document.data if document is not None else None
    return data if isinstance(data, Mapping) else {}


class _Reader:
    """Reads files into Documents, collecting syntax, duplicate and schema problems."""

    def __init__(self, files: Files) -> None:
        self.files = files
        self.problems: list[Problem] = []

    def read(
        self,
        path: Path,
        schema_name: schema.SchemaName,
        duplicate_code: Mapping[tuple[str | int, ...], str] | None = None,
    ) -> Document | None:
        text = self.files.read_text(path)
        if isinstance(text, Problem):
            self.problems.append(text)
            return None
        budget = self.files.budget
        parsed = parse(text, str(path), max_values=budget.values_left)
        budget.values_left -= parsed.values
        if isinstance(parsed, SyntaxProblem):
            self.problems.append(Problem.at(parsed.position, "error", parsed.code, parsed.message))
            return None
        for duplicate in parsed.duplicates:
            code = (duplicate_code or {}).get(duplicate.path, "duplicate-key")
            self.problems.append(
                Problem.at(
                    duplicate.again,
                    "error",
                    code,
                    f"`{excerpt(duplicate.key)}` is written twice (first at line "
                    f"{duplicate.first.line}); "
                    "YAML would silently keep only this one",
                )
            )
        self.problems.extend(schema.check(parsed, schema_name))
        return parsed


@dataclass
class _Builder:
    """Builds the model from documents, resolving step references as it goes."""

    sources: SourceMap
    unreadable: frozenset[str]  # flows whose file could not be read: links to them are not news
    problems: list[Problem] = field(default_factory=list)
    flow_starts: dict[str, str] = field(default_factory=dict)
    step_refs: set[str] = field(default_factory=set)

    def build(
        self,
        version: str,
        languages: tuple[Language, ...],
        translations: Mapping[str, Mapping[str, str]],
        directory: Directory | None,
    ) -> Content:
        for flow_id, document in self.sources.flows.items():
            steps = _data(document).get("steps")
            ids = list(steps) if isinstance(steps, Mapping) else []
            self.step_refs.update(f"{flow_id}.{step_id}" for step_id in ids)
            start = _data(document).get("start")
            first = start if isinstance(start, str) else (ids[0] if ids else "")
            self.flow_starts[flow_id] = f"{flow_id}.{first}"
        flows = {flow_id: self._flow(flow_id, doc) for flow_id, doc in self.sources.flows.items()}
        steps = {ref: s for flow in flows.values() for ref, s in flow.steps.items()}
        pack = _data(self.sources.pack)
        pack_ref = self._pack_ref
        triggers = pack.get("triggers")
        navigation = pack.get("navigation", list(DEFAULT_NAVIGATION))
        return Content(
            id=str(pack.get("id", "")),
            source_language=str(pack.get("source_language", "")),
            version=version,
            start=pack_ref("start"),
            menu=pack_ref("menu"),
            emergency=pack_ref("emergency"),
            privacy=pack_ref("privacy"),
            help=pack_ref("help"),
            navigation=tuple(str(n) for n in navigation) if isinstance(navigation, list) else (),
            triggers={
                str(k): texts(v)
                for k, v in (triggers if isinstance(triggers, Mapping) else {}).items()
            },
            texts={str(k): v for k, v in mapping(pack.get("texts")).items() if isinstance(v, str)},
            flows=flows,
            steps=steps,
            languages=languages,
            moved=self._moved(pack.get("moved")),
            translations=translations,
            directory=directory,
            concerns=self._concerns(pack.get("concerns")),
            stale_after_days=int(pack.get("stale_after_days", 365))
            if isinstance(pack.get("stale_after_days", 365), int)
            else 365,
        )

    def _pack_ref(self, key: str) -> str:
        raw = _data(self.sources.pack).get(key)
        if not isinstance(raw, str):
            return ""
        code = "emergency-missing" if key == "emergency" else "unknown-target"
        return self.resolve(raw, None, self.sources.in_pack(key), f"`{key}`", code)

    def _concerns(self, value: Any) -> tuple[Concern, ...]:
        return tuple(
            self._concern(str(kind), mapping(body)) for kind, body in mapping(value).items()
        )

    def _concern(self, kind: str, body: Mapping[str, Any]) -> Concern:
        raw = body.get("step")
        where = self.sources.in_pack("concerns", kind, "step")
        step = (
            self.resolve(raw, None, where, f"the step of concern `{kind}`")
            if isinstance(raw, str)
            else ""
        )
        words = texts(body.get("words"))
        return Concern(kind, step, words, self.sources.in_pack("concerns", kind))

    def _moved(self, value: Any) -> dict[str, str]:
        moved: dict[str, str] = {}
        for old, new in mapping(value).items():
            if isinstance(new, str):
                where = self.sources.in_pack("moved", old)
                moved[str(old)] = self.resolve(new, None, where, f"the new place of `{old}`")
        return moved

    def resolve(
        self,
        raw: str,
        flow_id: str | None,
        where: Position,
        what: str,
        code: str = "unknown-target",
    ) -> str:
        """``raw`` as a full ``flow.step`` reference; an unknown one is reported here."""
        if "." in raw:
            ref = raw
        elif flow_id is not None and f"{flow_id}.{raw}" in self.step_refs:
            ref = f"{flow_id}.{raw}"
        elif raw in self.flow_starts:
            ref = self.flow_starts[raw]
        elif raw in self.unreadable:
            return raw
        else:
            ref = f"{flow_id}.{raw}" if flow_id else raw
        if ref not in self.step_refs and ref.split(".", 1)[0] not in self.unreadable:
            self.problems.append(
                Problem.at(where, "error", code, self._unknown_target(raw, flow_id, what))
            )
        return ref

    def _renamed(self, raw: str, flow_id: str | None) -> str:
        """`` (renamed to `x` in moved:)`` when ``raw`` is a step's old name."""
        moved = mapping(_data(self.sources.pack).get("moved"))
        old = raw if "." in raw or flow_id is None else f"{flow_id}.{raw}"
        new = moved.get(old)
        return f" (it was renamed to `{new}`; see `moved:` in lotsen.yaml)" if new else ""

    def _unknown_target(self, raw: str, flow_id: str | None, what: str) -> str:
        local = sorted(
            r.split(".", 1)[1] for r in self.step_refs if flow_id and r.startswith(f"{flow_id}.")
        )
        candidates = [*local, *sorted(self.step_refs), *sorted(self.flow_starts)]
        hint = self._renamed(raw, flow_id) or schema.did_you_mean(raw, candidates)
        flow = raw.split(".", 1)[0]
        if "." in raw and flow not in self.flow_starts:
            flows = ", ".join(sorted(self.flow_starts)) or "none"
            return f"{what} leads to `{raw}`, but there is no flow `{flow}`{hint}; flows: {flows}"
        if "." in raw:
            steps = sorted(r.split(".", 1)[1] for r in self.step_refs if r.startswith(f"{flow}."))
            return (
                f"{what} leads to `{raw}`, but flow `{flow}` has no such step{hint}; "
                f"its steps: {', '.join(steps)}"
            )
        where = f"this flow or a flow called `{raw}`" if flow_id else f"a flow called `{raw}`"
        choices = f"; steps here: {', '.join(local)}" if local else ""
        return f"{what} leads to `{raw}`, but there is no step in {where}{hint}{choices}"

    def _flow(self, flow_id: str, document: Document) -> Flow:
        data = _data(document)
        steps: dict[str, Step] = {}
        for step_id, body in mapping(data.get("steps")).items():
            ref = f"{flow_id}.{step_id}"
            steps[ref] = self._step(ref, flow_id, mapping(body))
        return Flow(
            flow_id,
            str(data.get("title", flow_id)),
            self.flow_starts[flow_id],
            steps,
            document.file,
        )

    def _step(self, ref: str, flow_id: str, body: Mapping[str, Any]) -> Step:
        return Step(
            ref=ref,
            way=self._way(ref, flow_id, body),
            say=texts(body.get("say")),
            web_say=web_texts(body.get("say")),
            contacts=tuple(str(c) for c in items(body.get("contacts"))),
            sets=sets_of(body.get("set")),
            languages=body.get("languages") is True,
            services=_services(body.get("services")),
            navigation=tuple(str(a) for a in items(body.get("navigation"))),
            note=text_of(body.get("note")),
            position=self.sources.step_key(ref),
        )

    def _way(self, ref: str, flow_id: str, body: Mapping[str, Any]) -> Way:
        way, problem = read_way(StepReading(self.resolve, self.sources, ref, flow_id, body))
        if problem is not None:
            self.problems.append(problem)
        return way


def _services(value: Any) -> ServiceQuery | None:
    if not isinstance(value, Mapping):
        return None
    area = value.get("area")
    return ServiceQuery(
        topics=tuple(str(t) for t in items(value.get("topics"))),
        area=area if isinstance(area, str) else "municipality",
        include=tuple(str(i) for i in items(value.get("include"))),
        local=value.get("local") is True,
        otherwise=text_of(value.get("otherwise")),
    )
