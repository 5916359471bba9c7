"""`manage.py prepare_loadtest`: staff accounts with a known password and targets for `make loadtest`,
only in a load-test database."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from ipsm import roles
from ipsm.devtools.loadtest import prepare as prepare_loadtest
from members.access import scope_of
from tests import factories


def test_refuses_any_database_but_the_load_tests(db, unit_a, tmp_path):
    with pytest.raises(CommandError, match="ipsm_loadtest"):
        call_command("prepare_loadtest", "--targets", str(tmp_path / "targets.json"))
    assert not get_user_model().objects.filter(username__startswith="loadtest-").exists()
    assert not (tmp_path / "targets.json").exists()


@pytest.fixture
def in_loadtest_database(monkeypatch):
    # The test database is named test_ipsm_<pid>: let the command take it for a load-test database.
    monkeypatch.setattr(prepare_loadtest, "LOADTEST_DATABASE_PREFIX", "test_")


def test_staff_of_the_largest_kabkota_with_targets_in_their_scope(
    in_loadtest_database, unit_a, unit_b, unit_temanggung, member_a, magelang, tmp_path
):
    case = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"])
    factories.CaseFactory(kelurahan=magelang["kowangan"])
    targets = tmp_path / "targets.json"

    call_command("prepare_loadtest", "--users", "4", "--kabkota", "largest", "--targets", str(targets))

    data = json.loads(targets.read_text())
    accounts = data["accounts"]
    # Kota Magelang has two units, Temanggung one: largest first, accounts spread over both.
    assert [a["kabkota"] for a in accounts] == ["33.71", "33.23", "33.71", "33.23"]
    magelang_account = accounts[0]
    assert magelang_account["kecamatan"] == ["33.71.03"]
    assert magelang_account["units"] == sorted([unit_a.pk, unit_b.pk])
    assert magelang_account["members"] == [member_a.pk]
    assert magelang_account["cases"] == [case.pk]
    user = get_user_model().objects.get(username=magelang_account["username"])
    assert user.check_password(data["password"])
    assert user.groups.get().name == roles.STAFF
    assert scope_of(user).region_code == "33.71"


def test_by_default_kabkota_are_drawn_among_those_with_units(
    in_loadtest_database, unit_a, unit_temanggung, magelang, tmp_path
):
    factories.UnitFactory(region=magelang["magersari"])
    call_command("prepare_loadtest", "--users", "2", "--targets", str(tmp_path / "t.json"))
    accounts = json.loads((tmp_path / "t.json").read_text())["accounts"]
    # One kab/kota for two accounts, drawn the same way on every run.
    assert len({a["kabkota"] for a in accounts}) == 1
    assert accounts[0]["kabkota"] in {"33.71", "33.23"}
    call_command("prepare_loadtest", "--users", "2", "--targets", str(tmp_path / "again.json"))
    assert json.loads((tmp_path / "again.json").read_text())["accounts"] == accounts


def test_a_second_run_keeps_the_same_accounts(in_loadtest_database, unit_a, tmp_path):
    for _ in range(2):
        call_command("prepare_loadtest", "--users", "3", "--targets", str(tmp_path / "t.json"))
    assert get_user_model().objects.filter(username__startswith="loadtest-staf-").count() == 3
