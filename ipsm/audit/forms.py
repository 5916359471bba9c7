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

    user = forms.ModelChoiceField(label=_("User"), queryset=None, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    start = DayField(label=_("From"), required=False, widget=DateInput())
    end = DayField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, user, kinds: list[Kind], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users_in_scope(user)
        self.fields["kind"].choices = [("", _("All"))] + [(kind.value, kind.label) for kind in kinds]
        for name in ("user", "kind"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        for name in ("start", "end"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date cannot be before the start date."))
        return cleaned

    def filters(self) -> ActivityFilters:
        data = self.cleaned_data
        return ActivityFilters(
            user_id=data["user"].pk if data.get("user") else None,
            start=data.get("start"),
            end=data.get("end"),
            kind=data.get("kind") or "",
        )
