import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ipsm.lib.tables import DayColumn
from members.models import Member, Unit

STATUS_BADGES = {"calon": "text-bg-warning", "aktif": "text-bg-success", "nonaktif": "text-bg-secondary"}

# Phone first (390 px): a list keeps its key columns on a phone and shows the others from the given width up;
# what a hidden column says that matters is repeated under the row's name (`d-md-none`).
FROM_MD = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
FROM_LG = {"th": {"class": "d-none d-lg-table-cell"}, "td": {"class": "d-none d-lg-table-cell text-nowrap"}}


class StatusColumn(tables.Column):
    def render(self, value, record):
        return format_html('<span class="badge {}">{}</span>', STATUS_BADGES[record.status], value)


class MemberNameColumn(tables.Column):
    """The name, a link to the member; on a phone the KTA number under it (its own column shows from md)."""

    def render(self, value, record):
        return format_html(
            '<a href="{}">{}</a><div class="small text-body-secondary d-md-none">{}</div>',
            reverse("members:detail", args=[record.pk]),
            value,
            record.kta_number,
        )


class UnitNameColumn(tables.Column):
    """The unit, a link to its page; on a phone its kecamatan under it (its own column shows from md)."""

    def render(self, value, record):
        return format_html(
            '<a href="{}">{}</a><div class="small text-body-secondary d-md-none">{}</div>',
            reverse("members:unit_detail", args=[record.pk]),
            value,
            record.region.parent.name if record.region.parent_id else "",
        )


class MemberTable(tables.Table):
    """The member list. NIK is always masked here; it is shown whole only on the member's own page.
    On a phone: name (with KTA), unit and status."""

    full_name = MemberNameColumn(verbose_name=_("Name"))
    kta_number = tables.Column(verbose_name=_("KTA"), attrs=FROM_MD)
    # Not sortable: the order of masked NIK would give their hidden digits away (members.access.NikPolicy).
    nik = tables.Column(verbose_name=_("NIK"), accessor="masked_nik", orderable=False, attrs=FROM_LG)
    sex = tables.Column(verbose_name=_("Sex"), attrs=FROM_MD)
    unit = tables.Column(
        verbose_name=_("IPSM unit"), accessor="unit__region__name", order_by="unit__region__name"
    )
    status = StatusColumn(verbose_name=_("Status"))
    joined_on = DayColumn(verbose_name=_("Joined"), attrs=FROM_MD)

    class Meta:
        model = Member
        fields = ["full_name", "kta_number", "nik", "sex", "unit", "status", "joined_on"]
        attrs = {"class": "table table-sm table-hover align-middle", "id": "member-table"}
        empty_text = _("No members match.")


class UnitTable(tables.Table):
    """The unit list. On a phone: unit (with its kecamatan), active PSM and the last roster check."""

    region = UnitNameColumn(verbose_name=_("IPSM unit"), order_by="region__name")
    kecamatan = tables.Column(
        verbose_name=_("Kecamatan"), accessor="region__parent__name", orderable=False, attrs=FROM_MD
    )
    active_count = tables.Column(verbose_name=_("Active PSM"))
    candidate_count = tables.Column(verbose_name=_("Candidates"), attrs=FROM_MD)
    roster_confirmed_at = DayColumn(verbose_name=_("Roster checked"), default=_("never"))

    class Meta:
        model = Unit
        fields = ["region", "kecamatan", "active_count", "candidate_count", "roster_confirmed_at"]
        attrs = {"class": "table table-sm table-hover align-middle", "id": "unit-table"}
        empty_text = _("No units match.")
        row_attrs = {"class": lambda record: "table-warning" if record.roster_is_stale else ""}
