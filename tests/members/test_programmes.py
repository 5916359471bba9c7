"""A unit's work programme (members/programmes.py, members/views/programmes.py, cases/programmes.py,
trainings/programmes.py): planning through the pages, realisation by a meeting, PSM reports, a training event
or by hand, % realised on the unit page and per region (constant queries), the export, the indicator."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import MonthlyReport, ReportActivity, ReportState
from cases.periods import Period
from ipsm.models import ExportLog
from members import meetings, programmes
from members.models import (
    Meeting,
    MeetingKind,
    Partner,
    ProgrammeActivity,
    RealisedBy,
    Region,
    WorkProgramme,
)
from tests import factories
from tests.trainings.conftest import make_event
from trainings import services as training_services
from trainings.indicators import indicator_report

# A year that has ended: every month of its programme is due.
YEAR = timezone.localdate().year - 1
D = datetime.date


def _plan(programme, title="Pertemuan rutin", kind="pertemuan", month=3, **fields) -> ProgrammeActivity:
    activity = ProgrammeActivity(
        programme=programme,
        title=title,
        kind=kind,
        month=month,
        funding=fields.pop("funding", "swadaya"),
        **fields,
    )
    return programmes.save_activity(activity=activity, by=None)


def _meeting(unit, by, day=None) -> Meeting:
    meeting = Meeting(unit=unit, region=unit.region, kind=MeetingKind.RUTIN, held_on=day or D(YEAR, 3, 12))
    meeting.place, meeting.agenda = "Balai Kelurahan", "Pembagian tugas"
    return meetings.create_meeting(meeting=meeting, by=by)


def _approved_report(member, month, kind, done_on, count=3, state=ReportState.DISETUJUI) -> MonthlyReport:
    report = MonthlyReport.objects.create(
        member=member,
        month=month,
        state=state,
        due_on=month.replace(day=28) + datetime.timedelta(days=10),
        submitted_at=timezone.now(),
    )
    ReportActivity.objects.create(report=report, kind=kind, done_on=done_on, count=count)
    return report


@pytest.fixture
def programme(unit_a, coordinator):
    return programmes.start_programme(unit=unit_a, year=YEAR, by=coordinator)


# --- Planning --------------------------------------------------------------------------------------------


def test_coordinator_starts_a_programme_and_plans_an_activity_on_the_pages(as_user, coordinator, unit_a):
    client = as_user(coordinator)
    page = client.get(reverse("programmes:unit", args=[unit_a.pk, YEAR]))
    assert page.status_code == 200 and 'id="no-programme"' in page.content.decode()

    response = client.post(reverse("programmes:start", args=[unit_a.pk, YEAR]))
    programme = WorkProgramme.objects.get(unit=unit_a, year=YEAR)
    assert response.url == reverse("programmes:unit", args=[unit_a.pk, YEAR])
    assert programme.created_by == coordinator

    form = {"title": "Kunjungan lansia", "kind": "kunjungan", "month": "5", "target": "30 lansia RW 03"}
    form |= {"funding": "dana_desa", "budget": "1500000"}
    response = client.post(reverse("programmes:activity_add", args=[programme.pk]), form)
    assert response.status_code == 302
    activity = programme.activities.get()
    assert (activity.title, activity.month, activity.budget, activity.is_realised) == (
        "Kunjungan lansia",
        5,
        1500000,
        False,
    )
    assert activity.history.latest().history_user == coordinator

    page = client.get(reverse("programmes:unit", args=[unit_a.pk, YEAR])).content.decode()
    assert "Kunjungan lansia" in page and "30 lansia RW 03" in page
    # The year has ended and nothing realised it: overdue, 0 of 1.
    assert "list-group-item-danger" in page
    assert "0 dari 1 kegiatan yang direncanakan terlaksana (0%)" in page


def test_a_second_start_is_refused_and_far_years_are_not_pages(as_user, coordinator, unit_a, programme):
    client = as_user(coordinator)
    response = client.post(reverse("programmes:start", args=[unit_a.pk, YEAR]), follow=True)
    assert f"sudah memiliki program kerja untuk {YEAR}" in response.content.decode()
    assert WorkProgramme.objects.filter(unit=unit_a).count() == 1
    far = timezone.localdate().year + 2
    assert client.get(reverse("programmes:unit", args=[unit_a.pk, far])).status_code == 404
    assert client.post(reverse("programmes:start", args=[unit_a.pk, far])).status_code == 404
    assert client.get(reverse("programmes:unit", args=[unit_a.pk, 1999])).status_code == 404


def test_last_years_activities_are_planned_again_unrealised(as_user, coordinator, unit_a, programme):
    _plan(programme, month=2)
    done = _plan(programme, title="Sosialisasi", kind="sosialisasi", month=6)
    programmes.realise_by_hand(activity=done, on=D(YEAR, 6, 2), note="Balai RW 2", by=coordinator)

    as_user(coordinator).post(reverse("programmes:start", args=[unit_a.pk, YEAR + 1]), {"copy": "on"})

    new = WorkProgramme.objects.get(unit=unit_a, year=YEAR + 1)
    copied = list(new.activities.values_list("title", "month", "realised_on"))
    assert copied == [("Pertemuan rutin", 2, None), ("Sosialisasi", 6, None)]
    assert {row.history_user for row in ProgrammeActivity.history.filter(programme=new)} == {coordinator}


def test_bad_activities_are_refused_with_a_message_and_nothing_saved(
    as_user, staff, unit_a, programme, magelang
):
    client = as_user(staff)
    url = reverse("programmes:activity_add", args=[programme.pk])
    response = client.post(
        url, {"title": "CSR sembako", "kind": "lainnya", "month": "13", "funding": "mitra"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "13 bukan salah satu dari pilihan" in body
    response = client.post(url, {"title": "CSR sembako", "kind": "lainnya", "month": "8", "funding": "mitra"})
    assert response.status_code == 400
    assert "Pilih mitra yang mendanainya." in response.content.decode()
    assert not programme.activities.exists()

    # A partner of another kab/kota: the form does not offer it, and the rule refuses it on any path.
    elsewhere = Partner.objects.create(region=magelang["temanggung"], name="PT Lain", sector="dunia_usaha")
    activity = ProgrammeActivity(
        programme=programme, title="CSR", kind="lainnya", month=8, funding="mitra", partner=elsewhere
    )
    with pytest.raises(ValidationError) as refused:
        programmes.save_activity(activity=activity, by=staff)
    assert "partner" in refused.value.message_dict
    ours = Partner.objects.create(
        region=magelang["kota_magelang"], name="PT Sido Rukun", sector="dunia_usaha"
    )
    form = {"title": "CSR sembako", "kind": "lainnya", "month": "8", "funding": "mitra", "partner": ours.pk}
    assert client.post(url, form).status_code == 302
    assert programme.activities.get().partner == ours


def test_an_activity_is_edited_and_removed_with_its_history(as_user, coordinator, programme):
    activity = _plan(programme)
    client = as_user(coordinator)
    form = {"title": "Rapat pengurus", "kind": "pertemuan", "month": "4", "funding": "swadaya"}
    assert client.post(reverse("programmes:activity_edit", args=[activity.pk]), form).status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.month) == ("Rapat pengurus", 4)

    client.post(reverse("programmes:activity_remove", args=[activity.pk]))
    assert not ProgrammeActivity.objects.filter(pk=activity.pk).exists()
    removed = ProgrammeActivity.history.filter(id=activity.pk).latest()
    assert (removed.history_type, removed.history_user) == ("-", coordinator)


# --- Realisation -----------------------------------------------------------------------------------------


def test_a_meeting_of_the_unit_realises_a_planned_meeting(
    as_user, coordinator, unit_a, unit_b, staff, programme
):
    activity = _plan(programme)
    ours = _meeting(unit_a, coordinator)
    theirs = _meeting(unit_b, staff)
    client = as_user(coordinator)

    later = _meeting(unit_a, coordinator, day=D(YEAR, 8, 20))
    page = client.get(reverse("programmes:activity", args=[activity.pk])).content.decode()
    assert f'value="{ours.pk}"' in page and f'value="{theirs.pk}"' not in page
    # The meeting nearest the planned month (March) is chosen already; a past year's programme suggests
    # the middle of that month for "by hand".
    assert f'value="{ours.pk}" selected' in page and f'value="{later.pk}" selected' not in page
    assert f'value="{YEAR}-03-15"' in page

    url = reverse("programmes:realise", args=[activity.pk])
    response = client.post(url, {"sumber": "rapat", "ref": str(theirs.pk)}, follow=True)
    assert "Pilih rapat unit ini." in response.content.decode()
    activity.refresh_from_db()
    assert not activity.is_realised

    client.post(url, {"sumber": "rapat", "ref": str(ours.pk)})
    activity.refresh_from_db()
    assert (activity.realised_on, activity.realised_by, activity.meeting) == (
        ours.held_on,
        RealisedBy.MEETING,
        ours,
    )
    page = client.get(reverse("programmes:unit", args=[unit_a.pk, YEAR])).content.decode()
    assert "1 dari 1 kegiatan yang direncanakan terlaksana (100%)" in page


def test_approved_psm_reports_of_the_kind_realise_it(as_user, coordinator, unit_a, unit_b, programme):
    activity = _plan(programme, title="Kunjungan rumah lansia", kind="kunjungan", month=5)
    psm_a, psm_b = factories.MemberFactory(unit=unit_a), factories.MemberFactory(unit=unit_b)
    _approved_report(psm_a, D(YEAR, 5, 1), "kunjungan", D(YEAR, 5, 20), count=4)
    _approved_report(factories.MemberFactory(unit=unit_a), D(YEAR, 5, 1), "kunjungan", D(YEAR, 5, 9), count=2)
    # Not evidence: a report still waiting for review, another unit's, another kind.
    _approved_report(psm_a, D(YEAR, 6, 1), "kunjungan", D(YEAR, 6, 3), state=ReportState.TERKIRIM)
    _approved_report(psm_b, D(YEAR, 7, 1), "kunjungan", D(YEAR, 7, 3))
    _approved_report(psm_a, D(YEAR, 8, 1), "sosialisasi", D(YEAR, 8, 3))
    client = as_user(coordinator)

    page = client.get(reverse("programmes:activity", args=[activity.pk])).content.decode()
    assert f'value="{YEAR}-05"' in page
    assert all(f'value="{YEAR}-{month:02d}"' not in page for month in (6, 7, 8))

    url = reverse("programmes:realise", args=[activity.pk])
    response = client.post(url, {"sumber": "laporan", "ref": f"{YEAR}-07"}, follow=True)
    assert "Tidak ada laporan PSM yang disetujui" in response.content.decode()
    client.post(url, {"sumber": "laporan", "ref": f"{YEAR}-05"})
    activity.refresh_from_db()
    assert (activity.realised_on, activity.realised_by, activity.report_count) == (
        D(YEAR, 5, 20),
        RealisedBy.REPORTS,
        2,
    )
    assert "6" in activity.note  # 4 + 2 home visits


def test_a_training_event_with_the_units_members_realises_a_planned_training(
    as_user, staff, coordinator, unit_a, magelang
):
    programme = programmes.start_programme(unit=unit_a, year=2024, by=coordinator)
    activity = _plan(programme, title="Bimtek PSM baru", kind="pelatihan", month=5)
    event = make_event(magelang["kota_magelang"], by=staff)  # 6 May 2024
    other = make_event(magelang["kota_magelang"], by=staff, title="Bimtek lanjutan")
    training_services.invite_members(event=event, members=[factories.MemberFactory(unit=unit_a)], by=staff)
    client = as_user(coordinator)

    page = client.get(reverse("programmes:activity", args=[activity.pk])).content.decode()
    assert f'value="{event.pk}"' in page and f'value="{other.pk}"' not in page
    assert 'data-source="rapat"' not in page  # a meeting does not realise a training

    url = reverse("programmes:realise", args=[activity.pk])
    client.post(url, {"sumber": "pelatihan", "ref": str(other.pk)})
    activity.refresh_from_db()
    assert not activity.is_realised
    client.post(url, {"sumber": "pelatihan", "ref": str(event.pk)})
    activity.refresh_from_db()
    assert (activity.realised_on, activity.realised_by) == (event.starts_on, RealisedBy.EVENT)
    assert list(activity.events.all()) == [event]

    client.post(reverse("programmes:unrealise", args=[activity.pk]))
    activity.refresh_from_db()
    assert (activity.realised_on, activity.realised_by, list(activity.events.all())) == (None, "", [])


def test_by_hand_needs_a_note_and_a_day_of_the_programmes_year(as_user, coordinator, programme):
    activity = _plan(programme, title="Bakti sosial", kind="lainnya", month=9)
    client = as_user(coordinator)
    url = reverse("programmes:realise", args=[activity.pk])

    for day, note, message in (
        (D(YEAR, 9, 9), "", "Keterangan: Bidang ini tidak boleh kosong."),
        (D(YEAR + 1, 1, 2), "Balai desa", f"dilaksanakan dalam tahun {YEAR}"),
        (timezone.localdate() + datetime.timedelta(days=1), "Balai desa", "hari yang akan datang"),
    ):
        response = client.post(
            url, {"sumber": "manual", "realised_on": day.isoformat(), "note": note}, follow=True
        )
        assert message in response.content.decode()
        activity.refresh_from_db()
        assert not activity.is_realised

    client.post(url, {"sumber": "manual", "realised_on": f"{YEAR}-09-14", "note": "Foto di grup WA"})
    activity.refresh_from_db()
    assert (activity.realised_on, activity.realised_by, activity.note) == (
        D(YEAR, 9, 14),
        RealisedBy.HAND,
        "Foto di grup WA",
    )
    assert activity.history.latest().history_user == coordinator


def test_the_database_refuses_half_a_realisation(programme):
    activity = _plan(programme)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeActivity.objects.filter(pk=activity.pk).update(realised_on=D(YEAR, 3, 3))


# --- Figures ---------------------------------------------------------------------------------------------


@pytest.fixture
def region_programmes(magelang, unit_a, unit_b, coordinator):
    """Unit A: 1 of 4 realised; unit B: 2 of 2; a unit in another kecamatan: no programme."""
    a = programmes.start_programme(unit=unit_a, year=YEAR, by=coordinator)
    for month in (1, 2, 3, 4):
        _plan(a, month=month)
    programmes.realise_by_hand(activity=a.activities.first(), on=D(YEAR, 1, 8), note="x", by=None)
    b = programmes.start_programme(unit=unit_b, year=YEAR, by=None)
    for month in (5, 6):
        programmes.realise_by_hand(activity=_plan(b, month=month), on=D(YEAR, month, 8), note="x", by=None)
    other = factories.UnitFactory(region=magelang["magersari"])
    # Another year's programme is not counted (nor are its units counted twice).
    _plan(programmes.start_programme(unit=unit_a, year=YEAR - 1, by=None))
    return {"a": a, "b": b, "other": other}


def test_the_unit_page_shows_this_years_programme(as_user, coordinator, unit_a):
    year = timezone.localdate().year
    programme = programmes.start_programme(unit=unit_a, year=year, by=coordinator)
    _plan(programme, month=1)
    page = as_user(coordinator).get(reverse("members:unit_detail", args=[unit_a.pk])).content.decode()
    assert 'id="unit-programme"' in page
    assert "0 dari 1 kegiatan yang direncanakan terlaksana (0%)" in page
    assert reverse("programmes:unit", args=[unit_a.pk, year]) in page


def test_region_page_lists_lowest_share_first_down_to_units(as_user, staff, region_programmes, magelang):
    client = as_user(staff)
    kabkota = magelang["kota_magelang"].code
    page = client.get(reverse("programmes:region", args=[kabkota]), {"tahun": YEAR}).content.decode()
    assert "3 dari 6 kegiatan yang direncanakan terlaksana (50%)" in page
    assert "2 dari 3 unit memiliki program kerja." in page
    # The kab/kota's own IPSM unit is a row of its own, opening its programme.
    own = factories.UnitFactory(region=magelang["kota_magelang"])
    _plan(programmes.start_programme(unit=own, year=YEAR, by=None))
    page = client.get(reverse("programmes:region", args=[kabkota]), {"tahun": YEAR}).content.decode()
    assert "3 dari 4 unit memiliki program kerja." in page
    assert f'data-key="{kabkota}"' in page and reverse("programmes:unit", args=[own.pk, YEAR]) in page
    # Magelang Selatan (no programme) last; Magelang Tengah (3 of 6) first.
    tengah, selatan = magelang["magelang_tengah"].code, magelang["magelang_selatan"].code
    assert page.index(f'data-key="{tengah}"') < page.index(f'data-key="{selatan}"')

    page = client.get(reverse("programmes:region", args=[tengah]), {"tahun": YEAR}).content.decode()
    unit_a, unit_b = region_programmes["a"].unit, region_programmes["b"].unit
    assert page.index(f'data-key="{unit_a.region_id}"') < page.index(f'data-key="{unit_b.region_id}"')
    assert reverse("programmes:unit", args=[unit_a.pk, YEAR]) in page


def test_region_page_takes_the_same_queries_however_many_units(as_user, staff, region_programmes, magelang):
    client = as_user(staff)
    url = reverse("programmes:region", args=[magelang["kota_magelang"].code])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url, {"tahun": YEAR}).status_code == 200
    selatan = magelang["magelang_selatan"]
    for code in ("33.71.01.1001", "33.71.01.1002", "33.71.01.1003"):
        region = Region.objects.create(code=code, name=code, level="kelurahan", parent=selatan)
        _plan(programmes.start_programme(unit=factories.UnitFactory(region=region), year=YEAR, by=None))
    with CaptureQueriesContext(connection) as after:
        assert client.get(url, {"tahun": YEAR}).status_code == 200
    assert len(after) == len(before)


def test_the_export_lists_the_groups_and_is_logged(as_user, staff, region_programmes, magelang):
    kabkota = magelang["kota_magelang"].code
    response = as_user(staff).get(reverse("programmes:region_export", args=[kabkota, "csv"]), {"tahun": YEAR})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    tengah = next(row for row in rows if row[0] == magelang["magelang_tengah"].code)
    assert tengah[2:] == ["2", "2", "6", "3", "50.0", "3"]
    log = ExportLog.objects.get()
    assert (log.list_name, log.filters) == ("programmes", {"wilayah": kabkota, "tahun": str(YEAR)})


def test_the_indicator_report_shows_the_share_realised(region_programmes, magelang):
    def figure(period):
        levels = indicator_report(magelang["kota_magelang"].code, period)
        return next(i for level in levels for i in level.indicators if i.key == "programme_realised_share")

    assert figure(Period(YEAR)).current == pytest.approx(3 / 6)
    first_half = figure(Period(YEAR, 1))
    assert first_half.current == pytest.approx(3 / 6)  # all six planned January-June
    second_half = figure(Period(YEAR, 2))
    assert second_half.current is None
    assert second_half.why_current == "no_programme"
