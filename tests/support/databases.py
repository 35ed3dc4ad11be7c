"""Real databases for tests: a fresh SQLite file, or a fresh schema on PostgreSQL.

PostgreSQL runs when ``TEST_POSTGRES_URL`` is set (``.ci/run`` sets it); each database fixture
gets its own schema, migrated with the project's migrations and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bot.directory.communes import ensure_communes
from storage.db import Database
from storage.migrate import upgrade_to_head

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
_SQLITE_TEMPLATE: Path | None = None


def sqlite_template() -> Path:
    """A SQLite file migrated to head with the commune table loaded, built once per test
    process (loading 35,000 communes takes seconds); each test works on its own copy."""
    global _SQLITE_TEMPLATE
    if _SQLITE_TEMPLATE is None:
        path = Path(tempfile.mkdtemp(prefix="promeneur-template-")) / "template.db"
        with ThreadPoolExecutor(1) as pool:  # its own event loop, whatever the caller runs in
            pool.submit(asyncio.run, _build_template(path)).result()
        _SQLITE_TEMPLATE = path
    return _SQLITE_TEMPLATE


async def _build_template(path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade_to_head(database.engine)
        async with database.transaction() as session:
            await ensure_communes(session)
    finally:
        await database.dispose()


def fresh_sqlite_url(tmp_path: Path, name: str = "promeneur.db") -> str:
    """The URL of a new SQLite database, already migrated, in ``tmp_path``."""
    target = tmp_path / name
    shutil.copyfile(sqlite_template(), target)
    return f"sqlite+aiosqlite:///{target}"


def backends() -> list[str]:
    return ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


@contextlib.asynccontextmanager
async def postgres_schema_url() -> AsyncIterator[str]:
    """A SQLAlchemy URL whose connections live in a new, empty schema."""
    assert POSTGRES_URL
    url = make_url(POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE SCHEMA "{schema}"')
        scoped = url.update_query_dict({"search_path": schema})
        yield scoped.render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await connection.close()


@contextlib.asynccontextmanager
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield fresh_sqlite_url(tmp_path)
    else:
        async with postgres_schema_url() as url:
            yield url


@contextlib.asynccontextmanager
async def migrated_database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    async with database_url(backend, tmp_path) as url:
        database = Database(url)
        try:
            await upgrade_to_head(database.engine)
            yield database
        finally:
            await database.dispose()
