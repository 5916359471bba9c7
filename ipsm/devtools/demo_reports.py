"""Demo PSM monthly activity reports: the 12 whole months before today's, and a few drafts for this month.

Most reports are approved; some were late, some are missing (an active PSM without a report), some were
returned with a note (most corrected and approved since, a few still waiting), some are drafts, and some were
entered by staff from the PSM's paper form. Each PSM has a habit (reliable or sloppy, online or on paper)
drawn from their NIK, so the same PSM are late or missing month after month, as in a real kab/kota.

Rows are written directly (COPY, `_write`) for speed, but follow cases/reports.py: the due date is its
`due_date`, a report is late when first submitted after it (Asia/Jakarta calendar), a resubmission keeps the
first mark, a paper report starts with an "entered from paper" step by staff, a return carries a note, only
the PSM's own cases are listed, and every step has who and when, all before now. Steps are taken by the PSM's
own account where they have one, else by their unit's coordinator or their kab/kota's staff; reviews by the
coordinator, else staff.

A PSM counts for a month when active on its last day (`MemberQuerySet.active_on`, from the status history).
As elsewhere in the demo, the plan comes from fixed seeds and only what is missing is written: a report is
found by (member, month), and a month planned without a report stays without one. The demo PSM account's
member gets reports in several states, one of them returned for correction, and none for this month: making
it is theirs to try.
"""

import datetime
import functools
import json
import random
from dataclasses import dataclass, field
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from cases.models import (
    OPEN_STATUSES,
    Case,
    MonthlyReport,
    ReportActivity,
    ReportActivityKind,
    ReportState,
    ReportStep,
    ReportStepAction,
)
from cases.reports import due_date
from ipsm.devtools.demo import DEMO_PREFIXES, MAGELANG, SEED, TEMANGGUNG, DemoReport
from ipsm.devtools.demo_cases import CATEGORY_WEIGHTS, FAKIR_MISKIN
from ipsm.devtools.demo_common import copy_rows, end_of_month
from members.models import Assignment, Member, StatusChange

JAKARTA = ZoneInfo("Asia/Jakarta")
PAST_MONTHS = 12
PSM_USERNAME = "psm-rejowinangun-utara"
STAFF = {MAGELANG: "staf-magelang", TEMANGGUNG: "staf-temanggung"}

# Per kab/kota: (share of sloppy PSM, share reporting on paper, chance a month is missing, chance it is late).
HABITS = {MAGELANG: (0.12, 0.04, 0.03, 0.06), TEMANGGUNG: (0.2, 0.1, 0.06, 0.09)}
SLOPPY_FACTOR = 3.5  # a sloppy PSM misses and is late this many times as often
RETURN_CHANCE = 0.09
STUCK_RETURN_CHANCE = 0.25  # of a sloppy PSM's returns: never corrected
FORGOTTEN_DRAFT_CHANCE = 0.02  # started, never submitted
CURRENT_DRAFT_CHANCE = 0.2  # this month's report already started
# A few PSM stopped reporting STOPPED_MONTHS months ago: the "no report for 3 months" list has names.
STOPPED_SHARE = 0.03
STOPPED_MONTHS = 4

