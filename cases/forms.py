"""Forms of the case (penanganan) pages: the case itself, and each step of its handling.

Field names differ between the forms shown together on the case page, so that their HTML ids do not clash.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case as CaseWhen
from django.db.models import Q, When
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Case,
    CaseStatus,
    CloseReason,
    InstitutionType,
    PmksCategory,
    Referral,
    ReferralOutcome,
)
from ipsm.lib.concurrency import VersionedFormMixin
from ipsm.lib.query import parse_id
from members.access import scope_of
from members.forms import DateInput
from members.models import Member, Partner, Region, Sex
from members.nik import nik_mismatches, normalize_nik, parse_nik

MAX_AGE = 130


def _not_in_future(form: forms.Form, field: str) -> None:
    day = form.cleaned_data.get(field)
    if day and day > timezone.localdate():
        form.add_error(field, ValidationError(_("The date cannot be in the future."), code="future"))


class CaseForm(VersionedFormMixin, forms.ModelForm):
    """A new case, or the corrections to one (person, place, category, description, channel).

    NIK is optional (people in need often have no KTP at hand) but checked like a member's when given. The
    responsible PSM is chosen on the case page next (AssignPsmForm), from the PSM of the case's kecamatan: a
    list of the whole kab/kota's PSM here would run to thousands.
    """

    stale_message = _(
        "This case was changed by someone else after you opened this page. Your changes were not saved: "
        "reload the page to see the current data, then make your changes again."
    )

    # Typed with spaces and dots; clean_person_nik stores the 16 digits.
    person_nik = forms.CharField(
        label=_("NIK"),
        max_length=40,
        required=False,
        help_text=_("Optional. 16 digits as on the KTP; spaces and dots are fine."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Case
        fields = [
            "person_name",
            "person_nik",
            "person_sex",
            "person_birth_date",
            "person_age",
            "person_address",
            "kelurahan",
            "category",
            "description",
            "reported_on",
            "channel",
        ]
        widgets = {
            "person_birth_date": DateInput(),
            "reported_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "person_age": _("Fill in the age when the date of birth is not known."),
            "kelurahan": _("Where the person lives."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        self.fields["kelurahan"].queryset = Region.objects.villages().within(scope.region_code)
        categories = PmksCategory.objects.filter(is_active=True)
        if self.instance.pk:
            # A retired category stays possible for the cases that already have it.
            categories = PmksCategory.objects.filter(Q(is_active=True) | Q(pk=self.instance.category_id))
            # Editing corrects the facts; the date reported and the status have their own steps.
            del self.fields["reported_on"]
        else:
            self.fields["reported_on"].initial = timezone.localdate()
        self.fields["category"].queryset = categories

    def clean_person_nik(self) -> str:
        nik = normalize_nik(self.cleaned_data["person_nik"])
        if nik:
            self.nik_parts = parse_nik(nik)
        return nik

    def clean_person_age(self) -> int | None:
        age = self.cleaned_data["person_age"]
        if age is not None and age > MAX_AGE:
            raise ValidationError(_("Enter an age of at most %(max)s years.") % {"max": MAX_AGE}, code="age")
        return age

    def clean(self):
        cleaned = super().clean()
        birth_date, age = cleaned.get("person_birth_date"), cleaned.get("person_age")
        if birth_date is None and age is None and "person_birth_date" not in self.errors:
            self.add_error(
                "person_birth_date",
                ValidationError(
                    _("Give the date of birth or, if it is not known, the age."), code="age_required"
                ),
            )
        _not_in_future(self, "person_birth_date")
        _not_in_future(self, "reported_on")
        reported_on = cleaned.get("reported_on") or self.instance.reported_on
        if birth_date and reported_on and birth_date > reported_on:
            self.add_error(
                "person_birth_date",
                ValidationError(_("The date of birth cannot be after the date reported."), code="born_later"),
            )
        if getattr(self, "nik_parts", None) and cleaned.get("person_nik"):
            sex = cleaned.get("person_sex")
            for problem in nik_mismatches(
                self.nik_parts, is_female=(sex == Sex.PEREMPUAN) if sex else None, birth_date=birth_date
            ):
                self.add_error("person_nik", ValidationError(problem, code="nik_mismatch"))
        kelurahan = cleaned.get("kelurahan")
        psm = self.instance.psm if self.instance.pk else None
        if kelurahan and psm and psm.unit.region_id[:5] != kelurahan.code[:5]:
            self.add_error(
                "kelurahan",
                ValidationError(
                    _("The PSM must belong to an IPSM unit in the same kab/kota as the case."),
                    code="psm_elsewhere",
                ),
            )
        return cleaned


def _psm_label(member: Member) -> str:
    return f"{member.full_name} ({member.kta_number}, {member.unit.region.name})"


class CaseStatusForm(forms.Form):
    """The next step of the workflow: only the moves allowed from the case's status are offered."""

    new_status = forms.ChoiceField(
        label=capfirst(_("new status")),
        error_messages={"invalid_choice": _("This case cannot move to that status from its current one.")},
    )
    close_reason = forms.ChoiceField(
        label=capfirst(_("reason for closing")),
        choices=[("", "---------"), *CloseReason.choices],
        required=False,
        help_text=_("Only when the case is closed."),
    )
    changed_on = forms.DateField(label=capfirst(_("date")), widget=DateInput())
    status_note = forms.CharField(label=capfirst(_("note")), max_length=255, required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["new_status"].choices = [
            (status, CaseStatus(status).label) for status in case.allowed_next_statuses
        ]
        self.fields["changed_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        new_status, reason = cleaned.get("new_status"), cleaned.get("close_reason")
        if new_status == CaseStatus.DITUTUP and not reason:
            self.add_error(
                "close_reason",
                ValidationError(_("Give the reason for closing the case."), code="reason_required"),
            )
        elif new_status and new_status != CaseStatus.DITUTUP and reason:
            cleaned["close_reason"] = ""  # the select keeps its value when the user changes their mind
        _not_in_future(self, "changed_on")
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "new_status": data["new_status"],
            "close_reason": data["close_reason"],
            "changed_on": data["changed_on"],
            "note": data["status_note"],
        }


class PsmSearchForm(forms.Form):
    """The case page's PSM search (?cari_psm=, a name or KTA number, as AssignPsmForm takes it): a text
    that does not validate (a NUL, more than 100 characters) searches nothing."""

    cari_psm = forms.CharField(required=False, max_length=100)

    def search(self) -> str:
        return self.cleaned_data["cari_psm"] if self.is_valid() else ""


class AssignPsmForm(forms.Form):
    """The responsible PSM: an active member of an IPSM unit in the case's kab/kota (or none).

    Any of them may be chosen, but the list offers those of the case's kecamatan (its kelurahan first), or
    with `search` those matching a name or KTA number anywhere in the kab/kota: a kab/kota may have
    thousands of PSM, too many for one list and too slow to send with every case page.
    """

    SEARCH_LIMIT = 50

    member = forms.ModelChoiceField(
        label=capfirst(_("responsible PSM")),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("(no PSM)"),
        error_messages={
            "invalid_choice": _("Choose an active PSM of an IPSM unit in the same kab/kota as the case.")
        },
    )
    assigned_on = forms.DateField(label=capfirst(_("date")), widget=DateInput())

    def __init__(self, *args, case: Case, user, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.search = search.strip()[:100]
        candidates = (
            Member.objects.visible_to(user)
            .active()
            .filter(unit__region__code__startswith=case.kelurahan_id[:5])
            .select_related("unit__region")
        )
        field = self.fields["member"]
        field.queryset = candidates
        field.initial = case.psm_id
        self.fields["assigned_on"].initial = timezone.localdate()
        field.choices = [("", field.empty_label), *self._offered(candidates)]

    def _offered(self, candidates) -> list[tuple[int, str]]:
        """The choices listed: the kecamatan's PSM or the search's matches, and the PSM chosen so far."""
        posted = parse_id(self.data.get(self.add_prefix("member")))
        chosen = Q(pk__in=[pk for pk in (self.case.psm_id, posted) if pk])
        if self.search:
            matches = candidates.search(self.search).order_by("full_name", "pk")[: self.SEARCH_LIMIT]
            offered = list(matches) + list(candidates.filter(chosen).exclude(pk__in=[m.pk for m in matches]))
        else:
            kecamatan = Q(unit__region__code__startswith=self.case.kelurahan_id[:8])
            same_kelurahan = CaseWhen(When(unit__region_id=self.case.kelurahan_id, then=0), default=1)
            offered = candidates.filter(kecamatan | chosen).order_by(same_kelurahan, "full_name", "pk")
        return [(member.pk, _psm_label(member)) for member in offered]

    def clean(self):
        cleaned = super().clean()
        if "member" in cleaned and cleaned["member"] is None and self.case.psm_id is None:
            self.add_error("member", ValidationError(_("Choose a PSM."), code="required"))
        _not_in_future(self, "assigned_on")
        assigned_on = cleaned.get("assigned_on")
        if assigned_on and assigned_on < self.case.reported_on:
            self.add_error("assigned_on", _before_report_error(self.case))
        return cleaned


def _before_report_error(case: Case) -> ValidationError:
    return ValidationError(
        _("The date cannot be before the case was reported (%(date)s).")
        % {"date": case.reported_on.strftime("%d/%m/%Y")},
        code="before_report",
    )


class ActivityForm(forms.Form):
    done_on = forms.DateField(label=capfirst(_("date")), widget=DateInput())
    description = forms.CharField(
        label=capfirst(_("what was done")), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["done_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        _not_in_future(self, "done_on")
        if cleaned.get("done_on") and cleaned["done_on"] < self.case.reported_on:
            self.add_error("done_on", _before_report_error(self.case))
        return cleaned


class ReferralForm(forms.ModelForm):
    """A referral, optionally to one of the partners of the case's kab/kota (members.partners): the
    institution's name then defaults to the partner's, and stays free text."""

    class Meta:
        model = Referral
        fields = ["partner", "institution_type", "institution_name", "referred_on"]
        widgets = {"referred_on": DateInput()}
        help_texts = {
            "institution_name": _("For example Puskesmas Magelang Tengah. Left empty: the partner's name.")
        }

    def __init__(self, *args, case: Case, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["institution_type"].choices = [("", "---------"), *InstitutionType.choices]
        self.fields["referred_on"].initial = timezone.localdate()
        partners = Partner.objects.none()
        if user is not None:
            partners = Partner.objects.visible_to(user).within(case.kelurahan_id[:5]).filter(is_active=True)
        self.fields["partner"].queryset = partners
        self.fields["partner"].required = False
        self.fields["institution_name"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("institution_name"):
            if cleaned.get("partner"):
                cleaned["institution_name"] = cleaned["partner"].name
            elif "institution_name" not in self.errors:
                self.add_error(
                    "institution_name",
                    ValidationError(forms.Field.default_error_messages["required"], code="required"),
                )
        _not_in_future(self, "referred_on")
        if cleaned.get("referred_on") and cleaned["referred_on"] < self.case.reported_on:
            self.add_error("referred_on", _before_report_error(self.case))
        return cleaned


class ReferralOutcomeForm(forms.Form):
    """What came of a waiting referral. Shown once per referral, so the page gives each its own prefix."""

    outcome = forms.ChoiceField(
        label=capfirst(_("outcome")),
        choices=[
            (value, label) for value, label in ReferralOutcome.choices if value != ReferralOutcome.MENUNGGU
        ],
    )
    outcome_on = forms.DateField(label=capfirst(_("date")), widget=DateInput())
    note = forms.CharField(label=capfirst(_("note")), max_length=255, required=False)

    def __init__(self, *args, referral: Referral, **kwargs):
        kwargs.setdefault("prefix", f"referral-{referral.pk}")
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.fields["outcome_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        _not_in_future(self, "outcome_on")
        outcome_on: datetime.date | None = cleaned.get("outcome_on")
        if outcome_on and outcome_on < self.referral.referred_on:
            self.add_error(
                "outcome_on",
                ValidationError(
                    _("The outcome cannot come before the referral."), code="outcome_before_referral"
                ),
            )
        return cleaned
