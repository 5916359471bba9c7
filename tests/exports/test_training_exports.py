"""Exports of the event list, of one event's participants (NIK per member) and of the indicator report."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from ipsm.models import ExportLog
from members.nik import mask_nik
from tests import factories
from tests.exports.helpers import fetch, queries_of
from tests.trainings.conftest import START, make_event, mark_all
from trainings import services
from trainings.indicators import DEFINITIONS
from trainings.models import AttendanceStatus

EVENTS_URL = reverse("trainings:export", args=["xlsx"])


def participants_url(event, fmt: str = "xlsx") -> str:
    return reverse("trainings:participant_export", args=[event.pk, fmt])


def indicators_url(fmt: str = "xlsx") -> str:
    return reverse("trainings:indicator_export", args=[fmt])


# --- The event list --------------------------------------------------------------------------------------


@pytest.fixture
def events(staff, staff_other, magelang):
    return {
        "own": make_event(
            magelang["kota_magelang"], by=staff, title="Bimtek Dasar PSM", budget=Decimal(5_000_000)
        ),
        "joint": make_event(
            magelang["kota_magelang"],
            magelang["temanggung"],
            by=staff,
            title="Bimtek Bersama",
            training_type="bimtek_lanjutan",
            starts_on=datetime.date(2023, 8, 1),
            ends_on=datetime.date(2023, 8, 2),
        ),
        "other": make_event(
            magelang["temanggung"],
            by=staff_other,
            title="Sosialisasi Temanggung",
            training_type="sosialisasi",
        ),
    }


def test_event_list_of_the_staff_office(as_user, staff, events):
    rows = fetch(as_user(staff), EVENTS_URL)
    assert [row["Title"] for row in rows] == ["Bimtek Dasar PSM", "Bimtek Bersama"]
    own = rows[0]
    assert own["Start date"] == datetime.datetime.combine(START, datetime.time())
    assert own["Budget (Rp)"] == 5_000_000
    assert own["Organisers"] == "Dinas Sosial Kota Magelang"
    assert (own["Invited"], own["Certificates"]) == (0, 0)
    assert rows[1]["Organisers"] == "Dinas Sosial Kabupaten Temanggung, Dinas Sosial Kota Magelang"


def test_event_list_filters_apply_and_are_logged(as_user, staff, staff_other, events):
    rows = fetch(as_user(staff), reverse("trainings:export", args=["csv"]), {"tahun": "2023", "cari": ""})
    assert [row["Title"] for row in rows] == ["Bimtek Bersama"]
    assert ExportLog.objects.get().filters == {"tahun": "2023"}
    rows = fetch(as_user(staff_other), EVENTS_URL, {"jenis": "sosialisasi"})
    assert [row["Title"] for row in rows] == ["Sosialisasi Temanggung"]


def test_event_list_refusals(client, as_user, viewer, coordinator, events):
    assert len(fetch(as_user(viewer), EVENTS_URL)) == 2
    assert as_user(coordinator).get(EVENTS_URL).status_code == 403
    client.logout()
    assert client.get(EVENTS_URL).status_code == 302


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_event_list_query_count(as_user, staff, magelang, fmt, django_assert_num_queries):
    client = as_user(staff)
    url = reverse("trainings:export", args=[fmt])
    for number in range(2):
        make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, title=f"Acara {number}")
    expected = queries_of(client, url)
    for number in range(4):
        make_event(magelang["kota_magelang"], by=staff, title=f"Acara lagi {number}")
    with django_assert_num_queries(expected):
        assert len(fetch(client, url)) == 6


# --- Participants ----------------------------------------------------------------------------------------


@pytest.fixture
def magelang_event(staff, magelang):
    return make_event(magelang["kota_magelang"], by=staff)


@pytest.fixture
def joint(staff, magelang, unit_a, unit_temanggung):
    event = make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, title="Bimtek Bersama")
    budi = factories.MemberFactory(unit=unit_a, full_name="Budi Santoso")
    wulan = factories.MemberFactory(unit=unit_temanggung, full_name="Wulan Lestari")
    services.invite_members(event=event, members=[budi, wulan], by=staff)
    mark_all(event, budi)
    wulan_row = event.participants.get(member=wulan)
    services.record_attendance(
        event=event,
        marks={
            (wulan_row.pk, START): AttendanceStatus.HADIR,
            (wulan_row.pk, event.days[1]): AttendanceStatus.IZIN,
        },
    )
    event.participants.filter(member=budi).update(
        pre_test_score=Decimal("60"), post_test_score=Decimal("85.5")
    )
    services.issue_certificates(event=event)
    return {"event": event, "budi": budi, "wulan": wulan}


def test_participants_with_attendance_scores_and_certificates(as_user, staff, joint):
    rows = fetch(as_user(staff), participants_url(joint["event"]))
    assert [row["Name"] for row in rows] == ["Budi Santoso", "Wulan Lestari"]
    budi, wulan = rows
    assert budi["Day 1 (06/05/2024)"] == "Present"
    assert budi["Day 2 (07/05/2024)"] == "Present"
    assert (budi["Days present"], budi["Present every day"]) == (2, "Yes")
    assert (budi["Pre-test"], budi["Post-test"]) == (60, 85.5)
    assert budi["Certificate number"].startswith("IPSM/2024/")
    assert (wulan["Day 2 (07/05/2024)"], wulan["Days present"], wulan["Present every day"]) == (
        "Excused",
        1,
        "No",
    )
    assert wulan["Certificate number"] is None
    assert wulan["IPSM unit"] == "Kowangan"


def test_participant_nik_is_whole_only_for_members_the_user_may_edit(as_user, staff, staff_other, joint):
    budi, wulan = joint["budi"], joint["wulan"]
    rows = fetch(as_user(staff), participants_url(joint["event"]))
    assert [row["NIK"] for row in rows] == [budi.nik, mask_nik(wulan.nik)]
    rows = fetch(as_user(staff_other), participants_url(joint["event"], "csv"))
    assert [row["NIK"] for row in rows] == [mask_nik(budi.nik), wulan.nik]
    assert [log.nik_masked for log in ExportLog.objects.order_by("pk")] == [False, False]


def test_viewer_gets_every_participant_nik_masked(as_user, viewer, joint):
    rows = fetch(as_user(viewer), participants_url(joint["event"]))
    assert [row["NIK"] for row in rows] == [mask_nik(joint["budi"].nik), mask_nik(joint["wulan"].nik)]
    log = ExportLog.objects.get()
    assert (log.list_name, log.filters, log.row_count, log.nik_masked) == (
        "participants",
        {"event": str(joint["event"].pk)},
        2,
        True,
    )


def test_staff_of_a_partner_region_with_no_own_participant_logs_masked(as_user, staff_other, joint, unit_a):
    joint["event"].participants.filter(member=joint["wulan"]).delete()
    rows = fetch(as_user(staff_other), participants_url(joint["event"]))
    assert [row["NIK"] for row in rows] == [mask_nik(joint["budi"].nik)]
    assert ExportLog.objects.get().nik_masked is True


def test_participant_refusals(client, as_user, staff_other, coordinator, staff, magelang_event, joint):
    assert as_user(staff_other).get(participants_url(magelang_event)).status_code == 404
    assert as_user(coordinator).get(participants_url(joint["event"])).status_code == 403
    assert as_user(staff).get(participants_url(joint["event"], "ods")).status_code == 404
    client.logout()
    assert client.get(participants_url(joint["event"])).status_code == 302
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_participant_query_count(
    as_user, staff, magelang_event, unit_a, unit_b, fmt, django_assert_num_queries
):
    client = as_user(staff)
    services.invite_members(
        event=magelang_event, members=factories.MemberFactory.create_batch(2, unit=unit_a), by=staff
    )
    expected = queries_of(client, participants_url(magelang_event, fmt))
    services.invite_members(
        event=magelang_event, members=factories.MemberFactory.create_batch(4, unit=unit_b), by=staff
    )
    with django_assert_num_queries(expected):
        assert len(fetch(client, participants_url(magelang_event, fmt))) == 6


# --- Indicators ------------------------------------------------------------------------------------------


def test_indicator_report_rows_with_formula_and_both_periods(as_user, staff, joint):
    rows = fetch(as_user(staff), indicators_url(), {"wilayah": "33.71", "periode": "2024"})
    assert [row["Indicator"] for row in rows] == [str(definition[3]) for definition in DEFINITIONS]
    assert rows[0]["Level"] == "Input"
    by_name = {row["Indicator"]: row for row in rows}
    assert by_name["Events held"]["Year 2024"] == 1
    assert by_name["Events held"]["Year 2023"] == 0
    assert by_name["Events held"]["Change (percentage points for shares)"] == 1
    assert by_name["Events held"]["Formula"].startswith("Number of events starting in P")
    # Shares in percent: Budi was present on both days of the joint event (Wulan is outside R).
    assert by_name["Attendance rate"]["Year 2024"] == 100
    assert by_name["Attendance rate"]["Unit"] == "%"
    assert by_name["Budget"]["Unit"] == "Rp"
    log = ExportLog.objects.get()
    assert (log.list_name, log.filters, log.row_count) == (
        "indicators",
        {"wilayah": "33.71", "periode": "2024"},
        len(DEFINITIONS),
    )


def test_indicator_report_defaults_to_the_users_region(as_user, staff, joint, today):
    response = as_user(staff).get(indicators_url("csv"), {"periode": "2024"})
    assert f'filename="indikator-33.71-2024-{today:%Y-%m-%d}.csv"' in response["Content-Disposition"]


def test_indicator_report_refusals(client, as_user, staff, coordinator, joint):
    assert as_user(staff).get(indicators_url(), {"wilayah": "33.23"}).status_code == 404
    assert as_user(coordinator).get(indicators_url()).status_code == 403
    client.logout()
    assert client.get(indicators_url()).status_code == 302
    assert not ExportLog.objects.exists()


def test_indicator_report_query_count(as_user, staff, magelang, unit_a, django_assert_num_queries):
    client = as_user(staff)
    params = {"wilayah": "33.71", "periode": "2024"}
    for number in range(2):
        make_event(magelang["kota_magelang"], by=staff, title=f"Acara {number}")
    cache.clear()
    expected = queries_of(client, indicators_url(), params)
    for number in range(4):
        event = make_event(magelang["kota_magelang"], by=staff, title=f"Acara lagi {number}")
        services.invite_members(event=event, members=[factories.MemberFactory(unit=unit_a)], by=staff)
    cache.clear()  # both counted afresh: the export reuses the figures the page counted
    with django_assert_num_queries(expected):
        assert len(fetch(client, indicators_url(), params)) == len(DEFINITIONS)
