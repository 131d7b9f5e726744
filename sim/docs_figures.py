"""The figures the documents quote, made from the model: ``python -m sim.docs_figures`` rewrites them.

Each quoted figure sits in a marked block of README.md, scenarios/README.md (the teacher's
guide) or docs/classroom.md::

    <!-- figures: NAME -->
    ...made by FIGURES[NAME]()...
    <!-- /figures -->

Each block is made by running the command it shows, through the same code the command runs
(``sim.runner``, ``sim.typical``, ``sim.comparison``, ``sim.fidelity``), so a changed model
changes the block. ``python -m sim.docs_figures`` rewrites every block; ``--check`` rewrites
nothing and exits 1 naming the blocks that drifted (``tests/test_docs_figures.py`` does the
same). Prose outside the blocks quotes no figure.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sim import labels, typical, words
from sim.narrate import month_lines
from sim.runner import simulate

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = (ROOT / "README.md", ROOT / "scenarios" / "README.md", ROOT / "docs" / "classroom.md", ROOT / "docs" / "calibration.md")
BLOCK = re.compile(r"(<!-- figures: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /figures -->)", re.S)
AF, HANOI = "scenarios/agreed_framework_1994.yaml", "scenarios/hanoi_2019.yaml"


def _path(case: str) -> Path:
    return ROOT / case


def _command(case: str, reps: int, what_ifs: tuple[str, ...] = (), extra: str = "") -> str:
    sets = "".join(f" --set {w}" for w in what_ifs)
    return f"python run_sim.py run {case} --reps {reps}{sets}{extra}"


def outcome_table(case: str, variants: list[tuple[str, tuple[str, ...]]], outcomes: tuple[str, ...], reps: int = 300,
                  seed: int = 0) -> str:
    """The commands of ``variants`` (a name and its what-ifs) and a table of ``outcomes`` in words, side by side."""
    runs = [simulate(_path(case), replicas=reps, seed=seed, overrides=list(w), record_series=False) for _, w in variants]
    horizon = runs[0].scenario.months
    lines = ["```sh", *(_command(case, reps, w) for _, w in variants), "```", "",
             f"What they print (seed {seed}, {reps} runs each), in words:", ""]
    head = ["outcome", *(name for name, _ in variants), *(f"change: {name}" for name, _ in variants[1:])]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for outcome in outcomes:
        cells = [words.name(outcome), *(words.value(outcome, run.outcomes[outcome], horizon) for run in runs)]
        cells += [words.change(outcome, runs[0].outcomes[outcome], run.outcomes[outcome], (horizon, horizon))[0] or "-"
                  for run in runs[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _last(events: list, kind: str):  # noqa: ANN202 - an Event or None
    found = [e for e in events if e.kind == kind]
    return found[-1] if found else None


def story_summary(case: str, what_ifs: tuple[str, ...], seed: int = 0) -> str:
    """What the typical story of ``case`` with ``what_ifs`` shows about the talks, in one paragraph."""
    told, choice = typical.tell(_path(case), seed, list(what_ifs))
    events = told.events
    count = {kind: sum(e.kind == kind for e in events) for kind in ("talks_opened", "walkout", "agreement_signed", "deal_collapsed")}
    parts = [f"In {choice.label}, talks open {_times(count['talks_opened'])} and break down {_times(count['walkout'])}"]
    parts[0] += f"; {_times(count['agreement_signed'], 'an agreement is signed')}"
    walkout = _last(events, "walkout")
    if walkout:
        us, dprk = walkout.data["us_value_of_offer"], walkout.data["dprk_value_of_offer"]
        parts.append(f"at the last breakdown the US values the DPRK's last offer at {_gain(us)} and the DPRK values the "
                     f"US offer at {_gain(dprk)}")
    offers = [e for e in events if e.kind == "offer" and e.actor == "dprk"]
    if offers:
        package = offers[-1].data["package"]
        gives = [n for n in package if n in labels.ITEMS and n in _dprk_items()]
        wants = [n for n in package if n not in gives]
        parts.append(f"the DPRK's last offer is {labels.items(gives)} for {labels.items(wants)}")
    return "; ".join(parts) + "."


def _dprk_items() -> set[str]:
    from sim import concessions

    return {n for n in concessions.NAMES if concessions.BY_NAME[n].side == "dprk"}


def _times(n: int, what: str = "") -> str:
    said = {0: "never", 1: "once", 2: "twice"}.get(n, f"{n} times")
    if what:
        return f"{what} {said}" if n else "no agreement is signed"
    return said


def _gain(value: float) -> str:
    return f"{abs(value):.2f} {'better' if value >= 0 else 'worse'} than no deal"


# ---------------------------------------------------------------- the blocks


def guide_hanoi() -> str:
    variants = [((), "As it was"), (("us.sequencing=action_for_action", "us.offers=+partial_relief"),
                                    "With step-by-step sequencing and partial relief added to the US offers")]
    lines = ["```sh", *(_command(HANOI, 200, w, " --narrate") for w, _ in variants), "```", ""]
    lines += [f"- {name}: {story_summary(HANOI, w)}" for w, name in variants]
    return "\n".join(lines) + "\n"


def guide_precondition() -> str:
    return outcome_table(AF, [("as it was", ()), ("denuclearisation steps first", ("us.precondition=denuclearization_steps",))],
                         ("talks_opened", "agreement_signed", "freeze_months", "missile_launches", "nuclear_tests"))


def guide_fuel_oil() -> str:
    return outcome_table(AF, [("as it was", ()), ("half the deliveries made", ("us.follow_through=0.5",))],
                         ("agreement_signed", "freeze_months", "collapsed", "months_to_collapse", "warheads_end"))


def guide_sequencing() -> str:
    return outcome_table(AF, [("as it was", ()), ("relief first", ("us.sequencing=relief_first",)),
                              ("verification 0.9", ("us.verification=0.9",))],
                         ("talks_opened", "agreement_signed", "walkouts", "freeze_months"))


def guide_china() -> str:
    return outcome_table(HANOI, [("as it was", ()), ("China shielding the DPRK", ("china.stance=0",))],
                         ("sanctions_pressure_mean", "missile_launches", "talks_opened", "agreement_signed", "walkouts"))


def story_excerpt(case: str, seed: int = 0, lines: int = 3, width: int = 120, fence: str = "sh") -> str:
    """The command (in a ``fence`` block) and the first ``lines`` months of its typical story, as printed."""
    told, choice = typical.tell(_path(case), seed)
    told_lines = month_lines(told.events, replica=choice.replica)[:lines]
    out = [f"```{fence}", f"python run_sim.py run {case} --reps 200 --seed {seed} --narrate", "```", "", "```text",
           f"{told.scenario.title}: {choice.label}"]
    for date, text in told_lines:
        out += textwrap.wrap(f"{date}: {text}", width=width, subsequent_indent=" " * 9)
    out += ["...", "```"]
    return "\n".join(out) + "\n"


def readme_compare() -> str:
    """The headline comparison as the ``compare`` table prints it (a few rows)."""
    from sim.comparison import compare

    result = compare([_path(AF), _path(HANOI)], replicas=500, seed=0)
    names = [run.scenario.name for run in result.runs]
    rows = ("agreement_signed", "months_to_agreement", "freeze_months", "collapsed", "months_to_collapse", "walkouts",
            "missile_launches")

    from sim.commands.common import difference_cell, summary_cell

    table = [["outcome", *names, f"{names[1]} - {names[0]}"]]
    for name in rows:
        table.append([name, *(summary_cell(summary[name], result.runs[0].replicas) for summary in result.summaries),
                      difference_cell(result.differences[0][name], result.runs[0].replicas)])
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    text = [" " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
            for row in table]
    return "\n".join(["```text", f"$ python run_sim.py compare {AF} {HANOI} --reps 500", *text, " ...", "```"]) + "\n"


def readme_headline() -> str:
    """The headline comparison's figures in a sentence each."""
    af = simulate(_path(AF), replicas=500, seed=0, record_series=False)
    hanoi = simulate(_path(HANOI), replicas=500, seed=0, record_series=False)
    o, h = af.outcomes, hanoi.outcomes
    collapse = o["months_to_collapse"][o["collapsed"]]
    when = (f"at month {np.mean(collapse):.0f} on average "
            f"({_date(af.scenario.start + int(round(np.mean(collapse))) - 1)})" if len(collapse) else "")
    return (
        f"In 500 runs (seed 0) the Agreed Framework is signed in {np.mean(o['agreement_signed']):.0%} of runs, "
        f"{np.mean(o['months_to_agreement'][o['agreement_signed']]) if o['agreement_signed'].any() else 0:.1f} months "
        f"after the start on average; its freeze holds {np.mean(o['freeze_months']):.0f} months on average and the deal "
        f"collapses in {np.mean(o['collapsed']):.0%} of runs{', ' + when if when else ''} (historically 2002-12). "
        f"At Hanoi an agreement is signed in {np.mean(h['agreement_signed']):.0%} of runs; talks break down "
        f"{np.mean(h['walkouts']):.1f} times a run on average (the record has 2, Hanoi and Stockholm) and the DPRK fires "
        f"{np.mean(h['missile_launches']):.1f} ballistic missiles a run over the two years.\n"
    )


