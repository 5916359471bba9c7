import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseStatus, PmksCategory
from members.filters import KecamatanFirstMixin
from members.models import Region, RegionLevel

OPEN = "open"

# The search is by name only and travels in the URL: digits are refused so that a NIK never lands there.
_NAME_ONLY = RegexValidator(
    r"^[^0-9]*$", _("Search by name only; a NIK is never searched from this list."), code="digits"
)


class CaseFilter(KecamatanFirstMixin, django_filters.FilterSet):
    """Search and filters of the case list; the region choices narrow to the user's scope and to each other.

    `wilayah` (a region code, from the dashboard and the unit pages) keeps the cases under that region;
    `tanpa_psm=1` keeps the open cases without a responsible PSM.
    """

    cari = django_filters.CharFilter(label=_("Name"), method="filter_search", validators=[_NAME_ONLY])
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="filter_status",
        choices=[(OPEN, _("Open (any stage)")), *CaseStatus.choices],
        empty_label=_("All"),
    )
    kategori = django_filters.ModelChoiceFilter(
        label=_("PMKS category"), field_name="category", queryset=PmksCategory.objects.all()
    )
    kecamatan = django_filters.ModelChoiceFilter(
        label=_("Kecamatan"), queryset=Region.objects.none(), method="filter_region"
    )
    kelurahan = django_filters.ModelChoiceFilter(
        label=_("Kelurahan/desa"), queryset=Region.objects.none(), method="filter_region"
    )
    tanpa_psm = django_filters.ChoiceFilter(
        label=_("PSM"),
        method="filter_tanpa_psm",
        choices=[("1", _("Open cases without PSM"))],
        empty_label=_("All"),
    )
    wilayah = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.none(),
        method="filter_region",
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Case
        fields = ["cari", "status", "kategori", "kecamatan", "kelurahan", "tanpa_psm", "wilayah"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        regions = Region.objects.visible_to(user)
        self.narrow_to_kecamatan(regions.filter(level=RegionLevel.KECAMATAN), regions.villages())
        self.filters["wilayah"].queryset = regions
        self.filters["cari"].field.widget.attrs.update(
            placeholder=_("Person's name"), pattern="[^0-9]*", **{"class": "form-control form-control-sm"}
        )
        for name in ("status", "kategori", "kecamatan", "kelurahan", "tanpa_psm"):
            self.filters[name].field.widget.attrs["class"] = "form-select form-select-sm js-autosubmit"

    def filter_search(self, queryset, name, value):
        return queryset.filter(person_name__icontains=value.strip()) if value.strip() else queryset

    def filter_status(self, queryset, name, value):
        return queryset.open() if value == OPEN else queryset.filter(status=value)

    def filter_region(self, queryset, name, region):
        return queryset.within(region.code)

    def filter_tanpa_psm(self, queryset, name, value):
        return queryset.without_psm() if value == "1" else queryset
