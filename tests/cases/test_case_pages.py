"""Case pages: who may see them, the list's filters and query count, the case form's NIK and date rules."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CaseStatus, PmksCategory, Referral
from members.models import Sex
from members.nik import build_nik, mask_nik
from tests import factories

ROLES = ["anonymous", "staff", "staff_other", "viewer", "coordinator", "superuser"]


@pytest.fixture
def users(request, magelang):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


@pytest.fixture
def case(magelang):
    return factories.CaseFactory(kelurahan=magelang["cacaban"])


def _names(response):
    return [row.record.person_name for row in response.context["table"].page.object_list]


def _errors(response, form_name="form"):
    """The error codes per field of a re-rendered form (language independent)."""
    return {
        field: [error.code for error in errors]
        for field, errors in response.context[form_name].errors.as_data().items()
    }


# --- Access -----------------------------------------------------------------------------------------------

# Expected status of a GET per page and role (302 for anonymous means: sent to the login page).
# fmt: off
GET_EXPECTED = {
    #          anon staff other viewer coord super
    "list":   (302, 200, 200, 403, 403, 200),
    "create": (302, 200, 200, 403, 403, 200),
    "detail": (302, 200, 404, 403, 403, 200),
    "edit":   (302, 200, 404, 403, 403, 200),
}
# fmt: on


def _get_url(page, case):
    if page in ("list", "create"):
        return reverse(f"cases:{page}")
    return reverse(f"cases:{page}", args=[case.pk])


@pytest.mark.parametrize("page", GET_EXPECTED)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_get_access(client, users, case, page, role_index):
    user = users(ROLES[role_index])
    if user:
        client.force_login(user)
    response = client.get(_get_url(page, case))
    expected = GET_EXPECTED[page][role_index]
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


def _post(page, case, referral, today):
    """A valid POST for each write step: its URL and data."""
    iso = today.isoformat()
    return {
        "status": (reverse("cases:status", args=[case.pk]), {"new_status": "asesmen", "changed_on": iso}),
        "assign": (
            reverse("cases:assign", args=[case.pk]),
            {"member": case.psm_candidate.pk, "assigned_on": iso},
        ),
        "activity": (reverse("cases:activity", args=[case.pk]), {"done_on": iso, "description": "Kunjungan"}),
        "referral": (
            reverse("cases:referral", args=[case.pk]),
            {"institution_type": "puskesmas", "institution_name": "Puskesmas Tengah", "referred_on": iso},
        ),
        "referral_outcome": (
            reverse("cases:referral_outcome", args=[referral.pk]),
            {f"referral-{referral.pk}-outcome": "diterima", f"referral-{referral.pk}-outcome_on": iso},
        ),
        "edit": (reverse("cases:edit", args=[case.pk]), _case_data(case, person_name="Diubah")),
    }[page]


def _case_data(case, **changes):
    data = {
        "person_name": case.person_name,
        "person_nik": case.person_nik,
        "person_sex": case.person_sex,
        "person_birth_date": case.person_birth_date.isoformat() if case.person_birth_date else "",
        "person_age": case.person_age if case.person_age is not None else "",
        "person_address": case.person_address,
        "kelurahan": case.kelurahan_id,
        "category": case.category_id,
        "description": case.description,
        "channel": case.channel,
    }
    data.update(changes)
    return data


# fmt: off
POST_EXPECTED = {
    #                    anon staff other viewer coord super
    "status":           (302, 302, 404, 403, 403, 302),
    "assign":           (302, 302, 404, 403, 403, 302),
    "activity":         (302, 302, 404, 403, 403, 302),
    "referral":         (302, 302, 404, 403, 403, 302),
    "referral_outcome": (302, 302, 404, 403, 403, 302),
    "edit":             (302, 302, 404, 403, 403, 302),
}
# fmt: on


@pytest.mark.parametrize("page", POST_EXPECTED)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_post_access(client, users, case, member_b, today, page, role_index):
    case.psm_candidate = member_b
    referral = factories_referral(case, today)
    role = ROLES[role_index]
    user = users(role)
    if user:
        client.force_login(user)
    url, data = _post(page, case, referral, today)
    before = _case_state(case)
    response = client.post(url, data)
    expected = POST_EXPECTED[page][role_index]
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if expected == 302 and role != "anonymous":
        assert response["Location"] == reverse("cases:detail", args=[case.pk])
        assert _case_state(case) != before
    else:
        assert _case_state(case) == before


def factories_referral(case, today):
    return Referral.objects.create(
        case=case, institution_type="lks", institution_name="LKS Bina Sejahtera", referred_on=today
    )


def _case_state(case):
    case = Case.objects.get(pk=case.pk)
    return (
        case.person_name,
        case.status,
        case.psm_id,
        case.activities.count(),
        case.referrals.count(),
        tuple(case.referrals.values_list("outcome", flat=True)),
    )


@pytest.mark.parametrize("page", ["status", "assign", "activity", "referral"])
def test_write_steps_refuse_get(as_user, staff, case, page):
    assert as_user(staff).get(reverse(f"cases:{page}", args=[case.pk])).status_code == 405


def test_viewer_cannot_create(as_user, viewer, magelang):
    response = as_user(viewer).post(reverse("cases:create"), {"person_name": "X"})
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_staff_of_other_kabkota_cannot_open_a_case_in_magelang(as_user, staff_other, magelang, today):
    response = as_user(staff_other).post(reverse("cases:create"), _new_case(magelang, today))
    assert response.status_code == 200
    assert "kelurahan" in _errors(response)
    assert not Case.objects.exists()


def test_staff_other_does_not_see_magelang_cases_in_list(as_user, staff_other, case):
    assert _names(as_user(staff_other).get(reverse("cases:list"))) == []


# --- Creating and editing ---------------------------------------------------------------------------------


def _new_case(magelang, today, **changes):
    data = {
        "person_name": "Mbah Sukinah",
        "person_nik": "",
        "person_sex": Sex.PEREMPUAN,
        "person_birth_date": "",
        "person_age": "72",
        "person_address": "Jl. Tidar No. 9",
        "kelurahan": magelang["cacaban"].code,
        "category": PmksCategory.objects.get(number=24).pk,
        "description": "Lansia hidup sendiri.",
        "reported_on": today.isoformat(),
        "channel": "laporan_warga",
    }
    data.update(changes)
    return data


def test_staff_opens_a_case_with_nik_typed_with_spaces_then_choose_its_psm(
    as_user, staff, magelang, today, member_b
):
    birth = datetime.date(1950, 4, 7)
    nik = build_nik(region_code="33.71.03", birth_date=birth, is_female=True, serial=12)
    spaced = f"{nik[:6]} {nik[6:12]}.{nik[12:]}"
    data = _new_case(magelang, today, person_nik=spaced, person_birth_date=birth.isoformat())
    client = as_user(staff)
    response = client.post(reverse("cases:create"), data)
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk]) + "#case-psm"
    assert (case.person_nik, case.status, case.status_since, case.psm) == (nik, "baru", today, None)
    assert case.created_by == staff
    assert case.status_changes.get().new_status == CaseStatus.BARU
    # The case page offers the PSM of the case's kecamatan next.
    page = client.get(response["Location"])
    assert member_b.pk in _offered(page)
    assert "Sekarang pilih PSM penanggung jawabnya" in page.content.decode()


def test_the_new_case_form_sends_no_list_of_psm(as_user, staff, magelang, member_b):
    response = as_user(staff).get(reverse("cases:create"))
    assert "psm" not in response.context["form"].fields
    assert member_b.full_name not in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"person_nik": "3371034704"}, "person_nik", "nik_length"),
        ({"person_nik": "3371 0399 1350 0012"}, "person_nik", "nik_date"),
        # A man's date part (day not + 40) for a woman; and a date part that is not her birth date.
        ({"person_nik": "3371030704500012", "person_birth_date": "1950-04-07"}, "person_nik", "nik_mismatch"),
        ({"person_nik": "3371034705500012", "person_birth_date": "1950-04-07"}, "person_nik", "nik_mismatch"),
        ({"person_age": "", "person_birth_date": ""}, "person_birth_date", "age_required"),
        ({"reported_on": "2999-01-01"}, "reported_on", "future"),
        ({"person_age": "200"}, "person_age", "age"),
        ({"category": "9999"}, "category", "invalid_choice"),
    ],
)
def test_bad_case_input_is_refused_and_nothing_saved(as_user, staff, magelang, today, changes, field, code):
    response = as_user(staff).post(reverse("cases:create"), _new_case(magelang, today, **changes))
    assert response.status_code == 200
    assert code in _errors(response)[field]
    assert not Case.objects.exists()


def test_retired_category_is_not_offered_for_new_cases(as_user, staff, magelang, today):
    category = PmksCategory.objects.get(number=24)
    category.is_active = False
    category.save()
    response = as_user(staff).post(reverse("cases:create"), _new_case(magelang, today))
    assert "category" in _errors(response)
    assert category not in response.context["form"].fields["category"].queryset


def test_a_psm_posted_with_a_new_case_is_ignored(as_user, superuser, magelang, today, unit_temanggung):
    other = factories.MemberFactory(unit=unit_temanggung)
    response = as_user(superuser).post(reverse("cases:create"), _new_case(magelang, today, psm=other.pk))
    assert response.status_code == 302
    assert Case.objects.get().psm is None


def test_edit_changes_the_facts_but_not_status_or_psm(as_user, staff, case, member_b, magelang):
    data = _case_data(
        case, person_name="Sukinah", kelurahan=magelang["magersari"].code, status="selesai", psm=member_b.pk
    )
    response = as_user(staff).post(reverse("cases:edit", args=[case.pk]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.person_name, case.kelurahan_id, case.status, case.psm) == (
        "Sukinah",
        "33.71.01.1007",
        "baru",
        None,
    )


def test_edit_keeps_a_retired_category(as_user, staff, case):
    case.category.is_active = False
    case.category.save()
    response = as_user(staff).post(reverse("cases:edit", args=[case.pk]), _case_data(case, person_name="B"))
    assert response.status_code == 302


def test_nik_whole_on_detail_masked_in_list(as_user, staff, magelang):
    nik = build_nik(region_code="33.71.03", birth_date=datetime.date(1950, 4, 7), is_female=True, serial=3)
    case = factories.CaseFactory(kelurahan=magelang["cacaban"], person_nik=nik)
    client = as_user(staff)
    listing = client.get(reverse("cases:list")).content.decode()
    assert nik not in listing
    assert mask_nik(nik) in listing
    assert nik in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


# --- The list ---------------------------------------------------------------------------------------------


@pytest.fixture
def caseload(magelang, member_b, unit_temanggung):
    make = factories.CaseFactory
    return {
        "ani": make(kelurahan=magelang["cacaban"], person_name="Ani Rahayu", psm=member_b),
        "budi": make(kelurahan=magelang["cacaban"], person_name="Budi Hartono"),
        "citra": make(
            kelurahan=magelang["magersari"], person_name="Citra Lestari", status=CaseStatus.ASESMEN
        ),
        "dewi": make(
            kelurahan=magelang["rejowinangun_utara"],
            person_name="Dewi Susanti",
            status=CaseStatus.SELESAI,
        ),
        "eko": make(kelurahan=magelang["kowangan"], person_name="Eko Temanggung"),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Ani Rahayu", "Budi Hartono", "Citra Lestari", "Dewi Susanti"]),
        ({"tanpa_psm": "1"}, ["Budi Hartono", "Citra Lestari"]),
        ({"tanpa_psm": "1", "wilayah": "33.71.03"}, ["Budi Hartono"]),
        ({"wilayah": "33.71.03.1003"}, ["Dewi Susanti"]),
        ({"wilayah": "33.71"}, ["Ani Rahayu", "Budi Hartono", "Citra Lestari", "Dewi Susanti"]),
        ({"status": "open"}, ["Ani Rahayu", "Budi Hartono", "Citra Lestari"]),
        ({"status": "selesai"}, ["Dewi Susanti"]),
        ({"status": "asesmen"}, ["Citra Lestari"]),
        ({"kecamatan": "33.71.01"}, ["Citra Lestari"]),
        ({"kecamatan": "33.71.03", "kelurahan": "33.71.03.1002"}, ["Ani Rahayu", "Budi Hartono"]),
        ({"cari": "rahayu"}, ["Ani Rahayu"]),
    ],
)
def test_list_filters(as_user, staff, caseload, params, expected):
    response = as_user(staff).get(reverse("cases:list"), {**params, "urut": "person_name"})
    assert response.status_code == 200
    assert _names(response) == expected


def test_list_filter_by_category(as_user, staff, caseload, magelang):
    other = PmksCategory.objects.get(number=1)
    factories.CaseFactory(kelurahan=magelang["cacaban"], person_name="Fajar", category=other)
    assert _names(as_user(staff).get(reverse("cases:list"), {"kategori": other.pk})) == ["Fajar"]


@pytest.mark.parametrize("wilayah", ["33.23", "33.23.11.2001", "99"])
def test_wilayah_outside_scope_shows_nothing(as_user, staff, caseload, wilayah):
    response = as_user(staff).get(reverse("cases:list"), {"wilayah": wilayah})
    assert response.status_code == 200
    assert _names(response) == []
    assert "wilayah" in response.context["filter"].form.errors


def test_dashboard_link_lists_open_cases_without_psm(as_user, staff, caseload):
    response = as_user(staff).get(f"{reverse('cases:list')}?tanpa_psm=1&wilayah=33.71.03")
    assert _names(response) == ["Budi Hartono"]
    assert response.context["region"].code == "33.71.03"


def test_search_refuses_digits_so_no_nik_is_searched_by_url(as_user, staff, magelang):
    nik = build_nik(region_code="33.71.03", birth_date=datetime.date(1950, 4, 7), is_female=True, serial=3)
    factories.CaseFactory(kelurahan=magelang["cacaban"], person_nik=nik)
    response = as_user(staff).get(reverse("cases:list"), {"cari": nik})
    assert _names(response) == []
    assert "cari" in response.context["filter"].form.errors


def test_superuser_sees_every_kabkota(as_user, superuser, caseload):
    assert len(_names(as_user(superuser).get(reverse("cases:list")))) == 5


def test_list_shows_tanpa_psm_badge_and_status_badge(as_user, staff, caseload):
    content = as_user(staff).get(reverse("cases:list"), {"cari": "budi"}).content.decode()
    assert 'class="badge text-bg-danger no-psm"' in content
    assert "case-status" in content


def test_list_sorts_and_paginates(as_user, staff, magelang):
    factories.CaseFactory.create_batch(30, kelurahan=magelang["cacaban"])
    client = as_user(staff)
    assert len(_names(client.get(reverse("cases:list")))) == 25
    assert len(_names(client.get(reverse("cases:list"), {"halaman": 2}))) == 5
    names = _names(client.get(reverse("cases:list"), {"urut": "-person_name"}))
    assert names == sorted(names, reverse=True)


def test_list_query_count_is_constant(as_user, staff, magelang, member_a, member_b):
    client = as_user(staff)
    factories.CaseFactory(kelurahan=magelang["cacaban"], psm=member_b)
    client.get(reverse("cases:list"))  # session and caches warm
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("cases:list"))
    for kelurahan, psm in [("cacaban", member_b), ("magersari", None), ("rejowinangun_utara", member_a)]:
        factories.CaseFactory.create_batch(7, kelurahan=magelang[kelurahan], psm=psm)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("cases:list"))
    assert len(_names(response)) == 22
    assert len(large) == len(small)
    assert len(large) <= 12


def test_detail_query_count_is_constant(as_user, staff, case, member_b, today):
    client = as_user(staff)
    url = reverse("cases:detail", args=[case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for day in range(3):
        client.post(
            reverse("cases:activity", args=[case.pk]),
            {"done_on": today.isoformat(), "description": f"K{day}"},
        )
        client.post(
            reverse("cases:referral", args=[case.pk]),
            {"institution_type": "lks", "institution_name": f"LKS {day}", "referred_on": today.isoformat()},
        )
    client.post(
        reverse("cases:assign", args=[case.pk]), {"member": member_b.pk, "assigned_on": today.isoformat()}
    )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


@pytest.mark.parametrize("page", ["create", "edit"])
def test_nik_is_kept_out_of_error_reports(as_user, staff, case, page):
    response = as_user(staff).post(_get_url(page, case), {"person_nik": "3371034704500012"})
    assert response.wsgi_request.sensitive_post_parameters == ("person_nik",)


# --- Choosing the responsible PSM -------------------------------------------------------------------------


def _offered(response) -> list[int]:
    return [value for value, _label in response.context["assign_form"].fields["member"].choices if value]


@pytest.fixture
def psm_around(magelang, unit_a, unit_b):
    """Active PSM in the case's kelurahan (Cacaban), elsewhere in its kecamatan, in another kecamatan of the
    kota, and in another kab/kota; a candidate in the case's kelurahan."""
    from members.models import MemberStatus

    return {
        "here": factories.MemberFactory(unit=unit_b, full_name="Zainal Abidin"),
        "near": factories.MemberFactory(unit=unit_a, full_name="Ahmad Fauzi"),
        "far": factories.MemberFactory(
            unit=factories.UnitFactory(region=magelang["magersari"]), full_name="Bambang Sutrisno"
        ),
        "other_kabkota": factories.MemberFactory(
            unit=factories.UnitFactory(region=magelang["kowangan"]), full_name="Bambang Wijaya"
        ),
        "candidate": factories.MemberFactory(unit=unit_b, status=MemberStatus.CALON),
    }


