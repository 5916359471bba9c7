"""The five-level indicator report: arithmetic on a small hand-made data set, joint events, access, queries.

The data (region R = Kota Magelang, P = 2025, P' = 2024; the previous column compares 2024 with 2023):

Members and their status history (what active_on sees):
  m1 unit A (Rejowinangun Utara)  active since 2020
  m2 unit A                       active 2020, inactive 1 Jun 2025
  m3 unit B (Cacaban)             active since 1 Mar 2025
  m5 unit A                       active since 1 Sep 2025
  m6 unit M (Magersari)           active 2020, inactive 15 Jan 2025
  t1 Temanggung                   (takes part in Magelang's event, never counted for Magelang)
  -> active at the end of 2025: m1 m3 m5 = 3; of 2024: m1 m2 m6 = 3.

Events:
  E1 Magelang, 10-11 Mar 2025, Rp 5,000,000, 3 sessions by speakers S1 S1 S2.
     m1 present 2/2, 60 -> 80, certificate;  m2 present 1/2, 50 -> 55;  m3 present 2/2, 70 -> (none),
     certificate;  t1 present 2/2, 10 -> 90 (outside R).
  E0 Magelang, 1 May 2024, no budget, 1 session by S1: m2 present 1/1, 40 -> 70, certificate.

Cases (reported, PSM, status history):
  c1 Rejo 1 Apr 2025 m1 baru               c2 Cacaban 1 Feb 2025 m3 baru (m3 trained only on 10 Mar)
  c3 Magersari 1 Jun 2024 - baru, asesmen Jul 2024, selesai May 2025
  c4 Rejo 1 Mar 2024 m2 baru, ditutup Oct 2024 (m2 not yet trained)
  c5 Rejo 1 Aug 2024 m2 baru (m2 trained in May 2024)
  c7 Cacaban 1 Jan 2023 - intervensi, no history (its status today counts)
  c8 Rejo 1 Jun 2025 m1 baru, selesai Sep 2025
  c9 Cacaban 1 Nov 2024 - only a step asesmen -> selesai on 1 Feb 2025
  c6 Kowangan (Temanggung): outside R.

PMKS: 2025 Rejo 100 + 20, Cacaban 60 (Kowangan 500 outside) = 180;
      2024 Rejo 90, Cacaban 30, Magersari 30 = 150.

Coverage (default targets: 5 PSM minimum), from active PSM on the last day of each year, against that
year's PMKS (no figures: no status):
  Rejo 2/2/2 PSM (short / short / -); Cacaban 1/0/0 (short / none / -);
  Magersari 0/1/1 (- / short / -)  for 2025/2024/2023.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cases.models import Case, CaseStatusChange, MonthlyReport, PmksCategory, ReportActivity, ReportState
from cases.periods import Period
from members.models import MemberStatus, Region, StatusChange
from tests import factories
from trainings.indicators import indicator_report
from trainings.models import Attendance, AttendanceStatus

P = Period(2025)
URL = reverse("trainings:indicators")
HADIR, TIDAK_HADIR = AttendanceStatus.HADIR, AttendanceStatus.TIDAK_HADIR


def test_period_has_its_first_and_last_day():
    assert (Period(2025).start, Period(2025).end) == (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert (Period(2025, 1).start, Period(2025, 1).end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 6, 30),
    )
    assert (Period(2025, 2).start, Period(2025, 2).end) == (
        datetime.date(2025, 7, 1),
        datetime.date(2025, 12, 31),
    )


# --- data ----------------------------------------------------------------------------------------------


def _member(unit, *steps, **fields):
    """A member whose status history is `steps`: (new_status, date) pairs."""
    member = factories.MemberFactory(unit=unit, **fields)
    for new_status, day in steps:
        StatusChange.objects.create(
            member=member,
            new_status=new_status,
            changed_on=day,
            reason="lainnya" if new_status == "nonaktif" else "",
        )
    return member


def _event(*organisers, starts_on, days=1, budget=None, title="Bimtek Dasar PSM"):
    event = factories.EventFactory(
        title=title, starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=days - 1), budget=budget
    )
    for region in organisers:
        factories.OrganiserFactory(event=event, region=region)
    return event


def _session(event, speaker, hour):
    factories.SessionFactory(
        event=event,
        title=f"Materi {hour}",
        speaker=speaker,
        starts_at=datetime.datetime.combine(event.starts_on, datetime.time(hour), tzinfo=datetime.UTC),
    )


def _participant(event, member, marks, pre=None, post=None, certificate=None):
    participant = factories.ParticipantFactory(
        event=event, member=member, pre_test_score=pre, post_test_score=post, certificate_number=certificate
    )
    for day, status in zip(event.days, marks, strict=True):
        Attendance.objects.create(participant=participant, day=day, status=status)
    return participant


def _case(kelurahan, reported_on, psm=None, steps=(), status="baru", **fields):
    """A case with its status history: (old_status, new_status, date) triples."""
    case = factories.CaseFactory(
        kelurahan=kelurahan, reported_on=reported_on, psm=psm, status=status, **fields
    )
    for old_status, new_status, day in steps:
        CaseStatusChange.objects.create(
            case=case, old_status=old_status, new_status=new_status, changed_on=day
        )
    return case


D = datetime.date


@pytest.fixture
def data(magelang, unit_a, unit_b, unit_temanggung):
    unit_m = factories.UnitFactory(region=magelang["magersari"])
    m1 = _member(unit_a, ("aktif", D(2020, 1, 1)))
    m2 = _member(
        unit_a,
        ("aktif", D(2020, 1, 1)),
        ("nonaktif", D(2025, 6, 1)),
        status=MemberStatus.NONAKTIF,
        status_reason="lainnya",
    )
    m3 = _member(unit_b, ("aktif", D(2025, 3, 1)))
    _member(unit_a, ("aktif", D(2025, 9, 1)))  # m5
    _member(
        unit_m,
        ("aktif", D(2020, 1, 1)),
        ("nonaktif", D(2025, 1, 15)),
        status=MemberStatus.NONAKTIF,
        status_reason="lainnya",
    )  # m6
    t1 = _member(unit_temanggung, ("aktif", D(2020, 1, 1)))

    s1, s2 = factories.SpeakerFactory(name="Dra. Sri Wahyuni"), factories.SpeakerFactory(name="Budi Santoso")
    e1 = _event(magelang["kota_magelang"], starts_on=D(2025, 3, 10), days=2, budget=Decimal(5_000_000))
    for hour, speaker in ((9, s1), (11, s1), (13, s2)):
        _session(e1, speaker, hour)
    _participant(e1, m1, [HADIR, HADIR], pre=60, post=80, certificate="C-1")
    _participant(e1, m2, [HADIR, TIDAK_HADIR], pre=50, post=55)
    _participant(e1, m3, [HADIR, HADIR], pre=70, certificate="C-2")
    _participant(e1, t1, [HADIR, HADIR], pre=10, post=90, certificate="C-T")
    e0 = _event(magelang["kota_magelang"], starts_on=D(2024, 5, 1))
    _session(e0, s1, 9)
    _participant(e0, m2, [HADIR], pre=40, post=70, certificate="C-0")

    rejo, cacaban, magersari = magelang["rejowinangun_utara"], magelang["cacaban"], magelang["magersari"]
    _case(rejo, D(2025, 4, 1), m1, [("", "baru", D(2025, 4, 1))])  # c1
    _case(cacaban, D(2025, 2, 1), m3, [("", "baru", D(2025, 2, 1))])  # c2
    steps = [
        ("", "baru", D(2024, 6, 1)),
        ("baru", "asesmen", D(2024, 7, 1)),
        ("asesmen", "selesai", D(2025, 5, 1)),
    ]
    _case(magersari, D(2024, 6, 1), None, steps, status="selesai")  # c3
    steps = [("", "baru", D(2024, 3, 1)), ("baru", "ditutup", D(2024, 10, 1))]
    _case(rejo, D(2024, 3, 1), m2, steps, status="ditutup", close_reason="pindah")  # c4
    _case(rejo, D(2024, 8, 1), m2, [("", "baru", D(2024, 8, 1))])  # c5
    _case(magelang["kowangan"], D(2025, 1, 1))  # c6, outside R
    _case(cacaban, D(2023, 1, 1), status="intervensi")  # c7
    steps = [("", "baru", D(2025, 6, 1)), ("baru", "selesai", D(2025, 9, 1))]
    _case(rejo, D(2025, 6, 1), m1, steps, status="selesai")  # c8
    _case(cacaban, D(2024, 11, 1), None, [("asesmen", "selesai", D(2025, 2, 1))], status="selesai")  # c9

    poor, elderly = PmksCategory.objects.get(number=24), PmksCategory.objects.get(number=8)
    count = factories.PmksCountFactory
    count(kelurahan=rejo, category=poor, count=100, year=2025)
    count(kelurahan=rejo, category=elderly, count=20, year=2025)
    count(kelurahan=cacaban, category=poor, count=60, year=2025)
    count(kelurahan=magelang["kowangan"], category=poor, count=500, year=2025)
    count(kelurahan=rejo, category=poor, count=90, year=2024)
    count(kelurahan=cacaban, category=poor, count=30, year=2024)
    count(kelurahan=magersari, category=poor, count=30, year=2024)
    return {"regions": magelang, "m1": m1, "m2": m2, "m3": m3, "t1": t1, "e1": e1}


def _figures(code: str, period: Period = P) -> dict[str, tuple]:
    return {
        indicator.key: (indicator.current, indicator.previous)
        for level in indicator_report(code, period)
        for indicator in level.indicators
    }


# --- arithmetic ----------------------------------------------------------------------------------------


def test_levels_are_labelled_and_hold_their_indicators(data):
    levels = indicator_report("33.71", P)
    assert [level.label for level in levels] == ["Input", "Proses", "Output", "Outcome", "Impact"]
    assert [indicator.key for indicator in levels[0].indicators] == [
        "events_held",
        "budget",
        "speakers",
        "psm_invited",
        "active_partners",
        "contributions_value",
        "units_with_sk_share",
        "psm_with_valid_sk_share",
    ]
    assert all(str(indicator.formula) for level in levels for indicator in level.indicators)


def test_input_and_process_figures(data):
    figures = _figures("33.71")
    assert figures["events_held"] == (1, 1)
    assert figures["budget"] == (Decimal(5_000_000), 0)
    assert figures["speakers"] == (2, 1)
    assert figures["psm_invited"] == (3, 1)  # t1 of Temanggung is not Magelang's
    assert figures["attendance_rate"] == (pytest.approx(5 / 6), 1.0)
    assert figures["sessions_held"] == (3, 1)
    # Expected reports, 2025: m1 12, m2 Jan-May 5, m3 Mar-Dec 10, m5 Sep-Dec 4 = 31; 2024: m1 m2 m6 = 36.
    assert figures["reporting_rate"] == (0, 0)  # no monthly report yet


def test_output_figures(data):
    figures = _figures("33.71")
    assert figures["psm_trained"] == (2, 1)  # m1 and m3 (m2 missed a day); 2024: m2
    assert figures["certificates_issued"] == (2, 1)
    # End of 2025: Rejo (m1) and Cacaban (m3) of 3; end of 2024: Rejo (m2, trained in May 2024) only.
    assert figures["kelurahan_with_trained_psm_share"] == (pytest.approx(2 / 3), pytest.approx(1 / 3))


def test_outcome_figures(data):
    figures = _figures("33.71")
    assert figures["mean_test_gain"] == (Decimal("12.5"), Decimal(30))  # (20 + 5) / 2; m3 has no post-test
    # Open at the end of 2025: c1 c2 c5 (with PSM) and c7; at the end of 2024: c3 c5 c7 c9, c5 with a PSM.
    assert figures["open_cases_with_psm_share"] == (0.75, 0.25)
    assert figures["cases_by_trained_psm"] == (2, 1)  # 2025: c1 c8; 2024: c5
    assert figures["cases_by_untrained_psm"] == (1, 1)  # 2025: c2; 2024: c4
    assert figures["cases_completed"] == (0, 0)  # no monthly report yet
    assert figures["cases_completed_share"] == (None, None)


def test_impact_figures(data):
    figures = _figures("33.71")
    assert figures["pmks"] == (180, 150)
    assert figures["pmks_per_psm"] == (Decimal(60), Decimal(50))
    # Cacaban: none -> short; Magersari has no 2025 figures, so no status to compare. No figures for 2023.
    assert figures["kelurahan_improved"] == (1, None)
    assert figures["kelurahan_worsened"] == (0, None)


def test_changes_against_the_previous_period(data):
    indicators = {i.key: i for level in indicator_report("33.71", P) for i in level.indicators}
    pmks = indicators["pmks"]
    assert (pmks.change, pmks.relative_change) == (30, pytest.approx(20.0))
    per_psm = indicators["pmks_per_psm"]
    assert (per_psm.change, per_psm.relative_change) == (Decimal(10), pytest.approx(20.0))
    share = indicators["kelurahan_with_trained_psm_share"]
    assert share.change == pytest.approx(100 / 3)  # percentage points
    assert share.relative_change is None
    assert indicators["budget"].relative_change is None  # nothing the year before


def test_figures_are_formatted_for_the_page(data):
    indicators = {i.key: i for level in indicator_report("33.71", P) for i in level.indicators}
    with translation.override("en"):
        rate = indicators["attendance_rate"]
        assert (rate.shown_current, rate.shown_previous, rate.shown_change) == ("83.3%", "100.0%", "-16.7 pp")
        budget = indicators["budget"]
        assert (budget.shown_current, budget.shown_change) == ("Rp 5,000,000", "+5,000,000")
        assert indicators["pmks"].shown_change == "+30 (+20.0%)"
        assert indicators["mean_test_gain"].shown_current == "12.50"
        assert indicators["kelurahan_worsened"].shown_change == "—"  # nothing to compare with


def test_an_empty_period_gives_zeros_and_unknowns(data):
    figures = _figures("33.71", Period(2022))
    assert figures["events_held"] == (0, 0)
    assert figures["attendance_rate"] == (None, None)
    assert figures["mean_test_gain"] == (None, None)
    assert figures["pmks"] == (None, None)
    assert figures["pmks_per_psm"] == (None, None)


def test_a_semester_counts_only_its_half_year(data):
    assert _figures("33.71", Period(2025, 1))["events_held"] == (1, 0)  # E1 in March; July-Dec 2024: none
    assert _figures("33.71", Period(2025, 2))["events_held"] == (0, 1)


# --- which events count ----------------------------------------------------------------------------------


def test_event_of_another_kabkota_counts_where_its_participants_come_from(data):
    regions = data["regions"]
    joint = _event(regions["temanggung"], starts_on=D(2025, 8, 4), title="Bimtek Temanggung")
    _participant(joint, data["m1"], [HADIR])
    _event(regions["temanggung"], starts_on=D(2025, 8, 11), title="Temanggung saja")  # no Magelang PSM
    _event(regions["jateng"], starts_on=D(2025, 9, 1), title="Bimtek Provinsi")  # the province's: counts
    figures = _figures("33.71")
    assert figures["events_held"] == (3, 1)
    assert figures["psm_invited"] == (4, 1)
    assert figures["psm_trained"] == (2, 1)  # m1 counted once


def test_magelang_event_counts_for_temanggung_through_its_participant(data):
    figures = _figures("33.23")
    assert figures["events_held"] == (1, 0)
    assert (figures["psm_invited"], figures["psm_trained"]) == ((1, 0), (1, 0))
    assert figures["mean_test_gain"] == (Decimal(80), None)
    assert figures["pmks"] == (500, None)


def test_event_of_a_kecamatan_counts_for_its_kabkota_but_not_for_a_neighbour(data):
    regions = data["regions"]
    _event(regions["magelang_selatan"], starts_on=D(2025, 5, 5))
    assert _figures("33.71")["events_held"] == (2, 1)
    assert _figures("33.71.03")["events_held"] == (1, 1)  # the kota's E1 (E0 in 2024), not Magelang Selatan's


# --- what the PSM's monthly reports feed -----------------------------------------------------------------


def _monthly_report(
    member, month, reached=None, *, state=ReportState.DISETUJUI, late=False, cases=(), **kinds
):
    """A report in `state` (submitted unless a draft), with activities: kind=count (visits= for home
    visits, referrals= for referrals, any other ReportActivityKind value as is)."""
    report = MonthlyReport.objects.create(
        member=member,
        month=month,
        state=state,
        due_on=D(month.year + month.month // 12, month.month % 12 + 1, 5),
        submitted_at=None
        if state == ReportState.DRAF
        else datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        is_late=late,
        pmks_reached=reached or {},
    )
    names = {"visits": "kunjungan", "referrals": "rujukan"}
    for kind, count in kinds.items():
        ReportActivity.objects.create(report=report, kind=names.get(kind, kind), done_on=month, count=count)
    report.cases.set(cases)
    return report


@pytest.fixture
def reports(data):
    """Monthly reports on top of `data` (c1, c2, c4, c5, c6, c8 as above; c8 is now completed, c4 closed):
    m1 Jan 2025 approved, on time: {24: 5, 8: 2}, 3 visits, 1 referral, 4 data collections; c1 c8
    m1 Feb 2025 approved, late: {24: 3}, 2 visits; c8 again
    m1 Mar 2025 submitted, on time: {24: 100}, 50 visits, 5 referrals; c1   (not approved)
    m3 Apr 2025 returned, late: {8: 9}, 9 visits                            (not approved)
    m3 May 2025 draft: {24: 70}, 7 visits                                   (not submitted)
    m3 Jun 2025 approved, on time: {24: 4}, 1 visit; c2
    m2 Mar 2024 approved, on time: {24: 7}, 2 referrals; c4 c5
    m1 Dec 2023 approved: {24: 30}, 8 visits                                (neither year)
    t1 Jan 2025 approved: {24: 13}, 20 visits, 6 referrals; c6              (Temanggung)
    """
    cases = {case.kelurahan_id + str(case.reported_on): case for case in Case.objects.all()}
    c1, c2 = cases["33.71.03.10032025-04-01"], cases["33.71.03.10022025-02-01"]
    c4, c5 = cases["33.71.03.10032024-03-01"], cases["33.71.03.10032024-08-01"]
    c6, c8 = cases["33.23.11.20012025-01-01"], cases["33.71.03.10032025-06-01"]
    m1, m2, m3, t1 = data["m1"], data["m2"], data["m3"], data["t1"]
    approved, late = ReportState.DISETUJUI, True
    _monthly_report(m1, D(2025, 1, 1), {"24": 5, "8": 2}, cases=[c1, c8], visits=3, referrals=1, pendataan=4)
    _monthly_report(m1, D(2025, 2, 1), {"24": 3}, late=late, cases=[c8], visits=2)
    _monthly_report(
        m1, D(2025, 3, 1), {"24": 100}, state=ReportState.TERKIRIM, cases=[c1], visits=50, referrals=5
    )
    _monthly_report(m3, D(2025, 4, 1), {"8": 9}, state=ReportState.DIKEMBALIKAN, late=late, visits=9)
    _monthly_report(m3, D(2025, 5, 1), {"24": 70}, state=ReportState.DRAF, visits=7)
    _monthly_report(m3, D(2025, 6, 1), {"24": 4}, state=approved, cases=[c2], visits=1)
    _monthly_report(m2, D(2024, 3, 1), {"24": 7}, cases=[c4, c5], referrals=2)
    _monthly_report(m1, D(2023, 12, 1), {"24": 30}, visits=8)
    _monthly_report(t1, D(2025, 1, 1), {"24": 13}, cases=[c6], visits=20, referrals=6)
    return data


def test_reporting_rate_and_timeliness_count_every_submitted_report(reports):
    figures = _figures("33.71")
    # Submitted in 2025: Jan Feb Mar (m1), Apr (m3, returned), Jun (m3) of 31 expected; on time: Jan Mar Jun.
    assert figures["reporting_rate"] == (pytest.approx(5 / 31), pytest.approx(1 / 36))
    assert figures["reports_on_time"] == (pytest.approx(3 / 31), pytest.approx(1 / 36))
    # A semester: January-June 2025 expects m1 6, m2 5, m3 4 = 15 reports.
    assert _figures("33.71", Period(2025, 1))["reporting_rate"][0] == pytest.approx(5 / 15)
    assert _figures("33.71", Period(2025, 2))["reporting_rate"][0] == 0


def test_outputs_count_approved_reports_of_the_period_only(reports):
    figures = _figures("33.71")
    assert figures["pmks_reached"] == (5 + 2 + 3 + 4, 7)  # not the submitted, returned or draft ones
    assert figures["home_visits"] == (3 + 2 + 1, 0)
    assert figures["referrals_made"] == (1, 2)
    assert _figures("33.71", Period(2025, 2))["pmks_reached"] == (0, 14)
    temanggung = _figures("33.23")
    assert (temanggung["pmks_reached"], temanggung["home_visits"], temanggung["referrals_made"]) == (
        (13, 0),
        (20, 0),
        (6, 0),
    )


def test_cases_accompanied_to_completion_are_those_completed_now(reports):
    figures = _figures("33.71")
    # 2025: c1 c8 c2 listed (c8 twice), c8 completed; 2024: c4 (closed: moved away) and c5 (open).
    assert figures["cases_completed"] == (1, 0)
    assert figures["cases_completed_share"] == (pytest.approx(1 / 3), 0)


def test_report_figures_have_formulas_and_sentences(reports):
    indicators = {
        i.key: i
        for level in indicator_report("33.71", P, region_name="Kota Magelang")
        for i in level.indicators
    }
    levels = {i.key: level.label for level in indicator_report("33.71", P) for i in level.indicators}
    keys = [
        "reporting_rate",
        "reports_on_time",
        "pmks_reached",
        "home_visits",
        "referrals_made",
        "cases_completed",
        "cases_completed_share",
    ]
    assert [levels[key] for key in keys] == [
        "Proses",
        "Proses",
        "Output",
        "Output",
        "Output",
        "Outcome",
        "Outcome",
    ]
    with translation.override("en"):
        assert "approved" in str(indicators["pmks_reached"].formula)
        assert "Completed" in str(indicators["cases_completed"].formula)
        assert indicators["home_visits"].sentence == (
            "The approved monthly reports of the PSM of Kota Magelang for Year 2025 record 6 home visits."
        )
        assert indicators["reporting_rate"].shown_current == "16.1%"


def test_no_one_expected_to_report_says_why(reports):
    indicators = {i.key: i for level in indicator_report("33.71", Period(2019)) for i in level.indicators}
    with translation.override("en"):
        assert indicators["reporting_rate"].current is None
        assert "expected to send a monthly report" in indicators["reporting_rate"].sentence
        assert "No case is listed" in indicators["cases_completed_share"].sentence


# --- queries -------------------------------------------------------------------------------------------


def _kecamatan_with_kelurahan(magelang, count: int):
    """Kecamatan Magelang Utara with `count` kelurahan, each with a unit, trained PSM, PMKS and a case,
    and an approved monthly report (people reached, a home visit, the case) and a submitted one."""
    kecamatan = Region.objects.create(
        code="33.71.02", name="Magelang Utara", level="kecamatan", parent=magelang["kota_magelang"]
    )
    event = _event(magelang["kota_magelang"], starts_on=D(2025, 2, 3), days=2, budget=Decimal(1_000_000))
    poor = PmksCategory.objects.get(number=24)
    for number in range(count):
        kelurahan = Region.objects.create(
            code=f"33.71.02.10{number:02d}", name=f"Kelurahan {number}", level="kelurahan", parent=kecamatan
        )
        unit = factories.UnitFactory(region=kelurahan)
        for _ in range(2):
            member = _member(unit, ("aktif", D(2020, 1, 1)))
            _participant(event, member, [HADIR, TIDAK_HADIR if number % 2 else HADIR], pre=50, post=70)
        factories.PmksCountFactory(kelurahan=kelurahan, category=poor, count=40, year=2025)
        case = _case(kelurahan, D(2025, 4, 1), member, [("", "baru", D(2025, 4, 1))])
        _monthly_report(member, D(2025, 4, 1), {"24": 3, "8": 1}, visits=2, cases=[case])
        _monthly_report(member, D(2025, 5, 1), {"24": 3}, state=ReportState.TERKIRIM, visits=1)
    return kecamatan


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_report_takes_as_many_queries_for_two_kelurahan_as_for_six(data, django_assert_num_queries):
    # Training 4, coverage 1, cases 1, PMKS 2, coverage change 3, monthly reports 4, institution 8.
    with django_assert_num_queries(23):
        indicator_report("33.71.03", P)  # Rejowinangun Utara and Cacaban
    _kecamatan_with_kelurahan(data["regions"], 6)
    with django_assert_num_queries(23):
        figures = {i.key: i.current for level in indicator_report("33.71.02", P) for i in level.indicators}
    assert (figures["psm_invited"], figures["psm_trained"], figures["pmks"]) == (12, 6, 240)
    assert (figures["pmks_reached"], figures["home_visits"], figures["cases_completed_share"]) == (24, 12, 0)


def test_page_takes_as_many_queries_for_two_kelurahan_as_for_six(data, as_user, staff):
    client = as_user(staff)
    small = _queries(lambda: client.get(URL, {"wilayah": "33.71.03", "periode": "2025"}))
    _kecamatan_with_kelurahan(data["regions"], 6)
    large = _queries(lambda: client.get(URL, {"wilayah": "33.71.02", "periode": "2025"}))
    assert small == large


# --- the page ------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_staff_see_their_region_by_default_with_the_latest_finished_year(data, as_user, staff):
    response = as_user(staff).get(URL)
    assert response.status_code == 200
    assert response.context["region"].code == "33.71"
    assert response.context["period"] == Period(2025)  # 2026 is not over yet
    content = response.content.decode()
    for label in ("input", "proses", "output", "outcome", "impact"):
        assert f'id="level-{label}"' in content
    assert 'id="indicator-kelurahan_worsened"' in content
    assert {choice.key for choice in response.context["periods"]} >= {"2026", "2025", "2024"}


def test_staff_may_choose_a_region_and_period_within_their_scope(data, as_user, staff):
    response = as_user(staff).get(URL, {"wilayah": "33.71.03", "periode": "2024"})
    assert response.status_code == 200
    assert (response.context["region"].code, response.context["period"]) == ("33.71.03", Period(2024))


@pytest.mark.parametrize("code", ["33.23", "33", "99.99"])
def test_staff_get_404_outside_their_scope(data, as_user, staff, code):
    assert as_user(staff).get(URL, {"wilayah": code}).status_code == 404


def test_staff_of_another_kabkota_get_404(data, as_user, staff_other):
    assert as_user(staff_other).get(URL, {"wilayah": "33.71"}).status_code == 404
    assert as_user(staff_other).get(URL).status_code == 200  # their own Temanggung


def test_viewer_sees_the_report(data, as_user, viewer):
    assert as_user(viewer).get(URL, {"wilayah": "33.71"}).status_code == 200


def test_coordinator_gets_403(data, as_user, coordinator):
    assert as_user(coordinator).get(URL).status_code == 403
    assert as_user(coordinator).get(URL, {"wilayah": "33.71.03.1003"}).status_code == 403


def test_superuser_sees_the_first_province_by_default_and_any_region(data, as_user, superuser):
    client = as_user(superuser)
    response = client.get(URL)
    assert (response.status_code, response.context["region"].code) == (200, "33")
    assert client.get(URL, {"wilayah": "33.23"}).status_code == 200


@pytest.mark.parametrize("text", ["abc", "2099", "2025-S3", "1999"])
def test_an_invalid_period_falls_back_to_the_default_with_a_warning(data, as_user, staff, text):
    response = as_user(staff).get(URL, {"periode": text})
    assert response.status_code == 200
    assert response.context["period"] == Period(2025)
    assert len(list(response.context["messages"])) == 1


def test_without_data_the_last_finished_year_is_shown(as_user, staff, today):
    response = as_user(staff).get(URL)
    assert response.status_code == 200
    assert response.context["period"] == Period(today.year - 1)


# --- counted ahead -----------------------------------------------------------------------------------------


def _events_held(response) -> int:
    return {i.key: i.current for level in response.context["levels"] for i in level.indicators}["events_held"]


def test_page_shows_the_figures_counted_within_ten_minutes_and_when(data, as_user, staff):
    client = as_user(staff)
    params = {"wilayah": "33.71", "periode": "2025"}
    first = client.get(URL, params)
    held = _events_held(first)
    assert 'id="counted-at"' in first.content.decode()
    _event(data["regions"]["kota_magelang"], starts_on=D(2025, 9, 1), title="Acara baru")

    looked_again = _queries(lambda: client.get(URL, params))
    again = client.get(URL, params)
    assert _events_held(again) == held  # the stored count: not counted again
    assert again.context["counted_at"] == first.context["counted_at"]
    assert looked_again < _queries(lambda: client.get(URL, {**params, "hitung_ulang": "1"}))

    recounted = client.get(URL, {**params, "hitung_ulang": "1"})
    assert _events_held(recounted) == held + 1
    assert recounted.context["counted_at"] > first.context["counted_at"]
    assert _events_held(client.get(URL, params)) == held + 1  # the recount is what others see now


def test_counted_figures_expire_after_ten_minutes(data, as_user, staff, monkeypatch):
    import time

    from django.core.cache.backends import locmem

    client = as_user(staff)
    params = {"wilayah": "33.71", "periode": "2025"}
    held = _events_held(client.get(URL, params))
    _event(data["regions"]["kota_magelang"], starts_on=D(2025, 9, 1), title="Acara baru")
    started = time.time()
    monkeypatch.setattr(locmem.time, "time", lambda: started + 9 * 60)
    assert _events_held(client.get(URL, params)) == held
    monkeypatch.setattr(locmem.time, "time", lambda: started + 11 * 60)
    assert _events_held(client.get(URL, params)) == held + 1


def test_each_region_and_period_is_counted_apart(data, as_user, staff):
    client = as_user(staff)
    kota = _events_held(client.get(URL, {"wilayah": "33.71", "periode": "2025"}))
    kecamatan = client.get(URL, {"wilayah": "33.71.03", "periode": "2025"})
    earlier = client.get(URL, {"wilayah": "33.71", "periode": "2024"})
    assert kecamatan.context["region"].code == "33.71.03"
    assert _figures("33.71.03", Period(2025))["events_held"][0] == _events_held(kecamatan)
    assert _figures("33.71", Period(2024))["events_held"][0] == _events_held(earlier)
    assert _figures("33.71", Period(2025))["events_held"][0] == kota


def test_the_running_period_is_counted_for_every_request(data, as_user, staff, today):
    client = as_user(staff)
    params = {"wilayah": "33.71", "periode": str(today.year)}
    first = client.get(URL, params)
    assert not first.context["stored"] and 'id="counted-at"' not in first.content.decode()
    _event(data["regions"]["kota_magelang"], starts_on=today, title="Acara hari ini")
    assert _events_held(client.get(URL, params)) == _events_held(first) + 1


# --- The institution and its partners ------------------------------------------------------------------


@pytest.fixture
def institution(magelang, unit_a, staff):
    """Kota Magelang in 2025 (P) and 2024: meetings with follow-ups, partners, contributions, referrals."""
    from cases.models import Referral, ReferralOutcome
    from members.models import Contribution, FollowUp, Meeting, Partner

    forum = Meeting.objects.create(
        region=magelang["kota_magelang"], kind="koordinasi", held_on=D(2025, 3, 1), place="Dinsos", agenda="a"
    )
    unit_meeting = Meeting.objects.create(
        unit=unit_a, region=unit_a.region, kind="rutin", held_on=D(2025, 5, 1), place="Balai", agenda="b"
    )
    Meeting.objects.create(
        unit=unit_a, region=unit_a.region, kind="rutin", held_on=D(2024, 5, 1), place="x", agenda="c"
    )
    FollowUp.objects.create(meeting=forum, task="t1", due_on=D(2025, 4, 1), done_on=D(2025, 3, 20))
    FollowUp.objects.create(meeting=unit_meeting, task="t2", due_on=D(2025, 6, 1))
    bank = Partner.objects.create(region=magelang["kota_magelang"], name="Bank Jateng", sector="dunia_usaha")
    bank.kecamatan_served.add(magelang["magelang_tengah"])
    Partner.objects.create(
        region=magelang["kota_magelang"], name="Lama", sector="lks", mou_ends_on=D(2024, 12, 31)
    )
    Partner.objects.create(region=magelang["temanggung"], name="Di Temanggung", sector="ormas")
    Contribution.objects.create(
        partner=bank, kind="uang", value=2_500_000, given_on=D(2025, 2, 1), purpose="x"
    )
    Contribution.objects.create(
        partner=bank, kind="barang", value=500_000, given_on=D(2024, 2, 1), purpose="y"
    )
    case = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"])
    for outcome in (ReferralOutcome.DILAYANI, ReferralOutcome.MENUNGGU):
        Referral.objects.create(
            case=case, institution_type="lainnya", institution_name="Bank Jateng", partner=bank,
            referred_on=D(2025, 7, 1), outcome=outcome,
        )  # fmt: skip


def test_institution_and_partnership_figures(institution):
    figures = _figures("33.71")
    assert figures["meetings_held"] == (2, 1)
    assert figures["follow_ups_done_share"] == (0.5, None)
    assert figures["active_partners"] == (1, 2)  # "Lama"'s agreement ended with 2024
    assert figures["contributions_value"] == (2_500_000, 500_000)
    assert figures["partner_referrals"] == (2, 0)
    assert figures["partner_referrals_served_share"] == (0.5, None)
    # A kecamatan counts the partners serving it; Temanggung's are never Magelang's.
    assert _figures("33.71.03")["active_partners"] == (1, 1)
    assert _figures("33.71.01")["active_partners"] == (0, 0)


def test_legal_standing_figures(magelang, unit_a, unit_b):
    from members.models import Unit

    Unit.objects.filter(pk=unit_a.pk).update(sk_number="188/12/2024", sk_date=D(2024, 6, 1))
    Unit.objects.filter(pk=unit_b.pk).update(sk_number="188/3/2025", sk_date=D(2025, 3, 1))
    valid = factories.MemberFactory(unit=unit_a, status_history=True, sk_number="1", sk_date=D(2023, 1, 1))
    factories.MemberFactory(
        unit=unit_a, status_history=True, sk_number="2", sk_date=D(2023, 1, 1), sk_valid_until=D(2025, 6, 30)
    )  # expired before the end of 2025, valid at the end of 2024
    factories.MemberFactory(unit=unit_b, status_history=True)  # no SK
    figures = _figures("33.71")
    assert figures["units_with_sk_share"] == (1.0, 0.5)
    assert figures["psm_with_valid_sk_share"] == (pytest.approx(1 / 3), pytest.approx(2 / 3))
    assert valid.sk_valid_until is None
