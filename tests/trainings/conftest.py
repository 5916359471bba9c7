import datetime

import pytest

from tests import factories
from trainings import services
from trainings.models import AttendanceStatus, Event, Participant

START = datetime.date(2024, 5, 6)


def make_event(*regions, by, days: int = 2, title: str = "Bimtek Dasar PSM", **fields) -> Event:
    event = Event(
        title=title,
        training_type=fields.pop("training_type", "bimtek_dasar"),
        starts_on=fields.pop("starts_on", START),
        ends_on=fields.pop("ends_on", START + datetime.timedelta(days=days - 1)),
        venue=fields.pop("venue", "Aula Dinas Sosial"),
        **fields,
    )
    return services.save_event(event=event, organiser_regions=regions, other_organisers=[], by=by)


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
