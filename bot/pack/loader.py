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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.directory.loader import load_directory
from bot.directory.model import Directory
from bot.flows.model import (
    Ask,
    Concern,
    Condition,
    Contact,
    Content,
    Flow,
    Language,
    NumberRange,
    Option,
    ServiceQuery,
    Step,
)
from bot.i18n.catalogs import load_catalogs
from bot.i18n.languages import language
from bot.pack.sources import SourceMap
from bot.pack.validator import validate
from bot.source import schema
from bot.source.files import Budget, Files
from bot.source.position import Position
from bot.source.problems import Problem
from bot.source.yamlsrc import Document, SyntaxProblem, excerpt, parse

PACK_FILE = "lotsen.yaml"
CONTACTS_FILE = "contacts.yaml"
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
) -> LoadResult:
    """Load and validate the pack in ``directory`` and its translations in ``locales``.

    ``today`` is when freshness is judged (contacts verified too long ago); the caller passes
    the clock so tests can fix it. Without it, freshness is not checked. ``locales`` defaults
    to the ``locales`` folder beside the pack; a language is offered to people when its
    catalog's coverage reaches ``min_coverage`` percent.
    """
    root = Path(directory)
    locales_dir = Path(locales) if locales is not None else root.parent / LOCALES_DIR
    pack_path = root / PACK_FILE
    if not os.path.lexists(pack_path):
        problem = Problem(
            str(pack_path), 1, 1, "error", "missing-file", f"no {PACK_FILE} in {root}"
        )
        return LoadResult(None, (problem,))
    budget = Budget()  # one for the pack, its directory and its catalogs together
    reader = _Reader(Files(root, budget))
    pack_doc = reader.read(pack_path, "pack")
    contacts_path = root / CONTACTS_FILE
    contacts_doc = (
        reader.read(contacts_path, "contacts") if os.path.lexists(contacts_path) else None
    )
    flow_docs: dict[str, Document] = {}
    unreadable: set[str] = set()
    for path in sorted((root / FLOWS_DIR).glob("*.yaml")):
        if not path.stem.isidentifier() or path.stem != path.stem.lower():
            reader.problems.append(
                Problem(
                    str(path),
                    1,
                    1,
                    "error",
                    "bad-name",
                    f"a flow's file name is its id: lower-case letters a-z, digits and _ "
                    f"(rename {path.name})",
                )
            )
            continue
        document = reader.read(path, "flow", duplicate_code={("steps",): "duplicate-step"})
        if document is not None:
            flow_docs[path.stem] = document
        else:
            unreadable.add(path.stem)
    services: Directory | None = None
    if (root / DIRECTORY_DIR).is_dir():
        services, directory_problems = load_directory(root / DIRECTORY_DIR, reader.files)
        reader.problems.extend(directory_problems)
    source_language = str(_data(pack_doc).get("source_language") or "sv")
    catalog_files = Files(locales_dir, budget)
    catalogs = {
        code: catalog
        for code, catalog in load_catalogs(locales_dir, catalog_files).items()
        if code != source_language
    }
    for catalog in catalogs.values():
        reader.problems.extend(catalog.problems)
    offered = [code for code, c in sorted(catalogs.items()) if c.stats.coverage >= min_coverage]
    served = {c.path: catalog_files.read.get(c.path, b"") for c in catalogs.values()}
    sources = SourceMap(pack_doc, contacts_doc, flow_docs)
    builder = _Builder(sources, reader.problems, unreadable)
    content = builder.build(
        _version(root, reader.files.read, served),
        tuple(language(code) for code in [source_language, *offered]),
        {code: catalog.messages for code, catalog in catalogs.items()},
        services,
    )
    problems = [*reader.problems, *validate(content, sources, today=today)]
    problems.sort()
    has_errors = any(p.is_error for p in problems) or pack_doc is None
    return LoadResult(None if has_errors else content, tuple(problems), sources)


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


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _sets(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}


def _when(value: Any) -> tuple[Condition, ...]:
    if not isinstance(value, Mapping):
        return ()
    conditions = []
    for var, wanted in value.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        conditions.append(Condition(str(var), frozenset(str(v) for v in values)))
    return tuple(conditions)


