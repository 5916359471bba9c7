import pytest
from django.urls import reverse


@pytest.mark.parametrize("url_name", ["home", "members:list", "members:unit_list", "members:unit_create"])
def test_staff_pages_render(as_user, staff, member_a, url_name):
    response = as_user(staff).get(reverse(url_name))
    assert response.status_code == 200


def test_member_and_unit_pages_render(as_user, staff, member_a):
    client = as_user(staff)
    for url in [
        reverse("members:detail", args=[member_a.pk]),
        reverse("members:edit", args=[member_a.pk]),
        reverse("members:status", args=[member_a.pk]),
        reverse("members:transfer", args=[member_a.pk]),
        reverse("members:unit_detail", args=[member_a.unit.pk]),
        reverse("members:unit_edit", args=[member_a.unit.pk]),
        reverse("members:create", args=[member_a.unit.pk]),
        reverse("members:board_add", args=[member_a.unit.pk]),
        reverse("members:region", args=["33.71.03"]),
    ]:
        assert client.get(url).status_code == 200, url
