"""A national data set for benchmarks and load tests (`manage.py generate_national_data`).

At scale 1: an IPSM unit in each of the 83,762 desa/kelurahan of the real Kemendagri list, about 5 PSM per
desa (~420,000 members), PMKS counts for every active category x 3 years per desa (~6.5 million rows),
1,000,000 cases, 5,000 training events with 200,000 participants, and a year of monthly reports (~3.3
million, with ~4.6 million activities). `scale` shrinks all of it together, including the regions used:
the kab/kota are put in a fixed random order (per seed) and the first `scale x 514` are filled, whole, each
with its share of the national figures (its desa / 83,762). Every random draw about a kab/kota comes from a
generator seeded with (seed, step, kab/kota), so a kab/kota holds the same people, counts, cases, events
and reports at every scale (only ids differ), the kab/kota of a smaller data set are among those of a
larger one (same seed), and a page of one kab/kota compares across scales.

What is written, per table:
- members_unit: one per desa, SK, roster checked (70% within 180 days, 15% earlier, 15% never), and
  `kta_serial` = the number of members the unit registered.
- members_member: 0 to ~12 per unit (mean 5; 6% of desa have none: "tanpa PSM"). Valid, unique NIKs
  (members.nik.build_nik on the unit's kecamatan, birth date and sex; serial counted per kecamatan, date and
  sex), at least 18 on the join date, Indonesian-looking names, KTA numbers as members.services.format_kta
  numbers them. 80% aktif, 8% calon, 12% nonaktif with a reason.
- members_statuschange: the registration step ('' -> calon/aktif on the join date), and for nonaktif
  members a second step (aktif -> nonaktif with the reason).
- cases_pmkscount: every active category x the last 3 whole years, per desa (zeros included, like a DTKS
  recap); a desa's total is log-normal around 200 (kelurahan 1.5x), 60-65% fakir miskin, the other
  categories in the demo's proportions; surveyed categories have source "survei", the rest "dtks".
- cases_case: 1,000,000 x scale, spread over desa in proportion to their PMKS, over categories and over every
  status (closed ones with a reason); 85% have a responsible PSM, an active member of their kab/kota
  (mostly of their own desa). One cases_casestatuschange row per case (the step into its current status) and
  one cases_casepsmassignment row per case with a PSM. No activities or referrals.
- trainings: 5,000 x scale events organised by the Dinas Sosial of a kab/kota (5% jointly with a second
  kab/kota of the same province), 1-3 days, 10% still to come; 200,000 x scale participants (aktif and
  calon PSM of the lead organiser's kab/kota) with one attendance row per day, scores and certificate
  numbers for those present every day of a past event. No sessions or speakers.
- cases_monthlyreport: the 12 whole months before the generation date's month, for each member aktif on
  the month's last day (by their status steps: from the join date, until the step out for nonaktif; calon
  never report), whom cases/reporting.py expects a report from. About 15% of the member-months have no
  report; of those written ~70/85 approved, 8/85 submitted and waiting (fewer in old months), 3/85
  returned, 4/85 draft; each kab/kota, and each unit within it, draws its own share of missing and waiting
  reports, so their reporting-rate pages differ. Due on the 5th of the next month (the default: no
  OfficeProfile rows are generated); about 20% of the submitted ones late (`is_late`: `submitted_at` after
  `due_on`); a report that would have been sent on or after the generation date is still a draft, so the
  latest month has many. PMKS reached for 1-3 categories, 5% entered from paper (no `entered_by`: no users
  are generated). cases_reportactivity: 1-2 per submitted, approved or returned report (dated in the
  month, counts 1-5). No report steps, photos or case links.
- No django-simple-history rows: the generated rows have no history, as if created before it was kept.

Fast: rows are built in Python and written with PostgreSQL COPY through psycopg 3 (the PMKS grid, the
biggest table, with one INSERT ... SELECT in SQL), in one transaction, so a failed run leaves nothing.
Only for an empty registry (no units, members, cases, PMKS counts or events): mixing generated people into
real data could not be undone, and its ids, NIKs and KTA numbers would collide.
"""

from __future__ import annotations

import datetime
import io
import math
import random
import time
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone

from cases.models import (
    Case,
    CaseChannel,
    CaseStatus,
    CloseReason,
    PmksCategory,
    PmksCount,
    PmksSource,
    ReportActivityKind,
    ReportState,
)
from cases.reports import DEFAULT_DUE_DAY
from ipsm.devtools.demo import (
    DUSUN,
    EDUCATIONS,
    FEMALE_NAMES,
    FEMALE_SECOND,
    INACTIVE_REASONS,
    MALE_NAMES,
    MALE_SECOND,
    OCCUPATIONS,
    PHONE_PREFIXES,
    STREETS,
)
from ipsm.devtools.demo_cases import (
    CASE_CATEGORIES,
    CATEGORY_WEIGHTS,
    DESCRIPTIONS,
    FAKIR_MISKIN,
    SURVEYED_CATEGORIES,
)
from members.models import KABKOTA_LEVELS, VILLAGE_LEVELS, Member, MemberStatus, Region, RegionLevel, Unit
from members.nik import build_nik
from members.regions import load_regions
from members.services import format_kta
from trainings.models import AttendanceStatus, Event, TrainingType
from trainings.services import certificate_number