def _date(month: int) -> str:
    from sim import calendar

    return calendar.format_month(month)


def readme_fidelity() -> str:
    from sim.fidelity import fidelity

    fits = fidelity(replicas=300, seed=0)
    passed = sum(fit.passed for fit in fits)
    lowest = sorted((b.share_inside, fit.title, b.outcome) for fit in fits for b in fit.bands)[:3]
    listed = "; ".join(f"{title}, {labels.outcome(outcome).lower()} ({share:.2f})" for share, title, outcome in lowest)
    return (f"At `--reps 300`, seed 0, {passed} of {len(fits)} cases pass; the lowest shares inside a band are: {listed}.\n")


def readme_objective() -> str:
    """The shipped ensemble's and the point's scores over the six cases, in sample."""
    from sim.fidelity import fidelity

    ens, point = fidelity(replicas=300, seed=0), fidelity(replicas=300, seed=0, point=True)
    return (f"In sample (`fidelity --reps 300`, seed 0), the posterior ensemble passes {sum(f.passed for f in ens)} of {len(ens)} "
            f"cases with a mean score of {np.mean([f.score for f in ens]):.3f}; the point (`--point`) passes "
            f"{sum(f.passed for f in point)} with {np.mean([f.score for f in point]):.3f}.\n")


def calibration_fitted() -> str:
    """The fitted dispositions: bounds (the uniform prior, with its orderings), the posterior's mean and 5-95% range, the point."""
    from sim.calibration import AT_LEAST, PARAMETERS, TIED, current_vector
    from sim.ensemble import shipped

    ensemble = shipped()
    column = {name: j for j, name in enumerate(ensemble.names)}
    lines = ["| disposition | prior (uniform, with its orderings) | posterior mean | posterior 5-95% | point | what it is |",
             "|---|---|---|---|---|---|"]
    mean, (lows, highs) = ensemble.mean(), ensemble.quantiles([0.05, 0.95])
    for p, value in zip(PARAMETERS, current_vector(), strict=True):
        j = column[p.name]
        at_most = [higher for higher, lower in AT_LEAST.items() if lower == p.name]
        order = f", at least `{AT_LEAST[p.name]}`" if p.name in AT_LEAST else f", at most `{at_most[0]}`" if at_most else ""
        lines.append(f"| `{p.name}` | {p.low:g} to {p.high:g}{order} | {mean[j]:.3g} | {lows[j]:.3g} to {highs[j]:.3g} | {value:.3g} "
                     f"| {p.description} |")
    lines += [f"| `{name}` | tied | | | | the same as `{source}` in every particle (`calibration.TIED`) |" for name, source in TIED.items()]
    return "\n".join(lines) + "\n"


