"""Training events (bimtek, peningkatan kapasitas), their sessions and speakers, participants, attendance.

An event belongs to every office that organises it: staff of each organising kab/kota see and manage it
and its participants, from both regions, and nothing else of the other region.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.access import scope_of
from members.models import Member, MemberStatus, Region

RECENT_TRAINING_YEARS = 3


class TrainingType(models.TextChoices):
    BIMTEK_DASAR = "bimtek_dasar", _("Basic technical guidance (bimtek dasar)")
    BIMTEK_LANJUTAN = "bimtek_lanjutan", _("Advanced technical guidance (bimtek lanjutan)")
    PENINGKATAN_KAPASITAS = "peningkatan_kapasitas", _("Capacity building (peningkatan kapasitas)")
    SOSIALISASI = "sosialisasi", _("Socialisation (sosialisasi)")
    LAINNYA = "lainnya", _("Other")


class EventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EventQuerySet":
        """Events organised by an office in the user's scope (joint events are seen by every organiser)."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if not scope.region_code:
            return self.none()
        organised = Organiser.objects.filter(event=OuterRef("pk"), region__code__startswith=scope.region_code)
        return self.filter(Exists(organised))

    def held_between(self, start: datetime.date, end: datetime.date) -> "EventQuerySet":
        return self.filter(starts_on__gte=start, starts_on__lte=end)


class Event(models.Model):
    title = models.CharField(_("title"), max_length=255)
    training_type = models.CharField(_("type"), max_length=30, choices=TrainingType.choices)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=255)
    budget = models.DecimalField(_("budget (Rp)"), max_digits=14, decimal_places=0, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0) | Q(budget__isnull=True), name="event_budget_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def days(self) -> list[datetime.date]:
        count = (self.ends_on - self.starts_on).days + 1
        return [self.starts_on + datetime.timedelta(days=n) for n in range(count)]

    @property
    def organiser_codes(self) -> list[str]:
        return [o.region_id for o in self.organisers.all() if o.region_id]


class Organiser(models.Model):
    """A Dinas Sosial of a kab/kota (region), or another institution by name."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="organisers")
    region = models.ForeignKey(
        Region,
        verbose_name=_("Dinas Sosial of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    institution_name = models.CharField(_("other institution"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")
        constraints = [
            models.CheckConstraint(
                condition=(Q(region__isnull=False) & Q(institution_name=""))
                | (Q(region__isnull=True) & ~Q(institution_name="")),
                name="organiser_region_xor_name",
            ),
            models.UniqueConstraint(fields=["event", "region"], name="organiser_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"Dinas Sosial {self.region}" if self.region_id else self.institution_name


class Speaker(models.Model):
    """A narasumber: a member of the registry or an outsider."""

    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("role/title"), max_length=150, blank=True)
    institution = models.CharField(_("institution"), max_length=255, blank=True)
    member = models.ForeignKey(
        Member, verbose_name=_("PSM in the registry"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self) -> str:
        return f"{self.name} ({self.title})" if self.title else self.name


class Session(models.Model):
    """One materi of an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=255)
    speaker = models.ForeignKey(
        Speaker,
        verbose_name=_("speaker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    DIUNDANG = "diundang", _("Invited")
    HADIR = "hadir", _("Present")
    IZIN = "izin", _("Excused")
    TIDAK_HADIR = "tidak_hadir", _("Absent")


class ParticipantQuerySet(models.QuerySet):
    def attended(self) -> "ParticipantQuerySet":
        """Present on every day of the event (what a certificate and 'trained' require)."""
        missed = Attendance.objects.filter(participant=OuterRef("pk")).exclude(status=AttendanceStatus.HADIR)
        present = Attendance.objects.filter(participant=OuterRef("pk"), status=AttendanceStatus.HADIR)
        return self.filter(Exists(present), ~Exists(missed))


class Participant(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(
        Member, verbose_name=_("PSM"), on_delete=models.PROTECT, related_name="trainings"
    )
    pre_test_score = models.DecimalField(
        _("pre-test score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    post_test_score = models.DecimalField(
        _("post-test score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    certificate_number = models.CharField(
        _("certificate number"), max_length=64, null=True, blank=True, unique=True
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["member__full_name", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="participant_once_per_event"),
            models.CheckConstraint(
                condition=Q(pre_test_score__isnull=True) | Q(pre_test_score__gte=0, pre_test_score__lte=100),
                name="participant_pre_test_0_100",
            ),
            models.CheckConstraint(
                condition=Q(post_test_score__isnull=True)
                | Q(post_test_score__gte=0, post_test_score__lte=100),
                name="participant_post_test_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.event}"


class Attendance(models.Model):
    """A participant's attendance on one day of the event."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attendance")
    day = models.DateField(_("day"))
    status = models.CharField(
        _("attendance"), max_length=12, choices=AttendanceStatus.choices, default=AttendanceStatus.DIUNDANG
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["participant", "day"], name="attendance_once_per_day")]

    def __str__(self) -> str:
        return f"{self.participant} {self.day:%d/%m/%Y}: {self.status}"


def trained_members(*, training_type: str | None = None, since: datetime.date | None = None):
    """Members who attended (every day of) an event, optionally of one type and since a date."""
    participants = Participant.objects.attended()
    if training_type:
        participants = participants.filter(event__training_type=training_type)
    if since:
        participants = participants.filter(event__starts_on__gte=since)
    return Member.objects.filter(Exists(participants.filter(member=OuterRef("pk"))))


def has_basic_training(member: Member) -> bool:
    return trained_members(training_type=TrainingType.BIMTEK_DASAR).filter(pk=member.pk).exists()


def untrained_active_members():
    return Member.objects.filter(status=MemberStatus.AKTIF).exclude(
        Exists(Participant.objects.attended().filter(member=OuterRef("pk")))
    )
