"""Charts of runs for a projector: state series with bands over replications, events marked.

One panel per measure; in each, a line for the median over replications and a shaded band
from the 10th to the 90th percentile (the middle 80% of replications), one colour per
scenario. Events of replication 0 (talks, agreements, walkouts, collapses, tests) are
marked as vertical lines (the typical run's, ``sim.typical``, when given). Matplotlib with the Agg backend: no display needed.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.events import Event  # noqa: E402
from sim.model import SERIES  # noqa: E402
from sim.runner import Run  # noqa: E402

MEASURES: tuple[str, ...] = ("tension", "warheads", "pressure", "enforcement", "trust_dprk_us", "trust_us_dprk")
"""The panels, in order: tension, DPRK capability, sanctions pressure, China's enforcement, trust both ways."""

UNIT_RANGE = frozenset({"tension", "crisis_hazard", "pressure", "enforcement", "trust_dprk_us", "trust_us_dprk"})

MARKED: dict[str, tuple[str, str, str]] = {
    "talks_opened": ("talks open", "tab:blue", "o"),
    "agreement_signed": ("agreement signed", "tab:green", "*"),
    "walkout": ("walkout", "tab:orange", "v"),
    "deal_collapsed": ("deal collapses", "tab:red", "X"),
    "nuclear_test": ("nuclear test", "black", "P"),
    "long_range_launch": ("long-range launch", "tab:purple", "^"),
    "short_range_launches": ("short-range launch", "tab:pink", "d"),
    "shock": ("outside event", "tab:gray", "s"),
}
"""Event kinds marked on the charts: legend text, colour, and the marker used when comparing
(one run: a dashed vertical line; several: a marker on that run's median line)."""

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1)))


def band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and 10th and 90th percentiles over replicas of a (months, replicas) array."""
    low, median, high = np.percentile(values, [10, 50, 90], axis=1)
    return median, low, high


def figure(runs: list[Run], measures: tuple[str, ...] = MEASURES, mark_events: bool = True,
           stories: list[list[Event]] | None = None, story_label: str = "replication 0") -> Figure:
    """The chart of ``runs`` (one, or several to compare), one panel per measure.

    One run is drawn against calendar dates; several against months from each one's start.
    ``stories`` gives, per run, the events of the replication to mark (default: replication 0's).
    """
    if not runs or not all(run.series for run in runs):
        raise ValueError("each run must have recorded its series (record_series=True)")
    one = len(runs) == 1
    columns = 2
    rows = (len(measures) + columns - 1) // columns
    fig = Figure(figsize=(15, 4.2 * rows + 1.2), dpi=100, layout="constrained")
    axes = fig.subplots(rows, columns, sharex=True, squeeze=False).ravel()
    for ax in axes[len(measures):]:
        ax.set_visible(False)
    marked: dict[str, object] = {}
    for index, run in enumerate(runs):
        colour = COLOURS[index % len(COLOURS)]
        months = next(iter(run.series.values())).shape[0]
        x = _as_dates(run.scenario.start + np.arange(months)) if one else np.arange(months)
        told = stories[index] if stories else [event for event in run.events if event.replica == 0]
        name = run.scenario.title
        for ax, measure in zip(axes, measures, strict=False):
            median, low, high = band(run.series[measure])
            ax.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0)
            ax.plot(x, median, color=colour, linewidth=2.8, linestyle=LINESTYLES[index % len(LINESTYLES)],
                    label=f"{name}: median" if ax is axes[0] else None)
            if mark_events:
                for event in told:
                    if event.kind not in MARKED:
                        continue
                    where = event.month - run.scenario.start
                    at = _as_dates(np.array([event.month]))[0] if one else where
                    text, tone, marker = MARKED[event.kind]
                    if one:
                        line = ax.axvline(at, color=tone, linewidth=1.4, linestyle=(0, (4, 3)), alpha=0.8)
                    else:
                        step = min(max(where, 0), len(median) - 1)
                        (line,) = ax.plot([at], [median[step]], linestyle="none", marker=marker, markersize=17 if marker == "*" else 12,
                                          color=tone, markeredgecolor="white", zorder=5)
                    marked.setdefault(text, line)
    for ax, measure in zip(axes, measures, strict=False):
        ax.set_title(SERIES.get(measure, measure), fontsize=17, loc="left")
        ax.tick_params(labelsize=14)
        ax.grid(alpha=0.3)
        if measure in UNIT_RANGE:
            ax.set_ylim(-0.02, 1.02)
        else:
            ax.set_ylim(bottom=0)
    for ax in axes[max(0, len(measures) - columns): len(measures)]:
        ax.set_xlabel("date" if one else "months from the start of each case", fontsize=15)
        if one:
            locator = mdates.AutoDateLocator(maxticks=8)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    handles, texts = axes[0].get_legend_handles_labels()
    handles += list(marked.values())
    texts += list(marked)
    reps = "/".join(f"{run.replicas}" for run in runs)
    fig.suptitle(
        (runs[0].scenario.title if one else " vs ".join(run.scenario.title for run in runs))
        + f"\nline: median; shaded: middle 80% of {reps} replications (seed {runs[0].seed}); "
        + ("dashed" if one else "markers") + f": events of {story_label}",
        fontsize=17,
    )
    fig.legend(handles, texts, loc="outside lower center", ncol=min(4 if one else 3, max(1, len(texts))), fontsize=13, frameon=False)
    return fig


def _as_dates(months: np.ndarray) -> list[datetime.date]:
    """Model months (``calendar`` indices) as the first day of each month, e.g. 1994-07 -> 1994-07-01."""
    return [datetime.date(int(m) // 12, int(m) % 12 + 1, 1) for m in months]


def save(runs: list[Run], path: str | Path, measures: tuple[str, ...] = MEASURES, stories: list[list[Event]] | None = None,
         story_label: str = "replication 0") -> Path:
    """Draw ``runs`` to the PNG file ``path`` (``stories``: the events to mark per run); returns the path."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    fig = figure(runs, measures, stories=stories, story_label=story_label)
    fig.savefig(path, format="png")
    return path


def png_bytes(runs: list[Run], measures: tuple[str, ...] = MEASURES, stories: list[list[Event]] | None = None,
              story_label: str = "replication 0") -> bytes:
    """The chart as PNG bytes (for embedding in a page)."""
    from io import BytesIO

    buffer = BytesIO()
    figure(runs, measures, stories=stories, story_label=story_label).savefig(buffer, format="png")
    return buffer.getvalue()
