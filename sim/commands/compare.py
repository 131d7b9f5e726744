"""``compare A B ...``: scenarios side by side, with 95%% intervals and the difference from the first."""

from __future__ import annotations

import argparse

from sim.commands.common import (
    add_plot_argument,
    add_run_arguments,
    check_writable,
    console,
    difference_cell,
    dispositions_label,
    print_json,
    save_plot,
    summary_cell,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenarios", nargs="+", help="two or more scenario files; the first is the reference")
    add_run_arguments(parser, reps=500)
    add_plot_argument(parser)


def main(args: argparse.Namespace) -> int:
    from sim.errors import UserError

    if len(args.scenarios) < 2:
        raise UserError(f"compare needs two or more scenarios, got {len(args.scenarios)}; use run for one")
    scenarios = [_load(path, args.overrides) for path in args.scenarios]  # fail before the model loads
    if args.plot:
        check_writable(args.plot, "--plot", make_parents=True)

    from sim.comparison import compare

    result = compare(scenarios, replicas=args.reps, seed=args.seed, record_events=0, record_series=bool(args.plot), point=args.point)
    if args.plot:
        from sim.typical import tell

        stories = [tell(scenario, args.seed, point=args.point)[0].events for scenario in scenarios]
        save_plot(result.runs, args.plot, stories=stories, story_label="each case's typical run of 200")
    if args.json:
        print_json(result.as_dict())
        return 0
    from rich.table import Table

    names = [run.scenario.name for run in result.runs]
    table = Table(title=f"{' vs '.join(names)}: {args.reps} replications each, seed {args.seed}, {dispositions_label(args.point)}, "
                        "mean [95% interval]")
    table.add_column("outcome")
    for name in names:
        table.add_column(name, justify="right")
    for name in names[1:]:
        table.add_column(f"{name} - {names[0]}", justify="right")
    for outcome in result.outcome_names:
        row = [outcome]
        row += [summary_cell(summary.get(outcome), args.reps) for summary in result.summaries]
        row += [difference_cell(diff.get(outcome), args.reps) for diff in result.differences]
        table.add_row(*row)
    console().print(table)
    return 0


def _load(path: str, overrides: list[str]):  # noqa: ANN202 - a Scenario, imported lazily
    """One scenario with the --set what-ifs, which apply to every scenario compared: a --set that
    does not apply to this one says which file it is."""
    from sim.scenario import WhatIfError, load_scenario

    try:
        return load_scenario(path, overrides)
    except WhatIfError as error:
        raise WhatIfError(error.override, f"{error.problem} (in {path})") from None
