"""The HTTP side: an aiohttp application serving the Bot API over real HTTP.

Routes:

* ``GET|POST /bot{token}/{method}`` — Bot API methods (query string, urlencoded, multipart or
  JSON bodies). Unknown token → 401, unknown method → 404, answers
  ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": …, "description": …}``;
* ``GET /file/bot{token}/{file_path}`` — download a file (``getFile`` gives the path);
* ``GET /`` — a small JSON status (bots, pending updates, counters).

Faults (``FaultInjector``) and flood limits are applied here and in the method handlers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.hdrs import CONTENT_TYPE

from .faults import FaultInjector, FaultRule
from .methods import METHODS, Call
from .models import ApiError, FileRecord, RequestRecord, bad_request
from .params import Params, Upload
from .state import BotState, World

log = logging.getLogger("bot.emulator")

MAX_BODY = 64 * 1024 * 1024


def _json_response(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        content_type="application/json",
    )


class _Dropped(Exception):
    """The connection was closed on purpose (injected fault)."""


async def parse_request(request: web.Request) -> Params:
    """Read a Bot API request into :class:`Params` (query string + body of any accepted type)."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method == "POST" and request.body_exists:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json(loads=json.loads)
            except ValueError:
                raise bad_request("can't parse JSON body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON body must be an object")
            values.update(body)
        elif content_type.startswith("multipart/"):
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    content = bytes(await part.read(decode=False))
                    uploads[part.name] = Upload(part.name, part.filename, part.headers.get(CONTENT_TYPE), content)
                else:
                    values[part.name] = await part.text()
        elif content_type == "application/x-www-form-urlencoded":
            form = await request.post()
            for key, value in form.items():
                values[key] = value if isinstance(value, str) else str(value)
        else:
            await request.read()
    return Params(values, uploads)


class ApiServer:
    """Routes HTTP requests to method handlers, applying faults and recording the calls."""

    def __init__(
        self,
        world: World,
        faults: FaultInjector,
        *,
        record_requests: bool = True,
        closing: Callable[[], bool] = lambda: False,
    ) -> None:
        self.world = world
        self.faults = faults
        self.record_requests = record_requests
        self.requests: list[RequestRecord] = []
        self._request_seq = 0
        self._closing = closing
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file)
        self.app.router.add_get("/", self.handle_index)

    # ------------------------------------------------------------------ entry points
    async def handle_method(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        stats = self.world.stats
        token = request.match_info["token"]
        method_name = request.match_info["method"]
        stats.requests[method_name] += 1
        bot = self.world.bots_by_token.get(token)
        if bot is None:
            stats.statuses[401] += 1
            return _json_response(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        entry = METHODS.get(method_name.lower())
        if entry is None:
            stats.statuses[404] += 1
            return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
        canonical, handler = entry
        try:
            params = await parse_request(request)
        except ApiError as error:
            stats.statuses[error.status] += 1
            return _json_response(error.status, error.to_json())
        except Exception as error:  # malformed body
            stats.statuses[400] += 1
            return _json_response(
                400, {"ok": False, "error_code": 400, "description": f"Bad Request: can't parse request: {error}"}
            )
        record = self._record(bot, canonical, params)
        call = Call(self.world, bot, canonical, params, closing=self._closing)
        try:
            status, body, raw = await self._run(request, call, handler, record)
        except _Dropped:
            stats.statuses[0] += 1
            if record is not None:
                record.status = 0
                record.description = "connection dropped"
                record.duration = time.monotonic() - started
            return await self._drop(request)
        stats.statuses[status] += 1
        if record is not None:
            record.status = status
            record.duration = time.monotonic() - started
            if body.get("ok"):
                record.result = body.get("result")
            else:
                record.description = body.get("description")
        self.world.notifier.notify("any", ("request", bot.id))
        if raw is not None:
            return web.Response(status=status, text=raw, content_type="text/html")
        return _json_response(status, body)

    async def _run(
        self, request: web.Request, call: Call, handler: Any, record: RequestRecord | None
    ) -> tuple[int, dict[str, Any], str | None]:
        stats = self.world.stats
        delays, before, after = self.faults.take(call.bot.id, call.method, call.params.raw("chat_id"))
        for rule in delays:
            stats.faults["delay"] += 1
            await asyncio.sleep(rule.seconds)
        if before is not None:
            return self._apply_fault(before, record)
        try:
            result = await handler(call)
        except ApiError as error:
            return error.status, error.to_json(), None
        except Exception as error:  # an emulator bug: answer 500, keep the trace
            log.exception("emulator error in %s", call.method)
            stats.errors.append(f"{call.method}: {type(error).__name__}: {error}")
            return 500, {"ok": False, "error_code": 500, "description": f"Internal Server Error: {error}"}, None
        if after is not None:
            return self._apply_fault(after, record)
        return 200, {"ok": True, "result": result}, None

    def _apply_fault(self, rule: FaultRule, record: RequestRecord | None) -> tuple[int, dict[str, Any], str | None]:
        self.world.stats.faults[rule.name] += 1
        if record is not None:
            record.fault = rule.name
        if rule.kind == "drop":
            raise _Dropped
        error = rule.error()
        return error.status, error.to_json(), rule.body

    async def _drop(self, request: web.Request) -> web.StreamResponse:
        """Close the socket without any answer (the client sees a disconnect)."""
        transport = request.transport
        if transport is not None:
            transport.abort()
        # aiohttp needs a response object; it cannot be written to the closed transport.
        raise asyncio.CancelledError

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        bot = self.world.bots_by_token.get(request.match_info["token"])
        if bot is None:
            return _json_response(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        record: FileRecord | None = self.world.files_by_path.get(request.match_info["path"])
        if record is None or record.content is None:
            return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        return web.Response(body=record.content, content_type=record.mime_type or "application/octet-stream")

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        world = self.world
        return _json_response(
            200,
            {
                "ok": True,
                "result": {
                    "emulator": "Promeneur Bot API emulator",
                    "bots": [
                        {"id": b.id, "username": b.username, "pending_updates": len(b.updates), "webhook": b.webhook_url}
                        for b in world.bots.values()
                    ],
                    "users": len(world.users),
                    "stats": world.stats.summary(),
                },
            },
        )

    # ------------------------------------------------------------------ log
    def record_call(self, bot: BotState, method: str, params: Params) -> RequestRecord | None:
        """Log a call that did not come over HTTP (a reply into a webhook)."""
        return self._record(bot, method, params)

    def _record(self, bot: BotState, method: str, params: Params) -> RequestRecord | None:
        self._request_seq += 1
        if not self.record_requests and not self.world.hub.active:
            return None
        files = {name: upload for name, upload in params.uploads.items()}
        record = RequestRecord(
            seq=self._request_seq,
            time=time.time(),
            bot_id=bot.id,
            method=method,
            params=params.decoded(),
            files={
                name: FileRecord(
                    file_id="",
                    file_unique_id="",
                    kind="upload",
                    filename=upload.filename,
                    mime_type=upload.content_type,
                    content=upload.content,
                )
                for name, upload in files.items()
            },
        )
        if self.record_requests:
            self.requests.append(record)
        self.world.publish("request", bot, None, data={"method": method, "params": record.params})
        return record
