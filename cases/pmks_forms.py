"""Forms of the PMKS count grid and of a kab/kota's coverage targets."""

import datetime

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CoverageTarget, PmksCategory, PmksSource
from cases.periods import Period, parse_period
from members.forms import DateInput

# More people than any kelurahan has; also keeps a typo far below the column's limit (a 500 otherwise).
MAX_COUNT = 1_000_000


def count_field_name(category: PmksCategory) -> str:
    return f"count_{category.pk}"


class PmksGridForm(forms.Form):
    """One kelurahan's figures for one period: a whole number (or nothing) per active category."""

    periode = forms.CharField(widget=forms.HiddenInput)
    source = forms.ChoiceField(
        label=_("Source of the data"), choices=[("", "---------"), *PmksSource.choices]
    )
    data_date = forms.DateField(label=_("Date of the data"), widget=DateInput())

    def __init__(
        self,
        data=None,
        *,
        categories: list[PmksCategory],
        period: Period,
        saved: dict[int, int],
        previous: dict[int, int],
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        self.categories = categories
        self.fields["periode"].initial = period.key
        for category in categories:
            hint = previous.get(category.pk)
            attrs = {
                "class": "form-control form-control-sm text-end js-pmks-count",
                "min": 0,
                "step": 1,
                "inputmode": "numeric",
            }
            if hint is not None:
                attrs["placeholder"] = hint
            self.fields[count_field_name(category)] = forms.IntegerField(
                label=f"{category.number}. {category.name}",
                min_value=0,
                max_value=MAX_COUNT,
                required=False,
                initial=saved.get(category.pk),
                widget=forms.NumberInput(attrs=attrs),
            )
        self.saved_total = sum(saved.get(category.pk, 0) for category in categories)
        self.rows = [
            {
                "category": category,
                "field": self[count_field_name(category)],
                "saved": saved.get(category.pk),
                "previous": previous.get(category.pk),
            }
            for category in categories
        ]

    def clean_periode(self) -> Period:
        period = parse_period(self.cleaned_data["periode"], timezone.localdate())
        if period is None:
            raise forms.ValidationError(_("This period is not valid."), code="bad_period")
        return period

    def clean_data_date(self) -> datetime.date:
        day = self.cleaned_data["data_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of the data cannot be in the future."), code="future")
        return day

    def counts(self) -> dict[PmksCategory, int | None]:
        return {category: self.cleaned_data[count_field_name(category)] for category in self.categories}

    def typed_total(self) -> int:
        return sum(count for count in self.counts().values() if count is not None)


class PeriodForm(forms.Form):
    """The GET selector at the top of the grid."""

    periode = forms.ChoiceField(
        label=_("Period"), widget=forms.Select(attrs={"class": "form-select js-autosubmit"})
    )

    def __init__(self, *args, periods: list[Period], **kwargs):
        # Its own ids: the grid form on the same page has a hidden `periode` too.
        super().__init__(*args, auto_id="select_%s", **kwargs)
        self.fields["periode"].choices = [(period.key, str(period)) for period in periods]


class CoverageTargetForm(forms.ModelForm):
    class Meta:
        model = CoverageTarget
        fields = ["min_active_psm", "max_pmks_per_psm"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.min_value = 1
            field.validators.append(MinValueValidator(1))
            field.widget.attrs["min"] = 1
