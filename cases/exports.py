"""What the PMKS and case lists export (ipsm.lib.exports writes the files): counts only, never a person.

- The case summary: per kelurahan and PMKS category, how many cases are in each status, with the case list's
  filters except the name search (a count of one person's cases would be about that person).
- PMKS counts: one row per kelurahan of a region, one column per category, for one period.
"""

from django.db.models import Count, F, FilteredRelation, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.filters import CaseFilter
from cases.models import OPEN_STATUSES, Case, CaseStatus, Kelurahan, PmksCategory, PmksCount
from cases.periods import Period, asked_period, latest_with_data
from ipsm.lib.exports import Column, Export, filterset_filters
from ipsm.lib.numbers import percent
from members.exports import area_code, file_stem
from members.models import Region

# The case list's query parameters that make sense for counts.
SUMMARY_PARAMS = ("status", "category", "kecamatan", "kelurahan", "tanpa_psm", "wilayah")


def case_counts(cases):
    """`cases` counted per kelurahan and category: one row (a dict) per pair, each status a column."""
    per_status = {f"status_{status}": Count("pk", filter=Q(status=status)) for status in CaseStatus.values}
    return (
        cases.order_by()
        .values(
            "kelurahan_id",
            "kelurahan__name",
            "kelurahan__parent__name",
            "category__sort_order",
            "category__number",
            "category__name",
        )
        .annotate(**per_status, open=Count("pk", filter=Q(status__in=OPEN_STATUSES)), total=Count("pk"))
        .order_by("kelurahan_id", "category__sort_order", "category__number")
    )


def _status_column(status: CaseStatus) -> Column:
    return Column(status.label, lambda row: row[f"status_{status.value}"], 11)


SUMMARY_COLUMNS = [
    Column(_("Region code"), lambda row: row["kelurahan_id"], 15),
    Column(_("Kelurahan/desa"), lambda row: row["kelurahan__name"], 20),
    Column(_("Kecamatan"), lambda row: row["kelurahan__parent__name"], 18),
    Column(_("No."), lambda row: row["category__number"], 5),
    Column(_("PMKS category"), lambda row: row["category__name"], 34),
    *(_status_column(status) for status in CaseStatus),
    Column(_("Open (any stage)"), lambda row: row["open"], 11),
    Column(_("Total"), lambda row: row["total"], 9),
]


def case_summary_export(user, params) -> Export:
    """Case counts with the case list's filters (cases.views.cases.case_list), within the user's scope."""
    data = params.copy()
    data.pop("cari", None)
    cases = Case.objects.visible_to(user)
    case_filter = CaseFilter(data, queryset=cases, user=user)
    # As on the list: a refused filter value gives no rows rather than everything.
    rows = case_filter.qs if case_filter.is_valid() else cases.none()
    chosen = case_filter.form.cleaned_data
    code = area_code(user, chosen.get("kelurahan"), chosen.get("wilayah"), chosen.get("kecamatan"))
    return Export(
        list_name="case_summary",
        file_stem=file_stem("ringkasan-kasus", code),
        columns=SUMMARY_COLUMNS,
        rows=case_counts(rows),
        filters=filterset_filters(case_filter, data),
    )


def pmks_table(kelurahan, period: Period, categories: list[PmksCategory]):
    """Per kelurahan, its count of each category in `period` (`c<category id>`, None where none was
    entered), their total and the date of the data; one query, joining only the period's counts."""
    sums = {
        f"c{category.pk}": Sum("period_counts__count", filter=Q(period_counts__category_id=category.pk))
        for category in categories
    }
    return (
        kelurahan.annotate(
            period_counts=FilteredRelation(
                "pmks_counts",
                condition=Q(pmks_counts__year=period.year, pmks_counts__semester=period.semester),
            )
        )
        .annotate(
            kecamatan_name=F("parent__name"),
            **sums,
            total=Sum("period_counts__count"),
            data_date=Max("period_counts__data_date"),
        )
        .order_by("code")
    )


def _category_column(category: PmksCategory) -> Column:
    return Column(f"{category.number}. {category.name}", lambda row: getattr(row, f"c{category.pk}"), 12)


def pmks_export(user, region: Region, period: Period) -> Export:
    """The PMKS counts of every kelurahan under `region` (in the user's scope) for `period`."""
    categories = list(PmksCategory.objects.all())
    kelurahan = Kelurahan.objects.visible_to(user).within(region.code)
    columns = [
        Column(_("Region code"), lambda row: row.code, 15),
        Column(_("Kelurahan/desa"), lambda row: row.name, 20),
        Column(_("Kecamatan"), lambda row: row.kecamatan_name, 18),
        *(_category_column(category) for category in categories),
        Column(_("Total"), lambda row: row.total, 10),
        Column(_("Date of the data"), lambda row: row.data_date, 12),
    ]
    return Export(
        list_name="pmks_counts",
        file_stem=f"pmks-{region.code}-{period.key}",
        columns=columns,
        rows=pmks_table(kelurahan, period, categories),
        filters={"wilayah": region.code, "periode": period.key},
        sheet_title=_("PMKS counts"),
    )


def pmks_period(region: Region, text: str | None) -> Period:
    """The period asked for (`2023`, `2023-S1`), else the region's latest with figures, else this year."""
    period, _warning = asked_period(
        text,
        lambda: latest_with_data(
            PmksCount.objects.filter(kelurahan__code__startswith=region.code).periods(),
            otherwise=Period(timezone.localdate().year),
        ),
    )
    return period


# --- The PSM reporting rate (cases.reporting) -------------------------------------------------------------


def reporting_export(rates, *, region: Region | None, names: dict[str, str]) -> Export:
    """The region's months, then each group below it month by month: expected, submitted, on time and
    approved, with their shares of expected (percent)."""
    own = [
        (region.code if region else "", str(region) if region else _("Indonesia"), rate)
        for rate in rates.series
    ]
    below = [
        (rate.key, names.get(rate.key, rate.key), rate)
        for rate in sorted(rates.rates, key=lambda r: (r.key, r.month))
    ]
    columns = [
        Column(_("Region code"), lambda row: row[0], 16),
        Column(_("Region or unit"), lambda row: row[1], 30),
        Column(_("Month"), lambda row: row[2].month, 12),
        Column(_("PSM expected to report"), lambda row: row[2].expected),
        Column(_("Submitted"), lambda row: row[2].submitted),
        Column(_("Submitted (%)"), lambda row: percent(row[2].submitted_share)),
        Column(_("On time"), lambda row: row[2].on_time),
        Column(_("On time (%)"), lambda row: percent(row[2].on_time_share)),
        Column(_("Approved"), lambda row: row[2].approved),
        Column(_("Approved (%)"), lambda row: percent(row[2].approved_share)),
    ]
    return Export(
        list_name="reporting",
        file_stem=file_stem("laporan-bulanan", region.code if region else ""),
        columns=columns,
        rows=own + below,
        filters={"wilayah": region.code if region else "", "bulan": f"{rates.month:%Y-%m}"},
        sheet_title=_("PSM reporting rate"),
    )
