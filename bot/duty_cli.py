"""`promeneur duty …` (permanences) and `promeneur report …` (figures) from the command line.

    promeneur duty add --educator ID --day mon --from 14:00 --to 18:00
    promeneur duty list [--educator ID]
    promeneur duty remove --id SLOT_ID
    promeneur duty absence --educator ID --from 2026-12-22 --to 2027-01-02
    promeneur duty absence --educator all --from 2026-12-24 --to 2026-12-26   (holidays)
    promeneur duty extra --educator ID --date 2026-12-28 --from 14:00 --to 18:00
    promeneur duty remove-exception --id EXCEPTION_ID
    promeneur duty auto --educator ID on|off
    promeneur duty next
    promeneur report [--from DATE --to DATE] [--out DIR] [--send]

``--educator`` is the educator's Telegram id (as `promeneur educator list` shows it) or their
internal id. Times are local to the territory (``TIMEZONE``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.i18n import t


def register(subparsers: argparse._SubParsersAction) -> None:
    duty = subparsers.add_parser("duty", help="manage permanences (weekly duty slots)")
    actions = duty.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="add a weekly permanence")
    add.add_argument("--educator", required=True)
    add.add_argument("--day", required=True, help="mon, tue, … (or lun, mar, …)")
    add.add_argument("--from", dest="start", required=True, help="14:00")
    add.add_argument("--to", dest="end", required=True, help="18:00")
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="list permanences and exceptions")
    listing.add_argument("--educator")
    listing.set_defaults(handler=_list)

    remove = actions.add_parser("remove", help="remove a weekly permanence")
    remove.add_argument("--id", type=int, required=True)
    remove.set_defaults(handler=_remove)

    absence = actions.add_parser(
        "absence", help="an absence (whole days, included); --educator all: holidays, everyone"
    )
    absence.add_argument("--educator", required=True, help="ID, or all (the whole team)")
    absence.add_argument("--from", dest="first", required=True, help="2026-12-22")
    absence.add_argument("--to", dest="last", help="2027-01-02 (default: the same day)")
    absence.set_defaults(handler=_absence)

    extra = actions.add_parser("extra", help="a one-off extra permanence")
    extra.add_argument("--educator", required=True)
    extra.add_argument("--date", required=True, help="2026-12-28")
    extra.add_argument("--from", dest="start", required=True)
    extra.add_argument("--to", dest="end", required=True)
    extra.set_defaults(handler=_extra)

    remove_exception = actions.add_parser("remove-exception", help="remove an absence or extra")
    remove_exception.add_argument("--id", type=int, required=True)
    remove_exception.set_defaults(handler=_remove_exception)

    auto = actions.add_parser("auto", help="put the educator on duty when a permanence starts")
    auto.add_argument("--educator", required=True)
    auto.add_argument("value", choices=["on", "off"])
    auto.set_defaults(handler=_auto)

    upcoming = actions.add_parser("next", help="when the next permanence is, as young people read it")
    upcoming.set_defaults(handler=_next)

    report = subparsers.add_parser("report", help="figures of a period: summary, PNG chart, CSV")
    report.add_argument("--from", dest="first", help="first day (default: last full week)")
    report.add_argument("--to", dest="last", help="last day, included")
    report.add_argument("--out", default=".", help="directory for the PNG and CSV files")
    report.add_argument(
        "--send", action="store_true", help="also send it to the coordinators (via the outbox)"
    )
    report.set_defaults(handler=_report)


async def _app_context(ctx):
    from bot.app import prepare_database, service_context

    await prepare_database(ctx.database)
    # A context may bring its own clock (tests, replays); the real one otherwise.
    return service_context(ctx.settings, ctx.database, getattr(ctx, "clock", None))


def _fail(key: str, **params) -> int:
    print(t(key, **params), file=sys.stderr)
    return 1


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


async def _educator(uow, reference: str):
    return await uow.duty.educator_by_reference(reference)


async def _add(args, ctx) -> int:
    from bot.services.duty import PlanningError, parse_day, parse_time, slot_label

    app = await _app_context(ctx)
    try:
        weekday, start, end = parse_day(args.day), parse_time(args.start), parse_time(args.end)
    except PlanningError as error:
        return _fail(f"cli.duty.error.{error.code}")
    async with app.unit_of_work() as uow:
        educator = await _educator(uow, args.educator)
        if educator is None:
            return _fail("cli.duty.unknown_educator")
        try:
            slot = await uow.duty.add_slot(educator, weekday, start, end)
        except PlanningError as error:
            return _fail(f"cli.duty.error.{error.code}")
        line = t("cli.duty.added", id=slot.id, name=educator.display_name, slot=slot_label(slot))
    print(line)
    return 0


async def _list(args, ctx) -> int:
    from bot.services.duty import slot_label

    app = await _app_context(ctx)
    async with app.unit_of_work() as uow:
        educator_id = None
        if args.educator:
            educator = await _educator(uow, args.educator)
            if educator is None:
                return _fail("cli.duty.unknown_educator")
            educator_id = educator.id
        names = {e.id: e.display_name for e in await uow.educators.all()}
        slots = await uow.planning.slots(educator_id)
        exceptions = await uow.planning.exceptions(educator_id=educator_id, ending_after=uow.now())
        lines = [
            t("cli.duty.slot_line", id=s.id, name=names.get(s.educator_id, "?"), slot=slot_label(s))
            for s in slots
        ]
        lines += [
            t(
                "cli.duty.exception_line",
                id=e.id,
                name=names.get(e.educator_id, "?"),
                what=uow.duty.exception_label(e),
            )
            for e in exceptions
        ]
        sentence = await uow.duty.next_permanence_sentence()
    print("\n".join(lines) if lines else t("cli.duty.none"))
    if sentence:
        print(sentence)
    return 0


async def _remove(args, ctx) -> int:
    app = await _app_context(ctx)
    async with app.unit_of_work() as uow:
        removed = await uow.duty.remove_slot(args.id)
    if removed is None:
        return _fail("cli.duty.unknown_slot")
    print(t("cli.duty.removed", id=args.id))
    return 0


async def _absence(args, ctx) -> int:
    from bot.services.duty import PlanningError

    first, last = _date(args.first), _date(args.last or args.first)
    if first is None or last is None:
        return _fail("cli.duty.error.date")
    app = await _app_context(ctx)
    if args.educator.strip().lower() in {"all", "tous", "equipe", "équipe"}:
        async with app.unit_of_work() as uow:
            try:
                added = await uow.duty.add_team_closure(first, last)
            except PlanningError as error:
                return _fail(f"cli.duty.error.{error.code}")
            what = uow.duty.exception_label(added[0]) if added else ""
        if not added:
            return _fail("cli.duty.unknown_educator")
        print(t("cli.duty.closure_added", n=len(added), what=what))
        return 0
    async with app.unit_of_work() as uow:
        educator = await _educator(uow, args.educator)
        if educator is None:
            return _fail("cli.duty.unknown_educator")
        try:
            exception = await uow.duty.add_absence(educator, first, last)
        except PlanningError as error:
            return _fail(f"cli.duty.error.{error.code}")
        line = t(
            "cli.duty.exception_added",
            id=exception.id,
            name=educator.display_name,
            what=uow.duty.exception_label(exception),
        )
    print(line)
    return 0


async def _extra(args, ctx) -> int:
    from bot.services.duty import PlanningError, parse_time

    day = _date(args.date)
    if day is None:
        return _fail("cli.duty.error.date")
    try:
        start, end = parse_time(args.start), parse_time(args.end)
    except PlanningError as error:
        return _fail(f"cli.duty.error.{error.code}")
    app = await _app_context(ctx)
    async with app.unit_of_work() as uow:
        educator = await _educator(uow, args.educator)
        if educator is None:
            return _fail("cli.duty.unknown_educator")
        try:
            exception = await uow.duty.add_extra(educator, day, start, end)
        except PlanningError as error:
            return _fail(f"cli.duty.error.{error.code}")
        line = t(
            "cli.duty.exception_added",
            id=exception.id,
            name=educator.display_name,
            what=uow.duty.exception_label(exception),
        )
    print(line)
    return 0


async def _remove_exception(args, ctx) -> int:
    app = await _app_context(ctx)
    async with app.unit_of_work() as uow:
        removed = await uow.duty.remove_exception(args.id)
    if removed is None:
        return _fail("cli.duty.unknown_exception")
    print(t("cli.duty.removed", id=args.id))
    return 0


async def _auto(args, ctx) -> int:
    app = await _app_context(ctx)
    async with app.unit_of_work() as uow:
        educator = await _educator(uow, args.educator)
        if educator is None:
            return _fail("cli.duty.unknown_educator")
        await uow.duty.set_auto_duty(educator, args.value == "on")
        name = educator.display_name
    print(t("cli.duty.auto_on" if args.value == "on" else "cli.duty.auto_off", name=name))
    return 0


async def _next(args, ctx) -> int:
    app = await _app_context(ctx)
    async with app.unit_of_work() as uow:
        sentence = await uow.duty.next_permanence_sentence()
    print(sentence or t("cli.duty.none"))
    return 0


async def _report(args, ctx) -> int:
    import asyncio

    from bot.services.reports import render_chart, render_csv, summary

    app = await _app_context(ctx)
    first, last = _date(args.first) if args.first else None, _date(args.last) if args.last else None
    if (args.first and first is None) or (args.last and last is None):
        return _fail("cli.duty.error.date")
    if first is not None and last is None:
        last = first
    if first is not None and last is not None and last < first:
        return _fail("cli.duty.error.order")
    async with app.unit_of_work() as uow:
        if first is None:
            start, end = uow.reports.last_week(uow.now())
        else:
            start, end = uow.reports.days(first, last)
        report = await uow.reports.build(start, end)
        if args.send:
            await uow.reports.send(report, await uow.reports.recipients())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"promeneur-{report.first_day.isoformat()}-{report.last_day.isoformat()}"
    (out / f"{stem}.csv").write_bytes(render_csv(report))
    (out / f"{stem}.png").write_bytes(await asyncio.to_thread(render_chart, report))
    print(_plain(summary(report)))
    print(t("cli.report.files", csv=out / f"{stem}.csv", png=out / f"{stem}.png"))
    return 0


def _plain(html: str) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html))
