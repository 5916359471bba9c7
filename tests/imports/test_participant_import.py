"""Training participants imports: PSM matched on NIK or KTA number, invited, their attendance and scores."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from ipsm.lib.imports import ImportRefused, process
from ipsm.lib.spreadsheets import FileRefused
from ipsm.models import ImportJob, ImportStatus, RowOutcome
from members.models import MemberStatus
from tests import factories
from tests.imports.files import csv_file, problems, xlsx
from tests.trainings.conftest import START, make_event
from trainings import services
from trainings.importers import ParticipantImporter
from trainings.models import Attendance, AttendanceStatus, Participant

DAY_1, DAY_2 = START, START + datetime.timedelta(days=1)
HADIR, IZIN, ABSENT, INVITED = (
    AttendanceStatus.HADIR,
    AttendanceStatus.IZIN,
    AttendanceStatus.TIDAK_HADIR,
    AttendanceStatus.DIUNDANG,
)


@pytest.fixture
def event(staff, magelang):
    """Kota Magelang's two-day event (6 and 7 May 2024)."""
    return make_event(magelang["kota_magelang"], by=staff)


@pytest.fixture
def budi(unit_a):
    return factories.MemberFactory(unit=unit_a, full_name="Budi Santoso")


@pytest.fixture
def siti(unit_b):
    return factories.MemberFactory(unit=unit_b, full_name="Siti Rahayu", female=True)


@pytest.fixture
def wulan(unit_temanggung):
    return factories.MemberFactory(unit=unit_temanggung, full_name="Wulan Lestari", female=True)


def check(user, event, content: bytes, name: str = "hadir.xlsx"):
    rows = []
    importer = ParticipantImporter(user=user, options={"event": event.pk, "file_name": name})
    summary = process(
        importer, content, name, write=False, on_batch=lambda batch, summary: rows.extend(batch)
    )
    return summary, rows


def run(user, event, content: bytes, name: str = "hadir.xlsx"):
    importer = ParticipantImporter(user=user, options={"event": event.pk, "file_name": name})
    with transaction.atomic():
        return process(importer, content, name, write=True)


def attendance(event) -> dict[tuple[str, datetime.date], str]:
    return {
        (row.participant.member.full_name, row.day): row.status
        for row in Attendance.objects.filter(participant__event=event).select_related("participant__member")
    }


def upload(client, event, content: bytes, name: str = "hadir.xlsx"):
    data = {"event": event.pk, "file": SimpleUploadedFile(name, content)}
    return client.post("/impor/peserta/", data, follow=True)


# The happy path


def test_staff_imports_participants_with_days_and_scores(as_user, staff, event, budi, siti):
    header = ["No", "NIK", "Nama", "06/05/2024", "Hari 2", "Nilai Pre Test", "Post-test"]
    rows = [
        [1, budi.nik, "Budi Santoso", "Hadir", "H", 60, 85],
        [2, siti.nik, "SITI  rahayu", "izin", "Tidak Hadir", "55,5", None],
    ]
    client = as_user(staff)
    upload(client, event, xlsx(header, rows))
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportStatus.CHECKED, problems(job)
    assert job.new_rows == 2
    assert not Participant.objects.exists()
    assert job.rows.get(row_number=2).label == f"Budi Santoso ({budi.kta_number})"

    client.post(f"/impor/berkas/{job.pk}/impor/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert attendance(event) == {
        ("Budi Santoso", DAY_1): HADIR,
        ("Budi Santoso", DAY_2): HADIR,
        ("Siti Rahayu", DAY_1): IZIN,
        ("Siti Rahayu", DAY_2): ABSENT,
    }
    budi_p = Participant.objects.get(member=budi)
    assert (budi_p.pre_test_score, budi_p.post_test_score) == (Decimal("60"), Decimal("85"))
    assert budi_p.invited_by == staff
    siti_p = Participant.objects.get(member=siti)
    assert (siti_p.pre_test_score, siti_p.post_test_score) == (Decimal("55.5"), None)
    assert list(Participant.objects.filter(event=event).attended()) == [budi_p]


