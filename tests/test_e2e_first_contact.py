"""A young person's first contact, end to end: the real bot, a real database, over HTTP."""

from __future__ import annotations

import asyncio
import json
import re

from sqlalchemy import inspect, select, text

from bot.i18n import t
from storage.models import AuditEvent
from tests.support.forgery import forge_callback


async def test_start_presents_the_team_the_emergency_numbers_and_privacy(bot):
    emu = bot.emulator
    ines = emu.add_user("Inès")
    await emu.send_text(ines, "/start")
    welcome = await emu.wait_for_message(ines)
    assert "Promeneurs du Net du Cher" in welcome.text
    for number in ("112", "15", "17", "119", "3114"):
        assert number in welcome.text
    assert "pas un service d'urgence" in welcome.text
    assert "anonyme" in welcome.text
    assert "/confidentialite" in welcome.text and "/oubli" in welcome.text
    assert welcome.text.rstrip().endswith("?") or "?" in welcome.text.splitlines()[-1]
    assert any("éducateur" in label for row in welcome.buttons for label, _ in row)


async def test_help_and_privacy_notice(bot):
    emu = bot.emulator
    sam = emu.add_user("Sam")
    await emu.send_text(sam, "/aide")
    help_message = await emu.wait_for_message(sam)
    for command in ("/educateur", "/mesdonnees", "/oubli", "/confidentialite"):
        assert command in help_message.text
    await emu.send_text(sam, "/confidentialite")
    notice = await emu.wait_for_message(sam)
    assert "30 jours" in notice.text  # RETENTION_DAYS
    assert "pseudo" in notice.text
    assert "danger" in notice.text  # no secrecy promised when someone is in danger
    assert "/mesdonnees" in notice.text and "/oubli" in notice.text


async def test_every_content_type_is_stored_and_answered_kindly(bot_any_db):
    bot = bot_any_db  # SQLite, and PostgreSQL when TEST_POSTGRES_URL is set
    emu = bot.emulator
    lou = emu.add_user("Lou")
    sent = [
        (await emu.send_text(lou, "coucou")),
        (await emu.send_photo(lou, caption="regarde")),
        (await emu.send_voice(lou)),
        (await emu.send_sticker(lou, "😎")),
        (await emu.send_document(lou, b"%PDF-1.4", "cv.pdf")),
        (await emu.send_location(lou, 47.08, 2.39)),
        (await emu.send_video(lou)),
    ]
    await bot.settle()
    stored = [m for m in await bot.messages_of(lou.id) if m.direction == "in"]
    assert [m.content_type for m in stored] == [
        "text",
        "photo",
        "voice",
        "sticker",
        "document",
        "location",
        "video",
    ]
    assert [m.tg_message_id for m in stored] == [m.message_id for m in sent]
    assert stored[0].text == "coucou" and stored[1].text == "regarde"
    assert stored[2].file_id and stored[4].file_id
    assert stored[5].text is None and stored[5].file_id is None  # no position kept
    replies = emu.sent(lou.id)
    assert replies, "the bot answered"


async def test_each_content_type_gets_a_sensible_answer(bot):
    emu = bot.emulator
    expectations = [
        ("sticker", lambda u: emu.send_sticker(u, "🙂"), "Bien reçu"),
        ("voice", lambda u: emu.send_voice(u), "vocal"),
        ("photo", lambda u: emu.send_photo(u), "photo"),
        ("document", lambda u: emu.send_document(u, b"x", "a.pdf"), "document"),
        ("location", lambda u: emu.send_location(u, 47.0, 2.4), "position"),
    ]
    for index, (kind, send, expected) in enumerate(expectations):
        user = emu.add_user(f"U{index}")
        await emu.send_text(user, "/start")
        await emu.wait_for_message(user)
        await send(user)
        answer = await emu.wait_for_message(user, timeout=5)
        assert expected in answer.text, (kind, answer.text)


async def test_a_burst_gets_one_answer_after_the_pause(bot_any_db):
    bot = bot_any_db  # SQLite, and PostgreSQL when TEST_POSTGRES_URL is set
    emu = bot.emulator
    noa = emu.add_user("Noa")
    await emu.send_text(noa, "/start")
    await emu.wait_for_message(noa)
    for fragment in ("slt", "jsp", "g un pb", "avec ma mere"):
        await emu.send_text(noa, fragment)
        await asyncio.sleep(0.05)
    first = await emu.wait_for_message(noa, timeout=5)
    await asyncio.sleep(1.0)
    # The welcome, then one answer for the whole burst — followed, at most, by the offer to
    # look for places nearby when the burst names a subject that has some.
    _welcome, answer, *rest = emu.sent(noa.id)
    assert answer is first and answer.text, emu.transcript(noa.id)
    assert [m.text for m in rest] in ([], [t("directory.offer")]), emu.transcript(noa.id)
    stored = [m.text for m in await bot.messages_of(noa.id) if m.direction == "in"]
    assert stored == ["slt", "jsp", "g un pb", "avec ma mere"]


async def test_first_message_without_start_gets_the_short_presentation(bot):
    emu = bot.emulator
    kim = emu.add_user("Kim")
    await emu.send_text(kim, "wsh")
    answer = await emu.wait_for_message(kim, timeout=5)
    assert "Promeneurs du Net du Cher" in answer.text
    assert "112" in answer.text and "3114" in answer.text
    await emu.send_text(kim, "t ki")
    again = await emu.wait_for_message(kim, timeout=5)
    assert "112" not in again.text  # presented once


