"""A class on one laptop: N browser sessions against one app server; prints what a teacher needs to know.

    python benchmarks/classroom_benchmark.py --sessions 30 --rounds 10

Starts ``run_sim.py app`` on a free loopback port, opens ``--sessions`` sessions (one browser
context each, like one student each) in headless Debian Chromium through Playwright, with every
request off the machine blocked, and measures:

- page load: from opening the address to the charts drawn, each session (students arriving
  ``--arrival`` seconds apart);
- step latency: every session presses Step at once, ``--rounds`` times; the time from the click
  to the page showing the next month, per session and round;
- play: every session plays for ``--play`` seconds at 2 months a second; months advanced a second;
- server memory (resident set, from ``/proc``): idle before any session, the peak while the class
  works, and ``--after`` seconds after every browser has closed (the app culls a closed
  session's model after ``sim.commands.app.CULL``).

The browsers run on the same machine as the server, so their work counts against the server's
cores too: a class of real laptops loads the server less. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PENINSULA_CHROMIUM", "/usr/bin/chromium")
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Sampler(threading.Thread):
    """The server's resident set, sampled every half second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.peak = max(self.peak, rss_mb(self.pid))


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the server process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def month(page) -> int:  # noqa: ANN001 - a playwright Page
    text = await page.locator(".pen-run b").first.inner_text()
    return int(text.split(" of ")[0])


async def open_session(browser, url: str, outside: list[str], delay: float = 0.0, shared=None):  # noqa: ANN001, ANN201
    await asyncio.sleep(delay)
    context = shared or await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    page.set_default_timeout(300_000)  # a starved browser is slow, not broken: measure it, do not give up

    async def route(route):  # noqa: ANN001
        if route.request.url.startswith(LOCAL):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await page.route("**/*", route)
    start = time.perf_counter()
    await page.goto(url, timeout=180_000, wait_until="commit")
    await page.locator(".peninsula-chart svg").first.wait_for(timeout=180_000)
    return context, page, time.perf_counter() - start


async def step(page) -> float:  # noqa: ANN001
    before = await month(page)
    start = time.perf_counter()
    await page.get_by_role("button", name="Step").click()
    await page.locator(".pen-run", has_text=f"{before + 1} of ").wait_for(timeout=120_000)
    return time.perf_counter() - start


async def play(page, seconds: float) -> float:  # noqa: ANN001
    before = await month(page)
    await page.get_by_role("button", name="Play").click()
    await asyncio.sleep(seconds)
    await page.get_by_role("button", name="Pause").click()
    return (await month(page) - before) / seconds


async def main_async(args: argparse.Namespace) -> None:
    from playwright.async_api import async_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    (ROOT / "artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "artifacts" / "classroom-server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen([sys.executable, "run_sim.py", "app", "--port", str(port)], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the app did not start; see artifacts/classroom-server.log") from None
                time.sleep(0.5)
        time.sleep(2)
        idle = rss_mb(server.pid)
        sampler = Sampler(server.pid)
        sampler.start()
        outside: list[str] = []
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            cpu = [cpu_seconds(server.pid)]
            wall = [time.perf_counter()]
            shared = await browser.new_context(viewport={"width": 1280, "height": 720}) if args.tabs else None
            opened = await asyncio.gather(*(open_session(browser, url, outside, i * args.arrival, shared)
                                            for i in range(args.sessions)))
            loads = [seconds for _, _, seconds in opened]
            pages = [page for _, page, _ in opened]
            cpu.append(cpu_seconds(server.pid))
            wall.append(time.perf_counter())
            latencies: list[float] = []
            for _ in range(args.rounds):
                latencies += await asyncio.gather(*(step(page) for page in pages))
            cpu.append(cpu_seconds(server.pid))
            wall.append(time.perf_counter())
            rates = await asyncio.gather(*(play(page, args.play) for page in pages)) if args.play else []
            during = rss_mb(server.pid)
            for context in {id(c): c for c, _, _ in opened}.values():
                await context.close()
            await browser.close()
        closed = time.monotonic()
        while time.monotonic() - closed < args.after:
            time.sleep(5)
        after = rss_mb(server.pid)
        sampler.stop.set()
        load = os.getloadavg()
        how = "tabs of one profile" if args.tabs else "one profile each"
        print(f"classroom benchmark: {args.sessions} sessions ({how}) arriving {args.arrival:g} s apart, "
              f"{args.rounds} rounds of Step, one server, {os.cpu_count()} cores, load average now {load[0]:.1f}")
        print(f"page load (s):       median {statistics.median(loads):.2f}  p90 {percentile(loads, 0.9):.2f}  max {max(loads):.2f}")
        print(f"step latency (s):    median {statistics.median(latencies):.3f}  p90 {percentile(latencies, 0.9):.3f}  "
              f"max {max(latencies):.3f}  ({len(latencies)} steps)")
        if rates:
            print(f"play at 2 months/s:  median {statistics.median(rates):.2f} months/s  min {min(rates):.2f}")
        print(f"server RSS (MB):     idle {idle:.0f}  during {during:.0f}  peak {sampler.peak:.0f}  "
              f"{args.after:.0f} s after the browsers closed {after:.0f} (idle + {after - idle:.0f})")
        per_step = (cpu[2] - cpu[1]) / max(1, len(latencies)) * 1000
        print(f"server CPU (s):      opening {cpu[1] - cpu[0]:.1f} in {wall[1] - wall[0]:.1f} s of wall time; "
              f"stepping {cpu[2] - cpu[1]:.1f} in {wall[2] - wall[1]:.1f} s ({per_step:.0f} ms a step)")
        print(f"requests off this machine: {len(outside)}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=30, help="browser sessions (students), default 30")
    parser.add_argument("--arrival", type=float, default=1.0,
                        help="seconds between two students opening the page, default 1 (0: all at once)")
    parser.add_argument("--tabs", action="store_true",
                        help="open the sessions as tabs of one browser profile (the files' cache shared, as a lab's "
                             "machines share a proxy) instead of one profile each")
    parser.add_argument("--rounds", type=int, default=10, help="rounds in which every session presses Step, default 10")
    parser.add_argument("--play", type=float, default=10.0, help="seconds every session plays (0: no play), default 10")
    parser.add_argument("--after", type=float, default=200.0,
                        help="seconds to wait after the browsers close before reading memory, default 200 (the cull is 2 min)")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
