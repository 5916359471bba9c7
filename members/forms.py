from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ipsm.lib.concurrency import VersionedFormMixin
from ipsm.lib.dates import years_after
from ipsm.lib.query import parse_id
from members.access import NIK_CANNOT_BE_REGISTERED, NikPolicy, scope_of
from members.models import (
    KABKOTA_LEVELS,
    VILLAGE_LEVELS,
    BoardPosition,
    BoardRole,
    InactiveReason,
    Member,
    MemberStatus,
    Region,
    RegionLevel,
    StatusChange,
    Unit,
)
from members.nik import normalize_nik, parse_nik
from members.panels import activation_warnings
from members.phone import normalize_phone
from members.rules import MIN_AGE_AT_JOINING, PROFILE_FIELDS, normalize_rt_rw

USUAL_TERM_YEARS = 5


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _villages_for(user, unit: Unit | None):
    """Where a member of `unit` may live: a desa/kelurahan of its kab/kota. With the unit still to be chosen,
    those of the user's kab/kota; None for a wider scope (a province, the country), whose list would be too
    long for a page: the list then waits for the unit."""
    villages = Region.objects.villages()
    if unit is not None:
        return villages.within(unit.region.kabkota_code)
    scope = scope_of(user)
    if len(scope.region_code) >= len("33.71"):
        return villages.within(scope.region_code)
    return None


