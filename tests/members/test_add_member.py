"""Adding a member from the member list (/anggota/tambah/): the unit is chosen in the form among the user's
own; a coordinator's is preset and cannot be changed."""

import pytest
from django.urls import reverse

from members.models import Member
from tests import factories


def _form_data(**overrides):
    data = {
        "nik": "3371 0305 0190 0003",
        "full_name": "Bambang Sutrisno",
        "sex": "L",
        "birth_place": "Magelang",
        "birth_date": "1990-01-05",
        "address": "Jl. Pahlawan No. 3",
        "rt": "1",
        "rw": "4",
        "kelurahan": "33.71.03.1003",
        "phone": "0812 3456 7890",
        "education": "sma",
        "joined_on": "2024-02-01",
        "status": "calon",
    }
    data.update(overrides)
    return data


def _unit_choices(response) -> set[str]:
    return {str(value) for value, _label in response.context["form"].fields["unit"].choices if value}


def test_the_member_list_offers_add_member(as_user, coordinator):
    content = as_user(coordinator).get(reverse("members:list")).content.decode()
    assert f'href="{reverse("members:add")}"' in content
    assert "Tambah anggota" in content


def test_no_add_member_for_read_only_users(as_user, viewer):
    client = as_user(viewer)
    assert reverse("members:add") not in client.get(reverse("members:list")).content.decode()
    assert client.get(reverse("members:add")).status_code == 403
    assert client.post(reverse("members:add"), _form_data()).status_code == 403
    assert not Member.objects.exists()


def test_coordinator_gets_their_own_unit_preset_and_fixed(as_user, coordinator, unit_a, unit_b):
    response = as_user(coordinator).get(reverse("members:add"))
    field = response.context["form"].fields["unit"]
    assert field.disabled
    assert _unit_choices(response) == {str(unit_a.pk)}
    assert response.context["form"]["unit"].value() == unit_a.pk
    assert response.context["form"]["kelurahan"].value() == unit_a.region_id  # lives where the unit is
    assert "Anda mendaftarkan anggota unit Anda sendiri." in response.content.decode()


def test_coordinator_cannot_register_into_another_unit(as_user, coordinator, unit_a, unit_b):
    response = as_user(coordinator).post(reverse("members:add"), _form_data(unit=unit_b.pk))
    member = Member.objects.get()
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert member.unit == unit_a  # the unit posted is ignored: the field is disabled


def test_staff_choose_among_the_units_of_their_kab_kota(as_user, staff, unit_a, unit_b, unit_temanggung):
    response = as_user(staff).get(reverse("members:add"))
    assert _unit_choices(response) == {str(unit_a.pk), str(unit_b.pk)}
    assert not response.context["form"].fields["unit"].disabled
    assert response.context["form"]["unit"].value() is None  # nothing preset


def test_staff_register_into_the_unit_chosen(as_user, staff, unit_a, unit_b):
    response = as_user(staff).post(
        reverse("members:add"), _form_data(unit=unit_b.pk, kelurahan="33.71.03.1002")
    )
    member = Member.objects.get()
    assert response.status_code == 302
    assert (member.unit, member.kelurahan_id) == (unit_b, "33.71.03.1002")
    assert member.kta_number.startswith("3371031002-")  # numbered in the unit chosen
    assert member.status_changes.get().changed_by == staff


@pytest.mark.parametrize("unit", ["unit_temanggung", "missing", "junk"])
def test_a_unit_out_of_scope_is_refused_and_nothing_saved(as_user, staff, unit_a, unit_temanggung, unit):
    value = {"unit_temanggung": unit_temanggung.pk, "missing": 987654321, "junk": "x"}[unit]
    response = as_user(staff).post(reverse("members:add"), _form_data(unit=value))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Member.objects.exists()
    assert response.context["form"]["full_name"].value() == "Bambang Sutrisno"  # nothing typed is lost


def test_the_kelurahan_must_be_in_the_chosen_units_kab_kota(as_user, staff, unit_a, magelang):
    response = as_user(staff).post(
        reverse("members:add"), _form_data(unit=unit_a.pk, kelurahan="33.23.11.2001")
    )
    assert "kelurahan" in response.context["form"].errors
    assert not Member.objects.exists()


def test_the_list_unit_filter_presets_the_unit(as_user, staff, unit_a, unit_b, unit_temanggung):
    client = as_user(staff)
    listed = client.get(
        reverse("members:list"), {"kecamatan": "33.71.03", "unit": unit_b.pk}
    ).content.decode()
    assert f'href="{reverse("members:add")}?unit={unit_b.pk}"' in listed
    form = client.get(reverse("members:add"), {"unit": unit_b.pk}).context["form"]
    assert (form["unit"].value(), form["kelurahan"].value()) == (unit_b.pk, unit_b.region_id)
    # A unit out of scope, or junk, presets nothing.
    for value in (unit_temanggung.pk, "x", "-1"):
        assert client.get(reverse("members:add"), {"unit": value}).context["form"]["unit"].value() is None


def test_a_superuser_picks_the_unit_before_the_kelurahan_list(as_user, superuser, unit_a):
    client = as_user(superuser)
    form = client.get(reverse("members:add")).context["form"]
    assert list(form.fields["kelurahan"].queryset) == []  # the whole country's villages: not on one page
    assert "(pilih unit IPSM dulu)" in client.get(reverse("members:add")).content.decode()
    response = client.post(reverse("members:add"), _form_data(unit=unit_a.pk))
    assert response.status_code == 302
    assert Member.objects.get().unit == unit_a


def test_the_nik_field_carries_what_the_fill_script_needs(as_user, coordinator):
    content = as_user(coordinator).get(reverse("members:add")).content.decode()
    assert "data-fills-from-nik" in content
    assert 'data-min-age="18"' in content
    assert "static/js/member_form.js" in content or "js/member_form" in content


def test_the_unit_page_still_adds_into_its_own_unit(as_user, staff, unit_a, unit_b):
    response = as_user(staff).post(reverse("members:create", args=[unit_a.pk]), _form_data(unit=unit_b.pk))
    assert response.status_code == 302
    assert Member.objects.get().unit == unit_a


def test_add_page_queries_do_not_grow_with_the_units(as_user, staff, unit_a, magelang):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(staff)
    client.get(reverse("members:add"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("members:add"))
    factories.UnitFactory(region=magelang["magersari"])
    factories.UnitFactory(region=magelang["magelang_selatan"])
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("members:add"))
    assert len(large) == len(small)
