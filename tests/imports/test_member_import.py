"""Roster imports through the web: upload -> preview -> confirm, with the messy files offices really have."""

import csv
import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from ipsm.lib.imports import BATCH_SIZE, process
from ipsm.models import ImportJob, ImportRow, ImportStatus, RowOutcome
from members.importers import MemberImporter
from members.models import Member, MemberStatus, StatusChange
from members.nik import build_nik, mask_nik
from tests import factories

HEADER = ["NIK", "Nama Lengkap", "L/P", "Tempat Lahir", "Tanggal Lahir", "Alamat", "Kelurahan", "No. HP"]


def nik_of(birth_date: datetime.date, female: bool, serial: int) -> str:
    return build_nik(region_code="33.71.03", birth_date=birth_date, is_female=female, serial=serial)


SITI = [nik_of(datetime.date(1985, 8, 5), True, 1), "Siti Rahayu", "P", "Magelang", "05/08/1985",
        "Jl. Sriwijaya 12", "33.71.03.1003", "0812-2750-1234"]  # fmt: skip
BUDI = [nik_of(datetime.date(1979, 1, 17), False, 2), "Budi Santoso", "L", "Magelang", "17/01/1979",
        "Jl. Tidar 3", "33.71.03.1003", "+62 813 1111 2222"]  # fmt: skip


