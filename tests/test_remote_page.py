"""The phone remote's page in a real headless Chromium (the distribution's chromium and
chromium-driver, through Selenium) against a real session on its owner thread.

Screenshots go to the test's tmp folder; with UNKNOT_SCREENSHOTS=DIR (docs/screenshots for the
README) they are written there too.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("aiohttp")
pytest.importorskip("selenium")

from remote_owner import ROUTINE, Owner  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from player.control import Command  # noqa: E402
from player.events import Done, Paused, Resumed, Skipped  # noqa: E402
from player.library import resolve  # noqa: E402
from player.remote.server import PAGE_FILES  # noqa: E402
from player.sound.voice import spoken_cue  # noqa: E402

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
PAGE = Path(__file__).resolve().parent.parent / "player" / "remote" / "page"
CLOCK = re.compile(r"^(\d\d):(\d\d)$")


def make_browser() -> webdriver.Chrome:
    """The distribution's Chromium, headless, driven by its chromedriver (no download)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--window-size=360,740"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("chromium and chromium-driver are not installed "
                    "(apt-get install chromium chromium-driver)")
    driver = make_browser()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def owner() -> Iterator[Owner]:
    o = Owner()
    yield o
    o.close()


def viewport(browser: webdriver.Chrome, width: int, height: int, mobile: bool) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def text(browser: webdriver.Chrome, element_id: str) -> str:
    return str(browser.find_element(By.ID, element_id).get_attribute("textContent")).strip()


