"""Due dates worked out without the library: plain calendar arithmetic and the ``holidays``
package, so that a test of a clock never checks the library's date arithmetic against itself.

Each jurisdiction's working days follow the choice its profile documents: Monday to Friday,
less the public holidays of the ``holidays`` package; Sweden also less the days the package
marks as treated like public holidays (Midsummer Eve, Christmas Eve, New Year's Eve); Finland
also less Christmas Eve and Midsummer Eve, written out here rather than taken from the package.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from functools import cache

import holidays

__all__ = [
    "CALENDARS",
    "add_days",
    "add_months",
    "add_weeks",
    "cin_due",
    "is_working",
    "midsummer_eve",
    "nth_working_day_after",
    "previous_working_day",
    "working_days_due",
]

ONE_DAY = dt.timedelta(days=1)


def add_days(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def add_weeks(start: dt.date, weeks: int) -> dt.date:
    return start + dt.timedelta(days=7 * weeks)


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the last day of a shorter month (31 Oct + 4 = 28/29 Feb)."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def midsummer_eve(year: int) -> dt.date:
    """The Friday from 19 to 25 June (Sweden and Finland alike)."""
    first = dt.date(year, 6, 19)
    return first + dt.timedelta(days=(4 - first.weekday()) % 7)


def _finnish_eves(day: dt.date) -> bool:
    return day == dt.date(day.year, 12, 24) or day == midsummer_eve(day.year)


# jurisdiction: (holidays country, subdivision, categories, days closed besides)
CALENDARS: dict[str, tuple[str, str | None, tuple[str, ...], Callable[[dt.date], bool]]] = {
    "SE": ("SE", None, ("public", "de_facto"), lambda day: False),
    "DK": ("DK", None, ("public",), lambda day: False),
    "NO": ("NO", None, ("public",), lambda day: False),
    "FI": ("FI", None, ("public",), _finnish_eves),
    "GB-ENG": ("GB", "ENG", ("public",), lambda day: False),
    "NL": ("NL", None, ("public",), lambda day: False),
}


@cache
def _holidays(jurisdiction: str, year: int) -> frozenset[dt.date]:
    country, subdivision, categories, _ = CALENDARS[jurisdiction]
    found = holidays.country_holidays(
        country, subdiv=subdivision, years=(year - 1, year, year + 1), categories=categories
    )
    return frozenset(found)


def is_working(jurisdiction: str, day: dt.date) -> bool:
    closed = CALENDARS[jurisdiction][3]
    return day.weekday() < 5 and day not in _holidays(jurisdiction, day.year) and not closed(day)


def nth_working_day_after(jurisdiction: str, start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself not counted); n >= 1."""
    day, counted = start, 0
    while counted < n:
        day += ONE_DAY
        counted += is_working(jurisdiction, day)
    return day


def previous_working_day(jurisdiction: str, day: dt.date) -> dt.date:
    day -= ONE_DAY
    while not is_working(jurisdiction, day):
        day -= ONE_DAY
    return day


def working_days_due(jurisdiction: str, start: dt.date, n: int) -> dt.date:
    """The default convention: day 1 is the first working day after the start."""
    return nth_working_day_after(jurisdiction, start, n)


def cin_due(jurisdiction: str, start: dt.date, n: int) -> dt.date:
    """The DfE CIN census validator's convention, as its Python implementation writes it:
    ``start + CustomBusinessDay(n - 1)`` (pandas), which rolls a start that is no working day
    back to the working day before it when it moves forward (``n - 1 > 0``), and forward to
    the next working day when it does not move (``n == 1``)."""
    steps = n - 1
    day = start
    if steps > 0:
        while not is_working(jurisdiction, day):
            day -= ONE_DAY
        return nth_working_day_after(jurisdiction, day, steps)
    while not is_working(jurisdiction, day):
        day += ONE_DAY
    return day
