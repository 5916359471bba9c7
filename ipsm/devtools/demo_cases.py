"""Demo data for the cases app: PMKS counts, Kota Magelang's coverage target and a few dozen cases.

Kota Magelang reported 6,813 PMKS in 2021 and 6,116 in 2022, 4,347 of them fakir miskin; the demo counts add
up to exactly those figures (largest-remainder apportionment over categories, then over kelurahan).
Temanggung gets smaller rural figures for 2022 and 2023, in desa with an IPSM unit and in some without, so
that the coverage dashboard shows every status.

As in ipsm.devtools.demo, everything is planned from the regions and fixed seeds; only what is missing is
written: a
count is found by (kelurahan, category, year, semester), and cases are only created while the demo regions
have none (a case has no natural key, and staff may have edited the demo's cases since).
"""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cases.models import (
    Case,
    CaseActivity,
    CaseChannel,
    CasePsmAssignment,
    CaseStatus,
    CaseStatusChange,
    CloseReason,
    CoverageTarget,
    InstitutionType,
    PmksCategory,
    PmksCount,
    PmksSource,
    Referral,
    ReferralOutcome,
)
from cases.periods import WHOLE_YEAR
from ipsm.devtools.demo import (
    BATCH_SIZE,
    DATA_CUTOFF,
    DEMO_PREFIXES,
    DUSUN,
    FEMALE_NAMES,
    FEMALE_SECOND,
    MAGELANG,
    MALE_NAMES,
    MALE_SECOND,
    SEED,
    SHOWCASE_VILLAGE,
    STREETS,
    TEMANGGUNG,
    DemoPlan,
    DemoReport,
    _date_between,
    _weighted,
)
from members.models import Member, MemberStatus, Region, RegionLevel, Sex
from members.nik import build_nik

# Kota Magelang's published totals: year -> (all PMKS, fakir miskin).
MAGELANG_TOTALS = {2021: (6813, 4712), 2022: (6116, 4347)}
TEMANGGUNG_YEARS = (2022, 2023)
TEMANGGUNG_EXTRA_DESA_SHARE = 0.1  # desa without an IPSM unit that still report PMKS ("tanpa PSM")
FAKIR_MISKIN = 24

# How the PMKS other than fakir miskin split over the categories (relative weights; missing: none at all).
CATEGORY_WEIGHTS = {
    8: 300,  # lanjut usia terlantar
    9: 220,  # penyandang disabilitas
    23: 140,  # perempuan rawan sosial ekonomi
    2: 80,  # anak terlantar
    5: 50,  # anak dengan kedisabilitasan
    25: 40,  # keluarga bermasalah sosial psikologis
    1: 20,  # anak balita terlantar
    19: 20,  # korban tindak kekerasan
    15: 18,  # bekas warga binaan lembaga pemasyarakatan
    13: 15,  # pemulung
    17: 15,  # korban penyalahgunaan NAPZA
    21: 12,  # korban bencana alam
    16: 10,  # ODHA
    6: 10,  # anak korban tindak kekerasan
    3: 8,  # anak berhadapan dengan hukum
    7: 8,  # anak memerlukan perlindungan khusus
    12: 6,  # pengemis
    20: 6,  # pekerja migran bermasalah sosial
    4: 5,  # anak jalanan
    11: 5,  # gelandangan
    22: 3,  # korban bencana sosial
    18: 2,  # korban trafficking
}
# Not in DTKS: these figures come from the Dinas's own surveys.
SURVEYED_CATEGORIES = {16, 17, 18, 19, 21, 22}
# Rural Temanggung has no street begging or scavenging to speak of.
RURAL_ABSENT = {4, 11, 12, 13, 18}


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split a whole number in proportion to weights (largest remainder): whole shares that add up exactly."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    quotas = [total * weight / weight_sum for weight in weights]
    shares = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (shares[i] - quotas[i], i))
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


# --- PMKS counts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountPlan:
    kelurahan: str
    category: int
    year: int
    count: int
    source: str


def plan_pmks_counts(plan: DemoPlan) -> list[CountPlan]:
    """Every demo count: full grids (zeros included) for Magelang, the non-zero categories for Temanggung."""
    regions = [u.region for u in plan.units]
    magelang = list(
        Region.objects.within(MAGELANG).villages().order_by("code").values_list("code", flat=True)
    )
    with_unit = sorted(r.code for r in regions if r.is_village and r.code.startswith(TEMANGGUNG))
    without_unit = sorted(
        set(Region.objects.within(TEMANGGUNG).villages().values_list("code", flat=True)) - set(with_unit)
    )
    rng = random.Random(f"{SEED}:pmks:{TEMANGGUNG}")
    extra = rng.sample(
        without_unit, min(len(without_unit), round(len(with_unit) * TEMANGGUNG_EXTRA_DESA_SHARE))
    )
    return _plan_magelang_counts(magelang) + _plan_temanggung_counts(sorted(with_unit + extra))


