"""What the training lists and the reports built on them export (ipsm.lib.exports writes the files): the event
list, one event's participants, the coverage table of the dashboard and the five-level indicator report.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import CoverageStatus, PmksCount
from cases.periods import Period, asked_period, last_finished_year, latest_with_data
from ipsm.lib.exports import Column, Export, choice_labels, filterset_filters
from ipsm.templatetags.numbers import plain_number
from members.access import NikPolicy
from members.exports import area_code, file_stem
from members.models import Member, Region
from trainings.filters import EventFilter
from trainings.indicators import COUNT, DECIMAL, MONEY, SHARE, Indicator, Level
from trainings.models import (
    RECENT_TRAINING_YEARS,
    Attendance,
    AttendanceStatus,
    Event,
    Organiser,
    Participant,
    TrainingType,
)
from trainings.targets import LOWER_IS_BETTER, Trend, achievement, realisation

# --- The event list --------------------------------------------------------------------------------------


def _organisers(event: Event) -> str:
    return ", ".join(str(organiser) for organiser in event.organisers.all())


def event_columns() -> list[Column]:
    training_type = choice_labels(TrainingType)
    return [
        Column(_("Title"), lambda e: e.title, 34),
        Column(_("Type"), lambda e: training_type(e.training_type), 24),
        Column(_("Start date"), lambda e: e.starts_on, 12),
        Column(_("End date"), lambda e: e.ends_on, 12),
        Column(_("Venue"), lambda e: e.venue, 24),
        Column(_("Organisers"), _organisers, 34),
        Column(_("Budget (Rp)"), lambda e: plain_number(e.budget, 0), 14),
        Column(_("Invited"), lambda e: e.participant_count, 9),
        Column(_("Certificates"), lambda e: e.certificate_count, 9),
    ]


def event_export(user, params) -> Export:
    """The event list with its filters (trainings.views.events.event_list): events of the user's office."""
    organisers = Prefetch(
        "organisers",
        queryset=Organiser.objects.accepted()
        .select_related("region")
        .order_by("region_id", "institution_name"),
    )
    events = Event.objects.visible_to(user).with_counts().prefetch_related(organisers).newest_first()
    event_filter = EventFilter(params, queryset=events)
    return Export(
        list_name="trainings",
        file_stem=file_stem("pelatihan", area_code(user)),
        columns=event_columns(),
        rows=event_filter.qs,
        filters=filterset_filters(event_filter, params),
    )


# --- One event's participants ----------------------------------------------------------------------------


def _day_column(index: int, day: datetime.date, label: Callable[[str], str]) -> Column:
    def status(participant: Participant) -> str:
        mark = participant.attendance_on([day])[0]
        return label(mark.status) if mark else ""

    header = _("Day %(number)d (%(date)s)") % {"number": index, "date": formats.date_format(day, "d/m/Y")}
    return Column(header, status, 14)


def participant_export(user, event: Event) -> Export:
    """Everyone invited to `event` (from every organising region), with attendance per day, scores and
    certificate number. NIK whole only for members the user may edit (members.access.NikPolicy)."""
    policy = NikPolicy(user)
    attendance = choice_labels(AttendanceStatus)
    participants = event.participants.select_related("member__unit__region").prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.order_by("day"))
    )
    columns = [
        Column(_("Name"), lambda p: p.member.full_name, 28),
        Column(_("KTA number"), lambda p: p.member.kta_number, 17),
        Column(_("NIK"), lambda p: policy.nik(p.member), 21),
        Column(_("IPSM unit"), lambda p: p.member.unit.region.name, 20),
        Column(_("Unit region code"), lambda p: p.member.unit.region_id, 15),
        *(_day_column(index, day, attendance) for index, day in enumerate(event.days, start=1)),
        Column(_("Days present"), lambda p: p.present_days(), 9),
        Column(_("Present every day"), lambda p: p.was_present_every_day(), 11),
        # A number the spreadsheet formats in its own language; 55.00 is written 55 (plain_number).
        Column(_("Pre-test"), lambda p: plain_number(p.pre_test_score), 9),
        Column(_("Post-test"), lambda p: plain_number(p.post_test_score), 9),
        Column(_("Certificate number"), lambda p: p.certificate_number, 24),
    ]
    return Export(
        list_name="participants",
        file_stem=f"peserta-pelatihan-{event.pk}",
        columns=columns,
        rows=participants,
        filters={"event": str(event.pk)},
        nik_masked=not policy.any_whole_in(Member.objects.filter(trainings__event=event)),
        sheet_title=_("Participants"),
    )