ACTIVITY_KINDS = [
    (ReportActivityKind.KUNJUNGAN, 30), (ReportActivityKind.PENDATAAN, 22),
    (ReportActivityKind.PENDAMPINGAN, 18), (ReportActivityKind.PERTEMUAN, 12),
    (ReportActivityKind.SOSIALISASI, 9), (ReportActivityKind.RUJUKAN, 5), (ReportActivityKind.LAINNYA, 3),
    (ReportActivityKind.BENCANA, 1),
]  # fmt: skip
# Drawn tens of thousands of times: cumulative weights, worked out once.
KINDS, KIND_WEIGHTS = zip(*ACTIVITY_KINDS, strict=True)
KIND_CUMULATIVE = list(accumulate(KIND_WEIGHTS))
CATEGORIES = [FAKIR_MISKIN, *CATEGORY_WEIGHTS]
CATEGORY_CUMULATIVE = list(accumulate([200, *CATEGORY_WEIGHTS.values()]))
HOW_MANY = [1, 2, 3, 4]
ACTIVITY_COUNT_CUMULATIVE = list(accumulate([2, 4, 3, 1]))
CATEGORY_COUNT_CUMULATIVE = list(accumulate([3, 4, 2, 1]))
ACTIVITY_COUNTS = {
    ReportActivityKind.KUNJUNGAN: (2, 12),
    ReportActivityKind.PENDATAAN: (3, 25),
    ReportActivityKind.PENDAMPINGAN: (1, 6),
    ReportActivityKind.PERTEMUAN: (1, 1),
    ReportActivityKind.SOSIALISASI: (1, 3),
    ReportActivityKind.RUJUKAN: (1, 3),
    ReportActivityKind.LAINNYA: (1, 2),
    ReportActivityKind.BENCANA: (1, 2),
}
OBSTACLES = [
    "",
    "Tidak ada kendala berarti.",
    "Beberapa warga tidak berada di rumah saat dikunjungi, kunjungan diulang pada minggu berikutnya.",
    "Data DTKS di desa belum diperbarui sehingga pendataan harus dicocokkan manual dengan data RT.",
    "Jarak antar dusun cukup jauh dan jalan rusak saat hujan.",
    "Keluarga dampingan belum memiliki KTP/KK yang sesuai sehingga pengusulan bantuan tertunda.",
    "Warga lansia sulit dijangkau karena tinggal sendiri di pinggir desa.",
    "Biaya transport kunjungan ditanggung sendiri.",
    "Rujukan ke puskesmas menunggu antrean BPJS PBI.",
    "Sinyal internet lemah sehingga laporan terlambat diunggah.",
]
PLANS = [
    "Melanjutkan kunjungan rumah ke lansia terlantar dan keluarga fakir miskin.",
    "Pendataan ulang PMKS di RW yang belum terdata.",
    "Mendampingi pengurusan KIS PBI bagi keluarga dampingan.",
    "Menghadiri pertemuan rutin IPSM tingkat kecamatan.",
    "Sosialisasi program PKH dan BPNT bersama pendamping PKH.",
    "Memantau perkembangan kasus yang sedang didampingi dan koordinasi dengan perangkat desa.",
    "Mengusulkan alat bantu bagi penyandang disabilitas ke Dinas Sosial.",
    "Koordinasi dengan puskesmas untuk rujukan warga yang sakit menahun.",
]
RETURN_NOTES = [
    "Jumlah PMKS yang dijangkau belum sesuai dengan kegiatan yang dilaporkan, mohon diperiksa kembali.",
    "Tanggal kunjungan rumah ada yang di luar bulan laporan, mohon diperbaiki.",
    "Mohon lengkapi kendala dan rencana kegiatan bulan depan.",
    "Kasus yang didampingi bulan ini belum dicantumkan.",
    "Jumlah kunjungan terlalu besar untuk satu hari, mohon dicek lagi.",
]


@dataclass
class StepPlan:
    action: str
    at: datetime.datetime
    by: object  # a user
    note: str = ""


@dataclass
class ReportPlan:
    member: Member
    month: datetime.date
    due_on: datetime.date
    state: str
    on_paper: bool
    entered_by: object  # a user or None
    steps: list[StepPlan]
    activities: list[tuple[str, datetime.date, int]]
    pmks_reached: dict[str, int]
    case_ids: list[int]
    obstacles: str
    plan: str
    submitted_at: datetime.datetime | None = None
    is_late: bool = False


