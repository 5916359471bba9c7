"""Demo data for the IPSM as an institution (issue 15): a year of meetings, the legality of units, boards and
PSM with its gaps, and the partners of each kab/kota with what they contributed.

- Meetings: each village unit holds its pertemuan rutin most months (some months skipped, more so in
  Temanggung), a few rapat pengurus, and a few units whose board began this year held the musyawarah that
  elected it; the IPSM forum of each kecamatan holds a quarterly rapat koordinasi with TKSK, kelurahan/desa
  and Dinas Sosial, that of each kab/kota meets twice a year. Who is expected follows members.meetings
  (`expected_members`): a unit's active members, a forum's own board and the ketua of each unit below; both
  as they stood on the day (from the status history). Most attend; each meeting took one to three
  decisions and up to three follow-ups, given to someone present, most done, some overdue.
- Legality: the issuer of each unit's and PSM's SK penetapan/pembentukan, and the validity of PSM's SK (some
  expired last year; the demo's PSM without SK keep none); most units' boards have their SK (BoardDecree)
  pointing at the seats it appointed, some boards none. Only empty fields are filled, nothing is overwritten.
- Partners: five to seven per kab/kota across the sectors, one agreement ending within 90 days and one
  ended; 0-2 contributions a month, some for a unit; a few training events name sponsors and take a
  contribution; demo referrals to an institution that is a partner point at it.

As in ipsm.devtools.demo, everything is planned from the database and fixed seeds (per unit and month, so a
later day only adds the new month) and only what is missing is written, found by natural key: a meeting by
(region, kind, date), a decree by its unit, a partner by (kab/kota, name), a contribution by (partner, date,
purpose). Attendance, decisions and follow-ups are only written with a meeting created by this run.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cases.models import Referral
from ipsm.devtools.demo import (
    BATCH_SIZE,
    DEMO_PREFIXES,
    MAGELANG,
    SEED,
    SHOWCASE_VILLAGE,
    TEMANGGUNG,
    DemoReport,
    _date_between,
    _decree,
    _person_name,
    _phone,
)
from ipsm.devtools.demo_common import copy_rows, end_of_month
from ipsm.devtools.demo_reports import demo_months
from members.models import (
    BoardDecree,
    BoardPosition,
    BoardRole,
    Contribution,
    ContributionKind,
    FollowUp,
    Meeting,
    MeetingAttendance,
    MeetingDecision,
    MeetingKind,
    Member,
    MemberStatus,
    Partner,
    PartnerSector,
    Region,
    RegionLevel,
    StatusChange,
    Unit,
)
from trainings.models import Event

STAFF = {MAGELANG: "staf-magelang", TEMANGGUNG: "staf-temanggung"}
COORDINATOR = {SHOWCASE_VILLAGE: "koordinator-rejowinangun-utara"}
KABKOTA_NAME = {MAGELANG: "Kota Magelang", TEMANGGUNG: "Kabupaten Temanggung"}
DINSOS_HEAD = {
    MAGELANG: "Kepala Dinas Sosial Kota Magelang",
    TEMANGGUNG: "Kepala Dinas Sosial Kabupaten Temanggung",
}
HEAD_OF_REGION = {MAGELANG: "Wali Kota Magelang", TEMANGGUNG: "Bupati Temanggung"}
# Per kab/kota: (lowest and highest share of months a unit skips its pertemuan rutin).
SKIP_SHARE = {MAGELANG: (0.05, 0.25), TEMANGGUNG: (0.1, 0.45)}
MUSYAWARAH_UNITS = {MAGELANG: 2, TEMANGGUNG: 4}
BOARD_SK_SHARE = {MAGELANG: 0.88, TEMANGGUNG: 0.75}
FORUM_MONTHS_KECAMATAN = (1, 4, 7, 10)  # of the 13 months of demo_months: quarterly
FORUM_MONTHS_KABKOTA = (3, 9)
# A PSM's SK penetapan: (share expired last year, share valid without an end date); the rest end later.
SK_EXPIRED_SHARE = 0.1
SK_OPEN_SHARE = 0.08

MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
    "November", "Desember",
]  # fmt: skip


@dataclass(frozen=True)
class Topic:
    title: str
    minutes: str
    decisions: tuple[str, ...]
    tasks: tuple[str, ...]


ROUTINE_TOPICS = [
    Topic(
        "Pemutakhiran data PMKS di tingkat RT/RW",
        "Anggota membahas hasil pendataan PMKS bulan lalu; beberapa RW belum terdata karena pengurus RT "
        "sulit ditemui.",
        (
            "Pendataan PMKS diselesaikan per RW sebelum akhir bulan.",
            "Data dicocokkan dengan DTSEN kelurahan.",
        ),
        ("Menyerahkan rekap pendataan PMKS ke kelurahan", "Mendata ulang RW yang belum terdata"),
    ),
    Topic(
        "Pendampingan lansia terlantar",
        "Dilaporkan beberapa lansia tinggal sendiri tanpa keluarga yang merawat; sebagian sudah dirujuk ke "
        "puskesmas untuk pemeriksaan rutin.",
        ("Setiap anggota mendampingi paling sedikit dua lansia.", "Lansia tanpa KIS diusulkan menjadi PBI."),
        ("Mengusulkan KIS PBI bagi lansia dampingan", "Kunjungan rumah lansia bersama bidan desa"),
    ),
    Topic(
        "Persiapan penyaluran bantuan sosial",
        "Dibahas jadwal penyaluran BPNT dan PKH serta pembagian tugas anggota untuk membantu warga lansia "
        "dan penyandang disabilitas saat pengambilan bantuan.",
        (
            "Anggota bergiliran mendampingi penyaluran bantuan.",
            "Warga yang belum menerima dicatat dan dilaporkan.",
        ),
        ("Menyusun jadwal piket pendampingan penyaluran", "Melaporkan warga yang belum menerima bantuan"),
    ),
    Topic(
        "Laporan bulanan PSM",
        "Sekretaris mengingatkan batas pengiriman laporan bulanan; beberapa anggota masih mengirim laporan "
        "di atas kertas dan dibantu mengisi secara daring.",
        ("Laporan bulanan dikirim paling lambat tanggal 5.", "Anggota yang kesulitan dibantu sekretaris."),
        ("Membantu anggota mengisi laporan daring", "Merekap laporan bulanan anggota"),
    ),
    Topic(
        "Kas dan iuran anggota",
        "Bendahara menyampaikan laporan kas; iuran anggota sebagian besar sudah terkumpul.",
        ("Iuran anggota tetap Rp10.000 per bulan.", "Laporan kas disampaikan setiap pertemuan."),
        ("Menagih iuran anggota yang tertunda", "Menyusun laporan kas triwulan"),
    ),
    Topic(
        "Penanganan keluarga fakir miskin",
        "Anggota menyampaikan perkembangan keluarga dampingan; dua keluarga membutuhkan bedah rumah dan "
        "diusulkan melalui musrenbang.",
        (
            "Keluarga dampingan dikunjungi paling sedikit sebulan sekali.",
            "Usulan bedah rumah diajukan ke kelurahan.",
        ),
        ("Menyusun proposal rehabilitasi rumah tidak layak huni", "Kunjungan ulang keluarga dampingan"),
    ),
]
BOARD_TOPICS = [
    Topic(
        "Evaluasi program kerja semester",
        "Pengurus mengevaluasi kegiatan semester berjalan; sebagian kegiatan terlaksana, sosialisasi ke RW "
        "belum terlaksana karena jadwal bentrok.",
        (
            "Sosialisasi ke RW dijadwalkan ulang bulan depan.",
            "Program kerja tahun depan disusun bersama anggota.",
        ),
        ("Menyusun jadwal ulang sosialisasi", "Menyiapkan rancangan program kerja tahun depan"),
    ),
    Topic(
        "Kelengkapan administrasi dan SK anggota",
        "Pengurus memeriksa kelengkapan SK penetapan anggota; beberapa SK sudah habis masa berlakunya.",
        ("SK anggota yang habis diusulkan diperpanjang ke Dinas Sosial.",),
        ("Mengirim usulan perpanjangan SK anggota", "Memperbarui daftar anggota aktif"),
    ),
    Topic(
        "Kerja sama dengan mitra",
        "Dibahas peluang kerja sama dengan dunia usaha dan lembaga setempat untuk kegiatan sosial.",
        ("Proposal kegiatan disampaikan kepada mitra CSR.",),
        ("Menyusun proposal kegiatan untuk mitra", "Menjadwalkan audiensi dengan mitra"),
    ),
]
FORUM_TOPICS = [
    Topic(
        "Koordinasi penanganan PMKS di wilayah",
        "TKSK menyampaikan rekap kasus PMKS; perwakilan kelurahan/desa dan Dinas Sosial membahas kasus yang "
        "memerlukan rujukan.",
        (
            "Kasus yang memerlukan rujukan dilaporkan ke TKSK dalam satu minggu.",
            "Rekap PMKS disampaikan tiap triwulan.",
        ),
        ("Mengirim rekap PMKS triwulan ke Dinas Sosial", "Menindaklanjuti kasus rujukan yang tertunda"),
    ),
    Topic(
        "Pemutakhiran DTSEN dan usulan bantuan",
        "Dinas Sosial menyampaikan jadwal pemutakhiran DTSEN; unit IPSM diminta membantu verifikasi di "
        "lapangan.",
        (
            "Setiap unit menugaskan anggota untuk verifikasi DTSEN.",
            "Usulan warga baru dikumpulkan melalui TKSK.",
        ),
        ("Menyerahkan daftar petugas verifikasi", "Mengumpulkan usulan warga baru"),
    ),
    Topic(
        "Kesiapsiagaan bencana",
        "Dibahas kesiapsiagaan menghadapi musim hujan, terutama tanah longsor dan angin kencang, bersama "
        "Tagana dan perangkat wilayah.",
        ("Unit IPSM mendata warga rentan di daerah rawan bencana.",),
        ("Mendata warga rentan di daerah rawan", "Menyiapkan posko relawan"),
    ),
]
VILLAGE_PLACES = [
    "Balai {village}",
    "Aula Kantor {village}",
    "Rumah ketua IPSM",
    "Pendopo {village}",
    "Musala RW 03",
]
# (opens, closes): in the morning, the afternoon or after evening prayers.
HOURS = [("09.00", "11.30"), ("13.00", "15.30"), ("19.30", "21.30"), ("19.30", "21.00")]
FOLLOW_UP_NOTES = [
    "",
    "",
    "Sudah dilaksanakan.",
    "Selesai, laporan diserahkan.",
    "Dilaksanakan bersama perangkat.",
]


@dataclass(frozen=True)
class PartnerSpec:
    name: str
    sector: str
    address: str
    mou: str  # "long", "expiring" (within 90 days), "ended", "open" (no end date)
    starts_on: datetime.date | None
    kecamatan: tuple[str, ...]  # codes served; () for all of the kab/kota
    purposes: tuple[tuple[str, str, int, int], ...]  # (purpose, kind, lowest value, highest value)
    email_domain: str = ""


PARTNERS = {
    MAGELANG: [
        PartnerSpec(
            "PT Sinar Tidar Makmur",
            PartnerSector.DUNIA_USAHA,
            "Jl. Ahmad Yani No. 210, Magelang",
            "long",
            datetime.date(2022, 3, 1),
            (),
            (
                ("Paket sembako bagi lansia terlantar", ContributionKind.BARANG, 5_000_000, 15_000_000),
                ("Dana CSR kegiatan sosial IPSM", ContributionKind.UANG, 10_000_000, 25_000_000),
            ),
            "sinartidar.co.id",
        ),
        PartnerSpec(
            "Universitas Tidar",
            PartnerSector.PERGURUAN_TINGGI,
            "Jl. Kapten Suparman No. 39, Magelang",
            "long",
            datetime.date(2023, 1, 16),
            (),
            (
                ("Pendampingan mahasiswa KKN tematik PMKS", ContributionKind.BARANG, 3_000_000, 8_000_000),
                ("Pelatihan pencatatan data bagi PSM", ContributionKind.BARANG, 2_500_000, 6_000_000),
            ),
            "untidar.ac.id",
        ),
        PartnerSpec(
            "Puskesmas Magelang Selatan",
            PartnerSector.LAYANAN_KESEHATAN,
            "Jl. Soekarno-Hatta, Magelang",
            "expiring",
            datetime.date(2022, 1, 10),
            ("33.71.01",),
            (("Pemeriksaan kesehatan gratis bagi lansia", ContributionKind.BARANG, 1_500_000, 4_000_000),),
        ),
        PartnerSpec(
            "LKS Lansia Among Sejahtera",
            PartnerSector.LKS,
            "Jl. Tentara Pelajar No. 12, Magelang",
            "long",
            datetime.date(2021, 6, 1),
            ("33.71.02", "33.71.03"),
            (("Perawatan lansia terlantar di panti", ContributionKind.BARANG, 2_000_000, 7_500_000),),
        ),
        PartnerSpec(
            "LAZ Masjid Agung Kauman Magelang",
            PartnerSector.KEAGAMAAN,
            "Alun-alun Barat, Magelang",
            "ended",
            datetime.date(2023, 2, 1),
            ("33.71.03",),
            (("Santunan keluarga fakir miskin", ContributionKind.UANG, 2_000_000, 10_000_000),),
        ),
        PartnerSpec(
            "Paguyuban Relawan Peduli Magelang",
            PartnerSector.ORMAS,
            "Jl. Pemuda No. 5, Magelang",
            "long",
            datetime.date(2024, 4, 1),
            (),
            (("Bantuan korban kebakaran dan bencana", ContributionKind.BARANG, 1_000_000, 5_000_000),),
        ),
        PartnerSpec(
            "BPJS Kesehatan Cabang Magelang",
            PartnerSector.INSTANSI,
            "Jl. Pahlawan No. 80, Magelang",
            "open",
            datetime.date(2021, 1, 4),
            (),
            (),
        ),
    ],
    TEMANGGUNG: [
        PartnerSpec(
            "PT Sindoro Agro Lestari",
            PartnerSector.DUNIA_USAHA,
            "Jl. Raya Parakan-Wonosobo Km 3, Temanggung",
            "long",
            datetime.date(2022, 7, 1),
            ("33.23.08", "33.23.16", "33.23.17"),
            (
                (
                    "Dana CSR rehabilitasi rumah tidak layak huni",
                    ContributionKind.UANG,
                    15_000_000,
                    40_000_000,
                ),
                ("Paket sembako bagi keluarga fakir miskin", ContributionKind.BARANG, 5_000_000, 12_000_000),
            ),
            "sindoroagro.co.id",
        ),
        PartnerSpec(
            "Koperasi Kopi Kledung Jaya",
            PartnerSector.DUNIA_USAHA,
            "Desa Kledung, Temanggung",
            "expiring",
            datetime.date(2023, 9, 1),
            ("33.23.17", "33.23.15"),
            (
                (
                    "Modal usaha ekonomi produktif keluarga miskin",
                    ContributionKind.UANG,
                    5_000_000,
                    15_000_000,
                ),
            ),
        ),
        PartnerSpec(
            "Puskesmas Parakan",
            PartnerSector.LAYANAN_KESEHATAN,
            "Jl. Kosasih, Parakan, Temanggung",
            "long",
            datetime.date(2022, 2, 14),
            ("33.23.08", "33.23.14"),
            (
                (
                    "Pemeriksaan kesehatan lansia dan disabilitas",
                    ContributionKind.BARANG,
                    1_500_000,
                    5_000_000,
                ),
            ),
        ),
        PartnerSpec(
            "LKS Bina Insani Temanggung",
            PartnerSector.LKS,
            "Jl. Gajah Mada No. 17, Temanggung",
            "long",
            datetime.date(2021, 8, 2),
            ("33.23.03", "33.23.07", "33.23.13"),
            (("Pengasuhan anak terlantar", ContributionKind.BARANG, 3_000_000, 9_000_000),),
        ),
        PartnerSpec(
            "LAZ Bina Umat Temanggung",
            PartnerSector.KEAGAMAAN,
            "Jl. Diponegoro No. 44, Temanggung",
            "long",
            datetime.date(2023, 3, 1),
            (),
            (
                ("Santunan keluarga fakir miskin", ContributionKind.UANG, 3_000_000, 12_000_000),
                (
                    "Bantuan alat bantu bagi penyandang disabilitas",
                    ContributionKind.BARANG,
                    2_000_000,
                    8_000_000,
                ),
            ),
        ),
        PartnerSpec(
            "Sekolah Tinggi Ilmu Kesehatan Sindoro",
            PartnerSector.PERGURUAN_TINGGI,
            "Jl. Suwandi No. 9, Temanggung",
            "ended",
            datetime.date(2022, 9, 1),
            ("33.23.03", "33.23.02"),
            (
                (
                    "Pendampingan kesehatan jiwa berbasis masyarakat",
                    ContributionKind.BARANG,
                    2_000_000,
                    6_000_000,
                ),
            ),
            "stikes-sindoro.ac.id",
        ),
        PartnerSpec(
            "UPTD PPA Kabupaten Temanggung",
            PartnerSector.INSTANSI,
            "Jl. Pahlawan No. 2, Temanggung",
            "open",
            datetime.date(2022, 1, 3),
            (),
            (),
        ),
    ],
}

# Training events of ipsm.devtools.demo_trainings with their sponsors and what one of them gave.
EVENT_LINKS = [
    (
        "Bimbingan Teknis Dasar Pekerja Sosial Masyarakat Kota Magelang Tahun 2023",
        datetime.date(2023, 8, 8),
        (("33.71", "Universitas Tidar"),),
        (
            "33.71",
            "Universitas Tidar",
            "Narasumber dan modul bimbingan teknis PSM",
            ContributionKind.BARANG,
            4_500_000,
        ),
    ),
    (
        "Peningkatan Kapasitas Pekerja Sosial Masyarakat (PSM)",
        datetime.date(2024, 11, 13),
        (("33.71", "PT Sinar Tidar Makmur"), ("33.23", "PT Sindoro Agro Lestari")),
        (
            "33.71",
            "PT Sinar Tidar Makmur",
            "Konsumsi peserta peningkatan kapasitas PSM",
            ContributionKind.UANG,
            7_500_000,
        ),
    ),
    (
        "Bimbingan Teknis Dasar Pekerja Sosial Masyarakat Kabupaten Temanggung Angkatan II",
        datetime.date(2023, 10, 3),
        (("33.23", "LAZ Bina Umat Temanggung"),),
        (
            "33.23",
            "LAZ Bina Umat Temanggung",
            "Seminar kit peserta bimbingan teknis",
            ContributionKind.BARANG,
            3_000_000,
        ),
    ),
]


# --- What the plan draws on ------------------------------------------------------------------------------


@dataclass
class Context:
    today: datetime.date
    months: list[datetime.date]
    users: dict
    admin: object
    regions: dict[str, Region]
    units: dict[str, Unit]  # region code -> unit
    members: dict[int, Member] = field(default_factory=dict)
    by_unit: dict[int, list[Member]] = field(default_factory=dict)
    steps: dict[int, list[tuple[datetime.date, str]]] = field(default_factory=dict)  # member pk -> steps
    seats: list[BoardPosition] = field(default_factory=list)  # current seats of demo units

    def active_on(self, member_pk: int, day: datetime.date) -> bool:
        status = ""
        for changed_on, new_status in self.steps.get(member_pk, ()):
            if changed_on > day:
                break
            status = new_status
        return status == MemberStatus.AKTIF

    def author(self, code: str):
        return self.users[COORDINATOR.get(code, STAFF[code[:5]])]


def _context(*, today: datetime.date, users: dict) -> Context:
    in_demo = Q()
    for prefix in DEMO_PREFIXES:
        in_demo |= Q(code__startswith=prefix)
    regions = {r.code: r for r in Region.objects.filter(in_demo)}
    units = {u.region_id: u for u in Unit.objects.filter(region__in=regions.values()).order_by("region_id")}
    context = Context(
        today=today,
        months=demo_months(today),
        users=users,
        admin=users["admin"],
        regions=regions,
        units=units,
    )
    members = (
        Member.objects.filter(unit__in=units.values()).not_merged().select_related("unit").order_by("nik")
    )
    for member in members:
        context.members[member.pk] = member
        context.by_unit.setdefault(member.unit_id, []).append(member)
    changes = StatusChange.objects.filter(member__in=members).order_by("changed_on", "recorded_at", "pk")
    for member_id, changed_on, new_status in changes.values_list("member_id", "changed_on", "new_status"):
        context.steps.setdefault(member_id, []).append((changed_on, new_status))
    context.seats = list(
        BoardPosition.objects.current()
        .filter(unit__in=units.values())
        .select_related("unit", "member")
        .order_by("unit__region_id", "term_starts_on", "pk")
    )
    return context


def load_demo_institution(*, today: datetime.date, users: dict, report: DemoReport) -> None:
    """Create the missing meetings, SK details, board SKs, partners and contributions of the demo."""
    context = _context(today=today, users=users)
    _ensure_unit_sk(context, report=report)
    _ensure_member_sk(context, report=report)
    _ensure_meetings(context, report=report)
    _ensure_elected_at(context)
    _ensure_board_decrees(context, report=report)
    partners = _ensure_partners(context, report=report)
    _ensure_contributions(context, partners, report=report)
    _ensure_event_links(context, partners, report=report)
    _link_referrals(partners, report=report)


def _update_with_history(objs: list, model, fields: list[str], *, by) -> None:
    """Save `fields` of `objs` with their history rows: one UPDATE per distinct set of values (a handful
    here), which is much faster than bulk_update's CASE over every row."""
    groups = defaultdict(list)
    for obj in objs:
        groups[tuple(getattr(obj, model._meta.get_field(name).attname) for name in fields)].append(obj.pk)
    for values, pks in groups.items():
        attnames = [model._meta.get_field(name).attname for name in fields]
        model.objects.filter(pk__in=pks).update(**dict(zip(attnames, values, strict=True)))
    if objs:
        model.history.bulk_history_create(
            objs, update=True, batch_size=BATCH_SIZE, default_user=by, default_change_reason=_("Demo data")
        )


