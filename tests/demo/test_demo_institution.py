"""The demo loader's institution: a year of meetings, SK gaps, partners and their contributions."""

import pytest
from django.db.models import Count, Q

from cases.models import Referral
from ipsm.devtools.demo import MAGELANG, TEMANGGUNG
from ipsm.devtools.demo_reports import demo_months
from members import legality
from members.meetings import expected_members
from members.models import (
    BoardDecree,
    BoardPosition,
    Contribution,
    ContributionKind,
    FollowUp,
    Meeting,
    MeetingAttendance,
    MeetingDecision,
    MeetingKind,
    Member,
    Partner,
    Unit,
)
from tests.demo.conftest import IN_DEMO_GROUP, load_demo_again
from trainings.models import Event

pytestmark = IN_DEMO_GROUP

KABKOTA = (MAGELANG, TEMANGGUNG)


@pytest.mark.parametrize("kabkota", KABKOTA)
def test_a_year_of_meetings_with_minutes_and_attendance(demo, today, kabkota):
    first = demo_months(today)[0]
    meetings = Meeting.objects.within(kabkota).filter(held_on__gte=first)
    assert meetings.filter(held_on__gte=today).count() == 0
    kinds = set(meetings.values_list("kind", flat=True))
    assert set(MeetingKind) == kinds
    assert not meetings.filter(Q(minutes="") | Q(agenda="") | Q(place="")).exists()
    counted = meetings.annotate(
        expected=Count("attendance"), present=Count("attendance", filter=Q(attendance__present=True))
    )
    assert all(m.expected and 0 < m.present <= m.expected for m in counted)
    totals = MeetingAttendance.objects.filter(meeting__in=meetings).aggregate(
        all=Count("pk"), present=Count("pk", filter=Q(present=True))
    )
    assert totals["present"] > totals["all"] / 2  # most come
    decisions = meetings.annotate(n=Count("decisions")).values_list("n", flat=True)
    assert set(decisions) <= {1, 2, 3}


def test_units_meet_most_months_and_forums_quarterly(demo, today):
    months = demo_months(today)
    unit = Unit.objects.get(region_id="33.71.03.1003")
    rutin = Meeting.objects.filter(unit=unit, kind=MeetingKind.RUTIN)
    assert len(months) - 5 <= rutin.count() <= len(months)
    forum = Meeting.objects.filter(unit=None, region_id="33.71.03", kind=MeetingKind.KOORDINASI)
    assert 3 <= forum.count() <= 4
    assert all("TKSK" in m.guests and "Dinas Sosial" in m.guests for m in forum)
    assert 1 <= Meeting.objects.filter(unit=None, region_id=TEMANGGUNG).count() <= 2


def test_attendance_lists_whom_the_meeting_rules_expect(demo):
    """A unit's members, a forum's own board and each unit's ketua below (members.meetings), most of whom
    the rules would still list today."""
    for unit_filter in (Q(unit__region_id="33.71.03.1003"), Q(unit=None, region_id="33.71.03")):
        meeting = Meeting.objects.filter(unit_filter).order_by("-held_on").first()
        listed = set(meeting.attendance.values_list("member_id", flat=True))
        expected = set(
            expected_members(unit=meeting.unit, region_code=meeting.region_id).values_list("pk", flat=True)
        )
        assert len(listed & expected) >= len(listed) * 0.8
        if meeting.unit is None:
            seats = BoardPosition.objects.filter(member__in=listed, unit__region__code__startswith="33.71.03")
            assert set(seats.values_list("member_id", flat=True)) == listed
        else:
            assert set(meeting.unit.members.values_list("pk", flat=True)) >= listed


def test_follow_ups_are_done_or_overdue_by_someone_present(demo, today):
    follow_ups = FollowUp.objects.select_related("meeting")
    done = follow_ups.filter(done_on__isnull=False)
    overdue = follow_ups.filter(done_on__isnull=True, due_on__lt=today)
    assert done.count() > overdue.count() > 0
    assert not done.filter(done_on__gt=today).exists()
    for follow_up in follow_ups[:300]:
        assert follow_up.due_on > follow_up.meeting.held_on
        assert follow_up.meeting.attendance.filter(member=follow_up.responsible_id, present=True).exists()


