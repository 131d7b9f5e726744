"""Shared helpers: paths to the shipped cases and a way to run the command line in-process."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
AGREED_FRAMEWORK = SCENARIOS / "agreed_framework_1994.yaml"
HANOI = SCENARIOS / "hanoi_2019.yaml"
PEACE_TREATY = SCENARIOS / "peace_treaty_2016.yaml"


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> Result:
    """Run ``peninsula ARGV`` in this process, capturing output and the exit status."""
    from sim.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def python() -> str:
    return sys.executable