def calibration_fit() -> str:
    """Each case's bands with the shipped ensemble: median, share of replications inside, scores."""
    from sim.fidelity import fidelity

    lines = ["| case | band | median | share inside |", "|---|---|---|---|"]
    for fit in fidelity(replicas=300, seed=0):
        for i, band in enumerate(fit.bands):
            name = (f"**{fit.name}** ({'pass' if fit.passed else 'FAIL'}; score {fit.score:.3f}"
                    + ("" if fit.log_score is None else f", log score {fit.log_score:.2f}") + ")") if i == 0 else ""
            median = "never" if band.median is None else f"{band.median:g}"
            lines.append(f"| {name} | {band.outcome} {band.band.describe()} | {median} | {band.share_inside:.2f} |")
    return "\n".join(lines) + "\n"


CROSS_VALIDATION = ROOT / "docs" / "cross_validation.json"
"""What ``fidelity --cross-validate --json`` printed for the shipped calibration (an hour's run)."""


def shipped_validation(path: Path) -> dict:
    """What ``fidelity --cross-validate --json`` wrote to ``path``; refuses a file that is missing or
    was made with other dispositions than those shipped (a recalibration makes it stale)."""
    import json

    from sim.sweep.store import model_identity

    name = path.relative_to(ROOT)
    if not path.is_file():
        raise SystemExit(f"{name} is missing: run python run_sim.py fidelity --cross-validate --json > {name}")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("model") != model_identity()["dispositions"]:
        seed = "" if data.get("seed", 0) == 0 else f" --seed {data['seed']}"
        rerun = f"python run_sim.py fidelity --cross-validate{seed} --json > {name}"
        raise SystemExit(f"{name} was made with other dispositions: rerun {rerun}")
    return data


