"""``run SCENARIO``: one scenario over replications; ``--narrate`` tells a typical replication's story."""

from __future__ import annotations

import argparse

from sim.commands.common import (
    add_plot_argument,
    add_run_arguments,
    check_writable,
    console,
    dispositions_label,
    fmt,
    percent,
    print_json,
    save_plot,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="a scenario file, e.g. scenarios/hanoi_2019.yaml")
    add_run_arguments(parser, reps=200)
    parser.add_argument("--narrate", action="store_true",
                        help="tell a typical replication month by month (of 200 at this seed, whatever --reps is)")
    parser.add_argument("--story", type=story_argument, default="typical", metavar="typical|unusual|N",
                        help="which story --narrate and --plot tell: the typical run (default), the most unusual one, or run N (0-199)")
    add_plot_argument(parser)


def story_argument(text: str) -> str | int:
    from sim.typical import story_choice

    try:
        return story_choice(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)  # bad input fails before the model loads
    if args.plot:
        check_writable(args.plot, "--plot", make_parents=True)

    from sim.narrate import story
    from sim.runner import simulate
    from sim.stats import summarize_outcomes
    from sim.typical import tell

    result = simulate(scenario, replicas=args.reps, seed=args.seed, record_events=0, record_series=bool(args.plot), point=args.point)
    told, choice = tell(scenario, args.seed, which=args.story, point=args.point) if args.narrate or args.plot else (None, None)
    if args.plot:
        save_plot([result], args.plot, stories=[told.events], story_label=choice.label)
    summary = summarize_outcomes(result.outcomes, result.scenario.months)
    if args.json:
        payload = {"scenario": result.scenario.name, "title": result.scenario.title, "replications": args.reps,
                   "seed": args.seed, "set": args.overrides, "point": args.point, "outcomes": summary}
        if args.narrate:
            payload["story"] = [event.as_dict() for event in told.events]
            payload["story_replication"] = choice.replica
            payload["story_label"] = choice.label
        print_json(payload)
        return 0
    out = console()
    if args.narrate:
        out.print(story(told, choice.replica, label=choice.label))
        out.print()
    from rich.table import Table

    table = Table(title=f"{result.scenario.title}: {args.reps} replications, seed {args.seed}, {dispositions_label(args.point)}")
    for column in ("outcome", "mean", "95% interval", "median", "10th-90th"):
        table.add_column(column, justify="left" if column == "outcome" else "right")
    for name, s in summary.items():
        if s["mean"] is None:
            table.add_row(name, "never", "", "", "")
            continue
        interval = f"{fmt(s['ci_low'])} to {fmt(s['ci_high'])}" if args.reps > 1 and s["ci_low"] is not None else ""
        table.add_row(name + (f" (in {percent(s['happened'])} of runs)" if "happened" in s else ""), fmt(s["mean"]), interval,
                      fmt(s["median"]), f"{fmt(s['p10'])} to {fmt(s['p90'])}")
    out.print(table)
    return 0
