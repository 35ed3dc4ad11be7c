"""The browser demo's server: the real bot behind a web page, tested through its HTTP API and
its live event stream (what the page draws), with aiohttp's test client."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.demo.runtime import DemoRuntime
from bot.demo.scenarios import ScenarioError, load_scenarios, parse_scenarios
from bot.demo.server import STATIC_DIR, DemoServer
from tests.conftest import make_settings


def fast_settings(api_url: str, database_url: str):
    """Test settings (never the developer's .env), with a short pause before the bot answers."""
    return make_settings(database_url, api_url, delivery={"reply_pause_s": 0.2})


class EventStream:
    """Reads /api/events like the page does and keeps what it received."""

    def __init__(self, response, describe=lambda: "") -> None:
        self.response = response
        self.describe = describe
        self.events: list[dict] = []
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        buffer = b""
        async for chunk in self.response.content.iter_any():
            buffer += chunk
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                for line in block.decode().splitlines():
                    if line.startswith("data: "):
                        self.events.append(json.loads(line[6:]))
                        self._changed.set()

    async def wait_for(self, predicate, timeout: float = 10.0) -> dict:
        async def find():
            seen = 0
            while True:
                for event in self.events[seen:]:
                    if predicate(event):
                        return event
                seen = len(self.events)
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(find(), timeout)
        except TimeoutError:
            raise AssertionError(f"no such event within {timeout}s; the chats:\n{self.describe()}") from None

    def messages(self, chat_id: int) -> dict[int, dict]:
        """The messages of a chat as the page holds them: snapshot, then every update."""
        held: dict[int, dict] = {}
        for event in self.events:
            if event["type"] == "snapshot":
                held = {
                    m["message_id"]: m for m in event["state"]["chats"].get(str(chat_id), {}).get("messages", [])
                }
            elif event["type"] == "message" and event["chat_id"] == chat_id:
                held[event["message"]["message_id"]] = event["message"]
        return held

    async def close(self) -> None:
        self._task.cancel()
        self.response.close()


def bot_says(chat_id: int, fragment: str, thread_id=...):
    def predicate(event: dict) -> bool:
        if event["type"] != "message" or event["chat_id"] != chat_id:
            return False
        message = event["message"]
        if not message["from_bot"] or fragment not in message["text"]:
            return False
        return thread_id is ... or message["thread_id"] == thread_id

    return predicate


@pytest.fixture
async def demo(tmp_path):
    runtime = DemoRuntime(tmp_path / "demo.db", settings_factory=fast_settings)
    await runtime.start()
    server = DemoServer(runtime, autoplay_pause_s=0)
    client = TestClient(TestServer(server.app))
    await client.start_server()
    try:
        yield client, runtime, server
    finally:
        await client.close()
        await runtime.stop()


def transcripts(runtime: DemoRuntime) -> str:
    return "\n".join(
        f"== {p.label} ({p.role})\n{runtime.emulator.transcript(p.id)}" for p in runtime.participants.values()
    )


@pytest.fixture
async def stream(demo):
    client, runtime, _ = demo
    response = await client.get("/api/events")
    assert response.headers["Content-Type"].startswith("text/event-stream")
    events = EventStream(response, lambda: transcripts(runtime))
    await events.wait_for(lambda e: e["type"] == "snapshot")
    yield events
    await events.close()


async def post(client, path: str, body: dict | None = None, status: int = 200) -> dict:
    response = await client.post(path, json=body or {})
    data = await response.json()
    assert response.status == status, data
    return data


def ids(runtime: DemoRuntime) -> tuple[int, int]:
    return runtime.youth.id, runtime.educators[0].id


# -- the page ---------------------------------------------------------------------------------


async def test_the_page_and_its_files_are_served_without_anything_external(demo):
    client, _, _ = demo
    page = await client.get("/")
    assert page.status == 200
    html = await page.text()
    assert 'lang="fr"' in html
    assert "Jeune" in html and "Éducateur·rice" in html and "Scénarios de formation" in html
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    for name in ("app.css", "app.js", "favicon.svg"):
        response = await client.get(f"/static/{name}")
        assert response.status == 200, name
    assert (await client.get("/static/../server.py")).status == 404
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        # No URL to another site (the SVG's XML namespace is a name, not a fetch).
        external = [u for u in re.findall(r"https?://[a-z0-9][^\s\"'<>)]*", text, re.I) if "www.w3.org/2000/svg" not in u]
        assert external == [], (path.name, external)


async def test_state_shows_the_sample_educator_on_duty_and_a_young_person(demo):
    client, runtime, _ = demo
    state = await (await client.get("/api/state")).json()
    roles = {p["role"]: p for p in state["participants"]}
    assert roles["educator"]["label"] == "Léa (Centre social Val d'Auron)"
    assert state["youth"] == roles["youth"]["id"]
    educator_chat = state["chats"][str(roles["educator"]["id"])]["messages"]
    assert [m["text"] for m in educator_chat][:1] == ["/dispo"]
    assert "Tu es disponible" in educator_chat[1]["text"]
    assert [s["title"] for s in state["scenarios"]] == ["Crise", "Recherche d'emploi", "Hors permanence"]
    async with runtime.app.context.unit_of_work() as uow:
        [educator] = await uow.educators.on_duty()
        assert educator.display_name == "Léa"


# -- a whole conversation, as the page sees it ------------------------------------------------


async def test_a_young_person_reaches_the_educator_and_each_pane_shows_it(demo, stream):
    client, runtime, _ = demo
    youth, educator = ids(runtime)

    await post(client, "/api/send", {"user_id": youth, "text": "/start"})
    welcome = (await stream.wait_for(bot_says(youth, "Je suis un bot")))["message"]
    assert welcome["buttons"] == [[{"text": "💬 Parler à un·e éducateur·rice", "data": "conv:educator"}]]
    assert any(e["type"] == "bold" for e in welcome["entities"])  # HTML arrives as plain text + entities

    await post(client, "/api/send", {"user_id": youth, "text": "j'ai besoin de parler à quelqu'un"})
    await post(client, "/api/press", {"user_id": youth, "message_id": welcome["message_id"], "data": "conv:educator"})
    await stream.wait_for(bot_says(youth, "position dans la file"))
    card = (await stream.wait_for(bot_says(educator, "attend depuis")))["message"]
    assert "j'ai besoin de parler à quelqu'un" in card["text"]
    [[take]] = card["buttons"]
    assert take["text"] == "✋ Prendre en charge"

    await post(client, "/api/press", {"user_id": educator, "message_id": card["message_id"], "data": take["data"]})
    toast = await stream.wait_for(lambda e: e["type"] == "toast" and e["chat_id"] == educator)
    assert toast["text"] == "C'est à toi !"
    topic = (await stream.wait_for(lambda e: e["type"] == "topic" and e["chat_id"] == educator))["topic"]
    assert topic["name"].startswith("🟢 Jeune #") or "Jeune #" in topic["name"]
    await stream.wait_for(bot_says(youth, "est là pour toi"))
    history = await stream.wait_for(bot_says(educator, "j'ai besoin de parler", thread_id=topic["thread_id"]))
    assert history["message"]["thread_id"] == topic["thread_id"]
    assert await runtime.topic_ready(educator, topic["thread_id"])
    taken = await stream.wait_for(
        lambda e: e["type"] == "message" and e["chat_id"] == educator
        and e["message"]["message_id"] == card["message_id"] and not e["message"]["buttons"]
    )
    assert "Pris en charge par" in taken["message"]["text"]

    # The educator answers in the topic; the young person gets it, then the edit.
    sent = await post(
        client, "/api/send", {"user_id": educator, "text": "Salut, je suis Léa. Je t'écoute.", "thread_id": topic["thread_id"]}
    )
    answer = (await stream.wait_for(bot_says(youth, "je suis Léa")))["message"]
    assert answer["from_bot"] and answer["thread_id"] is None
    await post(client, "/api/edit", {"user_id": educator, "message_id": sent["message_id"], "text": "Salut, c'est Léa. Je t'écoute."})
    edited = await stream.wait_for(
        lambda e: e["type"] == "message" and e["chat_id"] == youth and e["message"]["message_id"] == answer["message_id"]
        and e["message"]["edited"]
    )
    assert edited["message"]["text"] == "Salut, c'est Léa. Je t'écoute."

    # Media are placeholders on both sides; a reply quotes the message it answers.
    await post(client, "/api/media", {"user_id": youth, "kind": "photo"})
    photo = await stream.wait_for(
        lambda e: e["type"] == "message" and e["chat_id"] == educator and e["message"].get("media", {}).get("kind") == "photo"
    )
    assert photo["message"]["thread_id"] == topic["thread_id"]
    assert photo["message"]["media"]["label"] == "Photo"
    await post(client, "/api/send", {"user_id": youth, "text": "merci", "reply_to": answer["message_id"]})
    mine = await stream.wait_for(
        lambda e: e["type"] == "message" and e["chat_id"] == youth and e["message"]["text"] == "merci"
    )
    assert mine["message"]["reply_to"]["text"].startswith("Salut, c'est Léa")
    assert not mine["message"]["from_bot"]
    relayed = (await stream.wait_for(bot_says(educator, "merci", thread_id=topic["thread_id"])))["message"]
    await runtime.settle()  # the bot records which copy is which once Telegram confirmed it
    await post(
        client,
        "/api/send",
        {"user_id": educator, "text": "Avec plaisir", "thread_id": topic["thread_id"], "reply_to": relayed["message_id"]},
    )
    quoted = (await stream.wait_for(bot_says(youth, "Avec plaisir")))["message"]
    assert quoted["reply_to"] == {"message_id": mine["message"]["message_id"], "sender": "Inès", "text": "merci"}

    # What the page holds now for each pane.
    youth_pane = [m["text"] for m in stream.messages(youth).values()]
    assert youth_pane[0] == "/start" and "merci" in youth_pane
    topic_pane = [m for m in stream.messages(educator).values() if m["thread_id"] == topic["thread_id"]]
    assert any("merci" == m["text"] for m in topic_pane)


async def test_a_second_educator_joins_and_gets_the_waiting_card(demo, stream):
    client, runtime, _ = demo
    youth, _ = ids(runtime)
    added = (await post(client, "/api/educators"))["educator"]
    assert added["label"] == "Marc (Mission Locale de Bourges)"
    snapshot = await stream.wait_for(
        lambda e: e["type"] == "snapshot" and any(p["id"] == added["id"] for p in e["state"]["participants"])
    )
    assert len([p for p in snapshot["state"]["participants"] if p["role"] == "educator"]) == 2
    assert any("Tu es disponible" in m["text"] for m in stream.messages(added["id"]).values())

    await post(client, "/api/send", {"user_id": youth, "text": "/educateur"})
    await stream.wait_for(bot_says(added["id"], "attend depuis"))
    await stream.wait_for(bot_says(runtime.educators[0].id, "attend depuis"))


async def test_a_new_young_person_starts_an_empty_chat(demo, stream):
    client, runtime, _ = demo
    first, _ = ids(runtime)
    await post(client, "/api/send", {"user_id": first, "text": "/start"})
    await stream.wait_for(bot_says(first, "Je suis un bot"))
    second = (await post(client, "/api/youth"))["youth"]
    assert second["id"] != first
    snapshot = await stream.wait_for(lambda e: e["type"] == "snapshot" and e["state"]["youth"] == second["id"])
    assert snapshot["state"]["chats"][str(second["id"])]["messages"] == []


# -- guards -----------------------------------------------------------------------------------


async def test_requests_the_page_would_never_send_are_refused(demo):
    client, runtime, _ = demo
    youth, _ = ids(runtime)
    form = await client.post("/api/send", data={"user_id": str(youth), "text": "hi"})
    assert form.status == 415
    foreign = await client.post("/api/send", json={"user_id": youth, "text": "hi"}, headers={"Origin": "http://evil.example"})
    assert foreign.status == 403
    assert (await post(client, "/api/send", {"user_id": 1, "text": "hi"}, status=400))["error"] == "unknown_user"
    assert (await post(client, "/api/send", {"user_id": youth, "text": "   "}, status=400))["error"] == "missing_text"
    assert (await post(client, "/api/press", {"user_id": youth, "message_id": 99, "data": "x"}, status=400))["error"] == "no_such_button"
    assert (await post(client, "/api/media", {"user_id": youth, "kind": "bomb"}, status=400))["error"] == "unknown_media"
    assert (await post(client, "/api/scenario/start", {"id": "nope"}, status=400))["error"] == "unknown_scenario"
    assert runtime.emulator.messages(youth) == []


# -- scenarios --------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario_id", ["crise", "emploi", "hors-permanence"])
async def test_each_scenario_plays_to_the_end_against_the_real_bot(demo, stream, scenario_id):
    client, runtime, _ = demo
    first_youth = runtime.youth.id
    started = await post(client, "/api/scenario/start", {"id": scenario_id})
    assert started["player"] == {
        "scenario": scenario_id, "position": 0, "total": started["player"]["total"], "busy": False,
        "error": None, "done": False, "autoplay": False,
    }
    youth = runtime.youth.id
    assert youth != first_youth  # every scenario starts with a new young person
    for position in range(1, started["player"]["total"] + 1):
        step = await post(client, "/api/scenario/step")
        assert step["player"]["error"] is None
        assert step["player"]["position"] == position
    assert step["player"]["done"]
    assert (await post(client, "/api/scenario/step"))["player"]["position"] == position
    progress = [e["player"]["position"] for e in stream.events if e["type"] == "scenario"]
    assert progress[-1] == position

    educator = runtime.educators[0].id
    youth_pane = [m["text"] for m in stream.messages(youth).values() if m["from_bot"]]
    if scenario_id == "crise":
        assert any("3114" in text for text in youth_pane)
        assert any("Tu es en sécurité" in text for text in youth_pane)
        assert not any("Idées suicidaires" in text for text in youth_pane)  # the note stays internal
    elif scenario_id == "emploi":
        assert any("job tout de suite" in text for text in youth_pane)
        assert any("ça t'a aidé" in text for text in youth_pane)
    else:
        assert any("Aucun·e éducateur·rice n'est disponible" in text for text in youth_pane)
        assert any("J'ai lu ton message d'hier soir" in text for text in youth_pane)
        assert any("n'êtes" in t or "plus disponible" in t for t in (m["text"] for m in stream.messages(educator).values()))


async def test_play_runs_every_remaining_step(demo, stream):
    client, runtime, _ = demo
    await post(client, "/api/scenario/start", {"id": "crise"})
    playing = await post(client, "/api/scenario/play", status=202)
    assert playing["player"]["autoplay"]
    done = await stream.wait_for(lambda e: e["type"] == "scenario" and e["player"]["done"] and not e["player"]["autoplay"], 60)
    assert done["player"]["error"] is None
    stopped = await post(client, "/api/scenario/stop")
    assert stopped["player"]["scenario"] is None


def test_the_scenario_file_is_valid_and_bad_steps_are_named():
    scenarios = load_scenarios()
    assert [s.id for s in scenarios] == ["crise", "emploi", "hors-permanence"]
    assert all(step.note for s in scenarios for step in s.steps)
    with pytest.raises(ScenarioError, match="exactly one action"):
        parse_scenarios({"scenarios": [{"id": "x", "steps": [{"note": "n", "youth": "a", "educator": "b"}]}]})
    with pytest.raises(ScenarioError, match="bad expect"):
        parse_scenarios({"scenarios": [{"id": "x", "steps": [{"note": "n", "youth": "a", "expect": "nobody"}]}]})
    with pytest.raises(ScenarioError, match="media"):
        parse_scenarios({"scenarios": [{"id": "x", "steps": [{"note": "n", "youth_media": "hologram"}]}]})


# -- the command ------------------------------------------------------------------------------


def test_demo_is_a_promeneur_sub_command():
    from bot.cli import build_parser

    args = build_parser().parse_args(["demo", "--port", "8099"])
    assert args.port == 8099 and args.host == "127.0.0.1" and args.needs_settings is False
    assert build_parser().parse_args(["demo"]).port == 8080


async def test_the_command_prints_the_url_and_serves_the_page(tmp_path, monkeypatch, capsys, unused_port):
    from aiohttp import ClientSession

    from bot.demo import command

    monkeypatch.setattr(command, "demo_settings", fast_settings)
    ready = asyncio.Event()
    task = asyncio.create_task(command.serve("127.0.0.1", unused_port, tmp_path / "demo.db", ready=ready))
    try:
        await asyncio.wait_for(ready.wait(), 30)
        out = capsys.readouterr().out
        assert f"Démo prête : ouvre http://127.0.0.1:{unused_port}" in out
        async with ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{unused_port}/") as response:
                assert response.status == 200
                assert "Promeneur" in await response.text()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert Path(tmp_path / "demo.db").exists()


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
