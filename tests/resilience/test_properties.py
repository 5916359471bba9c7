"""Property-based tests (hypothesis): no input makes the NIK validator or the import parsers crash.

Each either returns a value or raises its documented error: ValidationError (members.nik, forms),
CellError (a cell of a spreadsheet), FileRefused (a file as a whole).
"""

import csv
import datetime
import functools
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from ipsm.lib.imports import process
from ipsm.lib.spreadsheets import (
    CellError,
    FileRefused,
    open_sheet,
    parse_count,
    parse_date,
    parse_score,
    parse_sex,
    parse_text,
)
from members.forms import NewMemberForm
from members.importers import MemberImporter
from members.nik import (
    PROVINCE_CODES,
    NikParts,
    ParsedNik,
    build_nik,
    mask_nik,
    nik_mismatches,
    normalize_nik,
    parse_nik,
    parse_nik_cell,
)
from members.phone import normalize_phone, parse_phone

# No example database on disk (.hypothesis/): each run explores afresh, and the suite stays fast.
PROPERTY = settings(max_examples=200, deadline=None, database=None)
# Tests on the database share one set of fixtures across examples: they only read.
PROPERTY_DB = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# What a spreadsheet cell can hold: openpyxl gives None, text, numbers (an "1E999" cell is infinite),
# booleans, dates and times; the csv module gives text.
cells = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789 .-'/+", max_size=24),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.timedeltas(),
)
digits = st.text(alphabet="0123456789", min_size=16, max_size=16)
adult_birth_dates = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2005, 12, 31))


@st.composite
def valid_niks(draw) -> tuple[str, datetime.date, bool]:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    region = province + draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    born, female = draw(adult_birth_dates), draw(st.booleans())
    nik = build_nik(region_code=region, birth_date=born, is_female=female, serial=draw(st.integers(1, 9999)))
    return nik, born, female


