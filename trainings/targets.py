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
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.access import scope_of
from members.models import KABKOTA_LEVELS, Region
from trainings.indicators import DEFINITIONS, SHARE, Indicator
from trainings.models import IndicatorTarget

# Indicators where a lower figure is the better one.
LOWER_IS_BETTER = frozenset({"cases_by_untrained_psm", "pmks_per_psm", "kelurahan_worsened"})
KINDS = {key: kind for _level, key, kind, _name, _formula in DEFINITIONS}
HUNDRED = Decimal(100)


def realisation(indicator: Indicator) -> Decimal | None:
    """The indicator's current figure in the target's unit (a share in percent), two decimals."""
    if indicator.current is None:
        return None
    value = Decimal(str(indicator.current))
    if indicator.kind == SHARE:
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
