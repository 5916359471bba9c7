import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members import office
from members.models import OfficeProfile
from tests.printing.pictures import logo_png, upload

# 13 November 2024 00:30 in Asia/Jakarta (WIB) is still the 12th in UTC: the printed date must be WIB's.
PRINTED_AT = datetime.datetime(2024, 11, 12, 17, 30, tzinfo=datetime.UTC)
ROLES = ["anonymous", "coordinator", "coordinator_b", "viewer", "staff", "staff_other", "superuser"]


@pytest.fixture
def users(request, magelang):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


@pytest.fixture
def printed_at(monkeypatch):
    """Freeze "now" for the printed-on line (sessions made before it stay valid: it is in the past)."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: PRINTED_AT)
    return PRINTED_AT


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


HEAD_NIP = "197003151995031002"  # 19700315 199503 1 002


def make_office_profile(region, *, by, logo: bool = True, **fields):
    """The office profile of `region` (a kab/kota) as its staff would save it, with a logo."""
    values = {
        "name": f"Dinas Sosial {region}",
        "address": "Jl. Veteran No. 7, Magelang 56117",
        "head_name": "Drs. Bambang Sutrisno, M.Si.",
        "head_nip": HEAD_NIP,
        "signing_city": region.name.removeprefix("Kota ").removeprefix("Kabupaten "),
        **fields,
    }
    image = office.clean_logo(upload(logo_png(), name="logo.png")) if logo else None
    return office.save_office_profile(
        profile=OfficeProfile(region=region, **values), logo=image, remove_logo=False, by=by
    )
