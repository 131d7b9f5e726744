"""``app``: the classroom web app (Solara) on this machine, offline, bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

CULL = "2m"
"""How long a session's model outlives its closed browser tab."""

SERVER_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports
    "SOLARA_CHECK_HOOKS": "off",
    "SOLARA_KERNEL_CULL_TIMEOUT": CULL,  # Solara's default keeps a closed session's kernel for 24 hours
    "SOLARA_THEME_SHOW_BANNER": "False",  # no "runs on Solara" badge, no link out
    "SOLARA_THEME_LOADER": "plain",  # the loading screen without a link out
    "SOLARA_THEME_TITLE": "Peninsula",
}
"""Environment of the server: no telemetry, sessions culled minutes after their tab closes, no
badge or outside link. The front end comes from the installed ``solara-assets`` package;
``--no-check-version`` skips the version check on PyPI; ``sim.web`` closes the CDN proxy."""


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is between 0 and 65535, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=port_number, default=8765, help="port to serve on (default 8765; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for a classroom network)")


def command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line that serves ``sim/app.py``."""
    app = Path(__file__).resolve().parent.parent / "app.py"
    return [sys.executable, "-m", "solara", "run", str(app), "--host", host, "--port", str(port),
            "--no-open", "--no-check-version", "--production", "--log-level", "warning"]


def environment() -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent.parent)
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, **SERVER_ENV, "PYTHONPATH": root + (os.pathsep + path if path else "")}


def main(args: argparse.Namespace) -> int:
    from importlib.util import find_spec

    from sim.errors import UserError

    missing = [name for name in ("solara", "solara_assets", "ipyvuetify") if find_spec(name) is None]
    if missing:
        raise UserError(f"the app needs the 'app' extras ({missing[0]} is missing): pip install 'peninsula[app]'")
    url_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    sys.stderr.write(f"the classroom app: http://{url_host}:{args.port} (Ctrl-C to stop)\n")
    sys.stderr.flush()
    line = command(args.host, args.port)
    if os.name == "posix":  # become the server: stopping this process stops it, no orphan left behind
        os.execve(line[0], line, environment())
    try:
        return subprocess.call(line, env=environment())
    except KeyboardInterrupt:
        return 0
