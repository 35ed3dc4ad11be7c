"""Help lines: data integrity against the numbers verified in DOMAIN.md, and the choice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.triage import HelpLine, Risk, Triage, helplines_for, load_helplines
from bot.triage.helplines import HelplineError, default_helplines_path
from bot.triage.lexicon import load_lexicon

# The "checked facts" table of DOMAIN.md (number -> words that must appear in its hours).
VERIFIED = {
    "3114": ["24"],
    "119": ["24"],
    "3018": ["9h", "23h"],
    "0 800 235 236": ["9h", "23h"],
    "3919": ["24"],
    "15": ["24"],
    "17": ["24"],
    "18": ["24"],
    "112": ["24"],
    "114": ["24", "SMS"],
    "0 800 23 13 13": ["8h", "2h"],
    "09 74 75 13 13": ["8h", "2h"],
    "0 800 840 800": ["24"],
    "0 800 08 11 11": ["lundi au samedi"],
    "39 89": [],
}
UNVERIFIED = ["0980980930", "3020"]  # Alcool Info Service; 3020 merged into the 3018


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


@pytest.fixture(scope="module")
def lines() -> list[HelpLine]:
    return load_helplines()


def test_only_verified_numbers(lines: list[HelpLine]) -> None:
    verified = {_digits(n) for n in VERIFIED}
    for line in lines:
        assert line.dial in verified, f"{line.key}: {line.number} is not a verified number"
        assert line.dial not in UNVERIFIED
    assert {line.dial for line in lines} == verified


def test_numbers_match_domain_md_when_available(lines: list[HelpLine]) -> None:
    domain = Path(__file__).resolve().parents[2] / "shared" / "DOMAIN.md"
    if not domain.exists():
        pytest.skip("shared/DOMAIN.md not next to the repository")
    text = domain.read_text(encoding="utf-8")
    table = text.split("## National help lines", 1)[1].split("Unverified here", 1)[0]
    table_digits = {_digits(x) for x in re.findall(r"\d[\d ]*\d|\d", table)}
    for line in lines:
        assert line.dial in table_digits or line.number.replace(" ", "") in table.replace(" ", ""), line.key


def test_hours_as_verified(lines: list[HelpLine]) -> None:
    by_dial = {line.dial: line for line in lines}
    for number, words in VERIFIED.items():
        line = by_dial[_digits(number)]
        for w in words:
            assert w in line.hours, (line.key, line.hours, w)


def test_fields_and_references(lines: list[HelpLine]) -> None:
    lex = load_lexicon()
    themes = {t.code for t in lex.themes}
    keys = set()
    for line in lines:
        assert line.key not in keys
        keys.add(line.key)
        assert line.name and line.hours and line.what_for and line.source
        assert line.dial.isdigit() and line.tel_uri == f"tel:{line.dial}"
        assert set(line.themes) <= themes, line.key
        assert set(line.families) <= set(lex.families), (line.key, set(line.families) - set(lex.families))
        assert set(line.risks) <= {"none", "elevated", "imminent"}
    assert next(line for line in lines if line.dial == "114").sms_only
    assert not next(line for line in lines if line.dial == "3114").sms_only


def test_free_only_where_stated(lines: list[HelpLine]) -> None:
    stated_free = {"3114", "119", "0800235236"}
    for line in lines:
        if line.free:
            assert line.dial in stated_free, line.key


def test_yaml_header_for_coordinators() -> None:
    text = default_helplines_path().read_text(encoding="utf-8")
    assert text.startswith("#") and "DOMAIN.md" in text
    yaml.safe_load(text)


def test_bad_file_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "helplines.yaml"
    p.write_text("lines:\n  - key: x\n    name: X\n    number: abc\n", encoding="utf-8")
    with pytest.raises(HelplineError):
        load_helplines(p)


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.from_config()


def _pick(triage: Triage, lines: list[HelpLine], text: str) -> list[str]:
    r = triage.classify(text)
    return [line.number for line in helplines_for(lines, r.themes, r.risk, r.risk_families)]


def test_choice(triage: Triage, lines: list[HelpLine]) -> None:
    assert _pick(triage, lines, "j'ai pris toute la boite de doliprane")[:2] == ["15", "3114"]
    picked = _pick(triage, lines, "je veux dormir et plus me réveiller")
    assert picked[0] == "3114" and "15" not in picked
    assert _pick(triage, lines, "mon beau-père me frappe")[0] == "119"
    assert _pick(triage, lines, "il menace de publier mes nudes")[0] == "3018"
    assert _pick(triage, lines, "il a sorti un couteau il va me tuer")[0] == "17"
    assert "0 800 23 13 13" in _pick(triage, lines, "je fume trop de joints")
    assert _pick(triage, lines, "je cherche un stage") == []
    assert "112" in _pick(triage, lines, "je vais me tuer ce soir")


def test_choice_accepts_plain_strings(lines: list[HelpLine]) -> None:
    assert helplines_for(lines, ["sante_mentale"], "elevated", ["self_harm"])[0].dial == "3114"
    assert helplines_for(lines, [], Risk.NONE, []) == []
