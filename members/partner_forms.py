"""Forms of the partner pages (members/views/partners.py), and the contribution form that training events and
cases use too (their pages offer a partner, never a unit)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import partners
from members.forms import DateInput
from members.models import Contribution, Partner, Unit


class PartnerForm(forms.ModelForm):
    """A partner of one kab/kota: staff's own is fixed; a superuser (or a province-wide scope) chooses it."""

    class Meta:
        model = Partner
        fields = [
            "region",
            "name",
            "sector",
            "contact_name",
            "phone",
            "email",
            "address",
            "mou_number",
            "mou_starts_on",
            "mou_ends_on",
            "kecamatan_served",
            "is_active",
            "notes",
        ]
        widgets = {
            "mou_starts_on": DateInput(),
            "mou_ends_on": DateInput(),
            "kecamatan_served": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.instance.region if self.instance.region_id else partners.own_kabkota(user)
        if region is not None:
            self.instance.region = region
            del self.fields["region"]
        else:
            self.fields["region"].queryset = partners.kabkota_choices(user)
        self.fields["kecamatan_served"].queryset = partners.kecamatan_of(region, user)
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("mou_starts_on"), cleaned.get("mou_ends_on")
        if starts and ends and ends < starts:
            self.add_error("mou_ends_on", _("The agreement cannot end before it starts."))
        if "region" in self.fields and cleaned.get("region"):
            self.instance.region = cleaned["region"]
        if self.instance.region_id and cleaned.get("kecamatan_served") is not None:
            try:
                partners.check_partner(self.instance, cleaned["kecamatan_served"])
            except ValidationError as error:
                self.add_error("kecamatan_served", error)
        return cleaned

    def validate_unique(self):
        # The region is set on the instance, not a field, for most users: check the name within it anyway.
        exclude = self._get_validation_exclusions()
        exclude.discard("region")
        try:
            self.instance.validate_unique(exclude=exclude)
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class ContributionForm(forms.ModelForm):
    """A contribution. On a partner page the partner is fixed and a unit of its kab/kota may be chosen; on a
    training event or a case (`partner_choices`) the partner is chosen and no unit is offered."""

    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())

    class Meta:
        model = Contribution
        fields = ["partner", "kind", "value", "given_on", "purpose", "beneficiaries", "unit"]
        widgets = {"given_on": DateInput(), "value": forms.NumberInput(attrs={"inputmode": "numeric"})}

    def __init__(
        self,
        *args,
        partner: Partner | None = None,
        partner_choices: QuerySet | None = None,
        units: QuerySet | None = None,
        **kwargs,
    ):
        kwargs.setdefault("prefix", "kontribusi")
        super().__init__(*args, **kwargs)
        self.fixed_partner = partner
        if partner is not None:
            del self.fields["partner"]
        else:
            choices = partner_choices if partner_choices is not None else Partner.objects.none()
            self.fields["partner"].queryset = choices
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units.select_related("region")
        if self.instance.pk is None:
            self.fields["given_on"].initial = timezone.localdate()

    def service_arguments(self) -> dict:
        """What members.partners.record_contribution (and change_contribution, without the partner) takes."""
        data = self.cleaned_data
        return {
            "partner": self.fixed_partner or data["partner"],
            "kind": data["kind"],
            "value": data["value"],
            "given_on": data["given_on"],
            "purpose": data["purpose"],
            "beneficiaries": data.get("beneficiaries"),
            **({"unit": data.get("unit")} if "unit" in self.fields else {}),
        }

    def _post_clean(self):
        # The row is made or changed by the service (members.partners), which runs the model's checks and
        # the rules of a contribution (a unit of the partner's kab/kota, no day to come).
        pass


def units_of(partner: Partner) -> QuerySet:
    """The units a contribution of `partner` may go to: those of its kab/kota."""
    return Unit.objects.filter(region__code__startswith=f"{partner.region_id}.").order_by("region__name")
