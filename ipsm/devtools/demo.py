"""Demo data: accounts, IPSM units, PSM members, boards and transfers in Kota Magelang and Kab. Temanggung.

Everything is planned first from the regions alone, with seeded randomness, so the plan is the same on every
run; then only what is missing is written, found by natural key (username, a unit's region, a member's NIK).
A second run therefore creates and updates nothing. Who a member is (name, birth date, NIK, join date) never
depends on today's date; what is relative to today (roster checks, board terms) is only used for new rows.
"""

import datetime
import random
from dataclasses import astuple, dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ipsm import roles
from members.models import (
    Assignment,
    BoardPosition,
    BoardRole,
    Education,
    InactiveReason,
    Member,
    MemberStatus,
    Region,
    RegionLevel,
    Sex,
    StatusChange,
    Transfer,
    Unit,
)
from members.nik import build_nik
from members.regions import load_regions
from members.services import format_kta, transfer_member

DEMO_PASSWORD = "ipsm-demo"
SEED = 3371
MAGELANG = "33.71"
TEMANGGUNG = "33.23"
DEMO_PREFIXES = [MAGELANG, TEMANGGUNG]
SHOWCASE_VILLAGE = "33.71.03.1003"  # Rejowinangun Utara: the coordinator's unit, fresh, with a full board

TEMANGGUNG_VILLAGE_SHARE = 0.6
TEMANGGUNG_KECAMATAN_UNITS = 8
STALE_SHARE_TEMANGGUNG = 0.15
STALE_VILLAGES_MAGELANG = 3
TERM_YEARS = 5
BATCH_SIZE = 500

FIRST_JOIN = datetime.date(2015, 1, 1)
LAST_JOIN = datetime.date(2025, 12, 31)
# Status steps never go past this day, so a member's rows are the same whichever day the demo is loaded.
DATA_CUTOFF = datetime.date(2026, 6, 30)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    group: str = ""  # one of ipsm.roles; "" for the superuser
    region_code: str = ""  # staff and viewers
    unit_region_code: str = ""  # coordinators

    @property
    def is_superuser(self) -> bool:
        return not self.group


