"""The coverage snapshot behind the national and province dashboards (ipsm.dashboard.snapshot): the same
figures as the live pages, read from stored rows, with their time on the page and a refresh when stale."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import CoverageRefresh, CoverageSnapshot, CoverageTarget, Kelurahan, PmksCategory
from cases.periods import Period
from ipsm.dashboard import snapshot as coverage_snapshot
from members.models import MemberStatus
from tests import factories
from tests.trainings.conftest import make_event, mark_all
from trainings import services
from trainings.coverage import with_training_coverage

FIGURES = [
    "active_psm", "pmks", "open_cases", "open_cases_without_psm", "min_active_psm", "max_pmks_per_psm",
    "psm_target", "psm_needed", "pmks_per_psm", "coverage_status", "pmks_without_psm", "is_short",
    "trained_psm", "trained_recent_psm", "trained_share", "trained_recent_share",
]  # fmt: skip


@pytest.fixture
def data(staff, magelang, unit_a, unit_b, unit_temanggung):
    """PMKS in 2022 and 2023, members in three units (one trained), open cases, a target for Kota Magelang."""
    poor, elderly = PmksCategory.objects.get(number=24), PmksCategory.objects.get(number=8)
    members = factories.MemberFactory.create_batch(6, unit=unit_a)
    factories.MemberFactory.create_batch(2, unit=unit_b)
    factories.MemberFactory(unit=unit_b, status=MemberStatus.CALON)
    factories.MemberFactory(unit=unit_temanggung)
    count = factories.PmksCountFactory
    count(kelurahan=magelang["rejowinangun_utara"], category=poor, count=300)
    count(kelurahan=magelang["rejowinangun_utara"], category=elderly, count=20)
    count(kelurahan=magelang["cacaban"], category=poor, count=40)
    count(kelurahan=magelang["magersari"], category=poor, count=75)
    count(kelurahan=magelang["cacaban"], category=poor, count=999, year=2023)
    factories.CaseFactory.create_batch(2, kelurahan=magelang["magersari"])
    factories.CaseFactory(kelurahan=magelang["cacaban"], psm=unit_b.members.first())
    factories.CaseFactory(kelurahan=magelang["cacaban"], status="selesai")
    CoverageTarget.objects.create(region=magelang["kota_magelang"], min_active_psm=3, max_pmks_per_psm=40)
    starts = timezone.localdate() - datetime.timedelta(days=200)
    event = make_event(magelang["kota_magelang"], by=staff, starts_on=starts, ends_on=starts)
    services.invite_members(event=event, members=members[:2], by=staff)
    for member in members[:2]:
        mark_all(event, member)
    return magelang


def _live(period):
    rows = with_training_coverage(Kelurahan.objects.with_coverage(period)).values("code", *FIGURES)
    return {row["code"]: row for row in rows}


def _stored(key):
    rows = Kelurahan.objects.from_snapshot(key).values("code", *FIGURES)
    return {row["code"]: row for row in rows}


def _same(live: dict, stored: dict) -> bool:
    def plain(value):
        return (
            round(float(value), 6) if isinstance(value, (float, int)) or hasattr(value, "quantize") else value
        )

    return {code: {k: plain(v) for k, v in row.items()} for code, row in live.items()} == {
        code: {k: plain(v) for k, v in row.items()} for code, row in stored.items()
    }


def test_snapshot_holds_the_live_figures_of_every_kelurahan_and_period(data):
    refreshed = coverage_snapshot.refresh_coverage_snapshot()
    assert not refreshed.skipped
    # Four kelurahan; periods 2023, 2022 and "" (any period without PMKS counts).
    assert refreshed.rows == CoverageSnapshot.objects.count() == 4 * 3
    assert CoverageRefresh.objects.get().periods == [Period(2023), Period(2022)]
    assert _same(_live(Period(2022)), _stored("2022"))
    assert _same(_live(Period(2023)), _stored("2023"))
    assert _same(_live(None), _stored(""))
    assert _same(_live(Period(2019)), _stored(""))  # a period without counts is the "" rows
    assert _stored("2022")["33.71.03.1003"]["trained_psm"] == 2


def test_national_page_reads_the_snapshot_and_says_when_it_was_taken(as_user, superuser, data):
    client = as_user(superuser)
    response = client.get(reverse("home"))  # no snapshot yet: refreshed at once (tasks run at once here)
    assert response.context["totals"]["active_psm"] == 9
    assert 'id="snapshot-time"' in response.content.decode()
    factories.MemberFactory(unit=factories.UnitFactory(region=data["magersari"]))
    # Within MAX_AGE the national and province pages keep the stored figures...
    assert client.get(reverse("home")).context["totals"]["active_psm"] == 9
    assert client.get(reverse("coverage", args=["33"])).context["totals"]["active_psm"] == 9
    # ...while a kab/kota page is live and says nothing about a snapshot.
    response = client.get(reverse("coverage", args=["33.71"]))
    assert response.context["totals"]["active_psm"] == 9
    assert response.context["snapshot"] is None
    assert 'id="snapshot-time"' not in response.content.decode()


def test_stale_snapshot_is_refreshed_once(as_user, superuser, data, settings, monkeypatch):
    client = as_user(superuser)
    client.get(reverse("home"))
    factories.MemberFactory(unit=factories.UnitFactory(region=data["magersari"]))
    settings.COVERAGE_SNAPSHOT_MAX_AGE = datetime.timedelta(0)
    CoverageRefresh.objects.update(requested_at=timezone.now() - datetime.timedelta(hours=1))
    assert client.get(reverse("home")).context["totals"]["active_psm"] == 10
    # A refresh queued a moment ago is not queued again, however stale the figures look.
    queued = []
    monkeypatch.setattr(
        coverage_snapshot, "refresh_coverage", SimpleNamespace(enqueue=lambda: queued.append(1))
    )
    client.get(reverse("home"))
    assert queued == []


def test_first_visit_says_the_figures_are_being_computed(as_user, superuser, data, monkeypatch):
    # A worker would refresh later.
    monkeypatch.setattr(coverage_snapshot, "refresh_coverage", SimpleNamespace(enqueue=lambda: None))
    response = as_user(superuser).get(reverse("home"))
    assert response.status_code == 200
    assert "sedang dihitung" in response.content.decode()
    assert list(response.context["page"]) == []
    assert CoverageRefresh.objects.get().requested_at is not None


def test_period_choice_on_the_national_page(as_user, superuser, data):
    client = as_user(superuser)
    response = client.get(reverse("home"))
    assert response.context["period"] == Period(2023)
    assert response.context["periods"] == [Period(2023), Period(2022)]
    assert client.get(reverse("home"), {"periode": "2022"}).context["totals"]["pmks"] == 435
    response = client.get(reverse("home"), {"periode": "2019"})
    assert response.context["period"] == Period(2019)
    assert response.context["totals"]["pmks"] is None


def test_province_without_psm_list_reads_the_snapshot(as_user, superuser, data):
    response = as_user(superuser).get(reverse("coverage_without_psm", args=["33"]), {"periode": "2022"})
    assert [row.code for row in response.context["page"]] == ["33.71.01.1007"]
    assert 'id="snapshot-time"' in response.content.decode()


def test_refresh_command(data, capsys):
    call_command("refresh_coverage")
    assert " 12 " in capsys.readouterr().out  # rows: 4 kelurahan x (2022, 2023, "")
    assert CoverageRefresh.objects.get().refreshed_at is not None
