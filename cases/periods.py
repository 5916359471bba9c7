"""Reporting periods: a year, or one of its two semesters. In URLs and forms: `2022`, `2022-S1`.

The one place that parses a period (bounded: FIRST_YEAR to next year), names it and says which is the
default when none (or junk) is asked for. Every page, export, import and command goes through here:
- counts and coverage (the dashboard, the PMKS grid, their exports): the latest period with figures the
  user sees, the same for every region they open (a drill-down link carries the period it was made for);
- the indicator report and its export: the last finished year, whatever the region's data, so that two
  regions' reports opened side by side cover the same year (a figure the year lacks says why).
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ipsm.lib.dates import FIRST_YEAR, YEARS_AHEAD, last_year  # noqa: F401  (the year bounds, re-exported)

WHOLE_YEAR = 0
# ASCII digits only (\d also takes other scripts' digits), and no year 0, which no date can hold.
_PATTERN = re.compile(r"^(?P<year>[1-9][0-9]{3})(?:-S(?P<semester>[12]))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    semester: int = WHOLE_YEAR  # 0: the whole year; 1 or 2: a semester

    @classmethod
    def parse(cls, text: str) -> "Period | None":
        match = _PATTERN.match((text or "").strip().upper())
        if match is None:
            return None
        return cls(int(match["year"]), int(match["semester"] or WHOLE_YEAR))

    @property
    def key(self) -> str:
        return str(self.year) if self.semester == WHOLE_YEAR else f"{self.year}-S{self.semester}"

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 7 if self.semester == 2 else 1, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, 6, 30) if self.semester == 1 else datetime.date(self.year, 12, 31)

    @property
    def previous(self) -> "Period":
        if self.semester == 2:
            return Period(self.year, 1)
        if self.semester == 1:
            return Period(self.year - 1, 2)
        return Period(self.year - 1)

    def __str__(self) -> str:
        if self.semester == WHOLE_YEAR:
            return _("Year %(year)d") % {"year": self.year}
        return _("Semester %(semester)d of %(year)d") % {"semester": self.semester, "year": self.year}


def parse_period(text: str | None, today: datetime.date | None = None) -> Period | None:
    """A period typed in a URL or a form (`2022`, `2022-S1`), or None when malformed or out of range
    (FIRST_YEAR to next year)."""
    period = Period.parse(text or "")
    if period is None or not FIRST_YEAR <= period.year <= last_year(today):
        return None
    return period


def latest_with_data(with_data: list[Period], *, otherwise: Period | None) -> Period | None:
    """The default period of counts and coverage: the latest with figures (`with_data`, newest first)."""
    return with_data[0] if with_data else otherwise


def last_finished_year(today: datetime.date | None = None) -> Period:
    """The default period of the indicator report: the year before this one, for every region (its figures
    are final; the running year is one choice away)."""
    return Period((today or timezone.localdate()).year - 1)


def asked_period(text: str | None, default: Callable[[], Period | None]) -> tuple[Period | None, str]:
    """The period asked for, else the default (computed only then); and, when the text asked for no valid
    period, the warning a page shows."""
    period = parse_period(text)
    if period is not None:
        return period, ""
    if not text:
        return default(), ""
    return default(), _("“%(text)s” is not a valid period; showing the default.") % {"text": text[:20]}


def period_choices(
    with_data: list[Period], shown: Period, today: datetime.date | None = None
) -> list[Period]:
    """The PMKS grid's selector: the periods with data, the one shown, this year, its semesters, last year."""
    year = (today or timezone.localdate()).year
    usual = [shown, Period(year), Period(year, 1), Period(year, 2), Period(year - 1)]
    return sorted(set(with_data) | set(usual), reverse=True)