# At scale 1 (the figures).
NATIONAL_CASES = 1_000_000
NATIONAL_EVENTS = 5_000
NATIONAL_PARTICIPANTS = 200_000
ALL_REGIONS = 91_599  # rows of members/data/wilayah_indonesia.csv.gz
NATIONAL_DESA = 83_762  # desa and kelurahan among them: a kab/kota gets its share of the figures above
PMKS_YEARS = 3
MEAN_PMKS_PER_DESA = 200
KELURAHAN_PMKS_FACTOR = 1.5
DESA_WITHOUT_PSM = 0.06
CASES_WITH_PSM = 0.85
JOINT_EVENTS = 0.05
UPCOMING_EVENTS = 0.10
FIRST_DAY = datetime.date(2012, 1, 1)  # earliest join date
FIRST_CASE_DAY = datetime.date(2021, 1, 1)
FIRST_EVENT_DAY = datetime.date(2021, 1, 1)
REPORT_MONTHS = 12

# More of Indonesia than the demo's Javanese names: Sundanese, Malay/Sumatran, Bugis, eastern Indonesia.
MORE_MALE_NAMES = [
    "Asep", "Dadang", "Ujang", "Cecep", "Rudi", "Hendra", "Andi", "Irfan", "Fauzi", "Zulkifli", "Yohanes",
    "Markus", "Petrus", "Made", "Wayan", "Ketut", "Nyoman", "Daeng", "La Ode", "Syahrul", "Taufik", "Rizal",
]  # fmt: skip
MORE_FEMALE_NAMES = [
    "Euis", "Neneng", "Imas", "Nurul", "Siska", "Yanti", "Rosmawati", "Maria", "Yuliana", "Ni Luh", "Kadek",
    "Andi", "Nurhaliza", "Fatimah", "Aisyah", "Rosita", "Juliana", "Marlina",
]  # fmt: skip
MORE_SECOND = [
    "Sitompul", "Nasution", "Harahap", "Siregar", "Lubis", "Simanjuntak", "Pohan", "Tanjung", "Sembiring",
    "Ginting", "Hasibuan", "Rangkuti", "Pattimura", "Wenda", "Rumbiak", "Manuputty", "Latuconsina",
    "Pratama", "Permana", "Gunadi", "Sukmana", "Firmansyah", "Ramadhan", "Syahputra", "Hakim", "Rahman",
]  # fmt: skip
OTHER_BIRTH_PLACES = [
    "Jakarta", "Bandung", "Surabaya", "Medan", "Semarang", "Makassar", "Palembang", "Yogyakarta", "Padang",
    "Denpasar", "Malang", "Pekanbaru", "Banjarmasin", "Manado", "Ambon", "Kupang", "Pontianak", "Solo",
]  # fmt: skip
CASE_STATUSES = [
    (CaseStatus.BARU, 12),
    (CaseStatus.ASESMEN, 15),
    (CaseStatus.INTERVENSI, 20),
    (CaseStatus.RUJUKAN, 8),
    (CaseStatus.SELESAI, 33),
    (CaseStatus.DITUTUP, 12),
]
# The step into each status, as the demo's paths take it (cases.models.CASE_TRANSITIONS).
PREVIOUS_STATUS = {
    CaseStatus.BARU: "",
    CaseStatus.ASESMEN: CaseStatus.BARU,
    CaseStatus.INTERVENSI: CaseStatus.ASESMEN,
    CaseStatus.RUJUKAN: CaseStatus.ASESMEN,
    CaseStatus.SELESAI: CaseStatus.INTERVENSI,
    CaseStatus.DITUTUP: CaseStatus.ASESMEN,
}
CASE_CHANNELS = [
    (CaseChannel.LAPORAN_WARGA, 40), (CaseChannel.PSM, 25), (CaseChannel.TKSK, 15),
    (CaseChannel.RUJUKAN_INSTANSI, 12), (CaseChannel.LAINNYA, 8),
]  # fmt: skip
CLOSE_REASONS = [reason for reason in CloseReason if reason != CloseReason.LAINNYA]
TRAINING_TYPES = [
    (TrainingType.BIMTEK_DASAR, 40, "Bimbingan Teknis Dasar PSM"),
    (TrainingType.BIMTEK_LANJUTAN, 15, "Bimbingan Teknis Lanjutan PSM"),
    (TrainingType.PENINGKATAN_KAPASITAS, 25, "Peningkatan Kapasitas PSM"),
    (TrainingType.SOSIALISASI, 15, "Sosialisasi Program Kesejahteraan Sosial bagi PSM"),
    (TrainingType.LAINNYA, 5, "Temu Karya PSM"),
]
# Monthly reports: the shares are national means; each kab/kota (and unit) draws its own around them.
MISSING_REPORTS = 0.15  # of the member-months: no report at all
LATE_REPORTS = 0.20  # of the submitted
# Of the reports written (the other 85%): ~4% draft, 3% returned, 8% submitted and waiting, 70% approved.
DRAFT_REPORTS, RETURNED_REPORTS, WAITING_REPORTS = 4 / 85, 3 / 85, 8 / 85
PAPER_REPORTS = 0.05
REPORT_ACTIVITIES = [
    (ReportActivityKind.KUNJUNGAN, 30), (ReportActivityKind.PENDATAAN, 20),
    (ReportActivityKind.PENDAMPINGAN, 18), (ReportActivityKind.SOSIALISASI, 10),
    (ReportActivityKind.PERTEMUAN, 10), (ReportActivityKind.RUJUKAN, 6), (ReportActivityKind.LAINNYA, 4),
    (ReportActivityKind.BENCANA, 2),
]  # fmt: skip
OBSTACLES = [
    "Warga sulit ditemui pada jam kerja.",
    "Data DTKS belum diperbarui di desa.",
    "Transportasi ke dusun terjauh terbatas.",
    "Belum ada formulir asesmen yang baru.",
]
PLANS = [
    "Kunjungan lanjutan ke lansia terlantar.",
    "Pendataan ulang fakir miskin bersama perangkat desa.",
    "Mendampingi warga mengurus BPJS PBI.",
    "Sosialisasi program bantuan sosial di posyandu.",
]
NULL = "\\N"  # COPY's text format
VENUES = ["Aula Dinas Sosial", "Gedung Serbaguna", "Pendopo Kabupaten", "Hotel Grand Kencana", "Balai Diklat"]