# --- The coverage table of the dashboard -----------------------------------------------------------------


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def coverage_columns() -> list[Column]:
    status = choice_labels(CoverageStatus)
    recent = _("Trained, last %(years)s years") % {"years": RECENT_TRAINING_YEARS}
    recent_count = _("Active PSM trained, last %(years)s years") % {"years": RECENT_TRAINING_YEARS}
    return [
        Column(_("Region code"), lambda k: k.code, 15),
        Column(_("Kelurahan/desa"), lambda k: k.name, 20),
        Column(_("Kecamatan"), lambda k: k.parent.name if k.parent else "", 18),
        Column(_("Active PSM"), lambda k: k.active_psm, 9),
        Column(_("PMKS"), lambda k: k.pmks, 9),
        Column(_("PMKS per PSM"), lambda k: _share(k.pmks_per_psm), 9),
        Column(_("PSM target"), lambda k: k.psm_target, 9),
        Column(_("PSM still needed"), lambda k: k.psm_needed, 9),
        Column(_("Status"), lambda k: status(k.coverage_status), 16),
        Column(_("Active PSM trained (ever)"), lambda k: k.trained_psm, 10),
        Column(_("Trained (ever), %"), lambda k: _share(k.trained_share), 10),
        Column(recent_count, lambda k: k.trained_recent_psm, 10),
        Column(f"{recent}, %", lambda k: _share(k.trained_recent_share), 10),
        Column(_("Open cases"), lambda k: k.open_cases, 9),
        Column(_("Open cases tanpa PSM"), lambda k: k.open_cases_without_psm, 9),
    ]


def coverage_export(rows, *, region: Region, period: Period | None, filters: dict) -> Export:
    """The dashboard's kelurahan table: `rows` with_coverage + with_training_coverage."""
    return Export(
        list_name="coverage",
        file_stem=f"cakupan-{region.code}-{period.key}" if period else f"cakupan-{region.code}",
        columns=coverage_columns(),
        rows=rows.select_related("parent"),
        filters=filters,
        sheet_title=_("PSM coverage"),
    )


# --- The five-level indicator report ---------------------------------------------------------------------

_UNITS = {COUNT: "", DECIMAL: "", MONEY: "Rp", SHARE: "%"}


def _figure(value, kind: str):
    """A figure as a spreadsheet number: shares in percent, decimals rounded as the page shows them."""
    if value is None:
        return None
    if kind == SHARE:
        return round(float(value) * 100, 1)
    if kind == DECIMAL:
        return round(float(value), 2)
    return value


def _change(indicator: Indicator):
    change = indicator.change
    if change is None:
        return None
    # A share's change is already in percentage points.
    return round(float(change), 1 if indicator.kind == SHARE else 2)


