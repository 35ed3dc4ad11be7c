"""`promeneur directory …`: import data·inclusion files, list and show what the directory holds.

To expose it, add ``bot.directory.cli.register`` to ``bot.commands.REGISTRARS``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.i18n import t


def register(subparsers: argparse._SubParsersAction) -> None:
    directory = subparsers.add_parser("directory", help=t("directory.cli.help"))
    actions = directory.add_subparsers(dest="action", required=True)

    imp = actions.add_parser(
        "import", help="import a data·inclusion v1 file (JSON array, JSON lines or CSV)"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--replace-source",
        action="store_true",
        help="drop the services (and structures) of the file's sources that it no longer lists",
    )
    imp.add_argument(
        "--strict", action="store_true", help="import nothing if any record is rejected"
    )
    imp.set_defaults(handler=_import)

    listing = actions.add_parser("list", help="list structures")
    listing.add_argument("--source")
    listing.add_argument("--limit", type=int, default=100)
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="show one structure and its services")
    show.add_argument("id")
    show.add_argument("--source")
    show.set_defaults(handler=_show)

    communes = actions.add_parser("communes", help="load config/communes.csv if it changed")
    communes.set_defaults(handler=_communes)

    search = actions.add_parser("search", help="the places the bot would show")
    search.add_argument("theme")
    search.add_argument("place", help="postal code or commune name")
    search.add_argument("--offset", type=int, default=0)
    search.set_defaults(handler=_search)


async def _prepare(ctx) -> None:
    from bot.app import prepare_database

    await prepare_database(ctx.database)


async def _import(args, ctx) -> int:
    from bot.clock import Clock
    from bot.directory.importer import ImportFileError, StrictImportRejected, import_file

    await _prepare(ctx)
    try:
        report = await import_file(
            ctx.database,
            args.file,
            now=Clock().now(),
            replace_source=args.replace_source,
            strict=args.strict,
        )
    except ImportFileError as error:
        print(t("directory.cli.import.unreadable", reason=error), file=sys.stderr)
        return 2
    except StrictImportRejected as error:
        _print_rejected(error.report)
        print(t("directory.cli.import.strict_failed", rejected=len(error.report.rejected)), file=sys.stderr)
        return 1
    except Exception as error:  # the transaction rolled back: nothing was kept
        print(t("directory.cli.import.failed", reason=type(error).__name__), file=sys.stderr)
        return 2
    _print_rejected(report)
    for warning in report.warnings:
        print(t("directory.cli.import.warning", warning=warning), file=sys.stderr)
    print(
        t(
            "directory.cli.import.summary",
            s_added=report.structures_added,
            s_updated=report.structures_updated,
            s_unchanged=report.structures_unchanged,
            s_removed=report.structures_removed,
            v_added=report.services_added,
            v_updated=report.services_updated,
            v_unchanged=report.services_unchanged,
            v_removed=report.services_removed,
            rejected=len(report.rejected),
        )
    )
    return 1 if report.rejected else 0


def _print_rejected(report) -> None:
    for rejected in report.rejected:
        print(
            t(
                "directory.cli.import.rejected",
                kind=rejected.kind,
                id=rejected.record_id or "?",
                position=rejected.position,
                reason=rejected.reason,
            ),
            file=sys.stderr,
        )


async def _list(args, ctx) -> int:
    from storage.repositories.directory import DirectoryRepository

    await _prepare(ctx)
    async with ctx.database.transaction() as session:
        repo = DirectoryRepository(session)
        rows = await repo.structures(source=args.source, limit=args.limit)
        structures, services = await repo.counts()
    if not rows:
        print(t("directory.cli.list.empty"))
        return 0
    for structure, count in rows:
        print(
            t(
                "directory.cli.list.line",
                source=structure.source,
                id=structure.di_id,
                name=structure.nom,
                town=" ".join(p for p in (structure.code_postal, structure.commune) if p),
                services=count,
            )
        )
    print(t("directory.cli.list.total", structures=structures, services=services))
    return 0


async def _show(args, ctx) -> int:
    import html
    import re

    from bot.clock import Clock
    from bot.directory.cards import Hit, render_card
    from storage.repositories.directory import DirectoryRepository

    await _prepare(ctx)
    async with ctx.database.transaction() as session:
        structure = await DirectoryRepository(session).structure(args.source, args.id)
        if structure is None:
            print(t("directory.cli.show.unknown", id=args.id))
            return 1
        print(t("directory.cli.show.structure", name=structure.nom, source=structure.source, id=structure.di_id))
        now = Clock().now()
        for service in structure.services:
            print(
                t(
                    "directory.cli.show.service",
                    name=service.nom,
                    id=service.di_id,
                    thematiques=", ".join(service.thematiques or []),
                )
            )
            text, _buttons = render_card(Hit(service, structure, None), now, ctx.settings.service.tz)
            plain = html.unescape(re.sub(r"<[^>]+>", "", text))
            print("    " + plain.replace("\n", "\n    "))
    return 0


async def _communes(args, ctx) -> int:
    from bot.directory.communes import ensure_communes
    from storage.repositories.directory import CommuneRepository

    await _prepare(ctx)
    async with ctx.database.transaction() as session:
        loaded = await ensure_communes(session)
        count = await CommuneRepository(session).count()
    print(t("directory.cli.communes.loaded" if loaded else "directory.cli.communes.current", count=count))
    return 0


async def _search(args, ctx) -> int:
    import html
    import re

    from bot.clock import Clock
    from bot.directory.service import DirectoryService

    await _prepare(ctx)
    async with ctx.database.transaction() as session:
        directory = DirectoryService(session, Clock(), ctx.settings.service.tz)
        match = await directory.locate_text(args.place)
        commune = match.commune if match else None
        if commune is None and match and match.candidates:
            commune = match.candidates[0]
        if commune is None:
            print(t("directory.cli.search.unknown_place", text=args.place))
            return 1
        print(t("directory.cli.search.commune", commune=commune.nom, insee=commune.insee, theme=args.theme))
        text, _keyboard, _page = await directory.places_message([args.theme], commune, args.offset)
    print(html.unescape(re.sub(r"<[^>]+>", "", text)))
    return 0
