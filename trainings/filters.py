import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipsm.lib.dates import FIRST_YEAR, last_year
from members.filters import KecamatanFirstMixin
from members.models import Member, Region, RegionLevel
from trainings.models import Event, TrainingType, trained_members


class YearFilter(django_filters.NumberFilter):
    """A whole year from FIRST_YEAR to next year (ipsm.lib.dates); anything else is refused with the field's
    message (a year 0, -1 or of 20 digits overflowed the date range of the `__year` lookup: a 500)."""

    field_class = forms.IntegerField

    @property
    def field(self) -> forms.IntegerField:
        # The bounds when the field is built, not at import (a server runs through New Year); django-filter's
        # QuerySetRequestMixin sets its queryset the same way.
        self.extra.update(min_value=FIRST_YEAR, max_value=last_year())
        return super().field


class EventFilter(django_filters.FilterSet):
    cari = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains")
    jenis = django_filters.ChoiceFilter(
        label=_("Type"), field_name="training_type", choices=TrainingType.choices
    )
    tahun = YearFilter(label=_("Year"), field_name="starts_on", lookup_expr="year")

    class Meta:
        model = Event
        fields = ["cari", "jenis", "tahun"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["cari"].field.widget.attrs.update(
            placeholder=_("Title"), **{"class": "form-control form-control-sm"}
        )
        self.filters["jenis"].field.widget.attrs["class"] = "form-select form-select-sm js-autosubmit"
        self.filters["tahun"].field.widget.attrs["class"] = "form-control form-control-sm"


class InviteFilter(KecamatanFirstMixin, django_filters.FilterSet):
    """Who to invite: PSM of the organising regions, narrowed by kecamatan, kelurahan or training history."""

    cari = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kecamatan = django_filters.ModelChoiceFilter(
        label=_("Kecamatan"), queryset=Region.objects.none(), method="filter_region"
    )
    kelurahan = django_filters.ModelChoiceFilter(
        label=_("Kelurahan/desa"), queryset=Region.objects.none(), method="filter_region"
    )
    belum_dilatih = django_filters.ChoiceFilter(
        label=_("Training history"),
        method="filter_untrained",
        choices=[
            ("1", _("Never attended any training")),
            ("dasar", _("Never attended a bimtek dasar")),
        ],
    )

    class Meta:
        model = Member
        fields = ["cari", "kecamatan", "kelurahan", "belum_dilatih"]

    def __init__(self, data=None, *args, organiser_codes: list[str], **kwargs):
        super().__init__(data, *args, **kwargs)
        within = Q(pk__in=[])
        for code in organiser_codes:
            within |= Q(code__startswith=code)
        regions = Region.objects.filter(within)
        self.narrow_to_kecamatan(regions.filter(level=RegionLevel.KECAMATAN), regions.villages())
        self.filters["cari"].field.widget.attrs.update(
            placeholder=_("Name or KTA number"), **{"class": "form-control form-control-sm"}
        )
        for name in ("kecamatan", "kelurahan", "belum_dilatih"):
            self.filters[name].field.widget.attrs["class"] = "form-select form-select-sm js-autosubmit"

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_region(self, queryset, name, region):
        return queryset.filter(unit__region__code__startswith=region.code)

    def filter_untrained(self, queryset, name, value):
        training_type = TrainingType.BIMTEK_DASAR if value == "dasar" else None
        return queryset.exclude(pk__in=trained_members(training_type=training_type).values("pk"))
