"""`promeneur educator …`: first set-up of the team from the command line."""

from __future__ import annotations

import argparse

from bot.i18n import t


def register(subparsers: argparse._SubParsersAction) -> None:
    educator = subparsers.add_parser("educator", help="manage educators and coordinators")
    actions = educator.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="add (or update) an educator")
    add.add_argument("--telegram-id", type=int, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--structure")
    add.add_argument("--coordinator", action="store_true")
    add.add_argument("--capacity", type=int, default=3)
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="list educators")
    listing.set_defaults(handler=_list)

    disable = actions.add_parser("disable", help="remove an educator's access at once")
    disable.add_argument("--telegram-id", type=int, required=True)
    disable.set_defaults(handler=_disable)


async def _app_context(ctx):
    from bot.app import prepare_database, service_context

    await prepare_database(ctx.database)
    return service_context(ctx.settings, ctx.database)


async def _add(args, ctx) -> int:
    app = await _app_context(ctx)
    async with app.unit_of_work() as uow:
        educator = await uow.team.add(
            args.telegram_id,
            args.name,
            args.structure,
            coordinator=args.coordinator,
            capacity=args.capacity,
        )
        signature = educator.signature
    print(t("cli.educator.added", signature=signature))
    return 0


async def _list(args, ctx) -> int:
    app = await _app_context(ctx)
    async with app.unit_of_work() as uow:
        educators = await uow.educators.all()
        for educator in educators:
            print(
                t(
                    "cli.educator.line",
                    telegram_id=educator.telegram_id,
                    signature=educator.signature,
                    role=educator.role,
                    state=t("cli.educator.active" if educator.active else "cli.educator.disabled"),
                    duty=t("cli.educator.on_duty" if educator.on_duty else "cli.educator.off_duty"),
                    capacity=educator.capacity,
                )
            )
        if not educators:
            print(t("cli.educator.none"))
    return 0


async def _disable(args, ctx) -> int:
    app = await _app_context(ctx)
    async with app.unit_of_work() as uow:
        educator = await uow.educators.by_telegram_id(args.telegram_id, active_only=False)
        if educator is None:
            print(t("cli.educator.unknown"))
            return 1
        returned = await uow.team.disable(educator)
    print(t("cli.educator.disabled_done", returned=returned))
    return 0
