"""The filters of the activity log (ipsm.audit.views)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipsm.audit.activity import ActivityFilters, Kind, users_in_scope
from ipsm.lib.query import DayField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ActivityFilterForm(forms.Form):
    """Filters of the activity log: user (within the reader's scope), kind, and a range of Jakarta days."""

    pengguna = forms.ModelChoiceField(label=_("User"), queryset=None, required=False)
    jenis = forms.ChoiceField(label=_("Kind"), required=False)
    dari = DayField(label=_("From"), required=False, widget=DateInput())
    sampai = DayField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, user, kinds: list[Kind], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pengguna"].queryset = users_in_scope(user)
        self.fields["jenis"].choices = [("", _("All"))] + [(kind.value, kind.label) for kind in kinds]
        for name in ("pengguna", "jenis"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        for name in ("dari", "sampai"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("dari"), cleaned.get("sampai")
        if start and end and end < start:
            self.add_error("sampai", _("The end date cannot be before the start date."))
        return cleaned

    def filters(self) -> ActivityFilters:
        data = self.cleaned_data
        return ActivityFilters(
            user_id=data["pengguna"].pk if data.get("pengguna") else None,
            start=data.get("dari"),
            end=data.get("sampai"),
            kind=data.get("jenis") or "",
        )