def _plan_magelang_counts(kelurahan: list[str]) -> list[CountPlan]:
    if not kelurahan:
        return []
    rng = random.Random(f"{SEED}:pmks:{MAGELANG}")
    # Some kelurahan are much poorer (or simply larger) than others; the spread holds from year to year.
    size = [rng.lognormvariate(0, 0.6) for _code in kelurahan]
    categories = [FAKIR_MISKIN, *CATEGORY_WEIGHTS]
    plans = []
    for year, (total, fakir_miskin) in sorted(MAGELANG_TOTALS.items()):
        others = apportion(
            total - fakir_miskin, [weight * rng.uniform(0.8, 1.2) for weight in CATEGORY_WEIGHTS.values()]
        )
        city = dict(zip(categories, [fakir_miskin, *others], strict=True))
        grid: dict[tuple[str, int], int] = {}
        for number, city_count in city.items():
            spread = 0.15 if number == FAKIR_MISKIN else 0.5
            weights = [s * rng.uniform(1 - spread, 1 + spread) for s in size]
            for code, count in zip(kelurahan, apportion(city_count, weights), strict=True):
                grid[code, number] = count
        for code in kelurahan:
            for number in range(1, 27):
                source = PmksSource.SURVEI if number in SURVEYED_CATEGORIES else PmksSource.DTKS
                plans.append(CountPlan(code, number, year, grid.get((code, number), 0), source))
    return plans


def _plan_temanggung_counts(desa: list[str]) -> list[CountPlan]:
    plans = []
    rural = {number: weight for number, weight in CATEGORY_WEIGHTS.items() if number not in RURAL_ABSENT}
    for code in desa:
        rng = random.Random(f"{SEED}:pmks:{code}")
        total = round(rng.triangular(50, 400, 130))
        for year in TEMANGGUNG_YEARS:
            fakir_miskin = round(total * rng.uniform(0.6, 0.78))
            others = apportion(total - fakir_miskin, [w * rng.uniform(0.3, 1.7) for w in rural.values()])
            for number, count in zip([FAKIR_MISKIN, *rural], [fakir_miskin, *others], strict=True):
                if count:
                    source = PmksSource.SURVEI if number in SURVEYED_CATEGORIES else PmksSource.DTKS
                    plans.append(CountPlan(code, number, year, count, source))
            total = round(total * rng.uniform(0.85, 1.05))  # the next year: a little fewer, mostly
    return plans


def _ensure_pmks_counts(*, plan: DemoPlan, users: dict, report: DemoReport) -> None:
    planned = plan_pmks_counts(plan)
    within = Q()
    for prefix in DEMO_PREFIXES:
        within |= Q(kelurahan__code__startswith=prefix)
    existing = set(
        PmksCount.objects.filter(within, semester=WHOLE_YEAR).values_list(
            "kelurahan_id", "category__number", "year"
        )
    )
    categories = {c.number: c for c in PmksCategory.objects.all()}
    staff = {MAGELANG: users["staf-magelang"], TEMANGGUNG: users["staf-temanggung"]}
    rows = [
        PmksCount(
            kelurahan_id=p.kelurahan,
            category=categories[p.category],
            year=p.year,
            semester=WHOLE_YEAR,
            count=p.count,
            source=p.source,
            data_date=datetime.date(p.year, 12, 31),
            updated_by=staff[p.kelurahan[:5]],
        )
        for p in planned
        if (p.kelurahan, p.category, p.year) not in existing
    ]
    bulk_create_with_history(
        rows,
        PmksCount,
        batch_size=BATCH_SIZE,
        default_user=users["admin"],
        default_change_reason=_("Demo data"),
    )
    report.pmks_counts = len(rows)