def wait_until(browser: webdriver.Chrome, condition, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    return WebDriverWait(browser, timeout, poll_frequency=0.02).until(lambda _: condition())


def seconds(clock_text: str) -> int:
    match = CLOCK.match(clock_text)
    assert match, clock_text
    return int(match[1]) * 60 + int(match[2])


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def severe_logs(browser: webdriver.Chrome) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def click(browser: webdriver.Chrome, element_id: str) -> float:
    """Clicks a button as a person would; returns when the page saw the click (time.time())."""
    browser.execute_script(
        "window.clickedAt = null; document.getElementById(arguments[0]).addEventListener("
        "'click', () => { window.clickedAt = performance.timeOrigin + performance.now(); },"
        " {capture: true, once: true});", element_id)
    browser.find_element(By.ID, element_id).click()
    return float(browser.execute_script("return window.clickedAt")) / 1000


def open_page(browser: webdriver.Chrome, owner: Owner,
              title: str = "Trigger point · upper trapezius") -> float:
    """Loads the page; returns how long after the load it showed the step and a countdown."""
    viewport(browser, 360, 740, mobile=True)
    browser.get("about:blank")
    browser.get_log("browser")  # forget what earlier pages logged
    browser.get(owner.url)
    loaded = time.monotonic()
    wait_until(browser, lambda: text(browser, "title") == title
               and CLOCK.match(text(browser, "countdown")) is not None)
    return time.monotonic() - loaded


def test_the_page_is_small_and_self_contained() -> None:
    files = [PAGE / name for name in PAGE_FILES.values()]
    assert sum(f.stat().st_size for f in files) < 100 * 1024
    for f in files:
        body = f.read_text(encoding="utf-8")
        assert "http://" not in body.replace('"http://www.w3.org/2000/svg"', "")
        assert "https://" not in body and "//cdn" not in body
    html = (PAGE / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None, "no inline script"
    assert "style=" not in html and "<style" not in html and "onclick" not in html


def test_the_page_follows_the_session_and_its_buttons_drive_it(
        browser: webdriver.Chrome, owner: Owner) -> None:
    shown_after = open_page(browser, owner)
    assert shown_after < 1.0, f"step and countdown shown {shown_after:.2f} s after the load"
    assert text(browser, "side") == "left"
    assert text(browser, "pressure") == "Pressure 6/10"
    assert text(browser, "say") == spoken_cue(ROUTINE.steps[0])
    assert text(browser, "progress") == "Step 1 of 2"
    assert text(browser, "next").startswith("Next: Breathe")
    assert text(browser, "pause") == "Pause"
    # The countdown is the session's: what the engine has left, rounded up.
    left = owner.control.snapshot()
    engine_left = left.real_remaining - (owner.session.clock.now() - left.taken_at)
    assert abs(seconds(text(browser, "countdown")) - engine_left) <= 1.5
    # And it moves on by itself (drawn from segment_end, not pushed every second).
    first = text(browser, "countdown")
    wait_until(browser, lambda: text(browser, "countdown") != first, timeout=5)
    assert seconds(text(browser, "countdown")) == seconds(first) - 1

    before = len(owner.seen)
    clicked = click(browser, "pause")
    paused = owner.wait_for(Paused, before)
    assert paused.wall - clicked <= 0.3, f"pause {paused.wall - clicked:.3f} s after the click"
    assert owner.session.paused
    wait_until(browser, lambda: text(browser, "pause") == "Resume")
    assert text(browser, "phase") == "Paused"
    frozen = seconds(text(browser, "countdown"))
    assert abs(frozen - owner.control.snapshot().real_remaining) <= 1.0

    before = len(owner.seen)
    clicked = click(browser, "pause")
    resumed = owner.wait_for(Resumed, before)
    assert resumed.wall - clicked <= 0.3, f"resume {resumed.wall - clicked:.3f} s after the click"
    wait_until(browser, lambda: text(browser, "pause") == "Pause")
    assert not owner.session.paused

    before = len(owner.seen)
    browser.find_element(By.ID, "skip").click()
    skipped = owner.wait_for(Skipped, before)
    assert (skipped.event.from_step, skipped.event.to_step) == (1, 2)
    wait_until(browser, lambda: text(browser, "progress") == "Step 2 of 2")
    assert text(browser, "title") == "Breathe"
    assert text(browser, "next") == "Last step"

    before = len(owner.seen)
    browser.find_element(By.ID, "back").click()
    back = owner.wait_for(Skipped, before)
    assert (back.event.action, back.event.to_step) == ("back", 1)
    wait_until(browser, lambda: text(browser, "progress") == "Step 1 of 2")

    shown = seconds(text(browser, "countdown"))
    browser.find_element(By.ID, "extend").click()
    wait_until(browser, lambda: seconds(text(browser, "countdown")) >= shown + 13)
    assert severe_logs(browser) == []


def test_screenshots_at_phone_and_desktop_sizes(browser: webdriver.Chrome,
                                                tmp_path: Path) -> None:
    # A library routine's trigger-point step, straight into its work (no lead-in), as a
    # person sees it from the mat.
    routine = resolve("desk-neck-shoulders")
    routine = replace(routine, steps=tuple(replace(s, lead_in=0.0) for s in routine.steps))
    owner = Owner(routine, start_step=3)
    try:
        shoot(browser, owner, tmp_path)
    finally:
        owner.close()


def shoot(browser: webdriver.Chrome, owner: Owner, tmp_path: Path) -> None:
    open_page(browser, owner)
    step = owner.session.timeline.segments[owner.session.timeline.first_segment_of_step(3)]
    assert step.step_ref.say and text(browser, "say") == step.step_ref.say
    out_dirs = [tmp_path]
    if os.environ.get("UNKNOT_SCREENSHOTS"):
        out_dirs.append(Path(os.environ["UNKNOT_SCREENSHOTS"]))
    for name, width, height, mobile in (("remote-phone", 360, 740, True),
                                        ("remote-desktop", 1280, 800, False)):
        viewport(browser, width, height, mobile)
        # The page fits its countdown to the new size (on resize); wait for it to settle.
        wait_until(browser, lambda w=width: browser.execute_script(
            "return document.documentElement.clientWidth") == w)
        box = browser.execute_script(
            "const c = document.getElementById('countdown').getBoundingClientRect();"
            "const b = document.querySelector('.buttons').getBoundingClientRect();"
            "return [c.width, c.height, b.bottom, document.documentElement.scrollHeight,"
            " document.documentElement.scrollWidth];")
        count_w, count_h, buttons_bottom, page_h, page_w = box
        assert page_w <= width, "nothing wider than the screen"
        assert buttons_bottom <= height, "the buttons are on screen without scrolling"
        if mobile:
            assert count_w >= 0.8 * (width - 40), "the countdown takes the phone's width"
        assert count_h >= 100
        for folder in out_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{name}.png"
            assert browser.save_screenshot(str(path))
            assert png_size(path) == (width, height)
    assert severe_logs(browser) == []


def test_narrow_phone_at_320(browser: webdriver.Chrome, owner: Owner) -> None:
    open_page(browser, owner)
    viewport(browser, 320, 568, mobile=True)
    wait_until(browser, lambda: browser.execute_script(
        "return document.documentElement.clientWidth") == 320)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 320
    for button in ("pause", "skip", "back", "extend"):
        rect = browser.find_element(By.ID, button).rect
        assert rect["height"] >= 48 and rect["width"] >= 48, (button, rect)
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= 320


def test_the_page_reconnects_after_a_dropped_stream(browser: webdriver.Chrome,
                                                    owner: Owner) -> None:
    open_page(browser, owner)
    server = owner.server
    wait_until(browser, lambda: len(server._clients) == 1)  # noqa: SLF001
    old = set(server._clients)  # noqa: SLF001
    assert server._loop is not None  # noqa: SLF001

    def drop() -> None:  # as a Wi-Fi drop looks to the server: the connection reset
        for client in list(server._clients):  # noqa: SLF001
            server._drop(client, abort=True)  # noqa: SLF001

    server._loop.call_soon_threadsafe(drop)  # noqa: SLF001
    wait_until(browser, lambda: bool(set(server._clients) - old))  # noqa: SLF001
    wait_until(browser, lambda: text(browser, "link") == "Live")
    owner.control.submit(Command.PAUSE)
    wait_until(browser, lambda: text(browser, "pause") == "Resume")


def test_the_page_says_when_the_session_is_over(browser: webdriver.Chrome, owner: Owner) -> None:
    open_page(browser, owner)
    before = len(owner.seen)
    owner.control.submit(Command.NEXT)
    owner.control.submit(Command.NEXT)
    owner.wait_for(Done, before)
    wait_until(browser, lambda: text(browser, "phase") == "Finished")
    assert browser.find_element(By.ID, "pause").get_attribute("disabled") is not None
    wait_until(browser, lambda: text(browser, "link") == "Session ended")


def test_a_wrong_token_says_so(browser: webdriver.Chrome, owner: Owner) -> None:
    viewport(browser, 360, 740, mobile=True)
    base = owner.url.split("#")[0]
    browser.get(base + "#not-the-token")
    wait_until(browser, lambda: "another session" in text(browser, "notice"))
    assert not owner.session.paused