def test_assign_list_offers_the_kecamatans_active_psm_its_kelurahan_first(as_user, staff, case, psm_around):
    response = as_user(staff).get(reverse("cases:detail", args=[case.pk]))
    assert _offered(response) == [psm_around["here"].pk, psm_around["near"].pk]
    assert 'id="psm-search"' in response.content.decode()


def test_search_finds_psm_elsewhere_in_the_kabkota_who_can_then_be_chosen(
    as_user, staff, case, psm_around, today
):
    client = as_user(staff)
    response = client.get(reverse("cases:detail", args=[case.pk]), {"cari_psm": "bambang"})
    assert _offered(response) == [psm_around["far"].pk]  # not the Bambang of Temanggung
    far = psm_around["far"]
    response = client.post(reverse("cases:assign", args=[case.pk]), {"member": far.pk, "assigned_on": today})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.psm == far
    # The PSM chosen stays in the list, wherever they come from.
    assert far.pk in _offered(client.get(reverse("cases:detail", args=[case.pk])))


def test_psm_of_another_kabkota_cannot_be_assigned_even_by_hand(as_user, staff, case, psm_around, today):
    other = psm_around["other_kabkota"]
    response = as_user(staff).post(
        reverse("cases:assign", args=[case.pk]), {"member": other.pk, "assigned_on": today}
    )
    assert response.status_code == 200
    assert "invalid_choice" in _errors(response, "assign_form")["member"]
    case.refresh_from_db()
    assert case.psm is None


