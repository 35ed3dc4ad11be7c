"""`promeneur duty …` and `promeneur report`: permanences and one-off exceptions from the shell.

The commands run as `promeneur` runs them (the real argument parser, the handler with a
``CliContext``) against the test database; what an operator reads is checked on stdout/stderr.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from bot.cli import CliContext, build_parser
from bot.clock import Clock, ManualClock
from tests.test_duty_helpers import add_educator, paris

LEA, MARC = 50, 51


@dataclass
class ClockedContext(CliContext):
    clock: Clock | None = None


@pytest.fixture
def clock():
    return ManualClock(paris(2026, 11, 18, 10, 0))  # Wednesday 18 November 2026


async def promeneur(services, capsys, *argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(list(argv))
    context = ClockedContext(settings=services.settings, database=services.database, clock=services.clock)
    code = await args.handler(args, context)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_add_list_and_remove_a_weekly_permanence(services, capsys):
    lea = await add_educator(services, LEA, "Léa")
    code, out, _ = await promeneur(
        services, capsys, "duty", "add", "--educator", str(LEA), "--day", "mon", "--from", "14:00", "--to", "18:00"
    )
    assert code == 0
    assert "ajoutée pour Léa : lundi 14h–18h." in out
    async with services.unit_of_work() as uow:
        [slot] = await uow.planning.slots()
    assert (slot.educator_id, slot.weekday, slot.start_minute, slot.end_minute) == (lea, 0, 840, 1080)

    # The internal id works too, and French day names and "9h30" times.
    code, _, _ = await promeneur(
        services, capsys, "duty", "add", "--educator", str(lea), "--day", "mer", "--from", "9h30", "--to", "12h"
    )
    assert code == 0

    code, out, _ = await promeneur(services, capsys, "duty", "list")
    assert code == 0
    lines = out.splitlines()
    assert f"n°{slot.id}  Léa  chaque lundi 14h–18h" in lines
    assert any(line.endswith("chaque mercredi 9h30–12h") for line in lines)
    # What young people would read is shown too.
    assert lines[-1].startswith("Les éducateur·rice·s sont là ")

    code, out, _ = await promeneur(services, capsys, "duty", "remove", "--id", str(slot.id))
    assert code == 0 and f"N°{slot.id} supprimé." in out
    async with services.unit_of_work() as uow:
        assert [s.weekday for s in await uow.planning.slots()] == [2]

    # Removing it twice says so, with a failing exit code.
    code, _, err = await promeneur(services, capsys, "duty", "remove", "--id", str(slot.id))
    assert code == 1 and "Aucune permanence avec ce numéro" in err


async def test_wrong_input_is_refused_with_a_sentence(services, capsys):
    await add_educator(services, LEA, "Léa")
    await promeneur(services, capsys, "duty", "add", "--educator", str(LEA), "--day", "mon", "--from", "14:00", "--to", "18:00")
    cases = [
        (("--educator", "999", "--day", "mon", "--from", "9:00", "--to", "10:00"), "Aucun·e éducateur·rice"),
        (("--educator", str(LEA), "--day", "someday", "--from", "9:00", "--to", "10:00"), "Jour inconnu"),
        (("--educator", str(LEA), "--day", "tue", "--from", "25:00", "--to", "26:00"), "Heure non valable"),
        (("--educator", str(LEA), "--day", "tue", "--from", "18:00", "--to", "14:00"), "La fin doit être après le début"),
        (("--educator", str(LEA), "--day", "mon", "--from", "17:00", "--to", "19:00"), "chevauche"),
    ]
    for argv, sentence in cases:
        code, out, err = await promeneur(services, capsys, "duty", "add", *argv)
        assert code == 1 and sentence in err and out == ""
    async with services.unit_of_work() as uow:
        assert len(await uow.planning.slots()) == 1


async def test_absences_and_extra_permanences_from_the_command_line(services, capsys):
    await add_educator(services, LEA, "Léa")
    await add_educator(services, MARC, "Marc")
    monday = date(2026, 11, 23)
    for educator in (LEA, MARC):
        await promeneur(services, capsys, "duty", "add", "--educator", str(educator), "--day", "mon", "--from", "14:00", "--to", "18:00")

    # Léa is away next week, Marc on that Monday only: nobody is there that Monday.
    code, out, _ = await promeneur(
        services, capsys, "duty", "absence", "--educator", str(LEA),
        "--from", monday.isoformat(), "--to", (monday + timedelta(days=6)).isoformat(),
    )
    assert code == 0 and "Exception n°" in out and "absence du lundi" in out
    code, out, _ = await promeneur(
        services, capsys, "duty", "absence", "--educator", str(MARC), "--from", monday.isoformat()
    )
    assert code == 0 and "absence le lundi" in out
    async with services.unit_of_work() as uow:
        window = await uow.duty.next_window()
    assert window[0].astimezone(services.settings.service.tz).date() == monday + timedelta(days=7)

    # An extra permanence that Tuesday evening becomes the next one.
    tuesday = monday + timedelta(days=1)
    code, out, _ = await promeneur(
        services, capsys, "duty", "extra", "--educator", str(MARC), "--date", tuesday.isoformat(), "--from", "18:00", "--to", "20:00"
    )
    assert code == 0 and "permanence en plus le mardi" in out
    async with services.unit_of_work() as uow:
        window = await uow.duty.next_window()
    local = window[0].astimezone(services.settings.service.tz)
    assert (local.date(), local.hour) == (tuesday, 18)

    code, out, _ = await promeneur(services, capsys, "duty", "list", "--educator", str(MARC))
    exceptions = [line for line in out.splitlines() if line.startswith("exception n°")]
    assert len(exceptions) == 2 and all("Marc" in line for line in exceptions)
    assert not any("Léa" in line for line in out.splitlines())

    # Removing the absences brings the Monday back.
    async with services.unit_of_work() as uow:
        absences = [e.id for e in await uow.planning.exceptions() if e.kind == "absence"]
    for exception_id in absences:
        code, _, _ = await promeneur(services, capsys, "duty", "remove-exception", "--id", str(exception_id))
        assert code == 0
    async with services.unit_of_work() as uow:
        window = await uow.duty.next_window()
    assert window[0] == paris(2026, 11, 23, 14, 0)

    code, _, err = await promeneur(services, capsys, "duty", "absence", "--educator", str(LEA), "--from", "demain")
    assert code == 1 and "Date non valable" in err


async def test_automatic_duty_and_next_from_the_command_line(services, capsys):
    lea = await add_educator(services, LEA, "Léa")
    code, out, _ = await promeneur(services, capsys, "duty", "next")
    assert code == 0 and out.strip() == "Aucune permanence prévue."
    code, out, _ = await promeneur(services, capsys, "duty", "auto", "--educator", str(LEA), "on")
    assert code == 0 and "Léa sera mis·e disponible automatiquement" in out
    async with services.unit_of_work() as uow:
        assert await uow.planning.auto_duty(lea)
    await promeneur(services, capsys, "duty", "auto", "--educator", str(LEA), "off")
    async with services.unit_of_work() as uow:
        assert not await uow.planning.auto_duty(lea)


async def test_report_command_writes_a_chart_and_a_table(services, capsys, tmp_path):
    await add_educator(services, LEA, "Léa")
    today = date(2026, 11, 18)
    code, out, _ = await promeneur(
        services, capsys, "report", "--from", (today - timedelta(days=6)).isoformat(),
        "--to", today.isoformat(), "--out", str(tmp_path),
    )
    assert code == 0 and "Bilan" in out and "<b>" not in out
    [png] = tmp_path.glob("*.png")
    [table] = tmp_path.glob("*.csv")
    assert png.read_bytes().startswith(b"\x89PNG")
    assert table.read_text(encoding="utf-8-sig").splitlines()[0] == "indicateur;categorie;valeur"


async def test_holidays_for_the_whole_team_from_the_command_line(services, capsys):
    for telegram_id, name in ((LEA, "Léa"), (MARC, "Marc")):
        await add_educator(services, telegram_id, name)
        await promeneur(services, capsys, "duty", "add", "--educator", str(telegram_id), "--day", "mon", "--from", "14:00", "--to", "18:00")
    code, out, _ = await promeneur(
        services, capsys, "duty", "absence", "--educator", "all", "--from", "2026-11-23", "--to", "2026-11-29"
    )
    assert code == 0
    assert "Fermeture enregistrée pour toute l'équipe (2 personne(s)) : absence du lundi 23 novembre au dimanche 29 novembre." in out
    async with services.unit_of_work() as uow:
        window = await uow.duty.next_window()
    assert window[0] == paris(2026, 11, 30, 14, 0)
    code, out, _ = await promeneur(services, capsys, "duty", "list")
    assert len([line for line in out.splitlines() if line.startswith("exception n°")]) == 2