def test_one_kehadiran_column_applies_to_every_day_and_kta_numbers_match(staff, event, budi, siti):
    header = ["No. KTA", "Nama Peserta", "Kehadiran"]
    run(
        staff,
        event,
        csv_file(header, [[budi.kta_number, "", "HADIR"], [f" {siti.kta_number} ", "", "a"]]),
        "h.csv",
    )
    assert attendance(event) == {
        ("Budi Santoso", DAY_1): HADIR,
        ("Budi Santoso", DAY_2): HADIR,
        ("Siti Rahayu", DAY_1): ABSENT,
        ("Siti Rahayu", DAY_2): ABSENT,
    }


def test_an_invitation_list_without_attendance(staff, event, budi):
    run(staff, event, xlsx(["NIK"], [[budi.nik]]))
    assert attendance(event) == {("Budi Santoso", DAY_1): INVITED, ("Budi Santoso", DAY_2): INVITED}


def test_day_columns_headed_with_excel_dates_and_missing_days_stay_invited(staff, event, budi):
    header = ["NIK", datetime.datetime(2024, 5, 7)]
    run(staff, event, xlsx(header, [[budi.nik, "✓"]]))
    assert attendance(event) == {("Budi Santoso", DAY_1): INVITED, ("Budi Santoso", DAY_2): HADIR}


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("Hadir", HADIR),
        ("hadir", HADIR),
        ("H", HADIR),
        ("Izin", IZIN),
        ("ijin", IZIN),
        ("S", IZIN),
        ("Sakit", IZIN),
        ("tidak hadir", ABSENT),
        ("Tidak_Hadir", ABSENT),
        ("A", ABSENT),
        ("Alpa", ABSENT),
        ("Diundang", INVITED),
    ],
)
def test_attendance_words(staff, event, budi, typed, status):
    summary, rows = check(staff, event, xlsx(["NIK", "Hari 1"], [[budi.nik, typed]]))
    assert rows[0].payload["marks"] == {DAY_1: status}


@pytest.mark.parametrize("typed", ["X", "ok", "2"])
def test_attendance_not_understood_names_its_column(staff, event, budi, typed):
    summary, rows = check(staff, event, xlsx(["NIK", "Hari ke-1"], [[budi.nik, typed]]))
    assert summary.errors == 1 and rows[0].problems[0]["column"] == "Hari ke-1"


@pytest.mark.parametrize(
    ("typed", "score"), [(85, "85"), (85.5, "85.5"), ("85,5", "85.5"), ("0", "0"), (83.3333, "83.33")]
)
def test_scores_as_typed(staff, event, budi, typed, score):
    summary, rows = check(staff, event, xlsx(["NIK", "Pre-test"], [[budi.nik, typed]]))
    assert rows[0].payload["scores"] == {"pre_test_score": Decimal(score)}


@pytest.mark.parametrize("typed", [101, -1, "sembilan"])
def test_a_score_outside_0_to_100_is_an_error(staff, event, budi, typed):
    summary, rows = check(staff, event, xlsx(["NIK", "Post Test"], [[budi.nik, typed]]))
    assert rows[0].problems == [{"column": "Post-test", "message": "Nilai tes berkisar 0 sampai 100."}]


# Matching people


def test_nik_and_name_must_match(staff, event, budi):
    summary, rows = check(staff, event, xlsx(["NIK", "Nama"], [[budi.nik, "Bud Santoso"]]))
    assert rows[0].problems == [{"column": "Nama", "message": _("The NIK and the name do not match.")}]
    summary, rows = check(staff, event, xlsx(["No KTA", "Nama"], [[budi.kta_number, "Agus"]]))
    assert rows[0].problems == [{"column": "Nama", "message": _("The KTA number and the name do not match.")}]


def test_nik_and_kta_of_two_different_psm_is_an_error(staff, event, budi, siti):
    summary, rows = check(staff, event, xlsx(["NIK", "KTA"], [[budi.nik, siti.kta_number]]))
    assert [problem["column"] for problem in rows[0].problems] == ["No. KTA"]


def test_messy_nik_cells(staff, event, budi):
    nik = budi.nik
    rows = [[f"{nik[:6]} {nik[6:12]} {nik[12:]}"]]
    summary, found = check(staff, event, xlsx(["NIK"], rows))
    assert found[0].outcome == RowOutcome.NEW
    summary, found = check(staff, event, xlsx(["NIK"], [[f"'{nik}"]]))
    assert found[0].outcome == RowOutcome.NEW


