"""HTTP control API of the emulator, for a browser demo or manual tries (JSON under ``/_emulator``).

The same things the Python API offers, over HTTP on the emulator's port:

* ``GET /_emulator/state`` — bots, users, chats, counters;
* ``POST /_emulator/users`` ``{"first_name", "username"?, "language_code"?}`` → the user;
* ``POST /_emulator/groups`` ``{"title", "forum"?, "supergroup"?}`` → the chat;
* ``POST /_emulator/send`` ``{"user_id", "text"}`` or ``{"user_id", "kind": "photo"|"voice"|
  "document"|"sticker"|"location", …}``, optional ``chat_id``, ``thread_id``, ``reply_to``,
  ``bot_id`` → the stored message;
* ``POST /_emulator/press`` ``{"user_id", "chat_id"?, "message_id", "callback_data"|"text"}``;
* ``POST /_emulator/block`` ``{"user_id", "blocked": true|false}``;
* ``GET /_emulator/messages?chat_id=…[&bot_id=…]`` → the conversation, both sides;
* ``GET /_emulator/events`` — a Server-Sent Events stream of :class:`EmulatorEvent` JSON;
* ``POST /_emulator/faults`` ``{"kind": "fail"|"drop"|"delay", "method"?, "status"?,
  "retry_after"?, "times"?, "seconds"?, "chat_id"?}``; ``DELETE /_emulator/faults``.

Errors answer ``{"ok": false, "error": "..."}`` with status 400 (bad input) or 404 (unknown id).
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .models import EmuChat, EmuUser, StoredMessage

if TYPE_CHECKING:
    from .emulator import BotAPIEmulator

PREFIX = "/_emulator"


def _ok(result: Any, status: int = 200) -> web.Response:
    return web.json_response({"ok": True, "result": result}, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


def user_json(user: EmuUser) -> dict[str, Any]:
    return user.to_api()


def chat_json(chat: EmuChat) -> dict[str, Any]:
    data = chat.to_api()
    if not chat.is_private:
        data["members"] = {str(k): v for k, v in chat.members.items()}
        data["bots"] = {str(k): v for k, v in chat.bot_members.items()}
    return data


def message_json(message: StoredMessage) -> dict[str, Any]:
    """A stored message for a client: the Bot API Message plus the emulator's flags."""
    return {
        "message": message.to_api(),
        "from_bot": message.from_bot,
        "deleted": message.deleted,
        "edits": len(message.edits),
        "content_type": message.content_type,
        "buttons": message.buttons,
        "seq": message.seq,
    }


