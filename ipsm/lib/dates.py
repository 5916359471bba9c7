"""Date arithmetic the apps share."""

import datetime

from django.utils import timezone

# No figure of the registry is older: the first year a URL or a form may ask for (cases.periods, the event
# list's year filter, a unit's work programme). Also keeps a year before it (Period.previous) far from the
# ends of the date range.
FIRST_YEAR = 2000
# Plans reach into the next (budget) year: targets, training events, work programmes. No period is further
# ahead.
YEARS_AHEAD = 1


def last_year(today: datetime.date | None = None) -> int:
    """The last year a URL or a form may ask for: next year."""
    return (today or timezone.localdate()).year + YEARS_AHEAD


def is_asked_year(year: int, today: datetime.date | None = None) -> bool:
    """Whether `year` lies between FIRST_YEAR and next year."""
    return FIRST_YEAR <= year <= last_year(today)


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (or earlier, when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
