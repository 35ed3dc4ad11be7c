"""The demo's web page and its JSON API (aiohttp, on its own port).

``GET /``                 the page (``static/index.html``, ``app.css``, ``app.js``: nothing external)
``GET /api/state``        everything the page draws, plus the scenarios
``GET /api/events``       server-sent events: first a ``snapshot``, then ``message``, ``topic``,
                          ``toast``, ``typing``, ``scenario`` as they happen
``POST /api/send``        ``{user_id, text, thread_id?, reply_to?}`` — a user writes
``POST /api/media``       ``{user_id, kind, thread_id?, caption?}`` — a user sends a placeholder
``POST /api/edit``        ``{user_id, message_id, text}`` — a user edits their message
``POST /api/press``       ``{user_id, message_id, data}`` — a user presses an inline button
``POST /api/educators``   a new educator (registered, then /dispo)
``POST /api/youth``       a new young person in the "Jeune" pane
``POST /api/scenario/start`` ``{id}``, ``/step``, ``/play`` (every remaining step), ``/stop``

POST bodies must be JSON (a cross-site form cannot send that without the page's consent), and a
request from another origin is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.demo.runtime import DemoError, DemoRuntime
from bot.demo.scenarios import ScenarioPlayer, load_scenarios
from bot.demo.views import event_view

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "app.css": "text/css",
    "app.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
KEEPALIVE_S = 15.0
CLIENT_QUEUE = 5000


class DemoServer:
    def __init__(self, runtime: DemoRuntime, *, autoplay_pause_s: float = 2.5) -> None:
        self.runtime = runtime
        self.player = ScenarioPlayer(runtime, load_scenarios(), on_change=self._scenario_changed)
        self.autoplay_pause_s = autoplay_pause_s
        self.clients: set[asyncio.Queue] = set()
        self._pump: asyncio.Task | None = None
        self._autoplay: asyncio.Task | None = None
        self.app = web.Application(middlewares=[self._guard])
        self.app.add_routes(
            [
                web.get("/", self.index),
                web.get("/static/{name}", self.static),
                web.get("/api/state", self.state),
                web.get("/api/events", self.events),
                web.post("/api/send", self.send),
                web.post("/api/media", self.media),
                web.post("/api/edit", self.edit),
                web.post("/api/press", self.press),
                web.post("/api/educators", self.add_educator),
                web.post("/api/youth", self.new_youth),
                web.post("/api/scenario/start", self.scenario_start),
                web.post("/api/scenario/step", self.scenario_step),
                web.post("/api/scenario/play", self.scenario_play),
                web.post("/api/scenario/stop", self.scenario_stop),
            ]
        )
        self.app.on_startup.append(self._on_startup)
        self.app.on_shutdown.append(self._on_shutdown)

    # -- life cycle -------------------------------------------------------------------------

    async def _on_startup(self, app: web.Application) -> None:
        self.start_pump()

    async def _on_shutdown(self, app: web.Application) -> None:
        await self.close()

    def start_pump(self) -> None:
        if self._pump is None:
            subscription = self.runtime.subscribe()
            self._pump = asyncio.create_task(self._forward(subscription), name="demo-events")

    async def close(self) -> None:
        for task in (self._autoplay, self._pump):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._autoplay = self._pump = None
        for queue in tuple(self.clients):
            self._offer(queue, None)

    async def _forward(self, subscription) -> None:
        """Emulator events → the page's events, for the private chats of the demo's people."""
        async for event in subscription:
            if event.chat_id not in self.runtime.participants:
                continue
            topic = None
            if event.kind.startswith("topic_") and event.thread_id is not None:
                topic = self.runtime.emulator.topic(event.chat_id, event.thread_id)
            try:
                view = event_view(event, topic)
            except Exception:  # one odd message must not stop the live view
                log.exception("demo: cannot render event %s", event.kind)
                continue
            if view is not None:
                self.broadcast(view)

    def _offer(self, queue: asyncio.Queue, item: dict[str, Any] | None) -> None:
        try:
            queue.put_nowait(item)
        except asyncio.QueueFull:  # a stalled page: it gets a fresh snapshot when it reconnects
            self.clients.discard(queue)

    def broadcast(self, item: dict[str, Any]) -> None:
        for queue in tuple(self.clients):
            self._offer(queue, item)

    def snapshot(self) -> dict[str, Any]:
        data = self.runtime.snapshot()
        data["scenarios"] = self.player.catalogue()
        data["player"] = self.player_json()
        return data

    def player_json(self) -> dict[str, Any]:
        data = self.player.to_json()
        data["autoplay"] = self._autoplay is not None and not self._autoplay.done()
        return data

    def _scenario_changed(self, state: dict[str, Any] | None = None) -> None:
        self.broadcast({"type": "scenario", "player": self.player_json()})

    def _people_changed(self) -> None:
        self.broadcast({"type": "snapshot", "state": self.snapshot()})

    # -- guard ------------------------------------------------------------------------------

    @web.middleware
    async def _guard(self, request: web.Request, handler):
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin and origin != "null" and urlsplit(origin).netloc != request.host:
                return _error("forbidden_origin", status=403)
            if request.content_type != "application/json":
                return _error("json_expected", status=415)
        try:
            response = await handler(request)
        except DemoError as error:
            response = _error(str(error))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    # -- page -------------------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.Response:
        body = (STATIC_DIR / "index.html").read_bytes()
        return web.Response(body=body, content_type="text/html", charset="utf-8", headers={"Cache-Control": "no-cache"})

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        content_type = STATIC_FILES.get(name)
        if content_type is None:
            raise web.HTTPNotFound()
        body = (STATIC_DIR / name).read_bytes()
        return web.Response(body=body, content_type=content_type, charset="utf-8", headers={"Cache-Control": "no-cache"})

    async def state(self, request: web.Request) -> web.Response:
        return web.json_response(self.snapshot())

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
                **SECURITY_HEADERS,
            }
        )
        await response.prepare(request)
        queue: asyncio.Queue = asyncio.Queue(maxsize=CLIENT_QUEUE)
        # Registered and given the snapshot with no await in between: nothing is missed.
        self.clients.add(queue)
        queue.put_nowait({"type": "snapshot", "state": self.snapshot()})
        try:
            await response.write(b"retry: 1000\n\n")
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                if item is None:
                    break
                payload = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
                await response.write(f"data: {payload}\n\n".encode())
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            self.clients.discard(queue)
        return response

    # -- acting -----------------------------------------------------------------------------

    async def send(self, request: web.Request) -> web.Response:
        body = await _json(request)
        message = await self.runtime.send_text(
            _int(body, "user_id"),
            _str(body, "text"),
            thread_id=_int(body, "thread_id", optional=True),
            reply_to=_int(body, "reply_to", optional=True),
        )
        return web.json_response({"ok": True, "message_id": message.message_id})

    async def media(self, request: web.Request) -> web.Response:
        body = await _json(request)
        message = await self.runtime.send_media(
            _int(body, "user_id"),
            _str(body, "kind"),
            caption=body.get("caption") if isinstance(body.get("caption"), str) else None,
            thread_id=_int(body, "thread_id", optional=True),
        )
        return web.json_response({"ok": True, "message_id": message.message_id})

    async def edit(self, request: web.Request) -> web.Response:
        body = await _json(request)
        message = await self.runtime.edit_text(_int(body, "user_id"), _int(body, "message_id"), _str(body, "text"))
        return web.json_response({"ok": True, "message_id": message.message_id})

    async def press(self, request: web.Request) -> web.Response:
        body = await _json(request)
        record = await self.runtime.press(_int(body, "user_id"), _int(body, "message_id"), _str(body, "data"))
        return web.json_response({"ok": True, "callback_query_id": record.id})

    async def add_educator(self, request: web.Request) -> web.Response:
        await _json(request)
        educator = await self.runtime.add_educator()
        self._people_changed()
        return web.json_response({"ok": True, "educator": educator.to_json()})

    async def new_youth(self, request: web.Request) -> web.Response:
        await _json(request)
        youth = self.runtime.new_youth()
        self.player.stop()
        self._people_changed()
        return web.json_response({"ok": True, "youth": youth.to_json()})

    # -- scenarios --------------------------------------------------------------------------

    def _cancel_autoplay(self) -> None:
        task, self._autoplay = self._autoplay, None
        if task is not None and not task.done():
            task.cancel()

    async def scenario_start(self, request: web.Request) -> web.Response:
        body = await _json(request)
        self._cancel_autoplay()
        await self.player.start(_str(body, "id"))
        self._people_changed()
        return web.json_response({"ok": True, "player": self.player_json()})

    async def scenario_step(self, request: web.Request) -> web.Response:
        await _json(request)
        if self._autoplay is not None and not self._autoplay.done():
            raise DemoError("busy")
        await self.player.step()
        player = self.player_json()
        if player["error"]:
            return _error(player["error"], extra={"player": player})
        return web.json_response({"ok": True, "player": player})

    async def scenario_play(self, request: web.Request) -> web.Response:
        await _json(request)
        if self.player.state.scenario is None:
            raise DemoError("no_scenario")
        if self._autoplay is None or self._autoplay.done():
            self._autoplay = asyncio.create_task(self._play_all(), name="demo-autoplay")
            self._scenario_changed()
        return web.json_response({"ok": True, "player": self.player_json()}, status=202)

    async def _play_all(self) -> None:
        player = self.player
        try:
            while player.state.scenario is not None and player.state.position < len(player.state.scenario.steps):
                if not await player.step():
                    return
                if player.state.position < len(player.state.scenario.steps):
                    await asyncio.sleep(self.autoplay_pause_s)
        finally:
            if self._autoplay is asyncio.current_task():
                self._autoplay = None
            self._scenario_changed()

    async def scenario_stop(self, request: web.Request) -> web.Response:
        await _json(request)
        self._cancel_autoplay()
        self.player.stop()
        return web.json_response({"ok": True, "player": self.player_json()})


def _error(code: str, *, status: int = 400, extra: dict[str, Any] | None = None) -> web.Response:
    return web.json_response({"ok": False, "error": code, **(extra or {})}, status=status)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.can_read_body else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DemoError("bad_json") from None
    if not isinstance(body, dict):
        raise DemoError("bad_json")
    return body


def _int(body: dict[str, Any], key: str, *, optional: bool = False) -> int | None:
    value = body.get(key)
    if value is None or value == "":
        if optional:
            return None
        raise DemoError(f"missing_{key}")
    if isinstance(value, bool):
        raise DemoError(f"bad_{key}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DemoError(f"bad_{key}") from None


def _str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DemoError(f"missing_{key}")
    return value
