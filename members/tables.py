import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ipsm.lib.tables import DayColumn
from members.models import Member, Unit

STATUS_BADGES = {"calon": "text-bg-warning", "aktif": "text-bg-success", "nonaktif": "text-bg-secondary"}


class StatusColumn(tables.Column):
    def render(self, value, record):
        return format_html('<span class="badge {}">{}</span>', STATUS_BADGES[record.status], value)


class MemberTable(tables.Table):
    """The member list. NIK is always masked here; it is shown whole only on the member's own page."""

    full_name = tables.LinkColumn("members:detail", args=[tables.A("pk")], verbose_name=_("Name"))
    kta_number = tables.Column(verbose_name=_("KTA"))
    # Not sortable: the order of masked NIK would give their hidden digits away (members.access.NikPolicy).
    nik = tables.Column(verbose_name=_("NIK"), accessor="masked_nik", orderable=False)
    sex = tables.Column(verbose_name=_("Sex"))
    unit = tables.Column(
        verbose_name=_("IPSM unit"), accessor="unit__region__name", order_by="unit__region__name"
    )
    status = StatusColumn(verbose_name=_("Status"))
    joined_on = DayColumn(verbose_name=_("Joined"))

    class Meta:
        model = Member
        fields = ["full_name", "kta_number", "nik", "sex", "unit", "status", "joined_on"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No members match.")


class UnitTable(tables.Table):
    region = tables.LinkColumn(
        "members:unit_detail", args=[tables.A("pk")], verbose_name=_("IPSM unit"), order_by="region__name"
    )
    kecamatan = tables.Column(verbose_name=_("Kecamatan"), accessor="region__parent__name", orderable=False)
    active_count = tables.Column(verbose_name=_("Active PSM"))
    candidate_count = tables.Column(verbose_name=_("Candidates"))
    roster_confirmed_at = DayColumn(verbose_name=_("Roster checked"), default=_("never"))

    class Meta:
        model = Unit
        fields = ["region", "kecamatan", "active_count", "candidate_count", "roster_confirmed_at"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No units match.")
        row_attrs = {"class": lambda record: "table-warning" if record.roster_is_stale else ""}
