"""What one classroom page costs the browser, in CPU time rather than wall time (usable on a busy machine).

    python benchmarks/browser_cpu.py --pages 1 --steps 10 --idle 20

Starts ``run_sim.py app`` on a free loopback port (or uses ``--url``), opens ``--pages`` sessions
one after the other in headless Debian Chromium (one browser context each, every request off the
machine blocked) and reads the CPU time of Chromium's processes from ``/proc`` (browser, renderers,
GPU process, utilities) and each page's main-thread counters (``Performance.getMetrics``):

- a page open: from the address to the charts drawn, plus three seconds to settle;
- a page left idle for ``--idle`` seconds, and a page held on Solara's loading screen (its
  kernel's requests refused, its websocket unanswered) for as long;
- a Step: ``--steps`` clicks on every page, each waited for until the story and the charts show
  the month (a MutationObserver: no polling of the page); ``--warm`` months stepped first to
  measure late in a run; ``--locator`` clicks as ``classroom_benchmark.py`` does (Playwright's
  actionability checks add their own CPU), otherwise a plain mouse click.

CPU time is much less disturbed than wall time by other jobs on the machine, not immune to them:
repeat a figure before trusting a difference of less than about 15%. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PENINSULA_CHROMIUM", "/usr/bin/chromium")
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1")
TICK = os.sysconf("SC_CLK_TCK")
ROWS_A_MONTH = 8  # chart rows a month: the measures of sim.labels.PANELS

WAIT = """([month, rows]) => new Promise(resolve => {
    const shown = () => {
        const bold = document.querySelector('.pen-run b');
        const chart = document.querySelector('.peninsula-chart');
        return bold && bold.textContent.startsWith(month + ' of') && chart && chart.dataset.rows === String(rows);
    };
    if (shown()) { resolve(true); return; }
    const watch = new MutationObserver(() => { if (shown()) { watch.disconnect(); resolve(true); } });
    watch.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
})"""


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


class Chromium:
    """CPU seconds of Chromium's processes by kind (``--type=``), those that have exited included."""

    def __init__(self) -> None:
        self.last: dict[int, tuple[str, float]] = {}

    def read(self) -> dict[str, float]:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                words = (entry / "cmdline").read_bytes().replace(b"\0", b" ").split()
            except OSError:
                continue
            if not words or b"chrom" not in words[0]:
                continue
            kind = next((w[7:].decode() for w in words if w.startswith(b"--type=")), "browser")
            self.last[int(entry.name)] = (kind, cpu_seconds(int(entry.name)) or self.last.get(int(entry.name), ("", 0.0))[1])
        totals: dict[str, float] = {}
        for kind, seconds in self.last.values():
            totals[kind] = totals.get(kind, 0.0) + seconds
        return totals


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {kind: after.get(kind, 0.0) - before.get(kind, 0.0) for kind in sorted(set(before) | set(after))}


