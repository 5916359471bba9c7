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
- The institution (issue 15), over the same 12 months: members_boardposition, a board (ketua, sekretaris,
  bendahara) for ~85% of the units with 3 or more active PSM, a five-year term begun 1 month to 6 years
  ago (so ~1 in 6 lapsed); members_boarddecree, the SK of ~75% of those boards (the seats point to it).
  members_meeting: ~half of the units with active PSM hold a pertemuan rutin most months (each its own
  rate, 55-95%) and, with a board, 1-2 rapat pengurus; a board begun within the 12 months was elected at a
  musyawarah anggota a few days before (BoardPosition.elected_at, BoardDecree.meeting); the IPSM forum of
  each kecamatan holds 1-3 rapat koordinasi, that of the kab/kota 2. members_meetingattendance: who
  members.meetings expects (a unit's PSM aktif on the day; at a forum, the ketua of each unit below it),
  most present. ~45% of the meetings took 1-2 decisions (members_meetingdecision), 60% of those a follow-up
  (members_followup) for someone present, most of the due ones done. Rows at scale 1 (20 x those at
  0.05): ~44,000 boards (133,000 seats, 33,000 SK), ~410,000 meetings, ~1.85 million attendance rows,
  ~270,000 decisions, ~110,000 follow-ups (the step logs its counts). No attachments or files.
- Legality: ~8% of units without SK pembentukan, the others issued by the Dinas Sosial head (some by the
  camat); an active PSM's SK penetapan (dated on joining): ~6% missing, ~10% without end, ~12% expired
  in the last 18 months, the rest valid 1 month to 4 years more.
- Partners: members_partner, 5-20 per kab/kota over every sector (~10% of the agreements ending within 90
  days, ~10% ended, ~10% open-ended, a few without MoU), serving 1-4 of its kecamatan or all of them;
  members_contribution, 0-6 per partner over the 12 months within its agreement, cash or in kind, ~70% for a
  unit of a kecamatan it serves. About 6,000 partners and 7,000 contributions at scale 1.
- trainings_indicatortarget: per kab/kota, last year's baseline and target of a handful of indicators.
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
    _person_name,
    _phone,
)
from ipsm.devtools.demo_cases import (
    CASE_CATEGORIES,
    CATEGORY_WEIGHTS,
    DESCRIPTIONS,
    FAKIR_MISKIN,
    SURVEYED_CATEGORIES,
)
from ipsm.devtools.demo_institution import BOARD_TOPICS, FORUM_TOPICS, HOURS, MONTHS_ID, ROUTINE_TOPICS, Topic
from members.models import (
    KABKOTA_LEVELS,
    VILLAGE_LEVELS,
    BoardRole,
    ContributionKind,
    Meeting,
    MeetingKind,
    Member,
    MemberStatus,
    Partner,
    PartnerSector,
    Region,
    RegionLevel,
    Unit,
    WorkProgramme,
)
from members.nik import build_nik
from members.regions import load_regions
from members.services import format_kta
from trainings.indicators import DEFINITIONS, SHARE
from trainings.models import AttendanceStatus, Event, IndicatorTarget, TrainingType
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
# The institution (issue 15): shares of units, meetings and members; see the module docstring.
BOARD_UNITS = 0.85  # of the units with BOARD_SEATS or more active PSM
BOARD_SEATS = (BoardRole.KETUA, BoardRole.SEKRETARIS, BoardRole.BENDAHARA)
BOARD_TERM_DAYS = 5 * 365 + 1  # masa bakti: five years
BOARDS_WITH_SK = 0.75
MEETING_UNITS = 0.5  # of the units with active PSM: those that meet
MEETING_RATE = (0.55, 0.95)  # of the months such a unit meets, drawn per unit
MEETINGS_WITH_DECISIONS = 0.45
DECISIONS_WITH_FOLLOW_UP = 0.6
FOLLOW_UPS_DONE = 0.7
UNITS_WITHOUT_SK = 0.08
MEMBER_SK = [("missing", 6), ("open", 10), ("expired", 12), ("valid", 72)]  # of the active PSM
MEETING_PLACES = [
    "Balai {office}",
    "Aula Kantor {office}",
    "Rumah ketua IPSM",
    "Musala RW 03",
    "Pendopo {office}",
]
PARTNERS_PER_KABKOTA = (5, 20)
PARTNER_SECTORS = [
    (PartnerSector.DUNIA_USAHA, 30), (PartnerSector.LKS, 15), (PartnerSector.PERGURUAN_TINGGI, 8),
    (PartnerSector.LAYANAN_KESEHATAN, 15), (PartnerSector.KEAGAMAAN, 12), (PartnerSector.ORMAS, 12),
    (PartnerSector.INSTANSI, 8),
]  # fmt: skip
# (agreement, weight): see _partner_lines.
PARTNER_AGREEMENTS = [("long", 65), ("expiring", 10), ("ended", 10), ("open", 10), ("none", 5)]
# Per sector: name patterns ({kab}: the kab/kota's name, {full}: with Kota/Kabupaten, {kec}: a kecamatan,
# {a}, {b}: words drawn below) and what they give (purpose, kind, lowest and highest value in rupiah).
PARTNER_NAMES = {
    PartnerSector.DUNIA_USAHA: [
        "PT {a} {b}", "PT {a} {b} {kab}", "CV {a} {b}", "Koperasi {a} {b} {kab}", "Bank {b} Cabang {kab}",
    ],
    PartnerSector.LKS: ["LKS Lansia {c}", "LKS Anak {c}", "LKS Disabilitas {c}", "Panti Asuhan {c} {kab}"],
    PartnerSector.PERGURUAN_TINGGI: [
        "Universitas {kab}", "Universitas Muhammadiyah {kab}", "Politeknik {kab}", "STIKES {c} {kab}",
    ],
    PartnerSector.LAYANAN_KESEHATAN: ["Puskesmas {kec}", "RSUD {full}", "Klinik Pratama {c}"],
    PartnerSector.KEAGAMAAN: [
        "BAZNAS {full}", "LAZISMU {kab}", "LAZISNU {kab}", "LAZ Masjid Agung {kab}",
        "Yayasan Gereja {c} {kab}",
    ],
    PartnerSector.ORMAS: [
        "Karang Taruna {full}", "TP PKK {full}", "Fatayat NU {kab}", "Aisyiyah {kab}",
        "Paguyuban Relawan {c} {kab}",
    ],
    PartnerSector.INSTANSI: [
        "BPJS Kesehatan Cabang {kab}", "BPBD {full}", "Dinas Kesehatan {full}", "UPTD PPA {full}",
        "Disdukcapil {full}",
    ],
}  # fmt: skip
NAME_WORDS_A = ["Sinar", "Maju", "Karya", "Mitra", "Bumi", "Cahaya", "Berkah", "Sumber", "Putra", "Anugerah"]
NAME_WORDS_B = ["Makmur", "Abadi", "Jaya", "Sejahtera", "Lestari", "Mandiri", "Perkasa", "Sentosa", "Utama"]
NAME_WORDS_C = [
    "Bina Insani", "Harapan Bunda", "Kasih Ibu", "Tunas Bangsa", "Among Sejahtera", "Budi Mulia",
    "Cahaya Hati", "Darma Bakti", "Mekar Sari", "Sehat Sentosa",
]  # fmt: skip
UANG, BARANG = ContributionKind.UANG, ContributionKind.BARANG
CONTRIBUTIONS = {
    PartnerSector.DUNIA_USAHA: [
        ("Dana CSR kegiatan sosial IPSM", UANG, 5_000_000, 40_000_000),
        ("Paket sembako bagi keluarga fakir miskin", BARANG, 2_000_000, 15_000_000),
    ],
    PartnerSector.LKS: [("Perawatan lansia terlantar di panti", BARANG, 1_000_000, 7_500_000)],
    PartnerSector.PERGURUAN_TINGGI: [
        ("Pendampingan mahasiswa KKN tematik PMKS", BARANG, 2_000_000, 8_000_000)
    ],
    PartnerSector.LAYANAN_KESEHATAN: [
        ("Pemeriksaan kesehatan gratis bagi lansia", BARANG, 1_000_000, 5_000_000)
    ],
    PartnerSector.KEAGAMAAN: [
        ("Santunan keluarga fakir miskin", UANG, 1_000_000, 12_000_000),
        ("Bantuan alat bantu bagi penyandang disabilitas", BARANG, 1_500_000, 8_000_000),
    ],
    PartnerSector.ORMAS: [("Bantuan korban kebakaran dan bencana", BARANG, 500_000, 5_000_000)],
    PartnerSector.INSTANSI: [("Layanan administrasi kependudukan keliling", BARANG, 500_000, 3_000_000)],
}
MUSYAWARAH_TOPIC = Topic(
    "Pemilihan pengurus IPSM",
    "Pengurus lama menyampaikan laporan pertanggungjawaban masa bakti dan diterima oleh anggota. Anggota "
    "memilih pengurus baru secara musyawarah mufakat untuk masa bakti lima tahun.",
    ("Laporan pertanggungjawaban pengurus lama diterima.", "Pengurus baru masa bakti lima tahun ditetapkan."),
    ("Mengusulkan SK pengurus baru ke Dinas Sosial", "Serah terima dokumen dan kas dari pengurus lama"),
)
# Indicator targets of last year (_write_indicator_targets draws each in the size of the kab/kota).
TARGET_INDICATORS = [
    "reporting_rate", "psm_with_valid_sk_share", "units_with_sk_share", "meetings_held", "active_partners",
    "contributions_value", "psm_trained",
]  # fmt: skip


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
    board_positions: int = 0
    board_decrees: int = 0
    meetings: int = 0
    meeting_attendance: int = 0
    meeting_decisions: int = 0
    follow_ups: int = 0
    partners: int = 0
    partner_kecamatan: int = 0
    contributions: int = 0
    indicator_targets: int = 0
    programmes: int = 0
    programme_activities: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class RegistryNotEmpty(Exception):
    """The database already holds registry data: generating into it is refused."""


