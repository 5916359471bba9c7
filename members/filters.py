import django_filters
from django.utils.translation import gettext_lazy as _

from ipsm.lib.query import is_region_code, parse_id
from members.models import Member, MemberStatus, Region, RegionLevel, Sex, Unit


class KecamatanFirstMixin:
    """Kelurahan (and unit) choices listed within the chosen kecamatan only, the select disabled until one is
    chosen: a kab/kota has hundreds of desa, too many for one list and too slow to send with every page. A
    kelurahan or unit in the URL without its kecamatan brings the kecamatan along."""

    def narrow_to_kecamatan(self, kecamatan, villages, units=None) -> None:
        # Raw values, read before the form validates (the choices depend on them): only a well-formed code
        # narrows the lists; junk is left for the fields to refuse.
        asked = self.data.get("kecamatan") or ""
        chosen = asked if is_region_code(asked) else self._kecamatan_of_choice(units)
        if chosen and not asked:
            self.data = self.data.copy()
            self.data["kecamatan"] = chosen
        self.filters["kecamatan"].queryset = kecamatan
        for name, queryset in (("kelurahan", villages), ("unit", units)):
            if queryset is None:
                continue
            narrowed = self.filters[name]
            if chosen:
                narrowed.queryset = queryset.within(chosen)
            else:
                narrowed.queryset = queryset.none()
                narrowed.extra["empty_label"] = _("(choose a kecamatan first)")
                narrowed.extra["disabled"] = True

    def _kecamatan_of_choice(self, units) -> str:
        kelurahan, unit = self.data.get("kelurahan") or "", parse_id(self.data.get("unit"))
        if is_region_code(kelurahan):
            return kelurahan[:8]  # kecamatan code "33.71.03" of kelurahan "33.71.03.1002"
        if unit and units is not None:
            return (units.filter(pk=unit).values_list("region_id", flat=True).first() or "")[:8]
        return ""


class MemberFilter(KecamatanFirstMixin, django_filters.FilterSet):
    """Search and filters of the member list; region choices narrow to the user's scope and to each other."""

    cari = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kecamatan = django_filters.ModelChoiceFilter(
        label=_("Kecamatan"), queryset=Region.objects.none(), method="filter_region"
    )
    kelurahan = django_filters.ModelChoiceFilter(
        label=_("Kelurahan/desa"), queryset=Region.objects.none(), method="filter_region"
    )
    unit = django_filters.ModelChoiceFilter(label=_("IPSM unit"), queryset=Unit.objects.none())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MemberStatus.choices)
    jenis_kelamin = django_filters.ChoiceFilter(label=_("Sex"), field_name="sex", choices=Sex.choices)
    # Records merged into another (members.services.merge_members) are kept but hidden unless asked for.
    digabung = django_filters.ChoiceFilter(
        label=_("Merged records"),
        choices=[("1", _("Only merged records"))],
        empty_label=_("Hidden"),
        method="filter_merged",
    )

    class Meta:
        model = Member
        fields = ["cari", "kecamatan", "kelurahan", "unit", "status", "jenis_kelamin", "digabung"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        regions = Region.objects.visible_to(user)
        self.narrow_to_kecamatan(
            regions.filter(level=RegionLevel.KECAMATAN),
            regions.villages(),
            Unit.objects.visible_to(user).select_related("region"),
        )
        self.filters["cari"].field.widget.attrs.update(placeholder=_("Name, NIK or KTA number"))
        for name in ("kecamatan", "kelurahan", "unit", "status", "jenis_kelamin", "digabung"):
            self.filters[name].field.widget.attrs["class"] = "form-select form-select-sm js-autosubmit"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset if self.form.cleaned_data.get("digabung") else queryset.not_merged()

    def filter_merged(self, queryset, name, value):
        return queryset.filter(merged_into__isnull=False)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_region(self, queryset, name, region):
        return queryset.filter(unit__region__code__startswith=region.code)


class UnitFilter(django_filters.FilterSet):
    """Search by the name of the unit's region, and filters; one GET form (a unit name is no secret)."""

    cari = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kecamatan = django_filters.ModelChoiceFilter(
        label=_("Kecamatan"), queryset=Region.objects.none(), method="filter_region"
    )
    perlu_perhatian = django_filters.ChoiceFilter(
        label=_("Needs attention"),
        method="filter_attention",
        choices=[("roster", _("Roster not checked for 180 days"))],
    )

    class Meta:
        model = Unit
        fields = ["cari", "kecamatan", "perlu_perhatian"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["kecamatan"].queryset = Region.objects.visible_to(user).filter(
            level=RegionLevel.KECAMATAN
        )
        self.filters["cari"].field.widget.input_type = "search"
        self.filters["cari"].field.widget.attrs.update(
            {"class": "form-control", "placeholder": _("Name of the desa/kelurahan")}
        )
        for name in ("kecamatan", "perlu_perhatian"):
            self.filters[name].field.widget.attrs["class"] = "form-select form-select-sm js-autosubmit"

    def filter_search(self, queryset, name, value):
        # The unit is named after its region: "IPSM Kel. Rejowinangun Utara" is found by "rejowinangun".
        return queryset.filter(region__name__icontains=value.strip())

    def filter_region(self, queryset, name, region):
        return queryset.filter(region__code__startswith=region.code)

    def filter_attention(self, queryset, name, value):
        return queryset.roster_stale() if value == "roster" else queryset
