"""`promeneur demo`: the bot in a browser, without Telegram (the default of `make run`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import os
import signal
import sys
from pathlib import Path

from bot.i18n import t

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="try the bot in a browser, without Telegram (emulator + real bot + web page)",
    )
    demo.add_argument("--host", default=os.environ.get("DEMO_HOST", DEFAULT_HOST), help="address of the page (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", DEFAULT_PORT)), help="port of the page (default 8080)")
    demo.add_argument("--database", type=Path, default=None, help="SQLite file of the demo (default DATA_DIR/demo/demo.db, recreated)")
    demo.set_defaults(handler=_handler, needs_settings=False)


def _handler(args: argparse.Namespace) -> int:
    from bot.cli import config_error_sentence
    from config.settings import ConfigError, load_settings

    try:
        base = load_settings(telegram={"bot_token": None})
    except ConfigError as error:
        print(config_error_sentence(error), file=sys.stderr)
        return 2
    database = args.database or base.storage.data_dir / "demo" / "demo.db"
    try:
        return asyncio.run(serve(args.host, args.port, database))
    except KeyboardInterrupt:
        print(t("demo.stopped"))
        return 0


def demo_settings(api_url: str, database_url: str):
    """The real configuration, pointed at the emulator and the demo database."""
    from bot.demo.runtime import default_settings
    from config.settings import ServiceSettings

    overrides = {}
    if "TERRITORY_NAME" not in os.environ and ServiceSettings().territory_name == ServiceSettings.model_fields["territory_name"].default:
        overrides["service"] = {"territory_name": "Promeneurs du Net du Cher"}
    return default_settings(api_url, database_url, **overrides)


async def serve(host: str, port: int, database: Path, *, ready: asyncio.Event | None = None) -> int:
    """Run the demo until cancelled (Ctrl+C or SIGTERM)."""
    # The page is the demo's output: keep the terminal to the few sentences that matter.
    for name in ("aiogram", "apscheduler", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)

    from aiohttp import web

    from bot.app import StartupError
    from bot.demo.runtime import DemoRuntime
    from bot.demo.server import DemoServer

    print(t("demo.starting"), flush=True)
    runtime = DemoRuntime(database, settings_factory=demo_settings)
    try:
        await runtime.start()
    except StartupError as error:
        print(t("demo.failed", reason=t(error.key)), file=sys.stderr)
        return 2
    server = DemoServer(runtime)
    runner = web.AppRunner(server.app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    try:
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                print(t("demo.port_busy", port=port), file=sys.stderr)
                return 2
            raise
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        url = f"http://{shown_host}:{port}"
        print(t("demo.ready", url=url), flush=True)
        print(
            t(
                "demo.ready.detail",
                database=database,
                educator=", ".join(e.label for e in runtime.educators),
            ),
            flush=True,
        )
        if runtime.directory_note is not None:
            print(t("demo.directory_missing"), flush=True)
        if ready is not None:
            ready.set()
        await _wait_for_signal()
        print(t("demo.stopped"), flush=True)
        return 0
    finally:
        await server.close()
        await runner.cleanup()
        await runtime.stop()


async def _wait_for_signal() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)
