"""The classroom app: one case, month by month, on a page made for teaching (Solara).

Start it with ``python run_sim.py app`` (or ``solara run sim/app.py``). The page follows
Mesa's examples (a model per session, a step, play and reset), with its own layout: the case,
the story to tell and the speed on top; the policies on the left, each change restarting the
run from the case's first month; the story in words and the historical record beside four
charts drawn in the browser (Vega-Lite), dated, with the told run's events marked.

The run is a :class:`ClassroomModel`: the case's ``POOL`` replications stepped together, of
which the story and the lines are those of one (by default the typical one, as in
``run --narrate`` and the report; ``sim.typical``), the shaded bands the middle 80% of all.
Each browser session gets its own model (``solara.use_memo`` inside the page), never shared.
The server serves only what it ships: :mod:`sim.web` closes Solara's CDN proxy.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from html import escape
from pathlib import Path
from typing import Any

import solara

from sim import calendar, charts, labels, typical, web
from sim.ensemble import shipped
from sim.errors import UserError
from sim.model import DiplomacyModel
from sim.narrate import month_lines
from sim.scenario import load_scenario
from sim.state import Talks

web.close_cdn_proxy()
web.serve_page_assets()
web.return_memory_after_sessions()

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
AS_IN_CASE = "as in the case"
NOTHING_MORE = "nothing more"
DEFAULT_CASE = "agreed_framework_1994"
RUNS = itertools.count(1)
"""Numbers the runs a server makes: the charts add a run's new rows to what they hold, and start again with a new run."""
STORIES = {"a typical run": typical.TYPICAL, "the most unusual run": typical.UNUSUAL, "a run by number": "number"}


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
typical.choose(CASES[DEFAULT_TITLE], 0)  # at start-up: the first student's page opens without the pool's run

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
    "china_stance": ("china.stance", "China's stance on sanctions", LEVELS),
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
    """A case with the page's what-ifs: ``POOL`` replications stepped together, one of them told.

    ``story`` is 'typical', 'unusual' or a run number (``sim.typical``); ``rows`` and ``told``
    hold the told run's chart rows and events, month by month.
    """

    def __init__(
        self, case: str = DEFAULT_TITLE, seed: int = 0, story: str | int = typical.TYPICAL, *,
        us_precondition: str = AS_IN_CASE, us_sequencing: str = AS_IN_CASE, us_format: str = AS_IN_CASE,
        us_sanctions: str = AS_IN_CASE, us_verification: str = AS_IN_CASE, us_adds: str = NOTHING_MORE,
        china_stance: str = AS_IN_CASE, rok_stance: str = AS_IN_CASE, dprk_precondition: str = AS_IN_CASE,
        dprk_verification_limit: str = AS_IN_CASE, dprk_adds: str = NOTHING_MORE,
    ) -> None:
        choices = {key: value for key, value in locals().items() if key in KNOBS}
        path = CASES.get(case) or next((p for p in CASES.values() if p.stem == case), None)
        if path is None:
            raise ValueError(f"no case {case!r}; cases are: {', '.join(CASES)}")
        self.case_path = path
        self.what_ifs = what_ifs(path, choices)
        self.choice = typical.choose(path, int(seed), self.what_ifs, story)
        super().__init__(scenario=path, replicas=typical.POOL, rng=int(seed), overrides=self.what_ifs,
                         record_events=self.choice.replica + 1, record_series=False, ensemble=shipped())
        self.run_number = next(RUNS)
        self.told: list = []
        self.rows: list[dict[str, Any]] = charts.rows(self.case.start, self.state_now(), self.choice.replica)
        self._rows_json = [json.dumps(self.rows)[1:-1]]

    def step(self) -> None:
        super().step()
        replica = self.choice.replica
        self.told += [event for event in self.log.events if event.replica == replica]
        self.log.events.clear()  # only the told run's events are kept
        new = charts.rows(self.case.start + self.month_index, self.state_now(), replica)
        self.rows = self.rows + new
        self._rows_json.append(json.dumps(new)[1:-1])

    def chart_data(self) -> dict[str, list[dict[str, Any]]]:
        return {"series": self.rows, "events": charts.event_rows(self.told)}

    def chart_json(self) -> str:
        """:meth:`chart_data` as JSON, each month's rows serialised once (sent to the page at each step).

        With the run's number: within a run both sets only grow, so the page adds the rows it does not
        hold yet to its charts rather than drawing them all again (``vegalite.vue``)."""
        return (f'{{"run": {self.run_number}, "series": [{", ".join(self._rows_json)}], '
                f'"events": {json.dumps(charts.event_rows(self.told))}}}')


# ---------------------------------------------------------------- the page

