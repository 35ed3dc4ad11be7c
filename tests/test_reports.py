"""Reports: the figures of a known week, the chart and CSV, the weekly sending, /stats periods."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.services.reports import PeriodError, period_from_args, render_chart, render_csv
from tests.test_duty_helpers import (
    PARIS,
    add_educator,
    add_slot,
    documents,
    educator_says,
    paris,
    sent_texts,
    take,
    waiting_youth,
    youth_says,
)

COORD = 60
MON, TUE = 0, 1


@pytest.fixture
def clock():
    return ManualClock(paris(2026, 11, 16, 8, 0))  # Monday 16 November 2026


async def on_duty(services, educator_id: int, value: bool) -> None:
    async with services.unit_of_work() as uow:
        await uow.team.set_on_duty(await uow.educators.get(educator_id), value)


async def known_week(services, clock) -> dict:
    """A week with known figures (16–22 November 2026):

    - Léa on duty Monday 14:00–16:00 (2 hours); her permanence is Monday 14:00–18:00.
    - Monday 14:10, young person 1 (emploi, no risk) asks; taken after 4 min, answered after 6.
    - Monday 15:00, young person 2 (logement + sante_mentale, elevated) asks; taken after 10 min,
      answered after 12; feedback 👍.
    - Tuesday 20:00, young person 3 (violences, imminent) asks while nobody is on duty; never
      taken.
    - Wednesday 11:00, young person 4 talks with the bot only (emploi); feedback 😐.
    """
    lea = await add_educator(services, 50, "Léa")
    await add_educator(services, COORD, "Claire", coordinator=True)
    await add_slot(services, lea, MON, "14:00", "18:00")
    ids = {}

    clock.set(paris(2026, 11, 16, 14, 0))
    await on_duty(services, lea, True)
    clock.set(paris(2026, 11, 16, 14, 10))
    ids[1] = await waiting_youth(services, 1, themes=("emploi",))
    clock.advance(minutes=4)
    await take(services, lea, ids[1])
    clock.advance(minutes=2)
    await educator_says(services, lea, ids[1])

    clock.set(paris(2026, 11, 16, 15, 0))
    ids[2] = await waiting_youth(services, 2, risk="elevated", themes=("logement", "sante_mentale"))
    clock.advance(minutes=10)
    await take(services, lea, ids[2])
    clock.advance(minutes=2)
    await educator_says(services, lea, ids[2])
    async with services.unit_of_work() as uow:
        await uow.handoff.close(await uow.conversations.get(ids[2]), by="educator")
        await uow.handoff.feedback(2, ids[2], "good")

    clock.set(paris(2026, 11, 16, 16, 0))
    await on_duty(services, lea, False)

    clock.set(paris(2026, 11, 17, 20, 0))
    ids[3] = await waiting_youth(services, 3, risk="imminent", themes=("violences",))

    clock.set(paris(2026, 11, 18, 11, 0))
    ids[4] = await youth_says(services, 4, "je cherche un job", themes=("emploi",))
    async with services.unit_of_work() as uow:
        await uow.handoff.close(await uow.conversations.get(ids[4]), by="youth")
        await uow.handoff.feedback(4, ids[4], "mid")
    return ids


async def build_week(services):
    async with services.unit_of_work() as uow:
        return await uow.reports.build(paris(2026, 11, 16), paris(2026, 11, 23))


async def test_figures_of_a_known_week(services, clock):
    await known_week(services, clock)
    report = await build_week(services)
    assert report.conversations == 4
    assert report.escalations == 3
    assert report.escalations_by_risk == {"none": 1, "elevated": 1, "imminent": 1}
    assert report.picked_up == 2
    assert report.median_pickup_s == 7 * 60  # median of 4 and 10 minutes
    assert report.median_first_answer_s == 9 * 60  # median of 6 and 12 minutes
    assert report.themes == {"emploi": 2, "logement": 1, "sante_mentale": 1, "violences": 1}
    assert report.risks == {"none": 2, "elevated": 1, "imminent": 1}
    assert report.feedback == {"good": 1, "mid": 1}
    assert report.uncovered_escalations == 1  # Tuesday 20:00, nobody on duty

    monday_14 = report.hours[0 * 24 + 14]
    monday_15 = report.hours[0 * 24 + 15]
    monday_16 = report.hours[0 * 24 + 16]
    tuesday_20 = report.hours[1 * 24 + 20]
    assert (monday_14.escalations, monday_15.escalations, tuesday_20.escalations) == (1, 1, 1)
    assert monday_14.on_duty_average == 1.0 and monday_15.on_duty_average == 1.0
    assert monday_16.on_duty_average == 0.0  # she stopped at 16:00…
    assert monday_16.planned_average == 1.0  # …though her permanence ran until 18:00
    assert tuesday_20.on_duty_average == 0.0 and tuesday_20.planned_average == 0.0
    assert sum(h.hours for h in report.hours) == 168


async def test_chart_and_csv_hold_figures_and_no_personal_data(services, clock):
    await known_week(services, clock)
    report = await build_week(services)
    chart = render_chart(report)
    assert chart.startswith(b"\x89PNG\r\n\x1a\n") and len(chart) > 10_000
    table = render_csv(report).decode("utf-8-sig")
    lines = table.splitlines()
    assert lines[0] == "indicateur;categorie;valeur"
    assert "conversations;;4" in lines and "demandes_educateur;;3" in lines
    assert "attente_mediane_prise_en_charge_min;;7,00" in lines
    assert "conversations_par_sujet;emploi;2" in lines
    assert "demandes_par_heure;tue 20h;1" in lines
    assert "educateurs_disponibles_par_heure;mon 14h;1,00" in lines
    async with services.unit_of_work() as uow:
        people = [y.pseudonym for y in [await uow.youths.by_telegram_id(n) for n in (1, 2, 3, 4)]]
    for secret in [*people, "Léa", "Claire", "je cherche un job", "Jeune #"]:
        assert secret not in table


async def test_weekly_report_goes_out_monday_at_nine_once(services, clock):
    await known_week(services, clock)
    clock.set(paris(2026, 11, 23, 8, 59))
    async with services.unit_of_work() as uow:
        assert await uow.reports.weekly_due() is None
    assert await documents(services, COORD) == {}

    clock.set(paris(2026, 11, 23, 9, 0))
    async with services.unit_of_work() as uow:
        report = await uow.reports.weekly_due()
    assert report is not None and report.conversations == 4
    texts = await sent_texts(services, COORD)
    summary = next(t for t in texts if "Bilan" in t)
    assert "du lundi 16 novembre au dimanche 22 novembre" in summary
    assert "Conversations : 4" in summary and "7 min" in summary and "9 min" in summary
    files = await documents(services, COORD)
    assert sorted(files) == ["promeneur-2026-11-16-2026-11-22.csv", "promeneur-2026-11-16-2026-11-22.png"]
    assert files["promeneur-2026-11-16-2026-11-22.png"].startswith(b"\x89PNG")
    # The admin of ADMIN_IDS gets it too; educators who are not coordinators do not.
    assert await documents(services, 900)
    assert await documents(services, 50) == {}

    for minutes in (1, 60, 600):
        clock.set(paris(2026, 11, 23, 9, 0) + timedelta(minutes=minutes))
        async with services.unit_of_work() as uow:
            assert await uow.reports.weekly_due() is None
    assert len(await documents(services, COORD)) == 2


async def test_a_week_without_activity_sends_nothing(services, clock):
    await add_educator(services, COORD, "Claire", coordinator=True)
    clock.set(paris(2026, 11, 23, 9, 30))
    async with services.unit_of_work() as uow:
        assert await uow.reports.weekly_due() is None
    assert await sent_texts(services, COORD) == []


async def test_stats_sends_the_period_to_the_coordinator_who_asked(services, clock):
    await known_week(services, clock)
    clock.set(paris(2026, 11, 19, 12, 0))
    start, end = period_from_args("2026-11-16 2026-11-17", clock.now(), PARIS)
    async with services.unit_of_work() as uow:
        report = await uow.reports.stats(COORD, start, end)
    assert report.conversations == 3 and report.escalations == 3
    assert "du lundi 16 novembre au mardi 17 novembre" in (await sent_texts(services, COORD))[0]
    assert len(await documents(services, COORD)) == 2


def test_stats_periods():
    now = paris(2026, 11, 19, 12, 0)  # Thursday
    assert period_from_args(None, now, PARIS) == (paris(2026, 11, 13), paris(2026, 11, 20))
    assert period_from_args("30", now, PARIS) == (paris(2026, 10, 21), paris(2026, 11, 20))
    assert period_from_args("semaine", now, PARIS) == (paris(2026, 11, 9), paris(2026, 11, 16))
    assert period_from_args("01/11/2026 30/11/2026", now, PARIS) == (paris(2026, 11, 1), paris(2026, 12, 1))
    for wrong in ("hier", "2026-11-30 2026-11-01", "0", "1 2 3"):
        with pytest.raises(PeriodError):
            period_from_args(wrong, now, PARIS)


async def test_a_week_with_the_spring_dst_change_counts_real_hours(services, clock):
    # 23–29 March 2026: Sunday 29 loses its 2:00–3:00 hour; the report is due Monday 30 at
    # 9:00 Paris time, which is 7:00 UTC in summer time.
    clock.set(paris(2026, 3, 29, 1, 0))
    lea = await add_educator(services, 50, "Léa")
    await add_educator(services, COORD, "Claire", coordinator=True)
    await on_duty(services, lea, True)
    await waiting_youth(services, 1)
    clock.set(paris(2026, 3, 29, 4, 0))  # two real hours later
    await on_duty(services, lea, False)

    async with services.unit_of_work() as uow:
        report = await uow.reports.build(paris(2026, 3, 23), paris(2026, 3, 30))
    assert sum(h.hours for h in report.hours) == 167
    sunday = [report.hours[6 * 24 + hour] for hour in range(24)]
    assert sunday[2].hours == 0  # 2:00–3:00 did not exist
    assert [h.on_duty_average for h in sunday[:5]] == [0.0, 1.0, 0.0, 1.0, 0.0]
    assert report.uncovered_escalations == 0

    clock.set(paris(2026, 3, 30, 8, 59))
    async with services.unit_of_work() as uow:
        assert await uow.reports.weekly_due() is None
    clock.set(paris(2026, 3, 30, 9, 0))
    assert clock.now().hour == 7  # UTC
    async with services.unit_of_work() as uow:
        sent = await uow.reports.weekly_due()
    assert sent is not None and sent.escalations == 1
    assert sorted(await documents(services, COORD)) == [
        "promeneur-2026-03-23-2026-03-29.csv",
        "promeneur-2026-03-23-2026-03-29.png",
    ]
