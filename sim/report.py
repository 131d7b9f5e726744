"""A self-contained HTML page of a comparison: table, charts, stories and the historical record.

Everything is inside the one file: CSS inline, charts as ``data:image/png;base64`` URIs, no
script and no link to anywhere, so it opens on a machine with no network (a school laptop,
a projector's PC). Written with ``string.Template`` and ``html.escape``; no template engine.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from string import Template

from sim import plots, typical, words
from sim.comparison import Comparison, compare
from sim.narrate import month_lines
from sim.runner import Run

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 1200px;
       color: #1b1b1b; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.9rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #ddd; }
.meta { color: #555; } table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { border: 1px solid #ccc; padding: 0.35rem 0.6rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; } thead th { background: #f0f3f7; }
td.clear { font-weight: 600; background: #fff7e0; } img { max-width: 100%; border: 1px solid #ddd; }
.case { margin-top: 1.5rem; } .columns { display: flex; gap: 2rem; flex-wrap: wrap; }
.columns > div { flex: 1 1 420px; } ol.story { padding-left: 0; list-style: none; }
ol.story li { margin: 0.25rem 0; } ol.story b { font-variant-numeric: tabular-nums; }
code { background: #f4f4f4; padding: 0 0.25rem; } .small { font-size: 0.85rem; color: #555; }
"""

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>$title</title>
<style>$style</style>
</head>
<body>
<h1>$title</h1>
<p class="meta">$runs_words per case, seed $seed$what_ifs. $how</p>
<h2>Outcomes side by side</h2>
$table
<h2>The cases over time</h2>
<p>Line: the median over runs; shaded: the middle 80% (10th to 90th percentile); markers: the events of each
case's typical run (the story below). Months are counted from each case's start.</p>
<img alt="comparison chart of $names" src="data:image/png;base64,$chart">
$cases
<p class="small">Made by the peninsula simulator: <code>$command</code></p>
</body>
</html>
""")

CASE = Template("""<section class="case">
<h2>$title</h2>
<p>$summary</p>
<img alt="chart of $title" src="data:image/png;base64,$chart">
<div class="columns">
<div>
<h3>The story of $story_label</h3>
<ol class="story">
$story
</ol>
</div>
<div>
<h3>What happened in history ($period)</h3>
<ul>
$history
</ul>
<h3>Sources</h3>
<ul class="small">
$sources
</ul>
</div>
</div>
</section>
""")


def _png(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def table(result: Comparison) -> str:
    """The comparison as an HTML table in words: one row per outcome, one column per case and difference."""
    runs = result.runs
    head = ["<th>Outcome</th>", *(f"<th>{html.escape(run.scenario.title)}</th>" for run in runs)]
    head += [f"<th>{html.escape(run.scenario.title)}: change from the first</th>" for run in runs[1:]]
    rows = []
    reference = runs[0]
    for name in result.outcome_names:
        if not all(name in run.outcomes for run in runs):
            continue  # a yearly count outside a case's years
        cells = [f"<td>{html.escape(words.name(name, reference.replicas))}</td>"]
        cells += [f"<td>{html.escape(words.value(name, run.outcomes[name], run.scenario.months))}</td>" for run in runs]
        for run in runs[1:]:
            horizons = (reference.scenario.months, run.scenario.months)
            text, clear = words.change(name, reference.outcomes[name], run.outcomes[name], horizons)
            tone = ' class="clear"' if clear else ""  # the 95% interval of the change excludes zero
            cells.append(f"<td{tone}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="outcomes">\n<thead><tr>{"".join(head)}</tr></thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody>\n</table>")


def case_section(run: Run, told: Run, choice: typical.Choice) -> str:
    """One case: its chart (the typical run's events marked), its typical story and the record."""
    scenario = run.scenario
    lines = month_lines(told.events, replica=choice.replica)
    story = [f"<li><b>{html.escape(date)}</b> {html.escape(text)}</li>" for date, text in lines]
    return CASE.substitute(
        title=html.escape(scenario.title),
        summary=html.escape(" ".join(scenario.summary.split())),
        chart=_png(plots.png_bytes([run], stories=[told.events], story_label=choice.label)),
        story_label=html.escape(choice.label),
        story="\n".join(story) or "<li>Nothing of note happens in this replication.</li>",
        period=html.escape(scenario.period),
        history="\n".join(f"<li>{html.escape(line)}</li>" for line in scenario.history) or "<li>No record in this case file.</li>",
        sources="\n".join(f"<li>{html.escape(line)}</li>" for line in scenario.sources),
    )


def render(result: Comparison, overrides: Sequence[str] = (), command: str = "",
           stories: Sequence[tuple[Run, typical.Choice]] = ()) -> str:
    """The page of a comparison made with ``record_series=True``; ``stories``: each case's ``typical.tell``."""
    runs = result.runs
    stories = list(stories) or [typical.tell(run.scenario, run.seed) for run in runs]
    n = runs[0].replicas
    how = ("One run: the values of that run; the change columns compare each case with the first." if n == 1 else
           "Each value is the mean over runs with its 95% interval in brackets; a share is the percentage of runs. The "
           "change columns compare each case with the first (the same seed for each), in the same form; highlighted where "
           "the 95% interval of the change excludes zero.")
    names = " vs ".join(run.scenario.title for run in runs)
    what_ifs = ", what-ifs " + ", ".join(f"<code>{html.escape(o)}</code>" for o in overrides) if overrides else ""
    return PAGE.substitute(
        title=html.escape(names),
        style=STYLE,
        runs_words="1 run" if n == 1 else f"{n} runs",
        how=how,
        seed=runs[0].seed,
        what_ifs=what_ifs,
        table=table(result),
        names=html.escape(names),
        chart=_png(plots.png_bytes(runs, stories=[told.events for told, _ in stories], story_label="each case's typical run")),
        cases="\n".join(case_section(run, told, choice) for run, (told, choice) in zip(runs, stories, strict=True)),
        command=html.escape(command),
    )


def write(paths: Sequence[str], output: str | Path, replicas: int, seed: int, overrides: Sequence[str] = (),
          command: str = "") -> Path:
    """Run the scenarios and write the page to ``output``."""
    result = compare(list(paths), replicas=replicas, seed=seed, overrides=list(overrides), record_events=0, record_series=True)
    stories = [typical.tell(path, seed, list(overrides)) for path in paths]
    output = Path(output)
    output.write_text(render(result, overrides, command, stories), encoding="utf-8")
    return output
