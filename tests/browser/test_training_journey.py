"""Staff run a training event from creation to attendance and watch the coverage and indicators move."""

import datetime

import pytest
from playwright.sync_api import expect

from tests import factories
from trainings.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_train_the_untrained_psm_of_a_kecamatan(log_in, live_server, staff, unit_a, magelang):
    today = datetime.date.today()
    untrained = factories.MemberFactory.create_batch(2, unit=unit_a)  # Rejowinangun Utara, Magelang Tengah
    elsewhere = factories.MemberFactory(unit=factories.UnitFactory(region=magelang["magersari"]))
    indicator = f"{live_server.url}/indikator/?wilayah=33.71&periode={today.year}"
    page = log_in(staff)

    page.goto(indicator)
    expect(page.locator("#indicator-psm_trained .current")).to_have_text("0")
    page.goto(f"{live_server.url}/unit/{unit_a.pk}/")
    expect(page.locator("#training-trained")).to_have_text("0")
    expect(page.locator("#untrained-psm li")).to_have_count(2)

    page.get_by_role("navigation").get_by_role("link", name="Pelatihan").click()
    page.click("#event-create")
    page.fill("#id_title", "Bimtek Dasar PSM Magelang Tengah")
    page.select_option("#id_training_type", "bimtek_dasar")
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", today.isoformat())
    page.fill("#id_venue", "Aula Dinas Sosial Kota Magelang")
    page.fill("#id_budget", "7500000")
    page.locator("#event-form").get_by_role("button", name="Simpan").click()
    expect(page.locator("h1")).to_contain_text("Bimtek Dasar PSM Magelang Tengah")

    with page.expect_navigation():  # until "load": the select's auto-submit (app.js) must be in place
        page.click("#invite-link")
    with page.expect_navigation():  # the filter selects submit themselves
        page.select_option("#id_kecamatan", "33.71.03")
    with page.expect_navigation():
        page.select_option("#id_belum_dilatih", "1")
    expect(page.locator("#candidates tbody input[name=member]")).to_have_count(2)
    expect(page.locator("#candidates")).not_to_contain_text(elsewhere.full_name)
    page.check("#select-all")
    page.click("#invite-submit")
    expect(page.get_by_role("alert")).to_contain_text("2 PSM diundang")
    expect(page.locator("#candidates tbody input[name=member]")).to_have_count(0)  # stays to invite more
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="Bimtek Dasar PSM").click()
    expect(page.locator("#count-invited")).to_have_text("2")

    page.click("#attendance-link")  # a one-day event held today: the page opens on it
    page.get_by_role("button", name="Semua hadir").click()
    expect(page.locator(".alert-success")).to_contain_text("2 peserta ditandai hadir")
    page.click("#scores-link")
    for member, (pre, post) in zip(untrained, [(55, 80), (60, 75)], strict=True):
        participant = Participant.objects.get(member=member)
        page.fill(f"[name=pre-{participant.pk}]", str(pre))
        page.fill(f"[name=post-{participant.pk}]", str(post))
    page.click("#scores-save")
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(f"{live_server.url}/unit/{unit_a.pk}/")
    expect(page.locator("#training-trained")).to_have_text("2")
    expect(page.locator("#training-trained-share")).to_have_text("100")
    expect(page.locator("#untrained-psm")).to_have_count(0)

    page.goto(indicator)
    expect(page.locator("#indicator-psm_trained .current")).to_have_text("2")
    expect(page.locator("#indicator-mean_test_gain .current")).to_contain_text("20")  # (25 + 15) / 2
