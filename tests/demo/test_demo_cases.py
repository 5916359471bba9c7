"""The demo loader's PMKS counts, coverage target and cases: exact published totals, variety, idempotent."""

import pytest
from django.db.models import Count, Sum

from cases.models import (
    CASE_TRANSITIONS,
    OPEN_STATUSES,
    Case,
    CaseActivity,
    CasePsmAssignment,
    CaseStatus,
    CaseStatusChange,
    CoverageStatus,
    CoverageTarget,
    Kelurahan,
    PmksCount,
    Referral,
)
from cases.periods import Period
from ipsm.devtools.demo import DATA_CUTOFF, SHOWCASE_VILLAGE
from ipsm.devtools.demo_cases import apportion
from members.models import MemberStatus, Region
from members.nik import nik_mismatches, parse_nik
from tests.demo.conftest import IN_DEMO_GROUP, load_demo_again

pytestmark = IN_DEMO_GROUP


def _pmks(code: str, year: int, **filters) -> int:
    counts = PmksCount.objects.filter(kelurahan__code__startswith=code, year=year, semester=0, **filters)
    return counts.aggregate(total=Sum("count"))["total"] or 0


def _snapshot() -> dict:
    models = (PmksCount, CoverageTarget, Case, CaseStatusChange, CasePsmAssignment, CaseActivity, Referral)
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "history": (PmksCount.history.count(), Case.history.count(), CoverageTarget.history.count()),
        "pmks": list(PmksCount.objects.order_by("pk").values_list("pk", "count", "updated_at")),
    }


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (10, [1, 1, 1], [4, 3, 3]),
        (7, [0, 5, 2], [0, 5, 2]),
        (3, [0.4, 0.35, 0.25], [1, 1, 1]),
        (0, [1, 2], [0, 0]),
    ],
)
def test_apportion_gives_whole_shares_that_add_up(total, weights, expected):
    assert apportion(total, weights) == expected


def test_magelang_adds_up_to_the_published_totals(demo):
    assert _pmks("33.71", 2021) == 6813
    assert _pmks("33.71", 2022) == 6116
    assert _pmks("33.71", 2022, category__number=24) == 4347
    assert 4000 < _pmks("33.71", 2021, category__number=24) < 5500
    assert "6813" not in demo  # the output counts rows, not people


def test_every_magelang_kelurahan_has_a_full_grid_for_both_years(demo):
    kelurahan = list(Region.objects.within("33.71").villages().values_list("code", flat=True))
    assert len(kelurahan) == 17
    rows = PmksCount.objects.filter(kelurahan_id__in=kelurahan).values("kelurahan_id", "year")
    per_year = {(r["kelurahan_id"], r["year"]): r["n"] for r in rows.annotate(n=Count("pk"))}
    assert per_year == {(code, year): 26 for code in kelurahan for year in (2021, 2022)}
    totals = [_pmks(code, 2022) for code in kelurahan]
    assert max(totals) > 2.5 * min(totals) > 0  # some kelurahan much larger


def test_magelang_categories_are_realistic(demo):
    by_category = dict(
        PmksCount.objects.filter(kelurahan__code__startswith="33.71", year=2022)
        .values_list("category__number")
        .annotate(total=Sum("count"))
    )
    ranked = sorted(by_category, key=by_category.get, reverse=True)
    assert ranked[0] == 24 and set(ranked[1:4]) >= {8, 9}
    assert sum(1 for total in by_category.values() if total == 0) >= 3
    assert 0 < by_category[16] < 30 and by_category[18] < 10
    sources = set(PmksCount.objects.values_list("source", flat=True))
    assert sources == {"dtks", "survei"}
    assert not PmksCount.objects.exclude(data_date__month=12, data_date__day=31).exists()


def test_temanggung_has_rural_counts_also_where_there_is_no_unit(demo):
    for year in (2022, 2023):
        desa = PmksCount.objects.filter(kelurahan__code__startswith="33.23", year=year).values("kelurahan_id")
        sizes = [row["total"] for row in desa.annotate(total=Sum("count"))]
        assert len(sizes) > 150
        assert all(40 <= size <= 400 for size in sizes)
    assert (
        PmksCount.objects.filter(kelurahan__code__startswith="33.23", kelurahan__unit__isnull=True)
        .values("kelurahan_id")
        .distinct()
        .count()
        >= 5
    )


def test_only_magelang_sets_its_own_coverage_target(demo):
    target = CoverageTarget.objects.get()
    assert (target.region_id, target.min_active_psm, target.max_pmks_per_psm) == ("33.71", 5, 50)


