"""The README stays true: its commands run, its test command is CI's, every key is documented."""

from __future__ import annotations

import re
import shlex

import pytest

from sim.actors import actor_classes
from sim.outcomes import OUTCOMES
from sim.scenario import StartState
from tests.conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text()
SKIPPED = {"app"}
"""Commands that start a server; the browser test drives them."""
WRITES = ("--write",)
"""Flags that change the project's own files: the example is checked by its dry-run twin."""


def bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", README, flags=re.S)


def examples() -> list[str]:
    lines = [line.strip() for block in bash_blocks() for line in block.splitlines()]
    return [line for line in lines if line.startswith("python run_sim.py") and "&&" not in line]


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    first, second = bash_blocks()[:2]
    assert "pip install -e ." in first and "compare scenarios/agreed_framework_1994.yaml scenarios/hanoi_2019.yaml" in first
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = re.search(r'^TEST_COMMAND="(.*)"$', ci, flags=re.M).group(1)
    assert second.strip() == test_command


@pytest.mark.parametrize("line", examples())
def test_every_example_runs(line, tmp_path):
    argv = shlex.split(line, comments=True)[2:]
    if argv[0] in SKIPPED:
        pytest.skip(f"{argv[0]} starts a server")
    if any(flag in argv for flag in WRITES):
        pytest.skip("writes into the project; its dry run is tested")
    before = ["", *argv[:-1]]
    argv = [
        str(tmp_path / a) if previous in ("--out", "-o", "--plot", "--save-folds") else str(min(int(a), 20)) if previous == "--reps" else a
        for previous, a in zip(before, argv, strict=True)
    ]
    if argv[0] == "calibrate" or "--cross-validate" in argv:  # minutes to an hour as written: the same command, smaller
        argv += ["--population", "10", "--generations", "1", "--particle-reps", "1", "--workers", "1"]
        argv += ["--check-reps", "5"] if argv[0] == "calibrate" else ["--reps", "5", "--case", "hanoi_2019"]
    result = run_cli(*argv)
    assert result.code == 0, result.err


def test_every_scenario_key_and_outcome_is_documented():
    for name in StartState.model_fields:
        assert f"`{name}`" in README, name
    for cls in actor_classes().values():
        for name in cls.Policy.model_fields:
            assert f"`{name}`" in README, name
    for name in OUTCOMES:
        assert f"`{name}`" in README, name


def error_examples() -> list[tuple[str, str]]:
    """The ``$ command`` / ``error: ...`` pairs of the README's errors section."""
    blocks = re.findall(r"```console\n(.*?)```", README, flags=re.S)
    pairs = []
    for block in blocks:
        lines = block.strip().splitlines()
        pairs += [(a.removeprefix("$ "), b) for a, b in zip(lines[::2], lines[1::2], strict=True)]
    return pairs


def test_the_errors_section_has_examples():
    assert len(error_examples()) >= 5


@pytest.mark.parametrize(("command", "message"), error_examples())
def test_every_error_example_says_what_the_readme_says(command, message):
    argv = shlex.split(command)[2:]
    result = run_cli(*argv)
    assert result.code == 2
    assert result.err == message + "\n"
