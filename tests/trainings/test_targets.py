"""Targets against realisation (trainings/targets.py): staff of a kab/kota set a baseline and a target per
indicator and year; the indicator report shows target, realisation and achievement; the LKjIP table."""

import csv
import io
from decimal import Decimal

import pytest

from ipsm.models import ExportLog
from trainings import targets
from trainings.models import IndicatorTarget

URL = "/indikator/target/33.71/2025/"


def test_achievement_is_realisation_over_target_or_the_reverse_where_less_is_better():
    assert targets.achievement("psm_trained", Decimal(45), Decimal(60)) == Decimal("75.0")
    assert targets.achievement("pmks_per_psm", Decimal(12), Decimal(10)) == Decimal("80.0")
    assert targets.achievement("psm_trained", None, Decimal(60)) is None
    assert targets.achievement("psm_trained", Decimal(5), Decimal(0)) is None


def test_staff_set_targets_and_the_report_shows_target_realisation_achievement(as_user, staff, magelang):
    client = as_user(staff)
    response = client.post(
        URL, {"baseline_events_held": "1", "target_events_held": "4", "target_attendance_rate": "80,5"}
    )
    assert response.status_code == 302
    saved = {t.indicator: (t.baseline, t.target) for t in IndicatorTarget.objects.all()}
    assert saved == {"events_held": (Decimal(1), Decimal(4)), "attendance_rate": (None, Decimal("80.5"))}
    report = client.get("/indikator/", {"wilayah": "33.71", "periode": "2025"})
    html = report.content.decode()
    card = html[html.index('id="indicator-events_held"') :]
    card = card[: card.index("</article>")]
    assert 'class="target">4<' in card and 'class="achievement">0,0%<' in card  # no event held in 2025
    assert 'href="/indikator/target/33.71/2025/"' in html


def test_a_share_above_100_is_refused_and_nothing_saved(as_user, staff, magelang):
    response = as_user(staff).post(URL, {"target_attendance_rate": "120"})
    assert response.status_code == 200
    assert "100" in response.content.decode() and not IndicatorTarget.objects.exists()


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [("viewer", 200, 403), ("coordinator", 403, 403), ("staff_other", 404, 404), ("staff", 200, 302)],
)
def test_who_reads_and_who_sets_targets(as_user, request, magelang, who, get, post):
    client = as_user(request.getfixturevalue(who))
    assert client.get(URL).status_code == get
    assert client.post(URL, {"target_events_held": "3"}).status_code == post


def test_only_a_kabkota_has_targets(as_user, superuser, magelang):
    assert as_user(superuser).get("/indikator/target/33/2025/").status_code == 404
    assert as_user(superuser).get("/indikator/target/33.71.03/2025/").status_code == 404


def test_the_lkjip_table_has_every_indicator_with_target_realisation_and_trend(as_user, staff, magelang):
    client = as_user(staff)
    client.post(URL, {"baseline_events_held": "1", "target_events_held": "4"})
    response = client.get("/indikator/lkjip/33.71/2025/csv/")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[5:8] == ["Target 2025", "Realisasi 2025", "Capaian (%)"]
    events = next(row for row in body if row[2] == "Kegiatan yang diselenggarakan")
    assert events[4:8] == ["1", "4", "0", "0.0"]
    assert len(body) == len(targets.KINDS)
    assert ExportLog.objects.get().list_name == "lkjip"
