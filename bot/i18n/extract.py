"""A Babel extractor for content YAML: every text a person reads, with context for translators.

Registered under the ``babel.extractors`` entry point as ``lotsen_yaml``, so the standard

    pybabel extract -F babel.cfg -o locales/messages.pot .

pulls the content's texts beside the code's, each with its file:line and a comment saying
where it is shown (flow and step) plus the editor's ``note:``.

Word lists (emergency words, keywords a free-text question matches) become one message, the
words joined by ``;``, the way ``.desktop`` files carry Keywords: a translator writes the
words people would type in their language, not a translation of each Swedish word.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import IO, Any

from bot.flows.kinds import KINDS, Wording
from bot.flows.model import REQUIRED_TEXTS, join_words
from bot.flows.values import mapping
from bot.source.yamlsrc import Document, Path, SyntaxProblem, parse

# (line, keyword, message, comments); with the keyword ``pgettext`` the message is
# (context, text), as Babel reads ``pgettext(context, text)`` in code.
Extracted = tuple[int, str | None, str | tuple[str, str], list[str]]
PGETTEXT = "pgettext"

_TRIGGER_COMMENT = {
    "emergency": "Words that jump to the emergency (112) step from anywhere when typed.",
    "menu": "Words that open the main menu when typed.",
    "back": "Words that go one step back when typed.",
    "forget": (
        "Messages that delete everything Lotsen holds about the person (like /forget), when "
        "the whole message is one of them. Short and unmistakable: never a word people use "
        "in ordinary sentences."
    ),
    "everyday": (
        "Harmless everyday phrases of your language that hold a word of any language's "
        "emergency or concern lists (English: `hot`, as in 'it is hot today'; Swedish: "
        "`skjuta upp`, to postpone). In a conversation in your language they never trigger."
    ),
}
_WORDS_HOWTO = (
    "Write the words and short phrases people would type in your language, separated by "
    "';' (no spaces around it). Not a word-for-word translation; more or fewer words are fine. "
    "A word may end in `*` for every ending (`knife*`); write inflected forms people type."
)
_CONCERN_COMMENT = (
    "Alarming words of the kind `{kind}`: typed anywhere, even inside an answer, they are "
    "answered first with a calm reply that says what to do now. Include the forms people "
    "type (with and without the article, verb forms, common misspellings). Leave out words "
    "that are harmless in everyday use, or list those phrases under the everyday words."
)


def extract_yaml(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: Mapping[str, Any]
) -> Iterator[Extracted]:
    """Babel's extractor interface: yields ``(lineno, funcname, message, comments)``."""
    name = getattr(fileobj, "name", "") or ""
    parsed = parse(fileobj.read().decode("utf-8"), str(name))
    if isinstance(parsed, SyntaxProblem):
        return  # `lotsen validate` reports it; extraction takes what it can read
    kind = PurePath(str(name)).name
    if kind == "lotsen.yaml":
        yield from _pack(parsed)
    elif PurePath(str(name)).parent.name == "flows":
        yield from _flow(parsed, PurePath(str(name)).stem)
    elif PurePath(str(name)).parent.name == "services":
        yield from _services(parsed)


def _line(document: Document, path: Path) -> int:
    return document.at(path).line


def _pack(document: Document) -> Iterator[Extracted]:
    data = mapping(document.data)
    for key, text in mapping(data.get("texts")).items():
        if isinstance(text, str):
            why = REQUIRED_TEXTS.get(key, "")
            yield _line(document, ("texts", key)), None, text, [f"Interface text `{key}`: {why}"]
    for key, words in mapping(data.get("triggers")).items():
        if isinstance(words, list) and words:
            comment = [_TRIGGER_COMMENT.get(key, f"Trigger words `{key}`."), _WORDS_HOWTO]
            yield _line(document, ("triggers", key)), None, join_words(words), comment
    for kind, body in mapping(data.get("concerns")).items():
        words = mapping(body).get("words")
        if isinstance(words, list) and words:
            comment = [_CONCERN_COMMENT.format(kind=kind), _WORDS_HOWTO]
            yield _line(document, ("concerns", kind, "words")), None, join_words(words), comment