@dataclass
class Context:
    """What the plan draws on, read once."""

    today: datetime.date
    now: datetime.datetime
    due: dict[tuple[str, datetime.date], datetime.date]  # (kab/kota, month) -> due date
    own_user: dict[int, object]  # member pk -> their PSM account
    coordinator: dict[int, object]  # unit pk -> its coordinator's account
    staff: dict[str, object]  # kab/kota -> staff account
    cases: dict[int, list[Case]] = field(default_factory=dict)  # member pk -> cases they are responsible for


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def demo_months(today: datetime.date) -> list[datetime.date]:
    """The 12 whole months before today's, oldest first, then today's month."""
    months = [today.replace(day=1)]
    for _index in range(PAST_MONTHS):
        months.insert(0, (months[0] - datetime.timedelta(days=1)).replace(day=1))
    return months


def _at(rng: random.Random, day: datetime.date, *, office: bool) -> datetime.datetime:
    """A plausible time on `day`: office hours for staff and coordinators, after work for a PSM."""
    hour = rng.randint(8, 15) if office else rng.choice([7, 12, 16, 18, 19, 19, 20, 20, 21])
    return datetime.datetime.combine(day, datetime.time(hour, rng.randint(0, 59)), tzinfo=JAKARTA)


def _local_day(moment: datetime.datetime) -> datetime.date:
    """The day by the Asia/Jakarta calendar, as `submit_report` counts lateness."""
    return moment.astimezone(JAKARTA).date()


def load_demo_reports(*, today: datetime.date, users: dict, report: DemoReport) -> None:
    """Create the missing monthly reports of the demo's PSM (runs after the cases and the PSM account)."""
    months = demo_months(today)
    in_demo = Q()
    for prefix in DEMO_PREFIXES:
        in_demo |= Q(unit__region__code__startswith=prefix)
    members = Member.objects.filter(in_demo).not_merged().select_related("unit").order_by()
    with connection.cursor() as cursor:
        # The members and their status history were (likely) just written: without statistics the planner
        # takes them for empty and runs active_on's subquery five times slower.
        for model in (Member, StatusChange):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    active = {
        month: set(members.active_on(min(end_of_month(month), today)).values_list("pk", flat=True))
        for month in months
    }
    wanted = set().union(*active.values())
    existing = set(
        MonthlyReport.objects.filter(member__in=wanted, month__in=months).values_list("member_id", "month")
    )
    missing = {(pk, month) for month in months for pk in active[month]} - existing
    if not missing:
        return
    by_pk = members.in_bulk({pk for pk, _month in missing})
    context = _context(today=today, members=list(by_pk.values()), months=months, users=users)
    psm_member = next(iter(k for k, u in context.own_user.items() if u == users.get(PSM_USERNAME)), None)
    plans = []
    for pk, month in sorted(missing, key=lambda key: (by_pk[key[0]].nik, key[1])):
        member = by_pk[pk]
        if pk == psm_member:
            plan = _plan_showcase(member, month, context)
        else:
            plan = _plan_report(member, month, context)
        if plan is not None:
            plans.append(plan)
    if plans:
        _write(plans, report=report)


def _context(
    *, today: datetime.date, members: list[Member], months: list[datetime.date], users: dict
) -> Context:
    now = timezone.now()
    if timezone.localdate(now) != today:  # loaded "as of" another day: that day, at noon
        now = datetime.datetime.combine(today, datetime.time(12), tzinfo=JAKARTA)
    due = {}
    for kabkota in sorted({m.unit.region_id[:5] for m in members}):
        sample = next(m for m in members if m.unit.region_id.startswith(kabkota))
        for month in months:
            due[kabkota, month] = due_date(sample, month)  # the same for every member of the kab/kota
    accounts = list(
        Assignment.objects.filter(
            Q(member__in=members) | Q(unit__in={m.unit_id for m in members})
        ).select_related("user")
    )
    context = Context(
        today=today,
        now=now,
        due=due,
        own_user={a.member_id: a.user for a in accounts if a.member_id},
        coordinator={a.unit_id: a.user for a in accounts if a.unit_id},
        staff={code: users[username] for code, username in STAFF.items()},
    )
    for case in Case.objects.filter(psm__in=members).order_by("reported_on", "pk"):
        context.cases.setdefault(case.psm_id, []).append(case)
    return context