# --- Legality ---------------------------------------------------------------------------------------------


def _ensure_unit_sk(context: Context, *, report: DemoReport) -> None:
    """The issuer of each SK pembentukan on file (a unit without SK stays without)."""
    changed = []
    for code, unit in context.units.items():
        if not (unit.sk_number and unit.sk_date) or unit.sk_issuer:
            continue
        kabkota = code[:5]
        region = context.regions[code]
        if region.level in (RegionLevel.KABUPATEN, RegionLevel.KOTA):
            unit.sk_issuer = HEAD_OF_REGION[kabkota]
        elif region.is_village and random.Random(f"{SEED}:unit-sk:{code}").random() < 0.2:
            unit.sk_issuer = f"Camat {context.regions[code[:8]].name}"
        else:
            unit.sk_issuer = DINSOS_HEAD[kabkota]
        changed.append(unit)
    _update_with_history(changed, Unit, ["sk_issuer"], by=context.admin)
    report.sk_details += len(changed)


def _ensure_member_sk(context: Context, *, report: DemoReport) -> None:
    """Issuer and validity of each PSM's SK penetapan: most end in a year or more, some ended last year,
    a few have no end. Members without SK keep none (the legality page lists them)."""
    today = context.today
    last_year = datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    changed = []
    for member in context.members.values():
        if not (member.sk_number and member.sk_date):
            continue
        rng = random.Random(f"{SEED}:member-sk:{member.nik}")
        issuer = DINSOS_HEAD[member.unit.region_id[:5]]
        roll = rng.random()
        if roll < SK_OPEN_SHARE:
            valid_until = None
        elif roll < SK_OPEN_SHARE + SK_EXPIRED_SHARE and member.sk_date < last_year[1]:
            # The end of a month of last year (few distinct days: _update_with_history groups by value).
            month = rng.randint(
                max(1, member.sk_date.month if member.sk_date.year == last_year[0].year else 1), 12
            )
            valid_until = end_of_month(last_year[0].replace(month=month))
        else:
            valid_until = datetime.date(today.year + rng.randint(1, 4), 12, 31)
        dirty = False
        if not member.sk_issuer:
            member.sk_issuer, dirty = issuer, True
        if member.sk_valid_until is None and valid_until is not None:
            member.sk_valid_until, dirty = valid_until, True
        if dirty:
            changed.append(member)
    _update_with_history(changed, Member, ["sk_issuer", "sk_valid_until"], by=context.admin)
    report.sk_details += len(changed)


