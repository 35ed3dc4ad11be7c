"""Shared fixtures: real databases (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set), the
services without Telegram, and the whole bot against the project's Bot API emulator."""

from __future__ import annotations

import pytest

from bot.clock import Clock
from config.settings import (
    DeliverySettings,
    ServiceSettings,
    Settings,
    StorageSettings,
    TelegramSettings,
)
from tests.support.databases import backends, migrated_database


def make_settings(database_url: str, api_url: str = "http://127.0.0.1:1", **overrides) -> Settings:
    """Settings for tests: never read from the developer's environment or .env file."""
    telegram = {"bot_token": "123456:TEST-TOKEN", "telegram_api_url": api_url}
    telegram.update(overrides.pop("telegram", {}))
    service = {"territory_name": "Promeneurs du Net du Cher", "admin_ids": [900]}
    service.update(overrides.pop("service", {}))
    delivery = {"reply_pause_s": 0.3, "send_rate_overall": 1000, "send_rate_per_chat": 100, "send_burst_per_chat": 100}
    delivery.update(overrides.pop("delivery", {}))
    return Settings(
        telegram=TelegramSettings(_env_file=None, **telegram),
        storage=StorageSettings(_env_file=None, database_url=database_url),
        service=ServiceSettings(_env_file=None, **service),
        delivery=DeliverySettings(_env_file=None, **delivery),
    )


@pytest.fixture(params=backends())
def backend(request) -> str:
    return request.param


@pytest.fixture
async def database(backend, tmp_path):
    async with migrated_database(backend, tmp_path) as db:
        yield db


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(database, clock):
    """The application's services over a real database, without Telegram."""
    from bot.app import service_context

    settings = make_settings(str(database.url.render_as_string(hide_password=False)))
    return service_context(settings, database, clock)


@pytest.fixture
async def bot(tmp_path):
    """The whole bot on a fresh SQLite file, talking to the emulator."""
    from tests.support.databases import fresh_sqlite_url
    from tests.support.harness import running_bot

    url = fresh_sqlite_url(tmp_path, "bot.db")
    async with running_bot(lambda api: make_settings(url, api)) as harness:
        yield harness


@pytest.fixture
async def bot_any_db(backend, tmp_path):
    """The whole bot on each database backend (PostgreSQL when TEST_POSTGRES_URL is set)."""
    from tests.support.databases import database_url
    from tests.support.harness import running_bot

    async with database_url(backend, tmp_path) as url:
        if backend == "postgres":
            from storage.db import Database
            from storage.migrate import upgrade_to_head

            database = Database(url)
            await upgrade_to_head(database.engine)
            await database.dispose()
        async with running_bot(lambda api: make_settings(url, api)) as harness:
            yield harness
