"""Reading the directory: the shipped data, and mistakes named by file, line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.directory.loader import load_directory
from bot.directory.local_checks import is_local
from bot.directory.model import TOPICS
from bot.flows.model import Content
from bot.pack.loader import load_pack
from bot.source.schema import load
from tests.directory_fixtures import DIRECTORY, GOOD_SERVICE, shipped, write_directory
from tests.packs import CONTACTS, EMERGENCY, write_pack

ROOT = Path(__file__).resolve().parents[1]

GOOD = GOOD_SERVICE


def problems_of(tmp_path: Path, text: str) -> list[tuple[int, int, str, str]]:
    folder = write_directory(tmp_path, {"kommun.yaml": text})
    directory, problems = load_directory(folder)
    assert all(p.file.endswith("kommun.yaml") for p in problems)
    if any(p.is_error for p in problems):
        assert directory is None
    return [(p.line, p.column, p.code, p.message) for p in problems]


def codes(found: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str]]:
    return [(line, column, code) for line, column, code, _ in found]


def test_the_shipped_directory_loads_without_problems() -> None:
    directory, problems = load_directory(DIRECTORY)
    assert problems == []
    assert directory is not None


def test_every_yaml_file_names_its_schema() -> None:
    files = [DIRECTORY / "areas.yaml", *sorted((DIRECTORY / "services").glob("*.yaml*"))]
    for path in files:
        first = path.read_text("utf-8").splitlines()[0]
        schema = first.removeprefix("# yaml-language-server: $schema=")
        assert schema != first, path
        assert (path.parent / schema).resolve().is_file(), path


def test_the_schema_lists_exactly_the_documented_topics() -> None:
    service = load("services")["$defs"]["service"]
    assert service["properties"]["topics"]["items"]["enum"] == list(TOPICS)


def test_schemas_are_shipped_as_package_data() -> None:
    for name in ("areas", "services"):
        path = ROOT / "bot" / "flows" / "schema" / f"{name}.schema.json"
        assert json.loads(path.read_text("utf-8"))["$id"] == f"lotsen:{name}.schema.json"


def test_a_good_file_loads(tmp_path: Path) -> None:
    folder = write_directory(tmp_path, {"kommun.yaml": GOOD})
    directory, problems = load_directory(folder)
    assert problems == []
    assert directory is not None
    service = directory.services["stod"]
    assert service.areas == ("0480",) and service.schedule is None and not service.example
    assert service.position is not None and (service.position.line, service.position.column) == (
        2,
        3,
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("topics: [worried_relative]", "topics: [worried_relativ]", (6, 14, "schema")),
        ('areas: ["0480"]', 'areas: ["0481"]', (7, 13, "unknown-area")),
        ("    status: active", "    status: aktiv", (10, 13, "schema")),
        ("    verified: 2026-11-22", "    verified: 2026-13-22", (9, 15, "bad-date")),
        ("    name: Stöd\n", "", (2, 3, "missing-key")),
        ("    status: active", "    status: active\n    web: www.kommun.se", (11, 10, "schema")),
        (
            "    status: active",
            '    status: active\n    phones:\n      - number: "08-1"',
            (12, 17, "bad-phone"),
        ),
        ("    status: active", "    status: active\n    example: 1", (11, 14, "yaml-number")),
        ("  stod:", "  Stöd:", (2, 3, "bad-name")),
    ],
)
def test_mistakes_are_named_where_they_are_written(
    tmp_path: Path, old: str, new: str, expected: tuple[int, int, str]
) -> None:
    assert old in GOOD
    assert codes(problems_of(tmp_path, GOOD.replace(old, new))) == [expected]


def test_a_misspelt_key_is_unknown_and_the_right_one_missing(tmp_path: Path) -> None:
    found = problems_of(tmp_path, GOOD.replace("    source: test", "    sorce: test"))
    assert codes(found) == [(2, 3, "missing-key"), (8, 5, "unknown-key")]
    assert "did you mean `source`" in found[1][3]


def test_an_unknown_topic_gets_a_did_you_mean(tmp_path: Path) -> None:
    found = problems_of(tmp_path, GOOD.replace("[worried_relative]", "[worried_relativ]"))
    assert "did you mean `worried_relative`" in found[0][3]


def test_a_name_instead_of_an_area_code_gets_the_code(tmp_path: Path) -> None:
    found = problems_of(tmp_path, GOOD.replace('["0480"]', "[Nykoping, Södermanlands län]"))
    assert codes(found) == [(7, 13, "unknown-area"), (7, 23, "unknown-area")]
    assert '"0480" (Nyköping)' in found[0][3]
    assert '"04" (Södermanlands län)' in found[1][3]


def test_counties_and_the_whole_country_are_areas(tmp_path: Path) -> None:
    assert problems_of(tmp_path, GOOD.replace('["0480"]', '[SE, "04", "0180"]')) == []


HOURS = (
    GOOD
    + """\
    hours:
      weekly:
        - {days: weekdays, opens: "09:00", closes: "12:00"}
      public_holidays: closed