def _ensure_coverage_target(*, users: dict, report: DemoReport) -> None:
    """Kota Magelang sets its own (equal to the national) target; Temanggung stays on the defaults."""
    if CoverageTarget.objects.filter(region_id=MAGELANG).exists():
        return
    target = CoverageTarget(
        region_id=MAGELANG, min_active_psm=5, max_pmks_per_psm=50, updated_by=users["staf-magelang"]
    )
    bulk_create_with_history(
        [target], CoverageTarget, default_user=users["staf-magelang"], default_change_reason=_("Demo data")
    )
    report.coverage_targets = 1


# --- Cases -----------------------------------------------------------------------------------------------

CASE_CATEGORIES = [
    (24, 30), (8, 20), (9, 14), (19, 6), (23, 6), (2, 7), (5, 4), (6, 3), (25, 3), (16, 2), (12, 2), (11, 1),
]  # fmt: skip
CHILD_CATEGORIES = {1, 2, 3, 4, 5, 6, 7}
DESCRIPTIONS = {
    24: "Keluarga tidak mampu, kepala keluarga bekerja serabutan; belum terdaftar sebagai penerima PKH/BPNT.",
    8: "Lansia tinggal sendiri tanpa keluarga yang merawat; kesulitan memenuhi kebutuhan makan sehari-hari.",
    9: "Penyandang disabilitas fisik, belum memiliki alat bantu dan belum terdaftar BPJS PBI.",
    19: "Korban kekerasan dalam rumah tangga, membutuhkan pendampingan dan tempat aman sementara.",
    23: "Perempuan kepala keluarga tanpa penghasilan tetap dengan tiga anak usia sekolah.",
    2: "Anak yatim piatu diasuh nenek yang sudah lanjut usia; terancam putus sekolah.",
    5: "Anak dengan disabilitas intelektual, belum mendapat layanan terapi.",
    6: "Anak diduga mengalami kekerasan di lingkungan rumah; dilaporkan oleh guru sekolah.",
    25: "Keluarga mengalami konflik berkepanjangan; pengasuhan anak-anak terabaikan.",
    16: "ODHA dengan kondisi ekonomi lemah, membutuhkan pendampingan pengobatan rutin.",
    12: "Ditemukan mengemis di sekitar pasar; tidak memiliki penghasilan tetap.",
    11: "Tidak memiliki tempat tinggal tetap, tidur di emperan toko.",
}
INTERVENTIONS = {
    24: "Pendampingan pengusulan ke DTKS dan pengurusan KIS PBI.",
    8: "Pengantaran bantuan permakanan dan koordinasi dengan ketua RT untuk kunjungan rutin.",
    9: "Pengusulan bantuan alat bantu (kursi roda) ke Dinas Sosial.",
    19: "Pendampingan psikososial dan koordinasi dengan UPTD PPA.",
    23: "Pendampingan pengajuan bantuan usaha ekonomi produktif.",
    2: "Koordinasi dengan sekolah untuk keringanan biaya dan pengusulan PKH.",
    5: "Pendampingan ke layanan terapi tumbuh kembang.",
    6: "Pendampingan anak dan keluarga bersama UPTD PPA.",
    25: "Mediasi keluarga bersama tokoh masyarakat setempat.",
    16: "Pendampingan rutin mengambil obat ARV di puskesmas.",
    12: "Pendataan dan pembinaan bersama Satpol PP.",
    11: "Pengantaran ke rumah singgah sementara.",
}
REFERRALS = {
    MAGELANG: [
        (InstitutionType.PUSKESMAS, "Puskesmas Magelang Selatan"),
        (InstitutionType.BPJS, "BPJS Kesehatan Cabang Magelang"),
        (InstitutionType.DINAS, "Disdukcapil Kota Magelang"),
        (InstitutionType.LKS, "LKS Lansia Among Sejahtera"),
    ],
    TEMANGGUNG: [
        (InstitutionType.PUSKESMAS, "Puskesmas Parakan"),
        (InstitutionType.BPJS, "BPJS Kesehatan Kabupaten Temanggung"),
        (InstitutionType.DINAS, "UPTD PPA Kabupaten Temanggung"),
        (InstitutionType.LKS, "LKS Bina Insani Temanggung"),
    ],
}
CHANNELS = [
    (CaseChannel.LAPORAN_WARGA, 40), (CaseChannel.PSM, 25), (CaseChannel.TKSK, 15),
    (CaseChannel.RUJUKAN_INSTANSI, 12), (CaseChannel.LAINNYA, 8),
]  # fmt: skip
CLOSE_REASONS_EARLY = [CloseReason.DUPLIKAT, CloseReason.BUKAN_PMKS]
CLOSE_REASONS_LATER = [
    CloseReason.MENOLAK, CloseReason.PINDAH, CloseReason.MENINGGAL_DUNIA, CloseReason.DITANGANI_PIHAK_LAIN,
]  # fmt: skip

