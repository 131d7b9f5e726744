"""The classroom app: a Mesa SolaraViz page of one scenario, month by month.

Start it with ``python run_sim.py app`` (or ``solara run sim/app.py``). A teacher picks a
case, changes a policy in the sidebar, presses Reset to start over with it, then Step or
Play; the charts, the story of the run in words and the historical record sit side by side.

Each browser session gets its own model: :func:`Page` creates it inside the component with
``solara.use_memo``, so two students (or two tabs) never share one, unlike a model made at
module level, which every session would share.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path
from typing import Any

import solara
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from sim import calendar, labels
from sim.errors import UserError
from sim.model import SERIES, DiplomacyModel
from sim.narrate import month_lines
from sim.scenario import load_scenario
from sim.state import Talks

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
AS_IN_CASE = "as in the case"
NOTHING_MORE = "nothing more"
DEFAULT_CASE = "agreed_framework_1994"


def cases(directory: Path = SCENARIO_DIR) -> dict[str, Path]:
    """Each case's title and file: every ``*.yaml`` in ``scenarios/`` except the base file.

    A file that fails validation is left out of the picker (with its one-line reason on
    stderr) rather than keeping the app from starting.
    """
    found: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.stem == "base":
            continue
        try:
            found[load_scenario(path).title] = path
        except UserError as error:
            sys.stderr.write(f"app: {path.name} left out: {error}\n")
    return found


CASES = cases()
DEFAULT_TITLE = next((title for title, path in CASES.items() if path.stem == DEFAULT_CASE), next(iter(CASES)))

LEVELS: dict[str, float] = {"none (0)": 0.0, "low (0.25)": 0.25, "half (0.5)": 0.5, "high (0.75)": 0.75, "full (1)": 1.0}


def _choices(values: tuple[str, ...]) -> dict[str, str]:
    return {labels.policy_value(v): v for v in values}


US_OFFER_ITEMS = ("fuel_oil", "lwr", "food_aid", "partial_relief", "full_relief", "security_assurance",
                  "peace_declaration", "exercise_suspension", "normalisation", "terror_delisting")
DPRK_OFFER_ITEMS = ("test_moratorium", "freeze", "inspections", "disablement", "dismantlement", "declaration",
                    "denuclearization", "remains")

KNOBS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "us_precondition": ("us.precondition", "US precondition for talks",
                        _choices(("none", "moratorium", "freeze", "denuclearization_steps"))),
    "us_sequencing": ("us.sequencing", "Who delivers first", _choices(("disarm_first", "action_for_action", "relief_first"))),
    "us_format": ("us.format", "Format of talks", _choices(("bilateral", "summit", "six_party"))),
    "us_sanctions": ("us.sanctions", "US sanctions", LEVELS),
    "us_verification": ("us.verification", "Verification the US demands", LEVELS),
    "us_adds": ("us.offers", "The US also offers", {labels.item(i): i for i in US_OFFER_ITEMS}),
    "china_enforcement": ("china.enforcement", "China's enforcement of sanctions", LEVELS),
    "rok_stance": ("rok.stance", "South Korea's stance", _choices(("engagement", "pressure"))),
    "dprk_precondition": ("dprk.precondition", "DPRK precondition for talks",
                          _choices(("none", "denuclearization_off_agenda", "hostile_policy_end"))),
    "dprk_verification_limit": ("dprk.verification_limit", "Verification the DPRK accepts", LEVELS),
    "dprk_adds": ("dprk.offers", "The DPRK also offers", {labels.item(i): i for i in DPRK_OFFER_ITEMS}),
}
"""Policy controls: model keyword -> (what-if path, label, {choice shown: value})."""


def what_ifs(scenario_path: Path, choices: dict[str, str]) -> list[str]:
    """The ``--set`` what-ifs for the sidebar's choices (those left 'as in the case' give none)."""
    base = load_scenario(scenario_path)
    out = []
    for key, shown in choices.items():
        if shown in (None, AS_IN_CASE, NOTHING_MORE):
            continue
        path, _, options = KNOBS[key]
        value = options[shown]
        if path.endswith(".offers"):
            actor, field = path.split(".")
            current = list(getattr(getattr(base.actors, actor), field))
            if value in current:
                continue
            value = ",".join([*current, value]) if current else value
        out.append(f"{path}={value}")
    return out


class ClassroomModel(DiplomacyModel):
    """One replica of a case with the sidebar's what-ifs, recording its story and series."""

    def __init__(
        self, case: str = DEFAULT_TITLE, seed: int = 0, *,
        us_precondition: str = AS_IN_CASE, us_sequencing: str = AS_IN_CASE, us_format: str = AS_IN_CASE,
        us_sanctions: str = AS_IN_CASE, us_verification: str = AS_IN_CASE, us_adds: str = NOTHING_MORE,
        china_enforcement: str = AS_IN_CASE, rok_stance: str = AS_IN_CASE, dprk_precondition: str = AS_IN_CASE,
        dprk_verification_limit: str = AS_IN_CASE, dprk_adds: str = NOTHING_MORE,
    ) -> None:
        # keyword arguments one by one: SolaraViz checks the model's signature against its controls
        choices = {key: value for key, value in locals().items() if key in KNOBS}
        path = CASES.get(case) or next((p for p in CASES.values() if p.stem == case), None)
        if path is None:
            raise ValueError(f"no case {case!r}; cases are: {', '.join(CASES)}")
        self.case_path = path
        self.what_ifs = what_ifs(path, choices)
        super().__init__(scenario=path, replicas=1, rng=int(seed), overrides=self.what_ifs, record_events=1,
                         mesa_datacollector=True)


