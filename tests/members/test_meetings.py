"""The IPSM's meetings (members/meetings.py, members/views/meetings.py): scope, attendance with "Semua hadir",
decisions and follow-ups, attachments checked by content and served only within the scope, the board
elected at a musyawarah, the unit page's panel."""

import datetime
import io
import os

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfWriter

from ipsm.lib.documents import DAMAGED_PDF, NOT_A_DOCUMENT
from ipsm.lib.images import TOO_LARGE
from members import meetings
from members.models import BoardPosition, BoardRole, FollowUp, Meeting, MeetingAttachment, MeetingKind
from tests import factories
from tests.printing.pictures import phone_photo, upload


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _meeting(unit, by, kind=MeetingKind.RUTIN, **fields) -> Meeting:
    meeting = Meeting(unit=unit, region=unit.region, kind=kind, held_on=datetime.date(2026, 3, 5))
    meeting.place, meeting.agenda = fields.get("place", "Balai Kelurahan"), "Laporan bulanan"
    return meetings.create_meeting(meeting=meeting, by=by)


def _stored_files() -> set[str]:
    root = os.path.join(settings.PRIVATE_MEDIA_ROOT, "meetings")
    return set(os.listdir(root)) if os.path.isdir(root) else set()


@pytest.fixture
def roster(unit_a):
    """Three active members of unit A and a candidate (not expected)."""
    members = [factories.MemberFactory(unit=unit_a) for _ in range(3)]
    factories.MemberFactory(unit=unit_a, status="calon")
    return members


def test_coordinator_records_a_meeting_and_its_roster_is_the_units_active_members(
    as_user, coordinator, unit_a, roster, member_b
):
    client = as_user(coordinator)
    data = {"kind": "rutin", "held_on": "2026-03-05", "place": "Balai RW 02", "agenda": "Pembagian tugas"}
    response = client.post(reverse("meetings:unit_create", args=[unit_a.pk]), data)
    meeting = Meeting.objects.get()
    assert response.url == reverse("meetings:attendance", args=[meeting.pk])
    assert (
        meeting.unit == unit_a and meeting.region_id == unit_a.region_id and meeting.created_by == coordinator
    )
    assert {row.member_id for row in meeting.attendance.all()} == {member.pk for member in roster}
    assert meeting.history.get().history_user == coordinator


def test_semua_hadir_then_untick_the_absent(as_user, coordinator, unit_a, roster):
    meeting = _meeting(unit_a, coordinator)
    client = as_user(coordinator)
    url = reverse("meetings:attendance", args=[meeting.pk])
    client.post(url, {"semua_hadir": "1"})
    assert meeting.attendance.filter(present=True).count() == 3
    page = client.get(url).content.decode()
    assert page.count("checked") == 3
    client.post(url, {"hadir": [roster[0].pk, roster[1].pk], "simpan": "1"})
    assert set(meeting.attendance.filter(present=True).values_list("member", flat=True)) == {
        roster[0].pk,
        roster[1].pk,
    }
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "2/3" in detail


def test_decisions_and_follow_ups_then_done_from_the_meeting_page(
    as_user, coordinator, unit_a, roster, today
):
    meeting = _meeting(unit_a, coordinator)
    client = as_user(coordinator)
    url = reverse("meetings:decisions", args=[meeting.pk])
    client.post(url, {"keputusan-text": "Kunjungan rumah lansia tiap Sabtu", "keputusan": "1"})
    decision = meeting.decisions.get()
    due = today + datetime.timedelta(days=7)
    data = {"task": "Data lansia", "responsible": roster[0].pk, "due_on": due, "decision": decision.pk}
    client.post(url, {**data, "tindak_lanjut": "1"})
    follow_up = FollowUp.objects.get()
    assert follow_up.responsible == roster[0] and follow_up.decision == decision
    response = client.post(reverse("meetings:follow_up_done", args=[follow_up.pk]), {"note": "12 lansia"})
    assert response.url == reverse("meetings:detail", args=[meeting.pk])
    follow_up.refresh_from_db()
    assert follow_up.done_on == today and follow_up.note == "12 lansia"
    assert follow_up.history.first().history_user == coordinator
    client.post(reverse("meetings:decision_remove", args=[decision.pk]))
    assert not meeting.decisions.exists() and FollowUp.objects.filter(decision=None).count() == 1


