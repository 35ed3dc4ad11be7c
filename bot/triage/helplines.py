"""Help lines as data (``config/helplines.yaml``) and the choice of the ones that fit a triage."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from .classifier import Risk

_LEVELS = {"none", "elevated", "imminent"}


class HelplineError(ValueError):
    """``config/helplines.yaml`` is missing a field or holds a wrong value."""


@dataclass(frozen=True)
class HelpLine:
    key: str
    name: str
    number: str  # as displayed: "0 800 235 236"
    dial: str  # digits only, ready for tel: links
    hours: str
    what_for: str
    themes: tuple[str, ...]
    risks: tuple[str, ...]
    sms_only: bool
    source: str
    families: tuple[str, ...] = ()
    priority: int = 0
    free: bool | None = None  # None: not stated by the source

    @property
    def tel_uri(self) -> str:
        return f"tel:{self.dial}"


def default_helplines_path() -> Path:
    try:
        spec = importlib.util.find_spec("config")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            cand = Path(loc) / "helplines.yaml"
            if cand.is_file():
                return cand
    return Path(__file__).resolve().parents[2] / "config" / "helplines.yaml"


def _text(entry: dict[str, Any], field: str, where: str) -> str:
    value = entry.get(field)
    if value is None or str(value).strip() == "":
        raise HelplineError(f"{where}: missing '{field}'")
    return str(value).strip()


def _tuple(entry: dict[str, Any], field: str) -> tuple[str, ...]:
    value = entry.get(field) or ()
    if isinstance(value, str):
        value = [value]
    return tuple(str(v) for v in value)


def load_helplines(path: Path | None = None) -> list[HelpLine]:
    p = Path(path) if path is not None else default_helplines_path()
    try:
        with p.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except FileNotFoundError as exc:
        raise HelplineError(f"missing help line file {p}") from exc
    raw = data.get("lines") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise HelplineError(f"{p.name}: expected a 'lines' list")
    out: list[HelpLine] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"{p.name}: line #{i + 1}"
        if not isinstance(entry, dict):
            raise HelplineError(f"{where}: expected a mapping")
        key = _text(entry, "key", where)
        if key in seen:
            raise HelplineError(f"{where}: duplicate key {key!r}")
        seen.add(key)
        number = _text(entry, "number", where)
        dial = str(entry.get("dial") or re.sub(r"\D", "", number))
        if not dial.isdigit():
            raise HelplineError(f"{where}: number {number!r} has no digits to dial")
        risks = _tuple(entry, "risks")
        bad = [r for r in risks if r not in _LEVELS]
        if bad or not risks:
            raise HelplineError(f"{where}: risks must be a non-empty list of {sorted(_LEVELS)}")
        free = entry.get("free")
        out.append(HelpLine(
            key=key,
            name=_text(entry, "name", where),
            number=number,
            dial=dial,
            hours=_text(entry, "hours", where),
            what_for=_text(entry, "what_for", where),
            themes=_tuple(entry, "themes"),
            risks=risks,
            sms_only=bool(entry.get("sms_only", False)),
            source=_text(entry, "source", where),
            families=_tuple(entry, "families"),
            priority=int(entry.get("priority", 0)),
            free=None if free is None else bool(free),
        ))
    return out


def helplines_for(
    lines: Sequence[HelpLine],
    themes: Iterable[str],
    risk: Risk | str,
    families: Iterable[str] = (),
) -> list[HelpLine]:
    """The lines that fit, most relevant first.

    A line is offered only at the risk levels it lists. Among those: the specialist of a
    detected risk family comes first, then lines serving the message's themes (earlier themes
    weigh more), then, at the imminent level, the generic emergency numbers (no theme, no family).
    """
    level = Risk(risk).value
    theme_list = list(themes)
    fams = set(families)
    scored: list[tuple[float, int, HelpLine]] = []
    for order, line in enumerate(lines):
        if level not in line.risks:
            continue
        score = 0.0
        if fams and fams.intersection(line.families):
            score += 1000
            if level == "imminent" and not line.themes:
                score += 500  # emergency service for the danger detected: first
        for rank, theme in enumerate(theme_list):
            if theme in line.themes:
                score += 100 / (rank + 1)
        if not line.themes and not line.families:
            score += 50  # generic: offered at its levels (112, 114 at imminent)
        if score <= 0:
            continue
        scored.append((score + line.priority, -order, line))
    scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
    return [line for _s, _o, line in scored]
