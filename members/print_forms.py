"""Forms of what the official print-outs show: an office's profile (with its logo) and a member's photo.

An uploaded picture is checked and drawn anew in the form's clean (members.office, ipsm.lib.images), so a
refused file gives its message beside the field and nothing is saved."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ipsm.lib.images import ACCEPTED_FORMATS
from members import office
from members.models import OfficeProfile
from members.nip import format_nip, normalize_nip

ACCEPT = ",".join(f"image/{name.lower()}" for name in ACCEPTED_FORMATS)
PICTURE_HELP = _("JPEG, PNG or WebP, at most %(mb)s MB.")


def _picture_help() -> str:
    return PICTURE_HELP % {"mb": f"{settings.IMAGE_MAX_UPLOAD_BYTES / (1024 * 1024):g}"}


class OfficeProfileForm(forms.ModelForm):
    # Typed as printed (`19700315 199503 1 002`): longer than the 18 digits stored.
    head_nip = forms.CharField(label=_("NIP of the head of office"), max_length=30)
    logo_upload = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = OfficeProfile
        fields = [
            "name",
            "address",
            "head_name",
            "head_nip",
            "head_title",
            "signing_city",
            "card_validity_years",
            "report_due_day",
        ]

    def clean_report_due_day(self) -> int:
        return self.cleaned_data["report_due_day"] or OfficeProfile._meta.get_field("report_due_day").default

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo_upload"].help_text = _picture_help()
        self.fields["report_due_day"].required = False  # empty: the default, the 5th
        if self.instance.head_nip and not self.is_bound:
            self.initial["head_nip"] = format_nip(self.instance.head_nip)  # as it is printed
        if not self.instance.logo:
            del self.fields["remove_logo"]

    def clean_head_nip(self) -> str:
        return normalize_nip(self.cleaned_data["head_nip"])

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        return office.clean_logo(upload) if upload else None


class MemberPhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": _("Choose a photo to upload.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = _picture_help()

    def clean_photo(self):
        return office.clean_photo(self.cleaned_data["photo"])
