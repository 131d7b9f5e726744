"""The app serves only what it ships: with the network closed, an unknown ``/_solara/cdn/`` path gets a local 404.

The server and ``curl`` run together in a network namespace of their own with only the
loopback interface (``unshare -n``, as root), so nothing could leave the machine if the server
tried; the server's log must show that it did not try. Where a namespace cannot be made, the
network is closed for the server by pointing its HTTP(S) proxy at a closed local port.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytest.importorskip("solara")

UNKNOWN = "/_solara/cdn/left-pad@1.3.0/index.js"
SHIPPED = "/_solara/cdn/vega@5.21.0/build/vega.min.js"


def _namespace() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SCRIPT = """
set -u
{lo}
{python} run_sim.py app --port {port} > {log} 2>&1 &
server=$!
for i in $(seq 1 180); do
    curl -s -o /dev/null http://127.0.0.1:{port}/ && break
    sleep 0.5
done
for path in / {unknown} {shipped} {unknown}; do
    curl -s -o /dev/null -m 20 -w "%{{http_code}} %{{time_total}}\\n" "http://127.0.0.1:{port}$path"
done
kill $server
wait $server 2>/dev/null
exit 0
"""


@pytest.mark.slow
def test_an_unknown_cdn_path_is_answered_locally_with_the_network_closed(tmp_path):
    if shutil.which("curl") is None:
        pytest.skip("curl is missing")
    port, log = _free_port(), tmp_path / "server.log"
    closed = _namespace()
    script = SCRIPT.format(lo="ip link set lo up" if closed else "", python=sys.executable, port=port, log=log,
                           unknown=UNKNOWN, shipped=SHIPPED.replace("vega@5.21.0", _vega()))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not closed:  # no namespace: any outside fetch goes to a closed port
        env |= {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost"}
    command = ["unshare", "-n", "sh", "-c", script] if closed else ["sh", "-c", script]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    answers = [line.split() for line in done.stdout.splitlines()]
    assert len(answers) == 4, f"{done.stdout}{done.stderr}{log.read_text(errors='replace')}"
    (page, _), (unknown, _), (shipped, _), (again, _) = answers
    assert page == "200" and shipped == "200"
    assert unknown == "404" and again == "404"
    server_log = log.read_text(errors="replace")
    assert "not shipped, not fetched" in server_log
    assert "Could not load URL" not in server_log, "the server tried to fetch from outside"


def _vega() -> str:
    from sim import web

    return web.ASSETS["vega"].split("/")[0]
