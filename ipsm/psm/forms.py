"""Forms of a PSM's own pages: choosing the account's password, correcting their contact details."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ipsm.lib.concurrency import VersionedFormMixin
from members.models import Member
from members.phone import normalize_phone
from members.rules import normalize_rt_rw


class ActivationForm(SetPasswordForm):
    """A username (the KTA number suggested) and a password, checked by Django's password validators."""

    field_order = ["username", "new_password1", "new_password2"]

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[get_user_model().username_validator],
        help_text=_("Letters, digits and . - _ only. You can also log in with your mobile number."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        taken = get_user_model()._default_manager.filter(username__iexact=username)
        if self.user.pk:
            taken = taken.exclude(pk=self.user.pk)
        if taken.exists():
            raise ValidationError(_("This username is already taken: choose another."), code="taken")
        self.user.username = username  # the password validators compare the password with it
        return username


class OwnContactForm(VersionedFormMixin, forms.ModelForm):
    """What a PSM corrects themselves: mobile number and address; the rest stays with the coordinator."""

    stale_message = _(
        "Your data was changed by someone else after you opened this page. Your changes were not saved: "
        "reload the page to see the current data, then make your changes again."
    )

    class Meta:
        model = Member
        fields = ["phone", "address", "rt", "rw"]
        help_texts = {"phone": _("For example 0812 3456 7890.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, mode in (("phone", "tel"), ("rt", "numeric"), ("rw", "numeric")):
            self.fields[name].widget.attrs.update(inputmode=mode)

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def _clean_rt_rw(self, field: str) -> str:
        try:
            return normalize_rt_rw(self.cleaned_data[field])
        except ValidationError as error:
            raise ValidationError(f"{field.upper()}: {error.messages[0]}", code=error.code) from None

    def clean_rt(self) -> str:
        return self._clean_rt_rw("rt")

    def clean_rw(self) -> str:
        return self._clean_rt_rw("rw")