# The status paths a demo case has taken (from baru); the last step is where it stands.
PATHS = {
    CaseStatus.BARU: [[]],
    CaseStatus.ASESMEN: [[CaseStatus.ASESMEN]],
    CaseStatus.INTERVENSI: [[CaseStatus.ASESMEN, CaseStatus.INTERVENSI]],
    CaseStatus.RUJUKAN: [
        [CaseStatus.ASESMEN, CaseStatus.RUJUKAN],
        [CaseStatus.ASESMEN, CaseStatus.INTERVENSI, CaseStatus.RUJUKAN],
    ],
    CaseStatus.SELESAI: [
        [CaseStatus.ASESMEN, CaseStatus.INTERVENSI, CaseStatus.SELESAI],
        [CaseStatus.ASESMEN, CaseStatus.RUJUKAN, CaseStatus.SELESAI],
    ],
    CaseStatus.DITUTUP: [[CaseStatus.DITUTUP], [CaseStatus.ASESMEN, CaseStatus.DITUTUP]],
}
# Status, whether a PSM is responsible: 4 open cases of the showcase unit, then 36 more across both areas.
SHOWCASE_CASES = [
    (CaseStatus.ASESMEN, True),
    (CaseStatus.INTERVENSI, True),
    (CaseStatus.INTERVENSI, True),
    (CaseStatus.RUJUKAN, True),
]
OTHER_CASES = (
    [(CaseStatus.BARU, False)] * 6
    + [(CaseStatus.BARU, True)] * 2
    + [(CaseStatus.ASESMEN, False)] * 2
    + [(CaseStatus.ASESMEN, True)] * 4
    + [(CaseStatus.INTERVENSI, True)] * 6
    + [(CaseStatus.RUJUKAN, False)] * 1
    + [(CaseStatus.RUJUKAN, True)] * 3
    + [(CaseStatus.SELESAI, True)] * 7
    + [(CaseStatus.DITUTUP, True)] * 3
    + [(CaseStatus.DITUTUP, False)] * 2
)
MAGELANG_CASES = 21  # of OTHER_CASES; the rest are Temanggung's
# How long ago (before the cutoff) a case in each status can have been reported, in days.
REPORTED_WITHIN = {
    CaseStatus.BARU: 45,
    CaseStatus.ASESMEN: 120,
    CaseStatus.INTERVENSI: 210,
    CaseStatus.RUJUKAN: 210,
    CaseStatus.SELESAI: 300,
    CaseStatus.DITUTUP: 300,
}


@dataclass
class CasePlan:
    case: Case  # unsaved, its category still to be set
    category: int  # the PmksCategory's number
    steps: list[tuple[str, str, datetime.date, str]]  # (old, new, date, close reason)
    assigned_on: datetime.date | None
    activities: list[tuple[datetime.date, str]] = field(default_factory=list)
    referral: Referral | None = None  # unsaved, without its case


