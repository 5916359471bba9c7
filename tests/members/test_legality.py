"""Legality (members/legality.py, members/views/legality.py): the valid-SK rule, the kab/kota's legality
page and its exports, the SK files (uploads refused with a reason and nothing saved; files served only in
scope), a board's SK, and the SK status on the unit and member pages."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfWriter

from ipsm.lib.documents import clean_document
from ipsm.models import ExportLog
from members import legality
from members.models import BoardDecree, Member, MemberStatus, Region, Unit
from tests import factories
from tests.printing.pictures import phone_photo, upload

DAY = datetime.date(2026, 6, 1)
LIMIT = 5 * 1024 * 1024


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _pdf_upload(name: str = "sk.pdf"):
    return upload(_pdf(), name, "application/pdf")


def _document():
    return clean_document(upload(phone_photo()), max_bytes=LIMIT)


# --- The rule -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "date", "until", "expected"),
    [
        ("460/12/2024", datetime.date(2024, 1, 5), None, legality.SK_VALID),
        ("460/12/2024", datetime.date(2024, 1, 5), DAY, legality.SK_VALID),  # valid through its last day
        ("460/12/2024", datetime.date(2024, 1, 5), DAY - datetime.timedelta(days=1), legality.SK_EXPIRED),
        ("", datetime.date(2024, 1, 5), None, legality.SK_MISSING),
        ("460/12/2024", None, None, legality.SK_MISSING),
    ],
)
def test_a_psm_sk_is_valid_with_number_date_and_not_ended(unit_a, number, date, until, expected):
    member = factories.MemberFactory(unit=unit_a, sk_number=number, sk_date=date, sk_valid_until=until)
    assert legality.member_sk_status(member, DAY) == expected
    # The queryset form of the rule agrees with the one for a row.
    valid = Member.objects.filter(legality.member_sk_valid_q(DAY), pk=member.pk).exists()
    assert valid == (expected == legality.SK_VALID)


def test_a_unit_has_its_sk_with_number_and_date(magelang):
    with_sk = factories.UnitFactory(region=magelang["rejowinangun_utara"])
    without_date = factories.UnitFactory(region=magelang["cacaban"], sk_date=None)
    without_number = factories.UnitFactory(region=magelang["magersari"], sk_number="")
    assert legality.unit_has_sk(with_sk)
    assert not legality.unit_has_sk(without_date) and not legality.unit_has_sk(without_number)
    assert list(Unit.objects.filter(legality.unit_sk_q())) == [with_sk]


def test_board_state(unit_a, unit_b, magelang, staff):
    assert legality.board_state(unit_a, DAY) == legality.BOARD_NONE
    seat = factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a))
    assert legality.board_state(unit_a, DAY) == legality.BOARD_WITHOUT_SK
    legality.record_board_decree(
        unit=unit_a, number="1/SK/2023", issued_on=datetime.date(2023, 1, 2), issuer="Lurah",
        positions=[seat], by=staff,
    )  # fmt: skip
    assert legality.board_state(unit_a, DAY) == legality.BOARD_OK
    lapsed = factories.BoardPositionFactory(
        member=factories.MemberFactory(unit=unit_b),
        term_starts_on=datetime.date(2019, 1, 1),
        term_ends_on=datetime.date(2024, 1, 1),
    )
    assert legality.board_state(lapsed.unit, DAY) == legality.BOARD_LAPSED


def test_sk_cannot_end_before_its_date(as_user, staff, member_a):
    response = as_user(staff).get(reverse("members:edit", args=[member_a.pk]))
    assert "sk_issuer" in response.context["form"].fields
    member_a.sk_date = datetime.date(2024, 5, 1)
    member_a.sk_valid_until = datetime.date(2024, 4, 30)
    with pytest.raises(ValidationError) as refused:
        member_a.full_clean()
    assert list(refused.value.message_dict) == ["sk_valid_until"]


# --- The legality page --------------------------------------------------------------------------------------


@pytest.fixture
def legality_world(magelang, unit_a, unit_b, unit_temanggung, staff):
    """Kota Magelang: unit A with its SK, unit B without; members with valid, expired and missing SK; a board
    in unit A without SK and a lapsed one in unit B. Temanggung: a member without SK."""
    unit_b.sk_number = ""
    unit_b.save()
    today = datetime.date.today()
    valid = factories.MemberFactory(
        unit=unit_a, full_name="Sah Berlaku", sk_number="1/2024", sk_date=datetime.date(2024, 1, 2)
    )
    expired = factories.MemberFactory(
        unit=unit_a,
        full_name="Habis Masa",
        sk_number="2/2020",
        sk_date=datetime.date(2020, 1, 2),
        sk_valid_until=today - datetime.timedelta(days=1),
    )
    missing = factories.MemberFactory(unit=unit_b, full_name="Tanpa Surat")
    inactive = factories.MemberFactory(
        unit=unit_b, full_name="Sudah Berhenti", status=MemberStatus.NONAKTIF, status_reason="lainnya"
    )
    other = factories.MemberFactory(unit=unit_temanggung, full_name="Warga Temanggung")
    seat_a = factories.BoardPositionFactory(member=valid)
    seat_b = factories.BoardPositionFactory(
        member=missing,
        term_starts_on=datetime.date(2019, 1, 1),
        term_ends_on=today - datetime.timedelta(days=3),
    )
    return {
        "valid": valid,
        "expired": expired,
        "missing": missing,
        "inactive": inactive,
        "other": other,
        "seat_a": seat_a,
        "seat_b": seat_b,
    }


def _page(client, daftar: str, code: str = "33.71"):
    return client.get(reverse("legality:region", args=[code]), {"daftar": daftar})


def test_lists_show_the_rows_the_rules_pick(as_user, staff, legality_world, unit_a, unit_b):
    client = as_user(staff)
    members = [m.full_name for m in _page(client, "psm").context["page"]]
    # Active only, in scope only, the valid one left out; by unit (Cacaban, then Rejowinangun Utara).
    assert members == ["Tanpa Surat", "Habis Masa"]
    response = _page(client, "psm")
    assert response.context["counts"] == {"members": 2, "units": 1, "boards": 2}
    assert list(_page(client, "unit").context["page"]) == [unit_b]
    boards = {u.pk: (u.board_lapsed, u.board_without_sk) for u in _page(client, "pengurus").context["page"]}
    assert boards == {unit_a.pk: (False, True), unit_b.pk: (True, True)}


def test_age_profile_counts_members_and_board_by_band(as_user, staff, unit_a, unit_b):
    today = datetime.date.today()
    old = factories.MemberFactory(unit=unit_a, birth_date=datetime.date(today.year - 65, 1, 1))
    factories.MemberFactory(unit=unit_a, birth_date=datetime.date(today.year - 35, 1, 1))
    factories.MemberFactory(unit=unit_b, birth_date=datetime.date(today.year - 45, 1, 1))
    factories.BoardPositionFactory(member=old)
    rows = list(_page(as_user(staff), "usia").context["page"])
    assert [row.code for row in rows] == ["33.71.03", "33.71"]  # the kecamatan, then the total
    assert rows[0].name == "Magelang Tengah"
    total = rows[-1]
    assert total.members == [0, 1, 1, 0, 1] and total.board == [0, 0, 0, 0, 1]
    assert total.member_old_share == pytest.approx(33.3) and total.board_old_share == 100


def test_the_page_counts_in_constant_queries(as_user, staff, magelang, django_assert_max_num_queries):
    client = as_user(staff)
    for region in ("rejowinangun_utara", "cacaban", "magersari"):
        unit = factories.UnitFactory(region=magelang[region], sk_number="")
        for _ in range(3):
            member = factories.MemberFactory(unit=unit)
        factories.BoardPositionFactory(member=member, term_ends_on=datetime.date(2024, 2, 1),
                                       term_starts_on=datetime.date(2020, 1, 1))  # fmt: skip
    counted = {}
    for daftar in ("psm", "unit", "pengurus", "usia"):
        with CaptureQueriesContext(connection) as queries:
            assert _page(client, daftar).status_code == 200
        counted[daftar] = len(queries)
    tidar = Region.objects.create(
        code="33.71.01.1008", name="Tidar", level="kelurahan", parent=magelang["magelang_selatan"]
    )
    more = factories.UnitFactory(region=tidar, sk_number="")
    factories.BoardPositionFactory(member=factories.MemberFactory(unit=more))
    for daftar, expected in counted.items():
        with django_assert_max_num_queries(expected):
            _page(client, daftar)


def test_scope_of_the_page(
    as_user, magelang, staff, staff_other, viewer, coordinator, superuser, legality_world
):
    assert _page(as_user(staff_other), "psm").status_code == 404  # Temanggung's staff on Magelang's page
    assert _page(as_user(coordinator), "psm").status_code == 403
    assert _page(as_user(viewer), "psm").status_code == 200
    assert _page(as_user(superuser), "psm").status_code == 200
    # Not a kab/kota: no such page.
    assert _page(as_user(staff), "psm", code="33.71.03").status_code == 404
    # Temanggung's own page lists only Temanggung.
    names = [m.full_name for m in _page(as_user(staff_other), "psm", code="33.23").context["page"]]
    assert names == ["Warga Temanggung"]


@pytest.mark.parametrize("daftar", ["psm", "unit", "pengurus", "usia"])
def test_each_list_exports_and_is_logged(as_user, staff, legality_world, daftar):
    response = as_user(staff).get(reverse("legality:export", args=["33.71", daftar, "xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    log = ExportLog.objects.get(user=staff)
    assert log.list_name == "legality" and log.filters == {"wilayah": "33.71", "daftar": daftar}
    assert log.row_count == len(rows) - 1
    if daftar == "psm":
        assert {row[1] for row in rows[1:]} == {"Habis Masa", "Tanpa Surat"}


def test_csv_export_and_scope(as_user, staff_other, staff, legality_world):
    assert as_user(staff).get(reverse("legality:export", args=["33.71", "unit", "csv"])).status_code == 200
    assert ExportLog.objects.filter(list_name="legality", file_format="csv").count() == 1
    assert (
        as_user(staff_other).get(reverse("legality:export", args=["33.71", "unit", "csv"])).status_code == 404
    )
    assert as_user(staff).get(reverse("legality:export", args=["33.71", "lainnya", "csv"])).status_code == 404


# --- SK files -----------------------------------------------------------------------------------------------


def test_unit_sk_upload_and_served_only_in_scope(as_user, staff, staff_other, coordinator, viewer, unit_a):
    client = as_user(staff)
    url = reverse("legality:unit_sk_upload", args=[unit_a.pk])
    response = client.post(url, {"document": _pdf_upload()})
    assert response.status_code == 302
    unit_a.refresh_from_db()
    assert unit_a.sk_file.name.endswith(".pdf")
    file_url = reverse("legality:unit_sk_file", args=[unit_a.pk])
    served = client.get(file_url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert as_user(viewer).get(file_url).status_code == 200
    assert as_user(coordinator).get(file_url).status_code == 200
    assert as_user(staff_other).get(file_url).status_code == 404
    # Coordinators do not edit the unit's founding SK.
    assert as_user(coordinator).post(url, {"document": _pdf_upload()}).status_code == 403


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"MZ\x90\x00 not a document", "not_a_document"),
        (_pdf()[:200], "damaged"),
        (b"", "empty"),
        (_pdf(), "too_large"),  # with a limit of 100 bytes
    ],
)
def test_bad_uploads_are_refused_with_a_reason_and_nothing_saved(
    as_user, staff, member_a, data, code, settings
):
    settings.IMAGE_MAX_UPLOAD_BYTES = 100 if code == "too_large" else LIMIT
    url = reverse("legality:member_sk_upload", args=[member_a.pk])
    response = as_user(staff).post(url, {"document": upload(data, "sk.pdf", "application/pdf")})
    assert response.status_code == 400
    [error] = response.context["form"].errors.as_data()["document"]
    assert error.code == code
    assert error.messages[0] in response.content.decode()  # said on the page, in the user's language
    member_a.refresh_from_db()
    assert not member_a.sk_file


def test_member_sk_file_by_coordinator_served_in_scope(
    as_user, coordinator, coordinator_b, staff_other, member_a
):
    url = reverse("legality:member_sk_upload", args=[member_a.pk])
    assert as_user(coordinator).post(url, {"document": upload(phone_photo(), "sk.jpg")}).status_code == 302
    file_url = reverse("legality:member_sk_file", args=[member_a.pk])
    assert as_user(coordinator).get(file_url)["Content-Type"] == "image/jpeg"
    assert as_user(coordinator_b).get(file_url).status_code == 404
    assert as_user(staff_other).get(file_url).status_code == 404


def test_a_new_file_replaces_the_old_one(staff, member_a):
    legality.set_member_sk_file(member=member_a, document=_document(), by=staff)
    member_a.refresh_from_db()
    first = member_a.sk_file.name
    storage = member_a.sk_file.storage
    with TestCase.captureOnCommitCallbacks(execute=True):
        legality.set_member_sk_file(member=member_a, document=_document(), by=staff)
    member_a.refresh_from_db()
    assert member_a.sk_file.name != first and not storage.exists(first)


# --- A board's SK -------------------------------------------------------------------------------------------


def test_coordinator_records_the_board_sk(as_user, coordinator, unit_a, member_a):
    seat = factories.BoardPositionFactory(member=member_a)
    other_seat = factories.BoardPositionFactory(
        member=factories.MemberFactory(unit=unit_a), role="sekretaris"
    )
    url = reverse("legality:decree_add", args=[unit_a.pk])
    client = as_user(coordinator)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "number": "400/07/2025",
            "issued_on": "2025-02-01",
            "issuer": "Lurah Rejowinangun Utara",
            "positions": [seat.pk],
            "document": _pdf_upload(),
        },
    )
    assert response.status_code == 302
    decree = BoardDecree.objects.get()
    seat.refresh_from_db()
    other_seat.refresh_from_db()
    assert seat.decree == decree and other_seat.decree is None
    assert decree.history.first().history_user == coordinator
    assert client.get(reverse("legality:decree_file", args=[decree.pk])).status_code == 200
    page = client.get(reverse("members:unit_detail", args=[unit_a.pk])).content.decode()
    assert "400/07/2025" in page


def test_board_sk_of_another_unit_refused(as_user, coordinator_b, staff_other, unit_a, member_a):
    factories.BoardPositionFactory(member=member_a)
    url = reverse("legality:decree_add", args=[unit_a.pk])
    assert as_user(coordinator_b).get(url).status_code == 404
    assert as_user(staff_other).get(url).status_code == 404


def test_board_sk_with_a_bad_file_saves_nothing(as_user, staff, unit_a, member_a):
    seat = factories.BoardPositionFactory(member=member_a)
    response = as_user(staff).post(
        reverse("legality:decree_add", args=[unit_a.pk]),
        {
            "number": "1",
            "issued_on": "2025-02-01",
            "issuer": "Lurah",
            "positions": [seat.pk],
            "document": upload(b"junk", "sk.pdf", "application/pdf"),
        },
    )
    assert response.status_code == 400
    assert not BoardDecree.objects.exists()


# --- Panels -------------------------------------------------------------------------------------------


def test_member_page_shows_the_sk_status(as_user, staff, unit_a):
    expired = factories.MemberFactory(
        unit=unit_a,
        sk_number="3/2020",
        sk_date=datetime.date(2020, 1, 1),
        sk_valid_until=datetime.date(2021, 1, 1),
    )
    page = as_user(staff).get(reverse("members:detail", args=[expired.pk])).content.decode()
    assert 'id="member-sk-status" data-status="expired"' in page
    assert 'id="member-sk-upload"' in page


def test_unit_page_panel_in_constant_queries(as_user, staff, unit_a, django_assert_max_num_queries):
    client = as_user(staff)
    url = reverse("members:unit_detail", args=[unit_a.pk])
    factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a))
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    for role in ("sekretaris", "bendahara"):
        seat = factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a), role=role)
        legality.record_board_decree(
            unit=unit_a, number=f"SK {role}", issued_on=datetime.date(2024, 1, 1), issuer="Lurah",
            positions=[seat], document=_document(), by=staff,
        )  # fmt: skip
    with django_assert_max_num_queries(len(queries)):
        page = client.get(url).content.decode()
    assert 'data-status="without_sk"' in page and "SK sekretaris" in page


# --- The roster import --------------------------------------------------------------------------------------


def test_the_roster_import_sets_the_sk_issuer_and_end(as_user, coordinator, member_a):
    from tests.imports.test_member_import import last_job, problems, xlsx
    from tests.imports.test_member_import import upload as upload_roster

    header = ["NIK", "Nama Lengkap", "No. SK", "Tanggal SK", "Penerbit SK", "SK Berlaku Sampai"]
    client = as_user(coordinator)  # their own unit: no kelurahan column needed
    row = [member_a.nik, member_a.full_name, "460/5/2024", "02/01/2024", "Kepala Dinas Sosial", "01/01/2029"]
    upload_roster(client, xlsx([row], header))
    job = last_job()
    assert problems(job) == []
    client.post(f"/impor/berkas/{job.pk}/impor/")
    member_a.refresh_from_db()
    assert (member_a.sk_issuer, member_a.sk_valid_until) == ("Kepala Dinas Sosial", datetime.date(2029, 1, 1))
    # An end before the SK's date is refused under its column.
    row[5] = "01/01/2023"
    upload_roster(client, xlsx([row], header))
    assert [column for _row, column, _message in problems(last_job())] == ["SK Berlaku Sampai"]
