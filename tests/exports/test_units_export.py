"""The unit list export: counts per unit, the list's filters, scope, refusals, query count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ipsm.models import ExportLog
from members.models import MemberStatus, Region
from tests import factories
from tests.exports.helpers import fetch, queries_of


def url(fmt: str = "xlsx") -> str:
    return reverse("members:unit_export", args=[fmt])


@pytest.fixture
def units(unit_a, unit_b, unit_temanggung, magelang):
    factories.MemberFactory.create_batch(2, unit=unit_a)
    factories.MemberFactory(unit=unit_a, status=MemberStatus.CALON)
    factories.MemberFactory(unit=unit_temanggung)
    unit_a.roster_confirmed_at = timezone.now() - datetime.timedelta(days=3)
    unit_a.save(update_fields=["roster_confirmed_at"])
    return {"a": unit_a, "b": unit_b, "selatan": factories.UnitFactory(region=magelang["magersari"])}


def test_staff_gets_the_units_of_their_kab_kota_with_counts(as_user, staff, units, today):
    rows = fetch(as_user(staff), url())
    assert [row["Region code"] for row in rows] == ["33.71.01.1007", "33.71.03.1002", "33.71.03.1003"]
    unit_a = rows[2]
    assert unit_a["IPSM unit"] == "IPSM Kel. Rejowinangun Utara"
    assert unit_a["Kecamatan"] == "Magelang Tengah"
    assert (unit_a["Active PSM"], unit_a["Candidates"], unit_a["Inactive"]) == (2, 1, 0)
    assert unit_a["Roster checked"].date() == today - datetime.timedelta(days=3)
    assert unit_a["Roster not checked for 180 days"] == "No"
    assert rows[1]["Roster checked"] is None
    assert rows[1]["Roster not checked for 180 days"] == "Yes"
    assert unit_a["SK pembentukan date"] == datetime.datetime(2023, 3, 1)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kecamatan": "33.71.03"}, ["33.71.03.1002", "33.71.03.1003"]),
        ({"perlu_perhatian": "roster"}, ["33.71.01.1007", "33.71.03.1002"]),
    ],
)
def test_the_list_filters_apply_and_are_logged(as_user, staff, units, params, expected):
    assert [row["Region code"] for row in fetch(as_user(staff), url("csv"), params)] == expected
    log = ExportLog.objects.get()
    assert (log.list_name, log.filters, log.row_count) == ("units", params, len(expected))


def test_other_kab_kota_units_are_absent(as_user, staff_other, units):
    assert [row["Region code"] for row in fetch(as_user(staff_other), url())] == ["33.23.11.2001"]


def test_coordinator_gets_their_unit_only(as_user, coordinator, units):
    assert [row["Region code"] for row in fetch(as_user(coordinator), url())] == ["33.71.03.1003"]


def test_viewer_may_export(as_user, viewer, units):
    assert len(fetch(as_user(viewer), url("csv"))) == 3


def test_anonymous_and_roleless_users_are_refused(client, as_user, units):
    assert client.get(url()).status_code == 302
    stranger = factories.UserFactory(username="tamu")
    assert as_user(stranger).get(url()).status_code == 403
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_query_count_does_not_grow_with_rows(as_user, staff, magelang, fmt, django_assert_num_queries):
    client = as_user(staff)
    for region in ("rejowinangun_utara", "cacaban"):
        factories.MemberFactory(unit=factories.UnitFactory(region=magelang[region]))
    expected = queries_of(client, url(fmt))
    for number in range(4):
        region = Region.objects.create(
            code=f"33.71.01.200{number}",
            name=f"Desa {number}",
            level="desa",
            parent=magelang["magelang_selatan"],
        )
        factories.MemberFactory(unit=factories.UnitFactory(region=region))
    with django_assert_num_queries(expected):
        assert len(fetch(client, url(fmt))) == 6
