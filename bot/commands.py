"""The sub-commands of ``promeneur``: each feature registers its own."""

from __future__ import annotations

import argparse
import sys

from bot.i18n import t


def register_core(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="start the bot (long polling)")
    run.set_defaults(handler=_run)
    migrate = subparsers.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(handler=_migrate)


async def _run(args, ctx) -> int:
    from bot.app import Application, StartupError

    await ctx.database.dispose()
    try:
        app = Application(ctx.settings)
    except StartupError as error:
        print(t(error.key), file=sys.stderr)
        return 2
    try:
        me = await app.prepare()
    except StartupError as error:
        print(t(error.key), file=sys.stderr)
        await app.stop()
        return 2
    print(t("cli.run.started", username=me.username), flush=True)
    await app.run_forever()
    return 0


async def _migrate(args, ctx) -> int:
    from storage import migrate

    try:
        await migrate.upgrade_to_head(ctx.database.engine)
    except Exception:
        print(t("cli.run.database_unreachable"), file=sys.stderr)
        return 2
    print(t("cli.migrate.done", revision=migrate.head_revision()))
    return 0


def _triage(subparsers: argparse._SubParsersAction) -> None:
    from bot.triage import cli

    cli.register(subparsers)


def _directory(subparsers: argparse._SubParsersAction) -> None:
    from bot.directory import cli

    cli.register(subparsers)


def _team(subparsers: argparse._SubParsersAction) -> None:
    from bot import team_cli

    team_cli.register(subparsers)


def _demo(subparsers: argparse._SubParsersAction) -> None:
    from bot.demo import command

    command.register(subparsers)


def _duty(subparsers: argparse._SubParsersAction) -> None:
    from bot import duty_cli

    duty_cli.register(subparsers)


REGISTRARS = [register_core, _triage, _team, _directory, _duty, _demo]
