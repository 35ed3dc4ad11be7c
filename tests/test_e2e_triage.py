"""Triage wired into the conversation: danger gets the right numbers at once and a human."""

from __future__ import annotations

import asyncio

from tests.test_e2e_handoff import card_of, register


async def started(bot, name):
    emu = bot.emulator
    user = emu.add_user(name)
    await emu.send_text(user, "/start")
    await emu.wait_for_message(user)
    return user


async def test_imminent_risk_gets_emergency_numbers_first_and_jumps_the_queue(bot):
    emu = bot.emulator
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa")
    calm = await started(bot, "Calme")
    await emu.send_text(calm, "/educateur")
    await bot.settle()
    youth = await started(bot, "Y")
    await emu.send_text(youth, "j'ai pris toute la boite de medocs ce soir jveux plus vivre")
    reply = await emu.wait_for_message(youth, timeout=3)  # no burst pause for danger
    assert "3114" in reply.text
    assert "15" in reply.text or "112" in reply.text
    assert "éducateur·rice" in reply.text
    conversation = await bot.conversation_of(youth.id)
    assert conversation.risk == "imminent"
    assert conversation.status == "waiting"
    assert conversation.reasons
    stored = [m for m in await bot.messages_of(youth.id) if m.direction == "in"][-1]
    assert stored.risk == "imminent" and stored.reasons
    await bot.settle()
    card = card_of(emu, lea)
    assert "URGENT" in card.text and "🔴" in card.text
    async with bot.uow() as uow:
        waiting = await uow.queue.waiting()
        assert waiting[0].id == conversation.id  # before the calm one who asked earlier


async def test_elevated_risk_gets_an_empathetic_answer_the_fitting_line_and_escalation(bot):
    emu = bot.emulator
    youth = await started(bot, "Y")
    await emu.send_text(youth, "des fois je me dis que tout le monde serait mieux sans moi")
    reply = await emu.wait_for_message(youth, timeout=3)
    assert "3114" in reply.text
    assert "Merci de me l'avoir dit" in reply.text
    conversation = await bot.conversation_of(youth.id)
    assert conversation.risk == "elevated"
    assert conversation.status == "waiting" and conversation.escalation_reason == "risk"


async def test_a_minor_in_danger_is_pointed_to_the_119(bot):
    emu = bot.emulator
    youth = await started(bot, "Y")
    await emu.send_text(youth, "mon beau pere vient dans ma chambre la nuit et il me touche")
    reply = await emu.wait_for_message(youth, timeout=3)
    assert "119" in reply.text
    assert (await bot.conversation_of(youth.id)).risk in ("elevated", "imminent")


async def test_danger_spread_over_a_burst_is_caught(bot):
    emu = bot.emulator
    youth = await started(bot, "Y")
    for fragment in ("jvais le faire", "ce soir", "jai les medocs"):
        await emu.send_text(youth, fragment)
        await asyncio.sleep(0.02)
    reply = await emu.wait_for_message(youth, timeout=3)
    assert "3114" in reply.text or "15" in reply.text
    assert (await bot.conversation_of(youth.id)).risk == "imminent"


async def test_hyperbole_does_not_raise_an_alarm(bot):
    emu = bot.emulator
    youth = await started(bot, "Y")
    await emu.send_text(youth, "mdr ce prof va me tuer jsuis mort de rire")
    await bot.settle()
    conversation = await bot.conversation_of(youth.id)
    assert conversation.risk == "none"
    assert conversation.status == "open"
    replies = [m.text for m in emu.sent(youth.id)]
    assert not any("3114" in text for text in replies[1:])


async def test_a_theme_is_acknowledged_and_stored(bot):
    emu = bot.emulator
    youth = await started(bot, "Y")
    await emu.send_text(youth, "slt je cherche un taf ou un stage pour cet ete")
    reply, offer = await emu.wait_for_messages(youth, 2, timeout=5)
    assert "travail" in reply.text or "job" in reply.text, emu.transcript(youth.id)
    assert any("éducateur" in label for row in reply.buttons for label, _ in row)
    assert "près de chez toi" in offer.text  # a job has places nearby: the bot offers them
    conversation = await bot.conversation_of(youth.id)
    assert "emploi" in conversation.themes
    assert conversation.risk == "none"
