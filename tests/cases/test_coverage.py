"""Coverage arithmetic on a small hand-made data set whose answers are worked out by hand."""

import pytest

from cases.models import (
    WORST_FIRST,
    CoverageStatus,
    CoverageTarget,
    Kelurahan,
    PmksCategory,
    order_rows,
    roll_up,
    status_counts,
)
from cases.periods import Period
from members.models import MemberStatus
from tests import factories

PERIOD = Period(2022)


@pytest.fixture
def data(magelang, unit_a, unit_b):
    """Rejowinangun Utara: 6 active PSM, 320 PMKS. Cacaban: 2 active (+1 calon), 40 PMKS.
    Magersari: no unit, 75 PMKS. Kowangan (Temanggung): nothing at all."""
    poor, elderly = PmksCategory.objects.get(number=24), PmksCategory.objects.get(number=8)
    for _ in range(6):
        factories.MemberFactory(unit=unit_a)
    factories.MemberFactory.create_batch(2, unit=unit_b)
    factories.MemberFactory(unit=unit_b, status=MemberStatus.CALON)
    count = factories.PmksCountFactory
    count(kelurahan=magelang["rejowinangun_utara"], category=poor, count=300)
    count(kelurahan=magelang["rejowinangun_utara"], category=elderly, count=20)
    count(kelurahan=magelang["cacaban"], category=poor, count=40)
    count(kelurahan=magelang["magersari"], category=poor, count=75)
    count(kelurahan=magelang["cacaban"], category=poor, count=999, year=2021)  # another period
    factories.CaseFactory.create_batch(2, kelurahan=magelang["magersari"])
    factories.CaseFactory(kelurahan=magelang["cacaban"], psm=unit_b.members.first())
    factories.CaseFactory(kelurahan=magelang["cacaban"], status="selesai")  # closed: not counted
    return magelang


def _row(code):
    return Kelurahan.objects.filter(code=code).with_coverage(PERIOD).get()


def test_kelurahan_figures_with_default_targets(data):
    rejo = _row("33.71.03.1003")  # 320 PMKS / 50 per PSM -> 7 PSM needed in all; 6 active -> 1 short
    assert (rejo.active_psm, rejo.pmks, rejo.psm_target, rejo.psm_needed) == (6, 320, 7, 1)
    assert rejo.pmks_per_psm == pytest.approx(320 / 6)
    assert rejo.coverage_status == CoverageStatus.KURANG

    cacaban = _row("33.71.03.1002")  # 40 PMKS: the minimum of 5 applies; 2 active (calon do not count)
    assert (cacaban.active_psm, cacaban.pmks, cacaban.psm_target, cacaban.psm_needed) == (2, 40, 5, 3)
    assert (cacaban.open_cases, cacaban.open_cases_without_psm) == (1, 0)

    magersari = _row("33.71.01.1007")
    assert (magersari.active_psm, magersari.psm_needed, magersari.pmks_per_psm) == (0, 5, None)
    assert magersari.coverage_status == CoverageStatus.TANPA_PSM
    assert (magersari.open_cases, magersari.open_cases_without_psm, magersari.pmks_without_psm) == (2, 2, 1)

    kowangan = _row("33.23.11.2001")  # no data for the period: the minimum still applies, but no status
    assert (kowangan.pmks, kowangan.psm_target, kowangan.pmks_without_psm) == (None, 5, 0)
    assert (kowangan.coverage_status, kowangan.is_short) == (CoverageStatus.NO_DATA, 0)


def test_targets_of_the_kab_kota_apply(data):
    CoverageTarget.objects.create(region=data["kota_magelang"], min_active_psm=3, max_pmks_per_psm=100)
    assert (_row("33.71.03.1003").psm_target, _row("33.71.03.1003").psm_needed) == (4, 0)
    assert _row("33.71.03.1003").coverage_status == CoverageStatus.CUKUP
    assert _row("33.71.03.1002").psm_needed == 1
    assert _row("33.23.11.2001").psm_target == 5  # Temanggung keeps the defaults


