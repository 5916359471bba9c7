"""Date arithmetic the apps share."""

import datetime


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (or earlier, when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
