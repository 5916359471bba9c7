"""Forms of the work programme pages (members/views/programmes.py); the rules are in members/programmes.py."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members.forms import DateInput
from members.models import Meeting, Partner, ProgrammeActivity, WorkProgramme

MONTH_CHOICES = [(number, capfirst(name)) for number, name in MONTHS.items()]


class ActivityForm(forms.ModelForm):
    month = forms.TypedChoiceField(label=capfirst(_("month")), choices=MONTH_CHOICES, coerce=int)

    class Meta:
        model = ProgrammeActivity
        fields = ["title", "kind", "month", "target", "funding", "partner", "budget"]

    def __init__(self, *args, programme: WorkProgramme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        # The kab/kota's partners; the service checks it again.
        self.fields["partner"].queryset = Partner.objects.filter(
            region__code__startswith=programme.unit.region_id[:5]
        ).order_by("name")
        self.fields["budget"].widget.attrs.update({"inputmode": "numeric", "min": 0})
        if not self.instance.pk:
            today = timezone.localdate()
            self.fields["month"].initial = today.month if programme.year == today.year else 1


class StartForm(forms.Form):
    copy = forms.BooleanField(label=_("Plan the activities of last year's programme again"), required=False)


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.held_on:%d/%m/%Y} · {meeting.get_kind_display()}"


class AdoptedForm(forms.ModelForm):
    class Meta:
        model = WorkProgramme
        fields = ["adopted_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        programme = self.instance
        # The unit's meetings from the year before the programme's to its end.
        self.fields["adopted_at"].queryset = Meeting.objects.filter(
            unit_id=programme.unit_id,
            held_on__range=(datetime.date(programme.year - 1, 1, 1), datetime.date(programme.year, 12, 31)),
        )
        self.fields["adopted_at"].label_from_instance = _meeting_label
        self.fields["adopted_at"].widget.attrs["class"] = "form-select"


class ByHandForm(forms.Form):
    realised_on = forms.DateField(label=capfirst(_("realised on")), widget=DateInput())
    note = forms.CharField(
        label=capfirst(_("note")),
        max_length=255,
        help_text=_("What was done, and where it is recorded."),
    )

    def __init__(self, *args, activity: ProgrammeActivity, **kwargs):
        super().__init__(*args, **kwargs)
        # Today, in the programme's year; else the middle of the month it was planned for.
        today = timezone.localdate()
        year = activity.programme.year
        planned = datetime.date(year, activity.month, 15)
        self.fields["realised_on"].initial = today if today.year == year else planned
