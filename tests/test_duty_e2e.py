"""Permanences and figures end to end: the real bot, the emulator, real HTTP."""

from __future__ import annotations

from datetime import timedelta

from tests.test_e2e_handoff import ask_for_educator, register


async def coordinator(bot, name="Claire"):
    user = bot.emulator.add_user(name)
    async with bot.uow() as uow:
        await uow.team.add(user.id, name, "CAF du Cher", coordinator=True)
    return user


async def press(bot, user, message, data):
    """Press a button and wait for the message to be edited and the press answered."""
    emu = bot.emulator
    since = emu.mark()
    record = await emu.press_button(user, message, data)
    answer = await emu.wait_for_callback_answer(record)
    edited = await emu.wait_for_edit(user, message.message_id, since=since)
    return edited, answer


def button(message, text_part: str) -> str:
    for row in message.buttons:
        for text, data in row:
            if text_part in text:
                return data
    raise AssertionError(f"no button with {text_part!r} in {message.buttons}")


async def test_a_coordinator_sets_a_permanence_with_buttons(bot):
    emu = bot.emulator
    claire = await coordinator(bot)
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa", on_duty=False)

    await emu.send_text(claire, "/permanences")
    view = await emu.wait_for_message(claire, predicate=lambda m: "Permanences de l'équipe" in m.text)
    assert "lundi : personne" in view.text
    assert "Aucune permanence prévue" in view.text

    view, _ = await press(bot, claire, view, button(view, "Léa"))
    assert "Permanences de Léa" in view.text and "Aucune permanence chaque semaine" in view.text
    view, _ = await press(bot, claire, view, button(view, "Permanence"))
    assert "quel jour" in view.text
    view, _ = await press(bot, claire, view, button(view, "lundi"))
    view, _ = await press(bot, claire, view, button(view, "14h"))
    assert "jusqu'à quelle heure" in view.text
    view, answer = await press(bot, claire, view, button(view, "18h"))
    assert answer.text == "Permanence ajoutée."
    assert "• lundi 14h–18h" in view.text
    assert any(text == "❌ lundi 14h–18h" for row in view.buttons for text, _ in row)

    async with bot.uow() as uow:
        [slot] = await uow.planning.slots()
        assert (slot.weekday, slot.start_minute, slot.end_minute) == (0, 14 * 60, 18 * 60)

    # Léa sees her own permanences, and can only choose automatic duty.
    await emu.send_text(lea, "/permanences")
    own = await emu.wait_for_message(lea, predicate=lambda m: "Permanences de Léa" in m.text)
    assert "• lundi 14h–18h" in own.text
    assert [data for row in own.buttons for _, data in row] == [button(own, "Dispo auto")]
    own, answer = await press(bot, lea, own, button(own, "Dispo auto"))
    assert answer.text == "Dispo auto activée."
    async with bot.uow() as uow:
        educator = await uow.educators.by_telegram_id(lea.id)
        assert await uow.planning.auto_duty(educator.id)

    # The coordinator removes it again.
    view, answer = await press(bot, claire, view, button(view, "❌ lundi"))
    assert answer.text == "Supprimé." and "Aucune permanence chaque semaine" in view.text


async def test_a_young_person_asking_when_nobody_is_on_duty_is_told_the_next_permanence(bot):
    emu = bot.emulator
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa", on_duty=False)
    async with bot.uow() as uow:
        educator = await uow.educators.by_telegram_id(lea.id)
        local_today = uow.now().astimezone(uow.settings.service.tz).date()
        weekday = (local_today + timedelta(days=3)).weekday()
        await uow.duty.add_slot(educator, weekday, 14 * 60, 18 * 60)
        expected = await uow.duty.next_permanence_sentence()
    days = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
    assert expected == f"Les éducateur·rice·s sont là {days[weekday]} de 14h à 18h."

    youth = emu.add_user("Y")
    told = await ask_for_educator(bot, youth)
    assert "Aucun·e éducateur·rice n'est disponible" in told.text
    assert expected in told.text
    assert "continuer à m'écrire" in told.text


async def test_stats_for_a_coordinator_come_with_a_chart_and_a_table(bot):
    emu = bot.emulator
    claire = await coordinator(bot)
    youth = emu.add_user("Y")
    await ask_for_educator(bot, youth)
    await emu.send_text(claire, "/stats")
    summary = await emu.wait_for_message(claire, predicate=lambda m: "Bilan" in m.text)
    assert "Conversations : 1" in summary.text
    assert "Demandes d'un·e éducateur·rice : 1" in summary.text
    files = await emu.wait_for_messages(claire, count=2, predicate=lambda m: m.document is not None)
    names = sorted(m.document.filename for m in files)
    assert names[0].endswith(".csv") and names[1].endswith(".png")
    png = next(m for m in files if m.document.filename.endswith(".png"))
    assert png.document.content.startswith(b"\x89PNG")
    table = next(m for m in files if m.document.filename.endswith(".csv")).document.content
    async with bot.uow() as uow:
        pseudonym = (await uow.youths.by_telegram_id(youth.id)).pseudonym
    assert pseudonym.encode() not in table

    # Not for young people: /stats from them is just a message to the bot.
    await emu.send_text(youth, "/stats")
    await bot.settle()
    assert not any("Bilan" in m.text for m in emu.sent(youth.id))


