"""The JSON Schemas of the format, and their errors told in words an editor can act on.

The same schema files are named in each content file's ``yaml-language-server`` modeline, so
an editor's YAML plugin and ``lotsen validate`` never disagree about the format.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from bot.source.problems import Problem
from bot.source.yamlsrc import Document, Path, excerpt

if TYPE_CHECKING:  # imported where a file is checked: a server restarted from the cache of
    # loaded packs (bot.pack.cache) checks none, and jsonschema is 2.7 MiB of its memory
    from jsonschema import Draft202012Validator, ValidationError

SchemaName = Literal["pack", "flow", "areas", "services", "convtest"]

_TYPE_NAMES = {
    "string": "text",
    "object": "a mapping of `key: value` lines",
    "array": "a list (lines starting with `-`)",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}


@cache
def load(name: SchemaName) -> dict[str, Any]:
    """The schema ``name`` as shipped in the package (``bot/flows/schema/NAME.schema.json``)."""
    text = resources.files("bot").joinpath(f"flows/schema/{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(name: SchemaName) -> Draft202012Validator:
    # Validated with the schema's own `$defs` written in place: a 3,000-step pack made 30,000
    # `$ref` lookups through `referencing` (0.6 of 1.7 s); the errors are the same.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_inlined(load(name)))


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each local ``{"$ref": "#/$defs/x"}`` replaced by ``x`` itself (its
    other keys, such as a ``description``, kept beside it). The format's schemas do not refer
    to themselves, so this ends; a ``$ref`` of any other shape is left as it is."""
    definitions = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in definitions:
            own = {key: walk(value) for key, value in node.items() if key != "$ref"}
            return {**walk(definitions[ref[8:]]), **own}
        return {key: walk(value) for key, value in node.items()}

    return walk(schema)  # type: ignore[no-any-return]


def check(document: Document, name: SchemaName) -> Iterator[Problem]:
    """Every place where ``document`` breaks schema ``name``, as problems with positions."""
    for error in _validator(name).iter_errors(document.data):
        yield from _explain(error, document)


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean `x`?)`` for the closest choice, or nothing when none is close."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"`{excerpt(value)}`"
    if isinstance(value, Mapping):
        return "a mapping"
    return "a list"


def _explain(error: ValidationError, document: Document) -> Iterator[Problem]:
    path: Path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    implicit = document.implicit.get(path)
    if implicit is not None and error.validator != "required":
        yield _implicit_trap(document, path, *implicit)
        return
    position = document.at(path)
    validator = error.validator
    if validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = sorted(schema.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                yield Problem.at(
                    document.key_at((*path, key)),
                    "error",
                    "unknown-key",
                    f"unknown key `{excerpt(str(key))}`{did_you_mean(str(key), allowed)}; "
                    f"valid keys here: {', '.join(allowed)}",
                )
        return
    if validator == "required" and isinstance(error.instance, Mapping):
        for key in _wanted(error):
            if key not in error.instance:
                yield Problem.at(position, "error", "missing-key", f"`{key}` is missing here")
        return
    if "propertyNames" in error.relative_schema_path:
        name = str(error.instance)
        yield Problem.at(
            document.key_at((*path, name)),
            "error",
            "bad-name",
            f"`{excerpt(name)}` cannot be used as a name here: {_expected(error)}",
        )
        return
    yield Problem.at(position, "error", "schema", _message(error))


def _wanted(error: ValidationError) -> Any:
    """What the failed keyword asked for (``required``'s names, ``enum``'s choices)."""
    wanted: Any = error.validator_value
    return wanted


def _expected(error: ValidationError) -> str:
    for candidate in (error, *(error.context or ())):
        schema = candidate.schema if isinstance(candidate.schema, Mapping) else {}
        if "errorMessage" in schema:
            return str(schema["errorMessage"])
    return excerpt(error.message)


def _message(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    validator = error.validator
    found = _describe(error.instance)
    if "errorMessage" in schema:
        return f"expected {schema['errorMessage']}, found {found}"
    if validator == "type":
        expected = _wanted(error)
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        return f"expected {wanted}, found {found}"
    if validator == "enum":
        choices = ", ".join(f"`{c}`" for c in _wanted(error))
        return f"{found} is not a valid choice{did_you_mean(str(error.instance), [str(c) for c in _wanted(error)])}; valid choices: {choices}"  # noqa: E501
    if validator in ("minItems", "minProperties", "minLength"):
        return "this is empty; write at least one entry, or leave the key out"
    if validator == "uniqueItems":
        return "the same entry is written twice in this list"
    return excerpt(error.message)  # jsonschema's own words quote the whole value


def _implicit_trap(document: Document, path: Path, raw: str, kind: str) -> Problem:
    position = document.at(path)
    if kind == "empty":
        return Problem.at(position, "error", "yaml-empty", "nothing is written after the colon")
    reads = "true/false (yes/no)" if kind == "boolean" else "a number"
    return Problem.at(
        position,
        "error",
        f"yaml-{kind}",
        f'YAML reads `{excerpt(raw)}` as {reads}, not as text: put it in quotes, "{excerpt(raw)}"',
    )