def test_the_responsible_must_be_on_the_attendance_list(coordinator, unit_a, roster, member_b, today):
    meeting = _meeting(unit_a, coordinator)
    with pytest.raises(ValidationError):
        meetings.add_follow_up(meeting=meeting, task="x", due_on=today, responsible=member_b, by=coordinator)
    assert not FollowUp.objects.exists()


def test_a_follow_up_cannot_be_done_in_the_future(as_user, coordinator, unit_a, today):
    meeting = _meeting(unit_a, coordinator)
    follow_up = meetings.add_follow_up(meeting=meeting, task="x", due_on=today, by=coordinator)
    tomorrow = today + datetime.timedelta(days=1)
    as_user(coordinator).post(reverse("meetings:follow_up_done", args=[follow_up.pk]), {"done_on": tomorrow})
    follow_up.refresh_from_db()
    assert follow_up.done_on is None


def test_coordinator_of_another_unit_gets_404(as_user, coordinator, coordinator_b, unit_a, today):
    meeting = _meeting(unit_a, coordinator)
    follow_up = meetings.add_follow_up(meeting=meeting, task="x", due_on=today, by=coordinator)
    client = as_user(coordinator_b)
    for url in (
        reverse("meetings:unit_list", args=[unit_a.pk]),
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("meetings:attendance", args=[meeting.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("meetings:follow_up_done", args=[follow_up.pk])).status_code == 404


def test_viewer_reads_but_may_not_write(as_user, coordinator, viewer, unit_a, today):
    meeting = _meeting(unit_a, coordinator)
    follow_up = meetings.add_follow_up(meeting=meeting, task="x", due_on=today, by=coordinator)
    client = as_user(viewer)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("meetings:unit_list", args=[unit_a.pk])).status_code == 200
    assert (
        client.post(reverse("meetings:attendance", args=[meeting.pk]), {"semua_hadir": "1"}).status_code
        == 403
    )
    assert client.post(reverse("meetings:follow_up_done", args=[follow_up.pk])).status_code == 403
    assert client.get(reverse("meetings:unit_create", args=[unit_a.pk])).status_code == 403
    assert not meeting.attendance.filter(present=True).exists()


def test_forum_meeting_of_a_kecamatan_expects_the_ketua_of_its_units(
    as_user, staff, coordinator, magelang, unit_a, unit_b
):
    ketua_a = factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a)).member
    ketua_b = factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_b)).member
    factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a), role=BoardRole.SEKRETARIS)
    factories.MemberFactory(unit=unit_a)  # not on a board
    code = magelang["magelang_tengah"].code
    client = as_user(staff)
    form_page = client.get(reverse("meetings:region_create", args=[code])).content.decode()
    assert 'id="forum-attendance-rule"' in form_page
    data = {
        "kind": "koordinasi",
        "held_on": "2026-03-05",
        "place": "Kantor Kecamatan",
        "agenda": "Koordinasi",
    }
    client.post(reverse("meetings:region_create", args=[code]), data)
    meeting = Meeting.objects.get()
    assert meeting.unit is None and meeting.region_id == code
    assert {row.member_id for row in meeting.attendance.all()} == {ketua_a.pk, ketua_b.pk}
    assert "Kantor Kecamatan" in client.get(reverse("meetings:region_list", args=[code])).content.decode()
    # The forum is staff's: a coordinator neither sees the region's list nor the meeting.
    coordinator_client = as_user(coordinator)
    assert coordinator_client.get(reverse("meetings:region_list", args=[code])).status_code == 404
    assert coordinator_client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404


def _seat(unit, role=BoardRole.KETUA, *, inactive=False, **fields):
    status = {"status": "nonaktif", "status_reason": "mengundurkan_diri"} if inactive else {}
    member = factories.MemberFactory(unit=unit, **status)
    return factories.BoardPositionFactory(member=member, role=role, **fields).member


