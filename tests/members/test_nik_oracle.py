"""No oracle for a masked NIK (security probe, finding 2).

A read-only head sees `3371 01•• •••• 0787`, the birth year and the sex; the masked digits are DDMMYY (+40 for
women), 366 guesses at most. Whoever may not see a NIK whole gets no confirmation that it exists: not from
the search, nor the forms, nor the imports, nor the list's order; NIK searches are limited and recorded.
"""

import datetime

import pytest
from django.urls import reverse

from ipsm.lib.imports import process
from members.access import NikPolicy
from members.importers import MemberImporter
from members.models import Member, NikSearch, NikSearchOutcome
from members.nik import mask_nik
from tests import factories
from tests.imports.files import xlsx

REFUSED = "NIK ini tidak dapat didaftarkan. Silakan hubungi Dinas Sosial."


@pytest.fixture
def hidden(unit_a):
    """A member of Kota Magelang born 1 June 1987 (the probe's NIK ended 0787)."""
    return factories.MemberFactory(unit=unit_a, birth_date=datetime.date(1987, 6, 1), female=False)


def _search(client, text: str):
    return client.post(reverse("members:search"), {"cari": text}, follow=True)


def test_a_viewer_cannot_search_by_nik_and_learns_nothing(as_user, viewer, hidden):
    client = as_user(viewer)
    for nik in (hidden.nik, hidden.nik[:6] + "020687" + hidden.nik[12:]):
        response = _search(client, nik)
        assert response.redirect_chain[-1][0] == reverse("members:list")
        page = response.content.decode()
        assert "hanya untuk pengguna yang boleh melihat NIK utuh" in page
    records = NikSearch.objects.filter(user=viewer)
    assert [r.outcome for r in records] == [NikSearchOutcome.NOT_ALLOWED] * 2
    assert {r.masked_nik for r in records} >= {mask_nik(hidden.nik)}
    assert not any(hidden.nik in r.masked_nik for r in records)


def test_staff_find_a_member_by_nik_and_the_search_is_recorded(as_user, staff, hidden):
    response = as_user(staff).post(reverse("members:search"), {"cari": hidden.nik})
    assert response["Location"] == reverse("members:detail", args=[hidden.pk])
    record = NikSearch.objects.get()
    assert (record.user, record.outcome, record.member) == (staff, NikSearchOutcome.FOUND, hidden)
    assert record.masked_nik == mask_nik(hidden.nik)


def test_a_coordinator_finds_only_their_own_units_members(as_user, coordinator, unit_b):
    other = factories.MemberFactory(unit=unit_b)
    response = _search(as_user(coordinator), other.nik)
    assert "Tidak ada anggota dengan NIK ini" in response.content.decode()
    assert NikSearch.objects.get().outcome == NikSearchOutcome.NOT_FOUND


def test_nik_searches_are_limited_per_user(as_user, staff, staff_other, hidden, settings):
    settings.NIK_SEARCHES_PER_HOUR = 3
    client = as_user(staff)
    for day in range(2, 5):  # born on the 1st: three wrong guesses
        _search(client, hidden.nik[:6] + f"{day:02d}0687" + hidden.nik[12:])
    response = _search(client, hidden.nik)
    assert response.redirect_chain[-1][0] == reverse("members:list")
    assert "3 kali dalam satu jam terakhir" in response.content.decode()
    assert NikSearch.objects.filter(user=staff).last().outcome == NikSearchOutcome.NOT_FOUND
    assert NikSearch.objects.filter(user=staff).first().outcome == NikSearchOutcome.LIMITED
    # Another user's searches are their own.
    _search(as_user(staff_other), hidden.nik)
    assert NikSearch.objects.filter(user=staff_other).get().outcome == NikSearchOutcome.NOT_FOUND
    # An hour later the user may search again.
    NikSearch.objects.update(searched_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2))
    assert as_user(staff).post(reverse("members:search"), {"cari": hidden.nik}).status_code == 302
    assert NikSearch.objects.filter(user=staff).first().outcome == NikSearchOutcome.FOUND


def test_nik_searches_appear_in_the_activity_log_masked(as_user, staff, hidden):
    _search(as_user(staff), hidden.nik)
    page = as_user(staff).get(reverse("activity")).content.decode()
    assert "Pencarian NIK" in page
    assert mask_nik(hidden.nik) in page
    assert hidden.nik not in page


def test_the_list_cannot_be_sorted_by_nik(as_user, viewer, unit_a):
    early = factories.MemberFactory(unit=unit_a, full_name="B", birth_date=datetime.date(1980, 1, 1))
    late = factories.MemberFactory(unit=unit_a, full_name="A", birth_date=datetime.date(1980, 12, 31))
    for sort in ("nik", "-nik"):
        response = as_user(viewer).get(reverse("members:list"), {"urut": sort})
        assert response.status_code == 200
        names = [row.record.full_name for row in response.context["table"].page.object_list]
        assert names == [late.full_name, early.full_name]  # by name, as without ?sort
    assert 'href="?urut=nik"' not in response.content.decode()


def test_the_form_refuses_a_nik_registered_out_of_sight_without_saying_where(
    as_user, staff, unit_a, unit_temanggung
):
    elsewhere = factories.MemberFactory(unit=unit_temanggung, full_name="Orang Temanggung")
    data = {
        "nik": elsewhere.nik,
        "full_name": "Coba Coba",
        "sex": elsewhere.sex,
        "birth_place": "Magelang",
        "birth_date": elsewhere.birth_date.isoformat(),
        "address": "Jl. Mawar 1",
        "kelurahan": unit_a.region_id,
        "education": "sma",
        "joined_on": "2024-02-01",
        "status": "calon",
    }
    response = as_user(staff).post(reverse("members:create", args=[unit_a.pk]), data)
    assert response.context["form"].errors["nik"] == [REFUSED]
    assert "Orang Temanggung" not in response.content.decode()
    assert not Member.objects.filter(full_name="Coba Coba").exists()


def test_an_import_refuses_a_nik_registered_out_of_sight_the_same_way(staff, unit_a, unit_temanggung):
    elsewhere = factories.MemberFactory(unit=unit_temanggung)
    content = xlsx(["NIK", "Nama", "Kelurahan"], [[elsewhere.nik, "Coba Coba", unit_a.region_id]])
    rows = []
    importer = MemberImporter(user=staff, options={"file_name": "a.xlsx"})
    process(importer, content, "a.xlsx", write=False, on_batch=lambda batch, summary: rows.extend(batch))
    assert [p["message"] for p in rows[0].problems] == [REFUSED]


def test_beside_a_masked_nik_only_the_birth_year(viewer, staff, hidden):
    assert NikPolicy(viewer).nik(hidden) == mask_nik(hidden.nik)
    assert NikPolicy(viewer).birth_date(hidden) is None
    assert NikPolicy(viewer).birth_year(hidden) == 1987
    assert NikPolicy(staff).nik(hidden) == hidden.nik
    assert not NikPolicy(viewer).whole_among(Member.objects.all()).exists()