DEMO_USERS = [
    DemoUser("admin", "Hendra", "Kurniawan"),
    DemoUser("staf-magelang", "Dwi", "Astuti", roles.STAFF, region_code=MAGELANG),
    DemoUser("staf-temanggung", "Bayu", "Prasetyo", roles.STAFF, region_code=TEMANGGUNG),
    DemoUser("pimpinan-magelang", "Retno", "Wulandari", roles.VIEWER, region_code=MAGELANG),
    DemoUser(
        "koordinator-rejowinangun-utara",
        "Sri",
        "Mulyani",
        roles.COORDINATOR,
        unit_region_code=SHOWCASE_VILLAGE,
    ),
    # A PSM's own account (members.accounts), for one active member of the showcase unit: its names come
    # from that member (_ensure_psm_account).
    DemoUser("psm-rejowinangun-utara", "", "", roles.PSM, unit_region_code=SHOWCASE_VILLAGE),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str


@dataclass
class DemoReport:
    """How many rows of each kind this run created."""

    regions: int = 0
    users: int = 0
    units: int = 0
    members: int = 0
    status_changes: int = 0
    board_positions: int = 0
    transfers: int = 0
    pmks_counts: int = 0
    coverage_targets: int = 0
    cases: int = 0
    training_events: int = 0
    training_sessions: int = 0
    speakers: int = 0
    participants: int = 0
    attendance: int = 0
    office_profiles: int = 0
    monthly_reports: int = 0
    report_steps: int = 0
    meetings: int = 0
    meeting_attendance: int = 0
    meeting_decisions: int = 0
    follow_ups: int = 0
    board_decrees: int = 0
    sk_details: int = 0  # units and members whose SK issuer or validity was filled in
    partners: int = 0
    contributions: int = 0
    referral_partners: int = 0  # referrals that now name their partner
    programmes: int = 0  # units' work programmes
    programme_activities: int = 0
    realised_activities: int = 0

    @property
    def created_anything(self) -> bool:
        return any(astuple(self))


# --- Names and other Indonesian-looking data -------------------------------------------------------------

MALE_NAMES = [
    "Agus", "Ahmad", "Bambang", "Budi", "Darmanto", "Eko", "Gunawan", "Hadi", "Heri", "Joko", "Kusnadi",
    "Mulyono", "Nur", "Priyanto", "Purwanto", "Rahmat", "Riyadi", "Sigit", "Slamet", "Sugeng", "Suharto",
    "Sukardi", "Sumarno", "Supriyadi", "Suryanto", "Teguh", "Tri", "Wahyu", "Yulianto", "Yusuf", "Muhammad",
    "Arif", "Dwi", "Rizky", "Fajar", "Ilham",
]  # fmt: skip
FEMALE_NAMES = [
    "Ani", "Dewi", "Endang", "Erna", "Fitri", "Indah", "Kartini", "Lestari", "Mariyam", "Nanik", "Ning",
    "Puji", "Purwanti", "Ratna", "Rini", "Siti", "Sri", "Suparmi", "Sumiyati", "Suwarni", "Tri", "Tutik",
    "Umi", "Wahyuni", "Wiwik", "Yuni", "Nur", "Dyah", "Anisa", "Ayu", "Novita", "Rahmawati",
]  # fmt: skip
MALE_SECOND = [
    "Santoso", "Wibowo", "Hartono", "Purnomo", "Setiawan", "Susilo", "Prasetyo", "Nugroho", "Widodo",
    "Raharjo", "Saputra", "Hidayat", "Kurniawan", "Sutrisno", "Pamungkas", "Wicaksono", "Budiman", "Haryanto",
    "Sulistyo", "Mujiono",
]  # fmt: skip
FEMALE_SECOND = [
    "Rahayu", "Lestari", "Susanti", "Wulandari", "Handayani", "Rahmawati", "Suryani", "Astuti",
    "Wahyuningsih", "Kusumawati", "Puspitasari", "Hastuti", "Setyaningsih", "Nurhayati", "Purwaningsih",
    "Anggraini", "Mulyani", "Utami", "Indriyani", "Safitri",
]  # fmt: skip
HOME_TOWN = {MAGELANG: "Magelang", TEMANGGUNG: "Temanggung"}
OTHER_BIRTH_PLACES = [
    "Magelang", "Temanggung", "Wonosobo", "Purworejo", "Yogyakarta", "Semarang", "Boyolali", "Klaten",
    "Kendal", "Salatiga", "Sleman", "Ambarawa", "Muntilan", "Parakan",
]  # fmt: skip
STREETS = [
    "Tidar", "Pahlawan", "Ahmad Yani", "Pemuda", "Sudirman", "Diponegoro", "Veteran", "Kartini",
    "Tentara Pelajar", "Sriwijaya", "Urip Sumoharjo", "Gatot Subroto", "Pierre Tendean", "Cempaka",
    "Kenanga", "Beringin", "Soekarno-Hatta", "Ikhlas", "Singosari", "Majapahit",
]  # fmt: skip
DUSUN = [
    "Krajan", "Kauman", "Karanganyar", "Sidomulyo", "Ngasem", "Gondang", "Kedungsari", "Tegalrejo",
    "Wonosari", "Sukorejo", "Banaran", "Jetis", "Ngaglik", "Pucung", "Gintung", "Depok", "Sumberejo",
    "Kalisari",
]  # fmt: skip
OCCUPATIONS = [
    ("petani", 22), ("ibu rumah tangga", 20), ("pedagang", 12), ("wiraswasta", 14), ("buruh", 8),
    ("guru", 7), ("perangkat desa", 6), ("pensiunan", 6), ("karyawan swasta", 5),
]  # fmt: skip
EDUCATIONS = [
    (Education.TIDAK_SEKOLAH, 1), (Education.SD, 10), (Education.SMP, 16), (Education.SMA, 45),
    (Education.DIPLOMA, 10), (Education.S1, 16), (Education.S2, 2),
]  # fmt: skip
PHONE_PREFIXES = ["812", "813", "821", "822", "823", "852", "853", "857", "858", "877", "878", "895", "896"]
INACTIVE_REASONS = [
    (InactiveReason.MENGUNDURKAN_DIRI, 40),
    (InactiveReason.PINDAH_DOMISILI, 30),
    (InactiveReason.MENINGGAL_DUNIA, 15),
    (InactiveReason.LAINNYA, 15),
]
TRANSFER_NOTES = ["Pindah domisili", "Pindah domisili mengikuti keluarga", "Permohonan sendiri"]


def _weighted(rng: random.Random, choices: list[tuple]) -> object:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _person_name(rng: random.Random, *, female: bool) -> str:
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    if rng.random() < 0.12:
        return first  # many Javanese carry one name only
    second = rng.choice(FEMALE_SECOND if female else MALE_SECOND)
    if second == first:
        second = rng.choice(MALE_SECOND if not female else FEMALE_SECOND)
    return f"{first} {second}"


def _phone(rng: random.Random) -> str:
    digits = "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(7, 8)))
    return f"+62{rng.choice(PHONE_PREFIXES)}{digits}"


def _email(rng: random.Random, name: str) -> str:
    local = ".".join(name.lower().split())
    return f"{local}{rng.randint(1, 99)}@{rng.choice(['gmail.com', 'gmail.com', 'yahoo.co.id'])}"


def _decree(rng: random.Random, prefix: str, year: int) -> str:
    return f"{prefix}/{rng.randint(1, 450):03d}/{year}"


# --- The plan --------------------------------------------------------------------------------------------


@dataclass
class MemberPlan:
    member: Member  # unsaved; unit and KTA are set when written
    serial: int
    steps: list[tuple[str, str, datetime.date, str]]  # (old status, new status, date, reason)
    active_since: datetime.date | None  # first day as aktif, for choosing board members


@dataclass
class SeatPlan:
    nik: str
    role: str
    term_starts_on: datetime.date
    term_ends_on: datetime.date
    sk_number: str


@dataclass
class UnitPlan:
    region: Region
    sk_number: str
    sk_date: datetime.date | None
    roster_days_ago: int | None  # None: never checked
    members: list[MemberPlan] = field(default_factory=list)
    board: list[SeatPlan] = field(default_factory=list)


@dataclass(frozen=True)
class TransferPlan:
    nik: str
    from_region: str
    to_region: str
    transferred_on: datetime.date
    note: str


@dataclass
class DemoPlan:
    units: list[UnitPlan]
    transfers: list[TransferPlan]


def plan_demo(*, today: datetime.date) -> DemoPlan:
    """Decide every demo row from the regions in the database and fixed seeds (nothing is written)."""
    within = Q()
    for prefix in DEMO_PREFIXES:
        within |= Q(code__startswith=prefix)
    regions = list(Region.objects.filter(within).order_by("code"))
    by_code = {region.code: region for region in regions}
    kecamatan_codes = [r.code for r in regions if r.level == RegionLevel.KECAMATAN]
    cutoff = min(DATA_CUTOFF, today)

    village_codes, other_codes = _choose_unit_regions(regions)
    roster_days = _plan_roster_checks(village_codes, other_codes)

    used_niks: set[str] = set()
    units: dict[str, UnitPlan] = {}
    for code in sorted(village_codes + other_codes):
        rng = random.Random(f"{SEED}:{code}")
        region = by_code[code]
        unit = UnitPlan(region, *_unit_decree(rng, region), roster_days_ago=roster_days[code])
        if region.is_village:
            count = (
                9 if code == SHOWCASE_VILLAGE else rng.choice([3, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 10, 11, 12])
            )
            first_join = max(FIRST_JOIN, unit.sk_date or FIRST_JOIN)
            unit.members = _plan_members(
                rng,
                region=region,
                count=count,
                first_join=first_join,
                cutoff=cutoff,
                kecamatan_codes=kecamatan_codes,
                used_niks=used_niks,
            )
        units[code] = unit

    board_kinds = _plan_board_kinds(units, today=today)
    for code, unit in units.items():
        if unit.region.is_village:
            pool = unit.members
        else:  # kecamatan and kab/kota boards come from the members of the villages below
            pool = [m for c, u in units.items() if c.startswith(code) for m in u.members]
        rng = random.Random(f"{SEED}:board:{code}")
        unit.board = _plan_board(rng, pool, kind=board_kinds.get(code, "normal"), today=today)

    transfers = _plan_transfers(units, cutoff=cutoff)
    return DemoPlan(units=[units[code] for code in sorted(units)], transfers=transfers)


def _choose_unit_regions(regions: list[Region]) -> tuple[list[str], list[str]]:
    """All of Kota Magelang; about 60% of Temanggung's villages, some of its kecamatan, the kabupaten."""
    villages, others = [], []
    for prefix in DEMO_PREFIXES:
        inside = [r for r in regions if r.code.startswith(prefix)]
        prefix_villages = [r.code for r in inside if r.is_village]
        kecamatan = [r.code for r in inside if r.level == RegionLevel.KECAMATAN]
        if prefix == TEMANGGUNG:
            rng = random.Random(f"{SEED}:{prefix}")
            prefix_villages = sorted(
                rng.sample(prefix_villages, round(len(prefix_villages) * TEMANGGUNG_VILLAGE_SHARE))
            )
            with_villages = [k for k in kecamatan if any(v.startswith(k + ".") for v in prefix_villages)]
            kecamatan = sorted(rng.sample(with_villages, min(TEMANGGUNG_KECAMATAN_UNITS, len(with_villages))))
        villages.extend(prefix_villages)
        others.extend(kecamatan)
        if any(r.code == prefix for r in inside):
            others.append(prefix)
    return villages, others


def _plan_roster_checks(village_codes: list[str], other_codes: list[str]) -> dict[str, int | None]:
    """Days since the roster was last checked: mostly recent, some stale (> 180 days), some never."""
    rng = random.Random(f"{SEED}:roster")
    days: dict[str, int | None] = {code: rng.randint(3, 150) for code in village_codes + other_codes}
    days[SHOWCASE_VILLAGE] = 4
    magelang = [c for c in village_codes if c.startswith(MAGELANG) and c != SHOWCASE_VILLAGE]
    temanggung = [c for c in village_codes if c.startswith(TEMANGGUNG)]
    stale = rng.sample(magelang, min(STALE_VILLAGES_MAGELANG, len(magelang)))
    stale += rng.sample(temanggung, round(len(temanggung) * STALE_SHARE_TEMANGGUNG))
    for index, code in enumerate(stale):
        days[code] = None if index % 3 == 0 else rng.randint(200, 700)
    return days


def _plan_board_kinds(units: dict[str, UnitPlan], *, today: datetime.date) -> dict[str, str]:
    """Per village: 'none', 'lapsed', 'ending' (within 90 days), 'full' (showcase) or 'normal'.

    Lapsed and ending terms began five years ago, so they go to villages with members active back then.
    """
    rng = random.Random(f"{SEED}:boards")
    active_before = _years_later(today, -TERM_YEARS) - datetime.timedelta(days=200)
    kinds = {SHOWCASE_VILLAGE: "full"}
    for prefix, lapsed, ending, share_without in ((MAGELANG, 1, 3, 0.06), (TEMANGGUNG, 2, 12, 0.12)):
        codes = [c for c, u in units.items() if c.startswith(prefix) and u.region.is_village]
        codes = [c for c in codes if c != SHOWCASE_VILLAGE]
        veterans = [
            code
            for code in codes
            if sum(
                m.member.status == MemberStatus.AKTIF and m.active_since <= active_before
                for m in units[code].members
            )
            >= 3
        ]
        aged = rng.sample(veterans, min(len(veterans), lapsed + ending))
        for index, code in enumerate(aged):
            kinds[code] = "lapsed" if index < lapsed else "ending"
        rest = [code for code in codes if code not in kinds]
        kinds.update(dict.fromkeys(rng.sample(rest, round(len(codes) * share_without)), "none"))
    return kinds


def _unit_decree(rng: random.Random, region: Region) -> tuple[str, datetime.date | None]:
    if region.level in (RegionLevel.KABUPATEN, RegionLevel.KOTA):
        day = _date_between(rng, datetime.date(2012, 1, 1), datetime.date(2012, 12, 31))
    elif region.level == RegionLevel.KECAMATAN:
        day = _date_between(rng, datetime.date(2013, 1, 1), datetime.date(2014, 12, 31))
    elif region.code != SHOWCASE_VILLAGE and rng.random() < 0.05:
        return "", None  # the decree was never filed
    else:
        day = _date_between(rng, datetime.date(2014, 1, 1), datetime.date(2018, 12, 31))
    return _decree(rng, "400", day.year), day


def _plan_members(
    rng: random.Random,
    *,
    region: Region,
    count: int,
    first_join: datetime.date,
    cutoff: datetime.date,
    kecamatan_codes: list[str],
    used_niks: set[str],
) -> list[MemberPlan]:
    plans = []
    kabkota = region.kabkota_code
    for _index in range(count):
        female = rng.random() < 0.55
        name = _person_name(rng, female=female)
        roll = rng.random()
        if roll < 0.12:
            joined_on = _date_between(rng, max(first_join, datetime.date(2025, 1, 1)), LAST_JOIN)
        else:
            joined_on = _date_between(rng, first_join, LAST_JOIN)
        # At least 19 years old on joining (PSM must be 18 or over).
        birth_date = joined_on - datetime.timedelta(days=rng.randint(19 * 366, 60 * 365))
        nik_region = region.code[:8]
        if rng.random() < 0.12:  # the NIK was first issued elsewhere
            nik_region = rng.choice(kecamatan_codes)
        serial = rng.randint(1, 2500)
        nik = build_nik(region_code=nik_region, birth_date=birth_date, is_female=female, serial=serial)
        while nik in used_niks:
            serial += 1
            nik = build_nik(region_code=nik_region, birth_date=birth_date, is_female=female, serial=serial)
        used_niks.add(nik)

        steps = _plan_steps(rng, joined_on=joined_on, wants_candidate=roll < 0.12, cutoff=cutoff)
        active_since = next((day for _old, new, day, _r in steps if new == MemberStatus.AKTIF), None)
        _old, status, status_since, reason = steps[-1]
        sk_number, sk_date = "", None
        if active_since and rng.random() < 0.88:
            sk_number, sk_date = _decree(rng, "460", active_since.year), active_since

        occupation = str(_weighted(rng, OCCUPATIONS))
        if occupation == "ibu rumah tangga" and not female:
            occupation = "petani"
        education = Education.S1 if occupation == "guru" else _weighted(rng, EDUCATIONS)
        if region.level == RegionLevel.KELURAHAN:
            address = f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 120)}"
        else:
            address = f"Dusun {rng.choice(DUSUN)}"
        member = Member(
            nik=nik,
            full_name=name,
            sex=Sex.PEREMPUAN if female else Sex.LAKI_LAKI,
            birth_place=HOME_TOWN[kabkota] if rng.random() < 0.7 else rng.choice(OTHER_BIRTH_PLACES),
            birth_date=birth_date,
            address=address,
            rt=f"{rng.randint(1, 12):03d}",
            rw=f"{rng.randint(1, 9):03d}",
            kelurahan_id=region.code,
            phone=_phone(rng) if rng.random() < 0.9 else "",
            email="",
            education=education,
            occupation=occupation,
            joined_on=joined_on,
            sk_number=sk_number,
            sk_date=sk_date,
            status=status,
            status_reason=reason,
            status_since=status_since,
        )
        if rng.random() < 0.3:
            member.email = _email(rng, name)
        plans.append(MemberPlan(member=member, serial=0, steps=steps, active_since=active_since))

    # KTA serials follow the order of joining.
    plans.sort(key=lambda plan: (plan.member.joined_on, plan.member.nik))
    for serial, plan in enumerate(plans, start=1):
        plan.serial = serial
    return plans


