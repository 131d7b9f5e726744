"""PNG charts of a sweep (matplotlib, Agg): sensitivity bars, and a line or heat map for small grids."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def _pyplot():  # noqa: ANN202 - matplotlib.pyplot, imported lazily with the Agg backend
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def sensitivity_bars(table: pd.DataFrame, method: str, outcome: str, path: Path) -> Path | None:
    """Sobol S1 and ST (with intervals) or Morris mu* and sigma per parameter, for one outcome."""
    rows = table[table["outcome"] == outcome]
    if rows.empty:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 * len(rows) + 2), 4))
    x = np.arange(len(rows))
    if method == "sobol":
        ax.bar(x - 0.2, rows["S1"], 0.4, yerr=rows["S1_conf"], label="first order (S1)", capsize=3)
        ax.bar(x + 0.2, rows["ST"], 0.4, yerr=rows["ST_conf"], label="total (ST)", capsize=3)
        ax.set_ylabel("Sobol index")
    else:
        ax.bar(x - 0.2, rows["mu_star"], 0.4, yerr=rows["mu_star_conf"], label="mu*", capsize=3)
        ax.bar(x + 0.2, rows["sigma"], 0.4, label="sigma")
        ax.set_ylabel("elementary effect")
    ax.set_xticks(x, rows["parameter"], rotation=20, ha="right")
    ax.set_title(f"{'Sobol' if method == 'sobol' else 'Morris'} sensitivity of {outcome}")
    ax.legend()
    return _save(plt, fig, path)


def grid_line(summary: pd.DataFrame, key: str, outcome: str, path: Path) -> Path:
    """The mean of ``outcome`` with its 95% interval over the values of one grid key."""
    rows = summary[summary["outcome"] == outcome].sort_values("point")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    numeric = pd.api.types.is_numeric_dtype(rows[key]) and not pd.api.types.is_bool_dtype(rows[key])
    x = rows[key].to_numpy() if numeric else np.arange(len(rows))
    ax.plot(x, rows["mean"], marker="o")
    ax.fill_between(x, rows["ci_low"], rows["ci_high"], alpha=0.25, label="95% interval")
    if rows["mean"].isna().all():  # a months_to_X whose X never happened
        ax.text(0.5, 0.5, "never happened at any point", transform=ax.transAxes, ha="center", va="center")
    if not numeric:
        ax.set_xticks(x, [str(v) for v in rows[key]])
    ax.set_xlabel(key)
    ax.set_ylabel(f"{outcome} (mean)")
    ax.set_title(f"{outcome} over {key}")
    ax.legend()
    return _save(plt, fig, path)


def grid_heatmap(summary: pd.DataFrame, keys: list[str], outcome: str, path: Path) -> Path:
    """The mean of ``outcome`` over a two-key grid as a heat map (first key down, second across);
    a ``months_to_X`` cell where X never happened is blank and reads 'never'."""
    rows = summary[summary["outcome"] == outcome]
    first, second = keys
    table = rows.pivot_table(index=first, columns=second, values="mean", sort=False, dropna=False)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(1.0 * len(table.columns) + 3, 0.6 * len(table.index) + 2))
    image = ax.imshow(table.to_numpy(), aspect="auto", cmap="viridis", origin="lower")
    ax.set_xticks(range(len(table.columns)), [_label(v) for v in table.columns], rotation=30, ha="right")
    ax.set_yticks(range(len(table.index)), [_label(v) for v in table.index])
    ax.set_xlabel(second)
    ax.set_ylabel(first)
    values = table.to_numpy()
    seen = values[np.isfinite(values)]
    low, high = (seen.min(), seen.max()) if len(seen) else (0.0, 0.0)
    for (i, j), value in np.ndenumerate(values):
        bright = high > low and (value - low) / (high - low) > 0.6
        text = f"{value:.2f}" if np.isfinite(value) else "never"
        ax.text(j, i, text, ha="center", va="center", color="black" if bright or not np.isfinite(value) else "white", fontsize=8)
    fig.colorbar(image, ax=ax, label=f"{outcome} (mean)")
    ax.set_title(f"{outcome}: {first} x {second}")
    return _save(plt, fig, path)


def _save(plt, fig, path: Path) -> Path:
    """Lay out, write and close a figure (pyplot is imported lazily, so it is passed in)."""
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _label(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