def test_forum_of_a_kabkota_is_its_own_board_and_one_ketua_per_unit(staff, magelang, unit_a, unit_b):
    """Not every board member of every unit (thousands in a kabupaten): the kab/kota IPSM's board and the
    ketua of each unit within it (members.meetings.forum_attendees)."""
    kota_unit = factories.UnitFactory(region=magelang["kota_magelang"])
    tengah_unit = factories.UnitFactory(region=magelang["magelang_tengah"])
    magersari = factories.UnitFactory(region=magelang["magersari"])
    kowangan = factories.UnitFactory(region=magelang["kowangan"])  # Temanggung
    kota_board = {
        _seat(kota_unit),
        _seat(kota_unit, BoardRole.SEKRETARIS),
        _seat(kota_unit, BoardRole.ANGGOTA),
    }
    ketua = {_seat(tengah_unit), _seat(unit_a), _seat(unit_b), _seat(magersari)}
    not_expected = {
        _seat(tengah_unit, BoardRole.SEKRETARIS),  # the kecamatan's board stays at the kecamatan forum
        _seat(unit_a, BoardRole.BENDAHARA),
        _seat(unit_b, BoardRole.ANGGOTA),
        _seat(kowangan),  # another kab/kota
        _seat(magersari, BoardRole.WAKIL_KETUA, inactive=True),
        _seat(unit_b, BoardRole.WAKIL_KETUA, ended_on=datetime.date(2025, 1, 1)),  # left the seat
    }
    # A unit's ketua who also sits on the kab/kota board is listed once.
    both = next(m for m in ketua if m.unit == magersari)
    factories.BoardPositionFactory(member=both, unit=kota_unit, role=BoardRole.ANGGOTA)
    expected = list(meetings.forum_attendees(magelang["kota_magelang"].code))
    assert len(expected) == len(set(expected)) == 7
    assert set(expected) == kota_board | ketua
    assert not set(expected) & not_expected
    # The kecamatan's forum: its own board, and the ketua of its kelurahan units; not the kab/kota's board.
    tengah = set(meetings.forum_attendees(magelang["magelang_tengah"].code))
    assert tengah == {m for m in ketua if m.unit in (tengah_unit, unit_a, unit_b)} | {
        m for m in not_expected if m.unit == tengah_unit
    }
    # A meeting of the kab/kota forum takes exactly that list.
    meeting = Meeting(region=magelang["kota_magelang"], kind="koordinasi", held_on=datetime.date(2026, 3, 5))
    meeting.place, meeting.agenda = "Aula Dinas Sosial", "Rapat koordinasi"
    meetings.create_meeting(meeting=meeting, by=staff)
    assert {row.member for row in meeting.attendance.select_related("member")} == kota_board | ketua


def test_a_kelurahan_has_no_forum(as_user, staff, magelang):
    response = as_user(staff).get(reverse("meetings:region_list", args=[magelang["rejowinangun_utara"].code]))
    assert response.status_code == 404


def test_attachment_is_stored_clean_and_served_only_within_the_scope(
    as_user, coordinator, coordinator_b, viewer, staff_other, unit_a
):
    meeting = _meeting(unit_a, coordinator)
    client = as_user(coordinator)
    data = {"title": "Daftar hadir", "file": upload(_pdf(), "hadir.pdf", "application/pdf")}
    response = client.post(reverse("meetings:attachment_add", args=[meeting.pk]), data)
    assert response.status_code == 302
    attachment = MeetingAttachment.objects.get()
    assert attachment.file.name.endswith(".pdf") and attachment.uploaded_by == coordinator
    url = reverse("meetings:attachment", args=[attachment.pk])
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content).startswith(b"%PDF-")
    assert as_user(viewer).get(url).status_code == 200
    assert as_user(coordinator_b).get(url).status_code == 404
    assert as_user(staff_other).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize(
    "data, name, message",
    [
        pytest.param(b"just some text", "notulen.pdf", NOT_A_DOCUMENT, id="wrong-type"),
        pytest.param(_pdf()[:200], "notulen.pdf", DAMAGED_PDF, id="damaged-pdf"),
        pytest.param(b"%PDF-" + b"0" * 2048, "besar.pdf", TOO_LARGE, id="too-large"),
    ],
)
def test_refused_attachment_saves_nothing_and_says_why(
    as_user, coordinator, unit_a, settings, data, name, message
):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1024
    meeting = _meeting(unit_a, coordinator)
    before = _stored_files()
    file = upload(data, name, "application/pdf")
    response = as_user(coordinator).post(
        reverse("meetings:attachment_add", args=[meeting.pk]), {"title": "Notulen", "file": file}
    )
    assert response.status_code == 400
    limit = {"limit": f"{1024 / (1024 * 1024):g}"}
    assert escape(str(message) % limit if message is TOO_LARGE else str(message)) in response.content.decode()
    assert not MeetingAttachment.objects.exists() and _stored_files() == before


