"""Notices and reminders: what a user should act on, in the app (the bell, /pemberitahuan/) and by e-mail.

- `notify` records a notice for a user (once per situation, see Notice.key) and, when the user has an e-mail
  address, a Delivery to send;
- `send_pending` sends the deliveries that are due and records each attempt's outcome: a failure keeps its
  error and is tried again later (backoff), up to MAX_ATTEMPTS, then stays `failed` in the admin;
- `remind` computes today's reminders (coordinators: their unit's roster, its board terms, the monthly
  reports waiting for their review, at most weekly; PSM: last month's report due within 3 days, then
  overdue; staff: a monthly digest of their kab/kota): one function per kind in REMINDERS, each yielding
  Reminders in a fixed number of queries however many users. A new reminder is one more NoticeKind and one
  more function in that list.

Run daily by `manage.py send_reminders` (docs/deploy/ipsm-reminders.timer).
"""

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import reports
from cases.models import MonthlyReport, ReportState
from ipsm import roles
from ipsm.models import Delivery, DeliveryStatus, LanguagePreference, Notice, NoticeKind
from members.models import Assignment, BoardPosition, Member, Unit

logger = logging.getLogger(__name__)

# Attempts of one e-mail before it is left `failed` (the admin's "Kirim ulang" sends it again).
MAX_ATTEMPTS = 6
# Wait before the next attempt, after the 1st, 2nd, ... failure; the last wait repeats. At most a few hours,
# so that the next daily run retries whatever failed the day before.
RETRY_DELAYS = (
    datetime.timedelta(minutes=15),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=4),
    datetime.timedelta(hours=12),
)


@dataclass(frozen=True)
class Reminder:
    """One reminder for one user. `texts` gives (title, body), called in the user's language."""

    user: object
    kind: str
    key: str
    link: str
    texts: Callable[[], tuple[str, str]]


@transaction.atomic
def notify(*, user, kind: str, key: str, title: str, body: str = "", link: str = "") -> Notice | None:
    """Record the notice (and its e-mail when the user has an address); None if this user already has the
    notice for this situation."""
    notice, created = Notice.objects.get_or_create(
        user=user, kind=kind, key=key, defaults={"title": title, "body": body, "link": link}
    )
    if not created:
        return None
    if user.email:
        Delivery.objects.create(notice=notice, address=user.email)  # no next_attempt_at: at the next run
    return notice


def send_pending(now: datetime.datetime | None = None, *, deliveries=None) -> dict[str, int]:
    """Send the deliveries due at `now` (or those given); return how many were sent and how many failed."""
    now = now or timezone.now()
    if deliveries is None:
        due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        deliveries = Delivery.objects.filter(due, status=DeliveryStatus.PENDING)
    counts = {"sent": 0, "failed": 0}
    for pk in deliveries.order_by("pk").values_list("pk", flat=True):
        # One row locked at a time: a second run at the same moment (the timer and the worker's task) skips
        # the e-mail being sent rather than sending it twice.
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("notice")
                .filter(pk=pk, status=DeliveryStatus.PENDING)
                .first()
            )
            if delivery is not None:
                counts["sent" if _attempt(delivery, now) else "failed"] += 1
    return counts


