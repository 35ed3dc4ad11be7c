"""Validation of data·inclusion v1 records against the official JSON Schema files.

The schema files are the project's copy in ``config/data-inclusion-v1/`` (see SOURCE.md there);
validation uses the ``jsonschema`` library, formats included (dates, e-mails, URIs).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "config" / "data-inclusion-v1"
Kind = Literal["structure", "service"]


@functools.cache
def schema(kind: Kind) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))


@functools.cache
def validator(kind: Kind) -> Draft202012Validator:
    return Draft202012Validator(schema(kind), format_checker=FormatChecker())


@functools.cache
def fast_validator(kind: Kind):
    """The same schema compiled to Python by fastjsonschema: about ten times faster on valid
    records. Records it refuses are checked again by ``jsonschema``, which names the problems
    (and is the reference when the two disagree)."""
    return fastjsonschema.compile(schema(kind))


@functools.cache
def field_types(kind: Kind) -> dict[str, set[str]]:
    """The JSON types each field accepts ("array", "number", "integer", "string", "null")."""
    types: dict[str, set[str]] = {}
    for name, spec in schema(kind)["properties"].items():
        found: set[str] = set()
        for option in spec.get("anyOf", [spec]):
            if "type" in option:
                found.add(option["type"])
            elif "$ref" in option:
                found.add("string")
        types[name] = found
    return types


@functools.cache
def thematiques() -> frozenset[str]:
    return frozenset(schema("service")["$defs"]["Thematique"]["enum"])


@functools.cache
def labels(code_list: str) -> dict[str, str]:
    """French labels of a code list (``thematiques``, ``publics``, ``frais`` …)."""
    entries = json.loads((SCHEMA_DIR / f"{code_list}.json").read_text(encoding="utf-8"))
    return {entry["value"]: entry["label"] for entry in entries}


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


def problems(kind: Kind, record: dict[str, Any]) -> list[Problem]:
    """Every schema violation of ``record``, the most useful first (empty when valid)."""
    try:
        fast_validator(kind)(record)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    return detailed_problems(kind, record)


def detailed_problems(kind: Kind, record: dict[str, Any]) -> list[Problem]:
    found = []
    for error in sorted(validator(kind).iter_errors(record), key=lambda e: list(e.path)):
        field = ".".join(str(part) for part in error.absolute_path)
        message = error.message
        if error.validator == "anyOf" and error.context:
            # "x is not valid under any of the given schemas": say why for the non-null branch.
            useful = [e for e in error.context if e.validator != "type" or e.validator_value != "null"]
            if useful:
                message = useful[0].message
        if len(message) > 200:
            message = message[:197] + "…"
        found.append(Problem(field, message))
    return found


def kind_of(record: dict[str, Any]) -> Kind:
    """Services name their structure; structures don't."""
    return "service" if "structure_id" in record else "structure"


def from_csv_row(kind: Kind, row: dict[str, str | None]) -> dict[str, Any]:
    """A CSV row typed as the schema expects: empty cells are null, lists and numbers parsed.

    Lists may be written as JSON (``["a", "b"]``) or separated by commas, semicolons or pipes.
    Values that cannot be converted are left as text, so validation reports them.
    """
    types = field_types(kind)
    record: dict[str, Any] = {}
    for name, raw in row.items():
        if name is None:
            continue
        name = name.strip()
        value = raw.strip() if isinstance(raw, str) else raw
        if value in (None, ""):
            record[name] = None
            continue
        accepted = types.get(name, {"string"})
        if "array" in accepted:
            if value.startswith("["):
                try:
                    record[name] = json.loads(value)
                    continue
                except ValueError:
                    pass
            for separator in (",", ";", "|"):
                if separator in value:
                    record[name] = [part.strip() for part in value.split(separator) if part.strip()]
                    break
            else:
                record[name] = [value]
        elif "integer" in accepted:
            try:
                record[name] = int(value)
            except ValueError:
                record[name] = value
        elif "number" in accepted:
            try:
                record[name] = float(value.replace(",", "."))
            except ValueError:
                record[name] = value
        else:
            record[name] = value
    return record
