"""Training events (bimtek, peningkatan kapasitas), their sessions and speakers, participants, attendance.

An event belongs to every office that organises it: staff of each organising kab/kota see and manage it
and its participants, from both regions, and nothing else of the other region. Naming another office as
co-organiser only invites it (Organiser.status): until its staff accept, the event stays the creator's
alone and nothing of the other region (its PSM above all) is in reach.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.access import scope_of
from members.models import Contribution, Member, MemberStatus, Partner, ProgrammeActivity, Region

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
        organised = Organiser.objects.accepted().filter(
            event=OuterRef("pk"), region__code__startswith=scope.region_code
        )
        return self.filter(Exists(organised))

    def newest_first(self) -> "EventQuerySet":
        """Latest start date first: the order of the event list and its export. Meta.ordering says the same,
        but Django drops it from a query with GROUP BY (with_counts), so the list asks for it."""
        return self.order_by("-starts_on", "-pk")

    def held_between(self, start: datetime.date, end: datetime.date) -> "EventQuerySet":
        return self.filter(starts_on__gte=start, starts_on__lte=end)

    def of_region(self, code: str) -> "EventQuerySet":
        """Events that concern region `code`: organised by the Dinas Sosial of the region, of a region above
        it or of one inside it, or with a participant from a unit inside it (so joint events count too)."""
        ancestors = [code[:length] for length in (2, 5, 8) if length < len(code)]
        organised = (
            Organiser.objects.accepted()
            .filter(event=OuterRef("pk"))
            .filter(Q(region__code__startswith=code) | Q(region_id__in=ancestors))
        )
        attended_from = Participant.objects.filter(event=OuterRef("pk")).within(code)
        return self.filter(Exists(organised) | Exists(attended_from))

    def with_counts(self) -> "EventQuerySet":
        """Invited participants and numbered certificates per event (one join, so no double counting)."""
        return self.annotate(
            participant_count=Count("participants"),
            certificate_count=Count("participants__certificate_number"),
        )


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

    sponsors = models.ManyToManyField(
        Partner, verbose_name=_("sponsors"), blank=True, related_name="sponsored_events"
    )
    contributions = models.ManyToManyField(
        Contribution, verbose_name=_("partner contributions"), blank=True, related_name="events"
    )
    # The units' planned activities (members.ProgrammeActivity) this event realised (trainings/programmes.py).
    programme_activities = models.ManyToManyField(
        ProgrammeActivity, verbose_name=_("work programme activities"), blank=True, related_name="events"
    )
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
        """The kab/kota codes of the offices that organise the event (invitations not yet accepted are not
        organisers): whose PSM may be invited, and who sees the event."""
        return [o.region_id for o in self.organisers.all() if o.region_id and o.is_accepted]

    def invite_candidates(self):
        """Active and candidate PSM of units in any organising region (both regions of a joint event),
        not yet invited. Deliberately not Member.visible_to: a joint event invites the partner's PSM too,
        once the partner has accepted to organise it."""
        codes = self.organiser_codes
        if not codes:
            return Member.objects.none()
        within = Q()
        for code in codes:
            within |= Q(unit__region__code__startswith=code)
        invited = Participant.objects.filter(event=self, member=OuterRef("pk"))
        return Member.objects.filter(within).exclude(status=MemberStatus.NONAKTIF).exclude(Exists(invited))


class OrganiserStatus(models.TextChoices):
    INVITED = "diundang", _("Invited, awaiting reply")
    ACCEPTED = "diterima", _("Accepted")
    DECLINED = "ditolak", _("Declined")


class OrganiserQuerySet(models.QuerySet):
    def accepted(self) -> "OrganiserQuerySet":
        return self.filter(status=OrganiserStatus.ACCEPTED)

    def invitations_for(self, user) -> "OrganiserQuerySet":
        """Invitations to co-organise an event, waiting for an answer from an office in the user's scope."""
        scope = scope_of(user)
        pending = self.filter(status=OrganiserStatus.INVITED, region__isnull=False)
        if scope.everything:
            return pending
        if not scope.region_code:
            return self.none()
        return pending.filter(region__code__startswith=scope.region_code)


