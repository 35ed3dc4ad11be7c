"""Configuration: defaults, parsing, and one clear sentence per wrong variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.cli import config_error_sentence
from config.settings import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in (
        "BOT_TOKEN",
        "TELEGRAM_API_URL",
        "DATABASE_URL",
        "STAFF_CHAT_ID",
        "ADMIN_IDS",
        "TIMEZONE",
        "RETENTION_DAYS",
        "TERRITORY_NAME",
        "REPLY_PAUSE_S",
        "SEND_RATE_OVERALL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults():
    settings = load_settings()
    assert settings.telegram.bot_token is None
    assert settings.telegram.telegram_api_url == "https://api.telegram.org"
    assert settings.storage.url.startswith("sqlite+aiosqlite:///")
    assert settings.service.timezone == "Europe/Paris"
    assert settings.service.retention_days == 30
    assert settings.delivery.send_rate_overall == 30


def test_values_from_environment(monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC-def")
    monkeypatch.setenv("ADMIN_IDS", "11, 22;33")
    monkeypatch.setenv("TERRITORY_NAME", "Promeneurs du Net du Cher")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/promeneur")
    monkeypatch.setenv("STAFF_CHAT_ID", "-1001234")
    settings = load_settings()
    assert settings.telegram.bot_id == 123456
    assert settings.service.admin_ids == [11, 22, 33]
    assert settings.service.territory_name == "Promeneurs du Net du Cher"
    assert settings.storage.url == "postgresql+asyncpg://u:p@db/promeneur"
    assert settings.telegram.staff_chat_id == -1001234
    assert "ABC-def" not in repr(settings)  # the token is a secret


def test_env_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("TERRITORY_NAME=PdN de la Manche\nRETENTION_DAYS=14\n")
    settings = load_settings()
    assert settings.service.territory_name == "PdN de la Manche"
    assert settings.service.retention_days == 14


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TIMEZONE", "Europe/Pariss", "fuseau horaire"),
        ("RETENTION_DAYS", "trente", "nombre entier"),
        ("RETENTION_DAYS", "0", "trop petite"),
        ("BOT_TOKEN", "not-a-token", "jeton"),
        ("DATABASE_URL", "mysql://x/y", "sqlite+aiosqlite://"),
        ("TELEGRAM_API_URL", "api.telegram.org", "http://"),
        ("ADMIN_IDS", "12,abc", "nombre entier"),
    ],
)
def test_wrong_value_names_the_variable(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    sentence = config_error_sentence(caught.value)
    assert variable in sentence
    assert expected in sentence
    assert "\n" not in sentence


def run_cli(*args, env_extra=None, cwd=None):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_run_without_token_says_what_to_set(tmp_path):
    import bot

    project = str(__import__("pathlib").Path(bot.__file__).resolve().parent.parent)
    result = run_cli("run", env_extra={"PYTHONPATH": project}, cwd=tmp_path)
    assert result.returncode != 0
    assert "BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_run_with_unusable_database_says_so(tmp_path):
    import bot

    project = str(__import__("pathlib").Path(bot.__file__).resolve().parent.parent)
    result = run_cli(
        "run",
        env_extra={
            "PYTHONPATH": project,
            "BOT_TOKEN": "123:abc",
            "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none",
        },
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_wrong_timezone_stops_start_up_with_one_sentence(tmp_path):
    import bot

    project = str(__import__("pathlib").Path(bot.__file__).resolve().parent.parent)
    result = run_cli(
        "run", env_extra={"PYTHONPATH": project, "TIMEZONE": "Mars/Olympus"}, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr
