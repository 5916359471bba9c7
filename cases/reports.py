"""PSM monthly activity reports (laporan kegiatan bulanan): the one home of their rules.

- the month: the first day of a month, never a month still to come (`parse_month`, `start_report`);
- the due date: day `OfficeProfile.report_due_day` (default 5) of the next month, per kab/kota (`due_date`;
  `due_days` and `due_on` for many members at once);
- late: submitted (the first time) after the due date, by the Asia/Jakarta calendar (`submit_report`);
- who may edit: the PSM (their own, through ipsm/psm) or staff entering a paper report, while it is a
  draft or returned (`MonthlyReport.is_editable`); submitted or approved reports are read-only;
- the transitions: draft -> submitted -> approved | returned -> submitted ...; approving and returning are
  for whoever may change the member (their unit's coordinator, their kab/kota's staff), never a viewer
  (`may_review`); a return needs a note;
- every step is a ReportStep with who and when.
"""

import datetime
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cases.models import (
    Case,
    MonthlyReport,
    PmksCategory,
    ReportActivity,
    ReportPhoto,
    ReportState,
    ReportStep,
    ReportStepAction,
)
from ipsm.lib.images import CleanImage, clean_image
from members.access import scope_of
from members.models import Member, OfficeProfile

DEFAULT_DUE_DAY = 5
MONTH_SLUG = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(slug: str) -> datetime.date | None:
    """`2026-11` -> 1 November 2026; None for anything else (a month 01-12, year 2000 on)."""
    match = MONTH_SLUG.match(slug or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if year < 2000 or not 1 <= month <= 12:
        return None
    return datetime.date(year, month, 1)


def current_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def due_days(kabkota_codes: Iterable[str] | None = None) -> defaultdict[str, int]:
    """The report due day of each kab/kota (of those given, or all) in one query: its office's
    `report_due_day`, DEFAULT_DUE_DAY for a kab/kota without an office profile."""
    offices = OfficeProfile.objects.all()
    if kabkota_codes is not None:
        offices = offices.filter(pk__in=list(kabkota_codes))
    return defaultdict(lambda: DEFAULT_DUE_DAY, offices.values_list("pk", "report_due_day"))


def due_on(month: datetime.date, day: int) -> datetime.date:
    """Day `day` (a kab/kota's due day, `due_days`) of the month after `month`."""
    next_month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return next_month.replace(day=day)


def due_date(member: Member, month: datetime.date) -> datetime.date:
    """The due date of the member's report for `month`, as set by their kab/kota office."""
    kabkota = member.unit.region_id[:5]
    return due_on(month, due_days([kabkota])[kabkota])


def may_review(user, report: MonthlyReport) -> bool:
    """Approve or return: the coordinator of the member's unit, staff of their kab/kota (not viewers)."""
    return (
        user.has_perm("members.change_member")
        and MonthlyReport.objects.visible_to(user).filter(pk=report.pk).exists()
    )


def may_enter_on_paper(user, member: Member) -> bool:
    """Staff of the member's kab/kota (or wider) enter a paper report on the PSM's behalf."""
    return enters_paper_reports(user) and Member.objects.visible_to(user).filter(pk=member.pk).exists()


def enters_paper_reports(user) -> bool:
    """Staff (not coordinators, not viewers) enter paper reports, for the members of their scope."""
    scope = scope_of(user)
    return (scope.everything or bool(scope.region_code)) and user.has_perm("members.change_member")


def _step(report: MonthlyReport, action: str, by, note: str = "") -> None:
    ReportStep.objects.create(report=report, action=action, by=by, note=note, at=timezone.now())


@transaction.atomic
def start_report(*, member: Member, month: datetime.date, by, on_paper: bool = False) -> MonthlyReport:
    """The member's report for `month`, started as a draft if there is none yet."""
    if month.day != 1 or month > current_month():
        raise ValidationError(_("A report can only be made for this month or an earlier one."))
    report = MonthlyReport.objects.select_for_update().filter(member=member, month=month).first()
    if report is not None:
        return report
    report = MonthlyReport.objects.create(
        member=member,
        month=month,
        due_on=due_date(member, month),
        on_paper=on_paper,
        entered_by=by if on_paper else None,
    )
    _step(report, ReportStepAction.ON_PAPER if on_paper else ReportStepAction.CREATED, by)
    return report


@transaction.atomic
def enter_report_on_paper(*, member: Member, month: datetime.date, by) -> MonthlyReport:
    """Staff start (or take over) a report from the PSM's paper form; it is marked as entered from paper."""
    if not may_enter_on_paper(by, member):
        raise PermissionDenied
    report = start_report(member=member, month=month, by=by, on_paper=True)
    if not report.on_paper:
        if not report.is_editable:
            raise ValidationError(_("This report can no longer be changed."))
        report.on_paper, report.entered_by = True, by
        report.save(update_fields=["on_paper", "entered_by", "updated_at"])
        _step(report, ReportStepAction.ON_PAPER, by)
    return report


@transaction.atomic
def save_report(
    *,
    report: MonthlyReport,
    activities: Iterable[Mapping],
    pmks_reached: Mapping[str, int],
    cases: Iterable[Case],
    obstacles: str,
    plan: str,
    by,
) -> MonthlyReport:
    """Replace the report's content (a draft, or a returned report being corrected)."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_editable:
        raise ValidationError(_("This report can no longer be changed."))
    cases = list(cases)
    if any(case.psm_id != report.member_id for case in cases):
        raise ValidationError(_("Only cases the PSM is responsible for can be listed."))
    report.activities.all().delete()
    ReportActivity.objects.bulk_create(
        ReportActivity(report=report, kind=row["kind"], done_on=row["done_on"], count=row["count"])
        for row in activities
    )
    report.pmks_reached = {str(key): int(value) for key, value in pmks_reached.items() if value}
    report.obstacles, report.plan = obstacles, plan
    report.save(update_fields=["pmks_reached", "obstacles", "plan", "updated_at"])
    report.cases.set(cases)
    return report


@transaction.atomic
def submit_report(*, report: MonthlyReport, by) -> MonthlyReport:
    """Draft or returned -> submitted. Late when first submitted after the due date (a resubmission after a
    return keeps the first submission's mark)."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_editable:
        raise ValidationError(_("This report has already been submitted."))
    if not report.activities.exists():
        raise ValidationError(_("Add at least one activity before submitting."))
    again = report.state == ReportState.DIKEMBALIKAN
    now = timezone.now()
    if not again:
        report.is_late = timezone.localdate(now) > report.due_on
    report.state, report.submitted_at = ReportState.TERKIRIM, now
    report.save(update_fields=["state", "submitted_at", "is_late", "updated_at"])
    _step(report, ReportStepAction.RESUBMITTED if again else ReportStepAction.SUBMITTED, by)
    return report


def _review(report: MonthlyReport, by) -> MonthlyReport:
    if not may_review(by, report):
        raise PermissionDenied
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.state != ReportState.TERKIRIM:
        raise ValidationError(_("Only a submitted report can be approved or returned."))
    return report


@transaction.atomic
def approve_report(*, report: MonthlyReport, by) -> MonthlyReport:
    report = _review(report, by)
    report.state = ReportState.DISETUJUI
    report.save(update_fields=["state", "updated_at"])
    _step(report, ReportStepAction.APPROVED, by)
    return report


@transaction.atomic
def return_report(*, report: MonthlyReport, by, note: str) -> MonthlyReport:
    """Submitted -> returned, with a note saying what to correct (required)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what should be corrected.")})
    report = _review(report, by)
    report.state = ReportState.DIKEMBALIKAN
    report.save(update_fields=["state", "updated_at"])
    _step(report, ReportStepAction.RETURNED, by, note)
    return report


def pmks_rows(report: MonthlyReport) -> list[tuple[str, int]]:
    """(category, people reached) for the categories the report counts, in the categories' order."""
    reached = report.pmks_reached or {}
    categories = PmksCategory.objects.filter(number__in=[int(key) for key in reached])
    return [(f"{c.number}. {c.name}", reached[str(c.number)]) for c in categories]


def page_context(report: MonthlyReport) -> dict:
    """Everything a read-only report page shows (cases/_report_content.html)."""
    return {
        "report": report,
        "activities": report.activities.all(),
        "pmks_rows": pmks_rows(report),
        "cases": report.cases.select_related("category"),
        "steps": report.steps.select_related("by"),
        "photos": report.photos.all(),
    }


UNIT_STATE_LABELS = {
    "belum": _lazy("not yet"),
    ReportState.DRAF: _lazy("draft"),
    ReportState.TERKIRIM: _lazy("submitted"),
    "terlambat": _lazy("late"),
    ReportState.DISETUJUI: _lazy("approved"),
    ReportState.DIKEMBALIKAN: _lazy("returned"),
}


def unit_month_rows(unit, month: datetime.date) -> list[dict]:
    """The unit's active PSM with their report for `month` (two queries) and its state for the list:
    not yet / draft / submitted / late / approved / returned ("late": submitted late, or past the due date
    and still not submitted)."""
    members = list(unit.members.active().order_by("full_name", "pk"))
    by_member = {
        report.member_id: report
        for report in MonthlyReport.objects.filter(member__in=members, month=month).only(
            "pk", "member_id", "state", "is_late", "due_on", "on_paper", "month"
        )
    }
    today = timezone.localdate()
    due = None
    rows = []
    for member in members:
        report = by_member.get(member.pk)
        if report is None:
            due = due or due_date(member, month)
            state = "terlambat" if today > due else "belum"
        elif (report.state == ReportState.TERKIRIM and report.is_late) or (
            report.state == ReportState.DRAF and today > report.due_on
        ):
            state = "terlambat"
        else:
            state = report.state
        rows.append(
            {
                "member": member,
                "report": report,
                "state": state,
                "label": UNIT_STATE_LABELS[state],
                "editable": report is None or report.is_editable,
            }
        )
    return rows


# --- Evidence photos -----------------------------------------------------------------------------------

MAX_PHOTOS = 3
PHOTO_MAX_SIDE = 1280  # pixels: enough to see what was done, small enough for a phone's data plan


def clean_report_photo(file) -> CleanImage:
    """Checked by content, resized, drawn anew from its pixels: no EXIF, no GPS location (ipsm.lib.images)."""
    return clean_image(file, max_side=PHOTO_MAX_SIDE, max_bytes=settings.IMAGE_MAX_UPLOAD_BYTES)


@transaction.atomic
def add_report_photo(*, report: MonthlyReport, image: CleanImage, by) -> ReportPhoto:
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_editable:
        raise ValidationError(_("This report can no longer be changed."))
    if report.photos.count() >= MAX_PHOTOS:
        raise ValidationError(_("A report has at most 3 photos. Remove one first."))
    photo = ReportPhoto(report=report, width=image.width, height=image.height, uploaded_by=by)
    photo.uploaded_at = timezone.now()
    photo.image.save(f"{uuid.uuid4().hex}{image.extension}", ContentFile(image.content), save=False)
    name = photo.image.name
    try:
        photo.save()
    except Exception:
        photo.image.storage.delete(name)
        raise
    return photo


@transaction.atomic
def remove_report_photos(*, report: MonthlyReport, photo_ids: Iterable[int], by) -> int:
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_editable:
        raise ValidationError(_("This report can no longer be changed."))
    photos = list(report.photos.filter(pk__in=list(photo_ids)))
    for photo in photos:
        storage, name = photo.image.storage, photo.image.name
        photo.delete()
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    return len(photos)