def model_params() -> dict[str, Any]:
    """The sidebar: case, seed and one select per policy control."""
    params: dict[str, Any] = {
        "case": {"type": "Select", "value": DEFAULT_TITLE, "values": list(CASES), "label": "Case"},
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "Seed"},
    }
    for key, (_, label, options) in KNOBS.items():
        first = NOTHING_MORE if key.endswith("_adds") else AS_IN_CASE
        params[key] = {"type": "Select", "value": first, "values": [first, *options], "label": label}
    return params


# ---------------------------------------------------------------- charts (Mesa's plot component)

UNIT = {"tension", "crisis_hazard", "pressure", "enforcement", "trust_dprk_us", "trust_us_dprk"}


def _labelled(title: str):  # noqa: ANN202 - a post_process for make_plot_component
    def post_process(ax) -> None:  # noqa: ANN001 - a matplotlib Axes
        names = [line.get_label() for line in ax.get_lines()]
        for line in ax.get_lines():
            line.set_label(SERIES.get(line.get_label(), line.get_label()))
            line.set_linewidth(2.5)
        ax.figure.set_size_inches(7.0, 3.6)  # fits a grid cell of the page without a cut
        ax.legend(loc="best", fontsize=11)
        ax.set_title(title, fontsize=15, loc="left")
        ax.tick_params(labelsize=11)
        ax.grid(alpha=0.3)
        if all(name in UNIT for name in names):
            ax.set_ylim(-0.02, 1.02)
        else:
            ax.set_ylim(bottom=0)

    return post_process


CHART_COLOURS = ("tab:red", "tab:blue")
CHARTS = [
    make_plot_component(
        dict(zip(names, CHART_COLOURS, strict=False)), post_process=_labelled(f"{title} (x: months from the start)"),
        backend="matplotlib",
    )
    for title, names in labels.PANELS.items()
]


# ---------------------------------------------------------------- words beside the charts

TALKS_WORDS = {
    Talks.NO_CONTACT: "no contact", Talks.TALKS: "talks under way", Talks.AGREEMENT: "a deal signed",
    Talks.IMPLEMENTATION: "a deal in force", Talks.COLLAPSED: "the deal has collapsed", Talks.COMPLETED: "the deal is completed",
}


def _text(html_text: str, small: bool = False) -> None:
    """A block of text; plain HTML built with ``html.escape`` (solara's Markdown would fetch KaTeX from a CDN)."""
    style = "font-size: 0.85rem; color: #444; margin: 0 0 0.6em 0" if small else "font-size: 1rem; color: #1b1b1b; margin: 0 0 0.6em 0"
    solara.HTML(tag="div", unsafe_innerHTML=html_text, style=style)


@solara.component
def Story(model: ClassroomModel) -> None:
    """Where the run stands, and what happened so far in words (newest first)."""
    update_counter.get()  # redrawn after each step, like Mesa's own components
    state = model.state_now()
    outcomes = model.outcomes()
    talks = TALKS_WORDS.get(Talks(int(state["talks"][0])), "")
    done = model.month_index
    case = model.case
    with solara.Card(f"{case.title}: the run", style={"height": "100%", "overflow": "auto"}):
        when = f"through {calendar.format_month(case.start + done - 1)}" if done else f"from {model.date}"
        _text(
            f"<b>{done} of {case.months} months simulated</b> ({when}): {escape(talks)}. "
            f"Tension {state['tension'][0]:.2f}; DPRK warheads {state['warheads'][0]:.1f}; "
            f"sanctions pressure {state['pressure'][0]:.2f}; nuclear tests {int(outcomes['nuclear_tests'][0])}; "
            f"missile launches {int(outcomes['missile_launches'][0])}."
        )
        if model.what_ifs:
            _text("What-ifs in this run: " + ", ".join(f"<code>{escape(w)}</code>" for w in model.what_ifs))
        lines = month_lines(model.log.events)
        if not lines:
            _text("<i>Nothing has happened yet: press Step or Play.</i>")
        for date, text in reversed(lines):
            _text(f"<b>{escape(date)}</b>: {escape(text)}")


@solara.component
def HistoryPanel(model: ClassroomModel) -> None:
    """What happened in history: the case's summary, its record and its sources."""
    update_counter.get()
    case = model.case
    us, dprk = model.us.policy, model.dprk.policy
    with solara.Card(f"What happened in history: {case.period}", style={"height": "100%", "overflow": "auto"}):
        _text(escape(" ".join(case.summary.split())))
        record = "".join(f"<li>{escape(line)}</li>" for line in case.history)
        _text(f"<ul>{record}</ul>" if record else "<i>No record in this case file.</i>")
        _text(
            f"<b>Policies now</b>: US precondition <i>{escape(labels.policy_value(us.precondition))}</i>, sequencing "
            f"<i>{escape(labels.policy_value(us.sequencing))}</i>, sanctions {us.sanctions:.2f}, verification "
            f"{us.verification:.2f}; the US offers {escape(labels.items(us.offers))}; the DPRK offers "
            f"{escape(labels.items(dprk.offers))}; China's enforcement {model.china.policy.enforcement:.2f}; "
            f"South Korea: {escape(model.rok.policy.stance)}."
        )
        _text("Sources: " + escape("; ".join(case.sources)), small=True)


@solara.component
def Page() -> None:
    """One model per browser session, created when the session's page is first rendered."""
    model = solara.use_memo(ClassroomModel, dependencies=[])
    return SolaraViz(
        model,
        components=[Story, HistoryPanel, *CHARTS],
        model_params=model_params(),
        name="Peninsula: nuclear diplomacy, month by month (change a policy, then Reset)",
        play_interval=250,
    )


page = Page
