"""Scripted conversations played step by step on the demo page, for training.

Scenarios are data (``bot/demo/scenarios.yaml``): each step has a ``note`` (what a trainer
says about it), one action, and what it waits for. Actions:

``youth: text``                 the young person writes (private chat with the bot)
``youth_press: fragment``       … presses the newest button whose text contains ``fragment``
``youth_media: photo``          … sends a placeholder (photo, voice, document, sticker…)
``educator: text``              the scenario's educator writes in the young person's topic
``educator_command: /text``     … writes in the general thread of their chat (/dispo, /file…)
``educator_press: fragment``    … presses the newest button whose text contains ``fragment``
``educators_command: /text``    every educator writes it in their general thread (/pause)

``expect`` waits until the bot has said something in a pane: ``youth`` or ``educator`` (any new
or edited bot message there), or ``{youth: "fragment"}`` / ``{educator: "fragment"}``; a list
waits for each. Nothing in the bot knows a scenario is playing: the steps are updates from the
users, as everywhere in the demo.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.emulator import EmulatorTimeout, StoredMessage
from bot.demo.runtime import MEDIA_KINDS, DemoError, DemoRuntime, Participant

SCENARIOS_FILE = Path(__file__).resolve().parent / "scenarios.yaml"
ACTIONS = (
    "youth",
    "youth_press",
    "youth_media",
    "educator",
    "educator_command",
    "educator_press",
    "educator_media",
    "educators_command",
)
PANES = ("youth", "educator")
EXPECT_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Expectation:
    pane: str
    fragment: str | None = None


@dataclass(frozen=True)
class Step:
    note: str
    action: str
    value: str
    expect: tuple[Expectation, ...] = ()

    @property
    def label(self) -> str:
        """A short description of the action, for the list of steps."""
        who = {
            "youth": "Jeune écrit",
            "youth_press": "Jeune appuie sur",
            "youth_media": "Jeune envoie",
            "educator": "Éducateur·rice répond",
            "educator_command": "Éducateur·rice tape",
            "educator_press": "Éducateur·rice appuie sur",
            "educator_media": "Éducateur·rice envoie",
            "educators_command": "Toute l'équipe tape",
        }[self.action]
        return f"{who} : « {self.value} »"

    def to_json(self) -> dict[str, Any]:
        return {"note": self.note, "label": self.label, "action": self.action, "value": self.value}


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "steps": [step.to_json() for step in self.steps],
        }


class ScenarioError(ValueError):
    pass


def _expectations(raw: Any, where: str) -> tuple[Expectation, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, str) and item in PANES:
            out.append(Expectation(item))
        elif isinstance(item, dict) and len(item) == 1:
            [(pane, fragment)] = item.items()
            if pane not in PANES or not isinstance(fragment, str) or not fragment:
                raise ScenarioError(f"{where}: bad expect {item!r}")
            out.append(Expectation(pane, fragment))
        else:
            raise ScenarioError(f"{where}: bad expect {item!r}")
    return tuple(out)


def parse_scenarios(data: Any) -> list[Scenario]:
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), list):
        raise ScenarioError("the file needs a 'scenarios' list")
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["scenarios"]):
        where = f"scenario #{index + 1}"
        if not isinstance(raw, dict):
            raise ScenarioError(f"{where}: not a mapping")
        scenario_id = str(raw.get("id") or "")
        if not scenario_id or scenario_id in seen:
            raise ScenarioError(f"{where}: missing or duplicate id")
        seen.add(scenario_id)
        steps = []
        for number, step in enumerate(raw.get("steps") or [], start=1):
            here = f"{scenario_id} step {number}"
            if not isinstance(step, dict) or not isinstance(step.get("note"), str):
                raise ScenarioError(f"{here}: a step needs a 'note'")
            actions = [key for key in ACTIONS if key in step]
            if len(actions) != 1:
                raise ScenarioError(f"{here}: exactly one action of {', '.join(ACTIONS)}")
            value = str(step[actions[0]]).strip()
            if not value:
                raise ScenarioError(f"{here}: empty action")
            if actions[0].endswith("_media") and value not in MEDIA_KINDS:
                raise ScenarioError(f"{here}: media must be one of {', '.join(MEDIA_KINDS)}")
            unknown = set(step) - set(ACTIONS) - {"note", "expect"}
            if unknown:
                raise ScenarioError(f"{here}: unknown keys {sorted(unknown)}")
            steps.append(
                Step(step["note"].strip(), actions[0], value, _expectations(step.get("expect"), here))
            )
        if not steps:
            raise ScenarioError(f"{scenario_id}: no steps")
        scenarios.append(
            Scenario(
                id=scenario_id,
                title=str(raw.get("title") or scenario_id),
                summary=str(raw.get("summary") or "").strip(),
                steps=tuple(steps),
            )
        )
    return scenarios


def load_scenarios(path: Path = SCENARIOS_FILE) -> list[Scenario]:
    with path.open(encoding="utf-8") as handle:
        return parse_scenarios(yaml.safe_load(handle))


@dataclass
class PlayerState:
    scenario: Scenario | None = None
    position: int = 0
    busy: bool = False
    error: str | None = None
    history: list[str] = field(default_factory=list)


class ScenarioPlayer:
    """Plays one scenario at a time, one step per call."""

    def __init__(
        self,
        runtime: DemoRuntime,
        scenarios: list[Scenario],
        on_change: Callable[[dict[str, Any]], None] = lambda state: None,
    ) -> None:
        self.runtime = runtime
        self.scenarios = {scenario.id: scenario for scenario in scenarios}
        self.order = [scenario.id for scenario in scenarios]
        self.state = PlayerState()
        self.on_change = on_change
        self._lock = asyncio.Lock()

    def to_json(self) -> dict[str, Any]:
        state = self.state
        return {
            "scenario": state.scenario.id if state.scenario else None,
            "position": state.position,
            "total": len(state.scenario.steps) if state.scenario else 0,
            "busy": state.busy,
            "error": state.error,
            "done": bool(state.scenario) and state.position >= len(state.scenario.steps),
        }

    def catalogue(self) -> list[dict[str, Any]]:
        return [self.scenarios[scenario_id].to_json() for scenario_id in self.order]

    def _changed(self) -> None:
        self.on_change(self.to_json())

    async def start(self, scenario_id: str) -> None:
        """Load a scenario with a new young person (the "Jeune" pane starts over)."""
        scenario = self.scenarios.get(scenario_id)
        if scenario is None:
            raise DemoError("unknown_scenario")
        async with self._lock:
            self.runtime.new_youth()
            self.state = PlayerState(scenario=scenario)
        self._changed()

    def stop(self) -> None:
        self.state = PlayerState()
        self._changed()

    async def step(self) -> bool:
        """Play the next step; False when there is none. Errors are kept in the state."""
        if self._lock.locked():
            raise DemoError("busy")
        async with self._lock:
            state = self.state
            if state.scenario is None or state.position >= len(state.scenario.steps):
                return False
            step = state.scenario.steps[state.position]
            state.busy, state.error = True, None
            self._changed()
            try:
                await self.play(step)
            except (DemoError, EmulatorTimeout, TimeoutError, LookupError) as error:
                state.error = _error_code(error)
            else:
                state.position += 1
            finally:
                state.busy = False
        self._changed()
        return state.error is None

    async def play_all(self) -> bool:
        while self.state.scenario is not None and self.state.position < len(self.state.scenario.steps):
            if not await self.step():
                return False
        return True

    # -- one step ---------------------------------------------------------------------------

    def _educator(self) -> Participant:
        educators = self.runtime.educators
        if not educators:
            raise DemoError("no_educator")
        return educators[0]

    def _youth(self) -> Participant:
        if self.runtime.youth is None:
            raise DemoError("no_youth")
        return self.runtime.youth

    async def play(self, step: Step) -> None:
        runtime, emu = self.runtime, self.runtime.emulator
        mark = emu.mark()
        action, value = step.action, step.value
        if action == "youth":
            await runtime.send_text(self._youth().id, value)
        elif action == "youth_media":
            await runtime.send_media(self._youth().id, value)
        elif action == "youth_press":
            await self._press(self._youth(), value)
        elif action == "educator":
            educator = self._educator()
            await runtime.send_text(educator.id, value, thread_id=await self._current_topic(educator))
        elif action == "educator_media":
            educator = self._educator()
            await runtime.send_media(educator.id, value, thread_id=await self._current_topic(educator))
        elif action == "educator_command":
            await runtime.send_text(self._educator().id, value)
        elif action == "educators_command":
            for educator in runtime.educators:
                await runtime.send_text(educator.id, value)
        elif action == "educator_press":
            await self._press(self._educator(), value)
        for expectation in step.expect:
            await self._wait(expectation, mark)

    async def _current_topic(self, educator: Participant) -> int | None:
        """The newest open topic in the educator's chat: the conversation just taken."""
        topics = [t for t in self.runtime.emulator.topics(educator.id) if not t.closed]
        if not topics:
            return None
        await self.runtime.topic_ready(educator.id, topics[-1].thread_id)
        return topics[-1].thread_id

    async def _press(self, person: Participant, fragment: str) -> None:
        wanted = fragment.casefold()
        for message in reversed(self.runtime.emulator.sent(person.id, include_deleted=False)):
            for row in message.inline_keyboard:
                for button in row:
                    if "callback_data" in button and wanted in str(button.get("text", "")).casefold():
                        await self.runtime.press(person.id, message.message_id, button["callback_data"])
                        return
        raise DemoError("no_such_button")

    async def _wait(self, expectation: Expectation, mark: int) -> StoredMessage:
        person = self._youth() if expectation.pane == "youth" else self._educator()
        emu = self.runtime.emulator
        fragment = expectation.fragment.casefold() if expectation.fragment else None

        def found() -> StoredMessage | None:
            for message in emu.sent(person.id):
                fresh = message.seq > mark or any(edit.seq > mark for edit in message.edits)
                if fresh and (fragment is None or fragment in (message.text or "").casefold()):
                    return message
            return None

        return await emu.wait_until(found, timeout=EXPECT_TIMEOUT_S)


def _error_code(error: Exception) -> str:
    if isinstance(error, DemoError):
        return str(error)
    if isinstance(error, TimeoutError):
        return "timeout"
    return "failed"