def _plan_steps(
    rng: random.Random, *, joined_on: datetime.date, wants_candidate: bool, cutoff: datetime.date
) -> list[tuple[str, str, datetime.date, str]]:
    """The lifecycle as (old, new, date, reason); a step that would fall after the cutoff is not taken."""
    steps = []

    def step(new: str, day: datetime.date, reason: str = "") -> bool:
        if steps and day > cutoff:
            return False
        old = steps[-1][1] if steps else ""
        steps.append((old, new, day, reason))
        return True

    if wants_candidate:
        step(MemberStatus.CALON, joined_on)
        return steps
    if rng.random() < 0.15:
        step(MemberStatus.AKTIF, joined_on)  # registered straight away as active
    else:
        step(MemberStatus.CALON, joined_on)
        if rng.random() < 0.03:
            reason = InactiveReason.MENGUNDURKAN_DIRI
            step(MemberStatus.NONAKTIF, joined_on + datetime.timedelta(days=rng.randint(30, 200)), reason)
            return steps
        if not step(MemberStatus.AKTIF, joined_on + datetime.timedelta(days=rng.randint(30, 240))):
            return steps
    roll = rng.random()
    if roll < 0.14:
        reason = str(_weighted(rng, INACTIVE_REASONS))
        left_on = steps[-1][2] + datetime.timedelta(days=rng.randint(200, 2200))
        comes_back = reason in (InactiveReason.PINDAH_DOMISILI, InactiveReason.LAINNYA) and rng.random() < 0.3
        if step(MemberStatus.NONAKTIF, left_on, reason) and comes_back:
            step(MemberStatus.AKTIF, left_on + datetime.timedelta(days=rng.randint(90, 700)))
    return steps


