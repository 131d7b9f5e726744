"""Global sensitivity through SALib: Sobol first-order and total indices, Morris mu* and sigma.

The model output for each point of the sample is the mean of an outcome over the point's
replications. Outcomes that do not vary over the sample have no indices and are left out.
Bootstrap confidence intervals are seeded from the sweep seed, so the tables repeat exactly.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

SOBOL_COLUMNS = ["S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["mu", "mu_star", "mu_star_conf", "sigma"]
WIDE = 0.25
"""A Sobol index whose 95% interval is wider than this either side is flagged in the table."""


def sobol_indices(problem: dict, y: np.ndarray, second_order: bool = False, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices of ``y`` (one value per row of a Saltelli sample)."""
    from SALib.analyze import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sobol.analyze(problem, np.asarray(y, dtype=float), calc_second_order=second_order, seed=seed)
    frame = pd.DataFrame({column: result[column] for column in SOBOL_COLUMNS})
    frame.insert(0, "parameter", problem["names"])
    return frame


def morris_indices(problem: dict, x: np.ndarray, y: np.ndarray, levels: int = 4, seed: int = 0) -> pd.DataFrame:
    """Morris elementary effects of ``y``: mu, mu*, its 95% interval half-width, and sigma."""
    from SALib.analyze import morris

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = morris.analyze(problem, np.asarray(x, dtype=float), np.asarray(y, dtype=float), num_levels=levels, seed=seed)
    frame = pd.DataFrame({column: np.asarray(result[column], dtype=float) for column in MORRIS_COLUMNS})
    frame.insert(0, "parameter", problem["names"])
    return frame


def analyze(method: str, problem: dict, x: np.ndarray, means: dict[str, np.ndarray], second_order: bool = False,
            levels: int = 4, seed: int = 0) -> pd.DataFrame:
    """Indices of every outcome that varies over the sample, as one long table (outcome, parameter, ...)."""
    frames = []
    for outcome, y in means.items():
        y = np.asarray(y, dtype=float)
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            continue
        if method == "sobol":
            frame = sobol_indices(problem, y, second_order=second_order, seed=seed)
        else:
            frame = morris_indices(problem, x, y, levels=levels, seed=seed)
        frame.insert(0, "outcome", outcome)
        frames.append(frame)
    columns = ["outcome", "parameter", *(SOBOL_COLUMNS if method == "sobol" else MORRIS_COLUMNS)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def save(table: pd.DataFrame, out: Path, method: str) -> tuple[Path, Path]:
    """``DIR/sensitivity.csv`` and ``DIR/sensitivity.json`` (outcome -> parameter -> indices)."""
    csv_path, json_path = out / "sensitivity.csv", out / "sensitivity.json"
    table.to_csv(csv_path, index=False, float_format="%.6g")
    nested: dict[str, dict[str, dict[str, float | None]]] = {}
    for row in table.to_dict(orient="records"):
        values = {k: (None if pd.isna(v) else float(v)) for k, v in row.items() if k not in ("outcome", "parameter")}
        nested.setdefault(row["outcome"], {})[row["parameter"]] = values
    json_path.write_text(json.dumps({"method": method, "indices": nested}, indent=2) + "\n", encoding="utf-8")
    return csv_path, json_path


def rich_table(table: pd.DataFrame, method: str, outcomes: list[str]):  # noqa: ANN201 - rich Table, imported lazily
    """Parameters down, the chosen outcomes across: S1 / ST for Sobol, mu* / sigma for Morris."""
    from rich.table import Table

    first, second = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
    shown = [o for o in outcomes if o in set(table["outcome"])]
    title = "Sobol indices: first order / total" if method == "sobol" else "Morris: mu* / sigma"
    caption = "95% intervals in sensitivity.csv"
    if method == "sobol":
        caption = f"* an interval wider than +/-{WIDE}: too few points for this outcome (raise --n); {caption}"
    rich = Table(title=title, caption=caption)
    rich.add_column("parameter")
    for outcome in shown:
        rich.add_column(outcome, justify="right")
    for parameter in dict.fromkeys(table["parameter"]):
        row = [parameter]
        for outcome in shown:
            match = table[(table["outcome"] == outcome) & (table["parameter"] == parameter)]
            if not len(match):
                row.append("")
                continue
            wide = method == "sobol" and max(match["S1_conf"].iloc[0], match["ST_conf"].iloc[0]) > WIDE
            row.append(f"{match[first].iloc[0]:.3f} / {match[second].iloc[0]:.3f}{'*' if wide else ''}")
        rich.add_row(*row)
    return rich
