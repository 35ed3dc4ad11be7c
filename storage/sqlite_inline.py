"""SQLite for the asyncio engine without a thread hop per call.

aiosqlite runs every DBAPI call (cursor, execute, fetch, commit) on its own thread and wakes the
event loop for each answer: about 0.4 ms per statement, ten times what SQLite itself takes, and
a unit of work makes dozens of calls. This dialect runs the standard ``sqlite3`` module directly
inside SQLAlchemy's greenlet, on the event loop's thread.

That is sound for how Promeneur uses SQLite: one process, writers serialised by the database's
asyncio lock (see ``storage.db``), WAL so readers never wait, and statements that take
microseconds. A long unit of work still gives the loop a turn every few milliseconds. A lock
held by another process (a CLI import) is waited for by SQLite's busy timeout, on the loop;
keep such work short or use PostgreSQL for several processes.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_, in_greenlet

DRIVER = "inline"


# A unit of work gives the event loop a turn once it has run this long without one, so that
# sending, polling and timers keep their pace while updates are processed.
YIELD_AFTER_S = 0.002
_last_turn = 0.0


async def _passed() -> None:
    """An await that completes at once: the asyncio engine checks that its driver awaited."""


def _checkpoint() -> None:
    global _last_turn
    if not in_greenlet():
        return
    now = time.monotonic()
    if now - _last_turn < YIELD_AFTER_S:
        await_(_passed())
        return
    await_(asyncio.sleep(0))
    _last_turn = time.monotonic()


class _Cursor(sqlite3.Cursor):
    def execute(self, *args: Any) -> sqlite3.Cursor:
        _checkpoint()
        return super().execute(*args)

    def executemany(self, *args: Any) -> sqlite3.Cursor:
        _checkpoint()
        return super().executemany(*args)

    async def _async_soft_close(self) -> None:
        """Asked by the asyncio engine after a Core execute; sqlite3 keeps its rows as they are."""


class _Connection(sqlite3.Connection):
    def cursor(  # type: ignore[override]
        self, factory: type[sqlite3.Cursor] = _Cursor
    ) -> sqlite3.Cursor:
        return super().cursor(factory)


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    driver = DRIVER
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        args, kwargs = super().create_connect_args(url)
        # The pool may close a connection from the garbage collector's thread.
        kwargs["check_same_thread"] = False
        kwargs["factory"] = _Connection
        return args, kwargs


registry.register(f"sqlite.{DRIVER}", __name__, "InlineSQLiteDialect")


def inline_url(url: URL) -> URL:
    """The same SQLite database, reached through this dialect."""
    return url.set(drivername=f"sqlite+{DRIVER}")