def _plan_board(
    rng: random.Random, members: list[MemberPlan], *, kind: str, today: datetime.date
) -> list[SeatPlan]:
    """Seats for members who were active when the term began ('upper': a kecamatan or kab/kota board)."""
    if kind == "none":
        return []
    ends = {
        "lapsed": today - datetime.timedelta(days=rng.randint(10, 200)),
        "ending": today + datetime.timedelta(days=rng.randint(5, 85)),
        "full": today + datetime.timedelta(days=rng.randint(500, 1200)),
    }.get(kind, today + datetime.timedelta(days=rng.randint(120, 1700)))
    starts = _years_later(ends, -TERM_YEARS)
    active = sorted(
        (m for m in members if m.member.status == MemberStatus.AKTIF and m.active_since),
        key=lambda m: (m.active_since, m.member.nik),
    )
    if len(active) < 3:
        return []
    eligible = [m for m in active if m.active_since <= starts]
    if len(eligible) < 3:
        # Too few members were active back then: this board was formed later.
        starts = min(active[2].active_since + datetime.timedelta(days=rng.randint(0, 30)), today)
        ends = _years_later(starts, TERM_YEARS)
        eligible = [m for m in active if m.active_since <= starts]
    seats = [BoardRole.KETUA, BoardRole.SEKRETARIS, BoardRole.BENDAHARA]
    if len(eligible) >= 4 and (kind == "full" or (len(eligible) >= 5 and rng.random() < 0.35)):
        seats.append(BoardRole.WAKIL_KETUA)
    extra = 2 if kind == "full" else rng.randint(0, 2)
    seats += [BoardRole.ANGGOTA] * min(extra, len(eligible) - len(seats))
    holders = rng.sample(eligible, len(seats))
    sk_number = _decree(rng, "463", starts.year)
    return [
        SeatPlan(holder.member.nik, role, starts, ends, sk_number)
        for holder, role in zip(holders, seats, strict=True)
    ]


