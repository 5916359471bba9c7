import datetime

import pytest

from tests import factories
from trainings import services
from trainings.models import AttendanceStatus, Event, OrganiserStatus, Participant

START = datetime.date(2024, 5, 6)


def make_event(
    *regions, by, days: int = 2, title: str = "Bimtek Dasar PSM", accepted: bool = True, **fields
) -> Event:
    """An event organised by `regions`; the other offices among them accept at once unless accepted=False
    (their invitation then waits, as services.save_event leaves it)."""
    event = Event(
        title=title,
        training_type=fields.pop("training_type", "bimtek_dasar"),
        starts_on=fields.pop("starts_on", START),
        ends_on=fields.pop("ends_on", START + datetime.timedelta(days=days - 1)),
        venue=fields.pop("venue", "Aula Dinas Sosial"),
        **fields,
    )
    event = services.save_event(event=event, organiser_regions=regions, other_organisers=[], by=by)
    if accepted:
        for invitation in event.organisers.filter(status=OrganiserStatus.INVITED):
            services.answer_invitation(organiser=invitation, accept=True, by=None)
    return event


def mark_all(event: Event, member, status: str = AttendanceStatus.HADIR) -> Participant:
    participant = event.participants.get(member=member)
    services.record_attendance(event=event, marks={(participant.pk, day): status for day in event.days})
    return participant


@pytest.fixture
def magelang_event(staff, magelang):
    """Kota Magelang's own two-day event."""
    return make_event(magelang["kota_magelang"], by=staff)


@pytest.fixture
def joint_event(staff, magelang):
    """Organised together by Kota Magelang and Kabupaten Temanggung."""
    return make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, title="Bimtek Bersama")


@pytest.fixture
def member_temanggung(unit_temanggung):
    return factories.MemberFactory(unit=unit_temanggung)
