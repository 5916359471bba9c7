"""Demo data for the units' work programmes (issue 15): this year's programme for every demo unit and last
year's for Kota Magelang's, partly realised.

- Each unit plans six to nine activities from a list a village IPSM typically adopts (quarterly meetings,
  PMKS data collection, home visits, accompaniment, outreach, a training, disaster preparedness, a social
  action on Hari Kesetiakawanan Sosial), months and targets varying by unit; a partner of the kab/kota funds
  some of them.
- An activity of a month that has ended is realised the way the app offers (members.programmes.SOURCES): by
  the unit's meeting that month, by the approved monthly reports of its PSM, by a training event its members
  attended, or else often by hand with a note; the rest stay overdue (more of them in Temanggung).
- A programme is adopted at the unit's first board meeting or assembly of the year, if it held one by March.
- Planning goes through members.programmes.check_activity, realising through the sources and
  realise_by_hand: the demo follows the rules the pages follow.

Idempotent as the other demo modules: a unit's programme for a year is written only when it has none, from
a seed per unit and year.
"""

import datetime
import random

from simple_history.utils import bulk_create_with_history

from ipsm.devtools.demo import DEMO_PREFIXES, MAGELANG, SEED, TEMANGGUNG, DemoReport
from ipsm.devtools.demo_institution import COORDINATOR, STAFF
from members import programmes
from members.models import (
    FundingSource,
    Meeting,
    MeetingKind,
    Partner,
    ProgrammeActivity,
    ProgrammeActivityKind,
    RealisedBy,
    Unit,
    WorkProgramme,
)

K = ProgrammeActivityKind
F = FundingSource
# (title, kind, months it may fall in, target, funding)
PLAN = [
    ("Pertemuan rutin triwulan I", K.PERTEMUAN, (3,), "Seluruh PSM unit", F.SWADAYA),
    ("Pertemuan rutin triwulan II", K.PERTEMUAN, (6,), "Seluruh PSM unit", F.SWADAYA),
    ("Pertemuan rutin triwulan III", K.PERTEMUAN, (9,), "Seluruh PSM unit", F.SWADAYA),
    ("Pertemuan rutin triwulan IV", K.PERTEMUAN, (12,), "Seluruh PSM unit", F.SWADAYA),
    ("Pendataan dan pemutakhiran data PMKS", K.PENDATAAN, (1, 2), "Seluruh RW", F.DANA_DESA),
    ("Kunjungan rumah lansia terlantar", K.KUNJUNGAN, (4, 5), "20 lansia", F.SWADAYA),
    ("Pendampingan keluarga penerima PKH", K.PENDAMPINGAN, (6, 7), "15 keluarga", F.SWADAYA),
    ("Sosialisasi pencegahan kekerasan terhadap anak", K.SOSIALISASI, (7, 8), "Warga RW 01-05", F.MITRA),
    ("Penguatan kapasitas PSM", K.PELATIHAN, (5, 8, 10), "Pengurus dan PSM baru", F.APBD),
    ("Simulasi kesiapsiagaan bencana", K.BENCANA, (10, 11), "Relawan dan warga rawan bencana", F.DANA_DESA),
    ("Bakti sosial Hari Kesetiakawanan Sosial", K.LAINNYA, (12,), "50 keluarga prasejahtera", F.MITRA),
]
NOTES = [
    "Dokumentasi foto di grup WhatsApp unit",
    "Daftar hadir di buku kegiatan unit",
    "Laporan kegiatan diserahkan ke kelurahan",
]
# How often an activity of a month that has ended, with nothing in the app to show it, was done anyway.
BY_HAND_SHARE = {MAGELANG: 0.6, TEMANGGUNG: 0.35}


def load_demo_programmes(*, today: datetime.date, users: dict, report: DemoReport) -> None:
    """Create the missing programmes of the demo units, with their activities and realisations."""
    units = [
        unit
        for prefix in DEMO_PREFIXES
        for unit in Unit.objects.within(prefix).select_related("region").order_by("region_id")
    ]
    have = set(WorkProgramme.objects.filter(unit__in=units).values_list("unit_id", "year"))
    partners = {
        prefix: list(Partner.objects.filter(region_id=prefix, is_active=True).order_by("name"))
        for prefix in DEMO_PREFIXES
    }
    for unit in units:
        kabkota = unit.region_id[:5]
        years = [today.year - 1, today.year] if kabkota == MAGELANG else [today.year]
        for year in years:
            if (unit.pk, year) in have:
                continue
            by = users[COORDINATOR.get(unit.region_id, STAFF[kabkota])]
            rng = random.Random(f"{SEED}:programme:{unit.region_id}:{year}")
            programme = programmes.start_programme(unit=unit, year=year, by=by)
            _adopt(programme, by=by)
            activities = _plan(rng, programme, partners[kabkota])
            report.programme_activities += len(activities)
            report.programmes += 1
            for activity in activities:
                if activity.month <= programmes.months_ended(year, today):
                    report.realised_activities += _realise(rng, activity, kabkota, by=by)


def _adopt(programme: WorkProgramme, *, by) -> None:
    """Adopted at the unit's first board meeting or assembly of the year, when it held one by March."""
    meeting = (
        Meeting.objects.filter(
            unit=programme.unit,
            kind__in=(MeetingKind.PENGURUS, MeetingKind.MUSYAWARAH),
            held_on__range=(datetime.date(programme.year, 1, 1), datetime.date(programme.year, 3, 31)),
        )
        .order_by("held_on")
        .first()
    )
    if meeting is not None:
        programme.adopted_at, programme._history_user = meeting, by
        programme.save(update_fields=["adopted_at", "updated_at"])


def _plan(rng: random.Random, programme: WorkProgramme, partners: list[Partner]) -> list[ProgrammeActivity]:
    chosen = sorted(rng.sample(PLAN, rng.randint(6, 9)), key=lambda row: row[2][0])
    activities = []
    for title, kind, months, target, funding in chosen:
        partner = rng.choice(partners) if funding == F.MITRA and partners else None
        activity = ProgrammeActivity(
            programme=programme,
            title=title,
            kind=kind,
            month=rng.choice(months),
            target=target,
            funding=funding if partner or funding != F.MITRA else F.SWADAYA,
            partner=partner,
            budget=rng.choice([None, 250_000, 500_000, 1_500_000, 3_000_000]),
        )
        programmes.check_activity(activity)
        activities.append(activity)
    return bulk_create_with_history(activities, ProgrammeActivity, default_user=programme.created_by)


def _realise(rng: random.Random, activity: ProgrammeActivity, kabkota: str, *, by) -> int:
    """1 when the activity got realised: by the first source with something near its month (a meeting or
    reports of that month, a training within two months), else, often, by hand."""
    planned = datetime.date(activity.programme.year, activity.month, 15)
    for source in programmes.sources_for(activity):
        near = 62 if source.key == RealisedBy.EVENT else 16
        candidates = [c for c in source.candidates(activity) if abs((c.on - planned).days) <= near]
        if candidates:
            closest = min(candidates, key=lambda c: abs((c.on - planned).days))
            source.link(activity=activity, ref=closest.ref, by=by)
            return 1
    if rng.random() < BY_HAND_SHARE[kabkota]:
        year, month_number = activity.programme.year, activity.month
        day = datetime.date(year, month_number, rng.randint(3, 26))
        programmes.realise_by_hand(activity=activity, on=day, note=rng.choice(NOTES), by=by)
        return 1
    return 0
