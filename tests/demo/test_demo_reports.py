"""The demo loader's PSM monthly reports: 12 months in every state, consistent with cases/reports.py."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import reporting
from cases.models import (
    MonthlyReport,
    PmksCategory,
    ReportActivity,
    ReportActivityKind,
    ReportState,
    ReportStep,
    ReportStepAction,
)
from cases.reports import due_date
from ipsm.devtools.demo_reports import demo_months
from members.models import Member
from tests.demo.conftest import IN_DEMO_GROUP, load_demo_again

User = get_user_model()

pytestmark = IN_DEMO_GROUP

SUBMITS = (ReportStepAction.SUBMITTED, ReportStepAction.RESUBMITTED)
# The state each last step leaves a report in.
STATE_AFTER = {
    ReportStepAction.CREATED: ReportState.DRAF,
    ReportStepAction.ON_PAPER: ReportState.DRAF,
    ReportStepAction.SUBMITTED: ReportState.TERKIRIM,
    ReportStepAction.RESUBMITTED: ReportState.TERKIRIM,
    ReportStepAction.RETURNED: ReportState.DIKEMBALIKAN,
    ReportStepAction.APPROVED: ReportState.DISETUJUI,
}


@dataclass
class Loaded:
    """The demo's reports with their steps, activities and cases, read once for the module (as plain rows:
    model instances for tens of thousands of rows take seconds)."""

    reports: list[MonthlyReport]
    steps: dict[int, list[tuple]] = field(default_factory=dict)  # report pk -> (action, at, by_id, note)
    activities: dict[int, list[tuple]] = field(default_factory=dict)  # report pk -> (kind, done_on, count)
    cases: dict[int, list[tuple]] = field(default_factory=dict)  # report pk -> (case pk, its PSM's pk)


@pytest.fixture(scope="module")
def loaded(loaded_demo, django_db_blocker) -> Loaded:
    with django_db_blocker.unblock():
        data = Loaded(list(MonthlyReport.objects.select_related("member__unit")))
        steps = ReportStep.objects.order_by("at", "pk").values_list(
            "report_id", "action", "at", "by_id", "note"
        )
        for report_id, *row in steps:
            data.steps.setdefault(report_id, []).append(tuple(row))
        activities = ReportActivity.objects.values_list("report_id", "kind", "done_on", "count")
        for report_id, *row in activities:
            data.activities.setdefault(report_id, []).append(tuple(row))
        links = MonthlyReport.cases.through.objects.values_list("monthlyreport_id", "case_id", "case__psm_id")
        for report_id, *row in links:
            data.cases.setdefault(report_id, []).append(tuple(row))
    return data


@pytest.fixture
def reports(loaded, demo) -> list[MonthlyReport]:
    return loaded.reports


def _month_end(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def test_reports_cover_the_twelve_months_before_this_one(reports, today):
    months = demo_months(today)
    assert len(months) == 13 and months[-1] == today.replace(day=1)
    by_month = {month: [r for r in reports if r.month == month] for month in months}
    assert {r.month for r in reports} <= set(months)
    assert all(len(by_month[month]) > 100 for month in months[:-1])
    this_month = by_month[months[-1]]
    assert all(r.state == ReportState.DRAF for r in this_month)
    if today.day > 1:
        assert 0 < len(this_month) < len(by_month[months[-2]]) / 2  # a few have started theirs


def test_every_state_appears_and_most_are_approved(reports):
    states = [r.state for r in reports]
    assert set(states) == set(ReportState.values)
    assert states.count(ReportState.DISETUJUI) > 0.75 * len(states)


def test_some_reports_are_late_by_the_due_date_rule(reports, loaded):
    late = [r for r in reports if r.is_late]
    assert 0.05 * len(reports) < len(late) < 0.3 * len(reports)
    for report in reports[::50]:
        assert report.due_on == due_date(report.member, report.month)
    for report in reports:
        first = [
            at for action, at, _by, _note in loaded.steps[report.pk] if action == ReportStepAction.SUBMITTED
        ]
        if first:  # late by the first submission; a resubmission keeps its mark
            assert report.is_late == (timezone.localdate(first[0]) > report.due_on), report
        else:
            assert not report.is_late and report.submitted_at is None


def test_some_active_psm_have_no_report(reports, today):
    month = demo_months(today)[-3]
    reported = {r.member_id for r in reports if r.month == month}
    active = set(Member.objects.not_merged().active_on(_month_end(month)).values_list("pk", flat=True))
    assert reported <= active  # only members active in the month report
    assert 0 < len(active - reported) < 0.2 * len(active)


def test_a_few_psm_stopped_reporting_and_are_listed_for_follow_up(demo):
    for kabkota in ("33.71", "33.23"):
        active = Member.objects.within(kabkota).active().count()
        silent = reporting.silent_members(Member.objects.within(kabkota)).count()
        assert 0 < silent < 0.1 * active, kabkota


def test_paper_reports_are_entered_and_submitted_by_staff(reports, loaded):
    paper = [r for r in reports if r.on_paper]
    assert 0.03 * len(reports) < len(paper) < 0.4 * len(reports)
    staff = set(
        User.objects.filter(username__in=["staf-magelang", "staf-temanggung"]).values_list("pk", flat=True)
    )
    for report in paper:
        action, _at, by_id, _note = loaded.steps[report.pk][0]
        assert action == ReportStepAction.ON_PAPER and report.entered_by_id in staff
        assert by_id == report.entered_by_id
    assert not any(r.entered_by_id for r in reports if not r.on_paper)


def test_steps_tell_each_reports_story(reports, loaded):
    now = timezone.now()
    for report in reports:
        steps = loaded.steps[report.pk]
        actions = [action for action, _at, _by, _note in steps]
        times = [at for _action, at, _by, _note in steps]
        assert actions[0] in (ReportStepAction.CREATED, ReportStepAction.ON_PAPER), report
        assert actions.count(ReportStepAction.CREATED) + actions.count(ReportStepAction.ON_PAPER) == 1
        assert STATE_AFTER[actions[-1]] == report.state, report
        assert times == sorted(times) and times[-1] <= now
        assert all(by_id for _action, _at, by_id, _note in steps)
        assert all(note for action, _at, _by, note in steps if action == ReportStepAction.RETURNED)
        submits = [at for action, at, _by, _note in steps if action in SUBMITS]
        assert report.submitted_at == (submits[-1] if submits else None)
        assert report.created_at == times[0]
        assert report.month == timezone.localdate(times[0]).replace(day=1) or report.on_paper
    returned = [r for r in reports if r.state == ReportState.DIKEMBALIKAN]
    assert returned and all(r.return_note() for r in returned[:5])
    corrected = [r for r in reports if ReportStepAction.RESUBMITTED in {s[0] for s in loaded.steps[r.pk]}]
    assert corrected


def test_report_content_is_plausible(reports, loaded):
    categories = set(PmksCategory.objects.values_list("number", flat=True))
    for report in reports:
        activities = loaded.activities[report.pk]
        assert 1 <= len(activities) <= 4
        assert len({kind for kind, _on, _count in activities}) == len(activities)
        assert all(kind in ReportActivityKind.values and count >= 1 for kind, _on, count in activities)
        assert all(on.replace(day=1) == report.month for _kind, on, _count in activities)
        assert 1 <= len(report.pmks_reached) <= 4
        assert all(int(k) in categories and v > 0 for k, v in report.pmks_reached.items())
        assert all(psm_id == report.member_id for _case, psm_id in loaded.cases.get(report.pk, []))
        assert report.plan
    assert len(loaded.cases) > 10  # some list the cases accompanied
    assert sum(bool(r.obstacles) for r in reports) > 0.5 * len(reports)


def test_demo_psm_has_reports_to_see_and_one_to_correct(demo, today):
    member = User.objects.get(username="psm-rejowinangun-utara").assignment.member
    reports = {r.month: r for r in MonthlyReport.objects.filter(member=member)}
    months = demo_months(today)
    assert today.replace(day=1) not in reports  # theirs to make in the demo
    assert set(reports) == set(months[:-1])
    states = {r.state for r in reports.values()}
    assert {ReportState.DISETUJUI, ReportState.TERKIRIM, ReportState.DIKEMBALIKAN} <= states
    returned = [r for r in reports.values() if r.state == ReportState.DIKEMBALIKAN]
    assert len(returned) == 1 and returned[0].return_note()
    assert returned[0].steps.get(action=ReportStepAction.CREATED).by.username == "psm-rejowinangun-utara"
    assert any(r.is_late for r in reports.values()) and any(r.on_paper for r in reports.values())


def test_output_counts_the_reports(demo):
    assert str(MonthlyReport.objects.count()) in demo
    assert str(ReportStep.objects.count()) in demo


def test_second_run_adds_no_reports(demo, settings):
    settings.DEBUG = True
    models = (MonthlyReport, ReportActivity, ReportStep, MonthlyReport.cases.through)
    before = {model.__name__: model.objects.count() for model in models}
    load_demo_again()
    assert {model.__name__: model.objects.count() for model in models} == before