def _ensure_elected_at(context: Context) -> None:
    """Seats that began shortly after a musyawarah of their unit were elected there."""
    musyawarah = defaultdict(list)
    for meeting in Meeting.objects.filter(
        unit__in=context.units.values(), kind=MeetingKind.MUSYAWARAH
    ).order_by("held_on"):
        musyawarah[meeting.unit_id].append(meeting)
    changed = []
    for seat in context.seats:
        if seat.elected_at_id is not None:
            continue
        for meeting in musyawarah.get(seat.unit_id, ()):
            if datetime.timedelta(0) <= seat.term_starts_on - meeting.held_on <= datetime.timedelta(days=45):
                seat.elected_at = meeting
                changed.append(seat)
                break
    _update_with_history(changed, BoardPosition, ["elected_at"], by=context.admin)


def _ensure_board_decrees(context: Context, *, report: DemoReport) -> None:
    """The SK of most units' current board (numbered as its seats' SK), pointing at the seats it appointed;
    some boards have none. A unit with any board SK on file is left alone."""
    with_decree = set(
        BoardDecree.objects.filter(unit__in=context.units.values()).values_list("unit_id", flat=True)
    )
    seats_by_unit = defaultdict(list)
    for seat in context.seats:
        seats_by_unit[seat.unit_id].append(seat)
    # The boards without SK: a share of each kab/kota's boards, at least one (drawn from all of them, so
    # that a second run draws the same).
    without = set()
    for kabkota, share in BOARD_SK_SHARE.items():
        codes = sorted(
            seats[0].unit.region_id
            for seats in seats_by_unit.values()
            if seats[0].unit.region_id.startswith(kabkota) and seats[0].unit.region_id != SHOWCASE_VILLAGE
        )
        rng = random.Random(f"{SEED}:boards-without-sk:{kabkota}")
        without.update(rng.sample(codes, min(len(codes), max(1, round(len(codes) * (1 - share))))))
    planned = []
    for unit_id, seats in seats_by_unit.items():
        unit = seats[0].unit
        code = unit.region_id
        if unit_id in with_decree or code in without:
            continue
        rng = random.Random(f"{SEED}:board-sk:{code}")
        first = min(seats, key=lambda seat: (seat.term_starts_on, seat.pk))
        number = first.sk_number or _decree(rng, "463", first.term_starts_on.year)
        appointed = [seat for seat in seats if seat.sk_number in ("", number) and seat.decree_id is None]
        elected = next((seat.elected_at for seat in appointed if seat.elected_at_id), None)
        issued_on = min(first.term_starts_on, context.today)
        decree = BoardDecree(
            unit=unit, number=number, issued_on=issued_on, issuer=DINSOS_HEAD[code[:5]], meeting=elected
        )
        planned.append((decree, appointed))
    decrees = bulk_create_with_history(
        [decree for decree, _seats in planned],
        BoardDecree,
        batch_size=BATCH_SIZE,
        default_user=context.admin,
        default_change_reason=_("Demo data"),
    )
    changed = []
    for decree, (_planned, seats) in zip(decrees, planned, strict=True):
        for seat in seats:
            seat.decree = decree
            changed.append(seat)
    _update_with_history(changed, BoardPosition, ["decree"], by=context.admin)
    report.board_decrees = len(decrees)


