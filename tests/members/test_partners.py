"""The partner directory (members/partners.py, members/views/partners.py) and the partner links of cases and
training events: scope, expiry warning, contributions and their totals, referrals, sponsors, exports."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Referral
from ipsm.models import ExportLog
from members import partners
from members.models import Contribution, Partner
from tests import factories
from tests.trainings.conftest import make_event


def make_partner(region, *kecamatan, name="PT Sido Rukun", **fields) -> Partner:
    partner = Partner.objects.create(
        region=region, name=name, sector=fields.pop("sector", "dunia_usaha"), **fields
    )
    partner.kecamatan_served.set(kecamatan)
    return partner


def give(partner, value, given_on, **fields) -> Contribution:
    return partners.record_contribution(
        partner=partner,
        kind=fields.pop("kind", "uang"),
        value=Decimal(value),
        given_on=given_on,
        purpose=fields.pop("purpose", "Paket sembako"),
        by=None,
        **fields,
    )


@pytest.fixture
def tengah_partner(magelang):
    return make_partner(magelang["kota_magelang"], magelang["magelang_tengah"], name="PT Sido Rukun")


@pytest.fixture
def selatan_partner(magelang):
    return make_partner(magelang["kota_magelang"], magelang["magelang_selatan"], name="Yayasan Selatan")


# --- Scope ------------------------------------------------------------------------------------------------


def test_staff_of_another_kabkota_gets_404(as_user, staff_other, tengah_partner):
    client = as_user(staff_other)
    assert client.get(reverse("partners:detail", args=[tengah_partner.pk])).status_code == 404
    assert client.get(reverse("partners:edit", args=[tengah_partner.pk])).status_code == 404
    assert "PT Sido Rukun" not in client.get(reverse("partners:list")).content.decode()


def test_coordinator_sees_only_partners_serving_their_kecamatan(
    as_user, coordinator, tengah_partner, selatan_partner
):
    client = as_user(coordinator)
    page = client.get(reverse("partners:list")).content.decode()
    assert "PT Sido Rukun" in page
    assert "Yayasan Selatan" not in page
    assert client.get(reverse("partners:detail", args=[tengah_partner.pk])).status_code == 200
    assert client.get(reverse("partners:detail", args=[selatan_partner.pk])).status_code == 404
    assert client.get(reverse("partners:edit", args=[tengah_partner.pk])).status_code == 403


def test_viewer_reads_but_may_not_write(as_user, viewer, tengah_partner):
    client = as_user(viewer)
    assert client.get(reverse("partners:detail", args=[tengah_partner.pk])).status_code == 200
    assert client.get(reverse("partners:create")).status_code == 403
    assert client.post(reverse("partners:edit", args=[tengah_partner.pk]), {}).status_code == 403
    url = reverse("partners:contribution_add", args=[tengah_partner.pk])
    assert client.post(url, {"kontribusi-kind": "uang"}).status_code == 403
    assert not Contribution.objects.exists()


def _partner_data(**changes) -> dict:
    return {
        "name": "Universitas Tidar",
        "sector": "perguruan_tinggi",
        "mou_number": "PKS/12/2025",
        "mou_starts_on": "2025-01-01",
        "mou_ends_on": "2027-12-31",
        "is_active": "on",
        **changes,
    }


def test_staff_add_a_partner_of_their_own_kabkota(as_user, staff, magelang):
    client = as_user(staff)
    data = _partner_data(kecamatan_served=[magelang["magelang_tengah"].code])
    response = client.post(reverse("partners:create"), data)
    partner = Partner.objects.get(name="Universitas Tidar")
    assert response.status_code == 302
    assert partner.region == magelang["kota_magelang"]
    assert list(partner.kecamatan_served.all()) == [magelang["magelang_tengah"]]
    assert partner.history.latest().history_user == staff


def test_kecamatan_of_another_kabkota_is_refused(as_user, staff, magelang):
    data = _partner_data(kecamatan_served=[magelang["kandangan"].code])
    response = as_user(staff).post(reverse("partners:create"), data)
    assert response.status_code == 400
    assert not Partner.objects.exists()


def test_superuser_chooses_the_kabkota(as_user, superuser, magelang):
    client = as_user(superuser)
    assert "region" in client.get(reverse("partners:create")).context["form"].fields
    data = _partner_data(region=magelang["temanggung"].code, kecamatan_served=[magelang["kandangan"].code])
    assert client.post(reverse("partners:create"), data).status_code == 302
    assert Partner.objects.get().region == magelang["temanggung"]
    # A kecamatan of another kab/kota than the one chosen is refused.
    data = _partner_data(name="Lain", region=magelang["temanggung"].code, kecamatan_served=["33.71.03"])
    assert client.post(reverse("partners:create"), data).status_code == 400


# --- Expiry warning ----------------------------------------------------------------------------------------


def test_agreements_ending_within_90_days_or_ended_are_flagged(as_user, staff, magelang, today):
    region = magelang["kota_magelang"]
    soon = make_partner(region, name="Segera", mou_ends_on=today + datetime.timedelta(days=30))
    ended = make_partner(region, name="Sudah", mou_ends_on=today - datetime.timedelta(days=1))
    make_partner(region, name="Lama", mou_ends_on=today + datetime.timedelta(days=200))
    make_partner(region, name="Terbuka")
    assert set(Partner.objects.expiring()) == {soon, ended}

    client = as_user(staff)
    page = client.get(reverse("partners:list")).content.decode()
    assert page.count("partner-expiry") == 2
    only = client.get(reverse("partners:list"), {"segera_habis": "1"}).context["partners"]
    assert {p.name for p in only} == {"Segera", "Sudah"}
    detail = client.get(reverse("partners:detail", args=[soon.pk])).content.decode()
    assert "partner-expiry" in detail


def test_directory_filters_by_sector_and_name(as_user, staff, magelang):
    region = magelang["kota_magelang"]
    make_partner(region, name="PT Maju", sector="dunia_usaha")
    make_partner(region, name="Puskesmas Tengah", sector="kesehatan")
    client = as_user(staff)
    by_sector = client.get(reverse("partners:list"), {"sektor": "kesehatan"}).context["partners"]
    assert [p.name for p in by_sector] == ["Puskesmas Tengah"]
    by_name = client.get(reverse("partners:list"), {"cari": "maju"}).context["partners"]
    assert [p.name for p in by_name] == ["PT Maju"]


# --- Contributions -----------------------------------------------------------------------------------------


def test_staff_record_a_contribution_to_a_unit(as_user, staff, tengah_partner, unit_a):
    url = reverse("partners:contribution_add", args=[tengah_partner.pk])
    data = {
        "kontribusi-kind": "barang",
        "kontribusi-value": "2500000",
        "kontribusi-given_on": "2026-01-15",
        "kontribusi-purpose": "Kursi roda",
        "kontribusi-beneficiaries": "3",
        "kontribusi-unit": unit_a.pk,
    }
    assert as_user(staff).post(url, data).status_code == 302
    contribution = Contribution.objects.get()
    assert (contribution.unit, contribution.value, contribution.recorded_by) == (unit_a, 2500000, staff)


def test_contribution_to_a_unit_of_another_kabkota_is_refused(tengah_partner, unit_temanggung):
    with pytest.raises(partners.ValidationError):
        give(tengah_partner, 1000, datetime.date(2026, 1, 1), unit=unit_temanggung)


def test_partner_page_totals_contributions_per_year(as_user, viewer, tengah_partner):
    give(tengah_partner, 1_000_000, datetime.date(2025, 3, 1))
    give(tengah_partner, 500_000, datetime.date(2025, 9, 1), kind="barang")
    give(tengah_partner, 250_000, datetime.date(2026, 2, 1))
    response = as_user(viewer).get(reverse("partners:detail", args=[tengah_partner.pk]))
    assert [(row["year"], row["total"], row["count"]) for row in response.context["totals"]] == [
        (2026, Decimal(250_000), 1),
        (2025, Decimal(1_500_000), 2),
    ]
    assert "Rp\u00a01.500.000" in response.content.decode()


def test_unit_page_shows_partners_and_contributions(
    as_user, coordinator, unit_a, tengah_partner, selatan_partner
):
    give(tengah_partner, 750_000, datetime.date(2026, 2, 1), unit=unit_a, purpose="Bantuan alat tulis")
    page = as_user(coordinator).get(reverse("members:unit_detail", args=[unit_a.pk])).content.decode()
    assert 'id="unit-partners"' in page
    assert "Bantuan alat tulis" in page
    assert "Rp\u00a0750.000" in page
    assert "?kecamatan=33.71.03" in page


def _contribution_data(unit=None, **changes) -> dict:
    data = {
        "kontribusi-kind": "barang",
        "kontribusi-value": "3000000",
        "kontribusi-given_on": "2026-01-20",
        "kontribusi-purpose": "Kursi roda dan tongkat",
        "kontribusi-beneficiaries": "4",
        "kontribusi-unit": unit.pk if unit else "",
    }
    return {**data, **{f"kontribusi-{name}": value for name, value in changes.items()}}


def test_staff_correct_a_contribution_and_the_history_keeps_the_earlier_values(
    as_user, staff, tengah_partner, unit_a
):
    contribution = give(tengah_partner, 2_500_000, datetime.date(2026, 1, 15), purpose="Kursi roda")
    client = as_user(staff)
    detail = client.get(reverse("partners:detail", args=[tengah_partner.pk])).content.decode()
    url = reverse("partners:contribution", args=[contribution.pk])
    assert url in detail
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["purpose"].value() == "Kursi roda"
    response = client.post(url, _contribution_data(unit_a))
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert (contribution.value, contribution.unit, contribution.purpose, contribution.partner) == (
        3_000_000,
        unit_a,
        "Kursi roda dan tongkat",
        tengah_partner,
    )
    latest, earlier = contribution.history.order_by("-history_id")[:2]
    assert (latest.history_user, latest.value, earlier.value) == (staff, 3_000_000, 2_500_000)


def test_a_corrected_contribution_is_checked_as_a_new_one(as_user, staff, tengah_partner, unit_temanggung):
    contribution = give(tengah_partner, 1000, datetime.date(2026, 1, 15))
    client = as_user(staff)
    url = reverse("partners:contribution", args=[contribution.pk])
    future = datetime.date.today() + datetime.timedelta(days=2)
    assert client.post(url, _contribution_data(given_on=future.isoformat())).status_code == 400
    # A unit of another kab/kota is not on offer, and the service refuses it anyway.
    assert client.post(url, _contribution_data(unit_temanggung)).status_code == 400
    with pytest.raises(partners.ValidationError):
        partners.change_contribution(
            contribution=contribution,
            kind="uang",
            value=Decimal(1000),
            given_on=datetime.date(2026, 1, 15),
            purpose="Sembako",
            unit=unit_temanggung,
            by=staff,
        )
    contribution.refresh_from_db()
    assert (contribution.given_on, contribution.unit) == (datetime.date(2026, 1, 15), None)


def test_staff_delete_a_contribution_after_confirming(as_user, staff, magelang, tengah_partner):
    event = make_event(magelang["kota_magelang"], by=staff)
    contribution = give(tengah_partner, 1000, datetime.date(2026, 1, 15), purpose="Konsumsi")
    event.contributions.add(contribution)
    client = as_user(staff)
    url = reverse("partners:contribution_delete", args=[contribution.pk])
    confirmation = client.get(url)
    assert confirmation.status_code == 200 and "Konsumsi" in confirmation.content.decode()
    assert Contribution.objects.exists()  # a GET deletes nothing
    response = client.post(url)
    assert response.url == reverse("partners:detail", args=[tengah_partner.pk])
    assert not Contribution.objects.exists()
    assert not event.contributions.exists()
    deleted = Contribution.history.filter(id=contribution.pk).latest("history_id")
    assert (deleted.history_type, deleted.history_user, deleted.purpose) == ("-", staff, "Konsumsi")


def test_only_staff_of_the_partners_kabkota_may_correct_or_delete_a_contribution(
    as_user, coordinator, viewer, staff_other, tengah_partner
):
    contribution = give(tengah_partner, 1000, datetime.date(2026, 1, 15))
    urls = [
        reverse("partners:contribution", args=[contribution.pk]),
        reverse("partners:contribution_delete", args=[contribution.pk]),
    ]
    for user, status in ((coordinator, 403), (viewer, 403), (staff_other, 404)):
        client = as_user(user)
        for url in urls:
            assert client.get(url).status_code == status
            assert client.post(url, _contribution_data()).status_code == status
    contribution.refresh_from_db()
    assert contribution.value == 1000
    detail = as_user(viewer).get(reverse("partners:detail", args=[tengah_partner.pk])).content.decode()
    assert reverse("partners:contribution", args=[contribution.pk]) not in detail


def test_the_service_refuses_a_user_without_the_permission_or_outside_the_scope(
    coordinator, viewer, staff, staff_other, tengah_partner
):
    """Every page passes its user: the rule holds whichever page (or a new one) calls the service."""
    details = {"kind": "uang", "value": Decimal(1000), "given_on": datetime.date(2026, 1, 15), "purpose": "X"}
    for user in (coordinator, viewer, staff_other):
        with pytest.raises(PermissionDenied):
            partners.record_contribution(partner=tengah_partner, by=user, **details)
    assert not Contribution.objects.exists()
    contribution = partners.record_contribution(partner=tengah_partner, by=staff, **details)
    assert contribution.recorded_by == staff
    for user in (coordinator, viewer, staff_other):
        with pytest.raises(PermissionDenied):
            partners.change_contribution(contribution=contribution, by=user, **{**details, "value": 5})
        with pytest.raises(PermissionDenied):
            partners.delete_contribution(contribution=contribution, by=user)
    contribution.refresh_from_db()
    assert contribution.value == 1000


def test_an_internal_caller_without_a_user_still_meets_every_rule(tengah_partner, unit_temanggung):
    """by=None (commands, the demo) skips the user's check, never the row's."""
    future = datetime.date.today() + datetime.timedelta(days=1)
    for fields in (
        {"given_on": future},
        {"unit": unit_temanggung},
        {"value": Decimal(-1)},
        {"purpose": ""},
        {"kind": "emas"},
    ):
        arguments = {
            "partner": tengah_partner,
            "kind": "uang",
            "value": Decimal(1000),
            "given_on": datetime.date(2026, 1, 15),
            "purpose": "Sembako",
            **fields,
        }
        with pytest.raises(partners.ValidationError):
            partners.record_contribution(by=None, **arguments)
    assert not Contribution.objects.exists()


# --- Cases and training events -----------------------------------------------------------------------------


def test_referral_to_a_partner_takes_its_name(as_user, staff, magelang, tengah_partner):
    case = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], created_by=staff)
    client = as_user(staff)
    form = client.get(reverse("cases:detail", args=[case.pk])).context["referral_form"]
    assert list(form.fields["partner"].queryset) == [tengah_partner]
    data = {
        "partner": tengah_partner.pk,
        "institution_type": "lks",
        "referred_on": case.reported_on.isoformat(),
    }
    assert client.post(reverse("cases:referral", args=[case.pk]), data).status_code == 302
    referral = Referral.objects.get()
    assert (referral.partner, referral.institution_name) == (tengah_partner, "PT Sido Rukun")
    # Free text stays possible, with or without a partner.
    data = {"institution_type": "lks", "institution_name": "Panti Wredha", "referred_on": data["referred_on"]}
    assert client.post(reverse("cases:referral", args=[case.pk]), data).status_code == 302
    assert Referral.objects.filter(institution_name="Panti Wredha", partner=None).exists()


def test_referral_to_a_partner_of_another_kabkota_is_refused(as_user, staff, magelang):
    outsider = make_partner(magelang["temanggung"], magelang["kandangan"], name="PT Temanggung")
    case = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], created_by=staff)
    data = {"partner": outsider.pk, "institution_type": "lks", "referred_on": case.reported_on.isoformat()}
    as_user(staff).post(reverse("cases:referral", args=[case.pk]), data)
    assert not Referral.objects.exists()


def test_staff_record_a_contribution_to_a_case(as_user, staff, magelang, tengah_partner):
    case = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], created_by=staff)
    data = {
        "kontribusi-partner": tengah_partner.pk,
        "kontribusi-kind": "uang",
        "kontribusi-value": "300000",
        "kontribusi-given_on": "2026-02-01",
        "kontribusi-purpose": "Biaya berobat",
    }
    client = as_user(staff)
    assert client.post(reverse("cases:contribution", args=[case.pk]), data).status_code == 302
    assert list(case.contributions.values_list("purpose", flat=True)) == ["Biaya berobat"]
    assert "Biaya berobat" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_event_sponsors_are_chosen_among_own_partners_and_shown(as_user, staff, magelang, tengah_partner):
    outsider = make_partner(magelang["temanggung"], name="PT Temanggung")
    event = make_event(magelang["kota_magelang"], by=staff)
    client = as_user(staff)
    form = client.get(reverse("trainings:edit", args=[event.pk])).context["form"]
    assert list(form.fields["sponsors"].queryset) == [tengah_partner]
    data = {
        "title": event.title,
        "training_type": event.training_type,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "venue": event.venue,
        "organiser_regions": [magelang["kota_magelang"].code],
        "sponsors": [tengah_partner.pk],
    }
    assert client.post(reverse("trainings:edit", args=[event.pk]), data).status_code == 302
    assert list(event.sponsors.all()) == [tengah_partner]
    page = client.get(reverse("trainings:detail", args=[event.pk])).content.decode()
    assert "PT Sido Rukun" in page
    # A partner of another kab/kota is not on offer.
    data["sponsors"] = [outsider.pk]
    assert client.post(reverse("trainings:edit", args=[event.pk]), data).status_code == 200
    assert list(event.sponsors.all()) == [tengah_partner]


def test_staff_record_a_contribution_to_an_event(as_user, staff, viewer, magelang, tengah_partner):
    event = make_event(magelang["kota_magelang"], by=staff)
    data = {
        "kontribusi-partner": tengah_partner.pk,
        "kontribusi-kind": "barang",
        "kontribusi-value": "1200000",
        "kontribusi-given_on": "2026-02-01",
        "kontribusi-purpose": "Konsumsi peserta",
    }
    url = reverse("trainings:contribution", args=[event.pk])
    assert as_user(viewer).post(url, data).status_code == 403
    assert as_user(staff).post(url, data).status_code == 302
    assert list(event.contributions.values_list("purpose", flat=True)) == ["Konsumsi peserta"]


def test_directory_shows_25_partners_a_page_and_keeps_the_filters(as_user, staff, magelang):
    region = magelang["kota_magelang"]
    for n in range(30):
        make_partner(region, name=f"Puskesmas {n:02d}", sector="kesehatan")
    make_partner(region, name="PT Maju", sector="dunia_usaha")
    client = as_user(staff)
    first = client.get(reverse("partners:list"), {"sektor": "kesehatan"})
    assert len(first.context["partners"]) == 25
    assert "30 " in first.content.decode()  # the count is of every page
    html = first.content.decode()
    assert "?sektor=kesehatan&amp;halaman=2" in html
    second = client.get(reverse("partners:list"), {"sektor": "kesehatan", "halaman": "2"})
    assert [p.name for p in second.context["partners"]] == [f"Puskesmas {n}" for n in range(25, 30)]
    # Past the last page, or junk: a page still (Paginator.get_page).
    assert client.get(reverse("partners:list"), {"halaman": "99"}).status_code == 200


# --- Exports and query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "list_name"), [("export", "partners"), ("contribution_export", "contributions")]
)
def test_exports_are_logged(as_user, staff, tengah_partner, name, list_name):
    give(tengah_partner, 1000, datetime.date(2026, 1, 1))
    response = as_user(staff).get(reverse(f"partners:{name}", args=["csv"]), {"sektor": "dunia_usaha"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "PT Sido Rukun" in body
    log = ExportLog.objects.get()
    assert (log.list_name, log.row_count, log.user) == (list_name, 1, staff)
    assert log.filters == {"sektor": "dunia_usaha"}


def test_coordinator_export_holds_only_their_partners(as_user, coordinator, tengah_partner, selatan_partner):
    response = as_user(coordinator).get(reverse("partners:export", args=["xlsx"]))
    assert response.status_code == 200
    assert ExportLog.objects.get().row_count == 1


def _many(magelang, start: int, count: int) -> None:
    for n in range(start, start + count):
        partner = make_partner(
            magelang["kota_magelang"],
            magelang["magelang_tengah"],
            magelang["magelang_selatan"],
            name=f"Mitra {n}",
        )
        give(partner, 1000, datetime.date(2026, 1, 1), unit=None)


def test_directory_queries_do_not_grow_with_rows(as_user, staff, magelang, django_assert_max_num_queries):
    client = as_user(staff)
    _many(magelang, 0, 2)
    client.get(reverse("partners:list"))  # session and user
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("partners:list"))
    _many(magelang, 2, 6)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(reverse("partners:list")).context["partners"]) == 8


def test_partner_page_and_unit_panel_queries_do_not_grow(
    as_user, staff, magelang, unit_a, django_assert_max_num_queries
):
    partner = make_partner(magelang["kota_magelang"], magelang["magelang_tengah"])
    give(partner, 1000, datetime.date(2025, 1, 1), unit=unit_a)
    client = as_user(staff)
    detail, unit_page = (
        reverse("partners:detail", args=[partner.pk]),
        reverse("members:unit_detail", args=[unit_a.pk]),
    )
    client.get(detail)
    with CaptureQueriesContext(connection) as few_detail:
        client.get(detail)
    with CaptureQueriesContext(connection) as few_unit:
        client.get(unit_page)
    for n in range(6):
        give(partner, 1000 + n, datetime.date(2024 + n % 3, 1, 1), unit=unit_a)
        make_partner(magelang["kota_magelang"], magelang["magelang_tengah"], name=f"Mitra {n}")
    with django_assert_max_num_queries(len(few_detail)):
        client.get(detail)
    with django_assert_max_num_queries(len(few_unit)):
        client.get(unit_page)
