import pytest
from django.core.management import CommandError, call_command

from members.models import Region


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("load_regions", *args, stdout=out)
    return out.getvalue()


def test_default_loads_the_demo_regions_with_their_province(db):
    output = _run()
    assert Region.objects.filter(code="33").exists()
    assert Region.objects.get(code="33.71.03.1003").name == "Rejowinangun Utara"
    assert Region.objects.within("33.71").villages().count() == 17
    assert Region.objects.within("33.71").filter(level="kecamatan").count() == 3
    assert Region.objects.within("33.23").villages().count() == 289
    assert Region.objects.within("33.23").filter(level="kecamatan").count() == 20
    assert "dibuat" in output  # commands speak the site language, Indonesian


def test_second_run_changes_nothing_and_reports_it(db):
    _run("33.71")
    count = Region.objects.count()
    output = _run("33.71")
    assert Region.objects.count() == count == 1 + 1 + 3 + 17
    assert "0 dibuat, 0 diperbarui, 22 tidak berubah" in output


def test_a_renamed_region_is_updated(db):
    _run("33.71")
    Region.objects.filter(code="33.71.03").update(name="Salah")
    _run("33.71")
    assert Region.objects.get(code="33.71.03").name == "Magelang Tengah"


def test_names_with_commas_are_read_whole(db):
    _run("12.07.28")
    assert Region.objects.get(code="12.07.28.1007").name == "Lubuk Pakam I,II"


def test_refuses_something_that_is_not_a_code(db):
    with pytest.raises(CommandError):
        _run("Magelang")


@pytest.mark.slow
def test_national_load(db):
    _run("--all")
    assert Region.objects.count() == 91599
    assert Region.objects.villages().count() == 83762