_SERVICE_TEXTS = ("name", "description", "anonymity", "what_happens")


def _services(document: Document) -> Iterator[Extracted]:
    services = mapping(mapping(document.data).get("services"))
    for service_id, body in services.items():
        service = mapping(body)
        if service.get("example") is True:
            continue  # an example for editors is never shown to people
        for field in _SERVICE_TEXTS:
            text = service.get(field)
            if isinstance(text, str):
                comment = [f"Service `{service_id}` in the directory, its {field}."]
                yield _line(document, ("services", service_id, field)), None, text, comment
        for index, phone in enumerate(service.get("phones") or ()):
            said = mapping(phone).get("description")
            if isinstance(said, str):
                comment = [f"Service `{service_id}`: what its phone number is for, how to use it."]
                at = ("services", service_id, "phones", index, "description")
                yield _line(document, at), None, said, comment
        note = mapping(service.get("hours")).get("note")
        if isinstance(note, str):
            comment = [f"Service `{service_id}`: opening hours as the source states them."]
            yield _line(document, ("services", service_id, "hours", "note")), None, note, comment


def _flow(document: Document, flow_id: str) -> Iterator[Extracted]:
    data = mapping(document.data)
    if isinstance(data.get("title"), str):
        yield _line(document, ("title",)), None, data["title"], [f"Flow `{flow_id}`: its title."]
    for step_id, body in mapping(data.get("steps")).items():
        step = mapping(body)
        where = f"Flow `{flow_id}`, step `{step_id}`"
        note = [f"Note: {step['note']}"] if isinstance(step.get("note"), str) else []
        yield from _step(document, ("steps", step_id), step, where, note, f"{flow_id}.{step_id}")


def _step(
    document: Document,
    path: Path,
    step: Mapping[str, Any],
    where: str,
    note: list[str],
    ref: str,
) -> Iterator[Extracted]:
    """A step's texts, each in the step's context (msgctxt ``flow.step``): the same Swedish
    text in two steps may need two translations. Word lists stay without one (the words
    people type in a language are the same wherever they are asked for)."""
    say = step.get("say")
    messages = say if isinstance(say, list) else [say] if isinstance(say, str | Mapping) else []
    for index, text in enumerate(messages):
        at = (*path, "say") if isinstance(say, str) else (*path, "say", index)
        if isinstance(text, str):
            yield _line(document, at), PGETTEXT, (ref, text), [f"{where}: message.", *note]
        elif isinstance(text, Mapping) and isinstance(text.get("text"), str):
            yield (
                _line(document, (*at, "text")),
                PGETTEXT,
                (ref, text["text"]),
                [
                    f"{where}: message, in the chat apps.",
                    *note,
                ],
            )
            if isinstance(text.get("web"), str):
                yield (
                    _line(document, (*at, "web")),
                    PGETTEXT,
                    (ref, text["web"]),
                    [
                        f"{where}: the same message on the web page (which has its own layout).",
                        *note,
                    ],
                )
    otherwise = mapping(step.get("services")).get("otherwise")
    if isinstance(otherwise, str):
        yield (
            _line(document, (*path, "services", "otherwise")),
            PGETTEXT,
            (ref, otherwise),
            [
                f"{where}: said when the directory has nothing for the person's municipality.",
                *note,
            ],
        )
    for kind in KINDS.values():  # the texts of its way on: labels, an ask's words
        for wording in kind.texts(step.get(kind.key)):
            yield _worded(document, (*path, *wording.path), wording, where, note, ref)


def _worded(
    document: Document, path: Path, wording: Wording, where: str, note: list[str], ref: str
) -> Extracted:
    """A word list is one message with the how-to; a text carries the step's note and its own."""
    comment = [f"{where}: {wording.what}"]
    if isinstance(wording.text, tuple):
        return _line(document, path), None, join_words(wording.text), [*comment, _WORDS_HOWTO]
    own = [f"Note: {wording.note}"] if wording.note is not None else []
    return _line(document, path), PGETTEXT, (ref, wording.text), [*comment, *note, *own]
