"""The directory in the conversation, end to end: real Dispatcher, real HTTP, the emulator."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.directory.importer import import_file

SAMPLE = Path(__file__).resolve().parents[1] / "config" / "directory" / "sample_cher.json"
VIERZON = (47.2219, 2.0688)


@pytest.fixture
async def bot_with_places(bot):
    await import_file(bot.app.context.database, SAMPLE, now=datetime.now(UTC))
    return bot


async def started(bot, name):
    emu = bot.emulator
    user = emu.add_user(name)
    await emu.send_text(user, "/start")
    await emu.wait_for_message(user)
    return user


def buttons(message) -> list[str]:
    markup = (message.reply_markup or {}).get("inline_keyboard", [])
    return [b.get("callback_data") for row in markup for b in row if b.get("callback_data")]


async def test_looking_for_a_job_then_18000_gets_cards_with_hours_and_tap_to_call(bot_with_places):
    bot = bot_with_places
    emu = bot.emulator
    youth = await started(bot, "Y")
    await emu.send_text(youth, "jcherche un taf mais jsp par ou commencer")
    ack, offer = await emu.wait_for_messages(youth, 2, timeout=5)
    assert "Dis-moi ta ville ou ton code postal" in offer.text
    assert offer.reply_markup["keyboard"][0][0]["request_location"] is True

    await emu.send_text(youth, "18000")
    places, consent = await emu.wait_for_messages(youth, 2, timeout=5)
    assert "Bourges" in places.text
    # The right kinds of places for a job, with hours and a tap-to-call number.
    assert "Mission Locale de Bourges" in places.text
    assert "France Travail Bourges" in places.text
    assert "🕒" in places.text
    calls = [e["url"] for e in places.content.get("entities", []) if e.get("url", "").startswith("tel:")]
    assert "tel:3949" in calls  # France Travail's number, a tap-to-call link
    assert buttons(places)[-2:] == ["conv:other", "conv:educator"]
    assert "dir:keep:18033" in buttons(consent)
    # A town answer is not followed by the bot's usual "je t'écoute" reply.
    await bot.settle()
    assert emu.messages(youth)[-1].message_id == consent.message_id

    # Only with consent is the commune kept; /oubli erases it with the rest.
    await emu.press_button(youth, consent, "dir:keep:18033")
    kept = await emu.wait_for_message(youth, timeout=5)
    assert "Bourges" in kept.text
    assert (await bot.youth(youth.id)).commune_code == "18033"

    await emu.press_button(youth, places, buttons(places)[0])  # "Plus de lieux"
    more = await emu.wait_for_message(youth, timeout=5)
    assert "Mission Locale de Bourges" not in more.text


async def test_a_town_named_in_the_message_gets_places_at_once(bot_with_places):
    bot = bot_with_places
    emu = bot.emulator
    youth = await started(bot, "Y")
    await emu.send_text(youth, "je cherche du boulot a vierzon")
    ack, places = await emu.wait_for_messages(youth, 2, timeout=5)
    assert "Vierzon" in places.text
    assert "France Travail Vierzon" in places.text or "Mission Locale de Vierzon" in places.text


async def test_a_shared_position_gets_places_near_it_and_is_not_stored(bot_with_places):
    bot = bot_with_places
    emu = bot.emulator
    youth = await started(bot, "Y")
    await emu.send_text(youth, "je cherche un boulot")
    await emu.wait_for_messages(youth, 2, timeout=5)
    await emu.send_location(youth, *VIERZON)
    places, consent = await emu.wait_for_messages(youth, 2, timeout=5)
    assert "Vierzon" in places.text
    stored = [m for m in await bot.messages_of(youth.id) if m.direction == "in"]
    assert stored[-1].content_type == "location" and stored[-1].text is None
    assert (await bot.youth(youth.id)).commune_code is None


async def test_danger_while_the_bot_waits_for_a_town_still_gets_the_emergency_answer(bot_with_places):
    bot = bot_with_places
    emu = bot.emulator
    youth = await started(bot, "Y")
    await emu.send_text(youth, "je cherche un appart")
    await emu.wait_for_messages(youth, 2, timeout=5)
    await emu.send_text(youth, "jveux me tuer ce soir")
    reply = await emu.wait_for_message(youth, timeout=3)
    assert "3114" in reply.text
    assert (await bot.youth(youth.id)).awaiting is None


async def test_unknown_town_and_places_on_request(bot_with_places):
    bot = bot_with_places
    emu = bot.emulator
    youth = await started(bot, "Y")
    await emu.send_text(youth, "/lieux")
    ask = await emu.wait_for_message(youth, timeout=5)
    assert "Dis-moi ce que tu cherches" in ask.text, emu.transcript(youth.id)
    await emu.send_text(youth, "jai besoin dun logement")
    await emu.wait_for_messages(youth, 2, timeout=5)
    await emu.send_text(youth, "bourjes")  # a typo still finds Bourges
    places, _consent = await emu.wait_for_messages(youth, 2, timeout=5)
    assert "Bourges" in places.text
