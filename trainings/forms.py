import datetime
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipsm.templatetags.numbers import plain_number
from members.access import scope_of
from members.forms import DateInput
from members.models import KABKOTA_LEVELS, Member, Partner, Region
from trainings.models import AttendanceStatus, Event, OrganiserStatus, Participant, Speaker


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(forms.ModelForm):
    """An event and its organisers. Who may name or remove which office is services.save_event's rule: an
    office outside the user's own scope is invited and organises only once its staff accept."""

    organiser_regions = forms.ModelMultipleChoiceField(
        label=_("Organising Dinas Sosial (kab/kota)"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Hold Ctrl (or Cmd) to choose more than one for a joint event. Another Dinas Sosial chosen here "
            "is invited: it organises the event, and its PSM can be invited, once its staff accept."
        ),
    )
    other_organisers = forms.CharField(
        label=_("Other organising institutions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One institution per line."),
    )

    sponsors = forms.ModelMultipleChoiceField(
        label=_("Sponsors"),
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Partners of your Dinas Sosial that support the event."),
    )

    class Meta:
        model = Event
        fields = ["title", "training_type", "starts_on", "ends_on", "venue", "budget", "description"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        self.fields["organiser_regions"].queryset = Region.objects.filter(level__in=KABKOTA_LEVELS)
        # The user's own partners (members.partners); another organiser's sponsors stay as they are.
        self.fields["sponsors"].queryset = Partner.objects.visible_to(user).filter(is_active=True)
        if self.instance.pk:
            organisers = list(self.instance.organisers.all())
            self.fields["organiser_regions"].initial = [
                o.region_id for o in organisers if o.region_id and o.status != OrganiserStatus.DECLINED
            ]
            self.fields["other_organisers"].initial = "\n".join(
                o.institution_name for o in organisers if not o.region_id
            )
            self.fields["sponsors"].initial = list(self.instance.sponsors.values_list("pk", flat=True))
        elif scope.region_code:
            self.fields["organiser_regions"].initial = [scope.region_code[:5]]

    def clean_budget(self):
        budget = self.cleaned_data["budget"]
        if budget is not None and budget < 0:
            raise ValidationError(_("The budget cannot be negative."), code="negative_budget")
        return budget

    def clean_other_organisers(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["other_organisers"].splitlines()]
        return list(dict.fromkeys(name for name in names if name))

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The event cannot end before it starts."))
        return cleaned


class SessionForm(forms.Form):
    """A materi: an existing speaker, or a new one entered here (optionally a PSM of the registry)."""

    title = forms.CharField(label=_("Title"), max_length=255)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput(), required=False)
    speaker = forms.ModelChoiceField(
        label=_("Speaker"), queryset=Speaker.objects.none(), required=False, empty_label=_("— new or none —")
    )
    speaker_name = forms.CharField(label=_("New speaker: name"), max_length=150, required=False)
    speaker_title = forms.CharField(label=_("New speaker: role/title"), max_length=150, required=False)
    speaker_institution = forms.CharField(label=_("New speaker: institution"), max_length=255, required=False)
    # A KTA number rather than a select of every PSM in the kab/kota: the list would run to thousands.
    speaker_member = forms.ModelChoiceField(
        label=_("New speaker: KTA number if a PSM of the registry"),
        queryset=Member.objects.none(),
        to_field_name="kta_number",
        required=False,
        widget=forms.TextInput(),
        error_messages={"invalid_choice": _("No member with this KTA number in your area.")},
    )

    def __init__(self, *args, event: Event, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["speaker"].queryset = Speaker.objects.visible_to(user)
        self.fields["speaker_member"].queryset = Member.objects.visible_to(user)
        self.fields["starts_at"].initial = datetime.datetime.combine(event.starts_on, datetime.time(8, 0))

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and not (self.event.starts_on <= starts.date() <= self.event.ends_on):
            self.add_error("starts_at", _("The session must take place during the event."))
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        member = cleaned.get("speaker_member")
        if member and not cleaned.get("speaker_name"):
            cleaned["speaker_name"] = member.full_name
        new_speaker = any(
            cleaned.get(name) for name in ("speaker_name", "speaker_title", "speaker_institution")
        )
        if cleaned.get("speaker") and (new_speaker or member):
            self.add_error("speaker", _("Choose an existing speaker or enter a new one, not both."))
        elif new_speaker and not cleaned.get("speaker_name"):
            self.add_error("speaker_name", _("Enter the new speaker's name."))
        return cleaned

    def new_speaker(self) -> dict | None:
        cleaned = self.cleaned_data
        if not cleaned.get("speaker_name"):
            return None
        return {
            "name": cleaned["speaker_name"],
            "title": cleaned["speaker_title"],
            "institution": cleaned["speaker_institution"],
            "member": cleaned["speaker_member"],
        }


# The query and form parameter naming the day of the attendance sheet (YYYY-MM-DD).
DAY = "hari"
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def event_day(event: Event, text: str | None) -> datetime.date | None:
    """The day of the event that `text` (YYYY-MM-DD) names, or None for anything else."""
    if not text or not _ISO_DAY.fullmatch(text):
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return None
    return day if event.starts_on <= day <= event.ends_on else None


def default_day(event: Event) -> datetime.date:
    """Today while the event runs (attendance is taken on the day), otherwise its first day."""
    today = timezone.localdate()
    return today if event.starts_on <= today <= event.ends_on else event.starts_on


def attendance_tabs(event: Event, participants: list[Participant]) -> list[dict]:
    """Each day of the event with how many are marked present and how many are not marked yet, from the
    (prefetched) attendance rows: the day picker of the attendance and scores pages."""
    tabs = []
    for index, day in enumerate(event.days):
        marks = [participant.attendance_on([day])[0] for participant in participants]
        tabs.append(
            {
                "day": day,
                "number": index + 1,
                "present": sum(1 for mark in marks if mark and mark.status == AttendanceStatus.HADIR),
                "unmarked": sum(1 for mark in marks if not mark or mark.status == AttendanceStatus.DIUNDANG),
            }
        )
    return tabs


class AttendanceDayForm(forms.Form):
    """One day of the attendance sheet, a row per participant: one choice of status each
    (`att-<participant>-<YYYY-MM-DD>`). The rules of attendance are services.record_attendance's."""

    def __init__(self, *args, event: Event, day: datetime.date, participants: list[Participant], **kwargs):
        super().__init__(*args, **kwargs)
        self.event, self.day, self.participants = event, day, participants
        # "Invited" says nothing on a given day: there it means nobody has marked the participant yet.
        choices = [
            (value, _("Not recorded") if value == AttendanceStatus.DIUNDANG else label)
            for value, label in AttendanceStatus.choices
        ]
        for participant in participants:
            row = participant.attendance_on([day])[0]
            self.fields[self._name(participant)] = forms.ChoiceField(
                label=participant.member.full_name,
                choices=choices,
                initial=row.status if row else AttendanceStatus.DIUNDANG,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={
                    "required": _("Choose the attendance of this participant."),
                    "invalid_choice": _("Choose Present, Excused, Absent or Not recorded."),
                },
            )

    def _name(self, participant: Participant) -> str:
        return f"att-{participant.pk}-{self.day:%Y-%m-%d}"

    def rows(self) -> list[dict]:
        return [
            {"participant": participant, "field": self[self._name(participant)]}
            for participant in self.participants
        ]

    def marks(self) -> dict[tuple[int, datetime.date], str]:
        return {
            (participant.pk, self.day): self.cleaned_data[self._name(participant)]
            for participant in self.participants
        }


class ScoresForm(forms.Form):
    """Pre- and post-test scores (0-100) of every participant (`pre-<participant>`, `post-<participant>`)."""

    def __init__(self, *args, participants: list[Participant], **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        for participant in participants:
            for prefix, label, initial in (
                ("pre", _("Pre-test"), participant.pre_test_score),
                ("post", _("Post-test"), participant.post_test_score),
            ):
                self.fields[f"{prefix}-{participant.pk}"] = forms.DecimalField(
                    label=label,
                    min_value=0,
                    max_value=100,
                    max_digits=5,
                    decimal_places=2,
                    required=False,
                    initial=plain_number(initial),
                    localize=True,
                    widget=forms.TextInput(
                        attrs={"class": "form-control", "inputmode": "decimal", "autocomplete": "off"}
                    ),
                )

    def rows(self) -> list[dict]:
        return [
            {
                "participant": participant,
                "pre": self[f"pre-{participant.pk}"],
                "post": self[f"post-{participant.pk}"],
            }
            for participant in self.participants
        ]

    def scores(self) -> dict[int, tuple[Decimal | None, Decimal | None]]:
        return {
            participant.pk: (
                self.cleaned_data[f"pre-{participant.pk}"],
                self.cleaned_data[f"post-{participant.pk}"],
            )
            for participant in self.participants
        }
