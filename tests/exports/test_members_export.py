"""The member list export: content, the list's filters, scope, NIK masking, refusals, log, query count."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from ipsm import roles
from ipsm.models import ExportLog
from members.access import NikPolicy
from members.models import MemberStatus
from members.nik import mask_nik
from tests import factories
from tests.exports.helpers import body, csv_rows, fetch, queries_of, xlsx_rows, xlsx_sheet


def url(fmt: str = "xlsx") -> str:
    return reverse("members:export", args=[fmt])


@pytest.fixture
def roster(unit_a, unit_b, unit_temanggung, magelang):
    unit_selatan = factories.UnitFactory(region=magelang["magersari"])
    return {
        "budi": factories.MemberFactory(
            unit=unit_a, full_name="Budi Santoso", female=False, birth_date=datetime.date(1980, 5, 17)
        ),
        "siti": factories.MemberFactory(
            unit=unit_b, full_name="Siti Rahayu", female=True, status=MemberStatus.CALON
        ),
        "agus": factories.MemberFactory(unit=unit_selatan, full_name="Agus Wibowo", female=False),
        "wulan": factories.MemberFactory(unit=unit_temanggung, full_name="Wulan Lestari", female=True),
    }


def test_staff_gets_every_member_of_their_kab_kota_with_whole_nik(as_user, staff, roster):
    rows = fetch(as_user(staff), url())
    assert [row["Name"] for row in rows] == ["Agus Wibowo", "Budi Santoso", "Siti Rahayu"]
    budi = rows[1]
    assert budi["NIK"] == roster["budi"].nik
    assert budi["KTA number"] == roster["budi"].kta_number
    assert budi["Date of birth"] == datetime.datetime(1980, 5, 17)  # a real date in the workbook
    assert budi["Sex"] == "Male"
    assert budi["IPSM unit"] == "Rejowinangun Utara"
    assert budi["Kecamatan"] == "Magelang Tengah"
    assert budi["Status"] == "Active"
    assert budi["Mobile number"] == "+6281234567890"


def test_dates_are_real_dates_shown_day_first(as_user, staff, roster):
    sheet = xlsx_sheet(as_user(staff).get(url()))
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Join date") + 1)
    assert cell.is_date
    assert cell.number_format == "DD/MM/YYYY"


def test_csv_has_the_same_rows(as_user, staff, roster):
    rows = csv_rows(as_user(staff).get(url("csv")))
    assert rows[0][:3] == ["KTA number", "Name", "NIK"]
    assert [row[1] for row in rows[1:]] == ["Agus Wibowo", "Budi Santoso", "Siti Rahayu"]
    budi = dict(zip(rows[0], rows[2], strict=True))
    assert budi["NIK"] == roster["budi"].nik
    assert budi["Date of birth"] == "1980-05-17"


def test_file_name_names_the_list_the_area_and_the_day(as_user, staff, roster, today):
    response = as_user(staff).get(url())
    assert f'filename="anggota-33.71-{today:%Y-%m-%d}.xlsx"' in response["Content-Disposition"]
    response = as_user(staff).get(url("csv"), {"kecamatan": "33.71.03"})
    assert f'filename="anggota-33.71.03-{today:%Y-%m-%d}.csv"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "calon"}, ["Siti Rahayu"]),
        ({"kecamatan": "33.71.01"}, ["Agus Wibowo"]),
        ({"kecamatan": "33.71.03", "kelurahan": "33.71.03.1003"}, ["Budi Santoso"]),
        ({"jenis_kelamin": "P"}, ["Siti Rahayu"]),
        ({"cari": "santoso"}, ["Budi Santoso"]),
    ],
)
def test_the_list_filters_apply(as_user, staff, roster, params, expected):
    assert [row["Name"] for row in fetch(as_user(staff), url(), params)] == expected


def test_the_unit_filter_applies(as_user, staff, roster, unit_b):
    assert [row["Name"] for row in fetch(as_user(staff), url("csv"), {"unit": unit_b.pk})] == ["Siti Rahayu"]


def test_export_is_logged_with_its_filters_and_row_count(as_user, staff, roster):
    params = {
        "status": "aktif",
        "kecamatan": "33.71.03",
        "jenis_kelamin": "",
        "halaman": "2",
        "per_halaman": "50",
    }
    body(as_user(staff).get(url("csv"), params))
    log = ExportLog.objects.get()
    assert log.user == staff
    assert log.list_name == "members"
    assert log.file_format == "csv"
    assert log.filters == {"status": "aktif", "kecamatan": "33.71.03"}
    assert log.row_count == 1
    assert log.nik_masked is False


def test_a_refused_filter_value_is_not_logged_and_does_not_narrow(as_user, staff, roster):
    # Temanggung's kecamatan is outside the staff's area: the list ignores it, and so does the export.
    rows = fetch(as_user(staff), url(), {"kecamatan": "33.23.11"})
    assert len(rows) == 3
    assert ExportLog.objects.get().filters == {}


def test_other_kab_kota_members_are_absent(as_user, staff_other, roster):
    rows = fetch(as_user(staff_other), url())
    assert [row["Name"] for row in rows] == ["Wulan Lestari"]


def test_viewer_gets_masked_nik_and_no_birth_date(as_user, viewer, roster):
    rows = fetch(as_user(viewer), url())
    budi = rows[1]
    assert budi["NIK"] == mask_nik(roster["budi"].nik)
    # With the date of birth beside it, a masked NIK could be pieced back together.
    assert budi["Date of birth"] is None
    # The year only, as on the member page (members.access.NikPolicy).
    assert budi["Year of birth"] == roster["budi"].birth_date.year
    assert ExportLog.objects.get().nik_masked is True


def test_viewer_csv_never_holds_a_whole_nik(as_user, viewer, roster):
    content = body(as_user(viewer).get(url("csv"))).decode()
    for member in roster.values():
        assert member.nik not in content


def test_coordinator_gets_their_unit_only_with_whole_nik(as_user, coordinator, roster):
    rows = fetch(as_user(coordinator), url())
    assert [(row["Name"], row["NIK"]) for row in rows] == [("Budi Santoso", roster["budi"].nik)]
    assert ExportLog.objects.get().nik_masked is False


def test_nik_is_whole_only_where_the_user_may_edit_the_member(
    staff, staff_other, viewer, coordinator, superuser, roster
):
    budi, siti, wulan = roster["budi"], roster["siti"], roster["wulan"]
    assert NikPolicy(coordinator).nik(budi) == budi.nik
    assert NikPolicy(coordinator).nik(siti) == mask_nik(siti.nik)  # another unit of the same kelurahan list
    assert NikPolicy(staff).nik(siti) == siti.nik
    assert NikPolicy(staff).nik(wulan) == mask_nik(wulan.nik)
    assert NikPolicy(staff_other).nik(wulan) == wulan.nik
    assert NikPolicy(viewer).nik(budi) == mask_nik(budi.nik)
    assert NikPolicy(superuser).nik(wulan) == wulan.nik


def test_anonymous_user_is_sent_to_login(client, roster):
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not ExportLog.objects.exists()


def test_user_without_a_role_is_refused(as_user, roster, magelang):
    stranger = factories.UserFactory(username="tamu")
    factories.AssignmentFactory(user=stranger, region=magelang["kota_magelang"])
    assert as_user(stranger).get(url()).status_code == 403
    assert not ExportLog.objects.exists()


def test_role_without_assignment_gets_an_empty_file(as_user, roster):
    # Permission without an area: nothing is in scope (deny by default), and the empty export is logged.
    loose = factories.UserFactory(username="staf-tanpa-wilayah")
    loose.groups.add(Group.objects.get(name=roles.STAFF))
    assert fetch(as_user(loose), url()) == []
    assert ExportLog.objects.get().row_count == 0


def test_unknown_format_is_not_found(as_user, staff, roster):
    assert as_user(staff).get(url("pdf")).status_code == 404
    assert not ExportLog.objects.exists()


def test_headers_follow_the_language(client, as_user, staff, roster):
    client.cookies.pop("django_language")
    assert xlsx_rows(as_user(staff).get(url()))[0][1] == "Nama"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_query_count_does_not_grow_with_rows(as_user, staff, unit_a, unit_b, fmt, django_assert_num_queries):
    client = as_user(staff)
    factories.MemberFactory.create_batch(2, unit=unit_a)
    expected = queries_of(client, url(fmt))
    factories.MemberFactory.create_batch(2, unit=unit_a)
    factories.MemberFactory.create_batch(2, unit=unit_b)
    with django_assert_num_queries(expected):
        rows = fetch(client, url(fmt))
    assert len(rows) == 6
    assert ExportLog.objects.order_by("pk").last().row_count == 6


def test_csv_is_written_in_the_language_of_the_request(client, as_user, staff, roster):
    client.cookies.pop("django_language")
    response = as_user(staff).get(url("csv"))
    # The body streams after the view returned; whatever language is active then does not matter.
    with translation.override("en"):
        rows = csv_rows(response)
    assert rows[0][1] == "Nama"
    assert rows[1][3] == "Laki-laki"