# --- Meetings ---------------------------------------------------------------------------------------------


@dataclass
class MeetingPlan:
    meeting: Meeting
    expected: list[Member]
    topic: Topic
    rng: random.Random
    turnout: float
    chair: int | None = None  # named in the minutes: present
    likely: set[int] | None = None  # who comes (at `turnout`); the others seldom. None: everyone
    present: list[Member] = field(default_factory=list)

    def comes(self, member: Member) -> bool:
        chance = self.turnout if self.likely is None or member.pk in self.likely else 0.1
        return self.rng.random() < chance


def _ensure_meetings(context: Context, *, report: DemoReport) -> None:
    existing = set(
        Meeting.objects.filter(
            region__in=context.regions.values(), held_on__gte=context.months[0]
        ).values_list("region_id", "kind", "held_on")
    )
    plans = [*_plan_unit_meetings(context), *_plan_forum_meetings(context)]
    plans = [
        p
        for p in plans
        if (p.meeting.region_id, p.meeting.kind, p.meeting.held_on) not in existing and p.expected
    ]
    if not plans:
        return
    meetings = bulk_create_with_history(
        [p.meeting for p in plans],
        Meeting,
        batch_size=BATCH_SIZE,
        default_user=context.admin,
        default_change_reason=_("Demo data"),
    )
    attendance, decisions, follow_ups = [], [], []
    for meeting, plan in zip(meetings, plans, strict=True):
        plan.meeting = meeting
        rng = plan.rng
        plan.present = [m for m in plan.expected if plan.comes(m) or m.pk == plan.chair] or plan.expected[:1]
        present_ids = {m.pk for m in plan.present}
        attendance += [(meeting.pk, m.pk, m.pk in present_ids) for m in plan.expected]
        for text in rng.sample(plan.topic.decisions, rng.randint(1, len(plan.topic.decisions))):
            decisions.append(MeetingDecision(meeting=meeting, text=text))
    decisions = MeetingDecision.objects.bulk_create(decisions, batch_size=BATCH_SIZE)
    by_meeting = defaultdict(list)
    for decision in decisions:
        by_meeting[decision.meeting_id].append(decision)
    for plan in plans:
        follow_ups += _plan_follow_ups(plan, by_meeting[plan.meeting.pk], context.today)
    # COPY: attendance is tens of thousands of rows, which bulk_create takes seconds to build.
    copy_rows(MeetingAttendance, ["meeting", "member", "present"], attendance)
    bulk_create_with_history(
        follow_ups,
        FollowUp,
        batch_size=BATCH_SIZE,
        default_user=context.admin,
        default_change_reason=_("Demo data"),
    )
    report.meetings = len(meetings)
    report.meeting_attendance = len(attendance)
    report.meeting_decisions = len(decisions)
    report.follow_ups = len(follow_ups)


