from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

import pytest

from bot.storage import config, keys
from bot.storage.keys import load_secret, session_key

SECRET = b"k" * 32


def test_a_key_is_64_hex_digits_and_stable() -> None:
    key = session_key(SECRET, "telegram", "987654321987")
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert session_key(SECRET, "telegram", "987654321987") == key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("telegram", "1"), ("telegram", "2")),
        (("telegram", "1"), ("web", "1")),
        (("telegram", "12"), ("telegram", "1")),
        (("telegram", "987654321987"), ("telegram", "987654321988")),
    ],
)
def test_distinct_platform_ids_get_distinct_keys(
    one: tuple[str, str], other: tuple[str, str]
) -> None:
    assert session_key(SECRET, *one) != session_key(SECRET, *other)


def test_another_secret_gives_another_key() -> None:
    assert session_key(SECRET, "telegram", "1") != session_key(b"x" * 32, "telegram", "1")


def test_the_raw_id_never_appears_in_the_key() -> None:
    platform_id = "987654321987"
    key = session_key(SECRET, "telegram", platform_id)
    assert platform_id not in key
    assert platform_id.encode().hex() not in key


def test_a_platform_name_with_a_colon_is_refused() -> None:
    # "telegram:1" + ":2" and "telegram" + ":1:2" would be the same message.
    with pytest.raises(ValueError, match="'telegram:1'"):
        session_key(SECRET, "telegram:1", "2")


def test_the_secret_file_is_created_owner_only_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret.key"
    first = load_secret(None, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert re.fullmatch(rb"[0-9a-f]{64}", first)
    assert load_secret(None, path) == first
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_the_file_secret_works_as_the_environment_secret(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    from_file = load_secret(None, path)
    assert load_secret(path.read_text().strip(), tmp_path / "unused.key") == from_file


def test_the_environment_secret_wins_and_no_file_is_made(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    assert load_secret("e" * 40, path) == b"e" * 40
    assert not path.exists()


def test_a_short_environment_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="LOTSEN_SECRET_KEY is 5 characters long"):
        load_secret("short", Path("unused"))


def test_a_truncated_secret_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_bytes(b"abc\n")
    path.chmod(0o600)
    with pytest.raises(ValueError, match="holds 3 bytes"):
        load_secret(None, path)


def test_losing_a_creation_race_reads_the_winners_secret(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b"w" * 64 + b"\n")
    os.close(fd)
    # As if the other process linked its file in between our read and our link:
    assert keys._create(path) == b"w" * 64
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.key"]


def test_a_secret_file_others_can_read_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "secret.key"
    path.write_bytes(b"w" * 64)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="bot.storage.keys"):
        assert load_secret(None, path) == b"w" * 64
    assert "chmod 600" in caplog.text


def test_config_reads_the_environment(tmp_path: Path) -> None:
    env = {
        config.DATABASE: str(tmp_path / "db.sqlite3"),
        config.SECRET_FILE: str(tmp_path / "s.key"),
        config.SESSION_TTL: "3600",
    }
    assert config.database_url(env) == str(tmp_path / "db.sqlite3")
    assert config.database_url(env, "other.sqlite3") == "other.sqlite3"
    assert config.database_url({}) == "var/lotsen.sqlite3"
    assert config.session_ttl(env).total_seconds() == 3600
    assert config.session_ttl({}).total_seconds() == 86400
    assert config.secret(env) == (tmp_path / "s.key").read_bytes().strip()


@pytest.mark.parametrize("value", ["soon", "-5", "0", "1.5"])
def test_a_bad_session_ttl_names_the_variable_and_the_value(value: str) -> None:
    with pytest.raises(ValueError, match=f"LOTSEN_SESSION_TTL has value '{re.escape(value)}'"):
        config.session_ttl({config.SESSION_TTL: value})