def registry_is_empty() -> bool:
    # Partners, meetings and targets too: their names, days and (kab/kota, year) would collide as well.
    models = (Unit, Member, Case, PmksCount, Event, Meeting, Partner, IndicatorTarget, WorkProgramme)
    return not any(model.objects.exists() for model in models)


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
        # The institution and its partners (issue 15): each a step of its own, reading what the steps above
        # kept (units, active spans of members); a later step may read what they keep (self.meetings).
        with _step(report, "institution", log):
            self._write_institution()
        log(
            f"    {report.board_positions} board seats ({report.board_decrees} SK), "
            f"{report.meetings} meetings, {report.meeting_attendance} attendance, "
            f"{report.meeting_decisions} decisions, {report.follow_ups} follow-ups"
        )
        with _step(report, "partners", log):
            self._write_partners()
        log(f"    {report.partners} partners, {report.contributions} contributions")
        with _step(report, "indicator targets", log):
            self._write_indicator_targets()
        with _step(report, "work programmes", log):
            self._write_programmes()
        log(f"    {report.programmes} work programmes, {report.programme_activities} planned activities")
        # Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED): a row at a time, the
        # biggest single cost at scale 1. Checked here, so that the time shows where it is spent.
        with _step(report, "foreign key checks", log), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in (
            "members_unit", "members_member", "members_statuschange", "cases_pmkscount", "cases_case",
            "cases_casestatuschange", "cases_casepsmassignment", "trainings_event", "trainings_organiser",
            "trainings_participant", "trainings_attendance", "cases_monthlyreport", "members_meeting",
            "members_meetingdecision", "members_boarddecree", "members_partner", "members_workprogramme",
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
        self.kabkota_full_names = dict(kabkota)
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
        self.kecamatan_names = {
            code: name
            for code, name in Region.objects.filter(level=RegionLevel.KECAMATAN).values_list("code", "name")
            if code[:5] in chosen
        }
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
            [
                "id", "region_id", "sk_number", "sk_date", "sk_issuer", "roster_confirmed_at", "kta_serial",
                "created_at",
            ],
            self._unit_lines(),
        )  # fmt: skip

    def _unit_lines(self) -> Iterator[str]:
        for kabkota in self.kabkota:
            rng = self.rng("unit details", kabkota)
            sk_rng = self.rng("unit sk", kabkota)  # apart: the draws above stay as they were
            head = f"Kepala Dinas Sosial {self.kabkota_full_names[kabkota]}"
            for pk, code, members in self.units[kabkota]:
                sk_year = rng.randint(2015, self.today.year - 1)
                sk_date = datetime.date(sk_year, rng.randint(1, 12), rng.randint(1, 28))
                roll = rng.random()
                if roll < 0.70:
                    days = rng.randint(0, 179)
                elif roll < 0.85:
                    days = rng.randint(181, 900)
                checked = NULL if roll >= 0.85 else f"{self.today - datetime.timedelta(days=days)} 09:00+07"
                sk = f"400.9/{rng.randint(1, 450):03d}/{sk_year}\t{sk_date}\t"
                sk_roll = sk_rng.random()
                if sk_roll < UNITS_WITHOUT_SK:
                    sk = f"\t{NULL}\t"
                elif sk_roll < 0.25:
                    sk += f"Camat {self.kecamatan_names.get(code[:8], '')}".strip()
                else:
                    sk += head
                yield f"{pk}\t{code}\t{sk}\t{checked}\t{members}\t{self.now}"

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
                "email", "education", "occupation", "joined_on", "sk_number", "sk_date", "sk_issuer",
                "sk_valid_until", "kta_number",
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
        sk_kinds, sk_cum = _weighted_list(MEMBER_SK)
        for kabkota in self.kabkota:
            rng = self.rng("members", kabkota)
            random_, randint, choice = rng.random, rng.randint, rng.choice
            sk_rng = self.rng("member sk", kabkota)  # apart: the draws above stay as they were
            head = f"Kepala Dinas Sosial {self.kabkota_full_names[kabkota]}"
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
                    sk_number, sk_date, sk_issuer, sk_valid_until = NULL, NULL, "", NULL
                    if status == MemberStatus.AKTIF:
                        sk_number, sk_date = f"460/{randint(1, 900):03d}/{joined_on.year}", joined_on
                        sk_kind = sk_kinds[_pick(sk_rng.random, sk_cum)]
                        if sk_kind == "missing":
                            sk_number, sk_date = NULL, NULL
                        else:
                            sk_issuer = head
                        if sk_kind == "expired":  # within the last 18 months, after the SK's date
                            sk_valid_until = fromordinal(
                                sk_rng.randint(max(joined + 1, today - 540), today - 1)
                            )
                        elif sk_kind == "valid":
                            sk_valid_until = fromordinal(sk_rng.randint(today + 30, today + 4 * 365))
                    education = educations[_pick(random_, education_cum)]
                    occupation = occupations[_pick(random_, occupation_cum)]
                    born_in = home if random_() < 0.8 else choice(OTHER_BIRTH_PLACES)
                    yield (
                        f"{pk}\t{nik}\t{first}\t{'P' if female else 'L'}\t{born_in}\t{birth}\t{address}\t"
                        f"{randint(1, 15):03d}\t{randint(1, 9):03d}\t{phone}\t\t{education}\t{occupation}\t"
                        f"{joined_on}\t{'' if sk_number is NULL else sk_number}\t{sk_date}\t{sk_issuer}\t"
                        f"{sk_valid_until}\t"
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

    # --- The institution: boards and their SK, meetings ------------------------------------------------

    def _write_institution(self) -> None:
        """A kab/kota at a time: its boards and their SK, its units' and forums' meetings with attendance,
        decisions and follow-ups. Rows pointing at each other (a seat at its SK and at the musyawarah that
        elected it, a follow-up at its decision) get their ids here; the foreign keys are checked at commit.

        Keeps `self.meetings` (kab/kota -> (meeting id, unit id or None, kind, ordinal day)) for a later step,
        e.g. one that marks planned activities realised by a meeting."""
        self.meetings: dict[str, list[tuple[int, int | None, str, int]]] = {}
        ids: dict[str, int] = defaultdict(int)  # table -> last id written
        report = self.report
        for kabkota in self.kabkota:
            rows = _InstitutionRows()
            self._plan_institution(kabkota, rows, ids)
            report.meetings += _copy(
                "members_meeting",
                [
                    "id", "unit_id", "region_id", "kind", "held_on", "place", "agenda", "minutes", "guests",
                    "created_at", "updated_at",
                ],
                rows.meetings,
            )  # fmt: skip
            report.meeting_attendance += _copy(
                "members_meetingattendance", ["meeting_id", "member_id", "present"], rows.attendance
            )
            report.meeting_decisions += _copy(
                "members_meetingdecision", ["id", "meeting_id", "text"], rows.decisions
            )
            report.follow_ups += _copy(
                "members_followup",
                ["meeting_id", "decision_id", "task", "responsible_id", "due_on", "done_on", "note"],
                rows.follow_ups,
            )
            report.board_decrees += _copy(
                "members_boarddecree",
                ["id", "unit_id", "number", "issued_on", "issuer", "file", "meeting_id", "created_at"],
                rows.decrees,
            )
            report.board_positions += _copy(
                "members_boardposition",
                [
                    "unit_id", "member_id", "role", "term_starts_on", "term_ends_on", "sk_number",
                    "decree_id", "elected_at_id",
                ],
                rows.seats,
            )  # fmt: skip

    def _plan_institution(self, kabkota: str, rows: _InstitutionRows, ids: dict[str, int]) -> None:
        rng = self.rng("institution", kabkota)
        random_, randint, choice = rng.random, rng.randint, rng.choice
        today = self.today_ordinal
        months = self._report_months()
        window = months[0][1]  # the first day of the 12 months
        head = f"Kepala Dinas Sosial {self.kabkota_full_names[kabkota]}"
        levels = dict(self.desa[kabkota])
        spans: dict[int, list[tuple[int, int, int]]] = defaultdict(
            list
        )  # unit -> (member, aktif from, until)
        for unit_pk, member, aktif_from, aktif_until in self.aktif_spans[kabkota]:
            spans[unit_pk].append((member, aktif_from, aktif_until))
        self.meetings[kabkota] = []
        # For the forums: (desa code, member, term start, aktif from, aktif until) of each unit's ketua.
        seat_holders: list[tuple[str, int, int, int, int]] = []
        for unit_pk, code, _count in self.units[kabkota]:
            people = spans.get(unit_pk, [])
            office = "Kelurahan" if levels[code] == RegionLevel.KELURAHAN else "Desa"
            place = choice(MEETING_PLACES).format(office=office)

            def aktif_on(day: int, people=people) -> list[int]:
                return [member for member, start, end in people if start <= day <= end]

            # The board: three of the PSM aktif now who were aktif when its term began.
            holders, starts, elected = [], 0, NULL
            current = [(member, start) for member, start, end in people if end >= today]
            if len(current) >= len(BOARD_SEATS) and random_() < BOARD_UNITS:
                starts = randint(today - 6 * 365, today - 30)
                eligible = [member for member, start in current if start <= starts]
                if len(eligible) >= len(BOARD_SEATS):
                    holders = rng.sample(eligible, len(BOARD_SEATS))
            if holders and starts - 21 >= window:  # elected at a musyawarah within the 12 months
                day = starts - randint(3, 21)
                elected = self._meeting(
                    kabkota, rows, ids, rng, unit_pk=unit_pk, region=code, kind=MeetingKind.MUSYAWARAH,
                    day=day, place=place, expected=aktif_on(day), turnout=0.9, topics=[MUSYAWARAH_TOPIC],
                )  # fmt: skip
            if holders:
                decree, number = NULL, ""
                if random_() < BOARDS_WITH_SK:
                    ids["decree"] += 1
                    decree = ids["decree"]
                    issued_on = datetime.date.fromordinal(starts)
                    number = f"463/{randint(1, 450):03d}/{issued_on.year}"
                    rows.decrees.append(
                        f"{decree}\t{unit_pk}\t{number}\t{issued_on}\t{head}\t\t{elected}\t{self.now}"
                    )
                ends = datetime.date.fromordinal(starts + BOARD_TERM_DAYS)
                term = f"{datetime.date.fromordinal(starts)}\t{ends}"
                aktif = {member: (start, end) for member, start, end in people}
                for role, member in zip(BOARD_SEATS, holders, strict=True):
                    rows.seats.append(f"{unit_pk}\t{member}\t{role}\t{term}\t{number}\t{decree}\t{elected}")
                    if role == BoardRole.KETUA:  # who speaks for the unit at the forums above it
                        seat_holders.append((code, member, starts, *aktif[member]))
            # Meetings: about half of the units with PSM meet, each at its own rate, on its habitual day.
            if not people or random_() >= MEETING_UNITS:
                continue
            rate, turnout = rng.uniform(*MEETING_RATE), rng.uniform(0.6, 0.95)
            habit = randint(3, 25)
            board_months = set(rng.sample(range(len(months)), randint(1, 2))) if holders else set()
            for index, (_month, first, last, _due_on, _due) in enumerate(months):
                if random_() < rate:
                    day = min(last, max(first, first + habit - 1 + randint(-3, 3)))
                    self._meeting(
                        kabkota, rows, ids, rng, unit_pk=unit_pk, region=code, kind=MeetingKind.RUTIN,
                        day=day, place=place, expected=aktif_on(day), turnout=turnout, topics=ROUTINE_TOPICS,
                    )  # fmt: skip
                if index in board_months:  # everyone is on the list (members.meetings), the board comes
                    day = min(last, first + (habit + 12) % 28)
                    self._meeting(
                        kabkota, rows, ids, rng, unit_pk=unit_pk, region=code, kind=MeetingKind.PENGURUS,
                        day=day, place=place, expected=aktif_on(day), turnout=0.9, topics=BOARD_TOPICS,
                        likely=set(holders),
                    )  # fmt: skip
        self._plan_forum_meetings(kabkota, rows, ids, rng, months, seat_holders)

    def _plan_forum_meetings(
        self,
        kabkota: str,
        rows: _InstitutionRows,
        ids: dict[str, int],
        rng: random.Random,
        months: list,
        seat_holders: list[tuple[str, int, int, int, int]],
    ) -> None:
        """1-3 rapat koordinasi of each kecamatan's IPSM forum, 2 of the kab/kota's, expecting the ketua of
        each unit below, active on the day (members.meetings.forum_attendees: no kecamatan or kab/kota units
        are generated, so no forum board of its own)."""
        full = self.kabkota_full_names[kabkota]
        kecamatan = sorted({code[:8] for _pk, code, _count in self.units[kabkota]})
        forums = [(code, rng.randint(1, 3)) for code in kecamatan] + [(kabkota, 2)]
        for code, count in forums:
            name = self.kecamatan_names.get(code, "")
            if code == kabkota:
                place, guests = f"Aula Dinas Sosial {full}", f"Kepala Dinas Sosial, TKSK se-{full}, mitra"
            else:
                place = f"Aula Kantor Kecamatan {name}".strip()
                guests = f"TKSK Kecamatan {name}, perangkat kelurahan/desa, Dinas Sosial {full}"
            for index in sorted(rng.sample(range(len(months)), count)):
                _month, first, last, _due_on, _due = months[index]
                day = min(last, first + rng.randint(7, 23))
                expected = [
                    member
                    for desa, member, starts, aktif_from, aktif_until in seat_holders
                    if desa.startswith(code) and starts <= day and aktif_from <= day <= aktif_until
                ]
                self._meeting(
                    kabkota, rows, ids, rng, unit_pk=None, region=code, kind=MeetingKind.KOORDINASI, day=day,
                    place=place, expected=expected, turnout=0.75, topics=FORUM_TOPICS, guests=guests,
                    keep_empty=True,
                )  # fmt: skip

    def _meeting(
        self,
        kabkota: str,
        rows: _InstitutionRows,
        ids: dict[str, int],
        rng: random.Random,
        *,
        unit_pk: int | None,
        region: str,
        kind: str,
        day: int,
        place: str,
        expected: list[int],
        turnout: float,
        topics: list[Topic],
        likely: set[int] | None = None,
        guests: str = "",
        keep_empty: bool = False,
    ) -> int | str:
        """One meeting with its attendance, maybe decisions and a follow-up; its id (NULL if not held: a unit
        with nobody aktif that day)."""
        if not expected and not keep_empty:
            return NULL
        random_, randint, choice = rng.random, rng.randint, rng.choice
        ids["meeting"] += 1
        pk = ids["meeting"]
        held_on = datetime.date.fromordinal(day)
        topic = choice(topics)
        last_month = held_on.replace(day=1) - datetime.timedelta(days=1)
        if kind == MeetingKind.RUTIN:
            agenda = (
                f"1. Pembukaan\\n2. Laporan kegiatan anggota bulan {MONTHS_ID[last_month.month - 1]} "
                f"{last_month.year}\\n3. {topic.title}\\n4. Lain-lain\\n5. Penutup"
            )
        else:
            agenda = f"1. Pembukaan\\n2. {topic.title}\\n3. Penutup"
        opens, closes = choice(HOURS)
        minutes = ""
        if random_() < 0.85:
            minutes = (
                f"Pertemuan dibuka pukul {opens} WIB. {topic.minutes} Pertemuan ditutup pukul {closes} WIB."
            )
        unit = NULL if unit_pk is None else unit_pk
        rows.meetings.append(
            f"{pk}\t{unit}\t{region}\t{kind}\t{held_on}\t{place}\t{agenda}\t{minutes}\t{guests}\t"
            f"{held_on} 20:00:00+07\t{held_on} 20:00:00+07"
        )
        self.meetings[kabkota].append((pk, unit_pk, kind, day))
        present = [
            member
            for member in expected
            if random_() < (turnout if likely is None or member in likely else 0.1)
        ] or expected[:1]
        here = set(present)
        rows.attendance.extend(f"{pk}\t{member}\t{'t' if member in here else 'f'}" for member in expected)
        if not present or random_() >= MEETINGS_WITH_DECISIONS:
            return pk
        decisions = rng.sample(topic.decisions, min(len(topic.decisions), randint(1, 2)))
        first_decision = ids["decision"] + 1
        for text in decisions:
            ids["decision"] += 1
            rows.decisions.append(f"{ids['decision']}\t{pk}\t{text}")
        if random_() < DECISIONS_WITH_FOLLOW_UP:
            due = day + randint(7, 45)
            done_on, note = NULL, ""
            if due < self.today_ordinal and random_() < FOLLOW_UPS_DONE:
                done_on = datetime.date.fromordinal(
                    min(day + randint(2, due - day + 10), self.today_ordinal - 1)
                )
                note = choice(("", "Sudah dilaksanakan.", "Selesai, laporan diserahkan."))
            rows.follow_ups.append(
                f"{pk}\t{first_decision}\t{choice(topic.tasks)}\t{choice(present)}\t"
                f"{datetime.date.fromordinal(due)}\t{done_on}\t{note}"
            )
        return pk

    # --- Partners -------------------------------------------------------------------------------------

    def _write_partners(self) -> None:
        """Partners of each kab/kota, the kecamatan they serve and what they gave in the 12 months."""
        self.partners: dict[str, list[int]] = defaultdict(list)  # kab/kota -> partner ids
        partners, served, contributions = [], [], []
        for kabkota in self.kabkota:
            partners.extend(self._partner_lines(kabkota, len(partners), served, contributions))
        report = self.report
        report.partners = _copy(
            "members_partner",
            [
                "id", "region_id", "name", "sector", "contact_name", "phone", "email", "address",
                "mou_number", "mou_starts_on", "mou_ends_on", "is_active", "notes", "created_at",
            ],
            partners,
        )  # fmt: skip
        report.partner_kecamatan = _copy(
            "members_partner_kecamatan_served", ["partner_id", "region_id"], served
        )
        report.contributions = _copy(
            "members_contribution",
            ["partner_id", "kind", "value", "given_on", "purpose", "beneficiaries", "unit_id", "recorded_at"],
            contributions,
        )

    def _partner_lines(self, kabkota: str, pk: int, served: list[str], contributions: list[str]) -> list[str]:
        rng = self.rng("partners", kabkota)
        random_, randint, choice = rng.random, rng.randint, rng.choice
        sectors, sector_cum = _weighted_list(PARTNER_SECTORS)
        agreements, agreement_cum = _weighted_list(PARTNER_AGREEMENTS)
        fromordinal = datetime.date.fromordinal
        today = self.today_ordinal
        months = self._report_months()
        window_first, window_last = months[0][1], months[-1][2]
        kab, full = self.kabkota_names[kabkota], self.kabkota_full_names[kabkota]
        units_by_kecamatan: dict[str, list[int]] = defaultdict(list)
        for unit_pk, code, count in self.units[kabkota]:
            if count:
                units_by_kecamatan[code[:8]].append(unit_pk)
        kecamatan = sorted({code[:8] for code, _level in self.desa[kabkota]})
        lines, names = [], set()
        wanted = randint(*PARTNERS_PER_KABKOTA)
        for _ in range(5 * wanted):  # a name drawn twice is drawn again (one name per kab/kota)
            if len(lines) == wanted:
                break
            sector = sectors[_pick(random_, sector_cum)]
            home = choice(kecamatan)
            name = choice(PARTNER_NAMES[sector]).format(
                kab=kab,
                full=full,
                kec=self.kecamatan_names.get(home, kab),
                a=choice(NAME_WORDS_A),
                b=choice(NAME_WORDS_B),
                c=choice(NAME_WORDS_C),
            )
            if name in names:
                continue
            names.add(name)
            pk += 1
            self.partners[kabkota].append(pk)
            agreement = agreements[_pick(random_, agreement_cum)]
            starts = ends = None
            if agreement == "expiring":
                ends = today + randint(10, 85)
            elif agreement == "ended":
                ends = today - randint(10, 200)
            elif agreement == "long":
                ends = today + randint(120, 1500)
            if agreement != "none":
                starts = (ends or today) - randint(365, 3 * 365)
            number = f"PKS/460/{randint(1, 450):03d}/{fromordinal(starts).year}" if starts else ""
            active = random_() < (0.5 if agreement == "ended" else 0.97)
            contact = _person_name(rng, female=random_() < 0.5)
            slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
            email = f"csr@{slug}.co.id" if sector == PartnerSector.DUNIA_USAHA else ""
            lines.append(
                f"{pk}\t{kabkota}\t{name}\t{sector}\t{contact}\t{_phone(rng)}\t{email}\t"
                f"Jl. {choice(STREETS)} No. {randint(1, 200)}, {kab}\t{number}\t"
                f"{fromordinal(starts) if starts else NULL}\t{fromordinal(ends) if ends else NULL}\t"
                f"{'t' if active else 'f'}\t\t{self.now}"
            )
            if sector == PartnerSector.LAYANAN_KESEHATAN and name.startswith("Puskesmas"):
                serving = [home]
            elif random_() < 0.3:
                serving = kecamatan
            else:
                serving = sorted(rng.sample(kecamatan, min(len(kecamatan), randint(1, 4))))
            served.extend(f"{pk}\t{code}" for code in serving)
            pool = [unit for code in serving for unit in units_by_kecamatan.get(code, ())]
            for _ in range(choice((0, 1, 2, 2, 3, 4, 6))):
                day = randint(window_first, window_last)
                purpose, kind, low, high = choice(CONTRIBUTIONS[sector])
                value = randint(low // 100_000, high // 100_000) * 100_000
                beneficiaries = randint(5, 120) if random_() < 0.8 else NULL
                unit = choice(pool) if pool and random_() < 0.7 else NULL
                if (starts and day < starts) or (ends and day > ends):
                    continue  # given only while the agreement is in force
                contributions.append(
                    f"{pk}\t{kind}\t{value}\t{fromordinal(day)}\t{purpose}\t{beneficiaries}\t{unit}\t"
                    f"{fromordinal(day)} 10:00:00+07"
                )
        return lines

    # --- Indicator targets ----------------------------------------------------------------------------

    def _write_programmes(self) -> None:
        """The units' work programmes of this year (module function _programme_lines), after the meetings
        that realise some of their activities."""
        ids: dict[str, int] = defaultdict(int)
        programmes, activities = [], []
        for kabkota in self.kabkota:
            programmes.extend(_programme_lines(self, kabkota, ids, activities))
        report = self.report
        report.programmes = _copy(
            "members_workprogramme",
            ["id", "unit_id", "year", "adopted_at_id", "created_by_id", "created_at", "updated_at"],
            programmes,
        )
        report.programme_activities = _copy(
            "members_programmeactivity",
            [
                "programme_id", "title", "kind", "month", "target", "funding", "partner_id", "budget",
                "realised_on", "realised_by", "meeting_id", "report_count", "note",
            ],
            activities,
        )  # fmt: skip

    def _write_indicator_targets(self) -> None:
        """Last year's baseline and target of TARGET_INDICATORS for each kab/kota, in the size of its data
        (shares in percent, as trainings/targets.py keeps them)."""
        kinds = {key: kind for _level, key, kind, _name, _formula in DEFINITIONS}
        year = self.today.year - 1
        lines = []
        for kabkota in self.kabkota:
            rng = self.rng("indicator targets", kabkota)
            units, partners = len(self.units[kabkota]), len(self.partners.get(kabkota, ()))
            members = len(self.active_by_kabkota[kabkota])
            for key in TARGET_INDICATORS:
                if key not in kinds:
                    continue
                if kinds[key] == SHARE:
                    baseline = rng.uniform(60, 88)
                    target = min(100.0, baseline + rng.uniform(3, 12))
                else:
                    size = {
                        "meetings_held": units * rng.uniform(3, 6),
                        "active_partners": partners * rng.uniform(0.7, 1.0),
                        "contributions_value": partners * rng.uniform(5, 20) * 1_000_000,
                        "psm_trained": members * rng.uniform(0.2, 0.4),
                    }.get(key, rng.uniform(10, 100))
                    baseline = float(round(size))
                    target = float(round(size * rng.uniform(1.05, 1.3)))
                lines.append(f"{kabkota}\t{year}\t{key}\t{baseline:.2f}\t{target:.2f}\t{self.now}")
        self.report.indicator_targets = _copy(
            "trainings_indicatortarget",
            ["region_id", "year", "indicator", "baseline", "target", "updated_at"],
            lines,
        )


@dataclass
class _InstitutionRows:
    """The COPY lines of one kab/kota's institution."""

    meetings: list[str] = field(default_factory=list)
    attendance: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)
    decrees: list[str] = field(default_factory=list)
    seats: list[str] = field(default_factory=list)


# --- Work programmes ---------------------------------------------------------------------------------------

# (title, kind, the months it may fall in, funding) of a unit's planned activities.
PROGRAMME_PLAN = [
    ("Pertemuan rutin triwulan I", "pertemuan", (3,), "swadaya"),
    ("Pertemuan rutin triwulan II", "pertemuan", (6,), "swadaya"),
    ("Pertemuan rutin triwulan III", "pertemuan", (9,), "swadaya"),
    ("Pertemuan rutin triwulan IV", "pertemuan", (12,), "swadaya"),
    ("Pendataan PMKS", "pendataan", (1, 2), "dana_desa"),
    ("Kunjungan rumah lansia", "kunjungan", (4, 5), "swadaya"),
    ("Pendampingan keluarga PKH", "pendampingan", (6, 7), "swadaya"),
    ("Sosialisasi perlindungan anak", "sosialisasi", (7, 8), "dana_desa"),
    ("Penguatan kapasitas PSM", "pelatihan", (5, 8, 10), "apbd"),
    ("Kesiapsiagaan bencana", "bencana", (10, 11), "dana_desa"),
    ("Bakti sosial HKSN", "lainnya", (12,), "swadaya"),
]
PROGRAMME_SHARE = 0.5  # of the units, those with a programme for this year
REALISED_SHARE = 0.65  # of the activities of a month that has ended


def _programme_lines(
    generator: _Generator, kabkota: str, ids: dict[str, int], activities: list[str]
) -> Iterator[str]:
    """This year's programme of about half the units of `kabkota`, 6-9 activities each; those of a month
    that has ended mostly realised: by the unit's meeting that month when it held one (generator.meetings,
    kept by the institution step), else by PSM reports or by hand."""
    rng = generator.rng("programmes", kabkota)
    random_, randint = rng.random, rng.randint
    today = generator.today
    year = today.year
    ended = today.month - 1
    met: dict[tuple[int, int], tuple[int, int]] = {}  # (unit, month) -> (meeting id, day)
    for pk, unit_pk, _kind, day in generator.meetings.get(kabkota, []):
        held_on = datetime.date.fromordinal(day)
        if unit_pk is not None and held_on.year == year:
            met.setdefault((unit_pk, held_on.month), (pk, day))
    for unit_pk, _code, members in generator.units[kabkota]:
        if not members or random_() >= PROGRAMME_SHARE:
            continue
        ids["programme"] += 1
        programme = ids["programme"]
        yield f"{programme}\t{unit_pk}\t{year}\t{NULL}\t{NULL}\t{generator.now}\t{generator.now}"
        for title, kind, months, funding in rng.sample(PROGRAMME_PLAN, randint(6, 9)):
            month = rng.choice(months)
            realised_on = realised_by = meeting = reports = NULL
            note = ""
            if month <= ended and random_() < REALISED_SHARE:
                first = datetime.date(year, month, 1).toordinal()
                if kind == "pertemuan" and (unit_pk, month) in met:
                    meeting, day = met[unit_pk, month]
                    realised_on, realised_by = datetime.date.fromordinal(day), "rapat"
                elif kind != "pelatihan" and random_() < 0.6:
                    realised_on, realised_by = datetime.date.fromordinal(first + randint(0, 27)), "laporan"
                    reports = randint(1, min(members, 6))
                else:
                    realised_on, realised_by = datetime.date.fromordinal(first + randint(0, 27)), "manual"
                    note = "Dokumentasi di buku kegiatan unit"
            activities.append(
                f"{programme}\t{title}\t{kind}\t{month}\t\t{funding}\t{NULL}\t{NULL}\t{realised_on}\t"
                f"{'' if realised_by is NULL else realised_by}\t{meeting}\t{reports}\t{note}"
            )


def _pick(random_: Callable[[], float], cumulative: list[float]) -> int:
    """Index of a weighted choice, given the cumulative weights."""
    return bisect(cumulative, random_() * cumulative[-1])


def _pick_total(random_: Callable[[], float], cumulative: list[float]) -> int:
    """As _pick, for long lists of floating weights (never past the end through rounding)."""
    return min(len(cumulative) - 1, bisect(cumulative, random_() * cumulative[-1]))