# Other scripts' digits (Arabic-Indic, Devanagari, fullwidth): Python's \\d, isdigit() and int() take them.
OTHER_DIGITS = ["٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "０１２３４５６７８９"]


@st.composite
def niks_in_other_digits(draw) -> str:
    """A valid NIK with some of its digits written in another script."""
    nik = draw(valid_niks())[0]
    script = draw(st.sampled_from(OTHER_DIGITS))
    positions = draw(st.sets(st.integers(0, 15), min_size=1))
    return "".join(script[int(char)] if index in positions else char for index, char in enumerate(nik))


def spaced(nik: str, separator: str) -> str:
    return separator.join(nik[i : i + 4] for i in range(0, 16, 4))


# members.nik


@PROPERTY
@given(st.one_of(cells, st.text(alphabet=st.characters(categories=["Nd", "No", "Zs", "Cc"]))))
def test_normalize_nik_always_gives_text(value):
    assert isinstance(normalize_nik(value), str)


@PROPERTY
@given(st.one_of(st.text(), digits, niks_in_other_digits()))
@example("3371030501900003")
@example("33710305019000٠3")
def test_parse_nik_accepts_only_sixteen_ascii_digits_or_says_why(text):
    try:
        parts = parse_nik(text)
    except ValidationError as error:
        assert error.messages
    else:
        assert isinstance(parts, NikParts)
        assert len(text) == 16 and text.isascii() and text.isdigit()
        assert text[:2] in PROVINCE_CODES and text[12:] != "0000"


@PROPERTY
@given(valid_niks(), st.sampled_from(["", " ", ".", "-", ". "]), st.booleans())
def test_a_valid_nik_typed_any_usual_way_parses_and_agrees_with_its_person(nik_born_female, separator, quote):
    nik, born, female = nik_born_female
    typed = ("'" if quote else "") + spaced(nik, separator)
    assert normalize_nik(typed) == nik
    parts = parse_nik(normalize_nik(typed))
    assert (parts.day, parts.month, parts.is_female) == (born.day, born.month, female)
    assert nik_mismatches(parts, is_female=female, birth_date=born) == []
    assert len(nik_mismatches(parts, is_female=not female, birth_date=born)) == 1
    assert nik[6:12] not in mask_nik(nik).replace(" ", "")


@PROPERTY
@given(valid_niks(), st.one_of(st.none(), st.booleans()), st.one_of(st.none(), st.dates()))
def test_nik_mismatches_gives_messages_for_any_sex_and_date(nik_born_female, female, birth_date):
    parts = parse_nik(nik_born_female[0])
    problems = nik_mismatches(parts, is_female=female, birth_date=birth_date)
    assert all(str(problem) for problem in problems) and len(problems) <= 2


@PROPERTY
@given(st.text())
def test_mask_nik_never_shows_the_birth_date(text):
    masked = mask_nik(text)
    assert isinstance(masked, str)
    if len(text) == 16:
        assert masked[4:].count("•") == 6
    else:
        assert masked == "•" * 16


# The member form's NIK field, with whatever sex and birth date are typed next to it.

nik_inputs = st.one_of(
    st.text(max_size=45),
    digits,
    valid_niks().map(lambda value: spaced(value[0], " ")),
    niks_in_other_digits(),
)


@PROPERTY_DB
@given(
    nik=nik_inputs,
    sex=st.sampled_from(["", "L", "P", "X"]),
    birth_date=st.one_of(st.text(max_size=12), adult_birth_dates.map(str)),
)
def test_the_member_form_judges_any_nik_without_crashing(staff, unit_a, nik, sex, birth_date):
    data = {
        "nik": nik,
        "full_name": "Siti Aminah",
        "sex": sex,
        "birth_place": "Magelang",
        "birth_date": birth_date,
        "address": "Jl. Tidar 1",
        "kelurahan": unit_a.region_id,
        "joined_on": "2024-01-02",
        "status": "calon",
    }
    form = NewMemberForm(data, user=staff, unit=unit_a)
    if form.is_valid():
        assert len(form.cleaned_data["nik"]) == 16 and form.cleaned_data["nik"].isascii()
    else:
        assert form.errors


# ipsm.lib.spreadsheets: the cell parsers


def parses_or_refuses(parser, value, **kwargs):
    try:
        return parser(value, **kwargs)
    except CellError as error:
        assert str(error)
        return None


@PROPERTY
@given(cells, st.one_of(st.none(), st.integers(1, 300)))
def test_parse_text(value, max_length):
    text = parses_or_refuses(parse_text, value, max_length=max_length)
    assert text is None or isinstance(text, str)


@PROPERTY
@given(
    st.one_of(cells, valid_niks().map(lambda value: value[0]), valid_niks().map(lambda value: int(value[0])))
)
@example(float("inf"))
@example(float("nan"))
@example(3371030501900003.0)
@example("٣٣٧١٠٣٠٥٠١٩٠٠٠٠٣")
def test_parse_nik_cell(value):
    parsed = parses_or_refuses(parse_nik_cell, value)
    if parsed is not None:
        assert isinstance(parsed, ParsedNik)
        parse_nik(parsed.nik)  # what it accepts, the validator accepts


@PROPERTY
@given(
    st.one_of(
        cells,
        st.from_regex(
            r"\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}|\d{4}-\d{1,2}-\d{1,2}( 00:00(:00)?)?", fullmatch=True
        ),
    )
)
@example(float("nan"))
@example(float("inf"))
@example(1e300)
@example("31/02/2024")
def test_parse_date(value):
    day = parses_or_refuses(parse_date, value)
    assert day is None or isinstance(day, datetime.date)


@PROPERTY
@given(st.one_of(cells, st.sampled_from(["L", "p", "Laki-laki", "PEREMPUAN", " lk ", "Wanita"])))
def test_parse_sex(value):
    assert parses_or_refuses(parse_sex, value) in (None, "", "L", "P")


@PROPERTY
@given(st.one_of(cells, st.from_regex(r"(\+62|62|0)8[0-9 \-]{8,14}", fullmatch=True)))
@example(float("inf"))
@example(float("nan"))
@example(81234567890.0)
@example("0812٣4567890")
def test_parse_phone(value):
    phone = parses_or_refuses(parse_phone, value)
    if phone:
        assert phone.startswith("+628") and phone[1:].isascii() and phone[1:].isdigit()
        assert normalize_phone(phone) == phone


@PROPERTY
@given(st.one_of(cells, st.from_regex(r"\d{1,3}([.,]\d{3})*", fullmatch=True)))
@example("²")
@example("٣")
@example(1e300)
@example(float("nan"))
@example(-1)
@example("1.234.567")
def test_parse_count_and_score(value):
    count = parses_or_refuses(parse_count, value)
    assert count is None or (isinstance(count, int) and 0 <= count <= 2_147_483_647)
    score = parses_or_refuses(parse_score, value)
    assert score is None or 0 <= score <= 100


# Whole files: any bytes named .csv or .xlsx are read or refused, never crash (rows are read lazily).


def read_all(content: bytes, name: str) -> int | None:
    try:
        sheet = open_sheet(content, name)
        return sum(1 for _row in sheet.rows)
    except FileRefused as refusal:
        assert str(refusal)
        return None


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@functools.cache
def sample_workbook() -> bytes:
    # Built once: openpyxl stores the save time, so a workbook saved on each draw can differ in length,
    # and hypothesis refuses a strategy whose bounds change between draws (FlakyStrategyDefinition).
    return workbook_bytes([["NIK", "Nama"], ["3371030501900003", "Budi"]])


@st.composite
def damaged_workbooks(draw) -> bytes:
    """A real workbook with one of its parts replaced by junk, or cut short."""
    content = sample_workbook()
    if draw(st.booleans()):
        return content[: draw(st.integers(0, len(content)))]
    source = zipfile.ZipFile(io.BytesIO(content))
    victim = draw(st.sampled_from(source.namelist()))
    junk = draw(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as damaged:
        for name in source.namelist():
            damaged.writestr(name, junk if name == victim else source.read(name))
    return buffer.getvalue()


@PROPERTY
@given(
    st.binary(max_size=2000), st.sampled_from(["data.csv", "DATA.TXT", "data.xlsx", "data.xlsm", "data.pdf"])
)
def test_open_sheet_on_any_bytes(content, name):
    read_all(content, name)


@PROPERTY
@given(st.text(max_size=500).map(lambda text: text.encode("utf-8")))
def test_open_sheet_on_any_text_as_csv(content):
    read_all(content, "data.csv")


@settings(max_examples=100, deadline=None, database=None)
@given(damaged_workbooks())
def test_open_sheet_on_damaged_workbooks(content):
    read_all(content, "data.xlsx")


# The members importer: a row of arbitrary cells, checked through the engine as a CSV upload would be.

MEMBER_HEADER = [
    "NIK", "Nama Lengkap", "L/P", "Tempat Lahir", "Tanggal Lahir", "Alamat", "RT", "RW", "Kelurahan",
    "Kecamatan", "No. HP", "Email", "Pendidikan", "Pekerjaan", "Tanggal Bergabung", "No. SK", "Tanggal SK",
    "Status",
]  # fmt: skip
row_cells = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789 ./-'", max_size=20),
    st.sampled_from(["", "L", "P", "33.71.03.1003", "Rejowinangun Utara", "SMA", "Aktif", "05/08/1985"]),
)


@PROPERTY_DB
@given(st.lists(st.lists(row_cells, min_size=0, max_size=len(MEMBER_HEADER) + 2), min_size=1, max_size=3))
def test_the_member_importer_checks_any_row(staff, unit_a, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MEMBER_HEADER)
    writer.writerows(rows)
    content = buffer.getvalue().encode("utf-8")
    assume(b"\r" not in content.replace(b"\r\n", b""))  # a lone CR is a line break to csv: another row count
    try:
        summary = process(MemberImporter(user=staff), content, "roster.csv", write=False)
    except FileRefused:
        return  # e.g. every row blank
    assert summary.total <= len(rows)
    assert sum(summary.counts.values()) == summary.total


@pytest.mark.django_db
def test_the_member_importer_check_is_read_only(staff, unit_a):
    # The property above relies on write=False touching nothing: shown once on a valid row.
    from members.models import Member

    row = ["3371030501900003", "Budi", "L", "Magelang", "05/01/1990", "Jl. Tidar 1", "", "", "33.71.03.1003"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([MEMBER_HEADER, row])
    summary = process(MemberImporter(user=staff), buffer.getvalue().encode(), "roster.csv", write=False)
    assert summary.counts["new"] == 1
    assert not Member.objects.exists()
