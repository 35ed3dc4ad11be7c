"""The message catalog: every user-facing sentence lives in ``locales/<lang>/LC_MESSAGES/*.po``.

Message ids are stable dotted keys ("start.welcome"); translations use ``{name}`` placeholders.
All ``.po`` files of a language are merged, so each feature keeps its own file. Catalogs are read
with Babel at start-up: no compilation step.
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANGUAGE = "fr"


class MissingMessage(KeyError):
    pass


@functools.cache
def catalog(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    messages: dict[str, str] = {}
    directory = LOCALES_DIR / language / "LC_MESSAGES"
    for path in sorted(directory.glob("*.po")):
        with path.open("rb") as handle:
            for entry in read_po(handle):
                if not entry.id or not entry.string:
                    continue
                if entry.id in messages:
                    raise ValueError(f"message id {entry.id!r} defined twice ({path.name})")
                messages[str(entry.id)] = str(entry.string)
    return messages


def t(key: str, /, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The sentence for ``key``, with ``params`` filled in."""
    try:
        template = catalog(language)[key]
    except KeyError:
        raise MissingMessage(key) from None
    return template.format(**params) if params else template
