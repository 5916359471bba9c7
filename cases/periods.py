"""Reporting periods of PMKS counts: a year, or one of its two semesters. In URLs: `2022`, `2022-S1`."""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

WHOLE_YEAR = 0
# ASCII digits only (\d also takes other scripts' digits), and no year 0, which no date can hold.
_PATTERN = re.compile(r"^(?P<year>[1-9][0-9]{3})(?:-S(?P<semester>[12]))?$")
# No figure of the registry is older: the first year a URL or a form may ask for (parse_period, the event
# list's year filter). Also keeps a year before it (Period.previous) far from the ends of the date range.
FIRST_YEAR = 2000


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