def test_the_dashboard_shows_every_coverage_status(demo):
    for code in ("33.71", "33.23"):
        rows = Kelurahan.objects.within(code).with_coverage(Period(2022))
        statuses = dict(rows.values_list("coverage_status").annotate(n=Count("code")))
        if code == "33.71":
            assert statuses.get(CoverageStatus.CUKUP, 0) >= 1
            assert statuses[CoverageStatus.KURANG] >= 8
        else:
            assert set(statuses) == set(CoverageStatus.values)
    without_psm = (
        Kelurahan.objects.within("33.23").with_coverage(Period(2022)).filter(active_psm=0, pmks__gt=0)
    )
    assert without_psm.count() >= 3


def test_cases_spread_over_the_statuses_and_both_areas(demo):
    statuses = dict(Case.objects.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == set(CaseStatus.values)
    assert 35 <= sum(statuses.values()) <= 45
    assert 20 <= Case.objects.within("33.71").count() <= 30
    assert 10 <= Case.objects.within("33.23").count() <= 20
    open_cases = Case.objects.open()
    assert 0.25 <= Case.objects.without_psm().count() / open_cases.count() <= 0.4
    assert len(set(Case.objects.values_list("category", flat=True))) >= 5
    assert CaseActivity.objects.exists() and Referral.objects.exists()


def test_each_case_is_consistent_as_the_services_leave_it(demo):
    cases = Case.objects.select_related("psm__unit").prefetch_related(
        "status_changes", "psm_assignments", "activities", "referrals"
    )
    for case in cases:
        steps = sorted(case.status_changes.all(), key=lambda s: (s.changed_on, s.pk))
        assert steps[0].old_status == "" and steps[0].new_status == "baru"
        assert steps[0].changed_on == case.reported_on
        assert all(a.new_status == b.old_status for a, b in zip(steps, steps[1:], strict=False))
        assert all(
            b.new_status in CASE_TRANSITIONS[a.new_status] for a, b in zip(steps, steps[1:], strict=False)
        )
        assert (steps[-1].new_status, steps[-1].changed_on) == (case.status, case.status_since)
        assert (case.close_reason != "") == (case.status == "ditutup") == (steps[-1].close_reason != "")
        assert case.reported_on <= case.status_since <= DATA_CUTOFF
        assignments = list(case.psm_assignments.all())
        if case.psm is None:
            assert assignments == []
        else:
            assert case.psm.status == MemberStatus.AKTIF
            assert case.psm.unit.region_id[:5] == case.kelurahan_id[:5]
            assert [a.member_id for a in assignments] == [case.psm_id]
            assert case.reported_on <= assignments[0].assigned_on <= case.status_since
        for activity in case.activities.all():
            assert case.reported_on <= activity.done_on <= DATA_CUTOFF
        for referral in case.referrals.all():
            assert referral.outcome_on is None or referral.outcome_on >= referral.referred_on
        if case.person_nik:
            parts = parse_nik(case.person_nik)
            is_female = case.person_sex == "P"
            assert nik_mismatches(parts, is_female=is_female, birth_date=case.person_birth_date) == []
        else:
            assert case.person_birth_date or case.person_age
    with_nik = Case.objects.exclude(person_nik="").count()
    assert 0 < with_nik < Case.objects.count() / 2


def test_showcase_unit_holds_open_cases_of_its_own_psm(demo):
    cases = Case.objects.filter(kelurahan_id=SHOWCASE_VILLAGE, status__in=OPEN_STATUSES)
    assert cases.count() >= 3
    assert not cases.filter(psm__isnull=True).exists()
    assert set(cases.values_list("psm__unit__region_id", flat=True)) == {SHOWCASE_VILLAGE}
    assert cases.values("psm").distinct().count() >= 2


def test_second_run_creates_nothing(demo, settings):
    settings.DEBUG = True
    before = _snapshot()
    output = load_demo_again()
    assert _snapshot() == before
    assert "ipsm-demo" in output


def test_deleted_counts_come_back_with_the_same_figures(demo, settings):
    settings.DEBUG = True
    PmksCount.objects.filter(kelurahan__code__startswith="33.71.01", year=2022).delete()
    assert _pmks("33.71", 2022) < 6116
    load_demo_again()
    assert _pmks("33.71", 2022) == 6116
    assert _pmks("33.71", 2022, category__number=24) == 4347