def _plan_follow_ups(
    plan: MeetingPlan, decisions: list[MeetingDecision], today: datetime.date
) -> list[FollowUp]:
    """0-3 tasks for someone present; most due ones were done (never after today), some are overdue."""
    rng = plan.rng
    meeting = plan.meeting
    rows = []
    tasks = list(plan.topic.tasks)
    for task in rng.sample(tasks, min(rng.choice([0, 1, 1, 2, 2, 3]), len(tasks))):
        due_on = meeting.held_on + datetime.timedelta(days=rng.randint(7, 45))
        done_on = None
        if due_on < today and rng.random() < 0.75:
            done_on = min(
                meeting.held_on
                + datetime.timedelta(days=rng.randint(2, (due_on - meeting.held_on).days + 10)),
                today,
            )
        elif due_on >= today and rng.random() < 0.3 and meeting.held_on < today:
            done_on = _date_between(rng, meeting.held_on + datetime.timedelta(days=1), today)
        rows.append(
            FollowUp(
                meeting=meeting,
                decision=rng.choice(decisions) if decisions and rng.random() < 0.7 else None,
                task=task,
                responsible=rng.choice(plan.present),
                due_on=due_on,
                done_on=done_on,
                note=rng.choice(FOLLOW_UP_NOTES) if done_on else "",
            )
        )
    return rows