def plan_cases(*, today: datetime.date, plan: DemoPlan) -> list[CasePlan]:
    """The demo's cases, with their steps; responsible PSM are active members of the demo's units."""
    cutoff = min(DATA_CUTOFF, today)
    rng = random.Random(f"{SEED}:cases")
    psm_by_village: dict[str, list[Member]] = {}
    in_demo = Q(unit__region__code__startswith=MAGELANG) | Q(unit__region__code__startswith=TEMANGGUNG)
    active = Member.objects.filter(in_demo, status=MemberStatus.AKTIF).select_related("unit").order_by("nik")
    for member in active:
        psm_by_village.setdefault(member.unit.region_id, []).append(member)
    villages = {
        r.code: r
        for r in Region.objects.filter(Q(code__startswith=MAGELANG) | Q(code__startswith=TEMANGGUNG))
    }
    magelang = sorted(c for c, r in villages.items() if r.is_village and c.startswith(MAGELANG))
    temanggung_units = sorted(c for c in psm_by_village if c.startswith(TEMANGGUNG))
    # Desa that count PMKS but have no IPSM unit: their cases show up as "tanpa PSM" on the dashboard.
    unit_villages = {u.region.code for u in plan.units}
    temanggung_bare = sorted(
        {p.kelurahan for p in plan_pmks_counts(plan) if p.kelurahan.startswith(TEMANGGUNG)} - unit_villages
    )

    others = list(OTHER_CASES)
    rng.shuffle(others)
    specs = [(SHOWCASE_VILLAGE, status, with_psm) for status, with_psm in SHOWCASE_CASES]
    for index, (status, with_psm) in enumerate(others):
        if index < MAGELANG_CASES:
            code = rng.choice([c for c in magelang if c != SHOWCASE_VILLAGE])
        elif with_psm or not temanggung_bare or rng.random() < 0.4:
            code = rng.choice(temanggung_units)
        else:
            code = rng.choice(temanggung_bare)
        specs.append((code, status, with_psm))

    plans = []
    for code, status, with_psm in specs:
        region = villages[code]
        case_plan = _plan_case(rng, region=region, status=status, cutoff=cutoff)
        if with_psm:
            # Made responsible on reporting a case themselves, otherwise for its assessment.
            _old, first_move, on, _reason = case_plan.steps[min(1, len(case_plan.steps) - 1)]
            if case_plan.case.channel == CaseChannel.PSM or first_move != CaseStatus.ASESMEN:
                on = case_plan.case.reported_on
            case_plan.assigned_on = on
            # The showcase unit's cases go to two of its longest-serving PSM, so its panel shows how the
            # cases are shared out.
            pool = 2 if code == SHOWCASE_VILLAGE else None
            case_plan.case.psm = _choose_psm(rng, code, on, psm_by_village, pool=pool)
        elif case_plan.case.channel == CaseChannel.PSM:
            case_plan.case.channel = CaseChannel.LAPORAN_WARGA  # a PSM who reports a case takes it on
        if case_plan.case.psm is None:
            case_plan.assigned_on = None
        plans.append(case_plan)
    return plans


def _choose_psm(
    rng: random.Random,
    code: str,
    on: datetime.date,
    psm_by_village: dict[str, list[Member]],
    *,
    pool: int | None = None,
) -> Member | None:
    """A PSM of the case's own unit if it has one, else of its kecamatan, else of its kab/kota.

    Preferably one who was already active on the day; `pool`: only among the longest-serving few.
    """
    for prefix in (code, code[:8], code[:5]):
        candidates = [m for village, ms in psm_by_village.items() if village.startswith(prefix) for m in ms]
        candidates = [m for m in candidates if m.status_since <= on] or candidates
        if candidates:
            candidates.sort(key=lambda m: (m.status_since, m.nik))
            return rng.choice(candidates[:pool])
    return None


