"""The PMKS count grid: who may see and save it, prefill and hints, periods, saving, and bad values."""

import datetime
import re

import pytest
from django.contrib.messages import constants
from django.urls import reverse
from django.utils import timezone

from cases.models import MonthlyReport, PmksCategory, PmksCount, PmksSource, ReportState
from cases.periods import Period
from tests import factories

REJO = "33.71.03.1003"  # unit_a's kelurahan

ROLES = ["anonymous", "coordinator", "coordinator_b", "viewer", "staff", "staff_other", "superuser"]
# fmt: off
#                  anon coord coordB viewer staff other super
GET_EXPECTED =   (302, 200, 404, 200, 200, 404, 200)
POST_EXPECTED =  (302, 403, 404, 403, 302, 404, 302)
# fmt: on


@pytest.fixture
def users(request, magelang, unit_a, unit_b):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


@pytest.fixture
def categories(db):
    return list(PmksCategory.objects.filter(is_active=True))


def _category(number):
    return PmksCategory.objects.get(number=number)


def _url(code=REJO, periode=None):
    url = reverse("cases:pmks_grid", args=[code])
    return f"{url}?periode={periode}" if periode else url


def _post_data(categories, periode="2022", source=PmksSource.DTKS, data_date="2022-12-31", **counts):
    """All rows blank except those given as n<number>=value."""
    data = {"periode": periode, "source": source, "data_date": data_date}
    for category in categories:
        data[f"count_{category.pk}"] = counts.get(f"n{category.number}", "")
    return data


def _row(content: bytes, number: int) -> str:
    match = re.search(rf'<tr id="row-{number}".*?</tr>', content.decode(), re.DOTALL)
    assert match, f"no row {number}"
    return match[0]


def _figures(**filters):
    return sorted(
        PmksCount.objects.filter(**filters).values_list(
            "kelurahan_id", "category__number", "year", "semester", "count"
        )
    )


def _messages(response, level):
    return [m.message for m in response.context["messages"] if m.level == level]


@pytest.fixture
def counts(magelang):
    """Rejowinangun Utara: 2022 (300 poor, 20 elderly) and 2021 (250 poor)."""
    rejo = magelang["rejowinangun_utara"]
    factories.PmksCountFactory(kelurahan=rejo, category=_category(24), count=300)
    factories.PmksCountFactory(kelurahan=rejo, category=_category(8), count=20)
    factories.PmksCountFactory(kelurahan=rejo, category=_category(24), count=250, year=2021)
    return rejo


# --- Access -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_get_access(client, users, counts, role_index):
    user = users(ROLES[role_index])
    if user:
        client.force_login(user)
    response = client.get(_url())
    assert response.status_code == GET_EXPECTED[role_index]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_post_access(client, users, counts, categories, role_index):
    user = users(ROLES[role_index])
    if user:
        client.force_login(user)
    before = _figures()
    response = client.post(_url(), _post_data(categories, n24="301"))
    expected = POST_EXPECTED[role_index]
    assert response.status_code == expected
    if ROLES[role_index] == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if expected == 302 and user is not None:
        assert PmksCount.objects.get(kelurahan_id=REJO, category__number=24, year=2022).count == 301
    else:
        assert _figures() == before


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_read_only_roles_see_figures_without_inputs(as_user, users, counts, role):
    response = as_user(users(role)).get(_url(periode="2022"))
    content = response.content.decode()
    assert 'name="count_' not in content
    assert 'id="pmks-grid-form"' not in content
    assert '<span class="figure">300</span>' in _row(response.content, 24)
    assert "250" in _row(response.content, 24)  # the previous period's hint


def test_coordinator_cannot_see_another_kelurahan_of_the_same_kecamatan(as_user, coordinator, magelang):
    assert as_user(coordinator).get(_url("33.71.03.1002")).status_code == 404


def test_staff_of_another_kab_kota_sees_their_own_desa(as_user, staff_other, magelang):
    assert as_user(staff_other).get(_url("33.23.11.2001")).status_code == 200


@pytest.mark.parametrize("code", ["33.71.03", "33.71", "33.71.03.9999"])
def test_codes_that_are_not_a_kelurahan_give_404(as_user, staff, code):
    assert as_user(staff).get(_url(code)).status_code == 404


# --- The page ---------------------------------------------------------------------------------------------