def _seat_holders(context: Context) -> dict[int, list[BoardPosition]]:
    holders = defaultdict(list)
    for seat in context.seats:
        holders[seat.unit_id].append(seat)
    return holders


def _day_in(rng: random.Random, month: datetime.date, habit: int) -> datetime.date:
    return month.replace(day=max(1, min(28, habit + rng.randint(-3, 3))))


def _plan_unit_meetings(context: Context) -> list[MeetingPlan]:
    holders = _seat_holders(context)
    window_start = context.months[0]
    plans = []
    # A few units whose board began in the window elected it at a musyawarah shortly before.
    musyawarah: dict[int, datetime.date] = {}
    for kabkota, count in MUSYAWARAH_UNITS.items():
        recent = sorted(
            {
                seat.unit_id: seat.term_starts_on
                for seat in context.seats
                if seat.unit.region_id.startswith(kabkota)
                and context.regions[seat.unit.region_id].is_village
                and window_start + datetime.timedelta(days=30) <= seat.term_starts_on <= context.today
            }.items()
        )
        rng = random.Random(f"{SEED}:musyawarah:{kabkota}")
        for unit_id, starts_on in rng.sample(recent, min(count, len(recent))):
            musyawarah[unit_id] = starts_on - datetime.timedelta(days=rng.randint(3, 21))

    for code, unit in context.units.items():
        region = context.regions[code]
        if not region.is_village:
            continue  # the kecamatan and kab/kota IPSM meet as forums (_plan_forum_meetings)
        kabkota = code[:5]
        members = context.by_unit.get(unit.pk, [])
        habit_rng = random.Random(f"{SEED}:meeting-habit:{code}")
        skip = habit_rng.uniform(*SKIP_SHARE[kabkota])
        turnout = habit_rng.uniform(0.65, 0.95)
        habit_day = habit_rng.randint(3, 25)
        place = _village_place(habit_rng, region)
        board_month = {habit_rng.randrange(1, len(context.months)) for _ in range(habit_rng.randint(1, 3))}
        seats = holders.get(unit.pk, [])
        ketua = next((s for s in seats if s.role == BoardRole.KETUA), None)
        for index, month in enumerate(context.months):
            rng = random.Random(f"{SEED}:meeting:{code}:{month:%Y-%m}")
            if rng.random() >= skip:
                day = _day_in(rng, month, habit_day)
                plans.append(
                    _unit_plan(
                        context, unit, region, MeetingKind.RUTIN, day, place, members, rng, turnout, ketua
                    )
                )
            if index in board_month and seats:
                day = _day_in(rng, month, (habit_day + 12) % 28)
                plan = _unit_plan(
                    context, unit, region, MeetingKind.PENGURUS, day, place, members, rng, 0.9, ketua
                )
                if plan is not None:  # everyone is on the list (members.meetings), the board comes
                    plan.likely = {s.member_id for s in seats}
                plans.append(plan)
        if unit.pk in musyawarah:
            day = musyawarah[unit.pk]
            rng = random.Random(f"{SEED}:musyawarah:{code}:{day}")
            plans.append(
                _unit_plan(context, unit, region, MeetingKind.MUSYAWARAH, day, place, members, rng, 0.9, None)
            )
    return [p for p in plans if p is not None]


def _village_place(rng: random.Random, region: Region) -> str:
    office = "Kelurahan" if region.level == RegionLevel.KELURAHAN else "Desa"
    return rng.choice(VILLAGE_PLACES).format(village=f"{office} {region.name}")


