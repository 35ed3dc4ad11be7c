"""Ranking: services matching the theme and the public, eligible where the young person lives,
nearest first.

The index lives in memory (one per process, rebuilt when the directory's generation changes):
for each theme, the matching services on a grid of cells of about 25 km, so that a query looks
at a few cells around the commune instead of every service. Services met only remotely
(``modes_accueil`` = ``a-distance`` alone) or without any position come after the places nearby.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field

from bot.directory.communes import Commune, distance_km
from bot.directory.themes import ThemeMapping

CELL_LAT = 0.25
CELL_LON = 0.35
KM_PER_DEGREE = 111.2


@dataclass(frozen=True)
class Entry:
    pk: int
    structure_pk: int
    latitude: float | None
    longitude: float | None
    zone: frozenset[str] | None
    for_youth: bool

    def eligible(self, zone_codes: frozenset[str]) -> bool:
        return self.zone is None or not self.zone.isdisjoint(zone_codes)


@dataclass
class ThemeBucket:
    grid: dict[tuple[int, int], list[Entry]] = field(default_factory=lambda: defaultdict(list))
    remote: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Ranked:
    pk: int
    structure_pk: int
    distance_km: float | None  # None: met remotely, or no known position


def _cell(latitude: float, longitude: float) -> tuple[int, int]:
    return math.floor(latitude / CELL_LAT), math.floor(longitude / CELL_LON)


class ServiceIndex:
    def __init__(self, mapping: ThemeMapping, generation: int = 0) -> None:
        self.mapping = mapping
        self.generation = generation
        self.buckets: dict[str, ThemeBucket] = {code: ThemeBucket() for code in mapping.rules}
        self.size = 0
        # The départements the directory's structures are in (set by the builder's caller).
        self.departements: tuple[str, ...] = ()

    @classmethod
    def build(cls, rows, mapping: ThemeMapping, generation: int = 0) -> ServiceIndex:
        """``rows``: (pk, structure_pk, thematiques, publics, zone_eligibilite, modes_accueil,
        lat, lon)."""
        index = cls(mapping, generation)
        rules = list(mapping.rules.values())
        for pk, structure_pk, thematiques, publics, zone, modes, lat, lon in rows:
            index.size += 1
            entry = None
            for rule in rules:
                if not rule.matches(thematiques) or not rule.accepts_publics(publics):
                    continue
                if entry is None:
                    entry = Entry(
                        pk=pk,
                        structure_pk=structure_pk,
                        latitude=lat,
                        longitude=lon,
                        zone=frozenset(zone) if zone else None,
                        for_youth=mapping.is_for_youth(publics),
                    )
                bucket = index.buckets[rule.code]
                remote_only = bool(modes) and "en-presentiel" not in modes
                if lat is None or lon is None or remote_only:
                    bucket.remote.append(entry)
                else:
                    bucket.grid[_cell(lat, lon)].append(entry)
        return index

    def search(
        self, themes: list[str], commune: Commune, offset: int = 0, limit: int = 3
    ) -> tuple[list[Ranked], bool]:
        """The page of services and whether more follow.

        One card per place: a structure's other services for the same theme are left out.
        """
        wanted = offset + limit + 1
        buckets = [self.buckets[t] for t in dict.fromkeys(themes) if t in self.buckets]
        zone_codes = commune.zone_codes()
        local_codes = zone_codes - {"france"}
        local = self._nearby(buckets, commune, zone_codes, wanted) if commune.has_position else []
        seen = {r.pk for r in local}
        structures = {r.structure_pk for r in local}
        ranked = list(local)
        if len(ranked) < wanted:
            for bucket in buckets:
                for entry in bucket.remote:
                    if entry.pk in seen or not entry.zone or entry.zone.isdisjoint(local_codes):
                        continue
                    if entry.structure_pk in structures:
                        continue
                    # A remote service is for the people of its zone: only those naming the
                    # commune, its EPCI or its département (not all of France) come here, so
                    # national services do not crowd out local ones.
                    seen.add(entry.pk)
                    structures.add(entry.structure_pk)
                    ranked.append(Ranked(entry.pk, entry.structure_pk, None))
        return ranked[offset : offset + limit], len(ranked) > offset + limit

    def _nearby(
        self,
        buckets: list[ThemeBucket],
        commune: Commune,
        zone_codes: frozenset[str],
        wanted: int,
    ) -> list[Ranked]:
        """The ``wanted`` nearest places, one service per structure."""
        window = wanted * 4
        while True:
            ranked, full = self._nearest(buckets, commune, zone_codes, window)
            unique: list[Ranked] = []
            structures: set[int] = set()
            for item in ranked:
                if item.structure_pk not in structures:
                    structures.add(item.structure_pk)
                    unique.append(item)
            # A full window may hide more places behind repeated structures: look further.
            if len(unique) >= wanted or not full:
                return unique[:wanted]
            window *= 4

    def _nearest(
        self,
        buckets: list[ThemeBucket],
        commune: Commune,
        zone_codes: frozenset[str],
        wanted: int,
    ) -> tuple[list[Ranked], bool]:
        lat, lon = commune.latitude, commune.longitude
        assert lat is not None and lon is not None
        max_km = self.mapping.max_distance_km
        bonus = self.mapping.youth_bonus_km
        cell_km = min(
            CELL_LAT * KM_PER_DEGREE,
            CELL_LON * KM_PER_DEGREE * math.cos(math.radians(min(abs(lat) + 1.0, 89.0))),
        )
        center = _cell(lat, lon)
        # A max-heap on the effective distance (negated), holding the ``wanted`` best.
        heap: list[tuple[float, float, int, int]] = []
        seen: set[int] = set()
        max_ring = int(max_km // cell_km) + 1
        several = len(buckets) > 1  # a service is in a theme's bucket once
        for ring in range(0, max_ring + 1):
            for cell in _ring(center, ring):
                for bucket in buckets:
                    for entry in bucket.grid.get(cell, ()):
                        if several:
                            if entry.pk in seen:
                                continue
                            seen.add(entry.pk)
                        zone = entry.zone
                        if zone is not None and zone.isdisjoint(zone_codes):
                            continue
                        d = distance_km(lat, lon, entry.latitude, entry.longitude)
                        if d > max_km:
                            continue
                        effective = d - bonus if entry.for_youth else d
                        item = (-effective, -d, -entry.pk, entry.structure_pk)
                        if len(heap) < wanted:
                            heapq.heappush(heap, item)
                        elif item > heap[0]:
                            heapq.heapreplace(heap, item)
            covered = ring * cell_km
            if len(heap) >= wanted and -heap[0][0] <= covered - bonus:
                break
        ordered = sorted(heap, key=lambda item: (-item[0], -item[1], -item[2]))
        return (
            [Ranked(-neg_pk, structure_pk, -neg_d) for _e, neg_d, neg_pk, structure_pk in ordered],
            len(heap) >= wanted,
        )


def _ring(center: tuple[int, int], radius: int):
    cy, cx = center
    if radius == 0:
        yield center
        return
    for dx in range(-radius, radius + 1):
        yield (cy - radius, cx + dx)
        yield (cy + radius, cx + dx)
    for dy in range(-radius + 1, radius):
        yield (cy + dy, cx - radius)
        yield (cy + dy, cx + radius)