def _plan_transfers(units: dict[str, UnitPlan], *, cutoff: datetime.date) -> list[TransferPlan]:
    """Three moves inside Kota Magelang, one inside Temanggung, one from Temanggung to Magelang.

    Movers hold no seat, and every village keeps 3 to 12 members afterwards.
    """
    rng = random.Random(f"{SEED}:transfers")
    seated = {seat.nik for unit in units.values() for seat in unit.board}
    villages = [u for code, u in units.items() if u.region.is_village and code != SHOWCASE_VILLAGE]
    used: set[str] = set()
    transfers = []
    for source_prefix, target_prefix in (
        (MAGELANG, MAGELANG),
        (MAGELANG, MAGELANG),
        (MAGELANG, MAGELANG),
        (TEMANGGUNG, TEMANGGUNG),
        (TEMANGGUNG, MAGELANG),
    ):
        sources = [
            u
            for u in villages
            if u.region.code.startswith(source_prefix) and len(u.members) >= 5 and u.region.code not in used
        ]
        targets = [
            u
            for u in villages
            if u.region.code.startswith(target_prefix) and len(u.members) <= 10 and u.region.code not in used
        ]
        movers = [
            (unit, m)
            for unit in sources
            for m in unit.members
            if m.member.status == MemberStatus.AKTIF and m.member.nik not in seated
        ]
        if not movers or len(targets) < 2:
            continue
        source, mover = rng.choice(movers)
        target = rng.choice([t for t in targets if t is not source])
        used.update((source.region.code, target.region.code))
        day = min(mover.member.status_since + datetime.timedelta(days=rng.randint(30, 600)), cutoff)
        transfers.append(
            TransferPlan(
                mover.member.nik, source.region.code, target.region.code, day, rng.choice(TRANSFER_NOTES)
            )
        )
    return transfers


