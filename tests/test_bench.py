"""`make bench` (ipsm/devtools/benchmarks.py): the measuring child runs every page on whatever data it
finds, and the framework's floor page exists only under the benchmark's own URLconf."""

import pytest
from django.urls import reverse

from cases.models import PmksCategory
from ipsm.devtools import benchmarks
from ipsm.devtools.national_data import generate
from members.models import Unit
from members.regions import load_regions
from tests import factories
from tests.test_national_data import _delete_generated


def test_labels_match_what_the_load_test_reads():
    assert benchmarks.label(0.1) == "national data 3, scale 0.1"
    assert benchmarks.label(1.0) == "national data 3, scale 1"


def test_floor_page_is_not_a_public_url(as_user, staff, settings):
    client = as_user(staff)
    assert client.get(benchmarks.FLOOR_URL).status_code == 404
    settings.ROOT_URLCONF = "ipsm.devtools.benchmarks"
    response = client.get(benchmarks.FLOOR_URL)
    assert response.status_code == 200
    assert b"staf-magelang" in response.content


@pytest.mark.django_db
def test_measure_times_every_page_and_both_floors(magelang, unit_a, staff):
    factories.MemberFactory.create_batch(3, unit=unit_a)
    factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"])
    factories.PmksCountFactory(
        kelurahan=magelang["rejowinangun_utara"], category=PmksCategory.objects.get(number=24)
    )
    result = benchmarks.measure(kabkota="33.71", runs=1)
    names = [page["name"] for page in result["pages"]]
    assert names[0] == "coverage: national (superuser /)"
    assert benchmarks.FRAMEWORK_FLOOR in names and benchmarks.DATABASE_FLOOR in names
    assert all(page["ms"] > 0 and page["queries"] >= 0 for page in result["pages"])
    assert result["targets"] == {"kabkota": "33.71", "kecamatan": "33.71.03", "unit": unit_a.pk}
    assert reverse("home") == "/"


@pytest.mark.django_db
def test_every_page_makes_as_many_queries_at_two_scales():
    """What `make bench` checks at 0.005 and 1, on two tiny generated data sets: one of Kota Magelang and
    Kota Salatiga, then both (the generator gives a kab/kota the same rows in both)."""
    load_regions(["33.71", "33.73"])
    counts, kabkota = [], None
    for scale in (0.5, 1):
        report = generate(scale=scale, seed=3, log=lambda text: None, load_all_regions=False)
        assert report.meetings and report.partners and report.indicator_targets
        kabkota = kabkota or Unit.objects.values_list("region_id", flat=True).first()[:5]
        result = benchmarks.measure(kabkota=kabkota, runs=1)
        # Not the snapshot's refresh: in this one database the second finds the first's rows to replace.
        counts.append(
            {
                page["name"]: page["queries"]
                for page in result["pages"]
                if page["name"] != benchmarks.SNAPSHOT_REFRESH
            }
        )
        _delete_generated()
    assert counts[0] == counts[1]
    assert f"legality of kab/kota {kabkota}" in counts[0] and "partner directory" in counts[0]