def test_grid_has_one_row_per_active_category_in_order(as_user, staff, categories):
    retired = categories[-1]
    retired.is_active = False
    retired.save()
    response = as_user(staff).get(_url())
    content = response.content.decode()
    rows = re.findall(r'<tr id="row-(\d+)"', content)
    assert rows == [str(category.number) for category in categories[:-1]]
    assert len(rows) == 25
    assert f'name="count_{retired.pk}"' not in content


def test_grid_prefills_the_period_and_hints_the_previous_one(as_user, staff, counts):
    response = as_user(staff).get(_url(periode="2022"))
    poor, elderly = _row(response.content, 24), _row(response.content, 8)
    assert 'value="300"' in poor
    assert 'placeholder="250"' in poor
    assert "250" in poor.split("</td>")[-3]  # the hint column (then the people reached by PSM)
    assert 'value="20"' in elderly
    assert "placeholder" not in elderly
    assert 'id="pmks-total">320<' in response.content.decode()
    assert 'value="2022"' in response.content.decode()  # the hidden period


def test_semester_hints_come_from_the_previous_semester(as_user, staff, counts):
    rejo = counts
    factories.PmksCountFactory(kelurahan=rejo, category=_category(24), count=111, year=2021, semester=2)
    factories.PmksCountFactory(kelurahan=rejo, category=_category(24), count=120, year=2022, semester=1)
    response = as_user(staff).get(_url(periode="2022-S1"))
    poor = _row(response.content, 24)
    assert 'value="120"' in poor
    assert 'placeholder="111"' in poor


def test_default_period_is_the_latest_with_data(as_user, staff, counts):
    assert as_user(staff).get(_url()).context["period"] == Period(2022)
    factories.PmksCountFactory(kelurahan=counts, category=_category(24), count=5, year=2023, semester=1)
    assert as_user(staff).get(_url()).context["period"] == Period(2023, 1)


def test_default_period_without_data_is_the_current_year(as_user, staff, magelang):
    response = as_user(staff).get(_url())
    assert response.context["period"] == Period(timezone.localdate().year)


@pytest.mark.parametrize("periode", ["abc", "2022-S3", "1850", "2999", "2022S"])
def test_invalid_period_falls_back_to_the_default_with_a_warning(as_user, staff, counts, periode):
    response = as_user(staff).get(_url(periode=periode))
    assert response.status_code == 200
    assert response.context["period"] == Period(2022)
    assert len(_messages(response, constants.WARNING)) == 1


def test_period_selector_lists_periods_with_data_in_scope_and_the_usual_ones(
    as_user, staff, counts, magelang
):
    factories.PmksCountFactory(kelurahan=magelang["cacaban"], category=_category(24), year=2015)
    factories.PmksCountFactory(kelurahan=magelang["kowangan"], category=_category(24), year=2012)
    year = timezone.localdate().year
    response = as_user(staff).get(_url())
    selector = re.search(r'<select name="periode".*?</select>', response.content.decode(), re.DOTALL)[0]
    options = re.findall(r'<option value="([^"]+)"', selector)
    expected = {"2022", "2021", "2015", str(year), f"{year}-S1", f"{year}-S2", str(year - 1)}
    assert set(options) == expected
    assert "2012" not in options  # Temanggung's data is out of scope


def test_period_selector_includes_the_period_shown(as_user, staff, magelang):
    content = as_user(staff).get(_url(periode="2019-S2")).content.decode()
    assert '<option value="2019-S2" selected>' in content


def test_links_to_the_dashboard_and_the_unit(as_user, staff, unit_a, magelang):
    content = as_user(staff).get(_url()).content.decode()
    assert f'href="{reverse("members:unit_detail", args=[unit_a.pk])}"' in content
    assert f'href="{reverse("home")}"' in content
    content = as_user(staff).get(_url("33.71.01.1007")).content.decode()  # Magersari: no unit
    assert 'id="unit-link"' not in content