def _unit_plan(
    context: Context,
    unit: Unit,
    region: Region,
    kind: str,
    day: datetime.date,
    place: str,
    members: list[Member],
    rng: random.Random,
    turnout: float,
    ketua: BoardPosition | None,
) -> MeetingPlan | None:
    if day >= context.today or day < context.months[0]:
        return None
    expected = [m for m in members if context.active_on(m.pk, day)]
    last_month = day.replace(day=1) - datetime.timedelta(days=1)
    month_name = f"{MONTHS_ID[last_month.month - 1]} {last_month.year}"
    if kind == MeetingKind.MUSYAWARAH:
        topic = Topic(
            "Pemilihan pengurus IPSM",
            "Pengurus lama menyampaikan laporan pertanggungjawaban masa bakti dan diterima oleh anggota. "
            "Anggota memilih pengurus baru secara musyawarah mufakat untuk masa bakti lima tahun.",
            (
                "Laporan pertanggungjawaban pengurus lama diterima.",
                "Pengurus baru masa bakti lima tahun ditetapkan.",
            ),
            (
                "Mengusulkan SK pengurus baru ke Dinas Sosial",
                "Serah terima dokumen dan kas dari pengurus lama",
            ),
        )
        agenda = (
            "1. Pembukaan\n2. Laporan pertanggungjawaban pengurus\n3. Pemilihan pengurus baru\n4. Penutup"
        )
    else:
        topic = rng.choice(ROUTINE_TOPICS if kind == MeetingKind.RUTIN else BOARD_TOPICS)
        agenda = (
            f"1. Pembukaan\n2. Laporan kegiatan anggota bulan {month_name}\n3. {topic.title}\n"
            "4. Lain-lain\n5. Penutup"
            if kind == MeetingKind.RUTIN
            else f"1. Pembukaan\n2. {topic.title}\n3. Penutup"
        )
    opens, closes = rng.choice(HOURS)
    chair = ketua.member if ketua is not None and ketua.term_starts_on <= day else None
    if chair is not None and chair not in expected:
        chair = None
    led_by = f" dipimpin oleh Ketua IPSM, {chair.full_name}," if chair is not None else ""
    minutes = (
        f"Pertemuan{led_by} dibuka pukul {opens} WIB. {topic.minutes} Pertemuan ditutup pukul {closes} WIB."
    )
    meeting = Meeting(
        unit=unit,
        region_id=region.code,
        kind=kind,
        held_on=day,
        place=place,
        agenda=agenda,
        minutes=minutes,
        created_by=context.author(region.code),
    )
    return MeetingPlan(meeting, expected, topic, rng, turnout, chair=chair.pk if chair else None)


def _plan_forum_meetings(context: Context) -> list[MeetingPlan]:
    """Quarterly rapat koordinasi of each kecamatan with units, twice a year of each kab/kota."""
    plans = []
    kecamatan = sorted({code[:8] for code in context.units if context.regions[code].is_village})
    forums = [(code, FORUM_MONTHS_KECAMATAN) for code in kecamatan]
    forums += [(code, FORUM_MONTHS_KABKOTA) for code in DEMO_PREFIXES if code in context.regions]
    for code, month_indexes in forums:
        region = context.regions[code]
        kabkota = code[:5]
        board = {}
        for seat in context.seats:  # members.meetings.forum_attendees: its own board, each unit's ketua
            seat_region = seat.unit.region_id
            if seat_region == code or (seat.role == BoardRole.KETUA and seat_region.startswith(f"{code}.")):
                board.setdefault(seat.member_id, seat)
        for index in month_indexes:
            if index >= len(context.months):
                continue
            month = context.months[index]
            rng = random.Random(f"{SEED}:forum:{code}:{month:%Y-%m}")
            day = month.replace(day=rng.randint(8, 24))
            if day >= context.today:
                continue
            expected = [
                context.members[member_id]
                for member_id, seat in board.items()
                if member_id in context.members
                and seat.term_starts_on <= day
                and context.active_on(member_id, day)
            ]
            expected.sort(key=lambda m: m.nik)
            topic = rng.choice(FORUM_TOPICS)
            if region.level == RegionLevel.KECAMATAN:
                place = f"Aula Kantor Kecamatan {region.name}"
                guests = f"TKSK Kecamatan {region.name}, Kelurahan/Desa, Dinas Sosial {KABKOTA_NAME[kabkota]}"
            else:
                place = f"Aula Dinas Sosial {KABKOTA_NAME[kabkota]}"
                guests = f"{DINSOS_HEAD[kabkota]}, TKSK se-{KABKOTA_NAME[kabkota]}, mitra kemitraan"
            meeting = Meeting(
                unit=None,
                region_id=code,
                kind=MeetingKind.KOORDINASI,
                held_on=day,
                place=place,
                agenda=f"1. Pembukaan\n2. Laporan unit IPSM\n3. {topic.title}\n4. Tanya jawab\n5. Penutup",
                minutes=(
                    f"Rapat koordinasi IPSM {region.name} dibuka pukul 09.00 WIB. Setiap unit menyampaikan "
                    f"laporan kegiatan triwulan. {topic.minutes} Rapat ditutup pukul 12.00 WIB."
                ),
                guests=guests,
                created_by=context.users[STAFF[kabkota]],
            )
            turnout = 0.8 if region.level == RegionLevel.KECAMATAN else 0.6
            plans.append(MeetingPlan(meeting, expected, topic, rng, turnout))
    return plans


# --- Partners ---------------------------------------------------------------------------------------------


def _mou_period(
    spec: PartnerSpec, today: datetime.date, rng: random.Random
) -> tuple[datetime.date, datetime.date | None]:
    if spec.mou == "expiring":
        return spec.starts_on, today + datetime.timedelta(days=rng.randint(20, 80))
    if spec.mou == "ended":
        return spec.starts_on, today - datetime.timedelta(days=rng.randint(30, 120))
    if spec.mou == "open":
        return spec.starts_on, None
    # Well past the expiry warning: only the "expiring" partner is flagged as ending soon.
    return spec.starts_on, datetime.date(
        today.year + rng.randint(2, 4), spec.starts_on.month, 1
    ) - datetime.timedelta(days=1)


