"""Forms of a PSM monthly report (cases/reports.py holds its rules): activity rows (a small formset), PMKS
reached per category, the PSM's own cases, obstacles and next month's plan."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases import reports
from cases.models import Case, MonthlyReport, PmksCategory, ReportActivityKind, ReportPhoto
from members.forms import DateInput

ACTIVITY_ROWS = 3  # empty rows offered below those already filled
MAX_COUNT = 999


class ReportActivityForm(forms.Form):
    """One row: what, when, how many times. A row left wholly empty is skipped."""

    kind = forms.ChoiceField(
        label=capfirst(_("activity")), choices=[("", "—"), *ReportActivityKind.choices], required=False
    )
    done_on = forms.DateField(label=capfirst(_("date")), widget=DateInput(), required=False)
    count = forms.IntegerField(label=capfirst(_("count")), min_value=1, max_value=MAX_COUNT, required=False)

    def __init__(self, *args, month: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.month = month

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        filled = [cleaned.get(name) not in (None, "") for name in ("kind", "done_on", "count")]
        if any(filled) and not all(filled):
            raise ValidationError(_("Fill in the activity, its date and the count, or leave the row empty."))
        day = cleaned.get("done_on")
        if day and (day.year, day.month) != (self.month.year, self.month.month):
            self.add_error("done_on", _("The date must be in the month of the report."))
        return cleaned

    @property
    def row(self) -> dict | None:
        if not self.cleaned_data.get("kind"):
            return None
        return {name: self.cleaned_data[name] for name in ("kind", "done_on", "count")}


ActivityFormSet = forms.formset_factory(
    ReportActivityForm, extra=ACTIVITY_ROWS, max_num=40, validate_max=True
)


def activity_formset(data, report: MonthlyReport):
    # Rows already saved fill the form when it is shown; a POST's rows are all read as typed (every row is
    # checked, none skipped for looking like the saved one).
    rows = report.activities.all() if report.pk and data is None else []
    initial = [{"kind": a.kind, "done_on": a.done_on, "count": a.count} for a in rows]
    return ActivityFormSet(data, initial=initial, prefix="kegiatan", form_kwargs={"month": report.month})


class MonthlyReportForm(forms.Form):
    """Everything but the activity rows; `pmks_<number>` fields for the categories in use."""

    cases = forms.ModelMultipleChoiceField(
        label=capfirst(_("cases accompanied")),
        queryset=Case.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    obstacles = forms.CharField(
        label=capfirst(_("obstacles")),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan = forms.CharField(
        label=capfirst(_("next month's plan")),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    photo = forms.FileField(
        label=capfirst(_("add a photo")),
        required=False,
        help_text=_("At most 3 photos per report; the location and other data in the file are removed."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photos = forms.ModelMultipleChoiceField(
        label=capfirst(_("remove photos")),
        queryset=ReportPhoto.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, report: MonthlyReport, **kwargs):
        reached = report.pmks_reached or {}
        initial = {
            "cases": list(report.cases.all()) if report.pk else [],
            "obstacles": report.obstacles,
            "plan": report.plan,
            **{f"pmks_{key}": value for key, value in reached.items()},
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["cases"].queryset = Case.objects.handled_by(report.member).select_related("category")
        self.fields["cases"].label_from_instance = lambda case: f"{case.person_name} · {case.category}"
        self.existing_photos = list(report.photos.all()) if report.pk else []
        if self.existing_photos:
            self.fields["remove_photos"].queryset = report.photos.all()
            self.fields["remove_photos"].label_from_instance = lambda photo: (
                _("Photo %(n)s")
                % {"n": self.existing_photos.index(photo) + 1 if photo in self.existing_photos else "?"}
            )
        else:
            del self.fields["remove_photos"]
        self.categories = list(PmksCategory.objects.filter(is_active=True))
        for category in self.categories:
            self.fields[f"pmks_{category.number}"] = forms.IntegerField(
                label=f"{category.number}. {category.name}", min_value=0, max_value=9999, required=False
            )

    def clean_photo(self):
        file = self.cleaned_data.get("photo")
        return reports.clean_report_photo(file) if file else None

    def clean(self):
        cleaned = super().clean()
        kept = len(self.existing_photos) - len(cleaned.get("remove_photos") or [])
        if cleaned.get("photo") and kept >= reports.MAX_PHOTOS:
            self.add_error("photo", _("A report has at most 3 photos. Remove one first."))
        return cleaned

    def pmks_fields(self):
        return [self[f"pmks_{category.number}"] for category in self.categories]

    @property
    def pmks_reached(self) -> dict[str, int]:
        return {
            str(category.number): self.cleaned_data[f"pmks_{category.number}"]
            for category in self.categories
            if self.cleaned_data.get(f"pmks_{category.number}")
        }


def form_content(form: MonthlyReportForm, formset) -> dict:
    """The cleaned report, as cases.reports.save_report takes it."""
    return {
        "activities": [row.row for row in formset.forms if row.row],
        "pmks_reached": form.pmks_reached,
        "cases": form.cleaned_data["cases"],
        "obstacles": form.cleaned_data["obstacles"],
        "plan": form.cleaned_data["plan"],
    }


def save_photos(form: MonthlyReportForm, report: MonthlyReport, by) -> None:
    """The photos the form removes, then the one it adds (cases.reports)."""
    removed = form.cleaned_data.get("remove_photos") or []
    if removed:
        reports.remove_report_photos(report=report, photo_ids=[photo.pk for photo in removed], by=by)
    if form.cleaned_data.get("photo"):
        reports.add_report_photo(report=report, image=form.cleaned_data["photo"], by=by)
