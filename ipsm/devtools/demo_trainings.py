"""Demo data for the trainings app: a few bimtek dasar, the joint event of 13 November 2024, a sosialisasi.

The joint event is the one of the issue: "Peningkatan Kapasitas Pekerja Sosial Masyarakat (PSM)" at Trio
Front One Resort Magelang, organised by the Dinas Sosial of Kabupaten Temanggung and of Kota Magelang, with
three materi (a Pekerja Sosial Profesional, the TKSK of Kecamatan Magelang Tengah and a PSM of Rejowinangun
Utara who is in the registry). The earlier bimtek dasar give the coverage and indicator pages a history.

Participants are PSM who were active on the first day of the event (from their status history). Only the
"keen" part of each region's PSM (a stable draw per NIK) is ever invited, so a good share of the active PSM
stays untrained, more so in Temanggung, which has many more PSM than its events have seats.

As in ipsm.devtools.demo, everything is planned from the database's regions and members and fixed seeds,
and only what
is missing is written, found by natural key: an event by (title, start date), its sessions by title, a
speaker by (name, institution), a participant by (event, member) and attendance by (participant, day).
Scores and certificate numbers are only set on participants created by this run.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ipsm.devtools.demo import (
    BATCH_SIZE,
    DATA_CUTOFF,
    MAGELANG,
    SEED,
    SHOWCASE_VILLAGE,
    TEMANGGUNG,
    DemoReport,
)
from members.models import BoardPosition, BoardRole, Member, MemberStatus
from trainings.models import (
    Attendance,
    AttendanceStatus,
    Event,
    Organiser,
    Participant,
    Session,
    Speaker,
    TrainingType,
)
from trainings.services import certificate_number

JAKARTA = ZoneInfo("Asia/Jakarta")
SESSION_MINUTES = 90
# Only this share of a region's PSM are ever invited (a stable draw per member).
KEEN_SHARE = {MAGELANG: 0.62, TEMANGGUNG: 0.3}
STAFF = {MAGELANG: "staf-magelang", TEMANGGUNG: "staf-temanggung"}
DINSOS = {MAGELANG: "Dinas Sosial Kota Magelang", TEMANGGUNG: "Dinas Sosial Kabupaten Temanggung"}

JOINT_TITLE = "Peningkatan Kapasitas Pekerja Sosial Masyarakat (PSM)"
JOINT_DAY = datetime.date(2024, 11, 13)
JOINT_VENUE = "Trio Front One Resort Magelang"


@dataclass(frozen=True)
class SpeakerSpec:
    name: str
    title: str
    institution: str
    member_nik: str = ""


# Fictitious people; the institutions are the real offices they would work for.
PEKSOS_MAGELANG = SpeakerSpec(
    "Anindya Kusumaningrum, S.Tr.Sos.", "Pekerja Sosial Profesional", DINSOS[MAGELANG]
)
TKSK_MAGELANG_TENGAH = SpeakerSpec(
    "Yosef Hendro Saputro", "TKSK Kecamatan Magelang Tengah", "Kecamatan Magelang Tengah"
)
SPEAKERS = {
    MAGELANG: {
        "kepala": SpeakerSpec("Drs. Haryo Nugroho, M.Si.", "Kepala Dinas Sosial", DINSOS[MAGELANG]),
        "kabid": SpeakerSpec(
            "Endah Sulistyowati, S.Sos.", "Kepala Bidang Rehabilitasi Sosial", DINSOS[MAGELANG]
        ),
        "data": SpeakerSpec("Rizal Pratama, S.Kom.", "Pengelola Data Kesejahteraan Sosial", DINSOS[MAGELANG]),
        "peksos": PEKSOS_MAGELANG,
        "dosen": SpeakerSpec(
            "Dr. Wahyu Setyo Nugroho, M.Kesos.", "Dosen Kesejahteraan Sosial", "Universitas Tidar"
        ),
        "tksk": TKSK_MAGELANG_TENGAH,
    },
    TEMANGGUNG: {
        "kepala": SpeakerSpec("Drs. Suryo Widagdo, M.M.", "Kepala Dinas Sosial", DINSOS[TEMANGGUNG]),
        "kabid": SpeakerSpec(
            "Sri Hartati, S.Sos., M.Si.", "Kepala Bidang Rehabilitasi Sosial", DINSOS[TEMANGGUNG]
        ),
        "data": SpeakerSpec("Agung Budi Santosa", "Pengelola Data Kesejahteraan Sosial", DINSOS[TEMANGGUNG]),
        "peksos": SpeakerSpec(
            "Lilis Suryaningsih, S.ST.", "Pekerja Sosial Ahli Muda", "Dinas Sosial Provinsi Jawa Tengah"
        ),
        "dosen": SpeakerSpec(
            "Dr. Bambang Irianto, M.Si.", "Dosen Pekerjaan Sosial", "Politeknik Kesejahteraan Sosial Bandung"
        ),
        "tksk": SpeakerSpec("Mulyadi Kurniawan", "TKSK Kecamatan Parakan", "Kecamatan Parakan"),
    },
}
# The materi of a bimtek dasar, in order, with who gives them; the last one always closes the event.
BIMTEK_MATERI = [
    ("Kebijakan Penyelenggaraan Kesejahteraan Sosial", "kepala"),
    ("Tugas, Fungsi dan Kode Etik Pekerja Sosial Masyarakat", "peksos"),
    ("Mengenal 26 Jenis PMKS dan Potensi Sumber Kesejahteraan Sosial", "kabid"),
    ("Pendataan dan Pemutakhiran DTKS", "data"),
    ("Teknik Penjangkauan dan Asesmen Sederhana PMKS", "dosen"),
    ("Praktik Pendampingan dan Rujukan Kasus", "tksk"),
]
CLOSING_MATERI = ("Penyusunan Rencana Tindak Lanjut", "kabid")
SLOTS = [datetime.time(8, 30), datetime.time(10, 30), datetime.time(13, 0)]


@dataclass(frozen=True)
class EventSpec:
    title: str
    training_type: str
    starts_on: datetime.date
    days: int
    venue: str
    budget: int
    description: str
    regions: tuple[str, ...]  # organising Dinas Sosial, the first one creates the event
    participants: dict[str, int]  # region -> how many are invited
    institutions: tuple[str, ...] = ()  # organisers that are not a Dinas Sosial
    materi: tuple[tuple[str, datetime.time, SpeakerSpec | str], ...] = ()  # "psm": the showcase unit's PSM


EVENTS = [
    EventSpec(
        "Bimbingan Teknis Dasar Pekerja Sosial Masyarakat Kota Magelang Tahun 2021",
        TrainingType.BIMTEK_DASAR,
        datetime.date(2021, 9, 14),
        3,
        "Aula Dinas Sosial Kota Magelang",
        37_500_000,
        "Pembekalan dasar bagi PSM yang belum pernah mengikuti bimbingan teknis.",
        (MAGELANG,),
        {MAGELANG: 30},
    ),
    EventSpec(
        "Bimbingan Teknis Dasar Pekerja Sosial Masyarakat Kabupaten Temanggung Tahun 2022",
        TrainingType.BIMTEK_DASAR,
        datetime.date(2022, 7, 19),
        3,
        "Aula Dinas Sosial Kabupaten Temanggung",
        48_000_000,
        "Bimbingan teknis dasar angkatan I bagi PSM desa dan kelurahan se-Kabupaten Temanggung.",
        (TEMANGGUNG,),
        {TEMANGGUNG: 40},
    ),
    EventSpec(
        "Bimbingan Teknis Dasar Pekerja Sosial Masyarakat Kota Magelang Tahun 2023",
        TrainingType.BIMTEK_DASAR,
        datetime.date(2023, 8, 8),
        2,
        "Gedung Wanita Kota Magelang",
        28_000_000,
        "Pembekalan dasar bagi PSM yang dikukuhkan sejak 2021.",
        (MAGELANG,),
        {MAGELANG: 25},
    ),
    EventSpec(
        "Bimbingan Teknis Dasar Pekerja Sosial Masyarakat Kabupaten Temanggung Angkatan II",
        TrainingType.BIMTEK_DASAR,
        datetime.date(2023, 10, 3),
        2,
        "Aula Dinas Sosial Kabupaten Temanggung",
        35_000_000,
        "Bimbingan teknis dasar angkatan II bagi PSM desa dan kelurahan se-Kabupaten Temanggung.",
        (TEMANGGUNG,),
        {TEMANGGUNG: 35},
    ),
    EventSpec(
        JOINT_TITLE,
        TrainingType.PENINGKATAN_KAPASITAS,
        JOINT_DAY,
        1,
        JOINT_VENUE,
        45_000_000,
        "Kegiatan bersama Dinas Sosial Kabupaten Temanggung dan Dinas Sosial Kota Magelang.",
        (TEMANGGUNG, MAGELANG),
        {MAGELANG: 30, TEMANGGUNG: 30},
        materi=(
            (
                "Dukungan Pilar-Pilar Sosial Dalam Pelayanan Publik di Kota Magelang",
                datetime.time(8, 30),
                PEKSOS_MAGELANG,
            ),
            (
                "Strategi dan Kemitraan Penanganan Pemerlu Pelayanan Kesejahteraan Sosial di Kecamatan "
                "Magelang Tengah",
                datetime.time(10, 0),
                TKSK_MAGELANG_TENGAH,
            ),
            (
                "Best Practice Peran dan Fungsi Pekerja Sosial Masyarakat di Kelurahan Rejowinangun Utara",
                datetime.time(13, 0),
                "psm",
            ),
        ),
    ),
    EventSpec(
        "Sosialisasi Pemutakhiran Data Tunggal Sosial dan Ekonomi Nasional (DTSEN) bagi PSM Kota Magelang",
        TrainingType.SOSIALISASI,
        datetime.date(2025, 5, 21),
        1,
        "Aula Dinas Sosial Kota Magelang",
        12_500_000,
        "Sosialisasi bersama Badan Pusat Statistik tentang pemutakhiran DTSEN di tingkat kelurahan.",
        (MAGELANG,),
        {MAGELANG: 30},
        institutions=("Badan Pusat Statistik Kota Magelang",),
        materi=(
            ("Kebijakan Data Tunggal Sosial dan Ekonomi Nasional", datetime.time(8, 30), "data"),
            (
                "Tata Cara Pemutakhiran DTSEN oleh Pendamping di Kelurahan",
                datetime.time(10, 0),
                SpeakerSpec(
                    "Ratna Dewi Anggraini, S.ST.",
                    "Statistisi Ahli Muda",
                    "Badan Pusat Statistik Kota Magelang",
                ),
            ),
        ),
    ),
]


# --- The plan --------------------------------------------------------------------------------------------


@dataclass
class SessionPlan:
    title: str
    starts_at: datetime.datetime
    speaker: SpeakerSpec


@dataclass
class ParticipantPlan:
    member: Member
    statuses: list[str]  # one per day of the event
    pre_test: Decimal | None
    post_test: Decimal | None

    @property
    def attended(self) -> bool:
        return all(status == AttendanceStatus.HADIR for status in self.statuses)


@dataclass
class EventPlan:
    spec: EventSpec
    sessions: list[SessionPlan] = field(default_factory=list)
    participants: list[ParticipantPlan] = field(default_factory=list)

    @property
    def days(self) -> list[datetime.date]:
        return [self.spec.starts_on + datetime.timedelta(days=n) for n in range(self.spec.days)]


def plan_trainings(*, today: datetime.date) -> list[EventPlan]:
    """Every demo event with its sessions and participants, from the members in the database and fixed seeds.

    Events after the demo's cutoff (or today) are left out; nobody is invited to a second bimtek dasar.
    """
    cutoff = min(DATA_CUTOFF, today)
    showcase_psm = _showcase_psm()
    had_basic: set[int] = set()
    plans = []
    for spec in EVENTS:
        if spec.starts_on + datetime.timedelta(days=spec.days - 1) > cutoff:
            continue
        rng = random.Random(f"{SEED}:training:{spec.title}:{spec.starts_on}")
        plan = EventPlan(spec)
        plan.sessions = _plan_sessions(spec, showcase_psm)
        for region, count in spec.participants.items():
            candidates = [
                m
                for m in _keen_members_active_on(region, spec.starts_on)
                if not (spec.training_type == TrainingType.BIMTEK_DASAR and m.pk in had_basic)
            ]
            chosen = sorted(rng.sample(candidates, min(count, len(candidates))), key=lambda m: m.nik)
            plan.participants += _plan_participants(rng, chosen, days=spec.days)
        if spec.training_type == TrainingType.BIMTEK_DASAR:
            had_basic.update(p.member.pk for p in plan.participants if p.attended)
        plans.append(plan)
    return plans


def _keen_members_active_on(region: str, day: datetime.date) -> list[Member]:
    members = Member.objects.filter(unit__region__code__startswith=region).active_on(day).order_by("nik")
    share = KEEN_SHARE[region]
    return [m for m in members if random.Random(f"{SEED}:keen:{m.nik}").random() < share]


def _showcase_psm() -> SpeakerSpec | None:
    """A PSM of Rejowinangun Utara who speaks at the joint event: its chair if active, else a board member."""
    seats = (
        BoardPosition.objects.current()
        .filter(unit__region_id=SHOWCASE_VILLAGE, member__status=MemberStatus.AKTIF)
        .select_related("member")
        .order_by("term_starts_on", "member__nik")
    )
    seat = min(seats, key=lambda s: s.role != BoardRole.KETUA, default=None)
    if seat is not None:
        member = seat.member
        title = "Ketua IPSM" if seat.role == BoardRole.KETUA else "Pengurus IPSM"
    else:
        member = (
            Member.objects.filter(unit__region_id=SHOWCASE_VILLAGE, status=MemberStatus.AKTIF)
            .order_by("status_since", "nik")
            .first()
        )
        title = "PSM"
    if member is None:
        return None
    return SpeakerSpec(
        member.full_name,
        f"{title} Kelurahan Rejowinangun Utara",
        "IPSM Kelurahan Rejowinangun Utara",
        member_nik=member.nik,
    )


def _plan_sessions(spec: EventSpec, showcase_psm: SpeakerSpec | None) -> list[SessionPlan]:
    region = spec.regions[0]
    if spec.materi:
        materi = [(spec.starts_on, start, title, speaker) for title, start, speaker in spec.materi]
    else:
        slots = [
            (spec.starts_on + datetime.timedelta(days=n), start) for n in range(spec.days) for start in SLOTS
        ]
        titles = [*BIMTEK_MATERI[: len(slots) - 1], CLOSING_MATERI]
        materi = [(day, start, title, key) for (day, start), (title, key) in zip(slots, titles, strict=False)]
    sessions = []
    for day, start, title, speaker in materi:
        if speaker == "psm":
            speaker = showcase_psm
        elif isinstance(speaker, str):
            speaker = SPEAKERS[region][speaker]
        if speaker is None:
            continue
        sessions.append(SessionPlan(title, datetime.datetime.combine(day, start, tzinfo=JAKARTA), speaker))
    return sessions


def _plan_participants(rng: random.Random, members: list[Member], *, days: int) -> list[ParticipantPlan]:
    """Most are present every day; a few miss one day (of a longer event) or the whole event."""
    plans = []
    for member in members:
        roll = rng.random()
        statuses = [AttendanceStatus.HADIR] * days
        if roll < 0.06:
            statuses = [rng.choice([AttendanceStatus.IZIN, AttendanceStatus.TIDAK_HADIR])] * days
        elif roll < 0.16:
            missed = rng.randrange(days)
            statuses[missed] = rng.choice([AttendanceStatus.IZIN, AttendanceStatus.TIDAK_HADIR])
        plans.append(ParticipantPlan(member, statuses, None, None))
    if days > 1 and sum(1 for p in plans if p.statuses.count(AttendanceStatus.HADIR) == days - 1) < 2:
        for plan in plans[:2]:  # every longer event shows someone who missed a day
            plan.statuses = [AttendanceStatus.HADIR] * (days - 1) + [AttendanceStatus.IZIN]
    for plan in plans:
        # The pre-test is taken on the first morning, the post-test on the last afternoon.
        pre = max(20, min(90, round(rng.gauss(58, 12))))
        post = max(0, min(100, pre + round(rng.gauss(14, 8))))
        if plan.statuses[0] == AttendanceStatus.HADIR:
            plan.pre_test = Decimal(pre)
        if plan.statuses[-1] == AttendanceStatus.HADIR:
            plan.post_test = Decimal(post)
    return plans


# --- Writing what is missing -----------------------------------------------------------------------------


def load_demo_trainings(*, today: datetime.date, users: dict, report: DemoReport) -> None:
    """Create the missing events, organisers, speakers, sessions, participants and attendance."""
    plans = plan_trainings(today=today)
    events = _ensure_events(plans=plans, users=users, report=report)
    _ensure_sessions(plans=plans, events=events, report=report)
    _ensure_participants(plans=plans, events=events, users=users, report=report)


def _key(spec: EventSpec) -> tuple[str, datetime.date]:
    return spec.title, spec.starts_on


def _ensure_events(*, plans: list[EventPlan], users: dict, report: DemoReport) -> dict:
    """Events by (title, start date); a new event gets its planned organisers."""
    wanted = Q()
    for plan in plans:
        wanted |= Q(title=plan.spec.title, starts_on=plan.spec.starts_on)
    events = {(e.title, e.starts_on): e for e in Event.objects.filter(wanted)} if plans else {}
    new_plans = [plan for plan in plans if _key(plan.spec) not in events]
    new_events = bulk_create_with_history(
        [
            Event(
                title=p.spec.title,
                training_type=p.spec.training_type,
                starts_on=p.spec.starts_on,
                ends_on=p.days[-1],
                venue=p.spec.venue,
                budget=Decimal(p.spec.budget),
                description=p.spec.description,
                created_by=users[STAFF[p.spec.regions[0]]],
            )
            for p in new_plans
        ],
        Event,
        batch_size=BATCH_SIZE,
        default_user=users["admin"],
        default_change_reason=_("Demo data"),
    )
    organisers = []
    for plan, event in zip(new_plans, new_events, strict=True):
        events[_key(plan.spec)] = event
        organisers += [Organiser(event=event, region_id=code) for code in plan.spec.regions]
        organisers += [Organiser(event=event, institution_name=name) for name in plan.spec.institutions]
    Organiser.objects.bulk_create(organisers, batch_size=BATCH_SIZE)
    report.training_events = len(new_events)
    return events


def _ensure_sessions(*, plans: list[EventPlan], events: dict, report: DemoReport) -> None:
    """Sessions by (event, title); their speakers by (name, institution), created only when needed."""
    existing = set(Session.objects.filter(event__in=list(events.values())).values_list("event_id", "title"))
    missing = [
        (events[_key(plan.spec)], session)
        for plan in plans
        for session in plan.sessions
        if (events[_key(plan.spec)].pk, session.title) not in existing
    ]
    specs = list(dict.fromkeys(session.speaker for _event, session in missing))
    wanted = Q()
    for spec in specs:
        wanted |= Q(name=spec.name, institution=spec.institution)
    speakers = {(s.name, s.institution): s for s in Speaker.objects.filter(wanted)} if specs else {}
    members = {m.nik: m for m in Member.objects.filter(nik__in=[s.member_nik for s in specs if s.member_nik])}
    new_speakers = [
        Speaker(name=s.name, title=s.title, institution=s.institution, member=members.get(s.member_nik))
        for s in specs
        if (s.name, s.institution) not in speakers
    ]
    Speaker.objects.bulk_create(new_speakers, batch_size=BATCH_SIZE)
    speakers.update({(s.name, s.institution): s for s in new_speakers})
    Session.objects.bulk_create(
        [
            Session(
                event=event,
                title=session.title,
                starts_at=session.starts_at,
                ends_at=session.starts_at + datetime.timedelta(minutes=SESSION_MINUTES),
                speaker=speakers[session.speaker.name, session.speaker.institution],
            )
            for event, session in missing
        ],
        batch_size=BATCH_SIZE,
    )
    report.speakers = len(new_speakers)
    report.training_sessions = len(missing)


def _ensure_participants(*, plans: list[EventPlan], events: dict, users: dict, report: DemoReport) -> None:
    """Participants by (event, member) with their scores and certificates; attendance by (participant, day).

    Certificates of new participants are numbered as trainings.services.issue_certificates numbers them, in
    the order of the participants' names, after the highest serial the event already has (not after their
    count: a participant may have been removed since).
    """
    event_list = list(events.values())
    participants = {(p.event_id, p.member_id): p for p in Participant.objects.filter(event__in=event_list)}
    numbered = {event.pk: 0 for event in event_list}
    for participant in participants.values():
        if participant.certificate_number:
            serial = participant.certificate_number.rpartition("/")[2]
            numbered[participant.event_id] = max(numbered[participant.event_id], int(serial or 0))
    new = []
    for plan in plans:
        event = events[_key(plan.spec)]
        by = users[STAFF[plan.spec.regions[0]]]
        fresh = [p for p in plan.participants if (event.pk, p.member.pk) not in participants]
        rows = {
            id(p): Participant(
                event=event,
                member=p.member,
                pre_test_score=p.pre_test,
                post_test_score=p.post_test,
                invited_by=by,
            )
            for p in fresh
        }
        certified = sorted((p for p in fresh if p.attended), key=lambda p: (p.member.full_name, p.member.nik))
        for serial, p in enumerate(certified, start=numbered[event.pk] + 1):
            rows[id(p)].certificate_number = certificate_number(event, serial)
        new += rows.values()
    Participant.objects.bulk_create(new, batch_size=BATCH_SIZE)
    participants.update({(p.event_id, p.member_id): p for p in new})

    existing = set(
        Attendance.objects.filter(participant__event__in=event_list).values_list("participant_id", "day")
    )
    attendance = [
        Attendance(participant=participant, day=day, status=status)
        for plan in plans
        for p in plan.participants
        if (participant := participants.get((events[_key(plan.spec)].pk, p.member.pk)))
        for day, status in zip(plan.days, p.statuses, strict=True)
        if (participant.pk, day) not in existing
    ]
    Attendance.objects.bulk_create(attendance, batch_size=BATCH_SIZE)
    report.participants = len(new)
    report.attendance = len(attendance)
