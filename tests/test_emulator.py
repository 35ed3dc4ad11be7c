"""The Bot API emulator, driven by a real aiogram Bot over real HTTP (and by plain aiohttp)."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    ReplyParameters,
)
from aiohttp import web

from bot.emulator import ANY, BotAPIEmulator, EmulatorTimeout, LimitPolicy, format_text
from bot.emulator.formatting import ParseError, parse_markdown_v2, utf16_len
from bot.emulator.limits import RateLimiter

TOKEN = "123456:TEST-TOKEN"


# ----------------------------------------------------------------------------- fixtures


async def _close_bot(bot: Bot) -> None:
    # AiohttpSession.close() sleeps 250 ms for TLS; nothing to wait for on plain localhost.
    session = bot.session._session  # type: ignore[attr-defined]
    if session is not None and not session.closed:
        await session.close()


@pytest.fixture
async def emu():
    async with BotAPIEmulator() as emulator:
        emulator.add_bot(TOKEN, username="promeneur_bot")
        yield emulator


@pytest.fixture
async def bot(emu):
    aiogram_bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
    yield aiogram_bot
    await _close_bot(aiogram_bot)


@pytest.fixture
async def http(emu):
    async with aiohttp.ClientSession() as session:
        yield session


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data) for text, data in pairs]]
    )


# ----------------------------------------------------------------------------- basics


async def test_get_me_describes_the_bot(bot):
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot is True
    assert me.username == "promeneur_bot"
    assert me.can_join_groups is True
    assert me.has_topics_enabled is True


async def test_wrong_token_is_unauthorized(emu):
    stranger = Bot("999:NOPE", session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await _close_bot(stranger)


async def test_unknown_method_is_404(emu, http):
    async with http.post(f"{emu.base_url}/bot{TOKEN}/frobnicate") as resp:
        assert resp.status == 404
        assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_json_urlencoded_and_query_string_bodies(emu, http):
    user = emu.add_user("Léa")
    url = f"{emu.base_url}/bot{TOKEN}/sendMessage"
    async with http.post(url, json={"chat_id": user.id, "text": "json", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x"}]]}}) as resp:
        body = await resp.json()
        assert resp.status == 200 and body["ok"] is True
        assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "x"
    async with http.post(url, data={"chat_id": str(user.id), "text": "form"}) as resp:
        assert (await resp.json())["result"]["text"] == "form"
    async with http.get(url, params={"chat_id": str(user.id), "text": "query"}) as resp:
        assert (await resp.json())["result"]["text"] == "query"
    assert [m.text for m in emu.sent(user)] == ["json", "form", "query"]
    async with http.post(url, json={"chat_id": user.id}) as resp:
        assert resp.status == 400
        assert (await resp.json())["description"] == "Bad Request: message text is empty"
    async with http.post(url, json={"chat_id": 42, "text": "x"}) as resp:
        assert (await resp.json())["description"] == "Bad Request: chat not found"


# ----------------------------------------------------------------------------- updates


async def test_long_polling_returns_as_soon_as_an_update_arrives(emu, bot):
    user = emu.add_user("Inès")

    async def later():
        await asyncio.sleep(0.2)
        await emu.send_text(user, "slt")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=10)
    elapsed = time.monotonic() - started
    await task
    assert 0.15 < elapsed < 2
    assert len(updates) == 1
    message = updates[0].message
    assert message.text == "slt"
    assert message.chat.id == user.id and message.chat.type == "private"
    assert message.from_user.first_name == "Inès"


async def test_long_polling_times_out_empty(bot):
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9


async def test_offsets_confirm_updates_and_limit_batches(emu, bot):
    user = emu.add_user()
    for text in ("un", "deux", "trois"):
        await emu.send_text(user, text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["un", "deux"]
    again = await bot.get_updates()  # nothing confirmed yet: same updates again
    assert [u.message.text for u in again] == ["un", "deux", "trois"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["trois"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == []
    assert emu.pending_updates() == []
    ids = [u.update_id for u in again]
    assert ids == sorted(ids) and len(set(ids)) == 3


async def test_commands_get_bot_command_entities(emu, bot):
    user = emu.add_user()
    await emu.send_text(user, "/start@promeneur_bot hello")
    [update] = await bot.get_updates()
    [entity] = update.message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 20)


async def test_newer_get_updates_terminates_older_one(bot):
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    newer = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError):
        await older
    assert await newer == []


async def test_allowed_updates_filters_update_types(emu, bot):
    user = emu.add_user()
    group = emu.add_group("Staff")
    await emu.add_user_to_group(user, group)  # chat_member + new_chat_members message
    default = await bot.get_updates()
    assert [u.event_type for u in default] == ["message"]
    assert default[0].message.new_chat_members[0].id == user.id
    await emu.add_user_to_group(emu.add_user(), group)
    wanted = await bot.get_updates(offset=default[-1].update_id + 1, allowed_updates=["chat_member"])
    assert [u.event_type for u in wanted] == ["chat_member"]


# ----------------------------------------------------------------------------- sending


async def test_send_message_html_keyboard_and_reply(emu, bot):
    user = emu.add_user("Inès")
    question = await emu.send_text(user, "j'ai besoin d'aide")
    sent = await bot.send_message(
        user.id,
        "<b>Bonjour</b> Inès &lt;3",
        parse_mode="HTML",
        reply_markup=keyboard(("Oui", "yes"), ("Non", "no")),
        reply_parameters=ReplyParameters(message_id=question.message_id),
    )
    assert sent.text == "Bonjour Inès <3"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 7
    assert sent.reply_to_message.message_id == question.message_id
    assert sent.from_user.id == 123456
    stored = emu.last_sent(user)
    assert stored.message_id == sent.message_id
    assert stored.parse_mode == "HTML" and stored.source_text == "<b>Bonjour</b> Inès &lt;3"
    assert stored.buttons == [[("Oui", "yes"), ("Non", "no")]]
    assert stored.reply_to is question


async def test_bad_html_is_refused_like_telegram(emu, bot):
    user = emu.add_user()
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(user.id, "Pseudo <Inès> a écrit", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(user.id, "x" * 4097)
    assert emu.sent(user) == []


async def test_every_content_type(emu, bot):
    user = emu.add_user()
    photo = BufferedInputFile(b"\xff\xd8jpeg", "p.jpg")
    results = [
        await bot.send_photo(user.id, photo, caption="une photo"),
        await bot.send_document(user.id, BufferedInputFile(b"%PDF", "guide.pdf")),
        await bot.send_voice(user.id, BufferedInputFile(b"OggS", "v.ogg"), duration=4),
        await bot.send_video(user.id, BufferedInputFile(b"mp4", "v.mp4")),
        await bot.send_sticker(user.id, BufferedInputFile(b"webp", "s.webp")),
        await bot.send_audio(user.id, BufferedInputFile(b"id3", "a.mp3"), title="Chanson"),
        await bot.send_animation(user.id, BufferedInputFile(b"gif", "a.mp4")),
        await bot.send_location(user.id, 47.08, 2.39),
        await bot.send_contact(user.id, "+33600000000", "Écoute"),
    ]
    assert [m.content_type for m in results] == [
        "photo",
        "document",
        "voice",
        "video",
        "sticker",
        "audio",
        "animation",
        "location",
        "contact",
    ]
    assert results[0].caption == "une photo"
    assert results[2].voice.duration == 4
    assert results[7].location.latitude == pytest.approx(47.08)
    assert [m.content_type for m in emu.sent(user)] == [
        "photo",
        "document",
        "voice",
        "video",
        "sticker",
        "audio",
        "animation",
        "location",
        "contact",
    ]
    album = await bot.send_media_group(
        user.id,
        [InputMediaPhoto(media=BufferedInputFile(b"1", "1.jpg"), caption="album"), InputMediaPhoto(media=results[0].photo[-1].file_id)],
    )
    assert len(album) == 2
    assert album[0].media_group_id == album[1].media_group_id is not None
    assert album[1].photo[-1].file_id == results[0].photo[-1].file_id
    assert await bot.send_chat_action(user.id, "typing") is True
    assert emu.chat_action(user) == "typing"


async def test_document_upload_keeps_bytes_and_can_be_downloaded(emu, bot):
    user = emu.add_user()
    payload = "Relevé de la conversation\n".encode() * 100
    sent = await bot.send_document(user.id, BufferedInputFile(payload, "transcript.txt"), caption="Export")
    stored = emu.last_sent(user)
    assert stored.document.content == payload
    assert stored.document.filename == "transcript.txt"
    assert stored.caption == "Export"
    assert sent.document.file_size == len(payload)
    file = await bot.get_file(sent.document.file_id)
    downloaded = await bot.download_file(file.file_path)
    assert downloaded.read() == payload


async def test_user_media_reaches_the_bot_and_file_ids_work(emu, bot):
    user = emu.add_user()
    await emu.send_document(user, b"mon CV", "cv.pdf", caption="regarde")
    await emu.send_voice(user, duration=7)
    await emu.send_location(user, 48.85, 2.35)
    await emu.send_album(user, ["photo", "photo"], caption="vacances")
    updates = await bot.get_updates()
    kinds = [u.message.content_type for u in updates]
    assert kinds == ["document", "voice", "location", "photo", "photo"]
    document = updates[0].message.document
    assert document.file_name == "cv.pdf" and updates[0].message.caption == "regarde"
    assert updates[1].message.voice.duration == 7
    assert updates[3].message.media_group_id == updates[4].message.media_group_id
    file = await bot.get_file(document.file_id)
    assert (await bot.download_file(file.file_path)).read() == b"mon CV"
    relayed = await bot.send_document(user.id, document.file_id)
    assert relayed.document.file_id == document.file_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(user.id, "no-such-file-id")


async def test_copy_message_copies_content_and_reports_missing(emu, bot):
    young = emu.add_user("Jeune")
    educator = emu.add_user("Educ")
    original = await emu.send_photo(young, caption="regarde ça")
    copied = await bot.copy_message(educator.id, young.id, original.message_id)
    stored = emu.last_sent(educator)
    assert stored.message_id == copied.message_id
    assert stored.content_type == "photo" and stored.caption == "regarde ça"
    assert stored.copied_from == (young.id, original.message_id)
    text = await emu.send_text(young, "salut")
    await bot.copy_message(educator.id, young.id, text.message_id, reply_markup=keyboard(("Répondre", "r")))
    assert emu.last_sent(educator).text == "salut"
    assert emu.last_sent(educator).buttons == [[("Répondre", "r")]]
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(educator.id, young.id, 9999)
    ids = await bot.copy_messages(educator.id, young.id, [original.message_id, text.message_id])
    assert len(ids) == 2
    forwarded = await bot.forward_message(educator.id, young.id, text.message_id)
    assert forwarded.forward_origin.sender_user.id == young.id


async def test_edit_text_history_not_modified_and_missing(emu, bot):
    user = emu.add_user()
    sent = await bot.send_message(user.id, "Choisis", reply_markup=keyboard(("A", "a")))
    edited = await bot.edit_message_text("Choisis encore", chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard(("A", "a")))
    assert edited.text == "Choisis encore" and edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Choisis encore", chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard(("A", "a")))
    # Without reply_markup the inline keyboard goes away, as on Telegram.
    await bot.edit_message_text("Merci", chat_id=user.id, message_id=sent.message_id)
    stored = emu.last_sent(user)
    assert stored.history == ["Choisis", "Choisis encore", "Merci"]
    assert stored.buttons == []
    await bot.edit_message_reply_markup(chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard(("B", "b")))
    assert stored.buttons == [[("B", "b")]]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard(("B", "b")))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=999)
    mine = await emu.send_text(user, "à moi")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=mine.message_id)
    assert await bot.delete_message(user.id, sent.message_id) is True
    assert stored.deleted
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("y", chat_id=user.id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)


async def test_user_edits_arrive_as_edited_message(emu, bot):
    user = emu.add_user()
    message = await emu.send_text(user, "je suis triste")
    await emu.edit_text(user, message, "je suis très triste")
    updates = await bot.get_updates()
    assert updates[1].edited_message.message_id == message.message_id
    assert updates[1].edited_message.text == "je suis très triste"
    assert updates[0].message.text == "je suis triste"  # the first update is a snapshot


# ----------------------------------------------------------------------------- topics


async def test_forum_topics_in_a_private_chat(emu, bot):
    educator = emu.add_user("Educ")
    topic = await bot.create_forum_topic(educator.id, "Jeune #4F2A")
    assert topic.name == "Jeune #4F2A" and topic.icon_color == 7322096
    inside = await bot.send_message(educator.id, "Nouveau message", message_thread_id=topic.message_thread_id)
    assert inside.message_thread_id == topic.message_thread_id and inside.is_topic_message is True
    assert [t.name for t in emu.topics(educator)] == ["Jeune #4F2A"]
    assert emu.sent(educator, thread_id=topic.message_thread_id) == [emu.last_sent(educator)]
    assert emu.sent(educator, thread_id=None) == []
    assert emu.sent(educator, thread_id=ANY) == emu.sent(educator)

    reply = await emu.send_text(educator, "je m'en occupe", thread_id=topic.message_thread_id)
    [update] = await bot.get_updates()
    assert update.message.message_thread_id == topic.message_thread_id
    assert update.message.is_topic_message is True
    assert reply.thread_id == topic.message_thread_id

    assert await bot.edit_forum_topic(educator.id, topic.message_thread_id, name="Jeune #4F2A (clos)")
    assert emu.topic(educator, topic.message_thread_id).name == "Jeune #4F2A (clos)"
    assert await bot.close_forum_topic(educator.id, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(educator.id, topic.message_thread_id)
    assert await bot.reopen_forum_topic(educator.id, topic.message_thread_id)
    assert await bot.delete_forum_topic(educator.id, topic.message_thread_id)
    assert emu.topics(educator) == []
    assert emu.sent(educator, thread_id=topic.message_thread_id)[0].deleted
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(educator.id, "encore ?", message_thread_id=topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(educator.id, "inventé", message_thread_id=12345)


async def test_topics_need_a_forum_group(emu, bot):
    plain = emu.add_group("Équipe")
    forum = emu.add_group("Équipe forum", forum=True)
    with pytest.raises(TelegramBadRequest, match="not a forum"):
        await bot.create_forum_topic(plain.id, "x")
    topic = await bot.create_forum_topic(forum.id, "Alertes")
    sent = await bot.send_message(forum.id, "alerte", message_thread_id=topic.message_thread_id)
    assert sent.chat.is_forum is True and sent.message_thread_id == topic.message_thread_id


# ----------------------------------------------------------------------------- callbacks


async def test_button_press_and_callback_answer(emu, bot):
    user = emu.add_user()
    sent = await bot.send_message(user.id, "Tu veux parler ?", reply_markup=keyboard(("Oui", "talk:yes"), ("Non", "talk:no")))
    press = await emu.press_button(user, emu.last_sent(user), "talk:yes")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query.id == press.id and query.data == "talk:yes"
    assert query.from_user.id == user.id
    assert query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="C'est noté", show_alert=True)
    answer = await emu.wait_for_callback_answer(press, timeout=1)
    assert answer.text == "C'est noté" and answer.show_alert is True
    assert emu.callback_answers[query.id] is answer
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    by_text = await emu.press_button(user, sent, text="Non")  # an aiogram Message works too
    assert by_text.data == "talk:no"
    with pytest.raises(LookupError):
        await emu.press_button(user, emu.last_sent(user), "talk:maybe")


# ----------------------------------------------------------------------------- errors & faults


async def test_blocked_user_gives_forbidden(emu, bot):
    user = emu.add_user()
    emu.block(user)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(user.id, "coucou")
    [update] = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == "kicked"
    emu.unblock(user)
    assert (await bot.send_message(user.id, "re")).text == "re"
    shy = emu.add_user(started=False)
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(shy.id, "hello")
    await emu.send_text(shy, "/start")
    assert (await bot.send_message(shy.id, "hello")).text == "hello"


async def test_fault_429_with_retry_after(emu, bot):
    user = emu.add_user()
    rule = emu.faults.fail("sendMessage", 429, retry_after=2, times=1)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(user.id, "x")
    assert caught.value.retry_after == 2
    assert rule.hits == 1 and not rule.active
    assert (await bot.send_message(user.id, "y")).text == "y"
    assert [m.text for m in emu.sent(user)] == ["y"]
    assert emu.stats.faults["fail:429"] == 1
    assert emu.stats.rate_limited == 0  # injected, not produced by the limiter


async def test_fault_500_times_and_scoping(emu, bot):
    user, other = emu.add_user(), emu.add_user()
    emu.faults.fail(None, 500, times=2, chat_id=user.id)
    assert (await bot.send_message(other.id, "ok")).text == "ok"  # other chat unaffected
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(user.id, "x")
    assert (await bot.send_message(user.id, "enfin")).text == "enfin"
    emu.faults.fail("getMe", 502, body="<html>Bad Gateway</html>")
    with pytest.raises(ClientDecodeError):
        await bot.get_me()


async def test_dropped_connection_is_a_network_error(emu, bot):
    user = emu.add_user()
    emu.faults.drop_connection("sendMessage", times=1)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(user.id, "perdu")
    assert emu.sent(user) == []
    emu.faults.drop_connection("sendMessage", after=True)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(user.id, "livré mais pas confirmé")
    assert [m.text for m in emu.sent(user)] == ["livré mais pas confirmé"]
    assert (await bot.send_message(user.id, "ensuite")).text == "ensuite"


async def test_delay_fault(emu, bot):
    emu.faults.delay("getMe", 0.3, times=1)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.3


async def test_group_membership_errors(emu, bot):
    group = emu.add_group("Staff")
    assert (await bot.send_message(group.id, "bonjour l'équipe")).chat.type == "supergroup"
    chat = await bot.get_chat(group.id)
    assert chat.title == "Staff" and chat.id < -10**12
    assert await bot.leave_chat(group.id)
    with pytest.raises(TelegramForbiddenError, match="not a member"):
        await bot.send_message(group.id, "encore là ?")
    outsider = emu.add_group("Autre", bots=[])
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(outsider.id, "x")


# ----------------------------------------------------------------------------- limits


async def test_limiter_throttles_a_private_chat():
    async with BotAPIEmulator(enforce_limits=True) as emu:
        emu.add_bot(TOKEN)
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
        try:
            user, other = emu.add_user(), emu.add_user()
            outcomes = []
            for i in range(5):  # 5 messages within one second to one private chat
                try:
                    await bot.send_message(user.id, f"m{i}")
                    outcomes.append("ok")
                except TelegramRetryAfter as error:
                    outcomes.append(error.retry_after)
            assert outcomes == ["ok", "ok", "ok", 1, 1]  # burst of 3, then 1/s
            assert emu.stats.rate_limited == 2
            assert emu.stats.rate_limited_by_scope["private"] == 2
            assert (await bot.send_message(other.id, "autre chat")).text == "autre chat"
            await asyncio.sleep(1.05)
            assert (await bot.send_message(user.id, "après une seconde")).text == "après une seconde"
            assert len(emu.sent(user)) == 4
        finally:
            await _close_bot(bot)


async def test_limiter_group_and_global_windows():
    policy = LimitPolicy(group_limit=3, group_window=60, global_limit=5, global_window=1)
    async with BotAPIEmulator(enforce_limits=policy) as emu:
        emu.add_bot(TOKEN)
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
        try:
            group = emu.add_group("Staff")
            for i in range(3):
                await bot.send_message(group.id, f"g{i}")
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(group.id, "g3")
            assert 59 <= caught.value.retry_after <= 60
            users = [emu.add_user() for _ in range(3)]
            for user in users[:2]:
                await bot.send_message(user.id, "hi")
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(users[2].id, "6th in one second")
            assert emu.stats.rate_limited_by_scope == {"group": 1, "global": 1}
        finally:
            await _close_bot(bot)


def test_rate_limiter_unit():
    now = [0.0]
    limiter = RateLimiter(LimitPolicy(), clock=lambda: now[0])
    assert [limiter.check(1, "private") for _ in range(3)] == [None, None, None]
    refused = limiter.check(1, "private")
    assert refused.scope == "private" and refused.retry_after == 1
    now[0] = 0.5
    assert limiter.check(1, "private") is not None
    now[0] = 1.0
    assert limiter.check(1, "private") is None
    for i in range(20):
        now[0] = 2 + i * 0.1  # stay under 30/s
        assert limiter.check(-100, "supergroup") is None
    decision = limiter.check(-100, "supergroup")
    assert decision.scope == "group" and decision.retry_after == 59  # first at t=2, now t=3.9


async def test_compliance_replay_without_enforcing(emu, bot):
    user = emu.add_user()
    for i in range(5):
        await bot.send_message(user.id, str(i))
    report = emu.stats.check_compliance(LimitPolicy())
    assert report.total == 5
    assert report.over_private == 2 and not report.compliant
    assert report.max_private_in_second == 5
    assert emu.stats.max_in_window(1.0) == 5
    last = emu.last_sent(user)
    await bot.edit_message_text("modifié", chat_id=user.id, message_id=last.message_id)
    assert (emu.stats.messages_sent, emu.stats.edits_sent) == (5, 1)
    assert emu.stats.max_in_window(1.0, include_edits=False) == 5
    assert sum(emu.stats.per_second()) == 6


# ----------------------------------------------------------------------------- waiting & events


async def test_wait_for_messages_semantics(emu, bot):
    user = emu.add_user()

    async def reply_later(texts, delay=0.05):
        for text in texts:
            await asyncio.sleep(delay)
            await bot.send_message(user.id, text)

    task = asyncio.create_task(reply_later(["un", "deux"]))
    first = await emu.wait_for_messages(user, count=2, timeout=2)
    await task
    assert [m.text for m in first] == ["un", "deux"]
    mark = emu.mark(user)
    await bot.send_message(user.id, "trois")
    [third] = await emu.wait_for_messages(user, timeout=1)  # next unseen
    assert third.text == "trois"
    [again] = await emu.wait_for_messages(user, since=mark, timeout=1)  # since= ignores "seen"
    assert again is third
    with pytest.raises(EmulatorTimeout, match="trois"):
        await emu.wait_for_messages(user, timeout=0.2)
    await bot.send_message(user.id, "quatre")
    await bot.send_message(user.id, "cinq")
    [five] = await emu.wait_for_messages(user, predicate=lambda m: m.text == "cinq", timeout=1)
    assert five.text == "cinq"
    [four] = await emu.wait_for_messages(user, timeout=1)  # skipped by the predicate, still unseen
    assert four.text == "quatre"


async def test_wait_for_edit(emu, bot):
    user = emu.add_user()
    sent = await bot.send_message(user.id, "En attente…")

    async def edit_later():
        await asyncio.sleep(0.1)
        await bot.edit_message_text("Un éducateur arrive", chat_id=user.id, message_id=sent.message_id)

    task = asyncio.create_task(edit_later())
    edited = await emu.wait_for_edit(user, sent.message_id, timeout=2)
    await task
    assert edited.text == "Un éducateur arrive"
    assert edited.edits[-1].before["content"]["text"] == "En attente…"


async def test_subscribe_streams_events(emu, bot):
    user = emu.add_user()
    async with emu.subscribe(kinds={"user_message", "bot_message", "topic_created"}) as events:
        await emu.send_text(user, "hello")
        await bot.send_message(user.id, "bonjour")
        await bot.create_forum_topic(user.id, "Sujet")
        kinds = [(await events.get(timeout=1)).kind for _ in range(3)]
        assert events.get_nowait() is None
    assert kinds == ["user_message", "bot_message", "topic_created"]
    assert events.closed


async def test_requests_are_logged_with_decoded_params(emu, bot):
    user = emu.add_user()
    await bot.send_message(user.id, "x", reply_markup=keyboard(("A", "a")))
    [call] = emu.calls("sendMessage")
    assert call.params["chat_id"] == user.id
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    assert call.ok and call.result["text"] == "x"
    assert emu.stats.requests["sendMessage"] == 1


# ----------------------------------------------------------------------------- whole bot


async def test_real_dispatcher_end_to_end(emu, bot):
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Bienvenue ! Tu veux parler à quelqu'un ?", reply_markup=keyboard(("Oui", "yes")))

    @router.callback_query(F.data == "yes")
    async def yes(query: CallbackQuery) -> None:
        await query.answer("Je préviens l'équipe")
        await query.message.edit_text("Un éducateur va te répondre.")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"Tu as dit : {message.text}")

    dp = Dispatcher()
    dp.include_router(router)
    polling = asyncio.create_task(dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False))
    try:
        user = emu.add_user("Inès")
        await emu.send_text(user, "/start")
        welcome = await emu.wait_for_message(user, timeout=5)
        assert welcome.buttons == [[("Oui", "yes")]]
        press = await emu.press_button(user, welcome, "yes")
        assert (await emu.wait_for_callback_answer(press, timeout=5)).text == "Je préviens l'équipe"
        edited = await emu.wait_for_edit(user, welcome.message_id, timeout=5)
        assert edited.text == "Un éducateur va te répondre." and edited.buttons == []
        await emu.send_text(user, "merci")
        assert (await emu.wait_for_message(user, timeout=5)).text == "Tu as dit : merci"
    finally:
        await dp.stop_polling()
        await polling


async def test_thousand_users_at_once(emu, bot):
    """1,000 users write at the same moment; an aiogram bot answers each one."""
    router = Router()

    @router.message(F.text)
    async def answer(message: Message) -> None:
        await message.answer(f"reçu {message.text}")

    dp = Dispatcher()
    dp.include_router(router)
    users = [emu.add_user(f"U{i}") for i in range(1000)]
    for i, user in enumerate(users):
        await emu.send_text(user, f"m{i}")
    started = time.monotonic()
    polling = asyncio.create_task(dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False))
    try:
        await emu.wait_until(lambda: len(emu.all_sent()) >= 1000, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        await dp.stop_polling()
        await polling
    assert {m.chat_id for m in emu.all_sent()} == {u.id for u in users}
    assert emu.last_sent(users[500]).text == "reçu m500"
    batches = [c for c in emu.calls("getUpdates") if c.result]
    assert max(len(c.result) for c in batches) == 100
    assert elapsed < 30, elapsed


async def test_webhook_delivery(emu, bot):
    received: list[tuple[dict, str | None]] = []
    user = emu.add_user()

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        # Reply into the webhook: the emulator executes the method.
        return web.json_response({"method": "sendMessage", "chat_id": user.id, "text": "via webhook"})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
        await emu.send_text(user, "par webhook")
        reply = await emu.wait_for_message(user, timeout=5)
        assert reply.text == "via webhook"
        assert emu.calls("sendMessage")[-1].ok
        assert received[0][0]["message"]["text"] == "par webhook"
        assert received[0][1] == "s3cret"
        assert (await bot.get_webhook_info()).pending_update_count == 0
        assert await bot.delete_webhook()
    finally:
        await runner.cleanup()


# ----------------------------------------------------------------------------- formatting & CLI


def test_formatting_matches_telegram_rules():
    assert format_text("  <i>salut</i>  ", "HTML") == ("salut", [{"type": "italic", "offset": 0, "length": 5}])
    text, entities = format_text("🙂 <b>gras</b>", "HTML")
    assert text == "🙂 gras" and entities[0]["offset"] == 3  # the emoji is 2 UTF-16 units
    assert utf16_len("🙂") == 2
    assert parse_markdown_v2(r"*gras* et \. point")[0] == "gras et . point"
    with pytest.raises(ParseError, match="reserved"):
        parse_markdown_v2("fin.")
    with pytest.raises(ParseError, match="Unmatched end tag"):
        format_text("<b>x</i>", "HTML")


async def test_standalone_entry_point():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.emulator",
        "--port",
        "0",
        "--token",
        "42:STANDALONE",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        assert "listening on http://127.0.0.1:" in line
        base_url = line.rsplit(" ", 1)[-1].strip()
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base_url}/bot42:STANDALONE/getMe") as resp:
                body = await resp.json()
        assert body["ok"] and body["result"]["id"] == 42
    finally:
        process.terminate()
        await process.wait()


async def test_wait_until_idle_notices_confirmation_during_a_long_poll(emu, bot):
    user = emu.add_user()
    await emu.send_text(user, "hello")
    updates = await bot.get_updates()
    poll = asyncio.create_task(bot.get_updates(offset=updates[-1].update_id + 1, timeout=10))
    started = time.monotonic()
    await emu.wait_until_idle(timeout=5)  # confirmed by the offset of the poll still running
    assert time.monotonic() - started < 1
    await emu.send_text(user, "again")
    assert [u.message.text for u in await poll] == ["again"]


async def test_several_bots_have_separate_worlds(emu, bot):
    other = emu.add_bot("777:OTHER", username="autre_bot")
    assert emu.bot() is emu.bot(TOKEN) and emu.bot("777:OTHER") is other
    other_bot = Bot(other.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
    try:
        user = emu.add_user()
        await other.send_text(user, "pour l'autre bot")
        assert await bot.get_updates() == []
        [update] = await other_bot.get_updates()
        assert update.message.text == "pour l'autre bot"
        await other_bot.send_message(user.id, "réponse de l'autre", reply_markup=keyboard(("ok", "ok")))
        assert emu.sent(user) == []
        assert [m.text for m in other.sent(user)] == ["réponse de l'autre"]
        press = await other.press_button(user, other.last_sent(user), "ok")
        assert press.bot_id == 777
        emu.faults.fail("sendMessage", 500, bot=other)
        assert (await bot.send_message(user.id, "pas touché")).text == "pas touché"
        with pytest.raises(TelegramServerError):
            await other_bot.send_message(user.id, "touché")
    finally:
        await _close_bot(other_bot)


async def test_commands_chat_info_and_raw_updates(emu, bot):
    from aiogram.types import BotCommand

    assert await bot.set_my_commands([BotCommand(command="start", description="Commencer")])
    assert emu.commands() == [{"command": "start", "description": "Commencer"}]
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert await bot.delete_my_commands()
    assert emu.commands() == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Pas Valide", description="x")])

    owner, member = emu.add_user("Cheffe"), emu.add_user("Membre")
    group = emu.add_group("Staff", owner=owner, members=[member])
    assert (await bot.get_chat_member(group.id, owner.id)).status == "creator"
    assert (await bot.get_chat_member(group.id, member.id)).status == "member"
    assert (await bot.get_chat_member(group.id, emu.add_user().id)).status == "left"
    assert {m.user.id for m in await bot.get_chat_administrators(group.id)} == {owner.id, 123456}
    private = await bot.get_chat(member.id)
    assert private.type == "private" and private.first_name == "Membre"
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(member.id, "dancing")

    reaction = {
        "message_reaction": {
            "chat": {"id": member.id, "type": "private"},
            "message_id": 1,
            "date": 0,
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            "user": member.to_api(),
        }
    }
    raw = await emu.push_update(reaction)
    assert raw["update_id"] >= 1
    assert await bot.get_updates() == []  # not a default type: dropped, like Telegram
    assert emu.pending_updates() == []
    assert await bot.get_updates(allowed_updates=["message", "message_reaction"]) == []
    await emu.push_update(reaction)
    [update] = await bot.get_updates()  # the last allowed_updates stays in force
    assert update.message_reaction.new_reaction[0].emoji == "👍"


async def test_more_methods_and_validations(emu, bot):
    from aiogram.types import InputMediaDocument, KeyboardButton, LinkPreviewOptions, ReplyKeyboardMarkup

    user = emu.add_user("Inès")
    with pytest.raises(TelegramBadRequest, match="at least 2"):
        await bot.send_media_group(user.id, [InputMediaPhoto(media=BufferedInputFile(b"1", "1.jpg"))])
    with pytest.raises(TelegramBadRequest, match="can't be mixed"):
        await bot.send_media_group(
            user.id,
            [InputMediaPhoto(media=BufferedInputFile(b"1", "1.jpg")), InputMediaDocument(media=BufferedInputFile(b"2", "2.pdf"))],
        )
    photo = await bot.send_photo(user.id, BufferedInputFile(b"jpg", "p.jpg"), caption="avant")
    edited = await bot.edit_message_caption(chat_id=user.id, message_id=photo.message_id, caption="après")
    assert edited.caption == "après" and emu.last_sent(user).history == ["avant", "après"]
    with pytest.raises(TelegramBadRequest, match="no caption"):
        text = await bot.send_message(user.id, "texte")
        await bot.edit_message_caption(chat_id=user.id, message_id=text.message_id, caption="x")
    md = await bot.send_message(user.id, r"*Important* : appelle le 3114\.", parse_mode="MarkdownV2")
    assert md.text == "Important : appelle le 3114." and md.entities[0].type == "bold"
    with pytest.raises(TelegramBadRequest, match="reserved"):
        await bot.send_message(user.id, "3114.", parse_mode="MarkdownV2")
    preview = await bot.send_message(user.id, "https://example.org", link_preview_options=LinkPreviewOptions(is_disabled=True))
    assert preview.link_preview_options.is_disabled is True
    assert preview.entities[0].type == "url"
    reply_kb = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Parler"), KeyboardButton(text="Infos")]])
    menu = await bot.send_message(user.id, "Menu", reply_markup=reply_kb)
    assert emu.last_sent(user).button_texts == ["Parler", "Infos"]
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("Menu 2", chat_id=user.id, message_id=menu.message_id)
    poll = await bot.send_poll(user.id, "Ça va ?", ["oui", "non"])
    assert [o.text for o in poll.poll.options] == ["oui", "non"]
    assert 1 <= (await bot.send_dice(user.id)).dice.value <= 6
    venue = await bot.send_venue(user.id, 47.08, 2.39, "Point Écoute", "1 rue X, Bourges")
    assert venue.venue.title == "Point Écoute"
    with pytest.raises(TelegramBadRequest, match="wrong coordinates"):
        await bot.send_location(user.id, 123.0, 2.0)
    assert await bot.pin_chat_message(user.id, venue.message_id)
    assert emu.world.bots[123456].pinned[user.id] == [venue.message_id]
    assert await bot.unpin_chat_message(user.id)
    ids = [(await bot.send_message(user.id, f"x{i}")).message_id for i in range(3)]
    assert await bot.delete_messages(user.id, ids)
    assert all(m.deleted for m in emu.sent(user)[-3:])
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0


async def test_user_side_group_and_topic_flows(emu, bot):
    owner, young = emu.add_user("Cheffe"), emu.add_user("Jeune")
    forum = emu.add_group("Équipe", forum=True, owner=owner, bots=[])
    update = await emu.add_bot_to_group(forum, by=owner)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "administrator"
    topic = await emu.create_topic(owner, "Organisation", chat=forum)
    message = await emu.send_text(owner, "réunion jeudi", chat=forum, thread_id=topic.thread_id)
    forwarded = await emu.send_message_raw(
        young, {"text": "regarde", "forward_origin": {"type": "hidden_user", "sender_user_name": "X", "date": 0}}
    )
    await emu.remove_user_from_group(owner, forum)
    updates = await bot.get_updates(allowed_updates=["message", "my_chat_member", "chat_member"])
    kinds = [u.event_type for u in updates]
    assert kinds[0] == "my_chat_member" and "chat_member" in kinds
    created = next(u.message for u in updates if u.message and u.message.forum_topic_created)
    assert created.forum_topic_created.name == "Organisation"
    in_topic = next(u.message for u in updates if u.message and u.message.text == "réunion jeudi")
    assert in_topic.message_thread_id == topic.thread_id == message.thread_id and in_topic.is_topic_message
    fwd = next(u.message for u in updates if u.message and u.message.text == "regarde")
    assert fwd.forward_origin.type == "hidden_user" and forwarded.forward_origin is not None
    left = next(u.message for u in updates if u.message and u.message.left_chat_member)
    assert left.left_chat_member.id == owner.id
    assert emu.chat(forum).members[owner.id] == "left"
    await emu.remove_bot_from_group(forum)
    with pytest.raises(TelegramForbiddenError, match="kicked"):
        await bot.send_message(forum.id, "encore ?")


async def test_every_user_content_type_parses_in_aiogram(emu, bot):
    user = emu.add_user()
    await emu.send_photo(user, caption="photo")
    await emu.send_video(user)
    await emu.send_video_note(user)
    await emu.send_sticker(user, "😢")
    await emu.send_audio(user, title="titre")
    await emu.send_animation(user)
    await emu.send_venue(user, 47.0, 2.0, "Maison des ados", "Bourges")
    await emu.send_contact(user, "+33611111111")
    await emu.send_poll(user, "Dispo ?", ["oui", "non"])
    await emu.send_dice(user, value=3)
    updates = await bot.get_updates()
    assert [u.message.content_type for u in updates] == [
        "photo",
        "video",
        "video_note",
        "sticker",
        "audio",
        "animation",
        "venue",
        "contact",
        "poll",
        "dice",
    ]
    assert updates[3].message.sticker.emoji == "😢"
    assert updates[7].message.contact.user_id == user.id
    assert updates[9].message.dice.value == 3


async def test_http_control_api(emu, bot, http):
    base = f"{emu.base_url}/_emulator"
    async with http.post(f"{base}/users", json={"first_name": "Demo"}) as resp:
        assert resp.status == 201
        user = (await resp.json())["result"]
    events = await http.get(f"{base}/events", params={"kinds": "user_message,bot_message"})
    try:
        async with http.post(f"{base}/send", json={"user_id": user["id"], "text": "/start"}) as resp:
            assert resp.status == 201
            assert (await resp.json())["result"]["message"]["text"] == "/start"
        [update] = await bot.get_updates()
        await bot.send_message(user["id"], "Bienvenue", reply_markup=keyboard(("Go", "go")))
        seen = []
        while len(seen) < 2:
            line = (await asyncio.wait_for(events.content.readline(), 2)).decode()
            if line.startswith("data: "):
                seen.append(json.loads(line[6:])["kind"])
        assert seen == ["user_message", "bot_message"]
    finally:
        events.close()
    async with http.get(f"{base}/messages", params={"chat_id": user["id"]}) as resp:
        conversation = (await resp.json())["result"]
    assert [(m["from_bot"], m["message"]["text"]) for m in conversation] == [(False, "/start"), (True, "Bienvenue")]
    bot_message_id = conversation[1]["message"]["message_id"]
    async with http.post(f"{base}/press", json={"user_id": user["id"], "message_id": bot_message_id, "callback_data": "go"}) as resp:
        assert resp.status == 201
    async with http.post(f"{base}/press", json={"user_id": user["id"], "message_id": bot_message_id, "callback_data": "nope"}) as resp:
        assert resp.status == 404
    async with http.post(f"{base}/faults", json={"kind": "fail", "method": "sendMessage", "status": 429, "retry_after": 3}) as resp:
        assert resp.status == 201
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(user["id"], "x")
    async with http.get(f"{base}/state") as resp:
        state = (await resp.json())["result"]
    assert state["bots"][0]["id"] == 123456 and state["users"][0]["first_name"] == "Demo"


async def test_deactivated_user_and_group_migration(emu, bot):
    from aiogram.exceptions import TelegramMigrateToChat

    gone = emu.add_user()
    emu.deactivate(gone)
    with pytest.raises(TelegramForbiddenError, match="user is deactivated"):
        await bot.send_message(gone.id, "hello")
    owner = emu.add_user("Cheffe")
    group = emu.add_group("Petite équipe", supergroup=False, owner=owner)
    assert -10**12 < group.id < 0
    assert (await bot.send_message(group.id, "avant")).chat.type == "group"
    supergroup = await emu.migrate_group(group)
    with pytest.raises(TelegramMigrateToChat) as caught:
        await bot.send_message(group.id, "après")
    assert caught.value.migrate_to_chat_id == supergroup.id
    assert (await bot.send_message(supergroup.id, "après")).chat.type == "supergroup"
    updates = await bot.get_updates()
    assert updates[0].message.migrate_to_chat_id == supergroup.id
    assert updates[1].message.migrate_from_chat_id == group.id
