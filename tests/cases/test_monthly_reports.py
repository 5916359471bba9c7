"""PSM monthly activity reports (cases/reports.py): the due date per kab/kota, late submission, the
transitions with every step kept, who may review, paper entry; and a PSM's own pages (ipsm/psm/reports.py)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import reports
from cases.models import MonthlyReport, ReportPhoto, ReportState, ReportStepAction
from ipsm import roles
from members.models import OfficeProfile
from tests import factories
from tests.printing.pictures import opened, phone_photo, upload


def _months_ago(n: int) -> datetime.date:
    day = timezone.localdate().replace(day=1)
    for _ in range(n):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


def _psm_user(member):
    user = factories.UserFactory(username=f"psm-{member.pk}")
    user.groups.add(Group.objects.get(name=roles.PSM))
    factories.AssignmentFactory(user=user, member=member)
    return user


@pytest.fixture
def psm(member_a):
    return _psm_user(member_a)


def _filled(report, by, **extra):
    return reports.save_report(
        report=report,
        activities=[{"kind": "kunjungan", "done_on": report.month, "count": 3}],
        pmks_reached={"24": 5},
        cases=[],
        obstacles="Hujan",
        plan="Kunjungan lanjutan",
        by=by,
        **extra,
    )


def _actions(report):
    return list(report.steps.values_list("action", flat=True))


# --- The rules (services) ------------------------------------------------------------------------------


def test_due_date_is_the_5th_of_next_month_by_default(member_a):
    assert reports.due_date(member_a, datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 5)


def test_due_day_is_set_per_kab_kota(member_a, member_b, magelang, unit_temanggung):
    OfficeProfile.objects.create(
        region=magelang["kota_magelang"],
        name="Dinas Sosial Kota Magelang",
        address="Jl. Sudirman 1",
        head_name="Drs. Budi",
        head_nip="197003151995031002",
        signing_city="Magelang",
        report_due_day=10,
    )
    other = factories.MemberFactory(unit=unit_temanggung)
    assert reports.due_date(member_a, datetime.date(2026, 11, 1)) == datetime.date(2026, 12, 10)
    assert reports.due_date(other, datetime.date(2026, 11, 1)) == datetime.date(2026, 12, 5)


def test_due_day_is_validated_1_to_28(magelang):
    profile = OfficeProfile(region=magelang["kota_magelang"], report_due_day=29)
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert "report_due_day" in error.value.message_dict


def test_no_report_for_a_month_to_come(member_a, psm):
    with pytest.raises(ValidationError):
        next_month = (_months_ago(0) + datetime.timedelta(days=31)).replace(day=1)
        reports.start_report(member=member_a, month=next_month, by=psm)


def test_submitted_on_time_is_not_late_and_read_only(member_a, psm):
    report = _filled(reports.start_report(member=member_a, month=_months_ago(0), by=psm), psm)
    report = reports.submit_report(report=report, by=psm)
    assert report.state == ReportState.TERKIRIM and not report.is_late
    with pytest.raises(ValidationError):
        _filled(report, psm)
    with pytest.raises(ValidationError):
        reports.submit_report(report=report, by=psm)


def test_submitted_after_due_date_is_marked_late(member_a, psm):
    report = _filled(reports.start_report(member=member_a, month=_months_ago(2), by=psm), psm)
    assert reports.submit_report(report=report, by=psm).is_late


def test_submit_needs_an_activity(member_a, psm):
    report = reports.start_report(member=member_a, month=_months_ago(0), by=psm)
    with pytest.raises(ValidationError):
        reports.submit_report(report=report, by=psm)
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAF


def test_returned_then_corrected_and_resubmitted_then_approved(member_a, psm, coordinator):
    report = _filled(reports.start_report(member=member_a, month=_months_ago(1), by=psm), psm)
    reports.submit_report(report=report, by=psm)
    with pytest.raises(ValidationError):
        reports.return_report(report=report, by=coordinator, note="  ")
    report = reports.return_report(report=report, by=coordinator, note="Tanggal kunjungan salah")
    assert report.state == ReportState.DIKEMBALIKAN and report.return_note() == "Tanggal kunjungan salah"
    _filled(report, psm)
    report = reports.submit_report(report=report, by=psm)
    report = reports.approve_report(report=report, by=coordinator)
    assert report.state == ReportState.DISETUJUI
    assert _actions(report) == [
        ReportStepAction.CREATED,
        ReportStepAction.SUBMITTED,
        ReportStepAction.RETURNED,
        ReportStepAction.RESUBMITTED,
        ReportStepAction.APPROVED,
    ]
    assert [step.by for step in report.steps.all()] == [psm, psm, coordinator, psm, coordinator]


def test_only_a_submitted_report_is_reviewed(member_a, psm, coordinator):
    report = reports.start_report(member=member_a, month=_months_ago(0), by=psm)
    with pytest.raises(ValidationError):
        reports.approve_report(report=report, by=coordinator)


def test_who_may_review(member_a, psm, coordinator, coordinator_b, staff, staff_other, viewer):
    report = _filled(reports.start_report(member=member_a, month=_months_ago(0), by=psm), psm)
    reports.submit_report(report=report, by=psm)
    assert reports.may_review(coordinator, report) and reports.may_review(staff, report)
    for user in (coordinator_b, staff_other, viewer, psm):
        assert not reports.may_review(user, report)
        with pytest.raises(PermissionDenied):
            reports.approve_report(report=report, by=user)
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.TERKIRIM


def test_staff_enter_a_report_from_paper(member_a, staff, coordinator, viewer, staff_other):
    for user in (coordinator, viewer, staff_other):
        with pytest.raises(PermissionDenied):
            reports.enter_report_on_paper(member=member_a, month=_months_ago(1), by=user)
    report = reports.enter_report_on_paper(member=member_a, month=_months_ago(1), by=staff)
    assert report.on_paper and report.entered_by == staff
    assert _actions(report) == [ReportStepAction.ON_PAPER]


def test_only_own_cases_can_be_listed(member_a, member_b, psm, magelang, staff):
    own = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], psm=member_a, created_by=staff)
    other = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], psm=member_b, created_by=staff)
    report = reports.start_report(member=member_a, month=_months_ago(0), by=psm)
    with pytest.raises(ValidationError):
        reports.save_report(
            report=report, activities=[], pmks_reached={}, cases=[own, other], obstacles="", plan="", by=psm
        )
    assert not report.cases.exists()


# --- A PSM's own pages (HTTP) ----------------------------------------------------------------------------


def _post(month: datetime.date, *, submit: bool, **extra) -> dict:
    data = {
        "kegiatan-TOTAL_FORMS": "3",
        "kegiatan-INITIAL_FORMS": "0",
        "kegiatan-MIN_NUM_FORMS": "0",
        "kegiatan-MAX_NUM_FORMS": "40",
        "kegiatan-0-kind": "kunjungan",
        "kegiatan-0-done_on": month.isoformat(),
        "kegiatan-0-count": "4",
        "pmks_24": "6",
        "obstacles": "Jalan rusak",
        "plan": "Pendataan RW 3",
        **extra,
    }
    data["kirim" if submit else "simpan"] = "1"
    return data


def _url(month: datetime.date) -> str:
    return reverse("psm:report", args=[f"{month:%Y-%m}"])


def test_psm_saves_a_draft_then_submits(client, member_a, psm, magelang, staff):
    case = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], psm=member_a, created_by=staff)
    client.force_login(psm)
    month = _months_ago(0)
    assert client.get(reverse("psm:reports")).status_code == 200
    page = client.get(_url(month)).content.decode()
    assert case.person_name in page and 'id="pmks-reached"' in page
    response = client.post(_url(month), _post(month, submit=False, cases=[str(case.pk)]))
    assert response.status_code == 302
    report = MonthlyReport.objects.get(member=member_a, month=month)
    assert report.state == ReportState.DRAF and report.pmks_reached == {"24": 6}
    assert list(report.cases.all()) == [case]
    assert list(report.activities.values_list("kind", "count")) == [("kunjungan", 4)]
    client.post(_url(month), _post(month, submit=True, cases=[str(case.pk)]))
    report.refresh_from_db()
    assert report.state == ReportState.TERKIRIM and not report.is_late
    page = client.get(_url(month)).content.decode()
    assert 'id="report-form"' not in page and "Jalan rusak" in page
    # Read-only now: a POST changes nothing.
    client.post(_url(month), _post(month, submit=False, obstacles="Diubah"))
    report.refresh_from_db()
    assert report.obstacles == "Jalan rusak"
    assert f"{month:%Y-%m}" in client.get(reverse("psm:reports")).content.decode()


def test_submit_without_activity_saves_nothing(client, member_a, psm):
    client.force_login(psm)
    month = _months_ago(0)
    data = _post(
        month, submit=True, **{"kegiatan-0-kind": "", "kegiatan-0-done_on": "", "kegiatan-0-count": ""}
    )
    response = client.post(_url(month), data)
    assert response.status_code == 200 and 'id="report-errors"' in response.content.decode()
    assert not MonthlyReport.objects.exists()


def test_activity_row_outside_the_month_or_half_filled_is_refused(client, member_a, psm):
    client.force_login(psm)
    month = _months_ago(1)
    wrong_day = _months_ago(2).isoformat()
    response = client.post(_url(month), _post(month, submit=False, **{"kegiatan-0-done_on": wrong_day}))
    assert response.status_code == 200
    response = client.post(_url(month), _post(month, submit=False, **{"kegiatan-1-count": "2"}))
    assert response.status_code == 200
    assert not MonthlyReport.objects.exists()


def test_other_members_case_cannot_be_picked(client, member_a, member_b, psm, magelang, staff):
    other = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], psm=member_b, created_by=staff)
    client.force_login(psm)
    month = _months_ago(0)
    response = client.post(_url(month), _post(month, submit=False, cases=[str(other.pk)]))
    assert response.status_code == 200
    assert not MonthlyReport.objects.exists()


def test_psm_sees_only_their_own_reports(client, member_a, member_b, psm):
    other = _psm_user(member_b)
    month = _months_ago(1)
    report = _filled(reports.start_report(member=member_b, month=month, by=other), other)
    client.force_login(psm)
    assert report.obstacles not in client.get(reverse("psm:reports")).content.decode()
    client.post(_url(month), _post(month, submit=False))
    assert MonthlyReport.objects.get(pk=report.pk).obstacles == "Hujan"
    assert MonthlyReport.objects.get(member=member_a).obstacles == "Jalan rusak"


def test_returned_report_shows_the_note_and_is_editable_again(client, member_a, psm, coordinator):
    month = _months_ago(1)
    report = _filled(reports.start_report(member=member_a, month=month, by=psm), psm)
    reports.submit_report(report=report, by=psm)
    reports.return_report(report=report, by=coordinator, note="Lengkapi jumlah PMKS")
    client.force_login(psm)
    page = client.get(_url(month)).content.decode()
    assert "Lengkapi jumlah PMKS" in page and 'id="report-form"' in page
    client.post(_url(month), _post(month, submit=True))
    report.refresh_from_db()
    assert report.state == ReportState.TERKIRIM
    assert report.steps.last().action == ReportStepAction.RESUBMITTED


@pytest.mark.parametrize("month", ["2026-13", "1999-01", "abc", "2026-1"])
def test_bad_or_future_month_is_404(client, psm, month):
    client.force_login(psm)
    assert client.get(reverse("psm:report", args=[month])).status_code == 404
    next_month = (_months_ago(0) + datetime.timedelta(days=31)).replace(day=1)
    assert client.get(_url(next_month)).status_code == 404


def test_other_roles_are_refused(client, coordinator, staff):
    for user in (coordinator, staff):
        client.force_login(user)
        assert client.get(reverse("psm:reports")).status_code == 403
        assert client.get(_url(_months_ago(0))).status_code == 403


# --- The unit's reports, as its coordinator and staff see them (HTTP) ------------------------------------


def _submitted(member, user, month):
    return reports.submit_report(
        report=_filled(reports.start_report(member=member, month=month, by=user), user), by=user
    )


def test_unit_page_links_to_the_reports(client, unit_a, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("members:unit_detail", args=[unit_a.pk])).content.decode()
    assert reverse("cases:unit_reports", args=[unit_a.pk]) in page


def test_unit_list_shows_each_active_psm_state(
    client, unit_a, member_a, psm, coordinator, staff, django_assert_max_num_queries
):
    month = _months_ago(2)
    late = factories.MemberFactory(unit=unit_a, full_name="Belum Kirim")
    draft_member = factories.MemberFactory(unit=unit_a, full_name="Masih Draf")
    approved_member = factories.MemberFactory(unit=unit_a, full_name="Sudah Setuju")
    _submitted(member_a, psm, month)  # late: two months ago
    reports.start_report(member=draft_member, month=month, by=staff)
    reports.approve_report(report=_submitted(approved_member, staff, month), by=coordinator)
    client.force_login(coordinator)
    url = reverse("cases:unit_reports", args=[unit_a.pk]) + f"?bulan={month:%Y-%m}"
    with django_assert_max_num_queries(12):
        response = client.get(url)
    page = response.content.decode()
    assert page.count('data-state="terlambat"') == 3  # not sent, draft past due, sent late
    assert page.count('data-state="disetujui"') == 1
    assert late.full_name in page


def test_coordinator_returns_then_approves_after_resubmission(client, member_a, psm, coordinator):
    report = _submitted(member_a, psm, _months_ago(1))
    client.force_login(coordinator)
    assert "Hujan" in client.get(reverse("cases:report", args=[report.pk])).content.decode()
    client.post(reverse("cases:report_return", args=[report.pk]), {"note": ""})
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.TERKIRIM  # a note is required
    client.post(reverse("cases:report_return", args=[report.pk]), {"note": "Tambah foto"})
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DIKEMBALIKAN
    reports.submit_report(report=report, by=psm)
    client.post(reverse("cases:report_approve", args=[report.pk]))
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DISETUJUI
    page = client.get(reverse("cases:report", args=[report.pk])).content.decode()
    assert "Tambah foto" in page and 'id="approve-report"' not in page


def test_other_unit_coordinator_gets_404_and_viewer_403(
    client, member_a, psm, coordinator_b, staff_other, viewer
):
    report = _submitted(member_a, psm, _months_ago(1))
    for user in (coordinator_b, staff_other):
        client.force_login(user)
        assert client.get(reverse("cases:report", args=[report.pk])).status_code == 404
        assert client.post(reverse("cases:report_approve", args=[report.pk])).status_code == 404
    client.force_login(viewer)
    page = client.get(reverse("cases:report", args=[report.pk]))
    assert page.status_code == 200 and 'id="approve-report"' not in page.content.decode()
    assert client.post(reverse("cases:report_approve", args=[report.pk])).status_code == 403
    assert client.post(reverse("cases:report_return", args=[report.pk]), {"note": "x"}).status_code == 403
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.TERKIRIM


def test_staff_enter_a_paper_report_and_submit_it(client, unit_a, member_a, staff):
    month = _months_ago(1)
    client.force_login(staff)
    page = client.get(reverse("cases:unit_reports", args=[unit_a.pk]) + f"?bulan={month:%Y-%m}").content
    url = reverse("cases:report_paper", args=[member_a.pk, f"{month:%Y-%m}"])
    assert url in page.decode()
    response = client.post(url, _post(month, submit=True))
    report = MonthlyReport.objects.get(member=member_a, month=month)
    assert response.status_code == 302 and report.on_paper and report.entered_by == staff
    assert report.state == ReportState.TERKIRIM
    assert _actions(report) == [ReportStepAction.ON_PAPER, ReportStepAction.SUBMITTED]
    assert "Jalan rusak" in client.get(reverse("cases:report", args=[report.pk])).content.decode()


def test_coordinator_and_viewer_may_not_enter_paper_reports(client, unit_a, member_a, coordinator, viewer):
    url = reverse("cases:report_paper", args=[member_a.pk, f"{_months_ago(1):%Y-%m}"])
    for user in (coordinator, viewer):
        client.force_login(user)
        assert url not in client.get(reverse("cases:unit_reports", args=[unit_a.pk])).content.decode()
        assert client.post(url, _post(_months_ago(1), submit=False)).status_code == 403
    assert not MonthlyReport.objects.exists()


def test_staff_set_the_due_day_on_the_office_profile(client, magelang, member_a, staff):
    url = reverse("members:office", args=[magelang["kota_magelang"].code])
    data = {
        "name": "Dinas Sosial Kota Magelang",
        "address": "Jl. Veteran No. 7",
        "head_name": "Drs. Bambang Sutrisno",
        "head_nip": "197003151995031002",
        "head_title": "Kepala Dinas Sosial",
        "signing_city": "Magelang",
        "card_validity_years": "5",
    }
    client.force_login(staff)
    assert client.post(url, {**data, "report_due_day": "29"}).status_code == 200
    assert not OfficeProfile.objects.exists()
    client.post(url, {**data, "report_due_day": "12"})
    assert reports.due_date(member_a, datetime.date(2026, 11, 1)) == datetime.date(2026, 12, 12)


# --- Evidence photos -----------------------------------------------------------------------------------


def _with_photo(month, data: bytes, name="foto.jpg", **extra) -> dict:
    return {**_post(month, submit=False, **extra), "photo": upload(data, name)}


def test_photo_is_stripped_resized_and_served_only_to_who_sees_the_report(
    client, member_a, psm, coordinator, coordinator_b, viewer
):
    month = _months_ago(0)
    client.force_login(psm)
    assert client.post(_url(month), _with_photo(month, phone_photo())).status_code == 302
    photo = ReportPhoto.objects.get()
    stored = opened(photo.image.read())
    assert max(stored.size) <= reports.PHOTO_MAX_SIDE
    assert not stored.getexif() and b"GPS" not in photo.image.open("rb").read()
    own = client.get(reverse("psm:report_photo", args=[photo.pk]))
    assert own.status_code == 200 and own["Content-Type"] == "image/jpeg"
    assert reverse("psm:report_photo", args=[photo.pk]) in client.get(_url(month)).content.decode()
    for user, status in ((coordinator, 200), (viewer, 200), (coordinator_b, 404)):
        client.force_login(user)
        assert client.get(reverse("cases:report_photo", args=[photo.pk])).status_code == status


def test_other_psm_cannot_get_the_photo(client, member_a, member_b, psm):
    month = _months_ago(0)
    client.force_login(psm)
    client.post(_url(month), _with_photo(month, phone_photo()))
    photo = ReportPhoto.objects.get()
    client.force_login(_psm_user(member_b))
    assert client.get(reverse("psm:report_photo", args=[photo.pk])).status_code == 404


def test_not_an_image_or_too_large_is_refused_and_nothing_saved(client, member_a, psm, settings):
    month = _months_ago(0)
    client.force_login(psm)
    response = client.post(_url(month), _with_photo(month, b"%PDF-1.4 bukan foto", "foto.jpg"))
    assert response.status_code == 200 and 'id="report-form"' in response.content.decode()
    settings.IMAGE_MAX_UPLOAD_BYTES = 1000
    response = client.post(_url(month), _with_photo(month, phone_photo()))
    assert response.status_code == 200
    assert not MonthlyReport.objects.exists() and not ReportPhoto.objects.exists()


def test_at_most_three_photos_and_one_can_be_removed(client, member_a, psm):
    month = _months_ago(0)
    client.force_login(psm)
    for _ in range(3):
        assert client.post(_url(month), _with_photo(month, phone_photo())).status_code == 302
    assert client.post(_url(month), _with_photo(month, phone_photo())).status_code == 200
    assert ReportPhoto.objects.count() == 3
    first = ReportPhoto.objects.first()
    data = _with_photo(month, phone_photo(), remove_photos=[str(first.pk)])
    assert client.post(_url(month), data).status_code == 302
    assert ReportPhoto.objects.count() == 3 and not ReportPhoto.objects.filter(pk=first.pk).exists()


def test_merging_records_moves_the_reports_of_months_the_survivor_lacks(member_a, staff):
    from members import services as member_services

    twin = factories.MemberFactory(unit=member_a.unit)
    both, only_twin = _months_ago(1), _months_ago(2)
    own = reports.start_report(member=member_a, month=both, by=staff)
    kept_apart = reports.start_report(member=twin, month=both, by=staff)
    moved = reports.start_report(member=twin, month=only_twin, by=staff)
    member_services.merge_members(survivor=member_a, merged=twin, by=staff)
    assert MonthlyReport.objects.get(pk=moved.pk).member == member_a
    assert MonthlyReport.objects.get(pk=own.pk).member == member_a
    assert MonthlyReport.objects.get(pk=kept_apart.pk).member == twin