# --- Writing what is missing -----------------------------------------------------------------------------


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> DemoReport:
    """Create whatever part of the demo is missing; a second run creates and changes nothing."""
    today = today or timezone.localdate()
    report = DemoReport()
    report.regions = _ensure_regions()
    users = _ensure_users(report=report)
    plan = plan_demo(today=today)
    units = _ensure_units(plan=plan, users=users, report=report)
    _ensure_assignments(users=users, units=units)
    _ensure_members(plan=plan, units=units, users=users, report=report)
    _ensure_boards(plan=plan, units=units, by=users["admin"], report=report)
    _ensure_transfers(plan=plan, units=units, by=users["admin"], report=report)
    from ipsm.devtools.demo_cases import load_demo_cases  # it builds on this module's names and plan

    load_demo_cases(today=today, plan=plan, users=users, report=report)
    _ensure_psm_account(user=users["psm-rejowinangun-utara"])
    from ipsm.devtools.demo_trainings import load_demo_trainings

    load_demo_trainings(today=today, users=users, report=report)
    from ipsm.devtools.demo_offices import load_demo_offices

    load_demo_offices(users=users, report=report)
    from ipsm.devtools.demo_reports import load_demo_reports  # they list the PSM's cases; due days by office

    load_demo_reports(today=today, users=users, report=report)
    from ipsm.devtools.demo_institution import load_demo_institution

    load_demo_institution(today=today, users=users, report=report)
    from ipsm.devtools.demo_programmes import load_demo_programmes  # after meetings, reports and events

    load_demo_programmes(today=today, users=users, report=report)
    if report.created_anything:
        # Fresh statistics, as autovacuum would give them later: without them the planner takes the new
        # tables for empty and runs the trained-PSM subqueries as nested loops (minutes instead of ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return report