def data_ending(message, suffix: str) -> str:
    for row in message.buttons:
        for _, data in row:
            if data.endswith(suffix):
                return data
    raise AssertionError(f"no button ending with {suffix!r} in {message.buttons}")


async def test_holidays_absences_and_an_extra_permanence_with_buttons(bot):
    emu = bot.emulator
    claire = await coordinator(bot)
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa", on_duty=False)
    async with bot.uow() as uow:
        tz = uow.settings.service.tz
        today = uow.now().astimezone(tz).date()
        educator = await uow.educators.by_telegram_id(lea.id)
        closed_day = today + timedelta(days=3)
        await uow.duty.add_slot(educator, closed_day.weekday(), 14 * 60, 18 * 60)

    async def next_start():
        async with bot.uow() as uow:
            window = await uow.duty.next_window()
        return window[0].astimezone(tz) if window else None

    assert (await next_start()).date() == closed_day

    # Holidays: the whole team is closed that day, in three presses.
    await emu.send_text(claire, "/permanences")
    view = await emu.wait_for_message(claire, predicate=lambda m: "Permanences de l'équipe" in m.text)
    view, _ = await press(bot, claire, view, button(view, "Fermeture de toute l'équipe"))
    assert "Fermeture de toute l'équipe : à partir de quel jour ?" in view.text
    key = closed_day.strftime("%Y%m%d")
    view, _ = await press(bot, claire, view, data_ending(view, f":{key}"))
    assert "jusqu'à quel jour (inclus)" in view.text
    view, answer = await press(bot, claire, view, data_ending(view, f":{key}:{key}"))
    assert answer.text == "Fermeture enregistrée pour 2 personne(s)."
    assert "• Léa : absence le" in view.text and "• Claire : absence le" in view.text
    # Young people are now told the permanence of the week after.
    assert (await next_start()).date() == closed_day + timedelta(days=7)

    # An extra permanence for Léa tomorrow, 18h–20h: it becomes the next one.
    view, _ = await press(bot, claire, view, button(view, "Léa"))
    view, _ = await press(bot, claire, view, button(view, "Permanence en plus"))
    assert "Permanence en plus de Léa : quel jour ?" in view.text
    tomorrow = (today + timedelta(days=1)).strftime("%Y%m%d")
    view, _ = await press(bot, claire, view, data_ending(view, f":{tomorrow}"))
    view, _ = await press(bot, claire, view, button(view, "18h"))
    assert "jusqu'à quelle heure" in view.text
    view, answer = await press(bot, claire, view, button(view, "20h"))
    assert answer.text == "Permanence en plus enregistrée."
    assert "permanence en plus le" in view.text
    start = await next_start()
    assert (start.date(), start.hour) == (today + timedelta(days=1), 18)

    # Léa's own absence is removed with its ❌ button: her permanence is back.
    view, answer = await press(bot, claire, view, button(view, "❌ absence"))
    assert answer.text == "Supprimé."
    async with bot.uow() as uow:
        kinds = sorted(e.kind for e in await uow.planning.exceptions())
    assert kinds == ["absence", "extra"]  # Claire's absence stays

    # An educator cannot change anything but her own automatic duty, even with a modified
    # client sending a coordinator's button data.
    from tests.support.forgery import forge_callback

    await emu.send_text(lea, "/permanences")
    own = await emu.wait_for_message(lea, predicate=lambda m: "Permanences de Léa" in m.text)
    tomorrow_key = (today + timedelta(days=1)).strftime("%Y%m%d")
    for forged in (f"pm:off:0:{tomorrow_key}:{tomorrow_key}", f"pm:xtra:{educator.id}:{tomorrow_key}:600:720"):
        answer = await emu.wait_for_callback_answer(forge_callback(emu, lea, own, forged))
        assert answer.text == "Seule la coordination peut modifier les permanences."
    async with bot.uow() as uow:
        assert len(await uow.planning.exceptions()) == 2


async def test_help_tells_educators_about_permanences_and_coordinators_about_stats(bot):
    emu = bot.emulator
    claire = await coordinator(bot)
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa", on_duty=False)
    await emu.send_text(lea, "/aide")
    help_lea = await emu.wait_for_message(lea, predicate=lambda m: "/permanences" in m.text)
    assert "/dispo" in help_lea.text and "/stats" not in help_lea.text
    await emu.send_text(claire, "/aide")
    help_claire = await emu.wait_for_message(claire, predicate=lambda m: "/stats" in m.text)
    assert "les permanences de l'équipe" in help_claire.text