def _attempt(delivery: Delivery, now: datetime.datetime) -> bool:
    notice = delivery.notice
    body = notice.body
    if notice.link:
        body = f"{body}\n\n{settings.SITE_URL}{notice.link}".strip()
    delivery.attempts += 1
    try:
        send_mail(subject=notice.title, message=body, from_email=None, recipient_list=[delivery.address])
    except Exception as error:  # noqa: BLE001 (any failure of the backend is recorded, never raised)
        logger.warning("E-mail delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
        delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + RETRY_DELAYS[min(delivery.attempts, len(RETRY_DELAYS)) - 1]
        delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        return False
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = now
    delivery.next_attempt_at = None
    delivery.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at"])
    return True


def resend(deliveries, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send failed deliveries again now (the admin's "Kirim ulang"), with a fresh count of attempts."""
    now = now or timezone.now()
    ids = list(deliveries.filter(status=DeliveryStatus.FAILED).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None
    )
    return send_pending(now, deliveries=Delivery.objects.filter(pk__in=ids))


def remind(today: datetime.date | None = None) -> int:
    """Create today's reminders for everyone they concern; return how many notices are new."""
    today = today or timezone.localdate()
    languages = dict(LanguagePreference.objects.values_list("user_id", "language"))
    created = 0
    for reminders in REMINDERS:
        for reminder in reminders(today):
            with translation.override(languages.get(reminder.user.pk, settings.LANGUAGE_CODE)):
                title, body = reminder.texts()
            notice = notify(
                user=reminder.user,
                kind=reminder.kind,
                key=reminder.key,
                title=title,
                body=body,
                link=reminder.link,
            )
            created += notice is not None
    return created


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def _coordinators(units) -> Iterator[Assignment]:
    return (
        Assignment.objects.filter(unit__in=units, user__is_active=True)
        .select_related("user", "unit__region")
        .order_by("pk")
    )


def roster_reminders(today: datetime.date) -> Iterator[Reminder]:
    """A coordinator whose unit's roster was not checked for 180 days (members.models Unit.roster_stale)."""
    for assignment in _coordinators(Unit.objects.roster_stale()):
        checked = assignment.unit.roster_confirmed_at
        yield Reminder(
            user=assignment.user,
            kind=NoticeKind.ROSTER_STALE,
            key=f"unit:{assignment.unit_id}:{checked.isoformat() if checked else 'never'}",
            link=reverse("members:unit_detail", args=[assignment.unit_id]),
            texts=partial(_roster_texts, assignment.unit),
        )


def _roster_texts(unit: Unit) -> tuple[str, str]:
    if unit.roster_confirmed_at is None:
        title = _("The roster of %(unit)s has never been checked") % {"unit": unit}
    else:
        day = _date(timezone.localdate(unit.roster_confirmed_at))
        title = _("The roster of %(unit)s was last checked on %(day)s") % {"unit": unit, "day": day}
    body = _(
        "A roster is checked at least every 180 days. Open the unit, go through its members and press "
        "“Confirm the roster is checked”."
    )
    return title, body


def board_reminders(today: datetime.date) -> Iterator[Reminder]:
    """A coordinator of a unit where a board seat's term ends within 90 days or has lapsed
    (members.models BoardPositionQuerySet.needing_attention)."""
    by_unit: dict[int, list[BoardPosition]] = {}
    for position in BoardPosition.objects.needing_attention(today).select_related("member").order_by("pk"):
        by_unit.setdefault(position.unit_id, []).append(position)
    if not by_unit:
        return
    for assignment in _coordinators(list(by_unit)):
        for position in by_unit[assignment.unit_id]:
            state = position.term_warning(today)  # "ending" or "lapsed"
            yield Reminder(
                user=assignment.user,
                kind=NoticeKind.BOARD_TERM,
                key=f"position:{position.pk}:{position.term_ends_on.isoformat()}:{state}",
                link=reverse("members:unit_detail", args=[assignment.unit_id]),
                texts=partial(_board_texts, position, assignment.unit, state),
            )


def _board_texts(position: BoardPosition, unit: Unit, state: str) -> tuple[str, str]:
    values = {
        "role": position.get_role_display(),
        "name": position.member.full_name,
        "unit": unit,
        "day": _date(position.term_ends_on),
    }
    if state == "lapsed":
        title = _("The term of %(role)s %(name)s (%(unit)s) ended on %(day)s") % values
    else:
        title = _("The term of %(role)s %(name)s (%(unit)s) ends on %(day)s") % values
    return title, _("Record the new board, or end the seat, on the unit page.")


def registry_digests(today: datetime.date) -> Iterator[Reminder]:
    """Once a month, each Dinas Sosial staff user: how many units of their kab/kota have a stale roster and
    how many board terms end within 90 days or have lapsed (the dashboard's registry alerts), if any."""
    assignments = (
        Assignment.objects.filter(region__isnull=False, user__is_active=True, user__groups__name=roles.STAFF)
        .select_related("user", "region")
        .order_by("pk")
    )
    for assignment in assignments:
        units = Unit.objects.visible_to(assignment.user).within(assignment.region.code)
        stale = units.roster_stale().count()
        ending = BoardPosition.objects.needing_attention(today).filter(unit__in=units).count()
        if stale or ending:
            yield Reminder(
                user=assignment.user,
                kind=NoticeKind.REGISTRY_DIGEST,
                key=f"region:{assignment.region.code}:{today:%Y-%m}",
                link=reverse("members:region", args=[assignment.region.code]),
                texts=partial(_digest_texts, assignment.region, stale, ending),
            )


def _digest_texts(region, stale: int, ending: int) -> tuple[str, str]:
    title = _("The registry of %(region)s: what to act on") % {"region": region}
    parts = []
    if stale:
        parts.append(
            ngettext(
                "%(counter)s unit has not checked its roster for more than 180 days.",
                "%(counter)s units have not checked their roster for more than 180 days.",
                stale,
            )
            % {"counter": stale}
        )
    if ending:
        parts.append(
            ngettext(
                "%(counter)s board term ends within 90 days or has lapsed.",
                "%(counter)s board terms end within 90 days or have lapsed.",
                ending,
            )
            % {"counter": ending}
        )
    return title, " ".join(parts)


# A PSM is reminded of last month's report from this many days before its due date.
REPORT_DUE_SOON_DAYS = 3


@dataclass(frozen=True)
class _PendingReport:
    """A PSM's report for a month, not submitted yet, and when it is due."""

    assignment: Assignment
    month: datetime.date
    due: datetime.date


def _pending_reports(today: datetime.date) -> Iterator[_PendingReport]:
    """Each active PSM with an account whose report for last month is not submitted (none yet, a draft or
    returned: MonthlyReport.is_editable), in two queries. The due date is the report's own when it was
    started (submit_report judges lateness by it), else the kab/kota's rule (cases.reports.due_days)."""
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    last_months_report = MonthlyReport.objects.filter(member=OuterRef("member_id"), month=month)
    assignments = (
        Assignment.objects.filter(
            member__isnull=False,
            user__is_active=True,
            member__in=Member.objects.active(),
            member__joined_on__lt=today.replace(day=1),  # a member since last month at least
        )
        .exclude(Exists(last_months_report.exclude(state__in=[ReportState.DRAF, ReportState.DIKEMBALIKAN])))
        .annotate(report_due_on=Subquery(last_months_report.values("due_on")[:1]))
        .select_related("user", "member__unit")
        .order_by("pk")
    )
    due_days = None
    for assignment in assignments:
        due = assignment.report_due_on
        if due is None:
            due_days = due_days if due_days is not None else reports.due_days()
            due = reports.due_on(month, due_days[assignment.member.unit.region_id[:5]])
        yield _PendingReport(assignment=assignment, month=month, due=due)


def _report_reminder(pending: _PendingReport, kind: str, texts: Callable) -> Reminder:
    return Reminder(
        user=pending.assignment.user,
        kind=kind,
        key=f"member:{pending.assignment.member_id}:{pending.month:%Y-%m}",
        link=reverse("psm:report", args=[f"{pending.month:%Y-%m}"]),
        texts=partial(texts, pending.month, pending.due),
    )


def report_due_reminders(today: datetime.date) -> Iterator[Reminder]:
    """A PSM whose report for last month is not submitted and is due within REPORT_DUE_SOON_DAYS days."""
    for pending in _pending_reports(today):
        if pending.due - datetime.timedelta(days=REPORT_DUE_SOON_DAYS) <= today <= pending.due:
            yield _report_reminder(pending, NoticeKind.REPORT_DUE, _report_due_texts)


def _report_due_texts(month: datetime.date, due: datetime.date) -> tuple[str, str]:
    values = {"month": formats.date_format(month, "F Y"), "day": _date(due)}
    title = _("Your report for %(month)s is due on %(day)s") % values
    body = _("Fill in your activities for %(month)s and submit the report by %(day)s.") % values
    return title, body


def report_overdue_reminders(today: datetime.date) -> Iterator[Reminder]:
    """A PSM whose report for last month is past its due date and not submitted (older months are not
    reminded of: one notice per month, never a flood)."""
    for pending in _pending_reports(today):
        if today > pending.due:
            yield _report_reminder(pending, NoticeKind.REPORT_OVERDUE, _report_overdue_texts)


def _report_overdue_texts(month: datetime.date, due: datetime.date) -> tuple[str, str]:
    values = {"month": formats.date_format(month, "F Y"), "day": _date(due)}
    title = _("Your report for %(month)s was due on %(day)s") % values
    body = _("The report for %(month)s has not been submitted yet. Submit it as soon as you can.") % values
    return title, body


def review_reminders(today: datetime.date) -> Iterator[Reminder]:
    """A coordinator of a unit with submitted reports waiting for review: at most once a week (the key
    names the ISO week) while any wait."""
    waiting = {
        row["member__unit_id"]: row
        for row in MonthlyReport.objects.filter(state=ReportState.TERKIRIM)
        .values("member__unit_id")
        .annotate(count=Count("pk"), oldest=Min("month"))
        .order_by()
    }
    if not waiting:
        return
    year, week, _weekday = today.isocalendar()
    for assignment in _coordinators(list(waiting)):
        row = waiting[assignment.unit_id]
        link = reverse("cases:unit_reports", args=[assignment.unit_id])
        yield Reminder(
            user=assignment.user,
            kind=NoticeKind.REPORTS_TO_REVIEW,
            key=f"unit:{assignment.unit_id}:{year}-W{week:02d}",
            link=f"{link}?bulan={row['oldest']:%Y-%m}",  # the month waiting longest
            texts=partial(_review_texts, assignment.unit, row["count"]),
        )


def _review_texts(unit: Unit, count: int) -> tuple[str, str]:
    title = ngettext(
        "%(counter)s monthly report of %(unit)s waits for your review",
        "%(counter)s monthly reports of %(unit)s wait for your review",
        count,
    ) % {"counter": count, "unit": unit}
    return title, _("Open each report, then approve it or return it with a note on what to correct.")


# The reminders `remind` computes, each a function of the day yielding Reminders.
REMINDERS: list[Callable[[datetime.date], Iterable[Reminder]]] = [
    roster_reminders,
    board_reminders,
    registry_digests,
    report_due_reminders,
    report_overdue_reminders,
    review_reminders,
]


def run_reminders(now: datetime.datetime | None = None) -> dict[str, int]:
    """The daily run (the command and the worker's task): today's reminders, then every e-mail due."""
    now = now or timezone.now()
    created = remind(timezone.localdate(now))
    return {"created": created, **send_pending(now)}
