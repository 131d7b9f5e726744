"""``--cluster`` addresses: parsed with Dask's own parser, probed within --cluster-timeout, a
scheduler without workers refused; one line, exit 2, nothing written, no traceback at teardown.
Everything on 127.0.0.1."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import HANOI, ROOT, run_cli

distributed = pytest.importorskip("distributed")


def refused(address: str, out: Path, *words: str) -> None:
    result = run_cli("sweep", HANOI, "--grid", "china.stance=0:1:2", "--reps", "4", "--quiet", "--out", out,
                     "--cluster", address, "--cluster-timeout", "1")
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and result.err.startswith("error: --cluster"), result.err
    for word in words:
        assert word in result.err, result.err
    assert not out.exists(), "nothing written before the cluster is known to work"


@pytest.mark.parametrize(("address", "words"), [
    ("", ["give a scheduler address"]),
    ("   ", ["give a scheduler address"]),
    ("tls://127.0.0.1:8786", ["tls:// is not supported"]),
    ("ucx://127.0.0.1:8786", ["ucx:// is not supported"]),
    ("ws://127.0.0.1:8786", ["ws:// is not supported"]),
    ("127.0.0.1", ["missing port number"]),
    ("tcp://127.0.0.1:port", ["not a scheduler address"]),
    ("tcp://127.0.0.1:99999", ["port from 1 to 65535"]),
    ("tcp://127.0.0.1:1", ["cannot reach the Dask scheduler"]),
])
def test_bad_addresses(address, words, tmp_path):
    refused(address, tmp_path / "out", *words)


@pytest.fixture
def http_server():
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # the test reads stderr
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_plain_http_server_is_not_a_scheduler(http_server, tmp_path):
    refused(http_server, tmp_path / "out", "no Dask scheduler answered")


@pytest.fixture(scope="module")
def no_workers():
    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=50) as cluster:
        yield cluster.scheduler_address


def test_a_scheduler_without_workers_is_refused(no_workers, tmp_path):
    refused(no_workers, tmp_path / "out", "the scheduler has no workers")


def test_no_traceback_at_teardown(no_workers, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "sweep", str(HANOI), "--grid", "china.stance=0:1:2",
                             "--reps", "4", "--out", str(out), "--cluster", no_workers, "--cluster-timeout", "1"],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr == f"error: --cluster {no_workers}: the scheduler has no workers (waited 1 s)\n"
    assert not out.exists()


@pytest.fixture
def chatty_server():
    """A service that greets every connection with bytes Dask reads as an absurd frame length."""
    import socketserver

    class Greet(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.sendall(b"\xff" * 64 + b"SSH-2.0-OpenSSH_9.6\r\n")
            self.request.recv(1024)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Greet)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_service_that_sends_garbage_is_not_a_scheduler(chatty_server, tmp_path):
    refused(chatty_server, tmp_path / "out", "not a Dask scheduler")
