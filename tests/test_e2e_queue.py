"""Queue behaviour a young person or an educator notices, end to end."""

from __future__ import annotations

from tests.support.forgery import forge_callback
from tests.test_e2e_handoff import ask_for_educator, card_of, register


async def test_positions_are_told_to_each_young_person(bot):
    emu = bot.emulator
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa")
    first, second = emu.add_user("A"), emu.add_user("B")
    told_first = await ask_for_educator(bot, first)
    told_second = await ask_for_educator(bot, second)
    assert "1re position" in told_first.text
    assert "2e position" in told_second.text
    await emu.send_text(second, "/educateur")
    again = await emu.wait_for_message(second, predicate=lambda m: "2e position" in (m.text or ""))
    assert "2e position" in again.text


async def test_nobody_on_duty_gets_help_lines_and_can_keep_writing(bot):
    emu = bot.emulator
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa", on_duty=False)
    youth = emu.add_user("Y")
    told = await ask_for_educator(bot, youth)
    assert "Aucun·e éducateur·rice n'est disponible" in told.text
    assert "continuer à m'écrire" in told.text
    assert "0 800 235 236" in told.text or "3114" in told.text or "119" in told.text
    # When an educator comes on duty, the waiting queue is offered at once.
    await emu.send_text(lea, "/dispo")
    await bot.settle()
    assert card_of(emu, lea)


async def test_queue_listing_and_take_next_for_educators(bot):
    emu = bot.emulator
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa")
    youth = emu.add_user("Y")
    await ask_for_educator(bot, youth, "je cherche un apprentissage")
    await emu.send_text(lea, "/file")
    listing = await emu.wait_for_message(lea, predicate=lambda m: "en attente" in (m.text or ""))
    assert "Jeune #" in listing.text and "apprentissage" in listing.text
    await emu.send_text(lea, "/prendre")
    await emu.wait_for_message(youth, predicate=lambda m: "est là pour toi" in (m.text or ""))
    await emu.send_text(lea, "/prendre")
    await emu.wait_for_message(lea, predicate=lambda m: "Personne n'attend" in (m.text or ""))


async def test_capacity_refusal_is_kind(bot):
    emu = bot.emulator
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa", capacity=1)
    a, b = emu.add_user("A"), emu.add_user("B")
    await ask_for_educator(bot, a)
    await ask_for_educator(bot, b)
    await emu.send_text(lea, "/prendre")
    await emu.wait_for_message(a, predicate=lambda m: "est là pour toi" in (m.text or ""))
    await emu.send_text(lea, "/prendre")
    refusal = await emu.wait_for_message(lea, predicate=lambda m: "maximum" in (m.text or ""))
    assert "Prends soin de toi" in refusal.text


async def test_a_young_person_who_blocks_the_bot_closes_the_conversation(bot):
    emu = bot.emulator
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa")
    youth = emu.add_user("Y")
    await ask_for_educator(bot, youth)
    await emu.send_text(lea, "/prendre")
    await emu.wait_for_message(youth, predicate=lambda m: "est là pour toi" in (m.text or ""))
    await bot.settle()
    emu.block(youth)
    await bot.settle()
    told = await emu.wait_for_message(lea, predicate=lambda m: "bloqué" in (m.text or ""))
    assert told.thread_id is not None
    conversation = await bot.conversation_of(youth.id)
    assert conversation.status == "closed" and conversation.closed_by == "unreachable"
    assert (await bot.youth(youth.id)).unreachable_at is not None


async def test_a_403_on_sending_marks_the_young_person_unreachable(bot):
    emu = bot.emulator
    youth = emu.add_user("Y")
    await emu.send_text(youth, "/start")
    await emu.wait_for_message(youth)
    await emu.send_text(youth, "coucou")
    emu.block(youth, notify=False)  # during the pause; the bot learns it when sending
    await bot.settle()
    assert (await bot.youth(youth.id)).unreachable_at is not None


async def test_educator_commands_and_buttons_reveal_nothing_to_others(bot):
    emu = bot.emulator
    lea = emu.add_user("Léa")
    await register(bot, lea, "Léa")
    youth, stranger = emu.add_user("Y"), emu.add_user("Stranger")
    await ask_for_educator(bot, youth)
    card = card_of(emu, lea)
    take = card.buttons[0][0][1]
    for command in ("/dispo", "/pause", "/file", "/prendre", "/invite", "/note secret", "/rendre", "/transferer"):
        mark = emu.mark()
        await emu.send_text(stranger, command)
        await bot.settle()
        for message in [m for m in emu.sent(stranger.id) if m.seq > mark]:
            for leak in ("Jeune #", "en attente", "t.me/", "disponible", "Léa"):
                assert leak not in message.text, (command, message.text)
    await emu.send_text(stranger, "/start")
    own = await emu.wait_for_message(stranger, predicate=lambda m: bool(m.buttons))
    query = forge_callback(emu, stranger, own, take)
    answer = await emu.wait_for_callback_answer(query)
    assert "plus actif" in answer.text
    conversation = await bot.conversation_of(youth.id)
    assert conversation.status == "waiting"


async def test_an_educator_cannot_act_on_a_conversation_that_is_not_theirs(bot):
    emu = bot.emulator
    lea, marc = emu.add_user("Léa"), emu.add_user("Marc")
    await register(bot, lea, "Léa")
    await register(bot, marc, "Marc")
    youth = emu.add_user("Y")
    await ask_for_educator(bot, youth)
    await emu.send_text(lea, "/prendre")
    await emu.wait_for_message(youth, predicate=lambda m: "est là pour toi" in (m.text or ""))
    await bot.settle()
    [topic] = emu.topics(lea.id)
    # Marc forges a message into Léa's topic id in his own chat, and presses a transfer button.
    mark = emu.mark()
    await emu.send_text(marc, "hello", thread_id=None)
    await emu.send_text(marc, "/fin")
    await bot.settle()
    assert not [m for m in emu.sent(youth.id) if m.seq > mark]
    conversation = await bot.conversation_of(youth.id)
    assert conversation.status == "assigned"
    assert topic


async def test_invite_link_registers_a_new_educator(bot):
    emu = bot.emulator
    coordinator = emu.add_user("Coord", user_id=900)  # in ADMIN_IDS
    await emu.send_text(coordinator, "/invite")
    invite = await emu.wait_for_message(coordinator, predicate=lambda m: "t.me/" in (m.text or ""))
    link = next(word for word in invite.text.split() if "t.me/" in word)
    token = link.split("start=", 1)[1]
    newcomer = emu.add_user("Léa")
    await emu.send_text(newcomer, f"/start {token}")
    await emu.wait_for_message(newcomer, predicate=lambda m: "prénom" in (m.text or ""))
    await emu.send_text(newcomer, "Léa — Centre social Val d'Auron")
    done = await emu.wait_for_message(newcomer, predicate=lambda m: "te verront" in (m.text or ""))
    assert "Léa (Centre social Val d'Auron)" in done.text
    # Single use.
    other = emu.add_user("Other")
    await emu.send_text(other, f"/start {token}")
    refused = await emu.wait_for_message(other, predicate=lambda m: "plus valable" in (m.text or ""))
    assert refused
