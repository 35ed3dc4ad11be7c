"""The hand-off, end to end: a young person, two educators, the real bot and the emulator."""

from __future__ import annotations

import re

import asyncio

from sqlalchemy import select

from storage.models import AuditEvent, ConversationNote


async def register(bot, user, name, structure="Centre social Val d'Auron", *, on_duty=True, capacity=3):
    async with bot.uow() as uow:
        await uow.team.add(user.id, name, structure, capacity=capacity)
    if on_duty:
        await bot.emulator.send_text(user, "/dispo")
        await bot.emulator.wait_for_message(user, predicate=lambda m: "disponible" in (m.text or ""))


def card_of(emu, educator):
    """The latest queue card in an educator's chat (it carries a "take" button)."""
    return next(
        m
        for m in reversed(emu.sent(educator.id))
        if any(data and data.startswith("q:take:") for row in m.buttons for _, data in row)
    )


async def ask_for_educator(bot, youth, text="jsp a qui parler, j'ai besoin d'aide"):
    emu = bot.emulator
    await emu.send_text(youth, "/start")
    welcome = await emu.wait_for_message(youth)
    await emu.send_text(youth, text)
    await bot.settle()
    await emu.press_button(youth, welcome, "conv:educator")
    return await emu.wait_for_message(
        youth, predicate=lambda m: re.search(r"\d+(re|e) position", m.text) or "disponible" in m.text
    )