def xlsx(rows: list[list], header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(rows: list[list], header=HEADER, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def upload(client, content: bytes, name: str = "roster.xlsx"):
    return client.post("/impor/anggota/", {"file": SimpleUploadedFile(name, content)}, follow=True)


def last_job() -> ImportJob:
    return ImportJob.objects.latest("pk")


def problems(job: ImportJob) -> list[tuple[int, str, str]]:
    return [
        (row.row_number, problem["column"], problem["message"])
        for row in job.rows.order_by("row_number")
        for problem in row.problems
    ]


# The happy path


def test_staff_upload_previews_without_writing_then_confirm_imports(as_user, staff, unit_a):
    client = as_user(staff)
    response = upload(client, xlsx([SITI, BUDI]))
    job = last_job()
    assert job.status == ImportStatus.CHECKED
    assert (job.new_rows, job.updated_rows, job.unchanged_rows, job.error_rows) == (2, 0, 0, 0)
    assert not Member.objects.exists()  # the preview writes nothing
    assert "Siti Rahayu" in response.content.decode()

    response = client.post(f"/impor/berkas/{job.pk}/impor/", follow=True)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.content == b""  # the file is not kept once imported
    siti = Member.objects.get(full_name="Siti Rahayu")
    assert siti.unit == unit_a and siti.kelurahan_id == "33.71.03.1003"
    assert siti.birth_date == datetime.date(1985, 8, 5) and siti.sex == "P"
    assert siti.phone == "+6281227501234"
    assert siti.status == MemberStatus.CALON and siti.joined_on == datetime.date.today()
    assert sorted(Member.objects.values_list("kta_number", flat=True)) == [
        "3371031003-0001",
        "3371031003-0002",
    ]
    assert StatusChange.objects.filter(member=siti, new_status=MemberStatus.CALON, changed_by=staff).exists()
    record = siti.history.get()
    assert record.history_user == staff and "roster.xlsx" in record.history_change_reason
    assert "Berhasil diimpor" in response.content.decode()


def test_coordinator_imports_into_own_unit_without_a_kelurahan_column(as_user, coordinator, unit_a):
    header = ["NIK", "Nama", "Jenis Kelamin", "Tempat Lahir", "Tgl Lahir", "Alamat", "Status"]
    row = [SITI[0], "Siti Rahayu", "Perempuan", "Magelang", "1985-08-05", "Jl. Sriwijaya 12", "Aktif"]
    client = as_user(coordinator)
    upload(client, xlsx([row], header))
    client.post(f"/impor/berkas/{last_job().pk}/impor/")
    siti = Member.objects.get()
    assert siti.unit == unit_a and siti.status == MemberStatus.AKTIF


def test_kta_serials_continue_after_members_registered_before(as_user, staff, unit_a):
    unit_a.kta_serial = 7
    unit_a.save()
    client = as_user(staff)
    upload(client, xlsx([SITI]))
    client.post(f"/impor/berkas/{last_job().pk}/impor/")
    assert Member.objects.get().kta_number == "3371031003-0008"


# Messy spreadsheets


def test_messy_nik_dates_sex_phones_and_headers_are_understood(as_user, staff, unit_a, magelang):
    factories.UnitFactory(region=magelang["cacaban"])
    header = ["No", "NIK", "Nama", "Jenis Kelamin", "Tmp Lahir", "Tgl. Lahir", "Alamat Lengkap",
              "Desa/Kelurahan", "No HP", "Keterangan"]  # fmt: skip
    births = [
        (datetime.date(1985, 8, 5), True),
        (datetime.date(1979, 1, 17), False),
        (datetime.date(1990, 12, 1), True),
        (datetime.date(1970, 3, 9), False),
        (datetime.date(1988, 6, 30), True),
    ]
    niks = [nik_of(day, female, serial) for serial, (day, female) in enumerate(births, start=1)]
    rows = [
        [1, f"{niks[0][:6]} {niks[0][6:12]} {niks[0][12:]}", "Siti", "P", "Magelang",
         datetime.datetime(1985, 8, 5), "Jl. A", "33.71.03.1003", "0812 2750 1234", ""],
        [2, f"{niks[1][:2]}.{niks[1][2:4]}.{niks[1][4:6]}.{niks[1][6:]}", "Budi", "Laki-laki", "Magelang",
         "17/01/1979", "Jl. B", "3371031003", "62-813-1111-2222", ""],
        [3, f"'{niks[2]}", "Ani", "perempuan", "Magelang", "1-12-1990", "Jl. C", "  rejowinangun   UTARA ",
         "+62 813-3333-4444", ""],
        [4, niks[3], "Joko", "l", "Magelang", (datetime.date(1970, 3, 9) - datetime.date(1899, 12, 30)).days,
         "Jl. D", "Kel. Cacaban", 81355556666, ""],
        [5, niks[4], "Wati", "PEREMPUAN", "Magelang", "1988-06-30", "Jl. E", "CACABAN", "081377778888", ""],
    ]  # fmt: skip
    client = as_user(staff)
    upload(client, xlsx(rows, header))
    job = last_job()
    assert problems(job) == []
    assert job.new_rows == 5
    client.post(f"/impor/berkas/{job.pk}/impor/")
    members = {m.full_name: m for m in Member.objects.all()}
    assert [members[name].nik for name in ["Siti", "Budi", "Ani", "Joko", "Wati"]] == niks
    assert [members[name].birth_date for name in ["Siti", "Budi", "Ani", "Joko", "Wati"]] == [
        day for day, _ in births
    ]
    assert members["Budi"].phone == "+6281311112222"
    assert members["Joko"].phone == "+6281355556666"  # a number cell lost its leading 0
    assert members["Joko"].kelurahan_id == members["Wati"].kelurahan_id == "33.71.03.1002"


def test_csv_with_semicolons_as_excel_saves_it_in_indonesia(as_user, staff, unit_a):
    client = as_user(staff)
    upload(client, csv_file([SITI, BUDI], delimiter=";"), name="roster.csv")
    assert last_job().new_rows == 2


def test_nik_stored_as_a_number_is_flagged(as_user, staff, unit_a):
    cut = nik_of(datetime.date(1985, 8, 5), True, 10)  # serial 0010: ends in 0, as Excel's 15 digits leave it
    whole = nik_of(datetime.date(1979, 1, 17), False, 3)
    rows = [[int(cut), *SITI[1:]], [int(whole), *BUDI[1:]]]
    client = as_user(staff)
    upload(client, xlsx(rows))
    job = last_job()
    found = problems(job)
    assert found[0][:2] == (2, "NIK") and "15 digit" in found[0][2]
    assert job.rows.get(row_number=2).outcome == RowOutcome.ERROR
    assert found[1][:2] == (3, "NIK") and "angka" in found[1][2]  # a warning only
    assert job.rows.get(row_number=3).outcome == RowOutcome.NEW


def test_one_bad_row_refuses_the_whole_file_and_names_the_row(as_user, staff, unit_a):
    bad = [*BUDI[:4], "31/02/1979", *BUDI[5:]]
    client = as_user(staff)
    response = upload(client, xlsx([SITI, bad]))
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    assert problems(job) == [
        (3, "Tanggal Lahir", "Tanggal tidak dikenali: “31/02/1979”. Tulis dd/mm/yyyy, misalnya 17/08/1980.")
    ]
    assert "Tanggal tidak dikenali" in response.content.decode()
    assert not Member.objects.exists()
    response = client.post(f"/impor/berkas/{job.pk}/impor/", follow=True)
    assert not Member.objects.exists()  # a refused file cannot be confirmed


def test_every_problem_of_a_row_is_reported(as_user, staff, unit_a):
    rows = [[SITI[0], "Siti Rahayu", "X", "", "", "", "Kelurahan Antah", "12345"]]
    upload(as_user(staff), xlsx(rows))
    columns = {column for _, column, _ in problems(last_job())}
    assert columns == {"L/P", "Kelurahan", "No. HP", "Tempat Lahir", "Tanggal Lahir", "Alamat"}


def test_nik_must_agree_with_sex_and_birth_date(as_user, staff, unit_a):
    wrong = [SITI[0], "Siti Rahayu", "L", "Magelang", "06/08/1985", "Jl. A", "33.71.03.1003", ""]
    upload(as_user(staff), xlsx([wrong]))
    messages = [message for _, column, message in problems(last_job()) if column == "NIK"]
    assert len(messages) == 2


def test_a_nik_twice_in_the_file_names_the_first_row(as_user, staff, unit_a):
    upload(as_user(staff), xlsx([SITI, BUDI, SITI]))
    assert problems(last_job()) == [(4, "NIK", "NIK ini sudah ada di baris 2 berkas ini.")]


def test_missing_required_columns_refuse_the_file(as_user, staff, unit_a):
    response = upload(as_user(staff), xlsx([["Siti"]], header=["Nama"]))
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    assert "NIK" in job.message and "Kelurahan" in job.message
    assert job.message in response.content.decode()


def test_a_file_that_is_not_a_workbook_is_refused(as_user, staff):
    upload(as_user(staff), b"not a zip at all", name="roster.xlsx")
    assert last_job().status == ImportStatus.REFUSED
    assert "Excel" in last_job().message


def test_other_file_types_are_refused_by_the_form(as_user, staff):
    response = upload(as_user(staff), b"%PDF-1.4", name="roster.pdf")
    assert not ImportJob.objects.exists()
    assert ".xlsx" in response.content.decode()


# Re-importing, updating, and data changing between preview and import


def test_reimporting_the_same_file_changes_nothing(as_user, staff, unit_a):
    client = as_user(staff)
    content = xlsx([SITI, BUDI])
    upload(client, content)
    client.post(f"/impor/berkas/{last_job().pk}/impor/")
    history_rows = Member.history.count()

    upload(client, content)
    job = last_job()
    assert (job.new_rows, job.updated_rows, job.unchanged_rows) == (0, 0, 2)
    client.post(f"/impor/berkas/{job.pk}/impor/")
    assert Member.history.count() == history_rows
    assert Member.objects.count() == 2


def test_a_changed_row_updates_only_the_fields_it_fills(as_user, staff, unit_a):
    siti = factories.MemberFactory(
        unit=unit_a, nik=SITI[0], full_name="Siti Rahayu", sex="P", birth_date=datetime.date(1985, 8, 5)
    )
    row = [SITI[0], "Siti Rahayu", "", "", "", "", "33.71.03.1003", "0899 1234 5678"]
    client = as_user(staff)
    upload(client, xlsx([row]))
    job = last_job()
    assert job.updated_rows == 1
    assert job.rows.get().changes == ["nomor HP"]
    client.post(f"/impor/berkas/{job.pk}/impor/")
    siti.refresh_from_db()
    assert siti.phone == "+6289912345678"
    assert siti.address == "Jl. Tidar No. 5" and siti.status == MemberStatus.AKTIF  # untouched
    assert siti.history.latest().history_user == staff


def test_a_nik_registered_between_preview_and_import_refuses_it_all(as_user, staff, unit_a, unit_b):
    client = as_user(staff)
    upload(client, xlsx([SITI, BUDI]))
    job = last_job()
    factories.MemberFactory(unit=unit_b, nik=BUDI[0], sex="L", birth_date=datetime.date(1979, 1, 17))
    client.post(f"/impor/berkas/{job.pk}/impor/")
    job.refresh_from_db()
    assert job.status == ImportStatus.REFUSED
    assert not Member.objects.filter(nik=SITI[0]).exists()  # the valid row was rolled back too
    assert job.rows.get(outcome=RowOutcome.ERROR).row_number == 3


def test_confirming_twice_imports_once(as_user, staff, unit_a):
    client = as_user(staff)
    upload(client, xlsx([SITI]))
    job = last_job()
    client.post(f"/impor/berkas/{job.pk}/impor/")
    response = client.post(f"/impor/berkas/{job.pk}/impor/", follow=True)
    assert Member.objects.count() == 1
    assert "tidak (lagi) menunggu konfirmasi" in response.content.decode()


# Scope


def test_coordinator_rows_of_another_kelurahan_are_errors(as_user, coordinator, unit_a, unit_b):
    row = [*SITI[:6], "33.71.03.1002", ""]
    upload(as_user(coordinator), xlsx([row]))
    assert [column for _, column, _ in problems(last_job())] == ["Kelurahan"]
    assert last_job().status == ImportStatus.REFUSED


def test_staff_rows_of_another_kab_kota_are_errors(as_user, staff, unit_a, unit_temanggung):
    row = [*SITI[:6], "33.23.11.2001", ""]
    upload(as_user(staff), xlsx([row]))
    (found,) = problems(last_job())
    assert found[1] == "Kelurahan" and "di luar wilayah" in found[2]


def test_a_nik_of_another_kab_kota_is_refused_without_revealing_it(as_user, staff, unit_a, unit_temanggung):
    factories.MemberFactory(
        unit=unit_temanggung, nik=SITI[0], sex="P", birth_date=datetime.date(1985, 8, 5), full_name="Rahasia"
    )
    response = upload(as_user(staff), xlsx([SITI]))
    refused = "NIK ini tidak dapat didaftarkan. Silakan hubungi Dinas Sosial."
    assert problems(last_job()) == [(2, "NIK", refused)]
    assert "Rahasia" not in response.content.decode()


def test_moving_a_member_to_another_unit_is_not_done_by_import(as_user, staff, unit_a, unit_b):
    factories.MemberFactory(unit=unit_b, nik=SITI[0], sex="P", birth_date=datetime.date(1985, 8, 5))
    upload(as_user(staff), xlsx([SITI]))
    (found,) = problems(last_job())
    assert found[1] == "Kelurahan" and "mutasi" in found[2]


# Who may use the pages


def test_anonymous_is_sent_to_login(client):
    response = client.get("/impor/anggota/")
    assert response.status_code == 302 and "/masuk/" in response.url


def test_viewer_may_not_import(as_user, viewer):
    assert as_user(viewer).get("/impor/anggota/").status_code == 403
    assert as_user(viewer).get("/impor/anggota/template.xlsx").status_code == 403


def test_unknown_kind_is_404(as_user, staff):
    assert as_user(staff).get("/impor/apa-saja/").status_code == 404


def test_only_the_uploader_sees_a_job(as_user, staff, unit_a, magelang):
    upload(as_user(staff), xlsx([SITI]))
    job = last_job()
    colleague = factories.UserFactory(username="staf-magelang-2")
    colleague.groups.add(*staff.groups.all())
    factories.AssignmentFactory(user=colleague, region=magelang["kota_magelang"])
    other = as_user(colleague)
    assert other.get(f"/impor/berkas/{job.pk}/").status_code == 404
    assert other.get(f"/impor/berkas/{job.pk}/progres/").status_code == 404
    assert other.post(f"/impor/berkas/{job.pk}/impor/").status_code == 404
    assert not Member.objects.exists()


def test_the_template_has_the_columns_and_imports_as_it_is(as_user, staff, unit_a):
    client = as_user(staff)
    response = client.get("/impor/anggota/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]][:3] == ["NIK", "Nama Lengkap", "L/P"]
    upload(client, response.content, name="template.xlsx")
    assert last_job().new_rows == 1


def test_the_job_page_shows_progress_while_running(as_user, staff):
    job = ImportJob.objects.create(
        kind="members", user=staff, file_name="besar.xlsx", status=ImportStatus.CHECKING, total_rows=200,
        processed_rows=50,
    )  # fmt: skip
    client = as_user(staff)
    page = client.get(f"/impor/berkas/{job.pk}/").content.decode()
    assert 'value="25"' in page and "hx-get" in page
    assert client.get(f"/impor/berkas/{job.pk}/progres/").status_code == 200
    job.status = ImportStatus.CHECKED
    job.save()
    assert (
        client.get(f"/impor/berkas/{job.pk}/progres/", HTTP_HX_REQUEST="true").headers["HX-Refresh"] == "true"
    )


# Cost


def test_checking_costs_the_same_queries_for_2_or_20_rows(staff, unit_a, django_assert_max_num_queries):
    def rows(count):
        births = [datetime.date(1980, 1, 1) + datetime.timedelta(days=n) for n in range(count)]
        return [
            [nik_of(born, False, n + 1), f"Anggota {n}", "L", "Magelang", born, "Jl. A", "33.71.03.1003", ""]
            for n, born in enumerate(births)
        ]

    def check(content):
        user = type(staff).objects.get(pk=staff.pk)  # a fresh user: its scope is not cached yet
        with django_assert_max_num_queries(6) as captured:
            process(
                MemberImporter(user=user, options={"file_name": "x.xlsx"}), content, "x.xlsx", write=False
            )
        return len(captured)

    assert check(xlsx(rows(2))) == check(xlsx(rows(20)))
    assert BATCH_SIZE >= 1000


def test_import_rows_store_no_full_nik(as_user, staff, unit_a):
    upload(as_user(staff), xlsx([SITI]))
    stored = ImportRow.objects.get()
    assert SITI[0] not in stored.label and "Siti Rahayu" in stored.label


def test_a_nik_of_a_merged_record_is_refused(as_user, staff, unit_a):
    survivor = factories.MemberFactory(unit=unit_a)
    factories.MemberFactory(
        unit=unit_a,
        nik=SITI[0],
        sex="P",
        birth_date=datetime.date(1985, 8, 5),
        status=MemberStatus.NONAKTIF,
        status_reason="lainnya",
        merged_into=survivor,
        merged_at=timezone.now(),
    )
    upload(as_user(staff), xlsx([SITI]))
    (found,) = problems(last_job())
    assert found[:2] == (2, "NIK") and "digabung" in found[2]


def test_a_nik_in_the_file_name_or_a_message_is_stored_masked(as_user, staff, unit_a):
    """Security probe, finding 6: the file name is shown to colleagues in the activity log."""
    nik = SITI[0]
    upload(as_user(staff), xlsx([[*SITI[:4], "31/02/1985", *SITI[5:]]]), name=f"{nik} roster.xlsx")
    job = last_job()
    assert job.file_name == f"{mask_nik(nik)} roster.xlsx"
    stored = " ".join(problem["message"] for row in job.rows.all() for problem in row.problems)
    assert nik not in stored
    page = as_user(staff).get(reverse("activity")).content.decode()
    assert mask_nik(nik) in page and nik not in page
