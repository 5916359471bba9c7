"""Training coverage per kelurahan and unit: the share of active PSM trained (present on every day of an
event) ever and in the last RECENT_TRAINING_YEARS years, on the dashboard and on the unit page, with the
untrained active PSM one click away from an invitation."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Kelurahan
from members.models import Member, MemberStatus, Region
from tests import factories
from tests.trainings.conftest import make_event, mark_all
from trainings import services
from trainings.coverage import recent_since, unit_training_counts, with_training_coverage
from trainings.models import AttendanceStatus

TODAY = timezone.localdate()


def _held(years_ago: float, days: int = 2) -> dict:
    starts = TODAY - datetime.timedelta(days=int(365 * years_ago))
    return {"starts_on": starts, "ends_on": starts + datetime.timedelta(days=days - 1)}


def _attend(event, member, by, status=AttendanceStatus.HADIR):
    services.invite_members(event=event, members=[member], by=by)
    return mark_all(event, member, status)


@pytest.fixture
def data(staff, magelang, unit_a, unit_b):
    """Rejowinangun Utara (unit_a), 4 active PSM: Ani trained last year, Bayu only 5 years ago, Citra present
    on one day of two last year, Dodi never invited; plus Eko (nonaktif) and Fajar (calon), both trained last
    year: not counted. Cacaban (unit_b): Gita trained last year (a sosialisasi counts too), Hadi not.
    Magersari has no unit. Expected: Rejowinangun Utara 2/4 ever, 1/4 recent; Cacaban 1/2 and 1/2."""
    kota = magelang["kota_magelang"]
    member = factories.MemberFactory
    people = {
        "ani": member(unit=unit_a, full_name="Ani Lestari"),
        "bayu": member(unit=unit_a, full_name="Bayu Saputra"),
        "citra": member(unit=unit_a, full_name="Citra Dewi"),
        "dodi": member(unit=unit_a, full_name="Dodi Pratama"),
        "eko": member(unit=unit_a, full_name="Eko Purnomo"),  # made nonaktif after the training
        "fajar": member(unit=unit_a, full_name="Fajar Nugroho", status=MemberStatus.CALON),
        "gita": member(unit=unit_b, full_name="Gita Permata"),
        "hadi": member(unit=unit_b, full_name="Hadi Susilo"),
    }
    recent = make_event(kota, by=staff, title="Bimtek Dasar Baru", **_held(1))
    old = make_event(kota, by=staff, title="Bimtek Dasar Lama", **_held(5))
    sosialisasi = make_event(kota, by=staff, title="Sosialisasi", training_type="sosialisasi", **_held(0.5))
    for name in ("ani", "eko", "fajar"):
        _attend(recent, people[name], staff)
    Member.objects.filter(pk=people["eko"].pk).update(status=MemberStatus.NONAKTIF, status_reason="lainnya")
    _attend(old, people["bayu"], staff)
    citra = _attend(recent, people["citra"], staff)
    services.record_attendance(event=recent, marks={(citra.pk, recent.ends_on): AttendanceStatus.TIDAK_HADIR})
    _attend(sosialisasi, people["gita"], staff)
    return people


def _coverage(queryset) -> dict[str, tuple]:
    return {
        row.code: (
            row.active_psm,
            row.trained_psm,
            row.trained_recent_psm,
            row.trained_share,
            row.trained_recent_share,
        )
        for row in queryset
    }


def test_recent_means_the_last_three_years():
    assert recent_since(datetime.date(2026, 5, 1)) == datetime.date(2023, 5, 1)
    assert recent_since(datetime.date(2024, 2, 29)) == datetime.date(2021, 2, 28)


def test_coverage_per_kelurahan_in_one_query(data, django_assert_num_queries):
    queryset = with_training_coverage(Kelurahan.objects.within("33.71").with_coverage(None))
    with django_assert_num_queries(1):
        rows = _coverage(queryset)
    assert rows == {
        "33.71.03.1003": (4, 2, 1, 50.0, 25.0),
        "33.71.03.1002": (2, 1, 1, 50.0, 50.0),
        "33.71.01.1007": (0, 0, 0, None, None),
    }


def test_coverage_counts_active_psm_itself_without_with_coverage(data):
    rows = _coverage(with_training_coverage(Kelurahan.objects.within("33.71.03")))
    assert rows["33.71.03.1003"] == (4, 2, 1, 50.0, 25.0)


def test_rolled_up_sums_the_training_counts(data):
    from trainings.coverage import TRAINING_ROLLUP, with_shares

    kelurahan = with_training_coverage(Kelurahan.objects.within("33.71").with_coverage(None))
    rows = {row["code_prefix"]: row for row in kelurahan.rolled_up(8, **TRAINING_ROLLUP)}
    assert (rows["33.71.03"]["trained_psm"], rows["33.71.03"]["trained_recent_psm"]) == (3, 2)
    totals = with_shares(kelurahan.totals(**TRAINING_ROLLUP))
    assert (totals["active_psm"], totals["trained_psm"], totals["trained_recent_psm"]) == (6, 3, 2)
    assert totals["trained_share"] == 50.0
    assert round(totals["trained_recent_share"], 1) == 33.3


def test_unit_counts(data, unit_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = unit_training_counts(unit_a)
    assert counts == {
        "active_psm": 4,
        "trained_psm": 2,
        "trained_recent_psm": 1,
        "trained_share": 50.0,
        "trained_recent_share": 25.0,
    }


# --- Dashboard ----------------------------------------------------------------------------------------


def test_dashboard_shows_the_training_shares(as_user, staff, data, unit_a):
    response = as_user(staff).get(reverse("home"))
    context = response.context
    assert (context["totals"]["trained_psm"], context["totals"]["trained_recent_psm"]) == (3, 2)
    assert context["totals"]["trained_share"] == 50.0
    [kecamatan] = [row for row in context["child_rows"] if row["code_prefix"] == "33.71.03"]
    assert (kecamatan["trained_psm"], kecamatan["trained_share"]) == (3, 50.0)
    content = response.content.decode()
    assert re.search(r'id="total-trained-share">50%<', content)
    row = re.search(r'<tr id="kel-33-71-03-1003".*?</tr>', content, re.DOTALL)[0]
    share = re.search(r'class="text-end trained-share" data-trained="2">(.*?)</td>', row)[1]
    # The share links to the unit page's untrained list.
    assert f'href="{reverse("members:unit_detail", args=[unit_a.pk])}#unit-training"' in share
    assert ">50%</a>" in share
    assert re.search(r'class="text-end trained-recent-share" data-trained="1">25%</td>', row)
    magersari = re.search(r'<tr id="kel-33-71-01-1007".*?</tr>', content, re.DOTALL)[0]
    assert re.search(r'class="text-end trained-share" data-trained="0">—</td>', magersari)
    child = re.search(r'<tr data-code="33.71.03">.*?</tr>', content, re.DOTALL)[0]
    assert re.search(r'class="text-end trained-share" data-trained="3">50%</td>', child)


def test_dashboard_sorts_by_training_share(as_user, staff, data):
    response = as_user(staff).get(reverse("home"), {"urut": "-trained_recent_share"})
    assert [row.code for row in response.context["page"]] == [
        "33.71.03.1002",
        "33.71.03.1003",
        "33.71.01.1007",
    ]


def test_dashboard_links_to_the_indicator_report(as_user, staff, viewer, data):
    link = f'href="{reverse("trainings:indicators")}?wilayah=33.71"'
    assert link in as_user(staff).get(reverse("home")).content.decode()
    assert link in as_user(viewer).get(reverse("home")).content.decode()
    kecamatan = as_user(staff).get(reverse("coverage", args=["33.71.03"])).content.decode()
    assert f'href="{reverse("trainings:indicators")}?wilayah=33.71.03"' in kecamatan


def test_dashboard_without_view_event_has_no_indicator_link(client, data, magelang):
    from django.contrib.auth.models import Permission

    user = factories.UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_pmkscount"))
    factories.AssignmentFactory(user=user, region=magelang["kota_magelang"])
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("trainings:indicators") not in response.content.decode()


def _add_kelurahan(staff, magelang, number: int) -> None:
    """More kelurahan under Magelang Tengah, each with a unit and two active PSM, one of them trained."""
    event = make_event(magelang["kota_magelang"], by=staff, title="Bimtek Tambahan", **_held(1))
    for serial in range(number):
        region = Region.objects.create(
            code=f"33.71.03.{2000 + serial}",
            name=f"Tambahan {serial}",
            level="kelurahan",
            parent=magelang["magelang_tengah"],
        )
        unit = factories.UnitFactory(region=region)
        trained, _untrained = factories.MemberFactory.create_batch(2, unit=unit)
        _attend(event, trained, staff)


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("coverage", args=["33.71.03"]),
        reverse("coverage_without_psm", args=["33.71"]),
        reverse("home") + "?urut=-trained_share",
    ],
)
def test_dashboard_queries_stay_constant_for_3_or_8_kelurahan(as_user, staff, magelang, data, url):
    client = as_user(staff)
    small = _queries(client, url)
    _add_kelurahan(staff, magelang, 5)
    assert _queries(client, url) == small
    assert client.get(reverse("home")).context["totals"]["trained_psm"] == 8


# --- The unit page ------------------------------------------------------------------------------------


def _panel(client, unit) -> str:
    response = client.get(reverse("members:unit_detail", args=[unit.pk]))
    assert response.status_code == 200
    return re.search(
        r'<section class="mb-4" id="unit-training">.*?</section>', response.content.decode(), re.DOTALL
    )[0]


def _untrained(panel: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<li class="list-inline-item" data-member="(\d+)">', panel)}


@pytest.fixture
def upcoming(staff, staff_other, magelang):
    """An event of Kota Magelang next month, one that ended yesterday, and one of Temanggung next month."""
    kota, temanggung = magelang["kota_magelang"], magelang["temanggung"]
    return {
        "next": make_event(kota, by=staff, title="Bimtek Dasar Berikutnya", **_held(-30 / 365)),
        "past": make_event(kota, by=staff, title="Baru Selesai", **_held(2 / 365)),
        "temanggung": make_event(temanggung, by=staff_other, title="Bimtek Temanggung", **_held(-30 / 365)),
    }


def test_unit_panel_figures_and_untrained_list(as_user, staff, data, unit_a):
    panel = _panel(as_user(staff), unit_a)
    figures = dict(re.findall(r'id="training-([a-z-]+)">([^<]*)<', panel))
    assert figures == {
        "active-psm": "4",
        "trained": "2",
        "trained-share": "50",
        "trained-recent": "1",
        "trained-recent-share": "25",
    }
    assert _untrained(panel) == {data["citra"].pk, data["dodi"].pk}


def test_invite_form_offers_upcoming_events_of_the_offices_above_the_unit(
    as_user, staff, superuser, data, unit_a, upcoming
):
    for user in (staff, superuser):
        panel = _panel(as_user(user), unit_a)
        form = re.search(r'<form [^>]*id="training-invite-form">.*?</form>', panel, re.DOTALL)[0]
        assert set(map(int, re.findall(r'data-event="(\d+)"', form))) == {upcoming["next"].pk}
        assert set(map(int, re.findall(r'name="member" value="(\d+)"', form))) == {
            data["citra"].pk,
            data["dodi"].pk,
        }


def test_invite_form_invites_the_untrained_and_comes_back(as_user, staff, data, unit_a, upcoming):
    client = as_user(staff)
    panel = _panel(client, unit_a)
    event = upcoming["next"]
    form = re.search(r'<form [^>]*id="training-invite-form">.*?</form>', panel, re.DOTALL)[0]
    action = re.search(rf'formaction="([^"]+)" data-event="{event.pk}"', form)[1]
    assert action == reverse("trainings:invite", args=[event.pk])
    posted = {
        "member": re.findall(r'name="member" value="(\d+)"', form),
        "next": re.search(r'name="next" value="([^"]+)"', form)[1],
    }
    response = client.post(action, posted, follow=True)
    unit_url = reverse("members:unit_detail", args=[unit_a.pk])
    assert response.redirect_chain == [(unit_url, 302)]
    invited = set(event.participants.values_list("member_id", flat=True))
    assert invited == {data["citra"].pk, data["dodi"].pk}


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_invite_form_is_not_shown_to_viewers_and_coordinators(request, as_user, data, unit_a, upcoming, role):
    panel = _panel(as_user(request.getfixturevalue(role)), unit_a)
    assert _untrained(panel) == {data["citra"].pk, data["dodi"].pk}
    assert "training-invite-form" not in panel
    assert reverse("trainings:invite", args=[upcoming["next"].pk]) not in panel


def test_coordinator_cannot_post_the_invitation(as_user, coordinator, data, upcoming):
    response = as_user(coordinator).post(
        reverse("trainings:invite", args=[upcoming["next"].pk]), {"member": [data["dodi"].pk]}
    )
    assert response.status_code == 403
    assert not upcoming["next"].participants.exists()


def test_no_upcoming_event_says_so(as_user, staff, data, unit_a):
    panel = _panel(as_user(staff), unit_a)
    assert 'id="no-invite-events"' in panel
    assert "training-invite-form" not in panel


def test_staff_of_another_kabkota_gets_404_on_the_unit(as_user, staff_other, unit_a, data):
    assert as_user(staff_other).get(reverse("members:unit_detail", args=[unit_a.pk])).status_code == 404


def test_unit_page_queries_are_constant(as_user, staff, magelang, data, unit_a, upcoming):
    client = as_user(staff)
    url = reverse("members:unit_detail", args=[unit_a.pk])
    small = _queries(client, url)
    factories.MemberFactory.create_batch(4, unit=unit_a)
    make_event(magelang["kota_magelang"], by=staff, title="Satu Lagi", **_held(-60 / 365))
    assert len(_untrained(_panel(client, unit_a))) == 6
    assert _queries(client, url) == small
