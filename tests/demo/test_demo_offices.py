"""The demo's office profiles: Kota Magelang and Kabupaten Temanggung print with a letterhead, a logo and a
signatory; loading the demo again leaves them as they are."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from members.models import Member, MemberStatus, OfficeProfile
from tests.demo.conftest import IN_DEMO_GROUP, load_demo_again
from tests.printing.pictures import opened

pytestmark = IN_DEMO_GROUP


def test_both_offices_have_a_complete_profile_with_a_logo(demo):
    profiles = {profile.region_id: profile for profile in OfficeProfile.objects.all()}
    assert set(profiles) == {"33.71", "33.23"}
    assert profiles["33.71"].name == "Dinas Sosial Kota Magelang"
    assert profiles["33.23"].name == "Dinas Sosial Kabupaten Temanggung"
    for profile in profiles.values():
        profile.full_clean()  # a NIP of the right form, a kab/kota
        assert profile.head_name and profile.signing_city and profile.head_title == "Kepala Dinas Sosial"
        assert profile.card_validity_years == 5
        image = opened(profile.logo.read())
        assert image.format == "PNG" and max(image.size) <= 400


def test_loading_again_changes_no_profile(demo):
    before = list(OfficeProfile.objects.order_by("pk").values())
    history = OfficeProfile.history.count()
    load_demo_again()
    assert list(OfficeProfile.objects.order_by("pk").values()) == before
    assert OfficeProfile.history.count() == history


def test_demo_staff_print_a_card_with_their_logo(demo, client):
    staff = get_user_model().objects.get(username="staf-temanggung")
    member = Member.objects.filter(unit__region__code__startswith="33.23", status=MemberStatus.AKTIF).first()
    client.force_login(staff)
    html = client.get(reverse("members:card", args=[member.pk])).content.decode()
    assert 'id="card-office">Dinas Sosial Kabupaten Temanggung<' in html
    assert client.get(reverse("members:office_logo", args=["33.23"])).status_code == 200
