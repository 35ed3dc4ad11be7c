"""``promeneur triage``: one message per line on stdin -> one JSON object per line on stdout.

Each input line is one message. To expose the sub-command, add :func:`register` to the
command registrars (``bot.commands.REGISTRARS``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO

from .classifier import Triage


def run_cli(stdin: IO[str], stdout: IO[str], config_dir: Path | None = None) -> int:
    triage = Triage.from_config(config_dir)
    for line in stdin:
        text = line.rstrip("\r\n")
        result = triage.classify(text)
        stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    stdout.flush()
    return 0


def _handler(args: argparse.Namespace) -> int:
    return run_cli(sys.stdin, sys.stdout, getattr(args, "config_dir", None))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "triage",
        help="classify messages read on stdin (one per line) and print JSON lines",
    )
    parser.add_argument("--config-dir", type=Path, default=None,
                        help="directory of the triage lexicons (default: config/triage)")
    parser.set_defaults(handler=_handler, needs_settings=False)
