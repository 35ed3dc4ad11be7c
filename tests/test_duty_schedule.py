"""When the educators are there: weekly permanences, exceptions, time zone and DST."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.clock import ManualClock
from bot.services.duty import PlanningError, parse_day, parse_time
from tests.test_duty_helpers import add_educator, add_slot, paris, waiting_youth

MON, TUE, WED = 0, 1, 2


@pytest.fixture
def clock():
    # Sunday 22 March 2026, 22:00 in Paris; summer time starts next Sunday (29 March, 2:00).
    return ManualClock(paris(2026, 3, 22, 22, 0))


async def next_window(services):
    async with services.unit_of_work() as uow:
        return await uow.duty.next_window(), await uow.duty.next_permanence_sentence()


async def test_next_permanence_across_the_week_boundary_and_the_spring_dst_change(services, clock):
    lea = await add_educator(services, 50, "Léa")
    await add_slot(services, lea, MON, "14:00", "18:00")

    # Sunday evening → Monday: across the week boundary. Winter time: 14:00 is 13:00 UTC.
    window, sentence = await next_window(services)
    assert window == (
        datetime(2026, 3, 23, 13, 0, tzinfo=timezone.utc),
        datetime(2026, 3, 23, 17, 0, tzinfo=timezone.utc),
    )
    assert sentence == "Les éducateur·rice·s sont là demain de 14h à 18h."

    # Tuesday: the next one is next Monday, after the change to summer time: still 14:00 in
    # Paris, which is now 12:00 UTC.
    clock.set(paris(2026, 3, 24, 10, 0))
    window, sentence = await next_window(services)
    assert window[0] == datetime(2026, 3, 30, 12, 0, tzinfo=timezone.utc)
    assert sentence == "Les éducateur·rice·s sont là lundi de 14h à 18h."

    # During the permanence, nobody on duty yet: "today until 18h".
    clock.set(paris(2026, 3, 30, 15, 0))
    _, sentence = await next_window(services)
    assert sentence == "Les éducateur·rice·s sont là aujourd'hui jusqu'à 18h."

    # Monday evening: a week away, so the date is given.
    clock.set(paris(2026, 3, 30, 19, 0))
    window, sentence = await next_window(services)
    assert window[0] == paris(2026, 4, 6, 14, 0)
    assert sentence == "Les éducateur·rice·s sont là lundi 6 avril de 14h à 18h."


async def test_autumn_dst_change_keeps_local_hours(services, clock):
    clock.set(paris(2026, 10, 24, 12, 0))  # Saturday; winter time comes back on Sunday 25
    lea = await add_educator(services, 50, "Léa")
    await add_slot(services, lea, MON, "9:00", "12h30")
    window, sentence = await next_window(services)
    assert window == (
        datetime(2026, 10, 26, 8, 0, tzinfo=timezone.utc),
        datetime(2026, 10, 26, 11, 30, tzinfo=timezone.utc),
    )
    assert sentence == "Les éducateur·rice·s sont là lundi de 9h à 12h30."


async def test_colleagues_back_to_back_make_one_window_and_absences_cancel(services, clock):
    lea = await add_educator(services, 50, "Léa")
    marc = await add_educator(services, 51, "Marc")
    await add_slot(services, lea, MON, "14:00", "16:00")
    await add_slot(services, marc, MON, "16:00", "19:00")
    await add_slot(services, marc, WED, "10:00", "12:00")
    _, sentence = await next_window(services)
    assert sentence == "Les éducateur·rice·s sont là demain de 14h à 19h."

    # Both away on Monday: the next permanence is Marc's on Wednesday.
    async with services.unit_of_work() as uow:
        await uow.duty.add_absence(await uow.educators.get(lea), date(2026, 3, 23), date(2026, 3, 23))
        await uow.duty.add_absence(await uow.educators.get(marc), date(2026, 3, 20), date(2026, 3, 23))
    _, sentence = await next_window(services)
    assert sentence == "Les éducateur·rice·s sont là mercredi de 10h à 12h."

    # An extra permanence on Tuesday evening comes first.
    async with services.unit_of_work() as uow:
        await uow.duty.add_extra(await uow.educators.get(lea), date(2026, 3, 24), 18 * 60, 24 * 60)
    _, sentence = await next_window(services)
    assert sentence == "Les éducateur·rice·s sont là mardi de 18h à minuit."


async def test_disabled_educators_permanences_do_not_count(services, clock):
    lea = await add_educator(services, 50, "Léa")
    await add_slot(services, lea, MON, "14:00", "18:00")
    async with services.unit_of_work() as uow:
        await uow.team.disable(await uow.educators.get(lea))
    window, sentence = await next_window(services)
    assert window is None and sentence is None


async def test_overlapping_or_backwards_slots_are_refused(services, clock):
    lea = await add_educator(services, 50, "Léa")
    await add_slot(services, lea, MON, "14:00", "18:00")
    with pytest.raises(PlanningError) as overlap:
        await add_slot(services, lea, MON, "17:00", "19:00")
    assert overlap.value.code == "overlap"
    with pytest.raises(PlanningError) as order:
        await add_slot(services, lea, TUE, "18:00", "14:00")
    assert order.value.code == "order"
    assert parse_day("lun") == parse_day("mon") == parse_day("Lundi") == 0
    assert parse_time("14h30") == parse_time("14:30") == 870
    assert parse_time("24:00") == 1440
    with pytest.raises(PlanningError):
        parse_time("25:00")


async def test_nobody_on_duty_answer_names_the_next_permanence(services, clock):
    lea = await add_educator(services, 50, "Léa")
    await add_slot(services, lea, MON, "14:00", "18:00")
    await waiting_youth(services, 7)
    async with services.unit_of_work() as uow:
        await uow.handoff.request(7)  # asks again: told the position / who is there
    from tests.test_duty_helpers import sent_texts

    told = (await sent_texts(services, 7))[-1]
    assert "Aucun·e éducateur·rice n'est disponible" in told
    assert "Les éducateur·rice·s sont là demain de 14h à 18h." in told
    assert "0 800 235 236" in told  # a help line is still there (Fil Santé Jeunes)


async def test_without_any_permanence_the_usual_answer_stays(services, clock):
    await waiting_youth(services, 7)
    async with services.unit_of_work() as uow:
        await uow.handoff.request(7)
    from tests.test_duty_helpers import sent_texts

    told = (await sent_texts(services, 7))[-1]
    assert "Aucun·e éducateur·rice n'est disponible" in told
    assert "sont là" not in told