TALKS_WORDS = {
    Talks.NO_CONTACT: "no contact", Talks.TALKS: "talks under way", Talks.AGREEMENT: "a deal signed",
    Talks.IMPLEMENTATION: "a deal in force", Talks.COLLAPSED: "the deal has collapsed", Talks.COMPLETED: "the deal is completed",
}

CSS = """
.pen-top { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 14px; padding: 4px 12px; background: #f0f3f7; }
.pen-top .v-input { flex: 0 0 auto; margin-top: 0; padding-top: 0; }
.pen-top .v-input__slot { margin-bottom: 0; } .pen-top .v-messages { display: none; }
.pen-top .v-slider { margin-top: 14px; }
.pen-title { font-size: 1.15rem; font-weight: 600; margin-right: 8px; }
.pen-body { display: grid; grid-template-columns: 250px minmax(300px, 34%) 1fr; gap: 10px; padding: 8px 12px; }
.pen-side { max-height: calc(100vh - 90px); overflow-y: auto; font-size: 0.9rem; }
.pen-side .v-input { margin-top: 2px; padding-top: 2px; } .pen-side > div:first-child { margin-bottom: 10px; }
.pen-charts { min-width: 0; overflow: hidden; }
.pen-text { display: flex; flex-direction: column; gap: 8px; max-height: calc(100vh - 90px); }
.pen-card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; overflow-y: auto; overflow-wrap: anywhere; }
.pen-card h3 { font-size: 1.0rem; margin: 0 0 4px 0; }
.pen-run { flex: 3 1 0; } .pen-history { flex: 2 1 0; }
.pen-card p { margin: 0 0 6px 0; } .pen-story p { font-size: 0.92rem; }
.pen-key span { display: inline-block; margin-right: 10px; font-size: 0.85rem; }
.pen-key i { display: inline-block; width: 14px; border-top: 3px dashed; margin-right: 4px; vertical-align: middle; }
@media (max-width: 1100px) { .pen-body { grid-template-columns: 220px 1fr; } .pen-charts { grid-column: 1 / span 2; } }
"""


def _html(html_text: str, classes: str = "") -> None:
    """Plain HTML built with ``html.escape`` (Solara's Markdown would fetch KaTeX from a CDN)."""
    solara.HTML(tag="div", unsafe_innerHTML=html_text, classes=[classes] if classes else [])


def run_text(model: ClassroomModel) -> str:
    """The run card: where the run stands and its story so far, newest month first."""
    state = model.state_now()
    r = model.choice.replica
    outcomes = model.outcomes()
    talks = TALKS_WORDS.get(Talks(int(state["talks"][r])), "")
    done, case = model.month_index, model.case
    when = f"through {calendar.format_month(case.start + done - 1)}" if done else f"from {model.date}"
    parts = [
        f"<h3>The story of {escape(model.choice.label)}</h3>",
        f"<p><b>{done} of {case.months} months simulated</b> ({when}): {escape(talks)}. "
        f"Tension {state['tension'][r]:.2f} (0 to 1); DPRK warheads {state['warheads'][r]:.1f}; "
        f"sanctions pressure {state['pressure'][r]:.2f} (0 to 1); nuclear tests {int(outcomes['nuclear_tests'][r])}; "
        f"missile launches {int(outcomes['missile_launches'][r])}.</p>",
    ]
    if model.what_ifs:
        parts.append("<p>What-ifs in this run: " + ", ".join(f"<code>{escape(w)}</code>" for w in model.what_ifs) + "</p>")
    lines = month_lines(model.told, replica=r)
    if not lines:
        parts.append("<p><i>Nothing has happened yet: press Step or Play.</i></p>")
    parts += [f"<p><b>{escape(date)}</b>: {escape(text)}</p>" for date, text in reversed(lines)]
    return "".join(parts)


def history_text(model: ClassroomModel) -> str:
    """The history card: the case's summary, its record, the policies in force and the sources."""
    case = model.case
    us, dprk = model.us.policy, model.dprk.policy
    record = "".join(f"<li>{escape(line)}</li>" for line in case.history)
    return (
        f"<h3>What happened in history: {escape(case.period)}</h3><p>{escape(' '.join(case.summary.split()))}</p>"
        + (f"<ul>{record}</ul>" if record else "<p><i>No record in this case file.</i></p>")
        + f"<p><b>Policies in this run</b>: US precondition <i>{escape(labels.policy_value(us.precondition))}</i>, sequencing "
        f"<i>{escape(labels.policy_value(us.sequencing))}</i>, sanctions {us.sanctions:.2f}, verification "
        f"{us.verification:.2f}; the US offers {escape(labels.items(us.offers))}; the DPRK offers "
        f"{escape(labels.items(dprk.offers))}; China's stance {model.china.policy.stance:.2f}; "
        f"South Korea: {escape(labels.policy_value(model.rok.policy.stance))}.</p>"
        + f"<p style='font-size: 0.82rem; color: #555'>Sources: {escape('; '.join(case.sources))}</p>"
    )


