"""Charts (``--plot``), the HTML report and the narration: files that are opened and checked."""

from __future__ import annotations

import base64
import io
import re

import matplotlib.image
import numpy as np
import pytest

from sim import concessions, labels
from sim.events import Event
from sim.narrate import month_lines, sentence
from tests.conftest import AGREED_FRAMEWORK, HANOI, run_cli


def _pixels(png: bytes | str) -> np.ndarray:
    source = io.BytesIO(png) if isinstance(png, bytes) else png
    return matplotlib.image.imread(source, format="png")


def _assert_a_chart(image: np.ndarray, min_size: tuple[int, int] = (800, 1000)) -> None:
    """A drawn chart: large enough, mostly white paper with a real share of coloured ink."""
    height, width = image.shape[:2]
    assert height >= min_size[0] and width >= min_size[1]
    rgb = image[..., :3]
    ink = (rgb < 0.9).any(axis=2).mean()
    coloured = (rgb.max(axis=2) - rgb.min(axis=2) > 0.3).mean()
    assert 0.02 < ink < 0.6, f"share of non-white pixels {ink:.3f}"
    assert coloured > 0.005, "no coloured lines or bands"


def test_run_plot_writes_a_chart(tmp_path):
    out = tmp_path / "charts" / "af.png"
    result = run_cli("run", AGREED_FRAMEWORK, "--reps", "30", "--plot", out)
    assert result.code == 0, result.err
    assert "chart written" in result.err and "talks_opened" in result.out
    assert out.stat().st_size > 20_000
    _assert_a_chart(_pixels(str(out)))


def test_compare_plot_draws_both_cases(tmp_path):
    out = tmp_path / "compare.png"
    result = run_cli("compare", AGREED_FRAMEWORK, HANOI, "--reps", "30", "--plot", out)
    assert result.code == 0, result.err
    image = _pixels(str(out))
    _assert_a_chart(image)
    # both cases' colours are drawn: the first case blue, the second red
    rgb = image[..., :3]
    blue = ((rgb[..., 2] > 0.6) & (rgb[..., 0] < 0.3)).sum()
    red = ((rgb[..., 0] > 0.7) & (rgb[..., 1] < 0.3) & (rgb[..., 2] < 0.3)).sum()
    assert blue > 200 and red > 200  # the shorter case (Hanoi, 24 months) draws fewer pixels


def test_plot_needs_a_png_name(tmp_path):
    result = run_cli("run", HANOI, "--reps", "5", "--plot", tmp_path / "chart.jpg")
    assert result.code == 2
    assert "ending in .png" in result.err and "Traceback" not in result.err


def test_bands_are_the_median_and_the_middle_80_percent():
    from sim.plots import band

    values = np.tile(np.arange(11, dtype=float), (3, 1))  # 3 months, replicas 0..10
    median, low, high = band(values)
    assert median.tolist() == [5.0] * 3
    assert low.tolist() == [1.0] * 3 and high.tolist() == [9.0] * 3


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = run_cli("report", AGREED_FRAMEWORK, HANOI, "-o", out, "--reps", "40", "--seed", "3")
    assert result.code == 0, result.err
    return out.read_text(encoding="utf-8")


def test_report_has_the_comparison_table(report):
    table = re.search(r'<table class="outcomes">.*?</table>', report, re.S)
    assert table, "no outcome table"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)
    assert len(rows) > 15
    header = rows[0]
    assert "The Agreed Framework, 1994-2003" in header and "The Hanoi summit, 2019-2020" in header
    agreement = next(r for r in rows if "Agreement signed" in r)
    assert len(re.findall(r"<td", agreement)) == 4  # label, two cases, the difference
    assert re.search(r"\d+% \(\d+% to \d+%\)", agreement)  # a share and its interval, in percent
    assert re.search(r"[-+]?\d+ points|0 points", agreement)  # its change, in percentage points
    assert "agreement_signed" not in table.group(0)  # words, not the machine names


def test_report_embeds_its_charts(report):
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', report)
    assert len(images) == 3  # the comparison and one chart per case
    for data in images:
        _assert_a_chart(_pixels(base64.b64decode(data)))


def test_report_needs_no_network(report):
    assert "http://" not in report and "https://" not in report and "solara" not in report.lower()
    assert "<script" not in report and "<link" not in report
    assert re.search(r"\bsrc=\"(?!data:)", report) is None


def test_report_tells_the_stories_and_the_history(report):
    assert report.count("The story of a typical run of 200") == 2
    assert "Agreed Framework signed in Geneva" in report  # the case's history lines
    assert "Trump walks out" in report
    assert "talks open" in report
    assert "fuel_oil" not in report and "fuel oil" in report