@functools.cache
def _habits(nik: str, kabkota: str, *, has_phone: bool) -> tuple[bool, bool]:
    """(sloppy, on paper): a stable draw per PSM; a PSM without a mobile number often reports on paper."""
    rng = random.Random(f"{SEED}:report-habit:{nik}")
    sloppy_share, paper_share, _missing, _late = HABITS[kabkota]
    sloppy = rng.random() < sloppy_share
    paper = rng.random() < (paper_share if has_phone else 0.5)
    return sloppy, paper


def _stopped(nik: str, month: datetime.date, today: datetime.date) -> bool:
    """One of the few PSM who stopped reporting, for a month since they stopped."""
    since = today.replace(day=1)
    for _ in range(STOPPED_MONTHS):
        since = (since - datetime.timedelta(days=1)).replace(day=1)
    return month >= since and random.Random(f"{SEED}:report-stopped:{nik}").random() < STOPPED_SHARE


def _plan_report(member: Member, month: datetime.date, context: Context) -> ReportPlan | None:
    if _stopped(member.nik, month, context.today):
        return None
    rng = random.Random(f"{SEED}:report:{member.nik}:{month:%Y-%m}")
    kabkota = member.unit.region_id[:5]
    sloppy, paper = _habits(member.nik, kabkota, has_phone=bool(member.phone))
    _sloppy_share, _paper_share, missing, late = HABITS[kabkota]
    factor = SLOPPY_FACTOR if sloppy else 1
    current = month == context.today.replace(day=1)
    if current:
        if context.today.day == 1 or paper or rng.random() >= CURRENT_DRAFT_CHANCE:
            return None
    elif rng.random() < missing * factor:
        return None
    on_paper = (paper and rng.random() < 0.85) or (not paper and rng.random() < 0.02)
    if current:
        on_paper = False  # a paper form comes in after the month
    is_late = rng.random() < late * factor
    return _plan(
        rng,
        member,
        month,
        context,
        on_paper=on_paper,
        late=is_late,
        returned=not on_paper and rng.random() < RETURN_CHANCE * (1.7 if sloppy else 1),
        stuck=sloppy and rng.random() < STUCK_RETURN_CHANCE,
        forgotten=sloppy and rng.random() < FORGOTTEN_DRAFT_CHANCE * SLOPPY_FACTOR,
        slow_review=rng.random() < 0.15,
    )


def _plan_showcase(member: Member, month: datetime.date, context: Context) -> ReportPlan | None:
    """The demo PSM account's member: last month submitted (awaiting review), the month before returned for
    correction, one month late, one corrected after a return, one from paper, the rest approved; nothing
    for this month (the PSM makes it in the demo)."""
    months_ago = (context.today.year - month.year) * 12 + context.today.month - month.month
    if months_ago == 0:
        return None
    rng = random.Random(f"{SEED}:report:{member.nik}:{month:%Y-%m}")
    plan = _plan(
        rng,
        member,
        month,
        context,
        on_paper=months_ago == 9,
        late=months_ago in (5, 11),
        returned=months_ago in (2, 7),
        stuck=months_ago == 2,
        forgotten=False,
        slow_review=False,
        review=months_ago != 1,
    )
    if plan is not None and months_ago == 1 and plan.state == ReportState.DRAF:
        # Submitted before now, so that it waits for the coordinator.
        at = max(plan.steps[0].at + datetime.timedelta(minutes=30), context.now - datetime.timedelta(hours=3))
        submitted_at = min(at, context.now - datetime.timedelta(minutes=5))
        plan.steps.append(StepPlan(ReportStepAction.SUBMITTED, submitted_at, plan.steps[0].by))
        plan.state, plan.submitted_at = ReportState.TERKIRIM, submitted_at
        plan.is_late = _local_day(submitted_at) > plan.due_on
    return plan