class MemberForm(VersionedFormMixin, forms.ModelForm):
    """A member's profile. The unit is fixed by the page (or chosen: UnitChoiceMemberForm). The member rules
    (NIK against sex and birth date, age, dates) are Member.clean()'s (members.rules), which ModelForm
    validation runs; this form normalises what people type and refuses a NIK registered to someone else."""

    stale_message = _(
        "This member's data was changed by someone else after you opened this page. Your changes were not "
        "saved: reload the page to see the current data, then make your changes again."
    )

    # Typed with spaces and dots (up to 40 characters); clean_nik stores the 16 digits.
    nik = forms.CharField(
        label=_("NIK"),
        max_length=40,
        help_text=_("16 digits as on the KTP; spaces and dots are fine."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Member
        # The SK's issuer and end date (members.legality) beside the profile.
        fields = list(PROFILE_FIELDS)
        widgets = {
            "birth_date": DateInput(),
            "joined_on": DateInput(),
            "sk_date": DateInput(),
            "sk_valid_until": DateInput(),
        }
        help_texts = {
            "phone": _("For example 0812 3456 7890."),
            "kelurahan": _("Where the member lives (the KTP address)."),
        }

    def __init__(self, *args, user, unit: Unit | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.unit = unit
        kelurahan = self.fields["kelurahan"]
        villages = _villages_for(user, unit)
        kelurahan.queryset = Region.objects.none() if villages is None else villages
        if villages is None:
            kelurahan.empty_label = _("(choose the IPSM unit first)")
        if not self.instance.pk:
            kelurahan.initial = unit.region if unit and unit.region.is_village else None
            self.fields["joined_on"].initial = timezone.localdate()
        # Phone keyboards; no autofill: whoever types is rarely the member.
        for name, mode in (("phone", "tel"), ("rt", "numeric"), ("rw", "numeric")):
            self.fields[name].widget.attrs.update(inputmode=mode, autocomplete="off")
        # static/js/member_form.js fills sex and date of birth from the NIK as it is typed (the server still
        # checks all three against each other, members.rules); a two-digit year is read as the latest
        # century in which the member is old enough to join.
        self.fields["nik"].widget.attrs.update(
            {
                "data-fills-from-nik": "",
                "data-min-age": MIN_AGE_AT_JOINING,
                "data-reading-female": _("By this NIK: female, born {date}."),
                "data-reading-male": _("By this NIK: male, born {date}."),
            }
        )

    def clean_nik(self) -> str:
        nik = normalize_nik(self.cleaned_data["nik"])
        parse_nik(nik)  # a NIK that is not one needs no look-up (Member.clean() says why)
        existing = Member.objects.filter(nik=nik).exclude(pk=self.instance.pk).select_related("unit").first()
        if existing is not None:
            if not NikPolicy(self.user).shows_whole(existing):
                # Registered out of the user's sight: say no more, or the form would confirm a NIK.
                raise ValidationError(NIK_CANNOT_BE_REGISTERED, code="nik_taken")
            raise ValidationError(
                _("This NIK is already registered: %(name)s, KTA %(kta)s.")
                % {"name": existing.full_name, "kta": existing.kta_number},
                code="nik_taken",
            )
        return nik

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


class NewMemberForm(MemberForm):
    """Registering: also the starting status (existing PSM may be entered as already active)."""

    status = forms.ChoiceField(
        label=capfirst(_("status")),
        choices=[
            (MemberStatus.CALON, MemberStatus.CALON.label),
            (MemberStatus.AKTIF, MemberStatus.AKTIF.label),
        ],
        initial=MemberStatus.CALON,
    )

    class Meta(MemberForm.Meta):
        fields = [*MemberForm.Meta.fields, "status"]


class UnitChoiceMemberForm(NewMemberForm):
    """Registering from the member list: the unit is chosen in the form among those the user sees. A
    coordinator sees one unit: it is preset and the field disabled, so a unit posted anyway is ignored."""

    unit = forms.ModelChoiceField(label=_("IPSM unit"), queryset=Unit.objects.none())
    field_order = ["unit"]

    def __init__(self, data=None, *args, user, requested_unit: str | None = None, **kwargs):
        units = Unit.objects.visible_to(user).select_related("region__parent").order_by("region__name")
        own = scope_of(user).unit_id
        # The unit's kab/kota decides the kelurahan list before validation: the raw value (posted, or
        # ?unit= from the list's filter), if it names a unit the user sees; the field refuses anything else.
        raw = own or parse_id(data.get("unit") if data is not None else requested_unit)
        unit = units.filter(pk=raw).first() if raw else None
        super().__init__(data, *args, user=user, unit=unit, **kwargs)
        field = self.fields["unit"]
        field.queryset = units
        field.initial = unit
        field.label_from_instance = _unit_label
        if own:
            field.disabled = True
            field.help_text = _("You register members of your own unit.")


def _unit_label(unit: Unit) -> str:
    return f"{unit.region} ({unit.region.parent})" if unit.region.parent_id else str(unit.region)


class StatusChangeForm(forms.Form):
    new_status = forms.ChoiceField(label=capfirst(_("new status")))
    reason = forms.ChoiceField(
        label=capfirst(_("reason")), choices=[("", "---------"), *InactiveReason.choices], required=False
    )
    changed_on = forms.DateField(label=capfirst(_("date")), widget=DateInput())
    note = forms.CharField(label=capfirst(_("note")), max_length=255, required=False)
    # Hidden until an activation check warns; then a checkbox that must be ticked to go ahead.
    confirm = forms.BooleanField(label=_("Proceed anyway"), required=False, widget=forms.HiddenInput)
    # Becoming inactive takes the member off the active roster: the page asks once more, nothing changes
    # until this box is ticked.
    confirm_inactive = forms.BooleanField(
        label=_("Yes, make this member inactive"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.warnings: list[str] = []
        self.confirming_inactive = False
        self.fields["new_status"].choices = [
            (status, MemberStatus(status).label) for status in member.allowed_next_statuses()
        ]
        self.fields["changed_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_status") == MemberStatus.NONAKTIF:
            if not cleaned.get("reason"):
                self.add_error("reason", _("Choose why the member becomes inactive."))
            self.confirming_inactive = True
            self.fields["confirm_inactive"].widget = forms.CheckboxInput()
            if not cleaned.get("confirm_inactive"):
                self.add_error("confirm_inactive", _("Check the above, then tick this box to confirm."))
        if cleaned.get("changed_on") and cleaned["changed_on"] > timezone.localdate():
            self.add_error("changed_on", _("The date cannot be in the future."))
        # Becoming active, from calon or back from nonaktif: the registered checks (e.g. bimtek dasar) apply.
        if cleaned.get("new_status") == MemberStatus.AKTIF and self.member.status != MemberStatus.AKTIF:
            self.warnings = activation_warnings(self.member)
        if self.warnings:
            self.fields["confirm"].widget = forms.CheckboxInput()
            if not cleaned.get("confirm"):
                self.add_error("confirm", _("Read the warning above and tick this box to proceed anyway."))
        return cleaned

    def status_note(self) -> str:
        """The note to record: the one typed, then each warning that was confirmed."""
        confirmed = [_("Activated despite a warning: %(warning)s") % {"warning": w} for w in self.warnings]
        notes = [self.cleaned_data["note"], *confirmed]
        return "; ".join(note for note in notes if note)[: StatusChange._meta.get_field("note").max_length]


class TransferForm(forms.Form):
    to_unit = forms.ModelChoiceField(label=capfirst(_("to unit")), queryset=Unit.objects.none())
    transferred_on = forms.DateField(label=capfirst(_("date")), widget=DateInput())
    note = forms.CharField(label=capfirst(_("note")), max_length=255, required=False)

    def __init__(self, *args, member: Member, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = (
            Unit.objects.visible_to(user).exclude(pk=member.unit_id).select_related("region")
        )
        self.fields["transferred_on"].initial = timezone.localdate()


class UnitForm(VersionedFormMixin, forms.ModelForm):
    stale_message = _(
        "This unit's data was changed by someone else after you opened this page. Your changes were not "
        "saved: reload the page to see the current data, then make your changes again."
    )

    class Meta:
        model = Unit
        fields = ["region", "sk_number", "sk_date", "sk_issuer"]
        widgets = {"sk_date": DateInput()}
        help_texts = {"region": _("The desa/kelurahan, kecamatan or kab/kota this IPSM unit serves.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["region"]  # a unit never moves; create another one instead
        else:
            levels = [*KABKOTA_LEVELS, RegionLevel.KECAMATAN, *VILLAGE_LEVELS]
            self.fields["region"].queryset = Region.objects.visible_to(user).filter(
                level__in=levels, unit__isnull=True
            )


class BoardPositionForm(forms.ModelForm):
    class Meta:
        model = BoardPosition
        fields = ["member", "role", "term_starts_on", "term_ends_on", "sk_number"]
        widgets = {"term_starts_on": DateInput(), "term_ends_on": DateInput()}
        help_texts = {
            "role": _(
                "A new ketua, wakil ketua, sekretaris or bendahara takes the seat over from the current one."
            ),
            "term_ends_on": _("A masa bakti is usually 5 years."),
        }

    def __init__(self, *args, unit: Unit, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            Member.objects.visible_to(user)
            .filter(unit__region__code__startswith=unit.region_id)
            .exclude(status=MemberStatus.NONAKTIF)
            .select_related("unit__region")
        )
        self.fields["member"].label_from_instance = lambda m: f"{m.full_name} ({m.kta_number})"
        self.fields["role"].initial = BoardRole.ANGGOTA
        start = timezone.localdate()
        self.fields["term_starts_on"].initial = start
        self.fields["term_ends_on"].initial = years_after(start, USUAL_TERM_YEARS)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("term_starts_on"), cleaned.get("term_ends_on")
        if starts and ends and ends <= starts:
            self.add_error("term_ends_on", _("The term must end after it starts."))
        return cleaned


class EndPositionForm(forms.Form):
    ended_on = forms.DateField(label=capfirst(_("left the seat on")), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class DuplicateAreaForm(forms.Form):
    """Narrows the duplicate review list: staff to a kecamatan of their kab/kota, administrators (who see
    the whole country, where comparing everyone takes long) to a province or kab/kota."""

    wilayah = forms.ModelChoiceField(
        label=_("Area"), queryset=Region.objects.none(), to_field_name="code", required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.visible_to(user)
        if scope_of(user).everything:
            regions = regions.filter(level__in=[RegionLevel.PROVINSI, *KABKOTA_LEVELS])
        else:
            regions = regions.filter(level=RegionLevel.KECAMATAN)
        field = self.fields["wilayah"]
        field.queryset = regions
        field.empty_label = _("All of my area")
        field.label_from_instance = lambda region: f"{region.code} {region}"
        field.widget.attrs["class"] = "form-select form-select-sm js-autosubmit"


class MergeForm(forms.Form):
    """Which of two records carries on; the other is merged into it (members.services.merge_members)."""

    survivor = forms.TypedChoiceField(label=_("Keep"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, pair: tuple[Member, Member], **kwargs):
        super().__init__(*args, **kwargs)
        self.pair = pair
        self.fields["survivor"].choices = [(m.pk, f"{m.full_name} ({m.kta_number})") for m in pair]
        self.fields["survivor"].initial = pair[0].pk

    def chosen(self) -> tuple[Member, Member]:
        """(the record that stays, the one merged into it), as chosen."""
        first, second = self.pair
        return (first, second) if self.cleaned_data["survivor"] == first.pk else (second, first)


def merged_message(survivor: Member, merged: Member) -> str:
    return _("%(merged)s (KTA %(merged_kta)s) is merged into %(name)s (KTA %(kta)s).") % {
        "merged": merged.full_name,
        "merged_kta": merged.kta_number,
        "name": survivor.full_name,
        "kta": survivor.kta_number,
    }
