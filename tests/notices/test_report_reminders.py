"""The monthly report reminders of the daily run (ipsm/notices/services.py): a PSM's report for last month
due within 3 days, then overdue; a coordinator's submitted reports waiting for review, at most weekly."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import MonthlyReport, ReportState
from ipsm import roles
from ipsm.models import Delivery, Notice, NoticeKind
from ipsm.notices import services
from members.models import InactiveReason, MemberStatus, OfficeProfile
from tests import factories

MAY = datetime.date(2026, 5, 1)  # reports for May are due on 5 June by default


def _day(month: int, day: int) -> datetime.date:
    return datetime.date(2026, month, day)


def _run(day: datetime.date) -> dict[str, int]:
    """The daily run (the command's and the worker's), as it runs at 07:00 on `day`."""
    now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(7)))
    return services.run_reminders(now)


def _psm(unit, **user_fields):
    member = factories.MemberFactory(unit=unit)
    user = factories.UserFactory(username=f"psm-{member.pk}", **user_fields)
    user.groups.add(Group.objects.get(name=roles.PSM))
    factories.AssignmentFactory(user=user, member=member)
    return user


def _report(user, month=MAY, state=ReportState.DRAF, due_on=None):
    return MonthlyReport.objects.create(
        member=user.assignment.member, month=month, state=state, due_on=due_on or _day(month.month + 1, 5)
    )


def _notices(kind):
    return Notice.objects.filter(kind=kind).order_by("pk")


@pytest.fixture
def psm(unit_a):
    return _psm(unit_a, email="psm@example.com")


def test_due_soon_from_3_days_before_the_due_date_once(psm):
    _run(_day(6, 1))
    assert not _notices(NoticeKind.REPORT_DUE).exists()

    _run(_day(6, 2))
    _run(_day(6, 5))

    notice = _notices(NoticeKind.REPORT_DUE).get()
    assert notice.user == psm
    assert notice.title == "Laporan Anda untuk Mei 2026 harus dikirim paling lambat 5 Juni 2026"
    assert notice.link == reverse("psm:report", args=["2026-05"]) == "/saya/laporan/2026-05/"
    assert not _notices(NoticeKind.REPORT_OVERDUE).exists()


def test_the_reminder_is_e_mailed_with_its_link(psm):
    _run(_day(6, 3))
    delivery = Delivery.objects.get(notice__kind=NoticeKind.REPORT_DUE)
    assert delivery.address == "psm@example.com"
    (message,) = mail.outbox
    assert message.to == ["psm@example.com"] and "/saya/laporan/2026-05/" in message.body


def test_without_e_mail_the_reminder_stays_in_the_app(unit_a):
    user = _psm(unit_a)
    _run(_day(6, 3))
    assert _notices(NoticeKind.REPORT_DUE).get().user == user
    assert not Delivery.objects.exists()


def test_overdue_the_day_after_the_due_date_once_per_month(psm):
    _run(_day(6, 5))
    _run(_day(6, 6))
    _run(_day(6, 20))
    overdue = _notices(NoticeKind.REPORT_OVERDUE).get()
    assert overdue.user == psm
    assert overdue.title == "Laporan Anda untuk Mei 2026 sudah lewat batas waktu 5 Juni 2026"
    assert overdue.link == "/saya/laporan/2026-05/"

    # In July only June's report is reminded of: May's is not repeated, however late.
    _run(_day(7, 1))
    assert _notices(NoticeKind.REPORT_OVERDUE).count() == 1
    _run(_day(7, 2))
    assert _notices(NoticeKind.REPORT_DUE).last().link == "/saya/laporan/2026-06/"
    _run(_day(7, 6))
    assert list(_notices(NoticeKind.REPORT_OVERDUE).values_list("link", flat=True)) == [
        "/saya/laporan/2026-05/",
        "/saya/laporan/2026-06/",
    ]


def test_the_kab_kota_due_day_moves_the_reminders(psm, magelang):
    OfficeProfile.objects.create(
        region=magelang["kota_magelang"],
        name="Dinas Sosial Kota Magelang",
        address="Jl. Sudirman 1",
        head_name="Drs. Budi",
        head_nip="197003151995031002",
        signing_city="Magelang",
        report_due_day=10,
    )
    _run(_day(6, 6))
    assert not Notice.objects.filter(kind__in=[NoticeKind.REPORT_DUE, NoticeKind.REPORT_OVERDUE]).exists()
    _run(_day(6, 7))
    assert "10 Juni 2026" in _notices(NoticeKind.REPORT_DUE).get().title
    _run(_day(6, 10))
    assert not _notices(NoticeKind.REPORT_OVERDUE).exists()
    _run(_day(6, 11))
    assert _notices(NoticeKind.REPORT_OVERDUE).get().user == psm


def test_a_started_report_keeps_its_own_due_date(psm):
    _report(psm, due_on=_day(6, 12))
    _run(_day(6, 6))
    assert not _notices(NoticeKind.REPORT_OVERDUE).exists()
    _run(_day(6, 9))
    assert "12 Juni 2026" in _notices(NoticeKind.REPORT_DUE).get().title


@pytest.mark.parametrize("state", [ReportState.DRAF, ReportState.DIKEMBALIKAN])
def test_a_draft_or_returned_report_is_still_reminded_of(psm, state):
    _report(psm, state=state)
    _run(_day(6, 4))
    _run(_day(6, 8))
    assert _notices(NoticeKind.REPORT_DUE).get().user == psm
    assert _notices(NoticeKind.REPORT_OVERDUE).get().user == psm


@pytest.mark.parametrize("state", [ReportState.TERKIRIM, ReportState.DISETUJUI])
def test_a_submitted_or_approved_report_is_not_reminded_of(psm, state):
    _report(psm, state=state)
    _run(_day(6, 4))
    _run(_day(6, 8))
    assert not Notice.objects.filter(kind__in=[NoticeKind.REPORT_DUE, NoticeKind.REPORT_OVERDUE]).exists()


def test_no_reminder_for_an_inactive_member_or_user_or_a_member_since_this_month(unit_a):
    inactive_member = _psm(unit_a)
    member = inactive_member.assignment.member
    member.status, member.status_reason = MemberStatus.NONAKTIF, InactiveReason.PINDAH_DOMISILI
    member.save(update_fields=["status", "status_reason"])
    _psm(unit_a, is_active=False)
    newcomer = _psm(unit_a)
    newcomer.assignment.member.joined_on = _day(6, 1)
    newcomer.assignment.member.save(update_fields=["joined_on"])
    factories.MemberFactory(unit=unit_a)  # no account: nobody to remind

    _run(_day(6, 4))
    _run(_day(6, 8))

    assert not Notice.objects.filter(kind__in=[NoticeKind.REPORT_DUE, NoticeKind.REPORT_OVERDUE]).exists()


def test_the_notice_speaks_the_psm_s_language(psm):
    from ipsm.models import LanguagePreference

    LanguagePreference.objects.create(user=psm, language="en")
    _run(_day(6, 8))
    assert (
        _notices(NoticeKind.REPORT_OVERDUE).get().title == "Your report for May 2026 was due on 5 June 2026"
    )


# --- Reports waiting for review ---------------------------------------------------------------------------


def test_a_coordinator_is_told_of_the_reports_waiting_at_most_weekly(
    unit_a, unit_b, coordinator, coordinator_b
):
    first, second = _psm(unit_a), _psm(unit_a)
    _report(first, state=ReportState.TERKIRIM)
    _report(second, month=datetime.date(2026, 4, 1), state=ReportState.TERKIRIM)
    _report(_psm(unit_a), state=ReportState.DISETUJUI)
    _report(_psm(unit_b), state=ReportState.DRAF)  # unit B: nothing submitted

    _run(_day(6, 8))  # a Monday
    _run(_day(6, 14))  # the same ISO week's Sunday

    notice = _notices(NoticeKind.REPORTS_TO_REVIEW).get()
    assert notice.user == coordinator
    assert notice.title == f"2 laporan bulanan {unit_a} menunggu pemeriksaan Anda"
    url = reverse("cases:unit_reports", args=[unit_a.pk])
    assert url == f"/unit/{unit_a.pk}/laporan/"
    assert notice.link == f"{url}?bulan=2026-04"  # the month waiting longest
    # The next week, one more while reports still wait; none once they are all reviewed.
    _run(_day(6, 15))
    assert _notices(NoticeKind.REPORTS_TO_REVIEW).count() == 2
    assert _notices(NoticeKind.REPORTS_TO_REVIEW).last().title.startswith("2 laporan")
    MonthlyReport.objects.filter(state=ReportState.TERKIRIM).update(state=ReportState.DISETUJUI)
    _run(_day(6, 22))
    assert _notices(NoticeKind.REPORTS_TO_REVIEW).count() == 2


def test_an_inactive_coordinator_is_not_told(unit_a, coordinator):
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    _report(_psm(unit_a), state=ReportState.TERKIRIM)
    _run(_day(6, 8))
    assert not _notices(NoticeKind.REPORTS_TO_REVIEW).exists()


# --- A fixed number of queries however many PSM ---------------------------------------------------------


def _queries(reminders, day: datetime.date) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        count = len(list(reminders(day)))
    return len(context.captured_queries), count


@pytest.mark.parametrize(
    ("reminders", "day"),
    [
        (services.report_due_reminders, _day(6, 4)),
        (services.report_overdue_reminders, _day(6, 8)),
        (services.review_reminders, _day(6, 8)),
    ],
)
def test_queries_do_not_grow_with_the_number_of_psm(
    reminders, day, unit_a, unit_b, coordinator, coordinator_b
):
    def add_psm(n: int) -> None:
        for i in range(n):
            user = _psm(unit_a if i % 2 else unit_b)
            if i % 3 == 0:
                _report(user, state=ReportState.DRAF)  # one with a started report, the others none
            _report(user, month=datetime.date(2026, 4, 1), state=ReportState.TERKIRIM)

    add_psm(2)
    few, reminded_few = _queries(reminders, day)
    add_psm(8)
    many, reminded_many = _queries(reminders, day)

    assert reminded_many >= reminded_few > 0
    assert few == many <= 2
