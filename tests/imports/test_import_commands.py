"""The command door: import_members, import_pmks_counts, import_participants (ipsm.lib.imports)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from cases.models import PmksCount
from members.models import Member
from members.nik import build_nik
from tests import factories
from tests.imports.files import csv_file, xlsx
from tests.trainings.conftest import make_event
from trainings.models import Attendance, AttendanceStatus, Participant

MEMBER_HEADER = ["NIK", "Nama Lengkap", "L/P", "Tempat Lahir", "Tanggal Lahir", "Alamat", "Kelurahan"]
SITI = [build_nik(region_code="33.71.03", birth_date=datetime.date(1985, 8, 5), is_female=True, serial=1),
        "Siti Rahayu", "P", "Magelang", "05/08/1985", "Jl. Sriwijaya 12", "33.71.03.1003"]  # fmt: skip
BUDI = [build_nik(region_code="33.71.03", birth_date=datetime.date(1979, 1, 17), is_female=False, serial=2),
        "Budi Santoso", "L", "Magelang", "17/01/1979", "Jl. Tidar 3", "33.71.03.1003"]  # fmt: skip
PMKS = ["--period", "2023", "--source", "dtks", "--data-date", "2023-12-31"]


def in_indonesian(message: str, **values) -> str:
    with translation.override("id"):
        return translation.gettext(message) % values


def command(name: str, path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(name: str, path, *args) -> tuple[CommandError, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(name, str(path), *args, stdout=out, stderr=io.StringIO())
    return error.value, out.getvalue()


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(MEMBER_HEADER, [SITI, BUDI]))
    return path


# import_members


def test_import_members_as_a_user_reports_and_records_them(roster, staff, unit_a):
    out, err = command("import_members", roster, "--user", "staf-magelang")
    assert Member.objects.count() == 2
    assert in_indonesian(
        "%(total)d rows: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(errors)d with errors.",
        total=2, new=2, updated=0, unchanged=0, errors=0,
    ) in out  # fmt: skip
    assert "MB" in out
    assert in_indonesian("Rows processed: %(done)d of %(total)d", done=2, total=2) in err
    assert Member.objects.get(full_name="Siti Rahayu").history.get().history_user == staff


def test_dry_run_writes_nothing(roster, unit_a):
    out, _err = command("import_members", roster, "--dry-run")
    assert not Member.objects.exists()
    assert in_indonesian("Checked only (--dry-run): nothing was written.") in out


def test_without_a_user_the_command_reaches_every_region(tmp_path, unit_a, unit_temanggung):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_file(MEMBER_HEADER, [SITI, [*BUDI[:6], "33.23.11.2001"]], delimiter=";"))
    command("import_members", path)
    assert Member.objects.get(full_name="Budi Santoso").unit == unit_temanggung
    assert Member.objects.get(full_name="Siti Rahayu").history.get().history_user is None


def test_a_bad_row_exits_non_zero_naming_row_and_column(tmp_path, unit_a):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(MEMBER_HEADER, [SITI, [*BUDI[:4], "31/02/1979", *BUDI[5:]]]))
    error, out = refused("import_members", path)
    assert error.returncode == 1
    assert (
        in_indonesian("Row %(row)d, column %(column)s", row=3, column="Tanggal Lahir")
        + ": Tanggal tidak dikenali: “31/02/1979”. Tulis dd/mm/yyyy, misalnya 17/08/1980."
    ) in out
    assert not Member.objects.exists()  # the good row was rolled back too
    error, out = refused("import_members", path, "--dry-run")
    assert not Member.objects.exists()


def test_a_refused_file_exits_non_zero_with_the_reason(tmp_path, unit_a):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(["Nama"], [["Siti"]]))
    error, _out = refused("import_members", path)
    assert "NIK" in str(error)
    path.write_bytes(b"not a workbook")
    error, _out = refused("import_members", path)
    assert "Excel" in str(error)
    error, _out = refused("import_members", path.parent / "missing.xlsx")


def test_an_unknown_user_or_one_without_the_permission_is_refused(roster, viewer, unit_a):
    error, _out = refused("import_members", roster, "--user", "nobody")
    assert "nobody" in str(error)
    error, _out = refused("import_members", roster, "--user", viewer.username)
    assert viewer.username in str(error)
    assert not Member.objects.exists()


def test_a_users_scope_applies(roster, coordinator_b, unit_a):
    error, out = refused("import_members", roster, "--user", coordinator_b.username)
    assert out.count(in_indonesian("Row %(row)d, column %(column)s", row=2, column="Kelurahan")) == 1
    assert not Member.objects.exists()


# import_pmks_counts


def test_import_pmks_counts(tmp_path, staff, magelang):
    path = tmp_path / "rekap.xlsx"
    path.write_bytes(xlsx(["Kelurahan", "Fakir Miskin", "Lanjut Usia Terlantar"], [["Cacaban", 95, 12]]))
    command("import_pmks_counts", path, *PMKS, "--user", staff.username)
    assert set(PmksCount.objects.values_list("category__number", "count", "updated_by")) == {
        (24, 95, staff.pk),
        (8, 12, staff.pk),
    }
    out, _err = command("import_pmks_counts", path, *PMKS)
    assert in_indonesian(
        "%(total)d rows: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(errors)d with errors.",
        total=1, new=0, updated=0, unchanged=1, errors=0,
    ) in out  # fmt: skip


def test_import_pmks_counts_needs_its_options(tmp_path, staff, coordinator, magelang):
    path = tmp_path / "rekap.xlsx"
    path.write_bytes(xlsx(["Kelurahan", "Fakir Miskin"], [["Cacaban", 95]]))
    with pytest.raises(CommandError):
        call_command("import_pmks_counts", str(path), "--source", "dtks", "--data-date", "2023-12-31")
    error, _out = refused("import_pmks_counts", path, "--period", "2023-S3", "--source", "dtks",
                          "--data-date", "2023-12-31")  # fmt: skip
    assert "2024-S1" in str(error)
    error, _out = refused("import_pmks_counts", path, *PMKS, "--user", coordinator.username)
    assert not PmksCount.objects.exists()


def test_import_pmks_counts_dry_run_and_errors(tmp_path, staff, magelang):
    path = tmp_path / "rekap.xlsx"
    path.write_bytes(xlsx(["Kelurahan", "Fakir Miskin"], [["Cacaban", 95], ["Kowangan", 3]]))
    error, out = refused("import_pmks_counts", path, *PMKS, "--user", staff.username)
    assert in_indonesian("Row %(row)d, column %(column)s", row=3, column="Kelurahan") in out
    path.write_bytes(xlsx(["Kelurahan", "Fakir Miskin"], [["Cacaban", 95]]))
    command("import_pmks_counts", path, *PMKS, "--dry-run")
    assert not PmksCount.objects.exists()


# import_participants


def test_import_participants(tmp_path, staff, magelang, unit_a):
    event = make_event(magelang["kota_magelang"], by=staff)
    budi = factories.MemberFactory(unit=unit_a, full_name="Budi Santoso")
    path = tmp_path / "hadir.xlsx"
    path.write_bytes(xlsx(["NIK", "Nama", "Kehadiran"], [[budi.nik, "Budi Santoso", "Hadir"]]))
    command("import_participants", path, "--event", str(event.pk), "--dry-run")
    assert not Participant.objects.exists()
    command("import_participants", path, "--event", str(event.pk), "--user", staff.username)
    assert set(Attendance.objects.values_list("status", flat=True)) == {AttendanceStatus.HADIR}
    assert Participant.objects.get().invited_by == staff


def test_import_participants_of_an_unknown_event_exits_non_zero(
    tmp_path, staff, staff_other, magelang, unit_a
):
    event = make_event(magelang["kota_magelang"], by=staff)
    path = tmp_path / "hadir.xlsx"
    path.write_bytes(xlsx(["NIK"], [[factories.MemberFactory(unit=unit_a).nik]]))
    refused("import_participants", path, "--event", str(event.pk + 1))
    refused("import_participants", path, "--event", str(event.pk), "--user", staff_other.username)
    assert not Participant.objects.exists()
