import datetime
import zoneinfo

import factory
from django.contrib.auth import get_user_model

from cases.models import Case, CaseChannel, CaseStatus, PmksCategory, PmksCount, PmksSource
from members.models import (
    Assignment,
    BoardPosition,
    BoardRole,
    Member,
    MemberStatus,
    Region,
    Sex,
    StatusChange,
    Unit,
)
from members.nik import build_nik
from trainings.models import (
    Event,
    Organiser,
    OrganiserStatus,
    Participant,
    Session,
    Speaker,
    TrainingType,
)

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")

FIRST_NAMES_M = ["Agus", "Budi", "Slamet", "Joko", "Bambang", "Hadi", "Wahyu", "Eko", "Sigit", "Teguh"]
FIRST_NAMES_F = ["Siti", "Sri", "Endang", "Wulan", "Dewi", "Rina", "Yuliana", "Tri", "Lestari", "Ani"]
LAST_NAMES = ["Santoso", "Wibowo", "Rahayu", "Lestari", "Hartono", "Susanti", "Purnomo", "Setiawan"]


def make_regions() -> dict[str, Region]:
    """A small slice of the real region tree, with real codes."""

    def region(code, name, level, parent=None):
        return Region.objects.create(code=code, name=name, level=level, parent=parent)

    jateng = region("33", "Jawa Tengah", "provinsi")
    kota = region("33.71", "Kota Magelang", "kota", jateng)
    tengah = region("33.71.03", "Magelang Tengah", "kecamatan", kota)
    selatan = region("33.71.01", "Magelang Selatan", "kecamatan", kota)
    temanggung = region("33.23", "Kabupaten Temanggung", "kabupaten", jateng)
    kandangan = region("33.23.11", "Kandangan", "kecamatan", temanggung)
    return {
        "jateng": jateng,
        "kota_magelang": kota,
        "magelang_tengah": tengah,
        "magelang_selatan": selatan,
        "rejowinangun_utara": region("33.71.03.1003", "Rejowinangun Utara", "kelurahan", tengah),
        "cacaban": region("33.71.03.1002", "Cacaban", "kelurahan", tengah),
        "magersari": region("33.71.01.1007", "Magersari", "kelurahan", selatan),
        "temanggung": temanggung,
        "kandangan": kandangan,
        "kowangan": region("33.23.11.2001", "Kowangan", "desa", kandangan),
    }


USER_PASSWORD = "rahasia-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(USER_PASSWORD)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    sk_number = factory.Sequence(lambda n: f"400/{n:03d}/2023")
    sk_date = datetime.date(2023, 3, 1)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    class Params:
        female = factory.Faker("pybool")

    sex = factory.LazyAttribute(lambda o: Sex.PEREMPUAN if o.female else Sex.LAKI_LAKI)
    full_name = factory.LazyAttributeSequence(
        lambda o, n: f"{(FIRST_NAMES_F if o.female else FIRST_NAMES_M)[n % 10]} {LAST_NAMES[n % 8]} {n}"
    )
    birth_place = "Magelang"
    # Within 1960-1989 however many members a run creates, so that everyone is an adult.
    birth_date = factory.Sequence(
        lambda n: datetime.date(1960, 1, 1) + datetime.timedelta(days=97 * n % 10950)
    )
    nik = factory.LazyAttributeSequence(
        lambda o, n: build_nik(
            region_code="33.71.03", birth_date=o.birth_date, is_female=o.female, serial=n + 1
        )
    )
    address = "Jl. Tidar No. 5"
    rt = "001"
    rw = "002"
    unit = factory.SubFactory(UnitFactory)
    kelurahan = factory.LazyAttribute(lambda o: o.unit.region)
    phone = "+6281234567890"
    joined_on = datetime.date(2022, 1, 10)
    kta_number = factory.Sequence(lambda n: f"TEST-{n:05d}")
    status = MemberStatus.AKTIF
    status_since = datetime.date(2022, 1, 10)

    @factory.post_generation
    def status_history(self, create, extracted, **kwargs):
        """`status_history=True`: the first step of the lifecycle, as members.services.register_member records
        it (which reporting rates and active_on read); tests of the lifecycle record their own."""
        if create and extracted:
            StatusChange.objects.create(member=self, new_status=self.status, changed_on=self.status_since)


class BoardPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardPosition

    member = factory.SubFactory(MemberFactory)
    unit = factory.LazyAttribute(lambda o: o.member.unit)
    role = BoardRole.KETUA
    term_starts_on = datetime.date(2023, 1, 1)
    term_ends_on = datetime.date(2028, 1, 1)


class PmksCountFactory(factory.django.DjangoModelFactory):
    """A count for one category; pass `kelurahan` (a Region) and `category` (PmksCategory, seeded 1-26)."""

    class Meta:
        model = PmksCount

    year = 2022
    semester = 0
    count = 10
    source = PmksSource.DTKS
    data_date = datetime.date(2022, 12, 31)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case in `kelurahan` (a Region); category defaults to Fakir Miskin (number 24)."""

    class Meta:
        model = Case

    person_name = factory.Sequence(lambda n: f"{FIRST_NAMES_F[n % 10]} {LAST_NAMES[n % 8]} {n}")
    person_sex = Sex.PEREMPUAN
    person_age = 67
    person_address = "Jl. Pahlawan No. 3"
    category = factory.LazyFunction(lambda: PmksCategory.objects.get(number=24))
    description = "Lansia tinggal sendiri, butuh bantuan pangan."
    reported_on = datetime.date(2026, 10, 1)
    channel = CaseChannel.LAPORAN_WARGA
    status = CaseStatus.BARU
    status_since = factory.LazyAttribute(lambda o: o.reported_on)


# --- Trainings ----------------------------------------------------------------------------------------------
# Rows as they are stored. An event made the way staff make one (organisers, invitations, attendance days) is
# trainings.services.save_event's: tests/trainings/conftest.py make_event().

EVENT_START = datetime.date(2024, 5, 6)


class EventFactory(factory.django.DjangoModelFactory):
    """An event with no organiser; add OrganiserFactory rows, or use make_event() for the full path."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Bimtek Dasar PSM Angkatan {n + 1}")
    training_type = TrainingType.BIMTEK_DASAR
    starts_on = EVENT_START
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=1))
    venue = "Aula Dinas Sosial"


class OrganiserFactory(factory.django.DjangoModelFactory):
    """The Dinas Sosial of `region` (a kab/kota Region), accepted; or an institution by `institution_name`."""

    class Meta:
        model = Organiser

    event = factory.SubFactory(EventFactory)
    status = OrganiserStatus.ACCEPTED


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Dra. {FIRST_NAMES_F[n % 10]} {LAST_NAMES[n % 8]}")
    title = "Narasumber"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Materi {n + 1}")
    starts_at = factory.LazyAttribute(
        lambda o: datetime.datetime.combine(o.event.starts_on, datetime.time(9), tzinfo=JAKARTA)
    )


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A participant with no attendance rows (services.invite_members adds one per day)."""

    class Meta:
        model = Participant

    event = factory.SubFactory(EventFactory)
    member = factory.SubFactory(MemberFactory)
