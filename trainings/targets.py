"""Targets against realisation (target, realisasi, capaian) for the five-level indicator report, as a
Dinas Sosial's performance report (LKjIP) puts them.

- Staff of a kab/kota set, per year, a baseline and a target for each indicator (IndicatorTarget); viewers
  read them; a coordinator neither. Targets belong to a kab/kota and a whole year: the report shows them for
  that region and year only.
- Units: a share is typed, kept and shown in percent (80 = 80%); the report's figure (a fraction) is turned
  into percent to compare (`realisation`). Money in rupiah, counts as counts.
- Achievement (capaian), in percent: realisation ÷ target × 100; for an indicator where less is better
  (LOWER_IS_BETTER) the usual LKjIP rule for such indicators, (2 × target − realisation) ÷ target × 100.
  None where either figure is missing or the target is 0.
- Trend across years (`realisation_trend`): the realisation of each indicator in the year and up to
  TREND_YEARS - 1 years before it, for the report page and the LKjIP table.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.periods import Period
from members.access import scope_of
from members.models import KABKOTA_LEVELS, Region
from trainings.indicators import (
    DEFINITIONS,
    SHARE,
    Indicator,
    Level,
    Number,
    counted_indicator_report,
    report_years,
)
from trainings.models import IndicatorTarget

# Indicators where a lower figure is the better one.
LOWER_IS_BETTER = frozenset({"cases_by_untrained_psm", "pmks_per_psm", "kelurahan_worsened"})
KINDS = {key: kind for _level, key, kind, _name, _formula in DEFINITIONS}
HUNDRED = Decimal(100)


def realisation(indicator: Indicator) -> Decimal | None:
    """The indicator's current figure in the target's unit (a share in percent), two decimals."""
    return _in_target_unit(indicator.current, indicator.kind)


def _in_target_unit(value: Number, kind: str) -> Decimal | None:
    if value is None:
        return None
    value = Decimal(str(value))
    if kind == SHARE:
        value *= HUNDRED
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def achievement(key: str, realised: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Capaian in percent (one decimal), by the module's rule; None when it cannot be said."""
    if realised is None or target is None or target == 0:
        return None
    if key in LOWER_IS_BETTER:
        value = (2 * target - realised) / target * HUNDRED
    else:
        value = realised / target * HUNDRED
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def is_target_region(region: Region | None) -> bool:
    return region is not None and region.level in KABKOTA_LEVELS


def may_set_targets(user, region: Region) -> bool:
    """Staff of the kab/kota (or a superuser) set its targets; nobody sets a province's or a kecamatan's."""
    scope = scope_of(user)
    in_scope = scope.everything or (bool(scope.region_code) and region.code.startswith(scope.region_code))
    return is_target_region(region) and in_scope and user.has_perm("trainings.change_indicatortarget")


def targets_of(region: Region, year: int) -> dict[str, IndicatorTarget]:
    """The kab/kota's targets for the year, by indicator key (one query)."""
    return {target.indicator: target for target in IndicatorTarget.objects.filter(region=region, year=year)}


@transaction.atomic
def save_targets(
    *, region: Region, year: int, values: Mapping[str, tuple[Decimal | None, Decimal | None]], by
) -> int:
    """Set the baseline and target of each indicator given (both empty: the row goes); returns how many
    indicators now have a target or baseline."""
    if not may_set_targets(by, region):
        raise PermissionDenied
    unknown = set(values) - set(KINDS)
    if unknown:
        raise ValidationError(_("Unknown indicator: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    for key, (baseline, target) in values.items():
        for value in (baseline, target):
            if value is not None and value < 0:
                raise ValidationError(_("A baseline or target cannot be below zero."))
            if value is not None and KINDS[key] == SHARE and value > HUNDRED:
                raise ValidationError(_("A share is at most 100%."))
    existing = targets_of(region, year)
    for key, (baseline, target) in values.items():
        row = existing.get(key)
        if baseline is None and target is None:
            if row is not None:
                row.delete()
            continue
        row = row or IndicatorTarget(region=region, year=year, indicator=key)
        row.baseline, row.target, row.updated_by = baseline, target, by
        row._history_user = by
        row.save()
    return IndicatorTarget.objects.filter(region=region, year=year).count()


# --- Trend across years --------------------------------------------------------------------------------

TREND_YEARS = 5


@dataclass(frozen=True)
class YearFigure:
    year: int
    shown: str  # as the indicator report shows it
    realised: Decimal | None  # in the target's unit (`realisation`)


@dataclass(frozen=True)
class Trend:
    years: list[int]  # oldest first; the year asked for is the last
    figures: dict[str, list[YearFigure]]  # by indicator key, one per year of `years`


def trend_years(year: int, years_with_data: Iterable[int]) -> list[int]:
    """The year, the one before (every report has it beside the year) and the latest earlier years in which
    the region had data (trainings.indicators.report_years): TREND_YEARS at most, oldest first."""
    earlier = sorted({y for y in years_with_data if y < year - 1})
    return [*earlier[max(0, len(earlier) - (TREND_YEARS - 2)) :], year - 1, year]


def realisation_trend(
    region: Region,
    year: int,
    *,
    levels: list[Level] | None = None,
    years_with_data: Iterable[int] | None = None,
) -> Trend:
    """Each indicator's realisation in the kab/kota over `trend_years`, from the reports of those years as
    counted_indicator_report keeps them. `levels`: the year's report when the caller has counted it already;
    `years_with_data`: report_years(region.code) when the caller has it (else two queries).

    A report holds its year and the one before, so the years are read newest first and a report is counted
    only for a year the next one's did not give: at most TREND_YEARS - 1 reports besides the year's own, each
    the constant number of queries of one report (one cache read when it is kept), whatever the region's size.
    """
    if years_with_data is None:
        years_with_data = report_years(region.code)
    years = trend_years(year, years_with_data)
    by_year: dict[int, dict[str, YearFigure]] = {}
    for wanted in reversed(years):
        if wanted in by_year:
            continue
        if wanted == year and levels is not None:
            counted = levels
        else:
            counted = counted_indicator_report(region.code, Period(wanted)).levels
        for level in counted:
            for indicator in level.indicators:
                by_year.setdefault(wanted, {})[indicator.key] = YearFigure(
                    wanted, indicator.shown_current, _in_target_unit(indicator.current, indicator.kind)
                )
                by_year.setdefault(wanted - 1, {})[indicator.key] = YearFigure(
                    wanted - 1, indicator.shown_previous, _in_target_unit(indicator.previous, indicator.kind)
                )
    return Trend(years, {key: [by_year[y][key] for y in years] for key in by_year[year]})
