import datetime

import pytest
from django.core.exceptions import ValidationError

from members.nik import build_nik, mask_nik, nik_mismatches, normalize_nik, parse_nik


@pytest.mark.parametrize(
    "raw",
    [
        "3371034501900003",
        "3371 0345 0190 0003",
        "3371.0345.0190.0003",
        "'3371034501900003",
        " 3371-034501900003 ",
    ],
)
def test_normalize_accepts_spaces_dots_dashes_and_apostrophe(raw):
    assert normalize_nik(raw) == "3371034501900003"


def test_parse_reads_women_day_plus_40():
    parts = parse_nik("3371034501900003")
    assert (parts.day, parts.month, parts.year_2digit, parts.is_female) == (5, 1, 90, True)


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("337103450190000", "NIK harus 16 digit"),
        ("33710345019000a3", "NIK harus 16 digit"),
        ("9971034501900003", "kode provinsi"),
        ("3371033202900003", "tanggal lahir"),  # 32 February
        ("3371037201900003", "tanggal lahir"),  # day 72 = 32 for a woman
        ("3371030013900003", "tanggal lahir"),  # month 13... day 00
        ("3371032902230003", "tanggal lahir"),  # 29/02/23 exists in no century
        ("3371030501900000", "0000"),
    ],
)
def test_parse_refuses_with_indonesian_message(nik, message):
    with pytest.raises(ValidationError) as excinfo:
        parse_nik(nik)
    assert message in excinfo.value.messages[0]


def test_leap_day_is_a_real_date():
    assert parse_nik("3371032902000001").day == 29


def test_mismatches_name_sex_and_birth_date():
    parts = parse_nik("3371030501900003")  # a man born 05/01/1990
    assert nik_mismatches(parts, is_female=False, birth_date=datetime.date(1990, 1, 5)) == []
    problems = nik_mismatches(parts, is_female=True, birth_date=datetime.date(1991, 1, 5))
    assert len(problems) == 2
    assert "jenis kelamin" in str(problems[0])
    assert "tanggal lahir" in str(problems[1])


def test_region_part_need_not_match_domicile():
    # Issued in Temanggung (33.23.11), living in Magelang: still valid.
    parts = parse_nik("3323110501900003")
    assert parts.province == "33"


def test_build_nik_round_trips():
    nik = build_nik(region_code="33.71.03", birth_date=datetime.date(1985, 12, 31), is_female=True, serial=12)
    assert nik == "3371037112850012"
    assert parse_nik(nik).is_female


def test_mask_hides_birth_date():
    assert mask_nik("3371034501900003") == "3371 03•• •••• 0003"
