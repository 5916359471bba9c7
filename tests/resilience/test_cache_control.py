"""No authenticated response stays in a browser's or a proxy's cache (security probe, finding 7)."""

import pytest
from django.urls import reverse

from tests.exports.helpers import body


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize(
    "page",
    [
        lambda m: reverse("members:detail", args=[m.pk]),  # a whole NIK
        lambda m: reverse("members:list"),
        lambda m: reverse("members:card", args=[m.pk]),  # a print view
        lambda m: reverse("members:unit_print", args=[m.unit_id]),
        lambda m: reverse("members:export", args=["csv"]),  # streamed
        lambda m: reverse("members:export", args=["xlsx"]),
        lambda m: reverse("members:detail", args=[m.pk + 1000]),  # a 404 too
    ],
)
def test_every_response_to_a_signed_in_user_is_no_store_private(as_user, staff, member_a, page):
    response = as_user(staff).get(page(member_a))
    if response.streaming:
        body(response)
    assert {"no-store", "private"} <= _directives(response)