class Organiser(models.Model):
    """A Dinas Sosial of a kab/kota (region), or another institution by name.

    An office named by another becomes an organiser only when its own staff accept (status); an office in
    the naming user's own scope, and an institution by name, organise at once."""

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
    status = models.CharField(
        _("status"), max_length=10, choices=OrganiserStatus.choices, default=OrganiserStatus.ACCEPTED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = OrganiserQuerySet.as_manager()

    class Meta:
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")
        constraints = [
            # Only an office is asked; an institution named by the organisers has no account to answer.
            models.CheckConstraint(
                condition=Q(region__isnull=False) | Q(status=OrganiserStatus.ACCEPTED),
                name="organiser_institution_accepted",
            ),
            models.CheckConstraint(
                condition=(Q(region__isnull=False) & Q(institution_name=""))
                | (Q(region__isnull=True) & ~Q(institution_name="")),
                name="organiser_region_xor_name",
            ),
            models.UniqueConstraint(fields=["event", "region"], name="organiser_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"Dinas Sosial {self.region}" if self.region_id else self.institution_name

    @property
    def is_accepted(self) -> bool:
        return self.status == OrganiserStatus.ACCEPTED


class SpeakerQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SpeakerQuerySet":
        """Speakers of events the user sees, PSM speakers in the user's scope, and speakers not yet booked."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        booked = Session.objects.filter(speaker=OuterRef("pk"))
        return self.filter(
            Exists(booked.filter(event__in=Event.objects.visible_to(user)))
            | Q(member__in=Member.objects.visible_to(user))
            | (~Exists(booked) & Q(member__isnull=True))
        )


class Speaker(models.Model):
    """A narasumber: a member of the registry or an outsider."""

    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("role/title"), max_length=150, blank=True)
    institution = models.CharField(_("institution"), max_length=255, blank=True)
    member = models.ForeignKey(
        Member, verbose_name=_("PSM in the registry"), null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self) -> str:
        return f"{self.name} ({self.title})" if self.title else self.name


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SessionQuerySet":
        return self.filter(event__in=Event.objects.visible_to(user))


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

    objects = SessionQuerySet.as_manager()

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


def _attended_every_day() -> Q:
    missed = Attendance.objects.filter(participant=OuterRef("pk")).exclude(status=AttendanceStatus.HADIR)
    present = Attendance.objects.filter(participant=OuterRef("pk"), status=AttendanceStatus.HADIR)
    return Q(Exists(present), ~Exists(missed))


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ParticipantQuerySet":
        """Participants of events the user sees, from whichever organising region they come."""
        return self.filter(event__in=Event.objects.visible_to(user))

    def attended(self) -> "ParticipantQuerySet":
        """Present on every day of the event (what a certificate and 'trained' require)."""
        return self.filter(_attended_every_day())

    def within(self, code: str) -> "ParticipantQuerySet":
        """Participants whose member belongs to an IPSM unit inside region `code`."""
        return self.filter(member__unit__region__code__startswith=code)

    def counts(self) -> dict[str, int]:
        """Invited, present every day, and with a certificate number: one query."""
        return self.aggregate(
            invited=Count("pk"),
            attended=Count("pk", filter=_attended_every_day()),
            certified=Count("certificate_number"),
        )


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

    def was_present_every_day(self) -> bool:
        """As ParticipantQuerySet.attended(), from the (prefetched) attendance rows."""
        rows = self.attendance.all()
        return bool(rows) and all(row.status == AttendanceStatus.HADIR for row in rows)

    def present_days(self) -> int:
        """Days marked present, from the (prefetched) attendance rows."""
        return sum(1 for row in self.attendance.all() if row.status == AttendanceStatus.HADIR)

    def certificate_obstacle(self) -> str | None:
        """Why the participant gets no certificate number (yet), from the (prefetched) attendance rows; None
        when present every day (the rule of was_present_every_day and ParticipantQuerySet.attended())."""
        if self.was_present_every_day():
            return None
        rows = self.attendance.all()
        missed = sum(1 for row in rows if row.status in (AttendanceStatus.IZIN, AttendanceStatus.TIDAK_HADIR))
        unrecorded = sum(1 for row in rows if row.status == AttendanceStatus.DIUNDANG)
        if missed or not unrecorded:
            return gettext("not present every day: present %(present)d of %(days)d days") % {
                "present": self.present_days(),
                "days": len(rows),
            }
        return ngettext(
            "attendance not recorded for %(count)d day",
            "attendance not recorded for %(count)d days",
            unrecorded,
        ) % {"count": unrecorded}

    def attendance_on(self, days: list[datetime.date]) -> list["Attendance | None"]:
        """The (prefetched) attendance rows in the order of `days`, None where a day has no row."""
        by_day = {row.day: row for row in self.attendance.all()}
        return [by_day.get(day) for day in days]


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


class IndicatorTargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> "IndicatorTargetQuerySet":
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_code:
            return self.filter(region__code__startswith=scope.region_code)
        return self.none()


class IndicatorTarget(models.Model):
    """A kab/kota's baseline and target for one indicator of the five-level report in one year, as its
    Dinas Sosial set them (trainings/targets.py). A share is kept in percent, as it is typed and printed."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("kab/kota"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=Q(level__in=("kabupaten", "kota")),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.CharField(_("indicator"), max_length=40)  # a key of trainings.indicators.DEFINITIONS
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2, null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = IndicatorTargetQuerySet.as_manager()

    class Meta:
        ordering = ["region", "year", "indicator"]
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "indicator"], name="one_target_per_indicator_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.indicator}"