def test_report_bad_input_is_one_line(tmp_path):
    missing = run_cli("report", tmp_path / "nope.yaml", "-o", tmp_path / "r.html")
    assert missing.code == 2 and missing.err.count("\n") == 1
    wrong = run_cli("report", HANOI, "-o", tmp_path / "r.pdf")
    assert wrong.code == 2 and ".html" in wrong.err


# ---------------------------------------------------------------- narration in words


def test_every_item_has_a_label():
    assert set(labels.ITEMS) == set(concessions.NAMES)
    assert all("_" not in text for text in labels.ITEMS.values())


def _event(kind: str, text: str = "", month: int = 1994 * 12 + 9, replica: int = 0, actor: str = "us", **data) -> Event:
    return Event(month, replica, kind, actor, text, data)


def test_an_agreement_reads_in_words():
    told = sentence(_event("agreement_signed", package=["freeze", "inspections", "fuel_oil", "lwr"],
                           dprk_value=0.62, dprk_status_quo=0.41, us_value=0.20, us_status_quo=-0.01))
    assert told.startswith("the US and the DPRK sign an agreement: a freeze of Yongbyon and IAEA inspections from the DPRK")
    assert "for fuel oil and two light-water reactors" in told
    assert "0.62 against its status quo of 0.41" in told and "0.20 against its status quo of -0.01" in told


def test_offers_walkouts_and_launches_read_in_words():
    offer = sentence(_event("offer", package=["dismantlement", "declaration", "security_assurance"], value_to_other=-2.99))
    assert offer == ("the US offers a security assurance in return for dismantling Yongbyon and a full declaration of its "
                     "programmes; the DPRK says no: to it the offer is 2.99 worse than no deal")
    holds_out = sentence(_event("offer", actor="dprk", package=["freeze", "lwr"], value_to_other=0.23))
    assert holds_out.endswith("the US says no: the offer is 0.23 better than no deal, but it holds out for more")
    walk = sentence(_event("walkout", us_value_of_offer=-0.35, dprk_value_of_offer=-2.15))
    assert walk.startswith("talks break down with no zone of agreement:")
    assert "0.35 worse than no deal" in walk and "2.15 worse than no deal" in walk
    one_sided = sentence(_event("walkout", us_value_of_offer=0.23, dprk_value_of_offer=-1.03))
    assert one_sided.startswith("talks break down: ") and "0.23 better than no deal" in one_sided
    assert sentence(_event("short_range_launches", count=1)) == "the DPRK fires a short-range missile"
    assert sentence(_event("short_range_launches", count=3)) == "the DPRK fires 3 short-range missiles"
    assert sentence(_event("delivery_delayed", items=["fuel_oil", "lwr"])) == (
        "the US and its partners are late with fuel oil and two light-water reactors")
    assert sentence(_event("delivery_delayed", items=["declaration"])) == "the DPRK is late with a full declaration of its programmes"
    collapse = sentence(_event("deal_collapsed", withdrawn_by="us", us_surplus=-0.11, dprk_surplus=0.2,
                               dprk_shortfall=0.0, us_shortfall=0.1, us_defection=0.0, dprk_defection=0.3))
    assert collapse.startswith("the deal collapses: the US walks away (its gain from keeping the deal has fallen to -0.11)")
    assert sentence(_event("crisis", "something new happens")) == "something new happens"  # no wording: its own text
    assert sentence(_event("walkout", "talks end")) == "talks end"  # missing data: its own text


def test_a_month_is_told_on_one_line():
    events = [_event("talks_opened", format="bilateral"), _event("short_range_launches", count=2),
              _event("talks_opened", month=1995 * 12, format="summit"),
              _event("talks_opened", replica=1, format="summit")]
    assert month_lines(events) == [
        ("1994-10", "talks open (bilateral format); the DPRK fires 2 short-range missiles."),
        ("1995-01", "talks open (leaders' summit format)."),
    ]


def test_a_standing_offer_is_told_once():
    events = [_event("offer", month=m, package=["freeze", "lwr"], value_to_other=v) for m, v in ((100, -0.5), (101, -0.4))]
    events.append(_event("offer", month=102, package=["freeze", "inspections", "lwr"], value_to_other=-0.1))
    told = month_lines(events)
    assert [date for date, _ in told] == ["0008-05", "0008-07"]
    assert len(month_lines(events, verbose=True)) == 3


def test_narrated_run_has_no_identifiers():
    result = run_cli("run", AGREED_FRAMEWORK, "--reps", "1", "--seed", "2", "--narrate")
    assert result.code == 0
    story = result.out.split("\n\n")[0]
    lines = [line for line in story.splitlines() if re.match(r"\d{4}-\d{2}: ", line)]
    assert len(lines) > 10
    assert not re.search(r"\b(fuel_oil|lwr|security_assurance|short-range missile\(s\))\b", story)