def test_a_photo_is_accepted(as_user, coordinator, unit_a):
    meeting = _meeting(unit_a, coordinator)
    as_user(coordinator).post(
        reverse("meetings:attachment_add", args=[meeting.pk]),
        {"title": "Foto", "file": upload(phone_photo())},
    )
    assert MeetingAttachment.objects.get().file.name.endswith(".jpg")


def test_board_elected_at_a_musyawarah_is_recorded_from_the_meeting(as_user, coordinator, unit_a, roster):
    meeting = _meeting(unit_a, coordinator, kind=MeetingKind.MUSYAWARAH)
    client = as_user(coordinator)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    url = reverse("members:board_add", args=[unit_a.pk]) + f"?rapat={meeting.pk}"
    assert url.replace("&", "&amp;") in page
    data = {
        "member": roster[0].pk,
        "role": "ketua",
        "term_starts_on": "2026-03-05",
        "term_ends_on": "2031-03-05",
        "sk_number": "",
    }
    response = client.post(url, data)
    assert response.url == reverse("meetings:detail", args=[meeting.pk])
    assert BoardPosition.objects.get(member=roster[0]).elected_at == meeting


def test_board_cannot_be_elected_at_a_regular_meeting_or_another_units(
    as_user, coordinator, staff, unit_a, unit_b, roster
):
    regular = _meeting(unit_a, coordinator)
    data = {
        "member": roster[0].pk,
        "role": "ketua",
        "term_starts_on": "2026-03-05",
        "term_ends_on": "2031-03-05",
    }
    client = as_user(coordinator)
    client.post(reverse("members:board_add", args=[unit_a.pk]) + f"?rapat={regular.pk}", data)
    assert not BoardPosition.objects.exists()
    other = _meeting(unit_b, staff, kind=MeetingKind.MUSYAWARAH)
    response = as_user(staff).get(reverse("members:board_add", args=[unit_a.pk]) + f"?rapat={other.pk}")
    assert response.status_code == 404


def test_unit_panel_shows_last_meeting_and_open_follow_ups(as_user, coordinator, unit_a, today):
    meeting = _meeting(unit_a, coordinator)
    yesterday = today - datetime.timedelta(days=1)
    meetings.add_follow_up(meeting=meeting, task="late", due_on=yesterday, by=coordinator)
    meetings.add_follow_up(meeting=meeting, task="soon", due_on=today, by=coordinator)
    done = meetings.add_follow_up(meeting=meeting, task="done", due_on=yesterday, by=coordinator)
    meetings.mark_follow_up_done(follow_up=done, by=coordinator)
    page = as_user(coordinator).get(reverse("members:unit_detail", args=[unit_a.pk])).content.decode()
    assert "05/03/2026" in page
    assert 'id="open-follow-ups">2 ' in page
    assert 'id="overdue-follow-ups">1 ' in page
    assert reverse("meetings:unit_list", args=[unit_a.pk]) in page


def _meetings_with_everything(unit, by, count):
    members = [factories.MemberFactory(unit=unit) for _ in range(3)]
    for _ in range(count):
        meeting = _meeting(unit, by)
        decision = meetings.add_decision(meeting=meeting, text="Keputusan", by=by)
        meetings.add_follow_up(
            meeting=meeting,
            task="x",
            due_on=meeting.held_on,
            responsible=members[0],
            decision=decision,
            by=by,
        )
        meetings.mark_all_present(meeting=meeting, by=by)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_pages_take_a_constant_number_of_queries(as_user, coordinator, unit_a):
    """Lists, the meeting page, the decisions page and the unit page's panel: as many queries for one meeting
    (decision, follow-up, attendance) as for four."""
    client = as_user(coordinator)
    _meetings_with_everything(unit_a, coordinator, 1)
    meeting = Meeting.objects.get()
    urls = [
        reverse("meetings:unit_list", args=[unit_a.pk]),
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("meetings:decisions", args=[meeting.pk]),
        reverse("members:unit_detail", args=[unit_a.pk]),
    ]
    client.get(urls[0])  # the session's first queries
    before = [_queries(client, url) for url in urls]
    _meetings_with_everything(unit_a, coordinator, 3)
    for _ in range(3):  # more lines on the one meeting's page too
        meetings.add_decision(meeting=meeting, text="Lagi", by=coordinator)
        meetings.add_follow_up(meeting=meeting, task="y", due_on=meeting.held_on, by=coordinator)
    assert [_queries(client, url) for url in urls] == before