def test_roll_up_sums_kelurahan_and_counts_them_per_status(data):
    rows = {row["code_prefix"]: row for row in Kelurahan.objects.with_coverage(PERIOD).rolled_up(8)}
    tengah = rows["33.71.03"]
    assert (tengah["kelurahan_count"], tengah["active_psm"], tengah["pmks"]) == (2, 8, 360)
    assert (tengah["psm_needed"], tengah["kelurahan_short"], tengah["kelurahan_status_kurang"]) == (4, 2, 2)
    assert status_counts(tengah) == [(CoverageStatus.KURANG, 2)]
    selatan = rows["33.71.01"]
    assert (selatan["kelurahan_without_psm"], selatan["open_cases_without_psm"]) == (1, 2)
    assert status_counts(selatan) == [(CoverageStatus.TANPA_PSM, 1)]
    assert status_counts(rows["33.23.11"]) == [(CoverageStatus.NO_DATA, 1)]  # Kowangan: no 2022 figures

    kota = Kelurahan.objects.within("33.71").with_coverage(PERIOD).totals()
    assert (kota["kelurahan_count"], kota["active_psm"], kota["pmks"], kota["psm_needed"]) == (3, 8, 435, 9)
    assert (kota["open_cases"], kota["open_cases_without_psm"], kota["kelurahan_without_psm"]) == (3, 2, 1)


def test_worst_first_puts_kelurahan_without_psm_on_top(data):
    codes = list(
        Kelurahan.objects.within("33.71").with_coverage(PERIOD).worst_first().values_list("code", flat=True)
    )
    assert codes == ["33.71.01.1007", "33.71.03.1002", "33.71.03.1003"]


def test_figures_take_one_query_however_many_kelurahan(data, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(list(Kelurahan.objects.with_coverage(PERIOD))) == 4
    factories.UnitFactory(region=data["magersari"])
    factories.MemberFactory.create_batch(3, unit=data["magersari"].unit)
    with django_assert_num_queries(1):
        assert len(list(Kelurahan.objects.with_coverage(PERIOD).rolled_up(5))) == 2


COUNTS = ["active_psm", "pmks", "open_cases", "open_cases_without_psm", "min_active_psm", "max_pmks_per_psm"]


def test_counted_once_gives_the_same_figures_as_with_coverage(data):
    live = Kelurahan.objects.with_coverage(PERIOD).values("code", *COUNTS, "psm_needed", "coverage_status")
    once = (
        Kelurahan.objects.with_coverage_counts(PERIOD)
        .counted_once(COUNTS)
        .with_coverage_results()
        .values("code", *COUNTS, "psm_needed", "coverage_status")
    )
    assert sorted(once, key=lambda row: row["code"]) == sorted(live, key=lambda row: row["code"])
    sql = str(
        Kelurahan.objects.with_coverage_counts(PERIOD).counted_once(COUNTS).with_coverage_results().query
    )
    assert sql.count("members_member") == 1  # the active PSM counted once per row, not once per reference


@pytest.mark.parametrize("code_length", [0, 2, 5, 8])
def test_roll_up_in_python_matches_the_database(data, code_length):
    kelurahan = Kelurahan.objects.with_coverage(PERIOD)
    assert roll_up(list(kelurahan), code_length) == list(kelurahan.rolled_up(code_length))


def test_roll_up_of_no_rows_and_of_rows_without_pmks(data):
    assert roll_up([], 0) == []
    (totals,) = roll_up(list(Kelurahan.objects.with_coverage(None)), 0)
    assert (totals["pmks"], totals["kelurahan_count"]) == (None, 4)


@pytest.mark.parametrize(
    "ordering",
    [WORST_FIRST, ("-pmks", "code"), ("pmks", "code"), ("-pmks_per_psm", "code"), ("name", "code")],
)
def test_order_rows_in_python_matches_the_database_with_nulls_last(data, ordering):
    kelurahan = Kelurahan.objects.with_coverage(PERIOD)
    in_python = [row.code for row in order_rows(list(kelurahan), ordering)]
    assert in_python == list(kelurahan.ordered(ordering).values_list("code", flat=True))


def test_active_psm_as_of_a_day_come_from_the_status_history(data, staff):
    import datetime

    from members.services import change_member_status

    member = data["rejowinangun_utara"].unit.members.first()  # factory members have no status history
    member.status_changes.create(new_status="aktif", changed_on=datetime.date(2020, 1, 1))
    change_member_status(
        member=member,
        new_status="nonaktif",
        changed_on=datetime.date(2026, 1, 10),
        by=staff,
        reason="lainnya",
    )
    then = Kelurahan.objects.filter(code="33.71.03.1003").with_coverage(
        PERIOD, as_of=datetime.date(2025, 12, 31)
    )
    assert then.get().active_psm == 1  # the only member with a history, active on that day
    assert _row("33.71.03.1003").active_psm == 5  # today: one of the six left