@dataclass
class _Builder:
    """Builds the model from documents, resolving step references as it goes."""

    sources: SourceMap
    problems: list[Problem]
    unreadable: set[str]  # flows whose file could not be read: links to them are not news
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
                str(k): _texts(v)
                for k, v in (triggers if isinstance(triggers, Mapping) else {}).items()
            },
            texts={str(k): v for k, v in _mapping(pack.get("texts")).items() if isinstance(v, str)},
            flows=flows,
            steps=steps,
            contacts=self._contacts(),
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
            self._concern(str(kind), _mapping(body)) for kind, body in _mapping(value).items()
        )

    def _concern(self, kind: str, body: Mapping[str, Any]) -> Concern:
        raw = body.get("step")
        where = self.sources.in_pack("concerns", kind, "step")
        step = (
            self.resolve(raw, None, where, f"the step of concern `{kind}`")
            if isinstance(raw, str)
            else ""
        )
        words = _texts(body.get("words"))
        return Concern(kind, step, words, self.sources.in_pack("concerns", kind))

    def _moved(self, value: Any) -> dict[str, str]:
        moved: dict[str, str] = {}
        for old, new in _mapping(value).items():
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

    def _unknown_target(self, raw: str, flow_id: str | None, what: str) -> str:
        local = sorted(
            r.split(".", 1)[1] for r in self.step_refs if flow_id and r.startswith(f"{flow_id}.")
        )
        candidates = [*local, *sorted(self.step_refs), *sorted(self.flow_starts)]
        hint = schema.did_you_mean(raw, candidates)
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
        for step_id, body in _mapping(data.get("steps")).items():
            ref = f"{flow_id}.{step_id}"
            steps[ref] = self._step(ref, flow_id, _mapping(body))
        return Flow(
            flow_id,
            str(data.get("title", flow_id)),
            self.flow_starts[flow_id],
            steps,
            document.file,
        )

    def _step(self, ref: str, flow_id: str, body: Mapping[str, Any]) -> Step:
        at = self.sources.step

        def target(raw: Any, *path: str | int) -> str | None:
            if not isinstance(raw, str):
                return None
            return self.resolve(raw, flow_id, at(ref, *path), f"`{path[-1]}`")

        options = []
        for index, option in enumerate(_list(body.get("options"))):
            option = _mapping(option)
            options.append(
                Option(
                    label=_text(option.get("label")) or "",
                    goto=target(option.get("goto"), "options", index, "goto") or "",
                    sets=_sets(option.get("set")),
                    when=_when(option.get("when")),
                    position=at(ref, "options", index),
                )
            )
        return Step(
            ref=ref,
            say=_texts(body.get("say")),
            options=tuple(options),
            ask=self._ask(ref, body.get("ask"), target),
            next=target(body.get("next"), "next"),
            end=body.get("end") is True,
            contacts=tuple(str(c) for c in _list(body.get("contacts"))),
            sets=_sets(body.get("set")),
            languages=body.get("languages") is True,
            services=_services(body.get("services")),
            navigation=tuple(str(a) for a in _list(body.get("navigation"))),
            note=_text(body.get("note")),
            position=self.sources.step_key(ref),
        )

    def _ask(self, ref: str, raw: Any, target: Any) -> Ask | None:
        if not isinstance(raw, Mapping):
            return None
        keywords = {str(k): _texts(v) for k, v in _mapping(raw.get("keywords")).items()}
        ranges = []
        for item in _list(raw.get("number")):
            item = _mapping(item)
            below = item.get("below")
            ranges.append(
                NumberRange(
                    str(item.get("value", "")),
                    below if isinstance(below, int) and not isinstance(below, bool) else None,
                )
            )
        return Ask(
            store=str(raw.get("store", "")),
            goto=target(raw.get("goto"), "ask", "goto") or "",
            keywords=keywords,
            number=tuple(ranges),
            municipality=raw.get("municipality") is True,
            otherwise=target(raw.get("otherwise"), "ask", "otherwise"),
            position=self.sources.step(ref, "ask"),
        )

    def _contacts(self) -> dict[str, Contact]:
        contacts: dict[str, Contact] = {}
        for contact_id, body in _mapping(_data(self.sources.contacts).get("contacts")).items():
            body = _mapping(body)
            try:
                verified = date.fromisoformat(str(body.get("verified", "")))
            except ValueError:
                verified = date.min  # reported by the schema or as not a real date
                self._bad_date(contact_id, body.get("verified"))
            contacts[contact_id] = Contact(
                id=contact_id,
                name=_text(body.get("name")) or contact_id,
                source=_text(body.get("source")) or "",
                verified=verified,
                what=_text(body.get("what")),
                phone=_text(body.get("phone")),
                email=_text(body.get("email")),
                web=_text(body.get("web")),
                hours=_text(body.get("hours")),
                anonymity=_text(body.get("anonymity")),
                position=self.sources.contact(contact_id),
            )
        return contacts

    def _bad_date(self, contact_id: str, raw: Any) -> None:
        if isinstance(raw, str) and len(raw) == 10:  # shaped like a date, but not a real one
            self.problems.append(
                Problem.at(
                    self.sources.contact(contact_id, "verified"),
                    "error",
                    "bad-date",
                    f"`{raw}` is not a real date (YYYY-MM-DD)",
                )
            )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _services(value: Any) -> ServiceQuery | None:
    if not isinstance(value, Mapping):
        return None
    area = value.get("area")
    return ServiceQuery(
        topics=tuple(str(t) for t in _list(value.get("topics"))),
        area=area if isinstance(area, str) else "municipality",
        include=tuple(str(i) for i in _list(value.get("include"))),
    )


def _list(value: Any) -> Iterable[Any]:
    return value if isinstance(value, list) else ()
