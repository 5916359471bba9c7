"""Adding and editing members through the pages: NIK rules, messages, nothing half-saved."""

import datetime

import pytest
from django.urls import reverse

from members.models import Member, MemberStatus, StatusChange
from tests import factories


def _form_data(**overrides):
    data = {
        "nik": "3371 0305.0190 0003",
        "full_name": "Bambang Sutrisno",
        "sex": "L",
        "birth_place": "Magelang",
        "birth_date": "1990-01-05",
        "address": "Jl. Pahlawan No. 3",
        "rt": "1",
        "rw": "04",
        "kelurahan": "33.71.03.1003",
        "phone": "0812-3456 7890",
        "email": "",
        "education": "sma",
        "occupation": "Pedagang",
        "joined_on": "2024-02-01",
        "sk_number": "",
        "sk_date": "",
        "status": "calon",
    }
    data.update(overrides)
    return data


def test_coordinator_registers_member_with_normalised_values(as_user, coordinator, unit_a):
    response = as_user(coordinator).post(reverse("members:create", args=[unit_a.pk]), _form_data())
    member = Member.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert member.nik == "3371030501900003"
    assert member.phone == "+6281234567890"
    assert (member.rt, member.rw) == ("001", "004")
    assert member.unit == unit_a
    assert member.kta_number == "3371031003-0001"
    assert member.status == MemberStatus.CALON
    assert list(StatusChange.objects.values_list("new_status", "changed_by")) == [("calon", coordinator.pk)]
    assert member.history.get().history_user == coordinator


def test_kta_numbers_follow_each_other_within_a_unit(as_user, staff, unit_a):
    client = as_user(staff)
    client.post(reverse("members:create", args=[unit_a.pk]), _form_data())
    client.post(
        reverse("members:create", args=[unit_a.pk]),
        _form_data(nik="3371034501920001", sex="P", birth_date="1992-01-05", full_name="Siti Aminah"),
    )
    assert sorted(Member.objects.values_list("kta_number", flat=True)) == [
        "3371031003-0001",
        "3371031003-0002",
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nik": "33710305019000"}, "nik", "NIK harus 16 digit."),
        ({"nik": "3371030601900003"}, "nik", "NIK tidak sesuai dengan tanggal lahir"),
        ({"sex": "P"}, "nik", "NIK tidak sesuai dengan jenis kelamin"),
        ({"nik": "0071030501900003"}, "nik", "kode provinsi"),
        ({"nik": "3371030501900000"}, "nik", "0000"),
        ({"joined_on": "2007-01-01"}, "joined_on", "minimal 18 tahun"),
        ({"phone": "021 555 1234"}, "phone", "Nomor HP harus nomor seluler Indonesia"),
        ({"rt": "12a"}, "rt", "RT"),
        ({"kelurahan": "33.23.11.2001"}, "kelurahan", ""),  # outside the unit's kab/kota
    ],
)
def test_bad_input_gets_indonesian_message_and_nothing_is_saved(
    as_user, coordinator, unit_a, magelang, overrides, field, message
):
    response = as_user(coordinator).post(reverse("members:create", args=[unit_a.pk]), _form_data(**overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not Member.objects.exists()
    assert not StatusChange.objects.exists()


def test_duplicate_nik_hides_the_other_unit_from_a_coordinator(as_user, coordinator, unit_a, unit_b):
    factories.MemberFactory(unit=unit_b, nik="3371030501900003", full_name="Rahasia Orang Lain")
    response = as_user(coordinator).post(reverse("members:create", args=[unit_a.pk]), _form_data())
    errors = response.context["form"].errors["nik"]
    assert errors == ["NIK ini tidak dapat didaftarkan. Silakan hubungi Dinas Sosial."]
    assert b"Rahasia Orang Lain" not in response.content


def test_duplicate_nik_names_the_member_to_staff_who_can_see_it(as_user, staff, unit_a, unit_b):
    factories.MemberFactory(unit=unit_b, nik="3371030501900003", full_name="Sudah Ada", kta_number="X-1")
    response = as_user(staff).post(reverse("members:create", args=[unit_a.pk]), _form_data())
    assert "Sudah Ada" in response.context["form"].errors["nik"][0]


def test_edit_keeps_kta_and_records_history(as_user, staff, member_a):
    kta = member_a.kta_number
    data = _form_data(
        nik=member_a.nik, sex=member_a.sex, birth_date=member_a.birth_date.isoformat(), full_name="Nama Baru"
    )
    response = as_user(staff).post(reverse("members:edit", args=[member_a.pk]), data)
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert (member_a.full_name, member_a.kta_number) == ("Nama Baru", kta)
    detail = as_user(staff).get(reverse("members:detail", args=[member_a.pk]))
    changes = [c for entry in detail.context["history"] for c in entry.changes]
    assert any(c.new == "Nama Baru" for c in changes)


def test_nik_shown_whole_only_to_those_who_may_edit(as_user, staff, viewer, member_a):
    url = reverse("members:detail", args=[member_a.pk])
    assert member_a.nik in as_user(staff).get(url).content.decode()
    viewer_page = as_user(viewer).get(url).content.decode()
    assert member_a.nik not in viewer_page
    assert member_a.masked_nik in viewer_page


def test_beside_a_masked_nik_only_the_year_of_birth_is_shown(as_user, staff, viewer, member_a):
    """The masked digits of a NIK are the date of birth: showing the date would give them back."""
    url = reverse("members:detail", args=[member_a.pk])
    day = member_a.birth_date.strftime("%d/%m/%Y")
    assert day in as_user(staff).get(url).content.decode()
    viewer_page = as_user(viewer).get(url).content.decode()
    assert day not in viewer_page
    assert f"{member_a.birth_place}, {member_a.birth_date:%Y}" in viewer_page


def test_nik_is_masked_in_lists(as_user, staff, member_a):
    for url in [reverse("members:list"), reverse("members:unit_detail", args=[member_a.unit.pk])]:
        page = as_user(staff).get(url).content.decode()
        assert member_a.nik not in page
        assert member_a.masked_nik in page


def test_birth_date_in_future_is_refused(as_user, staff, unit_a):
    future = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    response = as_user(staff).post(reverse("members:create", args=[unit_a.pk]), _form_data(birth_date=future))
    assert "birth_date" in response.context["form"].errors