async def test_my_data_export_is_a_json_document_of_everything_kept(bot):
    emu = bot.emulator
    eli = emu.add_user("Eli")
    await emu.send_text(eli, "/start")
    await emu.send_text(eli, "je cherche un taf pour cet ete")
    await bot.settle()
    await emu.send_text(eli, "/mesdonnees")
    document = await emu.wait_for_message(eli, predicate=lambda m: m.content_type == "document")
    data = json.loads(document.document.content)
    texts = [m["texte"] for c in data["conversations"] for m in c["messages"]]
    assert "je cherche un taf pour cet ete" in texts
    assert data["identifiant_telegram"] == eli.id
    assert data["pseudo_vu_par_les_educateurs"].startswith("Jeune #")
    async with bot.uow() as uow:
        actions = (await uow.session.scalars(select(AuditEvent.action))).all()
        assert "privacy.export" in actions
        details = (await uow.session.scalars(select(AuditEvent.details))).all()
        assert all("taf" not in json.dumps(d) for d in details)  # no content in the audit trail


# Public open data (communes, the service directory): nothing about anyone, and full of codes
# that a short pseudonym or an id may happen to spell.
PUBLIC_TABLES = {"communes", "directory_structures", "directory_services", "directory_meta"}


async def _all_rows(bot) -> list[tuple[str, dict]]:
    rows = []
    async with bot.uow() as uow:
        connection = await uow.session.connection()
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        for table in sorted(set(tables) - PUBLIC_TABLES):
            for row in (await uow.session.execute(text(f'SELECT * FROM "{table}"'))).mappings():
                rows.append((table, dict(row)))
    return rows


async def test_forget_me_leaves_nothing_about_that_person(bot_any_db):
    bot = bot_any_db  # SQLite, and PostgreSQL when TEST_POSTGRES_URL is set
    emu = bot.emulator
    zoe = emu.add_user("Zoé")
    other = emu.add_user("Other")
    await emu.send_text(zoe, "/start")
    await emu.send_text(zoe, "mon daron me saoule grave")
    await emu.send_photo(zoe, caption="ma chambre")
    await emu.send_text(other, "salut")
    await bot.settle()
    await emu.send_text(zoe, "/mesdonnees")
    await bot.settle()
    pseudonym = (await bot.youth(zoe.id)).pseudonym
    await emu.send_text(zoe, "/oubli")
    confirm = await emu.wait_for_message(zoe, predicate=lambda m: "vraiment" in (m.text or ""))
    await emu.press_button(zoe, confirm, "privacy:erase:yes")
    done = await emu.wait_for_message(zoe, predicate=lambda m: "fait" in m.text and "effacé" in m.text)
    assert "tout effacé" in done.text
    await bot.settle()
    # Whole words: a four-character pseudonym may be spelled by the digits of a timestamp.
    needles = [
        re.compile(rf"(?<![0-9A-Za-z]){re.escape(needle)}(?![0-9A-Za-z])")
        for needle in (str(zoe.id), pseudonym, "daron", "ma chambre")
    ]
    for table, row in await _all_rows(bot):
        flat = json.dumps(row, default=str, ensure_ascii=False)
        for needle in needles:
            assert not needle.search(flat), f"{needle.pattern!r} left in {table}: {flat}"
    assert await bot.youth(other.id) is not None  # only that person
    async with bot.uow() as uow:
        assert await uow.counters.total("youth.erased") == 1
        assert await uow.counters.total("message.in") >= 3  # anonymous counters survive
        actions = (await uow.session.scalars(select(AuditEvent.action))).all()
        assert "privacy.erase" in actions


async def test_forget_me_can_be_cancelled(bot):
    emu = bot.emulator
    ana = emu.add_user("Ana")
    await emu.send_text(ana, "coucou")
    await bot.settle()
    await emu.send_text(ana, "/oubli")
    confirm = await emu.wait_for_message(ana, predicate=lambda m: "vraiment" in (m.text or ""))
    await emu.press_button(ana, confirm, "privacy:erase:no")
    await emu.wait_for_message(ana, predicate=lambda m: "n'efface rien" in (m.text or ""))
    assert await bot.youth(ana.id) is not None


async def test_a_replayed_update_is_processed_once(bot_any_db):
    bot = bot_any_db  # SQLite, and PostgreSQL when TEST_POSTGRES_URL is set
    from aiogram.types import Update

    emu = bot.emulator
    max_ = emu.add_user("Max")
    original = await emu.send_text(max_, "je cherche un stage")
    await bot.settle()
    replies_before = len(emu.sent(max_.id))
    raw = {"update_id": original.update_id, "message": original.to_api()}
    await bot.app.dispatcher.feed_update(bot.app.bot, Update.model_validate(raw))
    await bot.settle()
    stored = [m for m in await bot.messages_of(max_.id) if m.direction == "in"]
    assert len(stored) == 1
    assert len(emu.sent(max_.id)) == replies_before


async def test_bot_added_to_a_group_says_private_only_and_leaves(bot):
    emu = bot.emulator
    owner = emu.add_user("Owner")
    group = emu.add_group("Les potes", members=[owner], bots=[])
    await emu.add_bot_to_group(group, by=owner)
    message = await emu.wait_for_message(group.id)
    assert "message privé" in message.text
    await emu.wait_for_request("leaveChat")


async def test_unknown_button_and_odd_updates_get_a_handled_path(bot):
    emu = bot.emulator
    ray = emu.add_user("Ray")
    await emu.send_text(ray, "/start")
    welcome = await emu.wait_for_message(ray)
    query = forge_callback(emu, ray, welcome, "nothing:known")
    answer = await emu.wait_for_callback_answer(query)
    assert "plus actif" in (answer.text or "")
    await emu.send_dice(ray)
    await emu.send_poll(ray, "Pizza ?", ["oui", "non"])
    await bot.settle()
    assert all("Traceback" not in (m.text or "") for m in emu.sent(ray.id))