def _plan(
    rng: random.Random,
    member: Member,
    month: datetime.date,
    context: Context,
    *,
    on_paper: bool,
    late: bool,
    returned: bool,
    stuck: bool,
    forgotten: bool,
    slow_review: bool,
    review: bool = True,
) -> ReportPlan | None:
    """One report's content and its steps up to now: each planned step that would fall after now is not
    taken, so recent months end as drafts, submitted or returned reports (or, from paper, none yet)."""
    kabkota = member.unit.region_id[:5]
    due_on = context.due[kabkota, month]
    month_end = end_of_month(month)
    last_day = min(month_end, context.today)
    staff = context.staff[kabkota]
    reviewer = context.coordinator.get(member.unit_id, staff)
    psm_by = context.own_user.get(member.pk) or reviewer
    plan = ReportPlan(
        member=member,
        month=month,
        due_on=due_on,
        state=ReportState.DRAF,
        on_paper=on_paper,
        entered_by=staff if on_paper else None,
        steps=[],
        **_content(rng, member, month, last_day, context),
    )
    steps = plan.steps

    if on_paper:  # handed in at the office, typed in by staff
        earliest = _next_month(month)
        day = (
            due_on + datetime.timedelta(days=rng.randint(1, 20))
            if late
            else due_on - datetime.timedelta(days=rng.randint(0, 4))
        )
        started = _at(rng, max(day, earliest), office=True)
        if started > context.now:
            return None
        steps.append(StepPlan(ReportStepAction.ON_PAPER, started, staff))
        submitted = started + datetime.timedelta(minutes=rng.randint(10, 40))
        submitted_by = staff
    else:
        first = max(1, min(month_end.day - 14, last_day.day))
        started = _at(rng, month.replace(day=rng.randint(first, last_day.day)), office=False)
        if last_day == context.today and started > context.now:
            started = context.now - datetime.timedelta(hours=rng.randint(1, 5))
        steps.append(StepPlan(ReportStepAction.CREATED, started, psm_by))
        if late:
            day = due_on + datetime.timedelta(days=rng.randint(1, 25))
        else:
            day = month_end + datetime.timedelta(days=rng.randint(-2, (due_on - month_end).days))
        submitted = max(
            _at(rng, day, office=False), started + datetime.timedelta(minutes=rng.randint(20, 90))
        )
        submitted_by = psm_by
    if forgotten or submitted > context.now or month == context.today.replace(day=1):
        return plan
    steps.append(StepPlan(ReportStepAction.SUBMITTED, submitted, submitted_by))
    plan.state, plan.submitted_at = ReportState.TERKIRIM, submitted
    plan.is_late = _local_day(submitted) > due_on

    if not review:
        return plan
    wait = (5, 30) if slow_review else (1, 8)
    reviewed = _at(rng, _local_day(submitted) + datetime.timedelta(days=rng.randint(*wait)), office=True)
    if reviewed > context.now:
        return plan
    if returned:
        steps.append(StepPlan(ReportStepAction.RETURNED, reviewed, reviewer, rng.choice(RETURN_NOTES)))
        plan.state = ReportState.DIKEMBALIKAN
        again = _at(rng, _local_day(reviewed) + datetime.timedelta(days=rng.randint(1, 6)), office=False)
        if stuck or again > context.now:
            return plan
        steps.append(StepPlan(ReportStepAction.RESUBMITTED, again, psm_by))
        plan.state, plan.submitted_at = ReportState.TERKIRIM, again  # is_late keeps the first submission's
        reviewed = _at(rng, _local_day(again) + datetime.timedelta(days=rng.randint(1, 5)), office=True)
        if reviewed > context.now:
            return plan
    steps.append(StepPlan(ReportStepAction.APPROVED, reviewed, reviewer))
    plan.state = ReportState.DISETUJUI
    return plan


