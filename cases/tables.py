import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from ipsm.lib.tables import DayColumn
from members.nik import mask_nik


class MaskedNikColumn(tables.Column):
    """Never the whole NIK in a list: it is shown whole only on the case's own page."""

    def render(self, value):
        return mask_nik(value)


class StatusColumn(tables.Column):
    def render(self, record):
        return render_to_string("cases/_case_status_badge.html", {"case": record})


class PsmColumn(tables.Column):
    def render(self, record):
        if record.psm is None:
            return render_to_string("cases/_case_no_psm_badge.html") if record.is_open else "—"
        return format_html("{}", record.psm.full_name)


class CaseTable(tables.Table):
    reported_on = DayColumn(verbose_name=_("Reported"))
    person_name = tables.LinkColumn("cases:detail", args=[tables.A("pk")], verbose_name=_("Name"))
    person_nik = MaskedNikColumn(verbose_name=_("NIK"), orderable=False, default="—")
    kelurahan = tables.Column(
        verbose_name=_("Kelurahan/desa"), accessor="kelurahan__name", order_by="kelurahan__name"
    )
    category = tables.Column(
        verbose_name=_("PMKS category"), accessor="category__name", order_by="category__sort_order"
    )
    status = StatusColumn(verbose_name=_("Status"))
    psm = PsmColumn(verbose_name=_("PSM"), empty_values=(), order_by="psm__full_name")

    class Meta:
        model = Case
        fields = ["reported_on", "person_name", "person_nik", "kelurahan", "category", "status", "psm"]
        attrs = {"class": "table table-sm table-hover align-middle", "id": "cases"}
        empty_text = _("No cases match.")