def metrics(cdp) -> dict[str, float]:  # noqa: ANN001 - a CDP session
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def show(label: str, cpu: dict[str, float], per: float, unit: str, main: float | None = None) -> None:
    parts = "  ".join(f"{kind} {seconds / per * 1000:.0f}" for kind, seconds in cpu.items() if seconds / per >= 0.0005)
    line = f"{label:<34} {sum(cpu.values()) / per * 1000:7.0f} ms {unit}  ({parts})"
    if main is not None:
        line += f"  main thread {main / per * 1000:.0f} ms"
    print(line)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    (ROOT / "artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "artifacts" / "browser-cpu-server.log", "w")  # noqa: SIM115 - the server's for its life
    server = subprocess.Popen([sys.executable, "run_sim.py", "app", "--port", str(port)], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return server, url
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the app did not start; see artifacts/browser-cpu-server.log") from None
            time.sleep(0.5)


def measure(args: argparse.Namespace, url: str, server_pid: int | None) -> None:
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def route(request_route) -> None:  # noqa: ANN001
        if request_route.request.url.startswith(LOCAL):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    chromium = Chromium()
    server = (lambda: cpu_seconds(server_pid)) if server_pid else (lambda: 0.0)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        time.sleep(1)
        pages, sessions = [], []
        before, server_before, main = chromium.read(), server(), 0.0
        for _ in range(args.pages):
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            page = context.new_page()
            page.route("**/*", route)
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(url)
            page.locator(".peninsula-chart svg").first.wait_for(timeout=120_000)
            page.wait_for_function("() => document.querySelector('.peninsula-chart').dataset.rows !== undefined")
            time.sleep(3)
            pages.append(page)
            sessions.append(cdp)
            main += metrics(cdp)["TaskDuration"]
        show("page open", spent(before, chromium.read()), args.pages, "a page", main)
        print(f"{'':<34} server {(server() - server_before) / args.pages * 1000:.0f} ms a page")

        tasks = [metrics(cdp)["TaskDuration"] for cdp in sessions]
        before = chromium.read()
        time.sleep(args.idle)
        idle_main = sum(metrics(cdp)["TaskDuration"] for cdp in sessions) - sum(tasks)
        show("opened page, idle", spent(before, chromium.read()), args.idle * args.pages, "a page-second", idle_main)

        boxes = [page.get_by_role("button", name="Step").bounding_box() for page in pages]

        def click(page, box) -> None:  # noqa: ANN001
            if args.locator:
                page.get_by_role("button", name="Step").click()
            else:
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

        for month in range(1, args.warm + 1):
            for page, box in zip(pages, boxes, strict=True):
                click(page, box)
            for page in pages:
                page.evaluate(WAIT, [month, (month + 1) * ROWS_A_MONTH])
        time.sleep(2 if args.warm else 0)
        tasks = [metrics(cdp)["TaskDuration"] for cdp in sessions]
        before, server_before = chromium.read(), server()
        for month in range(args.warm + 1, args.warm + args.steps + 1):
            for page, box in zip(pages, boxes, strict=True):
                click(page, box)
            for page in pages:
                page.evaluate(WAIT, [month, (month + 1) * ROWS_A_MONTH])
            time.sleep(0.5)
        time.sleep(1.5)
        steps = args.steps * args.pages
        step_main = sum(metrics(cdp)["TaskDuration"] for cdp in sessions) - sum(tasks)
        how = "locator clicks" if args.locator else "mouse clicks"
        show(f"Step, months {args.warm + 1}-{args.warm + args.steps} ({how})", spent(before, chromium.read()), steps, "a step",
             step_main)
        print(f"{'':<34} server {(server() - server_before) / steps * 1000:.0f} ms a step")

        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        # the kernel's requests refused and its websocket left unanswered: the loading screen stays
        page.route("**/*", lambda r: r.abort() if "/jupyter/api/kernels" in r.request.url else route(r))
        page.route_web_socket("**", lambda socket: None)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(url)
        time.sleep(5)
        task, before = metrics(cdp)["TaskDuration"], chromium.read()
        time.sleep(args.idle)
        show("page held on the loading screen", spent(before, chromium.read()), args.idle, "a second",
             metrics(cdp)["TaskDuration"] - task)
        browser.close()
    print(f"requests off this machine: {len(outside)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1, help="sessions, opened one after the other (default 1)")
    parser.add_argument("--steps", type=int, default=10, help="Steps measured on every page (default 10)")
    parser.add_argument("--warm", type=int, default=0, help="months stepped before measuring (default 0)")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of the idle measurements (default 20)")
    parser.add_argument("--locator", action="store_true", help="click with Playwright's locator, as classroom_benchmark.py")
    parser.add_argument("--url", help="an app already running (its server's CPU is then not read)")
    args = parser.parse_args()
    if args.url:
        measure(args, args.url, None)
        return
    server, url = start_server()
    try:
        time.sleep(2)
        measure(args, url, server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
