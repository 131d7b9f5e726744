"""Months as the model's clock: a scenario's ``YYYY-MM`` dates map to steps."""

from __future__ import annotations

import datetime as _dt
import re

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: object) -> int:
    """Return the absolute month index (year * 12 + month - 1) of ``YYYY-MM``.

    A full date (``1994-10-21``, which YAML reads as a date) counts as its month.
    """
    if isinstance(value, _dt.date):
        return value.year * 12 + value.month - 1
    match = _MONTH.match(str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def format_month(index: int) -> str:
    """Inverse of :func:`parse_month`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def year_of(index: int) -> int:
    return index // 12
