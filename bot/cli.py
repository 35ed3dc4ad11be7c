"""The ``promeneur`` command.

Each feature adds its own sub-commands through a ``register(subparsers)`` function; a sub-command
sets ``handler`` to ``async def handler(args, ctx: CliContext) -> int`` (or ``needs_settings=False``
and a plain ``def handler(args) -> int`` for commands that need no configuration).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

from bot.i18n import t
from config.settings import ConfigError, Settings, load_settings
from storage.db import Database


@dataclass
class CliContext:
    settings: Settings
    database: Database


def _registrars() -> list[Callable[[argparse._SubParsersAction], None]]:
    from bot import commands

    return commands.REGISTRARS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="promeneur", description=t("cli.description"))
    subparsers = parser.add_subparsers(dest="command", required=True)
    for register in _registrars():
        register(subparsers)
    return parser


def config_error_sentence(error: ConfigError) -> str:
    key = f"config.error.{error.problem}"
    try:
        return t(key, variable=error.variable)
    except KeyError:
        return t("config.error.generic", variable=error.variable)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic announces its plugins and APScheduler every job run at INFO: only their warnings
    # matter to an operator.
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    if not getattr(args, "needs_settings", True):
        return int(args.handler(args) or 0)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(config_error_sentence(error), file=sys.stderr)
        return 2
    return asyncio.run(_run_async(args, settings))


async def _run_async(args: argparse.Namespace, settings: Settings) -> int:
    database = Database(settings.storage.url)
    try:
        return int(await args.handler(args, CliContext(settings=settings, database=database)) or 0)
    finally:
        await database.dispose()


if __name__ == "__main__":
    sys.exit(main())
