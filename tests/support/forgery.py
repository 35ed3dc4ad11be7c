"""A callback query with data no button carries: what a modified client could send."""

from __future__ import annotations

from bot.emulator import BotAPIEmulator
from bot.emulator.models import CallbackQueryRecord


def forge_callback(emu: BotAPIEmulator, user, message, data: str) -> CallbackQueryRecord:
    world = emu.world
    state = emu._bot(None)
    query_id = world.new_callback_id()
    query = {
        "id": query_id,
        "from": user.to_api(),
        "message": message.to_api(),
        "chat_instance": "forged",
        "data": data,
    }
    update = world.push_update(state, {"callback_query": query})
    record = CallbackQueryRecord(
        id=query_id, bot_id=state.id, user=user, message=message, data=data, update_id=update["update_id"]
    )
    world.callback_queries[query_id] = record
    return record
