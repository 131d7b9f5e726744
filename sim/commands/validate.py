"""``validate SCENARIO``: the schema check alone."""

from __future__ import annotations

import argparse

from sim.commands.common import print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="+", help="scenario files to check")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="ACTOR.KEY=VALUE",
                        help="check a what-if too")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def main(args: argparse.Namespace) -> int:
    from sim import calendar
    from sim.scenario import load_scenario

    checked = []
    for path in args.scenario:
        scenario = load_scenario(path, args.overrides)
        checked.append({"file": path, "name": scenario.name, "title": scenario.title,
                        "start": calendar.format_month(scenario.start), "end": calendar.format_month(scenario.end),
                        "months": scenario.months, "shocks": len(scenario.shocks), "observed": list(scenario.observed)})
    if args.json:
        print_json({"valid": True, "scenarios": checked})
    else:
        for item in checked:
            print(f"{item['file']}: valid ({item['title']}, {item['start']} to {item['end']}, "
                  f"{item['months']} months, {item['shocks']} shocks, {len(item['observed'])} observed bands)")
    return 0
