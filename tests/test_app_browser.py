"""The classroom app in headless Chromium, with the network closed to everything but this machine.

Starts ``run_sim.py app`` on a free loopback port, drives Debian's Chromium through
Playwright (``executable_path``; no browser download), picks the Hanoi case, steps twelve
months and checks that the charts and the story changed, then opens a second browser
session and checks that it has a model of its own, at month 0. Screenshots go to
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

import numpy as np
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


def _open(browser, url: str, outside: list[str]):  # noqa: ANN001, ANN202 - playwright objects
    """A new session (browser context) whose requests off this machine are blocked and listed."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
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
    page.locator("img.widget-image").first.wait_for(timeout=30_000)
    return context, page


def _story(page) -> str:  # noqa: ANN001
    card = page.locator(".v-card", has_text="the run").first
    return card.inner_text()


def _charts(page) -> list[np.ndarray]:  # noqa: ANN001
    """Each chart as pixels, from an element screenshot."""
    import io

    import matplotlib.image

    images = page.locator("img.widget-image")
    return [matplotlib.image.imread(io.BytesIO(images.nth(i).screenshot()), format="png") for i in range(images.count())]


def test_hanoi_twelve_months_and_a_second_session(app_url, browser):
    outside: list[str] = []
    context, page = _open(browser, app_url, outside)

    # pick the Hanoi case and start it
    page.get_by_text("The Agreed Framework, 1994-2003", exact=True).first.click()
    page.get_by_role("option", name=HANOI_TITLE).click()
    page.get_by_role("button", name="Reset").click()
    page.get_by_text(f"{HANOI_TITLE}: the run").wait_for(timeout=20_000)
    page.get_by_text("0 of 24 months simulated").wait_for(timeout=20_000)
    page.wait_for_timeout(500)
    story_before, charts_before = _story(page), _charts(page)
    page.screenshot(path=str(ARTIFACTS / "app-hanoi-month-0.png"))
    assert "Nothing has happened yet" in story_before
    assert len(charts_before) == 4

    # twelve months, one Step at a time
    step = page.get_by_role("button", name="Step")
    for _ in range(12):
        step.click()
    page.get_by_text("12 of 24 months simulated").wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "app-hanoi-month-12.png"))
    story_after, charts_after = _story(page), _charts(page)

    assert "12 of 24 months simulated (through 2019-12)" in story_after
    assert "Nothing has happened yet" not in story_after
    assert "2019-" in story_after and story_after != story_before
    assert len(charts_after) == 4
    for before, after in zip(charts_before, charts_after, strict=True):
        same_shape = before.shape == after.shape
        assert not same_shape or np.abs(before - after).mean() > 1e-3, "a chart did not change after twelve months"

    # a second browser session has its own model, at month 0 of the default case
    second, other = _open(browser, app_url, outside)
    other.get_by_text("0 of 108 months simulated").wait_for(timeout=20_000)
    other.screenshot(path=str(ARTIFACTS / "app-second-session.png"))
    assert "Nothing has happened yet" in _story(other)
    # and the first one is still where it was
    assert "12 of 24 months simulated" in _story(page)

    assert outside == [], f"the app asked for resources off this machine: {outside[:3]}"
    server_log = (ARTIFACTS / "app-server.log").read_text(errors="replace")
    assert "Could not load URL" not in server_log, "the server tried to fetch something from the internet"
    second.close()
    context.close()
