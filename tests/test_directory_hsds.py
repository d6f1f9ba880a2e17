"""The HSDS 3.0 export, every object validated against the published schemas."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bot.directory.hsds import export, write
from tests.directory_fixtures import shipped

HSDS = Path(__file__).resolve().parents[2] / "shared" / "hsds-3.0"
SCHEMAS = HSDS / "schema"

pytestmark = pytest.mark.skipif(
    not SCHEMAS.is_dir(), reason=f"the HSDS 3.0 schemas are not at {SCHEMAS} (../shared)"
)


def _schema(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


def _registry() -> Registry:
    """Each schema file under its own name: the files `$ref` one another by file name."""
    resources = [
        (path.name, Resource.from_contents(_schema(path), default_specification=DRAFT202012))
        for path in sorted(SCHEMAS.glob("*.json"))
    ]
    return Registry().with_resources(resources)


def validator(name: str) -> Draft202012Validator:
    schema = _schema(SCHEMAS / name)
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


def errors(name: str, record: dict[str, Any]) -> list[str]:
    found = validator(name).iter_errors(record)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def test_every_organization_is_valid_against_the_compiled_schema() -> None:
    organizations = export(shipped())["organizations"]
    assert organizations
    for record in organizations:
        assert errors("compiled/organization.json", record) == []


def test_every_service_is_valid_against_the_compiled_schema() -> None:
    services = export(shipped())["services"]
    assert services
    for record in services:
        assert errors("compiled/service.json", record) == []


def test_every_service_is_valid_against_the_linked_schemas_too() -> None:
    for record in export(shipped())["services"]:
        assert errors("service.json", record) == []


def test_an_invalid_object_is_caught_so_the_checks_above_mean_something() -> None:
    record = dict(export(shipped())["services"][0], status="open", id="not-a-uuid")
    found = errors("service.json", record)
    assert any(e.startswith("status") for e in found)
    assert any(e.startswith("id") for e in found)
    bad_phone = dict(export(shipped())["services"][0], phones=[{"id": str(uuid.uuid4())}])
    assert any("number" in e for e in errors("service.json", bad_phone))


def test_the_export_carries_hours_areas_topics_and_the_verified_date() -> None:
    services = {s["name"]: s for s in export(shipped())["services"]}
    line = services["Orostelefonen (Rädda Barnen)"]
    assert line["status"] == "active"
    assert line["assured_date"] == "2026-11-28"
    assert [p["number"] for p in line["phones"]] == ["020-100 200"]
    [schedule] = line["schedules"]
    assert (schedule["freq"], schedule["byday"]) == ("WEEKLY", "MO,TU,WE,TH,FR")
    assert (schedule["opens_at"], schedule["closes_at"]) == ("09:00", "12:00")
    assert "Europe/Stockholm" in schedule["notes"] and "public holidays" in schedule["notes"]
    assert [a["name"] for a in line["service_areas"]] == ["Sverige"]
    codes = [a["taxonomy_term"]["code"] for a in line["attributes"]]
    assert codes == ["topic:worried_relative", "topic:support_line", "anonymity", "what_happens"]
    assert services["BRIS"]["schedules"][0]["closes_at"] == "24:00"


def test_examples_are_not_exported_and_ids_are_stable() -> None:
    first, again = export(shipped()), export(shipped())
    assert first == again
    names = [s["name"] for s in first["services"]]
    assert "Exempelkommunens anhörigstöd" not in names
    assert len({s["id"] for s in first["services"]}) == len(names)
    nested = [s for o in first["organizations"] for s in o["services"]]
    assert sorted(s["id"] for s in nested) == sorted(s["id"] for s in first["services"])


def test_write_puts_one_json_array_a_table(tmp_path: Path) -> None:
    written = write(shipped(), tmp_path / "out")
    assert [p.name for p in written] == ["organizations.json", "services.json"]
    services = json.loads((tmp_path / "out" / "services.json").read_text("utf-8"))
    assert services == export(shipped())["services"]