class ControlApi:
    """Registers the ``/_emulator`` routes on the emulator's aiohttp application."""

    def __init__(self, emulator: BotAPIEmulator, app: web.Application) -> None:
        self.emu = emulator
        router = app.router
        router.add_get(f"{PREFIX}/state", self.state)
        router.add_post(f"{PREFIX}/users", self.add_user)
        router.add_post(f"{PREFIX}/groups", self.add_group)
        router.add_post(f"{PREFIX}/send", self.send)
        router.add_post(f"{PREFIX}/press", self.press)
        router.add_post(f"{PREFIX}/block", self.block)
        router.add_get(f"{PREFIX}/messages", self.messages)
        router.add_get(f"{PREFIX}/events", self.events)
        router.add_post(f"{PREFIX}/faults", self.add_fault)
        router.add_delete(f"{PREFIX}/faults", self.clear_faults)

    # ------------------------------------------------------------------ helpers
    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text=json.dumps({"ok": False, "error": "JSON body expected"}), content_type="application/json") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text=json.dumps({"ok": False, "error": "JSON object expected"}), content_type="application/json")
        return body

    def _user(self, value: Any) -> EmuUser:
        try:
            return self.emu.users[int(value)]
        except (KeyError, TypeError, ValueError):
            raise LookupError(f"unknown user {value!r}") from None

    def _bot(self, body: dict[str, Any]) -> Any:
        return body.get("bot_id") or None

    # ------------------------------------------------------------------ routes
    async def state(self, request: web.Request) -> web.Response:
        emu = self.emu
        return _ok(
            {
                "base_url": emu.base_url,
                "bots": [
                    {"id": b.id, "username": b.username, "token": b.token, "pending_updates": len(b.state.updates)}
                    for b in emu.bots
                ],
                "users": [user_json(u) for u in emu.users.values()],
                "groups": [chat_json(c) for c in emu.chats.values() if not c.is_private],
                "stats": emu.stats.summary(),
            }
        )

    async def add_user(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        user = self.emu.add_user(
            str(body.get("first_name") or "Test"),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "fr"),
        )
        return _ok(user_json(user), 201)

    async def add_group(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        chat = self.emu.add_group(
            str(body.get("title") or "Groupe"),
            forum=bool(body.get("forum")),
            supergroup=bool(body.get("supergroup", True)),
        )
        return _ok(chat_json(chat), 201)

    async def send(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        emu = self.emu
        try:
            user = self._user(body.get("user_id"))
            where: dict[str, Any] = {"bot": self._bot(body)}
            if body.get("chat_id") is not None:
                where["chat"] = int(body["chat_id"])
            if body.get("thread_id") is not None:
                where["thread_id"] = int(body["thread_id"])
            if body.get("reply_to") is not None:
                chat_id = int(body.get("chat_id") or user.id)
                where["reply_to"] = (chat_id, int(body["reply_to"]))
            kind = body.get("kind", "text")
            content = base64.b64decode(body["content_base64"]) if body.get("content_base64") else None
            if kind == "text":
                message = await emu.send_text(user, str(body.get("text") or ""), **where)
            elif kind == "photo":
                message = await emu.send_photo(user, caption=body.get("caption"), content=content, **where)
            elif kind == "voice":
                message = await emu.send_voice(user, duration=int(body.get("duration", 3)), content=content, **where)
            elif kind == "document":
                message = await emu.send_document(user, content, body.get("filename"), caption=body.get("caption"), **where)
            elif kind == "sticker":
                message = await emu.send_sticker(user, body.get("emoji", "🙂"), **where)
            elif kind == "location":
                message = await emu.send_location(user, float(body["latitude"]), float(body["longitude"]), **where)
            else:
                return _error(f"unknown kind {kind!r}")
        except LookupError as error:
            return _error(str(error), 404)
        except (ValueError, RuntimeError, KeyError, TypeError) as error:
            return _error(str(error))
        return _ok(message_json(message), 201)

    async def press(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        try:
            user = self._user(body.get("user_id"))
            chat_id = int(body.get("chat_id") or user.id)
            record = await self.emu.press_button(
                user,
                (chat_id, int(body["message_id"])),
                body.get("callback_data"),
                text=body.get("text"),
                bot=self._bot(body),
            )
        except LookupError as error:
            return _error(str(error), 404)
        except (ValueError, RuntimeError, KeyError, TypeError) as error:
            return _error(str(error))
        return _ok({"callback_query_id": record.id, "data": record.data, "update_id": record.update_id}, 201)

    async def block(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        try:
            user = self._user(body.get("user_id"))
        except LookupError as error:
            return _error(str(error), 404)
        if body.get("blocked", True):
            self.emu.block(user, bot=self._bot(body))
        else:
            self.emu.unblock(user, bot=self._bot(body))
        return _ok(True)

    async def messages(self, request: web.Request) -> web.Response:
        try:
            chat = self.emu.chat(int(request.query["chat_id"]))
            bot = int(request.query["bot_id"]) if request.query.get("bot_id") else None
            messages = self.emu.messages(chat, bot=bot)
        except (KeyError, ValueError):
            return _error("chat_id expected")
        except LookupError as error:
            return _error(str(error), 404)
        return _ok([message_json(m) for m in messages])

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        kinds = request.query.get("kinds")
        async with self.emu.subscribe(kinds.split(",") if kinds else None) as events:
            async for event in events:
                payload = json.dumps(event.to_json(), ensure_ascii=False)
                try:
                    await response.write(f"event: {event.kind}\ndata: {payload}\n\n".encode())
                except (ConnectionResetError, RuntimeError):
                    break
        return response

    async def add_fault(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        faults = self.emu.faults
        kind = body.get("kind", "fail")
        common = {"times": body.get("times", 1), "chat_id": body.get("chat_id")}
        if kind == "fail":
            rule = faults.fail(
                body.get("method"), int(body.get("status", 500)), retry_after=body.get("retry_after"), **common
            )
        elif kind == "drop":
            rule = faults.drop_connection(body.get("method"), after=bool(body.get("after")), **common)
        elif kind == "delay":
            rule = faults.delay(body.get("method"), float(body.get("seconds", 1.0)), times=body.get("times"), chat_id=body.get("chat_id"))
        else:
            return _error(f"unknown fault kind {kind!r}")
        return _ok({"kind": rule.kind, "method": rule.method, "times": rule.times}, 201)

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.emu.faults.clear()
        return _ok(True)
