"""The classroom app in headless Chromium, with the network closed to everything but this machine.

Starts ``run_sim.py app`` on a free loopback port, drives Debian's Chromium through
Playwright (``executable_path``; no browser download) at a projector's 1280x720: picks the
Hanoi case, changes a policy and sees the run restart with it, steps, plays, resets, and reads
the dates on the charts' axes and the story's label; then two sessions side by side, each with
a model of its own. Screenshots go to
``artifacts/``. Without Chromium (``/usr/bin/chromium``, or the path in ``PENINSULA_CHROMIUM``)
or Playwright the test is skipped, except on CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("PENINSULA_CHROMIUM", "/usr/bin/chromium")  # Debian's, or another build
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
HANOI_TITLE = "The Hanoi summit, 2019-2020"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "ws://localhost")


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium; see .ci/install-browser.sh)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install playwright; no browser download needed)"
    if shutil.which("solara") is None and not _importable("solara"):
        return "solara is missing (pip install 'peninsula[app]')"
    return None


def _importable(name: str) -> bool:
    from importlib.util import find_spec

    return find_spec(name) is not None


_REASON = _missing()
if _REASON:
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run on CI: {_REASON}", pytrace=False)
    pytest.skip(_REASON, allow_module_level=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "app-server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen([sys.executable, "run_sim.py", "app", "--port", str(port)], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"the app exited with status {server.returncode}; see {log.name}")
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer on {url} within 90 s; see {log.name}")
            time.sleep(0.5)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)  # the server and the solara process it started
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser, url: str, outside: list[str], size: tuple[int, int] = (1280, 720)):  # noqa: ANN001, ANN202
    """A new session (browser context) whose requests off this machine are blocked and listed."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()

    def route(route):  # noqa: ANN001
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.goto(url)
    page.get_by_role("button", name="Step").wait_for(timeout=60_000)
    page.locator(".peninsula-chart svg").first.wait_for(timeout=30_000)
    return context, page


def _story(page) -> str:  # noqa: ANN001
    return page.locator(".pen-run").inner_text()


def _months(page, text: str) -> None:  # noqa: ANN001
    page.locator(".pen-run", has_text=text).wait_for(timeout=30_000)


def _pick(page, label: str, option: str) -> None:  # noqa: ANN001
    page.locator(".v-select", has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def _axis_text(page, year: str) -> list[str]:  # noqa: ANN001
    """The texts of the charts, once one of them reads ``year``."""
    page.wait_for_function(f"() => [...document.querySelectorAll('.peninsula-chart svg text')].some(t => t.textContent.endsWith('{year}'))")
    return [t.strip() for t in page.locator(".peninsula-chart svg text").all_text_contents()]


def _links_off_this_machine(page) -> list[str]:  # noqa: ANN001
    return page.evaluate("""() => [...document.querySelectorAll('a[href], link[href], script[src], img[src], iframe[src]')]
        .map(e => e.href || e.src).filter(u => u && !u.startsWith(location.origin) && !u.startsWith('data:'))""")


def test_a_lesson_pick_a_case_change_a_policy_step_play_reset(app_url, browser):
    outside: list[str] = []
    context, page = _open(browser, app_url, outside)
    _months(page, "0 of 108 months simulated")
    assert "a typical run of 200" in _story(page)

    # pick the Hanoi case: the run starts over with it, dated 2019-2020
    _pick(page, "Case", HANOI_TITLE)
    _months(page, "0 of 24 months simulated")
    page.get_by_text("What happened in history: 2019-01").wait_for(timeout=20_000)
    axis = _axis_text(page, "2019")
    assert any("2019" in t for t in axis) and any("2020" in t for t in axis), axis

    # step three months, then change a policy: the run restarts with it, no Reset needed
    step = page.get_by_role("button", name="Step")
    for _ in range(3):
        step.click()
        page.wait_for_timeout(100)
    _months(page, "3 of 24 months simulated")
    _pick(page, "Who delivers first", "action for action")
    _months(page, "0 of 24 months simulated")
    assert "us.sequencing=action_for_action" in _story(page)

    # twelve months, one Step at a time: the story and the chart follow
    for _ in range(12):
        step.click()
        page.wait_for_timeout(100)
    _months(page, "12 of 24 months simulated (through 2019-12)")
    assert page.evaluate("document.getAnimations().length") == 0  # the page holds still (sim/assets/custom.css)
    page.wait_for_function("() => Number(document.querySelector('.peninsula-chart').dataset.rows) >= 13 * 8")
    story = _story(page)
    assert "Nothing has happened yet" not in story and "2019-" in story
    assert "The story of a typical run of 200" in story
    page.screenshot(path=str(ARTIFACTS / "app-hanoi-month-12.png"))

    # play to the end of the case, then reset
    page.get_by_role("button", name="Play").click()
    _months(page, "24 of 24 months simulated")
    page.get_by_role("button", name="Play").wait_for(timeout=10_000)  # the button reads Play again at the end
    page.get_by_role("button", name="Reset").click()
    _months(page, "0 of 24 months simulated")
    assert "us.sequencing=action_for_action" in _story(page)  # Reset keeps the policies
    # a new run: the charts drop the last run's rows and hold the first month's only
    page.wait_for_function("() => document.querySelector('.peninsula-chart').dataset.rows === '8'")

    assert outside == [], f"the app asked for resources off this machine: {outside[:3]}"
    assert _links_off_this_machine(page) == []
    assert "runs on Solara" not in page.content()
    server_log = (ARTIFACTS / "app-server.log").read_text(errors="replace")
    assert "Could not load URL" not in server_log, "the server tried to fetch something from the internet"
    context.close()


def test_two_sessions_are_isolated(app_url, browser):
    outside: list[str] = []
    first, one = _open(browser, app_url, outside, size=(1366, 768))
    second, two = _open(browser, app_url, outside)
    for _ in range(4):
        one.get_by_role("button", name="Step").click()
        one.wait_for_timeout(100)
    _months(one, "4 of 108 months simulated")
    _pick(two, "China's stance on sanctions", "none (0)")
    _months(two, "0 of 108 months simulated")
    two.get_by_role("button", name="Step").click()
    _months(two, "1 of 108 months simulated")
    assert "china.stance=0.0" in _story(two) and "china.stance" not in _story(one)
    _months(one, "4 of 108 months simulated")  # the first session did not move with the second
    one.screenshot(path=str(ARTIFACTS / "app-1366x768.png"))
    assert outside == []
    first.close()
    second.close()