def cross_validation() -> str:
    """The leave-one-out table beside the in-sample one, from ``docs/cross_validation.json`` (``shipped_validation``)."""
    from sim.validation import RESTORED_MEANS, TAUGHT_MEANS, describe_restored, describe_taught

    data = shipped_validation(CROSS_VALIDATION)
    lines = ["| case | in sample | score | log score | left out | score | log score |", "|---|---|---|---|---|---|---|"]

    def row(name: str, fit: dict) -> list[str]:
        log = "" if fit["log_score"] is None else f"{fit['log_score']:.2f}"
        return ["pass" if fit["pass"] else "FAIL", f"{fit['score']:.3f}", log]

    for fold in data["folds"]:
        lines.append("| " + " | ".join([fold["case"], *row("in", fold["in_sample"]), *row("out", fold["left_out"])]) + " |")
    total = data["summary"]
    n = total["cases"]

    def mean(part: dict) -> list[str]:
        log = "" if part["log_score"] is None else f"{part['log_score']:.2f}"
        return [f"{part['passed']} of {n}", f"{part['score']:.3f}", log]

    lines.append("| **all** | " + " | ".join([*mean(total["in_sample"]), *mean(total["left_out"])]) + " |")
    settings = f"--population {data['population']} --generations {data['generations']} --particle-reps {data['particle_reps']}"
    taught = [f"- `{fold['case']}` alone teaches {describe_taught(fold['taught'], quote='`')}"
              for fold in data["folds"] if fold.get("taught")]
    alone = f"\n\nWhat one case alone teaches ({TAUGHT_MEANS}):\n\n" + "\n".join(taught) if taught else ""
    restored = [f"- `{fold['case']}`: {describe_restored(fold['restored_by'], quote='`')}"
                for fold in data["folds"] if "restored_by" in fold and not fold["left_out"]["pass"]]
    jointly = f"\n\nWhat a failing case teaches jointly ({RESTORED_MEANS}):\n\n" + "\n".join(restored) if restored else ""
    return (f"`python run_sim.py fidelity --cross-validate --reps {data['replications']} --seed {data['seed']}` ({settings}):\n\n"
            + "\n".join(lines) + alone + jointly + "\n")


