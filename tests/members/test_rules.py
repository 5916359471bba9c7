"""The member rules live in one place (members.rules, through Member.clean()): every path applies them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import Member
from members.rules import member_problems, normalize_rt_rw
from members.services import issue_kta_numbers, register_member
from tests import factories

AGE_MESSAGE = "PSM harus berusia minimal 18 tahun pada tanggal bergabung."


def test_full_clean_refuses_a_member_too_young_on_the_join_date(member_a):
    member_a.joined_on = member_a.birth_date + datetime.timedelta(days=365 * 17)
    with pytest.raises(ValidationError) as refused:
        member_a.full_clean()
    assert refused.value.message_dict["joined_on"] == [AGE_MESSAGE]


def test_full_clean_refuses_a_nik_that_disagrees_with_the_birth_date(member_a):
    member_a.birth_date = member_a.birth_date - datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        member_a.full_clean()
    assert "nik" in refused.value.message_dict


def test_the_admin_applies_the_same_rules(as_user, superuser, member_a):
    url = reverse("admin:members_member_change", args=[member_a.pk])
    form = as_user(superuser).get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(joined_on=(member_a.birth_date + datetime.timedelta(days=365 * 10)).isoformat())
    for prefix in ("status_changes", "transfers"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = as_user(superuser).post(url, data)
    assert response.status_code == 200
    assert AGE_MESSAGE in response.content.decode()
    assert Member.objects.get(pk=member_a.pk).joined_on == member_a.joined_on


@pytest.mark.parametrize(("typed", "stored"), [("4", "004"), (" 12 ", "012"), ("", "")])
def test_rt_rw_are_stored_as_three_digits(typed, stored):
    assert normalize_rt_rw(typed) == stored


@pytest.mark.parametrize("typed", ["1234", "A1", "٣"])
def test_rt_rw_refuse_what_is_not_up_to_three_digits(typed):
    with pytest.raises(ValidationError):
        normalize_rt_rw(typed)


def test_a_date_in_the_future_is_refused_wherever_it_is(db):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    problems = member_problems(nik="", sex="L", birth_date=None, joined_on=tomorrow, today=tomorrow)
    assert problems == {}
    problems = member_problems(nik="", sex="L", birth_date=None, joined_on=tomorrow, sk_date=tomorrow)
    assert set(problems) == {"joined_on", "sk_date"}


def test_registration_and_import_share_kta_serials(as_user, staff, unit_a):
    first = factories.MemberFactory.build(unit=unit_a)
    register_member(member=first, by=staff)
    assert issue_kta_numbers(counts={unit_a.pk: 2}) == {
        unit_a.pk: [f"{unit_a.region_id.replace('.', '')}-{n:04d}" for n in (2, 3)]
    }
    assert first.kta_number.endswith("-0001")


def test_a_birth_date_far_in_the_future_is_refused_not_a_crash():
    problems = member_problems(
        nik="", sex="L", birth_date=datetime.date(9999, 12, 31), joined_on=datetime.date(2024, 1, 1)
    )
    assert set(problems) == {"birth_date"}
