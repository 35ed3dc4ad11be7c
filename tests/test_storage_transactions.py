"""Units of work on the real databases: concurrent ones all land, a failing one leaves nothing.

On SQLite the engine runs ``sqlite3`` inline on the event loop (storage/sqlite_inline.py): these
tests show that writers interleaving at their awaits neither lose a write nor lock each other
out, and that the URL people write (``sqlite+aiosqlite://``) keeps working.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text

from storage.db import Database
from storage.models import ProcessedUpdate
from bot.clock import Clock


async def test_concurrent_units_of_work_all_commit(database: Database) -> None:
    now = Clock().now()

    async def record(update_id: int) -> None:
        async with database.transaction() as session:
            session.add(ProcessedUpdate(update_id=update_id, processed_at=now))
            await asyncio.sleep(0)  # let the others run in the middle of this transaction
            await session.flush()

    await asyncio.gather(*(record(1000 + i) for i in range(60)))
    async with database.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(ProcessedUpdate).where(ProcessedUpdate.update_id >= 1000)
        )
    assert count == 60


async def test_a_failing_unit_of_work_leaves_nothing(database: Database) -> None:
    now = Clock().now()
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            session.add(ProcessedUpdate(update_id=77, processed_at=now))
            await session.flush()
            raise RuntimeError("handler failed")
    async with database.transaction() as session:
        assert await session.get(ProcessedUpdate, 77) is None


async def test_core_statements_and_streamed_rows(database: Database) -> None:
    async with database.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT 1 + 1"))).all()
    assert rows == [(2,)]


async def test_sqlite_url_as_written_by_people_uses_the_inline_driver(tmp_path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'people.db'}")
    try:
        assert database.is_sqlite
        assert database.engine.dialect.driver == "inline"
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            await session.execute(text("INSERT INTO notes (body) VALUES ('salut')"))
        async with database.transaction() as session:
            assert await session.scalar(text("SELECT body FROM notes")) == "salut"
            mode = await session.scalar(text("PRAGMA journal_mode"))
        assert mode == "wal"
    finally:
        await database.dispose()


async def test_counters_are_written_with_the_commit_and_not_on_failure(database: Database) -> None:
    from storage.repositories import Counters

    now = Clock().now()
    async with database.transaction() as session:
        counters = Counters(session)
        for _ in range(3):
            await counters.bump("message.in", now)
        await counters.bump("youth.new", now)
        assert await counters.total("message.in") == 3  # seen within the unit of work too
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            await Counters(session).bump("message.in", now, by=10)
            raise RuntimeError("handler failed")
    async with database.transaction() as session:
        counters = Counters(session)
        assert await counters.total("message.in") == 3
        assert await counters.total("youth.new") == 1
        await counters.bump("message.in", now)
    async with database.transaction() as session:
        assert await Counters(session).total("message.in") == 4
