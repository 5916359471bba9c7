"""Every model is in the admin with search and filters that work; history pages open."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from cases import services
from cases.models import Case, CoverageTarget, PmksCategory
from ipsm.lib.admin import NamedFieldsMixin
from tests import factories
from trainings import services as training_services
from trainings.models import Event


@pytest.fixture
def filled(member_a, staff, magelang):
    factories.BoardPositionFactory(member=member_a)
    poor = PmksCategory.objects.get(number=24)
    factories.PmksCountFactory(kelurahan=magelang["cacaban"], category=poor)
    case = factories.CaseFactory(kelurahan=magelang["cacaban"], person_nik="3371034501700001")
    services.assign_psm(case=case, member=member_a, assigned_on=case.reported_on, by=staff)
    services.log_activity(case=case, done_on=case.reported_on, description="Kunjungan rumah", by=staff)
    services.refer_case(
        case=case,
        institution_type="puskesmas",
        institution_name="Puskesmas Magelang Tengah",
        referred_on=case.reported_on,
        by=staff,
    )
    CoverageTarget.objects.create(region=magelang["kota_magelang"])
    event = training_services.save_event(
        event=Event(
            title="Bimtek Dasar PSM",
            training_type="bimtek_dasar",
            starts_on=datetime.date(2024, 5, 1),
            ends_on=datetime.date(2024, 5, 2),
            venue="Aula Dinas Sosial",
        ),
        organiser_regions=[magelang["kota_magelang"]],
        other_organisers=["LKS Sejahtera"],
        by=staff,
    )
    speaker = factories.SpeakerFactory(name="Dra. Sri Wahyuni", member=member_a)
    factories.SessionFactory(event=event, title="Etika PSM", speaker=speaker)
    training_services.invite_members(event=event, members=[member_a], by=staff)
    return member_a


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label in ("members", "cases", "trainings")],
    ids=lambda m: m._meta.model_name,
)
def test_changelist_search_and_change_pages(as_user, superuser, filled, model):
    client = as_user(superuser)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "33"}).status_code == 200
    obj = model.objects.first()
    if obj is not None:
        assert (
            client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])).status_code
            == 200
        )


def test_member_history_in_admin_shows_who(as_user, superuser, member_a, staff):
    member_a._history_user = staff
    member_a.full_name = "Diganti"
    member_a.save()
    response = as_user(superuser).get(reverse("admin:members_member_history", args=[member_a.pk]))
    assert response.status_code == 200
    assert "staf-magelang" in response.content.decode()


def test_admin_list_masks_nik(as_user, superuser, member_a):
    page = as_user(superuser).get(reverse("admin:members_member_changelist")).content.decode()
    assert member_a.masked_nik in page
    assert member_a.nik not in page


def test_staff_user_without_admin_flag_cannot_open_admin(as_user, staff):
    response = as_user(staff).get(reverse("admin:index"))
    assert response.status_code == 302


def test_user_admin_shows_assignment(as_user, superuser, coordinator, unit_a):
    client = as_user(superuser)
    assert str(unit_a) in client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert client.get(reverse("admin:auth_user_change", args=[coordinator.pk])).status_code == 200


def test_admin_case_list_masks_nik(as_user, superuser, filled):
    response = as_user(superuser).get(reverse("admin:cases_case_changelist"))
    assert "3371034501700001" not in response.content.decode()
    assert Case.objects.filter(person_nik="3371034501700001").exists()


def test_pmks_categories_cannot_be_deleted_only_retired(as_user, superuser):
    category = PmksCategory.objects.get(number=14)
    response = as_user(superuser).get(reverse("admin:cases_pmkscategory_delete", args=[category.pk]))
    assert response.status_code == 403


def test_import_jobs_are_listed_read_only_without_the_file(as_user, superuser, staff):
    from ipsm.models import ImportJob

    job = ImportJob.objects.create(
        kind="members", user=staff, file_name="anggota.xlsx", content=b"3371034508850001 Siti"
    )
    client = as_user(superuser)
    listing = client.get(reverse("admin:ipsm_importjob_changelist"))
    assert listing.status_code == 200 and "anggota.xlsx" in listing.content.decode()
    page = client.get(reverse("admin:ipsm_importjob_change", args=[job.pk])).content.decode()
    assert "anggota.xlsx" in page and "3371034508850001" not in page
    assert client.get(reverse("admin:ipsm_importjob_add")).status_code == 403


def test_every_admin_form_names_its_fields():
    """Tabular inlines, change-list columns and split date-time inputs get an aria-label (axe-core: label)."""

    ours = ("members", "cases", "trainings", "ipsm", "auth")
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ours:
            continue
        assert isinstance(model_admin, NamedFieldsMixin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, NamedFieldsMixin), inline


def test_the_user_form_names_the_date_and_the_time(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:auth_user_change", args=[superuser.pk])).content.decode()
    assert 'aria-label="Masuk terakhir: tanggal"' in page and 'aria-label="Masuk terakhir: jam"' in page


def test_the_admin_speaks_indonesian_with_its_third_party_apps(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()
    for english in ("Tasks Database Backend", "Task Results", ">Axes<", "Rubah", "IPSM administration"):
        assert english not in page, english
    assert "Perlindungan login" in page and "Tugas latar belakang" in page and "Administrasi IPSM" in page
    assert "Kembali ke aplikasi" in page
