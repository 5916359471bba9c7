"""PMKS counts imports: the wide DTKS recap and the long kelurahan/category/count layout, through the web
door (upload -> preview -> confirm) and the import engine."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cases.importers import PmksCountImporter
from cases.models import PmksCategory, PmksCount
from ipsm.lib.imports import ImportRefused, process
from ipsm.lib.spreadsheets import FileRefused
from ipsm.models import ImportJob, ImportStatus, RowOutcome
from members.models import Region
from tests import factories
from tests.imports.files import csv_file, problems, xlsx

OPTIONS = {"period": "2023", "source": "dtks", "data_date": "2023-12-31"}
REJO, CACABAN, MAGERSARI, KOWANGAN = "33.71.03.1003", "33.71.03.1002", "33.71.01.1007", "33.23.11.2001"


def category(number: int) -> PmksCategory:
    return PmksCategory.objects.get(number=number)


def stored() -> dict[tuple[str, int], int]:
    return {
        (c.kelurahan_id, c.category.number): c.count for c in PmksCount.objects.select_related("category")
    }


def upload(client, content: bytes, name: str = "rekap.xlsx", **options):
    data = {**OPTIONS, **options, "file": SimpleUploadedFile(name, content)}
    return client.post("/impor/pmks/", data, follow=True)


def last_job() -> ImportJob:
    return ImportJob.objects.latest("pk")


def check(user, content: bytes, name: str = "rekap.xlsx", **options):
    """The preview through the engine: (summary, rows)."""
    rows = []
    importer = PmksCountImporter(user=user, options={**OPTIONS, **options, "file_name": name})
    summary = process(
        importer, content, name, write=False, on_batch=lambda batch, summary: rows.extend(batch)
    )
    return summary, rows


def run(user, content: bytes, name: str = "rekap.xlsx", **options):
    importer = PmksCountImporter(user=user, options={**OPTIONS, **options, "file_name": name})
    with transaction.atomic():
        return process(importer, content, name, write=True)


WIDE_HEADER = ["No", "Kelurahan", "Kecamatan", "Anak Balita Terlantar", "Lanjut Usia Terlantar",
               "Fakir Miskin", "Jumlah"]  # fmt: skip


# The happy paths


def test_staff_imports_a_wide_recap_after_the_preview(as_user, staff, magelang):
    rows = [
        [1, REJO, "Magelang Tengah", 3, 20, 120, 143],
        [2, "Cacaban", "Magelang Tengah", 0, 12, 95, 107],
    ]
    client = as_user(staff)
    response = upload(client, xlsx(WIDE_HEADER, rows))
    job = last_job()
    assert job.status == ImportStatus.CHECKED, problems(job)
    assert (job.new_rows, job.updated_rows, job.unchanged_rows, job.error_rows) == (2, 0, 0, 0)
    assert not PmksCount.objects.exists()  # the preview writes nothing
    assert "Rejowinangun Utara (33.71.03.1003)" in response.content.decode()

    client.post(f"/impor/berkas/{job.pk}/impor/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert stored() == {
        (REJO, 1): 3, (REJO, 8): 20, (REJO, 24): 120,
        (CACABAN, 1): 0, (CACABAN, 8): 12, (CACABAN, 24): 95,
    }  # fmt: skip
    count = PmksCount.objects.get(kelurahan_id=REJO, category__number=24)
    assert (count.year, count.semester, count.source) == (2023, 0, "dtks")
    assert count.data_date == datetime.date(2023, 12, 31) and count.updated_by == staff
    record = count.history.get()
    assert record.history_user == staff and "rekap.xlsx" in record.history_change_reason


def test_long_layout_from_a_semicolon_csv(as_user, staff, magelang):
    header = ["Desa/Kelurahan", "Kategori", "Jumlah"]
    rows = [
        ["Kel. Rejowinangun Utara", "24", "1.234"],
        ["rejowinangun  utara", "Lanjut Usia Terlantar", "20"],
        [CACABAN.replace(".", ""), "fakir miskin", "0"],
    ]
    client = as_user(staff)
    upload(client, csv_file(header, rows, delimiter=";"), name="rekap.csv", period="2023-S2")
    job = last_job()
    assert job.new_rows == 3, problems(job)
    assert job.rows.get(row_number=2).label == "Rejowinangun Utara (33.71.03.1003): Fakir Miskin"
    client.post(f"/impor/berkas/{job.pk}/impor/")
    assert stored() == {(REJO, 24): 1234, (REJO, 8): 20, (CACABAN, 24): 0}
    assert set(PmksCount.objects.values_list("year", "semester")) == {(2023, 2)}


def test_superuser_and_command_scope_reach_every_region(superuser, magelang):
    header = ["Kode Wilayah", "Fakir Miskin"]
    run(superuser, xlsx(header, [[REJO, 5], [KOWANGAN, 7]]))
    run(None, xlsx(header, [[MAGERSARI, 9]]))
    assert stored() == {(REJO, 24): 5, (KOWANGAN, 24): 7, (MAGERSARI, 24): 9}
    assert PmksCount.objects.get(kelurahan_id=MAGERSARI).updated_by is None


# Headers as recaps write them


@pytest.mark.parametrize(
    ("header", "number"),
    [
        ("Anak Balita Terlantar", 1),
        ("ANAK  BALITA TERLANTAR", 1),
        ("1. Anak Balita Terlantar", 1),
        ("1 Anak Balita Terlantar", 1),
        ("Anak Balita Terlantar (ABT)", 1),
        ("ABT", 1),
        ("1", 1),
        ("No. 1", 1),
        ("(1)", 1),
        ("Orang dengan HIV/AIDS (ODHA)", 16),
        ("Fakir Miskin (jiwa)", 24),
        ("24. Fakir Miskin", 24),
        ("Wanita Rawan Sosial Ekonomi", 23),
        ("Penyandang Cacat", 9),
    ],
)
def test_category_headers_are_recognised(staff, magelang, header, number):
    summary, rows = check(staff, xlsx(["Kelurahan", header], [[REJO, 4]]))
    assert summary.counts[RowOutcome.NEW] == 1
    assert list(rows[0].payload["new"]) == [(category(number), 4)]


def test_a_header_not_understood_refuses_the_file_naming_its_column(staff, magelang):
    header = ["No", "Kelurahan", "Fakir Miskin", "Anak2 Terlantar", "2. Fakir Miskin", "Keterangan"]
    with pytest.raises(FileRefused) as refusal:
        check(staff, xlsx(header, [[1, REJO, 5, 6, 7, ""]]))
    message = str(refusal.value)
    assert "D “Anak2 Terlantar”" in message and "E “2. Fakir Miskin”" in message  # number and name disagree
    assert "Keterangan" not in message and "“No”" not in message


def test_the_same_category_in_two_columns_refuses_the_file(staff, magelang):
    with pytest.raises(FileRefused) as refusal:
        check(staff, xlsx(["Kelurahan", "Fakir Miskin", "24"], [[REJO, 5, 5]]))
    assert str(refusal.value) == _(
        "Row 1 has the column “%(column)s” twice (columns %(first)s and %(second)s)."
    ) % {"column": "Fakir Miskin", "first": "B", "second": "C"}


def test_a_file_without_a_kelurahan_or_a_category_column_is_refused(staff, magelang):
    with pytest.raises(FileRefused) as refusal:
        check(staff, xlsx(["Fakir Miskin"], [[5]]))
    assert "Kelurahan" in str(refusal.value)
    with pytest.raises(FileRefused) as refusal:
        check(staff, xlsx(["Kelurahan", "Jumlah"], [[REJO, 5]]))
    assert "Kategori" in str(refusal.value)


def test_the_long_layout_needs_its_count_column(staff, magelang):
    with pytest.raises(FileRefused) as refusal:
        check(staff, xlsx(["Kelurahan", "Kategori"], [[REJO, 24]]))
    assert "Jumlah" in str(refusal.value)


def test_options_are_required(staff, magelang):
    content = xlsx(["Kelurahan", "Fakir Miskin"], [[REJO, 5]])
    for options in ({"period": "20233"}, {"source": "koran"}, {"data_date": "31/12/2023"}):
        with pytest.raises(FileRefused):
            check(staff, content, **options)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(FileRefused):
        check(staff, content, data_date=tomorrow.isoformat())


# Cells


def test_a_blank_cell_keeps_the_stored_figure_and_zero_replaces_it(staff, magelang):
    factories.PmksCountFactory(
        kelurahan=magelang["rejowinangun_utara"], category=category(8), year=2023, count=20
    )
    factories.PmksCountFactory(
        kelurahan=magelang["rejowinangun_utara"], category=category(24), year=2023, count=120
    )
    header = ["Kelurahan", "Lanjut Usia Terlantar", "Fakir Miskin"]
    summary, rows = check(staff, xlsx(header, [[REJO, None, 0]]))
    assert rows[0].outcome == RowOutcome.UPDATED
    assert rows[0].changes == ["Fakir Miskin: 120 → 0"]
    run(staff, xlsx(header, [[REJO, None, 0]]))
    assert stored() == {(REJO, 8): 20, (REJO, 24): 0}
    assert PmksCount.objects.get(category__number=8).data_date == datetime.date(2022, 12, 31)  # untouched


def test_figures_as_offices_type_them(staff, magelang):
    header = ["Kelurahan", "Anak Terlantar", "Lanjut Usia Terlantar", "Fakir Miskin", "Gelandangan"]
    run(staff, csv_file(header, [[REJO, " 7 ", "1,234", "2.500", ""]]), name="rekap.csv")
    assert stored() == {(REJO, 2): 7, (REJO, 8): 1234, (REJO, 24): 2500}


@pytest.mark.parametrize("value", ["-", "tujuh", "2,5", -3, 2.5])
def test_a_cell_that_is_not_a_count_is_an_error_of_its_column(staff, magelang, value):
    summary, rows = check(staff, xlsx(["Kelurahan", "Fakir Miskin"], [[REJO, value]]))
    assert summary.errors == 1
    assert [problem["column"] for problem in rows[0].problems] == ["Fakir Miskin"]


def test_a_row_without_figures_is_unchanged_with_a_warning(staff, magelang):
    summary, rows = check(staff, xlsx(["Kelurahan", "Fakir Miskin"], [[REJO, None], [CACABAN, 4]]))
    assert [row.outcome for row in rows] == [RowOutcome.UNCHANGED, RowOutcome.NEW]
    assert rows[0].problems[0]["warning"]


def test_kecamatan_tells_apart_two_kelurahan_of_the_same_name(staff, magelang):
    Region.objects.create(
        code="33.71.01.1009", name="Cacaban", level="kelurahan", parent=magelang["magelang_selatan"]
    )
    header = ["Kelurahan", "Kecamatan", "Fakir Miskin"]
    summary, rows = check(staff, xlsx(header, [["Cacaban", None, 1]]))
    assert summary.errors == 1 and rows[0].problems[0]["column"] == "Kelurahan"
    run(staff, xlsx(header, [["Cacaban", "Magelang Selatan", 1], ["Cacaban", "Kec. Magelang Tengah", 2]]))
    assert stored() == {("33.71.01.1009", 24): 1, (CACABAN, 24): 2}


def test_a_retired_category_cannot_receive_figures(staff, magelang):
    PmksCategory.objects.filter(number=10).update(is_active=False)
    header = ["Kelurahan", "Tuna Susila", "Fakir Miskin"]
    summary, rows = check(staff, xlsx(header, [[REJO, None, 5], [CACABAN, 2, 5]]))
    assert [row.outcome for row in rows] == [RowOutcome.NEW, RowOutcome.ERROR]
    assert rows[1].problems == [
        {
            "column": "Tuna Susila",
            "message": _("The category “%(name)s” is no longer in use: it cannot receive figures.")
            % {"name": "Tuna Susila"},
        }
    ]
    summary, rows = check(staff, xlsx(["Kelurahan", "Kategori", "Jumlah"], [[REJO, 10, 2]]))
    assert rows[0].problems[0]["column"] == "Kategori"


def test_the_same_kelurahan_twice_names_the_first_row(staff, magelang):
    summary, rows = check(
        staff, xlsx(["Kelurahan", "Fakir Miskin"], [[REJO, 1], [CACABAN, 2], ["Rejowinangun Utara", 3]])
    )
    assert rows[2].problems == [
        {
            "column": "Kelurahan",
            "message": _("This kelurahan/desa is already in row %(row)d of this file.") % {"row": 2},
        }
    ]
    header = ["Kelurahan", "Kategori", "Jumlah"]
    summary, rows = check(staff, xlsx(header, [[REJO, 24, 1], [REJO, 8, 2], [REJO, "Fakir Miskin", 3]]))
    assert [row.outcome for row in rows] == [RowOutcome.NEW, RowOutcome.NEW, RowOutcome.ERROR]
    assert "2" in rows[2].problems[0]["message"] and rows[2].problems[0]["column"] == "Kategori"


def test_an_unknown_category_in_the_long_layout(staff, magelang):
    summary, rows = check(
        staff, xlsx(["Kelurahan", "Kategori", "Jumlah"], [[REJO, "Anak Nakal Sekali", 1], [REJO, 27, 1]])
    )
    assert summary.errors == 2
    assert {problem["column"] for row in rows for problem in row.problems} == {"Kategori"}


# All or nothing, and again


def test_one_bad_row_refuses_the_whole_file_and_names_the_row(as_user, staff, magelang):
    rows = [
        [1, REJO, "", 3, 20, 120, ""],
        [2, CACABAN, "", 0, "dua belas", 95, ""],
        [3, MAGERSARI, "", 1, 1, 1, ""],
    ]
    client = as_user(staff)
    upload(client, xlsx(WIDE_HEADER, rows))
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    assert problems(job) == [(3, "Lanjut Usia Terlantar", "Harus bilangan bulat.")]
    client.post(f"/impor/berkas/{job.pk}/impor/")
    assert not PmksCount.objects.exists()
    with pytest.raises(ImportRefused):
        run(staff, xlsx(WIDE_HEADER, rows))
    assert not PmksCount.objects.exists()


def test_reimporting_the_same_file_changes_nothing(as_user, staff, magelang):
    content = xlsx(WIDE_HEADER, [[1, REJO, "", 3, 20, 120, ""], [2, CACABAN, "", 0, 12, 95, ""]])
    client = as_user(staff)
    upload(client, content)
    client.post(f"/impor/berkas/{last_job().pk}/impor/")
    history = PmksCount.history.count()
    assert history == 6

    upload(client, content)
    job = last_job()
    assert (job.new_rows, job.updated_rows, job.unchanged_rows) == (0, 0, 2)
    client.post(f"/impor/berkas/{job.pk}/impor/")
    assert PmksCount.history.count() == history


def test_changed_figures_update_with_a_readable_diff(staff, magelang):
    rejo, day = magelang["rejowinangun_utara"], datetime.date(2023, 12, 31)
    factories.PmksCountFactory(kelurahan=rejo, category=category(24), year=2023, count=120, data_date=day)
    factories.PmksCountFactory(kelurahan=rejo, category=category(8), year=2023, count=20, data_date=day)
    header = ["Kelurahan", "Lanjut Usia Terlantar", "Fakir Miskin", "Gelandangan"]
    summary, rows = check(staff, xlsx(header, [[REJO, 20, 130, 4]]))
    assert rows[0].outcome == RowOutcome.UPDATED
    assert rows[0].changes == ["Fakir Miskin: 120 → 130", "Gelandangan: — → 4"]
    run(staff, xlsx(header, [[REJO, 20, 130, 4]]))
    assert stored() == {(REJO, 8): 20, (REJO, 24): 130, (REJO, 11): 4}
    fakir = PmksCount.objects.get(category__number=24)
    assert fakir.updated_by == staff and fakir.history.latest().history_user == staff
    assert PmksCount.objects.get(category__number=8).history.count() == 1  # the unchanged figure is untouched


def test_a_new_source_or_date_updates_the_same_figures(staff, magelang):
    content = xlsx(["Kelurahan", "Fakir Miskin"], [[REJO, 5]])
    run(staff, content)
    summary, rows = check(staff, content, source="survei")
    assert rows[0].outcome == RowOutcome.UPDATED
    run(staff, content, source="survei")
    assert PmksCount.objects.get().source == "survei"


# Scope and who may


def test_staff_rows_of_another_kab_kota_are_errors(staff, staff_other, magelang):
    content = xlsx(["Kelurahan", "Fakir Miskin"], [[KOWANGAN, 5], ["Kowangan", 6]])
    summary, rows = check(staff, content)
    assert summary.errors == 2
    assert [row.problems[0]["column"] for row in rows] == ["Kelurahan", "Kelurahan"]
    assert "33.23.11.2001" in rows[0].problems[0]["message"]
    summary, rows = check(staff_other, content)
    assert summary.errors == 1 and summary.counts[RowOutcome.NEW] == 1  # the same desa twice


def test_coordinator_and_viewer_may_not_import_pmks(as_user, coordinator, viewer, magelang):
    for user in (coordinator, viewer):
        client = as_user(user)
        assert client.get("/impor/pmks/").status_code == 403
        assert client.get("/impor/pmks/template.xlsx").status_code == 403
        assert upload(client, xlsx(["Kelurahan", "Fakir Miskin"], [[REJO, 5]])).status_code == 403
    assert not ImportJob.objects.exists()
    with pytest.raises(FileRefused):
        check(coordinator, xlsx(["Kelurahan", "Fakir Miskin"], [[REJO, 5]]))


def test_permission_matches_the_pmks_grid(staff, coordinator):
    assert staff.has_perm(PmksCountImporter.permission)
    assert not coordinator.has_perm(PmksCountImporter.permission)


# The template


def test_the_template_has_the_active_categories_and_imports_as_it_is(as_user, staff, magelang):
    PmksCategory.objects.filter(number=26).update(is_active=False)
    client = as_user(staff)
    page = client.get("/impor/pmks/")
    assert page.status_code == 200 and "Anak Balita Terlantar" in page.content.decode()
    response = client.get("/impor/pmks/template.xlsx")
    header = [cell.value for cell in load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert header[:3] == ["Kelurahan", "Kecamatan", "Anak Balita Terlantar"]
    assert len(header) == 27 and "Komunitas Adat Terpencil" not in header
    upload(client, response.content, name="template.xlsx")
    job = last_job()
    assert job.new_rows == 1, problems(job)


# Cost


def test_checking_costs_the_same_queries_for_2_or_20_rows(staff, magelang, django_assert_max_num_queries):
    def rows(count):
        return [[REJO, number, number * 10] for number in range(1, count + 1)]

    def queries(content):
        user = type(staff).objects.get(pk=staff.pk)  # a fresh user: its scope and permissions are not cached
        with django_assert_max_num_queries(10) as captured:
            check(user, content)
        return len(captured)

    header = ["Kelurahan", "Kategori", "Jumlah"]
    assert queries(xlsx(header, rows(2))) == queries(xlsx(header, rows(20)))
    wide = ["Kelurahan", *(category(n).name for n in range(1, 27))]
    villages = [factories_village(magelang, n) for n in range(20)]
    assert queries(xlsx(wide, [[code, *range(26)] for code in villages[:2]])) == queries(
        xlsx(wide, [[code, *range(26)] for code in villages])
    )


def factories_village(magelang, n: int) -> str:
    code = f"33.71.03.{2000 + n}"
    Region.objects.create(code=code, name=f"Desa Uji {n}", level="desa", parent=magelang["magelang_tengah"])
    return code