def _ensure_partners(context: Context, *, report: DemoReport) -> dict[tuple[str, str], Partner]:
    names = [spec.name for specs in PARTNERS.values() for spec in specs]
    existing = {
        (p.region_id, p.name): p for p in Partner.objects.filter(name__in=names, region_id__in=DEMO_PREFIXES)
    }
    for kabkota, specs in PARTNERS.items():
        if kabkota not in context.regions:
            continue
        all_kecamatan = [
            code
            for code, r in context.regions.items()
            if r.level == RegionLevel.KECAMATAN and code.startswith(kabkota)
        ]
        for spec in specs:
            if (kabkota, spec.name) in existing:
                continue
            rng = random.Random(f"{SEED}:partner:{kabkota}:{spec.name}")
            starts_on, ends_on = _mou_period(spec, context.today, rng)
            contact = _person_name(rng, female=rng.random() < 0.5)
            local = ".".join(contact.lower().split()[:1])
            partner = Partner(
                region_id=kabkota,
                name=spec.name,
                sector=spec.sector,
                contact_name=contact,
                phone=_phone(rng),
                email=f"{local}@{spec.email_domain}" if spec.email_domain else "",
                address=spec.address,
                mou_number=_decree(rng, "PKS/460", starts_on.year),
                mou_starts_on=starts_on,
                mou_ends_on=ends_on,
            )
            partner._history_user = context.admin
            partner.save()
            served = [code for code in spec.kecamatan if code in context.regions] or all_kecamatan
            partner.kecamatan_served.set(served)
            existing[kabkota, spec.name] = partner
            report.partners += 1
    return existing


def _ensure_contributions(context: Context, partners: dict, *, report: DemoReport) -> None:
    """0-2 contributions a month per kab/kota from partners whose agreement was in force, most for a unit of a
    kecamatan the partner serves."""
    served = defaultdict(list)
    for partner_id, code in Partner.kecamatan_served.through.objects.filter(
        partner__in=[p.pk for p in partners.values()]
    ).values_list("partner_id", "region_id"):
        served[partner_id].append(code)
    villages = defaultdict(list)
    for code, unit in context.units.items():
        if context.regions[code].is_village:
            villages[code[:8]].append(unit)
    existing = set(
        Contribution.objects.filter(partner__in=partners.values()).values_list(
            "partner_id", "given_on", "purpose"
        )
    )
    new = []
    for kabkota, specs in PARTNERS.items():
        for month in context.months:
            rng = random.Random(f"{SEED}:contribution:{kabkota}:{month:%Y-%m}")
            for _index in range(rng.choice([0, 1, 1, 1, 2, 2])):
                spec = rng.choice([s for s in specs if s.purposes])
                partner = partners.get((kabkota, spec.name))
                day = month.replace(day=rng.randint(1, 28))
                purpose, kind, low, high = rng.choice(spec.purposes)
                value = Decimal(rng.randint(low // 100_000, high // 100_000) * 100_000)
                beneficiaries = rng.randint(5, 60)
                unit_pool = (
                    [u for code in served.get(partner.pk, []) for u in villages.get(code, [])]
                    if partner
                    else []
                )
                unit = rng.choice(unit_pool) if unit_pool and rng.random() < 0.7 else None
                if partner is None or day >= context.today or not _in_force(partner, day):
                    continue
                if (partner.pk, day, purpose) in existing:
                    continue
                existing.add((partner.pk, day, purpose))
                new.append(
                    Contribution(
                        partner=partner,
                        kind=kind,
                        value=value,
                        given_on=day,
                        purpose=purpose,
                        beneficiaries=beneficiaries,
                        unit=unit,
                        recorded_by=context.users[STAFF[kabkota]],
                    )
                )
    bulk_create_with_history(
        new,
        Contribution,
        batch_size=BATCH_SIZE,
        default_user=context.admin,
        default_change_reason=_("Demo data"),
    )
    report.contributions += len(new)


def _in_force(partner: Partner, day: datetime.date) -> bool:
    return (partner.mou_starts_on is None or partner.mou_starts_on <= day) and (
        partner.mou_ends_on is None or day <= partner.mou_ends_on
    )


def _ensure_event_links(context: Context, partners: dict, *, report: DemoReport) -> None:
    """Sponsors of a few demo training events, and one contribution each towards it."""
    for title, starts_on, sponsors, (kabkota, name, purpose, kind, value) in EVENT_LINKS:
        event = Event.objects.filter(title=title, starts_on=starts_on).first()
        if event is None:
            continue
        wanted = [partners[key] for key in sponsors if key in partners]
        have = set(event.sponsors.values_list("pk", flat=True))
        missing = [p for p in wanted if p.pk not in have]
        if missing:
            event.sponsors.add(*missing)
        partner = partners.get((kabkota, name))
        if partner is None:
            continue
        contribution = Contribution.objects.filter(
            partner=partner, given_on=starts_on, purpose=purpose
        ).first()
        if contribution is None:
            contribution = Contribution(
                partner=partner,
                kind=kind,
                value=Decimal(value),
                given_on=starts_on,
                purpose=purpose,
                beneficiaries=None,
                recorded_by=context.users[STAFF[kabkota]],
            )
            contribution._history_user = context.admin
            contribution.save()
            event.contributions.add(contribution)
            report.contributions += 1


def _link_referrals(partners: dict, *, report: DemoReport) -> None:
    """Demo referrals to an institution that is a partner of the case's kab/kota name that partner."""
    for (kabkota, name), partner in partners.items():
        report.referral_partners += Referral.objects.filter(
            partner__isnull=True, institution_name=name, case__kelurahan__code__startswith=kabkota
        ).update(partner=partner)
