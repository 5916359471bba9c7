"""The demo loader's work programmes: every demo unit has this year's, Kota Magelang's units last year's
too, realised in each of the ways the app offers, with overdue activities left (more in Temanggung)."""

import pytest
from django.db.models import Count, Q

from ipsm.devtools.demo import MAGELANG, TEMANGGUNG
from members.models import ProgrammeActivity, RealisedBy, Unit, WorkProgramme
from tests.demo.conftest import IN_DEMO_GROUP

pytestmark = IN_DEMO_GROUP


def test_every_unit_has_this_years_programme_and_magelang_last_years(demo, today):
    for kabkota, years in ((MAGELANG, {today.year - 1, today.year}), (TEMANGGUNG, {today.year})):
        units = Unit.objects.within(kabkota)
        for year in years:
            planned = WorkProgramme.objects.filter(unit__in=units, year=year)
            assert planned.count() == units.count() > 0
    sizes = WorkProgramme.objects.annotate(n=Count("activities")).values_list("n", flat=True)
    assert min(sizes) >= 6 and max(sizes) <= 9


def test_realised_in_every_way_the_app_offers(demo, today):
    ways = set(ProgrammeActivity.objects.realised().values_list("realised_by", flat=True))
    assert {RealisedBy.MEETING, RealisedBy.REPORTS, RealisedBy.EVENT, RealisedBy.HAND} <= ways
    for activity in ProgrammeActivity.objects.realised().select_related("programme__unit", "meeting"):
        assert activity.realised_on.year == activity.programme.year and activity.realised_on <= today
        if activity.realised_by == RealisedBy.MEETING:
            assert activity.meeting.unit_id == activity.programme.unit_id
        if activity.realised_by == RealisedBy.EVENT:
            event = activity.events.get()
            assert event.participants.filter(member__unit=activity.programme.unit).exists()


def _due(kabkota, today):
    """The activities of the months that have ended (none in January: the test cannot say anything)."""
    ended = Q(programme__year__lt=today.year) | Q(programme__year=today.year, month__lt=today.month)
    due = ProgrammeActivity.objects.within(kabkota).filter(ended)
    if not due.exists():
        pytest.skip("no month of the demo's programmes has ended yet")
    return due


@pytest.mark.parametrize("kabkota", [MAGELANG, TEMANGGUNG])
def test_partly_realised_with_overdue_activities(demo, today, kabkota):
    due = _due(kabkota, today)
    counts = due.aggregate(all=Count("pk"), done=Count("pk", filter=Q(realised_on__isnull=False)))
    share = counts["done"] / counts["all"]
    assert 0.4 < share < 0.95, share
    # Nothing of a month to come is realised.
    assert not ProgrammeActivity.objects.filter(programme__year=today.year, month__gt=today.month).realised()


def test_temanggung_realises_less_than_magelang(demo, today):
    def share(kabkota):
        due = _due(kabkota, today).filter(programme__year=today.year)
        return due.realised().count() / due.count()

    assert share(TEMANGGUNG) < share(MAGELANG)


def test_partners_fund_some_activities_of_their_own_kabkota(demo):
    funded = ProgrammeActivity.objects.exclude(partner=None).select_related("partner", "programme__unit")
    assert funded.exists()
    assert all(a.partner.region_id == a.programme.unit.region_id[:5] for a in funded)