def test_grid_get_takes_a_constant_number_of_queries(
    as_user, staff, magelang, categories, django_assert_num_queries
):
    client = as_user(staff)
    rejo = magelang["rejowinangun_utara"]
    member = factories.MemberFactory(unit=factories.UnitFactory(region=rejo))
    for rows in (2, 20):
        PmksCount.objects.all().delete()
        MonthlyReport.objects.all().delete()
        for category in categories[:rows]:
            factories.PmksCountFactory(kelurahan=rejo, category=category, count=rows)
            factories.PmksCountFactory(kelurahan=rejo, category=category, count=rows, year=2021)
        for month in range(1, rows // 2 + 1):  # approved reports: 1 or 10 months, `rows` categories each
            MonthlyReport.objects.create(
                member=member,
                month=datetime.date(2022, month, 1),
                state=ReportState.DISETUJUI,
                due_on=datetime.date(2022, month + 1, 5),
                pmks_reached={str(category.number): 1 for category in categories[:rows]},
            )
        # session, user, assignment, region, permissions (2), periods in scope, kelurahan's periods,
        # categories, this and last period's counts, people reached by PSM, unit and its name (breadcrumb)
        with django_assert_num_queries(13):
            response = client.get(_url())
        assert response.context["total"] == rows * rows


# --- Saving -----------------------------------------------------------------------------------------------


def test_saving_creates_updates_and_clears_rows_of_the_period_only(
    as_user, staff, counts, categories, magelang
):
    factories.PmksCountFactory(kelurahan=magelang["cacaban"], category=_category(24), count=40)
    data = _post_data(categories, n24="310", n1="7", n8="")  # 24 updated, 1 created, 8 cleared
    response = as_user(staff).post(_url(periode="2022"), data)
    assert response.status_code == 302
    assert response["Location"] == _url(periode="2022")
    assert _figures(year=2022, kelurahan_id=REJO) == [(REJO, 1, 2022, 0, 7), (REJO, 24, 2022, 0, 310)]
    assert _figures(year=2021) == [(REJO, 24, 2021, 0, 250)]  # another period: untouched
    assert _figures(kelurahan_id="33.71.03.1002") == [("33.71.03.1002", 24, 2022, 0, 40)]
    saved = PmksCount.objects.get(kelurahan_id=REJO, category__number=1, year=2022)
    assert (saved.source, saved.data_date, saved.updated_by) == (
        PmksSource.DTKS,
        datetime.date(2022, 12, 31),
        staff,
    )
    page = as_user(staff).get(response["Location"])
    assert len(_messages(page, constants.SUCCESS)) == 1
    assert "317" in _messages(page, constants.SUCCESS)[0]
    assert 'id="pmks-total">317<' in page.content.decode()


def test_saving_records_the_source_and_date_on_every_row(as_user, staff, counts, categories):
    data = _post_data(categories, n24="300", n8="20", source=PmksSource.SURVEI, data_date="2022-06-30")
    as_user(staff).post(_url(), data)
    rows = PmksCount.objects.filter(kelurahan_id=REJO, year=2022)
    assert {(row.source, row.data_date) for row in rows} == {(PmksSource.SURVEI, datetime.date(2022, 6, 30))}


def test_semester_period_is_stored_with_its_semester(as_user, staff, magelang, categories):
    response = as_user(staff).post(
        _url(periode="2022-S1"), _post_data(categories, periode="2022-S1", n24="12")
    )
    assert response["Location"] == _url(periode="2022-S1")
    assert _figures() == [(REJO, 24, 2022, 1, 12)]


def test_the_period_saved_is_the_one_the_grid_showed(as_user, staff, magelang, categories):
    as_user(staff).post(_url(), _post_data(categories, periode="2021-S2", n24="9"))
    assert _figures() == [(REJO, 24, 2021, 2, 9)]


def test_zero_is_a_figure_and_blank_is_none(as_user, staff, magelang, categories):
    as_user(staff).post(_url(), _post_data(categories, n24="0"))
    assert _figures() == [(REJO, 24, 2022, 0, 0)]


@pytest.mark.parametrize("bad", ["-1", "abc", "1.5", "1e3", "99999999999"])
def test_a_bad_value_shows_on_its_row_and_saves_nothing(as_user, staff, counts, categories, bad):
    before = _figures()
    data = _post_data(categories, n24="999", n1="5", n8=bad)
    response = as_user(staff).post(_url(periode="2022"), data)
    assert response.status_code == 200
    assert _figures() == before
    elderly = _row(response.content, 8)
    assert "row-error" in elderly
    assert 'class="table-danger"' in elderly
    assert "row-error" not in _row(response.content, 24)
    assert 'value="999"' in _row(response.content, 24)  # what was typed stays
    assert 'id="grid-errors"' in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("data_date", "tomorrow"),  # counted when the test runs: collection may be on the day before
        ("data_date", ""),
        ("source", ""),
        ("source", "tebakan"),
        ("periode", "2022-S9"),
        ("periode", ""),
    ],
)
def test_bad_source_date_or_period_saves_nothing(as_user, staff, counts, categories, field, value):
    before = _figures()
    if value == "tomorrow":
        value = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    data = _post_data(categories, n24="999")
    data[field] = value
    response = as_user(staff).post(_url(periode="2022"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert _figures() == before
