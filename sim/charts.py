"""The classroom charts as Vega-Lite: drawn in the browser, only their data sent each month.

One spec per case (four panels: tension, DPRK capability, sanctions pressure, trust), dated on
the x axis over the case's whole period; the data are two named sets the page replaces as the
run goes on: ``series`` (per month and measure, the told run's value and the middle 80% of all
runs) and ``events`` (the told run's talks, deals, walkouts, collapses, tests, launches of every
range and outside events, drawn as rules). Plain dictionaries: no Altair validation per step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim import calendar, labels
from sim.events import Event
from sim.model import SERIES

UNIT_RANGE = frozenset({"tension", "crisis_hazard", "pressure", "enforcement", "trust_dprk_us", "trust_us_dprk"})

MARKED: dict[str, tuple[str, str]] = {
    "talks_opened": ("talks open", "#1f77b4"),
    "agreement_signed": ("agreement signed", "#2ca02c"),
    "walkout": ("walkout", "#ff7f0e"),
    "deal_collapsed": ("deal collapses", "#d62728"),
    "nuclear_test": ("nuclear test", "#000000"),
    "long_range_launch": ("long-range launch", "#9467bd"),
    "short_range_launches": ("short-range launch", "#e377c2"),
    "shock": ("outside event", "#7f7f7f"),
}
"""Event kinds marked on the charts: legend text and colour."""

COLOURS = ("#d62728", "#1f77b4")
SHORT = {"material": "material (warheads' worth)", "warheads": "warheads", "crisis_hazard": "crisis hazard",
         "tension": "tension", "pressure": "sanctions pressure", "enforcement": "China's enforcement",
         "trust_dprk_us": "DPRK's trust in US", "trust_us_dprk": "US trust in DPRK"}
"""Legend labels, short enough for a panel (the long ones are ``sim.model.SERIES``)."""


def iso(month: int) -> str:
    """A model month as the ISO date of its first day, e.g. 1994-07 -> '1994-07-01'."""
    return f"{calendar.format_month(month)}-01"


def _datetime(month: int) -> dict[str, Any]:
    return {"year": month // 12, "month": month % 12 + 1, "date": 1, "utc": True}


def spec(start: int, end: int, label: str) -> dict[str, Any]:
    """The four panels for a case running from month ``start`` to ``end`` (the told run's ``label`` in the caption)."""
    short = end - start < 48  # a short case reads months on its axis, a long one years
    axis = {"format": "%b %Y", "tickCount": 4} if short else {"format": "%Y", "tickCount": 6}
    x = {"field": "date", "type": "temporal", "title": None, "scale": {"type": "utc", "domain": [_datetime(start), _datetime(end)]},
         "axis": {**axis, "labelFontSize": 12, "labelOverlap": True}}
    kinds = list(MARKED.values())
    panels = []
    for title, names in labels.PANELS.items():
        texts = [SHORT.get(n, SERIES[n]) for n in names]
        y_scale = {"domain": [0, 1]} if all(n in UNIT_RANGE for n in names) else {"zero": True}
        keep = {"filter": {"field": "measure", "oneOf": list(names)}}
        colour = {"field": "label", "type": "nominal", "title": None, "scale": {"domain": texts, "range": list(COLOURS)},
                  "legend": {"orient": "top", "labelFontSize": 12, "labelLimit": 170, "offset": 4, "symbolSize": 60, "columnPadding": 8}}
        panels.append({
            "title": {"text": title, "anchor": "start", "fontSize": 15},
            "width": 300, "height": 175,
            "layer": [
                {"data": {"name": "events"}, "mark": {"type": "rule", "strokeDash": [4, 3], "opacity": 0.75},
                 "encoding": {"x": x, "color": {"field": "event", "type": "nominal", "title": None,
                                                "scale": {"domain": [k for k, _ in kinds], "range": [c for _, c in kinds]},
                                                "legend": None},
                              "tooltip": [{"field": "month", "title": "month"}, {"field": "event", "title": "event"}]}},
                {"data": {"name": "series"}, "transform": [keep],
                 "mark": {"type": "area", "opacity": 0.15},
                 "encoding": {"x": x, "y": {"field": "low", "type": "quantitative", "title": None, "scale": y_scale},
                              "y2": {"field": "high"}, "color": {**colour, "legend": None}}},
                {"data": {"name": "series"}, "transform": [keep],
                 "mark": {"type": "line", "strokeWidth": 2.5},
                 "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "title": None, "scale": y_scale},
                              "color": colour,
                              "tooltip": [{"field": "month", "title": "month"}, {"field": "label", "title": "measure"},
                                          {"field": "value", "format": ".2f", "title": label}]}},
            ],
            "resolve": {"scale": {"color": "independent"}},
        })
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "datasets": {},
        "concat": panels, "columns": 2, "spacing": {"row": 88, "column": 58}, "bounds": "flush",
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 12, "gridOpacity": 0.4}},
    }


def rows(month: int, state: dict[str, np.ndarray], replica: int) -> list[dict[str, Any]]:
    """The ``series`` rows of one month: each measure's value in the told run and the middle 80% of all runs."""
    out = []
    for names in labels.PANELS.values():
        for name in names:
            values = state[name]
            low, high = np.percentile(values, [10, 90]) if len(values) > 1 else (values[0], values[0])
            out.append({"date": iso(month), "month": calendar.format_month(month), "measure": name, "label": SHORT.get(name, SERIES[name]),
                        "value": round(float(values[replica]), 4), "low": round(float(low), 4), "high": round(float(high), 4)})
    return out


def event_rows(events: list[Event]) -> list[dict[str, Any]]:
    """The ``events`` rows: one rule per marked event of the told run."""
    return [{"date": iso(e.month), "month": e.date, "event": MARKED[e.kind][0]} for e in events if e.kind in MARKED]