"""
)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('closes: "12:00"', 'closes: "08:00"', (13, 52, "bad-hours")),
        ('opens: "09:00"', 'opens: "9"', (13, 35, "schema")),
        ("days: weekdays", "days: [mon, tis]", (13, 12, "schema")),
        ("      public_holidays: closed\n", "", (11, 5, "missing-key")),
        ("      weekly:", "      always: true\n      weekly:", (11, 5, "bad-hours")),
        (
            "      public_holidays: closed",
            "      public_holidays: closed\n      exceptions:\n        - {date: 2026-12-24}",
            (16, 11, "bad-hours"),
        ),
    ],
)
def test_hour_mistakes_are_named_where_they_are_written(
    tmp_path: Path, old: str, new: str, expected: tuple[int, int, str]
) -> None:
    assert old in HOURS
    assert codes(problems_of(tmp_path, HOURS.replace(old, new))) == [expected]


def test_hours_load_into_a_schedule(tmp_path: Path) -> None:
    text = HOURS.replace(
        "      public_holidays: closed",
        "      public_holidays: not_stated\n"
        "      exceptions:\n"
        "        - {date: 2026-12-24, closed: true}\n"
        '        - {date: 2026-12-30, opens: "10:00", closes: "24:00"}',
    )
    folder = write_directory(tmp_path, {"kommun.yaml": text})
    directory, problems = load_directory(folder)
    assert problems == [] and directory is not None
    schedule = directory.services["stod"].schedule
    assert schedule is not None and schedule.closed_on_public_holidays
    assert schedule.periods[0].weekdays == frozenset(range(5))
    assert [e.closed for e in schedule.exceptions] == [True, False]
    assert str(schedule.exceptions[1].closes) == "00:00:00"


def test_a_service_id_is_unique_across_files(tmp_path: Path) -> None:
    folder = write_directory(tmp_path, {"a.yaml": GOOD, "b.yaml": GOOD})
    directory, problems = load_directory(folder)
    assert directory is None
    assert [(Path(p.file).name, p.line, p.code) for p in problems] == [
        ("b.yaml", 2, "duplicate-service")
    ]


def test_template_and_underscore_files_are_not_read(tmp_path: Path) -> None:
    folder = write_directory(
        tmp_path, {"_draft.yaml": "nonsense: [", "x.yaml.example": "nonsense: ["}
    )
    assert load_directory(folder)[1] == []


def test_yaml_syntax_errors_have_positions(tmp_path: Path) -> None:
    assert codes(problems_of(tmp_path, "services:\n  stod: [\n")) == [(3, 1, "yaml-syntax")]


def test_a_municipality_outside_every_county_is_an_error(tmp_path: Path) -> None:
    areas = 'source: t\nverified: 2026-01-01\ncounties:\n  "01": A\nmunicipalities:\n  "0299": B\n'
    folder = write_directory(tmp_path, {}, areas=areas)
    directory, problems = load_directory(folder)
    assert directory is None
    assert [(p.line, p.column, p.code) for p in problems] == [(6, 3, "unknown-county")]


def test_a_missing_areas_file_is_named(tmp_path: Path) -> None:
    directory, problems = load_directory(tmp_path)
    assert directory is None
    assert [p.code for p in problems] == ["missing-file"]


def test_the_template_would_load_once_filled_in(tmp_path: Path) -> None:
    template = (DIRECTORY / "services" / "_template.yaml.example").read_text("utf-8")
    filled = (
        template.replace('"0000-00 00 00"', '"0155-24 50 00"')
        .replace('["0000"]', '["0480"]')
        .replace("web: https://  ", "web: https://x.se")
    )
    folder = write_directory(tmp_path, {"kommun.yaml": filled})
    directory, problems = load_directory(folder)
    assert [p.format() for p in problems] == []
    assert directory is not None and "kommun_anhorigstod" in directory.services


# --- choosing services for an area ---


def test_for_area_orders_local_then_county_then_national(tmp_path: Path) -> None:
    text = "services:\n" + "".join(
        f"""\
  {sid}:
    organization: O
    name: {sid}
    description: D.
    topics: [{topic}]
    areas: [{area}]
    source: s
    verified: 2026-11-22
    status: {status}