def needs(fold: dict) -> str:
    """A failing fold in words: its case and what it needs from itself (``validation.restored_by``), if measured."""
    if "restored_by" not in fold:
        return f"`{fold['case']}`"
    steps = fold["restored_by"]
    if not steps:
        return f"`{fold['case']}` (no disposition drawn from the posterior on every case lowers its score)"
    verb = "passes with" if steps[-1]["pass"] else f"comes nearest, score {steps[-1]['score']:.3f}, with"
    taken = ", ".join(f"`{step['disposition']}`" for step in steps)
    return f"`{fold['case']}` ({verb} {taken} drawn from the posterior on every case)"


def validation_files() -> list[Path]:
    """The shipped leave-one-out runs, one file per seed (``docs/cross_validation*.json``)."""
    return sorted(CROSS_VALIDATION.parent.glob("cross_validation*.json"))


def cross_validation_seeds() -> str:
    """One line per leave-one-out run of the shipped calibration (``docs/cross_validation*.json``,
    one per seed): a validation is one draw of six calibrations, and another seed says how far its
    figures move (each file as ``shipped_validation`` reads it)."""
    lines = []
    for path in validation_files():
        data = shipped_validation(path)
        out, n = data["summary"]["left_out"], data["summary"]["cases"]
        failing = [needs(fold) for fold in data["folds"] if not fold["left_out"]["pass"]]
        lines.append(f"- seed {data['seed']} (`{path.relative_to(ROOT)}`): left out, {out['passed']} of {n} pass, "
                     f"mean score {out['score']:.3f}, log score {out['log_score']:.2f}"
                     + (f"; failing: {'; '.join(failing)}" if failing else ""))
    return "\n".join(lines) + "\n"


FIGURES: dict[str, Callable[[], str]] = {
    "cross-validation-seeds": cross_validation_seeds,
    "calibration-fitted": calibration_fitted,
    "calibration-fit": calibration_fit,
    "cross-validation": cross_validation,
    "readme-compare": readme_compare,
    "readme-headline": readme_headline,
    "readme-narrate": lambda: story_excerpt(AF, seed=0, lines=3, fence="bash"),
    "readme-fidelity": readme_fidelity,
    "readme-objective": readme_objective,
    "guide-hanoi": guide_hanoi,
    "guide-precondition": guide_precondition,
    "guide-fuel-oil": guide_fuel_oil,
    "guide-sequencing": guide_sequencing,
    "guide-china": guide_china,
    "classroom-narrate": lambda: story_excerpt(AF, seed=2, lines=2),
}
"""Every block the documents hold, by name, and the function that makes it."""


def blocks(text: str) -> dict[str, str]:
    """The blocks of a document: name -> body."""
    return {m.group("name"): m.group("body") for m in BLOCK.finditer(text)}


def rewrite(text: str, made: dict[str, str]) -> str:
    return BLOCK.sub(lambda m: m.group(1) + made.get(m.group("name"), m.group("body")) + m.group(4), text)


def update(check: bool = False, documents: tuple[Path, ...] = DOCUMENTS) -> list[str]:
    """Make every block; rewrite the documents (unless ``check``); return the names of blocks that changed."""
    changed = []
    cache: dict[str, str] = {}
    for path in documents:
        text = path.read_text(encoding="utf-8")
        found = blocks(text)
        unknown = set(found) - set(FIGURES)
        if unknown:
            raise SystemExit(f"{path}: unknown figures block(s): {', '.join(sorted(unknown))}")
        made = {name: cache.setdefault(name, FIGURES[name]()) for name in found}
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        changed += [f"{shown}: {name}" for name in found if found[name] != made[name]]
        if not check:
            path.write_text(rewrite(text, made), encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.docs_figures", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="rewrite nothing; exit 1 if a block has drifted")
    args = parser.parse_args(argv)
    changed = update(check=args.check)
    for line in changed:
        sys.stdout.write(("drifted: " if args.check else "rewritten: ") + line + "\n")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