def indicator_export(region: Region, period: Period, levels: list[Level]) -> Export:
    """One row per indicator of trainings.indicators.indicator_report, with its formula."""
    rows = [(level.label, indicator) for level in levels for indicator in level.indicators]
    columns = [
        Column(_("Level"), lambda row: row[0], 10),
        Column(_("Indicator"), lambda row: row[1].name, 30),
        Column(pgettext_lazy("unit of measure", "Unit"), lambda row: _UNITS[row[1].kind], 6),
        Column(str(period), lambda row: _figure(row[1].current, row[1].kind), 14),
        Column(str(period.previous), lambda row: _figure(row[1].previous, row[1].kind), 14),
        Column(_("Change (percentage points for shares)"), lambda row: _change(row[1]), 14),
        Column(_("Formula"), lambda row: row[1].formula, 80),
    ]
    return Export(
        list_name="indicators",
        file_stem=file_stem("indikator", f"{region.code}-{period.key}"),
        columns=columns,
        rows=rows,
        filters={"wilayah": region.code, "periode": period.key},
        sheet_title=_("Indicator report"),
    )


def indicator_period(text: str | None) -> Period:
    """As the report page: the period asked for, else the last finished year."""
    period, _warning = asked_period(text, last_finished_year)
    return period


def coverage_period(user, text: str | None) -> Period | None:
    """As the dashboard: the period asked for, else the latest with PMKS figures the user sees (or none)."""
    period, _warning = asked_period(
        text, lambda: latest_with_data(PmksCount.objects.visible_to(user).periods(), otherwise=None)
    )
    return period


# --- The performance table (LKjIP: target, realisasi, capaian) ---------------------------------------------


def _trend(indicator: Indicator) -> str:
    change = indicator.change
    if change is None:
        return ""
    better = change < 0 if indicator.key in LOWER_IS_BETTER else change > 0
    if change == 0:
        return str(_("steady"))
    return str(_("better") if better else _("worse"))


def _plain(value: Decimal | None) -> int | float | None:
    """A figure as a spreadsheet number: whole numbers without decimals."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _earlier_column(index: int, year: int) -> Column:
    return Column(_("Realisation %(year)s") % {"year": year}, lambda row: _plain(row["earlier"][index]))


def lkjip_export(region: Region, year: int, levels: list[Level], targets: dict, trend: Trend) -> Export:
    """One row per indicator in the layout of a LKjIP performance table: the level as the goal, the
    indicator, its unit, baseline, target, realisation, achievement (%), the realisation of earlier years
    (`trend`, oldest first, last year's always) and the trend against last year (trainings/targets.py)."""
    rows = []
    for level in levels:
        for indicator in level.indicators:
            target = targets.get(indicator.key)
            realised = realisation(indicator)
            rows.append(
                {
                    "number": len(rows) + 1,
                    "level": level.label,
                    "indicator": indicator,
                    "baseline": target.baseline if target else None,
                    "target": target.target if target else None,
                    "realised": realised,
                    "achievement": achievement(indicator.key, realised, target.target) if target else None,
                    "earlier": [figure.realised for figure in trend.figures[indicator.key][:-1]],
                    "trend": _trend(indicator),
                }
            )
    columns = [
        Column(_("No."), lambda row: row["number"], 5),
        Column(_("Level"), lambda row: row["level"], 10),
        Column(_("Performance indicator"), lambda row: row["indicator"].name, 40),
        Column(pgettext_lazy("unit of measure", "Unit"), lambda row: _UNITS[row["indicator"].kind], 6),
        Column(_("Baseline"), lambda row: _plain(row["baseline"])),
        Column(_("Target %(year)s") % {"year": year}, lambda row: _plain(row["target"])),
        Column(_("Realisation %(year)s") % {"year": year}, lambda row: _plain(row["realised"])),
        Column(
            _("Achievement (%)"),
            lambda row: None if row["achievement"] is None else float(row["achievement"]),
        ),
        *(_earlier_column(index, earlier) for index, earlier in enumerate(trend.years[:-1])),
        Column(_("Trend"), lambda row: row["trend"], 10),
    ]
    return Export(
        list_name="lkjip",
        file_stem=file_stem("lkjip", f"{region.code}-{year}"),
        columns=columns,
        rows=rows,
        filters={"wilayah": region.code, "tahun": str(year)},
        sheet_title=_("Performance table"),
    )
