"""The bot's themes mapped to data·inclusion thématiques and publics (``config/directory/
theme_mapping.yaml``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.directory.validation import schema, thematiques

MAPPING_PATH = Path(__file__).resolve().parents[2] / "config" / "directory" / "theme_mapping.yaml"


class MappingError(ValueError):
    """The theme mapping names a code data·inclusion does not have."""


@dataclass(frozen=True)
class ThemeRule:
    code: str
    categories: frozenset[str]
    subthemes: frozenset[str]
    publics: frozenset[str]

    def matches(self, service_thematiques: list[str] | None) -> bool:
        for thematique in service_thematiques or ():
            if thematique in self.subthemes or thematique.split("--", 1)[0] in self.categories:
                return True
        return False

    def accepts_publics(self, service_publics: list[str] | None) -> bool:
        return not service_publics or not self.publics.isdisjoint(service_publics)


@dataclass(frozen=True)
class ThemeMapping:
    rules: dict[str, ThemeRule]
    youth_publics: frozenset[str]
    youth_bonus_km: float
    max_distance_km: float

    def rule(self, theme: str) -> ThemeRule | None:
        return self.rules.get(theme)

    def is_for_youth(self, service_publics: list[str] | None) -> bool:
        return bool(service_publics) and not self.youth_publics.isdisjoint(service_publics)


def load_mapping(path: Path = MAPPING_PATH) -> ThemeMapping:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    known = thematiques()
    categories = {code.split("--", 1)[0] for code in known}
    publics_known = set(schema("service")["$defs"]["Public"]["enum"])
    common = set(data.get("publics") or [])
    youth = set(data.get("youth_publics") or [])
    for public in common | youth:
        if public not in publics_known:
            raise MappingError(f"unknown public {public!r}")
    rules = {}
    for code, spec in (data.get("themes") or {}).items():
        spec = spec or {}
        cats, subs = set(), set()
        for thematique in spec.get("thematiques") or []:
            if "--" in thematique:
                if thematique not in known:
                    raise MappingError(f"{code}: unknown thématique {thematique!r}")
                subs.add(thematique)
            elif thematique in categories:
                cats.add(thematique)
            else:
                raise MappingError(f"{code}: unknown thématique category {thematique!r}")
        extra = set(spec.get("publics") or [])
        for public in extra:
            if public not in publics_known:
                raise MappingError(f"{code}: unknown public {public!r}")
        rules[code] = ThemeRule(code, frozenset(cats), frozenset(subs), frozenset(common | extra))
    return ThemeMapping(
        rules=rules,
        youth_publics=frozenset(youth),
        youth_bonus_km=float(data.get("youth_bonus_km", 0)),
        max_distance_km=float(data.get("max_distance_km", 60)),
    )


@functools.cache
def default_mapping() -> ThemeMapping:
    return load_mapping()
