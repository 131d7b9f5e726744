"""The classroom documents stay true: every command they print runs (with fewer replications)."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.conftest import ROOT, run_cli

DOCUMENTS = (ROOT / "docs" / "classroom.md", ROOT / "scenarios" / "README.md")


def commands() -> list[tuple[str, str]]:
    found = []
    for path in DOCUMENTS:
        for block in re.findall(r"```sh\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S):
            for line in block.splitlines():
                line = line.split("  #")[0].strip()
                if line.startswith("python run_sim.py"):
                    found.append((path.relative_to(ROOT).as_posix(), line))
    return found


def test_the_documents_show_commands():
    shown = [line for _, line in commands()]
    assert len(shown) >= 15
    for command in ("app", "run", "compare", "report"):
        assert any(line.split()[2] == command for line in shown)


def test_the_documents_show_their_images():
    text = DOCUMENTS[0].read_text(encoding="utf-8")
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
        assert (DOCUMENTS[0].parent / image).is_file(), image


@pytest.mark.parametrize(("document", "line"), commands(), ids=[f"{d}: {c[18:60]}" for d, c in commands()])
def test_every_command_runs(document, line, tmp_path):
    argv = shlex.split(line)[2:]
    if argv[0] == "app":
        from sim.cli import build_parser

        args = build_parser().parse_args(argv)  # the server itself is driven by the browser test
        assert args.host in ("127.0.0.1", "0.0.0.0") and 0 < args.port < 65536
        return
    before = ["", *argv[:-1]]
    argv = [
        str(tmp_path / a) if previous in ("-o", "--output", "--plot") else str(min(int(a), 20)) if previous == "--reps" else a
        for previous, a in zip(before, argv, strict=True)
    ]
    result = run_cli(*argv)
    assert result.code == 0, f"{document}: {line}: {result.err}"
