"""Directory benchmark: import of 50,000 services, then the nearest-3 query among them.

Targets: import < 30 s; query p99 < 5 ms. Runs on a fresh SQLite file (or DATABASE_URL-like
``--database-url``), with synthetic data·inclusion records spread over the communes of France.

    .venv/bin/python bench/directory.py [--services 50000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import storage.models.directory  # noqa: E402,F401
from bot.clock import Clock  # noqa: E402
from bot.directory.communes import read_csv  # noqa: E402
from bot.directory.importer import import_file  # noqa: E402
from bot.directory.service import DirectoryService  # noqa: E402
from bot.directory.themes import default_mapping  # noqa: E402
from bot.directory.validation import schema  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402

SERVICES_PER_STRUCTURE = 5
HOURS = [
    "Mo-Fr 09:00-12:30,13:30-17:30; PH off",
    "Mo-Th 08:30-12:30,13:30-17:00; Fr 08:30-12:00; PH off",
    "Tu-Sa 10:00-18:00",
    None,
]


def synthetic_records(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    communes = [c for c in read_csv() if c["latitude"] is not None]
    weights = [max(c["population"], 50) for c in communes]
    thematiques = schema("service")["$defs"]["Thematique"]["enum"]
    publics = ["jeunes", "tous-publics", "etudiants", "demandeurs-emploi", "familles", "seniors"]
    records = []
    structures = count // SERVICES_PER_STRUCTURE
    chosen = rng.choices(communes, weights=weights, k=structures)
    for i, commune in enumerate(chosen):
        sid = f"bench--s{i}"
        lat = commune["latitude"] + rng.uniform(-0.02, 0.02)
        lon = commune["longitude"] + rng.uniform(-0.02, 0.02)
        records.append(
            {
                "source": "bench", "id": sid, "nom": f"Structure {i}", "date_maj": "2026-10-01",
                "commune": commune["nom"], "code_postal": commune["codes_postaux"].split()[0],
                "code_insee": commune["insee"], "latitude": lat, "longitude": lon,
                "horaires_accueil": rng.choice(HOURS), "telephone": None,
            }
        )
        for j in range(SERVICES_PER_STRUCTURE):
            zone = rng.choice(
                [[commune["departement"]], [commune["insee"]], [commune["epci"] or commune["departement"]], ["france"]]
            )
            records.append(
                {
                    "source": "bench", "structure_id": sid, "id": f"{sid}-v{j}",
                    "nom": f"Service {i}-{j}", "description": "Un service d'accompagnement.",
                    "date_maj": "2026-10-01",
                    "thematiques": rng.sample(thematiques, rng.randint(1, 3)),
                    "publics": rng.sample(publics, rng.randint(1, 2)) if rng.random() < 0.8 else ["tous-publics"],
                    "zone_eligibilite": zone, "frais": rng.choice(["gratuit", "payant"]),
                    "modes_accueil": ["en-presentiel"],
                }
            )
    return records


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def run(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        database = Database(url)
        await upgrade_to_head(database.engine)
        records = synthetic_records(args.services)
        path = Path(tmp) / "services.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
        services = sum(1 for r in records if "structure_id" in r)

        # The commune table is loaded once, before (as at the first start).
        async with database.transaction() as session:
            from bot.directory.communes import ensure_communes

            started = time.perf_counter()
            await ensure_communes(session)
            communes_s = time.perf_counter() - started

        started = time.perf_counter()
        report = await import_file(database, path, now=datetime.now(timezone.utc))
        import_s = time.perf_counter() - started
        assert not report.rejected, report.rejected[:3]

        started = time.perf_counter()
        again = await import_file(database, path, now=datetime.now(timezone.utc))
        reimport_s = time.perf_counter() - started
        assert again.services_unchanged == services

        rng = random.Random(11)
        themes = list(default_mapping().rules)
        latencies = []
        async with database.transaction() as session:
            directory = DirectoryService(session, Clock(), ZoneInfo("Europe/Paris"))
            gazetteer = await directory.gazetteer()
            started = time.perf_counter()
            await directory.index()
            index_s = time.perf_counter() - started
            places = [c for c in gazetteer.communes.values() if c.has_position]
            weights = [max(c.population, 50) for c in places]
            found = 0
            for i in range(args.queries + 50):
                commune = rng.choices(places, weights=weights)[0]
                theme = rng.choice(themes)
                t0 = time.perf_counter()
                page = await directory.search([theme], commune, 0, 3)
                elapsed = time.perf_counter() - t0
                if i >= 50:  # warm-up
                    latencies.append(elapsed * 1000)
                    found += len(page.hits)
        await database.dispose()

    print(f"directory benchmark ({database.url.get_backend_name()}, {services} services, "
          f"{services // SERVICES_PER_STRUCTURE} structures)")
    print(f"  communes loaded:       {communes_s:6.2f} s")
    print(f"  import {services} services: {import_s:6.2f} s   (target < 30 s)")
    print(f"  re-import (unchanged): {reimport_s:6.2f} s")
    print(f"  search index build:    {index_s:6.2f} s")
    print(f"  nearest-3 query, {args.queries} queries (index + database fetch):")
    print(f"    p50 {statistics.median(latencies):6.2f} ms   p99 {percentile(latencies, 99):6.2f} ms"
          f"   max {max(latencies):6.2f} ms   (target p99 < 5 ms)")
    print(f"    cards per query: {found / len(latencies):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--database-url")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