def test_a_row_without_nik_or_kta_is_an_error(staff, event, budi):
    summary, rows = check(staff, event, xlsx(["NIK", "No. KTA", "Nama"], [[None, None, "Budi Santoso"]]))
    assert summary.errors == 1 and rows[0].problems[0]["column"] == "NIK"


def test_a_file_without_nik_or_kta_column_is_refused(staff, event, budi):
    with pytest.raises(FileRefused):
        check(staff, event, xlsx(["Nama", "Kehadiran"], [["Budi Santoso", "Hadir"]]))


def test_the_same_psm_twice_names_the_first_row(staff, event, budi, siti):
    summary, rows = check(
        staff, event, xlsx(["NIK", "KTA"], [[budi.nik, ""], [siti.nik, ""], ["", budi.kta_number]])
    )
    assert rows[2].problems == [
        {"column": "No. KTA", "message": _("This PSM is already in row %(row)d of this file.") % {"row": 2}}
    ]


def test_an_inactive_psm_cannot_be_invited(staff, event, unit_a):
    eko = factories.MemberFactory(unit=unit_a, status=MemberStatus.NONAKTIF, status_reason="lainnya")
    summary, rows = check(staff, event, xlsx(["NIK"], [[eko.nik]]))
    assert summary.errors == 1 and rows[0].problems[0]["column"] == "NIK"


# Days of the event


@pytest.mark.parametrize(("header", "letter"), [("08/05/2024", "B"), ("Hari 3", "B"), ("31/02/2024", "B")])
def test_a_day_outside_the_event_refuses_the_file_naming_the_column(staff, event, budi, header, letter):
    with pytest.raises(FileRefused) as refusal:
        check(staff, event, xlsx(["NIK", header], [[budi.nik, "Hadir"]]))
    assert f"{letter} “{header}”" in str(refusal.value)


def test_the_same_day_twice_or_with_a_kehadiran_column_is_refused(staff, event, budi):
    with pytest.raises(FileRefused):
        check(staff, event, xlsx(["NIK", "Hari 1", "06/05/2024"], [[budi.nik, "H", "H"]]))
    with pytest.raises(FileRefused):
        check(staff, event, xlsx(["NIK", "Kehadiran", "Hari 2"], [[budi.nik, "H", "H"]]))


# Updating, all or nothing, again


def test_existing_participants_are_updated_with_a_readable_diff(staff, event, budi, siti):
    services.invite_members(event=event, members=[budi, siti], by=staff)
    header = ["NIK", "Hari 1", "Hari 2", "Pre-test"]
    summary, rows = check(staff, event, xlsx(header, [[budi.nik, "Hadir", "", 70], [siti.nik, "", "", ""]]))
    assert [row.outcome for row in rows] == [RowOutcome.UPDATED, RowOutcome.UNCHANGED]
    assert rows[0].changes == [
        _("Attendance %(day)s: %(old)s → %(new)s") % {"day": "06/05/2024", "old": "Diundang", "new": "Hadir"},
        "nilai pre-test: — → 70",
    ]
    run(staff, event, xlsx(header, [[budi.nik, "Hadir", "", 70], [siti.nik, "", "", ""]]))
    assert attendance(event)[("Budi Santoso", DAY_1)] == HADIR
    assert attendance(event)[("Budi Santoso", DAY_2)] == INVITED  # blank: left as it was
    assert Participant.objects.get(member=budi).pre_test_score == Decimal("70")


def test_reimporting_the_same_file_changes_nothing(as_user, staff, event, budi, siti):
    content = xlsx(
        ["NIK", "Hari 1", "Hari 2", "Pre-test", "Post-test"],
        [[budi.nik, "H", "I", 60, 85.5], [siti.nik, "A", "H", 50, 70]],
    )
    client = as_user(staff)
    upload(client, event, content)
    client.post(f"/impor/berkas/{ImportJob.objects.latest('pk').pk}/impor/")
    before = (
        attendance(event),
        list(Participant.objects.values_list("pk", "pre_test_score", "post_test_score")),
    )

    upload(client, event, content)
    job = ImportJob.objects.latest("pk")
    assert (job.new_rows, job.updated_rows, job.unchanged_rows) == (0, 0, 2)
    client.post(f"/impor/berkas/{job.pk}/impor/")
    assert (
        attendance(event),
        list(Participant.objects.values_list("pk", "pre_test_score", "post_test_score")),
    ) == before


