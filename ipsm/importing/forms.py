"""The upload form of the import pages: the file, and the choices a kind of import needs."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import PmksSource
from cases.periods import parse_period
from ipsm.models import ImportKind
from members.forms import DateInput
from trainings.models import Event

ACCEPTED_EXTENSIONS = (".xlsx", ".csv")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet file"),
        help_text=_("Excel (.xlsx) or CSV. Row 1 holds the column names, as in the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )

    def __init__(self, *args, kind: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == ImportKind.PMKS_COUNTS:
            self.fields["period"] = forms.CharField(
                label=_("Period"),
                max_length=7,
                initial=str(timezone.localdate().year),
                help_text=_("A year (2024) or a semester (2024-S1)."),
            )
            self.fields["source"] = forms.ChoiceField(
                label=_("Source of the data"), choices=[("", "---------"), *PmksSource.choices]
            )
            self.fields["data_date"] = forms.DateField(label=_("Date of the data"), widget=DateInput())
        elif kind == ImportKind.PARTICIPANTS:
            self.fields["event"] = forms.ModelChoiceField(
                label=_("Training event"),
                queryset=Event.objects.visible_to(user).order_by("-starts_on", "-pk"),
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED_EXTENSIONS):
            raise forms.ValidationError(
                _("Only .xlsx and .csv files can be imported; save the file in one of those formats.")
            )
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s; split it, or ask an administrator to import it.")
                % {"size": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)}
            )
        return upload

    def clean_period(self) -> str:
        period = parse_period(self.cleaned_data["period"], timezone.localdate())
        if period is None:
            raise forms.ValidationError(_("Write a year such as 2024 or a semester such as 2024-S1."))
        return period.key

    def clean_data_date(self):
        data_date = self.cleaned_data["data_date"]
        if data_date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return data_date

    def options(self) -> dict:
        """The kind's choices as JSON for ImportJob.options (and so for the importer)."""
        cleaned = self.cleaned_data
        if self.kind == ImportKind.PMKS_COUNTS:
            return {
                "period": cleaned["period"],
                "source": cleaned["source"],
                "data_date": cleaned["data_date"].isoformat(),
            }
        if self.kind == ImportKind.PARTICIPANTS:
            return {"event": cleaned["event"].pk}
        return {}