def test_a_board_elected_at_a_musyawarah_has_its_sk(demo):
    elected = BoardPosition.objects.current().filter(elected_at__isnull=False).select_related("elected_at")
    assert elected.exists()
    for seat in elected:
        assert seat.elected_at.kind == MeetingKind.MUSYAWARAH and seat.elected_at.unit_id == seat.unit_id
        assert seat.elected_at.held_on <= seat.term_starts_on
    decree = BoardDecree.objects.filter(meeting__isnull=False).first()
    assert decree is not None and decree.positions.exists()


@pytest.mark.parametrize("kabkota", KABKOTA)
def test_legality_has_gaps(demo, today, kabkota):
    units = Unit.objects.within(kabkota)
    assert legality.units_without_sk(units).exists()
    assert not units.filter(legality.unit_sk_q(), sk_issuer="").exists()
    problems = legality.units_with_board_problems(units, today)
    assert problems.filter(board_without_sk=True).exists()
    assert BoardPosition.objects.current().filter(unit__in=units, decree__isnull=False).exists()
    members = Member.objects.within(kabkota)
    lacking = legality.members_without_valid_sk(members, today)
    statuses = {legality.member_sk_status(m, today) for m in lacking}
    assert statuses == {legality.SK_MISSING, legality.SK_EXPIRED}
    valid = members.active().filter(legality.member_sk_valid_q(today))
    assert valid.count() > lacking.count()
    expired = members.active().filter(sk_valid_until__lt=today)
    assert all(m.sk_valid_until.year == today.year - 1 for m in expired)


@pytest.mark.parametrize("kabkota", KABKOTA)
def test_partners_with_an_expiring_and_an_ended_agreement(demo, today, kabkota):
    partners = Partner.objects.within(kabkota)
    assert 5 <= partners.count() <= 7
    assert len(set(partners.values_list("sector", flat=True))) >= 5
    soon = partners.expiring(today)
    assert soon.filter(mou_ends_on__gte=today).exists() and soon.filter(mou_ends_on__lt=today).exists()
    assert not partners.filter(Q(mou_number="") | Q(contact_name="")).exists()
    assert all(p.kecamatan_served.exists() for p in partners)
    assert all(code.startswith(kabkota) for code in partners.values_list("kecamatan_served__code", flat=True))


@pytest.mark.parametrize("kabkota", KABKOTA)
def test_contributions_over_the_year(demo, today, kabkota):
    first = demo_months(today)[0]
    contributions = Contribution.objects.filter(
        partner__region_id=kabkota, given_on__gte=first
    ).select_related("partner", "unit")
    assert 10 <= contributions.count() <= 26
    assert {c.kind for c in contributions} == set(ContributionKind)
    for contribution in contributions:
        partner = contribution.partner
        assert contribution.value > 0 and contribution.given_on < today
        assert partner.mou_starts_on <= contribution.given_on
        assert partner.mou_ends_on is None or contribution.given_on <= partner.mou_ends_on
        if contribution.unit is not None:
            assert partner.kecamatan_served.filter(code=contribution.unit.region_id[:8]).exists()
    assert any(c.unit is not None for c in contributions)


def test_events_have_sponsors_and_contributions_and_referrals_name_partners(demo):
    assert Event.objects.filter(sponsors__isnull=False).distinct().count() >= 2
    assert Contribution.objects.filter(events__isnull=False).count() >= 2
    linked = Referral.objects.filter(partner__isnull=False).select_related("partner", "case__kelurahan")
    assert linked.exists()
    assert all(
        r.institution_name == r.partner.name and r.case.kelurahan_id.startswith(r.partner.region_id)
        for r in linked
    )


def test_output_counts_the_institution(demo):
    assert str(Meeting.objects.count()) in demo
    assert str(FollowUp.objects.count()) in demo


def test_second_run_adds_nothing(demo, settings):
    settings.DEBUG = True
    models = (Meeting, MeetingAttendance, MeetingDecision, FollowUp, BoardDecree, Partner, Contribution)

    def snapshot():
        return (
            {model.__name__: model.objects.count() for model in models},
            Member.history.count(),
            Unit.history.count(),
            BoardPosition.history.count(),
            Referral.objects.filter(partner__isnull=False).count(),
        )

    before = snapshot()
    load_demo_again()
    assert snapshot() == before