def _plan_case(rng: random.Random, *, region: Region, status: str, cutoff: datetime.date) -> CasePlan:
    number = int(_weighted(rng, CASE_CATEGORIES))
    path = rng.choice(PATHS[status])
    gaps = [rng.randint(3, 21) if index == 0 else rng.randint(10, 60) for index in range(len(path))]
    latest = sum(gaps)
    reported_on = cutoff - datetime.timedelta(
        days=rng.randint(latest, max(latest, REPORTED_WITHIN[status]) + latest)
    )
    steps = [("", CaseStatus.BARU, reported_on, "")]
    day = reported_on
    for new, gap in zip(path, gaps, strict=True):
        day += datetime.timedelta(days=gap)
        reason = ""
        if new == CaseStatus.DITUTUP:
            reason = rng.choice(CLOSE_REASONS_EARLY if len(steps) == 1 else CLOSE_REASONS_LATER)
        steps.append((steps[-1][1], new, day, reason))

    female = rng.random() < (0.9 if number in (19, 23) else 0.5)
    if number in CHILD_CATEGORIES:
        age = rng.randint(3, 16)
    elif number == 8:
        age = rng.randint(62, 88)
    else:
        age = rng.randint(24, 72)
    birth_date = reported_on - datetime.timedelta(days=age * 365 + rng.randint(0, 300))
    nik = ""
    if rng.random() < 0.35:
        nik = build_nik(
            region_code=region.code[:8], birth_date=birth_date, is_female=female, serial=rng.randint(1, 3000)
        )
    elif rng.random() < 0.5:
        birth_date = None  # only the age is known
    if region.level == RegionLevel.KELURAHAN:
        address = f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 150)}"
    else:
        address = f"Dusun {rng.choice(DUSUN)}"
    address += f", RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 9):03d}"
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    name = first if rng.random() < 0.15 else f"{first} {rng.choice(FEMALE_SECOND if female else MALE_SECOND)}"

    case = Case(
        person_name=name,
        person_nik=nik,
        person_sex=Sex.PEREMPUAN if female else Sex.LAKI_LAKI,
        person_birth_date=birth_date,
        person_age=None if birth_date else age,
        person_address=address,
        kelurahan=region,
        description=DESCRIPTIONS[number],
        reported_on=reported_on,
        channel=_weighted(rng, CHANNELS),
        status=steps[-1][1],
        status_since=steps[-1][2],
        close_reason=steps[-1][3],
    )
    case_plan = CasePlan(case=case, category=number, steps=steps, assigned_on=None)

    kabkota = region.kabkota_code
    for _old, new, on, _reason in steps[1:]:
        if new == CaseStatus.ASESMEN:
            case_plan.activities.append((on, "Kunjungan rumah dan asesmen awal kebutuhan."))
        elif new == CaseStatus.INTERVENSI:
            case_plan.activities.append((on, INTERVENTIONS[number]))
        elif new == CaseStatus.RUJUKAN:
            kind, institution = rng.choice(REFERRALS[kabkota])
            referral = Referral(institution_type=kind, institution_name=institution, referred_on=on)
            if status == CaseStatus.SELESAI:
                referral.outcome = ReferralOutcome.DILAYANI
            elif rng.random() < 0.5:
                referral.outcome = ReferralOutcome.DITERIMA
            if referral.outcome != ReferralOutcome.MENUNGGU:
                referral.outcome_on = min(on + datetime.timedelta(days=rng.randint(3, 14)), cutoff)
                # What record_referral_outcome writes, in the same words.
                case_plan.activities.append(
                    (
                        referral.outcome_on,
                        _("Referral to %(institution)s: %(outcome)s. %(note)s")
                        % {
                            "institution": institution,
                            "outcome": referral.get_outcome_display(),
                            "note": "",
                        },
                    )
                )
            case_plan.referral = referral
    if status in (CaseStatus.INTERVENSI, CaseStatus.RUJUKAN) and rng.random() < 0.5:
        case_plan.activities.append(
            (_date_between(rng, steps[-1][2], cutoff), "Kunjungan pemantauan; kondisi dicatat oleh PSM.")
        )
    return case_plan


def _ensure_cases(*, today: datetime.date, plan: DemoPlan, users: dict, report: DemoReport) -> None:
    within = Q()
    for prefix in DEMO_PREFIXES:
        within |= Q(kelurahan__code__startswith=prefix)
    if Case.objects.filter(within).exists():
        return
    plans = plan_cases(today=today, plan=plan)
    categories = {c.number: c for c in PmksCategory.objects.all()}
    staff = {MAGELANG: users["staf-magelang"], TEMANGGUNG: users["staf-temanggung"]}
    for case_plan in plans:
        case = case_plan.case
        case.category = categories[case_plan.category]
        case.created_by = staff[case.kelurahan_id[:5]]
    cases = bulk_create_with_history(
        [p.case for p in plans],
        Case,
        batch_size=BATCH_SIZE,
        default_user=users["admin"],
        default_change_reason=_("Demo data"),
    )
    changes, assignments, activities, referrals = [], [], [], []
    for case, case_plan in zip(cases, plans, strict=True):
        by = case.created_by
        changes += [
            CaseStatusChange(
                case=case, old_status=old, new_status=new, close_reason=reason, changed_on=on, changed_by=by
            )
            for old, new, on, reason in case_plan.steps
        ]
        if case.psm_id:
            assignments.append(
                CasePsmAssignment(
                    case=case, member=case.psm, assigned_on=case_plan.assigned_on, assigned_by=by
                )
            )
        activities += [
            CaseActivity(case=case, done_on=on, description=text, recorded_by=by)
            for on, text in case_plan.activities
        ]
        if case_plan.referral is not None:
            case_plan.referral.case, case_plan.referral.referred_by = case, by
            referrals.append(case_plan.referral)
    CaseStatusChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
    CasePsmAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
    CaseActivity.objects.bulk_create(activities, batch_size=BATCH_SIZE)
    Referral.objects.bulk_create(referrals, batch_size=BATCH_SIZE)
    report.cases = len(cases)


def load_demo_cases(*, today: datetime.date, plan: DemoPlan, users: dict, report: DemoReport) -> None:
    """Create the missing PMKS counts, Magelang's coverage target and (while there are none) the cases."""
    _ensure_pmks_counts(plan=plan, users=users, report=report)
    _ensure_coverage_target(users=users, report=report)
    _ensure_cases(today=today, plan=plan, users=users, report=report)