KEY = "".join(f"<span><i style='border-color: {colour}'></i>{escape(text)}</span>" for text, colour in charts.MARKED.values())


@solara.component
def Policies(policies: dict[str, solara.Reactive[str]]) -> None:
    """The policy controls (a component of its own: not drawn again at each step)."""
    with solara.Div(classes=["pen-side"]):
        _html("<b>Policies</b>: a change restarts the run from the case's first month.")
        for key, (_, label, options) in KNOBS.items():
            first = NOTHING_MORE if key.endswith("_adds") else AS_IN_CASE
            solara.Select(label, values=[first, *options], value=policies[key], dense=True)


@solara.component
def Page() -> None:
    """One model per browser session; a changed case, seed, story or policy starts the run again."""
    case = solara.use_reactive(DEFAULT_TITLE)
    seed = solara.use_reactive(0)
    story = solara.use_reactive("a typical run")
    number = solara.use_reactive(0)
    speed = solara.use_reactive(2)
    policies = {key: solara.use_reactive(NOTHING_MORE if key.endswith("_adds") else AS_IN_CASE) for key in KNOBS}  # noqa: SH103 - a fixed set
    restarts = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    month = solara.use_reactive(0)

    month.value  # noqa: B018 - read, so that each step renders the page again
    which = number.value if STORIES[story.value] == "number" else STORIES[story.value]
    settings = [case.value, seed.value, which, *(p.value for p in policies.values()), restarts.value]

    def make() -> ClassroomModel:
        return ClassroomModel(case.value, seed.value, which, **{key: p.value for key, p in policies.items()})

    model = solara.use_memo(make, dependencies=settings)
    spec = solara.use_memo(lambda: json.dumps(charts.spec(model.case.start, model.case.end, model.choice.label)), dependencies=[model])

    def restarted() -> None:
        playing.set(False)
        month.set(0)

    solara.use_effect(restarted, settings)

    def step() -> None:
        if model.running:
            model.step()
        month.set(model.month_index)

    def play(cancel) -> None:  # noqa: ANN001 - a threading.Event set when the page moves on
        """Steps on a fixed beat of ``speed`` months a second (the step's own time is not added to the wait)."""
        beat, due = 1.0 / speed.value, time.monotonic()
        while playing.value and model.running:
            due += beat
            if cancel.wait(max(0.0, due - time.monotonic())):
                return
            model.step()
            month.set(model.month_index)
        playing.set(False)

    solara.use_thread(play, dependencies=[playing.value, model, speed.value], intrusive_cancel=False)

    solara.Style(CSS)
    solara.Title("Peninsula: nuclear diplomacy, month by month")
    with solara.Column(gap="0px", style={"min-height": "100vh"}):
        with solara.Div(classes=["pen-top"]):
            solara.Text("Peninsula", classes=["pen-title"])
            solara.Select("Case", values=list(CASES), value=case, dense=True, style={"width": "290px"})
            solara.Select("Story shown", values=list(STORIES), value=story, dense=True, style={"width": "170px"})
            if STORIES[story.value] == "number":
                with solara.Div(style={"width": "150px"}):
                    solara.SliderInt(f"Run number: {number.value}", value=number, min=0, max=typical.POOL - 1)
            with solara.Div(style={"width": "150px"}):
                solara.SliderInt(f"Seed: {seed.value}", value=seed, min=0, max=99)
            with solara.Div(style={"width": "210px"}):
                solara.SliderInt(f"Speed: {speed.value} months/s", value=speed, min=1, max=12)
            # no ripple: its dozen animated frames were half the browser's work of a Step
            solara.Button("Step", on_click=step, disabled=playing.value or not model.running, color="primary", ripple=False)
            solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                          disabled=not model.running and not playing.value, color="primary", outlined=True, ripple=False)
            solara.Button("Reset", on_click=lambda: restarts.set(restarts.value + 1), outlined=True, ripple=False)
        with solara.Div(classes=["pen-body"]):
            Policies(policies)
            with solara.Div(classes=["pen-text"]):
                _html(run_text(model), "pen-card pen-run pen-story")
                _html(history_text(model), "pen-card pen-history")
            with solara.Div(classes=["pen-charts"]):
                web.VegaLite(spec=spec, datasets=model.chart_json(), assets=web.ASSETS)
                _html(f"<div class='pen-key'>Lines: {escape(model.choice.label)}; shaded: the middle 80% of all "
                      f"{typical.POOL} runs. Dashed: {KEY}</div>")


page = Page