def test_a_refused_choice_from_a_search_stays_selected(as_user, staff, case, psm_around, today):
    far = psm_around["far"]
    future = today + datetime.timedelta(days=3)
    response = as_user(staff).post(
        reverse("cases:assign", args=[case.pk]), {"member": far.pk, "assigned_on": future}
    )
    assert "future" in _errors(response, "assign_form")["assigned_on"]
    assert far.pk in _offered(response)
    assert f'<option value="{far.pk}" selected>' in response.content.decode()


def test_a_nik_typed_into_the_psm_search_is_not_searched_and_leaves_the_address(
    as_user, staff, case, psm_around
):
    nik = psm_around["far"].nik
    url = reverse("cases:detail", args=[case.pk])
    response = as_user(staff).get(url, {"cari_psm": f" {nik[:6]} {nik[6:]} "}, follow=True)
    assert response.redirect_chain == [(url + "#case-psm", 302)]
    content = response.content.decode()
    assert "NIK tidak dicari di sini" in content
    assert nik[6:] not in content
    assert _offered(response) == [psm_around["here"].pk, psm_around["near"].pk]  # the kecamatan's list


def test_a_psm_posted_in_other_digits_is_refused_rather_than_failing(as_user, staff, case, psm_around, today):
    response = as_user(staff).post(
        reverse("cases:assign", args=[case.pk]), {"member": "²", "assigned_on": today}
    )
    assert response.status_code == 200
    assert "invalid_choice" in _errors(response, "assign_form")["member"]