async def test_the_whole_path_from_request_to_feedback(bot_any_db):
    bot = bot_any_db  # SQLite, and PostgreSQL when TEST_POSTGRES_URL is set
    emu = bot.emulator
    lea, marc = emu.add_user("Léa"), emu.add_user("Marc")
    await register(bot, lea, "Léa")
    await register(bot, marc, "Marc", "Mission Locale de Bourges")
    ines = emu.add_user("Inès")

    position = await ask_for_educator(bot, ines)
    assert "1re position" in position.text

    # Both educators get a card; both click at once: exactly one wins.
    await bot.settle()
    card_lea, card_marc = card_of(emu, lea), card_of(emu, marc)
    assert "Jeune #" in card_lea.text and "j'ai besoin d'aide" in card_lea.text
    take_data = card_lea.buttons[0][0][1]
    clicks = await asyncio.gather(
        emu.press_button(lea, card_lea, take_data), emu.press_button(marc, card_marc, take_data)
    )
    answers = [await emu.wait_for_callback_answer(c) for c in clicks]
    toasts = sorted(a.text for a in answers)
    assert toasts == sorted(["C'est à toi !", "Déjà prise par un·e collègue."])
    winner, loser = (lea, marc) if answers[0].text == "C'est à toi !" else (marc, lea)
    await bot.settle()
    for educator, card in ((lea, card_lea), (marc, card_marc)):
        card = emu.message(educator.id, card.message_id)
        assert "Pris en charge par" in card.text and card.buttons == []
    assert any("collègue vient de prendre" in (m.text or "") for m in emu.sent(loser.id))
    told = [m.text for m in emu.sent(ines.id) if "est là pour toi" in m.text]
    assert told and ("Léa (Centre social Val d'Auron)" in told[0] or "Marc (Mission Locale" in told[0])

    # A topic in the winner's chat, with the history.
    [topic] = emu.topics(winner.id)
    assert "Jeune #" in topic.name
    in_topic = emu.sent(winner.id, thread_id=topic.message_thread_id)
    assert any("j'ai besoin d'aide" in (m.text or "") for m in in_topic)
    thread = topic.message_thread_id

    # Relay both ways: text, photo, voice, sticker, document, album, edits.
    mark = emu.mark()
    said = await emu.send_text(ines, "en fait c'est chaud chez moi")
    await emu.send_photo(ines, caption="la preuve")
    await emu.send_voice(ines)
    await emu.send_sticker(ines, "😢")
    await emu.send_document(ines, b"hello", "lettre.pdf")
    await emu.send_album(ines, ["photo", "photo"])
    relayed = await emu.wait_for_messages(winner.id, count=7, since=mark, thread_id=thread, timeout=10)
    kinds = [m.content_type for m in relayed]
    assert kinds == ["text", "photo", "voice", "sticker", "document", "photo", "photo"]
    assert all(m.copied_from is not None for m in relayed)
    await emu.edit_text(ines, said, "en fait c'est tres chaud chez moi")
    edited = await emu.wait_for_edit(winner.id, message_id=relayed[0].message_id)
    assert edited.text == "en fait c'est tres chaud chez moi"
    assert [m for m in emu.sent(ines.id) if m.seq > mark and m.method == "sendMessage"] == []  # bot silent

    mark = emu.mark()
    answer = await emu.send_text(winner, "Je suis là. Tu veux m'expliquer ?", thread_id=thread)
    [copy] = await emu.wait_for_messages(ines.id, since=mark, timeout=5)
    assert copy.text == "Je suis là. Tu veux m'expliquer ?"
    await emu.edit_text(winner, answer, "Je suis là. Tu veux bien m'expliquer ?")
    edited = await emu.wait_for_edit(ines.id, message_id=copy.message_id)
    assert edited.text == "Je suis là. Tu veux bien m'expliquer ?"
    await emu.send_photo(winner, caption="un flyer", thread_id=thread)
    photo = await emu.wait_for_message(ines.id, predicate=lambda m: m.content_type == "photo")
    assert photo.text == "un flyer"

    # A note stays internal.
    mark = emu.mark()
    await emu.send_text(winner, "/note semble en danger a la maison, a suivre", thread_id=thread)
    await emu.wait_for_message(winner.id, predicate=lambda m: "Note enregistrée" in (m.text or ""))
    await bot.settle()
    assert not [m for m in emu.sent(ines.id) if m.seq > mark]

    # Transfer to the colleague, who receives the history and the note.
    await emu.send_text(winner, "/transferer", thread_id=thread)
    choose = await emu.wait_for_message(winner.id, predicate=lambda m: "À qui veux-tu" in (m.text or ""))
    await emu.press_button(winner, choose, choose.buttons[0][0][1])
    request = await emu.wait_for_message(loser.id, predicate=lambda m: "propose de reprendre" in (m.text or ""))
    await emu.press_button(loser, request, request.buttons[0][0][1])
    await bot.settle()
    [new_topic] = emu.topics(loser.id)
    history = " ".join(m.text or "" for m in emu.sent(loser.id, thread_id=new_topic.message_thread_id))
    assert "semble en danger a la maison" in history
    assert "chaud chez moi" in history
    assert any("prend le relais" in (m.text or "") for m in emu.sent(ines.id))
    assert any("a repris la conversation" in (m.text or "") for m in emu.sent(winner.id))

    # The old owner can no longer write to the young person.
    mark = emu.mark()
    await emu.send_text(winner, "encore moi", thread_id=thread)
    await emu.wait_for_message(winner.id, predicate=lambda m: "plus la tienne" in (m.text or ""))
    assert not [m for m in emu.sent(ines.id) if m.seq > mark]

    # The end, and feedback.
    await emu.send_text(loser, "/fin", thread_id=new_topic.message_thread_id)
    question = await emu.wait_for_message(ines.id, predicate=lambda m: "ça t'a aidé" in (m.text or ""))
    await emu.press_button(ines, question, next(d for row in question.buttons for _, d in row if d.endswith(":good")))
    await emu.wait_for_message(ines.id, predicate=lambda m: "ajoute un mot" in (m.text or ""))
    await emu.send_text(ines, "merci c'était bien")
    await emu.wait_for_message(ines.id, predicate=lambda m: "c'est noté" in (m.text or ""))
    conversation = await bot.conversation_of(ines.id)
    assert conversation.status == "closed"
    assert conversation.feedback == "good"
    assert conversation.feedback_comment == "merci c'était bien"
    async with bot.uow() as uow:
        actions = (await uow.session.scalars(select(AuditEvent.action))).all()
        notes = (await uow.session.scalars(select(ConversationNote.text))).all()
    for action in ("conversation.taken", "conversation.transferred", "conversation.closed", "conversation.history_viewed"):
        assert action in actions
    assert notes == ["semble en danger a la maison, a suivre"]

