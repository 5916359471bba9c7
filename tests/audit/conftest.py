import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import translation

from tests import factories
from tests.trainings.conftest import make_event


@pytest.fixture(autouse=True)
def in_english(client):
    """Pages and labels in the English source strings, so that assertions do not follow the catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def edit(obj, by, reason: str | None = None, **fields):
    """Change fields of a tracked object as a page would: one history record with its author."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    obj.save()
    return obj


@pytest.fixture
def case(magelang, staff):
    case = factories.CaseFactory.build(
        kelurahan=magelang["cacaban"], reported_on=datetime.date(2024, 3, 1), person_nik="3371034507500002"
    )
    return edit(case, staff)


@pytest.fixture
def case_temanggung(magelang, staff_other):
    case = factories.CaseFactory.build(kelurahan=magelang["kowangan"], reported_on=datetime.date(2024, 3, 1))
    return edit(case, staff_other)


@pytest.fixture
def event(staff, magelang):
    return make_event(magelang["kota_magelang"], by=staff, title="Bimtek Dasar Magelang")


@pytest.fixture
def event_temanggung(staff_other, magelang):
    return make_event(magelang["temanggung"], by=staff_other, title="Bimtek Temanggung")


@pytest.fixture
def case_reader(magelang):
    """Sees cases of Kota Magelang but may not edit them (no such role today: the rule must still hold)."""
    user = factories.UserFactory(username="pembaca-kasus")
    user.user_permissions.add(Permission.objects.get(codename="view_case", content_type__app_label="cases"))
    factories.AssignmentFactory(user=user, region=magelang["kota_magelang"])
    return user
