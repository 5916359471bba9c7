"""The form of a kab/kota's indicator targets for a year (trainings/targets.py holds the rules)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from trainings.indicators import DEFINITIONS, LEVELS, MONEY, SHARE

_UNITS = {SHARE: "%", MONEY: "Rp"}


class TargetsForm(forms.Form):
    """Two optional numbers per indicator (baseline, target), in the indicator's unit (a share in percent)."""

    def __init__(self, data=None, *, existing: dict):
        super().__init__(data)
        self._keys = []
        for _level, key, kind, name, _formula in DEFINITIONS:
            self._keys.append(key)
            row = existing.get(key)
            for part, label in (("baseline", _("Baseline")), ("target", _("Target"))):
                self.fields[f"{part}_{key}"] = forms.DecimalField(
                    label=f"{label}: {name}",
                    required=False,
                    min_value=Decimal(0),
                    max_value=Decimal(100) if kind == SHARE else None,
                    max_digits=16,
                    decimal_places=2,
                    initial=getattr(row, part, None),
                    localize=True,
                )

    def values(self) -> dict[str, tuple[Decimal | None, Decimal | None]]:
        return {
            key: (self.cleaned_data[f"baseline_{key}"], self.cleaned_data[f"target_{key}"])
            for key in self._keys
        }

    def rows(self) -> list[dict]:
        """Per level, each indicator with its two fields, for the template."""
        by_level = {level: [] for level in LEVELS}
        for level, key, kind, name, _formula in DEFINITIONS:
            by_level[level].append(
                {
                    "key": key,
                    "name": name,
                    "unit": _UNITS.get(kind, ""),
                    "baseline": self[f"baseline_{key}"],
                    "target": self[f"target_{key}"],
                }
            )
        return [{"level": level, "indicators": rows} for level, rows in by_level.items()]