"""
        for sid, topic, area, status in [
            ("national_a", "support_line", "SE", "active"),
            ("county", "support_line", '"04"', "active"),
            ("local", "worried_relative", '"0480"', "active"),
            ("national_b", "worried_relative", "SE", "active"),
            ("elsewhere", "support_line", '"0180"', "active"),
            ("other_county", "support_line", '"01"', "active"),
            ("closed", "support_line", '"0480"', "temporarily_closed"),
            ("gone", "support_line", '"0480"', "inactive"),
            ("health", "health", "SE", "active"),
        ]
    )
    folder = write_directory(tmp_path, {"s.yaml": text})
    directory, problems = load_directory(folder)
    assert problems == [] and directory is not None
    wanted = {"support_line", "worried_relative"}
    assert [s.id for s in directory.for_area(wanted, "0480")] == [
        "local",
        "county",
        "national_a",
        "national_b",
    ]
    assert [s.id for s in directory.for_area(wanted, "0484")] == [
        "county",
        "national_a",
        "national_b",
    ]
    assert [s.id for s in directory.for_area(wanted, None)] == ["national_a", "national_b"]
    assert [s.id for s in directory.for_area(wanted, "9999")] == ["national_a", "national_b"]
    assert [s.id for s in directory.for_area({"health"}, "0180")] == ["health"]


def test_the_example_is_never_chosen() -> None:
    directory = shipped()
    example = directory.services["exempelkommunen_anhorigstod"]
    assert example.example
    assert example not in directory.for_area(example.topics, example.areas[0])
    assert [s.id for s in directory.for_area({"worried_relative"}, "0480")] == [
        "orostelefonen",
        "exit",
    ]


def test_each_contact_point_is_written_once_in_the_directory() -> None:
    """contacts.yaml held a second copy of every national service; changing a number in one
    left the other showing the old one. Now a step's card is the directory's service."""
    assert not (DIRECTORY.parent / "contacts.yaml").exists()
    services = shipped().services
    phones = [
        p.number
        for s in services.values()
        if not s.example
        for p in s.phones
        if not (is_local(s) and p.number == "112")  # "ring 112 och fråga efter ...": a route
    ]
    assert len(phones) == len(set(phones)), "a phone number written twice"
    shown = {c for step in shipped_content().steps.values() for c in step.contacts}
    assert shown <= set(services), shown - set(services)


def shipped_content() -> Content:
    result = load_pack(DIRECTORY.parent)
    assert result.content is not None
    return result.content


def test_a_pack_with_a_contacts_file_is_told_where_its_entries_go(tmp_path: Path) -> None:
    write_pack(tmp_path, {"contacts.yaml": "contacts: {}\n"})
    (problem,) = load_pack(tmp_path).errors
    assert (problem.code, problem.file, problem.line) == (
        "retired-file",
        str(tmp_path / "contacts.yaml"),
        1,
    )
    assert "directory/services/" in problem.message


def test_a_step_naming_no_service_gets_the_nearest_one(tmp_path: Path) -> None:
    flow = EMERGENCY.replace("contacts: [sos]", "contacts: [soss]")
    (problem,) = load_pack(write_pack(tmp_path, {"flows/emergency.yaml": flow})).errors
    assert problem.code == "unknown-contact"
    assert "no service `soss` in directory/services/ (did you mean `sos`?)" in problem.message
    assert (problem.line, problem.column) == (5, 16)


def test_an_hours_note_that_contradicts_the_structured_hours_is_an_error(tmp_path: Path) -> None:
    services = (
        CONTACTS
        + """\
  linje:
    organization: Exempel
    name: Linjen
    description: En linje.
    topics: [support_line]
    areas: [SE]
    hours:
      weekly:
        - {days: weekdays, opens: "09:00", closes: "15:00"}
      public_holidays: closed
      note: Vardagar 8-16.30.
    source: example.se
    verified: 2026-11-22
    status: active
"""
    )
    root = write_pack(tmp_path, {"directory/services/national.yaml": services})
    (problem,) = load_pack(root).errors
    assert problem.code == "hours-note-mismatch"
    assert "says 8, 16, 30" in problem.message and "09:00-15:00" in problem.message
    fixed = services.replace("Vardagar 8-16.30.", "Vardagar 9-15, utom helgdagar.")
    assert not load_pack(write_pack(tmp_path, {"directory/services/national.yaml": fixed})).errors


def test_a_broken_directory_is_reported_once_not_again_by_every_step_that_uses_it(
    tmp_path: Path,
) -> None:
    broken = CONTACTS.replace("status: active", "status: maybe")
    root = write_pack(tmp_path, {"directory/services/national.yaml": broken})
    codes = [(p.file.rsplit("/", 1)[-1], p.code) for p in load_pack(root).errors]
    assert codes == [("national.yaml", "schema")], codes


def test_an_unquoted_area_code_is_reported_as_a_number_only(tmp_path: Path) -> None:
    """`[0114, 04]` reads as the numbers 76 and 4; say that, not also `no area 76`."""
    unquoted = CONTACTS.replace("areas: [SE]", "areas: [0114, 04]")
    root = write_pack(tmp_path, {"directory/services/national.yaml": unquoted})
    found = [(p.code, p.message.split(":")[0]) for p in load_pack(root).errors]
    assert [code for code, _ in found] == ["yaml-number", "yaml-number"], found