def test_one_bad_row_refuses_the_whole_file_and_names_the_row(as_user, staff, event, budi, siti):
    content = xlsx(["NIK", "Kehadiran"], [[budi.nik, "Hadir"], [siti.nik, "datang"]])
    client = as_user(staff)
    upload(client, event, content)
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportStatus.REFUSED
    assert [(row, column) for row, column, _message in problems(job)] == [(3, "Kehadiran")]
    client.post(f"/impor/berkas/{job.pk}/impor/")
    with pytest.raises(ImportRefused):
        run(staff, event, content)
    assert not Participant.objects.exists()


# Scope and who may


def test_a_psm_of_another_region_is_not_found(staff, event, budi, wulan):
    summary, rows = check(staff, event, xlsx(["NIK", "Nama"], [[budi.nik, ""], [wulan.nik, "Wulan Lestari"]]))
    assert [row.outcome for row in rows] == [RowOutcome.NEW, RowOutcome.ERROR]
    assert rows[1].problems == [
        {"column": "NIK", "message": _("No PSM with this NIK in the regions organising this event.")}
    ]
    assert "Wulan" in rows[1].label and wulan.nik not in rows[1].label


def test_a_joint_event_takes_the_partner_regions_psm_as_the_invite_page_does(staff, magelang, budi, wulan):
    joint = make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, title="Bimtek Bersama")
    run(staff, joint, xlsx(["NIK", "Kehadiran"], [[budi.nik, "Hadir"], [wulan.nik, "Hadir"]]))
    assert set(joint.participants.values_list("member__full_name", flat=True)) == {
        "Budi Santoso",
        "Wulan Lestari",
    }


def test_an_event_of_another_office_is_refused(staff_other, event, budi):
    with pytest.raises(FileRefused):
        check(staff_other, event, xlsx(["NIK"], [[budi.nik]]))
    with pytest.raises(FileRefused):
        ParticipantImporter(user=None, options={"event": 999999}).map_header(["NIK"])


def test_staff_of_another_office_cannot_choose_the_event_on_the_upload_page(
    as_user, staff_other, event, budi
):
    upload(as_user(staff_other), event, xlsx(["NIK"], [[budi.nik]]))
    assert not ImportJob.objects.exists()


def test_coordinator_and_viewer_may_not_import_participants(as_user, coordinator, viewer, event):
    for user in (coordinator, viewer):
        assert as_user(user).get("/impor/peserta/").status_code == 403
    assert not coordinator.has_perm(ParticipantImporter.permission)


def test_the_template_imports_as_it_is(as_user, staff, event, unit_a):
    siti = factories.MemberFactory(unit=unit_a, nik="3371034508850001", full_name="Siti Rahayu", female=True)
    client = as_user(staff)
    response = client.get("/impor/peserta/template.xlsx")
    assert response.status_code == 200
    upload(client, event, response.content, name="template.xlsx")
    job = ImportJob.objects.latest("pk")
    assert job.new_rows == 1, problems(job)
    client.post(f"/impor/berkas/{job.pk}/impor/")
    assert Participant.objects.get().member == siti


# Cost


def test_checking_costs_the_same_queries_for_2_or_20_rows(
    staff, event, unit_a, django_assert_max_num_queries
):
    members = [factories.MemberFactory(unit=unit_a) for _n in range(20)]
    services.invite_members(event=event, members=members[::2], by=staff)

    def queries(count):
        user = type(staff).objects.get(pk=staff.pk)
        content = xlsx(
            ["NIK", "Nama", "Hari 1", "Hari 2", "Pre-test"],
            [[m.nik, m.full_name, "H", "I", 70] for m in members[:count]],
        )
        with django_assert_max_num_queries(10) as captured:
            check(user, event, content)
        return len(captured)

    assert queries(2) == queries(20)