def _ensure_regions() -> int:
    present = set(
        Region.objects.filter(code__in=[*DEMO_PREFIXES, SHOWCASE_VILLAGE]).values_list("code", flat=True)
    )
    missing = [
        p for p in DEMO_PREFIXES if p not in present or not Region.objects.within(p).villages().exists()
    ]
    if SHOWCASE_VILLAGE not in present and MAGELANG not in missing:
        missing.append(MAGELANG)
    return load_regions(missing).created if missing else 0


def _ensure_users(*, report: DemoReport) -> dict:
    User = get_user_model()
    existing = {
        user.username: user for user in User.objects.filter(username__in=[u.username for u in DEMO_USERS])
    }
    groups = {group.name: group for group in Group.objects.filter(name__in=roles.ROLE_PERMISSIONS)}
    password = None
    users = {}
    for spec in DEMO_USERS:
        user = existing.get(spec.username)
        if user is None:
            password = password or make_password(DEMO_PASSWORD)  # hashing is slow: once for all
            user = User.objects.create(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                password=password,
                is_staff=spec.is_superuser,
                is_superuser=spec.is_superuser,
            )
            report.users += 1
        if spec.group:
            user.groups.add(groups[spec.group])  # nothing is written when already a member
        users[spec.username] = user
    return users


def _ensure_units(*, plan: DemoPlan, users: dict, report: DemoReport) -> dict[str, Unit]:
    existing = set(
        Unit.objects.filter(region__in=[u.region for u in plan.units]).values_list("region_id", flat=True)
    )
    now = timezone.now()
    staff = {MAGELANG: users["staf-magelang"], TEMANGGUNG: users["staf-temanggung"]}
    new_units = []
    for unit_plan in plan.units:
        if unit_plan.region.code in existing:
            continue
        checked_by = None
        checked_at = None
        if unit_plan.roster_days_ago is not None:
            checked_at = now - datetime.timedelta(
                days=unit_plan.roster_days_ago, hours=unit_plan.roster_days_ago % 7
            )
            checked_by = staff[unit_plan.region.kabkota_code]
            if unit_plan.region.code == SHOWCASE_VILLAGE:
                checked_by = users["koordinator-rejowinangun-utara"]
        new_units.append(
            Unit(
                region=unit_plan.region,
                sk_number=unit_plan.sk_number,
                sk_date=unit_plan.sk_date,
                roster_confirmed_at=checked_at,
                roster_confirmed_by=checked_by,
            )
        )
    bulk_create_with_history(
        new_units,
        Unit,
        batch_size=BATCH_SIZE,
        default_user=users["admin"],
        default_change_reason=_("Demo data"),
    )
    report.units = len(new_units)
    return {unit.region_id: unit for unit in Unit.objects.filter(region__in=[u.region for u in plan.units])}


def _ensure_assignments(*, users: dict, units: dict[str, Unit]) -> None:
    for spec in DEMO_USERS:
        if spec.group == roles.PSM:
            continue  # tied to a member once the members exist (_ensure_psm_account)
        if spec.region_code:
            Assignment.objects.get_or_create(
                user=users[spec.username], defaults={"region_id": spec.region_code}
            )
        elif spec.unit_region_code:
            Assignment.objects.get_or_create(
                user=users[spec.username], defaults={"unit": units[spec.unit_region_code]}
            )


def _ensure_psm_account(*, user) -> None:
    """Tie the demo PSM account to the active member of the showcase unit who handles the most cases (one
    with a mobile number, so that logging in by it can be tried)."""
    if Assignment.objects.filter(user=user).exists():
        return
    member = (
        Member.objects.filter(unit__region_id=SHOWCASE_VILLAGE, account__isnull=True)
        .active()
        .not_merged()
        .exclude(phone="")
        .annotate(case_count=Count("cases"))
        .order_by("-case_count", "kta_number")
        .first()
    )
    Assignment.objects.create(user=user, member=member)
    first, _space, last = member.full_name.partition(" ")
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])


