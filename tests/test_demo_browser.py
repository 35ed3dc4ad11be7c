"""The demo page in a real browser: Debian's headless Chromium, driven with Selenium through the
system chromedriver (no browser is downloaded).

One focused scenario: a young person writes and asks for an educator, the educator takes the
conversation from the card and answers in its topic; both panes are checked as a person sees
them, then the page is checked on a phone-sized window. A screenshot is saved (``tmp_path``, and
``DEMO_SCREENSHOT`` when set: ``DEMO_SCREENSHOT=docs/screenshot-demo.png`` refreshes the README's).

Skipped when Chromium is missing on a developer's machine; in CI (``CI=true``) that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from bot.demo.runtime import DemoRuntime
from bot.demo.server import DemoServer
from tests.conftest import make_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=fr-FR",
)
WAIT_S = 20


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required in CI: .ci/run installs chromium and chromium-driver)")
    pytest.skip(reason)


class DemoInThread:
    """The demo (emulator, real bot, page) on its own event loop, as `promeneur demo` runs it."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.url = ""
        self.runtime: DemoRuntime | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="demo", daemon=True)

    def __enter__(self) -> DemoInThread:
        self._thread.start()
        if not self._ready.wait(60) or self._error is not None:
            raise RuntimeError("the demo did not start") from self._error
        return self

    def __exit__(self, *exc: object) -> None:
        if self.loop is not None and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def call(self, coroutine, timeout: float = WAIT_S):
        """Run a coroutine on the demo's loop from the test's thread."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _main(self) -> None:
        from aiohttp import web

        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            self.runtime = DemoRuntime(
                self.database,
                settings_factory=lambda api, db: make_settings(db, api, delivery={"reply_pause_s": 0.3}),
            )
            await self.runtime.start()
            server = DemoServer(self.runtime)
            runner = web.AppRunner(server.app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            host, port = runner.addresses[0][:2]
            self.url = f"http://{host}:{port}/"
        except BaseException as error:
            self._error = error
            self._ready.set()
            raise
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await server.close()
            await runner.cleanup()
            await self.runtime.stop()


@pytest.fixture
def browser():
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        _unavailable("Chromium is not installed (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install selenium)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="promeneur-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1440,1000")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT_S)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_a_young_person_and_an_educator_talk_in_the_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, WAIT_S)

    def pane_text(pane: str) -> str:
        return browser.find_element(By.ID, f"{pane}-log").text

    def until_pane_shows(pane: str, fragment: str) -> None:
        try:
            wait.until(lambda _: fragment in pane_text(pane))
        except Exception:
            raise AssertionError(f"the {pane} pane never showed {fragment!r}; it shows:\n{pane_text(pane)}") from None

    def button_in(pane: str, label: str):
        """The newest button of that pane whose text contains ``label``."""
        buttons = browser.find_elements(By.CSS_SELECTOR, f"#{pane}-log button.kbtn")
        matching = [b for b in buttons if label in b.text]
        return matching[-1] if matching else None

    with DemoInThread(tmp_path / "demo.db") as demo:
        browser.get(demo.url)
        assert browser.title == "Promeneur — démo sans Telegram"
        until_pane_shows("educator", "Tu es disponible")  # the sample educator, on duty through /dispo
        assert "Démarrer" in pane_text("youth")

        # The young person writes (Enter sends, as in Telegram).
        youth_input = browser.find_element(By.ID, "youth-input")
        youth_input.send_keys("/start", Keys.ENTER)
        until_pane_shows("youth", "Je suis un bot")
        youth_input.send_keys("salut, j'ai besoin de parler à quelqu'un", Keys.ENTER)
        until_pane_shows("youth", "salut, j'ai besoin de parler à quelqu'un")

        # "Parler à un·e éducateur·rice", from the keyboard.
        ask = wait.until(lambda _: button_in("youth", "Parler à un·e éducateur·rice"))
        ask.send_keys(Keys.ENTER)
        until_pane_shows("youth", "position dans la file")

        # The educator gets the card, takes the conversation: its topic opens with the history.
        until_pane_shows("educator", "attend depuis")
        assert "salut, j'ai besoin de parler à quelqu'un" in pane_text("educator")
        wait.until(lambda _: button_in("educator", "Prendre en charge")).click()
        topic = wait.until(
            lambda _: next(
                (t for t in browser.find_elements(By.CSS_SELECTOR, "#topic-list .topic") if "Jeune #" in t.text), None
            )
        )
        wait.until(lambda _: topic.get_attribute("aria-current") == "true")
        until_pane_shows("educator", "l'historique de la conversation")
        until_pane_shows("youth", "est là pour toi")
        topics = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#topic-list .topic")]
        assert topics[0].endswith("Général") and any("Jeune #" in name for name in topics)

        # The educator answers in the topic; the young person reads it.
        educator = demo.runtime.educators[0]
        thread_id = demo.runtime.emulator.topics(educator.id)[-1].thread_id
        assert demo.call(demo.runtime.topic_ready(educator.id, thread_id))
        browser.find_element(By.ID, "educator-input").send_keys("Bonjour, moi c'est Léa. Je t'écoute.", Keys.ENTER)
        until_pane_shows("youth", "Bonjour, moi c'est Léa. Je t'écoute.")
        until_pane_shows("educator", "Bonjour, moi c'est Léa. Je t'écoute.")
        youth_input.send_keys("merci, ça fait du bien", Keys.ENTER)
        until_pane_shows("educator", "merci, ça fait du bien")

        # What each pane shows, in order.
        youth_pane = pane_text("youth")
        order = ["Je suis un bot", "position dans la file", "est là pour toi", "Bonjour, moi c'est Léa", "merci, ça fait du bien"]
        positions = [youth_pane.index(fragment) for fragment in order]
        assert positions == sorted(positions), youth_pane
        assert "Idées" not in youth_pane and "attend depuis" not in youth_pane  # nothing of the team's side
        educator_pane = pane_text("educator")
        assert "Tu es disponible" not in educator_pane  # the topic shows this conversation only
        screenshot = tmp_path / "demo.png"
        browser.save_screenshot(str(screenshot))
        assert screenshot.stat().st_size > 10_000
        if os.environ.get("DEMO_SCREENSHOT"):
            shutil.copyfile(screenshot, os.environ["DEMO_SCREENSHOT"])

        # The general thread still has the card, now marked as taken, without its button.
        browser.find_element(By.CSS_SELECTOR, '#topic-list [data-thread="general"]').click()
        until_pane_shows("educator", "Pris en charge par Léa")
        assert button_in("educator", "Prendre en charge") is None

        # Every control has a name a screen reader can say.
        unnamed = browser.execute_script(
            """
            const named = (el) => (el.getAttribute('aria-label') || el.textContent || '').trim()
              || (el.id && document.querySelector(`label[for="${el.id}"]`));
            return [...document.querySelectorAll('button, textarea, select, summary, a[href]')]
              .filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 80));
            """
        )
        assert unnamed == []

        # A phone-sized window: the panes stack and nothing scrolls sideways.
        browser.set_window_size(390, 844)
        wait.until(
            lambda _: browser.execute_script(
                "const y = document.getElementById('pane-youth').getBoundingClientRect();"
                "const e = document.getElementById('pane-educator').getBoundingClientRect();"
                "return e.top >= y.bottom && document.documentElement.scrollWidth <= window.innerWidth;"
            )
        )
