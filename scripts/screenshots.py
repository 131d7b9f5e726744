"""The documents' images, made again from the current model and page: ``python scripts/screenshots.py``.

- ``docs/images/app.png``: the app at a projector's 1280x720, twelve months into the Hanoi case
  (headless Debian Chromium through Playwright, every request off the machine blocked);
- ``docs/images/compare.png``: ``compare --plot`` of the Agreed Framework against Hanoi.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
CHROMIUM = os.environ.get("PENINSULA_CHROMIUM", "/usr/bin/chromium")
HANOI_TITLE = "The Hanoi summit, 2019-2020"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_screenshot(path: Path) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, "run_sim.py", "app", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1"))
                       else route.abort())
            page.goto(url)
            page.locator(".peninsula-chart svg").first.wait_for(timeout=120_000)
            page.locator(".v-select", has_text="Case").first.click()
            page.get_by_role("option", name=HANOI_TITLE, exact=True).click()
            page.locator(".pen-run", has_text="0 of 24 months simulated").wait_for(timeout=60_000)
            for _ in range(12):
                page.get_by_role("button", name="Step").click()
                page.wait_for_timeout(150)
            page.locator(".pen-run", has_text="12 of 24 months simulated").wait_for(timeout=60_000)
            page.wait_for_function("() => Number(document.querySelector('.peninsula-chart').dataset.rows) >= 13 * 8")
            page.wait_for_timeout(500)
            page.screenshot(path=str(path))
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    app_screenshot(IMAGES / "app.png")
    print(f"written {IMAGES / 'app.png'}")
    subprocess.run([sys.executable, "run_sim.py", "compare", "scenarios/agreed_framework_1994.yaml", "scenarios/hanoi_2019.yaml",
                    "--reps", "200", "--plot", str(IMAGES / "compare.png")], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"written {IMAGES / 'compare.png'}")


if __name__ == "__main__":
    main()