def _ensure_members(*, plan: DemoPlan, units: dict[str, Unit], users: dict, report: DemoReport) -> None:
    planned = [(unit_plan, m) for unit_plan in plan.units for m in unit_plan.members]
    existing_niks = set(
        Member.objects.filter(nik__in=[m.member.nik for _u, m in planned]).values_list("nik", flat=True)
    )
    taken_ktas = set(
        Member.objects.filter(unit__in=list(units.values())).values_list("kta_number", flat=True)
    )
    staff = {MAGELANG: users["staf-magelang"], TEMANGGUNG: users["staf-temanggung"]}
    last_serial = {code: unit.kta_serial for code, unit in units.items()}
    new_members, new_plans = [], []
    for unit_plan, member_plan in planned:
        if member_plan.member.nik in existing_niks:
            continue
        code = unit_plan.region.code
        unit = units[code]
        serial = member_plan.serial
        if format_kta(unit, serial) in taken_ktas:  # someone registered members here before the demo
            serial = max(last_serial[code], len(unit_plan.members)) + 1
        last_serial[code] = max(last_serial[code], serial)
        member = member_plan.member
        member.unit = unit
        member.kta_number = format_kta(unit, serial)
        taken_ktas.add(member.kta_number)
        new_members.append(member)
        new_plans.append(member_plan)
    bulk_create_with_history(
        new_members,
        Member,
        batch_size=BATCH_SIZE,
        default_user=users["admin"],
        default_change_reason=_("Demo data"),
    )
    changes = [
        StatusChange(
            member=plan_.member,
            old_status=old,
            new_status=new,
            reason=reason,
            changed_on=day,
            changed_by=staff[plan_.member.unit.region_id[:5]],
        )
        for plan_ in new_plans
        for old, new, day, reason in plan_.steps
    ]
    StatusChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
    raised = [unit for code, unit in units.items() if last_serial[code] > unit.kta_serial]
    for unit in raised:
        unit.kta_serial = last_serial[unit.region_id]
    Unit.objects.bulk_update(raised, ["kta_serial"], batch_size=BATCH_SIZE)
    report.members, report.status_changes = len(new_members), len(changes)


def _ensure_boards(*, plan: DemoPlan, units: dict[str, Unit], by, report: DemoReport) -> None:
    """Seat the planned boards of units that have none yet (a board someone edited is left alone)."""
    with_board = set(
        BoardPosition.objects.filter(unit__in=list(units.values())).values_list("unit__region_id", flat=True)
    )
    niks = {seat.nik for unit_plan in plan.units for seat in unit_plan.board}
    members = {
        m.nik: m
        for m in Member.objects.filter(nik__in=niks)
        .exclude(status=MemberStatus.NONAKTIF)
        .select_related("unit")
    }
    positions = []
    for unit_plan in plan.units:
        code = unit_plan.region.code
        if code in with_board:
            continue
        for seat in unit_plan.board:
            member = members.get(seat.nik)
            if member is None or not member.unit.region_id.startswith(code):
                continue
            positions.append(
                BoardPosition(
                    unit=units[code],
                    member=member,
                    role=seat.role,
                    term_starts_on=seat.term_starts_on,
                    term_ends_on=seat.term_ends_on,
                    sk_number=seat.sk_number,
                )
            )
    bulk_create_with_history(
        positions, BoardPosition, batch_size=BATCH_SIZE, default_user=by, default_change_reason=_("Demo data")
    )
    report.board_positions = len(positions)


def _ensure_transfers(*, plan: DemoPlan, units: dict[str, Unit], by, report: DemoReport) -> None:
    """Move the planned members through the service, unless they have moved before (or moved since)."""
    niks = [t.nik for t in plan.transfers]
    members = {m.nik: m for m in Member.objects.filter(nik__in=niks).select_related("unit")}
    moved = set(Transfer.objects.filter(member__nik__in=niks).values_list("member__nik", flat=True))
    for planned in plan.transfers:
        member = members.get(planned.nik)
        if member is None or planned.nik in moved or member.unit.region_id != planned.from_region:
            continue
        transfer_member(
            member=member,
            to_unit=units[planned.to_region],
            transferred_on=planned.transferred_on,
            by=by,
            note=planned.note,
        )
        report.transfers += 1


def demo_logins() -> list[DemoLogin]:
    """The demo accounts with their role and where they work, for the command's closing table."""
    names = dict(
        Region.objects.filter(code__in=[MAGELANG, TEMANGGUNG, SHOWCASE_VILLAGE]).values_list("code", "name")
    )
    logins = []
    for spec in DEMO_USERS:
        if spec.is_superuser:
            role, scope = _("superuser"), _("everything")
        elif spec.group == roles.PSM:
            role = str(roles.ROLE_LABELS[spec.group])
            scope = _("their own data, a member in %(name)s") % {"name": names.get(spec.unit_region_code, "")}
        elif spec.region_code:
            role, scope = (
                str(roles.ROLE_LABELS[spec.group]),
                f"{names.get(spec.region_code, '')} ({spec.region_code})",
            )
        else:
            role = str(roles.ROLE_LABELS[spec.group])
            scope = _("IPSM unit of %(name)s (%(code)s)") % {
                "name": names.get(spec.unit_region_code, ""),
                "code": spec.unit_region_code,
            }
        logins.append(DemoLogin(spec.username, role, scope))
    return logins
