"""The indicator report reads without algebra: each figure in a plain sentence with the region's name and the
period (its formula one click away, in a <details>), a missing figure says why, and every region opens on
the same period (the last finished year), whatever its data."""

import datetime
import re

import pytest
from django.urls import reverse

from cases.models import PmksCategory
from cases.periods import Period
from members.models import StatusChange
from tests import factories
from trainings.indicators import DEFINITIONS
from trainings.models import Attendance, AttendanceStatus

URL = reverse("trainings:indicators")
LAST = datetime.date.today().year - 1  # the last finished year: every region's default


def _card(content: str, key: str) -> str:
    return re.search(
        rf'<article class="card h-100 indicator" id="indicator-{key}".*?</article>', content, re.DOTALL
    )[0]


def _text(html: str, css_class: str) -> str:
    match = re.search(rf'class="[^"]*\b{css_class}\b[^"]*">(.*?)</', html, re.DOTALL)
    return " ".join(match[1].split()) if match else ""


@pytest.fixture
def event_last_year(magelang, unit_a):
    """A two-day Kota Magelang event in March of LAST, one PSM of unit A present both days (60 -> 75)."""
    member = factories.MemberFactory(unit=unit_a)
    StatusChange.objects.create(member=member, new_status="aktif", changed_on=datetime.date(2020, 1, 1))
    event = factories.EventFactory(starts_on=datetime.date(LAST, 3, 10), ends_on=datetime.date(LAST, 3, 11))
    factories.OrganiserFactory(event=event, region=magelang["kota_magelang"])
    participant = factories.ParticipantFactory(
        event=event, member=member, pre_test_score=60, post_test_score=75
    )
    for day in event.days:
        Attendance.objects.create(participant=participant, day=day, status=AttendanceStatus.HADIR)
    return event


def test_each_figure_is_a_plain_sentence_with_its_formula_one_click_away(as_user, staff, event_last_year):
    content = as_user(staff).get(URL, {"wilayah": "33.71", "periode": str(LAST)}).content.decode()
    held = _card(content, "events_held")
    assert (
        _text(held, "sentence")
        == f"Pada Tahun {LAST}, 1 kegiatan pelatihan diadakan untuk PSM Kota Magelang."
    )
    assert _text(held, "current") == "1"
    formula = re.search(r"<details[^>]*>.*?</details>", held, re.DOTALL)[0]
    assert "<summary" in formula and "Cara menghitung" in formula and 'class="mb-1 mt-1 formula"' in formula
    assert "R: Kota Magelang" in formula
    gain = _card(content, "mean_test_gain")
    assert "15,00 poin lebih tinggi" in _text(gain, "sentence")
    rate = _card(content, "attendance_rate")
    assert _text(rate, "sentence").startswith("Peserta dari Kota Magelang hadir pada 100,0%")
    # No algebra outside the formulas: the legend names the region and the periods.
    legend = " ".join(re.search(r'id="legend">(.*?)</p>', content, re.DOTALL)[1].split())
    assert "Kota Magelang" in legend and f"Tahun {LAST}" in legend and f"Tahun {LAST - 1}" in legend
    assert "R adalah" not in legend
    # Every card says what its figure means, or why it is missing.
    cards = re.findall(r'<article class="card h-100 indicator".*?</article>', content, re.DOTALL)
    assert len(cards) == len(DEFINITIONS)
    assert all(("sentence" in card) != ("current-missing" in card) for card in cards)


def test_a_missing_figure_says_why(as_user, staff, magelang, unit_a):
    content = as_user(staff).get(URL, {"wilayah": "33.71", "periode": str(LAST)}).content.decode()
    reasons = {
        "pmks": f"Belum ada data PMKS Kota Magelang untuk Tahun {LAST}.",
        "pmks_per_psm": f"Belum ada data PMKS Kota Magelang untuk Tahun {LAST}.",
        "attendance_rate": f"Tidak ada kegiatan pelatihan untuk Kota Magelang pada Tahun {LAST}.",
        "mean_test_gain": f"Tidak ada kegiatan pelatihan untuk Kota Magelang pada Tahun {LAST}.",
        "open_cases_with_psm_share": (
            f"Tidak ada kasus di Kota Magelang yang masih terbuka pada hari terakhir Tahun {LAST}."
        ),
        "kelurahan_improved": f"Belum ada data PMKS Kota Magelang untuk Tahun {LAST}.",
        "reporting_rate": (
            f"Tidak ada PSM Kota Magelang yang diharapkan mengirim laporan bulanan untuk Tahun {LAST} "
            "(tidak ada yang aktif, atau periodenya belum dimulai)."
        ),
        "cases_completed_share": (
            "Tidak ada kasus yang tercantum dalam laporan bulanan PSM Kota Magelang yang disetujui untuk "
            f"Tahun {LAST}."
        ),
    }
    for key, reason in reasons.items():
        card = _card(content, key)
        assert _text(card, "current") == "—", key
        assert _text(card, "current-missing") == reason, key
        # The previous column says why too, for its own period.
        assert _text(card, "previous-missing").startswith(f"Tahun {LAST - 1}:"), key


def test_pmks_without_active_psm_says_there_was_none(as_user, staff, magelang):
    poor = PmksCategory.objects.get(number=24)
    factories.PmksCountFactory(kelurahan=magelang["cacaban"], category=poor, count=80, year=LAST)
    factories.PmksCountFactory(kelurahan=magelang["cacaban"], category=poor, count=50, year=LAST - 1)
    content = as_user(staff).get(URL, {"wilayah": "33.71", "periode": str(LAST)}).content.decode()
    assert _text(_card(content, "pmks"), "sentence") == (
        f"Tercatat 80 PMKS di desa/kelurahan Kota Magelang untuk Tahun {LAST}."
    )
    assert _text(_card(content, "pmks_per_psm"), "current-missing") == (
        f"Tidak ada PSM Kota Magelang yang aktif pada hari terakhir Tahun {LAST}."
    )
    # Cacaban has figures for both years: compared (no PSM both times); the others have none.
    improved = _card(content, "kelurahan_improved")
    assert _text(improved, "current") == "0"
    assert f"dari Tahun {LAST - 1} ke Tahun {LAST}" in _text(improved, "sentence")


def test_two_kabkota_with_different_data_open_on_the_same_year(as_user, superuser, magelang):
    poor = PmksCategory.objects.get(number=24)
    factories.PmksCountFactory(kelurahan=magelang["cacaban"], category=poor, count=40, year=LAST - 3)
    event = factories.EventFactory(
        starts_on=datetime.date(LAST - 1, 5, 5), ends_on=datetime.date(LAST - 1, 5, 5)
    )
    factories.OrganiserFactory(event=event, region=magelang["temanggung"])
    client = as_user(superuser)
    magelang_report = client.get(URL, {"wilayah": "33.71"})
    temanggung_report = client.get(URL, {"wilayah": "33.23"})
    assert magelang_report.context["period"] == temanggung_report.context["period"] == Period(LAST)
    # The years with data stay one choice away, and the page says which they are.
    assert Period(LAST - 3) in magelang_report.context["periods"]
    years = re.search(r'id="years-with-data">(.*?)</span>', magelang_report.content.decode())[1]
    assert str(LAST - 3) in years
    # The download without a period covers the same year as the page.
    export = client.get(reverse("trainings:indicator_export", args=["csv"]), {"wilayah": "33.23"})
    assert f"indikator-33.23-{LAST}-" in export["Content-Disposition"]