@dataclass
class GenerationReport:
    scale: float
    kabkota: int = 0
    units: int = 0
    members: int = 0
    status_changes: int = 0
    pmks_counts: int = 0
    cases: int = 0
    case_status_changes: int = 0
    case_assignments: int = 0
    events: int = 0
    organisers: int = 0
    participants: int = 0
    attendance: int = 0
    monthly_reports: int = 0
    report_activities: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class RegistryNotEmpty(Exception):
    """The database already holds registry data: generating into it is refused."""


def registry_is_empty() -> bool:
    return not any(model.objects.exists() for model in (Unit, Member, Case, PmksCount, Event))


def generate(
    *,
    scale: float,
    seed: int,
    today: datetime.date | None = None,
    log: Callable = print,
    load_all_regions: bool = True,
) -> GenerationReport:
    """Fill an empty registry with the national data set at `scale`; returns a GenerationReport.

    Without `load_all_regions` (tests), only the regions already loaded are used."""
    if not registry_is_empty():
        raise RegistryNotEmpty
    report = GenerationReport(scale=scale)
    gen = _Generator(scale=scale, seed=seed, today=today or timezone.localdate(), report=report, log=log)
    with _step(report, "regions", log):
        if load_all_regions and Region.objects.count() < ALL_REGIONS:
            load_regions([])
    with transaction.atomic():
        gen.run()
    with _step(report, "analyze", log), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return report


class _step:
    """Times a step into the report and logs it."""

    def __init__(self, report: GenerationReport, name: str, log: Callable):
        self.report, self.name, self.log = report, name, log

    def __enter__(self):
        self.started = time.monotonic()

    def __exit__(self, *exc):
        seconds = time.monotonic() - self.started
        self.report.seconds[self.name] = self.report.seconds.get(self.name, 0.0) + seconds
        if exc[0] is None:
            self.log(f"  {self.name}: {seconds:.1f} s")


def _copy(table: str, columns: Iterable[str], lines: Iterable[str]) -> int:
    """COPY tab-separated lines (text format, \\N for NULL) into `table`; returns the number of rows.

    The generated text never holds tabs, newlines or backslashes, so it needs no escaping.
    """
    count = 0
    buffer = io.StringIO()
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for line in lines:
            buffer.write(line)
            buffer.write("\n")
            count += 1
            if count % 20_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def _reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
            f"FROM {table}"
        )


def _weighted_list(choices: list[tuple]) -> tuple[list, list[float]]:
    values = [choice[0] for choice in choices]
    weights = [choice[1] for choice in choices]
    return values, list(_cumulative(weights))