def _content(
    rng: random.Random, member: Member, month: datetime.date, last_day: datetime.date, context: Context
) -> dict:
    """Activities (1-4 kinds, dated in the month up to today), PMKS reached, cases, obstacles and plan."""
    kinds = []
    for _index in range(rng.choices(HOW_MANY, cum_weights=ACTIVITY_COUNT_CUMULATIVE)[0]):
        kind = rng.choices(KINDS, cum_weights=KIND_CUMULATIVE)[0]
        if kind not in kinds:
            kinds.append(kind)
    activities = []
    for kind in kinds:
        low, high = ACTIVITY_COUNTS[kind]
        activities.append((kind, month.replace(day=rng.randint(1, last_day.day)), rng.randint(low, high)))
    activities.sort(key=lambda row: row[1])

    reached: dict[str, int] = {}
    for _index in range(rng.choices(HOW_MANY, cum_weights=CATEGORY_COUNT_CUMULATIVE)[0]):
        number = rng.choices(CATEGORIES, cum_weights=CATEGORY_CUMULATIVE)[0]
        reached[str(number)] = rng.randint(1, 15 if number == FAKIR_MISKIN else 5)

    month_start = month
    open_then = [
        case
        for case in context.cases.get(member.pk, [])
        if case.reported_on <= last_day and (case.status in OPEN_STATUSES or case.status_since >= month_start)
    ]
    case_ids = []
    if open_then and rng.random() < 0.7:
        case_ids = [case.pk for case in rng.sample(open_then, rng.randint(1, min(2, len(open_then))))]
        if not any(kind == ReportActivityKind.PENDAMPINGAN for kind, _day, _count in activities):
            # Accompanying a case is an activity too (in place of the last one: at most four kinds).
            accompanied = (ReportActivityKind.PENDAMPINGAN, activities[-1][1], len(case_ids))
            activities = [*activities[:3], accompanied]
    return {
        "activities": activities,
        "pmks_reached": reached,
        "case_ids": case_ids,
        "obstacles": rng.choice(OBSTACLES),
        "plan": " ".join(rng.sample(PLANS, rng.randint(1, 2))),
    }


def _write(plans: list[ReportPlan], *, report: DemoReport) -> None:
    """COPY the rows in: twelve months of every demo PSM are tens of thousands of rows, which bulk_create
    takes seconds to build as model instances, and `make run` and the tests load the demo every time."""
    with connection.cursor() as cursor:
        table = MonthlyReport._meta.db_table
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, MonthlyReport._meta.pk.column, len(plans)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    copy_rows(
        MonthlyReport,
        [
            "id",
            "member",
            "month",
            "state",
            "due_on",
            "submitted_at",
            "is_late",
            "pmks_reached",
            "obstacles",
            "plan",
            "on_paper",
            "entered_by",
            "created_at",
            "updated_at",
        ],  # fmt: skip
        (
            (
                pk,
                p.member.pk,
                p.month,
                p.state,
                p.due_on,
                p.submitted_at,
                p.is_late,
                json.dumps(p.pmks_reached),
                p.obstacles,
                p.plan,
                p.on_paper,
                p.entered_by.pk if p.entered_by else None,
                p.steps[0].at,
                p.steps[-1].at,
            )  # fmt: skip
            for pk, p in zip(ids, plans, strict=True)
        ),
    )
    copy_rows(
        ReportActivity,
        ["report", "kind", "done_on", "count"],
        ((pk, *row) for pk, p in zip(ids, plans, strict=True) for row in p.activities),
    )
    steps = [(pk, s.action, s.note, s.by.pk, s.at) for pk, p in zip(ids, plans, strict=True) for s in p.steps]
    copy_rows(ReportStep, ["report", "action", "note", "by", "at"], steps)
    copy_rows(
        MonthlyReport.cases.through,
        ["monthlyreport", "case"],
        ((pk, case_id) for pk, p in zip(ids, plans, strict=True) for case_id in p.case_ids),
    )
    report.monthly_reports = len(plans)
    report.report_steps = len(steps)
