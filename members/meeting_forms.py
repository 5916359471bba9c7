"""Forms of the meeting pages (members/views/meetings.py); the rules are in members/meetings.py."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ipsm.lib.documents import clean_document
from members.forms import DateInput
from members.models import FollowUp, Meeting, MeetingDecision, Member


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "held_on", "place", "agenda", "minutes", "guests"]
        widgets = {
            "held_on": DateInput(),
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["held_on"].initial = timezone.localdate()


class DecisionForm(forms.ModelForm):
    class Meta:
        model = MeetingDecision
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["task", "responsible", "due_on", "decision", "note"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        # Only those on the attendance list; the service checks it again.
        self.fields["responsible"].queryset = Member.objects.filter(
            pk__in=meeting.attendance.values("member_id")
        ).order_by("full_name")
        self.fields["decision"].queryset = meeting.decisions.all()
        self.fields["decision"].label_from_instance = lambda d: d.text[:80]


class FollowUpDoneForm(forms.Form):
    done_on = forms.DateField(label=capfirst(_("done on")), widget=DateInput(), required=False)
    note = forms.CharField(label=capfirst(_("note")), max_length=255, required=False)


class AttachmentForm(forms.Form):
    title = forms.CharField(label=capfirst(_("title")), max_length=150)
    file = forms.FileField(
        label=capfirst(_("file")),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A PDF or a photo (JPEG, PNG, WebP) of the document, at most %(mb)s MB."
        ) % {"mb": settings.IMAGE_MAX_UPLOAD_BYTES // (1024 * 1024)}

    def clean_file(self):
        try:
            return clean_document(self.cleaned_data["file"], max_bytes=settings.IMAGE_MAX_UPLOAD_BYTES)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