def _cumulative(weights: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _plain_name(region_name: str) -> str:
    for prefix in ("Kabupaten ", "Kota ", "Kab. "):
        if region_name.startswith(prefix):
            return region_name[len(prefix) :]
    return region_name


class _Generator:
    """Every random draw about a kab/kota comes from a generator seeded with (seed, step, kab/kota code), so
    a kab/kota holds the same people, counts, cases, events and reports at every scale (only ids differ,
    and a joint event's partner is left out where its kab/kota is not generated)."""

    def __init__(self, *, scale: float, seed: int, today: datetime.date, report: GenerationReport, log):
        self.scale, self.seed, self.today, self.report, self.log = scale, seed, today, report, log
        self.now = timezone.now().isoformat()
        self.today_ordinal = today.toordinal()

    def rng(self, step: str, code: str) -> random.Random:
        return random.Random(f"{self.seed}:{step}:{code}")

    def run(self) -> None:
        report, log = self.report, self.log
        with _step(report, "choose regions", log):
            self._choose_regions()
        with _step(report, "units", log):
            self._write_units()
        with _step(report, "members", log):
            self._write_members()
        with _step(report, "PMKS counts", log):
            self._write_pmks_counts()
        with _step(report, "cases", log):
            self._write_cases()
        with _step(report, "trainings", log):
            self._write_trainings()
        with _step(report, "monthly reports", log):
            self._write_monthly_reports()
        log(f"    {report.monthly_reports} monthly reports, {report.report_activities} activities")
        # Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED): a row at a time, the
        # biggest single cost at scale 1. Checked here, so that the time shows where it is spent.
        with _step(report, "foreign key checks", log), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in (
            "members_unit", "members_member", "members_statuschange", "cases_pmkscount", "cases_case",
            "cases_casestatuschange", "cases_casepsmassignment", "trainings_event", "trainings_organiser",
            "trainings_participant", "trainings_attendance", "cases_monthlyreport",
        ):  # fmt: skip
            _reset_sequence(table)

    # --- Regions and units ----------------------------------------------------------------------------

    def _choose_regions(self) -> None:
        kabkota = list(
            Region.objects.filter(level__in=KABKOTA_LEVELS).order_by("code").values_list("code", "name")
        )
        # A fixed order per seed, so the kab/kota of a smaller scale are among those of a larger one.
        order = [code for code, _name in kabkota]
        random.Random(self.seed).shuffle(order)
        count = min(len(order), max(1, round(self.scale * len(order))))
        chosen = set(order[:count])
        self.kabkota_names = {code: _plain_name(name) for code, name in kabkota}
        self.kabkota = sorted(chosen)
        self.by_province: dict[str, list[str]] = defaultdict(list)  # every kab/kota, chosen or not
        for code, _name in kabkota:
            self.by_province[code[:2]].append(code)
        self.desa: dict[str, list[tuple[str, str]]] = defaultdict(list)
        villages = (
            Region.objects.filter(level__in=VILLAGE_LEVELS).order_by("code").values_list("code", "level")
        )
        for code, level in villages:
            if code[:5] in chosen:
                self.desa[code[:5]].append((code, level))
        self.report.kabkota = len(chosen)

    def _share(self, kabkota: str) -> float:
        """The kab/kota's share of the nation's desa: how much of the national figures it gets."""
        return len(self.desa[kabkota]) / NATIONAL_DESA

    def _write_units(self) -> None:
        self.units: dict[str, list[tuple[int, str, int]]] = {}  # kab/kota -> (pk, desa code, members)
        pk = 0
        for kabkota in self.kabkota:
            rng = self.rng("units", kabkota)
            units = self.units[kabkota] = []
            for code, _level in self.desa[kabkota]:
                pk += 1
                members = (
                    0 if rng.random() < DESA_WITHOUT_PSM else max(1, min(14, round(rng.gauss(5.3, 2.2))))
                )
                units.append((pk, code, members))
        self.report.units = _copy(
            "members_unit",
            ["id", "region_id", "sk_number", "sk_date", "roster_confirmed_at", "kta_serial", "created_at"],
            self._unit_lines(),
        )

    def _unit_lines(self) -> Iterator[str]:
        for kabkota in self.kabkota:
            rng = self.rng("unit details", kabkota)
            for pk, code, members in self.units[kabkota]:
                sk_year = rng.randint(2015, self.today.year - 1)
                sk_date = datetime.date(sk_year, rng.randint(1, 12), rng.randint(1, 28))
                roll = rng.random()
                if roll < 0.70:
                    days = rng.randint(0, 179)
                elif roll < 0.85:
                    days = rng.randint(181, 900)
                checked = NULL if roll >= 0.85 else f"{self.today - datetime.timedelta(days=days)} 09:00+07"
                yield (
                    f"{pk}\t{code}\t400.9/{rng.randint(1, 450):03d}/{sk_year}\t{sk_date}\t{checked}\t"
                    f"{members}\t{self.now}"
                )

    # --- Members --------------------------------------------------------------------------------------

    def _write_members(self) -> None:
        # For cases and trainings: active PSM per desa and per kab/kota, invitable PSM per kab/kota.
        self.active_by_desa: dict[str, list[int]] = defaultdict(list)
        self.active_by_kabkota: dict[str, list[int]] = defaultdict(list)
        self.invitable_by_kabkota: dict[str, list[int]] = defaultdict(list)
        # For monthly reports: (unit, member, first and last ordinal day as aktif) of everyone ever aktif.
        self.aktif_spans: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
        self.report.members = _copy(
            "members_member",
            [
                "id", "nik", "full_name", "sex", "birth_place", "birth_date", "address", "rt", "rw", "phone",
                "email", "education", "occupation", "joined_on", "sk_number", "sk_date", "kta_number",
                "status", "status_reason", "status_since", "created_at", "updated_at", "kelurahan_id",
                "unit_id",
            ],
            self._member_lines(),
        )  # fmt: skip
        # Their lifecycle: registered (as calon, or straight as aktif), and for the inactive the step out.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO members_statuschange
                    (member_id, old_status, new_status, reason, changed_on, note, recorded_at)
                SELECT id, '', CASE WHEN status = %s THEN %s ELSE %s END, '', joined_on, '', now()
                FROM members_member
                UNION ALL
                SELECT id, %s, status, status_reason, status_since, '', now()
                FROM members_member WHERE status = %s
                """,
                [
                    MemberStatus.CALON, MemberStatus.CALON, MemberStatus.AKTIF,
                    MemberStatus.AKTIF, MemberStatus.NONAKTIF,
                ],
            )  # fmt: skip
            self.report.status_changes = cursor.rowcount

    def _member_lines(self) -> Iterator[str]:
        male_first, female_first = MALE_NAMES + MORE_MALE_NAMES, FEMALE_NAMES + MORE_FEMALE_NAMES
        male_second, female_second = MALE_SECOND + MORE_SECOND, FEMALE_SECOND + MORE_SECOND
        educations, education_cum = _weighted_list(EDUCATIONS)
        occupations, occupation_cum = _weighted_list(OCCUPATIONS)
        reasons, reason_cum = _weighted_list(INACTIVE_REASONS)
        first_ordinal, today = FIRST_DAY.toordinal(), self.today_ordinal
        fromordinal = datetime.date.fromordinal
        pk = 0
        for kabkota in self.kabkota:
            rng = self.rng("members", kabkota)
            random_, randint, choice = rng.random, rng.randint, rng.choice
            serials: dict[tuple, int] = defaultdict(int)  # NIK serials per (kecamatan, birth date, sex)
            home = self.kabkota_names[kabkota]
            for unit_pk, code, count in self.units[kabkota]:
                kta_unit = SimpleNamespace(region_id=code)
                kecamatan = code[:8]
                for serial in range(1, count + 1):
                    pk += 1
                    female = random_() < 0.56
                    roll = random_()
                    if roll < 0.80:
                        status, reason = MemberStatus.AKTIF, ""
                        joined = randint(first_ordinal, today - 60)
                    elif roll < 0.88:
                        status, reason = MemberStatus.CALON, ""
                        joined = randint(today - 540, today - 7)
                    else:
                        status = MemberStatus.NONAKTIF
                        reason = reasons[_pick(random_, reason_cum)]
                        joined = randint(first_ordinal, today - 400)
                    birth = fromordinal(joined - randint(19 * 366, 58 * 365))  # 18 or older on joining
                    joined_on = fromordinal(joined)
                    key = (kecamatan, birth, female)
                    serials[key] += 1
                    nik = build_nik(
                        region_code=kecamatan, birth_date=birth, is_female=female, serial=serials[key]
                    )
                    first = choice(female_first if female else male_first)
                    if random_() >= 0.1:  # some carry one name only
                        first = f"{first} {choice(female_second if female else male_second)}"
                    if random_() < 0.5:
                        address = f"Jl. {choice(STREETS)} No. {randint(1, 120)}"
                    else:
                        address = f"Dusun {choice(DUSUN)}"
                    phone = (
                        f"+62{choice(PHONE_PREFIXES)}{randint(1_000_000, 99_999_999)}"
                        if random_() < 0.85
                        else ""
                    )
                    since = joined_on
                    if status == MemberStatus.NONAKTIF:
                        since = fromordinal(randint(joined + 180, today))
                    sk_number, sk_date = NULL, NULL
                    if status == MemberStatus.AKTIF:
                        sk_number, sk_date = f"460/{randint(1, 900):03d}/{joined_on.year}", joined_on
                    education = educations[_pick(random_, education_cum)]
                    occupation = occupations[_pick(random_, occupation_cum)]
                    born_in = home if random_() < 0.8 else choice(OTHER_BIRTH_PLACES)
                    yield (
                        f"{pk}\t{nik}\t{first}\t{'P' if female else 'L'}\t{born_in}\t{birth}\t{address}\t"
                        f"{randint(1, 15):03d}\t{randint(1, 9):03d}\t{phone}\t\t{education}\t{occupation}\t"
                        f"{joined_on}\t{'' if sk_number is NULL else sk_number}\t{sk_date}\t"
                        f"{format_kta(kta_unit, serial)}\t{status}\t{reason}\t{since}\t{self.now}\t"
                        f"{self.now}\t{code}\t{unit_pk}"
                    )
                    if status != MemberStatus.NONAKTIF:
                        self.invitable_by_kabkota[kabkota].append(pk)
                    if status == MemberStatus.AKTIF:
                        self.active_by_desa[code].append(pk)
                        self.active_by_kabkota[kabkota].append(pk)
                        self.aktif_spans[kabkota].append((unit_pk, pk, joined, today))
                    elif status == MemberStatus.NONAKTIF:  # aktif from joining until the step out
                        self.aktif_spans[kabkota].append((unit_pk, pk, joined, since.toordinal() - 1))

    # --- PMKS counts ----------------------------------------------------------------------------------

    def _write_pmks_counts(self) -> None:
        """Desa totals and category shares from Python, the grid itself by one INSERT ... SELECT whose noise
        is a hash of (desa, category, year): the same at every scale."""
        categories = list(PmksCategory.objects.filter(is_active=True).values_list("pk", "number"))
        others = sum(CATEGORY_WEIGHTS.get(number, 1) for _pk, number in categories if number != FAKIR_MISKIN)
        self.desa_pmks: dict[str, float] = {}
        desa_lines = []
        for kabkota in self.kabkota:
            rng = self.rng("pmks", kabkota)
            for code, level in self.desa[kabkota]:
                total = math.exp(rng.gauss(math.log(MEAN_PMKS_PER_DESA), 0.6))
                if level == RegionLevel.KELURAHAN:
                    total *= KELURAHAN_PMKS_FACTOR
                self.desa_pmks[code] = total
                desa_lines.append(f"{code}\t{total:.3f}\t{0.6 + 0.05 * rng.random():.4f}")
        category_lines = []
        for pk, number in categories:
            source = PmksSource.SURVEI if number in SURVEYED_CATEGORIES else PmksSource.DTKS
            share = -1 if number == FAKIR_MISKIN else CATEGORY_WEIGHTS.get(number, 1) / others
            category_lines.append(f"{pk}\t{share:.6f}\t{source}")
        years = [self.today.year - offset for offset in range(PMKS_YEARS, 0, -1)]
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE gen_desa (code varchar(13), total float, poor float) ON COMMIT DROP"
            )
            cursor.execute(
                "CREATE TEMPORARY TABLE gen_category (id bigint, share float, source varchar(20)) "
                "ON COMMIT DROP"
            )
        _copy("gen_desa", ["code", "total", "poor"], desa_lines)
        _copy("gen_category", ["id", "share", "source"], category_lines)
        with connection.cursor() as cursor:
            # Fakir miskin take the desa's `poor` share, the other categories split the rest; each year's
            # total drifts down a little (graduation from programmes); every cell gets +-40% noise.
            cursor.execute(
                """
                INSERT INTO cases_pmkscount
                    (year, semester, count, source, data_date, updated_at, category_id, kelurahan_id)
                SELECT y.year, 0,
                    floor(d.total * (1.0 - 0.04 * (y.year - %s))
                          * CASE WHEN c.share < 0 THEN d.poor ELSE (1 - d.poor) * c.share END
                          * (0.6 + 0.8 * ('x' || left(md5(d.code || ':' || c.id || ':' || y.year), 7))
                                                ::bit(28)::int / 268435455.0))::int,
                    c.source, make_date(y.year, 12, 31), now(), c.id, d.code
                FROM gen_desa d CROSS JOIN gen_category c CROSS JOIN unnest(%s::int[]) AS y(year)
                """,
                [years[0], years],
            )
            self.report.pmks_counts = cursor.rowcount
            cursor.execute("DROP TABLE gen_desa, gen_category")

    # --- Cases ----------------------------------------------------------------------------------------

    def _write_cases(self) -> None:
        self.report.cases = _copy(
            "cases_case",
            [
                "id", "person_name", "person_nik", "person_sex", "person_birth_date", "person_age",
                "person_address", "description", "reported_on", "channel", "status", "status_since",
                "close_reason", "created_at", "updated_at", "kelurahan_id", "psm_id", "category_id",
            ],
            # Queried first: while COPY runs, the connection takes nothing else.
            self._case_lines(dict(PmksCategory.objects.values_list("number", "pk"))),
        )  # fmt: skip
        # The step into the current status, and who was made responsible: derived in SQL, one pass each.
        previous = " ".join(f"WHEN '{status}' THEN '{before}'" for status, before in PREVIOUS_STATUS.items())
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO cases_casestatuschange
                    (case_id, old_status, new_status, close_reason, note, changed_on, recorded_at)
                SELECT id, CASE status {previous} END, status, close_reason, '', status_since, now()
                FROM cases_case
                """
            )
            self.report.case_status_changes = cursor.rowcount
            cursor.execute(
                """
                INSERT INTO cases_casepsmassignment (case_id, member_id, assigned_on, recorded_at)
                SELECT id, psm_id, reported_on, now() FROM cases_case WHERE psm_id IS NOT NULL
                """
            )
            self.report.case_assignments = cursor.rowcount

    def _case_lines(self, category_pk: dict[int, int]) -> Iterator[str]:
        case_categories = [(number, weight) for number, weight in CASE_CATEGORIES if number in category_pk]
        categories, category_cum = _weighted_list(case_categories)
        statuses, status_cum = _weighted_list(CASE_STATUSES)
        channels, channel_cum = _weighted_list(CASE_CHANNELS)
        all_names = MALE_NAMES + MORE_MALE_NAMES + FEMALE_NAMES + MORE_FEMALE_NAMES
        second_names = MALE_SECOND + FEMALE_SECOND + MORE_SECOND
        first_ordinal, today = FIRST_CASE_DAY.toordinal(), self.today_ordinal
        fromordinal = datetime.date.fromordinal
        generic = "Dilaporkan melalui musyawarah desa; perlu asesmen lanjutan oleh PSM."
        pk = 0
        for kabkota in self.kabkota:
            rng = self.rng("cases", kabkota)
            random_, randint, choice = rng.random, rng.randint, rng.choice
            desa_codes = [code for code, _level in self.desa[kabkota]]
            desa_cum = list(_cumulative(self.desa_pmks[code] for code in desa_codes))
            for _ in range(round(NATIONAL_CASES * self._share(kabkota))):
                pk += 1
                code = desa_codes[_pick(random_, desa_cum)]
                number = categories[_pick(random_, category_cum)]
                status = statuses[_pick(random_, status_cum)]
                reported = randint(first_ordinal, today)
                reported_on = fromordinal(reported)
                since = reported_on if status == CaseStatus.BARU else fromordinal(randint(reported, today))
                female = random_() < 0.5
                if random_() < 0.6:
                    birth = fromordinal(reported - randint(365, 85 * 365))
                    nik = build_nik(
                        region_code=code, birth_date=birth, is_female=female, serial=randint(1, 9999)
                    )
                    birth_text, age = str(birth), NULL
                else:
                    nik, birth_text, age = "", NULL, str(randint(1, 85))
                psm = NULL
                if random_() < CASES_WITH_PSM:
                    pool = self.active_by_desa.get(code) if random_() < 0.8 else None
                    pool = pool or self.active_by_kabkota.get(kabkota)
                    if pool:
                        psm = choice(pool)
                close_reason = choice(CLOSE_REASONS) if status == CaseStatus.DITUTUP else ""
                yield (
                    f"{pk}\t{choice(all_names)} {choice(second_names)}\t{nik}\t{'P' if female else 'L'}\t"
                    f"{birth_text}\t{age}\tDusun {choice(DUSUN)} RT {randint(1, 12):03d}/RW "
                    f"{randint(1, 6):03d}\t{DESCRIPTIONS.get(number, generic)}\t{reported_on}\t"
                    f"{channels[_pick(random_, channel_cum)]}\t"
                    f"{status}\t{since}\t{close_reason}\t{self.now}\t{self.now}\t{code}\t{psm}\t"
                    f"{category_pk[number]}"
                )

    # --- Trainings ------------------------------------------------------------------------------------

    def _write_trainings(self) -> None:
        events, organisers, participants, attendance = [], [], [], []
        types, type_cum = _weighted_list([(kind, weight) for kind, weight, _title in TRAINING_TYPES])
        titles = {kind: title for kind, _weight, title in TRAINING_TYPES}
        first_ordinal, today = FIRST_EVENT_DAY.toordinal(), self.today_ordinal
        fromordinal = datetime.date.fromordinal
        per_event = NATIONAL_PARTICIPANTS / NATIONAL_EVENTS
        chosen = set(self.kabkota)
        event_pk = participant_pk = 0
        for office in self.kabkota:
            rng = self.rng("trainings", office)
            random_, randint, choice = rng.random, rng.randint, rng.choice
            batches: dict[tuple, int] = defaultdict(int)
            neighbours = [code for code in self.by_province[office[:2]] if code != office]
            for _ in range(round(NATIONAL_EVENTS * self._share(office))):
                event_pk += 1
                offices = [office]
                partner = choice(neighbours) if neighbours else None
                if random_() < JOINT_EVENTS and partner in chosen:
                    offices.append(partner)
                kind = types[_pick(random_, type_cum)]
                if random_() < UPCOMING_EVENTS:
                    start = randint(today + 7, today + 120)
                else:
                    start = randint(first_ordinal, today - 3)
                days = randint(1, 3)
                starts_on = fromordinal(start)
                batches[(kind, starts_on.year)] += 1
                names = " dan ".join(self.kabkota_names[code] for code in offices)
                title = f"{titles[kind]} {names} {starts_on.year} Angkatan {batches[(kind, starts_on.year)]}"
                events.append(
                    f"{event_pk}\t{title}\t{kind}\t{starts_on}\t{fromordinal(start + days - 1)}\t"
                    f"{choice(VENUES)} {self.kabkota_names[office]}\t{randint(15, 250) * 1_000_000}\t\t"
                    f"{self.now}\t{self.now}"
                )
                # Generated joint events were agreed by every office (status "diterima").
                organisers.extend(f"{event_pk}\t{code}\t\tditerima" for code in offices)
                # Invited from the lead office's PSM only, so that which neighbours are generated never
                # changes who in this kab/kota was trained (its pages compare across scales).
                pool = self.invitable_by_kabkota[office]
                size = min(len(pool), max(1, round(per_event * (0.6 + 0.8 * random_()))))
                past = start < today
                event = SimpleNamespace(pk=event_pk, starts_on=starts_on)
                certificates = 0
                for member in rng.sample(pool, size):
                    participant_pk += 1
                    if past:
                        every_day = random_() < 0.88
                        marks = [
                            AttendanceStatus.HADIR
                            if every_day or random_() < 0.6
                            else choice((AttendanceStatus.IZIN, AttendanceStatus.TIDAK_HADIR))
                            for _ in range(days)
                        ]
                    else:
                        marks = [AttendanceStatus.DIUNDANG] * days
                    scored = f"{NULL}\t{NULL}\t{NULL}"
                    if past and all(mark == AttendanceStatus.HADIR for mark in marks):
                        certificates += 1
                        pre, post = randint(30, 80), randint(55, 100)
                        scored = f"{pre}\t{max(pre, post)}\t{certificate_number(event, certificates)}"
                    participants.append(f"{participant_pk}\t{event_pk}\t{member}\t{scored}\t{self.now}")
                    attendance.extend(
                        f"{participant_pk}\t{fromordinal(start + offset)}\t{mark}"
                        for offset, mark in enumerate(marks)
                    )
        report = self.report
        report.events = _copy(
            "trainings_event",
            [
                "id", "title", "training_type", "starts_on", "ends_on", "venue", "budget", "description",
                "created_at", "updated_at",
            ],
            events,
        )  # fmt: skip
        report.organisers = _copy(
            "trainings_organiser", ["event_id", "region_id", "institution_name", "status"], organisers
        )
        report.participants = _copy(
            "trainings_participant",
            [
                "id", "event_id", "member_id", "pre_test_score", "post_test_score", "certificate_number",
                "invited_at",
            ],
            participants,
        )  # fmt: skip
        report.attendance = _copy("trainings_attendance", ["participant_id", "day", "status"], attendance)

    # --- Monthly reports ------------------------------------------------------------------------------

    def _write_monthly_reports(self) -> None:
        """The 12 whole months before today's, for every member aktif on the month's last day. A kab/kota at a
        time: its reports, then their activities (which need the reports' ids)."""
        category_numbers = set(PmksCategory.objects.filter(is_active=True).values_list("number", flat=True))
        pk = 0
        for kabkota in self.kabkota:
            activities: list[str] = []
            written = _copy(
                "cases_monthlyreport",
                [
                    "id", "member_id", "month", "state", "due_on", "submitted_at", "is_late", "pmks_reached",
                    "obstacles", "plan", "on_paper", "created_at", "updated_at",
                ],
                self._report_lines(kabkota, pk, category_numbers, activities),
            )  # fmt: skip
            pk += written
            self.report.monthly_reports += written
            self.report.report_activities += _copy(
                "cases_reportactivity", ["report_id", "kind", "done_on", "count"], activities
            )

    def _report_months(self) -> list[tuple[datetime.date, int, int, datetime.date, int]]:
        """(month, its first and last ordinal day, due date and its ordinal), oldest first."""
        months = []
        first = self.today.replace(day=1)
        for _ in range(REPORT_MONTHS):
            due = first.replace(day=DEFAULT_DUE_DAY)  # OfficeProfile rows are not generated
            last = first - datetime.timedelta(days=1)
            first = last.replace(day=1)
            months.append((first, first.toordinal(), last.toordinal(), due, due.toordinal()))
        return months[::-1]

    def _report_lines(
        self, kabkota: str, pk: int, category_numbers: set[int], activities: list[str]
    ) -> Iterator[str]:
        """Reports numbered from pk + 1; each submitted one's activities appended to `activities`.

        The biggest table by far: integers drawn as `a + int(random() * n)` and dates and times looked up as
        text, several times faster than randint and formatting each date."""
        categories, category_cum = _weighted_list(
            [(number, weight) for number, weight in CASE_CATEGORIES if number in category_numbers]
        )
        kinds, kind_cum = _weighted_list(REPORT_ACTIVITIES)
        months = self._report_months()
        today = self.today_ordinal
        day_text = {day: str(datetime.date.fromordinal(day)) for day in range(months[0][1] - 10, today + 1)}
        times = [f"{hour:02d}:{minute:02d}:00+07" for hour in range(7, 21) for minute in range(1, 60)]
        review_times = [f"{hour:02d}:{minute:02d}:00+07" for hour in range(8, 16) for minute in range(60)]
        rng = self.rng("monthly reports", kabkota)
        random_, choice = rng.random, rng.choice
        # How diligent the kab/kota's PSM and how quick its reviewers: its pages differ from the next one's.
        missing = min(0.45, max(0.02, rng.gauss(MISSING_REPORTS, 0.06)))
        late = min(0.5, max(0.05, rng.gauss(LATE_REPORTS, 0.06)))
        waiting = min(0.3, max(0.02, rng.gauss(WAITING_REPORTS, 0.04)))
        # Reviewers catch up: few of the oldest months still wait, more of the latest (1 on average).
        waiting_by_age = [0.4 + 1.2 * age / (len(months) - 1) for age in range(len(months))]
        unit_pk = unit_missing = None
        waiting_until: list[float] = []
        for member_unit, member, aktif_from, aktif_until in self.aktif_spans[kabkota]:
            if member_unit != unit_pk:  # and each unit a little apart from the others
                unit_pk = member_unit
                unit_missing = missing * rng.uniform(0.3, 1.7)
                unit_waiting = waiting * rng.uniform(0.3, 1.7)
                waiting_until = [
                    DRAFT_REPORTS + RETURNED_REPORTS + unit_waiting * factor for factor in waiting_by_age
                ]
            for age, (month, first, last, due_on, due) in enumerate(months):
                # Expected from whoever is aktif on the month's last day, as cases/reporting.py counts.
                if aktif_from > last or aktif_until < last or random_() < unit_missing:
                    continue
                begin = max(first, aktif_from)
                pk += 1
                roll = random_()
                if roll < DRAFT_REPORTS:
                    state = ReportState.DRAF
                elif roll < DRAFT_REPORTS + RETURNED_REPORTS:
                    state = ReportState.DIKEMBALIKAN
                elif roll < waiting_until[age]:
                    state = ReportState.TERKIRIM
                else:
                    state = ReportState.DISETUJUI
                started = min(today - 1, max(begin, last - 9 + int(random_() * 13)))
                at = times[int(random_() * len(times))]
                submitted = started
                if state != ReportState.DRAF:
                    if random_() < late:
                        submitted = due + 1 + int(45 * min(random_(), random_()))  # mostly a few days
                    else:
                        submitted = last - 5 + int(random_() * (due - last + 6))
                    if submitted >= today:  # not yet sent on the day of generation: still a draft
                        state, submitted = ReportState.DRAF, started
                    started = min(started, submitted)
                created_at = f"{day_text[started]} {at[:2]}:00:00+07"  # before it is sent that day
                if state == ReportState.DRAF:
                    submitted_at, is_late, updated_at = NULL, "f", created_at
                else:
                    submitted_at = f"{day_text[submitted]} {at}"
                    is_late = "t" if submitted > due else "f"
                    updated_at = submitted_at
                    if state != ReportState.TERKIRIM:  # reviewed some days later (that evening at the latest)
                        reviewed = submitted + 1 + int(random_() * 10)
                        updated_at = (
                            f"{day_text[reviewed]} {review_times[int(random_() * len(review_times))]}"
                            if reviewed < today
                            else f"{day_text[submitted]} 21:00:00+07"
                        )
                    for _ in range(1 if random_() < 0.5 else 2):
                        done_on = day_text[begin + int(random_() * (last - begin + 1))]
                        activities.append(
                            f"{pk}\t{kinds[_pick(random_, kind_cum)]}\t{done_on}\t{1 + int(random_() * 5)}"
                        )
                reached: dict[int, int] = {}
                for _ in range(1 + int(random_() * 3)):
                    number = categories[_pick(random_, category_cum)]
                    reached[number] = reached.get(number, 0) + 1 + int(random_() * 12)
                pmks_reached = ", ".join(f'"{number}": {count}' for number, count in reached.items())
                obstacles = choice(OBSTACLES) if random_() < 0.3 else ""
                plan = choice(PLANS) if random_() < 0.6 else ""
                yield (
                    f"{pk}\t{member}\t{month}\t{state}\t{due_on}\t{submitted_at}\t{is_late}\t"
                    f"{{{pmks_reached}}}\t{obstacles}\t{plan}\t{'t' if random_() < PAPER_REPORTS else 'f'}\t"
                    f"{created_at}\t{updated_at}"
                )


def _pick(random_: Callable[[], float], cumulative: list[float]) -> int:
    """Index of a weighted choice, given the cumulative weights."""
    return bisect(cumulative, random_() * cumulative[-1])


def _pick_total(random_: Callable[[], float], cumulative: list[float]) -> int:
    """As _pick, for long lists of floating weights (never past the end through rounding)."""
    return min(len(cumulative) - 1, bisect(cumulative, random_() * cumulative[-1]))
